import NIOCore
import SSHConnection
import SSHWire
import Testing

/// Two multiplexers joined in memory.
struct MultiplexerPair {
    var client = ChannelMultiplexer()
    var server = ChannelMultiplexer()
    var toServer: [ByteBuffer] = []
    var toClient: [ByteBuffer] = []
    var clientEvents: [ConnectionEvent] = []
    var serverEvents: [ConnectionEvent] = []

    /// Delivers everything pending both ways until nothing moves.
    mutating func pump() throws {
        while !toServer.isEmpty || !toClient.isEmpty {
            for payload in toServer {
                if let event = try server.receive(payload, writingInto: &toClient) { serverEvents.append(event) }
            }
            toServer = []
            for payload in toClient {
                if let event = try client.receive(payload, writingInto: &toServer) { clientEvents.append(event) }
            }
            toClient = []
        }
    }

    /// Opens a session channel from the client, accepted by the server.
    mutating func openSession() throws -> (client: ChannelID, server: ChannelID) {
        let id = try client.open(.session, writingInto: &toServer)
        let payload = toServer.removeLast()
        guard case .openRequested(let serverID, .session) = try server.receive(payload, writingInto: &toClient) else {
            throw ConnectionError(.protocolError, "no open request")
        }
        try server.accept(serverID, writingInto: &toClient)
        try pump()
        return (id, serverID)
    }
}

@Suite struct ChannelMultiplexerTests {
    static func bytes(_ count: Int) -> ByteBuffer { ByteBuffer(repeating: 0x61, count: count) }

    @Test func openAndRefuse() throws {
        var pair = MultiplexerPair()
        let (id, _) = try pair.openSession()
        #expect(pair.clientEvents.contains { if case .opened(id) = $0 { return true } else { return false } })
        let second = try pair.client.open(.directTCPIP(.init(host: "db", port: 5432, originatorAddress: "127.0.0.1", originatorPort: 1)), writingInto: &pair.toServer)
        guard case .openRequested(let refused, _) = try pair.server.receive(pair.toServer.removeLast(), writingInto: &pair.toClient) else {
            Issue.record("no open request")
            return
        }
        try pair.server.reject(refused, reason: .administrativelyProhibited, description: "no", writingInto: &pair.toClient)
        try pair.pump()
        #expect(pair.clientEvents.contains { if case .openFailed(second, .administrativelyProhibited, "no") = $0 { return true } else { return false } })
        #expect(pair.client.openChannels == 1 && pair.server.openChannels == 1)
    }

    /// Data never exceeds the peer's window or maximum packet; the rest waits for WINDOW_ADJUST,
    /// which comes only as the reader consumes.
    @Test func windowsAndPacketsAreHonoured() throws {
        var pair = MultiplexerPair()
        let (id, serverID) = try pair.openSession()
        var data = Self.bytes(5 * 1024 * 1024)
        try pair.client.send(&data, on: id, writingInto: &pair.toServer)
        #expect(data.readableBytes == 3 * 1024 * 1024)
        // The maximum packet bounds each message's data, as OpenSSH reads it: 2 MiB in 64 messages.
        #expect(pair.toServer.count == 64)
        #expect(try pair.toServer.allSatisfy { try Self.dataBody($0).readableBytes == 32 * 1024 })
        try pair.pump()
        let received = pair.serverEvents.reduce(0) { total, event in
            if case .data(_, let chunk) = event { return total + chunk.readableBytes } else { return total }
        }
        #expect(received == 2 * 1024 * 1024)
        #expect(pair.client.sendableBytes(on: id) == 0)
        // The reader consumes a quarter: no adjust yet; then half: the window reopens.
        pair.server.consumed(512 * 1024, on: serverID, writingInto: &pair.toClient)
        #expect(pair.toClient.isEmpty)
        pair.server.consumed(512 * 1024, on: serverID, writingInto: &pair.toClient)
        try pair.pump()
        #expect(pair.clientEvents.contains { if case .writable(id) = $0 { return true } else { return false } })
        #expect(pair.client.sendableBytes(on: id) == 1024 * 1024)
    }

