/* notify-pool.c: worker threads that answer seccomp notifications, none left waiting (design in notify-pool.h). */
#include "notify-pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "notify-resources.h"

struct work {
  struct work *next;
  uint64_t seq;
  struct seccomp_notif req; /* followed by the kernel's extra bytes, if any */
};

struct rf_notify_pool {
  rf_notify_pool_config config;
  pthread_mutex_t lock;
  pthread_cond_t wake;        /* workers: work queued, or stopping */
  pthread_cond_t taken;       /* the dispatcher: a worker took the item at the head */
  pthread_cond_t caller_done; /* a worker finished a call (see serving[]) */
  struct work *head, *tail;
  size_t queued, idle, n_workers;
  uint64_t last_seq, taken_seq; /* items are numbered; workers take them in order */
  int stopping;
  pthread_t workers[RF_NOTIFY_POOL_MAX];
  struct worker_arg {
    rf_notify_pool *pool;
    size_t slot;
  } args[RF_NOTIFY_POOL_MAX];
  uint32_t serving[RF_NOTIFY_POOL_MAX];     /* the thread whose call each worker handles, 0: none */
  uint64_t serving_seq[RF_NOTIFY_POOL_MAX]; /* and that call's number */
};

static struct timespec deadline_in(unsigned ms) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_nsec += (long)(ms % 1000) * 1000000L;
  t.tv_sec += ms / 1000 + t.tv_nsec / 1000000000L;
  t.tv_nsec %= 1000000000L;
  return t;
}

/* Waits (lock held) while another worker still handles a call of thread
 * |tid| earlier than |seq|: the earliest never waits. */
static void wait_for_same_caller(rf_notify_pool *p, size_t slot, uint32_t tid, uint64_t seq) {
  struct timespec deadline = deadline_in(p->config.same_caller_wait_ms);
  for (;;) {
    int busy = 0;
    for (size_t i = 0; i < p->n_workers && !busy; i++)
      busy = i != slot && p->serving[i] == tid && p->serving_seq[i] < seq;
    if (!busy || pthread_cond_timedwait(&p->caller_done, &p->lock, &deadline) == ETIMEDOUT)
      return;
  }
}

static void *worker(void *arg) {
  struct worker_arg *self = arg;
  rf_notify_pool *p = self->pool;
  int own_table = 0;
  if (p->config.worker_start)
    p->config.worker_start(p->config.ctx, self->slot);
  pthread_mutex_lock(&p->lock);
  for (;;) {
    while (!p->head && !p->stopping) {
      p->idle++;
      pthread_cond_wait(&p->wake, &p->lock);
      p->idle--;
    }
    if (!p->head)
      break; /* stopping, nothing left */
    struct work *w = p->head;
    p->head = w->next;
    if (!p->head)
      p->tail = NULL;
    p->queued--;
    p->taken_seq = w->seq;
    pthread_cond_broadcast(&p->taken);
    /* Registered as it is taken, so an earlier call of the same thread is
     * always registered first. */
    p->serving[self->slot] = w->req.pid;
    p->serving_seq[self->slot] = w->seq;
    wait_for_same_caller(p, self->slot, w->req.pid, w->seq);
    pthread_mutex_unlock(&p->lock);
    /* A table of our own, made at the first call: a worker may be started
     * before the descriptors it keeps exist (the Landlock supervisor's,
     * before the listener arrives).  If the kernel cannot give one, the
     * worker shares its creator's, the supervisor thread's, which holds only
     * supervisor descriptors. */
    if (!own_table) {
      rf_notify_private_fd_table(p->config.keep_fds, p->config.n_keep_fds, p->config.keep_stdio);
      own_table = 1;
    }
    p->config.handle(p->config.ctx, self->slot, &w->req);
    free(w);
    pthread_mutex_lock(&p->lock);
    p->serving[self->slot] = 0;
    pthread_cond_broadcast(&p->caller_done);
  }
  pthread_mutex_unlock(&p->lock);
  if (p->config.worker_end)
    p->config.worker_end(p->config.ctx, self->slot);
  return NULL;
}

