import NIOCore
import SSHCrypto
import SSHTransport

/// A client and a server transport machine joined in memory: the key exchange runs, then the
/// client sends `CHANNEL_DATA`-shaped payloads that the server decrypts, in one thread. The
/// figure counts payload bytes, so both sealing and opening are in it.
enum TransportThroughput {
    static func measure(
        cipher: CipherAlgorithm, mac: MACAlgorithm?, megabytes: Int, payloadSize: Int
    ) throws -> Double {
        let algorithms = AlgorithmPreferences(
            keyExchange: ["curve25519-sha256"], hostKey: ["ssh-ed25519"], ciphers: [cipher.name],
            macs: [mac?.name ?? MACAlgorithm.hmacSHA256.name], compression: ["none"])
        var clientConfiguration = TransportConfiguration(role: .client)
        clientConfiguration.algorithms = algorithms
        var serverConfiguration = TransportConfiguration(role: .server)
        serverConfiguration.algorithms = algorithms
        serverConfiguration.hostKeys = [try SSHPrivateKey.generate(.ed25519)]
        var link = MachineLink(
            client: TransportStateMachine(configuration: clientConfiguration),
            server: TransportStateMachine(configuration: serverConfiguration))
        try link.client.start(now: .now, writingInto: &link.toServer)
        try link.server.start(now: .now, writingInto: &link.toClient)
        while !(link.clientReady && link.serverReady) {
            guard try link.pump() else { throw TransportError(.keyExchangeFailed, "the key exchange stalled") }
        }
        link.client.authenticationSucceeded()
        link.server.authenticationSucceeded()

        var payload = ByteBuffer()
        payload.writeInteger(UInt8(94))
        payload.writeInteger(UInt32(0))
        payload.writeInteger(UInt32(payloadSize))
        payload.writeRepeatingByte(0x5a, count: payloadSize)
        let total = megabytes * 1_000_000
        let clock = ContinuousClock()
        let started = clock.now
        var sent = 0
        while sent < total {
            for _ in 0..<32 where link.client.canSend {
                try link.client.send(payload, writingInto: &link.toServer)
                sent += payloadSize
            }
            try link.client.startRekeyIfDue(now: .now, writingInto: &link.toServer)
            _ = try link.pump()
        }
        while link.received < sent {
            guard try link.pump() else { throw TransportError(.closed, "payloads went missing") }
        }
        let seconds = (clock.now - started).inSeconds
        return Double(link.received) / seconds / 1e6
    }
}

/// Moves bytes between two machines and answers what they report.
private struct MachineLink {
    var client: TransportStateMachine
    var server: TransportStateMachine
    var toServer = ByteBuffer()
    var toClient = ByteBuffer()
    var clientReady = false
    var serverReady = false
    /// Payload bytes (after the 9-byte CHANNEL_DATA header) the server has received.
    var received = 0

    /// Delivers what is pending each way; false when nothing moved.
    mutating func pump() throws -> Bool {
        var moved = false
        if toServer.readableBytes > 0 {
            server.receive(toServer)
            toServer.clear()
            moved = true
        }
        while let event = try server.nextEvent(now: .now, writingInto: &toClient) {
            moved = true
            switch event {
            case .keyExchangeComplete: serverReady = true
            case .payload(let payload): received += payload.readableBytes - 9
            default: break
            }
        }
        if toClient.readableBytes > 0 {
            client.receive(toClient)
            toClient.clear()
            moved = true
        }
        while let event = try client.nextEvent(now: .now, writingInto: &toServer) {
            moved = true
            switch event {
            case .verifyHostKey: try client.hostKeyVerdict(accepted: true, writingInto: &toServer)
            case .keyExchangeComplete: clientReady = true
            default: break
            }
        }
        return moved || toServer.readableBytes > 0
    }
}
