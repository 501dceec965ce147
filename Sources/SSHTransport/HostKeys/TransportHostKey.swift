import SSHCrypto

/// What the transport needs of a server host key (RFC 4253 §6.6, §8): its public blob for
/// `K_S`, the host key algorithms it signs with, and a signature over the exchange hash.
public protocol TransportHostKey: Sendable {
    /// The public key blob sent as `K_S` (a certificate blob for certificate algorithms).
    var publicKeyBlob: [UInt8] { get }
    /// The host key algorithm names this key serves, as KEXINIT lists them.
    var hostKeyAlgorithms: [String] { get }
    /// A signature blob (`string algorithm, string signature`) over `exchangeHash`, made with
    /// the signature algorithm that `hostKeyAlgorithm` implies.
    func signExchangeHash(_ exchangeHash: [UInt8], hostKeyAlgorithm: String) throws -> [UInt8]
}

/// Checks a server's signature over the exchange hash: `(K_S blob, signature blob, H,
/// negotiated host key algorithm) -> valid`. Any malformation is `false`.
public typealias HostKeySignatureVerifier =
    @Sendable (_ hostKeyBlob: [UInt8], _ signature: [UInt8], _ exchangeHash: [UInt8], _ hostKeyAlgorithm: String) ->
    Bool

/// The signature algorithm a host key algorithm signs with: certificate algorithms sign with
/// their plain algorithm (PROTOCOL.certkeys), everything else with itself.
public func signatureAlgorithm(forHostKeyAlgorithm name: String) -> String {
    SSHPublicKey.plainAlgorithm(ofCertificateAlgorithm: name)
}
