import NIOCore
import SSHCrypto
import SSHWire

/// The SSH transport layer (RFC 4253) as a sans-IO state machine: bytes in, events and bytes out.
///
/// It does version exchange, algorithm negotiation, key exchange (initial and rekey, one
/// mechanism for both), the binary packet protocol, strict kex, ext-info, and the message
/// discipline that keeps each phase to the messages allowed in it. It never touches a socket,
/// clock or event loop: the driver feeds it bytes (``receive(_:)``) and the time, pulls events
/// (``nextEvent(now:writingInto:)``) and writes out whatever it appends to `out`.
///
/// When a method throws, a DISCONNECT has already been appended to `out` where one can be sent;
/// the driver writes it and closes the connection.
public struct TransportStateMachine {
    /// The configuration it was made with.
    public let configuration: TransportConfiguration
    var random: any SSHRandomSource
    /// Padding bytes, drawn from ``random`` a block at a time.
    private var padding: BufferedRandom

    // Version exchange.
    private var identificationParser: IdentificationParser
    private var started = false
    /// The peer's identification string, once received.
    public private(set) var peerIdentification: String?

    // Packets.
    private var inbound = ByteBuffer()
    /// Whether ``inbound`` is the machine's own storage rather than a received buffer.
    private var inboundIsOwned = false
    /// The machine's own receive storage while ``inbound`` holds a received buffer.
    private var spareInbound = ByteBuffer()
    /// Received buffers waiting behind ``inbound`` while it completes a packet that straddled reads.
    private var laterInbound: [ByteBuffer] = []
    private var decoder = PacketDecoder()
    private var encoder = PacketEncoder()
    private var packetsReceived: UInt64 = 0

    // Key exchange.
    var round: KeyExchangeRound? {
        didSet { hasRound = round != nil }
    }
    /// Whether ``round`` is set, kept apart: asking the optional itself copies the whole round
    /// (it holds resilient types), and this is asked for every packet.
    private var hasRound = false
    /// The session identifier: the exchange hash of the first key exchange (RFC 4253 §7.2).
    public private(set) var sessionID: [UInt8]?
    /// What the last key exchange negotiated.
    public private(set) var negotiated: NegotiatedAlgorithms?
    private var lastKeyExchange: ContinuousClock.Instant?
    private var awaitingHostKeyVerdict = false
    private var peerWantsExtensionInfo = false

    // A client's key pairs computed aside (``TransportConfiguration/computesKeyPairsAside``).
    /// Kinds to hand out with ``takeKeyAgreementPreparations()``.
    private var preparationsWanted: [KeyExchangeMethod.Kind] = []
    /// Kinds handed out and not yet supplied.
    private var preparationsRunning: [KeyExchangeMethod.Kind] = []
    /// Agreements supplied before the first exchange was negotiated, not yet used.
    private var preparedAgreements: [PreparedKeyAgreement] = []
    /// Whether the running exchange waits for a supplied agreement before its first packet.
    private var awaitingAgreement = false

    // Compression (RFC 4253 §6.2; zlib@openssh.com waits for authentication).
    private var outboundCompression: PacketCompression?
    private var inboundCompression: PacketCompression?
    private var outboundCompressionDelayed = false
    private var inboundCompressionDelayed = false

    // Above the transport.
    private var queued: [ByteBuffer] = []
    private var writersWaiting = false
    private var authenticated = false
    private var closed = false
    private var pendingEvents: [TransportEvent] = []
    /// The server's `server-sig-algs` (RFC 8308 §3.1), once a client has received them.
    public private(set) var serverSignatureAlgorithms: [String]?

    /// Creates a machine. `random` supplies key exchange secrets, cookies and padding.
    public init(configuration: TransportConfiguration, random: some SSHRandomSource = SystemRandom()) {
        self.configuration = configuration
        self.random = random
        self.padding = BufferedRandom(random)
        self.identificationParser = IdentificationParser(allowsPreamble: configuration.role == .client)
    }

    var isClient: Bool { configuration.role == .client }

    /// True while upper-layer payloads can be sent without waiting.
    public var canSend: Bool { !closed && queued.count < configuration.maximumQueuedPackets }

    /// Whether a writer should wait before it sends more: the connection is open and the packets
    /// queued for a key exchange reached their limit. Mutating only so that a caller holding the
    /// machine in a stored property asks it in place, where a property read would copy it whole.
    public mutating func writersMustWait() -> Bool {
        !closed && queued.count >= configuration.maximumQueuedPackets
    }

    /// True once the connection has ended, by either side.
    public var isClosed: Bool { closed }

    /// True while a key exchange is running.
    public var isExchangingKeys: Bool { hasRound }

    // MARK: Inputs

    /// Sends our identification line and, for a client, the first KEXINIT. Call once, when the
    /// connection is up. A server sends its KEXINIT once the client's identification line is in,
    /// as sshd does: a client holding its next small packet for an acknowledgement (Nagle) then
    /// gets one at once instead of after the peer's delayed-ACK timer.
    public mutating func start(now: ContinuousClock.Instant, writingInto out: inout ByteBuffer) throws(TransportError) {
        guard !started else { return }
        started = true
        out.writeString(configuration.identification + "\r\n")
        guard isClient else { return }
        if configuration.computesKeyPairsAside { preparationsWanted = Self.leadingHybrids(configuration.algorithms.keyExchange) }
        try guarded(&out) { (machine, out) throws(TransportError) in
            try machine.beginKeyExchange(now: now, initial: true, writingInto: &out)
        }
    }

