#ifndef MAILKEYS_COPENSSL_SHIM_H
#define MAILKEYS_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <openssl/ssl.h>
#endif
