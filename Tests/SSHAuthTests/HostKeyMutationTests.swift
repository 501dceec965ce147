import Foundation
import SSHAuth
import SSHCrypto
import SSHTestSupport
import Testing

@Suite("known_hosts changes")
struct HostKeyMutationTests {
    @Test func ourHashesEqualSSHKeygenHashes() throws {
        guard let workspace = try KnownHostsWorkspace.make() else { return }
        let key = try workspace.makeKey("host")
        let names = ["host.example", "[host.example]:2222", "10.0.0.5", "[::1]:2200"]
        try workspace.write(names.map { "\($0) \(key.openSSHLine)\n" }.joined(), to: "known_hosts")
        let result = try workspace.keygen(["-H", "-f", workspace.path("known_hosts")])
        #expect(result.status == 0, "\(result.output)")
        let hostKeys = try HostKeys(contentsOfFile: workspace.path("known_hosts"))
        #expect(hostKeys.lineErrors.isEmpty)
        #expect(hostKeys.entries.count == names.count)
        for (entry, name) in zip(hostKeys.entries, names) {
            guard case .hashed(let hashed) = entry.names else {
                Issue.record("ssh-keygen -H left \(entry.names) plain")
                continue
            }
            #expect(try HashedHostName(hashing: name, salt: hashed.salt) == hashed)
            #expect(hashed.matches(name))
            #expect(!hashed.matches(name + "."))
        }
        #expect(hostKeys.check(key, host: "host.example") == .known)
        #expect(hostKeys.check(key, host: "host.example", port: 2222) == .known)
        #expect(hostKeys.check(key, host: "10.0.0.5") == .known)
        #expect(hostKeys.check(key, host: "::1", port: 2200) == .known)
        #expect(hostKeys.check(key, host: "host.example", port: 2200) == .unknown)
    }

    @Test func sshKeygenFindsWhatWeHash() throws {
        guard let workspace = try KnownHostsWorkspace.make() else { return }
        let key = try TestKeys.make()
        let other = try TestKeys.make(.ecdsaP256)
        var hostKeys = HostKeys(text: "# ours\n")
        try hostKeys.add(key, host: "Host.Example", hashed: true)
        try hostKeys.add(other, host: "h2.example", port: 2222, ipAddress: "10.1.2.3", hashed: true)
        try hostKeys.write(toFile: workspace.path("known_hosts"))
        #expect(hostKeys.lines.count == 4)
        #expect(try workspace.foundLines("host.example", in: "known_hosts") == [2])
        #expect(try workspace.foundLines("[h2.example]:2222", in: "known_hosts") == [3])
        #expect(try workspace.foundLines("[10.1.2.3]:2222", in: "known_hosts") == [4])
        #expect(try workspace.foundLines("h2.example", in: "known_hosts") == [])
        let reread = try HostKeys(contentsOfFile: workspace.path("known_hosts"))
        #expect(reread == hostKeys)
        #expect(reread.check(other, host: "h2.example", port: 2222, ipAddress: "10.1.2.3") == .known)
    }

    @Test func removingAHostLeavesNothingForSSHKeygenToFind() throws {
        guard let workspace = try KnownHostsWorkspace.make() else { return }
        let key = try TestKeys.make()
        var hostKeys = HostKeys(text: "# keep me\nother.example \(key.openSSHLine)\n")
        try hostKeys.add(key, host: "gone.example")
        try hostKeys.add(key, host: "gone.example", hashed: true)
        try hostKeys.add(try TestKeys.make(.ecdsaP256), host: "gone.example", ipAddress: "10.9.9.9")
        #expect(hostKeys.remove(host: "gone.example") == 3)
        try hostKeys.write(toFile: workspace.path("known_hosts"))
        #expect(try workspace.foundLines("gone.example", in: "known_hosts") == [])
        #expect(try workspace.foundLines("other.example", in: "known_hosts") == [2])
        #expect(hostKeys.text == "# keep me\nother.example \(key.openSSHLine)\n")
    }

