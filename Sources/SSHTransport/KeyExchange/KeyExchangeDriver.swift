import NIOCore
import SSHCrypto
import SSHWire

/// The outcome of a key exchange method: the shared secret `K` (mpint-encoded), the exchange
/// hash `H`, the server's host key blob and, on the client, the server's signature over `H`.
struct ExchangeResult {
    var encodedSecret: SecureBytes
    var exchangeHash: [UInt8]
    var hostKeyBlob: [UInt8]
    var signature: [UInt8]
    /// After a GSS-API key exchange: the context whose MIC over `H` authenticated the server.
    var gssContext: (any GSSKeyExchangeContext)? = nil
    /// After a server's GSS-API key exchange: its context, for `gssapi-keyex`.
    var gssAcceptor: (any GSSKeyExchangeAcceptor)? = nil
}

/// Group-exchange sizes a client asks for (RFC 4419 §3).
public struct GroupExchangeRequest: Sendable, Hashable {
    /// The smallest group accepted, in bits.
    public var minimum: Int
    /// The preferred size; nil to derive it from the negotiated ciphers, as OpenSSH does.
    public var preferred: Int?
    /// The largest group accepted, in bits.
    public var maximum: Int

    /// OpenSSH's limits: 2048 to 8192 bits.
    public static let `default` = GroupExchangeRequest(minimum: 2048, preferred: nil, maximum: 8192)

    /// Creates a request.
    public init(minimum: Int, preferred: Int?, maximum: Int) {
        self.minimum = minimum
        self.preferred = preferred
        self.maximum = maximum
    }
}

/// The message exchange of one key exchange method (RFC 4253 §8, RFC 5656 §4, RFC 8731,
/// RFC 4419), for either role. It turns method messages (numbers 30–49) into replies and,
/// at the end, an ``ExchangeResult``; the transport machine does the rest.
struct KeyExchangeDriver {
    enum Output {
        /// Payloads to send; the exchange is still running.
        case send([ByteBuffer])
        /// The client's exchange is done: check the signature and the host key, then NEWKEYS.
        case clientFinished(ExchangeResult)
        /// The server's exchange is done: send the reply, then NEWKEYS.
        case serverFinished(reply: ByteBuffer, ExchangeResult)
    }

    let isClient: Bool
    let method: KeyExchangeMethod
    let transcript: ExchangeTranscript
    let negotiated: NegotiatedAlgorithms
    private var agreement: (any KeyAgreement)?
    private var groupRequest: (minimum: Int, preferred: Int, maximum: Int, old: Bool)?
    private var group: DiffieHellmanGroup?
    private var gssContext: (any GSSKeyExchangeContext)?
    private var gssHostKey: [UInt8] = []
    private var gssAcceptor: (any GSSKeyExchangeAcceptor)?
    private var gssClientValue: ByteBuffer?

    init(isClient: Bool, negotiated: NegotiatedAlgorithms, transcript: ExchangeTranscript) {
        self.isClient = isClient
        self.method = negotiated.keyExchange
        self.negotiated = negotiated
        self.transcript = transcript
    }

    /// The bits of group a client prefers: OpenSSH's `dh_estimate` of the strongest key needed.
    static func preferredGroupBits(for negotiated: NegotiatedAlgorithms) -> Int {
        let needs = [
            negotiated.cipherClientToServer.keyLength, negotiated.cipherClientToServer.blockSize,
            negotiated.cipherClientToServer.ivLength, negotiated.cipherServerToClient.keyLength,
            negotiated.cipherServerToClient.blockSize, negotiated.cipherServerToClient.ivLength,
            negotiated.macClientToServer?.keyLength ?? 0, negotiated.macServerToClient?.keyLength ?? 0,
        ]
        let bits = (needs.max() ?? 16) * 8
        switch bits {
        case ...112: return 2048
        case ...128: return 3072
        case ...192: return 7680
        default: return 8192
        }
    }

