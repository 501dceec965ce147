import Foundation
import SSHAuth
import SSHCrypto
import SSHTestSupport
import Testing

/// A temporary directory where the tests make known_hosts fixtures with the real `ssh-keygen`; removed
/// when the workspace goes away.
final class KnownHostsWorkspace: Sendable {
    let directory: URL
    let keygen: String

    /// A workspace, or nil when ssh-keygen is missing (a recorded failure under `CI=true`).
    static func make() throws -> KnownHostsWorkspace? {
        guard let keygen = Peers.executable("ssh-keygen") else {
            if Peers.required { Issue.record("ssh-keygen is required under CI=true") }
            return nil
        }
        return KnownHostsWorkspace(directory: try Peers.temporaryDirectory("paramiko-known-hosts"), keygen: keygen)
    }

    private init(directory: URL, keygen: String) {
        self.directory = directory
        self.keygen = keygen
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs ssh-keygen; stdout and stderr together.
    @discardableResult
    func keygen(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try Peers.run([keygen] + arguments)
    }

    /// Makes a key pair `name`/`name.pub` and returns the public key.
    func makeKey(_ name: String, type: String = "ed25519") throws -> SSHPublicKey {
        let result = try keygen(["-q", "-N", "", "-t", type, "-f", path(name)])
        guard result.status == 0 else { throw PeerError("ssh-keygen -t \(type): \(result.output)") }
        return try SSHPublicKey(path: path(name) + ".pub")
    }

    /// Signs `name.pub` as a host certificate with the CA key pair `authority`, written to `name-cert.pub`;
    /// `validity` is an `ssh-keygen -V` interval.
    func certify(
        _ name: String, authority: String, principals: [String], validity: String? = nil
    ) throws -> SSHPublicKey {
        var arguments = ["-q", "-s", path(authority), "-h", "-I", "\(name)-id"]
        if !principals.isEmpty { arguments += ["-n", principals.joined(separator: ",")] }
        if let validity { arguments += ["-V", validity] }
        let result = try keygen(arguments + [path(name) + ".pub"])
        guard result.status == 0 else { throw PeerError("ssh-keygen -s: \(result.output)") }
        return try SSHPublicKey(path: path(name) + "-cert.pub")
    }

    func write(_ text: String, to name: String) throws {
        try text.write(toFile: path(name), atomically: false, encoding: .utf8)
    }

    func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path(name)))) }

    /// The line numbers `ssh-keygen -F name -f file` reports, in order.
    func foundLines(_ name: String, in file: String) throws -> [Int] {
        let result = try keygen(["-F", name, "-f", path(file)])
        return result.output.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("# Host "), let range = line.range(of: " found: line ") else { return nil }
            return Int(line[range.upperBound...].prefix(while: \.isNumber))
        }
    }
}

/// Keys made in memory, for tests that need no ssh-keygen.
enum TestKeys {
    static func make(_ type: SSHKeyType = .ed25519) throws -> SSHPublicKey {
        try SSHPrivateKey.generate(type).publicKey
    }
}

/// A deterministic random source: the bytes 0, 1, 2, … (mod 256) from a start value.
struct CountingRandom: SSHRandomSource {
    var counter: UInt8 = 0

    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        for index in buffer.indices {
            buffer[index] = counter
            counter &+= 1
        }
    }
}