/* Starts one more worker (lock held): 0, or -1. */
static int start_worker_locked(rf_notify_pool *p) {
  if (p->stopping || p->n_workers >= p->config.max_workers)
    return -1;
  size_t slot = p->n_workers;
  p->args[slot] = (struct worker_arg){.pool = p, .slot = slot};
  if (pthread_create(&p->workers[slot], NULL, worker, &p->args[slot]) != 0)
    return -1;
  p->n_workers++;
  return 0;
}

int rf_notify_pool_new(const rf_notify_pool_config *config, rf_notify_pool **out) {
  rf_notify_pool *p = calloc(1, sizeof(*p));
  if (!p)
    return -ENOMEM;
  p->config = *config;
  if (p->config.max_workers > RF_NOTIFY_POOL_MAX || p->config.max_workers == 0)
    p->config.max_workers = RF_NOTIFY_POOL_MAX;
  if (p->config.notif_size < sizeof(struct seccomp_notif))
    p->config.notif_size = sizeof(struct seccomp_notif);
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->wake, NULL);
  pthread_cond_init(&p->taken, NULL);
  pthread_cond_init(&p->caller_done, NULL);
  *out = p;
  return 0;
}

int rf_notify_pool_start_worker(rf_notify_pool *p) {
  pthread_mutex_lock(&p->lock);
  int rc = start_worker_locked(p);
  pthread_mutex_unlock(&p->lock);
  return rc;
}

int rf_notify_pool_dispatch(rf_notify_pool *p, const struct seccomp_notif *req) {
  struct work *w = malloc(offsetof(struct work, req) + p->config.notif_size);
  if (!w)
    return -1;
  memcpy(&w->req, req, p->config.notif_size);
  w->next = NULL;
  pthread_mutex_lock(&p->lock);
  if (p->stopping) {
    pthread_mutex_unlock(&p->lock);
    free(w);
    return -1;
  }
  w->seq = ++p->last_seq;
  if (p->tail)
    p->tail->next = w;
  else
    p->head = w;
  p->tail = w;
  p->queued++;
  int served = p->idle >= p->queued || start_worker_locked(p) == 0;
  pthread_cond_signal(&p->wake);
  if (!served && p->n_workers > 0) {
    struct timespec deadline = deadline_in(p->config.wait_ms);
    while (p->taken_seq < w->seq &&
           pthread_cond_timedwait(&p->taken, &p->lock, &deadline) != ETIMEDOUT)
      ;
    served = p->taken_seq >= w->seq;
  }
  if (!served) {
    /* Still queued (workers take from the head, in order): unlink it. */
    struct work **link = &p->head, *prev = NULL;
    while (*link && *link != w) {
      prev = *link;
      link = &(*link)->next;
    }
    if (*link) {
      *link = w->next;
      if (p->tail == w)
        p->tail = prev;
      p->queued--;
    }
  }
  pthread_mutex_unlock(&p->lock);
  if (!served)
    free(w);
  return served ? 0 : -1;
}

void rf_notify_pool_stop(rf_notify_pool *p) {
  if (!p)
    return;
  pthread_mutex_lock(&p->lock);
  p->stopping = 1;
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->lock);
}

void rf_notify_pool_free(rf_notify_pool *p) {
  if (!p)
    return;
  rf_notify_pool_stop(p);
  pthread_mutex_lock(&p->lock);
  size_t n = p->n_workers;
  pthread_mutex_unlock(&p->lock);
  for (size_t i = 0; i < n; i++)
    pthread_join(p->workers[i], NULL);
  while (p->head) {
    struct work *w = p->head;
    p->head = w->next;
    free(w);
  }
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->wake);
  pthread_cond_destroy(&p->taken);
  pthread_cond_destroy(&p->caller_done);
  free(p);
}
