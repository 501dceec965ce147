import SSHCrypto

/// What a key exchange settled on (RFC 4253 §7.1): Paramiko's `get_security_options` for a
/// live connection.
public struct NegotiatedAlgorithms: Sendable, Hashable, CustomStringConvertible {
    /// The key exchange method.
    public var keyExchange: KeyExchangeMethod
    /// The server host key algorithm.
    public var hostKey: String
    /// Cipher client to server.
    public var cipherClientToServer: CipherAlgorithm
    /// Cipher server to client.
    public var cipherServerToClient: CipherAlgorithm
    /// MAC client to server; nil when the cipher is AEAD.
    public var macClientToServer: MACAlgorithm?
    /// MAC server to client; nil when the cipher is AEAD.
    public var macServerToClient: MACAlgorithm?
    /// Compression client to server.
    public var compressionClientToServer: String
    /// Compression server to client.
    public var compressionServerToClient: String
    /// True when both sides asked for strict key exchange (OpenSSH's Terrapin countermeasure).
    public var strictKeyExchange: Bool

    public var description: String {
        let c2s = cipherClientToServer.name + (macClientToServer.map { " " + $0.name } ?? "")
        let s2c = cipherServerToClient.name + (macServerToClient.map { " " + $0.name } ?? "")
        return "kex \(keyExchange.name), host key \(hostKey), client->server \(c2s) \(compressionClientToServer), "
            + "server->client \(s2c) \(compressionServerToClient)" + (strictKeyExchange ? ", strict kex" : "")
    }
}
