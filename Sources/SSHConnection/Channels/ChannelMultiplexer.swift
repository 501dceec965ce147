import NIOCore
import SSHWire

/// The channel multiplexer of the connection protocol (RFC 4254 §5) as a sans-IO machine:
/// channel numbers, both windows, the peer's maximum packet size, EOF and CLOSE in either
/// order, channel and global requests with replies matched in order. Payloads to send are
/// appended to an `out` array; what the peer did comes back as ``ConnectionEvent``s.
public struct ChannelMultiplexer: Sendable {
    /// Window and packet sizes and limits.
    public struct Configuration: Sendable {
        /// The window we give each channel (OpenSSH uses 2 MiB for sessions) where the connection's
        /// round trip is short or unknown.
        public var initialWindow: UInt32 = 2 * 1024 * 1024
        /// The window we give each channel on a connection whose round trip is known to be at least
        /// ``shortRoundTrip``. A peer sends at most a window per round trip, and we give half of it
        /// back at a time: 2 MiB over a 50 ms round trip is 31 MB/s at most, 8 MiB 125 MB/s. A
        /// reader that falls behind holds the peer back at this many bytes.
        public var longRoundTripWindow: UInt32 = 8 * 1024 * 1024
        /// The largest data packet we accept.
        public var maximumPacket: UInt32 = 32 * 1024
        /// The most channels open at once.
        public var maximumChannels = 1024
        /// The share of a peer's window (of 1 MiB or more) we keep in flight while the peer gives
        /// window back in steps of at most a quarter of it (RFC 4254 §5.2 leaves the pace to the
        /// sender); 1 uses all of it, and less than a half counts as a half. Keeping the rest back
        /// keeps the peer's socket queue shorter, so what it reads is still in its caches: fed so,
        /// OpenSSH's sshd spends about 10 % less CPU per byte of an upload.
        public var sendAheadShare = 0.75
        /// A round trip known to be under this is short (``ChannelMultiplexer/roundTrip``):
        /// loopback, the same host or rack. The send-ahead limit holds only there: over a longer
        /// one the peer's window paces the channel (a window per round trip), and what is held back
        /// of it would be throughput lost in proportion. A longer one gets ``longRoundTripWindow``.
        public var shortRoundTrip: Duration = .milliseconds(1)
        /// The defaults above.
        public init() {}
    }

    private struct Channel: Sendable {
        var peerID: UInt32?
        var peerWindow: UInt64 = 0
        /// The largest window the peer has given; what is sent and not yet given back is the
        /// difference between this and ``peerWindow``.
        var peerWindowPeak: UInt64 = 0
        /// Whether the peer's last WINDOW_ADJUST was small enough that keeping to
        /// ``Configuration/sendAheadShare`` of its window cannot leave it waiting for more.
        var sendAheadHeld = false
        var peerMaximumPacket: UInt32 = 0
        /// The window we give the channel (``ChannelMultiplexer/ourChannelWindow``).
        let window: UInt32
        /// Bytes the peer may still send before our next WINDOW_ADJUST.
        var ourWindow: UInt32
        /// Bytes delivered and consumed but not yet given back with WINDOW_ADJUST.
        var consumedUnadjusted: UInt32 = 0
        var overrun: UInt64 = 0
        var sentEOF = false
        var receivedEOF = false
        var sentClose = false
        var receivedClose = false
        var pendingReplies = 0
        var repliesOwed = 0
    }

    /// The most data one CHANNEL_DATA or CHANNEL_EXTENDED_DATA message carries, whatever maximum
    /// packet the peer names (RFC 4254 §5.2): its packet, compressed or not, stays well inside the
    /// 256 KiB that OpenSSH and this transport accept (RFC 4253 §6.1).
    public static let largestMessageData = 128 * 1024

    /// The configuration.
    public let configuration: Configuration

    /// The connection's round trip, when known (a TCP socket's smallest, as the system measures
    /// it); nil leaves the send-ahead limit off and the window at ``Configuration/initialWindow``.
    public var roundTrip: Duration?

