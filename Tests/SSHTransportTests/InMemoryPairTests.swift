import NIOCore
import SSHCrypto
import SSHWire
import Testing

@testable import SSHTransport

/// A client machine wired to a server machine in memory: bytes pumped whole, byte by byte or in
/// chunks, with the host key accepted and `ssh-userauth` requested once keys are in place.
struct InMemoryPair {
    var client: TransportStateMachine
    var server: TransportStateMachine
    var toServer = ByteBuffer()
    var toClient = ByteBuffer()
    var chunk: Int?
    var now = ContinuousClock.now
    var clientEvents: [TransportEvent] = []
    var serverEvents: [TransportEvent] = []
    var acceptHostKey = true
    var requestedService = false

    static let hostKeys: [SSHPrivateKey] = {
        [SSHKeyType.ed25519, .ecdsaP256, .rsa].compactMap { try? SSHPrivateKey.generate($0, bits: $0 == .rsa ? 2048 : nil) }
    }()

    init(client: TransportConfiguration = Self.clientConfiguration(), server: TransportConfiguration = Self.serverConfiguration(),
        chunk: Int? = nil)
    {
        self.client = TransportStateMachine(configuration: client)
        self.server = TransportStateMachine(configuration: server)
        self.chunk = chunk
    }

    static func clientConfiguration(_ algorithms: AlgorithmPreferences = .supported) -> TransportConfiguration {
        var configuration = TransportConfiguration(role: .client)
        configuration.algorithms = algorithms
        return configuration
    }

    static func serverConfiguration(_ algorithms: AlgorithmPreferences = .supported) -> TransportConfiguration {
        var configuration = TransportConfiguration(role: .server)
        configuration.algorithms = algorithms
        configuration.hostKeys = hostKeys
        return configuration
    }

    /// A pair with `algorithms` as both sides' preferences.
    init(_ algorithms: AlgorithmPreferences, chunk: Int? = nil) {
        self.init(client: Self.clientConfiguration(algorithms), server: Self.serverConfiguration(algorithms), chunk: chunk)
    }

    mutating func start() throws {
        try client.start(now: now, writingInto: &toServer)
        try server.start(now: now, writingInto: &toClient)
    }

    /// Starts both sides, exchanges keys and marks both authenticated, ready for payloads.
    mutating func establish() throws {
        try start()
        try pump()
        client.authenticationSucceeded()
        server.authenticationSucceeded()
    }

    /// Moves bytes both ways and handles events until nothing moves.
    mutating func pump(rounds: Int = 100_000) throws {
        for _ in 0..<rounds {
            let towardServer = try deliver(toServer: true)
            let towardClient = try deliver(toServer: false)
            if !towardServer && !towardClient { return }
        }
    }

    private mutating func deliver(toServer: Bool) throws -> Bool {
        var bytes = toServer ? self.toServer : self.toClient
        var machine = toServer ? server : client
        var events: [TransportEvent] = []
        var moved = false
        defer {
            if toServer {
                self.toServer = bytes
                server = machine
                serverEvents += events
            } else {
                self.toClient = bytes
                client = machine
                clientEvents += events
            }
        }
        if bytes.readableBytes > 0 {
            let count = min(chunk ?? bytes.readableBytes, bytes.readableBytes)
            if let slice = bytes.readSlice(length: count) {
                machine.receive(slice)
                moved = true
            }
            bytes.discardReadBytes()
        }
        var out = ByteBuffer()
        defer {
            if toServer { toClient.writeBuffer(&out) } else { self.toServer.writeBuffer(&out) }
        }
        while let event = try machine.nextEvent(now: now, writingInto: &out) {
            moved = true
            events.append(event)
            switch event {
            case .verifyHostKey:
                try machine.hostKeyVerdict(accepted: acceptHostKey, writingInto: &out)
            case .keyExchangeComplete(_, let initial) where initial && !toServer && !requestedService:
                requestedService = true
                try machine.requestService("ssh-userauth", writingInto: &out)
            default:
                break
            }
        }
        if out.readableBytes > 0 { moved = true }
        return moved
    }

