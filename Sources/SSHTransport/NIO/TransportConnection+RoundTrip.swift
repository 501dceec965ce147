import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

extension TransportConnection {
    /// The smallest round trip the connection's TCP socket has seen (Linux's `tcpi_min_rtt` of
    /// `TCP_INFO`, kept since the handshake); nil where the transport is not a TCP socket (a
    /// ProxyCommand's pipe, a channel of a jump host), the system does not say, or not on Linux.
    public func minimumRoundTrip() async -> Duration? {
        #if os(Linux)
            guard let provider = channel as? any SocketOptionProvider else { return nil }
            // `struct tcp_info` of <linux/tcp.h>, which Glibc's declaration stops short of: the
            // kernel fills as much as it has, and `tcpi_min_rtt` (µs) is its 38th 32-bit word.
            let info: SIMD64<UInt32>
            do {
                info = try await provider.unsafeGetSocketOption(
                    level: .tcp, name: NIOBSDSocket.Option(rawValue: 11)  // TCP_INFO
                ).get()
            } catch {
                return nil
            }
            let microseconds = info[37]
            // 0 is a kernel without the field; UInt32.max is "no sample yet".
            guard microseconds > 0, microseconds != UInt32.max else { return nil }
            return .microseconds(microseconds)
        #else
            return nil
        #endif
    }
}
