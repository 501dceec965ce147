import NIOCore
import SSHWire

/// A name and its data: an extension announced in INIT or VERSION (draft-ietf-secsh-filexfer-02 §4) or
/// an extended attribute of ATTRS (§5).
public struct SFTPExtensionPair: Hashable, Sendable {
    /// The name, `name@domain` unless registered with IANA.
    public var name: String
    /// The data, whose format the extension defines (OpenSSH sends a version number such as `"1"`).
    public var data: ByteBuffer

    /// Creates a pair from raw data.
    public init(name: String, data: ByteBuffer) {
        self.name = name
        self.data = data
    }

    /// Creates a pair whose data is text, such as an OpenSSH extension's version (PROTOCOL §4).
    public init(name: String, text: String) {
        self.init(name: name, data: ByteBuffer(string: text))
    }

    /// The data as text, if it is UTF-8.
    public var text: String? { String(validating: data.readableBytesView, as: UTF8.self) }

    init(decoding buffer: inout ByteBuffer) throws(WireError) {
        name = try buffer.readSSHUTF8String()
        data = try buffer.readSSHString()
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHString(name)
        buffer.writeSSHString(data)
    }
}
