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

/* Builds an RSA key from big-endian components. With d == NULL the key is public only; otherwise
 * p, q and iqmp are required and the CRT exponents are derived here. One C call for the same
 * reason as paramiko_ec_key_from_data. */
static inline EVP_PKEY *paramiko_rsa_key_from_data(const unsigned char *n, size_t n_len,
                                                   const unsigned char *e, size_t e_len,
                                                   const unsigned char *d, size_t d_len,
                                                   const unsigned char *p, size_t p_len,
                                                   const unsigned char *q, size_t q_len,
                                                   const unsigned char *iqmp, size_t iqmp_len) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BN_CTX *bnctx = BN_CTX_secure_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY *key = NULL;
    BIGNUM *bn_n = BN_bin2bn(n, (int)n_len, NULL), *bn_e = BN_bin2bn(e, (int)e_len, NULL);
    BIGNUM *bn_d = NULL, *bn_p = NULL, *bn_q = NULL, *bn_iqmp = NULL, *dmp1 = NULL, *dmq1 = NULL, *tmp = NULL;
    if (ctx == NULL || bld == NULL || bnctx == NULL || bn_n == NULL || bn_e == NULL) goto done;
    if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n)) goto done;
    if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e)) goto done;
    if (d != NULL) {
        bn_d = BN_secure_new(); bn_p = BN_secure_new(); bn_q = BN_secure_new(); bn_iqmp = BN_secure_new();
        dmp1 = BN_secure_new(); dmq1 = BN_secure_new(); tmp = BN_secure_new();
        if (!bn_d || !bn_p || !bn_q || !bn_iqmp || !dmp1 || !dmq1 || !tmp) goto done;
        if (!BN_bin2bn(d, (int)d_len, bn_d) || !BN_bin2bn(p, (int)p_len, bn_p) || !BN_bin2bn(q, (int)q_len, bn_q)
            || !BN_bin2bn(iqmp, (int)iqmp_len, bn_iqmp)) goto done;
        if (BN_is_zero(bn_p) || BN_is_zero(bn_q) || BN_is_one(bn_p) || BN_is_one(bn_q)) goto done;
        if (!BN_sub(tmp, bn_p, BN_value_one()) || !BN_mod(dmp1, bn_d, tmp, bnctx)) goto done;
        if (!BN_sub(tmp, bn_q, BN_value_one()) || !BN_mod(dmq1, bn_d, tmp, bnctx)) goto done;
        if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, bn_d)) goto done;
        if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, bn_p)) goto done;
        if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, bn_q)) goto done;
        if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1)) goto done;
        if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1)) goto done;
        if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, bn_iqmp)) goto done;
    }
    params = OSSL_PARAM_BLD_to_param(bld);
    if (params == NULL || EVP_PKEY_fromdata_init(ctx) != 1) goto done;
    if (EVP_PKEY_fromdata(ctx, &key, d != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1) key = NULL;
done:
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n); BN_free(bn_e);
    BN_clear_free(bn_d); BN_clear_free(bn_p); BN_clear_free(bn_q); BN_clear_free(bn_iqmp);
    BN_clear_free(dmp1); BN_clear_free(dmq1); BN_clear_free(tmp);
    BN_CTX_free(bnctx);
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/* Builds a DSA key from big-endian p, q, g, y and, optionally, x. */
static inline EVP_PKEY *paramiko_dsa_key_from_data(const unsigned char *p, size_t p_len,
                                                   const unsigned char *q, size_t q_len,
                                                   const unsigned char *g, size_t g_len,
                                                   const unsigned char *y, size_t y_len,
                                                   const unsigned char *x, size_t x_len) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY *key = NULL;
    BIGNUM *bn_p = BN_bin2bn(p, (int)p_len, NULL), *bn_q = BN_bin2bn(q, (int)q_len, NULL);
    BIGNUM *bn_g = BN_bin2bn(g, (int)g_len, NULL), *bn_y = BN_bin2bn(y, (int)y_len, NULL);
    BIGNUM *bn_x = NULL;
    if (ctx == NULL || bld == NULL || !bn_p || !bn_q || !bn_g || !bn_y) goto done;
    if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, bn_p)) goto done;
    if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_Q, bn_q)) goto done;
    if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, bn_g)) goto done;
    if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, bn_y)) goto done;
    if (x != NULL) {
        bn_x = BN_secure_new();
        if (bn_x == NULL || BN_bin2bn(x, (int)x_len, bn_x) == NULL) goto done;
        if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn_x)) goto done;
    }
    params = OSSL_PARAM_BLD_to_param(bld);
    if (params == NULL || EVP_PKEY_fromdata_init(ctx) != 1) goto done;
    if (EVP_PKEY_fromdata(ctx, &key, x != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1) key = NULL;
done:
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_p); BN_free(bn_q); BN_free(bn_g); BN_free(bn_y); BN_clear_free(bn_x);
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/* Copies a big-number parameter of a key ("n", "e", "d", "rsa-factor1", "p", "q", "g", "pub",
 * "priv", ...) into out as big-endian bytes. Returns the length, 0 for zero, -1 when the key
 * lacks it or out (of out_len bytes) is too small. With out == NULL returns the length needed. */
