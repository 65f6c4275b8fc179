/* landlock-unix.c: the bind/connect notification supervisor of a Landlock run (design in landlock-unix.h). */
#include "landlock-unix.h"
#include "notify-target.h"
#include "landlock-meta.h"

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

struct rf_ll_unix_supervisor {
  pthread_t thread;
  int channel_fd;
  int stop_fd;
  int listener_fd;
  int diag_fd;
  int network;
  uint16_t proxy_port;
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

/* ---- sock_diag: which socket is bound to this file, or this name? ---------- */

typedef struct {
  int by_name;             /* else by VFS inode */
  unsigned int dev_major, dev_minor;
  uint32_t ino;
  const char *name;        /* abstract name, leading NUL included */
  size_t name_len;
  int found;
  uint64_t cookie;
} diag_query;

static void match_socket(diag_query *q, const struct unix_diag_msg *msg, int len) {
  for (const struct rtattr *a = (const struct rtattr *)(msg + 1); RTA_OK(a, len);
       a = RTA_NEXT(a, len)) {
    int hit = 0;
    if (!q->by_name && a->rta_type == UNIX_DIAG_VFS &&
        RTA_PAYLOAD(a) >= sizeof(struct unix_diag_vfs)) {
      const struct unix_diag_vfs *vfs = RTA_DATA(a);
      /* sock_diag reports the kernel-internal dev_t (major << 20 | minor). */
      hit = vfs->udiag_vfs_ino == q->ino && (vfs->udiag_vfs_dev >> 20) == q->dev_major &&
            (vfs->udiag_vfs_dev & 0xfffff) == q->dev_minor;
    } else if (q->by_name && a->rta_type == UNIX_DIAG_NAME) {
      hit = RTA_PAYLOAD(a) == q->name_len && memcmp(RTA_DATA(a), q->name, q->name_len) == 0;
    }
    if (hit && msg->udiag_state == 10 /* TCP_LISTEN */) {
      q->found = 1;
      q->cookie = (uint64_t)msg->udiag_cookie[0] | ((uint64_t)msg->udiag_cookie[1] << 32);
    }
  }
}

/* Dumps the host namespace's listening unix sockets; 0 or -errno. */
static int diag_lookup(int diag_fd, diag_query *q) {
  struct {
    struct nlmsghdr nlh;
    struct unix_diag_req req;
  } request = {
      .nlh = {.nlmsg_len = sizeof(request),
              .nlmsg_type = SOCK_DIAG_BY_FAMILY,
              .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
      .req = {.sdiag_family = AF_UNIX,
              .udiag_states = 1u << 10 /* TCP_LISTEN */,
              .udiag_show = q->by_name ? UDIAG_SHOW_NAME : UDIAG_SHOW_VFS},
  };
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(diag_fd, &request, sizeof(request), 0, (struct sockaddr *)&kernel, sizeof(kernel)) <
      0)
    return -errno;
  static __thread char buffer[32768];
  for (;;) {
    ssize_t n = recv(diag_fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    if (n == 0)
      return 0;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buffer; NLMSG_OK(h, (size_t)n);
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE)
        return 0;
      if (h->nlmsg_type == NLMSG_ERROR)
        return -EIO;
      const struct unix_diag_msg *msg = NLMSG_DATA(h);
      match_socket(q, msg, (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*msg)));
    }
  }
}

/* ---- one notification ---------------------------------------------------------- */

static int bound_inside(const rf_ll_unix_supervisor *sv, uint64_t cookie) {
  for (size_t i = 0; i < sv->n_cookies; i++)
    if (sv->cookies[i] == cookie)
      return 1;
  return 0;
}

