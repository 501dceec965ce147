import Foundation
import SFTP
import SSHTestSupport
import Testing

/// The servers the client is proven against: OpenSSH's sftp-server and ours, as a process over pipes
/// and in memory.
enum ServerKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case openSSH, paramikoProcess, inMemory

    var testDescription: String { rawValue }

    /// Every kind whose peer is installed.
    static var available: [ServerKind] {
        allCases.filter { $0 != .openSSH || SFTPPeer.openSSHServerAvailable }
    }
}

/// A running server with a connected client; `base` is the remote path of the local directory served.
struct ServerUnderTest: Sendable {
    let client: SFTPClient
    let base: String
    let kind: ServerKind
    private let peer: SFTPPeer?

    /// Starts a server of `kind` on `directory` and connects a client.
    static func start(_ kind: ServerKind, serving directory: String, options: SFTPClientOptions = .init())
        async throws -> ServerUnderTest
    {
        switch kind {
        case .openSSH:
            let peer = try SFTPPeer.openSSH(startingIn: directory)
            return ServerUnderTest(
                client: try await peer.connect(options: options), base: directory, kind: kind, peer: peer)
        case .paramikoProcess:
            let peer = try SFTPPeer([try Peers.paramiko(), "sftp-server", "--root", directory])
            return ServerUnderTest(client: try await peer.connect(options: options), base: "/", kind: kind, peer: peer)
        case .inMemory:
            let (clientSide, serverSide) = SFTPByteStream.makePair()
            let server = SFTPServer(fileSystem: try LocalFileSystem(root: directory))
            Task { try? await server.run(over: serverSide) }
            let client = try await SFTPClient.connect(over: clientSide, options: options)
            return ServerUnderTest(client: client, base: "/", kind: kind, peer: nil)
        }
    }

    /// `name` under the served directory, as the client names it.
    func remote(_ name: String) -> String { base == "/" ? "/" + name : base + "/" + name }

    func stop() async {
        await client.close()
        peer?.stop()
    }
}

