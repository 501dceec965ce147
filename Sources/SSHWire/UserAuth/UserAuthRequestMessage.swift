import NIOCore

/// `SSH_MSG_USERAUTH_REQUEST` (RFC 4252 §5): user, service and a method with its fields.
public struct UserAuthRequestMessage: SSHMessage {
    public static let messageNumber: UInt8 = 50

    /// The user name (ISO-10646 UTF-8).
    public var userName: String
    /// The service to start after authentication, usually `ssh-connection`.
    public var serviceName: String
    /// The method and its fields.
    public var method: UserAuthMethod

    public init(userName: String, serviceName: String, method: UserAuthMethod) {
        self.userName = userName
        self.serviceName = serviceName
        self.method = method
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        userName = try payload.readSSHUTF8String()
        serviceName = try payload.readSSHUTF8String()
        let methodName = try payload.readSSHUTF8String()
        method = try UserAuthMethod.decode(name: methodName, from: &payload)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHString(userName)
        buffer.writeSSHString(serviceName)
        method.encode(into: &buffer)
    }

    /// The bytes a `publickey` or `hostbased` signature covers for this request and `sessionIdentifier`
    /// (RFC 4252 §7 and §9), or nil for other methods.
    public func signedData(sessionIdentifier: ByteBuffer) -> ByteBuffer? {
        switch method {
        case .publicKey(let fields):
            Self.publicKeySignedData(
                sessionIdentifier: sessionIdentifier, userName: userName, serviceName: serviceName,
                algorithm: fields.algorithm, publicKey: fields.publicKey)
        case .hostBased(let fields):
            Self.hostBasedSignedData(
                sessionIdentifier: sessionIdentifier, userName: userName, serviceName: serviceName, fields: fields)
        case .none, .password, .keyboardInteractive, .gssapiWithMIC, .gssapiKeyex, .unknown:
            nil
        }
    }

    /// The data a `publickey` signature covers (RFC 4252 §7): session identifier, byte 50, user, service,
    /// "publickey", TRUE, algorithm and key blob.
    public static func publicKeySignedData(
        sessionIdentifier: ByteBuffer, userName: String, serviceName: String, algorithm: String, publicKey: ByteBuffer
    ) -> ByteBuffer {
        var data = signedDataPrefix(sessionIdentifier: sessionIdentifier, userName: userName, serviceName: serviceName)
        data.writeSSHString("publickey")
        data.writeSSHBoolean(true)
        data.writeSSHString(algorithm)
        data.writeSSHString(publicKey)
        return data
    }

    /// The data a `hostbased` signature covers (RFC 4252 §9): session identifier, byte 50, user, service,
    /// "hostbased", algorithm, host key, client host name and client user name.
    public static func hostBasedSignedData(
        sessionIdentifier: ByteBuffer, userName: String, serviceName: String, fields: UserAuthMethod.HostBased
    ) -> ByteBuffer {
        var data = signedDataPrefix(sessionIdentifier: sessionIdentifier, userName: userName, serviceName: serviceName)
        data.writeSSHString("hostbased")
        fields.writeSignedFields(into: &data)
        return data
    }

    /// The data a `gssapi-with-mic` or `gssapi-keyex` MIC covers (RFC 4462 §3.5, §4): session
    /// identifier, byte 50, user, service and the method's name.
    public static func gssapiMICData(
        sessionIdentifier: ByteBuffer, userName: String, serviceName: String, method: String = "gssapi-with-mic"
    ) -> ByteBuffer {
        var data = signedDataPrefix(sessionIdentifier: sessionIdentifier, userName: userName, serviceName: serviceName)
        data.writeSSHString(method)
        return data
    }

    private static func signedDataPrefix(sessionIdentifier: ByteBuffer, userName: String, serviceName: String)
        -> ByteBuffer
    {
        var data = ByteBuffer()
        data.writeSSHString(sessionIdentifier)
        data.writeSSHByte(messageNumber)
        data.writeSSHString(userName)
        data.writeSSHString(serviceName)
        return data
    }
}