    /// The kinds of the post-quantum hybrids `names` starts with: what a client offers first, and
    /// so what a server that has one picks.
    static func leadingHybrids(_ names: [String]) -> [KeyExchangeMethod.Kind] {
        var kinds: [KeyExchangeMethod.Kind] = []
        for name in names {
            guard let method = KeyExchangeMethod.named(name), !method.usesGSSAPI,
                KeyAgreementPreparation.isWorthPreparing(method.kind)
            else { break }
            if !kinds.contains(method.kind) { kinds.append(method.kind) }
        }
        return kinds
    }

    /// Client: the key agreements to compute on another thread, each handed out once
    /// (``TransportConfiguration/computesKeyPairsAside``). At ``start(now:writingInto:)`` they are
    /// the hybrids the client prefers, ready before the server's KEXINIT if the key pair is quicker
    /// than the server; later, the one a negotiated exchange waits for. Give each result back with
    /// ``supply(_:now:writingInto:)``.
    public mutating func takeKeyAgreementPreparations() -> [KeyAgreementPreparation] {
        guard !preparationsWanted.isEmpty else { return [] }
        let wanted = preparationsWanted
        preparationsWanted = []
        preparationsRunning += wanted
        return wanted.map { KeyAgreementPreparation(kind: $0) }
    }

    /// Client: takes back a computed agreement. An exchange waiting for it sends its first packet
    /// (RFC 4253 §7.1); one supplied before the first exchange is negotiated waits for it; any
    /// other is dropped unused, as is every one the first exchange does not use. A failed
    /// preparation fails the exchange that waits for it.
    public mutating func supply(_ prepared: PreparedKeyAgreement, now: ContinuousClock.Instant, writingInto out: inout ByteBuffer)
        throws(TransportError)
    {
        if let index = preparationsRunning.firstIndex(of: prepared.kind) { preparationsRunning.remove(at: index) }
        guard !closed else { return }
        guard awaitingAgreement, var round, var driver = round.driver, round.negotiated?.keyExchange.kind == prepared.kind else {
            if sessionID == nil && round?.receivedKexInit != true, case .success = prepared.result {
                preparedAgreements.append(prepared)
            }
            return
        }
        awaitingAgreement = false
        try guarded(&out) { (machine, out) throws(TransportError) in
            let first = try driver.clientStart(
                groupExchange: machine.configuration.groupExchange, gss: machine.configuration.gssKeyExchange,
                prepared: try prepared.result.get(), random: &machine.random)
            round.driver = driver
            machine.round = round
            try machine.writePacket(first, into: &out)
        }
    }

    /// A client's first packet of an exchange, with a prepared agreement where one is ready; nil
    /// when the exchange is to wait for one being computed aside.
    private mutating func clientFirstPacket(_ driver: inout KeyExchangeDriver, _ method: KeyExchangeMethod)
        throws(TransportError) -> ByteBuffer?
    {
        let ready = preparedAgreements.firstIndex { $0.kind == method.kind && !method.usesGSSAPI }
        let prepared = ready.map { preparedAgreements[$0] }
        preparedAgreements = []
        if let prepared {
            return try driver.clientStart(
                groupExchange: configuration.groupExchange, gss: configuration.gssKeyExchange,
                prepared: try prepared.result.get(), random: &random)
        }
        if configuration.computesKeyPairsAside && !method.usesGSSAPI && KeyAgreementPreparation.isWorthPreparing(method.kind) {
            if !preparationsRunning.contains(method.kind) { preparationsWanted.append(method.kind) }
            awaitingAgreement = true
            return nil
        }
        return try driver.clientStart(
            groupExchange: configuration.groupExchange, gss: configuration.gssKeyExchange, random: &random)
    }

    /// Hands the machine bytes received from the peer. A read that starts where the last one
    /// ended is taken as it is. When a packet straddles two reads, its start and the bytes that
    /// complete it are copied into a buffer of the machine's own (kept from read to read so that
    /// its memory is reused), and the rest of the read is taken as it is once that packet is out.
    public mutating func receive(_ bytes: ByteBuffer) {
        guard !closed else { return }
        if laterInbound.isEmpty {
            take(bytes)
        } else {
            laterInbound.append(bytes)
        }
    }

    /// Puts `bytes` after what ``inbound`` holds (see ``receive(_:)``).
    private mutating func take(_ bytes: ByteBuffer) {
        if inbound.readableBytes == 0 {
            // The storage is cleared when next used, not now: payloads may still be slices of it.
            if inboundIsOwned { spareInbound = inbound }
            inbound = bytes
            inboundIsOwned = false
            return
        }
        var bytes = bytes
        var rest: ByteBuffer?
        if let needed = decoder.bytesToComplete(buffered: inbound.readableBytes), needed > 0,
            needed < bytes.readableBytes, let completing = bytes.readSlice(length: needed)
        {
            rest = bytes
            bytes = completing
        }
        if !inboundIsOwned {
            var owned = spareInbound
            spareInbound = ByteBuffer()
            owned.clear()
            owned.writeBuffer(&inbound)
            inbound = owned
            inboundIsOwned = true
        } else {
            inbound.discardReadBytes()
        }
        inbound.writeBuffer(&bytes)
        if let rest { laterInbound.insert(rest, at: 0) }
    }

