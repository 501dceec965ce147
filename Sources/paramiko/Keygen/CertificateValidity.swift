import Foundation
import SSHCrypto

/// ssh-keygen's `-V` validity intervals and `-O` certificate options.
enum CertificateValidity {
    /// Parses `from:to`, or a single `to` that starts now. Each end is `always`/`forever`, a relative
    /// `+N`/`-N` with an optional unit (s, m, h, d, w), or an absolute `YYYYMMDD[HHMM[SS]]` in UTC.
    static func parse(_ text: String, now: Date) throws -> (after: UInt64, before: UInt64) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let nowSeconds = UInt64(max(0, now.timeIntervalSince1970))
        switch parts.count {
        case 1:
            return (nowSeconds, try time(parts[0], now: nowSeconds, isEnd: true))
        case 2:
            return (try time(parts[0], now: nowSeconds, isEnd: false), try time(parts[1], now: nowSeconds, isEnd: true))
        default:
            throw KeygenFailure(message: "invalid validity interval \(text)")
        }
    }

    private static func time(_ text: String, now: UInt64, isEnd: Bool) throws -> UInt64 {
        switch text {
        case "always" where !isEnd: return 0
        case "forever" where isEnd: return .max
        default: break
        }
        if let sign = text.first, sign == "+" || sign == "-" {
            var digits = text.dropFirst()
            var unit: UInt64 = 1
            if let last = digits.last, !last.isNumber {
                switch last {
                case "s": unit = 1
                case "m": unit = 60
                case "h": unit = 3600
                case "d": unit = 86400
                case "w": unit = 604_800
                default: throw KeygenFailure(message: "invalid time unit in \(text)")
                }
                digits = digits.dropLast()
            }
            guard let amount = UInt64(digits) else { throw KeygenFailure(message: "invalid relative time \(text)") }
            let (offset, overflow) = amount.multipliedReportingOverflow(by: unit)
            guard !overflow else { throw KeygenFailure(message: "relative time \(text) is too large") }
            return sign == "+" ? now.addingReportingOverflow(offset).partialValue : (now > offset ? now - offset : 0)
        }
        let formats = ["yyyyMMddHHmmss": 14, "yyyyMMddHHmm": 12, "yyyyMMdd": 8]
        guard let format = formats.first(where: { $0.value == text.count && text.allSatisfy(\.isNumber) })?.key else {
            throw KeygenFailure(message: "invalid time \(text)")
        }
        let formatter = DateFormatter()
        formatter.dateFormat = format
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        guard let date = formatter.date(from: text) else { throw KeygenFailure(message: "invalid time \(text)") }
        return UInt64(max(0, date.timeIntervalSince1970))
    }

    /// Applies one `-O` option: `force-command=…`, `source-address=…`, `clear`, `no-*` to drop an
    /// extension, or `permit-*` / `extension:NAME` to add one.
    static func apply(option: String, to request: inout SSHCertificateRequest) throws {
        let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
        let name = parts.first ?? ""
        switch name {
        case "force-command", "source-address":
            guard parts.count == 2 else { throw KeygenFailure(message: "-O \(name) needs a value") }
            request.criticalOptions[name] = parts[1]
        case "clear":
            request.extensions = []
        case "no-x11-forwarding": request.extensions.removeAll { $0 == "permit-X11-forwarding" }
        case "no-agent-forwarding": request.extensions.removeAll { $0 == "permit-agent-forwarding" }
        case "no-port-forwarding": request.extensions.removeAll { $0 == "permit-port-forwarding" }
        case "no-pty": request.extensions.removeAll { $0 == "permit-pty" }
        case "no-user-rc": request.extensions.removeAll { $0 == "permit-user-rc" }
        case "permit-x11-forwarding": request.extensions.append("permit-X11-forwarding")
        case "permit-agent-forwarding", "permit-port-forwarding", "permit-pty", "permit-user-rc":
            request.extensions.append(name)
        default:
            if name.hasPrefix("extension:") {
                request.extensions.append(String(name.dropFirst("extension:".count)))
            } else {
                throw KeygenFailure(message: "unknown certificate option \(option)")
            }
        }
    }
}
