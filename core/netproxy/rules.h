/* rules.h: the allow and deny lists (--allow-domain, --deny-domain): host name normalisation and matching. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "address.h"

/*
 * Patterns (both lists):
 *   example.com        that host only
 *   *.example.com      its subdomains at any depth, not example.com itself
 *   **.example.com     example.com and its subdomains (the apex rule)
 *   *                  every host name (never a literal address)
 *   10.0.0.5, [::1]    that literal address; 10.0.0.0/8, fd00::/8 a network
 * Names are compared case-insensitively in their IDNA ASCII form, one
 * trailing dot ignored.  A deny match wins over any allow match; an empty
 * allowlist allows nothing.  A literal address in the allowlist also lets
 * a name that resolves to it through the private-address check.
 */
typedef struct np_rules np_rules;

np_rules *np_rules_new(void);
void np_rules_free(np_rules *rules);
/* Adds a pattern to the deny list (deny) or the allowlist.  0, or -EINVAL with a message. */
int np_rules_add(np_rules *rules, bool deny, const char *pattern, char *err, size_t errlen);

/* Normalises a host name as it arrives from a client (bytes, not a C string): the
 * ASCII form (IDNA), lower case, one trailing dot removed; an address literal in
 * its canonical text ("[::1]" becomes "::1").  0, or -EINVAL if it is neither a
 * valid host name nor an address. */
int np_host_normalize(const char *in, size_t len, char *out, size_t outlen);

typedef enum { NP_MATCH_NONE, NP_MATCH_ALLOW, NP_MATCH_DENY } np_match;

/* The decision on a normalised host (a name or an address literal): DENY if a
 * deny pattern matches, else ALLOW if an allow pattern does, else NONE.  |rule|
 * gets the pattern that decided ("deny-domain:*.x", "allow-domain:x"). */
np_match np_rules_match_host(const np_rules *rules, const char *host, char *rule, size_t rulelen);
/* The decision on an address a host resolved to: DENY if a deny network
 * contains it, ALLOW if an allowlisted literal or network does, else NONE. */
np_match np_rules_match_addr(const np_rules *rules, const np_addr *addr, char *rule, size_t rulelen);
