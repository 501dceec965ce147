import NIOCore

/// The method-specific part of `SSH_MSG_USERAUTH_REQUEST` (RFC 4252 §5), one case per method.
public enum UserAuthMethod: Hashable, Sendable {
    /// `none` (RFC 4252 §5.2): asks which methods may continue.
    case none
    /// `password` (RFC 4252 §8), with a new password when changing it.
    case password(Password)
    /// `publickey` (RFC 4252 §7): a query without signature, or a signed attempt.
    case publicKey(PublicKey)
    /// `hostbased` (RFC 4252 §9).
    case hostBased(HostBased)
    /// `keyboard-interactive` (RFC 4256 §3.1).
    case keyboardInteractive(languageTag: String, submethods: String)
    /// `gssapi-with-mic` (RFC 4462 §3.2): the mechanism OIDs, DER-encoded, that the client supports.
    case gssapiWithMIC(mechanisms: [ByteBuffer])
    /// `gssapi-keyex` (RFC 4462 §4): the MIC over the session, from a GSS-API key exchange.
    case gssapiKeyex(mic: ByteBuffer)
    /// A method this codec does not know: its name and the bytes after it.
    case unknown(name: String, data: ByteBuffer)

    /// `password` fields (RFC 4252 §8).
    public struct Password: Hashable, Sendable {
        /// The password (UTF-8).
        public var password: String
        /// The new password, when answering `SSH_MSG_USERAUTH_PASSWD_CHANGEREQ`.
        public var newPassword: String?

        public init(password: String, newPassword: String? = nil) {
            self.password = password
            self.newPassword = newPassword
        }
    }

    /// `publickey` fields (RFC 4252 §7).
    public struct PublicKey: Hashable, Sendable {
        /// The public key algorithm name, e.g. `rsa-sha2-256` (RFC 8332).
        public var algorithm: String
        /// The public key blob, which may be a certificate.
        public var publicKey: ByteBuffer
        /// The signature, absent when the client only asks whether the key is acceptable.
        public var signature: ByteBuffer?

        public init(algorithm: String, publicKey: ByteBuffer, signature: ByteBuffer? = nil) {
            self.algorithm = algorithm
            self.publicKey = publicKey
            self.signature = signature
        }
    }

    /// `hostbased` fields (RFC 4252 §9).
    public struct HostBased: Hashable, Sendable {
        /// The public key algorithm for the host key.
        public var algorithm: String
        /// The client host's public key blob (may be a certificate).
        public var publicKey: ByteBuffer
        /// The client's host name in FQDN form, US-ASCII.
        public var clientHostName: String
        /// The user name on the client host (UTF-8).
        public var clientUserName: String
        /// The signature over the data of RFC 4252 §9.
        public var signature: ByteBuffer

        public init(
            algorithm: String, publicKey: ByteBuffer, clientHostName: String, clientUserName: String,
            signature: ByteBuffer
        ) {
            self.algorithm = algorithm
            self.publicKey = publicKey
            self.clientHostName = clientHostName
            self.clientUserName = clientUserName
            self.signature = signature
        }
    }

    /// The method name as sent, e.g. `publickey`.
    public var name: String {
        switch self {
        case .none: "none"
        case .password: "password"
        case .publicKey: "publickey"
        case .hostBased: "hostbased"
        case .keyboardInteractive: "keyboard-interactive"
        case .gssapiWithMIC: "gssapi-with-mic"
        case .gssapiKeyex: "gssapi-keyex"
        case .unknown(let name, _): name
        }
    }

    /// Decodes the fields of method `name`, consuming `payload` exactly.
    static func decode(name: String, from payload: inout ByteBuffer) throws(WireError) -> Self {
        let method: Self
        switch name {
        case "none":
            method = .none
        case "password":
            let changing = try payload.readSSHBoolean()
            let password = try payload.readSSHUTF8String()
            method = .password(
                Password(password: password, newPassword: changing ? try payload.readSSHUTF8String() : nil))
        case "publickey":
            let signed = try payload.readSSHBoolean()
            let algorithm = try payload.readSSHUTF8String()
            let key = try payload.readSSHString()
            method = .publicKey(
                PublicKey(algorithm: algorithm, publicKey: key, signature: signed ? try payload.readSSHString() : nil))
        case "hostbased":
            let algorithm = try payload.readSSHUTF8String()
            let key = try payload.readSSHString()
            let host = try payload.readSSHUTF8String()
            let user = try payload.readSSHUTF8String()
            method = .hostBased(
                HostBased(
                    algorithm: algorithm, publicKey: key, clientHostName: host, clientUserName: user,
                    signature: try payload.readSSHString()))
        case "keyboard-interactive":
            let language = try payload.readSSHUTF8String()
            method = .keyboardInteractive(languageTag: language, submethods: try payload.readSSHUTF8String())
        case "gssapi-with-mic":
            let count = try payload.readSSHCount(minimumElementSize: 4, of: "gssapi-with-mic mechanisms")
            var mechanisms: [ByteBuffer] = []
            mechanisms.reserveCapacity(count)
            for _ in 0..<count { mechanisms.append(try payload.readSSHString()) }
            method = .gssapiWithMIC(mechanisms: mechanisms)
        case "gssapi-keyex":
            method = .gssapiKeyex(mic: try payload.readSSHString())
        default:
            return .unknown(name: name, data: payload.readSSHRemainingBytes())
        }
        try payload.expectSSHEnd(of: "USERAUTH_REQUEST \(name)")
        return method
    }

    /// Writes the method name and its fields.
    func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHString(name)
        switch self {
        case .none:
            break
        case .password(let fields):
            buffer.writeSSHBoolean(fields.newPassword != nil)
            buffer.writeSSHString(fields.password)
            if let newPassword = fields.newPassword { buffer.writeSSHString(newPassword) }
        case .publicKey(let fields):
            buffer.writeSSHBoolean(fields.signature != nil)
            buffer.writeSSHString(fields.algorithm)
            buffer.writeSSHString(fields.publicKey)
            if let signature = fields.signature { buffer.writeSSHString(signature) }
        case .hostBased(let fields):
            fields.writeSignedFields(into: &buffer)
            buffer.writeSSHString(fields.signature)
        case .keyboardInteractive(let language, let submethods):
            buffer.writeSSHString(language)
            buffer.writeSSHString(submethods)
        case .gssapiWithMIC(let mechanisms):
            buffer.writeSSHUInt32(UInt32(truncatingIfNeeded: mechanisms.count))
            for mechanism in mechanisms { buffer.writeSSHString(mechanism) }
        case .gssapiKeyex(let mic):
            buffer.writeSSHString(mic)
        case .unknown(_, let data):
            buffer.writeImmutableBuffer(data)
        }
    }
}

extension UserAuthMethod.HostBased {
    /// The fields after the method name that the hostbased signature covers (RFC 4252 §9).
    func writeSignedFields(into buffer: inout ByteBuffer) {
        buffer.writeSSHString(algorithm)
        buffer.writeSSHString(publicKey)
        buffer.writeSSHString(clientHostName)
        buffer.writeSSHString(clientUserName)
    }
}
