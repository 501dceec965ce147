/// The options gathered while reading configuration files: OpenSSH's `Options` structure. For most keywords
/// the first value obtained wins; unset means absent from `values`.
struct Options: Sendable {
    /// Scalar options as `ssh -G` prints them (multistate words normalised, times in seconds).
    var values: [SSHConfigKeyword: String] = [:]
    /// Options whose value is one list set at once, first wins (`UserKnownHostsFile`, `CanonicalDomains`, ...).
    var lists: [SSHConfigKeyword: [String]] = [:]
    /// `IdentityFile` entries and whether each came from a user configuration.
    var identityFiles: [(path: String, userProvided: Bool)] = []
    var certificateFiles: [(path: String, userProvided: Bool)] = []
    var localForwards: [SSHForwarding] = []
    var remoteForwards: [SSHForwarding] = []
    var sendEnv: [String] = []
    /// `ProxyJump`; a host of `none` with port 0 records an explicit `ProxyJump none`.
    var jumpHost: SSHJumpHost?
    /// The rekey interval of `RekeyLimit`, in seconds.
    var rekeyInterval: Int?
    /// A `ForwardAgent` socket path; first wins on its own, apart from the yes/no flag.
    var forwardAgentPath: String?
    /// The remembered `StreamLocalBindMask`; unlike other options the last one read wins.
    var streamLocalBindMask: Int?

    func has(_ keyword: SSHConfigKeyword) -> Bool { values[keyword] != nil }

    /// Sets a scalar unless it is already set.
    mutating func setFirst(_ keyword: SSHConfigKeyword, _ value: String) {
        if values[keyword] == nil { values[keyword] = value }
    }

    mutating func addIdentityFile(_ path: String, userProvided: Bool) {
        if !identityFiles.contains(where: { $0.path == path && $0.userProvided == userProvided }) {
            identityFiles.append((path, userProvided))
        }
    }

    mutating func addCertificateFile(_ path: String, userProvided: Bool) {
        if !certificateFiles.contains(where: { $0.path == path && $0.userProvided == userProvided }) {
            certificateFiles.append((path, userProvided))
        }
    }

    mutating func addForward(_ forward: SSHForwarding, remote: Bool) {
        if remote {
            if !remoteForwards.contains(forward) { remoteForwards.append(forward) }
        } else if !localForwards.contains(forward) {
            localForwards.append(forward)
        }
    }
}
