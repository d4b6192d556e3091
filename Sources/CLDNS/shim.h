#ifndef MAILKEYS_CLDNS_SHIM_H
#define MAILKEYS_CLDNS_SHIM_H
#include <ldns/ldns.h>
#endif
