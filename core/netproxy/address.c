/* address.c: IP addresses as the proxy handles them, and the private-address classifier (see address.h). */
#include "address.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int np_addr_parse(const char *text, size_t len, np_addr *out) {
  char buf[64];
  if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
    text++;
    len -= 2;
  }
  if (len == 0 || len >= sizeof(buf) || memchr(text, '\0', len))
    return -EINVAL;
  memcpy(buf, text, len);
  buf[len] = '\0';
  memset(out, 0, sizeof(*out));
  if (inet_pton(AF_INET, buf, out->bytes) == 1) {
    out->family = AF_INET;
    return 0;
  }
  if (inet_pton(AF_INET6, buf, out->bytes) == 1) {
    out->family = AF_INET6;
    return 0;
  }
  return -EINVAL;
}

int np_cidr_parse(const char *text, np_cidr *out) {
  const char *slash = strchr(text, '/');
  size_t len = slash ? (size_t)(slash - text) : strlen(text);
  if (np_addr_parse(text, len, &out->net) < 0)
    return -EINVAL;
  unsigned max = out->net.family == AF_INET ? 32 : 128;
  out->prefix = max;
  if (slash) {
    char *end;
    errno = 0;
    unsigned long p = strtoul(slash + 1, &end, 10);
    if (errno || end == slash + 1 || *end || p > max || slash[1] == '-' || slash[1] == '+')
      return -EINVAL;
    out->prefix = (unsigned)p;
  }
  return 0;
}

np_addr np_addr_unmap(const np_addr *a) {
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  np_addr r = *a;
  if (a->family == AF_INET6 && memcmp(a->bytes, mapped, 12) == 0) {
    memset(&r, 0, sizeof(r));
    r.family = AF_INET;
    memcpy(r.bytes, a->bytes + 12, 4);
  }
  return r;
}