    /// The next packet from what was received, moving on to a later read once ``inbound`` is used up.
    private mutating func nextPacket() throws(TransportError) -> (payload: ByteBuffer, sequence: UInt32)? {
        while true {
            if let packet = try decoder.next(from: &inbound) {
                if inbound.readableBytes == 0, !laterInbound.isEmpty { take(laterInbound.removeFirst()) }
                return packet
            }
            guard !laterInbound.isEmpty else { return nil }
            take(laterInbound.removeFirst())
        }
    }

    /// Processes received bytes until there is an event to report; nil when it needs more bytes
    /// (or is waiting for a host-key verdict).
    public mutating func nextEvent(now: ContinuousClock.Instant, writingInto out: inout ByteBuffer)
        throws(TransportError) -> TransportEvent?
    {
        if !pendingEvents.isEmpty { return pendingEvents.removeFirst() }
        guard !closed else { return nil }
        return try guarded(&out) { (machine, out) throws(TransportError) in
            try machine.step(now: now, writingInto: &out)
        }
    }

    /// Sends a payload for a layer above (message number 50 or more, or a service request).
    /// While a key exchange runs it is queued and sent after our NEWKEYS.
    public mutating func send(_ payload: ByteBuffer, writingInto out: inout ByteBuffer) throws(TransportError) {
        try send(SplitPayload(head: payload, body: ByteBuffer()), writingInto: &out)
    }

    /// Sends a payload given in two parts, as ``send(_:writingInto:)`` does: the body is
    /// encrypted from where it lies into the packet, not copied there first.
    public mutating func send(_ payload: SplitPayload, writingInto out: inout ByteBuffer) throws(TransportError) {
        guard !closed else { throw TransportError(.closed, "the connection is closed") }
        guard let number = payload.head.getInteger(at: payload.head.readerIndex, as: UInt8.self), number >= 50 else {
            throw TransportError(.protocolError, "the transport sends its own messages")
        }
        if !queuesForKeys(payload.joined()) { try writePacket(payload, into: &out) }
        // A server's USERAUTH_SUCCESS opens the connection layer at once: the client may send
        // channel messages right behind it (RFC 4252 §5.1), and delayed compression starts.
        if !isClient, number == UserAuthSuccessMessage.messageNumber { authenticationSucceeded() }
    }

    private mutating func enqueueOrSend(_ payload: ByteBuffer, writingInto out: inout ByteBuffer)
        throws(TransportError)
    {
        if !queuesForKeys(payload) { try writePacket(payload, into: &out) }
    }

    /// Queues `payload` when it cannot go out yet (returns true): while our key exchange runs
    /// (writers wait once too many are queued), or before the first keys.
    private mutating func queuesForKeys(_ payload: @autoclosure () -> ByteBuffer) -> Bool {
        if hasRound, round?.sentKexInit == true, round?.sentNewKeys == false {
            queued.append(payload())
            if queued.count >= configuration.maximumQueuedPackets { writersWaiting = true }
            return true
        }
        guard sessionID != nil else {
            queued.append(payload())
            return true
        }
        return false
    }

    /// Sends IGNORE (RFC 4253 §11.2), for keepalives and traffic padding; queued during a key exchange.
    public mutating func sendIgnore(_ data: ByteBuffer = ByteBuffer(), writingInto out: inout ByteBuffer)
        throws(TransportError)
    {
        guard !closed else { throw TransportError(.closed, "the connection is closed") }
        var payload = ByteBuffer()
        IgnoreMessage(data: data).encode(into: &payload)
        try enqueueOrSend(payload, writingInto: &out)
    }

    /// Sends DEBUG (RFC 4253 §11.3); queued during a key exchange.
    public mutating func sendDebug(_ message: String, alwaysDisplay: Bool = false, writingInto out: inout ByteBuffer)
        throws(TransportError)
    {
        guard !closed else { throw TransportError(.closed, "the connection is closed") }
        var payload = ByteBuffer()
        DebugMessage(alwaysDisplay: alwaysDisplay, message: message).encode(into: &payload)
        try enqueueOrSend(payload, writingInto: &out)
    }

    /// Client: asks the server for a service, normally `ssh-userauth` (RFC 4253 §10).
    public mutating func requestService(_ name: String, writingInto out: inout ByteBuffer) throws(TransportError) {
        guard isClient else { throw TransportError(.protocolError, "only a client requests services") }
        var payload = ByteBuffer()
        ServiceRequestMessage(serviceName: name).encode(into: &payload)
        try enqueueOrSend(payload, writingInto: &out)
    }

    /// Client: the host-key policy's decision on the key reported by ``TransportEvent/verifyHostKey(hostKeyBlob:algorithm:)``.
    public mutating func hostKeyVerdict(accepted: Bool, writingInto out: inout ByteBuffer) throws(TransportError) {
        guard awaitingHostKeyVerdict else { return }
        awaitingHostKeyVerdict = false
        try guarded(&out) { (machine, out) throws(TransportError) in
            guard accepted else {
                throw TransportError(.hostKeyRejected, "the server's host key was not accepted")
            }
            try machine.sendNewKeys(writingInto: &out)
        }
    }

    /// Tells the transport authentication succeeded, so connection-layer messages (80 and up)
    /// become allowed (RFC 4252 §5.1).
    public mutating func authenticationSucceeded() {
        authenticated = true
        // Errors here are impossible in practice (zlib's own initialisation); the next packet reports them.
        try? startDelayedCompression()
    }

