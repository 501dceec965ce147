import Foundation
import SFTP
import SSHAuth
import SSHClient
import SSHConnection
import SSHCrypto
import SSHServer
import SSHWire

/// The policy of `paramiko serve`: accounts from `--password` (through both password and
/// keyboard-interactive authentication, as sshd with PAM), `--authorized-keys` and, with
/// `--gssapi-keytab`, Kerberos principals by the library's login rules; exec and
/// shells only with `--allow-exec`, forwardings only with `--allow-forwarding`, tunnels only as
/// `--permit-tunnel` allows; SFTP always, confined to the root.
struct ServeDelegate: SSHServerDelegate {
    var passwords: [String: String]
    var authorizedKeys: [AuthorizedKeys]
    var allowExec: Bool
    var allowForwarding: Bool
    /// The tunnels `--permit-tunnel` allows (ssh -w, OpenSSH PROTOCOL §2.3).
    var tunnelModes: Set<TunnelMode> = []
    var process: LocalProcessOptions

    func decide(_ request: ServerAuthRequest) async -> ServerAuthDecision {
        switch request {
        case .password(let user, let password, _):
            return passwordMatches(user, password) ? .success : .failure
        case .keyboardInteractive:
            return .prompt(.init(name: "", instruction: "", prompts: [.init(prompt: "Password: ", echo: false)]))
        case .keyboardInteractiveResponses(let user, let responses):
            return responses.count == 1 && passwordMatches(user, responses[0]) ? .success : .failure
        case .publicKey(let user, let key, _, let signed, _):
            let now = UInt64(max(0, Date().timeIntervalSince1970))
            let authorized = authorizedKeys.contains {
                $0.authorize(key, user: user, clientAddress: "127.0.0.1", now: now) != nil
            }
            guard authorized else { return .failure }
            return signed ? .success : .publicKeyAcceptable
        case .gssapi(let user, let principal), .gssapiKeyExchange(let user, let principal):
            return KerberosLogin.allows(principal: principal, user: user) ? .success : .failure
        default:
            return .failure
        }
    }

    private func passwordMatches(_ user: String, _ password: String) -> Bool {
        // Compared even for unknown users, so both take alike.
        let expected = passwords[user] ?? UUID().uuidString
        return ConstantTime.equals(Array(expected.utf8), Array(password.utf8)) && passwords[user] != nil
    }

    func acceptsChannel(_ type: ChannelType, connection: SSHServerConnectionInfo) async -> Bool {
        switch type {
        case .session: true
        case .directTCPIP, .directStreamLocal: allowForwarding
        case .tunnel(let mode, _): tunnelModes.contains(mode)
        default: false
        }
    }

    func allowsSessionRequest(_ request: ChannelRequestType, session: SessionContext) async -> Bool {
        switch request {
        case .pseudoTerminal, .environment, .windowChange, .signal: allowExec
        case .authAgent: allowForwarding
        default: false
        }
    }

    func exec(_ command: String, session: SessionContext) async -> SessionAction {
        allowExec ? .runProcess(process) : .deny
    }

    func shell(session: SessionContext) async -> SessionAction {
        allowExec ? .runProcess(process) : .deny
    }

    func allowsDirectTCPIP(host: String, port: Int, connection: SSHServerConnectionInfo) async -> Bool { allowForwarding }
    func allowsRemoteForward(address: String, port: Int, connection: SSHServerConnectionInfo) async -> Bool {
        allowForwarding
    }
    func allowsDirectStreamLocal(path: String, connection: SSHServerConnectionInfo) async -> Bool { allowForwarding }
    func allowsStreamLocalForward(path: String, connection: SSHServerConnectionInfo) async -> Bool { allowForwarding }
}
