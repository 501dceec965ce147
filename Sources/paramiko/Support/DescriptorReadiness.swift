#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Waiting on descriptors we were handed but did not open. A parent may give us non-blocking ones
/// (rsync gives its remote shell a non-blocking standard output, and OpenSSH's ssh makes its own so):
/// a read or write that would block then waits here instead of failing.
enum DescriptorReadiness {
    /// Waits until one of `descriptors` has one of its events (POLLIN, POLLOUT), or an error or hang-up;
    /// returns their returned events, all POLLERR when poll(2) itself fails.
    static func wait(_ descriptors: [(descriptor: Int32, events: Int16)]) -> [Int16] {
        var entries = descriptors.map { pollfd(fd: $0.descriptor, events: $0.events, revents: 0) }
        while true {
            let ready = poll(&entries, nfds_t(entries.count), -1)
            if ready < 0 && errno == EINTR { continue }
            return ready < 0 ? entries.map { _ in Int16(POLLERR) } : entries.map(\.revents)
        }
    }

    /// Waits until `descriptor` can be read or written (`events`), or has an error or hang-up.
    static func wait(_ descriptor: Int32, for events: Int16) {
        _ = wait([(descriptor, events)])
    }

    /// Whether the last call failed only because a non-blocking descriptor was not ready.
    static var wouldBlock: Bool { errno == EAGAIN || errno == EWOULDBLOCK }
}