    /// The window a channel opened now gets: ``Configuration/longRoundTripWindow`` over a round trip
    /// known to be long, else ``Configuration/initialWindow``.
    var ourChannelWindow: UInt32 {
        guard let roundTrip, roundTrip >= configuration.shortRoundTrip else { return configuration.initialWindow }
        return max(configuration.initialWindow, configuration.longRoundTripWindow)
    }

    /// The most of the peer's peak window we keep outstanding (``Configuration/sendAheadShare``).
    private func sendAheadLimit(_ channel: Channel) -> UInt64 {
        guard channel.peerWindowPeak >= 1 << 20, configuration.sendAheadShare < 1,
            let roundTrip, roundTrip < configuration.shortRoundTrip
        else { return channel.peerWindowPeak }
        return UInt64(Double(channel.peerWindowPeak) * max(0.5, configuration.sendAheadShare))
    }

    /// What may be sent on `channel` now: the peer's window, less what keeps the outstanding
    /// bytes within ``sendAheadLimit(_:)`` while the peer gives window back in small steps.
    private func usableWindow(_ channel: Channel) -> UInt64 {
        guard channel.sendAheadHeld else { return channel.peerWindow }
        let outstanding = channel.peerWindowPeak - channel.peerWindow
        let limit = sendAheadLimit(channel)
        return outstanding >= limit ? 0 : min(channel.peerWindow, limit - outstanding)
    }
    private var channels: [UInt32: Channel] = [:]
    private var nextID: UInt32 = 0
    private var globalRepliesPending = 0
    private var globalRepliesOwed = 0

    /// A multiplexer with `configuration`.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The number of channels not yet closed both ways.
    public var openChannels: Int { channels.count }

    // MARK: Opening

    /// Asks to open a channel of `type` (RFC 4254 §5.1).
    public mutating func open(_ type: ChannelType, writingInto out: inout [ByteBuffer]) throws(ConnectionError) -> ChannelID {
        let id = try allocate()
        out.append(
            ChannelOpenMessage(
                channelType: type, senderChannel: id.rawValue, initialWindowSize: ourChannelWindow,
                maximumPacketSize: configuration.maximumPacket
            ).encodedPayload())
        return id
    }

    /// Accepts a channel the peer asked to open.
    public mutating func accept(_ id: ChannelID, writingInto out: inout [ByteBuffer]) throws(ConnectionError) {
        guard let channel = channels[id.rawValue], let peer = channel.peerID else {
            throw ConnectionError(.unknownChannel, "\(id) was not requested (ours)")
        }
        out.append(
            ChannelOpenConfirmationMessage(
                recipientChannel: peer, senderChannel: id.rawValue, initialWindowSize: channel.window,
                maximumPacketSize: configuration.maximumPacket
            ).encodedPayload())
    }

    /// Refuses a channel the peer asked to open; its number is free again.
    public mutating func reject(
        _ id: ChannelID, reason: ChannelOpenFailureReason, description: String, writingInto out: inout [ByteBuffer]
    ) throws(ConnectionError) {
        guard let channel = channels.removeValue(forKey: id.rawValue), let peer = channel.peerID else {
            throw ConnectionError(.unknownChannel, "\(id) was not requested (ours)")
        }
        out.append(ChannelOpenFailureMessage(recipientChannel: peer, reason: reason, description: description).encodedPayload())
    }

    private mutating func allocate() throws(ConnectionError) -> ChannelID {
        guard channels.count < configuration.maximumChannels else {
            throw ConnectionError(.tooManyChannels, "\(channels.count) channels are open")
        }
        while channels[nextID] != nil { nextID &+= 1 }
        let id = nextID
        nextID &+= 1
        channels[id] = Channel(window: ourChannelWindow, ourWindow: ourChannelWindow)
        return ChannelID(id)
    }

    // MARK: Sending