    /// Over a round trip known to be long, each channel gets the larger window, both ways of
    /// opening it, and gives back half of it at a time; over a short or unknown one, 2 MiB.
    @Test(arguments: [
        (Duration.milliseconds(20), 8 * 1024 * 1024), (.microseconds(50), 2 * 1024 * 1024), (nil, 2 * 1024 * 1024),
    ] as [(Duration?, Int)])
    func theWindowFollowsTheRoundTrip(roundTrip: Duration?, window: Int) throws {
        var pair = MultiplexerPair()
        pair.server.roundTrip = roundTrip
        pair.client.roundTrip = roundTrip
        let (id, serverID) = try pair.openSession()
        // The client's window for what the server sends, the server's for what the client sends.
        #expect(pair.server.sendableBytes(on: serverID) == window)
        #expect(pair.client.sendableBytes(on: id) == window)
        var data = Self.bytes(window + 1024 * 1024)
        try pair.client.send(&data, on: id, writingInto: &pair.toServer)
        #expect(data.readableBytes == 1024 * 1024)
        try pair.pump()
        pair.server.consumed(window / 2 - 1, on: serverID, writingInto: &pair.toClient)
        #expect(pair.toClient.isEmpty)
        pair.server.consumed(1, on: serverID, writingInto: &pair.toClient)
        try pair.pump()
        #expect(pair.client.sendableBytes(on: id) == window / 2)
    }

    /// Against a peer that gives window back in small steps, as OpenSSH does after three packets,
    /// over a connection of a short round trip, at most three quarters of its window stay
    /// outstanding; a peer that gives it back by halves (the test above), a configuration share of
    /// 1, and a connection whose round trip is long or unknown get all of it.
    @Test(arguments: [
        (0.75, Duration.microseconds(50)), (1, .microseconds(50)), (0.75, nil), (0.75, .milliseconds(20)),
    ] as [(Double, Duration?)])
    func smallWindowStepsKeepAQuarterBack(share: Double, roundTrip: Duration?) throws {
        let limited = share < 1 && roundTrip.map { $0 < .milliseconds(1) } == true
        do {
            var configuration = ChannelMultiplexer.Configuration()
            configuration.sendAheadShare = share
            var multiplexer = ChannelMultiplexer(configuration: configuration)
            multiplexer.roundTrip = roundTrip
            var pair = MultiplexerPair(client: multiplexer)
            let (id, _) = try pair.openSession()
            var data = Self.bytes(4 * 1024 * 1024)
            // Before the peer has given anything back, the whole window goes.
            try pair.client.send(&data, on: id, writingInto: &pair.toServer)
            #expect(data.readableBytes == 2 * 1024 * 1024)
            pair.toServer = []
            var client = pair.client
            func adjust(_ kibibytes: UInt32) throws -> ConnectionEvent? {
                let message = ChannelWindowAdjustMessage(recipientChannel: id.rawValue, bytesToAdd: kibibytes * 1024)
                var replies: [ByteBuffer] = []
                return try client.receive(message.encodedPayload(), writingInto: &replies)
            }
            var sent: [ByteBuffer] = []
            // 96 KiB back: 1952 KiB outstanding, over the limit of 1536 KiB.
            let first = try adjust(96)
            if limited {
                #expect(first.map { "\($0)" } == nil)
                #expect(client.sendableBytes(on: id) == 0)
                // 512 KiB more back: 1440 KiB outstanding, so 96 KiB may go.
                let second = try adjust(512)
                #expect(second.map { if case .writable(id) = $0 { true } else { false } } == true)
                #expect(client.sendableBytes(on: id) == 96 * 1024)
                try client.send(&data, on: id, writingInto: &sent)
                #expect(data.readableBytes == 2 * 1024 * 1024 - 96 * 1024)
                #expect(client.sendableBytes(on: id) == 0)
                // A step of half the window lifts the limit: all the peer's window may go.
                _ = try adjust(1024)
                #expect(client.sendableBytes(on: id) == 1536 * 1024)
                // A WINDOW_ADJUST of nothing says nothing about the peer's steps.
                _ = try adjust(0)
                #expect(client.sendableBytes(on: id) == 1536 * 1024)
            } else {
                #expect(first.map { if case .writable(id) = $0 { true } else { false } } == true)
                #expect(client.sendableBytes(on: id) == 96 * 1024)
            }
        }
    }

    /// A peer's maximum packet beyond what a transport carries is bounded, for data and extended
    /// data alike.
    @Test func aHugeMaximumPacketIsBounded() throws {
        var configuration = ChannelMultiplexer.Configuration()
        configuration.maximumPacket = .max
        configuration.initialWindow = 4 * 1024 * 1024
        var pair = MultiplexerPair(server: ChannelMultiplexer(configuration: configuration))
        let (id, _) = try pair.openSession()
        var data = Self.bytes(1024 * 1024)
        var errors = Self.bytes(300 * 1024)
        var sent: [SplitPayload] = []
        try pair.client.send(&data, on: id, writingInto: &sent)
        try pair.client.send(&errors, on: id, extendedType: ChannelExtendedDataMessage.stderr, writingInto: &sent)
        #expect(sent.map(\.body.readableBytes).reduce(0, +) == 1324 * 1024)
        #expect(sent.allSatisfy { $0.body.readableBytes <= ChannelMultiplexer.largestMessageData })
        #expect(ChannelMultiplexer.largestMessageData + 13 < SSHPacket.maximumPayloadLength - SSHPacket.maximumBlockSize)
        #expect(sent.count == 8 + 3)
    }