    /// This side's agreement; a server's for a KEM method answers the client's value.
    static func makeAgreement(_ kind: KeyExchangeMethod.Kind, group: DiffieHellmanGroup?,
        clientValue: ByteBuffer? = nil, random: inout some SSHRandomSource) throws(TransportError) -> any KeyAgreement
    {
        do {
            switch kind {
            case .mlkem768x25519:
                if let clientValue {
                    return try MLKEM768X25519KeyAgreement(respondingTo: clientValue.readableBytesView, using: &random)
                }
                return try MLKEM768X25519KeyAgreement(using: &random)
            case .sntrup761x25519:
                if let clientValue {
                    return try Sntrup761X25519KeyAgreement(respondingTo: clientValue.readableBytesView, using: &random)
                }
                return try Sntrup761X25519KeyAgreement(using: &random)
            case .curve25519: return try X25519KeyAgreement(using: &random)
            case .ecdh(let curve): return try ECDHKeyAgreement(curve: curve, using: &random)
            case .fixedGroup(let fixed): return try DiffieHellmanKeyAgreement(group: fixed, using: &random)
            case .groupExchange:
                guard let group else { throw TransportError(.keyExchangeFailed, "no group for group exchange") }
                return try DiffieHellmanKeyAgreement(group: group, using: &random)
            }
        } catch let error as TransportError {
            throw error
        } catch {
            throw TransportError(.keyExchangeFailed, "key agreement setup failed: \(error)")
        }
    }

    private var usesStrings: Bool {
        switch method.kind {
        case .mlkem768x25519, .sntrup761x25519, .curve25519, .ecdh: true
        case .fixedGroup, .groupExchange: false
        }
    }

    /// The client's first message; `prepared`, when given, is this side's agreement for the
    /// method, computed beforehand (``KeyAgreementPreparation``).
    mutating func clientStart(
        groupExchange: GroupExchangeRequest, gss: GSSKeyExchange?, prepared: (any KeyAgreement)? = nil,
        random: inout some SSHRandomSource
    ) throws(TransportError) -> ByteBuffer {
        var payload = ByteBuffer()
        if method.usesGSSAPI {
            guard let gss else { throw TransportError(.keyExchangeFailed, "\(method.name) without a GSS-API context") }
            let (context, token) = try Self.gss { () throws in
                let context = try gss.makeContext()
                return (context, try context.initiate(nil))
            }
            gssContext = context
            let agreement = try Self.makeAgreement(method.kind, group: nil, random: &random)
            self.agreement = agreement
            KexGSSInitMessage(
                token: ByteBuffer(bytes: token), e: ByteBuffer(bytes: agreement.publicValue),
                valueEncoding: usesStrings ? .string : .mpint
            ).encode(into: &payload)
            return payload
        }
        if case .groupExchange = method.kind {
            let preferred = groupExchange.preferred ?? Self.preferredGroupBits(for: negotiated)
            let clamped = min(max(preferred, groupExchange.minimum), groupExchange.maximum)
            groupRequest = (groupExchange.minimum, clamped, groupExchange.maximum, false)
            KexDHGexRequestMessage(
                minimumBits: UInt32(groupExchange.minimum), preferredBits: UInt32(clamped),
                maximumBits: UInt32(groupExchange.maximum)
            ).encode(into: &payload)
            return payload
        }
        let agreement: any KeyAgreement
        if let prepared { agreement = prepared } else { agreement = try Self.makeAgreement(method.kind, group: nil, random: &random) }
        self.agreement = agreement
        if usesStrings {
            KexECDHInitMessage(clientPublicKey: ByteBuffer(bytes: agreement.publicValue)).encode(into: &payload)
        } else {
            KexDHInitMessage(e: ByteBuffer(bytes: agreement.publicValue)).encode(into: &payload)
        }
        return payload
    }

    /// Handles one method message from the peer.
    mutating func receive(
        _ payload: ByteBuffer, hostKey: (any TransportHostKey)?, moduli: ModuliFile, gss: GSSKeyExchange? = nil,
        random: inout some SSHRandomSource
    ) throws(TransportError) -> Output {
        var body = payload
        let number = try Self.wire { () throws(WireError) in try body.readSSHByte() }
        if isClient {
            return try clientReceive(number, body, random: &random)
        }
        if method.usesGSSAPI { return try gssServerReceive(number, body, gss: gss, random: &random) }
        guard let hostKey else { throw TransportError(.keyExchangeFailed, "no host key for \(negotiated.hostKey)") }
        return try serverReceive(number, body, hostKey: hostKey, moduli: moduli, random: &random)
    }

