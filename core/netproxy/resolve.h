/* resolve.h: name to addresses, once per connection: the fixed answers of --resolve, else getaddrinfo in the client's thread. */
#pragma once

#include <stddef.h>

#include "address.h"

#define NP_RESOLVE_MAX 16 /* addresses kept per name (all are checked, the first that connects is used) */

typedef struct np_resolver np_resolver;

np_resolver *np_resolver_new(void);
void np_resolver_free(np_resolver *res);
/* Adds a fixed answer, "HOST:ADDR" (ADDR an IPv4 or IPv6 address, brackets
 * optional); a host given several times gets all its addresses, in order.
 * 0 or -EINVAL with a message. */
int np_resolver_add_fixed(np_resolver *res, const char *spec, char *err, size_t errlen);
/* The addresses of a normalised host: itself if it is an address literal; the
 * fixed answers if it has any (no lookup then); else getaddrinfo (blocking:
 * call from the client's own thread).  Returns how many (1..max), or -ENOENT /
 * -EAGAIN with a message. */
int np_resolve(const np_resolver *res, const char *host, np_addr *out, size_t max, char *err, size_t errlen);
