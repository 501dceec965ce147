import SSHConfig
import Testing

struct DurationTests {
    @Test(arguments: [
        ("0", 0), ("90", 90), ("90s", 90), ("5m", 300), ("5M", 300), ("1h", 3600), ("1h30m", 5400), ("2d", 172800),
        ("1w", 604800), ("1W2d3h4m5s", 788645), ("10m10", 610),
    ])
    func parses(_ text: String, _ seconds: Int) {
        #expect(SSHConfigDuration.seconds(text) == seconds)
    }

    @Test(arguments: ["", "5x", "m", "-5", "1h-2m", "99999999999", "1.5h"])
    func rejects(_ text: String) {
        #expect(SSHConfigDuration.seconds(text) == nil)
    }
}

struct AlgorithmListTests {
    let defaults = ["a", "b", "c"]
    let supported = ["a", "b", "c", "d", "e-1", "e-2"]

    @Test func emptyMeansDefaults() throws {
        #expect(try SSHAlgorithmList.assemble(nil, defaults: defaults, supported: supported) == defaults)
        #expect(try SSHAlgorithmList.assemble("", defaults: defaults, supported: supported) == defaults)
    }

    @Test func plusAppends() throws {
        #expect(
            try SSHAlgorithmList.assemble("+d,a", defaults: defaults, supported: supported) == ["a", "b", "c", "d"])
        #expect(
            try SSHAlgorithmList.assemble("+e-*", defaults: defaults, supported: supported) == [
                "a", "b", "c", "e-1", "e-2",
            ])
    }

    @Test func minusRemovesWithPatterns() throws {
        #expect(try SSHAlgorithmList.assemble("-b", defaults: defaults, supported: supported) == ["a", "c"])
        #expect(try SSHAlgorithmList.assemble("-*", defaults: defaults, supported: supported) == [])
        #expect(try SSHAlgorithmList.assemble("-x,a", defaults: defaults, supported: supported) == ["b", "c"])
    }

    @Test func caretPrepends() throws {
        #expect(
            try SSHAlgorithmList.assemble("^c,d", defaults: defaults, supported: supported) == ["c", "d", "a", "b"])
    }

    @Test func explicitListReplacesAndFiltersUnsupported() throws {
        #expect(try SSHAlgorithmList.assemble("d,zz,b", defaults: defaults, supported: supported) == ["d", "b"])
        #expect(try SSHAlgorithmList.assemble("e-*", defaults: defaults, supported: supported) == ["e-1", "e-2"])
    }

    @Test func emptyResultAndNegationThrow() {
        #expect(throws: SSHAlgorithmList.Problem.empty) {
            try SSHAlgorithmList.assemble("zz", defaults: defaults, supported: supported)
        }
        #expect(throws: SSHAlgorithmList.Problem.negatedPattern) {
            try SSHAlgorithmList.assemble("a,!b", defaults: defaults, supported: supported)
        }
    }

    @Test func openSSHDefaults() throws {
        let ciphers = try SSHAlgorithmList.assemble("-chacha20-poly1305@openssh.com", kind: .cipher)
        #expect(ciphers.first == "aes128-ctr")
        #expect(try SSHAlgorithmList.assemble("+3des-cbc", kind: .cipher).last == "3des-cbc")
        #expect(SSHAlgorithmCatalog.defaults(.kex).first == "sntrup761x25519-sha512")
    }
}

struct EscapeCharacterTests {
    @Test(arguments: [
        ("", UInt8?.some(0x7E)), ("EscapeChar %\n", 0x25), ("EscapeChar ^]\n", 0x1D),
        ("EscapeChar none\n", nil), ("EscapeChar ^A\nEscapeChar !\n", 0x01),
    ])
    func resolvesToItsByte(_ text: String, _ byte: UInt8?) throws {
        let resolved = try SSHConfig(text: text, environment: testEnvironment()).resolve(host: "h")
        #expect(resolved.escapeCharacter == byte)
    }
}
