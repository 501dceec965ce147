import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns what a process writes to a pipe or to its terminal into the chunks of an ``OutputProducer``
/// (RFC 4254 §5.2, §6.5), holding back the channel's reads while the consumer is behind. The end of
/// the output is EOF on a pipe; on a terminal's master it is `EIO` once every holder of the slave has
/// closed it, which ends the sequence normally too.
final class OutputHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Producing {
        case yes
        case paused
        case pausedWithOutstandingRead
    }

    private var source: OutputProducer.Source?
    private var context: ChannelHandlerContext?
    private var pending: [ByteBuffer] = []
    private var producing = Producing.yes
    private let readsTerminal: Bool

    /// A handler feeding `source`; `readsTerminal` when the channel reads a terminal's master.
    init(source: OutputProducer.Source, readsTerminal: Bool) {
        self.source = source
        self.readsTerminal = readsTerminal
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(error: nil)
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending.append(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        deliver()
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            finish(error: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(error: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if readsTerminal, let error = error as? IOError, error.errnoCode == EIO {
            finish(error: nil)
        } else {
            finish(error: error)
        }
    }

    func read(context: ChannelHandlerContext) {
        switch producing {
        case .yes: context.read()
        case .paused: producing = .pausedWithOutstandingRead
        case .pausedWithOutstandingRead: break
        }
    }

    /// The consumer wants more: issue the read held back, if any.
    func produceMore() {
        switch producing {
        case .paused:
            producing = .yes
        case .pausedWithOutstandingRead:
            producing = .yes
            context?.read()
        case .yes:
            break
        }
    }

    /// The consumer is gone: stop reading for good (the process blocks once the pipe is full, until it
    /// is terminated).
    func didTerminate() {
        source = nil
        pending.removeAll()
        producing = .pausedWithOutstandingRead
    }

    private func deliver() {
        guard !pending.isEmpty else { return }
        guard let source else {
            pending.removeAll()
            return
        }
        switch source.yield(contentsOf: pending) {
        case .produceMore, .dropped:
            break
        case .stopProducing:
            if producing != .pausedWithOutstandingRead { producing = .paused }
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func finish(error: (any Error)?) {
        guard let source else { return }
        deliver()
        if let error { source.finish(error) } else { source.finish() }
        self.source = nil
    }
}
