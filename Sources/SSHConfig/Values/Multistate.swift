/// The word tables of ssh_config(5) options that take one of several words. OpenSSH prints a value back as the
/// first word of its table with that meaning, so `Tunnel yes` prints `tunnel point-to-point`.
struct Multistate: Sendable {
    /// Word and meaning pairs, in OpenSSH's order.
    let entries: [(word: String, value: Int)]
    /// Whether `ssh -G` prints the value as a plain `yes`/`no` flag instead of the table word.
    let printsAsFlag: Bool

    func value(of word: String) -> Int? {
        let lowered = word.lowercased()
        return entries.first { $0.word == lowered }?.value
    }

    func name(of value: Int) -> String {
        if printsAsFlag { return value == 1 ? "yes" : value == 0 ? "no" : "UNKNOWN" }
        return entries.first { $0.value == value }?.word ?? "UNKNOWN"
    }

    /// Reads a word and returns the string `ssh -G` would print for it.
    func normalize(_ word: String) -> String? { value(of: word).map(name(of:)) }

    static let flag = Multistate(
        entries: [("true", 1), ("false", 0), ("yes", 1), ("no", 0)], printsAsFlag: true)
    static let yesNoAsk = Multistate(
        entries: [("true", 1), ("false", 0), ("yes", 1), ("no", 0), ("ask", 2)], printsAsFlag: false)
    static let strictHostKey = Multistate(
        entries: [("true", 2), ("false", 0), ("yes", 2), ("no", 0), ("ask", 3), ("off", 0), ("accept-new", 1)],
        printsAsFlag: false)
    static let yesNoAskConfirm = Multistate(
        entries: [("true", 1), ("false", 0), ("yes", 1), ("no", 0), ("ask", 2), ("confirm", 3)],
        printsAsFlag: false)
    static let addressFamily = Multistate(
        entries: [("inet", 2), ("inet6", 10), ("any", 0)], printsAsFlag: false)
    static let controlMaster = Multistate(
        entries: [("true", 1), ("yes", 1), ("false", 0), ("no", 0), ("auto", 2), ("ask", 3), ("autoask", 4)],
        printsAsFlag: false)
    static let tunnel = Multistate(
        entries: [("ethernet", 2), ("point-to-point", 1), ("true", 1), ("yes", 1), ("false", 0), ("no", 0)],
        printsAsFlag: false)
    static let requestTTY = Multistate(
        entries: [("true", 1), ("yes", 1), ("false", 0), ("no", 0), ("force", 2), ("auto", 3)],
        printsAsFlag: false)
    static let sessionType = Multistate(
        entries: [("none", 0), ("subsystem", 1), ("default", 2)], printsAsFlag: false)
    static let canonicalizeHostname = Multistate(
        entries: [("true", 1), ("false", 0), ("yes", 1), ("no", 0), ("always", 2)], printsAsFlag: false)
    static let pubkeyAuthentication = Multistate(
        entries: [("true", 3), ("false", 0), ("yes", 3), ("no", 0), ("unbound", 1), ("host-bound", 2)],
        printsAsFlag: false)
    static let compression = Multistate(entries: [("yes", 1), ("no", 0)], printsAsFlag: true)
}
