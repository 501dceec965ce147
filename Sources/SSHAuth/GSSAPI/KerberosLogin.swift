import CGSSAPI

/// Whether a Kerberos principal may log in as a local account, by the Kerberos library's rules
/// (`gss_authorize_localname`): the account's `~/.k5login` when it has one, else the principal
/// being the account's name in the default realm (or what `auth_to_local` maps it to). This is
/// the check sshd makes with `krb5_kuserok` before it lets `gssapi-with-mic` log a user in.
public enum KerberosLogin {
    /// Whether `principal` (for example `alice@EXAMPLE.COM`) may log in as `user`.
    public static func allows(principal: String, user: String) -> Bool {
        var minor: OM_uint32 = 0
        var principalName: gss_name_t?
        var mechanismName: gss_name_t?
        var userName: gss_name_t?
        defer {
            if principalName != nil { gss_release_name(&minor, &principalName) }
            if mechanismName != nil { gss_release_name(&minor, &mechanismName) }
            if userName != nil { gss_release_name(&minor, &userName) }
        }
        let imported = GSSBuffer.with(Array(principal.utf8)) { buffer in
            gss_import_name(&minor, &buffer, paramiko_gss_nt_krb5_principal(), &principalName)
        }
        let importedUser = GSSBuffer.with(Array(user.utf8)) { buffer in
            gss_import_name(&minor, &buffer, paramiko_gss_nt_user_name(), &userName)
        }
        guard paramiko_gss_error(imported) == 0, paramiko_gss_error(importedUser) == 0,
            // The Kerberos mechanism decides only for its own (mechanism) names.
            paramiko_gss_error(gss_canonicalize_name(&minor, principalName, paramiko_gss_mech_krb5(), &mechanismName)) == 0
        else { return false }
        return gss_authorize_localname(&minor, mechanismName, userName) == OM_uint32(GSS_S_COMPLETE)
    }
}
