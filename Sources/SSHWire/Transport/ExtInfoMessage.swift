import NIOCore

/// `SSH_MSG_EXT_INFO` (RFC 8308 §2.3): extension names and values sent after NEWKEYS.
public struct ExtInfoMessage: SSHMessage {
    public static let messageNumber: UInt8 = 7

    /// One extension: a name and its value, whose format the extension defines.
    public struct Extension: Hashable, Sendable {
        public var name: String
        public var value: ByteBuffer

        public init(name: String, value: ByteBuffer) {
            self.name = name
            self.value = value
        }

        /// An extension whose value is a name-list, such as `server-sig-algs` (RFC 8308 §3.1).
        public init(name: String, nameList: [String]) {
            var value = ByteBuffer()
            value.writeString(nameList.joined(separator: ","))
            self.init(name: name, value: value)
        }
    }

    /// The extensions, in wire order.
    public var extensions: [Extension]

    public init(extensions: [Extension]) { self.extensions = extensions }

    /// The value of the first extension called `name`.
    public func value(named name: String) -> ByteBuffer? {
        extensions.first(where: { $0.name == name })?.value
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        let count = try payload.readSSHCount(minimumElementSize: 8, of: "EXT_INFO")
        extensions = []
        extensions.reserveCapacity(count)
        for _ in 0..<count {
            let name = try payload.readSSHUTF8String()
            extensions.append(Extension(name: name, value: try payload.readSSHString()))
        }
        try payload.expectSSHEnd(of: "EXT_INFO")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHUInt32(UInt32(truncatingIfNeeded: extensions.count))
        for item in extensions {
            buffer.writeSSHString(item.name)
            buffer.writeSSHString(item.value)
        }
    }
}
