import NIOCore
import SSHCrypto
import Testing

@testable import SSHTransport

/// A client that computes its post-quantum key pairs aside (`computesKeyPairsAside`): the first
/// ahead of the server's KEXINIT, later ones while the exchange waits.
@Suite struct KeyAgreementPreparationTests {
    static let sntrup = "sntrup761x25519-sha512"
    static let mlkem = "mlkem768x25519-sha256"
    static let curve = "curve25519-sha256"

    static func pair(client kex: [String], server serverKex: [String]) -> InMemoryPair {
        var client = InMemoryPair.clientConfiguration(InMemoryPairTests.pinned())
        client.algorithms.keyExchange = kex
        client.computesKeyPairsAside = true
        var server = InMemoryPair.serverConfiguration(InMemoryPairTests.pinned())
        server.algorithms.keyExchange = serverKex
        return InMemoryPair(client: client, server: server)
    }

    /// Hands `bytes` to `machine` and returns what it writes while its events are pulled.
    static func step(_ machine: inout TransportStateMachine, _ bytes: inout ByteBuffer) throws -> ByteBuffer {
        machine.receive(bytes)
        bytes.clear()
        var out = ByteBuffer()
        while try machine.nextEvent(now: .now, writingInto: &out) != nil {}
        return out
    }

    /// Starts both sides and moves the client's KEXINIT to the server, the server's to the client;
    /// returns what the client wrote on reading it.
    static func exchangeKexInits(_ pair: inout InMemoryPair) throws -> ByteBuffer {
        try pair.start()
        var reply = try step(&pair.server, &pair.toServer)
        pair.toClient.writeBuffer(&reply)
        return try step(&pair.client, &pair.toClient)
    }

    static func contains(_ buffer: ByteBuffer, _ value: [UInt8]) -> Bool {
        let bytes = Array(buffer.readableBytesView)
        guard bytes.count >= value.count else { return false }
        return (0...(bytes.count - value.count)).contains { bytes[$0..<($0 + value.count)].elementsEqual(value) }
    }

