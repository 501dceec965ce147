import ArgumentParser
import Foundation
import SSHCrypto

/// `paramiko keygen`: generate keys, print fingerprints and public keys, and sign certificates, with
/// ssh-keygen's flags and output.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Generate, inspect and certify SSH keys (ssh-keygen compatible flags).",
        discussion: """
            paramiko keygen -t ed25519|ecdsa|rsa|dsa [-b bits] [-N passphrase] [-C comment] [-m format] -f FILE
            paramiko keygen -l [-E md5|sha256] -f FILE
            paramiko keygen -y [-P passphrase] -f FILE
            paramiko keygen -Y sign -f KEY -n NAMESPACE FILE...
            paramiko keygen -Y verify -f ALLOWED_SIGNERS -I IDENTITY -n NAMESPACE -s FILE.sig < FILE
            paramiko keygen -p [-P old] [-N new] [-m format] -f FILE   (with -m: convert, e.g. to PuTTY)
            paramiko keygen -c [-P passphrase] -C comment -f FILE
            paramiko keygen -e [-m RFC4716|PKCS8] -f FILE
            paramiko keygen -i -f FILE
            paramiko keygen -s CA -I ID [-n PRINCIPALS] [-V validity] [-z serial] [-h] FILE.pub ...
            """
    )

    @Option(name: .customShort("t"), help: "Key type: ed25519, ecdsa, rsa or dsa.")
    var type: String?

    @Option(name: .customShort("b"), help: "Key size in bits (RSA 1024–16384, ECDSA 256/384/521).")
    var bits: Int?

    @Option(name: .customShort("N"), help: "New passphrase (empty for none).")
    var newPassphrase: String = ""

    @Option(name: .customShort("P"), help: "Passphrase of an existing key.")
    var passphrase: String?

    @Option(name: .customShort("C"), help: "Comment.")
    var comment: String?

    @Option(name: .customShort("f"), help: "Key file.")
    var file: String?

    @Option(
        name: .customShort("m"),
        help: "Private key format: openssh (default), pkcs8, pem, PuTTY (.ppk version 3) or PuTTY2 (.ppk version 2).")
    var format: String?

    @Option(name: .customShort("Z"), help: "Cipher for an encrypted OpenSSH key (default aes256-ctr).")
    var cipher: String = "aes256-ctr"

    @Option(
        name: .customShort("a"),
        help: "KDF rounds: bcrypt_pbkdf rounds of OpenSSH keys (default 16), Argon2 passes of PuTTY keys (13).")
    var rounds: Int?

    @Flag(name: .customShort("l"), help: "Print the key's fingerprint.")
    var fingerprint = false

    @Flag(name: .customShort("v"), help: "With -l, draw the fingerprint as randomart too.")
    var visual = false

    @Option(name: .customShort("E"), help: "Fingerprint hash: sha256 (default) or md5.")
    var fingerprintHash: String = "sha256"

    @Flag(name: .customShort("y"), help: "Print the public key of a private key file.")
    var printPublic = false

    @Option(name: .customShort("Y"), help: "Signatures: sign or verify (see the usage above).")
    var signatureOperation: String?

    @Flag(name: .customShort("p"), help: "Change the passphrase of a private key file (-P old, -N new).")
    var changePassphrase = false

    @Flag(name: .customShort("c"), help: "Change the comment of a private key file (-C new).")
    var changeComment = false

    @Flag(name: .customShort("e"), help: "Export a public key (RFC4716 by default; -m PKCS8 for PEM).")
    var export = false

    @Flag(name: .customShort("i"), help: "Import a public key in RFC 4716 or PEM form as an OpenSSH line.")
    var importKey = false

    @Option(name: .customShort("s"), help: "Sign public keys with this CA private key.")
    var certificateAuthority: String?

    @Option(name: .customShort("I"), help: "Certificate key identity.")
    var identity: String?

    @Option(name: .customShort("n"), help: "Certificate principals, comma-separated.")
    var principals: String?

    @Option(name: .customShort("V"), help: "Certificate validity, e.g. +52w, always:forever, 20250101:20260101.")
    var validity: String?

    @Option(name: .customShort("z"), help: "Certificate serial number.")
    var serial: UInt64 = 0

    @Flag(name: .customShort("h"), help: "Make a host certificate.")
    var hostCertificate = false

    @Option(name: .customShort("O"), help: "Certificate option: force-command=CMD, source-address=LIST, no-pty, ...")
    var certificateOptions: [String] = []

    @Argument(help: "Public keys to certify (with -s) or files to sign (with -Y sign).")
    var publicKeyFiles: [String] = []

    mutating func run() throws {
        do {
            if let signatureOperation {
                try runSignatureOperation(signatureOperation)
            } else if fingerprint {
                try printFingerprint()
            } else if changePassphrase || changeComment {
                try rewrite()
            } else if printPublic {
                try printPublicKey()
            } else if export {
                try exportPublicKey()
            } else if importKey {
                try importPublicKey()
            } else if let certificateAuthority {
                try certify(with: certificateAuthority)
            } else {
                try generate()
            }
        } catch let error as KeyFileError {
            throw KeygenFailure(message: describe(error))
        } catch let error as CryptoError {
            throw KeygenFailure(message: error.detail)
        }
    }

    private func requireFile() throws -> String {
        guard let file else { throw KeygenFailure(message: "-f FILE is required") }
        return file
    }

    private func describe(_ error: KeyFileError) -> String {
        switch error.code {
        case .passphraseRequired: "\(file ?? "key") is encrypted: give its passphrase with -P"
        case .wrongPassphrase: "incorrect passphrase supplied to decrypt \(file ?? "the key")"
        default: error.detail
        }
    }

    private func generate() throws {
        let file = try requireFile()
        let keyType = try Self.keyType(type ?? "ed25519", bits: bits)
        let sizeBits = keyType == .rsa ? bits : nil
        var key = try SSHPrivateKey.generate(keyType, bits: sizeBits)
        key.comment = comment ?? Self.defaultComment()
        let fileFormat = try Self.privateKeyFormat(format ?? "openssh")
        try write(key, to: file, format: fileFormat, passphrase: newPassphrase)
        let publicLine = key.publicKey.openSSHLine + (key.comment.isEmpty ? "" : " " + key.comment) + "\n"
        try Data(publicLine.utf8).write(to: URL(fileURLWithPath: file + ".pub"))
        print("Your identification has been saved in \(file)")
        print("Your public key has been saved in \(file).pub")
        print("The key fingerprint is:")
        print("\(key.publicKey.fingerprint()) \(key.comment)")
    }

    private func printFingerprint() throws {
        let file = try requireFile()
        let digest: DigestAlgorithm
        switch fingerprintHash.lowercased() {
        case "sha256": digest = .sha256
        case "md5": digest = .md5
        default: throw KeygenFailure(message: "unsupported fingerprint hash \(fingerprintHash)")
        }
        // A file of key lines (authorized_keys, a .pub file) lists every key, as ssh-keygen -l does.
        let text = try String(contentsOfFile: file, encoding: .utf8)
        if !text.contains("-----BEGIN"), !text.contains("---- BEGIN") {
            let (entries, _) = AuthorizedKey.entries(in: text)
            if !entries.isEmpty {
                for entry in entries {
                    print(entry.key.fingerprintLine(comment: entry.comment, digest: digest))
                    if visual { print(entry.key.randomArt(digest)) }
                }
                return
            }
        }
        let (key, comment) = try Self.loadPublicKey(file, passphrase: passphrase)
        print(key.fingerprintLine(comment: comment, digest: digest))
        if visual { print(key.randomArt(digest)) }
    }

    /// `-p` and `-c`: rewrite a private key with a new passphrase or comment, in its own format.
    private func rewrite() throws {
        let file = try requireFile()
        let text = try String(contentsOfFile: file, encoding: .utf8)
        var key = try SSHPrivateKey(fileContents: text, passphrase: passphrase)
        if changeComment {
            guard let comment else { throw KeygenFailure(message: "-c needs the new comment as -C") }
            key.comment = comment
        }
        let newPassphrase = changePassphrase ? newPassphrase : (passphrase ?? "")
        // The file keeps its own format unless -m names another, as ssh-keygen -p -m converts.
        let fileFormat: PrivateKeyFileFormat =
            if let format { try Self.privateKeyFormat(format) } else { Self.privateKeyFormat(of: text) }
        try write(key, to: file, format: fileFormat, passphrase: newPassphrase)
        if changeComment, FileManager.default.fileExists(atPath: file + ".pub") {
            let line = key.publicKey.openSSHLine + (key.comment.isEmpty ? "" : " " + key.comment) + "\n"
            try Data(line.utf8).write(to: URL(fileURLWithPath: file + ".pub"))
        }
        print(changePassphrase ? "Your identification has been saved with the new passphrase." : "Comment changed.")
    }

    /// Writes `key` in `format`; -Z and -a set the OpenSSH cipher and rounds, -a the PuTTY Argon2 passes.
    private func write(_ key: SSHPrivateKey, to file: String, format: PrivateKeyFileFormat, passphrase: String) throws {
        switch format {
        case .putty, .puttyVersion2:
            var parameters: PuTTYKeyFileParameters = format == .putty ? .default : .version2
            if let rounds { parameters.passes = rounds }
            try key.write(to: file, puttyParameters: parameters, passphrase: passphrase)
        case .openSSH, .pkcs8, .pem:
            try key.write(to: file, format: format, passphrase: passphrase, cipher: cipher, rounds: rounds ?? 16)
        }
    }

    private func printPublicKey() throws {
        let file = try requireFile()
        let key = try SSHPrivateKey(path: file, passphrase: passphrase)
        print(key.publicKey.openSSHLine + (key.comment.isEmpty ? "" : " " + key.comment))
    }

    private func exportPublicKey() throws {
        let (key, comment) = try Self.loadPublicKey(try requireFile(), passphrase: passphrase)
        let exportFormat: PublicKeyFileFormat
        switch (format ?? "rfc4716").lowercased() {
        case "openssh", "rfc4716": exportFormat = .rfc4716
        case "pkcs8", "pem": exportFormat = .pkcs8
        default: throw KeygenFailure(message: "unknown export format \(format ?? ""): use RFC4716 or PKCS8")
        }
        let label = comment.isEmpty ? "\(key.bits)-bit \(key.typeLabel)" : comment
        print(try key.fileContents(format: exportFormat, comment: label), terminator: "")
    }

    private func importPublicKey() throws {
        let text = try String(contentsOfFile: try requireFile(), encoding: .utf8)
        let (key, _) = try SSHPublicKey.parse(fileContents: text)
        print(key.openSSHLine)
    }

    private func certify(with authorityPath: String) throws {
        guard let identity else { throw KeygenFailure(message: "-I identity is required with -s") }
        guard !publicKeyFiles.isEmpty else { throw KeygenFailure(message: "name the public keys to certify") }
        let authority = try SSHPrivateKey(path: authorityPath, passphrase: passphrase)
        var request = SSHCertificateRequest(
            kind: hostCertificate ? .host : .user, keyID: identity,
            principals: principals.map { $0.split(separator: ",").map(String.init) } ?? [])
        request.serial = serial
        if let validity {
            let interval = try CertificateValidity.parse(validity, now: Date())
            request.validAfter = interval.after
            request.validBefore = interval.before
        }
        for option in certificateOptions {
            try CertificateValidity.apply(option: option, to: &request)
        }
        for path in publicKeyFiles {
            let (key, keyComment) = try SSHPublicKey.parse(openSSHLine: String(contentsOfFile: path, encoding: .utf8))
            let certificate = try authority.certify(key, request)
            let base = path.hasSuffix(".pub") ? String(path.dropLast(4)) : path
            let output = base + "-cert.pub"
            let line = certificate.openSSHLine + (keyComment.isEmpty ? "" : " " + keyComment) + "\n"
            try Data(line.utf8).write(to: URL(fileURLWithPath: output))
            print("Signed \(hostCertificate ? "host" : "user") key \(output): id \"\(identity)\" serial \(serial)")
        }
    }

    /// The public key and comment of a `.pub` line, a private key file (its `.pub` beside it first),
    /// or a certificate.
    static func loadPublicKey(_ path: String, passphrase: String?) throws -> (SSHPublicKey, String) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        if let line = text.split(whereSeparator: \.isNewline).first, !line.hasPrefix("-----"),
            let parsed = try? SSHPublicKey.parse(openSSHLine: String(line))
        {
            return parsed
        }
        if let pub = try? String(contentsOfFile: path + ".pub", encoding: .utf8),
            let parsed = try? SSHPublicKey.parse(openSSHLine: pub)
        {
            return parsed
        }
        let loaded = Result { () throws(KeyFileError) in try SSHPrivateKey(fileContents: text, passphrase: passphrase) }
        switch loaded {
        case .success(let key):
            return (key.publicKey, key.comment)
        case .failure(let error):
            guard error.code == .passphraseRequired, let clear = try SSHPublicKey.fromPrivateKeyFile(text) else {
                throw error
            }
            return clear
        }
    }

    static func keyType(_ name: String, bits: Int?) throws -> SSHKeyType {
        switch name.lowercased() {
        case "ed25519": return .ed25519
        case "rsa": return .rsa
        case "dsa": return .dsa
        case "ecdsa":
            switch bits ?? 256 {
            case 256: return .ecdsaP256
            case 384: return .ecdsaP384
            case 521: return .ecdsaP521
            default: throw KeygenFailure(message: "ECDSA keys are 256, 384 or 521 bits")
            }
        default:
            throw KeygenFailure(message: "unknown key type \(name): use ed25519, ecdsa, rsa or dsa")
        }
    }

    static func privateKeyFormat(_ name: String) throws -> PrivateKeyFileFormat {
        guard let format = PrivateKeyFileFormat(argument: name) else {
            throw KeygenFailure(message: "unknown key format \(name): use openssh, pkcs8, pem, PuTTY or PuTTY2")
        }
        return format
    }

    /// The format a private key file is written in, so that -p and -c keep it.
    static func privateKeyFormat(of text: String) -> PrivateKeyFileFormat {
        let start = text.drop(while: \.isWhitespace)
        if start.hasPrefix("PuTTY-User-Key-File-2:") { return .puttyVersion2 }
        if start.hasPrefix("PuTTY-User-Key-File-") { return .putty }
        if text.contains("BEGIN OPENSSH PRIVATE KEY") { return .openSSH }
        if text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")
            || text.contains("BEGIN DSA PRIVATE KEY")
        {
            return .pem
        }
        return .pkcs8
    }

    static func defaultComment() -> String {
        let user = ProcessInfo.processInfo.environment["USER"] ?? "user"
        return "\(user)@\(ProcessInfo.processInfo.hostName)"
    }
}

/// A keygen failure: printed to standard error, exit status 1.
struct KeygenFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension PrivateKeyFileFormat {
    init?(argument: String) {
        switch argument.lowercased() {
        case "openssh", "rfc4716": self = .openSSH
        case "pkcs8": self = .pkcs8
        case "pem": self = .pem
        case "putty", "ppk", "putty3", "ppk3": self = .putty
        case "putty2", "ppk2": self = .puttyVersion2
        default: return nil
        }
    }
}
