#ifndef MAILKEYS_COPENSSL_SHIM_H
#define MAILKEYS_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <openssl/ssl.h>
#include <openssl/objects.h>

/* Macros of ssl.h that Swift cannot call, for the TLS scan of `check`. */
static inline long mk_SSL_set_min_proto_version(SSL *s, int v) { return SSL_set_min_proto_version(s, v); }
static inline long mk_SSL_set_max_proto_version(SSL *s, int v) { return SSL_set_max_proto_version(s, v); }
static inline long mk_SSL_set1_groups_list(SSL *s, const char *l) { return SSL_set1_groups_list(s, l); }
static inline long mk_SSL_set1_sigalgs_list(SSL *s, const char *l) { return SSL_set1_sigalgs_list(s, l); }
static inline long mk_SSL_set_tlsext_host_name(SSL *s, const char *n) { return SSL_set_tlsext_host_name(s, n); }
static inline long mk_SSL_get_secure_renegotiation_support(SSL *s) { return SSL_get_secure_renegotiation_support(s); }
static inline long mk_SSL_get_negotiated_group(SSL *s) { return SSL_get_negotiated_group(s); }
static inline long mk_SSL_get_extms_support(SSL *s) { return SSL_get_extms_support(s); }
/* The peer's ephemeral key (a reference the caller frees), or NULL. */
static inline EVP_PKEY *mk_SSL_get_peer_tmp_key(SSL *s) {
    EVP_PKEY *k = NULL;
    return SSL_get_peer_tmp_key(s, &k) == 1 ? k : NULL;
}
#endif
