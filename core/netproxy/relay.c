/* relay.c: the byte relay of a tunnel or forwarded request, with a fixed buffer each way (see relay.h). */
#include "relay.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>

#define NP_RELAY_BUFFER (128 * 1024)

typedef struct {
  int from, to;
  char *buf;
  size_t start, end;
  bool eof;      /* nothing more will be read from |from| */
  bool shut;     /* |to| was told (shutdown) or must not be */
  uint64_t *count;
} direction;

static int pump_in(direction *d, np_relay_filter filter, void *ctx) {
  ssize_t n = recv(d->from, d->buf, NP_RELAY_BUFFER, MSG_DONTWAIT);
  if (n < 0)
    return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -errno;
  if (n == 0) {
    d->eof = true;
    return 0;
  }
  size_t keep = (size_t)n;
  if (filter) {
    bool stop = false;
    ssize_t k = filter(ctx, d->buf, (size_t)n, &stop);
    if (k < 0)
      return (int)k;
    keep = (size_t)k < (size_t)n ? (size_t)k : (size_t)n;
    if (stop) {
      d->eof = true;
      d->shut = true; /* the request is complete: the server keeps its read half */
    }
  }
  d->start = 0;
  d->end = keep;
  return 0;
}

static int pump_out(direction *d) {
  ssize_t n = send(d->to, d->buf + d->start, d->end - d->start, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n < 0)
    return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -errno;
  d->start += (size_t)n;
  *d->count += (uint64_t)n;
  if (d->start == d->end)
    d->start = d->end = 0;
  return 0;
}

static bool finished(const direction *d) {
  return d->eof && d->start == d->end;
}

int np_relay(int client, int server, int idle_ms, np_relay_filter filter, void *ctx, bool client_done,
             np_relay_bytes *bytes) {
  bytes->up = bytes->down = 0;
  char *bufs = malloc(2 * NP_RELAY_BUFFER);
  if (!bufs)
    return -ENOMEM;
  direction up = {.from = client, .to = server, .buf = bufs, .count = &bytes->up};
  direction down = {.from = server, .to = client, .buf = bufs + NP_RELAY_BUFFER, .count = &bytes->down};
  up.eof = up.shut = client_done;
  int rc = 0;
  while (rc == 0) {
    direction *dirs[2] = {&up, &down};
    for (int i = 0; i < 2; i++) {
      direction *d = dirs[i];
      if (finished(d) && !d->shut) {
        shutdown(d->to, SHUT_WR);
        d->shut = true;
      }
    }
    if (finished(&up) && finished(&down))
      break;
    struct pollfd p[2] = {{.fd = client}, {.fd = server}};
    if (!up.eof && up.start == up.end)
      p[0].events |= POLLIN;
    if (down.start != down.end)
      p[0].events |= POLLOUT;
    if (!down.eof && down.start == down.end)
      p[1].events |= POLLIN;
    if (up.start != up.end)
      p[1].events |= POLLOUT;
    int n = poll(p, 2, idle_ms);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      rc = -errno;
      break;
    }
    if (n == 0) {
      rc = -ETIMEDOUT;
      break;
    }
    for (int i = 0; i < 2 && rc == 0; i++) {
      direction *reader = i == 0 ? &up : &down;
      if (p[i].revents & (POLLERR | POLLNVAL))
        rc = -ECONNRESET; /* reset: what is pending cannot be delivered */
      else if ((p[i].revents & POLLHUP) && (p[i].events & POLLIN) && !(p[i].revents & POLLIN))
        reader->eof = true; /* both halves gone and nothing left to read */
    }
    if (rc)
      break;
    if (p[0].revents & POLLIN)
      rc = pump_in(&up, filter, ctx);
    if (rc == 0 && (p[1].revents & POLLIN))
      rc = pump_in(&down, NULL, NULL);
    if (rc == 0 && (p[1].revents & POLLOUT))
      rc = pump_out(&up);
    if (rc == 0 && (p[0].revents & POLLOUT))
      rc = pump_out(&down);
  }
  free(bufs);
  return rc;
}
