import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSHConnection
import SSHWire

/// What a client accepts from the server: `forwarded-tcpip` and `forwarded-streamlocal` only
/// for forwardings it asked for, `auth-agent@openssh.com` only with agent forwarding on, `x11`
/// only with X11 forwarding on; everything else is refused (LIMITS.md). Also holds the client's
/// local listeners.
final class ClientForwardingState: Sendable {
    private struct State {
        var remote: [String: ForwardingListener.Address] = [:]
        var listeners: [ForwardingListener] = []
        var dynamic: [DynamicForwardListener] = []
        var tunnels: [TunnelForwarding] = []
    }

    private let state = NIOLockedValueBox(State())
    private let agentSocket: String?
    /// X11 forwarding, when sessions ask for it.
    let x11: X11Forwarding?

    init(agentSocket: String?, x11: X11Forwarding? = nil) {
        self.agentSocket = agentSocket
        self.x11 = x11
    }

    /// Whether sessions ask for agent forwarding.
    var forwardsAgent: Bool { agentSocket != nil }

    static func key(_ address: String, _ port: Int) -> String { "\(address)|\(port)" }

    func addRemote(address: String, port: Int, target: ForwardingListener.Address) {
        state.withLockedValue { $0.remote[Self.key(address, port)] = target }
    }

    func removeRemote(address: String, port: Int) {
        state.withLockedValue { _ = $0.remote.removeValue(forKey: Self.key(address, port)) }
    }

    func keep(_ listener: ForwardingListener) {
        state.withLockedValue { $0.listeners.append(listener) }
    }

    func keepDynamic(_ listener: DynamicForwardListener) {
        state.withLockedValue { $0.dynamic.append(listener) }
    }

    func keep(_ tunnel: TunnelForwarding) {
        state.withLockedValue { $0.tunnels.append(tunnel) }
    }

    func closeAll() async {
        let (listeners, dynamic, tunnels) = state.withLockedValue { state in
            defer {
                state.listeners = []
                state.dynamic = []
                state.tunnels = []
            }
            return (state.listeners, state.dynamic, state.tunnels)
        }
        for listener in listeners { listener.close() }
        for listener in dynamic { listener.close() }
        for tunnel in tunnels { await tunnel.close() }
    }

    func handlers() -> ConnectionHandlers {
        ConnectionHandlers(channelOpen: { [self] type in
            let target: ForwardingListener.Address?
            var filter: (any ChannelPrefixFilter)?
            switch type {
            case .x11:
                target = x11?.display.address
                filter = x11?.setupRewriter
            case .forwardedTCPIP(let forwarded):
                target = state.withLockedValue { $0.remote[Self.key(forwarded.host, Int(forwarded.port))] }
            case .forwardedStreamLocal(let path):
                target = state.withLockedValue { $0.remote[Self.key(path, 0)] }
            case .authAgent:
                target = agentSocket.map { .unix(path: $0) }
            default:
                target = nil
            }
            guard let target else { return .reject(.administrativelyProhibited, "\(type.name) was not requested") }
            guard let socket = await target.connect() else {
                return .reject(.connectFailed, "cannot connect to the forwarding's target")
            }
            let prefix = filter
            return .accept(receivesRequests: false) { channel in try? await channel.bridge(to: socket, filter: prefix) }
        })
    }
}