    /// The channel `id` and the peer's number for it, while we may still send on it.
    private func sendingChannel(_ id: ChannelID) throws(ConnectionError) -> (Channel, UInt32) {
        guard let channel = channels[id.rawValue], let peer = channel.peerID else {
            throw ConnectionError(.unknownChannel, "\(id) is not open (ours)")
        }
        guard !channel.sentEOF, !channel.sentClose else {
            throw ConnectionError(.channelClosed, "\(id) was closed for sending (ours)")
        }
        return (channel, peer)
    }

    /// How many bytes may be sent on `id` now: the peer's window (RFC 4254 §5.2), within the
    /// send-ahead limit (``Configuration/sendAheadShare``) while that applies.
    public func sendableBytes(on id: ChannelID) -> Int {
        guard let channel = channels[id.rawValue], channel.peerID != nil, !channel.sentEOF, !channel.sentClose else { return 0 }
        return Int(min(usableWindow(channel), UInt64(Int.max)))
    }

    /// Sends as much of `data` on `id` as the peer's window allows, in packets no larger than its
    /// maximum; what is left stays in `data` until a ``ConnectionEvent/writable(_:)``. With
    /// `extendedType`, sends CHANNEL_EXTENDED_DATA of that type (1 is stderr). Each message is a
    /// head and a slice of `data` (``SplitPayload``), which the transport encrypts from where it lies.
    public mutating func send(
        _ data: inout ByteBuffer, on id: ChannelID, extendedType: UInt32? = nil, writingInto out: inout [SplitPayload]
    ) throws(ConnectionError) {
        var (channel, peer) = try sendingChannel(id)
        // The peer's maximum packet bounds a message's data, as OpenSSH reads it: with sshd's
        // 32 KiB, 256 KiB of data go in 8 packets rather than 8 and a sliver.
        let header = extendedType == nil ? 9 : 13
        let largest = max(1, min(Int(channel.peerMaximumPacket), Self.largestMessageData))
        let sendable = min(data.readableBytes, Int(min(usableWindow(channel), UInt64(Int.max))))
        let messages = (sendable + largest - 1) / largest
        var heads = ByteBuffer()
        heads.reserveCapacity(header * messages)
        for index in 0..<messages {
            let chunk = data.readSlice(length: min(largest, sendable - index * largest))!
            if let extendedType {
                ChannelExtendedDataMessage(recipientChannel: peer, dataTypeCode: extendedType, data: chunk)
                    .encodeHead(into: &heads)
            } else {
                ChannelDataMessage(recipientChannel: peer, data: chunk).encodeHead(into: &heads)
            }
            out.append(SplitPayload(head: ByteBuffer(), body: chunk))
        }
        channel.peerWindow -= UInt64(sendable)
        // The heads are sliced off once all are written: a write into the buffer while a slice
        // of it is held would copy it.
        for index in out.indices.suffix(messages) { out[index].head = heads.readSlice(length: header)! }
        channels[id.rawValue] = channel
    }

    /// Sends `data` on `id` as exactly one CHANNEL_DATA message, as a datagram channel's packets go
    /// (`tun@openssh.com`, OpenSSH PROTOCOL §2.3): false, with nothing sent, while the peer's window
    /// is smaller than `data`. Data larger than the peer's maximum packet can never be sent whole and
    /// throws `.datagramTooLarge`.
    public mutating func sendDatagram(
        _ data: ByteBuffer, on id: ChannelID, writingInto out: inout [SplitPayload]
    ) throws(ConnectionError) -> Bool {
        var (channel, peer) = try sendingChannel(id)
        guard data.readableBytes <= min(Int(channel.peerMaximumPacket), Self.largestMessageData) else {
            throw ConnectionError(
                .datagramTooLarge, "\(data.readableBytes) bytes exceed the peer's maximum packet of \(channel.peerMaximumPacket) (ours)")
        }
        guard UInt64(data.readableBytes) <= usableWindow(channel) else { return false }
        var head = ByteBuffer()
        ChannelDataMessage(recipientChannel: peer, data: data).encodeHead(into: &head)
        out.append(SplitPayload(head: head, body: data))
        channel.peerWindow -= UInt64(data.readableBytes)
        channels[id.rawValue] = channel
        return true
    }

