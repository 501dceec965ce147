import ArgumentParser
import Dispatch
import Foundation
import Logging
import SFTP
import SSHAuth
import SSHClient
import SSHConfig
import SSHCrypto
import SSHServer
import SSHWire
import SSHTransport

/// `paramiko serve`: a ready SSH server with exec, shells on a pty, SFTP confined to a root and
/// forwarding, for tests and demos.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run an SSH server: exec, shells, SFTP and forwarding for the accounts given."
    )

    @Option(help: "Address and port to listen on (port 0 picks a free one).")
    var listen = "127.0.0.1:2222"

    @Option(name: .customLong("host-key"), help: "A host key file (repeatable). Without one, an ephemeral Ed25519 key.")
    var hostKeys: [String] = []

    @Option(
        name: .customLong("host-certificate"),
        help: "A host certificate (repeatable), served with the host key it certifies, as sshd's HostCertificate.")
    var hostCertificates: [String] = []

    @Option(name: .customLong("authorized-keys"), help: "An authorized_keys file whose keys may log in as any user (repeatable).")
    var authorizedKeys: [String] = []

    @Option(help: "An account USER:SECRET, for password and keyboard-interactive login (repeatable).")
    var password: [String] = []

    @Option(
        name: .customLong("gssapi-keytab"),
        help: "Offer GSS-API key exchange, gssapi-keyex and gssapi-with-mic with this keytab: a principal logs in as the user Kerberos maps it to.")
    var gssapiKeytab: String?

    @Option(help: "The SFTP root and the working directory of commands.")
    var root: String?

    @Flag(name: .customLong("allow-exec"), help: "Run exec requests and shells (as the server's own user).")
    var allowExec = false

    @Flag(name: .customLong("allow-forwarding"), help: "Allow -L, -R, Unix-socket and agent forwarding.")
    var allowForwarding = false

    @Option(
        name: .customLong("pubkey-accepted-algorithms"),
        help: "The signature algorithms a publickey login may use, as sshd's PubkeyAcceptedAlgorithms (+ssh-rsa adds SHA-1 RSA).")
    var pubkeyAcceptedAlgorithms: String?

    @Option(
        name: .customLong("permit-tunnel"),
        help: "Tunnels to this host's tun and tap devices (ssh -w), as sshd's PermitTunnel: yes, point-to-point, ethernet or no.")
    var permitTunnel = "no"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(name: .customLong("shutdown-grace"), help: "Seconds sessions may go on after SIGTERM or SIGINT.")
    var shutdownGrace = 2.0

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "paramiko.serve")
        let (host, port) = try Self.address(listen)
        var keys: [any TransportHostKey] = []
        for path in hostKeys {
            do {
                keys.append(try SSHPrivateKey(path: path))
            } catch {
                throw ValidationError("cannot read host key \(path): \(error)")
            }
        }
        for path in hostCertificates {
            let certificate: SSHPublicKey
            do {
                certificate = try SSHPublicKey.parse(fileContents: String(contentsOfFile: path, encoding: .utf8)).key
            } catch {
                throw ValidationError("cannot read host certificate \(path): \(error)")
            }
            guard let key = keys.compactMap({ $0 as? SSHPrivateKey }).first(where: { $0.publicKey == certificate.certificate?.key })
            else { throw ValidationError("no --host-key is the key \(path) certifies") }
            do {
                keys.insert(try CertifiedHostKey(privateKey: key, certificate: certificate), at: 0)
            } catch {
                throw ValidationError("\(path): \(error)")
            }
        }
        if keys.isEmpty {
            let key = try SSHPrivateKey.generate(.ed25519)
            keys.append(key)
            print("ephemeral host key: \(key.publicKey.fingerprint())")
        }
        var accounts: [String: String] = [:]
        for account in password {
            guard let colon = account.firstIndex(of: ":") else {
                throw ValidationError("--password takes USER:SECRET, not \(account)")
            }
            accounts[String(account[..<colon])] = String(account[account.index(after: colon)...])
        }
        let tunnelModes: Set<TunnelMode>
        switch permitTunnel {
        case "yes": tunnelModes = [.pointToPoint, .ethernet]
        case "point-to-point": tunnelModes = [.pointToPoint]
        case "ethernet": tunnelModes = [.ethernet]
        case "no": tunnelModes = []
        default: throw ValidationError("--permit-tunnel takes yes, point-to-point, ethernet or no, not \(permitTunnel)")
        }
        var authorized: [AuthorizedKeys] = []
        for path in authorizedKeys {
            do {
                authorized.append(try AuthorizedKeys(contentsOfFile: path))
            } catch {
                throw ValidationError("cannot read \(path): \(error)")
            }
        }
        let root = self.root.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let fileSystem: LocalFileSystem
        do {
            fileSystem = try LocalFileSystem(root: root ?? "/", home: root == nil ? FileManager.default.currentDirectoryPath : "/")
        } catch {
            throw ValidationError("cannot serve \(root ?? "/"): \(error)")
        }
        var configuration = SSHServerConfiguration()
        if let pubkeyAcceptedAlgorithms {
            do {
                configuration.authentication.publicKeyAlgorithms = try SSHAlgorithmList.assemble(
                    pubkeyAcceptedAlgorithms, defaults: ServerAuthConfiguration.defaultPublicKeyAlgorithms,
                    supported: ServerAuthConfiguration.supportedPublicKeyAlgorithms)
            } catch {
                throw ValidationError("--pubkey-accepted-algorithms \(pubkeyAcceptedAlgorithms): no algorithm this server supports")
            }
        }
        if let gssapiKeytab {
            guard FileManager.default.isReadableFile(atPath: gssapiKeytab) else {
                throw ValidationError("cannot read keytab \(gssapiKeytab)")
            }
            configuration.authentication.methods.insert(contentsOf: ["gssapi-keyex", "gssapi-with-mic"], at: 0)
            configuration.authentication.gssapiKeytab = gssapiKeytab
            // GSS-API key exchange too, as sshd's GSSAPIKeyExchange.
            configuration.transport.gssKeyExchange = GSSKeyExchange(makeAcceptor: {
                try GSSSecurityContext(acceptorWithKeytab: gssapiKeytab)
            })
            configuration.transport.algorithms.keyExchange =
                KeyExchangeMethod.gssDefaults.map(\.name) + configuration.transport.algorithms.keyExchange
        }
        configuration.subsystems["sftp"] = { channel, session in
            do {
                let options = SFTPServerOptions(
                    clientIdentification: session.connection.clientVersion,
                    serverIdentification: session.connection.serverVersion)
                try await SFTPServer(fileSystem: fileSystem, options: options).run(over: channel.sftpByteStream)
                return 0
            } catch {
                return 1
            }
        }
        let shell = ProcessInfo.processInfo.environment["SHELL"].flatMap { $0.isEmpty ? nil : $0 } ?? "/bin/sh"
        var environment: [String: String] = [:]
        for name in ["HOME", "LANG", "PATH"] { environment[name] = ProcessInfo.processInfo.environment[name] }
        let delegate = ServeDelegate(
            passwords: accounts, authorizedKeys: authorized, allowExec: allowExec, allowForwarding: allowForwarding,
            tunnelModes: tunnelModes, process: LocalProcessOptions(shell: shell, workingDirectory: root, environment: environment))
        let server = try await SSHServer.listen(
            host: host, port: port, hostKeys: keys, delegate: delegate, configuration: configuration, logger: logger)
        print("listening on \(host):\(server.port)")
        fflush(nil)
        let stopping = SignalWatch(signals: [SIGTERM, SIGINT]) {
            logger.info("shutting down")
            Task { await server.shutdown(gracePeriod: .milliseconds(Int(shutdownGrace * 1000))) }
        }
        await server.waitUntilStopped()
        stopping.cancel()
    }

    /// Splits `host:port` (`[v6]:port` too).
    static func address(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
        else { throw ValidationError("--listen takes HOST:PORT, not \(text)") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}

/// Runs `action` once on any of `signals`, on a dispatch queue rather than in a signal handler.
final class SignalWatch {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], action: @escaping @Sendable () -> Void) {
        let queue = DispatchQueue(label: "paramiko.signals")
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler(handler: action)
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
