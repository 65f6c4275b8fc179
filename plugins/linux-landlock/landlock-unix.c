/* landlock-unix.c: the Landlock backend's use of the notification dispatcher: its filter, its handlers (metadata; sockets below ABI 9) and how the listener reaches ringfence (design in landlock-unix.h). */
#include "landlock-unix.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <linux/sock_diag.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <ringfence/backend.h>

#include "notify-decode.h"
#include "notify-dispatch.h"
#include "guard-filter.h"
#include "guard-tree.h"
#include "notify-handler-fsguard.h"
#include "notify-handler-meta.h"
#include "notify-handler-socket.h"
#include "proxy-check.h"

#ifdef RF_LL_HAVE_PRECOMPILED_BPF
extern const unsigned char *const rf_ll_notify_program[4];
extern const size_t rf_ll_notify_program_len[4];
#endif

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* Connects and sends can block (a listener's backlog full until it
 * accepts), so they are answered by up to RF_LL_MAX_WORKERS workers, one
 * started before the command runs; binds and metadata calls never block and
 * are answered by the receiving thread.  Every supervisor thread runs
 * without capabilities, so what it does for the caller (a chmod, a connect
 * to a socket file) is held to the caller's permissions. */
#define RF_LL_MAX_WORKERS 16

struct rf_ll_unix_supervisor {
  rf_notify_dispatch *dispatch;
  rf_notify_socket *sockets; /* asked only below ABI 9 (the filter) */
  rf_notify_meta *meta;
  int diag_fd; /* sock_diag in ringfence's (the host's) network namespace */
  /* The guard of protected paths (guard-filter.h), or NULL: every guarded
   * call performed by ringfence-fs-proxy under the command's own ruleset. */
  rf_notify_fsguard *fsguard;
  rf_guard_table guard; /* the same entries, for the metadata handler */
  /* --network proxy: the proxy's port on the host's 127.0.0.1, checked end to end before the
   * command is let go (0: nothing to check), and why that check failed. */
  uint16_t route_port;
  char route_error[256];
  int cancel_fd; /* eventfd: readable once the run is being killed (the check then ends) */
  /* The check runs in a thread of its own from the supervisor's start, while the command
   * process sets itself up; the ready hook waits for its end (done_fd) and its result. */
  pthread_t route_thread;
  int route_thread_started;
  int route_done_fd; /* eventfd, written once the check ended */
  int route_rc;      /* the check's result, read after route_done_fd */
};

/* ---- what the kernel offers ---------------------------------------------- */

static int supervision_available(char *why, size_t why_len);

int rf_ll_unix_supervision_available(char *why, size_t why_len) {
  static int level = -1; /* not asked yet */
  static char reason[256];
  int known = __atomic_load_n(&level, __ATOMIC_ACQUIRE);
  if (known < 0) {
    char fresh[sizeof(reason)] = "";
    known = supervision_available(fresh, sizeof(fresh));
    if (__atomic_load_n(&level, __ATOMIC_ACQUIRE) < 0) {
      memcpy(reason, fresh, sizeof(reason)); /* racing threads write the same */
      __atomic_store_n(&level, known, __ATOMIC_RELEASE);
    }
  }
  if (why_len)
    snprintf(why, why_len, "%s", reason);
  return known;
}

static int supervision_available(char *why, size_t why_len) {
  struct seccomp_notif_sizes sizes;
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
    snprintf(why, why_len, "no seccomp user notification (Linux 5.0+): %s", strerror(errno));
    return 0;
  }
  /* pidfd_getfd(-1, ...) says EBADF where the call exists. */
  if (syscall(SYS_pidfd_getfd, -1, 0, 0) < 0 && errno == ENOSYS) {
    snprintf(why, why_len, "no pidfd_getfd (Linux 5.6+)");
    return 0;
  }
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  uint64_t cookie = 0;
  socklen_t len = sizeof(cookie);
  int ok = probe >= 0 && getsockopt(probe, SOL_SOCKET, SO_COOKIE, &cookie, &len) == 0;
  if (probe >= 0)
    close(probe);
  if (!ok) {
    snprintf(why, why_len, "no SO_COOKIE on unix sockets");
    return 0;
  }
  /* SECCOMP_ADDFD_FLAG_SEND came with Linux 5.14; it cannot be asked for
   * without a listener, so the release decides. */
  struct utsname uts;
  int major = 0, minor = 0;
  if (uname(&uts) == 0 && sscanf(uts.release, "%d.%d", &major, &minor) == 2 &&
      (major > 5 || (major == 5 && minor >= 14)))
    return 2;
  snprintf(why, why_len, "no SECCOMP_ADDFD_FLAG_SEND (Linux 5.14+): protected paths are not held");
  return 1;
}

