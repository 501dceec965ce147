import Testing

@testable import SSHCrypto

/// Packet protection vectors and properties. The expected ciphertexts were produced by an
/// independent implementation of each construction (OpenSSH's PROTOCOL.chacha20poly1305 as
/// asyncssh implements it; RFC 4253 §6 and OpenSSH's -etm and GCM modes over pyca/cryptography).
@Suite struct PacketProtectionTests {
    /// `uint32 length, byte padding, SERVICE_REQUEST "ssh-userauth", 0xaa padding`.
    static let chachaPacket = "0000001806050000000c7373682d7573657261757468aaaaaaaaaaaa"
    static let alignedWithLength = "0000001c0a050000000c7373682d7573657261757468aaaaaaaaaaaaaaaaaaaa"
    static let alignedWithoutLength = "000000200e050000000c7373682d7573657261757468aaaaaaaaaaaaaaaaaaaaaaaaaaaa"

    struct Vector: Sendable, CustomTestStringConvertible {
        var cipher: CipherAlgorithm
        var mac: MACAlgorithm?
        var key: [UInt8]
        var iv: [UInt8]
        var macKey: [UInt8]
        var plain: String
        var sealed: [(UInt32, String)]
        var testDescription: String { "\(cipher.name) \(mac?.name ?? "")" }
    }

    static let vectors: [Vector] = [
        Vector(
            cipher: .chacha20Poly1305, mac: nil, key: Array(0..<64), iv: [], macKey: [], plain: chachaPacket,
            sealed: [
                (7, "a39afcb22e4315434e8f592d0440ce83b2fdb25940da9a9cd4499729fc76f2f02bd6c9ac6e4d4a1b678f5928"),
                (
                    0xffff_ffff,
                    "b90ee4a80f970c9bae08a791fe1bdec117f463db62d293bc658571d27d0e7a86fd057beb67cd77ae2830734d"
                ),
            ]),
        Vector(
            cipher: .aes128GCM, mac: nil, key: Array(0..<16), iv: [UInt8](hex: "cafebabefacedbaddecaf888"), macKey: [],
            plain: alignedWithoutLength,
            sealed: [
                (
                    0,
                    "00000020877cc7b685fbf272c23dbcfb3888c192f263928ef1411a0f9b43bcd1dc8d477bf78c74c7b08b691ae1bc8441ac98753c"
                ),
                (
                    1,
                    "00000020e2fddca228c61f0a9f73f50a9dce6ade0d07d20b64e53e553b92b34f175eba0cc8726fe86e6fff032670530867d64bc9"
                ),
            ]),
        Vector(
            cipher: .aes128CTR, mac: .hmacSHA256, key: Array(0..<16), iv: Array(100..<116), macKey: Array(200..<232),
            plain: alignedWithLength,
            sealed: [
                (
                    3,
                    "9ebf6e80b719ee780d0b66fbf9c8f1e809fd01b22a484a73811b9ea2ca5315f04c0b05f5993b817b06231607e41a3077c7051cff67b3cf7304f76ae9a7f2b909"
                ),
                (
                    4,
                    "035a6fcddaf36b654bda541434d0103d33bedcbcf821966a69ed6a491da86d2a0ac3a4e3c7d4129af633c0de63b4ae4a7d0f3cb6150df6360c5797967666ca6d"
                ),
            ]),
        Vector(
            cipher: .aes128CTR, mac: .hmacSHA256ETM, key: Array(0..<16), iv: Array(100..<116), macKey: Array(200..<232),
            plain: alignedWithoutLength,
            sealed: [
                (
                    3,
                    "0000002090ba6e9cbd109d0b652a60fbf497e5ee18e7ca6df48a4a73811b9ea2ca5315f0ff19ed0bfc680cd5ec4b7332580bd7ddc129b9285ef25cf6babff8653c822fe1"
                ),
                (
                    4,
                    "000000200d5f6fd1d0fa181623fb5214398f043b22a4176326e3966a69ed6a491da86d2a625cef0f47661b72be19241b08a2e800c2372a11e962a3bca2c4b4f91ae030c1"
                ),
            ]),
        Vector(
            cipher: .aes256CBC, mac: .hmacSHA196, key: Array(0..<32), iv: Array(100..<116), macKey: Array(50..<70),
            plain: alignedWithLength,
            sealed: [
                (0, "96b67f97335dbcf4832cb43973c52a383643bdc06c8ed23fc4fdbbed049fabdbe970111edc2b103b41ac0c1b"),
                (1, "3e3cc64c46c3b9b34daf2ca1283ebb0b3909553be8be952c5c6e58537d717c4165134e71e06e5a39801b4851"),
            ]),
    ]

    static func make(_ vector: Vector, _ direction: PacketDirection) throws -> any PacketProtection {
        try vector.cipher.makeProtection(
            mac: vector.mac, key: SecureBytes(vector.key), iv: SecureBytes(vector.iv),
            macKey: SecureBytes(vector.macKey), direction: direction)
    }

