/* notify-handler-socket.c: where a sandboxed socket may connect, send and bind (the decision and its reasons in notify-handler-socket.h). */
#include "notify-handler-socket.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <ringfence/backend.h>

#include "notify-decode.h"
#include "notify-handler-fsguard.h"
#include "notify-resources.h"
#include "unix-diag.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif
#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif
#ifndef SIOCGSKNS
#define SIOCGSKNS 0x894C
#endif
#define RF_TCP_LISTEN 10
#define RF_TCP_LISTEN_STATES (1u << RF_TCP_LISTEN)

struct rf_notify_socket {
  rf_notify_socket_config config;
  pthread_mutex_t lock; /* the recorded cookies: bind records, workers read */
  uint64_t *cookies;    /* sockets a sandboxed process bound (private_netns 0) */
  size_t n_cookies, cap_cookies;
};

int rf_notify_socket_new(const rf_notify_socket_config *config, rf_notify_socket **out) {
  rf_notify_socket *s = calloc(1, sizeof(*s));
  if (!s)
    return -ENOMEM;
  s->config = *config;
  pthread_mutex_init(&s->lock, NULL);
  *out = s;
  return 0;
}

void rf_notify_socket_set_diag(rf_notify_socket *s, int diag_fd) {
  s->config.diag_fd = diag_fd;
}

void rf_notify_socket_free(rf_notify_socket *s) {
  if (!s)
    return;
  pthread_mutex_destroy(&s->lock);
  free(s->cookies);
  free(s);
}

/* ---- the seccomp rules ------------------------------------------------------------- */

int rf_notify_socket_add_rules(scmp_filter_ctx ctx, int with_bind) {
  int rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(connect), 0);
  /* Sends that may name a destination: sendto only when it does (its
   * address is an argument); sendmsg and sendmmsg keep theirs in memory. */
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(sendto), 1, SCMP_A4(SCMP_CMP_NE, 0));
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(sendmsg), 0);
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(sendmmsg), 0);
  if (with_bind && rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(bind), 0);
  return rc;
}

/* ---- the sandbox's sockets -------------------------------------------------------- */

int rf_unix_socket_bound_in_netns(int diag_fd, unsigned long long dev, unsigned long long ino) {
  /* sock_diag reports the superblock's kernel-internal dev_t and 32 bits of the inode. */
  rf_diag_query q = {.dev_major = major(dev), .dev_minor = minor(dev), .ino = (uint32_t)ino};
  rf_diag_match m;
  int rc = rf_unix_diag_lookup(diag_fd, ~0u, &q, &m);
  return rc < 0 ? rc : m.found;
}

/* Lock held. */
static int recorded_locked(const rf_notify_socket *s, uint64_t cookie) {
  for (size_t i = 0; i < s->n_cookies; i++)
    if (s->cookies[i] == cookie)
      return 1;
  return 0;
}

static int recorded(rf_notify_socket *s, uint64_t cookie) {
  pthread_mutex_lock(&s->lock);
  int found = recorded_locked(s, cookie);
  pthread_mutex_unlock(&s->lock);
  return found;
}

/* 0, or RF_NOTIFY_SHORT when there is no memory to remember it (the bind
 * is then refused: a socket bound but not remembered would refuse the
 * sandbox's own connects with EACCES later). */
static int record(rf_notify_socket *s, uint64_t cookie) {
  int rc = 0;
  pthread_mutex_lock(&s->lock);
  if (!recorded_locked(s, cookie)) {
    if (s->n_cookies == s->cap_cookies) {
      size_t cap = s->cap_cookies ? s->cap_cookies * 2 : 32;
      uint64_t *grown = realloc(s->cookies, cap * sizeof(uint64_t));
      if (grown) {
        s->cookies = grown;
        s->cap_cookies = cap;
      }
    }
    if (s->n_cookies < s->cap_cookies)
      s->cookies[s->n_cookies++] = cookie;
    else
      rc = RF_NOTIFY_SHORT;
  }
  pthread_mutex_unlock(&s->lock);
  return rc;
}

static int socket_domain(int sock) {
  int domain = 0;
  socklen_t len = sizeof(domain);
  return getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 ? -ENOTSOCK : domain;
}

static int socket_type(int sock) {
  int type = 0;
  socklen_t len = sizeof(type);
  getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len);
  return type;
}