    private static func wire<T>(_ body: () throws(WireError) -> T) throws(TransportError) -> T {
        do { return try body() } catch {
            throw TransportError(.protocolError, "malformed key exchange message: \(error.detail)")
        }
    }

    /// A GSS-API call, its failure a key exchange failure.
    private static func gss<T>(_ body: () throws -> T) throws(TransportError) -> T {
        do { return try body() } catch {
            throw TransportError(.keyExchangeFailed, "GSS-API key exchange: \(error)")
        }
    }

    private static func unexpected(_ number: UInt8, _ method: KeyExchangeMethod) -> TransportError {
        TransportError(.protocolError, "unexpected message \(number) during \(method.name)")
    }

    private func secret(with peerValue: ByteBuffer) throws(TransportError) -> SecureBytes {
        guard let agreement else { throw TransportError(.keyExchangeFailed, "key agreement not started") }
        do {
            let secret = try agreement.sharedSecret(with: peerValue.readableBytesView)
            return agreement.sharedSecretIsString
                ? KeyDerivation.encodedStringSecret(secret) : KeyDerivation.encodedSecret(secret)
        } catch {
            throw TransportError(.keyExchangeFailed, "the peer's public value was rejected: \(error.detail)")
        }
    }

    private func hash(hostKey: [UInt8], secret: SecureBytes, clientValue: ByteBuffer, serverValue: ByteBuffer)
        throws(TransportError) -> [UInt8]
    {
        let strings = usesStrings
        let request = groupRequest
        let group = self.group
        do {
            return try transcript.hash(method.hash, hostKey: hostKey, encodedSecret: secret) { buffer in
                if let request, let group {
                    if request.old {
                        buffer.writeSSHUInt32(UInt32(request.preferred))
                    } else {
                        buffer.writeSSHUInt32(UInt32(request.minimum))
                        buffer.writeSSHUInt32(UInt32(request.preferred))
                        buffer.writeSSHUInt32(UInt32(request.maximum))
                    }
                    buffer.writeSSHMPInt(unsignedBigEndian: group.prime)
                    buffer.writeSSHMPInt(unsignedBigEndian: group.generator)
                }
                if strings {
                    buffer.writeSSHString(clientValue)
                    buffer.writeSSHString(serverValue)
                } else {
                    buffer.writeSSHMPInt(unsignedBigEndian: clientValue.readableBytesView)
                    buffer.writeSSHMPInt(unsignedBigEndian: serverValue.readableBytesView)
                }
            }
        } catch {
            throw TransportError(.keyExchangeFailed, "exchange hash: \(error.detail)")
        }
    }

    private mutating func clientReceive(_ number: UInt8, _ body: ByteBuffer, random: inout some SSHRandomSource)
        throws(TransportError) -> Output
    {
        if method.usesGSSAPI { return try gssClientReceive(number, body) }
        var body = body
        switch (method.kind, number) {
        case (.groupExchange, KexDHGexGroupMessage.messageNumber) where group == nil:
            let message = try Self.wire { () throws(WireError) in try KexDHGexGroupMessage(decoding: &body) }
            let offered = DiffieHellmanGroup(
                prime: message.prime.readableBytesView, generator: message.generator.readableBytesView)
            guard let request = groupRequest, offered.bits >= request.minimum, offered.bits <= request.maximum else {
                throw TransportError(.keyExchangeFailed, "server offered a \(offered.bits)-bit group outside the request")
            }
            guard offered.generator != [1], !offered.generator.isEmpty else {
                throw TransportError(.keyExchangeFailed, "server offered a degenerate generator")
            }
            group = offered
            let agreement = try Self.makeAgreement(method.kind, group: offered, random: &random)
            self.agreement = agreement
            var payload = ByteBuffer()
            KexDHGexInitMessage(e: ByteBuffer(bytes: agreement.publicValue)).encode(into: &payload)
            return .send([payload])
        case (.groupExchange, KexDHGexReplyMessage.messageNumber) where agreement != nil:
            let reply = try Self.wire { () throws(WireError) in try KexDHGexReplyMessage(decoding: &body) }
            return try clientFinish(hostKey: reply.hostKey, serverValue: reply.f, signature: reply.signature)
        case (.mlkem768x25519, KexECDHReplyMessage.messageNumber), (.sntrup761x25519, KexECDHReplyMessage.messageNumber),
            (.curve25519, KexECDHReplyMessage.messageNumber), (.ecdh, KexECDHReplyMessage.messageNumber):
            let reply = try Self.wire { () throws(WireError) in try KexECDHReplyMessage(decoding: &body) }
            return try clientFinish(
                hostKey: reply.hostKey, serverValue: reply.serverPublicKey, signature: reply.signature)
        case (.fixedGroup, KexDHReplyMessage.messageNumber):
            let reply = try Self.wire { () throws(WireError) in try KexDHReplyMessage(decoding: &body) }
            return try clientFinish(hostKey: reply.hostKey, serverValue: reply.f, signature: reply.signature)
        default:
            throw Self.unexpected(number, method)
        }
    }

