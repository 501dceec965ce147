import Foundation
import SSHConfig
import Testing

struct EvaluationTests {
    @Test func firstValueWinsAndListsAccumulate() throws {
        let text = """
            Host web
              User first
              IdentityFile ~/.ssh/web
              SendEnv LANG
            Host *
              User second
              Port 2222
              IdentityFile ~/.ssh/common
              SendEnv LC_*
            """
        let resolved = try SSHConfig(text: text, environment: testEnvironment()).resolve(host: "web")
        #expect(resolved.user == "first")
        #expect(resolved.port == 2222)
        #expect(resolved.identityFiles == ["~/.ssh/web", "~/.ssh/common"])
        #expect(resolved.sendEnv == ["LANG", "LC_*"])
        let other = try SSHConfig(text: text, environment: testEnvironment()).resolve(host: "db", user: "cli", port: 1)
        #expect(other.user == "cli")
        #expect(other.port == 1)
        #expect(other.identityFiles == ["~/.ssh/common"])
    }

    @Test func typedAccessors() throws {
        let text = """
            Host *
              ServerAliveInterval 5m
              ConnectTimeout 1h
              Compression yes
              StrictHostKeyChecking ask
              AddKeysToAgent confirm
              ConnectionAttempts 3
              UserKnownHostsFile /a /b
              CanonicalDomains one.test two.test
            """
        let resolved = try SSHConfig(text: text, environment: testEnvironment()).resolve(host: "x")
        #expect(resolved.duration(.serverAliveInterval) == 300)
        #expect(resolved.duration(.connectTimeout) == 3600)
        #expect(resolved.bool(.compression) == true)
        #expect(resolved.bool(.batchMode) == false)
        #expect(resolved.bool(.strictHostKeyChecking) == nil)
        #expect(resolved.string(.strictHostKeyChecking) == "ask")
        #expect(resolved.string(.addKeysToAgent) == "confirm")
        #expect(resolved.int(.connectionAttempts) == 3)
        #expect(resolved.list(.userKnownHostsFile) == ["/a", "/b"])
        #expect(resolved.list(.canonicalDomains) == ["one.test", "two.test"])
        #expect(resolved.duration(.forwardX11Timeout) == 1200)
    }

    @Test func dictionaryHasParamikoShape() throws {
        let text = "Host h\n  HostName real.example\n  LocalForward 1 a:2\n  LocalForward 3 b:4\n"
        let dictionary = try SSHConfig(text: text, environment: testEnvironment()).resolve(host: "h").dictionary
        #expect(dictionary["hostname"] == .string("real.example"))
        #expect(dictionary["port"] == .string("22"))
        #expect(dictionary["user"] == .string("tester"))
        #expect(dictionary["localforward"] == .list(["1 [a]:2", "3 [b]:4"]))
        #expect(dictionary["identityfile"].map { if case .list(let files) = $0 { files.count } else { 0 } } == 7)
        #expect(dictionary["stricthostkeychecking"] == .string("ask"))
    }

    @Test func matchExecFailureIsNoMatch() throws {
        let text = """
            Match exec "succeed %h"
              User ran-ok
            Match exec "fail"
              Port 1
            Match exec "crash"
              Port 2
            """
        let commands = CommandLog()
        let environment = testEnvironment(run: { command in
            commands.append(command)
            if command.hasPrefix("succeed") { return 0 }
            if command == "crash" { return nil }
            return 1
        })
        let resolved = try SSHConfig(text: text, environment: environment).resolve(host: "box")
        #expect(resolved.user == "ran-ok")
        #expect(resolved.port == 22)
        #expect(commands.all == ["succeed box", "fail", "crash"])
    }

    @Test func matchExecSkippedOnceAnEarlierCriterionFails() throws {
        let commands = CommandLog()
        let environment = testEnvironment(run: { command in
            commands.append(command)
            return 0
        })
        let text = "Match host nope exec \"never\"\n  User x\nMatch user tester exec \"yes\"\n  Port 9\n"
        let resolved = try SSHConfig(text: text, environment: environment).resolve(host: "box")
        #expect(commands.all == ["yes"])
        #expect(resolved.port == 9)
    }

    @Test func matchLocalNetworkUsesInterfaces() throws {
        let environment = testEnvironment(interfaces: { ["192.168.7.20", "fe80::1"] })
        let text = """
            Match localnetwork 10.0.0.0/8
              User office
            Match localnetwork 192.168.0.0/16
              User home
            Match !localnetwork fe80::/10
              Port 1
            """
        let resolved = try SSHConfig(text: text, environment: environment).resolve(host: "x")
        #expect(resolved.user == "home")
        #expect(resolved.port == 22)
    }