    @Test(arguments: vectors)
    func sealsAndOpensKnownVectors(vector: Vector) throws {
        let sealer = try Self.make(vector, .outbound)
        let opener = try Self.make(vector, .inbound)
        for (sequence, expected) in vector.sealed {
            var packet = [UInt8](hex: vector.plain) + [UInt8](repeating: 0, count: sealer.tagLength)
            try packet.withMutableBytes { try sealer.sealPacket($0, sequenceNumber: sequence) }
            #expect(packet.hex == expected)

            let length = try packet.withMutableBytes {
                try opener.decryptLength(
                    UnsafeMutableRawBufferPointer(rebasing: $0[0..<opener.lengthPeekSize]), sequenceNumber: sequence)
            }
            #expect(Int(length) == [UInt8](hex: vector.plain).count - 4)
            try packet.withMutableBytes { try opener.openPacket($0, sequenceNumber: sequence) }
            #expect(Array(packet.prefix(4 + Int(length))).hex == vector.plain)
        }
    }

    static let allCombinations: [(CipherAlgorithm, MACAlgorithm?)] =
        CipherAlgorithm.supported.flatMap { cipher -> [(CipherAlgorithm, MACAlgorithm?)] in
            cipher.isAEAD ? [(cipher, nil)] : MACAlgorithm.supported.map { (cipher, $0) }
        }

