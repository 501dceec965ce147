#ifndef PARAMIKO_COPENSSL_SHIM_H
#define PARAMIKO_COPENSSL_SHIM_H

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/dsa.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

/* Macros and variadic helpers Swift cannot import, as small inline functions. */

static inline void paramiko_openssl_free(void *ptr) {
    OPENSSL_free(ptr);
}

static inline int paramiko_bn_num_bytes(const BIGNUM *bn) {
    return BN_num_bytes(bn);
}

static inline OSSL_PARAM paramiko_param_utf8(const char *key, char *value) {
    return OSSL_PARAM_construct_utf8_string(key, value, 0);
}

static inline OSSL_PARAM paramiko_param_octets(const char *key, void *value, size_t length) {
    return OSSL_PARAM_construct_octet_string(key, value, length);
}

static inline OSSL_PARAM paramiko_param_end(void) {
    return OSSL_PARAM_construct_end();
}

#endif
