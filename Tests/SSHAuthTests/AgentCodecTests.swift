import NIOCore
import SSHAuth
import SSHCrypto
import SSHWire
import Testing

@Suite("ssh-agent protocol codecs")
struct AgentCodecTests {
    static let seed = SecureBytes((0..<32).map { UInt8($0) })

    static func ed25519() throws -> SSHPrivateKey { try SSHPrivateKey(ed25519Seed: seed, comment: "seeded") }

    static func payload(_ request: AgentRequest) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try request.encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    static func payload(_ response: AgentResponse) -> [UInt8] {
        var buffer = ByteBuffer()
        response.encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    static func string(_ bytes: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeSSHString(bytes)
        return Array(buffer.readableBytesView)
    }

    @Test func goldenRequestBytes() throws {
        let key = try Self.ed25519().publicKey
        #expect(try Array(AgentRequest.requestIdentities.frame().readableBytesView) == [0, 0, 0, 1, 11])
        #expect(try Self.payload(.removeAllIdentities) == [19])
        #expect(
            try Self.payload(.sign(key: key, data: [1, 2, 3], flags: .rsaSHA512))
                == [13] + Self.string(key.blob) + Self.string([1, 2, 3]) + [0, 0, 0, 4])
        #expect(try Self.payload(.removeIdentity(key: key)) == [18] + Self.string(key.blob))
        #expect(try Self.payload(.lock(passphrase: SecureBytes("pw".utf8))) == [22, 0, 0, 0, 2, 0x70, 0x77])
        #expect(try Self.payload(.unlock(passphrase: SecureBytes("pw".utf8))) == [23, 0, 0, 0, 2, 0x70, 0x77])
        #expect(try Self.payload(.extension(name: "q", contents: [9])) == [27, 0, 0, 0, 1, 0x71, 9])
    }