    /// Reports that `bytes` of received data on `id` were used; once half our window is used,
    /// gives it back with WINDOW_ADJUST (RFC 4254 §5.2), so a slow reader holds the peer back.
    public mutating func consumed(_ bytes: Int, on id: ChannelID, writingInto out: inout [ByteBuffer]) {
        guard var channel = channels[id.rawValue], let peer = channel.peerID, !channel.sentClose else { return }
        channel.consumedUnadjusted = UInt32(min(UInt64(channel.consumedUnadjusted) + UInt64(max(0, bytes)), UInt64(channel.window)))
        if channel.consumedUnadjusted >= channel.window / 2 {
            channel.ourWindow += channel.consumedUnadjusted
            out.append(ChannelWindowAdjustMessage(recipientChannel: peer, bytesToAdd: channel.consumedUnadjusted).encodedPayload())
            channel.consumedUnadjusted = 0
        }
        channels[id.rawValue] = channel
    }

    /// Sends EOF on `id` (RFC 4254 §5.3): no more data from us; the peer may still send.
    public mutating func sendEOF(on id: ChannelID, writingInto out: inout [ByteBuffer]) throws(ConnectionError) {
        guard var channel = channels[id.rawValue], let peer = channel.peerID else {
            throw ConnectionError(.unknownChannel, "\(id) is not open (ours)")
        }
        guard !channel.sentEOF, !channel.sentClose else { return }
        channel.sentEOF = true
        channels[id.rawValue] = channel
        out.append(ChannelEOFMessage(recipientChannel: peer).encodedPayload())
    }

    /// Sends CLOSE on `id` (RFC 4254 §5.3); the number is freed when the peer's CLOSE arrives.
    public mutating func close(_ id: ChannelID, writingInto out: inout [ByteBuffer]) throws(ConnectionError) {
        guard var channel = channels[id.rawValue], let peer = channel.peerID else {
            throw ConnectionError(.unknownChannel, "\(id) is not open (ours)")
        }
        guard !channel.sentClose else { return }
        channel.sentClose = true
        out.append(ChannelCloseMessage(recipientChannel: peer).encodedPayload())
        if channel.receivedClose {
            channels[id.rawValue] = nil
        } else {
            channels[id.rawValue] = channel
        }
    }

    /// Sends a channel request (RFC 4254 §5.4); its reply, if wanted, comes as
    /// ``ConnectionEvent/requestReply(_:success:)``.
    public mutating func request(
        _ request: ChannelRequestType, on id: ChannelID, wantReply: Bool, writingInto out: inout [ByteBuffer]
    ) throws(ConnectionError) {
        guard var channel = channels[id.rawValue], let peer = channel.peerID, !channel.sentClose else {
            throw ConnectionError(.unknownChannel, "\(id) is not open (ours)")
        }
        if wantReply { channel.pendingReplies += 1 }
        channels[id.rawValue] = channel
        out.append(ChannelRequestMessage(recipientChannel: peer, request: request, wantReply: wantReply).encodedPayload())
    }

    /// Answers the oldest channel request on `id` that wanted a reply.
    public mutating func reply(_ success: Bool, on id: ChannelID, writingInto out: inout [ByteBuffer]) throws(ConnectionError) {
        guard var channel = channels[id.rawValue], let peer = channel.peerID else {
            throw ConnectionError(.unknownChannel, "\(id) is not open (ours)")
        }
        guard channel.repliesOwed > 0 else { throw ConnectionError(.protocolError, "no request on \(id) awaits a reply (ours)") }
        channel.repliesOwed -= 1
        channels[id.rawValue] = channel
        guard !channel.sentClose else { return }
        out.append(
            success
                ? ChannelSuccessMessage(recipientChannel: peer).encodedPayload()
                : ChannelFailureMessage(recipientChannel: peer).encodedPayload())
    }

