import SSHAuth
import SSHCrypto
import Testing

@Suite("known_hosts lookup")
struct HostKeyLookupTests {
    @Test func plainHostListsWithSeveralKeys() throws {
        let ed25519 = try TestKeys.make()
        let ecdsa = try TestKeys.make(.ecdsaP256)
        let stranger = try TestKeys.make()
        let hostKeys = HostKeys(
            text: """
                a.example,b.example \(ed25519.openSSHLine)
                a.example \(ecdsa.openSSHLine)

                """)
        #expect(hostKeys.check(ed25519, host: "a.example") == .known)
        #expect(hostKeys.check(ecdsa, host: "a.example") == .known)
        #expect(hostKeys.check(ed25519, host: "B.Example") == .known)
        #expect(
            hostKeys.check(stranger, host: "a.example") == .changed(expected: [ed25519, ecdsa], presented: stranger))
        // OpenSSH 9 compares whatever the type: only an Ed25519 key is recorded for b, so ECDSA is "changed".
        #expect(hostKeys.check(ecdsa, host: "b.example") == .changed(expected: [ed25519], presented: ecdsa))
        #expect(hostKeys.check(ed25519, host: "c.example") == .unknown)
        #expect(hostKeys.check(ed25519, host: "a.example.org") == .unknown)
    }

    @Test func wildcardsAndNegation() throws {
        let key = try TestKeys.make()
        let hostKeys = HostKeys(
            text: """
                *.example.com,!bad.example.com \(key.openSSHLine)
                ?.example.net \(key.openSSHLine)

                """)
        #expect(hostKeys.check(key, host: "good.example.com") == .known)
        #expect(hostKeys.check(key, host: "deep.good.example.com") == .known)
        #expect(hostKeys.check(key, host: "bad.example.com") == .unknown)
        #expect(hostKeys.check(key, host: "example.com") == .unknown)
        #expect(hostKeys.check(key, host: "a.example.net") == .known)
        #expect(hostKeys.check(key, host: "ab.example.net") == .unknown)
        #expect(hostKeys.matches(host: "bad.example.com").isEmpty)
    }

    @Test func portsAreWrittenInBrackets() throws {
        let onPort = try TestKeys.make()
        let onDefault = try TestKeys.make()
        let anyPort = try TestKeys.make(.ecdsaP384)
        let hostKeys = HostKeys(
            text: """
                [h.example]:2222 \(onPort.openSSHLine)
                h.example \(onDefault.openSSHLine)
                [w.example]:* \(anyPort.openSSHLine)

                """)
        #expect(HostKeys.name(host: "H.Example", port: 2222) == "[h.example]:2222")
        #expect(HostKeys.name(host: "h.example") == "h.example")
        #expect(HostKeys.name(host: "h.example", port: 0) == "h.example")
        #expect(HostKeys.name(host: "::1", port: 2200) == "[::1]:2200")
        #expect(hostKeys.check(onPort, host: "h.example", port: 2222) == .known)
        #expect(hostKeys.check(onDefault, host: "h.example", port: 22) == .known)
        #expect(
            hostKeys.check(onDefault, host: "h.example", port: 2222)
                == .changed(expected: [onPort], presented: onDefault))
        #expect(hostKeys.check(onPort, host: "h.example") == .changed(expected: [onDefault], presented: onPort))
        #expect(hostKeys.check(onPort, host: "h.example", port: 2200) == .unknown)
        #expect(hostKeys.check(anyPort, host: "w.example", port: 8022) == .known)
        #expect(hostKeys.check(anyPort, host: "w.example") == .unknown)
        // Through a proxy, ssh also takes a key recorded without the port, but only a matching one.
        #expect(hostKeys.check(onDefault, host: "h.example", port: 2200) == .unknown)
        #expect(hostKeys.check(onDefault, host: "h.example", port: 2200, proxied: true) == .known)
        #expect(hostKeys.check(onPort, host: "h.example", port: 2200, proxied: true) == .unknown)
        #expect(
            hostKeys.check(onDefault, host: "h.example", port: 2222, proxied: true)
                == .changed(expected: [onPort], presented: onDefault))
    }

    @Test func revokedWinsOverEverything() throws {
        let key = try TestKeys.make()
        let other = try TestKeys.make()
        let revokedEverywhere = HostKeys(
            text: """
                h.example \(key.openSSHLine)
                @revoked * \(key.openSSHLine)

                """)
        #expect(revokedEverywhere.check(key, host: "h.example") == .revoked)
        #expect(revokedEverywhere.check(key, host: "g.example") == .revoked)
        #expect(revokedEverywhere.check(other, host: "h.example") == .changed(expected: [key], presented: other))
        let revokedElsewhere = HostKeys(
            text: """
                @revoked g.example \(key.openSSHLine)
                h.example \(key.openSSHLine)

                """)
        #expect(revokedElsewhere.check(key, host: "h.example") == .known)
        #expect(revokedElsewhere.check(key, host: "g.example") == .revoked)
    }

    @Test func theAddressIsCheckedToo() throws {
        let key = try TestKeys.make()
        let other = try TestKeys.make()
        func check(_ text: String, host: String = "h.example") -> HostKeyStatus {
            HostKeys(text: text).check(key, host: host, ipAddress: "10.0.0.1")
        }
        #expect(check("h.example \(key.openSSHLine)\n10.0.0.1 \(key.openSSHLine)\n") == .known)
        #expect(check("h.example,10.0.0.1 \(key.openSSHLine)\n") == .known)
        #expect(check("h.example \(key.openSSHLine)\n") == .known)
        #expect(check("10.0.0.1 \(key.openSSHLine)\n") == .unknown)
        #expect(
            check("h.example \(key.openSSHLine)\n10.0.0.1 \(other.openSSHLine)\n")
                == .changed(expected: [other], presented: key))
        #expect(
            check("h.example \(other.openSSHLine)\n10.0.0.1 \(key.openSSHLine)\n")
                == .changed(expected: [other], presented: key))
        #expect(check("10.0.0.1 \(other.openSSHLine)\n") == .changed(expected: [other], presented: key))
        #expect(check("h.example \(key.openSSHLine)\n@revoked 10.0.0.1 \(key.openSSHLine)\n") == .revoked)
        #expect(check("10.0.0.1 \(key.openSSHLine)\n", host: "10.0.0.1") == .known)
        let onPort = HostKeys(text: "[h.example]:2222,[10.0.0.1]:2222 \(key.openSSHLine)\n")
        #expect(onPort.check(key, host: "h.example", port: 2222, ipAddress: "10.0.0.1") == .known)
    }

    @Test func hashedNamesMatchOnlyTheirName() throws {
        let key = try TestKeys.make()
        var random = CountingRandom()
        var hostKeys = HostKeys()
        try hostKeys.add(key, host: "h.example", port: 2222, hashed: true, using: &random)
        #expect(hostKeys.lines.count == 1)
        #expect(hostKeys.text.hasPrefix("|1|AAECAwQFBgcICQoLDA0ODxAREhM=|"))
        #expect(hostKeys.text.hasSuffix("= " + key.openSSHLine + "\n"))
        #expect(hostKeys.check(key, host: "h.example", port: 2222) == .known)
        #expect(hostKeys.check(key, host: "H.EXAMPLE", port: 2222) == .known)
        #expect(hostKeys.check(key, host: "h.example") == .unknown)
        #expect(hostKeys.check(key, host: "h.example", port: 2200) == .unknown)
        let hashed = try HashedHostName(hashing: "[h.example]:2222", salt: Array(0..<20))
        #expect(hostKeys.entries[0].names == .hashed(hashed))
        #expect(throws: KnownHostsError.self) { try HashedHostName(hashing: "x", salt: [1, 2, 3]) }
    }

    @Test(arguments: ["host.example", "10.0.0.5", "x.wild.example", "bad.wild.example", "a.example", "nothing.org"])
    func matchesAgreeWithSSHKeygen(host: String) throws {
        guard let workspace = try KnownHostsWorkspace.make() else { return }
        let key = try TestKeys.make()
        let ca = try TestKeys.make(.ecdsaP256)
        var salts = CountingRandom(counter: 100)
        let hashed = try HashedHostName(hashing: "a.example", using: &salts)
        let text = """
            # a comment
            host.example,10.0.0.5 \(key.openSSHLine)
            [host.example]:2222 \(key.openSSHLine)

            *.wild.example,!bad.wild.example \(ca.openSSHLine)
            @cert-authority *.example \(ca.openSSHLine)
            @revoked * \(ca.openSSHLine)
            garbage line here
            \(hashed) \(key.openSSHLine) hashed
            ?.example,a.* \(key.openSSHLine)

            """
        try workspace.write(text, to: "known_hosts")
        let hostKeys = HostKeys(text: text)
        for port in [22, 2222] {
            let name = HostKeys.name(host: host, port: port)
            let ours = hostKeys.matches(host: host, port: port).map(\.line)
            #expect(ours == (try workspace.foundLines(name, in: "known_hosts")), "\(name)")
        }
    }
}