    @Test func addIdentityCarriesThePrivateKeyBlobThenCommentThenConstraints() throws {
        let key = try Self.ed25519()
        let blob = try key.privateKeyBlob().unsafeArray
        let comment = Self.string(Array("c".utf8))
        #expect(try Self.payload(.addIdentity(key: key, comment: "c", constraints: [])) == [17] + blob + comment)
        #expect(
            try Self.payload(.addIdentity(key: key, comment: "c", constraints: [.lifetime(seconds: 60), .confirm]))
                == [25] + blob + comment + [1, 0, 0, 0, 60, 2])
    }

    @Test func goldenResponseBytes() throws {
        let key = try Self.ed25519().publicKey
        #expect(Array(AgentResponse.success.frame().readableBytesView) == [0, 0, 0, 1, 6])
        #expect(Self.payload(.failure) == [5])
        #expect(Self.payload(.extensionFailure) == [28])
        #expect(Self.payload(.signature([7, 7])) == [14, 0, 0, 0, 2, 7, 7])
        #expect(
            Self.payload(.identities([AgentIdentity(publicKey: key, comment: "k")]))
                == [12, 0, 0, 0, 1] + Self.string(key.blob) + Self.string(Array("k".utf8)))
        #expect(Self.payload(.extensionResponse(name: "q", contents: [1])) == [29, 0, 0, 0, 1, 0x71, 1])
    }

    static func allRequests() throws -> [AgentRequest] {
        let key = try ed25519()
        let rsa = try SSHPrivateKey.generate(.rsa, bits: 1024)
        return [
            .requestIdentities,
            .sign(key: key.publicKey, data: Array("data".utf8), flags: .rsaSHA256),
            .addIdentity(key: key, comment: "ed", constraints: []),
            .addIdentity(key: rsa, comment: "rsa", constraints: [.confirm, .lifetime(seconds: 1)]),
            .removeIdentity(key: key.publicKey),
            .removeAllIdentities,
            .lock(passphrase: SecureBytes("secret".utf8)),
            .unlock(passphrase: SecureBytes("secret".utf8)),
            .extension(name: "query", contents: []),
        ]
    }

    static func allResponses() throws -> [AgentResponse] {
        let key = try ed25519()
        return [
            .success, .failure, .extensionFailure,
            .identities([
                AgentIdentity(publicKey: key.publicKey, comment: "one"),
                AgentIdentity(publicKey: try TestKeys.make(.ecdsaP384), comment: ""),
            ]),
            .identities([]),
            .signature(try key.signature(for: [1, 2, 3])),
            .extensionResponse(name: "x@example.com", contents: [1, 2]),
        ]
    }

    @Test func requestsRoundTrip() throws {
        for request in try Self.allRequests() {
            let bytes = try Self.payload(request)
            let decoded = try AgentRequest(payload: ByteBuffer(bytes: bytes))
            #expect(try Self.payload(decoded) == bytes, "\(request.messageNumber)")
            #expect(decoded.messageNumber == request.messageNumber)
        }
    }

    @Test func responsesRoundTrip() throws {
        for response in try Self.allResponses() {
            #expect(try AgentResponse(payload: ByteBuffer(bytes: Self.payload(response))) == response)
        }
    }

    /// Every proper prefix of a valid payload throws a typed error and never traps (STYLE.md, ladder step 1).
    @Test func everyTruncationThrows() throws {
        for request in try Self.allRequests() {
            let bytes = try Self.payload(request)
            for length in 0..<bytes.count {
                let prefix = Array(bytes.prefix(length))
                // Constraints and an extension's contents run to the end of their messages, so some prefixes
                // of those are whole messages: they must then be exactly what they decode to (an
                // ADD_ID_CONSTRAINED without constraints encodes as ADD_IDENTITY).
                if [25, 27].contains(bytes[0]), let shorter = try? AgentRequest(payload: ByteBuffer(bytes: prefix)) {
                    #expect(try Self.payload(shorter).dropFirst() == prefix.dropFirst())
                    continue
                }
                #expect(throws: AgentError.self, "request \(bytes[0]) cut at \(length)") {
                    try AgentRequest(payload: ByteBuffer(bytes: prefix))
                }
            }
        }
        for response in try Self.allResponses() {
            let bytes = Self.payload(response)
            for length in 0..<bytes.count {
                if bytes[0] == 29 && length >= 18 { continue }
                #expect(throws: AgentError.self, "response \(bytes[0]) cut at \(length)") {
                    try AgentResponse(payload: ByteBuffer(bytes: bytes.prefix(length)))
                }
            }
        }
    }

    @Test func trailingBytesAreMalformed() throws {
        for request in try Self.allRequests() where request.messageNumber != .extension {
            let bytes = try Self.payload(request)
            // Constraints run to the end of ADD_ID_CONSTRAINED, so there the extra byte is a lifetime cut short.
            let error = #expect(throws: AgentError.self) { try AgentRequest(payload: ByteBuffer(bytes: bytes + [1])) }
            #expect(error?.code == .malformedMessage)
        }
        for response in try Self.allResponses() where response.messageNumber != .extensionResponse {
            let error = #expect(throws: AgentError.self) {
                try AgentResponse(payload: ByteBuffer(bytes: Self.payload(response) + [0]))
            }
            #expect(error?.code == .malformedMessage)
        }
    }

    @Test func unknownAndMisdirectedNumbers() throws {
        for number: UInt8 in [0, 1, 9, 20, 24, 26, 99, 255] {
            #expect(throws: AgentError(.unknownMessage, "request type \(number)")) {
                try AgentRequest(payload: ByteBuffer(bytes: [number]))
            }
        }
        // A reply sent to an agent, and a request sent to a client.
        #expect(throws: AgentError.self) { try AgentRequest(payload: ByteBuffer(bytes: [6])) }
        let error = #expect(throws: AgentError.self) { try AgentResponse(payload: ByteBuffer(bytes: [11])) }
        #expect(error?.code == .unknownMessage)
        // OpenSSH's older failure numbers are failures.
        #expect(try AgentResponse(payload: ByteBuffer(bytes: [30])) == .failure)
        #expect(try AgentResponse(payload: ByteBuffer(bytes: [102])) == .failure)
    }

    @Test func unsupportedKeysAndConstraintsAreNotMalformed() throws {
        var unknownKey = ByteBuffer()
        unknownKey.writeSSHByte(18)
        unknownKey.writeSSHString { $0.writeSSHString("ssh-unknown@example.com") }
        #expect(#expect(throws: AgentError.self) { try AgentRequest(payload: unknownKey) }?.code == .unsupported)

        let key = try Self.ed25519()
        let base = try Self.payload(.addIdentity(key: key, comment: "c", constraints: [.confirm]))
        var withExtension = ByteBuffer(bytes: base)
        AgentConstraint.extension(name: "restrict-destination-v00@openssh.com", contents: [0, 0, 0, 0])
            .encode(into: &withExtension)
        for (bytes, code) in [
            (Array(withExtension.readableBytesView), AgentError.Code.unsupported),
            (base + [7], .unsupported),
            (base + [2], .malformedMessage),  // confirm twice
        ] {
            let error = #expect(throws: AgentError.self) { try AgentRequest(payload: ByteBuffer(bytes: bytes)) }
            #expect(error?.code == code)
        }

        var unknownPrivate = ByteBuffer()
        unknownPrivate.writeSSHByte(17)
        unknownPrivate.writeSSHString("ssh-ed25519-cert-v01@openssh.com")
        unknownPrivate.writeSSHString([1, 2, 3])
        let error = #expect(throws: AgentError.self) { try AgentRequest(payload: unknownPrivate) }
        #expect(error?.code == .unsupported)
    }

    @Test func identitiesCountIsCheckedBeforeLooping() throws {
        let error = #expect(throws: AgentError.self) {
            try AgentResponse(payload: ByteBuffer(bytes: [12, 0x7f, 0xff, 0xff, 0xff]))
        }
        #expect(error?.code == .malformedMessage)
    }

    @Test func identitiesSkipKeysOfUnknownTypes() throws {
        let key = try Self.ed25519().publicKey
        var buffer = ByteBuffer()
        buffer.writeSSHByte(12)
        buffer.writeSSHUInt32(2)
        buffer.writeSSHString { $0.writeSSHString("ssh-unknown@example.com") }
        buffer.writeSSHString("unknown")
        buffer.writeSSHString(key.blob)
        buffer.writeSSHString("known")
        #expect(try AgentResponse(payload: buffer) == .identities([AgentIdentity(publicKey: key, comment: "known")]))
    }

    @Test(arguments: [
        ("ssh-ed25519", SSHKeyType.ed25519, AgentSignFlags(), "ssh-ed25519"),
        ("ecdsa-sha2-nistp384", .ecdsaP384, AgentSignFlags(), "ecdsa-sha2-nistp384"),
        ("ssh-rsa", .rsa, AgentSignFlags(), "ssh-rsa"),
        ("rsa-sha2-256", .rsa, AgentSignFlags.rsaSHA256, "rsa-sha2-256"),
        ("rsa-sha2-512", .rsa, AgentSignFlags.rsaSHA512, "rsa-sha2-512"),
        ("rsa-sha2-512-cert-v01@openssh.com", .rsa, AgentSignFlags.rsaSHA512, "rsa-sha2-512"),
    ])
    func signFlagsFollowTheAlgorithm(algorithm: String, type: SSHKeyType, flags: AgentSignFlags, signs: String) {
        #expect(AgentSignFlags(requesting: algorithm) == flags)
        #expect(flags.signatureAlgorithm(for: type) == signs)
    }

    @Test func bothRSAFlagsPickSHA256AsSshAgentDoes() {
        #expect(AgentSignFlags([.rsaSHA256, .rsaSHA512]).signatureAlgorithm(for: .rsa) == "rsa-sha2-256")
        #expect(AgentSignFlags.rsaSHA512.signatureAlgorithm(for: .ed25519) == "ssh-ed25519")
    }
}

