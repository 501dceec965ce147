import SSHConfig
import Testing

struct PatternTests {
    @Test(arguments: [
        ("host", "host", true), ("host", "HOST", false), ("web01", "web*", true), ("web", "web*", true),
        ("web01", "web??", true), ("web1", "web??", false), ("a.b.c", "*.c", true), ("a.b.c", "*.b", false),
        ("", "*", true), ("", "?", false), ("abcabc", "*abc", true), ("aXbXc", "a*b*c", true), ("abc", "a*d", false),
        ("10.0.0.1", "10.0.*", true), ("x", "", false),
    ])
    func wildcard(_ string: String, _ pattern: String, _ expected: Bool) {
        #expect(HostPattern.matches(string, pattern: pattern) == expected)
    }

    @Test(arguments: [
        ("web1", "web*,db*", HostPattern.ListMatch.matched),
        ("db2", "web*,db*", .matched),
        ("mail", "web*,db*", .noMatch),
        ("bastion", "*,!bastion", .negated),
        ("app", "*,!bastion", .matched),
        ("bastion", "!bastion", .negated),
        ("other", "!bastion", .noMatch),
    ])
    func patternList(_ string: String, _ list: String, _ expected: HostPattern.ListMatch) {
        #expect(HostPattern.matchList(string, patterns: list) == expected)
    }

    @Test func hostnamesCompareWithoutCase() {
        #expect(HostPattern.matchHostname("Web.Example.COM", patterns: "*.example.com") == .matched)
        #expect(HostPattern.matchHostname("web.example.com", patterns: "*.EXAMPLE.com,!WEB.*") == .negated)
        #expect(HostPattern.matchList("web.example.com", patterns: "*.EXAMPLE.com") == .noMatch)
    }

    @Test(arguments: [
        ("127.0.0.1", "127.0.0.0/8", true), ("10.1.2.3", "127.0.0.0/8,10.0.0.0/8", true),
        ("192.168.1.1", "10.0.0.0/8", false), ("::1", "::1/128", true), ("fe80::1", "fe80::/10", true),
        ("127.0.0.1", "::/0", false), ("10.0.0.5", "10.0.0.5", true),
    ])
    func cidr(_ address: String, _ list: String, _ expected: Bool) {
        #expect(AddressPattern.matches(address: address, list: list) == expected)
    }

    @Test(arguments: ["10.0.0.1/8", "not-an-address", "10.0.0.0/33", "::1/129"])
    func malformedCIDR(_ list: String) {
        #expect(!AddressPattern.isValidList(list))
    }
}
