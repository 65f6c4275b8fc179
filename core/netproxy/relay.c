/* relay.c: the byte relay of a tunnel or forwarded request: splice(2) through a pipe each way (no copy through
 * this process), or a fixed buffer where a filter must see the bytes or splice is refused (see relay.h). */
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define NP_RELAY_BUFFER (128 * 1024)
#define NP_RELAY_PIPE (256 * 1024)

typedef struct {
  int from, to;
  int pipe[2];   /* splice mode: the kernel buffer between the two sockets; -1 in buffer mode */
  char *buf;     /* buffer mode */
  size_t start, end;
  size_t pending; /* splice mode: bytes in the pipe */
  size_t pipe_size;
  bool eof;       /* nothing more will be read from |from| */
  bool shut;      /* |to| was told (shutdown) or must not be */
  uint64_t *count;
} direction;

static bool has_pending(const direction *d) {
  return d->pipe[0] >= 0 ? d->pending > 0 : d->start != d->end;
}

static int pump_in(direction *d, np_relay_filter filter, void *ctx) {
  if (d->pipe[0] >= 0) {
    ssize_t n = splice(d->from, NULL, d->pipe[1], NULL, d->pipe_size - d->pending, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
    if (n < 0)
      return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
    if (n == 0)
      d->eof = true;
    d->pending += (size_t)n;
    return 0;
  }
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
  ssize_t n;
  if (d->pipe[0] >= 0)
    n = splice(d->pipe[0], NULL, d->to, NULL, d->pending, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
  else
    n = send(d->to, d->buf + d->start, d->end - d->start, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n < 0)
    return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -errno;
  *d->count += (uint64_t)n;
  if (d->pipe[0] >= 0) {
    d->pending -= (size_t)n;
  } else {
    d->start += (size_t)n;
    if (d->start == d->end)
      d->start = d->end = 0;
  }
  return 0;
}

/* Moves what can be moved in this direction without waiting: read while there is room, write while
 * there is something to write, until neither progresses.  0 or -errno. */
static int move(direction *d, np_relay_filter filter, void *ctx) {
  for (;;) {
    bool progressed = false;
    size_t before_in = d->pipe[0] >= 0 ? d->pending : d->end;
    bool was_eof = d->eof;
    if (!d->eof && (d->pipe[0] >= 0 ? d->pending < d->pipe_size : d->start == d->end)) {
      int rc = pump_in(d, filter, ctx);
      if (rc < 0)
        return rc;
      progressed = (d->pipe[0] >= 0 ? d->pending : d->end) != before_in || d->eof != was_eof;
    }
    if (has_pending(d)) {
      uint64_t before_out = *d->count;
      int rc = pump_out(d);
      if (rc < 0)
        return rc;
      progressed = progressed || *d->count != before_out;
    }
    if (!progressed)
      return 0;
  }
}

static bool finished(const direction *d) {
  return d->eof && !has_pending(d);
}

/* Splice mode for a direction when the kernel gives a pipe; buffer mode otherwise. */
static void setup(direction *d, bool want_splice) {
  d->pipe[0] = d->pipe[1] = -1;
  if (want_splice && pipe2(d->pipe, O_CLOEXEC | O_NONBLOCK) == 0) {
    fcntl(d->pipe[1], F_SETPIPE_SZ, NP_RELAY_PIPE); /* may be refused (pipe-user-pages-soft): the default works */
    int size = fcntl(d->pipe[1], F_GETPIPE_SZ);
    d->pipe_size = size > 0 ? (size_t)size : 65536;
  }
}

int np_relay(int client, int server, int idle_ms, np_relay_filter filter, void *ctx, bool client_done,
             np_relay_bytes *bytes) {
  bytes->up = bytes->down = 0;
  direction up = {.from = client, .to = server, .count = &bytes->up};
  direction down = {.from = server, .to = client, .count = &bytes->down};
  setup(&up, filter == NULL);
  setup(&down, true);
  if (up.pipe[0] < 0 || down.pipe[0] < 0) {
    char *bufs = malloc(2 * NP_RELAY_BUFFER);
    if (!bufs) {
      for (int i = 0; i < 2; i++) {
        if (up.pipe[i] >= 0)
          close(up.pipe[i]);
        if (down.pipe[i] >= 0)
          close(down.pipe[i]);
      }
      return -ENOMEM;
    }
    up.buf = bufs;
    down.buf = bufs + NP_RELAY_BUFFER;
  }
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
    if (!up.eof && (up.pipe[0] >= 0 ? up.pending < up.pipe_size : !has_pending(&up)))
      p[0].events |= POLLIN;
    if (has_pending(&down))
      p[0].events |= POLLOUT;
    if (!down.eof && (down.pipe[0] >= 0 ? down.pending < down.pipe_size : !has_pending(&down)))
      p[1].events |= POLLIN;
    if (has_pending(&up))
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
    if (p[0].revents || p[1].revents) {
      rc = move(&up, filter, ctx);
      if (rc == 0)
        rc = move(&down, NULL, NULL);
    }
  }
  for (int i = 0; i < 2; i++) {
    if (up.pipe[i] >= 0)
      close(up.pipe[i]);
    if (down.pipe[i] >= 0)
      close(down.pipe[i]);
  }
  free(up.buf);
  return rc;
}
