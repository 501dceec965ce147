import NIOCore

/// One connection to an agent, without I/O: bytes in, requests out, answers framed
/// (draft-miller-ssh-agent-14 §3). The Unix socket listener of ``SSHAgentServer`` drives one per
/// connection, and so can any other byte stream (a forwarded `auth-agent@openssh.com` channel).
///
/// Feed what the peer sends to ``receive(_:)``, then take ``nextEvent()`` until it returns nil: answer each
/// ``AgentSessionEvent/request(_:)`` (``AgentKeyring/respond(to:)``) with ``frame(_:)``, write the
/// failure a ``AgentSessionEvent/reject(_:)`` asks for, and close after ``AgentSessionEvent/close(_:reply:)``.
/// Requests are answered in order, one at a time, as clients expect.
public struct AgentSession: Sendable {
    private var decoder = AgentFrameDecoder()
    private var closed = false

    /// A session with nothing received.
    public init() {}

    /// Whether the session has ended with ``AgentSessionEvent/close(_:reply:)``; it then ignores input.
    public var isClosed: Bool { closed }

    /// Appends bytes read from the client.
    public mutating func receive(_ bytes: ByteBuffer) {
        guard !closed else { return }
        decoder.receive(bytes)
    }

    /// What to do next, or nil until more bytes arrive.
    public mutating func nextEvent() -> AgentSessionEvent? {
        guard !closed else { return nil }
        let event: AgentSessionEvent?
        do {
            guard let payload = try decoder.nextFrame() else { return nil }
            event = Self.event(for: payload)
        } catch {
            event = .close(error, reply: nil)
        }
        decoder.discardReturnedFrames()
        if case .close = event { closed = true }
        return event
    }

    /// The end of the client's bytes: an error when it stopped inside a frame, else nil.
    public mutating func endOfInput() -> AgentError? {
        defer { closed = true }
        guard !closed, decoder.bufferedBytes > 0 else { return nil }
        return AgentError(
            .connectionClosed, "the client closed the connection \(decoder.bufferedBytes) bytes into a frame")
    }

    /// An answer as bytes to write.
    public func frame(_ response: AgentResponse) -> ByteBuffer { response.frame() }

    private static func event(for payload: ByteBuffer) -> AgentSessionEvent {
        do {
            return .request(try AgentRequest(payload: payload))
        } catch let error where error.code == .unknownMessage || error.code == .unsupported {
            return .reject(error)
        } catch {
            return .close(error, reply: AgentResponse.failure.frame())
        }
    }
}

/// The next step of an ``AgentSession``.
public enum AgentSessionEvent: Sendable {
    /// A request to answer.
    case request(AgentRequest)
    /// A request this agent does not serve (an unknown message number, a key type or constraint it cannot
    /// hold): write ``AgentResponse/failure`` and carry on, as ssh-agent does (§3.1).
    case reject(AgentError)
    /// A frame over the limit or a malformed message: write `reply` if there is one, then close.
    case close(AgentError, reply: ByteBuffer?)
}
