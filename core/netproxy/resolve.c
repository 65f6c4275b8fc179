/* resolve.c: name resolution for the proxy, once per connection (see resolve.h). */
#include "resolve.h"

#include <errno.h>
#include <glib.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"

typedef struct {
  char *host;
  np_addr addr;
} fixed_answer;

struct np_resolver {
  GArray *fixed; /* of fixed_answer */
};

static void fixed_clear(gpointer p) {
  g_free(((fixed_answer *)p)->host);
}

np_resolver *np_resolver_new(void) {
  np_resolver *res = g_new0(np_resolver, 1);
  res->fixed = g_array_new(FALSE, TRUE, sizeof(fixed_answer));
  g_array_set_clear_func(res->fixed, fixed_clear);
  return res;
}

void np_resolver_free(np_resolver *res) {
  if (!res)
    return;
  g_array_unref(res->fixed);
  g_free(res);
}

int np_resolver_add_fixed(np_resolver *res, const char *spec, char *err, size_t errlen) {
  const char *colon = strchr(spec, ':');
  char host[256];
  fixed_answer fa = {0};
  if (!colon || colon == spec || np_host_normalize(spec, (size_t)(colon - spec), host, sizeof(host)) < 0 ||
      np_addr_parse(colon + 1, strlen(colon + 1), &fa.addr) < 0 ||
      np_addr_parse(host, strlen(host), &(np_addr){0}) == 0) {
    snprintf(err, errlen, "--resolve %s: expected HOST:ADDRESS (a host name, then an IPv4 or IPv6 address)", spec);
    return -EINVAL;
  }
  fa.host = g_strdup(host);
  g_array_append_val(res->fixed, fa);
  return 0;
}

int np_resolve(const np_resolver *res, const char *host, np_addr *out, size_t max, char *err, size_t errlen) {
  if (max == 0)
    return -EINVAL;
  if (np_addr_parse(host, strlen(host), &out[0]) == 0)
    return 1;
  size_t n = 0;
  for (guint i = 0; i < res->fixed->len; i++) {
    const fixed_answer *fa = &g_array_index(res->fixed, fixed_answer, i);
    if (strcmp(fa->host, host) == 0 && n < max)
      out[n++] = fa->addr;
  }
  if (n > 0)
    return (int)n;
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_protocol = IPPROTO_TCP};
  struct addrinfo *ai = NULL;
  int rc = getaddrinfo(host, NULL, &hints, &ai);
  if (rc != 0) {
    snprintf(err, errlen, "%s does not resolve: %s", host, gai_strerror(rc));
    return rc == EAI_AGAIN ? -EAGAIN : -ENOENT;
  }
  for (struct addrinfo *p = ai; p && n < max; p = p->ai_next) {
    if (p->ai_family != AF_INET && p->ai_family != AF_INET6)
      continue;
    np_addr_from_sockaddr(p->ai_addr, &out[n]);
    bool dup = false;
    for (size_t j = 0; j < n && !dup; j++)
      dup = memcmp(&out[j], &out[n], sizeof(np_addr)) == 0;
    if (!dup)
      n++;
  }
  freeaddrinfo(ai);
  if (n == 0) {
    snprintf(err, errlen, "%s has no IPv4 or IPv6 address", host);
    return -ENOENT;
  }
  return (int)n;
}
