/* upstream.h: the user's upstream proxy (--upstream http://... or socks5h://...): every allowed connection goes through it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolve.h"

typedef enum { NP_UPSTREAM_HTTP, NP_UPSTREAM_SOCKS5H } np_upstream_kind;

typedef struct {
  np_upstream_kind kind;
  char host[256];
  uint16_t port;
  np_addr addrs[NP_RESOLVE_MAX]; /* resolved once, at start-up */
  int n_addrs;
  char user[256], password[256]; /* from USER:PASSWORD@ in the URL, if any */
  bool has_auth;
} np_upstream;

/* Parses the URL and resolves its host (before confinement: the proxy needs no
 * lookup afterwards for it).  0, or -EINVAL/-ENOENT with a message. */
int np_upstream_init(np_upstream *u, const char *url, const np_resolver *res, char *err, size_t errlen);
/* A connection to the upstream proxy itself.  fd or -errno. */
int np_upstream_connect(const np_upstream *u, int64_t deadline_ms);
/* A tunnel to host:port through the upstream (HTTP CONNECT, or a SOCKS5 CONNECT
 * with the name for the upstream to resolve).  The fd, ready to relay, or
 * -ECONNREFUSED (the upstream said no; the message says what it answered) or
 * another -errno. */
int np_upstream_tunnel(const np_upstream *u, const char *host, uint16_t port, int64_t deadline_ms, char *err,
                       size_t errlen);
