import Foundation
import SSHConfig
import Testing

/// Any text, however cut or garbled, either resolves or throws `ConfigError`; nothing traps.
struct RobustnessTests {
    static let texts: [String] = {
        let source = Fixtures.directory.appendingPathComponent("oracle").path
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: source)) ?? []).filter {
            $0.hasSuffix(".conf")
        }
        return names.sorted().compactMap { try? String(contentsOfFile: source + "/" + $0, encoding: .utf8) }
    }()

    @Test func everyTruncationResolvesOrThrows() {
        let environment = testEnvironment(run: { _ in 0 }, resolve: { $0 }, interfaces: { ["127.0.0.1"] })
        var outcomes = 0
        for text in Self.texts {
            let bytes = Array(text.utf8)
            for cut in stride(from: 0, through: bytes.count, by: 2) {
                let prefix = String(decoding: bytes[..<cut], as: UTF8.self)
                    .replacing("@FIXTURES@", with: "/nonexistent")
                do {
                    _ = try SSHConfig(text: prefix, environment: environment).resolve(host: "web01.prod.example.com")
                } catch {
                    #expect(!error.detail.isEmpty)
                }
                outcomes += 1
            }
        }
        #expect(outcomes > 1000)
    }

    @Test(arguments: [
        "\u{0}", "\"", "'", "=", "==", "Host", "Host \"", "Match !", "Match exec", "Match exec \"", "#", "\\",
        "Host=\"a", "LocalForward [", "LocalForward [::1", "LocalForward a:b:c:d:e:f 1", "RemoteForward :",
        "DynamicForward []:", "ProxyJump ,", "ProxyJump a,,b", "ProxyJump [::1", "PermitRemoteOpen [",
        "EscapeChar ^", "IPQoS 0x", "IPQoS 99999999999999999999", "RekeyLimit 1.G", "RekeyLimit 99999999999999999999E",
        "ServerAliveInterval 99999999999999999999", "Port 99999999999999999999", "TunnelDevice :",
        "StreamLocalBindMask 9", "SetEnv =", "CanonicalizePermittedCNAMEs :", "HostName %", "ControlPath %",
        "IdentityAgent ${", "User \u{FEFF}x", "Ciphers ,", "Ciphers +", "KexAlgorithms ^,", "AddKeysToAgent confirm x",
    ])
    func oddLines(_ line: String) {
        let environment = testEnvironment()
        do {
            _ = try SSHConfig(text: line + "\n", environment: environment).resolve(host: "h")
        } catch {
            #expect(!error.detail.isEmpty)
        }
    }
}
