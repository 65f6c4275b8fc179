/* landlock-unix.c: the bind/connect notification supervisor of a Landlock run (design in landlock-unix.h). */
#include "landlock-unix.h"
#include "notify-decode.h"
#include "notify-pool.h"
#include "notify-target.h"
#include "unix-diag.h"
#include "landlock-meta.h"
#include "notify-resources.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/openat2.h>
#include <linux/rtnetlink.h>
#include <linux/seccomp.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <ringfence/backend.h>

#ifdef RF_LL_HAVE_PRECOMPILED_BPF
extern const unsigned char *const rf_ll_notify_program[2];
extern const size_t rf_ll_notify_program_len[2];
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
#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

/* connect() can block (a listener's backlog full until it accepts), so it
 * is answered by a pool of workers (notify-pool.h), started before the
 * command runs; bind and metadata calls never block and are answered by the
 * supervisor thread itself.  A connect no worker takes within
 * RF_LL_WORKER_WAIT_MS (none can be started: RLIMIT_NPROC) is EAGAIN. */
#define RF_LL_WORKER_WAIT_MS 250
#define RF_LL_MAX_WORKERS 16

struct rf_ll_unix_supervisor {
  pthread_t thread;
  int channel_fd;
  int stop_fd;
  int listener_fd; /* in the supervisor thread's and the workers' tables only */
  int diag_fd;
  int network;
  uint16_t proxy_port;
  rf_notify_pool *pool;
  int keep_fds[2]; /* what each worker's table keeps: listener, sock_diag */
  pthread_mutex_t cookie_lock; /* bind records, connect workers read */
  uint64_t *cookies; /* sockets a sandboxed process bound */
  size_t n_cookies, cap_cookies;
  char **writable, **protected_paths; /* NULL-terminated copies */
  size_t n_writable, n_protected;
};

/* ---- what the kernel offers ---------------------------------------------- */

int rf_ll_unix_supervision_available(char *why, size_t why_len) {
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
  return 1;
}

/* The filter itself: bind and connect become user notifications.  Shared
 * with gen-landlock-bpf, which compiles it at build time. */
/* Metadata calls Landlock does not control (answered by landlock-meta.c). */
static const char *const meta_syscalls[] = {
    "chmod",  "fchmod",   "fchmodat",   "chown",     "lchown",       "fchown",
    "fchownat", "utime",  "utimes",     "futimesat", "utimensat",    "setxattr",
    "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr", NULL,
};
/* Newer forms of the same, by number (the same on every architecture):
 * fchmodat2, setxattrat, removexattrat, file_setattr.  ENOSYS: libc falls
 * back to the calls above. */
static const int meta_syscalls_enosys[] = {452, 463, 466, 469};

int rf_ll_unix_notify_compile_memfd(int sockets, char *err, size_t err_len) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) {
    snprintf(err, err_len, "seccomp: cannot allocate the notify filter");
    return -ENOMEM;
  }
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc == 0)
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc == 0 && sockets)
    rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(connect), 0);
  if (rc == 0 && sockets)
    rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(bind), 0);
  for (const char *const *name = meta_syscalls; rc == 0 && *name; name++) {
    int nr = seccomp_syscall_resolve_name(*name);
    if (nr != __NR_SCMP_ERROR) /* absent on this architecture (e.g. chmod on aarch64) */
      rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
  }
  for (size_t i = 0; rc == 0 && i < sizeof(meta_syscalls_enosys) / sizeof(int); i++)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), meta_syscalls_enosys[i], 0);
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