static inline int paramiko_pkey_bn_param(const EVP_PKEY *key, const char *name, unsigned char *out, size_t out_len) {
    BIGNUM *bn = NULL;
    int length;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1 || bn == NULL) { ERR_clear_error(); return -1; }
    length = BN_num_bytes(bn);
    if (out != NULL) {
        if ((size_t)length > out_len) length = -1;
        else length = BN_bn2bin(bn, out);
    }
    BN_clear_free(bn);
    return length;
}

/* DER Dss-Sig-Value / ECDSA-Sig-Value (SEQUENCE { INTEGER r, INTEGER s }) to r and s, each
 * left-padded to width bytes, written to out (2 * width bytes). Returns 1 or 0. */
static inline int paramiko_der_signature_to_rs(const unsigned char *der, size_t der_len, unsigned char *out,
                                               int width) {
    const unsigned char *cursor = der;
    const BIGNUM *r = NULL, *s = NULL;
    int ok = 0;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &cursor, (long)der_len);
    if (sig == NULL) return 0;
    ECDSA_SIG_get0(sig, &r, &s);
    if (cursor == der + der_len && BN_bn2binpad(r, out, width) == width && BN_bn2binpad(s, out + width, width) == width)
        ok = 1;
    ECDSA_SIG_free(sig);
    return ok;
}

/* r and s (big-endian) to DER; *der is allocated by libcrypto (free with OPENSSL_free).
 * Returns the DER length, or -1. */
static inline int paramiko_rs_to_der_signature(const unsigned char *r, size_t r_len, const unsigned char *s,
                                               size_t s_len, unsigned char **der) {
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *bn_r = BN_bin2bn(r, (int)r_len, NULL), *bn_s = BN_bin2bn(s, (int)s_len, NULL);
    int length = -1;
    *der = NULL;
    if (sig == NULL || bn_r == NULL || bn_s == NULL || ECDSA_SIG_set0(sig, bn_r, bn_s) != 1) {
        BN_free(bn_r); BN_free(bn_s); ECDSA_SIG_free(sig);
        return -1;
    }
    length = i2d_ECDSA_SIG(sig, der);
    ECDSA_SIG_free(sig);
    return length;
}

/* The contents of a memory BIO: its data pointer and length. */
static inline long paramiko_bio_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

/* Generates DSA domain parameters (L bits, N = 160) and a key over them. */
static inline EVP_PKEY *paramiko_dsa_generate(int bits) {
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL);
    EVP_PKEY_CTX *kctx = NULL;
    EVP_PKEY *params = NULL, *key = NULL;
    if (pctx == NULL || EVP_PKEY_paramgen_init(pctx) != 1) goto done;
    if (EVP_PKEY_CTX_set_dsa_paramgen_bits(pctx, bits) != 1) goto done;
    if (EVP_PKEY_CTX_set_dsa_paramgen_q_bits(pctx, 160) != 1) goto done;
    if (EVP_PKEY_CTX_set_dsa_paramgen_md_props(pctx, "SHA1", NULL) != 1) goto done;
    if (EVP_PKEY_paramgen(pctx, &params) != 1) goto done;
    kctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
    if (kctx == NULL || EVP_PKEY_keygen_init(kctx) != 1) goto done;
    if (EVP_PKEY_generate(kctx, &key) != 1) key = NULL;
done:
    EVP_PKEY_free(params);
    EVP_PKEY_CTX_free(kctx);
    EVP_PKEY_CTX_free(pctx);
    return key;
}

static const int PARAMIKO_EVP_PKEY_PUBLIC_KEY = EVP_PKEY_PUBLIC_KEY;
static const int PARAMIKO_EVP_PKEY_KEYPAIR = EVP_PKEY_KEYPAIR;

#endif