    private mutating func startDelayedCompression() throws(TransportError) {
        if outboundCompressionDelayed && authenticated {
            outboundCompressionDelayed = false
            outboundCompression = try PacketCompression(compressing: true)
        }
        if inboundCompressionDelayed && authenticated {
            inboundCompressionDelayed = false
            inboundCompression = try PacketCompression(compressing: false)
        }
    }

    /// Applies a negotiated compression method to one direction after its NEWKEYS. Each key
    /// exchange starts a new compression context (RFC 4253 §6.2), as OpenSSH, paramiko and asyncssh
    /// do: a stream carried over from the keys before would not inflate what the peer deflates.
    private mutating func applyCompression(_ name: String, outbound: Bool) throws(TransportError) {
        if outbound { outboundCompression = nil } else { inboundCompression = nil }
        switch name {
        case "zlib":
            if outbound { outboundCompression = try PacketCompression(compressing: true) } else {
                inboundCompression = try PacketCompression(compressing: false)
            }
        case "zlib@openssh.com":
            if outbound { outboundCompressionDelayed = true } else { inboundCompressionDelayed = true }
            try startDelayedCompression()
        default:
            break
        }
    }

    /// Starts a key re-exchange when ``needsRekey`` says one is due (RFC 4253 §9). A driver calls it after
    /// each input; being mutating, the check reads the machine in place wherever it is stored.
    public mutating func startRekeyIfDue(now: ContinuousClock.Instant, writingInto out: inout ByteBuffer)
        throws(TransportError)
    {
        guard needsRekey else { return }
        try startRekey(now: now, writingInto: &out)
    }

    /// Starts a key re-exchange now (RFC 4253 §9). Does nothing while one runs.
    public mutating func startRekey(now: ContinuousClock.Instant, writingInto out: inout ByteBuffer)
        throws(TransportError)
    {
        guard !hasRound, sessionID != nil, !closed else { return }
        try guarded(&out) { (machine, out) throws(TransportError) in
            try machine.beginKeyExchange(now: now, initial: false, writingInto: &out)
        }
    }

    /// Sends DISCONNECT (RFC 4253 §11.1) and closes.
    public mutating func disconnect(
        reason: DisconnectReason = .byApplication, description: String = "", writingInto out: inout ByteBuffer
    ) {
        writeDisconnect(reason: reason, description: description, into: &out)
    }

    /// Enforces deadlines (a key exchange that runs too long) and starts time-based rekeys.
    /// Returns when it next wants to be called.
    public mutating func checkTimers(now: ContinuousClock.Instant, writingInto out: inout ByteBuffer)
        throws(TransportError) -> ContinuousClock.Instant?
    {
        guard !closed else { return nil }
        return try guarded(&out) { (machine, out) throws(TransportError) -> ContinuousClock.Instant? in
            if let round = machine.round {
                let deadline = round.startedAt + machine.configuration.keyExchangeTimeout
                guard now < deadline else {
                    throw TransportError(.timedOut, "key exchange did not finish in \(machine.configuration.keyExchangeTimeout)")
                }
                return deadline
            }
            if let last = machine.lastKeyExchange {
                let due = last + machine.configuration.rekeyInterval
                if now >= due {
                    try machine.beginKeyExchange(now: now, initial: false, writingInto: &out)
                    return now + machine.configuration.keyExchangeTimeout
                }
                return due
            }
            return nil
        }
    }

    // MARK: Internals

    /// Runs `body`; on error, appends a DISCONNECT for it, closes, and rethrows.
    private mutating func guarded<Result>(
        _ out: inout ByteBuffer,
        _ body: (inout TransportStateMachine, inout ByteBuffer) throws(TransportError) -> Result
    ) throws(TransportError) -> Result {
        do {
            return try body(&self, &out)
        } catch {
            if error.code != .peerDisconnected && error.code != .closed {
                writeDisconnect(reason: error.disconnectReason, description: error.detail, into: &out)
            }
            closed = true
            throw error
        }
    }

    private mutating func writeDisconnect(reason: DisconnectReason, description: String, into out: inout ByteBuffer) {
        guard !closed else { return }
        closed = true
        guard started else { return }
        var payload = ByteBuffer()
        DisconnectMessage(reason: reason, description: description).encode(into: &payload)
        // Best effort: a connection whose encoder already failed cannot say goodbye.
        _ = try? encoder.encode(into: &out, random: &padding) { $0.writeImmutableBuffer(payload) }
    }

    mutating func writePacket(_ payload: ByteBuffer, into out: inout ByteBuffer) throws(TransportError) {
        let wire = try outboundCompression?.compress(payload) ?? payload
        try encoder.encode(into: &out, random: &padding) { $0.writeImmutableBuffer(wire) }
    }

    /// ``writePacket(_:into:)`` for a payload in two parts: the body is encrypted from where it
    /// lies instead of being copied into the packet first (compression takes the joined payload).
    private mutating func writePacket(_ payload: SplitPayload, into out: inout ByteBuffer) throws(TransportError) {
        guard outboundCompression == nil else { return try writePacket(payload.joined(), into: &out) }
        try encoder.encode(into: &out, random: &padding, payload: payload)
    }