    @Test func theLeadingHybridsArePrepared() {
        #expect(TransportStateMachine.leadingHybrids([Self.mlkem, Self.sntrup, Self.sntrup + "@openssh.com", Self.curve])
            == [.mlkem768x25519, .sntrup761x25519])
        #expect(TransportStateMachine.leadingHybrids([Self.curve, Self.sntrup]).isEmpty)
        #expect(TransportStateMachine.leadingHybrids(["no-such-kex", Self.sntrup]).isEmpty)
    }

    /// The pair computed before the server's KEXINIT is the one the client's first packet carries.
    @Test func thePairComputedAheadIsSent() throws {
        var pair = Self.pair(client: [Self.sntrup, Self.curve], server: [Self.sntrup, Self.curve])
        try pair.start()
        let preparations = pair.client.takeKeyAgreementPreparations()
        #expect(preparations.map(\.kind) == [.sntrup761x25519])
        #expect(pair.client.takeKeyAgreementPreparations().isEmpty)
        let prepared = preparations[0].run()
        let value = try prepared.result.get().publicValue
        var nothing = ByteBuffer()
        try pair.client.supply(prepared, now: pair.now, writingInto: &nothing)
        #expect(nothing.readableBytes == 0)

        var reply = try Self.step(&pair.server, &pair.toServer)
        pair.toClient.writeBuffer(&reply)
        var first = try Self.step(&pair.client, &pair.toClient)
        #expect(Self.contains(first, value))
        pair.toServer.writeBuffer(&first)
        try pair.pump()
        #expect(pair.completedExchanges(pair.clientEvents) == 1)
        #expect(pair.serviceAccepted)
        #expect(pair.client.negotiated?.keyExchange.name == Self.sntrup)
        #expect(pair.client.takeKeyAgreementPreparations().isEmpty)
    }

    /// A KEXINIT that arrives before the pair is ready leaves the client silent until it is.
    @Test func theExchangeWaitsForThePair() throws {
        var pair = Self.pair(client: [Self.mlkem, Self.curve], server: [Self.mlkem, Self.curve])
        try pair.start()
        let preparations = pair.client.takeKeyAgreementPreparations()
        #expect(preparations.map(\.kind) == [.mlkem768x25519])
        var reply = try Self.step(&pair.server, &pair.toServer)
        pair.toClient.writeBuffer(&reply)
        let silent = try Self.step(&pair.client, &pair.toClient)
        #expect(silent.readableBytes == 0)
        #expect(pair.client.takeKeyAgreementPreparations().isEmpty)

        let prepared = preparations[0].run()
        var first = ByteBuffer()
        try pair.client.supply(prepared, now: pair.now, writingInto: &first)
        #expect(Self.contains(first, try prepared.result.get().publicValue))
        pair.toServer.writeBuffer(&first)
        try pair.pump()
        #expect(pair.completedExchanges(pair.clientEvents) == 1)
        #expect(pair.serviceAccepted)
    }

    /// Pairs for methods the server does not choose are dropped; the exchange goes on in place.
    @Test func pairsForAnotherMethodAreDropped() throws {
        var pair = Self.pair(client: [Self.mlkem, Self.sntrup, Self.curve], server: [Self.curve])
        try pair.start()
        let preparations = pair.client.takeKeyAgreementPreparations()
        #expect(preparations.map(\.kind) == [.mlkem768x25519, .sntrup761x25519])
        var nothing = ByteBuffer()
        try pair.client.supply(preparations[0].run(), now: pair.now, writingInto: &nothing)
        var reply = try Self.step(&pair.server, &pair.toServer)
        pair.toClient.writeBuffer(&reply)
        var first = try Self.step(&pair.client, &pair.toClient)
        #expect(first.readableBytes > 0)
        // The late one finds the exchange negotiated and is dropped.
        try pair.client.supply(preparations[1].run(), now: pair.now, writingInto: &nothing)
        #expect(nothing.readableBytes == 0)
        pair.toServer.writeBuffer(&first)
        try pair.pump()
        #expect(pair.completedExchanges(pair.clientEvents) == 1)
        #expect(pair.client.negotiated?.keyExchange.name == Self.curve)
        #expect(pair.client.takeKeyAgreementPreparations().isEmpty)
    }

    /// A re-exchange asks for a fresh pair and waits for it; a pair is never used twice.
    @Test func aRekeyComputesAFreshPairAside() throws {
        var pair = Self.pair(client: [Self.sntrup], server: [Self.sntrup])
        try pair.start()
        let ahead = pair.client.takeKeyAgreementPreparations()[0].run()
        let firstValue = try ahead.result.get().publicValue
        try pair.client.supply(ahead, now: pair.now, writingInto: &pair.toServer)
        try pair.pump()
        #expect(pair.completedExchanges(pair.clientEvents) == 1)

        try pair.client.startRekey(now: pair.now, writingInto: &pair.toServer)
        try pair.pump()
        #expect(pair.completedExchanges(pair.clientEvents) == 1)
        let preparations = pair.client.takeKeyAgreementPreparations()
        #expect(preparations.map(\.kind) == [.sntrup761x25519])
        let fresh = preparations[0].run()
        #expect(try fresh.result.get().publicValue != firstValue)
        try pair.client.supply(fresh, now: pair.now, writingInto: &pair.toServer)
        try pair.pump()
        #expect(pair.completedExchanges(pair.clientEvents) == 2)
        #expect(pair.completedExchanges(pair.serverEvents) == 2)
    }

    /// A preparation that failed fails the exchange waiting for it, with a DISCONNECT.
    @Test func aFailedPreparationFailsTheExchange() throws {
        var pair = Self.pair(client: [Self.sntrup], server: [Self.sntrup])
        let silent = try Self.exchangeKexInits(&pair)
        #expect(silent.readableBytes == 0)
        let failed = PreparedKeyAgreement(
            kind: .sntrup761x25519, result: .failure(TransportError(.keyExchangeFailed, "no randomness")))
        var out = ByteBuffer()
        #expect(throws: TransportError.self) { try pair.client.supply(failed, now: pair.now, writingInto: &out) }
        #expect(out.readableBytes > 0)
        #expect(pair.client.isClosed)
    }
}
