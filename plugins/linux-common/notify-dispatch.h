/* notify-dispatch.h: the one seccomp user-notification supervisor of both Linux backends: listener, worker threads, and each call's life cycle; the decisions are the handlers'.
 *
 * The split:
 *   - The dispatcher (notify-dispatch.c) owns what every notification needs
 *     whatever it asks: the listener, which lives only in the supervisor
 *     threads' own descriptor tables (notify-resources.h); the pool of worker
 *     threads (notify-pool.h), one started before the command runs; for each
 *     notification, attaching to the caller (rf_target_attach: /proc/TID
 *     opened, then SECCOMP_IOCTL_NOTIF_ID_VALID) before a handler sees it;
 *     the answer (SECCOMP_IOCTL_NOTIF_SEND, or "continue", or none when the
 *     handler already answered with SECCOMP_ADDFD_FLAG_SEND); and taking back
 *     what a call made when its answer finds no caller (a signal interrupted
 *     it, and it will see EINTR or make the call again).
 *   - A handler (notify-handler-*.c) owns one decision and the seccomp rules
 *     that send it its calls: sockets (connect and the sends that name a
 *     destination, bind), the filesystem guard (name-creating and -removing
 *     calls, performed by ringfence-fs-proxy), metadata calls (chmod, chown,
 *     utimes, xattrs under Landlock).  It copies what it needs out of the
 *     caller through the attached target (notify-target.h), decodes it with
 *     notify-decode.h, checks the notification again right before acting on
 *     the caller's behalf (rf_notif_id_valid), and returns the answer.
 *   - A backend says which handlers it wants (rf_notify_dispatch_add) and
 *     how the listener reaches ringfence (the receive hook: from the bwrap
 *     sandbox's init with pidfd_getfd, or with SCM_RIGHTS from the Landlock
 *     command).  No decision is written in a backend.
 *
 * If the supervisor is gone, the kernel fails every notified call with
 * ENOSYS: the mechanism fails closed.
 */
#pragma once

#include <linux/seccomp.h>
#include <stddef.h>

#include "notify-target.h"

/* A handler's answers besides 0 (success, returning call->value) and -errno. */
#define RF_NOTIFY_CONTINUE 1 /* the kernel carries on with the call as the caller made it */
#define RF_NOTIFY_ANSWERED 2 /* the handler answered already (SECCOMP_ADDFD_FLAG_SEND) */

/* The slot of the receiving thread (handlers with on_receiver). */
#define RF_NOTIFY_RECEIVER ((size_t)-1)

/* One notification, as a handler sees it. */
typedef struct {
  const struct seccomp_notif *req;
  int listener;
  rf_target *target; /* the caller, attached and checked */
  size_t slot;       /* the worker's slot (0 .. RF_NOTIFY_POOL_MAX-1) or RF_NOTIFY_RECEIVER */
  long long value;   /* what the call returns when the handler returns 0 */
  int made;          /* set by the handler: the call made something (a directory entry) that
                      * take_back removes when the answer finds no caller */
} rf_notify_call;

typedef struct {
  const char *name;
  /* 1 when this handler answers syscall |nr| (the backend's filter sends it). */
  int (*handles)(void *state, int nr);
  /* 0 (call->value is returned), -errno, RF_NOTIFY_CONTINUE or RF_NOTIFY_ANSWERED. */
  int (*handle)(void *state, rf_notify_call *call);
  /* Undoes what |call| made (call->made set): may be NULL. */
  void (*take_back)(void *state, rf_notify_call *call);
  /* In each worker before its first call / after its last: may be NULL. */
  void (*worker_start)(void *state, size_t slot);
  void (*worker_end)(void *state, size_t slot);
  /* The sandbox is gone: end what a worker may be blocked in (a helper
   * process waiting on a FIFO), so that every worker can finish.  May be NULL. */
  void (*stopping)(void *state);
  /* 1 when call |nr| never blocks: answered on the receiving thread, in
   * order, instead of by a worker.  NULL: always by a worker. */
  int (*on_receiver)(void *state, int nr);
} rf_notify_handler;

typedef struct rf_notify_dispatch rf_notify_dispatch;

#define RF_NOTIFY_MAX_HANDLERS 4
#define RF_NOTIFY_MAX_KEEP 4

typedef struct {
  void *ctx; /* the backend's, passed to the hooks below */
  /* On the supervisor thread, in its own descriptor table, once |channel_fd|
   * is readable: obtains the listener (and whatever else the backend keeps,
   * see rf_notify_dispatch_keep).  0 or -1: the run's notified calls then
   * fail (the sandbox stops before the command starts, or ENOSYS). */
  int (*receive)(void *ctx, rf_notify_dispatch *d, int channel_fd, int *listener);
  /* Once a worker exists: tells the sandbox to go on.  NULL: nothing to say. */
  int (*ready)(void *ctx, int channel_fd);
  size_t max_workers;           /* at most RF_NOTIFY_POOL_MAX */
  unsigned same_caller_wait_ms; /* see notify-pool.h; 0 when no handler takes anything back */
  int keep_stdio;               /* the workers keep 0-2 (ringfence-fs-proxy's stderr) */
  /* Every supervisor thread drops its capabilities (they are per thread):
   * what it does for the caller is then held to the caller's permissions.
   * A worker that cannot answers RF_NOTIFY_SHORT. */
  int drop_capabilities;
  /* Descriptors (besides the listener and channel) every supervisor thread keeps. */
  int keep[RF_NOTIFY_MAX_KEEP];
  size_t n_keep;
} rf_notify_dispatch_config;

/* A dispatcher with no handler yet (copies |config|); it owns |channel_fd|
 * from now on, even on failure.  0 or -errno with a message. */
int rf_notify_dispatch_new(const rf_notify_dispatch_config *config, int channel_fd,
                           rf_notify_dispatch **out, char *err, size_t err_len);

/* Routes the calls |handler| says it handles to it (before start; handlers
 * are asked in the order added).  0 or -ENOSPC. */
int rf_notify_dispatch_add(rf_notify_dispatch *d, const rf_notify_handler *handler, void *state);

/* From the receive hook: one more descriptor every worker keeps (0 or -ENOSPC). */
int rf_notify_dispatch_keep(rf_notify_dispatch *d, int fd);

/* Starts the supervisor thread.  0 or -errno with a message (the
 * dispatcher is then still to be freed with rf_notify_dispatch_stop). */
int rf_notify_dispatch_start(rf_notify_dispatch *d, char *err, size_t err_len);

/* Stops the thread and the workers (the sandbox has ended) and frees the
 * dispatcher; handler states are the backend's to free afterwards.  NULL is
 * fine. */
void rf_notify_dispatch_stop(rf_notify_dispatch *d);

/* For handlers and tests: the current thread drops every capability (this
 * thread only).  0 or -errno. */
int rf_notify_drop_thread_capabilities(void);
