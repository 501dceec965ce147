import CGSSAPI
import SSHTransport

/// The GSS-API mechanisms `gssapi-with-mic` offers (RFC 4462 §3.2): Kerberos V5 (RFC 1964), the
/// one mechanism OpenSSH uses, named by its DER-encoded object identifier.
public enum GSSMechanism {
    /// 1.2.840.113554.1.2.2, DER-encoded (tag 6, length 9), as the SSH messages carry it.
    public static let kerberos5: [UInt8] = GSSKeyExchange.kerberos5Mechanism

}
