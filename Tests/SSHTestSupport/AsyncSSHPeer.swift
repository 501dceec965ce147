import Foundation

/// Python's asyncssh (PyPI), a second independent implementation of the client and the server,
/// driven by scripts the tests pass to `python3 -c`.
public enum AsyncSSHPeer {
    /// `python3`, when installed.
    public static var python: String? { Peers.executable("python3") }

    /// Whether asyncssh can be imported; under CI a test runs anyway and fails without it.
    public static let installed: Bool = {
        guard let python else { return false }
        return (try? Peers.run([python, "-c", "import asyncssh"]).status) == 0
    }()

    /// True when the asyncssh tests should run.
    public static var available: Bool { installed || Peers.required }

    /// The algorithms asyncssh knows, one `KIND name` line each (kinds `kex`, `cipher`, `mac`,
    /// `key`, `compression`), so a test can tell the methods it lacks from ones that failed.
    public static let algorithmsScript = """
        from asyncssh.kex import get_kex_algs
        from asyncssh.encryption import get_encryption_algs
        from asyncssh.mac import get_mac_algs
        from asyncssh.public_key import get_public_key_algs
        from asyncssh.compression import get_compression_algs
        for kind, names in (("kex", get_kex_algs()), ("cipher", get_encryption_algs()), ("mac", get_mac_algs()),
                            ("key", get_public_key_algs()), ("compression", get_compression_algs())):
            for name in names: print(kind, name.decode())
        """

    /// The algorithms asyncssh knows, by kind (``algorithmsScript``); empty without asyncssh.
    public static let algorithms: [String: Set<String>] = {
        guard installed, let python, let result = try? Peers.run([python, "-c", algorithmsScript]) else { return [:] }
        var kinds: [String: Set<String>] = [:]
        for line in result.output.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2 { kinds[parts[0], default: []].insert(parts[1]) }
        }
        return kinds
    }()
}