/* The network namespace of |sock| as (cookie) or, before Linux 5.14, as the
 * inode SIOCGSKNS opens (which needs CAP_NET_ADMIN over it).  0 or -errno. */
static int netns_of(int sock, uint64_t *id) {
  socklen_t len = sizeof(*id);
  if (getsockopt(sock, SOL_SOCKET, SO_NETNS_COOKIE, id, &len) == 0)
    return 0;
  if (errno != ENOPROTOOPT)
    return -errno;
  int ns = ioctl(sock, SIOCGSKNS);
  if (ns < 0)
    return -errno;
  struct stat st;
  int rc = fstat(ns, &st) == 0 ? 0 : -errno;
  close(ns);
  *id = (uint64_t)st.st_ino | 1ull << 63;
  return rc;
}

/* 1 when |sock| lives in the namespace the sock_diag socket looks into,
 * 0 when not or when that cannot be told (then: not). */
static int same_netns(const rf_notify_socket *s, int sock) {
  uint64_t a = 0, b = 0;
  if (netns_of(sock, &a) < 0 || netns_of(s->config.diag_fd, &b) < 0)
    return 0;
  return a == b;
}

/* 1 when the kernel, looking up an abstract or inet address for |sock|,
 * can only find the sandbox's own sockets: its namespace is the sandbox's
 * private one. */
static int isolated(const rf_notify_socket *s, int sock) {
  return s->config.private_netns && same_netns(s, sock);
}

/* The socket |q| names (bound to an inode, or to an abstract name), if it
 * is the sandbox's: 0, or -errno for the caller: |denied| when it is not,
 * -ECONNREFUSED when sock_diag lists no such socket in a namespace shared
 * with the host (a stale socket file: nobody bound it). */
static int bound_by_sandbox(rf_notify_socket *s, int type, rf_diag_query *q, int denied) {
  /* With a private namespace every state counts (a datagram socket is
   * never listening); in the host's, only listeners for connection
   * sockets, which keeps the dump short. */
  uint32_t states = s->config.private_netns || type == SOCK_DGRAM ? ~0u : RF_TCP_LISTEN_STATES;
  rf_diag_match m;
  int rc = rf_unix_diag_lookup(s->config.diag_fd, states, q, &m);
  if (rc < 0) /* sock_diag failed (memory, buffer): we cannot tell, and say so */
    return rf_notify_own_failure(-rc, denied);
  if (!m.found)
    return s->config.private_netns ? -denied : -ECONNREFUSED;
  if (!s->config.private_netns && !recorded(s, m.cookie))
    return -denied;
  return 0;
}

/* A pathname unix address: the socket file as the caller finds it, if the
 * socket bound to it is the sandbox's.  0 with the file held open (O_PATH)
 * in *opened, or -errno: -ECONNREFUSED (not a socket), -EACCES (a host socket). */
static int socket_file_inside(rf_notify_socket *s, rf_target *t, int type, const char *path,
                              int *opened) {
  int target = rf_target_open(t, path, O_PATH);
  if (target < 0)
    return target;
  struct stat st;
  if (fstat(target, &st) < 0 || !S_ISSOCK(st.st_mode)) {
    close(target);
    return -ECONNREFUSED;
  }
  rf_diag_query q = {.dev_major = major(st.st_dev), .dev_minor = minor(st.st_dev),
                     .ino = (uint32_t)st.st_ino};
  int rc = bound_by_sandbox(s, type, &q, EACCES);
  if (rc < 0) {
    close(target);
    return rc;
  }
  *opened = target;
  return 0;
}

/* --network proxy without a namespace of its own (Landlock): the one destination a socket of
 * the host's namespace may reach is the proxy, a TCP listener on the host's 127.0.0.1 (an
 * IPv6 socket names it ::ffff:127.0.0.1).  The port alone would let a stream to any host on
 * that port through, and a datagram to whatever listens on that UDP port. */
