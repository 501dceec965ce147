/// One path component of a glob pattern, matched against names as OpenBSD's `glob(3)` does (which OpenSSH's
/// sftp uses on both sides): `*` matches any run, `?` any one character, `[…]` a set with ranges and `!` to
/// negate, and a backslash makes the next character literal.
struct SFTPGlobPattern: Sendable {
    /// One character of the pattern, and whether a backslash made it literal.
    private struct Element: Sendable {
        let scalar: Unicode.Scalar
        let escaped: Bool
    }

    private let elements: [Element]

    /// The pattern for the component `text`, escapes included.
    init(_ text: Substring) {
        var elements: [Element] = []
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            if scalar == "\\" {
                // A trailing backslash stands for itself.
                elements.append(Element(scalar: scalars.next() ?? "\\", escaped: true))
            } else {
                elements.append(Element(scalar: scalar, escaped: false))
            }
        }
        self.elements = elements
    }

    /// True when the component holds a wildcard that is not escaped: `*`, `?`, or a `[` with a closing `]`.
    var hasWildcards: Bool {
        for (index, element) in elements.enumerated() where !element.escaped {
            switch element.scalar {
            case "*", "?": return true
            case "[": if setEnd(from: index) != nil { return true }
            default: continue
            }
        }
        return false
    }

    /// The component with its escapes removed: the name it stands for when it has no wildcards.
    var literal: String {
        var text = String.UnicodeScalarView()
        for element in elements { text.append(element.scalar) }
        return String(text)
    }

    /// True when the pattern's first character is a literal `.`: only then may it match a hidden name.
    var startsWithDot: Bool {
        elements.first?.scalar == "."
    }

    /// True when `name` matches the whole pattern.
    func matches(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        return match(patternIndex: 0, scalars, 0)
    }

    private func match(patternIndex: Int, _ name: [Unicode.Scalar], _ nameIndex: Int) -> Bool {
        var pattern = patternIndex
        var position = nameIndex
        // The last `*` seen and where the name stood then, to backtrack to.
        var star: (pattern: Int, position: Int)?
        while true {
            if pattern < elements.count {
                let element = elements[pattern]
                if !element.escaped && element.scalar == "*" {
                    star = (pattern, position)
                    pattern += 1
                    continue
                }
                if position < name.count {
                    if !element.escaped && element.scalar == "?" {
                        pattern += 1
                        position += 1
                        continue
                    }
                    if !element.escaped && element.scalar == "[", let end = setEnd(from: pattern) {
                        if setContains(name[position], from: pattern + 1, to: end) {
                            pattern = end + 1
                            position += 1
                            continue
                        }
                    } else if element.scalar == name[position] {
                        pattern += 1
                        position += 1
                        continue
                    }
                }
            } else if position == name.count {
                return true
            }
            // A mismatch: let the last `*` take one more character, if there is one.
            guard let last = star, last.position < name.count else { return false }
            star = (last.pattern, last.position + 1)
            pattern = last.pattern + 1
            position = last.position + 1
        }
    }

    /// The index of the `]` closing the set opened at `start`, or nil when there is none. A `]` right after
    /// `[` or `[!` belongs to the set.
    private func setEnd(from start: Int) -> Int? {
        var index = start + 1
        if index < elements.count, !elements[index].escaped,
            elements[index].scalar == "!" || elements[index].scalar == "^"
        {
            index += 1
        }
        if index < elements.count, !elements[index].escaped, elements[index].scalar == "]" { index += 1 }
        while index < elements.count {
            if !elements[index].escaped && elements[index].scalar == "]" { return index }
            index += 1
        }
        return nil
    }

    /// True when `scalar` is in the set between `start` and `end` (exclusive), negation included.
    private func setContains(_ scalar: Unicode.Scalar, from start: Int, to end: Int) -> Bool {
        var index = start
        var negated = false
        if index < end, !elements[index].escaped, elements[index].scalar == "!" || elements[index].scalar == "^" {
            negated = true
            index += 1
        }
        var found = false
        while index < end {
            let low = elements[index].scalar
            if index + 2 < end, !elements[index + 1].escaped, elements[index + 1].scalar == "-" {
                let high = elements[index + 2].scalar
                if low.value <= scalar.value && scalar.value <= high.value { found = true }
                index += 3
            } else {
                if low == scalar { found = true }
                index += 1
            }
        }
        return found != negated
    }
}