    /// Lays out a plaintext packet for `payload` the way RFC 4253 §6 asks.
    static func packet(payload: [UInt8], protection: any PacketProtection) -> [UInt8] {
        let block = protection.blockSize
        let covered = 1 + payload.count + (protection.lengthExcludedFromAlignment ? 0 : 4)
        var padding = block - covered % block
        if padding < 4 { padding += block }
        let length = UInt32(1 + payload.count + padding)
        var bytes: [UInt8] = [
            UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff),
            UInt8(padding),
        ]
        bytes += payload + [UInt8](repeating: 0x5c, count: padding)
        return bytes + [UInt8](repeating: 0, count: protection.tagLength)
    }

    /// Protections for `directions`, all with the same fresh keys.
    static func keyed(_ cipher: CipherAlgorithm, _ mac: MACAlgorithm?, _ directions: [PacketDirection]) throws
        -> [any PacketProtection]
    {
        var random = SystemRandom()
        let key = random.secureBytes(cipher.keyLength)
        let iv = random.secureBytes(cipher.ivLength)
        let macKey = random.secureBytes(mac?.keyLength ?? 0)
        return try directions.map {
            try cipher.makeProtection(mac: mac, key: key, iv: iv, macKey: macKey, direction: $0)
        }
    }

    static func pair(_ cipher: CipherAlgorithm, _ mac: MACAlgorithm?) throws -> (any PacketProtection, any PacketProtection) {
        let protections = try keyed(cipher, mac, [.outbound, .inbound])
        return (protections[0], protections[1])
    }

    static func open(_ packet: inout [UInt8], with opener: any PacketProtection, sequence: UInt32) throws -> Int {
        let length = try packet.withMutableBytes {
            try opener.decryptLength(
                UnsafeMutableRawBufferPointer(rebasing: $0[0..<opener.lengthPeekSize]), sequenceNumber: sequence)
        }
        try packet.withMutableBytes { try opener.openPacket($0, sequenceNumber: sequence) }
        return Int(length)
    }

    @Test(arguments: allCombinations)
    func roundTripsAcrossPacketsAndTheSequenceWrap(cipher: CipherAlgorithm, mac: MACAlgorithm?) throws {
        var random = SystemRandom()
        let (sealer, opener) = try Self.pair(cipher, mac)
        for (index, size) in [0, 1, 15, 16, 17, 100, 1000, 32768].enumerated() {
            let sequence = UInt32(index) &+ 0xffff_fffd
            var packet = Self.packet(payload: random.bytes(size), protection: sealer)
            let plain = packet.prefix(packet.count - sealer.tagLength)
            try packet.withMutableBytes { try sealer.sealPacket($0, sequenceNumber: sequence) }
            #expect(packet.prefix(plain.count) != plain)
            let length = try Self.open(&packet, with: opener, sequence: sequence)
            #expect(length == plain.count - 4)
            #expect(packet.prefix(plain.count) == plain)
        }
    }

    @Test(arguments: allCombinations)
    func anyFlippedBitFailsAuthentication(cipher: CipherAlgorithm, mac: MACAlgorithm?) throws {
        var random = SystemRandom()
        for _ in 0..<8 {
            let (sealer, opener) = try Self.pair(cipher, mac)
            var packet = Self.packet(payload: random.bytes(64), protection: sealer)
            try packet.withMutableBytes { try sealer.sealPacket($0, sequenceNumber: 9) }
            let position = Int(random.next() % UInt64(packet.count))
            packet[position] ^= UInt8(1) << (random.next() % 8)
            #expect(throws: CryptoError.self) { _ = try Self.open(&packet, with: opener, sequence: 9) }
        }
        // Every mode but GCM (whose nonce is its own invocation counter) binds the sequence number.
        guard cipher.mode != .gcm else { return }
        let (sealer, opener) = try Self.pair(cipher, mac)
        var packet = Self.packet(payload: random.bytes(64), protection: sealer)
        try packet.withMutableBytes { try sealer.sealPacket($0, sequenceNumber: 9) }
        #expect(throws: CryptoError.self) { _ = try Self.open(&packet, with: opener, sequence: 10) }
    }

    /// Sealing with part of the payload read from elsewhere gives the same bytes as sealing the
    /// whole packet in place, packet after packet (the cipher's stream stays in step), for gaps of
    /// every alignment, and the result opens.
    @Test(arguments: allCombinations)
    func aGapFilledFromElsewhereSealsAsInPlace(cipher: CipherAlgorithm, mac: MACAlgorithm?) throws {
        var random = SystemRandom()
        let protections = try Self.keyed(cipher, mac, [.outbound, .outbound, .inbound])
        let (inPlace, filling, opener) = (protections[0], protections[1], protections[2])
        let shapes = [(9, 0), (9, 1), (13, 3), (14, 32768), (1, 17), (0, 100), (9, 16384), (5, 1000), (9, 2)]
        for (index, (headLength, dataLength)) in shapes.enumerated() {
            let sequence = UInt32(index) &+ 0xffff_fffe
            let data = random.bytes(dataLength)
            var whole = Self.packet(payload: random.bytes(headLength) + data, protection: inPlace)
            let plain = whole.prefix(whole.count - inPlace.tagLength)
            var gapped = whole
            for position in 5 + headLength..<5 + headLength + dataLength { gapped[position] = 0xee }
            try whole.withMutableBytes { try inPlace.sealPacket($0, sequenceNumber: sequence) }
            try gapped.withMutableBytes { packet in
                try data.withUnsafeBytes { source in
                    try filling.sealPacket(packet, filling: 5 + headLength, from: source, sequenceNumber: sequence)
                }
            }
            #expect(gapped == whole, "\(headLength)-byte head, \(dataLength) bytes of data")
            let length = try Self.open(&gapped, with: opener, sequence: sequence)
            #expect(length == plain.count - 4)
            #expect(gapped.prefix(plain.count) == plain)
        }
    }

    @Test(arguments: [CipherAlgorithm.aes128GCM, .chacha20Poly1305, .aes128CTR])
    func aGapOutsideThePayloadIsRefused(cipher: CipherAlgorithm) throws {
        let (sealer, _) = try Self.pair(cipher, cipher.isAEAD ? nil : .hmacSHA256)
        var packet = Self.packet(payload: Array(repeating: 7, count: 40), protection: sealer)
        let data = [UInt8](repeating: 1, count: 8)
        for offset in [0, 4, packet.count - sealer.tagLength - 7, packet.count] {
            #expect(throws: CryptoError.self) {
                try packet.withMutableBytes { bytes in
                    try data.withUnsafeBytes { try sealer.sealPacket(bytes, filling: offset, from: $0, sequenceNumber: 1) }
                }
            }
        }
    }

    @Test func wrongSizesAreRejected() throws {
        #expect(throws: CryptoError.self) {
            _ = try CipherAlgorithm.chacha20Poly1305.makeProtection(
                mac: nil, key: SecureBytes([1, 2, 3]), iv: SecureBytes([]), macKey: nil, direction: .outbound)
        }
        #expect(throws: CryptoError.self) {
            _ = try CipherAlgorithm.aes128CTR.makeProtection(
                mac: nil, key: SecureBytes(Array(0..<16)), iv: SecureBytes(Array(0..<16)), macKey: nil,
                direction: .outbound)
        }
        let protection = try CipherAlgorithm.aes128CTR.makeProtection(
            mac: .hmacSHA256, key: SecureBytes(Array(0..<16)), iv: SecureBytes(Array(0..<16)),
            macKey: SecureBytes(Array(0..<32)), direction: .inbound)
        var short = [UInt8](repeating: 0, count: 20)
        #expect(throws: CryptoError.self) { try short.withMutableBytes { try protection.openPacket($0, sequenceNumber: 0) } }
        var unaligned = [UInt8](repeating: 0, count: 4 + 20 + 32)
        #expect(throws: CryptoError.self) {
            try unaligned.withMutableBytes { try protection.openPacket($0, sequenceNumber: 0) }
        }
    }

    @Test func namesLookUp() {
        #expect(CipherAlgorithm.named("aes256-gcm@openssh.com") == .aes256GCM)
        #expect(CipherAlgorithm.named("rc4") == nil)
        #expect(MACAlgorithm.named("hmac-sha1-96")?.outputLength == 12)
        #expect(MACAlgorithm.named("hmac-sha2-512-etm@openssh.com")?.encryptThenMAC == true)
        #expect(CipherAlgorithm.defaults.map(\.name) == [
            "chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com",
            "aes256-gcm@openssh.com",
        ])
    }
}