    /// Sends a global request (RFC 4254 §4).
    public mutating func globalRequest(_ request: GlobalRequestType, wantReply: Bool, writingInto out: inout [ByteBuffer]) {
        if wantReply { globalRepliesPending += 1 }
        out.append(GlobalRequestMessage(request: request, wantReply: wantReply).encodedPayload())
    }

    /// Answers the oldest global request that wanted a reply.
    public mutating func replyGlobal(success: Bool, data: ByteBuffer = ByteBuffer(), writingInto out: inout [ByteBuffer])
        throws(ConnectionError)
    {
        guard globalRepliesOwed > 0 else { throw ConnectionError(.protocolError, "no global request awaits a reply (ours)") }
        globalRepliesOwed -= 1
        out.append(success ? RequestSuccessMessage(data: data).encodedPayload() : RequestFailureMessage().encodedPayload())
    }

    // MARK: Receiving

    /// Handles one payload of messages 80–127. Returns nil when there is nothing to report (a
    /// window adjust that opens nothing, data dropped as an overrun).
    public mutating func receive(_ payload: ByteBuffer, writingInto out: inout [ByteBuffer]) throws(ConnectionError)
        -> ConnectionEvent?
    {
        let message: ConnectionMessage
        do {
            message = try ConnectionMessage(decodingPayload: payload)
        } catch {
            throw ConnectionError(.protocolError, "malformed connection message: \(error) (theirs)")
        }
        switch message {
        case .channelOpen(let open):
            let id = try allocate()
            channels[id.rawValue]?.peerID = open.senderChannel
            channels[id.rawValue]?.peerWindow = UInt64(open.initialWindowSize)
            channels[id.rawValue]?.peerWindowPeak = UInt64(open.initialWindowSize)
            channels[id.rawValue]?.peerMaximumPacket = open.maximumPacketSize
            return .openRequested(id, open.channelType)
        case .channelOpenConfirmation(let confirmation):
            let id = confirmation.recipientChannel
            guard var channel = channels[id], channel.peerID == nil else {
                throw ConnectionError(.unknownChannel, "confirmation for channel \(id), which we did not open (theirs)")
            }
            channel.peerID = confirmation.senderChannel
            channel.peerWindow = UInt64(confirmation.initialWindowSize)
            channel.peerWindowPeak = channel.peerWindow
            channel.peerMaximumPacket = confirmation.maximumPacketSize
            channels[id] = channel
            return .opened(ChannelID(id))
        case .channelOpenFailure(let failure):
            let id = failure.recipientChannel
            guard let channel = channels[id], channel.peerID == nil else {
                throw ConnectionError(.unknownChannel, "failure for channel \(id), which we did not open (theirs)")
            }
            channels[id] = nil
            return .openFailed(ChannelID(id), failure.reason, failure.description)
        case .channelWindowAdjust(let adjust):
            var channel = try openChannel(adjust.recipientChannel)
            let grown = channel.peerWindow + UInt64(adjust.bytesToAdd)
            guard grown <= UInt64(UInt32.max) else {
                throw ConnectionError(.protocolError, "window of channel \(adjust.recipientChannel) beyond 2^32-1 (theirs)")
            }
            let wasEmpty = usableWindow(channel) == 0
            // A peer that gives window back in steps of at most a quarter of it (OpenSSH does, after
            // three packets) leaves the others room to spare under the limit; one that waits for
            // half of it to be used (as we and asyncssh do) gets all of it.
            if adjust.bytesToAdd > 0 {
                channel.sendAheadHeld = UInt64(adjust.bytesToAdd) <= channel.peerWindowPeak / 4
            }
            channel.peerWindow = grown
            channel.peerWindowPeak = max(channel.peerWindowPeak, grown)
            channels[adjust.recipientChannel] = channel
            return wasEmpty && usableWindow(channel) > 0 ? .writable(ChannelID(adjust.recipientChannel)) : nil
        case .channelData(let message):
            guard let data = try admit(message.data, on: message.recipientChannel) else { return nil }
            return .data(ChannelID(message.recipientChannel), data)
        case .channelExtendedData(let message):
            guard let data = try admit(message.data, on: message.recipientChannel) else { return nil }
            return .extendedData(ChannelID(message.recipientChannel), message.dataTypeCode, data)
        case .channelEOF(let eof):
            var channel = try openChannel(eof.recipientChannel)
            channel.receivedEOF = true
            channels[eof.recipientChannel] = channel
            return .eof(ChannelID(eof.recipientChannel))
        case .channelClose(let close):
            var channel = try openChannel(close.recipientChannel)
            guard !channel.receivedClose else {
                throw ConnectionError(.protocolError, "second CLOSE on channel \(close.recipientChannel) (theirs)")
            }
            channel.receivedClose = true
            if !channel.sentClose, let peer = channel.peerID {
                out.append(ChannelCloseMessage(recipientChannel: peer).encodedPayload())
            }
            channels[close.recipientChannel] = nil
            return .closed(ChannelID(close.recipientChannel))
        case .channelRequest(let request):
            var channel = try openChannel(request.recipientChannel)
            if request.wantReply { channel.repliesOwed += 1 }
            channels[request.recipientChannel] = channel
            return .request(ChannelID(request.recipientChannel), request.request, wantReply: request.wantReply)
        case .channelSuccess(let reply):
            return try requestReply(reply.recipientChannel, success: true)
        case .channelFailure(let reply):
            return try requestReply(reply.recipientChannel, success: false)
        case .globalRequest(let request):
            if request.wantReply { globalRepliesOwed += 1 }
            return .globalRequest(request.request, wantReply: request.wantReply)
        case .requestSuccess(let success):
            return try globalReply(success: true, data: success.data)
        case .requestFailure:
            return try globalReply(success: false, data: ByteBuffer())
        case .unknownMessage(let number, _):
            throw ConnectionError(.protocolError, "unknown connection message \(number) (theirs)")
        }
    }

