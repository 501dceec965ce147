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
#include <openssl/param_build.h>
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

/* Builds an EC key from a named group, an encoded public point and, optionally, a private
 * scalar. The parameter builder keeps pointers until OSSL_PARAM_BLD_to_param, so the whole
 * build happens here, in one C call. Returns NULL when the point is not on the curve. */
static inline EVP_PKEY *paramiko_ec_key_from_data(const char *group, const unsigned char *pub, size_t pub_len,
                                                  const unsigned char *priv, size_t priv_len) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    BIGNUM *bn = NULL;
    EVP_PKEY *key = NULL;
    if (ctx == NULL || bld == NULL) goto done;
    if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0)) goto done;
    if (!OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len)) goto done;
    if (priv != NULL) {
        bn = BN_secure_new();
        if (bn == NULL || BN_bin2bn(priv, (int)priv_len, bn) == NULL) goto done;
        if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn)) goto done;
    }
    params = OSSL_PARAM_BLD_to_param(bld);
    if (params == NULL || EVP_PKEY_fromdata_init(ctx) != 1) goto done;
    if (EVP_PKEY_fromdata(ctx, &key, priv != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1) key = NULL;
done:
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(bn);
    EVP_PKEY_CTX_free(ctx);
    return key;
}

static const int PARAMIKO_EVP_PKEY_PUBLIC_KEY = EVP_PKEY_PUBLIC_KEY;
static const int PARAMIKO_EVP_PKEY_KEYPAIR = EVP_PKEY_KEYPAIR;

#endif
