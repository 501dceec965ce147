import NIOCore
import SSHTransport

/// Closes a new connection when the server sends nothing within the banner timeout (ssh's
/// ConnectTimeout also bounds the wait for the identification line); the first bytes cancel it.
final class BannerTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var heard = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard timer == nil, !heard else { return }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let timeout = self.timeout
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let seconds = Double(timeout.nanoseconds) / 1e9
            bound.value.fireErrorCaught(
                TransportError(.timedOut, "no identification from the server within \(seconds) s"))
            bound.value.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !heard {
            heard = true
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }
}
