/* notify-pool.h: a pool of worker threads that answers seccomp notifications, so that one blocked call never holds up another (both Linux supervisors).
 *
 * A supervisor receives each notification on one thread and hands it to the
 * pool: an idle worker takes it, or a new one is started (up to
 * max_workers).  When none is idle and none can be started (RLIMIT_NPROC,
 * memory, the cap), the call waits wait_ms for a busy worker to finish;
 * then rf_notify_pool_dispatch() fails and the supervisor answers it itself
 * with RF_NOTIFY_SHORT (notify-resources.h).  So no call is left waiting
 * because a worker is blocked (a connect to a full backlog, a FIFO without a
 * reader) or could not be created.
 *
 * Each worker runs the supervisor's worker_start hook when it starts, and
 * before its first call gets a descriptor table of its own holding only the
 * descriptors the supervisor names (see notify-resources.h; they may be set
 * after the worker starts, before the first dispatch).  Calls of one thread are handled in order:
 * a worker does not start on a call while another worker still finishes an
 * earlier call of the same thread (it was interrupted by a signal and made
 * again), for at most same_caller_wait_ms, so that the earlier call can be
 * taken back first.
 */
#pragma once

#include <linux/seccomp.h>
#include <stddef.h>

typedef struct rf_notify_pool rf_notify_pool;

typedef struct {
  void *ctx;                     /* passed to every hook */
  size_t notif_size;             /* the kernel's struct seccomp_notif size (>= ours) */
  size_t max_workers;            /* at most RF_NOTIFY_POOL_MAX */
  unsigned wait_ms;              /* how long a call waits for a busy worker */
  unsigned same_caller_wait_ms;  /* how long a call waits for an earlier one of its thread */
  const int *keep_fds;           /* what each worker's own table keeps (besides 0-2 with
                                  * keep_stdio); read at its first call */
  size_t n_keep_fds;
  int keep_stdio;
  /* In the worker, before its first call. */
  void (*worker_start)(void *ctx, size_t slot);
  /* Answers |req| (the hook sends the answer). */
  void (*handle)(void *ctx, size_t slot, const struct seccomp_notif *req);
  /* In the worker, after its last call. */
  void (*worker_end)(void *ctx, size_t slot);
} rf_notify_pool_config;

#define RF_NOTIFY_POOL_MAX 64

/* A pool with no worker yet (copies |config|, not what it points to: keep
 * keep_fds alive).  0 or -ENOMEM. */
int rf_notify_pool_new(const rf_notify_pool_config *config, rf_notify_pool **out);

/* Starts one worker now (a supervisor starts one before the command runs).
 * 0, or -1 when none can be started. */
int rf_notify_pool_start_worker(rf_notify_pool *pool);

/* Hands a copy of |req| to a worker: 0, or -1 when no worker will take it
 * (see above): the caller answers it. */
int rf_notify_pool_dispatch(rf_notify_pool *pool, const struct seccomp_notif *req);

/* Workers answer what is queued and exit (their tables, with any listener
 * copy, are released).  Does not wait. */
void rf_notify_pool_stop(rf_notify_pool *pool);

/* Stops, waits for every worker, frees.  NULL is fine. */
void rf_notify_pool_free(rf_notify_pool *pool);