static int proxy_destination(const rf_notify_socket *s, int sock, const void *addr, size_t len) {
  if (s->config.network != RF_NETWORK_PROXY || s->config.proxy_port == 0 ||
      socket_type(sock) != SOCK_STREAM)
    return 0;
  sa_family_t family;
  memcpy(&family, addr, sizeof(family));
  if (family == AF_INET && len >= sizeof(struct sockaddr_in)) {
    struct sockaddr_in in;
    memcpy(&in, addr, sizeof(in));
    return ntohs(in.sin_port) == s->config.proxy_port &&
           in.sin_addr.s_addr == htonl(INADDR_LOOPBACK);
  }
  if (family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
    struct sockaddr_in6 in6;
    memcpy(&in6, addr, sizeof(in6));
    static const unsigned char mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                             0, 0, 0xff, 0xff, 127, 0, 0, 1};
    return ntohs(in6.sin6_port) == s->config.proxy_port &&
           memcmp(&in6.sin6_addr, mapped, sizeof(mapped)) == 0;
  }
  return 0;
}

/*
 * THE decision: may the caller's socket |sock| reach |addr| (|len| bytes,
 * copied out of the caller)?  0, or -errno for the caller.  |connecting|:
 * connect(), where AF_UNSPEC dissolves an association rather than naming a
 * destination.  A pathname destination comes back in *opened (the socket
 * file, held open), which the call must use instead of the path.
 */
static int check_destination(rf_notify_socket *s, rf_target *t, int sock, int connecting,
                             const struct sockaddr_storage *addr, socklen_t len, int *opened) {
  *opened = -1;
  int domain = socket_domain(sock);
  if (domain < 0)
    return domain;
  rf_sockaddr_view view;
  int rc = rf_decode_sockaddr(domain, addr, len, &view);
  if (rc < 0)
    return rc;
  if (domain != AF_UNIX) {
    /* inet and the rest (only inet can be made inside; others come from
     * outside): in the sandbox's private namespace, loopback only. */
    if (isolated(s, sock) || (connecting && view.family == AF_UNSPEC))
      return 0;
    if (s->config.network == RF_NETWORK_ON || proxy_destination(s, sock, addr, len))
      return 0;
    return -EACCES;
  }
  if (view.kind == RF_ADDR_UNIX_PATH)
    return socket_file_inside(s, t, socket_type(sock), view.path, opened);
  if (view.kind == RF_ADDR_UNIX_ABSTRACT) {
    if (isolated(s, sock))
      return 0;
    /* A socket from outside the sandbox's private namespace names the
     * host's abstract sockets; without a private one (Landlock), only a
     * socket in the namespace sock_diag looks into can be checked. */
    if (s->config.private_netns || !same_netns(s, sock))
      return -EPERM;
    rf_diag_query q = {.by_name = 1, .name = (const char *)addr + view.name_offset,
                       .name_len = view.name_len};
    return bound_by_sandbox(s, socket_type(sock), &q, EPERM); /* EPERM: Landlock's scope */
  }
  return 0; /* unnamed, or a family the socket does not take: the kernel refuses */
}

/* ---- connect ------------------------------------------------------------------------ */

static int handle_connect(rf_notify_socket *s, rf_notify_call *call) {
  const struct seccomp_notif *req = call->req;
  uint64_t addr_ptr = req->data.args[1];
  socklen_t addr_len = (socklen_t)req->data.args[2];
  if (addr_len > sizeof(struct sockaddr_storage) || addr_len < sizeof(sa_family_t))
    return -EINVAL;
  int sock = rf_target_copy_fd(req, call->listener, (int)req->data.args[0]);
  if (sock < 0)
    return sock;
  struct sockaddr_storage addr;
  memset(&addr, 0, sizeof(addr));
  int target = -1;
  int rc = rf_target_read(call->target, addr_ptr, &addr, addr_len);
  if (rc == 0)
    rc = check_destination(s, call->target, sock, 1, &addr, addr_len, &target);
  /* Right before connecting on the caller's behalf: still waiting?  Then
   * to the socket file held open, or to the address as checked. */
  if (rc == 0)
    rc = rf_connect_for_caller(call->listener, req->id, sock, target, (struct sockaddr *)&addr,
                               addr_len);
  if (target >= 0)
    close(target);
  close(sock);
  return rc;
}

/* ---- sending: sendto(addr), sendmsg, sendmmsg --------------------------------------- */

/* Checks the destination |addr| and, for a pathname, replaces it by
 * /proc/thread-self/fd/N of the socket file held open in *opened. */
