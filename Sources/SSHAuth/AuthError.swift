/// An error of user authentication (RFC 4252): a switchable ``code`` and a ``detail`` saying
/// whose doing it was.
public struct AuthError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of authentication error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case protocolError, exhausted, timedOut, invalidCredential, connectionClosed, refused, declined
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The peer sent a message that does not belong at this point, or a malformed one.
        public static let protocolError = Code(.protocolError)
        /// Every credential was tried and the server accepted none (Paramiko's
        /// AuthenticationException); ``AuthError/allowedMethods`` says what it still wanted.
        public static let exhausted = Code(.exhausted)
        /// Authentication did not finish within its time limit.
        public static let timedOut = Code(.timedOut)
        /// A credential cannot be used as given (a certificate for another key, a key file that fails).
        public static let invalidCredential = Code(.invalidCredential)
        /// The transport ended during authentication.
        public static let connectionClosed = Code(.connectionClosed)
        /// The server refused to start authentication (no `ssh-userauth` service).
        public static let refused = Code(.refused)
        /// Our user declined to give what a credential needs (no passphrase, no password): the
        /// authenticator passes on to the next credential.
        public static let declined = Code(.declined)

        public var description: String {
            switch base {
            case .protocolError: "protocolError"
            case .exhausted: "exhausted"
            case .timedOut: "timedOut"
            case .invalidCredential: "invalidCredential"
            case .connectionClosed: "connectionClosed"
            case .refused: "refused"
            case .declined: "declined"
            }
        }
    }

    /// What kind of error this is.
    public let code: Code
    /// What happened, in words.
    public let detail: String
    /// For ``Code/exhausted``: the methods the server said could continue.
    public let allowedMethods: [String]

    /// An error of `code` with `detail`.
    public init(_ code: Code, _ detail: String, allowedMethods: [String] = []) {
        self.code = code
        self.detail = detail
        self.allowedMethods = allowedMethods
    }

    public var description: String { "AuthError.\(code): \(detail)" }
}