/* The filter itself: the handlers' rules.  Shared with gen-landlock-bpf,
 * which compiles it at build time. */

int rf_ll_unix_notify_compile_memfd(int sockets, int guard, char *err, size_t err_len) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) {
    snprintf(err, err_len, "seccomp: cannot allocate the notify filter");
    return -ENOMEM;
  }
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc == 0)
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  /* The socket calls first (sends are frequent), bind recorded. */
  if (rc == 0 && sockets)
    rc = rf_notify_socket_add_rules(ctx, 1);
  if (rc == 0)
    rc = rf_notify_meta_add_rules(ctx);
  /* The guard of protected paths (guard-filter.h); bind is the socket
   * rules' when they are there. */
  if (rc == 0 && guard)
    rc = rf_guard_add_landlock_rules(ctx, !sockets);
  int fd = rc == 0 ? memfd_create("ringfence-landlock-notify", MFD_CLOEXEC) : -1;
  if (rc == 0 && fd < 0)
    rc = -errno;
  if (rc == 0)
    rc = seccomp_export_bpf(ctx, fd);
  seccomp_release(ctx);
  if (rc < 0) {
    if (fd >= 0)
      close(fd);
    snprintf(err, err_len, "seccomp: cannot build the notify filter: %s", strerror(-rc));
    return rc;
  }
  return fd;
}