static int checked_destination(rf_notify_socket *s, rf_target *t, int sock,
                               struct sockaddr_storage *addr, socklen_t *len, int *opened) {
  int rc = check_destination(s, t, sock, 0, addr, *len, opened);
  if (rc < 0 || *opened < 0)
    return rc;
  struct sockaddr_un *un = (struct sockaddr_un *)addr;
  memset(addr, 0, sizeof(*addr));
  un->sun_family = AF_UNIX;
  snprintf(un->sun_path, sizeof(un->sun_path), "/proc/thread-self/fd/%d", *opened);
  *len = sizeof(struct sockaddr_un);
  return 0;
}

/* Copies the caller's message (name, data, descriptors) as |msg| describes it
 * (with |local_iov|: sendto's one buffer, already in our memory) and sends it
 * on the copied socket.  Returns bytes sent or -errno. */
static ssize_t send_copied(rf_notify_socket *s, rf_notify_call *call, int sock,
                           const rf_msg_view *msg, const struct iovec *local_iov, int flags) {
  const struct seccomp_notif *req = call->req;
  rf_target *t = call->target;
  struct sockaddr_storage name;
  socklen_t name_len = (socklen_t)msg->name_len; /* <= sizeof(name): decoded */
  size_t n_iov = local_iov ? 1 : msg->iov_count;  /* <= RF_UIO_MAXIOV: decoded */
  struct iovec *iov = calloc(n_iov ? n_iov : 1, sizeof(*iov));
  size_t *take = calloc(n_iov ? n_iov : 1, sizeof(*take));
  char *data = malloc(RF_SEND_LIMIT);
  union {
    struct cmsghdr align;
    char bytes[RF_CONTROL_MAX];
  } control;
  rf_control_view cv = {0};
  int passed[RF_SCM_MAX_FD];
  size_t n_passed = 0;
  int opened = -1, pidfd = -1;
  ssize_t result = RF_NOTIFY_SHORT; /* no memory for the copies */
  if (!iov || !take || !data)
    goto out;
  /* Control data first, as the kernel parses it before the destination. */
  if (msg->control_len && /* <= RF_CONTROL_MAX: decoded */
      ((result = rf_target_read(t, msg->control, control.bytes, msg->control_len)) < 0 ||
       (result = rf_decode_control(control.bytes, msg->control_len, &cv)) < 0))
    goto out;
  if (name_len) {
    result = rf_target_read(t, msg->name, &name, name_len);
    if (result == 0)
      result = checked_destination(s, t, sock, &name, &name_len, &opened);
    if (result < 0)
      goto out;
  }
  if (local_iov)
    iov[0] = *local_iov;
  else if (n_iov && (result = rf_target_read(t, msg->iov, iov, n_iov * sizeof(*iov))) < 0)
    goto out;
  rf_iov_plan plan;
  if ((result = rf_decode_iovecs(iov, n_iov, RF_SEND_LIMIT, take, &plan)) < 0)
    goto out;
  size_t copied = 0;
  for (size_t i = 0; i < n_iov; i++) {
    /* take[i] <= RF_SEND_LIMIT - copied: decoded. */
    if (take[i] && (result = rf_target_read(t, (uint64_t)(uintptr_t)iov[i].iov_base,
                                            data + copied, take[i])) < 0)
      goto out;
    copied += take[i];
  }
  if (plan.wanted > plan.taken && socket_type(sock) != SOCK_STREAM) {
    result = -EMSGSIZE;
    goto out;
  }
  struct iovec one = {.iov_base = data, .iov_len = copied};
  struct msghdr local = {.msg_name = name_len ? &name : NULL, .msg_namelen = name_len,
                         .msg_iov = &one, .msg_iovlen = 1};
  if (msg->control_len) {
    local.msg_control = control.bytes;
    local.msg_controllen = msg->control_len;
  }
  /* Descriptors being passed are the caller's numbers: make them ours.
   * Each offset lies inside the message (decoded). */
  if (cv.n_fds && (pidfd = rf_target_pidfd_checked(call->listener, req)) < 0) {
    result = pidfd;
    goto out;
  }
  for (size_t k = 0; k < cv.n_fds; k++) {
    int theirs;
    memcpy(&theirs, control.bytes + cv.fd_offset[k], sizeof(int));
    int copy = (int)syscall(SYS_pidfd_getfd, pidfd, theirs, 0);
    if (copy < 0) {
      /* EMFILE: our table cannot hold that many at once; the kernel says
       * ETOOMANYREFS when descriptors in flight exceed RLIMIT_NOFILE. */
      result = errno == EMFILE ? -ETOOMANYREFS : errno == EBADF ? -EBADF
                                                                : rf_notify_own_failure(errno, EBADF);
      goto out;
    }
    passed[n_passed++] = copy;
    memcpy(control.bytes + cv.fd_offset[k], &copy, sizeof(int));
  }
  /* Right before sending on the caller's behalf: is it still waiting? */
  if (!rf_notif_id_valid(call->listener, req->id)) {
    result = -ESRCH;
    goto out;
  }
  do
    result = sendmsg(sock, &local, flags | MSG_NOSIGNAL);
  while (result < 0 && errno == EINTR);
  if (result < 0)
    result = -errno;
  /* MSG_NOSIGNAL was added so the supervisor is not killed; give the caller
   * its SIGPIPE as the kernel would have (a pidfd, so no other process). */
  if (result == -EPIPE && !(flags & MSG_NOSIGNAL)) {
    int signal_fd = pidfd >= 0 ? pidfd : rf_target_pidfd_checked(call->listener, req);
    if (signal_fd >= 0)
      syscall(SYS_pidfd_send_signal, signal_fd, SIGPIPE, NULL, 0);
    if (signal_fd >= 0 && signal_fd != pidfd)
      close(signal_fd);
  }
out:
  for (size_t k = 0; k < n_passed; k++)
    close(passed[k]);
  if (pidfd >= 0)
    close(pidfd);
  if (opened >= 0)
    close(opened);
  free(iov);
  free(take);
  free(data);
  return result;
}