    private mutating func step(now: ContinuousClock.Instant, writingInto out: inout ByteBuffer)
        throws(TransportError) -> TransportEvent?
    {
        if peerIdentification == nil {
            guard let line = try identificationParser.parse(&inbound) else { return nil }
            peerIdentification = line
            if !isClient { try beginKeyExchange(now: now, initial: true, writingInto: &out) }
            return .identification(line)
        }
        while !closed && !awaitingHostKeyVerdict {
            guard let (wire, sequence) = try nextPacket() else { return nil }
            let payload = try inboundCompression?.decompress(wire) ?? wire
            packetsReceived += 1
            if let event = try handle(payload, sequence: sequence, now: now, writingInto: &out) {
                return event
            }
            if !pendingEvents.isEmpty { return pendingEvents.removeFirst() }
        }
        return nil
    }

    /// Dispatches one payload under the message discipline of the current phase.
    private mutating func handle(
        _ payload: ByteBuffer, sequence: UInt32, now: ContinuousClock.Instant, writingInto out: inout ByteBuffer
    ) throws(TransportError) -> TransportEvent? {
        guard let number = payload.getInteger(at: payload.readerIndex, as: UInt8.self) else {
            throw TransportError(.protocolError, "empty payload")
        }
        if number == DisconnectMessage.messageNumber {
            let message = try Self.decode(DisconnectMessage.self, payload)
            closed = true
            return .disconnected(message)
        }
        if hasRound, round?.receivedKexInit == true, round?.receivedNewKeys == false {
            return try handleDuringKeyExchange(number, payload, sequence: sequence, now: now, writingInto: &out)
        }
        if sessionID == nil {
            // The first key exchange: the peer's KEXINIT must come first under strict kex.
            switch number {
            case KexInitMessage.messageNumber:
                return try receiveKexInit(payload, now: now, writingInto: &out)
            case IgnoreMessage.messageNumber, DebugMessage.messageNumber, UnimplementedMessage.messageNumber:
                return try handleGeneric(number, payload)
            default:
                throw TransportError(.protocolError, "message \(number) before key exchange")
            }
        }
        switch number {
        case IgnoreMessage.messageNumber, DebugMessage.messageNumber, UnimplementedMessage.messageNumber:
            return try handleGeneric(number, payload)
        case KexInitMessage.messageNumber:
            return try receiveKexInit(payload, now: now, writingInto: &out)
        case NewKeysMessage.messageNumber, 30...49:
            throw TransportError(.protocolError, "key exchange message \(number) outside a key exchange")
        case ServiceRequestMessage.messageNumber where !isClient:
            let request = try Self.decode(ServiceRequestMessage.self, payload)
            guard configuration.acceptedServices.contains(request.serviceName) else {
                writeDisconnect(
                    reason: .serviceNotAvailable, description: "service \(request.serviceName) not available",
                    into: &out)
                throw TransportError(.protocolError, "peer requested unavailable service \(request.serviceName)")
            }
            var accept = ByteBuffer()
            ServiceAcceptMessage(serviceName: request.serviceName).encode(into: &accept)
            try enqueueOrSend(accept, writingInto: &out)
            return .serviceRequested(request.serviceName)
        case ServiceAcceptMessage.messageNumber where isClient:
            return .serviceAccepted(try Self.decode(ServiceAcceptMessage.self, payload).serviceName)
        case ExtInfoMessage.messageNumber:
            let info = try Self.decode(ExtInfoMessage.self, payload)
            if isClient, var value = info.value(named: "server-sig-algs") {
                serverSignatureAlgorithms = (try? value.readSSHNameList())
                    ?? String(buffer: value).split(separator: ",").map(String.init)
            }
            return .extensionInfo(info)
        case 50...79:
            guard Self.userAuthNumbers(fromClient: !isClient).contains(number) else {
                throw TransportError(.protocolError, "message \(number) not allowed from the \(isClient ? "server" : "client")")
            }
            // The server may follow its USERAUTH_SUCCESS with connection messages at once.
            if isClient, number == UserAuthSuccessMessage.messageNumber { authenticationSucceeded() }
            return .payload(payload)
        case 80...:
            guard authenticated else {
                throw TransportError(.protocolError, "message \(number) before authentication succeeded")
            }
            return .payload(payload)
        default:
            var reply = ByteBuffer()
            UnimplementedMessage(sequenceNumber: sequence).encode(into: &reply)
            try enqueueOrSend(reply, writingInto: &out)
            return nil
        }
    }

    /// Userauth message numbers each side may send (RFC 4252, RFC 4256, RFC 4462).
    static func userAuthNumbers(fromClient: Bool) -> Set<UInt8> {
        fromClient ? [50, 61, 63, 64, 65, 66] : [51, 52, 53, 60, 61, 64, 65]
    }

    private mutating func handleGeneric(_ number: UInt8, _ payload: ByteBuffer) throws(TransportError)
        -> TransportEvent?
    {
        switch number {
        case DebugMessage.messageNumber:
            return .debug(try Self.decode(DebugMessage.self, payload))
        case UnimplementedMessage.messageNumber:
            let sequence = try Self.decode(UnimplementedMessage.self, payload).sequenceNumber
            if let round, !round.receivedKexInit, round.kexInitSequence == sequence {
                // OpenSSH's sshd answers a re-exchange it does not take (before authentication) this way.
                throw TransportError(.keyExchangeFailed, "the peer refused to start a key re-exchange now")
            }
            return .unimplemented(sequenceNumber: sequence)
        default:
            return nil
        }
    }

