import Foundation
import SSHCrypto

/// `paramiko keygen -Y sign|verify`: detached SSHSIG signatures (PROTOCOL.sshsig), with ssh-keygen's
/// overloaded flags: `-n` is the namespace, `-s` the signature file, `-I` the signer identity.
extension KeygenCommand {
    func runSignatureOperation(_ operation: String) throws {
        guard let namespace = principals, !namespace.isEmpty else {
            throw KeygenFailure(message: "-Y \(operation) needs a namespace (-n)")
        }
        switch operation {
        case "sign":
            let key = try SSHPrivateKey(path: try requireKeyFile(), passphrase: passphrase)
            guard !publicKeyFiles.isEmpty else { throw KeygenFailure(message: "name the files to sign") }
            for path in publicKeyFiles {
                let message = try Data(contentsOf: URL(fileURLWithPath: path))
                let signature = try SSHSignatureFile.sign(Array(message), namespace: namespace, with: key)
                try Data(signature.utf8).write(to: URL(fileURLWithPath: path + ".sig"))
                FileHandle.standardError.write(Data("Signing file \(path)\nWrite signature to \(path).sig\n".utf8))
            }
        case "verify":
            guard let identity, let signaturePath = certificateAuthority else {
                throw KeygenFailure(message: "-Y verify needs -I identity and -s signature file")
            }
            let signers = try String(contentsOfFile: try requireKeyFile(), encoding: .utf8)
            let signature = try String(contentsOfFile: signaturePath, encoding: .utf8)
            let message = FileHandle.standardInput.readDataToEndOfFile()
            guard let signer = SSHSignatureFile.verify(signature, message: Array(message), namespace: namespace) else {
                throw KeygenFailure(message: "Signature verification failed")
            }
            guard AllowedSigners.allows(signer, identity: identity, namespace: namespace, in: signers) else {
                throw KeygenFailure(message: "\(identity) is not an allowed signer for \(signer.fingerprint())")
            }
            print(
                "Good \"\(namespace)\" signature for \(identity) with \(signer.typeLabel) key \(signer.fingerprint())")
        default:
            throw KeygenFailure(message: "unknown -Y operation \(operation): use sign or verify")
        }
    }

    private func requireKeyFile() throws -> String {
        guard let file else { throw KeygenFailure(message: "-f FILE is required") }
        return file
    }
}

/// ssh-keygen's allowed_signers file (ssh-keygen(1), ALLOWED SIGNERS): `principals [options] key`.
enum AllowedSigners {
    static func allows(_ key: SSHPublicKey, identity: String, namespace: String, in text: String) -> Bool {
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let fields = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard fields.count == 2, matches(identity, patterns: fields[0]) else { continue }
            var rest = fields[1]
            var namespaces: [String]?
            let startsWithKey = ["ssh-", "ecdsa-", "sk-"].contains { rest.hasPrefix($0) }
            if !startsWithKey, let space = rest.firstIndex(of: " ") {
                let options = rest[..<space]
                if let range = options.range(of: "namespaces=\"", options: .caseInsensitive) {
                    namespaces = options[range.upperBound...].prefix { $0 != "\"" }.split(separator: ",").map(
                        String.init)
                }
                rest = String(rest[rest.index(after: space)...])
            }
            if let namespaces, !namespaces.contains(where: { matches(namespace, patterns: $0) }) { continue }
            if let (allowed, _) = try? SSHPublicKey.parse(openSSHLine: rest), allowed == key { return true }
        }
        return false
    }

    /// Comma-separated patterns with `*` and `?` wildcards.
    static func matches(_ name: String, patterns: String) -> Bool {
        patterns.split(separator: ",").contains { wildcard(Array(name), Array($0)) }
    }

    private static func wildcard(_ name: [Character], _ pattern: [Character]) -> Bool {
        guard let first = pattern.first else { return name.isEmpty }
        switch first {
        case "*":
            return (0...name.count).contains { wildcard(Array(name[$0...]), Array(pattern.dropFirst())) }
        case "?":
            return !name.isEmpty && wildcard(Array(name.dropFirst()), Array(pattern.dropFirst()))
        default:
            return name.first == first && wildcard(Array(name.dropFirst()), Array(pattern.dropFirst()))
        }
    }
}