    /// The client's side of RFC 4462 §2.1: the server's host key (when it has one), context tokens
    /// back and forth, then `f` with the MIC over `H` that authenticates the server.
    private mutating func gssClientReceive(_ number: UInt8, _ body: ByteBuffer) throws(TransportError) -> Output {
        var body = body
        guard let context = gssContext, let agreement else { throw Self.unexpected(number, method) }
        switch number {
        case KexGSSHostKeyMessage.messageNumber:
            let message = try Self.wire { () throws(WireError) in try KexGSSHostKeyMessage(decoding: &body) }
            gssHostKey = Array(message.value.readableBytesView)
            return .send([])
        case KexGSSContinueMessage.messageNumber where !context.isComplete:
            let message = try Self.wire { () throws(WireError) in try KexGSSContinueMessage(decoding: &body) }
            let token = try Self.gss { try context.initiate(Array(message.value.readableBytesView)) }
            guard !token.isEmpty else { return .send([]) }
            var payload = ByteBuffer()
            KexGSSContinueMessage(value: ByteBuffer(bytes: token)).encode(into: &payload)
            return .send([payload])
        case KexGSSCompleteMessage.messageNumber:
            let encoding: KexPublicValueEncoding = usesStrings ? .string : .mpint
            let message = try Self.wire { () throws(WireError) in
                try KexGSSCompleteMessage(decoding: &body, valueEncoding: encoding)
            }
            if let token = message.token {
                _ = try Self.gss { try context.initiate(Array(token.readableBytesView)) }
            }
            guard context.isComplete else {
                throw TransportError(.keyExchangeFailed, "the server completed a GSS-API key exchange whose context is not established")
            }
            let secret = try secret(with: message.f)
            let exchangeHash = try hash(
                hostKey: gssHostKey, secret: secret, clientValue: ByteBuffer(bytes: agreement.publicValue),
                serverValue: message.f)
            try Self.gss { try context.verifyMIC(Array(message.perMessageToken.readableBytesView), of: exchangeHash) }
            return .clientFinished(
                ExchangeResult(
                    encodedSecret: secret, exchangeHash: exchangeHash, hostKeyBlob: gssHostKey, signature: [],
                    gssContext: context))
        case KexGSSErrorMessage.messageNumber:
            let message = try Self.wire { () throws(WireError) in try KexGSSErrorMessage(decoding: &body) }
            throw TransportError(.keyExchangeFailed, "the server's GSS-API failed: \(message.message)")
        default:
            throw Self.unexpected(number, method)
        }
    }

