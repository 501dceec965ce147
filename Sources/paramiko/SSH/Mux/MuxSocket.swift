import Foundation
import NIOCore
import SSHClient

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One end of a control socket (ssh_config ControlPath): a blocking Unix-domain stream socket that
/// carries length-prefixed ``MuxMessage``s and, beside them, descriptors as `SCM_RIGHTS` with one
/// byte of data each, as OpenSSH's `mm_send_fd` sends them.
final class MuxSocket: @unchecked Sendable {
    let descriptor: Int32

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Connects to the control socket at `path`; throws with the errno when nothing listens there.
    static func open(_ path: String) throws(MuxConnectError) -> MuxSocket {
        var address = try address(path)
        let socket = systemSocket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw MuxConnectError(code: errno) }
        let status = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                systemConnect(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard status == 0 else {
            let code = errno
            close(socket)
            throw MuxConnectError(code: code)
        }
        return MuxSocket(descriptor: socket)
    }

    /// A `sockaddr_un` for `path`; throws ENAMETOOLONG when it does not fit.
    static func address(_ path: String) throws(MuxConnectError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw MuxConnectError(code: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    /// Writes one message with its length.
    func post(_ message: MuxMessage) throws(MuxError) {
        let body = message.encoded()
        var framed = ByteBuffer()
        framed.writeInteger(UInt32(body.readableBytes))
        framed.writeImmutableBuffer(body)
        try writeAll(Array(framed.readableBytesView))
    }

    /// Reads the next message; nil when the peer closed the socket between messages.
    func next() throws(MuxError) -> MuxMessage? {
        guard let header = try readExactly(4, endOK: true) else { return nil }
        let length = Int(header.withUnsafeBytes { $0.load(as: UInt32.self).bigEndian })
        guard length >= 4, length <= MuxMessage.maximumLength else {
            throw MuxError("mux message of \(length) bytes")
        }
        guard let body = try readExactly(length, endOK: false) else { throw MuxError("mux connection closed") }
        return try MuxMessage.decode(ByteBuffer(bytes: body))
    }

    /// Passes `passed` as an `SCM_RIGHTS` message with one byte of data.
    func pass(descriptor passed: Int32) throws(MuxError) {
        let sent = withOneByteMessage { message, control in
            let header = control.assumingMemoryBound(to: cmsghdr.self)
            header.pointee.cmsg_len = Self.controlLength
            header.pointee.cmsg_level = SOL_SOCKET
            header.pointee.cmsg_type = Int32(SCM_RIGHTS)
            (control + Self.headerSpace).storeBytes(of: passed, as: Int32.self)
            return sendmsg(descriptor, &message, Int32(MSG_NOSIGNAL))
        }
        guard sent == 1 else { throw MuxError("sendmsg: \(String(cString: strerror(errno)))") }
    }

    /// Takes one descriptor passed with ``pass(descriptor:)``; it closes on exec.
    func takeDescriptor() throws(MuxError) -> Int32 {
        var taken: Int32?
        let received = withOneByteMessage { message, control in
            let result = recvmsg(descriptor, &message, Int32(MSG_CMSG_CLOEXEC))
            let header = control.assumingMemoryBound(to: cmsghdr.self)
            if result == 1, Int(message.msg_controllen) >= Self.controlLength, header.pointee.cmsg_level == SOL_SOCKET,
                header.pointee.cmsg_type == Int32(SCM_RIGHTS), header.pointee.cmsg_len == Self.controlLength
            {
                taken = (control + Self.headerSpace).load(as: Int32.self)
            }
            return result
        }
        guard received == 1 else {
            throw MuxError(received == 0 ? "mux connection closed" : "recvmsg: \(String(cString: strerror(errno)))")
        }
        guard let taken else { throw MuxError("expected a file descriptor") }
        return taken
    }

    /// Calls `transfer` (sendmsg or recvmsg) with a message of one byte of data and room for one
    /// descriptor's control message, zeroed, again while it is interrupted.
    private func withOneByteMessage(
        _ transfer: (inout msghdr, UnsafeMutableRawPointer) -> Int
    ) -> Int {
        let space = Self.controlSpace
        let control = UnsafeMutableRawPointer.allocate(byteCount: space, alignment: MemoryLayout<Int>.alignment)
        defer { control.deallocate() }
        var byte: UInt8 = 0
        return withUnsafeMutablePointer(to: &byte) { bytePointer in
            var vector = iovec(iov_base: UnsafeMutableRawPointer(bytePointer), iov_len: 1)
            return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                while true {
                    control.initializeMemory(as: UInt8.self, repeating: 0, count: space)
                    var message = msghdr()
                    message.msg_iov = vectorPointer
                    message.msg_iovlen = 1
                    message.msg_control = control
                    message.msg_controllen = space
                    let result = transfer(&message, control)
                    if result >= 0 || errno != EINTR { return result }
                }
            }
        }
    }

    /// Ends reading, which wakes a thread blocked reading this socket; writing goes on.
    func shutdownReading() {
        _ = systemShutdown(descriptor, Int32(SHUT_RD))
    }

    /// Stops both directions, which wakes a thread blocked reading this socket.
    func shutdown() {
        _ = systemShutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// `CMSG_ALIGN(sizeof(struct cmsghdr))`.
    private static let headerSpace = (MemoryLayout<cmsghdr>.size + MemoryLayout<Int>.size - 1) & ~(MemoryLayout<Int>.size - 1)
    /// `CMSG_LEN(sizeof(int))`.
    private static let controlLength = headerSpace + MemoryLayout<Int32>.size
    /// `CMSG_SPACE(sizeof(int))`.
    private static let controlSpace = headerSpace + ((MemoryLayout<Int32>.size + MemoryLayout<Int>.size - 1) & ~(MemoryLayout<Int>.size - 1))

    private func writeAll(_ bytes: [UInt8]) throws(MuxError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { raw in
                systemSend(descriptor, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw MuxError("write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Reads exactly `count` bytes; nil at end of stream before the first byte when `endOK`.
    private func readExactly(_ count: Int, endOK: Bool) throws(MuxError) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = bytes[offset...].withUnsafeMutableBytes { raw in
                systemRead(descriptor, raw.baseAddress, raw.count)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw MuxError("read: \(String(cString: strerror(errno)))")
            }
            if got == 0 {
                if offset == 0 && endOK { return nil }
                throw MuxError("mux connection closed")
            }
            offset += got
        }
        return bytes
    }
}

/// A control socket that could not be reached or made, with its errno.
struct MuxConnectError: Error {
    let code: Int32

    /// strerror's words for the errno.
    var text: String { String(cString: strerror(code)) }
}

// The C library's calls, named apart from MuxSocket's methods.
private func systemSocket(_ domain: Int32, _ type: Int32, _ proto: Int32) -> Int32 { socket(domain, type, proto) }
private func systemConnect(_ socket: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(socket, address, length)
}
private func systemShutdown(_ socket: Int32, _ how: Int32) -> Int32 { shutdown(socket, how) }
private func systemSend(_ socket: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    send(socket, bytes, count, flags)
}
private func systemRead(_ descriptor: Int32, _ bytes: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, bytes, count)
}
