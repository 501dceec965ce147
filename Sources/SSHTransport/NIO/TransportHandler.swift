import NIOCore
import SSHCrypto
import SSHWire

/// What a layer above asks of the transport handler.
///
/// No bigger than a ``payload`` (the larger ``disconnect`` is `indirect`), so that NIO's `NIOAny` holds a
/// command inline instead of boxing it for every packet sent.
public enum TransportCommand: Sendable {
    /// Send a message of number 50 or more (authentication, connection).
    case payload(ByteBuffer)
    /// Send a message of number 50 or more given in two parts: the body is encrypted from where
    /// it lies into the packet (a channel's data is not copied on its way there).
    indirect case splitPayload(SplitPayload)
    /// Client: ask for a service (RFC 4253 §10).
    case requestService(String)
    /// Authentication succeeded: allow connection-layer messages.
    case authenticationSucceeded
    /// Start a key re-exchange now (RFC 4253 §9).
    case rekey
    /// Send IGNORE, as a keepalive or padding (RFC 4253 §11.2).
    case ignore(ByteBuffer)
    /// Send DEBUG (RFC 4253 §11.3).
    case debug(String)
    /// Say DISCONNECT and close (RFC 4253 §11.1).
    indirect case disconnect(DisconnectReason, String)
}

extension TransportCommand {
    /// Whether the command sends a payload for a layer above: a writer of those waits while a
    /// key exchange holds too many of them back.
    var sendsPayload: Bool {
        switch self {
        case .payload, .splitPayload: true
        default: false
        }
    }
}

/// Decides whether a server's host key, already proven by its signature over the exchange
/// hash, is the one expected: `(host key blob, host key algorithm) -> accept`.
public typealias HostKeyDecision = @Sendable (_ hostKeyBlob: [UInt8], _ algorithm: String) async -> Bool

/// How a client judges the server's host key once its signature has verified (RFC 4253 §8).
public enum HostKeyPolicy: Sendable {
    /// Take any key (for tests and benchmarks; Paramiko's AutoAddPolicy without the adding).
    case acceptAny
    /// Decide at once on the event loop, as a known_hosts lookup does.
    case check(@Sendable (_ hostKeyBlob: [UInt8], _ algorithm: String) -> Bool)
    /// Decide asynchronously, for instance by asking the user.
    case ask(HostKeyDecision)
}

