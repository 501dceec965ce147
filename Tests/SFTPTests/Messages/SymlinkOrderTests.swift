import SFTP
import Testing

/// Which order SYMLINK's paths travel in with each peer (OpenSSH PROTOCOL §4.1).
struct SymlinkOrderTests {
    @Test func asyncSSHPutsTheLinkFirstWithPeersItDoesNotKnow() {
        let ours = "SSH-2.0-Paramiko_Swift_0.1"
        #expect(SFTPSymlinkOrder.peerPutsLinkFirst(peer: "SSH-2.0-AsyncSSH_2.24.1", ours: ours))
        #expect(!SFTPSymlinkOrder.peerPutsLinkFirst(peer: "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", ours: ours))
        #expect(!SFTPSymlinkOrder.peerPutsLinkFirst(peer: "SSH-2.0-paramiko_3.5.1", ours: ours))
        // AsyncSSH keeps to OpenSSH's order with peers whose identification names OpenSSH or paramiko.
        #expect(!SFTPSymlinkOrder.peerPutsLinkFirst(peer: "SSH-2.0-AsyncSSH_2.24.1", ours: "SSH-2.0-OpenSSH_9.2"))
        #expect(!SFTPSymlinkOrder.peerPutsLinkFirst(peer: "SSH-2.0-AsyncSSH_2.24.1", ours: "SSH-2.0-paramiko_swift"))
    }

    @Test func serverOptionsFollowTheClient() {
        let ours = "SSH-2.0-Paramiko_Swift_0.1"
        #expect(SFTPServerOptions().symlinkTargetFirst)
        #expect(!SFTPServerOptions(clientIdentification: "SSH-2.0-AsyncSSH_2.24.1", serverIdentification: ours).symlinkTargetFirst)
        #expect(SFTPServerOptions(clientIdentification: "SSH-2.0-OpenSSH_9.2", serverIdentification: ours).symlinkTargetFirst)
    }
}
