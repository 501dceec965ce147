import NIOCore
import SSHWire

/// One entry of `SSH_FXP_NAME` (draft-ietf-secsh-filexfer-02 §7): a name, its `ls -l` line and its attributes.
public struct SFTPNameEntry: Hashable, Sendable {
    /// The file name: a single component from READDIR, an absolute path from REALPATH.
    public var filename: String
    /// The `ls -l`-style line the server made up for display; never parse it (§7).
    public var longname: String
    /// The attributes, possibly empty.
    public var attributes: SFTPAttributes

    /// Creates an entry.
    public init(filename: String, longname: String = "", attributes: SFTPAttributes = .none) {
        self.filename = filename
        self.longname = longname
        self.attributes = attributes
    }

    /// Two strings and an ATTRS flags word.
    static let minimumEncodedLength = 12

    init(decoding buffer: inout ByteBuffer) throws(WireError) {
        filename = try buffer.readSSHUTF8String()
        longname = try buffer.readSSHUTF8String()
        attributes = try SFTPAttributes(decoding: &buffer)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHString(filename)
        buffer.writeSSHString(longname)
        attributes.encode(into: &buffer)
    }
}
