/* relay.h: copying bytes both ways between a client and its server, half-closing correctly, until both ends are done or idle. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Sees each chunk read from the client before it goes to the server: returns how
 * many of its first bytes to send (the rest are dropped), or -errno to abort;
 * *stop: read no more from the client (without half-closing the server: the
 * request is complete and the answer is still to come). */
typedef ssize_t (*np_relay_filter)(void *ctx, const char *data, size_t len, bool *stop);

typedef struct {
  uint64_t up;   /* client to server */
  uint64_t down; /* server to client */
} np_relay_bytes;

/* Relays until both directions reached end of file (each passed on as a
 * shutdown of the other side's write half), an error, or |idle_ms| without a
 * byte either way.  |filter| may be NULL.  Does not close the fds.  Returns 0
 * when both ends finished, -ETIMEDOUT when idle, -errno on an error; |bytes|
 * counts what was passed on either way.  |client_done|: the client's request
 * is already complete (read nothing more from it; the server keeps its read half). */
int np_relay(int client, int server, int idle_ms, np_relay_filter filter, void *ctx, bool client_done,
             np_relay_bytes *bytes);
