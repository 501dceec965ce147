/// Why a known_hosts line, entry or file was refused (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT").
///
/// OpenSSH's hostfile.c skips a line it cannot parse, noting it only in debug output, and carries on with
/// the rest of the file; ``HostKeys`` does the same, keeps such a line byte for byte so that a save does not
/// lose it, and reports the reason here, numbered in ``HostKeys/lineErrors``.
public enum KnownHostsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The line is longer than ``HostKeys/maximumLineLength`` bytes.
    case lineTooLong(length: Int)
    /// The line holds bytes that are not UTF-8, outside a comment.
    case notUTF8
    /// The line is blank or a `#` comment, where an entry was wanted.
    case notAnEntry
    /// A word starting with `@` that is not `@cert-authority` or `@revoked`, a second marker, or a marker
    /// with nothing after it (hostfile.c accepts exactly one known marker, followed by white space).
    case invalidMarker(String)
    /// The line names hosts but has no key type or no key after them ("truncated before key type").
    case missingKey
    /// A host field starting with `|` that is not `|1|base64-salt|base64-hash` with a 20-byte salt and a
    /// 20-byte HMAC-SHA1 (hostfile.c `extract_salt`).
    case invalidHashedName(String)
    /// The key field is not valid base64.
    case invalidBase64
    /// The key type is not one this library reads.
    case unknownKeyType(String)
    /// The type written before the key differs from the type inside the key blob.
    case keyTypeMismatch(declared: String, actual: String)
    /// The key blob is malformed.
    case invalidKey(String)
    /// A host name, pattern or comment given to build an entry that cannot stand in one known_hosts line:
    /// empty, or holding white space, a line break, or (in a host name) a comma.
    case unwritableField(String)
    /// HMAC-SHA1 failed in libcrypto while hashing a host name.
    case hashingFailed(String)
    /// The file does not exist (ssh treats a missing known_hosts file as an empty one).
    case fileNotFound(path: String)
    /// The file is larger than ``HostKeys/maximumFileSize`` bytes and was not read.
    case fileTooLarge(path: String, size: Int)
    /// The file exists but could not be read.
    case unreadable(path: String, reason: String)
    /// The file could not be written; the old file, if any, is untouched.
    case unwritable(path: String, reason: String)

    /// A sentence that says what is wrong.
    public var description: String {
        switch self {
        case .lineTooLong(let length):
            "the line is \(length) bytes long, over the limit of \(HostKeys.maximumLineLength)"
        case .notUTF8: "the line is not valid UTF-8"
        case .notAnEntry: "the line is blank or a comment, not a host key entry"
        case .invalidMarker(let marker):
            "\"\(marker)\" is not a marker known_hosts allows (one of @cert-authority or @revoked, then a space)"
        case .missingKey: "the line names hosts but no key type and key follow"
        case .invalidHashedName(let field): "\"\(field)\" is not a hashed host name of the form |1|salt|hash"
        case .invalidBase64: "the key is not valid base64"
        case .unknownKeyType(let type): "the key type \"\(type)\" is not supported"
        case .keyTypeMismatch(let declared, let actual): "the line says \(declared) but the key is \(actual)"
        case .invalidKey(let detail): "the key is malformed: \(detail)"
        case .unwritableField(let field): "\"\(field)\" cannot be written as one known_hosts field"
        case .hashingFailed(let detail): "hashing the host name failed: \(detail)"
        case .fileNotFound(let path): "\(path) does not exist"
        case .fileTooLarge(let path, let size):
            "\(path) is \(size) bytes, over the limit of \(HostKeys.maximumFileSize) for a known_hosts file"
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}