int rf_ll_unix_notify_compile(int sockets, struct sock_fprog *prog, char *err, size_t err_len) {
#ifdef RF_LL_HAVE_PRECOMPILED_BPF
  /* Compiled at build time (gen-landlock-bpf): no libseccomp on the launch path. */
  size_t len = rf_ll_notify_program_len[sockets ? 1 : 0];
  struct sock_filter *copy = malloc(len);
  if (!copy) {
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  memcpy(copy, rf_ll_notify_program[sockets ? 1 : 0], len);
  prog->len = (unsigned short)(len / sizeof(struct sock_filter));
  prog->filter = copy;
  return 0;
#else
  int fd = rf_ll_unix_notify_compile_memfd(sockets, err, err_len);
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

/* ---- one notification ---------------------------------------------------------- */

/* Lock held. */
static int bound_inside_locked(const rf_ll_unix_supervisor *sv, uint64_t cookie) {
  for (size_t i = 0; i < sv->n_cookies; i++)
    if (sv->cookies[i] == cookie)
      return 1;
  return 0;
}

static int bound_inside(rf_ll_unix_supervisor *sv, uint64_t cookie) {
  pthread_mutex_lock(&sv->cookie_lock);
  int found = bound_inside_locked(sv, cookie);
  pthread_mutex_unlock(&sv->cookie_lock);
  return found;
}

/* 0, or RF_NOTIFY_SHORT when there is no memory to remember it (the bind
 * is then refused: a socket bound but not remembered would refuse the
 * sandbox's own connects with EACCES later). */
static int remember(rf_ll_unix_supervisor *sv, uint64_t cookie) {
  int rc = 0;
  pthread_mutex_lock(&sv->cookie_lock);
  if (!bound_inside_locked(sv, cookie)) {
    if (sv->n_cookies == sv->cap_cookies) {
      size_t cap = sv->cap_cookies ? sv->cap_cookies * 2 : 32;
      uint64_t *grown = realloc(sv->cookies, cap * sizeof(uint64_t));
      if (grown) {
        sv->cookies = grown;
        sv->cap_cookies = cap;
      }
    }
    if (sv->n_cookies < sv->cap_cookies)
      sv->cookies[sv->n_cookies++] = cookie;
    else
      rc = RF_NOTIFY_SHORT;
  }
  pthread_mutex_unlock(&sv->cookie_lock);
  return rc;
}

static int copy_socket(const struct seccomp_notif *req, int listener) {
  return rf_target_copy_fd(req, listener, (int)req->data.args[0]);
}

static int socket_cookie(int sock, uint64_t *cookie) {
  socklen_t len = sizeof(*cookie);
  return getsockopt(sock, SOL_SOCKET, SO_COOKIE, cookie, &len) == 0 ? 0 : -errno;
}

/* bind: remember the socket, then let the kernel do it as the caller. */
static int handle_bind(rf_ll_unix_supervisor *sv, const struct seccomp_notif *req) {
  int sock = copy_socket(req, sv->listener_fd);
  if (sock < 0)
    return sock;
  int domain = 0, rc = 1; /* continue */
  socklen_t optlen = sizeof(domain);
  uint64_t cookie = 0;
  if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &optlen) == 0 && domain == AF_UNIX &&
      socket_cookie(sock, &cookie) == 0 && remember(sv, cookie) < 0)
    rc = RF_NOTIFY_SHORT;
  close(sock);
  return rc;
}

static int inet_port(const struct sockaddr_storage *addr, socklen_t len, int *port) {
  if (addr->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
    *port = ntohs(((const struct sockaddr_in *)addr)->sin_port);
    return 1;
  }
  if (addr->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
    *port = ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
    return 1;
  }
  return 0;
}

/* The listening socket |q| names, if a sandboxed process bound it: 0, or
 * -ECONNREFUSED (none listens), -|denied| (a host socket). */
static int bound_by_sandbox(rf_ll_unix_supervisor *sv, const rf_diag_query *q, int denied) {
  rf_diag_match m;
  int rc = rf_unix_diag_lookup(sv->diag_fd, 1u << 10 /* TCP_LISTEN */, q, &m);
  if (rc < 0) /* sock_diag failed (memory, buffer): we cannot tell, and say so */
    rc = rf_notify_own_failure(-rc, EAGAIN);
  else if (!m.found)
    rc = -ECONNREFUSED;
  else if (!bound_inside(sv, m.cookie))
    rc = -denied;
  return rc;
}

