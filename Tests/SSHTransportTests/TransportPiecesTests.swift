import NIOCore
import SSHCrypto
import SSHWire
import Testing

@testable import SSHTransport

@Suite struct TransportPiecesTests {
    /// RFC 4253 §7.2, checked against an independent implementation of the same formula.
    /// Events and commands cross the NIO pipeline once per packet as `NIOAny`, whose `Any` keeps up to three
    /// words inline: anything bigger costs an allocation per packet.
    @Test func eventsAndCommandsFitInlineInNIOAny() {
        #expect(MemoryLayout<TransportEvent>.size <= 3 * MemoryLayout<Int>.size)
        #expect(MemoryLayout<TransportCommand>.size <= 3 * MemoryLayout<Int>.size)
    }

    @Test func keyDerivationExtendsKeys() throws {
        let secret = KeyDerivation.encodedSecret(SecureBytes([0x80] + Array(1..<32)))
        #expect(secret.unsafeArray.prefix(6) == [0, 0, 0, 33, 0, 0x80])
        let exchangeHash = Array(0..<32 as Range<UInt8>)
        let session = Array(100..<132 as Range<UInt8>)
        let long = try KeyDerivation.derive(
            letter: UInt8(ascii: "C"), length: 64, hash: .sha256, encodedSecret: secret, exchangeHash: exchangeHash,
            sessionID: session)
        #expect(
            long.unsafeArray.hex
                == "c0a9d16897815af4157c908dcca20df58791198f6576498af78191877caa15dff755746ac7df8b02944ca8b07279094a0b1bb027b82237c6a11e69e73b0fb06c"
        )
        let short = try KeyDerivation.derive(
            letter: UInt8(ascii: "A"), length: 12, hash: .sha256, encodedSecret: secret, exchangeHash: exchangeHash,
            sessionID: session)
        #expect(short.unsafeArray.hex == "6df8c4bc0dfaadec32dfa463")
    }

    static func kexInit(kex: [String], hostKey: [String], ciphers: [String], macs: [String], follows: Bool = false)
        -> KexInitMessage
    {
        var random = SystemRandom()
        return KexInitMessage(
            cookie: KexInitCookie(using: &random), kexAlgorithms: kex, serverHostKeyAlgorithms: hostKey,
            encryptionAlgorithmsClientToServer: ciphers, encryptionAlgorithmsServerToClient: ciphers,
            macAlgorithmsClientToServer: macs, macAlgorithmsServerToClient: macs,
            compressionAlgorithmsClientToServer: ["none"], compressionAlgorithmsServerToClient: ["none"],
            languagesClientToServer: [], languagesServerToClient: [], firstKexPacketFollows: follows, reserved: 0)
    }

    @Test func negotiationTakesTheClientsFirstCommonChoice() throws {
        let client = Self.kexInit(
            kex: ["curve25519-sha256", "ecdh-sha2-nistp256", "ext-info-c", "kex-strict-c-v00@openssh.com"],
            hostKey: ["ssh-ed25519", "rsa-sha2-512"], ciphers: ["aes128-ctr", "aes256-gcm@openssh.com"],
            macs: ["hmac-sha2-512", "hmac-sha2-256"])
        let server = Self.kexInit(
            kex: ["ecdh-sha2-nistp256", "curve25519-sha256", "kex-strict-s-v00@openssh.com"],
            hostKey: ["rsa-sha2-512", "ssh-ed25519"], ciphers: ["aes256-gcm@openssh.com", "aes128-ctr"],
            macs: ["hmac-sha2-256", "hmac-sha2-512"])
        let result = try Negotiation.negotiate(client: client, server: server, initial: true)
        #expect(result.keyExchange == .curve25519SHA256)
        #expect(result.hostKey == "ssh-ed25519")
        #expect(result.cipherClientToServer == .aes128CTR)
        #expect(result.macClientToServer == .hmacSHA512)
        #expect(result.strictKeyExchange)
        #expect(!(try Negotiation.negotiate(client: client, server: server, initial: false)).strictKeyExchange)
        #expect(!Negotiation.guessIsCorrect(client: client, server: server))
    }

    @Test func aeadCiphersNeedNoMAC() throws {
        let client = Self.kexInit(
            kex: ["curve25519-sha256"], hostKey: ["ssh-ed25519"], ciphers: ["chacha20-poly1305@openssh.com"],
            macs: ["hmac-sha2-256"])
        let server = Self.kexInit(
            kex: ["curve25519-sha256"], hostKey: ["ssh-ed25519"], ciphers: ["chacha20-poly1305@openssh.com"],
            macs: ["hmac-md5"])
        let result = try Negotiation.negotiate(client: client, server: server, initial: true)
        #expect(result.macClientToServer == nil)
        #expect(Negotiation.guessIsCorrect(client: client, server: server))
    }

    @Test func noCommonAlgorithmNamesTheSlot() {
        let client = Self.kexInit(kex: ["curve25519-sha256"], hostKey: ["ssh-ed25519"], ciphers: ["aes128-ctr"], macs: ["hmac-sha2-256"])
        let server = Self.kexInit(kex: ["curve25519-sha256"], hostKey: ["ssh-ed25519"], ciphers: ["aes256-ctr"], macs: ["hmac-sha2-256"])
        do {
            _ = try Negotiation.negotiate(client: client, server: server, initial: true)
            Issue.record("negotiation should fail")
        } catch {
            #expect(error.code == .noCommonAlgorithm)
            #expect(error.detail.contains("cipher"))
        }
        // Markers are never chosen as algorithms.
        let markerOnly = Self.kexInit(kex: ["ext-info-c"], hostKey: ["ssh-ed25519"], ciphers: ["aes128-ctr"], macs: ["hmac-sha2-256"])
        #expect(throws: TransportError.self) {
            _ = try Negotiation.negotiate(client: markerOnly, server: markerOnly, initial: true)
        }
    }

    @Test func moduliFileParsesAndChooses() throws {
        let text = """
            # Time Type Tests Tries Size Generator Modulus
            20230101000000 2 6 100 2047 2 \(DiffieHellmanGroup.group14.prime.hex.uppercased())
            20230101000000 2 6 100 4095 5 \(DiffieHellmanGroup.group16.prime.hex)
            20230101000000 2 6 100 4095 2 zz
            20230101000000 1 6 100 2047 2 \(DiffieHellmanGroup.group14.prime.hex)
            """
        let file = ModuliFile(parsing: text)
        #expect(file.entries.map(\.bits) == [2048, 4096])
        var random = SystemRandom()
        #expect(file.choose(minimum: 2048, preferred: 3072, maximum: 8192, using: &random)?.bits == 4096)
        #expect(file.choose(minimum: 2048, preferred: 8192, maximum: 8192, using: &random)?.bits == 4096)
        #expect(file.choose(minimum: 6000, preferred: 8192, maximum: 8192, using: &random) == nil)
        #expect(ModuliFile.builtin.entries.count == 3)
    }

    @Test func compressionRoundTripsAcrossPackets() throws {
        let deflater = try PacketCompression(compressing: true)
        let inflater = try PacketCompression(compressing: false)
        for size in [0, 1, 100, 40_000, 200_000] {
            let original = ByteBuffer(bytes: (0..<size).map { UInt8(truncatingIfNeeded: $0 * 7 % 251) })
            let compressed = try deflater.compress(original)
            #expect(try inflater.decompress(compressed) == original)
        }
    }

    @Test func decompressionStopsAtTheLimit() throws {
        let deflater = try PacketCompression(compressing: true)
        let inflater = try PacketCompression(compressing: false)
        let bomb = try deflater.compress(ByteBuffer(repeating: 0, count: 1 << 20))
        #expect(bomb.readableBytes < 4096)
        #expect(throws: TransportError.self) { _ = try inflater.decompress(bomb) }
        let garbage = ByteBuffer(bytes: [0xff, 0xfe, 0xfd, 0xfc, 0x01, 0x02])
        #expect(throws: TransportError.self) { _ = try PacketCompression(compressing: false).decompress(garbage) }
    }

    @Test func packetDecoderRejectsOversizeLengthsBeforeWaiting() throws {
        var decoder = PacketDecoder()
        var buffer = ByteBuffer(bytes: [0x00, 0x04, 0x00, 0x01])
        #expect(throws: TransportError.self) { _ = try decoder.next(from: &buffer) }
        var huge = ByteBuffer(bytes: [0xff, 0xff, 0xff, 0xff])
        var fresh = PacketDecoder()
        #expect(throws: TransportError.self) { _ = try fresh.next(from: &huge) }
        var unaligned = ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x0d])
        var third = PacketDecoder()
        #expect(throws: TransportError.self) { _ = try third.next(from: &unaligned) }
    }

    /// Packets are opened in place in the received bytes: each payload handed on stays intact while the
    /// packets after it in the same buffer are opened, for every kind of protection (AEAD, MAC after
    /// encryption, and MAC over the plaintext with the first block decrypted ahead for the length).
    @Test(arguments: [
        (CipherAlgorithm.aes128GCM, nil), (.chacha20Poly1305, nil), (.aes128CTR, MACAlgorithm.hmacSHA256ETM),
        (.aes128CTR, .hmacSHA256), (.aes256CBC, .hmacSHA256),
    ] as [(CipherAlgorithm, MACAlgorithm?)])
    func payloadsSurviveOpeningTheirNeighboursInPlace(cipher: CipherAlgorithm, mac: MACAlgorithm?) throws {
        var random = SystemRandom()
        let key = random.secureBytes(cipher.keyLength)
        let iv = random.secureBytes(cipher.ivLength)
        let macKey = mac.map { random.secureBytes($0.keyLength) }
        var encoder = PacketEncoder()
        var decoder = PacketDecoder()
        encoder.install(
            try cipher.makeProtection(mac: mac, key: key, iv: iv, macKey: macKey, direction: .outbound),
            resetSequence: true)
        decoder.install(
            try cipher.makeProtection(mac: mac, key: key, iv: iv, macKey: macKey, direction: .inbound),
            resetSequence: true)
        let sizes = [1, 100, 32768, 7, 5000]
        var wire = ByteBuffer()
        for (index, size) in sizes.enumerated() {
            try encoder.encode(into: &wire, random: &random) { $0.writeRepeatingByte(UInt8(index + 1), count: size) }
        }
        // The receive buffer is a slice of a larger read, as a socket's is.
        var read = ByteBuffer(bytes: [0xEE, 0xEE])
        read.writeBuffer(&wire)
        var received = read.getSlice(at: 2, length: read.readableBytes - 2)!
        var payloads: [ByteBuffer] = []
        while let packet = try decoder.next(from: &received) { payloads.append(packet.payload) }
        #expect(payloads.count == sizes.count)
        for (index, payload) in payloads.enumerated() {
            #expect(Array(payload.readableBytesView) == [UInt8](repeating: UInt8(index + 1), count: sizes[index]))
        }
    }

    @Test func packetEncoderAndDecoderAgree() throws {
        var random = SystemRandom()
        var encoder = PacketEncoder()
        var decoder = PacketDecoder()
        var wire = ByteBuffer()
        for size in [0, 1, 7, 8, 300] {
            try encoder.encode(into: &wire, random: &random) { $0.writeRepeatingByte(0x42, count: size) }
        }
        for size in [0, 1, 7, 8, 300] {
            let packet = try #require(try decoder.next(from: &wire))
            #expect(packet.payload.readableBytes == size)
        }
        #expect(try decoder.next(from: &wire) == nil)
    }
}
