import Foundation

/// A local account with a known password for password and keyboard-interactive tests against
/// sshd, created once (with `useradd` and `chpasswd`) when the tests run as root.
public enum TestUser {
    /// The account's name.
    public static let name = "paramikotest"
    /// Its password.
    public static let password = "Paramiko-test-1"

    private static let created: Bool = {
        guard getuid() == 0, let useradd = Peers.executable("useradd"), let chpasswd = Peers.executable("chpasswd")
        else { return false }
        if getpwnam(name) == nil {
            _ = try? Peers.run([useradd, "-M", "-d", "/nonexistent", "-s", "/bin/sh", name])
        }
        guard getpwnam(name) != nil else { return false }
        let set = try? Peers.run([chpasswd], input: Data("\(name):\(password)\n".utf8))
        return set?.status == 0
    }()

    /// True when the account exists with ``password``.
    public static var available: Bool { created }
}