@Suite("ssh-agent framing")
struct AgentFramingTests {
    @Test func framesArriveByteByByteAndInChunks() throws {
        var stream: [UInt8] = []
        for response in [AgentResponse.success, .failure, .signature([1, 2, 3, 4, 5])] {
            stream += Array(response.frame().readableBytesView)
        }
        for chunkSize in [1, 2, 3, 7, stream.count] {
            var decoder = AgentFrameDecoder()
            var payloads: [[UInt8]] = []
            var offset = 0
            while offset < stream.count {
                let end = min(offset + chunkSize, stream.count)
                decoder.receive(ByteBuffer(bytes: stream[offset..<end]))
                offset = end
                while let frame = try decoder.nextFrame() { payloads.append(Array(frame.readableBytesView)) }
                decoder.discardReturnedFrames()
            }
            #expect(payloads == [[6], [5], [14, 0, 0, 0, 5, 1, 2, 3, 4, 5]], "chunks of \(chunkSize)")
            #expect(decoder.bufferedBytes == 0)
        }
    }

    @Test func theLengthLimitIsCheckedBeforeBuffering() throws {
        var decoder = AgentFrameDecoder()
        var atLimit = ByteBuffer()
        atLimit.writeSSHUInt32(UInt32(AgentFrameDecoder.maximumFrameLength))
        decoder.receive(atLimit)
        #expect(try decoder.nextFrame() == nil)
        decoder.receive(ByteBuffer(repeating: 6, count: AgentFrameDecoder.maximumFrameLength))
        #expect(try decoder.nextFrame()?.readableBytes == AgentFrameDecoder.maximumFrameLength)

        for length in [UInt32(AgentFrameDecoder.maximumFrameLength + 1), .max] {
            var over = AgentFrameDecoder()
            var bytes = ByteBuffer()
            bytes.writeSSHUInt32(length)
            over.receive(bytes)
            #expect(throws: AgentError.self) { try over.nextFrame() }
            let error = #expect(throws: AgentError.self) { try over.nextFrame() }
            #expect(error?.code == .frameTooLarge)
        }
        var empty = AgentFrameDecoder()
        empty.receive(ByteBuffer(bytes: [0, 0, 0, 0]))
        let error = #expect(throws: AgentError.self) { try empty.nextFrame() }
        #expect(error?.code == .malformedMessage)
    }
}
