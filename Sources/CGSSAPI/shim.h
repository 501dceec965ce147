#ifndef PARAMIKO_CGSSAPI_SHIM_H
#define PARAMIKO_CGSSAPI_SHIM_H

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <gssapi/gssapi_ext.h>

/* The GSS-API's null handles and status tests are macros over casts, which Swift does not import. */
static inline gss_cred_id_t paramiko_gss_no_credential(void) { return GSS_C_NO_CREDENTIAL; }
static inline gss_ctx_id_t paramiko_gss_no_context(void) { return GSS_C_NO_CONTEXT; }
static inline gss_name_t paramiko_gss_no_name(void) { return GSS_C_NO_NAME; }
static inline gss_channel_bindings_t paramiko_gss_no_channel_bindings(void) { return GSS_C_NO_CHANNEL_BINDINGS; }
static inline gss_OID paramiko_gss_no_oid(void) { return GSS_C_NO_OID; }
static inline gss_OID_set paramiko_gss_no_oid_set(void) { return GSS_C_NO_OID_SET; }
static inline int paramiko_gss_error(OM_uint32 major) { return GSS_ERROR(major) != 0; }
static inline int paramiko_gss_continue_needed(OM_uint32 major) { return (major & GSS_S_CONTINUE_NEEDED) != 0; }
static inline gss_OID paramiko_gss_nt_hostbased_service(void) { return GSS_C_NT_HOSTBASED_SERVICE; }
static inline gss_OID paramiko_gss_nt_user_name(void) { return GSS_C_NT_USER_NAME; }
static inline gss_OID paramiko_gss_nt_krb5_principal(void) { return (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME; }
static inline gss_OID paramiko_gss_mech_krb5(void) { return (gss_OID)gss_mech_krb5; }

#endif
