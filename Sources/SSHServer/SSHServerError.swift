/// An error of the server framework: a switchable ``code`` and a ``detail``.
public struct SSHServerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of server error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The server was set up wrongly (no host key, a bad address).
        public static let configuration = Code("configuration")

        public var description: String { name }
    }

    /// What kind of error this is.
    public let code: Code
    /// What happened, in words.
    public let detail: String

    /// An error of `code` with `detail`.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "SSHServerError.\(code): \(detail)" }
}