    /// OpenSSH 9.2 has no `Match localnetwork` (9.4 added it), so this fixture is checked without the oracle.
    @Test func localNetworkFixture() throws {
        let path = Fixtures.directory.appendingPathComponent("match-localnetwork.conf").path
        let loopback = try SSHConfig(file: path, environment: testEnvironment(interfaces: { ["127.0.0.1", "::1"] }))
            .resolve(host: "ln")
        #expect(loopback.user == "on-loopback")
        #expect(loopback.port == 22)
        #expect(loopback.bool(.compression) == true)
        let elsewhere = try SSHConfig(file: path, environment: testEnvironment(interfaces: { ["203.0.113.9"] }))
            .resolve(host: "ln")
        #expect(elsewhere.user == "tester")
        #expect(elsewhere.port == 2023)
        #expect(elsewhere.bool(.compression) == false)
    }

    @Test func canonicalizationAppendsDomainsAndRereads() throws {
        let environment = testEnvironment(resolve: { name in
            name == "web.prod.example." ? "web.prod.example" : nil
        })
        let text = """
            CanonicalizeHostname yes
            CanonicalDomains dev.example prod.example
            Host web
              Port 2000
            Host *.prod.example
              User prod
            Match canonical host web.prod.example
              IdentityFile ~/.ssh/prod
            Match !canonical
              Compression yes
            """
        let resolved = try SSHConfig(text: text, environment: environment).resolve(host: "web")
        #expect(resolved.hostname == "web.prod.example")
        #expect(resolved.hostArgument == "web")
        #expect(resolved.user == "prod")
        #expect(resolved.port == 2000)
        #expect(resolved.identityFiles == ["~/.ssh/prod"])
        #expect(resolved.bool(.compression) == true)
    }

    @Test func canonicalizationRespectsMaxDotsAndProxies() throws {
        let environment = testEnvironment(resolve: { _ in "resolved" })
        let base = "CanonicalizeHostname yes\nCanonicalDomains example\n"
        let dotted = try SSHConfig(text: base, environment: environment).resolve(host: "a.b.c")
        #expect(dotted.hostname == "a.b.c")
        let proxied = try SSHConfig(text: base + "ProxyCommand nc %h %p\n", environment: environment).resolve(host: "a")
        #expect(proxied.hostname == "a")
        let always = try SSHConfig(
            text: "CanonicalizeHostname always\nCanonicalDomains example\nProxyJump j\n",
            environment: environment
        ).resolve(host: "a")
        #expect(always.hostname == "a.example")
        let anchored = try SSHConfig(text: base, environment: environment).resolve(host: "fqdn.example.")
        #expect(anchored.hostname == "fqdn.example")
    }

    @Test func permittedCNAMEsAreFollowed() throws {
        let environment = testEnvironment(resolve: { name in
            name == "www.a.example." ? "edge.cdn.example" : nil
        })
        let text = """
            CanonicalizeHostname yes
            CanonicalDomains a.example
            CanonicalizePermittedCNAMEs *.a.example:*.cdn.example
            """
        let followed = try SSHConfig(text: text, environment: environment).resolve(host: "www")
        #expect(followed.hostname == "edge.cdn.example")
        let refused = try SSHConfig(
            text: text.replacing("*.cdn.example", with: "*.other.example"), environment: environment
        ).resolve(host: "www")
        #expect(refused.hostname == "www.a.example")
    }

    @Test func hostPatternsListsEveryHostLine() {
        let text = "Host a b\n  User x\nMatch host c\nHost=*.d !e.d\n"
        let config = SSHConfig(text: text, environment: testEnvironment())
        #expect(config.hostPatterns() == ["a", "b", "*.d", "!e.d"])
    }

