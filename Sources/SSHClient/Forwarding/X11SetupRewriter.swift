import NIOCore
import SSHConnection
import SSHCrypto

/// The X client's connection setup (X Window System Protocol, "Connection Setup"), checked and
/// changed before it reaches the display: byte order, protocol version, then the authorization
/// protocol name and data, each padded to four bytes. The data must be the fake cookie the server
/// was given; it leaves as the real one. Anything else refuses the connection, as ssh does.
struct X11SetupRewriter: ChannelPrefixFilter {
    /// Why a connection was refused.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    let protocolName: [UInt8]
    let fake: [UInt8]
    let real: [UInt8]
    private var buffer = ByteBuffer()

    init(protocolName: [UInt8], fake: [UInt8], real: [UInt8]) {
        self.protocolName = protocolName
        self.fake = fake
        self.real = real
    }

    mutating func take(_ data: ByteBuffer) throws -> ByteBuffer? {
        var data = data
        buffer.writeBuffer(&data)
        guard buffer.readableBytes >= 12 else { return nil }
        let start = buffer.readerIndex
        let endianness: Endianness
        switch buffer.getInteger(at: start, as: UInt8.self) {
        case UInt8(ascii: "B"): endianness = .big
        case UInt8(ascii: "l"): endianness = .little
        default: throw Refusal(description: "Initial X11 packet contains bad byte order byte.")
        }
        let nameLength = Int(buffer.getInteger(at: start + 6, endianness: endianness, as: UInt16.self) ?? 0)
        let dataLength = Int(buffer.getInteger(at: start + 8, endianness: endianness, as: UInt16.self) ?? 0)
        let paddedName = (nameLength + 3) & ~3
        guard buffer.readableBytes >= 12 + paddedName + ((dataLength + 3) & ~3) else { return nil }
        let name = buffer.getBytes(at: start + 12, length: nameLength) ?? []
        let cookie = buffer.getBytes(at: start + 12 + paddedName, length: dataLength) ?? []
        guard name == protocolName else {
            throw Refusal(description: "X11 connection uses different authentication protocol.")
        }
        guard cookie.count == fake.count, ConstantTime.equals(cookie, fake), real.count == fake.count else {
            throw Refusal(description: "X11 auth data does not match fake data.")
        }
        buffer.setBytes(real, at: start + 12 + paddedName)
        defer { buffer = ByteBuffer() }
        return buffer
    }
}