    var serviceAccepted: Bool {
        clientEvents.contains { if case .serviceAccepted("ssh-userauth") = $0 { return true } else { return false } }
    }

    func completedExchanges(_ events: [TransportEvent]) -> Int {
        events.filter { if case .keyExchangeComplete = $0 { return true } else { return false } }.count
    }
}

@Suite struct InMemoryPairTests {
    static func pinned(kex: String = "curve25519-sha256", hostKey: String = "ssh-ed25519", cipher: String = "aes128-ctr",
        mac: String = "hmac-sha2-256", compression: String = "none") -> AlgorithmPreferences
    {
        AlgorithmPreferences(keyExchange: [kex], hostKey: [hostKey], ciphers: [cipher], macs: [mac], compression: [compression])
    }

    static let combinations: [AlgorithmPreferences] =
        KeyExchangeMethod.supported.map { pinned(kex: $0.name) }
        + CipherAlgorithm.supported.map { pinned(cipher: $0.name) }
        + MACAlgorithm.supported.map { pinned(mac: $0.name) }
        + ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"].map { pinned(hostKey: $0) }
        + ["zlib", "zlib@openssh.com"].map { pinned(compression: $0) }

    @Test(arguments: combinations)
    func everyAlgorithmReachesServiceAccept(_ algorithms: AlgorithmPreferences) throws {
        var pair = InMemoryPair(algorithms)
        try pair.start()
        try pair.pump()
        #expect(pair.serviceAccepted)
        #expect(pair.client.negotiated?.keyExchange.name == algorithms.keyExchange[0])
        #expect(pair.client.negotiated?.cipherClientToServer.name == algorithms.ciphers[0])
        #expect(pair.client.sessionID == pair.server.sessionID)
        #expect(pair.client.negotiated?.strictKeyExchange == true)
    }

    @Test(arguments: [nil, 1, 7, 1000] as [Int?])
    func chunkingDoesNotMatter(_ chunk: Int?) throws {
        var pair = InMemoryPair(chunk: chunk)
        try pair.start()
        try pair.pump()
        #expect(pair.serviceAccepted)
    }

    /// Data keeps flowing across rekeys started by either side, including one triggered by a byte limit.
    /// The client sends its payloads in two parts (``SplitPayload``), which arrive whole, those
    /// queued during a key exchange included.
    @Test(arguments: [true, false])
    func rekeyInTheMiddleOfTraffic(clientStarts: Bool) throws {
        var serverConfiguration = InMemoryPair.serverConfiguration(.defaults)
        serverConfiguration.rekeyBytes = 64 * 1024
        var pair = InMemoryPair(client: InMemoryPair.clientConfiguration(.defaults), server: serverConfiguration, chunk: 4096)
        try pair.establish()
        for index in 0..<200 {
            var payload = ByteBuffer()
            payload.writeInteger(UInt8(94))
            payload.writeInteger(UInt32(index))
            payload.writeRepeatingByte(0x61, count: 1000)
            let split = SplitPayload(
                head: payload.getSlice(at: payload.readerIndex, length: 5)!,
                body: payload.getSlice(at: payload.readerIndex + 5, length: 1000)!)
            try pair.client.send(split, writingInto: &pair.toServer)
            try pair.server.send(payload, writingInto: &pair.toClient)
            if index == 50 {
                if clientStarts {
                    try pair.client.startRekey(now: pair.now, writingInto: &pair.toServer)
                } else {
                    try pair.server.startRekey(now: pair.now, writingInto: &pair.toClient)
                }
            }
            if pair.server.needsRekey { try pair.server.startRekey(now: pair.now, writingInto: &pair.toClient) }
            if index % 10 == 0 { try pair.pump() }
        }
        try pair.pump()
        let received = pair.serverEvents.compactMap { event -> UInt32? in
            guard case .payload(var payload) = event, payload.readableBytes == 1005,
                payload.readableBytesView.suffix(1000).allSatisfy({ $0 == 0x61 })
            else { return nil }
            payload.moveReaderIndex(forwardBy: 1)
            return payload.readInteger(as: UInt32.self)
        }
        #expect(received == (0..<200).map(UInt32.init))
        #expect(pair.completedExchanges(pair.clientEvents) >= 3)
        #expect(pair.completedExchanges(pair.serverEvents) == pair.completedExchanges(pair.clientEvents))
    }

