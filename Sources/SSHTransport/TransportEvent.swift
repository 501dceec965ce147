import NIOCore
import SSHWire

/// What the transport machine reports to its driver and the layers above.
///
/// The rare, large cases are `indirect` so that an event is no bigger than a ``payload`` (one `ByteBuffer`):
/// it is copied for every packet and passed through the NIO pipeline, which boxes anything larger.
public enum TransportEvent: Sendable {
    /// The peer's identification string arrived (RFC 4253 §4.2).
    case identification(String)
    /// Client: the server proved possession of this host key; call
    /// ``TransportStateMachine/hostKeyVerdict(accepted:writingInto:)`` to go on.
    indirect case verifyHostKey(hostKeyBlob: [UInt8], algorithm: String)
    /// A key exchange finished on both sides and the new keys are in use.
    indirect case keyExchangeComplete(NegotiatedAlgorithms, initial: Bool)
    /// Server: the client asked for a service and it was accepted (RFC 4253 §10).
    case serviceRequested(String)
    /// Client: the server accepted the service asked for.
    case serviceAccepted(String)
    /// The peer sent RFC 8308 extensions.
    indirect case extensionInfo(ExtInfoMessage)
    /// The peer sent a DEBUG message (RFC 4253 §11.3).
    indirect case debug(DebugMessage)
    /// The peer did not implement the packet we sent with this sequence number (RFC 4253 §11.4).
    case unimplemented(sequenceNumber: UInt32)
    /// A message for the layers above (authentication, connection): numbers 50 and up.
    case payload(ByteBuffer)
    /// Writers that waited for a key exchange may go on.
    case writable
    /// The peer sent DISCONNECT; the connection is over.
    indirect case disconnected(DisconnectMessage)
}
