import Foundation
import NIOCore
import SSHCrypto
import SSHWire

/// The server's authentication runtime: reads requests, asks the delegate, replies, until a
/// user has logged in, the attempts run out or the login grace time passes.
public struct UserAuthServer: Sendable {
    /// The rules it runs under.
    public var configuration: ServerAuthConfiguration

    /// A runtime with `configuration`.
    public init(configuration: ServerAuthConfiguration = ServerAuthConfiguration()) {
        self.configuration = configuration
    }

    /// Authenticates the client on `transport`; returns who logged in. Throws ``AuthError`` with
    /// ``AuthError/Code-swift.struct/exhausted`` after too many failures and
    /// ``AuthError/Code-swift.struct/timedOut`` after the grace time; the caller then disconnects.
    public func run(over transport: some AuthenticationTransport, delegate: some ServerAuthDelegate) async throws
        -> AuthenticatedIdentity
    {
        let grace = configuration.loginGraceTime
        return try await withTimeLimit(grace, "no login within \(grace.map { "\($0)" } ?? "")") {
            try await serve(transport, delegate)
        }
    }

    private static func isSecretChecked(_ request: ServerAuthRequest) -> Bool {
        switch request {
        case .password, .keyboardInteractiveResponses: true
        default: false
        }
    }

    /// ``ServerAuthConfiguration/minimumFailureTime`` plus a share fixed by the user name.
    func failureTime(for user: String) -> Duration {
        let base = configuration.minimumFailureTime
        let digest = (try? DigestAlgorithm.sha256.hash(Array(user.utf8))) ?? []
        let share = Double(digest.prefix(2).reduce(0) { $0 << 8 | Int($1) }) / 65536
        return base + base * share
    }

    private func serve(_ transport: some AuthenticationTransport, _ delegate: some ServerAuthDelegate) async throws
        -> AuthenticatedIdentity
    {
        var machine = ServerAuthMachine(
            sessionID: await transport.sessionID, configuration: configuration, gssAcceptor: await transport.gssAcceptor)
        var bannerSent = false
        while true {
            let payload = try await transport.nextPayload()
            let now = UInt64(max(0, Date().timeIntervalSince1970))
            switch try machine.receive(payload, now: now) {
            case .reply(let payloads):
                for payload in payloads { try await transport.send(payload) }
            case .decide(let request):
                if !bannerSent {
                    bannerSent = true
                    if let banner = await delegate.banner(for: request.user) {
                        try await transport.send(UserAuthBannerMessage(message: banner).encodedPayload())
                    }
                }
                let started = ContinuousClock.now
                let decision = await delegate.decide(request)
                if decision == .failure, Self.isSecretChecked(request) {
                    try await Task.sleep(until: started + failureTime(for: request.user), clock: .continuous)
                }
                switch try machine.answer(decision) {
                case .reply(let payloads):
                    for payload in payloads { try await transport.send(payload) }
                case .authenticated(let payloads, let identity):
                    for payload in payloads { try await transport.send(payload) }
                    return identity
                }
            }
        }
    }
}
