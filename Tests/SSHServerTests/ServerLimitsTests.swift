import SSHAuth
import SSHConnection
import SSHServer
import Testing

/// The server's defaults are the ones LIMITS.md lists.
struct ServerLimitsTests {
    @Test func defaultsMatchTheDocumentedLimits() {
        let configuration = SSHServerConfiguration()
        #expect(configuration.unauthenticatedStart == 100)
        #expect(configuration.unauthenticatedRate == 30)
        #expect(configuration.unauthenticatedFull == 1000)
        #expect(configuration.maximumSessions == 10)
        #expect(configuration.authentication.maximumAttempts == 6)
        #expect(configuration.authentication.loginGraceTime == .seconds(120))
        #expect(configuration.channels.initialWindow >= 2 * 1024 * 1024)
    }
}