/* connect: 0 or -errno, the value the caller's connect() returns.  The
 * address is copied once and decoded (notify-decode.c); the notification is
 * checked again right before connecting on the caller's behalf. */
static int handle_connect(rf_ll_unix_supervisor *sv, const struct seccomp_notif *req) {
  uint64_t addr_ptr = req->data.args[1];
  socklen_t addr_len = (socklen_t)req->data.args[2];
  if (addr_len > sizeof(struct sockaddr_storage) || addr_len < sizeof(sa_family_t))
    return -EINVAL;
  rf_target t;
  int rc = rf_target_attach(&t, sv->listener_fd, req);
  if (rc < 0)
    return rc;
  int sock = copy_socket(req, sv->listener_fd);
  if (sock < 0) {
    rf_target_detach(&t);
    return sock;
  }
  struct sockaddr_storage addr;
  memset(&addr, 0, sizeof(addr));
  rf_sockaddr_view view;
  int domain = 0, target = -1;
  socklen_t optlen = sizeof(domain);
  if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &optlen) < 0)
    rc = -ENOTSOCK;
  if (rc == 0)
    rc = rf_target_read(&t, addr_ptr, &addr, addr_len);
  if (rc == 0)
    rc = rf_decode_sockaddr(domain, &addr, addr_len, &view);
  if (rc < 0)
    goto out;
  if (addr.ss_family == AF_UNSPEC) {
    /* dissolves an association */
  } else if (domain != AF_UNIX) {
    /* Only reachable with a socket passed in (--pass-fd) or the network on:
     * the supervisor connects unconfined, so it applies the policy here. */
    int port = 0;
    if (!(sv->network == RF_NETWORK_ON ||
          (sv->network == RF_NETWORK_PROXY && inet_port(&addr, addr_len, &port) &&
           port == sv->proxy_port)))
      rc = -EACCES;
  } else if (view.kind == RF_ADDR_UNIX_ABSTRACT) {
    rf_diag_query q = {.by_name = 1, .listening_only = 1,
                       .name = (const char *)&addr + view.name_offset, .name_len = view.name_len};
    rc = bound_by_sandbox(sv, &q, EPERM); /* EPERM: what Landlock's scope answers */
  } else if (view.kind == RF_ADDR_UNIX_PATH) {
    target = rf_target_open(&t, view.path, O_PATH);
    struct stat st;
    if (target < 0) {
      rc = target;
    } else if (fstat(target, &st) < 0 || !S_ISSOCK(st.st_mode)) {
      rc = -ECONNREFUSED;
    } else {
      /* sock_diag reports 32 bits of the inode. */
      rf_diag_query q = {.listening_only = 1, .dev_major = major(st.st_dev),
                         .dev_minor = minor(st.st_dev), .ino = (uint32_t)st.st_ino};
      rc = bound_by_sandbox(sv, &q, EACCES); /* a host socket: tmux, ssh-agent, D-Bus, Docker, X11 ... */
    }
  } /* else: not a unix name at all; the kernel refuses it */
  if (rc == 0)
    rc = rf_connect_for_caller(sv->listener_fd, req->id, sock, target, (struct sockaddr *)&addr,
                               addr_len);
out:
  if (target >= 0)
    close(target);
  close(sock);
  rf_target_detach(&t);
  return rc;
}

/* ---- the thread ------------------------------------------------------------------ */

static int receive_listener(int channel) {
  char data;
  char control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = &data, .iov_len = 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                       .msg_controllen = sizeof(control)};
  ssize_t n;
  do
    n = recvmsg(channel, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return -1;
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
    return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
  return fd;
}