    static func decode<M: SSHMessage>(_ type: M.Type, _ payload: ByteBuffer) throws(TransportError) -> M {
        do {
            return try M(decodingPayload: payload)
        } catch {
            throw TransportError(.protocolError, "malformed message \(M.messageNumber): \(error.detail)")
        }
    }

    // MARK: Key exchange rounds

    private mutating func beginKeyExchange(now: ContinuousClock.Instant, initial: Bool, writingInto out: inout ByteBuffer)
        throws(TransportError)
    {
        var round = self.round ?? KeyExchangeRound(initial: initial, startedAt: now)
        guard !round.sentKexInit else { return }
        let kexInit = makeKexInit(initial: initial)
        var payload = ByteBuffer()
        kexInit.encode(into: &payload)
        round.ourKexInit = payload
        round.sentKexInit = true
        round.kexInitSequence = encoder.sequenceNumber
        self.round = round
        try writePacket(payload, into: &out)
    }

    private func makeKexInit(initial: Bool) -> KexInitMessage {
        var random = self.random
        let preferences = configuration.algorithms
        var kex = preferences.keyExchange
        if initial {
            if isClient {
                if configuration.extensionNegotiation { kex.append(Negotiation.extInfoClient) }
                if configuration.strictKeyExchange { kex.append(Negotiation.strictClient) }
            } else if configuration.strictKeyExchange {
                kex.append(Negotiation.strictServer)
            }
        }
        var hostKeyAlgorithms: [String]
        // RFC 4462 §5: `null`, no host key, goes with GSS-API key exchange only. A client offers it
        // last; a server, as sshd, only when it has no host key.
        let gss = configuration.gssKeyExchange != nil && kex.contains { KeyExchangeMethod.named($0)?.usesGSSAPI == true }
        if isClient {
            hostKeyAlgorithms = preferences.hostKey
            if gss && !hostKeyAlgorithms.contains(Negotiation.nullHostKey) { hostKeyAlgorithms.append(Negotiation.nullHostKey) }
        } else {
            let served = Set(configuration.hostKeys.flatMap(\.hostKeyAlgorithms))
            hostKeyAlgorithms = preferences.hostKey.filter { served.contains($0) }
            if gss && configuration.hostKeys.isEmpty { hostKeyAlgorithms = [Negotiation.nullHostKey] }
        }
        return KexInitMessage(
            cookie: KexInitCookie(using: &random),
            kexAlgorithms: kex,
            serverHostKeyAlgorithms: hostKeyAlgorithms,
            encryptionAlgorithmsClientToServer: preferences.ciphers,
            encryptionAlgorithmsServerToClient: preferences.ciphers,
            macAlgorithmsClientToServer: preferences.macs,
            macAlgorithmsServerToClient: preferences.macs,
            compressionAlgorithmsClientToServer: preferences.compression,
            compressionAlgorithmsServerToClient: preferences.compression,
            languagesClientToServer: [],
            languagesServerToClient: [],
            firstKexPacketFollows: false,
            reserved: 0)
    }

    private mutating func receiveKexInit(_ payload: ByteBuffer, now: ContinuousClock.Instant, writingInto out: inout ByteBuffer)
        throws(TransportError) -> TransportEvent?
    {
        let peer = try Self.decode(KexInitMessage.self, payload)
        let initial = sessionID == nil
        if round == nil || !(round?.sentKexInit ?? false) {
            try beginKeyExchange(now: now, initial: initial, writingInto: &out)
        }
        guard var round = self.round, let ours = round.ourKexInit else {
            throw TransportError(.protocolError, "key exchange state lost")
        }
        let mine = try Self.decode(KexInitMessage.self, ours)
        let (client, server) = isClient ? (mine, peer) : (peer, mine)
        var negotiated = try Negotiation.negotiate(client: client, server: server, initial: initial)
        if !initial {
            // Strict kex is agreed once, in the first exchange, and holds for the connection.
            negotiated.strictKeyExchange = self.negotiated?.strictKeyExchange ?? false
        }
        if negotiated.strictKeyExchange && initial && packetsReceived != 1 {
            throw TransportError(.protocolError, "strict key exchange: KEXINIT was not the first packet")
        }
        if initial && !isClient {
            peerWantsExtensionInfo = peer.kexAlgorithms.contains(Negotiation.extInfoClient)
        }
        round.peerKexInit = payload
        round.receivedKexInit = true
        round.negotiated = negotiated
        round.ignoreNextPeerPacket = peer.firstKexPacketFollows && !Negotiation.guessIsCorrect(client: client, server: server)
        guard let clientIdentification = isClient ? configuration.identification : peerIdentification,
            let serverIdentification = isClient ? peerIdentification : configuration.identification
        else { throw TransportError(.protocolError, "identification missing") }
        let (clientKexInit, serverKexInit) = isClient ? (ours, payload) : (payload, ours)
        var driver = KeyExchangeDriver(
            isClient: isClient, negotiated: negotiated,
            transcript: ExchangeTranscript(
                clientIdentification: clientIdentification, serverIdentification: serverIdentification,
                clientKexInit: clientKexInit, serverKexInit: serverKexInit))
        if isClient, let first = try clientFirstPacket(&driver, negotiated.keyExchange) {
            try writePacket(first, into: &out)
        }
        round.driver = driver
        self.round = round
        return nil
    }

