import NIOCore
import SSHWire
import Testing

@Suite struct RoundTripTests {
    /// Encodes `message`, checks the number byte, decodes it with its own type and returns the copy.
    func roundTrip<Message: SSHMessage>(_ message: Message) throws -> Message {
        let payload = message.encodedPayload()
        #expect(payload.getInteger(at: payload.readerIndex, as: UInt8.self) == Message.messageNumber)
        return try Message(decodingPayload: payload)
    }

    func isEqual<Message: SSHMessage>(_ message: Message, _ other: (any SSHMessage)?) -> Bool {
        (other as? Message) == message
    }

    @Test(arguments: Samples.all)
    func everyMessageRoundTrips(sample: Sample) throws {
        let decoded = try roundTrip(sample.message)
        let same = isEqual(sample.message, decoded)
        #expect(same)
    }

    @Test(arguments: Samples.all)
    func everyMessageRoundTripsThroughItsDispatchEnum(sample: Sample) throws {
        let payload = sample.message.encodedPayload()
        let dispatched = try sample.range.decode(payload)
        let same = isEqual(sample.message, dispatched.message)
        #expect(same)
        #expect(dispatched.messageNumber == type(of: sample.message).messageNumber)
        var reencoded = ByteBuffer()
        dispatched.encode(into: &reencoded)
        #expect(reencoded == payload)
    }

    @Test func samplesCoverEveryCase() {
        #expect(Set(Samples.userAuthMethods.map(\.name)).count == 7 + 2)
        #expect(Set(Samples.globalRequests.map(\.name)).count == 9)
        #expect(Set(Samples.channelTypes.map(\.name)).count == 9)
        #expect(Set(Samples.channelRequests.map(\.name)).count == 16)
        let types = Set(Samples.all.map { ObjectIdentifier(type(of: $0.message)) })
        #expect(types.count == 9 + 16 + 14 + 14)
    }

    @Test(arguments: Samples.keyExchange)
    func keyExchangeMessagesPassThroughTheTransportRaw(sample: Sample) throws {
        let payload = sample.message.encodedPayload()
        let transport = try TransportMessage(decodingPayload: payload)
        guard case .keyExchangeMethod(let number, let raw) = transport, case .keyExchange(let family) = sample.range
        else {
            Issue.record("\(transport) is not a method-specific key exchange message")
            return
        }
        #expect(number == type(of: sample.message).messageNumber)
        let decoded = try KeyExchangeMessage(decodingPayload: raw, family: family)
        #expect(decoded.family == family)
        let same = isEqual(sample.message, decoded.message)
        #expect(same)
    }

    @Test func hostKeyProofsAreReadAsStrings() throws {
        var data = ByteBuffer()
        data.writeSSHString([1, 2])
        data.writeSSHString([UInt8]())
        #expect(try RequestSuccessMessage(data: data).strings() == [ByteBuffer(bytes: [1, 2]), ByteBuffer()])
        let broken = RequestSuccessMessage(data: ByteBuffer(bytes: [0, 0, 0, 5, 1]))
        #expect(wireErrorCode { () throws(WireError) in try broken.strings() } == .lengthTooLarge)
    }

    @Test func unknownNumbersKeepTheirPayload() throws {
        for (number, range) in [
            (8, SampleRange.transport), (60, .userAuth(.none)), (101, .connection), (62, .userAuth(.gssapi)),
        ] {
            let payload = ByteBuffer(bytes: [UInt8(number), 1, 2, 3])
            let decoded = try range.decode(payload)
            #expect(decoded.message == nil)
            #expect(decoded.rawPayload == payload)
            #expect(decoded.messageNumber == UInt8(number))
        }
        let kex = try TransportMessage(decodingPayload: ByteBuffer(bytes: [31, 0xAA]))
        #expect(kex == .keyExchangeMethod(number: 31, payload: ByteBuffer(bytes: [31, 0xAA])))
    }

