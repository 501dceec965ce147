extension SSHPublicKey {
    /// The key's fingerprint drawn as OpenSSH's "randomart" (the drunken-bishop walk of
    /// `sshkey_fingerprint(…, SSH_FP_RANDOMART)`): what `ssh-keygen -lv` prints and what ssh shows
    /// with VisualHostKey. Seventeen columns by nine rows, framed, titled with the key's type and
    /// size, and with the digest's name under it.
    public func randomArt(_ digest: DigestAlgorithm = .sha256) -> String {
        let symbols = Array(" .o+=*BOX@%&#/^SE")
        let last = symbols.count - 1
        let (width, height) = (17, 9)
        var field = [[Int]](repeating: [Int](repeating: 0, count: height), count: width)
        var (x, y) = (width / 2, height / 2)
        let hash = (try? digest.hash(certificate?.key.blob ?? blob)) ?? []
        for byte in hash {
            var input = byte
            for _ in 0..<4 {
                x = min(max(x + (input & 1 != 0 ? 1 : -1), 0), width - 1)
                y = min(max(y + (input & 2 != 0 ? 1 : -1), 0), height - 1)
                // As OpenSSH: a cell counts up to `^`; `S` and `E` are only the start and the end.
                if field[x][y] < last - 2 { field[x][y] += 1 }
                input >>= 2
            }
        }
        field[width / 2][height / 2] = last - 1
        field[x][y] = last
        func framed(_ label: String) -> String {
            let left = (width - label.count) / 2
            return "+" + String(repeating: "-", count: left) + label
                + String(repeating: "-", count: max(0, width - left - label.count)) + "+"
        }
        var title = "[\(typeLabel) \(bits)]"
        if title.count > width { title = "[\(typeLabel)]" }
        var lines = [framed(title)]
        for row in 0..<height {
            lines.append("|" + String((0..<width).map { symbols[min(field[$0][row], last)] }) + "|")
        }
        lines.append(framed("[\(digest == .md5 ? "MD5" : digest.rawValue)]"))
        return lines.joined(separator: "\n")
    }
}
