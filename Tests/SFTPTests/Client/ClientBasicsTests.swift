import Foundation
import NIOCore
import SFTP
import SSHTestSupport
import Testing

@Suite(.enabled(if: SFTPPeer.openSSHServerAvailable))
struct ClientBasicsTests {
    @Test func versionAndExtensionsOfOpenSSH() async throws {
        let peer = try SFTPPeer.openSSH()
        defer { peer.stop() }
        let client = try await peer.connect()
        #expect(client.serverVersion == 3)
        #expect(client.supports(SFTPExtensionName.posixRename))
        #expect(client.limits?.maximumReadLength == 261_120)
        #expect(client.symlinkTargetFirst)
        await client.close()
    }
}