    /// The data of a CHANNEL_DATA payload.
    static func dataBody(_ payload: ByteBuffer) throws -> ByteBuffer {
        var body = payload
        body.moveReaderIndex(forwardBy: 1)  // The message number.
        return try ChannelDataMessage(decoding: &body).data
    }

    /// A data message is a head (number, channel, length; RFC 4254 §5.2) and a slice of the data
    /// itself, which together are the whole message; messages of an earlier send keep their
    /// bytes however the caller's buffers are reused.
    @Test func dataMessagesAreAHeadAndTheDataItself() throws {
        var pair = MultiplexerPair()
        let (id, _) = try pair.openSession()
        var first = ByteBuffer(repeating: 0x31, count: 100 * 1024)
        var held: [SplitPayload] = []
        try pair.client.send(&first, on: id, writingInto: &held)
        #expect(held.count == 4)
        #expect(held.allSatisfy { $0.head.readableBytes == 9 && $0.head.getInteger(at: $0.head.readerIndex, as: UInt8.self) == 94 })
        #expect(held.map(\.body.readableBytes).reduce(0, +) == 100 * 1024)
        var errors = ByteBuffer(repeating: 0x32, count: 10)
        var stderr: [SplitPayload] = []
        try pair.client.send(&errors, on: id, extendedType: ChannelExtendedDataMessage.stderr, writingInto: &stderr)
        var whole = try #require(stderr.first).joined()
        #expect(whole.readInteger(as: UInt8.self) == 95)
        let message = try ChannelExtendedDataMessage(decoding: &whole)
        #expect(message.dataTypeCode == 1 && message.data == ByteBuffer(repeating: 0x32, count: 10))
        for fill: UInt8 in [0x33, 0x34] {
            var later = ByteBuffer(repeating: fill, count: 100 * 1024)
            var sent: [ByteBuffer] = []
            try pair.client.send(&later, on: id, writingInto: &sent)
            let bodies = try sent.map(Self.dataBody)
            #expect(bodies.allSatisfy { $0.readableBytesView.allSatisfy { $0 == fill } })
        }
        let bodies = try held.map { try Self.dataBody($0.joined()) }
        #expect(bodies.reduce(0) { $0 + $1.readableBytes } == 100 * 1024)
        #expect(bodies.allSatisfy { $0.readableBytesView.allSatisfy { $0 == 0x31 } })
    }

    @Test func halfCloseThenCloseInEitherOrder() throws {
        for clientClosesFirst in [true, false] {
            var pair = MultiplexerPair()
            let (id, serverID) = try pair.openSession()
            try pair.client.request(.exec(command: "ls"), on: id, wantReply: true, writingInto: &pair.toServer)
            try pair.client.sendEOF(on: id, writingInto: &pair.toServer)
            try pair.pump()
            try pair.server.reply(true, on: serverID, writingInto: &pair.toClient)
            var output = Self.bytes(100)
            try pair.server.send(&output, on: serverID, writingInto: &pair.toClient)
            try pair.server.request(.exitStatus(0), on: serverID, wantReply: false, writingInto: &pair.toClient)
            try pair.server.sendEOF(on: serverID, writingInto: &pair.toClient)
            if clientClosesFirst {
                try pair.pump()
                try pair.client.close(id, writingInto: &pair.toServer)
            } else {
                try pair.server.close(serverID, writingInto: &pair.toClient)
            }
            try pair.pump()
            #expect(pair.clientEvents.contains { if case .requestReply(id, true) = $0 { return true } else { return false } })
            #expect(pair.clientEvents.contains { if case .request(id, .exitStatus(0), false) = $0 { return true } else { return false } })
            #expect(pair.clientEvents.contains { if case .data(id, _) = $0 { return true } else { return false } })
            #expect(pair.client.openChannels == 0 && pair.server.openChannels == 0)
        }
    }

