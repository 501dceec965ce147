import SSHConnection
import SSHWire
import Testing

@testable import SSHClient

/// The client takes only the channels it asked for (LIMITS.md): agent channels only with
/// agent forwarding on, forwarded connections only for ports it forwarded, never x11 or sessions.
struct ChannelRefusalTests {
    static func decide(_ state: ClientForwardingState, _ type: ChannelType) async -> ChannelOpenFailureReason? {
        switch await state.handlers().channelOpen(type) {
        case .reject(let reason, _): reason
        case .accept: nil
        }
    }

    @Test func unrequestedChannelsAreRefused() async {
        let state = ClientForwardingState(agentSocket: nil)
        let forwarded = ChannelType.Forwarded(host: "127.0.0.1", port: 8080, originatorAddress: "10.0.0.1", originatorPort: 5555)
        #expect(await Self.decide(state, .authAgent) == .administrativelyProhibited)
        #expect(await Self.decide(state, .forwardedTCPIP(forwarded)) == .administrativelyProhibited)
        #expect(await Self.decide(state, .x11(originatorAddress: "127.0.0.1", originatorPort: 6010)) == .administrativelyProhibited)
        #expect(await Self.decide(state, .session) == .administrativelyProhibited)
        #expect(await Self.decide(state, .forwardedStreamLocal(socketPath: "/tmp/x")) == .administrativelyProhibited)
    }

    @Test func aForwardedPortWithNothingListeningFailsToConnect() async {
        let state = ClientForwardingState(agentSocket: nil)
        // Port 1 on loopback: nothing listens, so the channel is refused as connect-failed.
        state.addRemote(address: "127.0.0.1", port: 8080, target: .tcp(host: "127.0.0.1", port: 1))
        let forwarded = ChannelType.Forwarded(host: "127.0.0.1", port: 8080, originatorAddress: "10.0.0.1", originatorPort: 5555)
        #expect(await Self.decide(state, .forwardedTCPIP(forwarded)) == .connectFailed)
        let other = ChannelType.Forwarded(host: "127.0.0.1", port: 8081, originatorAddress: "10.0.0.1", originatorPort: 5555)
        #expect(await Self.decide(state, .forwardedTCPIP(other)) == .administrativelyProhibited)
        state.removeRemote(address: "127.0.0.1", port: 8080)
        #expect(await Self.decide(state, .forwardedTCPIP(forwarded)) == .administrativelyProhibited)
    }
}
