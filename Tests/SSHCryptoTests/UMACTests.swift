import Testing

@testable import SSHCrypto

/// UMAC (RFC 4418) against its published vectors, piece by piece against itself, and as the
/// packet MACs `umac-64@openssh.com`, `umac-128@openssh.com` and their `-etm` forms.
@Suite struct UMACTests {
    /// A message of `length` bytes: `pattern` repeated and cut to length.
    struct Vector: Sendable, CustomTestStringConvertible {
        var pattern: String
        var length: Int
        var nonce = "bcdefghi"
        var umac32: String
        var umac64: String
        /// RFC 4418 prints no 128-bit tags; these are Nettle's, whose first 12 bytes are the RFC's
        /// UMAC-96 (the first three UHASH iterations and the same pad block).
        var umac128: String
        var umac96: String? = nil
        var testDescription: String { "'\(pattern)' to \(length) bytes, nonce '\(nonce)'" }

        var message: [UInt8] {
            let unit = Array(pattern.utf8)
            var message = [UInt8](repeating: 0, count: length)
            message.withUnsafeMutableBytes { bytes in
                var filled = min(unit.count, length)
                bytes.copyBytes(from: unit.prefix(filled))
                // Doubling copies: a 32 MiB message in a few steps, even without optimization.
                while filled < length {
                    let step = min(filled, length - filled)
                    UnsafeMutableRawBufferPointer(rebasing: bytes[filled..<filled + step])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<step]))
                    filled += step
                }
            }
            return message
        }
    }

    static let key = Array("abcdefghijklmnop".utf8)

    /// RFC 4418 Appendix: key "abcdefghijklmnop", nonce "bcdefghi". The 'a' · 2^25 row is as RFC
    /// erratum 3507 corrects it (the printed tags, 5109A660 2E2DBC36860A0A5F …, came from code that
    /// mishandled messages over 16 MiB); it is the only row long enough to reach POLY128.
    static let rfcVectors = [
        Vector(
            pattern: "a", length: 0, umac32: "113145fb", umac64: "6e155fad26900be1",
            umac128: "32fedb100c79ad58f07ff7643cc60465", umac96: "32fedb100c79ad58f07ff764"),
        Vector(
            pattern: "a", length: 3, umac32: "3b91d102", umac64: "44b5cb542f220104",
            umac128: "185e4fe905cba7bd85e4c2dc3d117d8d", umac96: "185e4fe905cba7bd85e4c2dc"),
        Vector(
            pattern: "a", length: 1 << 10, umac32: "599b350b", umac64: "26bf2f5d60118bd9",
            umac128: "7a54abe04af82d60fb298c3cbd195bcb", umac96: "7a54abe04af82d60fb298c3c"),
        Vector(
            pattern: "a", length: 1 << 15, umac32: "58dcf532", umac64: "27f8ef643b0d118d",
            umac128: "7b136bd911e4b734286ef2be501f2c3c", umac96: "7b136bd911e4b734286ef2be"),
        Vector(
            pattern: "a", length: 1 << 20, umac32: "db6364d1", umac64: "a4477e87e9f55853",
            umac128: "f8acfa3ac31cfeea047f7b115b03bef5", umac96: "f8acfa3ac31cfeea047f7b11"),
        Vector(
            pattern: "a", length: 1 << 25, umac32: "85ee5cae", umac64: "faca46f856e9b45f",
            umac128: "a621c2457c0012e64f3fdae9e7e1870c", umac96: "a621c2457c0012e64f3fdae9"),
        Vector(
            pattern: "abc", length: 3, umac32: "abf3a3a0", umac64: "d4d7b9f6bd4fbfcf",
            umac128: "883c3d4b97a61976ffcf232308cba5a5", umac96: "883c3d4b97a61976ffcf2323"),
        Vector(
            pattern: "abc", length: 1500, umac32: "abeb3c8b", umac64: "d4cf26ddefd5c01a",
            umac128: "8824a260c53c66a36c9260a62cb83aa1", umac96: "8824a260c53c66a36c9260a6"),
    ]

    /// Nettle's vectors (testsuite/umac-test.c) for nonces of every length from 1 to 16 bytes over
    /// messages around the NH block, L1 chunk and L2 prime boundaries.
    static let nonceAndLengthVectors = [
        Vector(
            pattern: "def", length: 0, nonce: "b", umac32: "3a58486b", umac64: "9e38f67da91a08d9",
            umac128: "9e38f67da91a08d9c980f4db4089c877"),
        Vector(
            pattern: "def", length: 1, nonce: "bc", umac32: "d86b1512", umac64: "fb0e207971b8e66a",
            umac128: "ef406c2ec70d0222f59e860eabb79ed0"),
        Vector(
            pattern: "def", length: 2, nonce: "bcd", umac32: "1ae6e02d", umac64: "1ae6e02d73aa9ab2",
            umac128: "1ae6e02d73aa9ab2a27fb89e014dc07b"),
        Vector(
            pattern: "def", length: 3, nonce: "bcde", umac32: "e8c1eb59", umac64: "c81cf22342e84302",
            umac128: "82626d0d575e01038e5e2cc6408216f5"),
        Vector(
            pattern: "def", length: 4, nonce: "bcdef", umac32: "8950f0d3", umac64: "aba003e7bd673cc3",
            umac128: "aba003e7bd673cc368ba8513cecf2e7c"),
        Vector(
            pattern: "def", length: 1020, nonce: "bcdefg", umac32: "7412167c", umac64: "f98828a161bb4ae3",
            umac128: "d8b4811f747d588d7a913360960de7cf"),
        Vector(
            pattern: "def", length: 1021, nonce: "bcdefgh", umac32: "2d54936b", umac64: "2d54936be5bff72d",
            umac128: "2d54936be5bff72d2e1052361163b474"),
        Vector(
            pattern: "def", length: 1022, nonce: "bcdefghi", umac32: "53ca8dd2", umac64: "2cee9784556387b3",
            umac128: "700513397f8a210a98938d3e7ac3bd88"),
        Vector(
            pattern: "def", length: 1023, nonce: "bcdefghij", umac32: "26cc58df", umac64: "24ac4284ca371f42",
            umac128: "24ac4284ca371f4280f60bd274633d67"),
        Vector(
            pattern: "def", length: 1024, nonce: "bcdefghijk", umac32: "3cada45a", umac64: "64c6a0fd14615a76",
            umac128: "abc223116cedd2db5af365e641a97539"),
        Vector(
            pattern: "def", length: 1025, nonce: "bcdefghijkl", umac32: "93251e18", umac64: "93251e18e56bbdc4",
            umac128: "93251e18e56bbdc457de556f95c59931"),
        Vector(
            pattern: "def", length: 1026, nonce: "bcdefghijklm", umac32: "24a4c3ab", umac64: "5d98bd8dfaf16352",
            umac128: "c1298672e52386753383a15ed58c0e42"),
        Vector(
            pattern: "def", length: 1027, nonce: "bcdefghijklmn", umac32: "e7e98945", umac64: "5b0557c9fdcf661b",
            umac128: "5b0557c9fdcf661b1758efc603516ebe"),
        Vector(
            pattern: "def", length: 2046, nonce: "bcdefghijklmno", umac32: "e12ddc9f", umac64: "65e85d47447c2277",
            umac128: "16bb5183017826ed47c9995c1e5834f3"),
        Vector(
            pattern: "def", length: 2047, nonce: "bcdefghijklmnop", umac32: "34d723a6", umac64: "34d723a6cb1676d3",
            umac128: "34d723a6cb1676d3547a5064dc5b0a37"),
        Vector(
            pattern: "def", length: 2048, nonce: "bcdefghijklmnopq", umac32: "21fd8802", umac64: "3968d5d0af147884",
            umac128: "84565620def1e3a614d274e87626f215"),
        Vector(
            pattern: "def", length: 2049, nonce: "b", umac32: "097e5abd", umac64: "ad1ee4ab606061c5",
            umac128: "ad1ee4ab606061c55e0d2ecfee59940a"),
        Vector(
            pattern: "def", length: 2050, nonce: "bc", umac32: "a03a7fe9", umac64: "835f4a8242100055",
            umac128: "971106d5f4a5e41dce40a91704cfe1f3"),
        // Around the move from POLY64 to POLY128 after 2^14 chunks (16 MiB): none, one and two
        // 64-bit words for POLY128.
        Vector(
            pattern: "def", length: 16_777_216, nonce: "bcdefgh", umac32: "42d8562a", umac64: "42d8562a224a9e9a",
            umac128: "42d8562a224a9e9a75c2f85d39462d07"),
        Vector(
            pattern: "def", length: 16_777_217, nonce: "bcdefghi", umac32: "486b138d", umac64: "374f09dbb0b84b88",
            umac128: "6ba48d669a51ed3195ebc2aa562ee71b"),
        Vector(
            pattern: "def", length: 16_778_242, nonce: "bcdefghijklm", umac32: "1c99c5fb", umac64: "65a5bbdda3b85368",
            umac128: "f9148022bc6ab64f019e9db83704c17b"),
    ]

    static func tags(_ vector: Vector) throws -> [Int: String] {
        let message = vector.message
        let nonce = Array(vector.nonce.utf8)
        var tags: [Int: String] = [:]
        for length in [4, 8, 12, 16] {
            tags[length] = try UMAC(key: key, outputLength: length).authenticate(message, nonce: nonce).hex
        }
        return tags
    }

    @Test(arguments: rfcVectors)
    func rfc4418AppendixVectors(_ vector: Vector) throws {
        let tags = try Self.tags(vector)
        #expect(tags[4] == vector.umac32)
        #expect(tags[8] == vector.umac64)
        #expect(tags[12] == vector.umac96)
        #expect(tags[16] == vector.umac128)
        #expect(vector.umac128.hasPrefix(vector.umac96 ?? "-"))
    }

    @Test(arguments: nonceAndLengthVectors)
    func nonceLengthsAndBoundaries(_ vector: Vector) throws {
        let tags = try Self.tags(vector)
        #expect(tags[4] == vector.umac32)
        #expect(tags[8] == vector.umac64)
        #expect(tags[16] == vector.umac128)
    }

    /// A message fed in two or three pieces, cut anywhere (inside NH blocks, across L1 chunks), has
    /// the tag of the whole; the context is clean after each tag.
    @Test(arguments: [4, 8, 12, 16])
    func piecesHashAsTheWhole(outputLength: Int) throws {
        var random = SystemRandom()
        let key = random.bytes(16)
        let nonce = random.bytes(8)
        let context = try key.withUnsafeBytes { try UMACContext(key: $0, outputLength: outputLength) }
        func tag(_ pieces: [ArraySlice<UInt8>]) throws -> [UInt8] {
            var output = [UInt8](repeating: 0, count: outputLength)
            for piece in pieces { piece.withUnsafeBytes { context.update($0) } }
            try nonce.withUnsafeBytes { nonce in
                try output.withUnsafeMutableBufferPointer { try context.finish(nonce: nonce, into: $0.baseAddress!) }
            }
            return output
        }
        for length in [0, 1, 31, 32, 33, 1000, 1023, 1024, 1025, 2048, 2079, 5000, 35000] {
            let message = random.bytes(length)
            let whole = try tag([message[...]])
            let reference = try UMAC(key: key, outputLength: outputLength).authenticate(message, nonce: nonce)
            #expect(whole == reference, "\(length) bytes")
            for _ in 0..<6 {
                let first = Int(random.next() % UInt64(length + 1))
                let second = first + Int(random.next() % UInt64(length - first + 1))
                let pieces = [message[..<first], message[first..<second], message[second...]]
                #expect(try tag(pieces) == whole, "\(length) bytes cut at \(first) and \(second)")
            }
        }
    }

    /// The vector NH equals RFC 4418 §5.2.2 written one word at a time, for every stream count.
    @Test(arguments: 1...4)
    func vectorNHMatchesTheWordByWordDefinition(streams: Int) {
        var random = SystemRandom()
        let blocks = 32
        let message = random.bytes(blocks * 32 + 3)
        let keyBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024 + 16 * 3, alignment: 16)
        defer { keyBytes.deallocate() }
        keyBytes.copyBytes(from: random.bytes(keyBytes.count))
        var vector = [UInt64](repeating: 7, count: 4)
        var reference = vector
        message.withUnsafeBytes { bytes in
            // Unaligned message words, as packets give them.
            let start = bytes.baseAddress! + 3
            UHASHLayers.nh(
                start, blocks: blocks, key: UnsafeRawPointer(keyBytes.baseAddress!), streams: streams, sums: &vector)
            UHASHLayers.nhWordByWord(
                start, blocks: blocks, key: UnsafeRawPointer(keyBytes.baseAddress!), streams: streams,
                sums: &reference)
        }
        #expect(vector == reference)
        #expect(vector[streams...].allSatisfy { $0 == 7 })
    }

    @Test func wrongSizesAreRefused() throws {
        #expect(throws: CryptoError.self) { _ = try UMAC(key: Self.key.prefix(15), outputLength: 8) }
        #expect(throws: CryptoError.self) { _ = try UMAC(key: Self.key, outputLength: 10) }
        let umac = try UMAC(key: Self.key, outputLength: 8)
        #expect(throws: CryptoError.self) { _ = try umac.authenticate([1, 2, 3], nonce: []) }
        #expect(throws: CryptoError.self) {
            _ = try umac.authenticate([1, 2, 3], nonce: [UInt8](repeating: 1, count: 17))
        }
        // A refused nonce still ends the message: the next one starts empty.
        let context = try Self.key.withUnsafeBytes { try UMACContext(key: $0, outputLength: 8) }
        var tag = [UInt8](repeating: 0, count: 8)
        [UInt8](repeating: 0x61, count: 100).withUnsafeBytes { context.update($0) }
        #expect(throws: CryptoError.self) {
            try [UInt8]().withUnsafeBytes { nonce in
                try tag.withUnsafeMutableBufferPointer { try context.finish(nonce: nonce, into: $0.baseAddress!) }
            }
        }
        try Array("bcdefghi".utf8).withUnsafeBytes { nonce in
            try tag.withUnsafeMutableBufferPointer { try context.finish(nonce: nonce, into: $0.baseAddress!) }
        }
        #expect(tag.hex == "6e155fad26900be1")
    }

    // MARK: The SSH names

    static let sshNames: [MACAlgorithm] = [.umac64ETM, .umac128ETM, .umac64, .umac128]

    @Test func namesSizesAndDefaults() {
        for (name, algorithm, tag, etm) in [
            ("umac-64@openssh.com", MACAlgorithm.umac64, 8, false), ("umac-128@openssh.com", .umac128, 16, false),
            ("umac-64-etm@openssh.com", .umac64ETM, 8, true), ("umac-128-etm@openssh.com", .umac128ETM, 16, true),
        ] {
            #expect(MACAlgorithm.named(name) == algorithm)
            #expect(algorithm.kind == .umac && algorithm.digest == nil)
            #expect(algorithm.keyLength == 16 && algorithm.outputLength == tag && algorithm.encryptThenMAC == etm)
        }
        #expect(MACAlgorithm.hmacSHA256.kind == .hmac(.sha256) && MACAlgorithm.hmacSHA256.keyLength == 32)
        // OpenSSH 9.2's default MACs (`sshd -T | grep macs`), in its order.
        #expect(
            MACAlgorithm.defaults.map(\.name) == [
                "umac-64-etm@openssh.com", "umac-128-etm@openssh.com", "hmac-sha2-256-etm@openssh.com",
                "hmac-sha2-512-etm@openssh.com", "hmac-sha1-etm@openssh.com", "umac-64@openssh.com",
                "umac-128@openssh.com",
                "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1",
            ])
        #expect(Set(MACAlgorithm.defaults).isSubset(of: MACAlgorithm.supported))
    }

    /// The tag a packet carries is UMAC over the packet alone (encrypt-and-MAC: the plaintext;
    /// encrypt-then-MAC: the clear length and the ciphertext) with the sequence number, 8 bytes
    /// big-endian, as the nonce, the way OpenSSH's mac.c computes it.
    @Test(arguments: sshNames)
    func theTagIsUMACOfThePacketUnderTheSequenceNumber(mac: MACAlgorithm) throws {
        var random = SystemRandom()
        let key = random.secureBytes(16)
        let iv = random.secureBytes(16)
        let macKey = random.secureBytes(16)
        let sealer = try CipherAlgorithm.aes128CTR.makeProtection(
            mac: mac, key: key, iv: iv, macKey: macKey, direction: .outbound)
        let umac = try UMAC(key: macKey.unsafeArray, outputLength: mac.outputLength)
        for sequence: UInt32 in [0, 1, 2, 0x8000_0001, 0xffff_ffff] {
            var packet = PacketProtectionTests.packet(payload: random.bytes(100), protection: sealer)
            let body = packet.count - sealer.tagLength
            let plain = Array(packet.prefix(body))
            try packet.withMutableBytes { try sealer.sealPacket($0, sequenceNumber: sequence) }
            let covered = mac.encryptThenMAC ? Array(packet.prefix(body)) : plain
            let nonce = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(sequence) >> (56 - 8 * $0)) }
            #expect(Array(packet.suffix(sealer.tagLength)) == (try umac.authenticate(covered, nonce: nonce)))
        }
    }

    /// Each name seals and opens packet after packet, and a packet with one bit flipped in its MAC,
    /// its data or its length is refused, as is an intact packet under the wrong sequence number.
    @Test(arguments: sshNames)
    func aFlippedBitInTheMACOrTheDataIsRefused(mac: MACAlgorithm) throws {
        var random = SystemRandom()
        let key = random.secureBytes(16)
        let iv = random.secureBytes(16)
        let macKey = random.secureBytes(16)
        func make(_ direction: PacketDirection) throws -> any PacketProtection {
            try CipherAlgorithm.aes128CTR.makeProtection(
                mac: mac, key: key, iv: iv, macKey: macKey, direction: direction)
        }
        let sealer = try make(.outbound)
        var packets: [[UInt8]] = []
        var plains: [[UInt8]] = []
        for sequence: UInt32 in 0..<3 {
            var packet = PacketProtectionTests.packet(payload: random.bytes(200), protection: sealer)
            plains.append(Array(packet.prefix(packet.count - sealer.tagLength)))
            try packet.withMutableBytes { try sealer.sealPacket($0, sequenceNumber: sequence) }
            packets.append(packet)
        }
        /// An opener that has opened the first two packets, so its counter-mode stream is at the third.
        func openerAtTheThirdPacket() throws -> any PacketProtection {
            let opener = try make(.inbound)
            for sequence in 0..<2 {
                var packet = packets[sequence]
                let length = try PacketProtectionTests.open(&packet, with: opener, sequence: UInt32(sequence))
                #expect(Array(packet.prefix(4 + length)) == plains[sequence])
            }
            return opener
        }
        var intact = packets[2]
        let length = try PacketProtectionTests.open(&intact, with: try openerAtTheThirdPacket(), sequence: 2)
        #expect(Array(intact.prefix(4 + length)) == plains[2])

        let tag = packets[2].count - sealer.tagLength
        for (position, bit) in [(tag, 0), (packets[2].count - 1, 7), (5, 3), (tag - 1, 1), (3, 2)] {
            var packet = packets[2]
            packet[position] ^= UInt8(1) << bit
            let opener = try openerAtTheThirdPacket()
            #expect(throws: CryptoError.self, "bit \(bit) of byte \(position)") {
                _ = try PacketProtectionTests.open(&packet, with: opener, sequence: 2)
            }
        }
        var packet = packets[2]
        let opener = try openerAtTheThirdPacket()
        #expect(throws: CryptoError.self) { _ = try PacketProtectionTests.open(&packet, with: opener, sequence: 3) }
    }
}
