import NIOCore

/// `SSH_MSG_KEXINIT` (RFC 4253 §7.1): each side's algorithm lists, in order of preference.
///
/// The exchange hash covers the payload exactly as sent (RFC 4253 §8), so the transport keeps the
/// raw payload beside this value.
public struct KexInitMessage: SSHMessage {
    public static let messageNumber: UInt8 = 20

    public var cookie: KexInitCookie
    public var kexAlgorithms: [String]
    public var serverHostKeyAlgorithms: [String]
    public var encryptionAlgorithmsClientToServer: [String]
    public var encryptionAlgorithmsServerToClient: [String]
    public var macAlgorithmsClientToServer: [String]
    public var macAlgorithmsServerToClient: [String]
    public var compressionAlgorithmsClientToServer: [String]
    public var compressionAlgorithmsServerToClient: [String]
    public var languagesClientToServer: [String]
    public var languagesServerToClient: [String]
    /// Whether a guessed key exchange packet follows (RFC 4253 §7.1).
    public var firstKexPacketFollows: Bool
    /// Reserved for future extension; 0 when sent.
    public var reserved: UInt32

    public init(
        cookie: KexInitCookie,
        kexAlgorithms: [String],
        serverHostKeyAlgorithms: [String],
        encryptionAlgorithmsClientToServer: [String],
        encryptionAlgorithmsServerToClient: [String],
        macAlgorithmsClientToServer: [String],
        macAlgorithmsServerToClient: [String],
        compressionAlgorithmsClientToServer: [String],
        compressionAlgorithmsServerToClient: [String],
        languagesClientToServer: [String] = [],
        languagesServerToClient: [String] = [],
        firstKexPacketFollows: Bool = false,
        reserved: UInt32 = 0
    ) {
        self.cookie = cookie
        self.kexAlgorithms = kexAlgorithms
        self.serverHostKeyAlgorithms = serverHostKeyAlgorithms
        self.encryptionAlgorithmsClientToServer = encryptionAlgorithmsClientToServer
        self.encryptionAlgorithmsServerToClient = encryptionAlgorithmsServerToClient
        self.macAlgorithmsClientToServer = macAlgorithmsClientToServer
        self.macAlgorithmsServerToClient = macAlgorithmsServerToClient
        self.compressionAlgorithmsClientToServer = compressionAlgorithmsClientToServer
        self.compressionAlgorithmsServerToClient = compressionAlgorithmsServerToClient
        self.languagesClientToServer = languagesClientToServer
        self.languagesServerToClient = languagesServerToClient
        self.firstKexPacketFollows = firstKexPacketFollows
        self.reserved = reserved
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        guard let high = payload.readInteger(as: UInt64.self), let low = payload.readInteger(as: UInt64.self) else {
            throw WireError(.truncated, "KEXINIT: cookie")
        }
        cookie = KexInitCookie(high: high, low: low)
        kexAlgorithms = try payload.readSSHNameList()
        serverHostKeyAlgorithms = try payload.readSSHNameList()
        encryptionAlgorithmsClientToServer = try payload.readSSHNameList()
        encryptionAlgorithmsServerToClient = try payload.readSSHNameList()
        macAlgorithmsClientToServer = try payload.readSSHNameList()
        macAlgorithmsServerToClient = try payload.readSSHNameList()
        compressionAlgorithmsClientToServer = try payload.readSSHNameList()
        compressionAlgorithmsServerToClient = try payload.readSSHNameList()
        languagesClientToServer = try payload.readSSHNameList()
        languagesServerToClient = try payload.readSSHNameList()
        firstKexPacketFollows = try payload.readSSHBoolean()
        reserved = try payload.readSSHUInt32()
        try payload.expectSSHEnd(of: "KEXINIT")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        cookie.write(into: &buffer)
        buffer.writeSSHNameList(kexAlgorithms)
        buffer.writeSSHNameList(serverHostKeyAlgorithms)
        buffer.writeSSHNameList(encryptionAlgorithmsClientToServer)
        buffer.writeSSHNameList(encryptionAlgorithmsServerToClient)
        buffer.writeSSHNameList(macAlgorithmsClientToServer)
        buffer.writeSSHNameList(macAlgorithmsServerToClient)
        buffer.writeSSHNameList(compressionAlgorithmsClientToServer)
        buffer.writeSSHNameList(compressionAlgorithmsServerToClient)
        buffer.writeSSHNameList(languagesClientToServer)
        buffer.writeSSHNameList(languagesServerToClient)
        buffer.writeSSHBoolean(firstKexPacketFollows)
        buffer.writeSSHUInt32(reserved)
    }
}
