/* notify-dispatch.c: the supervisor thread, its workers and the life cycle of every notified call (design in notify-dispatch.h). */
#include "notify-dispatch.h"

#include <errno.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "notify-pool.h"
#include "notify-resources.h"

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

/* A call no worker takes within this long (none idle, none can be started:
 * RLIMIT_NPROC, the cap) is answered RF_NOTIFY_SHORT. */
#define RF_WORKER_WAIT_MS 250

struct rf_notify_dispatch {
  rf_notify_dispatch_config config;
  pthread_t thread;
  int started;
  int channel_fd;
  int stop_fd;     /* eventfd: wakes the thread to stop */
  int listener_fd; /* in the supervisor threads' own tables only */
  struct {
    const rf_notify_handler *handler;
    void *state;
  } handlers[RF_NOTIFY_MAX_HANDLERS];
  size_t n_handlers;
  rf_notify_pool *pool;
  size_t notif_size;
  int keep_fds[2 + RF_NOTIFY_MAX_KEEP]; /* what each worker's table keeps */
  size_t n_keep_fds;
};

int rf_notify_drop_thread_capabilities(void) {
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  memset(data, 0, sizeof(data));
  /* The raw syscall changes this thread only; glibc has no wrapper that
   * would broadcast it to ringfence's other threads. */
  return syscall(SYS_capset, &header, data) == 0 ? 0 : -errno;
}

/* ---- one call --------------------------------------------------------------- */

/* Sends the answer; 0 when the caller no longer waits for it (ENOENT: it
 * was interrupted or killed meanwhile), else 1. */
static int answer(rf_notify_dispatch *d, const struct seccomp_notif *req, int result,
                  long long value) {
  if (result == RF_NOTIFY_ANSWERED)
    return 1;
  char buffer[512]; /* > any seccomp_notif_resp the kernel asks for (24 bytes) */
  struct seccomp_notif_resp *resp = (struct seccomp_notif_resp *)buffer;
  memset(buffer, 0, sizeof(buffer));
  resp->id = req->id;
  if (result == RF_NOTIFY_CONTINUE) {
    resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  } else {
    resp->error = result < 0 ? result : 0;
    resp->val = result < 0 ? 0 : value;
  }
  return ioctl(d->listener_fd, SECCOMP_IOCTL_NOTIF_SEND, resp) == 0 || errno != ENOENT;
}

static int route(rf_notify_dispatch *d, int nr) {
  for (size_t i = 0; i < d->n_handlers; i++)
    if (d->handlers[i].handler->handles(d->handlers[i].state, nr))
      return (int)i;
  return -1;
}

/* Attaches to the caller, asks the handler, answers, and takes back what
 * the call made if the answer finds no caller. */
static void serve(rf_notify_dispatch *d, size_t slot, const struct seccomp_notif *req, int usable) {
  int h = route(d, req->data.nr);
  rf_target t = {.proc = -1, .mem = -1};
  rf_notify_call call = {.req = req, .listener = d->listener_fd, .target = &t, .slot = slot};
  int result;
  if (h < 0)
    result = -ENOSYS; /* a filter that sends what no handler takes: refused, never hung */
  else if (!usable)
    result = RF_NOTIFY_SHORT;
  else if ((result = rf_target_attach(&t, d->listener_fd, req)) == 0)
    result = d->handlers[h].handler->handle(d->handlers[h].state, &call);
  rf_target_detach(&t);
  /* A name made for a caller that no longer waits for the answer (a signal
   * interrupted it): it will retry, or see EINTR, so take it back. */
  if (!answer(d, req, result, call.value) && call.made && h >= 0 &&
      d->handlers[h].handler->take_back)
    d->handlers[h].handler->take_back(d->handlers[h].state, &call);
}

/* ---- the pool's hooks ---------------------------------------------------------- */

static __thread int worker_usable; /* capabilities dropped where asked */

static void worker_start(void *ctx, size_t slot) {
  rf_notify_dispatch *d = ctx;
  worker_usable = !d->config.drop_capabilities || rf_notify_drop_thread_capabilities() == 0;
  for (size_t i = 0; i < d->n_handlers; i++)
    if (d->handlers[i].handler->worker_start)
      d->handlers[i].handler->worker_start(d->handlers[i].state, slot);
}