    /// ssh-keygen -R refuses to rewrite a file with an invalid line, so this file has none.
    @Test(arguments: ["host.example", "10.0.0.5", "x.wild.example", "a.example"])
    func removeEqualsSSHKeygenR(host: String) throws {
        guard let workspace = try KnownHostsWorkspace.make() else { return }
        let key = try TestKeys.make()
        let ca = try TestKeys.make(.ecdsaP256)
        let hashed = try HashedHostName(hashing: "a.example", salt: Array(repeating: 7, count: 20))
        let text = """
            # a comment
            host.example,10.0.0.5 \(key.openSSHLine) note
            [host.example]:2222 \(key.openSSHLine)

            \t*.wild.example,!bad.wild.example \(ca.openSSHLine)
            @cert-authority *.example \(ca.openSSHLine)
            @revoked * \(ca.openSSHLine)
            \(hashed) \(key.openSSHLine)
            ?.example,a.* \(key.openSSHLine)

            """
        try workspace.write(text, to: "theirs")
        let result = try workspace.keygen(["-R", host, "-f", workspace.path("theirs")])
        #expect(result.status == 0, "\(result.output)")
        var hostKeys = HostKeys(text: text)
        hostKeys.remove(host: host)
        #expect(hostKeys.bytes == (try workspace.bytes("theirs")))
    }

    @Test func replaceKeepsWhatStaysAndAppendsWhatIsNew() throws {
        let old = try TestKeys.make()
        let kept = try TestKeys.make(.ecdsaP256)
        let new = try TestKeys.make(.ecdsaP384)
        let ca = try TestKeys.make()
        let text = """
            h.example \(old.openSSHLine)
            # between
            h.example,10.0.0.1 \(kept.openSSHLine) keep
            @cert-authority h.example \(ca.openSSHLine)
            other.example \(old.openSSHLine)

            """
        var hostKeys = HostKeys(text: text)
        var random = CountingRandom()
        try hostKeys.replace(host: "h.example", with: [kept, new], using: &random)
        #expect(
            hostKeys.text == """
                # between
                h.example,10.0.0.1 \(kept.openSSHLine) keep
                @cert-authority h.example \(ca.openSSHLine)
                other.example \(old.openSSHLine)
                h.example \(new.openSSHLine)

                """)
        #expect(hostKeys.check(new, host: "h.example") == .known)
        #expect(hostKeys.check(old, host: "h.example") == .changed(expected: [kept, new], presented: old))
        try hostKeys.replace(host: "h.example", with: [new], hashed: true, using: &random)
        #expect(hostKeys.matches(host: "h.example").map(\.line) == [2, 4])
        #expect(hostKeys.check(kept, host: "h.example") == .changed(expected: [new], presented: kept))
    }

    @Test func addWritesWhatSSHWrites() throws {
        let key = try TestKeys.make()
        var hostKeys = HostKeys(text: "# no final line feed")
        try hostKeys.add(key, host: "Host.Example", ipAddress: "10.0.0.1", comment: "added")
        #expect(hostKeys.text == "# no final line feed\nhost.example,10.0.0.1 \(key.openSSHLine) added\n")
        for bad in ["", "a b", "a,b", "a\nb", "a\tb"] {
            #expect(throws: KnownHostsError.unwritableField(bad.lowercased())) { try hostKeys.add(key, host: bad) }
        }
        #expect(throws: KnownHostsError.unwritableField("x\ny")) { try hostKeys.add(key, host: "h", comment: "x\ny") }
        #expect(throws: KnownHostsError.unwritableField("|1|x")) {
            try KnownHostEntry(names: .patterns(["|1|x"]), key: key)
        }
        let entry = try KnownHostEntry(marker: .certAuthority, names: .patterns(["*.example", "!x.example"]), key: key)
        hostKeys.append(entry)
        #expect(hostKeys.lines.last?.text == "@cert-authority *.example,!x.example \(key.openSSHLine)")
        #expect(try KnownHostEntry(line: entry.line) == entry)
    }

    @Test func writeIsAtomicAndKeepsTheMode() throws {
        let directory = try Peers.temporaryDirectory("paramiko-kh").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try TestKeys.make()
        let path = directory + "/known_hosts"
        var hostKeys = HostKeys(bytes: Array("# c\nbroken line\n".utf8) + [0xFF, 0x0A])
        try hostKeys.add(key, host: "h.example")
        try hostKeys.write(toFile: path)
        #expect(try FileChecks.mode(path) == 0o644)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == hostKeys.bytes)
        #expect(chmod(path, 0o600) == 0)
        hostKeys.remove(host: "h.example")
        try hostKeys.write(toFile: path)
        #expect(try FileChecks.mode(path) == 0o600)
        let reread = try HostKeys(contentsOfFile: path)
        #expect(reread.bytes == Array("# c\nbroken line\n".utf8) + [0xFF, 0x0A])
        #expect(reread.lineErrors.map(\.line) == [2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["known_hosts"])
    }
}

/// File checks for the tests.
enum FileChecks {
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? Int) ?? -1
    }
}
