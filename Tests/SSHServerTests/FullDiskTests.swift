import Foundation
import SFTP
import SSHClient
import SSHServer
import SSHTestSupport
import Testing

/// Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN).
enum TmpfsMount {
    static let possible: Bool = {
        guard getuid() == 0, let directory = try? Peers.temporaryDirectory("paramiko-mount") else { return false }
        defer { try? FileManager.default.removeItem(at: directory) }
        guard (try? Peers.run(["/bin/mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", directory.path]))?.status == 0 else {
            return false
        }
        _ = try? Peers.run(["/bin/umount", directory.path])
        return true
    }()
}

/// SFTP over SSH onto a full disk (a 1 MiB tmpfs, mounted when the tests may mount): the upload
/// fails with the file system's reason and is never reported complete.
@Suite(.enabled(if: TmpfsMount.possible, "mounting a tmpfs needs root and CAP_SYS_ADMIN"), .serialized)
struct FullDiskTests {

    @Test func uploadOntoAFullDiskFailsAndSaysWhy() async throws {
        let directory = try Peers.temporaryDirectory("paramiko-full")
        let mountPoint = directory.appendingPathComponent("disk").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mounted = try Peers.run(["/bin/mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint])
        try #require(mounted.status == 0, "mount failed: \(mounted.output)")
        defer {
            _ = try? Peers.run(["/bin/umount", mountPoint])
            try? FileManager.default.removeItem(at: directory)
        }
        let source = directory.appendingPathComponent("big.bin").path
        try #require(FileManager.default.createFile(atPath: source, contents: Data(repeating: 0x55, count: 4 << 20)))
        var configuration = SSHServerConfiguration()
        configuration.subsystems["sftp"] = sftpSubsystem(root: mountPoint)
        try await EndToEndTests.withPair(configuration: configuration) { client, _ in
            let sftp = try await client.openSFTP()
            do {
                let sent = try await sftp.put(source, to: "/big.bin")
                Issue.record("an upload of 4 MiB onto 1 MiB was reported complete (\(sent) bytes)")
            } catch let error as SFTPError {
                #expect(error.code == .failure || error.code == .otherStatus, "\(error)")
                #expect("\(error)".lowercased().contains("space"), "\(error)")
            }
            // The session goes on: the server still answers.
            try await sftp.mkdir("/after")
            await sftp.close()
        }
    }
}