static void remember(rf_ll_unix_supervisor *sv, uint64_t cookie) {
  if (bound_inside(sv, cookie))
    return;
  if (sv->n_cookies == sv->cap_cookies) {
    size_t cap = sv->cap_cookies ? sv->cap_cookies * 2 : 32;
    uint64_t *grown = realloc(sv->cookies, cap * sizeof(uint64_t));
    if (!grown)
      return; /* the socket stays unreachable: fails closed */
    sv->cookies = grown;
    sv->cap_cookies = cap;
  }
  sv->cookies[sv->n_cookies++] = cookie;
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
  int domain = 0;
  socklen_t optlen = sizeof(domain);
  uint64_t cookie = 0;
  if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &optlen) == 0 && domain == AF_UNIX &&
      socket_cookie(sock, &cookie) == 0)
    remember(sv, cookie);
  close(sock);
  return 1; /* continue */
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

/* connect: 0 or -errno, the value the caller's connect() returns. */
static int handle_connect(rf_ll_unix_supervisor *sv, const struct seccomp_notif *req) {
  uint64_t addr_ptr = req->data.args[1];
  socklen_t addr_len = (socklen_t)req->data.args[2];
  if (addr_len > sizeof(struct sockaddr_storage) || addr_len < sizeof(sa_family_t))
    return -EINVAL;
  int sock = copy_socket(req, sv->listener_fd);
  if (sock < 0)
    return sock;
  struct sockaddr_storage addr;
  memset(&addr, 0, sizeof(addr));
  int rc = rf_target_read(req->pid, addr_ptr, &addr, addr_len);
  if (rc == 0 && !rf_notif_id_valid(sv->listener_fd, req->id))
    rc = -ESRCH;
  if (rc < 0)
    goto out;
  int domain = 0;
  socklen_t optlen = sizeof(domain);
  if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &optlen) < 0) {
    rc = -ENOTSOCK;
    goto out;
  }
  if (addr.ss_family == AF_UNSPEC) {
    rc = rf_connect_retry(sock, (struct sockaddr *)&addr, addr_len); /* dissolves an association */
    goto out;
  }
  if (domain != AF_UNIX) {
    /* Only reachable with a socket passed in (--pass-fd) or the network on:
     * the supervisor connects unconfined, so it applies the policy here. */
    int port = 0;
    if (sv->network == RF_NETWORK_ON ||
        (sv->network == RF_NETWORK_PROXY && inet_port(&addr, addr_len, &port) &&
         port == sv->proxy_port))
      rc = rf_connect_retry(sock, (struct sockaddr *)&addr, addr_len);
    else
      rc = -EACCES;
    goto out;
  }
  struct sockaddr_un *un = (struct sockaddr_un *)&addr;
  size_t path_len = addr_len - offsetof(struct sockaddr_un, sun_path);
  if (addr.ss_family != AF_UNIX || path_len == 0) {
    rc = rf_connect_retry(sock, (struct sockaddr *)&addr, addr_len); /* the kernel refuses it */
    goto out;
  }
  diag_query q = {0};
  if (un->sun_path[0] == '\0') {
    q.by_name = 1;
    q.name = un->sun_path;
    q.name_len = path_len;
    rc = diag_lookup(sv->diag_fd, &q);
    if (rc == 0 && !q.found)
      rc = -ECONNREFUSED;
    else if (rc == 0 && !bound_inside(sv, q.cookie))
      rc = -EPERM; /* a host's abstract socket: what Landlock's scope answers */
    if (rc == 0)
      rc = rf_connect_retry(sock, (struct sockaddr *)&addr, addr_len);
    goto out;
  }
  char path[sizeof(un->sun_path) + 1];
  memcpy(path, un->sun_path, path_len);
  path[path_len] = '\0';
  int target = rf_target_open(req->pid, path, O_PATH);
  if (target < 0) {
    rc = target;
    goto out;
  }
  struct stat st;
  if (fstat(target, &st) < 0 || !S_ISSOCK(st.st_mode)) {
    close(target);
    rc = -ECONNREFUSED;
    goto out;
  }
  q.dev_major = major(st.st_dev);
  q.dev_minor = minor(st.st_dev);
  q.ino = (uint32_t)st.st_ino; /* sock_diag reports 32 bits of the inode */
  rc = diag_lookup(sv->diag_fd, &q);
  if (rc == 0 && !q.found)
    rc = -ECONNREFUSED;
  else if (rc == 0 && !bound_inside(sv, q.cookie))
    rc = -EACCES; /* a host socket: tmux, ssh-agent, D-Bus, Docker, X11 ... */
  if (rc == 0) {
    struct sockaddr_un via = {.sun_family = AF_UNIX};
    snprintf(via.sun_path, sizeof(via.sun_path), "/proc/self/fd/%d", target);
    rc = rf_connect_retry(sock, (struct sockaddr *)&via, sizeof(via));
  }
  close(target);
