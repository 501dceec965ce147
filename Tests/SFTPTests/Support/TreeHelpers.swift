import Foundation
import SSHCrypto
import SSHTestSupport

/// A description of a local tree for comparisons: every path relative to the root with its kind and
/// content digest or link target.
func treeListing(_ root: String) throws -> [String] {
    let manager = FileManager.default
    var lines: [String] = []
    func walk(_ relative: String) throws {
        let full = relative.isEmpty ? root : root + "/" + relative
        for name in try manager.contentsOfDirectory(atPath: full).sorted() {
            let path = relative.isEmpty ? name : relative + "/" + name
            let attributes = try manager.attributesOfItem(atPath: root + "/" + path)
            switch attributes[.type] as? FileAttributeType {
            case .typeSymbolicLink?:
                lines.append("L \(path) -> \(try manager.destinationOfSymbolicLink(atPath: root + "/" + path))")
            case .typeDirectory?:
                lines.append("D \(path)")
                try walk(path)
            default:
                lines.append("F \(path) \(try sha256Hex(ofFile: root + "/" + path))")
            }
        }
    }
    try walk("")
    return lines
}

/// The SHA-256 of a file as hex.
func sha256Hex(ofFile path: String) throws -> String {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try DigestAlgorithm.sha256.hash(data).map { String(format: "%02x", $0) }.joined()
}

/// `count` deterministic pseudo-random bytes.
func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var generator = SeededRandom(seed: seed)
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBytes { raw in
        let words = raw.bindMemory(to: UInt64.self)
        for index in words.indices { words[index] = generator.next() }
    }
    return bytes
}

/// The mode bits and modification time of a local path (not following a final link).
func localModeAndTime(_ path: String) -> (mode: UInt32, mtime: Int) {
    var info = stat()
    lstat(path, &info)
    return (UInt32(info.st_mode) & 0o7777, Int(info.st_mtim.tv_sec))
}
