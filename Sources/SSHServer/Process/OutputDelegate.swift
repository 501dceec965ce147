import NIOCore

/// The sequence of chunks an ``OutputHandler`` produces from a process's output (RFC 4254 §5.2, §6.5).
typealias OutputProducer = NIOThrowingAsyncSequenceProducer<
    ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, OutputDelegate
>

/// Relays the consumer's demand for a process's output to the ``OutputHandler`` on its event loop:
/// reading resumes when the consumer has taken enough, which is the back-pressure that keeps a
/// process whose output nobody reads blocked in `write` instead of filling memory.
final class OutputDelegate: NIOAsyncSequenceProducerDelegate, Sendable {
    private let eventLoop: any EventLoop
    private let handler: NIOLoopBoundBox<OutputHandler?>

    /// A delegate for a handler that will live on `eventLoop`.
    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.handler = .makeEmptyBox(valueType: OutputHandler.self, eventLoop: eventLoop)
    }

    /// Connects `handler`; call on the event loop.
    func attach(_ handler: OutputHandler) {
        self.handler.value = handler
    }

    func produceMore() {
        eventLoop.execute { self.handler.value?.produceMore() }
    }

    func didTerminate() {
        eventLoop.execute { self.handler.value?.didTerminate() }
    }
}
