import CGSSAPI
import SSHTransport

/// One GSS-API security context (RFC 2743 §2.2) with the Kerberos V5 mechanism: the initiator's
/// side (`gss_init_sec_context`) or the acceptor's (`gss_accept_sec_context`), stepped a token at
/// a time, then used for per-message integrity (`gss_get_mic`, `gss_verify_mic`). The calls may
/// talk to a KDC and block; one context is used by one task at a time.
public final class GSSSecurityContext: @unchecked Sendable {
    private var context: gss_ctx_id_t?
    private var target: gss_name_t?
    private var credential: gss_cred_id_t?
    private var peer: gss_name_t?
    private let requestedFlags: OM_uint32
    /// Whether the context is established (`GSS_S_COMPLETE`).
    public private(set) var isComplete = false
    /// The flags the mechanism granted (RFC 2744 §5.19): mutual authentication, integrity, delegation…
    public private(set) var grantedFlags: UInt32 = 0
    /// For an acceptor, whether the initiator delegated its credentials.
    public private(set) var receivedDelegation = false

    /// An initiator for `service@host` (a host-based service name, RFC 2743 §4.1), asking for
    /// mutual authentication and integrity, and for delegation when `delegate` is true (ssh's
    /// GSSAPIDelegateCredentials). The default credentials (the ticket cache) are used, or, with
    /// `clientPrincipal` (ssh's GSSAPIClientIdentity), that principal's from the cache collection.
    public init(initiatorFor serviceName: String, delegate: Bool = false, clientPrincipal: String? = nil)
        throws(GSSAPIError)
    {
        var minor: OM_uint32 = 0
        var name: gss_name_t?
        let major = GSSBuffer.with(Array(serviceName.utf8)) { buffer in
            gss_import_name(&minor, &buffer, paramiko_gss_nt_hostbased_service(), &name)
        }
        guard paramiko_gss_error(major) == 0 else {
            throw GSSAPIError("gss_import_name(\(serviceName))", majorStatus: major, minorStatus: minor)
        }
        target = name
        requestedFlags =
            OM_uint32(GSS_C_MUTUAL_FLAG) | OM_uint32(GSS_C_INTEG_FLAG) | (delegate ? OM_uint32(GSS_C_DELEG_FLAG) : 0)
        guard let clientPrincipal else { return }
        var principal: gss_name_t?
        let imported = GSSBuffer.with(Array(clientPrincipal.utf8)) { buffer in
            gss_import_name(&minor, &buffer, paramiko_gss_nt_krb5_principal(), &principal)
        }
        guard paramiko_gss_error(imported) == 0 else {
            throw GSSAPIError("gss_import_name(\(clientPrincipal))", majorStatus: imported, minorStatus: minor)
        }
        defer { gss_release_name(&minor, &principal) }
        var acquired: gss_cred_id_t?
        let status = gss_acquire_cred(
            &minor, principal, 0, paramiko_gss_no_oid_set(), Int32(GSS_C_INITIATE), &acquired, nil, nil)
        guard paramiko_gss_error(status) == 0 else {
            throw GSSAPIError("gss_acquire_cred(\(clientPrincipal))", majorStatus: status, minorStatus: minor)
        }
        credential = acquired
    }

    /// An acceptor using the keys of `keytab` (a path), or the default keytab (`KRB5_KTNAME`,
    /// /etc/krb5.keytab) when nil.
    public init(acceptorWithKeytab keytab: String? = nil) throws(GSSAPIError) {
        requestedFlags = 0
        guard let keytab else { return }
        var minor: OM_uint32 = 0
        var acquired: gss_cred_id_t?
        let key = Array("keytab".utf8CString)
        let value = Array(keytab.utf8CString)
        let major = key.withUnsafeBufferPointer { keyPointer in
            value.withUnsafeBufferPointer { valuePointer in
                var element = gss_key_value_element_desc(key: keyPointer.baseAddress, value: valuePointer.baseAddress)
                return withUnsafeMutablePointer(to: &element) { elementPointer in
                    var store = gss_key_value_set_desc(count: 1, elements: elementPointer)
                    return gss_acquire_cred_from(
                        &minor, paramiko_gss_no_name(), 0, paramiko_gss_no_oid_set(), Int32(GSS_C_ACCEPT), &store,
                        &acquired, nil, nil)
                }
            }
        }
        guard paramiko_gss_error(major) == 0 else {
            throw GSSAPIError("gss_acquire_cred_from(keytab \(keytab))", majorStatus: major, minorStatus: minor)
        }
        credential = acquired
    }

    deinit {
        var minor: OM_uint32 = 0
        if context != nil { gss_delete_sec_context(&minor, &context, nil) }
        if target != nil { gss_release_name(&minor, &target) }
        if peer != nil { gss_release_name(&minor, &peer) }
        if credential != nil { gss_release_cred(&minor, &credential) }
    }