int rf_ll_unix_notify_compile(int sockets, int guard, struct sock_fprog *prog, char *err,
                              size_t err_len) {
#ifdef RF_LL_HAVE_PRECOMPILED_BPF
  /* Compiled at build time (gen-landlock-bpf): no libseccomp on the launch path. */
  int variant = (sockets ? 1 : 0) | (guard ? 2 : 0);
  size_t len = rf_ll_notify_program_len[variant];
  struct sock_filter *copy = malloc(len);
  if (!copy) {
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  memcpy(copy, rf_ll_notify_program[variant], len);
  prog->len = (unsigned short)(len / sizeof(struct sock_filter));
  prog->filter = copy;
  return 0;
#else
  int fd = rf_ll_unix_notify_compile_memfd(sockets, guard, err, err_len);
  if (fd < 0)
    return fd;
  off_t size = lseek(fd, 0, SEEK_END);
  struct sock_filter *filter = NULL;
  int rc = 0;
  if (size <= 0 || size % (off_t)sizeof(struct sock_filter) != 0)
    rc = -EINVAL;
  else if (!(filter = malloc((size_t)size)))
    rc = -ENOMEM;
  else if (pread(fd, filter, (size_t)size, 0) != size)
    rc = -EIO;
  close(fd);
  if (rc < 0) {
    free(filter);
    snprintf(err, err_len, "seccomp: cannot read the notify filter: %s", strerror(-rc));
    return rc;
  }
  prog->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
  prog->filter = filter;
  return 0;
#endif
}

/* ---- the listener ----------------------------------------------------------------- */

/* "PID LISTENER\n" from the command process, which waits for our answer
 * (see hand_over_listener in launcher.c): the listener is copied out of it
 * with pidfd_getfd (no SCM_RIGHTS: its sendmsg() is a notification). */
static int receive_listener(int channel) {
  char line[64];
  size_t used = 0;
  while (used + 1 < sizeof(line) && !memchr(line, '\n', used)) {
    ssize_t n = read(channel, line + used, sizeof(line) - 1 - used);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    used += (size_t)n;
  }
  int pid, remote;
  if (rf_decode_fd_pair(line, used, &pid, &remote) < 0 || pid <= 0)
    return -1;
  int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
  if (pidfd < 0)
    return -1;
  int fd = (int)syscall(SYS_pidfd_getfd, pidfd, remote, 0);
  close(pidfd);
  return fd;
}

/* --network proxy: the route check (proxy-check.h) through the proxy's port on the host. */
static void *route_check_thread(void *arg) {
  rf_ll_unix_supervisor *sv = arg;
  char why[sizeof(sv->route_error)] = "";
  /* A kill meanwhile (--timeout, ringfence's own end) cancels it: the command process waits
   * for its answer inside a vfork, so nothing else could stop it before the whole deadline. */
  int rc = rf_proxy_check(AF_INET, sv->route_port, rf_proxy_check_deadline(RF_PROXY_CHECK_MS),
                          sv->cancel_fd, why, sizeof(why));
  if (rc < 0)
    memcpy(sv->route_error, why, sizeof(why));
  __atomic_store_n(&sv->route_rc, rc, __ATOMIC_RELEASE);
  uint64_t one = 1;
  while (write(sv->route_done_fd, &one, sizeof(one)) < 0 && errno == EINTR)
    ;
  return NULL;
}

/* Tells the command the supervisor is ready: it goes on to exec.  With --network proxy, only
 * once the proxy answered the route check: the proxy starts beside the launch, and if it never
 * answers the command never runs. */
static int ready_hook(void *ctx, int channel_fd) {
  rf_ll_unix_supervisor *sv = ctx;
  if (sv->route_port) {
    struct pollfd p = {.fd = sv->route_done_fd, .events = POLLIN};
    int rc;
    while ((rc = poll(&p, 1, -1)) < 0 && errno == EINTR)
      ;
    if (rc != 1 || !(p.revents & POLLIN) || __atomic_load_n(&sv->route_rc, __ATOMIC_ACQUIRE) < 0)
      return -1;
  }
  char ack = 'A';
  ssize_t n;
  do
    n = write(channel_fd, &ack, 1);
  while (n < 0 && errno == EINTR);
  return n == 1 ? 0 : -1;
}

static int receive_hook(void *ctx, rf_notify_dispatch *d, int channel_fd, int *listener) {
  (void)ctx;
  (void)d;
  *listener = receive_listener(channel_fd);
  return *listener < 0 ? -1 : 0;
}

static void free_parts(rf_ll_unix_supervisor *sv) {
  rf_notify_socket_free(sv->sockets);
  rf_notify_meta_free(sv->meta);
  rf_notify_fsguard_free(sv->fsguard); /* after the dispatcher stopped: reaps the proxies */
  rf_guard_table_clear(&sv->guard);
  if (sv->diag_fd >= 0)
    close(sv->diag_fd);
  if (sv->route_thread_started) {
    rf_ll_unix_supervisor_cancel_route_check(sv);
    pthread_join(sv->route_thread, NULL);
  }
  if (sv->cancel_fd >= 0)
    close(sv->cancel_fd);
  if (sv->route_done_fd >= 0)
    close(sv->route_done_fd);
  free(sv);
}

int rf_ll_unix_supervisor_start(int channel_fd, const rf_ll_supervisor_config *config,
                                rf_ll_unix_supervisor **out, char *err, size_t err_len) {
  rf_ll_unix_supervisor *sv = calloc(1, sizeof(*sv));
  if (sv)
    sv->cancel_fd = sv->route_done_fd = -1;
  if (!sv || rf_notify_meta_new(config->writable, config->n_writable, config->protected_paths,
                                config->n_protected, &sv->meta) < 0) {
    free(sv);
    close(channel_fd);
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  if (config->guard) {
    size_t n = 0;
    while (config->guard->entries && config->guard->entries[n])
      n++;
    rf_notify_fsguard_config gc = {
        .fs_proxy = config->guard->fs_proxy,
        .missing_protected = config->guard->entries,
        .landlock_fd = config->guard->landlock_fd,
        .landlock_abi = config->guard->landlock_abi,
    };
    int grc = rf_guard_table_parse(&sv->guard, config->guard->entries, n);
    if (grc == 0)
      grc = rf_notify_fsguard_new(&gc, &sv->fsguard, err, err_len);
    else
      snprintf(err, err_len, "cannot prepare the guard of protected paths: %s", strerror(-grc));
    if (grc < 0) {
      sv->diag_fd = -1;
      close(channel_fd);
      free_parts(sv);
      return grc;
    }
    rf_notify_meta_set_guard(sv->meta, &sv->guard);
  }
  sv->diag_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (sv->diag_fd < 0) {
    int e = errno;
    snprintf(err, err_len, "sock_diag socket: %s", strerror(e));
    close(channel_fd);
    free_parts(sv);
    return -e;
  }
  /* No network namespace of its own: a socket is the sandbox's when a
   * sandboxed process bound it (bind is recorded). */
  rf_notify_socket_config sockets = {
      .diag_fd = sv->diag_fd,
      .private_netns = 0,
      .network = config->network,
      .proxy_port = config->proxy_port,
      .guard = sv->fsguard, /* a pathname bind is a name: the proxy makes it */
  };
  if (rf_notify_socket_new(&sockets, &sv->sockets) < 0) {
    snprintf(err, err_len, "out of memory");
    close(channel_fd);
    free_parts(sv);
    return -ENOMEM;
  }
  if (config->network == RF_NETWORK_PROXY) {
    sv->route_port = config->proxy_port;
    sv->cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    sv->route_done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (sv->cancel_fd < 0 || sv->route_done_fd < 0) {
      int e = errno;
      snprintf(err, err_len, "eventfd: %s", strerror(e));
      close(channel_fd);
      free_parts(sv);
      return -e;
    }
  }
  rf_notify_dispatch_config dc = {
      .ctx = sv,
      .receive = receive_hook,
      .ready = ready_hook,
      .max_workers = RF_LL_MAX_WORKERS,
      /* Nothing is taken back, but what the guard's proxy created. */
      .same_caller_wait_ms = sv->fsguard ? 200 : 0,
      .keep_stdio = sv->fsguard != NULL, /* the proxies' stderr */
      .drop_capabilities = 1,
      .keep = {sv->diag_fd},
      .n_keep = 1,
  };
  /* What the supervisor threads' own descriptor tables keep besides the channel. */
  if (sv->fsguard)
    dc.keep[dc.n_keep++] = rf_notify_fsguard_landlock_fd(sv->fsguard);
  if (sv->route_done_fd >= 0)
    dc.keep[dc.n_keep++] = sv->route_done_fd; /* the ready hook waits on it */
  int rc = rf_notify_dispatch_new(&dc, channel_fd, &sv->dispatch, err, err_len);
  if (rc == 0)
    rc = rf_notify_dispatch_add(sv->dispatch, &rf_notify_socket_handler, sv->sockets);
  if (rc == 0)
    rc = rf_notify_dispatch_add(sv->dispatch, &rf_notify_meta_handler, sv->meta);
  if (rc == 0 && sv->fsguard)
    rc = rf_notify_dispatch_add(sv->dispatch, &rf_notify_fsguard_handler, sv->fsguard);
  if (rc == 0 && sv->route_port) {
    int e = pthread_create(&sv->route_thread, NULL, route_check_thread, sv);
    if (e != 0) {
      snprintf(err, err_len, "cannot start the route check: %s", strerror(e));
      rc = -e;
    } else {
      sv->route_thread_started = 1;
    }
  }
  if (rc == 0)
    rc = rf_notify_dispatch_start(sv->dispatch, err, err_len);
  if (rc < 0) {
    rf_notify_dispatch_stop(sv->dispatch);
    free_parts(sv);
    return rc;
  }
  *out = sv;
  return 0;
}

void rf_ll_unix_supervisor_cancel_route_check(rf_ll_unix_supervisor *sv) {
  if (sv && sv->cancel_fd >= 0) {
    uint64_t one = 1;
    while (write(sv->cancel_fd, &one, sizeof(one)) < 0 && errno == EINTR)
      ;
  }
}

const char *rf_ll_unix_supervisor_route_error(const rf_ll_unix_supervisor *sv) {
  return sv && sv->route_error[0] ? sv->route_error : NULL;
}

void rf_ll_unix_supervisor_stop(rf_ll_unix_supervisor *sv) {
  if (!sv)
    return;
  /* A check still waiting would hold the dispatcher's ready hook: it ends first. */
  rf_ll_unix_supervisor_cancel_route_check(sv);
  /* The threads closed the listener (it lived in their own tables). */
  rf_notify_dispatch_stop(sv->dispatch);
  free_parts(sv);
}
