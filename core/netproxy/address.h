/* address.h: IP addresses as the proxy handles them (parse, print, CIDR match) and the private-address classifier. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* One IPv4 or IPv6 address; IPv4 uses bytes[0..3]. */
typedef struct {
  int family; /* AF_INET or AF_INET6 */
  uint8_t bytes[16];
} np_addr;

/* A network: the address and its prefix length (32 or 128 for one address). */
typedef struct {
  np_addr net;
  unsigned prefix;
} np_cidr;

/* Parses "1.2.3.4", "::1", "[::1]" (brackets optional).  0 or -EINVAL. */
int np_addr_parse(const char *text, size_t len, np_addr *out);
/* Parses an address or "ADDR/PREFIX".  0 or -EINVAL. */
int np_cidr_parse(const char *text, np_cidr *out);
/* Whether |a| lies in |c| (an IPv4-mapped IPv6 address is compared as its IPv4 form). */
bool np_cidr_contains(const np_cidr *c, const np_addr *a);
/* Writes the address ("1.2.3.4" or "::1") into buf (at least 46 bytes). */
void np_addr_format(const np_addr *a, char *buf, size_t len);
/* sockaddr <-> np_addr (the port is separate). */
void np_addr_from_sockaddr(const struct sockaddr *sa, np_addr *out);
socklen_t np_addr_to_sockaddr(const np_addr *a, uint16_t port, struct sockaddr_storage *out);
/* The IPv4 form of an IPv4-mapped IPv6 address (::ffff:a.b.c.d); anything else unchanged. */
np_addr np_addr_unmap(const np_addr *a);

/* Whether the address is on the host's private side or otherwise not a public
 * unicast destination: loopback, RFC 1918, link-local (cloud metadata), CGNAT,
 * 0/8, multicast, broadcast, reserved and documentation ranges, IPv6
 * loopback/unspecified/ULA/link-local/site-local/multicast, and every IPv6
 * form that embeds an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo)
 * whose IPv4 address is one of these.  |why| (may be NULL) gets the range's name. */
bool np_addr_is_private(const np_addr *a, const char **why);
