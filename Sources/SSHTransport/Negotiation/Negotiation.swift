import SSHCrypto
import SSHWire

/// The algorithm negotiation of RFC 4253 §7.1 and its OpenSSH extensions (strict kex markers,
/// RFC 8308 ext-info indicators).
enum Negotiation {
    static let extInfoClient = "ext-info-c"
    static let extInfoServer = "ext-info-s"
    static let strictClient = "kex-strict-c-v00@openssh.com"
    static let strictServer = "kex-strict-s-v00@openssh.com"
    /// The host key algorithm of a server without one (RFC 4462 §5), for GSS-API key exchange only.
    static let nullHostKey = "null"
    static let pseudoAlgorithms: Set<String> = [extInfoClient, extInfoServer, strictClient, strictServer]

    /// The first name in the client's list that the server lists too.
    static func choose(_ slot: String, client: [String], server: [String]) throws(TransportError) -> String {
        let offered = Set(server)
        guard let chosen = client.first(where: { offered.contains($0) && !pseudoAlgorithms.contains($0) }) else {
            throw TransportError(
                .noCommonAlgorithm,
                "no matching \(slot): ours and theirs share none (client: \(client.joined(separator: ",")); "
                    + "server: \(server.joined(separator: ",")))")
        }
        return chosen
    }

    static func negotiate(client: KexInitMessage, server: KexInitMessage, initial: Bool) throws(TransportError)
        -> NegotiatedAlgorithms
    {
        let kexName = try choose("key exchange method", client: client.kexAlgorithms, server: server.kexAlgorithms)
        guard let kex = KeyExchangeMethod.named(kexName) else {
            throw TransportError(.noCommonAlgorithm, "key exchange \(kexName) is not implemented")
        }
        let hostKey = try choose(
            "host key algorithm", client: client.serverHostKeyAlgorithms, server: server.serverHostKeyAlgorithms)
        guard hostKey != nullHostKey || kex.usesGSSAPI else {
            throw TransportError(.noCommonAlgorithm, "host key algorithm null without a GSS-API key exchange")
        }
        func cipher(_ c: [String], _ s: [String]) throws(TransportError) -> CipherAlgorithm {
            let name = try choose("cipher", client: c, server: s)
            guard let algorithm = CipherAlgorithm.named(name) else {
                throw TransportError(.noCommonAlgorithm, "cipher \(name) is not implemented")
            }
            return algorithm
        }
        func mac(for cipher: CipherAlgorithm, _ c: [String], _ s: [String]) throws(TransportError) -> MACAlgorithm? {
            guard !cipher.isAEAD else { return nil }
            let name = try choose("MAC", client: c, server: s)
            guard let algorithm = MACAlgorithm.named(name) else {
                throw TransportError(.noCommonAlgorithm, "MAC \(name) is not implemented")
            }
            return algorithm
        }
        let c2s = try cipher(client.encryptionAlgorithmsClientToServer, server.encryptionAlgorithmsClientToServer)
        let s2c = try cipher(client.encryptionAlgorithmsServerToClient, server.encryptionAlgorithmsServerToClient)
        return NegotiatedAlgorithms(
            keyExchange: kex,
            hostKey: hostKey,
            cipherClientToServer: c2s,
            cipherServerToClient: s2c,
            macClientToServer: try mac(for: c2s, client.macAlgorithmsClientToServer, server.macAlgorithmsClientToServer),
            macServerToClient: try mac(for: s2c, client.macAlgorithmsServerToClient, server.macAlgorithmsServerToClient),
            compressionClientToServer: try choose(
                "compression", client: client.compressionAlgorithmsClientToServer,
                server: server.compressionAlgorithmsClientToServer),
            compressionServerToClient: try choose(
                "compression", client: client.compressionAlgorithmsServerToClient,
                server: server.compressionAlgorithmsServerToClient),
            strictKeyExchange: initial && client.kexAlgorithms.contains(strictClient)
                && server.kexAlgorithms.contains(strictServer))
    }

    /// RFC 4253 §7: a guessed first kex packet is right when both sides' first kex method and
    /// first host key algorithm agree.
    static func guessIsCorrect(client: KexInitMessage, server: KexInitMessage) -> Bool {
        client.kexAlgorithms.first == server.kexAlgorithms.first
            && client.serverHostKeyAlgorithms.first == server.serverHostKeyAlgorithms.first
    }
}
