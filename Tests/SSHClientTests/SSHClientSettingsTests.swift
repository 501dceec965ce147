import SSHClient
import SSHConfig
import SSHTransport
import SSHAuth
import Testing

/// ssh_config options reach the client as ssh reads them.
struct SSHClientSettingsTests {
    private func settings(_ text: String) throws -> SSHClientSettings {
        try SSHClientSettings(config: SSHConfig(text: text), host: "h", localEnvironment: [:])
    }

    @Test func defaultsAreSsh() throws {
        let plain = try settings("")
        #expect(plain.configuration.connectionAttempts == 1)
        #expect(plain.configuration.tcpKeepAlive)
        #expect(plain.configuration.transport.rekeyBytes == 1 << 30)
        #expect(plain.localCommand == nil && plain.remoteCommand == nil)
        #expect(plain.asksAboutNewHostKeys)
        #expect(plain.knownHostsFiles.suffix(2) == ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"])
        #expect(plain.authentication.preferredMethods == SSHClientSettings.defaultPreferredAuthentications)
        #expect(plain.authentication.promptAttempts == 3)
    }

    @Test func optionsAreHonoured() throws {
        let set = try settings(
            """
            ConnectionAttempts 4
            TCPKeepAlive no
            RekeyLimit 64M 90
            PermitLocalCommand yes
            LocalCommand echo %h %p
            Port 2222
            PreferredAuthentications password,publickey,keyboard-interactive
            KbdInteractiveAuthentication no
            NumberOfPasswordPrompts 1
            StrictHostKeyChecking accept-new
            ExitOnForwardFailure yes
            ClearAllForwardings yes
            LocalForward 8080 localhost:80
            """)
        #expect(set.configuration.connectionAttempts == 4)
        #expect(!set.configuration.tcpKeepAlive)
        #expect(set.configuration.transport.rekeyBytes == 64 << 20)
        #expect(set.configuration.transport.rekeyInterval == .seconds(90))
        #expect(set.localCommand == "echo h 2222")
        #expect(set.authentication.preferredMethods == ["password", "publickey"])
        #expect(set.authentication.promptAttempts == 1)
        #expect(!set.asksAboutNewHostKeys)
        #expect(set.exitOnForwardFailure)
        #expect(set.localForwards.isEmpty)
        // Without PermitLocalCommand, LocalCommand is not run.
        #expect(try settings("LocalCommand echo hi\n").localCommand == nil)
        #expect(!(try settings("BatchMode yes\n").asksAboutNewHostKeys))
    }

    @Test func ipQoSAndX11AsSshReadsThem() throws {
        let plain = try settings("")
        // Debian's ssh: lowdelay for a terminal, throughput otherwise; X11 off.
        #expect(plain.configuration.ipQoS.interactive == 0x10 && plain.configuration.ipQoS.bulk == 0x08)
        #expect(plain.x11Display == nil && plain.x11Trusted && plain.x11Timeout == 1200)
        let set = try SSHClientSettings(
            config: SSHConfig(text: "IPQoS af21 cs1\nForwardX11 yes\nForwardX11Trusted no\nForwardX11Timeout 5m\n"),
            host: "h", localEnvironment: ["DISPLAY": "localhost:10.0"])
        #expect(set.configuration.ipQoS.interactive == 0x48 && set.configuration.ipQoS.bulk == 0x20)
        #expect(set.x11Display == X11Display("localhost:10.0") && !set.x11Trusted && set.x11Timeout == 300)
        let none = try settings("IPQoS none\n")
        #expect(none.configuration.ipQoS.interactive == nil && none.configuration.ipQoS.bulk == nil)
        let one = try settings("IPQoS ef\n")
        #expect(one.configuration.ipQoS.interactive == 0xb8 && one.configuration.ipQoS.bulk == 0xb8)
    }

    /// ForwardAgent yes forwards the agent of SSH_AUTH_SOCK, a path another one, no none; and
    /// ControlPath, ControlMaster and ControlPersist as ssh reads them.
    @Test func agentForwardingAndConnectionSharing() throws {
        let environment = ["SSH_AUTH_SOCK": "/run/user/agent.sock"]
        func read(_ text: String) throws -> SSHClientSettings {
            try SSHClientSettings(config: SSHConfig(text: text), host: "h", localEnvironment: environment)
        }
        #expect(try read("ForwardAgent yes\n").configuration.forwardAgent == "/run/user/agent.sock")
        #expect(try read("ForwardAgent /tmp/other.sock\n").configuration.forwardAgent == "/tmp/other.sock")
        #expect(try read("ForwardAgent no\n").configuration.forwardAgent == nil)
        #expect(try read("").configuration.forwardAgent == nil)
        #expect(try settings("ForwardAgent yes\n").configuration.forwardAgent == nil)

        let plain = try read("")
        #expect(plain.controlPath == nil && plain.controlMaster == .no && plain.controlPersist == nil)
        let shared = try read("ControlMaster auto\nControlPath /tmp/c-%r@%h:%p\nControlPersist 10m\nUser u\nPort 2222\n")
        #expect(shared.controlMaster == .auto && shared.controlPersist == 600)
        #expect(shared.controlPath == "/tmp/c-u@h:2222")
        let forever = try read("ControlMaster yes\nControlPath none\nControlPersist yes\n")
        #expect(forever.controlMaster == .yes && forever.controlPath == nil && forever.controlPersist == 0)
    }
}
