/// Expands the `%` tokens and `${NAME}` environment references that ssh_config(5) "TOKENS" and
/// "ENVIRONMENT VARIABLES" describe. `%%` is always a literal `%`.
public struct SSHTokenExpander: Sendable {
    /// The value of each token letter (`"h"` for `%h`, ...).
    public var tokens: [Character: String]
    /// The environment `${NAME}` reads from.
    public var environment: [String: String]

    /// Creates an expander over the given token values and environment.
    public init(tokens: [Character: String], environment: [String: String] = [:]) {
        self.tokens = tokens
        self.environment = environment
    }

    /// Why an expansion failed.
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        /// A `%` token this keyword does not define.
        case unknownToken(Character)
        /// A `%` at the end of the string.
        case trailingPercent
        /// `${NAME}` with a variable that is not set, or malformed.
        case badEnvironmentReference(String)

        public var description: String {
            switch self {
            case .unknownToken(let c): return "percent_expand: unknown key %\(c)"
            case .trailingPercent: return "percent_expand: invalid format"
            case .badEnvironmentReference(let name): return "invalid environment variable expansion \(name)"
            }
        }
    }

    /// Expands `%` tokens and, when `environmentReferences` is set, `${NAME}` references, in one pass.
    public func expand(_ text: String, environmentReferences: Bool = false) throws(Problem) -> String {
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            let next = text.index(after: index)
            if environmentReferences, c == "$", next < text.endIndex, text[next] == "{" {
                let nameStart = text.index(after: next)
                guard let close = text[nameStart...].firstIndex(of: "}") else {
                    throw .badEnvironmentReference(String(text[index...]))
                }
                let name = String(text[nameStart..<close])
                guard Self.isValidName(name), let value = environment[name] else {
                    throw .badEnvironmentReference(name)
                }
                output += value
                index = text.index(after: close)
                continue
            }
            guard c == "%" else {
                output.append(c)
                index = next
                continue
            }
            guard next < text.endIndex else { throw .trailingPercent }
            let key = text[next]
            if key == "%" {
                output.append("%")
            } else if let value = tokens[key] {
                output += value
            } else {
                throw .unknownToken(key)
            }
            index = text.index(after: next)
        }
        return output
    }

    /// Expands only `${NAME}` references (OpenSSH's `dollar_expand`).
    public func expandEnvironment(_ text: String) throws(Problem) -> String {
        var copy = self
        copy.tokens = [:]
        return try copy.expand(text.replacing("%", with: "%%"), environmentReferences: true)
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !name.isEmpty else { return false }
        let alpha = { (s: Unicode.Scalar) in (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || s == "_" }
        return alpha(first) && name.unicodeScalars.allSatisfy { alpha($0) || ($0 >= "0" && $0 <= "9") }
    }
}