    private func openChannel(_ id: UInt32) throws(ConnectionError) -> Channel {
        guard let channel = channels[id], channel.peerID != nil else {
            throw ConnectionError(.unknownChannel, "message for channel \(id), which is not open (theirs)")
        }
        return channel
    }

    /// Window accounting for received data: data beyond our window or larger than our maximum
    /// packet is dropped, and once drops pass a tenth of the window the peer is cut off.
    private mutating func admit(_ data: ByteBuffer, on id: UInt32) throws(ConnectionError) -> ByteBuffer? {
        var channel = try openChannel(id)
        guard !channel.receivedEOF, !channel.receivedClose else {
            throw ConnectionError(.protocolError, "data on channel \(id) after EOF (theirs)")
        }
        let count = UInt32(clamping: data.readableBytes)
        guard count <= channel.ourWindow, count <= configuration.maximumPacket else {
            channel.overrun += UInt64(count)
            channels[id] = channel
            if channel.overrun > UInt64(channel.window / 10) {
                throw ConnectionError(.protocolError, "channel \(id) overran its window by \(channel.overrun) bytes (theirs)")
            }
            return nil
        }
        channel.ourWindow -= count
        channels[id] = channel
        return data
    }

    private mutating func requestReply(_ id: UInt32, success: Bool) throws(ConnectionError) -> ConnectionEvent {
        var channel = try openChannel(id)
        guard channel.pendingReplies > 0 else {
            throw ConnectionError(.protocolError, "reply on channel \(id) to no request (theirs)")
        }
        channel.pendingReplies -= 1
        channels[id] = channel
        return .requestReply(ChannelID(id), success: success)
    }

    private mutating func globalReply(success: Bool, data: ByteBuffer) throws(ConnectionError) -> ConnectionEvent {
        guard globalRepliesPending > 0 else {
            throw ConnectionError(.protocolError, "global reply to no request (theirs)")
        }
        globalRepliesPending -= 1
        return .globalReply(success: success, data: data)
    }
}
