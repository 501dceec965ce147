import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address of a network interface that is up, from getifaddrs(3): what
/// `Match localnetwork` compares and what BindInterface (ssh_config(5)) connects from.
public struct InterfaceAddress: Sendable, Equatable {
    /// The interface's name, such as `lo` or `eth0`.
    public let interface: String
    /// The address in numeric form (an IPv6 link-local one with its `%interface` zone).
    public let address: String
    /// Whether it is an IPv6 address.
    public let isIPv6: Bool
    /// Whether it is an IPv6 loopback or link-local address, which ssh takes for BindInterface
    /// only when the interface has no other address of the family.
    public let isIPv6LocalScope: Bool

    /// An address as given; ``all()`` reads the system's.
    public init(interface: String, address: String, isIPv6: Bool, isIPv6LocalScope: Bool) {
        self.interface = interface
        self.address = address
        self.isIPv6 = isIPv6
        self.isIPv6LocalScope = isIPv6LocalScope
    }

    /// The addresses of the interfaces that are up, in the system's order.
    public static func all() -> [InterfaceAddress] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var addresses: [InterfaceAddress] = []
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, entry.pointee.ifa_flags & UInt32(IFF_UP) != 0 else { continue }
            let family = Int32(address.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            let length = socklen_t(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
            var host = [CChar](repeating: 0, count: 1025)
            guard getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
            var localScope = false
            if family == AF_INET6 {
                let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) }
                }
                let loopback = bytes.dropLast().allSatisfy { $0 == 0 } && bytes.last == 1
                localScope = loopback || (bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80)
            }
            addresses.append(InterfaceAddress(
                interface: String(cString: entry.pointee.ifa_name), address: string(fromCString: host),
                isIPv6: family == AF_INET6, isIPv6LocalScope: localScope))
        }
        return addresses
    }

    /// The address BindInterface connects from on `interface` for a connection of the given
    /// family, as ssh picks it: the first of that family, IPv6 loopback and link-local ones only
    /// when there is no other; nil when the interface has none.
    public static func bindAddress(on interface: String, ipv6: Bool, among addresses: [InterfaceAddress] = all())
        -> InterfaceAddress?
    {
        let candidates = addresses.filter { $0.interface == interface && $0.isIPv6 == ipv6 }
        return candidates.first { !$0.isIPv6LocalScope } ?? candidates.first
    }
}
