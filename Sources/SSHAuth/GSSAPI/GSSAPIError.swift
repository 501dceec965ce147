import CGSSAPI

/// A GSS-API call that failed (RFC 2743 §1.2.1): its major and minor status and what the
/// library says they mean, as `SSH_MSG_USERAUTH_GSSAPI_ERROR` carries them (RFC 4462 §3.8).
public struct GSSAPIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The GSS-API call that failed.
    public let operation: String
    /// The major status (RFC 2743 §1.2.1.1).
    public let majorStatus: UInt32
    /// The mechanism's own status code.
    public let minorStatus: UInt32
    /// The library's words for both statuses.
    public let message: String

    /// An error of `operation` with the statuses given and the library's words for them.
    public init(_ operation: String, majorStatus: UInt32, minorStatus: UInt32, message: String? = nil) {
        self.operation = operation
        self.majorStatus = majorStatus
        self.minorStatus = minorStatus
        self.message = message ?? Self.describe(major: majorStatus, minor: minorStatus)
    }

    public var description: String { "\(operation): \(message)" }

    /// The library's text for a major status and, when it says more, the Kerberos minor status.
    static func describe(major: UInt32, minor: UInt32) -> String {
        var parts = texts(major, type: Int32(GSS_C_GSS_CODE))
        if minor != 0 { parts += texts(minor, type: Int32(GSS_C_MECH_CODE)) }
        return parts.joined(separator: ": ")
    }

    private static func texts(_ status: UInt32, type: Int32) -> [String] {
        var texts: [String] = []
        var messageContext: OM_uint32 = 0
        repeat {
            var minor: OM_uint32 = 0
            var buffer = gss_buffer_desc()
            let major = gss_display_status(
                &minor, status, type, type == Int32(GSS_C_MECH_CODE) ? paramiko_gss_mech_krb5() : paramiko_gss_no_oid(),
                &messageContext, &buffer)
            guard paramiko_gss_error(major) == 0 else { break }
            texts.append(GSSBuffer.string(buffer))
            gss_release_buffer(&minor, &buffer)
        } while messageContext != 0 && texts.count < 8
        return texts.filter { !$0.isEmpty }
    }
}