    private mutating func handleDuringKeyExchange(
        _ number: UInt8, _ payload: ByteBuffer, sequence: UInt32, now: ContinuousClock.Instant,
        writingInto out: inout ByteBuffer
    ) throws(TransportError) -> TransportEvent? {
        guard var round else { throw TransportError(.protocolError, "no key exchange") }
        let strict = round.negotiated?.strictKeyExchange ?? false
        switch number {
        case KexInitMessage.messageNumber:
            throw TransportError(.protocolError, "a second KEXINIT during key exchange")
        case IgnoreMessage.messageNumber, DebugMessage.messageNumber, UnimplementedMessage.messageNumber:
            if strict && round.initial {
                throw TransportError(.protocolError, "strict key exchange: message \(number) during the first kex")
            }
            return try handleGeneric(number, payload)
        case NewKeysMessage.messageNumber:
            _ = try Self.decode(NewKeysMessage.self, payload)
            guard let inbound = round.pendingInbound else {
                throw TransportError(.protocolError, "NEWKEYS before the key exchange finished")
            }
            decoder.install(inbound, resetSequence: strict)
            if let negotiated = round.negotiated {
                try applyCompression(
                    isClient ? negotiated.compressionServerToClient : negotiated.compressionClientToServer,
                    outbound: false)
            }
            round.pendingInbound = nil
            round.receivedNewKeys = true
            self.round = round
            return try finishRoundIfDone(now: now, writingInto: &out)
        case 30...49:
            if round.ignoreNextPeerPacket {
                round.ignoreNextPeerPacket = false
                self.round = round
                return nil
            }
            guard var driver = round.driver, round.result == nil || !isClient else {
                throw TransportError(.protocolError, "unexpected key exchange message \(number)")
            }
            let hostKey = round.negotiated.flatMap { negotiated in
                configuration.hostKeys.first { $0.hostKeyAlgorithms.contains(negotiated.hostKey) }
            }
            let output = try driver.receive(
                payload, hostKey: hostKey, moduli: configuration.moduli, gss: configuration.gssKeyExchange, random: &random)
            round.driver = driver
            self.round = round
            switch output {
            case .send(let payloads):
                for payload in payloads { try writePacket(payload, into: &out) }
                return nil
            case .clientFinished(let result):
                return try clientExchangeFinished(result, writingInto: &out)
            case .serverFinished(let reply, let result):
                if let acceptor = result.gssAcceptor { gssAcceptor = acceptor }
                try writePacket(reply, into: &out)
                try installKeys(result)
                try sendNewKeys(writingInto: &out)
                return nil
            }
        default:
            throw TransportError(.protocolError, "message \(number) not allowed during key exchange")
        }
    }

    /// NEWKEYS goes straight into `out`, ahead of anything the same call writes after it (the
    /// peer's NEWKEYS may be in the same read, and what follows ours is encrypted with the new keys).
    private mutating func clientExchangeFinished(_ result: ExchangeResult, writingInto out: inout ByteBuffer)
        throws(TransportError) -> TransportEvent?
    {
        guard let negotiated = round?.negotiated else { throw TransportError(.protocolError, "no negotiation") }
        if negotiated.keyExchange.usesGSSAPI {
            // RFC 4462 §2.1: the context's MIC over H, checked by the driver, authenticated the
            // server; its host key, if it sent one, is not judged (as ssh does).
            try installKeys(result)
            gssContext = result.gssContext
            try sendNewKeys(writingInto: &out)
            return nil
        }
        guard let verifier = configuration.hostKeySignatureVerifier else {
            throw TransportError(.hostKeyNotVerifiable, "no way to verify the server's signature")
        }
        guard verifier(result.hostKeyBlob, result.signature, result.exchangeHash, negotiated.hostKey) else {
            throw TransportError(.hostKeyNotVerifiable, "the server's signature over the exchange hash is invalid")
        }
        try installKeys(result)
        if let previous = round?.previousHostKey, previous != result.hostKeyBlob {
            throw TransportError(.hostKeyNotVerifiable, "the server's host key changed during rekey")
        }
        if sessionID != nil && round?.initial == false {
            // A rekey keeps the host key checked at the first exchange.
            return try sendNewKeysAfterRekeyCheck(result, writingInto: &out)
        }
        awaitingHostKeyVerdict = true
        return .verifyHostKey(hostKeyBlob: result.hostKeyBlob, algorithm: negotiated.hostKey)
    }

    private var firstHostKey: [UInt8]?

    /// The host key blob the server presented in the first key exchange (empty after a GSS-API
    /// exchange without one).
    public var serverHostKeyBlob: [UInt8]? { firstHostKey }

    /// After a GSS-API key exchange, the context of the latest one: `gssapi-keyex` user
    /// authentication signs with it (RFC 4462 §4).
    public private(set) var gssContext: (any GSSKeyExchangeContext)?

    /// On a server, after a GSS-API key exchange, the context of the latest one: `gssapi-keyex`
    /// user authentication is checked with it (RFC 4462 §4).
    public private(set) var gssAcceptor: (any GSSKeyExchangeAcceptor)?

    private mutating func sendNewKeysAfterRekeyCheck(_ result: ExchangeResult, writingInto out: inout ByteBuffer)
        throws(TransportError) -> TransportEvent?
    {
        guard result.hostKeyBlob == firstHostKey else {
            throw TransportError(.hostKeyNotVerifiable, "the server's host key changed during rekey")
        }
        try sendNewKeys(writingInto: &out)
        return nil
    }