/* sendto(fd, buf, len, flags, addr, addrlen), sendmsg(fd, msg, flags) and
 * sendmmsg(fd, msgvec, vlen, flags) (the first message only: a short count
 * is part of its contract). */
static int handle_send(rf_notify_socket *s, rf_notify_call *call) {
  const struct seccomp_notif *req = call->req;
  const __u64 *a = req->data.args;
  int nr = req->data.nr;
  if (nr == __NR_sendmmsg && (unsigned)a[2] == 0)
    return 0; /* nothing to send: 0 messages sent */
  int sock = rf_target_copy_fd(req, call->listener, (int)a[0]);
  if (sock < 0)
    return sock;
  rf_msg_view msg = {0};
  struct iovec one;
  const struct iovec *local_iov = NULL;
  int flags, rc = 0;
  if (nr == __NR_sendto) {
    /* sendto's length is clamped by the kernel too; its address length is an int. */
    one.iov_base = (void *)(uintptr_t)a[1];
    one.iov_len = a[2] > (uint64_t)SSIZE_MAX ? (size_t)SSIZE_MAX : (size_t)a[2];
    local_iov = &one;
    flags = (int)a[3];
    int name_len = (int)a[5];
    msg.name = a[4];
    if (name_len < 0 || (size_t)name_len > sizeof(struct sockaddr_storage))
      rc = -EINVAL;
    msg.name_len = a[4] ? (size_t)name_len : 0;
  } else {
    /* sendmsg's msghdr, or the first mmsghdr (which begins with one). */
    char raw[sizeof(struct msghdr)];
    flags = nr == __NR_sendmsg ? (int)a[2] : (int)a[3];
    rc = rf_target_read(call->target, a[1], raw, sizeof(raw));
    if (rc == 0)
      rc = rf_decode_msghdr(raw, sizeof(raw), &msg);
  }
  ssize_t sent = rc < 0 ? rc : send_copied(s, call, sock, &msg, local_iov, flags);
  if (sent >= 0 && nr == __NR_sendmmsg) {
    /* sendmmsg reports each message's length in msgvec[i].msg_len: written
     * only while the caller still waits (rf_target_write checks). */
    unsigned int len32 = (unsigned int)sent;
    int wrote = rf_target_write(call->target, call->listener, req->id,
                                a[1] + offsetof(struct mmsghdr, msg_len), &len32, sizeof(len32));
    sent = wrote < 0 ? wrote : 1;
  }
  close(sock);
  if (sent < 0)
    return (int)sent;
  call->value = sent;
  return 0;
}

/* ---- bind --------------------------------------------------------------------------- */