    /// The server's side of RFC 4462 §2.1: tokens until the context is established, then `f` and
    /// the MIC over `H` (with no host key in `H`, as sshd sends none).
    private mutating func gssServerReceive(
        _ number: UInt8, _ body: ByteBuffer, gss: GSSKeyExchange?, random: inout some SSHRandomSource
    ) throws(TransportError) -> Output {
        var body = body
        let acceptor: any GSSKeyExchangeAcceptor
        let token: [UInt8]
        switch (number, gssAcceptor) {
        case (KexGSSInitMessage.messageNumber, nil):
            guard let gss else { throw TransportError(.keyExchangeFailed, "\(method.name) without a GSS-API acceptor") }
            let encoding: KexPublicValueEncoding = usesStrings ? .string : .mpint
            let message = try Self.wire { () throws(WireError) in
                try KexGSSInitMessage(decoding: &body, valueEncoding: encoding)
            }
            acceptor = try Self.gss { try gss.makeAcceptor() }
            gssAcceptor = acceptor
            gssClientValue = message.e
            token = try Self.gss { try acceptor.accept(Array(message.token.readableBytesView)) }
        case (KexGSSContinueMessage.messageNumber, let started?) where !started.isComplete:
            let message = try Self.wire { () throws(WireError) in try KexGSSContinueMessage(decoding: &body) }
            acceptor = started
            token = try Self.gss { try started.accept(Array(message.value.readableBytesView)) }
        default:
            throw Self.unexpected(number, method)
        }
        guard let clientValue = gssClientValue else { throw Self.unexpected(number, method) }
        guard acceptor.isComplete else {
            var payload = ByteBuffer()
            KexGSSContinueMessage(value: ByteBuffer(bytes: token)).encode(into: &payload)
            return .send([payload])
        }
        let agreement = try Self.makeAgreement(method.kind, group: nil, random: &random)
        self.agreement = agreement
        let secret = try secret(with: clientValue)
        let serverValue = ByteBuffer(bytes: agreement.publicValue)
        let exchangeHash = try hash(hostKey: [], secret: secret, clientValue: clientValue, serverValue: serverValue)
        let mic = try Self.gss { try acceptor.mic(of: exchangeHash) }
        var reply = ByteBuffer()
        KexGSSCompleteMessage(
            f: serverValue, perMessageToken: ByteBuffer(bytes: mic), token: token.isEmpty ? nil : ByteBuffer(bytes: token),
            valueEncoding: usesStrings ? .string : .mpint
        ).encode(into: &reply)
        return .serverFinished(
            reply: reply,
            ExchangeResult(
                encodedSecret: secret, exchangeHash: exchangeHash, hostKeyBlob: [], signature: [], gssAcceptor: acceptor))
    }

    private func clientFinish(hostKey: ByteBuffer, serverValue: ByteBuffer, signature: ByteBuffer)
        throws(TransportError) -> Output
    {
        guard let agreement else { throw TransportError(.keyExchangeFailed, "key agreement not started") }
        let secret = try secret(with: serverValue)
        let hostKeyBlob = Array(hostKey.readableBytesView)
        let exchangeHash = try hash(
            hostKey: hostKeyBlob, secret: secret, clientValue: ByteBuffer(bytes: agreement.publicValue),
            serverValue: serverValue)
        return .clientFinished(
            ExchangeResult(
                encodedSecret: secret, exchangeHash: exchangeHash, hostKeyBlob: hostKeyBlob,
                signature: Array(signature.readableBytesView)))
    }

