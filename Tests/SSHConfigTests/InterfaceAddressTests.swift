import SSHConfig
import Testing

/// The interface addresses BindInterface and `Match localnetwork` read.
struct InterfaceAddressTests {
    static func address(_ interface: String, _ address: String, v6: Bool = false, local: Bool = false) -> InterfaceAddress {
        InterfaceAddress(interface: interface, address: address, isIPv6: v6, isIPv6LocalScope: local)
    }

    /// As ssh picks: the interface's first address of the family, passing over IPv6 loopback and
    /// link-local ones while another is there.
    @Test func bindAddressIsTheFirstOfTheFamilyPreferringGlobalScope() {
        let list = [
            Self.address("lo", "127.0.0.1"), Self.address("lo", "::1", v6: true, local: true),
            Self.address("eth0", "192.0.2.2"), Self.address("eth0", "fe80::1%eth0", v6: true, local: true),
            Self.address("eth0", "2001:db8::2", v6: true), Self.address("eth0", "192.0.2.3"),
        ]
        #expect(InterfaceAddress.bindAddress(on: "eth0", ipv6: false, among: list)?.address == "192.0.2.2")
        #expect(InterfaceAddress.bindAddress(on: "eth0", ipv6: true, among: list)?.address == "2001:db8::2")
        #expect(InterfaceAddress.bindAddress(on: "lo", ipv6: true, among: list)?.address == "::1")
        #expect(InterfaceAddress.bindAddress(on: "eth1", ipv6: false, among: list) == nil)
    }

    /// The system's list has the loopback interface with 127.0.0.1, and marks ::1 local in scope.
    @Test func theSystemListsLoopback() {
        let all = InterfaceAddress.all()
        #expect(all.contains { $0.address == "127.0.0.1" && !$0.isIPv6 })
        if let loopback = all.first(where: { $0.address == "::1" }) {
            #expect(loopback.isIPv6 && loopback.isIPv6LocalScope)
        }
        #expect(all.filter(\.isIPv6).allSatisfy { $0.isIPv6LocalScope == ($0.address == "::1" || $0.address.lowercased().hasPrefix("fe8")) })
    }
}