/// The SwiftNIO handler that drives a ``TransportStateMachine``: bytes from the socket in,
/// ``TransportEvent``s up the pipeline, ``TransportCommand``s down, and one flush per read cycle.
public final class TransportHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = TransportEvent
    public typealias OutboundIn = TransportCommand
    public typealias OutboundOut = ByteBuffer

    private var machine: TransportStateMachine
    private let hostKeyPolicy: HostKeyPolicy?
    private var output: ByteBuffer
    /// The buffer of the last write, taken back as ``output`` once the socket is done with it, so a busy
    /// connection writes from the same two buffers instead of allocating (and faulting in) one per flush.
    private var written: ByteBuffer?
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    private let clock = ContinuousClock()
    /// Write promises held back while a key exchange's queue is full; kept until `.writable`.
    private var parkedWrites: [EventLoopPromise<Void>] = []
    /// Whether an asynchronous host-key decision is pending: reads wait for it.
    private var awaitingDecision = false
    /// Whether a read was asked for while ``awaitingDecision``; it is passed on after the verdict.
    private var readHeld = false
    /// When the socket's receive low-water mark goes up and down.
    private var coalescing = ReceiveCoalescing()
    /// Bytes read in this read cycle.
    private var cycleBytes = 0
    /// The mark while raised; 0 once the socket refused it.
    private var lowWatermark: Int
    private let coalescingDelay: TimeAmount
    /// Lowers a raised mark when nothing was read for ``coalescingDelay``.
    private var stallTimer: Scheduled<Void>?

    /// A handler over a machine built from `configuration`. A client needs a `hostKeyPolicy`;
    /// without one every server key is refused.
    public init(configuration: TransportConfiguration, hostKeyPolicy: HostKeyPolicy?) {
        self.machine = TransportStateMachine(configuration: configuration)
        self.hostKeyPolicy = hostKeyPolicy
        self.output = ByteBuffer()
        self.lowWatermark = configuration.receiveLowWatermark
        self.coalescingDelay = .nanoseconds(
            Int64(configuration.receiveCoalescingDelay.components.seconds) * 1_000_000_000
                + configuration.receiveCoalescingDelay.components.attoseconds / 1_000_000_000)
    }

    /// A handler whose host keys are judged by an asynchronous `hostKeyDecision` (servers pass nil).
    public convenience init(configuration: TransportConfiguration, hostKeyDecision: HostKeyDecision? = nil) {
        self.init(configuration: configuration, hostKeyPolicy: hostKeyDecision.map { .ask($0) })
    }

    /// What the last key exchange negotiated.
    public var negotiated: NegotiatedAlgorithms? { machine.negotiated }
    /// Our identification line (RFC 4253 §4.2).
    public var identification: String { machine.configuration.identification }
    /// The session identifier.
    public var sessionID: [UInt8]? { machine.sessionID }
    /// The server's `server-sig-algs`, when it sent them.
    public var serverSignatureAlgorithms: [String]? { machine.serverSignatureAlgorithms }
    /// The server's host key blob from the first key exchange (``TransportStateMachine/serverHostKeyBlob``).
    public var serverHostKeyBlob: [UInt8]? { machine.serverHostKeyBlob }
    /// The latest GSS-API key exchange context (``TransportStateMachine/gssContext``).
    public var gssContext: (any GSSKeyExchangeContext)? { machine.gssContext }
    /// The latest GSS-API key exchange acceptor (``TransportStateMachine/gssAcceptor``).
    public var gssAcceptor: (any GSSKeyExchangeAcceptor)? { machine.gssAcceptor }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        output = context.channel.allocator.buffer(capacity: 64 * 1024)
        if context.channel.isActive { start(context: context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        stallTimer?.cancel()
        self.context = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        perform(context) { (machine, out, now) throws(TransportError) in
            try machine.start(now: now, writingInto: &out)
        }
        prepareKeyAgreements(context)
        flush(context)
        scheduleTimer(context)
    }

    /// Runs the key agreements the machine wants computed aside on the global concurrent executor
    /// (``TransportStateMachine/takeKeyAgreementPreparations()``), each handed back on the loop.
    private func prepareKeyAgreements(_ context: ChannelHandlerContext) {
        let preparations = machine.takeKeyAgreementPreparations()
        guard !preparations.isEmpty else { return }
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        for preparation in preparations {
            Task.detached {
                let prepared = preparation.run()
                loop.execute {
                    let (handler, context) = bound.value
                    handler.supply(prepared, context)
                }
            }
        }
    }

    private func supply(_ prepared: PreparedKeyAgreement, _ context: ChannelHandlerContext) {
        guard self.context != nil else { return }
        perform(context) { (machine, out, now) throws(TransportError) in
            try machine.supply(prepared, now: now, writingInto: &out)
        }
        drain(context)
        flush(context)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        cycleBytes += bytes.readableBytes
        if bytes.readableBytes < Self.quickAcknowledgementBelow { acknowledgeAtOnce(context) }
        machine.receive(bytes)
        drain(context)
    }

    /// Reads smaller than this are acknowledged at once: they are handshake or request traffic,
    /// not a bulk stream.
    static let quickAcknowledgementBelow = 4096
    /// Whether the socket took TCP_QUICKACK (not a TCP socket, or not Linux: false).
    private var quickAcknowledgements = true

    /// Acknowledges what was just read at once (TCP_QUICKACK) instead of after the delayed-ACK
    /// timer. A peer that writes two small packets in a row without TCP_NODELAY (OpenSSH's
    /// client and sshd do, outside interactive sessions: NEWKEYS then SERVICE_REQUEST, KEXINIT
    /// then the key exchange's first packet) holds the second back (Nagle) until the first is
    /// acknowledged; Linux's delayed ACK would make that wait 40 ms, twice per handshake.
    private func acknowledgeAtOnce(_ context: ChannelHandlerContext) {
        #if os(Linux)
            guard quickAcknowledgements else { return }
            let option = ChannelOptions.tcpOption(NIOBSDSocket.Option(rawValue: 12))  // TCP_QUICKACK
            do {
                try context.channel.syncOptions?.setOption(option, value: 1)
            } catch {
                quickAcknowledgements = false
            }
        #endif
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        flush(context)
        coalesce(context)
        context.fireChannelReadComplete()
    }

    /// Raises or lowers the socket's receive low-water mark after a read cycle (``ReceiveCoalescing``),
    /// and while it is raised restarts the timer that lowers it when the peer pauses.
    private func coalesce(_ context: ChannelHandlerContext) {
        #if os(Linux)
            let bytes = cycleBytes
            cycleBytes = 0
            guard lowWatermark > 0 else { return }
            if let change = coalescing.readCycle(bytes: bytes, exchangingKeys: machine.isExchangingKeys) {
                apply(change, context)
            }
            guard coalescing.raised else { return }
            stallTimer?.cancel()
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            stallTimer = context.eventLoop.scheduleTask(in: coalescingDelay) {
                let (handler, context) = bound.value
                if let change = handler.coalescing.stalled() { handler.apply(change, context) }
            }
        #endif
    }

    /// Sets the socket's `SO_RCVLOWAT`: Linux wakes the reader at once when lowering it finds
    /// bytes waiting. A socket that refuses it is read packet by packet from then on.
    private func apply(_ change: ReceiveCoalescing.Change, _ context: ChannelHandlerContext) {
        if change == .lower {
            stallTimer?.cancel()
            stallTimer = nil
        }
        let option = ChannelOptions.socketOption(NIOBSDSocket.Option(rawValue: 18))  // SO_RCVLOWAT
        do {
            try context.channel.syncOptions?.setOption(option, value: change == .raise ? lowWatermark : 1)
        } catch {
            lowWatermark = 0
        }
    }

    private func releaseParkedWrites(_ error: (any Error)?) {
        let parked = parkedWrites
        parkedWrites = []
        for promise in parked {
            if let error { promise.fail(error) } else { promise.succeed() }
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        releaseParkedWrites(TransportError(.closed, "the connection closed"))
        if !machine.isClosed {
            context.fireErrorCaught(TransportError(.closed, "the peer closed the connection"))
        }
        context.fireChannelInactive()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let command = unwrapOutboundIn(data)
        // Asked of the machine in place: reading a property of it here would copy all of it.
        var mustWait = false
        perform(context) { (machine, out, now) throws(TransportError) in
            switch command {
            case .payload(let payload): try machine.send(payload, writingInto: &out)
            case .splitPayload(let payload): try machine.send(payload, writingInto: &out)
            case .requestService(let name): try machine.requestService(name, writingInto: &out)
            case .authenticationSucceeded: machine.authenticationSucceeded()
            case .rekey: try machine.startRekey(now: now, writingInto: &out)
            case .ignore(let data): try machine.sendIgnore(data, writingInto: &out)
            case .debug(let text): try machine.sendDebug(text, writingInto: &out)
            case .disconnect(let reason, let text): machine.disconnect(reason: reason, description: text, writingInto: &out)
            }
            mustWait = machine.writersMustWait()
        }
        if let promise, command.sendsPayload, mustWait {
            // At most maximumQueuedPackets wait for a key exchange; the writer waits with them.
            parkedWrites.append(promise)
        } else {
            promise?.succeed()
        }
        if case .disconnect = command {
            flush(context)
            context.close(promise: nil)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        flush(context)
    }

    /// Holds reads while a host-key decision is pending (a prompt may take minutes): until our
    /// NEWKEYS the server has nothing to send, and what a hostile one sends anyway stays in its
    /// socket instead of in our memory.
    public func read(context: ChannelHandlerContext) {
        guard !awaitingDecision else {
            readHeld = true
            return
        }
        context.read()
    }

    private func releaseHeldRead(_ context: ChannelHandlerContext) {
        awaitingDecision = false
        guard readHeld else { return }
        readHeld = false
        context.read()
    }

    /// Runs a machine operation; on error, sends what it wrote (its DISCONNECT) and closes.
    private func perform(
        _ context: ChannelHandlerContext,
        _ body: (inout TransportStateMachine, inout ByteBuffer, ContinuousClock.Instant) throws(TransportError) -> Void
    ) {
        do {
            let now = clock.now
            try body(&machine, &output, now)
            try machine.startRekeyIfDue(now: now, writingInto: &output)
        } catch {
            fail(context, error)
        }
    }

    private func fail(_ context: ChannelHandlerContext, _ error: TransportError) {
        releaseParkedWrites(error)
        flush(context)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    /// Pulls every event the machine has and handles it.
    private func drain(_ context: ChannelHandlerContext) {
        // One reading of the clock serves every packet of this read.
        let now = clock.now
        while true {
            let event: TransportEvent?
            do {
                event = try machine.nextEvent(now: now, writingInto: &output)
                try machine.startRekeyIfDue(now: now, writingInto: &output)
            } catch {
                fail(context, error)
                return
            }
            guard let event else {
                prepareKeyAgreements(context)
                return
            }
            switch event {
            case .verifyHostKey(let blob, let algorithm):
                decideHostKey(context, blob: blob, algorithm: algorithm)
            case .disconnected:
                context.fireChannelRead(wrapInboundOut(event))
                context.close(promise: nil)
                return
            case .keyExchangeComplete:
                scheduleTimer(context)
                context.fireChannelRead(wrapInboundOut(event))
            case .writable:
                releaseParkedWrites(nil)
                context.fireChannelRead(wrapInboundOut(event))
            default:
                context.fireChannelRead(wrapInboundOut(event))
            }
        }
    }

    private func decideHostKey(_ context: ChannelHandlerContext, blob: [UInt8], algorithm: String) {
        let decision: HostKeyDecision
        switch hostKeyPolicy {
        case nil:
            verdict(context, accepted: false)
            return
        case .acceptAny:
            verdict(context, accepted: true)
            return
        case .check(let check):
            verdict(context, accepted: check(blob, algorithm))
            return
        case .ask(let ask):
            decision = ask
        }
        let loop = context.eventLoop
        let boundSelf = NIOLoopBound(self, eventLoop: loop)
        let boundContext = NIOLoopBound(context, eventLoop: loop)
        awaitingDecision = true
        Task {
            let accepted = await decision(blob, algorithm)
            loop.execute {
                boundSelf.value.verdict(boundContext.value, accepted: accepted)
            }
        }
    }

    private func verdict(_ context: ChannelHandlerContext, accepted: Bool) {
        defer { releaseHeldRead(context) }
        do {
            try machine.hostKeyVerdict(accepted: accepted, writingInto: &output)
        } catch {
            fail(context, error)
            return
        }
        drain(context)
        flush(context)
        // Events fired outside a read cycle reach handlers that batch until read-complete.
        context.fireChannelReadComplete()
    }

    private func flush(_ context: ChannelHandlerContext) {
        guard output.readableBytes > 0 else { return }
        let bytes = output
        if var previous = written.take(), previous.modifyIfUniquelyOwned({ $0.clear() }) != nil {
            output = previous
        } else {
            output.clear()
        }
        written = bytes
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    private func scheduleTimer(_ context: ChannelHandlerContext) {
        timer?.cancel()
        let next: ContinuousClock.Instant?
        do {
            next = try machine.checkTimers(now: clock.now, writingInto: &output)
        } catch {
            fail(context, error)
            return
        }
        flush(context)
        guard let next else { return }
        let delay = clock.now.duration(to: next)
        let boundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: TimeAmount(delay) + .milliseconds(1)) {
            boundSelf.value.scheduleTimer(boundContext.value)
        }
    }
}
