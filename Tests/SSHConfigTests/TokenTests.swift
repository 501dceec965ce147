import SSHConfig
import Testing

struct TokenTests {
    let expander = SSHTokenExpander(
        tokens: ["h": "host.example", "p": "22", "r": "deploy", "u": "tester"],
        environment: ["HOME": "/home/tester", "EMPTY": ""])

    @Test(arguments: [
        ("%h:%p", "host.example:22"), ("%%h", "%h"), ("100%%", "100%"), ("%r@%h", "deploy@host.example"),
        ("no tokens", "no tokens"), ("%u%u", "testertester"),
    ])
    func percentTokens(_ text: String, _ expected: String) throws {
        #expect(try expander.expand(text) == expected)
    }

    @Test func environmentReferences() throws {
        #expect(try expander.expand("${HOME}/.ssh/%h", environmentReferences: true) == "/home/tester/.ssh/host.example")
        #expect(try expander.expand("${HOME}", environmentReferences: false) == "${HOME}")
        #expect(try expander.expand("$HOME/x", environmentReferences: true) == "$HOME/x")
        #expect(try expander.expand("a${EMPTY}b", environmentReferences: true) == "ab")
    }

    @Test func errors() {
        #expect(throws: SSHTokenExpander.Problem.unknownToken("Z")) { try expander.expand("%Z") }
        #expect(throws: SSHTokenExpander.Problem.trailingPercent) { try expander.expand("50%") }
        #expect(throws: SSHTokenExpander.Problem.badEnvironmentReference("NOPE")) {
            try expander.expand("${NOPE}", environmentReferences: true)
        }
        #expect(throws: SSHTokenExpander.Problem.self) { try expander.expand("${HOME", environmentReferences: true) }
    }

    @Test func resolvedTokens() throws {
        let config = SSHConfig(
            text: "Host db\n  HostName DB.Internal\n  User admin\n  Port 2200\n  HostKeyAlias DbKey\n",
            environment: testEnvironment())
        let resolved = try config.resolve(host: "db")
        let tokens = resolved.tokens
        #expect(tokens.host == "db.internal")
        #expect(tokens.originalHost == "db")
        #expect(tokens.port == "2200")
        #expect(tokens.remoteUser == "admin")
        #expect(tokens.localUser == "tester")
        #expect(tokens.hostKeyAlias == "dbkey")
        #expect(tokens.shortLocalHostname == "workstation")
        #expect(tokens.localHostname == "workstation.example.net")
        #expect(tokens.homeDirectory == "/home/tester")
        #expect(tokens.userID == "1000")
        // %C is SHA-1 of %l%h%p%r.
        #expect(tokens.connectionHash.count == 40)
        #expect(try resolved.expand("%C") == tokens.connectionHash)
        #expect(try resolved.expand("tun%T", extra: ["T": "tun0"]) == "tuntun0")
        #expect(throws: SSHTokenExpander.Problem.unknownToken("T")) { try resolved.expand("%T") }
    }

    @Test func tokensExpandedForSSHDashG() throws {
        let text = """
            Host *
              ControlPath ~/.ssh/cm-%r@%h:%p
              RemoteCommand echo %n %%
              IdentityFile ~/.ssh/id_%h
              UserKnownHostsFile ${HOME}/kh_%h
            """
        let resolved = try SSHConfig(text: text, environment: testEnvironment()).resolve(host: "Box", user: "u")
        #expect(resolved.string(.controlPath) == "/home/tester/.ssh/cm-u@box:22")
        #expect(resolved.string(.remoteCommand) == "echo Box %")
        #expect(resolved.identityFiles == ["~/.ssh/id_%h"])
        #expect(resolved.list(.userKnownHostsFile) == ["/home/tester/kh_box"])
    }
}