    /// Derives both directions' keys from the exchange result; inbound waits for the peer's NEWKEYS.
    private mutating func installKeys(_ result: ExchangeResult) throws(TransportError) {
        guard var round, let negotiated = round.negotiated else { throw TransportError(.protocolError, "no round") }
        let session = sessionID ?? result.exchangeHash
        do {
            let c2s = try KeyDerivation.keys(
                clientToServer: true, cipher: negotiated.cipherClientToServer, mac: negotiated.macClientToServer,
                hash: negotiated.keyExchange.hash, encodedSecret: result.encodedSecret,
                exchangeHash: result.exchangeHash, sessionID: session)
            let s2c = try KeyDerivation.keys(
                clientToServer: false, cipher: negotiated.cipherServerToClient, mac: negotiated.macServerToClient,
                hash: negotiated.keyExchange.hash, encodedSecret: result.encodedSecret,
                exchangeHash: result.exchangeHash, sessionID: session)
            let c2sProtection = try negotiated.cipherClientToServer.makeProtection(
                mac: negotiated.macClientToServer, key: c2s.key, iv: c2s.iv, macKey: c2s.macKey,
                direction: isClient ? .outbound : .inbound)
            let s2cProtection = try negotiated.cipherServerToClient.makeProtection(
                mac: negotiated.macServerToClient, key: s2c.key, iv: s2c.iv, macKey: s2c.macKey,
                direction: isClient ? .inbound : .outbound)
            round.pendingOutbound = isClient ? c2sProtection : s2cProtection
            round.pendingInbound = isClient ? s2cProtection : c2sProtection
        } catch {
            throw TransportError(.keyExchangeFailed, "key derivation failed: \(error.detail)")
        }
        round.result = result
        if sessionID == nil {
            sessionID = result.exchangeHash
            firstHostKey = result.hostKeyBlob
        }
        self.round = round
    }

    mutating func sendNewKeys(writingInto out: inout ByteBuffer) throws(TransportError) {
        guard var round, let outbound = round.pendingOutbound, !round.sentNewKeys else {
            throw TransportError(.protocolError, "NEWKEYS without keys")
        }
        var payload = ByteBuffer()
        NewKeysMessage().encode(into: &payload)
        try writePacket(payload, into: &out)
        let strict = round.negotiated?.strictKeyExchange ?? false
        encoder.install(outbound, resetSequence: strict)
        if let negotiated = round.negotiated {
            try applyCompression(
                isClient ? negotiated.compressionClientToServer : negotiated.compressionServerToClient, outbound: true)
        }
        round.pendingOutbound = nil
        round.sentNewKeys = true
        self.round = round
        if round.initial && !isClient && peerWantsExtensionInfo && configuration.extensionNegotiation {
            var info = ByteBuffer()
            ExtInfoMessage(extensions: [
                .init(name: "server-sig-algs", nameList: configuration.serverSignatureAlgorithms)
            ]).encode(into: &info)
            try writePacket(info, into: &out)
        }
        let waiting = queued
        queued.removeAll()
        for payload in waiting { try writePacket(payload, into: &out) }
        if writersWaiting {
            writersWaiting = false
            pendingEvents.append(.writable)
        }
        if let event = try finishRoundIfDone(now: round.startedAt, writingInto: &out) {
            pendingEvents.append(event)
        }
    }

    private mutating func finishRoundIfDone(now: ContinuousClock.Instant, writingInto out: inout ByteBuffer)
        throws(TransportError) -> TransportEvent?
    {
        guard let round, round.sentNewKeys, round.receivedNewKeys, let negotiated = round.negotiated else { return nil }
        self.round = nil
        self.negotiated = negotiated
        lastKeyExchange = ContinuousClock.now
        return .keyExchangeComplete(negotiated, initial: round.initial)
    }

    /// True when either direction has carried enough since the last key exchange to need a new one.
    public var needsRekey: Bool {
        !hasRound && sessionID != nil
            && (encoder.bytesSinceKeyChange >= configuration.rekeyBytes
                || decoder.bytesSinceKeyChange >= configuration.rekeyBytes
                || encoder.sequenceNumber >= 1 << 31 || decoder.sequenceNumber >= 1 << 31)
    }
}

/// One key exchange, initial or rekey (RFC 4253 §7–§9).
struct KeyExchangeRound {
    let initial: Bool
    let startedAt: ContinuousClock.Instant
    var ourKexInit: ByteBuffer?
    var peerKexInit: ByteBuffer?
    var sentKexInit = false
    /// The sequence number our KEXINIT went out with, to recognise a peer's UNIMPLEMENTED for it.
    var kexInitSequence: UInt32?
    var receivedKexInit = false
    var negotiated: NegotiatedAlgorithms?
    var driver: KeyExchangeDriver?
    var result: ExchangeResult?
    var ignoreNextPeerPacket = false
    var pendingInbound: (any PacketProtection)?
    var pendingOutbound: (any PacketProtection)?
    var sentNewKeys = false
    var receivedNewKeys = false
    var previousHostKey: [UInt8]?

    init(initial: Bool, startedAt: ContinuousClock.Instant) {
        self.initial = initial
        self.startedAt = startedAt
    }
}
