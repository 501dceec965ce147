import SSHCrypto
import Testing

@Suite("authorized_keys lines")
struct AuthorizedKeyTests {
    static let keyLine = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIES0OCsOy8vcOrYtdz0tH5DjAD9miMXoSDfgYz6X6BzA"

    @Test func plainLine() throws {
        let entry = try AuthorizedKey(line: Self.keyLine + " alice@laptop")
        #expect(entry.comment == "alice@laptop")
        #expect(entry.options == AuthorizedKeyOptions())
        #expect(entry.key.openSSHLine == Self.keyLine)
    }

    @Test func everyOption() throws {
        let options =
            #"command="echo \"hi\", there",from="10.0.0.0/8,*.example.com",environment="A=b","#
            + #"permitopen="db:5432",permitopen="cache:6379",permitlisten="8080",principals="alice,bob","#
            + #"expiry-time="20991231",tunnel="1",cert-authority,restrict,no-pty,no-port-forwarding,"#
            + #"no-agent-forwarding,no-X11-forwarding,no-user-rc,pty,port-forwarding,agent-forwarding,"#
            + #"x11-forwarding,user-rc,no-touch-required,verify-required"#
        let entry = try AuthorizedKey(line: options + " " + Self.keyLine + " comment with spaces")
        let parsed = entry.options
        #expect(parsed.command == #"echo "hi", there"#)
        #expect(parsed.from == ["10.0.0.0/8", "*.example.com"])
        #expect(parsed.environment == ["A=b"])
        #expect(parsed.permitOpen == ["db:5432", "cache:6379"])
        #expect(parsed.permitListen == ["8080"])
        #expect(parsed.principals == ["alice", "bob"])
        #expect(parsed.expiryTime == "20991231")
        #expect(parsed.tunnel == "1")
        #expect(parsed.certAuthority && parsed.restrict && parsed.noPTY && parsed.noPortForwarding)
        #expect(parsed.noAgentForwarding && parsed.noX11Forwarding && parsed.noUserRC && parsed.pty)
        #expect(parsed.portForwarding && parsed.agentForwarding && parsed.x11Forwarding && parsed.userRC)
        #expect(parsed.noTouchRequired && parsed.verifyRequired)
        #expect(entry.comment == "comment with spaces")
    }

    @Test(arguments: [
        "bogus-option " + keyLine,
        #"command="unterminated "# + keyLine,
        "command=unquoted " + keyLine,
        "no-pty=\"x\" " + keyLine,
        #"expiry-time="tomorrow" "# + keyLine,
        "",
        "# comment",
    ])
    func badLinesThrow(_ line: String) {
        #expect(throws: KeyFileError.self) { _ = try AuthorizedKey(line: line) }
    }

    @Test func renderedLinesParseBack() throws {
        let options = #"restrict,pty,command="echo \"hi\"",from="10.0.0.0/8,!10.1.0.0/16",environment="A=b""#
        let entry = try AuthorizedKey(line: options + " " + Self.keyLine + " me@host")
        let again = try AuthorizedKey(line: entry.line)
        #expect(again == entry)
        #expect(entry.line.hasSuffix(Self.keyLine + " me@host"))
    }

    @Test func wholeFile() throws {
        let text = """
            # keys for deploy
            \(Self.keyLine) first

            no-pty \(Self.keyLine) second
            bogus \(Self.keyLine) third
            """
        let (keys, refused) = AuthorizedKey.entries(in: text)
        #expect(keys.map(\.comment) == ["first", "second"])
        #expect(refused.map(\.line) == [5])
    }
}