    private mutating func serverReceive(
        _ number: UInt8, _ body: ByteBuffer, hostKey: any TransportHostKey, moduli: ModuliFile,
        random: inout some SSHRandomSource
    ) throws(TransportError) -> Output {
        var body = body
        switch (method.kind, number) {
        case (.groupExchange, KexDHGexRequestMessage.messageNumber) where groupRequest == nil,
            (.groupExchange, KexDHGexRequestOldMessage.messageNumber) where groupRequest == nil:
            if number == KexDHGexRequestMessage.messageNumber {
                let request = try Self.wire { () throws(WireError) in try KexDHGexRequestMessage(decoding: &body) }
                let minimum = Int(request.minimumBits)
                let maximum = Int(request.maximumBits)
                let preferred = Int(request.preferredBits)
                guard minimum <= preferred, preferred <= maximum, maximum >= 1024 else {
                    throw TransportError(.keyExchangeFailed, "group exchange request \(minimum)/\(preferred)/\(maximum)")
                }
                groupRequest = (minimum, preferred, maximum, false)
            } else {
                let request = try Self.wire { () throws(WireError) in try KexDHGexRequestOldMessage(decoding: &body) }
                let preferred = Int(request.preferredBits)
                groupRequest = (preferred, preferred, preferred, true)
            }
            guard let request = groupRequest else { throw Self.unexpected(number, method) }
            let low = max(request.minimum, 2048)
            let high = min(request.maximum, 8192)
            guard
                let chosen = moduli.choose(
                    minimum: low, preferred: min(max(request.preferred, low), high), maximum: high, using: &random)
                    ?? ModuliFile.builtin.choose(
                        minimum: low, preferred: min(max(request.preferred, low), high), maximum: high,
                        using: &random)
            else {
                throw TransportError(.keyExchangeFailed, "no group between \(low) and \(high) bits")
            }
            group = chosen
            var payload = ByteBuffer()
            KexDHGexGroupMessage(prime: ByteBuffer(bytes: chosen.prime), generator: ByteBuffer(bytes: chosen.generator))
                .encode(into: &payload)
            return .send([payload])
        case (.groupExchange, KexDHGexInitMessage.messageNumber) where group != nil && agreement == nil:
            let message = try Self.wire { () throws(WireError) in try KexDHGexInitMessage(decoding: &body) }
            return try serverFinish(clientValue: message.e, hostKey: hostKey, random: &random) { f, k, s in
                var reply = ByteBuffer()
                KexDHGexReplyMessage(hostKey: k, f: f, signature: s).encode(into: &reply)
                return reply
            }
        case (.mlkem768x25519, KexECDHInitMessage.messageNumber) where agreement == nil,
            (.sntrup761x25519, KexECDHInitMessage.messageNumber) where agreement == nil,
            (.curve25519, KexECDHInitMessage.messageNumber) where agreement == nil,
            (.ecdh, KexECDHInitMessage.messageNumber) where agreement == nil:
            let message = try Self.wire { () throws(WireError) in try KexECDHInitMessage(decoding: &body) }
            return try serverFinish(clientValue: message.clientPublicKey, hostKey: hostKey, random: &random) {
                q, k, s in
                var reply = ByteBuffer()
                KexECDHReplyMessage(hostKey: k, serverPublicKey: q, signature: s).encode(into: &reply)
                return reply
            }
        case (.fixedGroup, KexDHInitMessage.messageNumber) where agreement == nil:
            let message = try Self.wire { () throws(WireError) in try KexDHInitMessage(decoding: &body) }
            return try serverFinish(clientValue: message.e, hostKey: hostKey, random: &random) { f, k, s in
                var reply = ByteBuffer()
                KexDHReplyMessage(hostKey: k, f: f, signature: s).encode(into: &reply)
                return reply
            }
        default:
            throw Self.unexpected(number, method)
        }
    }

    private mutating func serverFinish(
        clientValue: ByteBuffer, hostKey: any TransportHostKey, random: inout some SSHRandomSource,
        reply: (ByteBuffer, ByteBuffer, ByteBuffer) -> ByteBuffer
    ) throws(TransportError) -> Output {
        let agreement = try Self.makeAgreement(method.kind, group: group, clientValue: clientValue, random: &random)
        self.agreement = agreement
        let secret = try secret(with: clientValue)
        let serverValue = ByteBuffer(bytes: agreement.publicValue)
        let exchangeHash = try hash(
            hostKey: hostKey.publicKeyBlob, secret: secret, clientValue: clientValue, serverValue: serverValue)
        let signature: [UInt8]
        do {
            signature = try hostKey.signExchangeHash(exchangeHash, hostKeyAlgorithm: negotiated.hostKey)
        } catch {
            throw TransportError(.keyExchangeFailed, "signing the exchange hash failed: \(error)")
        }
        let payload = reply(serverValue, ByteBuffer(bytes: hostKey.publicKeyBlob), ByteBuffer(bytes: signature))
        return .serverFinished(
            reply: payload,
            ExchangeResult(
                encodedSecret: secret, exchangeHash: exchangeHash, hostKeyBlob: hostKey.publicKeyBlob,
                signature: signature))
    }
}