out:
  close(sock);
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

static void *supervise(void *arg) {
  rf_ll_unix_supervisor *sv = arg;
  struct pollfd first[2] = {{.fd = sv->channel_fd, .events = POLLIN},
                            {.fd = sv->stop_fd, .events = POLLIN}};
  while (poll(first, 2, -1) < 0 && errno == EINTR)
    ;
  if (first[1].revents || (sv->listener_fd = receive_listener(sv->channel_fd)) < 0)
    return NULL;
  /* Metadata changes are made by this thread on the caller's behalf: with
   * no capabilities (per thread) it is held to the caller's permissions. */
  if (rf_ll_meta_drop_thread_capabilities() < 0)
    return NULL; /* every notified call then fails with ENOSYS: closed */
  rf_ll_meta_ctx meta = {
      .listener = sv->listener_fd,
      .writable = (const char *const *)sv->writable,
      .n_writable = sv->n_writable,
      .protected_paths = (const char *const *)sv->protected_paths,
      .n_protected = sv->n_protected,
  };
  struct seccomp_notif_sizes sizes;
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    return NULL;
  size_t req_size = sizes.seccomp_notif > sizeof(struct seccomp_notif) ? sizes.seccomp_notif
                                                                       : sizeof(struct seccomp_notif);
  size_t resp_size = sizes.seccomp_notif_resp > sizeof(struct seccomp_notif_resp)
                         ? sizes.seccomp_notif_resp
                         : sizeof(struct seccomp_notif_resp);
  struct seccomp_notif *req = calloc(1, req_size);
  struct seccomp_notif_resp *resp = calloc(1, resp_size);
  if (!req || !resp)
    goto out;
  for (;;) {
    struct pollfd fds[2] = {{.fd = sv->listener_fd, .events = POLLIN},
                            {.fd = sv->stop_fd, .events = POLLIN}};
    int rc = poll(fds, 2, -1);
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc < 0 || fds[1].revents || (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
      break;
    memset(req, 0, req_size);
    if (ioctl(sv->listener_fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
      if (errno == EINTR || errno == ENOENT)
        continue;
      break;
    }
    int result;
    if (req->data.nr == __NR_connect)
      result = handle_connect(sv, req);
    else if (req->data.nr == __NR_bind)
      result = handle_bind(sv, req);
    else
      result = rf_ll_meta_handle(&meta, req);
    memset(resp, 0, resp_size);
    resp->id = req->id;
    if (result == 1)
      resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    else
      resp->error = result < 0 ? result : 0;
    /* ENOENT: the caller was interrupted meanwhile; nothing to answer. */
    ioctl(sv->listener_fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
  }
out:
  free(req);
  free(resp);
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
    snprintf(err, err_len, "cannot start the socket supervisor thread: %s", strerror(rc));
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
  close(sv->stop_fd);
  close(sv->channel_fd);
  if (sv->listener_fd >= 0)
    close(sv->listener_fd);
  close(sv->diag_fd);
  free(sv->cookies);
  free_strv(sv->writable);
  free_strv(sv->protected_paths);
  free(sv);
}