    @Test func overrunIsDroppedThenFatal() throws {
        var pair = MultiplexerPair()
        let (_, serverID) = try pair.openSession()
        _ = serverID
        // A peer ignoring our 2 MiB window: the first excess is dropped, past a tenth it ends.
        var sent = 0
        var error: ConnectionError?
        while sent < 3 * 1024 * 1024, error == nil {
            let payload = ChannelDataMessage(recipientChannel: 0, data: Self.bytes(32 * 1024)).encodedPayload()
            do {
                _ = try pair.server.receive(payload, writingInto: &pair.toClient)
            } catch let thrown {
                error = thrown
            }
            sent += 32 * 1024
        }
        #expect(error?.code == .protocolError)
        #expect(sent > 2 * 1024 * 1024 + 200 * 1024)
        // A packet larger than our maximum is dropped, not delivered.
        var fresh = MultiplexerPair()
        _ = try fresh.openSession()
        let big = ChannelDataMessage(recipientChannel: 0, data: Self.bytes(40 * 1024)).encodedPayload()
        #expect(try fresh.server.receive(big, writingInto: &fresh.toClient) == nil)
    }

    @Test func windowOverflowAndStrayRepliesAreProtocolErrors() throws {
        var pair = MultiplexerPair()
        let (id, _) = try pair.openSession()
        let overflow = ChannelWindowAdjustMessage(recipientChannel: id.rawValue, bytesToAdd: UInt32.max).encodedPayload()
        #expect(throws: ConnectionError.self) { try pair.client.receive(overflow, writingInto: &pair.toServer) }
        #expect(throws: ConnectionError.self) {
            try pair.client.receive(ChannelSuccessMessage(recipientChannel: id.rawValue).encodedPayload(), writingInto: &pair.toServer)
        }
        #expect(throws: ConnectionError.self) {
            try pair.client.receive(RequestSuccessMessage().encodedPayload(), writingInto: &pair.toServer)
        }
        #expect(throws: ConnectionError.self) {
            try pair.client.receive(ChannelEOFMessage(recipientChannel: 77).encodedPayload(), writingInto: &pair.toServer)
        }
    }

    @Test func globalRequestsAreAnsweredInOrder() throws {
        var pair = MultiplexerPair()
        pair.client.globalRequest(.tcpipForward(address: "127.0.0.1", port: 0), wantReply: true, writingInto: &pair.toServer)
        pair.client.globalRequest(.keepAlive, wantReply: true, writingInto: &pair.toServer)
        try pair.pump()
        #expect(pair.serverEvents.count == 2)
        try pair.server.replyGlobal(success: true, data: RequestSuccessMessage(boundPort: 40000).data, writingInto: &pair.toClient)
        try pair.server.replyGlobal(success: false, writingInto: &pair.toClient)
        #expect(throws: ConnectionError.self) { try pair.server.replyGlobal(success: true, writingInto: &pair.toClient) }
        try pair.pump()
        guard pair.clientEvents.count == 2, case .globalReply(true, let data) = pair.clientEvents[0],
            case .globalReply(false, _) = pair.clientEvents[1]
        else {
            Issue.record("replies out of order: \(pair.clientEvents)")
            return
        }
        #expect(data.readableBytes == 4)
    }

    @Test func hundredsOfChannels() throws {
        var pair = MultiplexerPair()
        var ids: [ChannelID] = []
        for _ in 0..<300 { ids.append(try pair.openSession().client) }
        #expect(Set(ids).count == 300)
        for id in ids {
            var data = Self.bytes(1000)
            try pair.client.send(&data, on: id, writingInto: &pair.toServer)
            try pair.client.close(id, writingInto: &pair.toServer)
        }
        try pair.pump()
        #expect(pair.client.openChannels == 0 && pair.server.openChannels == 0)
    }

    /// Random bytes after a valid message number give a typed error or a valid value, never a trap.
    @Test func garbageIsATypedError() {
        var generator = SystemRandomNumberGenerator()
        for number in UInt8(80)...UInt8(127) {
            for length in [0, 1, 4, 9, 13, 40] {
                var multiplexer = ChannelMultiplexer()
                var payload = ByteBuffer()
                payload.writeInteger(number)
                for _ in 0..<length { payload.writeInteger(UInt8.random(in: 0...255, using: &generator)) }
                var out: [ByteBuffer] = []
                _ = try? multiplexer.receive(payload, writingInto: &out)
            }
        }
    }
}

extension ChannelMultiplexer {
    /// ``send(_:on:extendedType:writingInto:)`` with each message joined into one payload, as the
    /// peer receives it.
    mutating func send(
        _ data: inout ByteBuffer, on id: ChannelID, extendedType: UInt32? = nil, writingInto out: inout [ByteBuffer]
    ) throws(ConnectionError) {
        var split: [SplitPayload] = []
        try send(&data, on: id, extendedType: extendedType, writingInto: &split)
        out.append(contentsOf: split.map { $0.joined() })
    }
}
