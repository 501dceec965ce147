/// An error reading or evaluating an ssh_config(5) file.
///
/// Errors name the file and line, the way `ssh` reports them.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of configuration error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case unknownKeyword
            case badValue
            case missingArgument
            case badQuoting
            case includeTooDeep
            case includeLoop
            case unreadableFile
            case badMatch
            case unresolvableHost
            case insecureFile
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A keyword ssh_config(5) does not define and `IgnoreUnknown` does not list.
        public static let unknownKeyword = Code(.unknownKeyword)
        /// An argument a keyword cannot take.
        public static let badValue = Code(.badValue)
        /// A keyword without its argument.
        public static let missingArgument = Code(.missingArgument)
        /// An unterminated quote.
        public static let badQuoting = Code(.badQuoting)
        /// `Include` nested deeper than the limit.
        public static let includeTooDeep = Code(.includeTooDeep)
        /// `Include` of a file that is already being read.
        public static let includeLoop = Code(.includeLoop)
        /// A file that could not be read.
        public static let unreadableFile = Code(.unreadableFile)
        /// A malformed `Match` line.
        public static let badMatch = Code(.badMatch)
        /// `CanonicalizeHostname` found no name and `CanonicalizeFallbackLocal` is off.
        public static let unresolvableHost = Code(.unresolvableHost)
        /// A file another user owns or others may write, which `ssh` refuses to read.
        public static let insecureFile = Code(.insecureFile)

        public var description: String { String(describing: base) }
    }

    /// What kind of error this is.
    public let code: Code
    /// The file the error is in, when it comes from a file.
    public let file: String?
    /// The 1-based line number, when it comes from a file.
    public let line: Int?
    /// A human-readable explanation.
    public let detail: String

    /// Creates an error.
    public init(_ code: Code, file: String? = nil, line: Int? = nil, _ detail: String) {
        self.code = code
        self.file = file
        self.line = line
        self.detail = detail
    }

    public var description: String {
        if let file, let line { return "\(file) line \(line): \(detail)" }
        return detail
    }
}
