import SSHWire

/// An SFTP failure: a STATUS the peer sent, a malformed message, or a check of ours that refused to go on.
///
/// Switch on ``code``; ``detail`` says what happened and whose side it came from (the peer's own message
/// for a STATUS, our reason otherwise). Every error maps to the STATUS a server answers with
/// (``statusCode``, draft-ietf-secsh-filexfer-02 §7), so a server turns any error into its wire action.
public struct SFTPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of SFTP error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case endOfFile, noSuchFile, permissionDenied, failure, badMessage, noConnection, connectionLost
            case operationUnsupported, otherStatus, unsafeName, sizeMismatch, invalidArgument
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `SSH_FX_EOF` (§7): end of file, or no more directory entries.
        public static let endOfFile = Code(.endOfFile)
        /// `SSH_FX_NO_SUCH_FILE` (§7): a path that does not exist.
        public static let noSuchFile = Code(.noSuchFile)
        /// `SSH_FX_PERMISSION_DENIED` (§7).
        public static let permissionDenied = Code(.permissionDenied)
        /// `SSH_FX_FAILURE` (§7): any other failure of an operation.
        public static let failure = Code(.failure)
        /// `SSH_FX_BAD_MESSAGE` (§7): a malformed packet, from the peer or refused by us.
        public static let badMessage = Code(.badMessage)
        /// `SSH_FX_NO_CONNECTION` (§7): there is no connection (yet).
        public static let noConnection = Code(.noConnection)
        /// `SSH_FX_CONNECTION_LOST` (§7): the byte stream ended with requests outstanding.
        public static let connectionLost = Code(.connectionLost)
        /// `SSH_FX_OP_UNSUPPORTED` (§7): the operation or extension is not implemented by the peer.
        public static let operationUnsupported = Code(.operationUnsupported)
        /// A STATUS code that draft-02 does not define; ``SFTPError/statusCode`` holds it.
        public static let otherStatus = Code(.otherStatus)
        /// A name from READDIR that is not a single path component (contains `/` or NUL, or is `.`,
        /// `..` or empty): refused so that a hostile server cannot steer a download (LIMITS.md).
        public static let unsafeName = Code(.unsafeName)
        /// A transfer ended with a byte count other than the expected size.
        public static let sizeMismatch = Code(.sizeMismatch)
        /// An argument of ours cannot be sent (for example a handle over 256 bytes).
        public static let invalidArgument = Code(.invalidArgument)

        public var description: String { String(describing: base) }
    }

    /// What kind of error this is.
    public let code: Code
    /// A human-readable explanation; for a STATUS, the peer's own message.
    public let detail: String
    /// The STATUS code that carries this error on the wire (§7).
    public let statusCode: SFTPStatusCode

    /// Creates an error with a code and a detail; the wire status follows from the code.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
        self.statusCode = Self.statusCode(for: code)
    }

    /// The error a STATUS reply carries (draft-02 §7); `OK` is not an error and maps to `.failure`.
    public init(status: SFTPStatus) {
        let code: Code
        switch status.code {
        case .endOfFile: code = .endOfFile
        case .noSuchFile: code = .noSuchFile
        case .permissionDenied: code = .permissionDenied
        case .failure, .ok: code = .failure
        case .badMessage: code = .badMessage
        case .noConnection: code = .noConnection
        case .connectionLost: code = .connectionLost
        case .operationUnsupported: code = .operationUnsupported
        default: code = .otherStatus
        }
        self.code = code
        self.detail = status.message.isEmpty ? "server: \(status.code)" : "server: \(status.message)"
        self.statusCode = status.code == .ok ? .failure : status.code
    }

    /// A malformed message from the peer (`SSH_FX_BAD_MESSAGE`).
    public init(_ wireError: WireError) {
        self.init(.badMessage, wireError.description)
    }

    /// The STATUS a server sends for this error (draft-02 §7).
    public var status: SFTPStatus { SFTPStatus(code: statusCode, message: detail) }

    private static func statusCode(for code: Code) -> SFTPStatusCode {
        switch code {
        case .endOfFile: .endOfFile
        case .noSuchFile: .noSuchFile
        case .permissionDenied: .permissionDenied
        case .badMessage: .badMessage
        case .noConnection: .noConnection
        case .connectionLost: .connectionLost
        case .operationUnsupported: .operationUnsupported
        default: .failure
        }
    }

    public var description: String { "SFTPError.\(code): \(detail)" }
}
