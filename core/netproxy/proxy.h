/* proxy.h: what every client thread shares (read-only after start-up, but the client count), and serving one client. */
#pragma once

#include <stdatomic.h>

#include "log.h"
#include "options.h"
#include "resolve.h"
#include "rules.h"
#include "upstream.h"

typedef struct {
  const np_options *opts;
  np_rules *rules;
  np_resolver *resolver;
  np_upstream *upstream; /* NULL: connect directly */
  np_log *log;
  atomic_int clients; /* being served now */
} np_proxy;

/* Serves one client connection (owns |fd|) on a thread of its own, or closes it
 * at once (logged) when max_clients are already being served.  0 or -errno. */
int np_client_start(np_proxy *px, int fd);