    @Test func numbersOutsideARangeAreUnexpected() {
        for (number, range) in [
            (50, SampleRange.transport), (1, .userAuth(.none)), (20, .connection), (128, .connection),
            (35, .keyExchange(.diffieHellman)),
        ] {
            let code = wireErrorCode { () throws(WireError) in try range.decode(ByteBuffer(bytes: [UInt8(number)])) }
            #expect(code == .unexpectedMessage, "message \(number) in \(range)")
        }
        #expect(
            wireErrorCode { () throws(WireError) in try NewKeysMessage(decodingPayload: ByteBuffer(bytes: [20])) }
                == .unexpectedMessage)
    }

    @Test func trailingBytesAreRejected() {
        var payload = UserAuthSuccessMessage().encodedPayload()
        payload.writeInteger(UInt8(0))
        #expect(
            wireErrorCode { () throws(WireError) in try UserAuthSuccessMessage(decodingPayload: payload) }
                == .trailingBytes)
        var request = ChannelRequestMessage(recipientChannel: 1, request: .shell, wantReply: true).encodedPayload()
        request.writeInteger(UInt8(0))
        #expect(
            wireErrorCode { () throws(WireError) in try ChannelRequestMessage(decodingPayload: request) }
                == .trailingBytes)
    }

    @Test func dataIsASliceOfThePayload() throws {
        let payload = ChannelDataMessage(recipientChannel: 1, data: ByteBuffer(string: "abc")).encodedPayload()
        let decoded = try ChannelDataMessage(decodingPayload: payload)
        let sameStorage = payload.withUnsafeReadableBytes { outer in
            decoded.data.withUnsafeReadableBytes { inner in
                inner.baseAddress == outer.baseAddress.map { $0 + 9 }
            }
        }
        #expect(sameStorage)
    }

    @Test func publicKeySignedDataFollowsRFC4252Section7() throws {
        let method = UserAuthMethod.PublicKey(
            algorithm: "ssh-ed25519", publicKey: ByteBuffer(bytes: [1, 2]), signature: ByteBuffer(bytes: [3]))
        let request = UserAuthRequestMessage(userName: "bob", serviceName: "ssh-connection", method: .publicKey(method))
        let data = request.signedData(sessionIdentifier: ByteBuffer(bytes: [0xAA, 0xBB]))
        let expected: [UInt8] =
            sshString([0xAA, 0xBB]) + [50] + sshString("bob") + sshString("ssh-connection")
            + sshString("publickey") + [1] + sshString("ssh-ed25519") + sshString([1, 2])
        #expect(data.map { Array($0.readableBytesView) } == expected)
        // The signed data is the request itself with the signature removed and the session id in front.
        var unsigned = request
        unsigned.method = .publicKey(.init(algorithm: "ssh-ed25519", publicKey: ByteBuffer(bytes: [1, 2])))
        var prefix = unsigned.encodedPayload()
        prefix.setInteger(UInt8(1), at: prefix.writerIndex - 4 - 2 - 4 - 11 - 1)
        #expect(Array(prefix.readableBytesView) == Array(expected.dropFirst(6)))
    }

    @Test func hostBasedSignedDataFollowsRFC4252Section9() {
        let request = UserAuthRequestMessage(
            userName: "bob", serviceName: "ssh-connection", method: .hostBased(Samples.hostBased))
        let data = request.signedData(sessionIdentifier: ByteBuffer(bytes: [7]))
        let expected: [UInt8] =
            sshString([7]) + [50] + sshString("bob") + sshString("ssh-connection") + sshString("hostbased")
            + sshString("ssh-ed25519") + sshString(Array(Samples.hostKey.readableBytesView))
            + sshString("client.example.com.") + sshString("alice")
        #expect(data.map { Array($0.readableBytesView) } == expected)
        #expect(
            UserAuthRequestMessage(userName: "u", serviceName: "s", method: .none).signedData(
                sessionIdentifier: ByteBuffer()) == nil)
    }
}

@Suite struct RedactionTests {
    @Test func secretsAreNeverPrinted() {
        let request = UserAuthRequestMessage(
            userName: "alice", serviceName: "ssh-connection",
            method: .password(.init(password: "hunter2", newPassword: "swordfish")))
        for text in [String(describing: request), String(reflecting: request), "\(request.method)"] {
            #expect(!text.contains("hunter2") && !text.contains("swordfish"), "\(text)")
        }
        let response = UserAuthInfoResponseMessage(responses: ["123456"])
        var dumped = ""
        dump(response, to: &dumped)
        for text in [String(describing: response), String(reflecting: response), dumped] {
            #expect(!text.contains("123456"), "\(text)")
        }
    }
}
