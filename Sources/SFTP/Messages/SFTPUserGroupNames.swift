import NIOCore
import SSHWire

/// The reply to `users-groups-by-id@openssh.com` (OpenSSH PROTOCOL §4.12): one name per requested id, in
/// order, empty where the id is unknown.
public struct SFTPUserGroupNames: Hashable, Sendable {
    /// User names, one per uid asked for.
    public var userNames: [String]
    /// Group names, one per gid asked for.
    public var groupNames: [String]

    /// Creates the names.
    public init(userNames: [String], groupNames: [String]) {
        self.userNames = userNames
        self.groupNames = groupNames
    }

    /// Decodes the data of an EXTENDED_REPLY: two strings, each packed with strings. Consumes it exactly.
    public init(decoding reply: ByteBuffer) throws(WireError) {
        var buffer = reply
        userNames = try Self.readNames(&buffer)
        groupNames = try Self.readNames(&buffer)
        try buffer.expectSSHEnd(of: "users-groups-by-id@openssh.com reply")
    }

    /// The data of an EXTENDED_REPLY.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        for names in [userNames, groupNames] {
            buffer.writeSSHString { packed in for name in names { packed.writeSSHString(name) } }
        }
        return buffer
    }

    private static func readNames(_ buffer: inout ByteBuffer) throws(WireError) -> [String] {
        var packed = try buffer.readSSHString()
        var names: [String] = []
        while packed.readableBytes > 0 { names.append(try packed.readSSHUTF8String()) }
        return names
    }
}