    @Test func permittedCNAMEsNeedTheBareNameToResolve() throws {
        let text = "CanonicalizePermittedCNAMEs *:*.cdn.example\n"
        let environment = testEnvironment(resolve: { $0 == "www" ? "edge.cdn.example" : nil })
        // Without CanonicalizeHostname the name is looked up but kept.
        let kept = try SSHConfig(text: text, environment: environment).resolve(host: "www")
        #expect(kept.hostname == "www")
        let followed = try SSHConfig(text: text + "CanonicalizeHostname yes\n", environment: environment)
            .resolve(host: "www")
        #expect(followed.hostname == "edge.cdn.example")
        let error = #expect(throws: ConfigError.self) {
            _ = try SSHConfig(text: text, environment: environment).resolve(host: "nowhere")
        }
        #expect(error?.code == .unresolvableHost)
        let proxied = try SSHConfig(text: text + "ProxyCommand nc %h %p\n", environment: environment)
            .resolve(host: "nowhere")
        #expect(proxied.hostname == "nowhere")
    }

    @Test func answers() throws {
        let text = "StrictHostKeyChecking accept-new\nAddKeysToAgent confirm\nControlMaster autoask\nBatchMode yes\n"
        let resolved = try SSHConfig(text: text, environment: testEnvironment()).resolve(host: "h")
        #expect(resolved.answer(.strictHostKeyChecking) == .acceptNew)
        #expect(resolved.answer(.addKeysToAgent) == .confirm)
        #expect(resolved.answer(.controlMaster) == .autoask)
        #expect(resolved.answer(.batchMode) == .yes)
        #expect(resolved.answer(.updateHostKeys) == .yes)
        #expect(resolved.answer(.verifyHostKeyDNS) == .no)
        #expect(resolved.answer(.user) == nil)
    }

    @Test func includesRelativeToUserAndSystemDirectories() throws {
        let home = try TemporaryDirectory()
        try home.write(".ssh/config.d/10-work.conf", "Host work\n  User from-user-dir\n")
        try home.write(".ssh/config.d/20-all.conf", "Host *\n  Port 2020\n")
        try home.write(".ssh/config", "Include config.d/*.conf\n")
        try home.write("etc/ssh/ssh_config", "Include ssh_config.d/*\nHost *\n  User system-default\n")
        try home.write("etc/ssh/ssh_config.d/x", "Host work\n  Compression yes\n")
        var environment = testEnvironment(home: home.path)
        environment.systemDirectory = home.path + "/etc/ssh"
        let config = SSHConfig.standard(environment: environment)
        let work = try config.resolve(host: "work")
        #expect(work.user == "from-user-dir")
        #expect(work.port == 2020)
        #expect(work.bool(.compression) == true)
        let other = try config.resolve(host: "other")
        #expect(other.user == "system-default")
    }

    @Test func hostNegationAndInactiveIncludes() throws {
        let directory = try TemporaryDirectory()
        try directory.write("inc.conf", "User from-include\nMatch all\n  Port 7\n")
        let text = """
            Host *.corp !gw.corp
              Include \(directory.path)/inc.conf
            Host gw.corp
              Compression yes
            """
        let inside = try SSHConfig(text: text, environment: testEnvironment()).resolve(host: "a.corp")
        #expect(inside.user == "from-include")
        #expect(inside.port == 7)
        let gateway = try SSHConfig(text: text, environment: testEnvironment()).resolve(host: "gw.corp")
        #expect(gateway.user == "tester")
        #expect(gateway.port == 22)
        #expect(gateway.bool(.compression) == true)
    }

    @Test func proxyJumpAndForwardsAreTyped() throws {
        let text = """
            Host app
              ProxyJump admin@gw:2222,second
              LocalForward 127.0.0.1:8080 web:80
              DynamicForward 1080
              RemoteForward 9000
            """
        let resolved = try SSHConfig(text: text, environment: testEnvironment()).resolve(host: "app")
        let jump = try #require(resolved.proxyJump)
        #expect(jump.user == nil)
        #expect(jump.host == "second")
        #expect(jump.extra == "admin@gw:2222")
        #expect(resolved.proxyCommand == nil)
        #expect(resolved.localForwards.count == 2)
        #expect(resolved.localForwards[0].listenHost == "127.0.0.1")
        #expect(resolved.localForwards[0].connectHost == "web")
        #expect(resolved.localForwards[1].isDynamic)
        #expect(resolved.remoteForwards.first?.isDynamic == true)
        #expect(resolved.sshGLines.last == "proxyjump admin@gw:2222,second")
    }

    @Test func tokenizerHandlesSeparatorsQuotesAndComments() throws {
        let text = """
            \tHost=a   # comment
            User = "name with spaces"
            LocalCommand echo 'one two' "three # not a comment"
            SetEnv X="a b" Y=c\\ d
            """
        let resolved = try SSHConfig(text: text, environment: testEnvironment()).resolve(host: "a")
        #expect(resolved.user == "name with spaces")
        #expect(resolved.string(.localCommand) == "echo 'one two' \"three # not a comment\"")
        #expect(resolved.list(.setEnv) == ["X=a b", "Y=c d"])
    }
}

/// Commands seen by an injected `Match exec` runner.
final class CommandLog: @unchecked Sendable {
    private let lock = NSLock()
    private var commands: [String] = []

    func append(_ command: String) { lock.withLock { commands.append(command) } }
    var all: [String] { lock.withLock { commands } }
}