/* Sends the answer: result 1 lets the kernel go on with the call. */
static void send_answer(rf_ll_unix_supervisor *sv, const struct seccomp_notif *req, int result) {
  char buffer[512]; /* > any seccomp_notif_resp the kernel asks for (24 bytes) */
  struct seccomp_notif_resp *resp = (struct seccomp_notif_resp *)buffer;
  memset(buffer, 0, sizeof(buffer));
  resp->id = req->id;
  if (result == 1)
    resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  else
    resp->error = result < 0 ? result : 0;
  /* ENOENT: the caller was interrupted meanwhile; nothing to answer. */
  ioctl(sv->listener_fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
}

/* The pool's hooks: a connect worker holds no capabilities either, so a
 * socket file's permissions apply to it as to the command; one that could
 * not drop them connects nothing. */
static __thread int worker_capless;

static void worker_start(void *ctx, size_t slot) {
  (void)ctx;
  (void)slot;
  worker_capless = rf_ll_meta_drop_thread_capabilities() == 0;
}

static void worker_handle(void *ctx, size_t slot, const struct seccomp_notif *req) {
  (void)slot;
  rf_ll_unix_supervisor *sv = ctx;
  send_answer(sv, req, worker_capless ? handle_connect(sv, req) : RF_NOTIFY_SHORT);
}

static void *supervise(void *arg) {
  rf_ll_unix_supervisor *sv = arg;
  struct seccomp_notif *req = NULL;
  /* A descriptor table of our own (see notify-resources.h), holding only
   * what this thread uses: ringfence cannot starve it, nor it ringfence.
   * Without one it works in ringfence's table.  First, so that the workers
   * share it (and the listener it receives) until their first call. */
  int keep[] = {sv->channel_fd, sv->stop_fd, sv->diag_fd};
  rf_notify_private_fd_table(keep, 3, 0);
  /* A connect worker now, before the command can exhaust RLIMIT_NPROC. */
  rf_notify_pool_config pool = {
      .ctx = sv,
      .notif_size = sizeof(struct seccomp_notif), /* set below */
      .max_workers = RF_LL_MAX_WORKERS,
      .wait_ms = RF_LL_WORKER_WAIT_MS,
      .same_caller_wait_ms = 0, /* a connect makes nothing to take back */
      .keep_fds = sv->keep_fds,
      .n_keep_fds = 2,
      .keep_stdio = 0,
      .worker_start = worker_start,
      .handle = worker_handle,
  };
  struct seccomp_notif_sizes sizes;
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0 &&
      sizes.seccomp_notif > pool.notif_size)
    pool.notif_size = sizes.seccomp_notif;
  if (rf_notify_pool_new(&pool, &sv->pool) == 0)
    rf_notify_pool_start_worker(sv->pool);
  struct pollfd first[2] = {{.fd = sv->channel_fd, .events = POLLIN},
                            {.fd = sv->stop_fd, .events = POLLIN}};
  while (poll(first, 2, -1) < 0 && errno == EINTR)
    ;
  if (first[1].revents)
    goto done;
  int listener = receive_listener(sv->channel_fd);
  if (listener < 0)
    goto done;
  sv->listener_fd = listener;
  sv->keep_fds[0] = listener;
  sv->keep_fds[1] = sv->diag_fd;
  /* Metadata changes are made by this thread on the caller's behalf: with
   * no capabilities (per thread) it is held to the caller's permissions.
   * Whatever fails below, the listener is closed as the threads end, and the
   * kernel then fails every notified call with ENOSYS: closed, never hung. */
  if (!sv->pool || rf_ll_meta_drop_thread_capabilities() < 0)
    goto done;
  rf_ll_meta_ctx meta = {
      .listener = sv->listener_fd,
      .writable = (const char *const *)sv->writable,
      .n_writable = sv->n_writable,
      .protected_paths = (const char *const *)sv->protected_paths,
      .n_protected = sv->n_protected,
  };
  req = calloc(1, pool.notif_size);
  if (!req)
    goto done;
  for (;;) {
    struct pollfd fds[2] = {{.fd = sv->listener_fd, .events = POLLIN},
                            {.fd = sv->stop_fd, .events = POLLIN}};
    int rc = poll(fds, 2, -1);
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc < 0 || fds[1].revents || (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
      break;
    memset(req, 0, pool.notif_size);
    if (ioctl(sv->listener_fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
      if (errno == EINTR || errno == ENOENT)
        continue;
      break;
    }
    if (req->data.nr == __NR_connect) {
      if (rf_notify_pool_dispatch(sv->pool, req) < 0)
        send_answer(sv, req, RF_NOTIFY_SHORT);
      continue;
    }
    int result = req->data.nr == __NR_bind ? handle_bind(sv, req) : rf_ll_meta_handle(&meta, req);
    send_answer(sv, req, result);
  }
done:
  free(req);
  /* Workers answer what is queued and exit, releasing their copies. */
  rf_notify_pool_stop(sv->pool);
  /* Ours alone (this thread's table, or ringfence's if it had to share). */
  if (sv->listener_fd >= 0)
    close(sv->listener_fd);
  return NULL;
}

static char **copy_strv(const char *const *items, size_t n) {
  char **copy = calloc(n + 1, sizeof(char *));
  for (size_t i = 0; copy && i < n; i++)
    if (!(copy[i] = strdup(items[i]))) {
      for (size_t j = 0; j < i; j++)
        free(copy[j]);
      free(copy);
      return NULL;
    }
  return copy;
}

static void free_strv(char **items) {
  for (char **p = items; p && *p; p++)
    free(*p);
  free(items);
}

int rf_ll_unix_supervisor_start(int channel_fd, const rf_ll_supervisor_config *config,
                                rf_ll_unix_supervisor **out, char *err, size_t err_len) {
  rf_ll_unix_supervisor *sv = calloc(1, sizeof(*sv));
  if (sv) {
    sv->writable = copy_strv(config->writable, config->n_writable);
    sv->protected_paths = copy_strv(config->protected_paths, config->n_protected);
  }
  if (!sv || !sv->writable || !sv->protected_paths) {
    if (sv) {
      free_strv(sv->writable);
      free_strv(sv->protected_paths);
    }
    free(sv);
    close(channel_fd);
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  sv->n_writable = config->n_writable;
  sv->n_protected = config->n_protected;
  sv->channel_fd = channel_fd;
  sv->listener_fd = -1;
  pthread_mutex_init(&sv->cookie_lock, NULL);
  sv->network = config->network;
  sv->proxy_port = config->proxy_port;
  sv->stop_fd = eventfd(0, EFD_CLOEXEC);
  sv->diag_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (sv->stop_fd < 0 || sv->diag_fd < 0) {
    int e = errno;
    snprintf(err, err_len, "%s: %s", sv->stop_fd < 0 ? "eventfd" : "sock_diag socket",
             strerror(e));
    if (sv->stop_fd >= 0)
      close(sv->stop_fd);
    if (sv->diag_fd >= 0)
      close(sv->diag_fd);
    close(channel_fd);
    free_strv(sv->writable);
    free_strv(sv->protected_paths);
    free(sv);
    return -e;
  }
  int rc = pthread_create(&sv->thread, NULL, supervise, sv);
  if (rc != 0) {
    close(channel_fd);
    close(sv->stop_fd);
    close(sv->diag_fd);
    free_strv(sv->writable);
    free_strv(sv->protected_paths);
    free(sv);
    snprintf(err, err_len, "cannot start the socket supervisor thread: %s%s", strerror(rc),
             rc == EAGAIN ? " (RLIMIT_NPROC reached? raise it with 'ulimit -u')" : "");
    return -rc;
  }
  *out = sv;
  return 0;
}

void rf_ll_unix_supervisor_stop(rf_ll_unix_supervisor *sv) {
  if (!sv)
    return;
  uint64_t one = 1;
  if (write(sv->stop_fd, &one, sizeof(one)) < 0) {
    /* the thread may already be gone */
  }
  pthread_join(sv->thread, NULL);
  rf_notify_pool_free(sv->pool);
  pthread_mutex_destroy(&sv->cookie_lock);
  /* The threads closed the listener (it lived in their own tables). */
  close(sv->stop_fd);
  close(sv->channel_fd);
  close(sv->diag_fd);
  free(sv->cookies);
  free_strv(sv->writable);
  free_strv(sv->protected_paths);
  free(sv);
}