static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits) {
  unsigned full = bits / 8, rest = bits % 8;
  if (memcmp(a, b, full) != 0)
    return false;
  if (rest == 0)
    return true;
  uint8_t mask = (uint8_t)(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

bool np_cidr_contains(const np_cidr *c, const np_addr *addr) {
  np_addr a = np_addr_unmap(addr);
  np_addr net = np_addr_unmap(&c->net);
  unsigned prefix = c->prefix;
  if (net.family != c->net.family) /* a mapped network: ::ffff:0:0/96 + n */
    prefix = prefix >= 96 ? prefix - 96 : 0;
  if (a.family != net.family)
    return false;
  return prefix_equal(a.bytes, net.bytes, prefix);
}

void np_addr_format(const np_addr *a, char *buf, size_t len) {
  if (!inet_ntop(a->family, a->bytes, buf, (socklen_t)len))
    snprintf(buf, len, "?");
}

void np_addr_from_sockaddr(const struct sockaddr *sa, np_addr *out) {
  memset(out, 0, sizeof(*out));
  if (sa->sa_family == AF_INET) {
    out->family = AF_INET;
    memcpy(out->bytes, &((const struct sockaddr_in *)sa)->sin_addr, 4);
  } else {
    out->family = AF_INET6;
    memcpy(out->bytes, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
  }
}

socklen_t np_addr_to_sockaddr(const np_addr *a, uint16_t port, struct sockaddr_storage *out) {
  memset(out, 0, sizeof(*out));
  if (a->family == AF_INET) {
    struct sockaddr_in *in = (struct sockaddr_in *)out;
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    memcpy(&in->sin_addr, a->bytes, 4);
    return sizeof(*in);
  }
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(port);
  memcpy(&in6->sin6_addr, a->bytes, 16);
  return sizeof(*in6);
}

typedef struct {
  uint8_t bytes[4];
  unsigned prefix;
  const char *name;
} v4_range;

/* IANA's IPv4 special-purpose registry, less what is globally reachable unicast. */
static const v4_range v4_private[] = {
    {{0, 0, 0, 0}, 8, "this-network 0.0.0.0/8"},
    {{10, 0, 0, 0}, 8, "private 10.0.0.0/8"},
    {{100, 64, 0, 0}, 10, "carrier-grade NAT 100.64.0.0/10"},
    {{127, 0, 0, 0}, 8, "loopback 127.0.0.0/8"},
    {{169, 254, 0, 0}, 16, "link-local 169.254.0.0/16 (cloud metadata)"},
    {{172, 16, 0, 0}, 12, "private 172.16.0.0/12"},
    {{192, 0, 0, 0}, 24, "IETF protocol assignments 192.0.0.0/24"},
    {{192, 0, 2, 0}, 24, "documentation 192.0.2.0/24"},
    {{192, 88, 99, 0}, 24, "6to4 relay anycast 192.88.99.0/24"},
    {{192, 168, 0, 0}, 16, "private 192.168.0.0/16"},
    {{198, 18, 0, 0}, 15, "benchmarking 198.18.0.0/15"},
    {{198, 51, 100, 0}, 24, "documentation 198.51.100.0/24"},
    {{203, 0, 113, 0}, 24, "documentation 203.0.113.0/24"},
    {{224, 0, 0, 0}, 4, "multicast 224.0.0.0/4"},
    {{240, 0, 0, 0}, 4, "reserved 240.0.0.0/4 (and broadcast)"},
};

static bool v4_is_private(const uint8_t *b, const char **why) {
  for (size_t i = 0; i < sizeof(v4_private) / sizeof(v4_private[0]); i++) {
    if (prefix_equal(b, v4_private[i].bytes, v4_private[i].prefix)) {
      if (why)
        *why = v4_private[i].name;
      return true;
    }
  }
  return false;
}

typedef struct {
  uint8_t bytes[16];
  unsigned prefix;
  const char *name;
} v6_range;

static const v6_range v6_private[] = {
    {{0}, 128, "unspecified ::"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback ::1"},
    {{0x01, 0x00}, 64, "discard-only 100::/64"},
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, "local-use NAT64 64:ff9b:1::/48"},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "documentation 2001:db8::/32"},
    {{0x20, 0x01, 0x00, 0x00}, 32, "Teredo 2001::/32 (embeds an IPv4 address)"},
    {{0x20, 0x01, 0x00, 0x10}, 28, "ORCHID 2001:10::/28"},
    {{0x3f, 0xff}, 20, "documentation 3fff::/20"},
    {{0xfc}, 7, "unique local fc00::/7"},
    {{0xfe, 0x80}, 10, "link-local fe80::/10"},
    {{0xfe, 0xc0}, 10, "site-local fec0::/10"},
    {{0xff}, 8, "multicast ff00::/8"},
};

bool np_addr_is_private(const np_addr *a, const char **why) {
  static const char *embedded_why = "an IPv6 form of a private IPv4 address";
  if (a->family == AF_INET)
    return v4_is_private(a->bytes, why);
  const uint8_t *b = a->bytes;
  for (size_t i = 0; i < sizeof(v6_private) / sizeof(v6_private[0]); i++) {
    if (prefix_equal(b, v6_private[i].bytes, v6_private[i].prefix)) {
      if (why)
        *why = v6_private[i].name;
      return true;
    }
  }
  static const uint8_t zero[12] = {0};
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const uint8_t translated[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0}; /* ::ffff:0:a.b.c.d */
  static const uint8_t nat64[12] = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  const uint8_t *v4 = NULL;
  if (memcmp(b, zero, 12) == 0 || memcmp(b, mapped, 12) == 0 || memcmp(b, translated, 12) == 0 ||
      memcmp(b, nat64, 12) == 0)
    v4 = b + 12; /* compatible, mapped, SIIT, NAT64 well-known prefix */
  else if (b[0] == 0x20 && b[1] == 0x02)
    v4 = b + 2; /* 6to4: 2002:AABB:CCDD::/48 */
  if (v4 && v4_is_private(v4, NULL)) {
    if (why)
      *why = embedded_why;
    return true;
  }
  return false;
}
