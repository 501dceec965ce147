import NIOConcurrencyHelpers
import NIOCore

/// A connection a listener accepted, wrapped as a `NIOAsyncChannel` in the child channel's
/// initializer, on its way to the task that serves it.
///
/// A `NIOAsyncChannel` must end in `executeThenClose`; one dropped unserved (accepted just as the
/// listener closed, so the accept loop never saw it) would stop the process. This holder takes
/// care of that: whoever serves the connection takes it out with ``take()``; one never taken is
/// closed when the holder goes away.
public final class AcceptedChannel<Inbound: Sendable, Outbound: Sendable>: Sendable {
    private let wrapped: NIOLockedValueBox<NIOAsyncChannel<Inbound, Outbound>?>

    /// Wraps `channel`; call it on the channel's event loop, from a child channel initializer.
    public init(wrappingChannelSynchronously channel: any Channel) throws {
        wrapped = NIOLockedValueBox(try NIOAsyncChannel<Inbound, Outbound>(wrappingChannelSynchronously: channel))
    }

    /// The connection to serve; nil once taken.
    public func take() -> NIOAsyncChannel<Inbound, Outbound>? {
        wrapped.withLockedValue { wrapped in
            defer { wrapped = nil }
            return wrapped
        }
    }

    deinit {
        guard let unserved = take() else { return }
        Task { try? await unserved.executeThenClose { _, _ in } }
    }
}
