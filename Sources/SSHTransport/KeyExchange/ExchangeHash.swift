import NIOCore
import SSHCrypto
import SSHWire

/// The values every exchange hash starts with (RFC 4253 §8): both identification strings
/// without CR LF, both KEXINIT payloads, and the host key blob.
struct ExchangeTranscript {
    var clientIdentification: String
    var serverIdentification: String
    var clientKexInit: ByteBuffer
    var serverKexInit: ByteBuffer

    /// `HASH(V_C || V_S || I_C || I_S || K_S || method part || K)`.
    func hash(
        _ algorithm: DigestAlgorithm, hostKey: [UInt8], encodedSecret: SecureBytes,
        methodPart: (inout ByteBuffer) -> Void
    ) throws(CryptoError) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeSSHString(clientIdentification)
        buffer.writeSSHString(serverIdentification)
        buffer.writeSSHString(clientKexInit)
        buffer.writeSSHString(serverKexInit)
        buffer.writeSSHString(hostKey)
        methodPart(&buffer)
        var hasher = try DigestHasher(algorithm)
        buffer.withUnsafeReadableBytes { hasher.update($0) }
        encodedSecret.withUnsafeBytes { hasher.update($0) }
        return try hasher.finalize()
    }
}