static void worker_handle(void *ctx, size_t slot, const struct seccomp_notif *req) {
  serve(ctx, slot, req, worker_usable);
}

static void worker_end(void *ctx, size_t slot) {
  rf_notify_dispatch *d = ctx;
  for (size_t i = 0; i < d->n_handlers; i++)
    if (d->handlers[i].handler->worker_end)
      d->handlers[i].handler->worker_end(d->handlers[i].state, slot);
}

/* ---- the thread ----------------------------------------------------------------- */

static void *supervise(void *arg) {
  rf_notify_dispatch *d = arg;
  struct seccomp_notif *req = NULL;
  int readied = 0;
  /* A descriptor table of our own (see notify-resources.h), holding only
   * what the supervisor uses: ringfence cannot starve it, nor it ringfence.
   * Without one the listener is not taken: the sandbox then stops before
   * the command starts (bwrap), or its notified calls fail with ENOSYS. */
  int keep[2 + RF_NOTIFY_MAX_KEEP];
  size_t n_keep = 0;
  keep[n_keep++] = d->channel_fd;
  keep[n_keep++] = d->stop_fd;
  for (size_t i = 0; i < d->config.n_keep; i++)
    keep[n_keep++] = d->config.keep[i];
  if (rf_notify_private_fd_table(keep, n_keep, 1) < 0)
    goto done;
  /* The kernel's struct seccomp_notif may be larger than ours. */
  struct seccomp_notif_sizes sizes;
  d->notif_size = sizeof(struct seccomp_notif);
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0 &&
      sizes.seccomp_notif > d->notif_size)
    d->notif_size = sizes.seccomp_notif;
  /* One worker now, before the command runs: a command that exhausts
   * RLIMIT_NPROC still has one to answer it.  It shares this table (and
   * the listener it is about to receive) until its first call, when it
   * makes its own holding d->keep_fds. */
  rf_notify_pool_config pool = {
      .ctx = d,
      .notif_size = d->notif_size,
      .max_workers = d->config.max_workers,
      .wait_ms = RF_WORKER_WAIT_MS,
      .same_caller_wait_ms = d->config.same_caller_wait_ms,
      .keep_fds = d->keep_fds,
      .n_keep_fds = 0, /* set once the listener is here, before any dispatch */
      .keep_stdio = d->config.keep_stdio,
      .worker_start = worker_start,
      .handle = worker_handle,
      .worker_end = worker_end,
  };
  for (size_t i = 0; i < d->config.n_keep; i++)
    d->keep_fds[1 + i] = d->config.keep[i];
  d->n_keep_fds = 1 + d->config.n_keep;
  pool.n_keep_fds = sizeof(d->keep_fds) / sizeof(d->keep_fds[0]);
  d->keep_fds[0] = -1;
  for (size_t i = d->n_keep_fds; i < pool.n_keep_fds; i++)
    d->keep_fds[i] = -1;
  if (rf_notify_pool_new(&pool, &d->pool) < 0)
    goto done;
  rf_notify_pool_start_worker(d->pool);

  struct pollfd first[2] = {{.fd = d->channel_fd, .events = POLLIN},
                            {.fd = d->stop_fd, .events = POLLIN}};
  while (poll(first, 2, -1) < 0 && errno == EINTR)
    ;
  int listener = -1;
  if (first[1].revents || d->config.receive(d->config.ctx, d, d->channel_fd, &listener) < 0)
    goto done;
  d->listener_fd = listener;
  d->keep_fds[0] = listener;
  /* Calls answered here are made with this thread's credentials too. */
  if (d->config.drop_capabilities && rf_notify_drop_thread_capabilities() < 0)
    goto done;
  req = calloc(1, d->notif_size);
  if (!req)
    goto done;
  if (d->config.ready && d->config.ready(d->config.ctx, d->channel_fd) < 0)
    goto done;
  readied = 1;
  for (;;) {
    struct pollfd fds[2] = {{.fd = d->listener_fd, .events = POLLIN},
                            {.fd = d->stop_fd, .events = POLLIN}};
    int rc = poll(fds, 2, -1);
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc < 0 || fds[1].revents || (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
      break;
    memset(req, 0, d->notif_size); /* the kernel wants it zeroed */
    if (ioctl(d->listener_fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
      if (errno == EINTR || errno == ENOENT)
        continue;
      break;
    }
    int h = route(d, req->data.nr);
    if (h >= 0 && d->handlers[h].handler->on_receiver &&
        d->handlers[h].handler->on_receiver(d->handlers[h].state, req->data.nr))
      serve(d, RF_NOTIFY_RECEIVER, req, 1);
    else if (rf_notify_pool_dispatch(d->pool, req) < 0)
      answer(d, req, RF_NOTIFY_SHORT, 0);
  }
done:
  /* Never ready: the sandbox side waits on the channel for our answer, and
   * must see it end (and stop the run) rather than wait for ever. */
  if (!readied)
    shutdown(d->channel_fd, SHUT_RDWR);
  free(req);
  /* Workers answer what is queued and exit, releasing their tables (and
   * with the last one the listener: the kernel then fails the sandbox's
   * notified calls with ENOSYS instead of leaving them waiting). */
  rf_notify_pool_stop(d->pool);
  if (d->listener_fd >= 0)
    close(d->listener_fd); /* this thread's copy */
  return NULL;
}

/* ---- life cycle ----------------------------------------------------------------- */

int rf_notify_dispatch_new(const rf_notify_dispatch_config *config, int channel_fd,
                           rf_notify_dispatch **out, char *err, size_t err_len) {
  rf_notify_dispatch *d = calloc(1, sizeof(*d));
  if (!d || config->n_keep > RF_NOTIFY_MAX_KEEP || !config->receive) {
    close(channel_fd);
    free(d);
    snprintf(err, err_len, d ? "notify dispatcher: bad configuration" : "out of memory");
    return d ? -EINVAL : -ENOMEM;
  }
  d->config = *config;
  if (d->config.max_workers == 0 || d->config.max_workers > RF_NOTIFY_POOL_MAX)
    d->config.max_workers = RF_NOTIFY_POOL_MAX;
  d->channel_fd = channel_fd;
  d->listener_fd = -1;
  d->stop_fd = eventfd(0, EFD_CLOEXEC);
  if (d->stop_fd < 0) {
    int e = errno;
    close(channel_fd);
    free(d);
    snprintf(err, err_len, "eventfd: %s", strerror(e));
    return -e;
  }
  *out = d;
  return 0;
}

int rf_notify_dispatch_add(rf_notify_dispatch *d, const rf_notify_handler *handler, void *state) {
  if (d->n_handlers >= RF_NOTIFY_MAX_HANDLERS || d->started)
    return -ENOSPC;
  d->handlers[d->n_handlers].handler = handler;
  d->handlers[d->n_handlers].state = state;
  d->n_handlers++;
  return 0;
}

int rf_notify_dispatch_keep(rf_notify_dispatch *d, int fd) {
  if (d->n_keep_fds >= sizeof(d->keep_fds) / sizeof(d->keep_fds[0]))
    return -ENOSPC;
  d->keep_fds[d->n_keep_fds++] = fd;
  return 0;
}

int rf_notify_dispatch_start(rf_notify_dispatch *d, char *err, size_t err_len) {
  int rc = pthread_create(&d->thread, NULL, supervise, d);
  if (rc != 0) {
    snprintf(err, err_len, "cannot start the notification supervisor thread: %s%s", strerror(rc),
             rc == EAGAIN ? " (RLIMIT_NPROC reached? raise it with 'ulimit -u')" : "");
    return -rc;
  }
  d->started = 1;
  return 0;
}

void rf_notify_dispatch_stop(rf_notify_dispatch *d) {
  if (!d)
    return;
  uint64_t one = 1;
  if (write(d->stop_fd, &one, sizeof(one)) < 0) {
    /* the thread may already be gone */
  }
  if (d->started)
    pthread_join(d->thread, NULL);
  rf_notify_pool_stop(d->pool);
  for (size_t i = 0; i < d->n_handlers; i++)
    if (d->handlers[i].handler->stopping)
      d->handlers[i].handler->stopping(d->handlers[i].state);
  /* Every worker finishes its call and exits (a handler's worker_end ends
   * what it started for that worker). */
  rf_notify_pool_free(d->pool);
  close(d->stop_fd);
  close(d->channel_fd);
  free(d);
}