    /// The initiator's next step: `input` is the acceptor's last token (nil at the start); the
    /// result is the token to send, empty when there is none. ``isComplete`` says whether more
    /// steps follow.
    public func initiate(_ input: [UInt8]?) throws(GSSAPIError) -> [UInt8] {
        var minor: OM_uint32 = 0
        var output = gss_buffer_desc()
        var flags: OM_uint32 = 0
        let step = { (inputBuffer: gss_buffer_t?) -> OM_uint32 in
            gss_init_sec_context(
                &minor, self.credential ?? paramiko_gss_no_credential(), &self.context, self.target,
                paramiko_gss_mech_krb5(), self.requestedFlags, 0, paramiko_gss_no_channel_bindings(), inputBuffer, nil,
                &output, &flags, nil)
        }
        let major: OM_uint32
        if let input {
            major = GSSBuffer.with(input) { buffer in step(&buffer) }
        } else {
            major = step(nil)
        }
        let token = GSSBuffer.take(&output)
        guard paramiko_gss_error(major) == 0 else {
            throw GSSAPIError("gss_init_sec_context", majorStatus: major, minorStatus: minor)
        }
        grantedFlags = flags
        isComplete = paramiko_gss_continue_needed(major) == 0
        return token
    }

    /// The acceptor's next step with the initiator's `input` token; the result is the token to
    /// send back, empty when there is none.
    public func accept(_ input: [UInt8]) throws(GSSAPIError) -> [UInt8] {
        var minor: OM_uint32 = 0
        var output = gss_buffer_desc()
        var flags: OM_uint32 = 0
        var source: gss_name_t?
        var delegated: gss_cred_id_t?
        let major = GSSBuffer.with(input) { buffer in
            gss_accept_sec_context(
                &minor, &context, credential ?? paramiko_gss_no_credential(), &buffer,
                paramiko_gss_no_channel_bindings(), &source, nil, &output, &flags, nil, &delegated)
        }
        let token = GSSBuffer.take(&output)
        if delegated != nil {
            receivedDelegation = true
            gss_release_cred(&minor, &delegated)
        }
        if source != nil {
            if peer != nil { gss_release_name(&minor, &peer) }
            peer = source
        }
        guard paramiko_gss_error(major) == 0 else {
            throw GSSAPIError("gss_accept_sec_context", majorStatus: major, minorStatus: minor)
        }
        grantedFlags = flags
        isComplete = paramiko_gss_continue_needed(major) == 0
        return token
    }

    /// Whether the context protects messages' integrity (`GSS_C_INTEG_FLAG`): a `gssapi-with-mic`
    /// client then sends a MIC rather than EXCHANGE_COMPLETE (RFC 4462 §3.5).
    public var hasIntegrity: Bool { grantedFlags & UInt32(GSS_C_INTEG_FLAG) != 0 }

    /// The initiator's principal as the acceptor saw it (for example `alice@EXAMPLE.COM`), once
    /// the context is complete.
    public var peerName: String? {
        guard let peer else { return nil }
        var minor: OM_uint32 = 0
        var buffer = gss_buffer_desc()
        guard paramiko_gss_error(gss_display_name(&minor, peer, &buffer, nil)) == 0 else { return nil }
        defer { gss_release_buffer(&minor, &buffer) }
        return GSSBuffer.string(buffer)
    }

    /// A MIC token over `message` (RFC 2743 §2.3.1).
    public func mic(of message: [UInt8]) throws(GSSAPIError) -> [UInt8] {
        var minor: OM_uint32 = 0
        var output = gss_buffer_desc()
        let major = GSSBuffer.with(message) { buffer in
            gss_get_mic(&minor, context, gss_qop_t(GSS_C_QOP_DEFAULT), &buffer, &output)
        }
        let token = GSSBuffer.take(&output)
        guard paramiko_gss_error(major) == 0 else {
            throw GSSAPIError("gss_get_mic", majorStatus: major, minorStatus: minor)
        }
        return token
    }

    /// Checks that `mic` is the peer's MIC over `message` (RFC 2743 §2.3.2).
    public func verifyMIC(_ mic: [UInt8], of message: [UInt8]) throws(GSSAPIError) {
        var minor: OM_uint32 = 0
        let major = GSSBuffer.with(message) { messageBuffer in
            GSSBuffer.with(mic) { micBuffer in
                gss_verify_mic(&minor, context, &messageBuffer, &micBuffer, nil)
            }
        }
        guard major == OM_uint32(GSS_S_COMPLETE) else {
            throw GSSAPIError("gss_verify_mic", majorStatus: major, minorStatus: minor)
        }
    }
}

/// A Kerberos context authenticates a GSS-API key exchange (RFC 4462 §2), on either side.
extension GSSSecurityContext: GSSKeyExchangeContext, GSSKeyExchangeAcceptor {}
