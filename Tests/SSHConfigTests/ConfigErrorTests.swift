import SSHConfig
import Testing

@Suite struct ConfigErrorTests {
    @Test func namesFileAndLine() {
        let error = ConfigError(.unknownKeyword, file: "/tmp/cfg", line: 3, "Bad configuration option: foo")
        #expect(error.description == "/tmp/cfg line 3: Bad configuration option: foo")
    }
}
