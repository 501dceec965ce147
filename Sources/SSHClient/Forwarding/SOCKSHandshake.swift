import NIOCore

/// The server side of a SOCKS 4, 4a or 5 CONNECT handshake (ssh -D) as a sans-IO machine: feed
/// it what the application sent, send what it answers, until it names the target. SOCKS 5
/// offers only "no authentication" (RFC 1928 §3), as OpenSSH does.
struct SOCKSHandshake {
    /// What to do after the bytes fed so far.
    enum Step: Equatable {
        /// Wait for more bytes.
        case needMore
        /// Send these bytes (the SOCKS 5 method choice) and wait for more.
        case send([UInt8])
        /// Connect to the target; answer with ``reply(success:)``. Bytes after the request stay in the buffer.
        case connect(host: String, port: Int)
        /// The request is malformed or not supported; send the bytes (if any) and close.
        case refuse([UInt8], reason: String)
    }

    private enum State { case start, socks5Request, done }
    private var state = State.start
    private(set) var version: UInt8 = 0

    /// Reads what it can from `buffer`, leaving any bytes after the request in it.
    mutating func feed(_ buffer: inout ByteBuffer) -> Step {
        switch state {
        case .done:
            return .needMore
        case .start:
            guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return .needMore }
            version = first
            switch first {
            case 4: return socks4(&buffer)
            case 5:
                guard buffer.readableBytes >= 2, let count = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self),
                    buffer.readableBytes >= 2 + Int(count)
                else { return .needMore }
                buffer.moveReaderIndex(forwardBy: 2)
                let methods = buffer.readBytes(length: Int(count)) ?? []
                guard methods.contains(0) else {
                    state = .done
                    return .refuse([5, 0xFF], reason: "the SOCKS 5 client offers no method without authentication")
                }
                state = .socks5Request
                return .send([5, 0])
            default:
                state = .done
                return .refuse([], reason: "SOCKS version \(first) is not known")
            }
        case .socks5Request:
            return socks5(&buffer)
        }
    }

    /// The answer once the channel opened or failed.
    func reply(success: Bool) -> [UInt8] {
        if version == 4 { return [0, success ? 0x5A : 0x5B, 0, 0, 0, 0, 0, 0] }
        return [5, success ? 0 : 5, 0, 1, 0, 0, 0, 0, 0, 0]
    }

    /// SOCKS 4: VN CD DSTPORT DSTIP USERID NUL, and for 4a (DSTIP 0.0.0.x) HOST NUL.
    private mutating func socks4(_ buffer: inout ByteBuffer) -> Step {
        let start = buffer.readerIndex
        guard buffer.readableBytes >= 9 else { return .needMore }
        let view = buffer.readableBytesView
        guard let userEnd = view[(start + 8)...].firstIndex(of: 0) else {
            return buffer.readableBytes > 1024 ? refuse4("a SOCKS 4 user name too long") : .needMore
        }
        let command = view[start + 1]
        let port = Int(view[start + 2]) << 8 | Int(view[start + 3])
        let address = Array(view[(start + 4)..<(start + 8)])
        var host = address.map(String.init).joined(separator: ".")
        var end = userEnd + 1
        if address[0] == 0, address[1] == 0, address[2] == 0, address[3] != 0 {
            guard let hostEnd = view[end...].firstIndex(of: 0) else {
                return buffer.readableBytes > 2048 ? refuse4("a SOCKS 4a host name too long") : .needMore
            }
            host = String(decoding: view[end..<hostEnd], as: UTF8.self)
            end = hostEnd + 1
        }
        guard command == 1 else { return refuse4("SOCKS 4 command \(command) is not CONNECT") }
        buffer.moveReaderIndex(to: end)
        state = .done
        return .connect(host: host, port: port)
    }

    private mutating func refuse4(_ reason: String) -> Step {
        state = .done
        return .refuse([0, 0x5B, 0, 0, 0, 0, 0, 0], reason: reason)
    }

    /// SOCKS 5 request: VER CMD RSV ATYP DST.ADDR DST.PORT (RFC 1928 §4).
    private mutating func socks5(_ buffer: inout ByteBuffer) -> Step {
        let start = buffer.readerIndex
        guard buffer.readableBytes >= 5 else { return .needMore }
        let view = buffer.readableBytesView
        let command = view[start + 1]
        let type = view[start + 3]
        let host: String
        var offset = start + 4
        switch type {
        case 1:
            guard buffer.readableBytes >= 10 else { return .needMore }
            host = view[offset..<(offset + 4)].map(String.init).joined(separator: ".")
            offset += 4
        case 3:
            let length = Int(view[offset])
            guard buffer.readableBytes >= 4 + 1 + length + 2 else { return .needMore }
            host = String(decoding: view[(offset + 1)..<(offset + 1 + length)], as: UTF8.self)
            offset += 1 + length
        case 4:
            guard buffer.readableBytes >= 22 else { return .needMore }
            let bytes = Array(view[offset..<(offset + 16)])
            host = stride(from: 0, to: 16, by: 2).map { String(Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]), radix: 16) }
                .joined(separator: ":")
            offset += 16
        default:
            state = .done
            return .refuse([5, 8, 0, 1, 0, 0, 0, 0, 0, 0], reason: "SOCKS 5 address type \(type) is not known")
        }
        let port = Int(view[offset]) << 8 | Int(view[offset + 1])
        buffer.moveReaderIndex(to: offset + 2)
        state = .done
        guard view[start] == 5, command == 1 else {
            return .refuse([5, 7, 0, 1, 0, 0, 0, 0, 0, 0], reason: "SOCKS 5 command \(command) is not CONNECT")
        }
        return .connect(host: host, port: port)
    }
}
