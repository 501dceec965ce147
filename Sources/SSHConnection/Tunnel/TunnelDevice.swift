import NIOConcurrencyHelpers
import NIOCore
import SSHWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The C library's calls, by names the device's own methods do not hide.
private func openDevice(_ path: String) -> CInt { open(path, O_RDWR | O_CLOEXEC) }
func closeDescriptor(_ fd: CInt) { _ = close(fd) }
private func writeDescriptor(_ fd: CInt, _ bytes: UnsafeRawBufferPointer) -> Int { write(fd, bytes.baseAddress, bytes.count) }
private func errorText(_ code: CInt) -> String { String(cString: strerror(code)) }

/// A tun (layer 3) or tap (layer 2) network device of this host, the end of a `tun@openssh.com`
/// channel (OpenSSH PROTOCOL §2.3, ssh's `-w`). Opened through Linux's `/dev/net/tun` without packet
/// information, so each read is one packet and each write gives the kernel one. The device lasts
/// until ``close()``, unless it was made persistent beforehand (`ip tuntap add`), as ssh's do.
public final class TunnelDevice: Sendable {
    /// The interface's name, such as `tun0` or `tap3`.
    public let name: String
    /// Point-to-point for a tun device, Ethernet for a tap device.
    public let mode: TunnelMode
    private let descriptor: NIOLockedValueBox<CInt>

    /// The largest packet a device hands over: the largest MTU Linux allows.
    public static let largestPacket = 65536

    /// Opens a tun device (`.pointToPoint`) or a tap device (`.ethernet`) with number `unit`, or the
    /// next free one for ``TunnelUnit/any``, as ssh and sshd do for `Tunnel` and `-w`. Needs the
    /// rights to create network devices (CAP_NET_ADMIN), or a persistent device owned by the user.
    public static func open(mode: TunnelMode, unit: TunnelUnit) throws(ConnectionError) -> TunnelDevice {
        let prefix: String
        switch mode {
        case .pointToPoint: prefix = "tun"
        case .ethernet: prefix = "tap"
        default: throw ConnectionError(.tunnelDevice, "tunnel mode \(mode.rawValue) is neither point-to-point nor ethernet")
        }
        #if os(Linux)
        let requested = prefix + (unit.number.map { String($0) } ?? "%d")
        let fd = openDevice("/dev/net/tun")
        guard fd >= 0 else {
            throw ConnectionError(.tunnelDevice, "/dev/net/tun: \(errorText(errno))")
        }
        // struct ifreq: the name in its first 16 bytes, the flags in the short after them.
        var request = [UInt8](repeating: 0, count: 40)
        for (index, byte) in requested.utf8.prefix(15).enumerated() { request[index] = byte }
        let flags: UInt16 = (mode == .pointToPoint ? 0x0001 : 0x0002) | 0x1000  // IFF_TUN or IFF_TAP, IFF_NO_PI
        request[16] = UInt8(flags & 0xff)
        request[17] = UInt8(flags >> 8)
        let result = request.withUnsafeMutableBytes { ioctl(fd, UInt(0x4004_54ca), $0.baseAddress!) }  // TUNSETIFF
        guard result == 0 else {
            let reason = errorText(errno)
            closeDescriptor(fd)
            throw ConnectionError(.tunnelDevice, "\(requested): \(reason)")
        }
        let name = String(decoding: request.prefix(16).prefix { $0 != 0 }, as: UTF8.self)
        return TunnelDevice(name: name, mode: mode, descriptor: fd)
        #else
        throw ConnectionError(.tunnelDevice, "\(prefix) devices are opened through Linux's /dev/net/tun")
        #endif
    }

    private init(name: String, mode: TunnelMode, descriptor: CInt) {
        self.name = name
        self.mode = mode
        self.descriptor = NIOLockedValueBox(descriptor)
    }

    deinit { close() }

    /// A second descriptor of the device for reading, which the caller owns; nil once closed.
    func duplicateDescriptor() -> CInt? {
        descriptor.withLockedValue { fd in
            guard fd >= 0 else { return nil }
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
            return copy >= 0 ? copy : nil
        }
    }

    /// Gives the kernel one packet. A packet the device refuses (one that is not IP on a tun
    /// device, a full queue) is dropped, as a network drops it: false then; an error that ends the
    /// device throws.
    @discardableResult
    public func write(_ packet: ByteBuffer) throws(ConnectionError) -> Bool {
        let (written, error): (Int, CInt) = descriptor.withLockedValue { fd in
            guard fd >= 0 else { return (-1, EBADF) }
            let count = packet.withUnsafeReadableBytes { writeDescriptor(fd, $0) }
            return (count, count < 0 ? errno : 0)
        }
        if written >= 0 { return true }
        switch error {
        case EAGAIN, EWOULDBLOCK, EINTR, EINVAL, EMSGSIZE, ENOBUFS, EIO, EAFNOSUPPORT: return false
        default: throw ConnectionError(.tunnelDevice, "\(name): \(errorText(error))")
        }
    }

    /// Closes the device; a device that is not persistent goes away with it.
    public func close() {
        descriptor.withLockedValue { fd in
            if fd >= 0 { closeDescriptor(fd) }
            fd = -1
        }
    }
}
