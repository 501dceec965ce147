import SSHCrypto

/// A client's half of a post-quantum hybrid key agreement (RFC 4253 §7.1's "first key exchange
/// packet", here `SSH_MSG_KEX_ECDH_INIT` of draft-josefsson-ntruprime-ssh §2 and
/// draft-ietf-sshm-mlkem-hybrid-kex §2) to compute away from the thread that drives the
/// ``TransportStateMachine``: a fresh sntrup761 key pair takes milliseconds.
///
/// The machine hands these out (``TransportStateMachine/takeKeyAgreementPreparations()``) when
/// ``TransportConfiguration/computesKeyPairsAside`` is set; the driver runs each on another
/// thread and gives the result back with ``TransportStateMachine/supply(_:now:writingInto:)``.
public struct KeyAgreementPreparation: Sendable {
    /// The kind of method the agreement is for.
    let kind: KeyExchangeMethod.Kind

    /// Whether `kind`'s client side is worth computing aside: the hybrids, whose KEM key pair
    /// dominates a client's key exchange.
    static func isWorthPreparing(_ kind: KeyExchangeMethod.Kind) -> Bool {
        switch kind {
        case .mlkem768x25519, .sntrup761x25519: true
        case .curve25519, .ecdh, .fixedGroup, .groupExchange: false
        }
    }

    /// Computes the agreement with fresh system randomness. Blocks for as long as the key pair
    /// takes; never call it on an event loop.
    public func run() -> PreparedKeyAgreement {
        var random = SystemRandom()
        do throws(TransportError) {
            return PreparedKeyAgreement(
                kind: kind, result: .success(try KeyExchangeDriver.makeAgreement(kind, group: nil, random: &random)))
        } catch {
            return PreparedKeyAgreement(kind: kind, result: .failure(error))
        }
    }
}

/// The outcome of a ``KeyAgreementPreparation``: an unused client key agreement, or why it could
/// not be made. The machine uses it for one key exchange at most.
public struct PreparedKeyAgreement: Sendable {
    let kind: KeyExchangeMethod.Kind
    let result: Result<any KeyAgreement, TransportError>
}