    /// Payloads sent in two parts arrive byte for byte under every kind of packet protection (AEAD,
    /// stream cipher with encrypt-then-MAC and with encrypt-and-MAC, CBC), with heads and bodies of
    /// sizes that leave the body at every alignment within the cipher's blocks.
    @Test(arguments: [
        ("aes128-gcm@openssh.com", "hmac-sha2-256"), ("chacha20-poly1305@openssh.com", "hmac-sha2-256"),
        ("aes128-ctr", "hmac-sha2-256-etm@openssh.com"), ("aes256-ctr", "hmac-sha1"),
        ("aes128-cbc", "hmac-sha2-512"),
    ])
    func splitPayloadsArriveWholeUnderEveryProtection(cipher: String, mac: String) throws {
        var pair = InMemoryPair(Self.pinned(cipher: cipher, mac: mac), chunk: 1000)
        try pair.establish()
        var sent: [[UInt8]] = []
        for index in 0..<40 {
            let head = [UInt8(94)] + (0..<(index % 13)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
            let body = (0..<(index * 977 % 33000)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) }
            try pair.client.send(
                SplitPayload(head: ByteBuffer(bytes: head), body: ByteBuffer(bytes: body)), writingInto: &pair.toServer)
            sent.append(head + body)
        }
        try pair.pump()
        let received = pair.serverEvents.compactMap { event -> [UInt8]? in
            guard case .payload(let payload) = event, payload.getInteger(at: payload.readerIndex, as: UInt8.self) == 94
            else { return nil }
            return Array(payload.readableBytesView)
        }
        #expect(received.count == sent.count)
        for (index, (got, want)) in zip(received, sent).enumerated() where got != want {
            let first = (0..<min(got.count, want.count)).first { got[$0] != want[$0] } ?? min(got.count, want.count)
            Issue.record("payload \(index) (\(want.count) bytes) arrived as \(got.count) bytes, first differing at \(first)")
        }
    }

