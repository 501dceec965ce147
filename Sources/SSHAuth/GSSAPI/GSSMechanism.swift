import CGSSAPI
import SSHTransport

/// The GSS-API mechanisms `gssapi-with-mic` offers (RFC 4462 §3.2): Kerberos V5 (RFC 1964), the
/// one mechanism OpenSSH uses, named by its DER-encoded object identifier.
public enum GSSMechanism {
    /// 1.2.840.113554.1.2.2, DER-encoded (tag 6, length 9), as the SSH messages carry it.
    public static let kerberos5: [UInt8] = GSSKeyExchange.kerberos5Mechanism

    /// The OID's value bytes without the DER tag and length, as `gss_OID_desc` holds them; nil
    /// for bytes that are not one short DER object identifier.
    static func oidValue(_ der: [UInt8]) -> [UInt8]? {
        guard der.count >= 3, der[0] == 0x06, Int(der[1]) == der.count - 2, der[1] < 0x80 else { return nil }
        return Array(der[2...])
    }
}