/* Without a private namespace: record the socket as the sandbox's, then
 * let the kernel bind it as the caller (Landlock decides where a socket
 * file may be made).  Swapping the descriptor in between only records
 * another socket of the sandbox's. */
static int bind_recorded(rf_notify_socket *s, rf_notify_call *call) {
  int sock = rf_target_copy_fd(call->req, call->listener, (int)call->req->data.args[0]);
  if (sock < 0)
    return sock;
  int rc = RF_NOTIFY_CONTINUE;
  uint64_t cookie = 0;
  socklen_t len = sizeof(cookie);
  if (socket_domain(sock) == AF_UNIX &&
      getsockopt(sock, SOL_SOCKET, SO_COOKIE, &cookie, &len) == 0 && record(s, cookie) < 0)
    rc = RF_NOTIFY_SHORT;
  close(sock);
  return rc;
}

/* With a private namespace: a pathname creates a name, which the guard's
 * proxy binds (refusing protected names); anything else is bound here on a
 * copy of the socket, in the socket's own namespace. */
static int bind_guarded(rf_notify_socket *s, rf_notify_call *call) {
  const __u64 *a = call->req->data.args;
  socklen_t len = (socklen_t)a[2];
  if (len > sizeof(struct sockaddr_storage) || len < sizeof(sa_family_t))
    return -EINVAL;
  struct sockaddr_storage addr;
  memset(&addr, 0, sizeof(addr));
  rf_sockaddr_view view;
  int sock = rf_target_copy_fd(call->req, call->listener, (int)a[0]);
  if (sock < 0)
    return sock;
  int domain = socket_domain(sock);
  int rc = domain < 0 ? domain : rf_target_read(call->target, a[1], &addr, len);
  if (rc == 0)
    rc = rf_decode_sockaddr(domain, &addr, len, &view);
  if (rc == 0 && view.kind != RF_ADDR_UNIX_PATH && !s->config.private_netns) {
    rc = RF_NOTIFY_CONTINUE; /* the host's namespace: the kernel binds as the caller (Landlock's
                              * bind_tcp, abstract names) */
  } else if (rc == 0 && view.kind != RF_ADDR_UNIX_PATH) {
    /* Right before binding on the caller's behalf. */
    if (!rf_notif_id_valid(call->listener, call->req->id))
      rc = -ESRCH;
    else
      rc = bind(sock, (struct sockaddr *)&addr, len) == 0 ? 0 : -errno;
  } else if (rc == 0) {
    rc = s->config.guard ? rf_notify_fsguard_bind(s->config.guard, call, view.path, sock)
                         : -ENOSYS;
  }
  close(sock);
  return rc;
}

/* ---- the handler ------------------------------------------------------------------- */

static int socket_handles(void *state, int nr) {
  (void)state;
  return nr == __NR_connect || nr == __NR_sendto || nr == __NR_sendmsg || nr == __NR_sendmmsg ||
         nr == __NR_bind;
}

static int socket_on_receiver(void *state, int nr) {
  rf_notify_socket *s = state;
  /* Recording a bind never blocks; connects and sends can (a full backlog
   * or buffer), and a guarded bind waits for the proxy. */
  return nr == __NR_bind && !s->config.private_netns && !s->config.guard;
}

static int socket_handle(void *state, rf_notify_call *call) {
  rf_notify_socket *s = state;
  switch (call->req->data.nr) {
  case __NR_connect:
    return handle_connect(s, call);
  case __NR_bind:
    if (s->config.private_netns)
      return bind_guarded(s, call);
    /* Landlock: the socket is recorded as the sandbox's; with the guard a
     * pathname (a new name) is then bound by the proxy, refusing protected
     * paths. */
    {
      int rc = bind_recorded(s, call);
      return rc == RF_NOTIFY_CONTINUE && s->config.guard ? bind_guarded(s, call) : rc;
    }
  default:
    return handle_send(s, call);
  }
}

static void socket_take_back(void *state, rf_notify_call *call) {
  rf_notify_socket *s = state;
  if (s->config.guard)
    rf_notify_fsguard_take_back_slot(s->config.guard, call->slot);
}

const rf_notify_handler rf_notify_socket_handler = {
    .name = "socket",
    .handles = socket_handles,
    .on_receiver = socket_on_receiver,
    .handle = socket_handle,
    .take_back = socket_take_back,
};