    /// Packets arrive whole and in order whatever the reads cut them into: reads that end inside
    /// a packet's first block or further in, reads holding many packets after the end of one that
    /// straddled, and reads handed over before the packets of the last one were taken.
    @Test(arguments: ["aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes128-ctr"])
    func packetsSurviveAnyCutOfTheReads(cipher: String) throws {
        var pair = InMemoryPair(Self.pinned(cipher: cipher, mac: "hmac-sha2-256-etm@openssh.com"))
        try pair.establish()
        var sent: [[UInt8]] = []
        for index in 0..<120 {
            let payload = [UInt8(94)] + (0..<(index * 7919 % 40000)).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ index) }
            try pair.client.send(ByteBuffer(bytes: payload), writingInto: &pair.toServer)
            sent.append(payload)
        }
        var wire = pair.toServer
        pair.toServer.clear()
        let cuts = [1, 3, 16, 70_000, 5, 33_000, 200_000, 2, 41_000, 120_000, 9, 60_000]
        var received: [[UInt8]] = []
        var out = ByteBuffer()
        var cut = 0
        while wire.readableBytes > 0 {
            // Every third read is handed over together with the next, before anything is taken.
            for _ in 0..<(cut % 3 == 2 ? 2 : 1) where wire.readableBytes > 0 {
                let count = min(cuts[cut % cuts.count], wire.readableBytes)
                pair.server.receive(wire.readSlice(length: count)!)
                cut += 1
            }
            while let event = try pair.server.nextEvent(now: pair.now, writingInto: &out) {
                if case .payload(let payload) = event { received.append(Array(payload.readableBytesView)) }
            }
        }
        #expect(received.count == sent.count)
        #expect(received == sent)
    }

    /// A server presenting host certificates of each key type: the client negotiates the
    /// certificate algorithm and verifies the signature made by the certified key.
    @Test(arguments: [SSHKeyType.ed25519, .ecdsaP384, .rsa])
    func hostCertificatesServeTheirAlgorithms(_ type: SSHKeyType) throws {
        let authority = try SSHPrivateKey.generate(.ed25519)
        let hostKey = try SSHPrivateKey.generate(type, bits: type == .rsa ? 2048 : nil)
        let certificate = try authority.certify(
            hostKey.publicKey, SSHCertificateRequest(kind: .host, keyID: "host", principals: ["example"]))
        var server = InMemoryPair.serverConfiguration()
        server.hostKeys = [try CertifiedHostKey(privateKey: hostKey, certificate: certificate)]
        var client = InMemoryPair.clientConfiguration()
        client.algorithms.hostKey = certificate.signatureAlgorithms
        var pair = InMemoryPair(client: client, server: server)
        try pair.start()
        try pair.pump()
        #expect(pair.serviceAccepted)
        #expect(pair.client.negotiated?.hostKey == certificate.signatureAlgorithms[0])
        #expect(certificate.signatureAlgorithms[0].hasSuffix("-cert-v01@openssh.com"))
    }

    @Test func aUserCertificateIsNoHostKey() throws {
        let authority = try SSHPrivateKey.generate(.ed25519)
        let key = try SSHPrivateKey.generate(.ed25519)
        let certificate = try authority.certify(key.publicKey, SSHCertificateRequest(kind: .user, keyID: "u", principals: ["u"]))
        #expect(throws: TransportError.self) { try CertifiedHostKey(privateKey: key, certificate: certificate) }
        let other = try SSHPrivateKey.generate(.ed25519)
        let hostCertificate = try authority.certify(other.publicKey, SSHCertificateRequest(kind: .host, keyID: "h", principals: []))
        #expect(throws: TransportError.self) { try CertifiedHostKey(privateKey: key, certificate: hostCertificate) }
    }

    @Test func rejectedHostKeyEndsTheConnection() throws {
        var pair = InMemoryPair()
        pair.acceptHostKey = false
        try pair.start()
        #expect(throws: TransportError.self) { try pair.pump() }
        #expect(pair.client.isClosed)
    }

    @Test func corruptedMACEndsInATypedError() throws {
        var pair = InMemoryPair(Self.pinned())
        try pair.start()
        try pair.pump()
        var payload = ByteBuffer()
        payload.writeInteger(UInt8(50))
        try pair.client.send(payload, writingInto: &pair.toServer)
        let last = pair.toServer.writerIndex - 1
        pair.toServer.setInteger((pair.toServer.getInteger(at: last, as: UInt8.self) ?? 0) ^ 1, at: last)
        expectTransportError(.macError) { try pair.pump() }
        #expect(pair.server.isClosed)
    }

    /// A server machine fed a client greeting and then `messages` as plaintext packets.
    static func serverReceiving(_ messages: [any SSHMessage]) throws -> (TransportStateMachine, ByteBuffer) {
        var server = TransportStateMachine(configuration: InMemoryPair.serverConfiguration())
        var out = ByteBuffer()
        try server.start(now: .now, writingInto: &out)
        var random = SystemRandom()
        var encoder = PacketEncoder()
        var wire = ByteBuffer(string: "SSH-2.0-test\r\n")
        for message in messages {
            try encoder.encode(into: &wire, random: &random) { message.encode(into: &$0) }
        }
        server.receive(wire)
        return (server, out)
    }

    @Test func strictKexRejectsAMessageBeforeKexInit() throws {
        let kexInit = TransportPiecesTests.kexInit(
            kex: ["curve25519-sha256", "kex-strict-c-v00@openssh.com"], hostKey: ["ssh-ed25519"],
            ciphers: ["aes128-ctr"], macs: ["hmac-sha2-256"])
        var (server, out) = try Self.serverReceiving([IgnoreMessage(), kexInit])
        expectTransportError(.protocolError) { while try server.nextEvent(now: .now, writingInto: &out) != nil {} }
        #expect(server.isClosed)
    }

    /// A hybrid post-quantum client value of the wrong length, or an ML-KEM key with a coefficient
    /// not below q, ends the exchange with a typed error, not a crash.
    @Test(arguments: [
        ("mlkem768x25519-sha256", 1215, UInt8(0)), ("mlkem768x25519-sha256", 1216, UInt8(0xFF)),
        ("sntrup761x25519-sha512", 1189, UInt8(0)), ("sntrup761x25519-sha512@openssh.com", 0, UInt8(0)),
    ])
    func malformedHybridClientValueFailsTheExchange(kex: String, length: Int, fill: UInt8) throws {
        let kexInit = TransportPiecesTests.kexInit(
            kex: [kex], hostKey: ["ssh-ed25519"], ciphers: ["aes128-ctr"], macs: ["hmac-sha2-256"])
        let value = ByteBuffer(bytes: [UInt8](repeating: fill, count: length))
        var (server, out) = try Self.serverReceiving([kexInit, KexECDHInitMessage(clientPublicKey: value)])
        expectTransportError(.keyExchangeFailed) { while try server.nextEvent(now: .now, writingInto: &out) != nil {} }
        #expect(server.isClosed)
    }

    @Test func secondKexInitDuringKexIsAProtocolError() throws {
        let kexInit = TransportPiecesTests.kexInit(
            kex: ["curve25519-sha256"], hostKey: ["ssh-ed25519"], ciphers: ["aes128-ctr"], macs: ["hmac-sha2-256"])
        var (server, out) = try Self.serverReceiving([kexInit, kexInit])
        expectTransportError(.protocolError) { while try server.nextEvent(now: .now, writingInto: &out) != nil {} }
    }

    /// Connection messages before authentication end the connection (LIMITS.md), a global request
    /// such as a keepalive included, though sshd answers that one with UNIMPLEMENTED.
    @Test(arguments: [80, 90, 94] as [UInt8])  // GLOBAL_REQUEST, CHANNEL_OPEN, CHANNEL_DATA
    func connectionMessagesBeforeAuthenticationAreRefused(number: UInt8) throws {
        var pair = InMemoryPair()
        try pair.start()
        try pair.pump()
        var payload = ByteBuffer()
        payload.writeInteger(number)
        try pair.client.send(payload, writingInto: &pair.toServer)
        #expect(throws: TransportError.self) { try pair.pump() }
        #expect(pair.server.isClosed)
    }

    @Test func oversizeLengthAndGarbageVersionFail() throws {
        var server = TransportStateMachine(configuration: InMemoryPair.serverConfiguration())
        var out = ByteBuffer()
        try server.start(now: .now, writingInto: &out)
        server.receive(ByteBuffer(bytes: Array("SSH-2.0-x\r\n".utf8) + [0xff, 0xff, 0xff, 0xf0]))
        #expect(throws: TransportError.self) { while try server.nextEvent(now: .now, writingInto: &out) != nil {} }

        var other = TransportStateMachine(configuration: InMemoryPair.serverConfiguration())
        try other.start(now: .now, writingInto: &out)
        other.receive(ByteBuffer(string: "HTTP/1.1 200 OK\r\n"))
        expectTransportError(.badVersion) { while try other.nextEvent(now: .now, writingInto: &out) != nil {} }
    }

    @Test func aPeerThatStopsMidKexTimesOut() throws {
        var pair = InMemoryPair()
        try pair.start()
        let later = pair.now + .seconds(61)
        var out = ByteBuffer()
        expectTransportError(.timedOut) { _ = try pair.client.checkTimers(now: later, writingInto: &out) }
        #expect(pair.client.isClosed)
    }
}

/// Requires `body` to fail with a transport error of `code`.
func expectTransportError(
    _ code: TransportError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(code)", sourceLocation: sourceLocation)
    } catch let error as TransportError {
        #expect(error.code == code, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
