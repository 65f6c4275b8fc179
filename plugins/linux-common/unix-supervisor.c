/* unix-supervisor.c: the seccomp user-notification supervisor for connect() (design in unix-supervisor.h). */
#include "unix-supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/openat2.h>
#include <linux/rtnetlink.h>
#include <linux/seccomp.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <seccomp.h>
#include <stdint.h>
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
#include <spawn.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs-proxy.h"
#include "notify-decode.h"
#include "notify-pool.h"
#include "notify-resources.h"
#include "notify-target.h"
#include "seccomp-groups.h"
#include "unix-diag.h"

/*
 * Every notification gets an answer, on every path (see notify-resources.h
 * and notify-pool.h):
 *  - the supervisor thread and each worker work in a descriptor table of
 *    their own, so neither ringfence nor another worker can starve them, and
 *    the listener and sock_diag descriptors live only there;
 *  - a pool of workers answers the notifications, so one call that blocks (a
 *    connect to a full backlog, a FIFO without a reader) does not hold up
 *    the others; one worker is started before the command runs, and a call
 *    no worker takes within RF_WORKER_WAIT_MS is answered RF_NOTIFY_SHORT;
 *  - a creation that cannot be handed to the caller is taken back: its
 *    caller was interrupted by a signal and will see EINTR or make the call
 *    again, and the new call must not find the name the old one made (the
 *    pool starts a thread's new call only once its earlier one is finished,
 *    or after RF_SAME_CALLER_WAIT_MS: a call blocked in the proxy, a FIFO
 *    without a reader, made nothing that would have to be taken back).
 */
#define RF_WORKER_WAIT_MS 250
#define RF_SAME_CALLER_WAIT_MS 200

/* A worker's own ringfence-fs-proxy connection. */
typedef struct {
  int fd;
  size_t slot;
} proxy_handle;

struct rf_unix_supervisor {
  pthread_t thread;
  int channel_fd;
  int stop_fd;     /* eventfd: wakes the thread to stop */
  int listener_fd; /* in the supervisor's and the workers' tables only */
  int diag_fd;     /* likewise */
  char *fs_proxy;           /* path of ringfence-fs-proxy, or NULL */
  char **missing_protected; /* its arguments */
  int landlock_fd;          /* the Landlock layer each proxy enforces, or -1 */
  int landlock_abi;
  rf_notify_pool *pool; /* made by the supervisor thread */
  int keep_fds[3];      /* what each worker's table keeps */

  pthread_mutex_t lock;
  pthread_cond_t wake;                    /* launcher_pid was set */
  proxy_handle proxy[RF_NOTIFY_POOL_MAX]; /* each worker's, used by that worker only */
  pid_t proxies[RF_NOTIFY_POOL_MAX];      /* each worker's ringfence-fs-proxy, 0 if none */
  pid_t launcher_pid; /* bwrap, whose child is the sandbox's pid 1; -1: gave up */
};

/* Syscalls that create a directory entry: name, and which argument holds
 * open()'s flags (-1: always asked about).  Missing names are skipped (aarch64
 * has only the *at forms). */
static const struct {
  const char *name;
  int flags_arg;
} creating_syscalls[] = {
    {"open", 1},    {"openat", 2},   {"creat", -1},    {"mkdir", -1},
    {"mkdirat", -1}, {"mknod", -1},  {"mknodat", -1},  {"symlink", -1},
    {"symlinkat", -1}, {"link", -1}, {"linkat", -1},   {"rename", -1},
    {"renameat", -1}, {"renameat2", -1},
};

/* ---- the filter --------------------------------------------------------- */

#ifdef RF_HAVE_PRECOMPILED_BPF
#include "seccomp-programs.h"
#endif

int rf_unix_supervisor_filter_memfd(int guard_names, char *err, size_t err_len) {
#ifdef RF_HAVE_PRECOMPILED_BPF
  const rf_bpf_blob *blob = &rf_notify_programs[guard_names < 0 ? 0 : guard_names > 2 ? 2 : guard_names];
  return rf_seccomp_memfd_from_blob(blob->code, blob->len, err, err_len);
#else
  return rf_unix_supervisor_compile_filter(guard_names, err, err_len);
#endif
}

int rf_unix_supervisor_add_rules(scmp_filter_ctx ctx, int guard_names) {
  int rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(connect), 0);
  /* Sends that name a destination (see handle_send). */
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(sendto), 1, SCMP_A4(SCMP_CMP_NE, 0));
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(sendmsg), 0);
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(sendmmsg), 0);
  /* A socket file is a name too: bind() goes through the proxy. */
  if (guard_names && rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(bind), 0);
  /* Level 2: a protected name is a symlink, which no mount can cover:
   * removing it goes through the proxy too. */
  static const char *const removing[] = {"unlink", "unlinkat", "rmdir"};
  for (size_t i = 0; guard_names >= 2 && rc == 0 && i < 3; i++) {
    int nr = seccomp_syscall_resolve_name(removing[i]);
    if (nr != __NR_SCMP_ERROR)
      rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
  }
  for (size_t i = 0; guard_names && rc == 0 && i < sizeof(creating_syscalls) / sizeof(creating_syscalls[0]); i++) {
    int nr = seccomp_syscall_resolve_name(creating_syscalls[i].name);
    if (nr == __NR_SCMP_ERROR)
      continue;
    if (creating_syscalls[i].flags_arg < 0)
      rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
    else /* only opens that may create: O_CREAT set */
      rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
                            SCMP_CMP((unsigned)creating_syscalls[i].flags_arg, SCMP_CMP_MASKED_EQ,
                                     O_CREAT, O_CREAT));
  }
  return rc;
}

int rf_unix_supervisor_compile_filter(int guard_names, char *err, size_t err_len) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) {
    snprintf(err, err_len, "seccomp: cannot allocate the notify filter");
    return -ENOMEM;
  }
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc == 0)
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc == 0)
    rc = rf_unix_supervisor_add_rules(ctx, guard_names);
  int fd = -1;
  if (rc == 0) {
    fd = memfd_create("ringfence-notify", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    rc = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
  }
  seccomp_release(ctx);
  if (rc == 0 && (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0 ||
                  lseek(fd, 0, SEEK_SET) != 0))
    rc = -errno;
  if (rc < 0) {
    snprintf(err, err_len, "seccomp: cannot build the connect notify filter: %s", strerror(-rc));
    if (fd >= 0)
      close(fd);
    return rc;
  }
  return fd;
}

/* ---- sock_diag: is a socket bound to (dev, ino) in this namespace? ------- */

int rf_unix_socket_bound_in_netns(int diag_fd, unsigned long long dev, unsigned long long ino) {
  /* sock_diag reports the superblock's kernel-internal dev_t and 32 bits of the inode. */
  rf_diag_query q = {.dev_major = major(dev), .dev_minor = minor(dev), .ino = (uint32_t)ino};
  rf_diag_match m;
  int rc = rf_unix_diag_lookup(diag_fd, ~0u, &q, &m);
  return rc < 0 ? rc : m.found;
}

/* ---- one notification ----------------------------------------------------- */

/*
 * Every handler below works on sandbox input in three steps: attach to the
 * caller (rf_target_attach: its /proc/TID, opened then checked), copy what it
 * names out of its memory once and decode it with notify-decode.c (bounded,
 * or refused), then check the notification again right before acting on the
 * caller's behalf (rf_notif_id_valid), so nothing is done for a caller that
 * is gone.  SECCOMP_IOCTL_NOTIF_ADDFD needs no such check: the kernel adds
 * the descriptor only while the notification with that id is pending.
 */

/* What the proxy needs to know of the caller, from its /proc/TID/status:
 * its tgid, its pid and tid inside the sandbox's pid namespace (NStgid /
 * NSpid list the ids from the outermost namespace inwards) and its umask.
 * 0, or -errno for the caller (RF_NOTIFY_SHORT when we could not read it:
 * guessing a umask would create files with the wrong mode). */
typedef struct {
  pid_t tgid, ns_pid, ns_tid;
  unsigned umask;
} caller_status;

static int read_caller_status(rf_target *t, caller_status *out) {
  char text[4096];
  *out = (caller_status){.tgid = -1};
  ssize_t n = rf_target_status(t, text, sizeof(text));
  if (n <= 0)
    return n < 0 ? (int)n : -ESRCH;
  int have_umask = 0;
  for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    char *eol = strchr(line, '\n');
    if (eol)
      *eol = '\0';
    char *last = strrchr(line, '\t');
    if (strncmp(line, "Tgid:", 5) == 0)
      out->tgid = (pid_t)strtol(line + 5, NULL, 10);
    if (strncmp(line, "NStgid:", 7) == 0 && last)
      out->ns_pid = (pid_t)strtol(last + 1, NULL, 10);
    if (strncmp(line, "NSpid:", 6) == 0 && last)
      out->ns_tid = (pid_t)strtol(last + 1, NULL, 10);
    if (strncmp(line, "Umask:", 6) == 0)
      have_umask = sscanf(line + 6, "%o", &out->umask) == 1;
    if (eol)
      *eol = '\n';
  }
  return out->tgid > 0 && have_umask ? 0 : -ESRCH;
}

static int socket_domain(int sock) {
  int domain = 0;
  socklen_t optlen = sizeof(domain);
  return getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &optlen) < 0 ? -ENOTSOCK : domain;
}

/* A pathname unix address: the socket file as the caller finds it, if a
 * socket of the sandbox's network namespace is bound to it.  The opened file
 * (O_PATH) or -errno: -ECONNREFUSED (not a socket), -EACCES (a host socket). */
static int socket_file_inside(rf_unix_supervisor *sv, rf_target *t, const char *path) {
  int target = rf_target_open(t, path, O_PATH);
  if (target < 0)
    return target;
  struct stat st;
  if (fstat(target, &st) < 0 || !S_ISSOCK(st.st_mode)) {
    close(target);
    return -ECONNREFUSED;
  }
  int bound = rf_unix_socket_bound_in_netns(sv->diag_fd, st.st_dev, st.st_ino);
  if (bound != 1) {
    close(target);
    /* 0: a host socket, denied by the sandbox; < 0: sock_diag failed (no
     * memory, no buffer): we cannot tell, and say so. */
    return bound == 0 ? -EACCES : rf_notify_own_failure(-bound, EACCES);
  }
  return target;
}

/* Returns the value connect() returns to the caller: 0 or -errno. */
static int handle_connect(rf_unix_supervisor *sv, const struct seccomp_notif *req) {
  uint64_t addr_ptr = req->data.args[1];
  socklen_t addr_len = (socklen_t)req->data.args[2];
  if (addr_len > sizeof(struct sockaddr_storage) || addr_len < sizeof(sa_family_t))
    return -EINVAL;
  rf_target t;
  int rc = rf_target_attach(&t, sv->listener_fd, req);
  if (rc < 0)
    return rc;
  int sock = rf_target_copy_fd(req, sv->listener_fd, (int)req->data.args[0]);
  if (sock < 0) {
    rf_target_detach(&t);
    return sock;
  }
  struct sockaddr_storage addr;
  memset(&addr, 0, sizeof(addr));
  rf_sockaddr_view view;
  int domain = socket_domain(sock);
  rc = domain < 0 ? domain : rf_target_read(&t, addr_ptr, &addr, addr_len);
  if (rc == 0)
    rc = rf_decode_sockaddr(domain, &addr, addr_len, &view);
  int target = -1;
  if (rc == 0 && view.kind == RF_ADDR_UNIX_PATH) {
    target = socket_file_inside(sv, &t, view.path);
    rc = target < 0 ? target : 0;
  }
  /* Not a pathname unix address (target -1): the kernel resolves it in the
   * socket's own network namespace, the sandbox's private one. */
  if (rc == 0)
    rc = rf_connect_for_caller(sv->listener_fd, req->id, sock, target, (struct sockaddr *)&addr,
                               addr_len);
  if (target >= 0)
    close(target);
  close(sock);
  rf_target_detach(&t);
  return rc;
}

/* ---- sending with a destination: sendto(addr), sendmsg, sendmmsg ------------- */

/*
 * A datagram socket reaches any socket file by naming it in sendto() or
 * sendmsg(), without connect().  So those calls are notifications too
 * (sendto only when it names a destination), and the worker performs them
 * on a copy of the socket with copies of the destination, the data and the
 * descriptors being passed: a pathname unix destination must be bound inside
 * the sandbox, as for connect().  Nothing the caller changes after the check
 * is used.  Data beyond SEND_LIMIT is sent by a later call (stream sockets
 * report a short count; a larger datagram fails with EMSGSIZE).
 */
#define SEND_LIMIT (256 * 1024)

/* Replaces a pathname unix destination by /proc/thread-self/fd/N of the socket file,
 * after checking it is bound inside.  0, or -errno for the caller. */
static int check_destination(rf_unix_supervisor *sv, rf_target *t, int sock,
                             struct sockaddr_storage *addr, socklen_t *len, int *opened) {
  *opened = -1;
  int domain = socket_domain(sock);
  if (domain < 0)
    return domain;
  rf_sockaddr_view view;
  int rc = rf_decode_sockaddr(domain, addr, *len, &view);
  if (rc < 0)
    return rc;
  if (view.kind != RF_ADDR_UNIX_PATH)
    return 0; /* inet, abstract: looked up in the sandbox's namespace */
  int target = socket_file_inside(sv, t, view.path);
  if (target < 0)
    return target;
  struct sockaddr_un *un = (struct sockaddr_un *)addr;
  memset(addr, 0, sizeof(*addr));
  un->sun_family = AF_UNIX;
  snprintf(un->sun_path, sizeof(un->sun_path), "/proc/thread-self/fd/%d", target);
  *len = sizeof(struct sockaddr_un);
  *opened = target;
  return 0;
}

/* Copies the caller's message (name, data, descriptors) as |msg| describes it
 * (with |local_iov|: sendto's one buffer, already in our memory) and sends it
 * on the copied socket.  Returns bytes sent or -errno. */
static ssize_t send_copied(rf_unix_supervisor *sv, const struct seccomp_notif *req, rf_target *t,
                           int sock, const rf_msg_view *msg, const struct iovec *local_iov,
                           int flags) {
  struct sockaddr_storage name;
  socklen_t name_len = (socklen_t)msg->name_len; /* <= sizeof(name): decoded */
  size_t n_iov = local_iov ? 1 : msg->iov_count;  /* <= RF_UIO_MAXIOV: decoded */
  struct iovec *iov = calloc(n_iov ? n_iov : 1, sizeof(*iov));
  size_t *take = calloc(n_iov ? n_iov : 1, sizeof(*take));
  char *data = malloc(SEND_LIMIT);
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
      result = check_destination(sv, t, sock, &name, &name_len, &opened);
    if (result < 0)
      goto out;
  }
  if (local_iov)
    iov[0] = *local_iov;
  else if (n_iov && (result = rf_target_read(t, msg->iov, iov, n_iov * sizeof(*iov))) < 0)
    goto out;
  rf_iov_plan plan;
  if ((result = rf_decode_iovecs(iov, n_iov, SEND_LIMIT, take, &plan)) < 0)
    goto out;
  size_t copied = 0;
  for (size_t i = 0; i < n_iov; i++) {
    /* take[i] <= SEND_LIMIT - copied: decoded. */
    if (take[i] && (result = rf_target_read(t, (uint64_t)(uintptr_t)iov[i].iov_base,
                                            data + copied, take[i])) < 0)
      goto out;
    copied += take[i];
  }
  int type = 0;
  socklen_t optlen = sizeof(type);
  getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &optlen);
  if (plan.wanted > plan.taken && type != SOCK_STREAM) {
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
  if (cv.n_fds && (pidfd = rf_target_pidfd_checked(sv->listener_fd, req)) < 0) {
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
  if (!rf_notif_id_valid(sv->listener_fd, req->id)) {
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
    int signal_fd = pidfd >= 0 ? pidfd : rf_target_pidfd_checked(sv->listener_fd, req);
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
 * is part of its contract).  Returns the syscall's value or -errno; the
 * value is returned through *value. */
static int handle_send(rf_unix_supervisor *sv, const struct seccomp_notif *req, long long *value) {
  const __u64 *a = req->data.args;
  int nr = req->data.nr;
  rf_target t;
  int rc = rf_target_attach(&t, sv->listener_fd, req);
  if (rc < 0)
    return rc;
  int sock = rf_target_copy_fd(req, sv->listener_fd, (int)a[0]);
  if (sock < 0) {
    rf_target_detach(&t);
    return sock;
  }
  rf_msg_view msg = {0};
  struct iovec one;
  const struct iovec *local_iov = NULL;
  int flags;
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
  } else if (nr == __NR_sendmmsg && (unsigned)a[2] == 0) {
    *value = 0;
    goto done;
  } else {
    /* sendmsg's msghdr, or the first mmsghdr (which begins with one). */
    char raw[sizeof(struct msghdr)];
    flags = nr == __NR_sendmsg ? (int)a[2] : (int)a[3];
    rc = rf_target_read(&t, a[1], raw, sizeof(raw));
    if (rc == 0)
      rc = rf_decode_msghdr(raw, sizeof(raw), &msg);
  }
  ssize_t sent = rc < 0 ? rc : send_copied(sv, req, &t, sock, &msg, local_iov, flags);
  if (sent >= 0 && nr == __NR_sendmmsg) {
    /* sendmmsg reports each message's length in msgvec[i].msg_len: written
     * only while the caller still waits (rf_target_write checks). */
    unsigned int len32 = (unsigned int)sent;
    int wrote = rf_target_write(&t, sv->listener_fd, req->id,
                                a[1] + offsetof(struct mmsghdr, msg_len), &len32, sizeof(len32));
    sent = wrote < 0 ? wrote : 1;
  }
  if (sent < 0)
    rc = (int)sent;
  else
    *value = sent;
done:
  close(sock);
  rf_target_detach(&t);
  return rc < 0 ? rc : 0;
}

/* ---- name-creating syscalls, performed by ringfence-fs-proxy ------------------ */

/* The proxy enters the namespaces and root of the caller's /proc/TID
 * directory, handed to it as a descriptor: a directory opened below a checked
 * notification names the caller and no process that reuses its number. */
static int start_proxy(rf_unix_supervisor *sv, proxy_handle *proxy, const rf_target *t) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
    return rf_notify_own_failure(errno, EAGAIN);
  size_t n = 0;
  while (sv->missing_protected && sv->missing_protected[n])
    n++;
  char **argv = calloc(n + 8, sizeof(char *));
  char fd_text[16], proc_text[16], ll_fd_text[16], ll_abi_text[16];
  if (!argv) {
    close(pair[0]);
    close(pair[1]);
    return RF_NOTIFY_SHORT;
  }
  snprintf(fd_text, sizeof(fd_text), "%d", pair[1]);
  snprintf(proc_text, sizeof(proc_text), "%d", t->proc);
  size_t k = 0;
  argv[k++] = sv->fs_proxy;
  if (sv->landlock_fd >= 0) {
    snprintf(ll_fd_text, sizeof(ll_fd_text), "%d", sv->landlock_fd);
    snprintf(ll_abi_text, sizeof(ll_abi_text), "%d", sv->landlock_abi);
    argv[k++] = "--landlock-fd";
    argv[k++] = ll_fd_text;
    argv[k++] = "--landlock-abi";
    argv[k++] = ll_abi_text;
  }
  argv[k++] = fd_text;
  argv[k++] = proc_text;
  for (size_t i = 0; i < n; i++)
    argv[k++] = sv->missing_protected[i];
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  /* dup2 onto itself clears close-on-exec for these only. */
  posix_spawn_file_actions_adddup2(&actions, pair[1], pair[1]);
  posix_spawn_file_actions_adddup2(&actions, t->proc, t->proc);
  if (sv->landlock_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, sv->landlock_fd, sv->landlock_fd);
  /* A session of its own: the proxy must have no controlling terminal, or
   * opening /dev/tty for the sandbox would hand it ringfence's. */
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  extern char **environ;
  pid_t pid;
  int rc = posix_spawn(&pid, sv->fs_proxy, &actions, &attr, argv, environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  free(argv);
  close(pair[1]);
  if (rc != 0) {
    /* RLIMIT_NPROC (EAGAIN), no memory, or the helper cannot be run: the
     * call is not made, and the caller hears that we ran short. */
    close(pair[0]);
    return RF_NOTIFY_SHORT;
  }
  proxy->fd = pair[0];
  pthread_mutex_lock(&sv->lock);
  sv->proxies[proxy->slot] = pid;
  pthread_mutex_unlock(&sv->lock);
  return 0;
}

/* Ends a proxy that stopped answering (killed, crashed): the next call
 * starts a new one. */
static void drop_proxy(rf_unix_supervisor *sv, proxy_handle *proxy) {
  if (proxy->fd >= 0)
    close(proxy->fd);
  proxy->fd = -1;
  pthread_mutex_lock(&sv->lock);
  pid_t pid = sv->proxies[proxy->slot];
  sv->proxies[proxy->slot] = 0;
  pthread_mutex_unlock(&sv->lock);
  if (pid > 0) {
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
      ;
  }
}

/* The directory a *at() call starts from, as a descriptor of ours (|pidfd|
 * is proven to be the caller's by the check before the proxy call). */
static int dirfd_of(rf_target *t, int pidfd, long long dirfd) {
  if ((int)dirfd == AT_FDCWD)
    return rf_target_cwd(t);
  int fd = (int)syscall(SYS_pidfd_getfd, pidfd, (int)dirfd, 0);
  return fd >= 0 ? fd : errno == EBADF ? -EBADF : rf_notify_own_failure(errno, EBADF);
}

typedef struct {
  int op;
  int path_arg;  /* argument holding the created entry's path */
  int dir_arg;   /* its dirfd argument, -1: AT_FDCWD */
  int path2_arg; /* symlink target / old path, -1: none */
  int dir2_arg;  /* old path's dirfd, -1: AT_FDCWD */
  int flags_arg; /* -1: none */
  int mode_arg;  /* -1: none */
  int dev_arg;   /* mknod's dev, -1: none */
} creation_shape;

static int shape_of(int nr, creation_shape *c) {
#define SHAPE(name, ...)                                                                          \
  if (nr == seccomp_syscall_resolve_name(name)) {                                                \
    *c = (creation_shape){__VA_ARGS__};                                                          \
    return 1;                                                                                    \
  }
  SHAPE("open", RF_FS_OPEN, 0, -1, -1, -1, 1, 2, -1)
  SHAPE("openat", RF_FS_OPEN, 1, 0, -1, -1, 2, 3, -1)
  SHAPE("creat", RF_FS_OPEN, 0, -1, -1, -1, -1, 1, -1)
  SHAPE("mkdir", RF_FS_MKDIR, 0, -1, -1, -1, -1, 1, -1)
  SHAPE("mkdirat", RF_FS_MKDIR, 1, 0, -1, -1, -1, 2, -1)
  SHAPE("mknod", RF_FS_MKNOD, 0, -1, -1, -1, -1, 1, 2)
  SHAPE("mknodat", RF_FS_MKNOD, 1, 0, -1, -1, -1, 2, 3)
  SHAPE("symlink", RF_FS_SYMLINK, 1, -1, 0, -1, -1, -1, -1)
  SHAPE("symlinkat", RF_FS_SYMLINK, 2, 1, 0, -1, -1, -1, -1)
  SHAPE("link", RF_FS_LINK, 1, -1, 0, -1, -1, -1, -1)
  SHAPE("linkat", RF_FS_LINK, 3, 2, 1, 0, 4, -1, -1)
  SHAPE("rename", RF_FS_RENAME, 1, -1, 0, -1, -1, -1, -1)
  SHAPE("renameat", RF_FS_RENAME, 3, 2, 1, 0, -1, -1, -1)
  SHAPE("renameat2", RF_FS_RENAME, 3, 2, 1, 0, 4, -1, -1)
  SHAPE("unlink", RF_FS_UNLINK, 0, -1, -1, -1, -1, -1, -1)
  SHAPE("unlinkat", RF_FS_UNLINK, 1, 0, -1, -1, 2, -1, -1)
  SHAPE("rmdir", RF_FS_RMDIR, 0, -1, -1, -1, -1, -1, -1)
#undef SHAPE
  return 0;
}

/* The descriptor a path of |request| starts from (which = 0: path, 1:
 * path2): the caller's dirfd, or for a path through a magic link to the
 * caller's own descriptor, a copy of that descriptor with the path made
 * relative to it; the descriptor itself becomes RF_FS_REOPEN (open) or
 * RF_FS_LINK_OWN (link's old path).  Returns 0 or -errno. */
static int own_or_dirfd(rf_fs_request *request, int which, rf_target *t, int pidfd, pid_t ns_pid,
                        long long dirfd, int *out) {
  char *path = which ? request->path2 : request->path;
  const char *rest = NULL;
  int own = rf_path_own_descriptor(path, ns_pid, &rest);
  int whole = own >= 0 && *rest == '\0';
  if (own < 0 || (whole && !(which == 0 && request->op == RF_FS_OPEN) &&
                  !(which == 1 && request->op == RF_FS_LINK))) {
    *out = dirfd_of(t, pidfd, dirfd);
    return *out < 0 ? *out : 0;
  }
  *out = (int)syscall(SYS_pidfd_getfd, pidfd, own, 0);
  if (*out < 0)
    return errno == EBADF ? -ENOENT : rf_notify_own_failure(errno, EACCES);
  memmove(path, rest, strlen(rest) + 1); /* |rest| lies in |path| */
  if (whole)
    request->op = which == 0 ? RF_FS_REOPEN : RF_FS_LINK_OWN;
  return 0;
}

/* One round trip to the proxy: its answer (0 or -errno); *opened gets a
 * descriptor the proxy sent back, or -1; *created whether the request made
 * a new entry (see RF_FS_UNCREATE).  A proxy that cannot be reached is
 * dropped: RF_NOTIFY_SHORT when the request never reached it (nothing done),
 * -EIO when it ended without answering (what it did is unknown). */
static int proxy_call(rf_unix_supervisor *sv, proxy_handle *proxy, rf_fs_request *request,
                      const int *fds, int n_fds, int *opened, int *created) {
  *opened = -1;
  *created = 0;
  union {
    struct cmsghdr align;
    char bytes[CMSG_SPACE(2 * sizeof(int))];
  } control;
  memset(&control, 0, sizeof(control));
  struct iovec iov = {.iov_base = request, .iov_len = sizeof(*request)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  if (n_fds > 0) {
    msg.msg_control = control.bytes;
    msg.msg_controllen = CMSG_SPACE(n_fds * sizeof(int));
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
    memcpy(CMSG_DATA(c), fds, n_fds * sizeof(int));
  }
  ssize_t n;
  do
    n = sendmsg(proxy->fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    drop_proxy(sv, proxy);
    return RF_NOTIFY_SHORT;
  }
  rf_fs_reply answer;
  union {
    struct cmsghdr align;
    char bytes[CMSG_SPACE(sizeof(int))];
  } rcontrol;
  struct iovec riov = {.iov_base = &answer, .iov_len = sizeof(answer)};
  struct msghdr rmsg = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = rcontrol.bytes,
                        .msg_controllen = sizeof(rcontrol.bytes)};
  do
    n = recvmsg(proxy->fd, &rmsg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t)sizeof(answer)) {
    drop_proxy(sv, proxy);
    return -EIO;
  }
  /* One descriptor at most, in a message exactly its size (the buffer holds
   * no more).  MSG_CTRUNC: it did not fit in our table and is lost; the
   * caller sees opened -1 and takes the call back. */
  struct cmsghdr *rc_msg = CMSG_FIRSTHDR(&rmsg);
  if (rc_msg && rc_msg->cmsg_level == SOL_SOCKET && rc_msg->cmsg_type == SCM_RIGHTS &&
      rc_msg->cmsg_len == CMSG_LEN(sizeof(int)))
    memcpy(opened, CMSG_DATA(rc_msg), sizeof(int));
  *created = answer.created != 0;
  return answer.result;
}

/* Asks the proxy to take back the entry its last request created. */
static void proxy_uncreate(rf_unix_supervisor *sv, proxy_handle *proxy) {
  if (proxy->fd < 0)
    return;
  static __thread rf_fs_request request;
  memset(&request, 0, sizeof(request));
  request.op = RF_FS_UNCREATE;
  int opened, created;
  proxy_call(sv, proxy, &request, NULL, 0, &opened, &created);
  if (opened >= 0)
    close(opened);
}

/* Returns 0 or -errno for the caller, or 1 when an fd was already added and
 * answered with SECCOMP_ADDFD_FLAG_SEND.  *created: the call made a new
 * entry, which the worker takes back if the answer cannot be delivered. */
static int handle_creation(rf_unix_supervisor *sv, proxy_handle *proxy,
                           const struct seccomp_notif *req, const creation_shape *shape,
                           int *created) {
  *created = 0;
  if (!sv->fs_proxy)
    return -ENOSYS;
  rf_target t;
  int rc = rf_target_attach(&t, sv->listener_fd, req);
  if (rc < 0)
    return rc;
  const __u64 *a = req->data.args;
  caller_status st;
  rc = read_caller_status(&t, &st);
  int pidfd = -1;
  if (rc == 0 && (pidfd = (int)syscall(SYS_pidfd_open, st.tgid, 0)) < 0)
    rc = rf_notify_own_failure(errno, ESRCH);
  if (rc < 0) {
    rf_target_detach(&t);
    return rc;
  }
  static __thread rf_fs_request request;
  memset(&request, 0, sizeof(request));
  request.ns_pid = st.ns_pid;
  request.ns_tid = st.ns_tid;
  request.op = shape->op;
  request.flags = shape->flags_arg >= 0 ? (int32_t)a[shape->flags_arg] : 0;
  if (shape->op == RF_FS_OPEN && shape->flags_arg < 0)
    request.flags = O_CREAT | O_WRONLY | O_TRUNC; /* creat() */
  request.mode = shape->mode_arg >= 0 ? (uint32_t)a[shape->mode_arg] : 0;
  request.dev = shape->dev_arg >= 0 ? a[shape->dev_arg] : 0;
  request.umask = st.umask;
  int fds[2] = {-1, -1};
  /* Both paths NUL-terminated within their buffers, or ENAMETOOLONG. */
  rc = rf_target_read_string(&t, a[shape->path_arg], request.path, sizeof(request.path));
  if (rc == 0 && shape->path2_arg >= 0)
    rc = rf_target_read_string(&t, a[shape->path2_arg], request.path2, sizeof(request.path2));
  if (rc == 0)
    rc = own_or_dirfd(&request, 0, &t, pidfd, st.ns_pid,
                      shape->dir_arg >= 0 ? (long long)(int)a[shape->dir_arg] : AT_FDCWD, &fds[0]);
  if (rc == 0 && shape->path2_arg >= 0 && shape->op != RF_FS_SYMLINK)
    rc = own_or_dirfd(&request, 1, &t, pidfd, st.ns_pid,
                      shape->dir2_arg >= 0 ? (long long)(int)a[shape->dir2_arg] : AT_FDCWD, &fds[1]);
  else if (rc == 0 && shape->path2_arg >= 0)
    rc = (fds[1] = dirfd_of(&t, pidfd, AT_FDCWD)) < 0 ? fds[1] : 0;
  close(pidfd);
  int opens = request.op == RF_FS_OPEN || request.op == RF_FS_REOPEN;
  /* The kernel's open takes the caller's descriptor before it looks at the
   * path: with the caller's table full it fails with EMFILE and creates,
   * truncates and opens nothing.  So does this one. */
  if (rc == 0 && opens) {
    int room = rf_target_fd_room(&t);
    rc = room < 0 ? room : room == 0 ? -EMFILE : 0;
  }
  if (rc == 0 && proxy->fd < 0)
    rc = start_proxy(sv, proxy, &t);
  /* Right before the proxy acts on the caller's behalf: still waiting? */
  if (rc == 0 && !rf_notif_id_valid(sv->listener_fd, req->id))
    rc = -ESRCH;
  if (rc < 0)
    goto out;

  int opened = -1, made = 0;
  rc = proxy_call(sv, proxy, &request, fds, fds[1] >= 0 ? 2 : 1, &opened, &made);
  if (rc == 0 && opens) {
    if (opened < 0) {
      /* Opened, but the descriptor did not reach us: take the call back. */
      if (made)
        proxy_uncreate(sv, proxy);
      rc = RF_NOTIFY_SHORT;
      goto out;
    }
    /* No check needed: the kernel adds the descriptor only to the caller of
     * a pending notification with this id, else fails with ENOENT. */
    struct seccomp_notif_addfd addfd = {
        .id = req->id,
        .flags = SECCOMP_ADDFD_FLAG_SEND,
        .srcfd = (uint32_t)opened,
        .newfd = 0,
        .newfd_flags = (request.flags & O_CLOEXEC) ? O_CLOEXEC : 0,
    };
    int added = ioctl(sv->listener_fd, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
    int e = errno;
    close(opened);
    if (added >= 0) {
      rc = 1;
    } else {
      /* Not handed over (the caller's table filled up meanwhile: EMFILE, its
       * own; or it stopped waiting: ENOENT): the call must not have happened. */
      if (made)
        proxy_uncreate(sv, proxy);
      rc = e == EMFILE ? -EMFILE : e == ENOENT ? -ESRCH : rf_notify_own_failure(e, EMFILE);
    }
  } else {
    if (opened >= 0)
      close(opened);
    *created = rc == 0 && made;
  }
out:
  for (int i = 0; i < 2; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  rf_target_detach(&t);
  return rc;
}

/* bind(fd, addr, len): a pathname unix address creates a name, so the proxy
 * binds (refusing protected names); anything else is bound here on a copy
 * of the socket, in the socket's own (private) network namespace. */
static int handle_bind(rf_unix_supervisor *sv, proxy_handle *proxy, const struct seccomp_notif *req,
                       int *created) {
  *created = 0;
  const __u64 *a = req->data.args;
  socklen_t len = (socklen_t)a[2];
  if (len > sizeof(struct sockaddr_storage) || len < sizeof(sa_family_t))
    return -EINVAL;
  rf_target t;
  int rc = rf_target_attach(&t, sv->listener_fd, req);
  if (rc < 0)
    return rc;
  int fds[2] = {-1, -1};
  struct sockaddr_storage addr;
  memset(&addr, 0, sizeof(addr));
  rf_sockaddr_view view;
  fds[1] = rf_target_copy_fd(req, sv->listener_fd, (int)a[0]);
  if (fds[1] < 0)
    rc = fds[1];
  int domain = rc == 0 ? socket_domain(fds[1]) : 0;
  if (rc == 0 && domain < 0)
    rc = domain;
  if (rc == 0)
    rc = rf_target_read(&t, a[1], &addr, len);
  if (rc == 0)
    rc = rf_decode_sockaddr(domain, &addr, len, &view);
  if (rc == 0 && view.kind != RF_ADDR_UNIX_PATH) {
    /* Right before binding on the caller's behalf. */
    if (!rf_notif_id_valid(sv->listener_fd, req->id))
      rc = -ESRCH;
    else
      rc = bind(fds[1], (struct sockaddr *)&addr, len) == 0 ? 0 : -errno;
    goto out;
  }
  if (rc == 0 && !sv->fs_proxy)
    rc = -ENOSYS;
  caller_status st;
  if (rc == 0)
    rc = read_caller_status(&t, &st);
  if (rc == 0 && proxy->fd < 0)
    rc = start_proxy(sv, proxy, &t);
  if (rc < 0)
    goto out;
  static __thread rf_fs_request request;
  memset(&request, 0, sizeof(request));
  request.op = RF_FS_BIND;
  request.ns_pid = st.ns_pid;
  request.ns_tid = st.ns_tid;
  request.umask = st.umask;
  snprintf(request.path, sizeof(request.path), "%s", view.path); /* <= 108 bytes: decoded */
  fds[0] = rf_target_cwd(&t);
  if (fds[0] < 0) {
    rc = fds[0];
    goto out;
  }
  /* Right before the proxy binds on the caller's behalf. */
  if (!rf_notif_id_valid(sv->listener_fd, req->id)) {
    rc = -ESRCH;
    goto out;
  }
  int opened = -1, made = 0;
  rc = proxy_call(sv, proxy, &request, fds, 2, &opened, &made);
  if (opened >= 0)
    close(opened);
  *created = rc == 0 && made;
out:
  for (int i = 0; i < 2; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  rf_target_detach(&t);
  return rc;
}

/* The sandbox's pid 1 (ringfence-sandbox-init) is the launcher's only child. */
static pid_t sandbox_init_pid(rf_unix_supervisor *sv) {
  pthread_mutex_lock(&sv->lock);
  while (sv->launcher_pid == 0)
    pthread_cond_wait(&sv->wake, &sv->lock);
  pid_t launcher = sv->launcher_pid;
  pthread_mutex_unlock(&sv->lock);
  if (launcher <= 0)
    return -1;
  char path[64], text[32];
  snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)launcher, (int)launcher);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n;
  do
    n = read(fd, text, sizeof(text) - 1);
  while (n < 0 && errno == EINTR);
  close(fd);
  if (n <= 0)
    return -1;
  text[n] = '\0';
  char *end = NULL;
  long pid = strtol(text, &end, 10);
  return end != text && pid > 0 ? (pid_t)pid : -1;
}

/* Reads "LISTENER DIAG\n" from the channel and copies both descriptors out
 * of the sandbox's init (see offer_supervision in sandbox-init.c for why
 * nothing is sent with SCM_RIGHTS); send_ack() answers later. */
static int receive_fds(rf_unix_supervisor *sv, int *listener, int *diag) {
  /* Init writes the line at once and then waits for our answer, so reading
   * more than one byte at a time takes nothing that follows it. */
  char line[64];
  size_t used = 0;
  while (used + 1 < sizeof(line) && !memchr(line, '\n', used)) {
    ssize_t n = read(sv->channel_fd, line + used, sizeof(line) - 1 - used);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    used += (size_t)n;
  }
  int remote_listener, remote_diag;
  if (rf_decode_fd_pair(line, used, &remote_listener, &remote_diag) < 0)
    return -1;
  pid_t init = sandbox_init_pid(sv);
  int pidfd = init > 0 ? (int)syscall(SYS_pidfd_open, init, 0) : -1;
  if (pidfd < 0)
    return -1;
  *listener = (int)syscall(SYS_pidfd_getfd, pidfd, remote_listener, 0);
  *diag = (int)syscall(SYS_pidfd_getfd, pidfd, remote_diag, 0);
  close(pidfd);
  return *listener < 0 || *diag < 0 ? -1 : 0;
}

/* Tells init the supervisor is ready: the command starts. */
static int send_ack(rf_unix_supervisor *sv) {
  char ack = 'A';
  return write(sv->channel_fd, &ack, 1) == 1 ? 0 : -1;
}

void rf_unix_supervisor_set_launcher(rf_unix_supervisor *sv, int pid) {
  pthread_mutex_lock(&sv->lock);
  sv->launcher_pid = pid;
  pthread_cond_broadcast(&sv->wake);
  pthread_mutex_unlock(&sv->lock);
}

/* Sends the answer; 0 when the caller no longer waits for it (ENOENT: it
 * was interrupted or killed meanwhile), else 1. */
static int answer(rf_unix_supervisor *sv, const struct seccomp_notif *req, int result,
                  long long value) {
  if (result == 1)
    return 1; /* answered by SECCOMP_ADDFD_FLAG_SEND */
  char buffer[256];
  struct seccomp_notif_resp *resp = (struct seccomp_notif_resp *)buffer;
  memset(buffer, 0, sizeof(buffer));
  resp->id = req->id;
  resp->error = result < 0 ? result : 0;
  resp->val = result < 0 ? 0 : value;
  return ioctl(sv->listener_fd, SECCOMP_IOCTL_NOTIF_SEND, resp) == 0 || errno != ENOENT;
}

/* The pool's hooks: each worker has its own proxy. */
static void worker_start(void *ctx, size_t slot) {
  rf_unix_supervisor *sv = ctx;
  sv->proxy[slot] = (proxy_handle){.fd = -1, .slot = slot};
}

static void worker_end(void *ctx, size_t slot) {
  rf_unix_supervisor *sv = ctx;
  if (sv->proxy[slot].fd >= 0)
    close(sv->proxy[slot].fd); /* the proxy sees EOF and exits */
  sv->proxy[slot].fd = -1;
}

static void worker_handle(void *ctx, size_t slot, const struct seccomp_notif *req) {
  rf_unix_supervisor *sv = ctx;
  proxy_handle *proxy = &sv->proxy[slot];
  int result = -ENOSYS, created = 0;
  long long value = 0;
  creation_shape shape;
  int nr = req->data.nr;
  if (nr == __NR_connect)
    result = handle_connect(sv, req);
  else if (nr == __NR_sendto || nr == __NR_sendmsg || nr == __NR_sendmmsg)
    result = handle_send(sv, req, &value);
  else if (nr == __NR_bind)
    result = handle_bind(sv, proxy, req, &created);
  else if (shape_of(nr, &shape))
    result = handle_creation(sv, proxy, req, &shape, &created);
  /* A name made for a caller that no longer waits for the answer (a signal
   * interrupted it): it will retry, or see EINTR, so take it back. */
  if (!answer(sv, req, result, value) && created)
    proxy_uncreate(sv, proxy);
}

static void *supervise(void *arg) {
  rf_unix_supervisor *sv = arg;
  struct seccomp_notif *req = NULL;
  struct pollfd first[2] = {{.fd = sv->channel_fd, .events = POLLIN},
                            {.fd = sv->stop_fd, .events = POLLIN}};
  while (poll(first, 2, -1) < 0 && errno == EINTR)
    ;
  /* Without a table of our own the listener is not taken: init then stops
   * the run (125) before the command starts. */
  int keep[] = {sv->channel_fd, sv->stop_fd, sv->landlock_fd};
  if (first[1].revents || rf_notify_private_fd_table(keep, 3, 1) < 0 ||
      receive_fds(sv, &sv->listener_fd, &sv->diag_fd) < 0)
    goto done;
  struct seccomp_notif_sizes sizes;
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    goto done;
  size_t notif_size = sizes.seccomp_notif > sizeof(struct seccomp_notif) ? sizes.seccomp_notif
                                                                         : sizeof(struct seccomp_notif);
  sv->keep_fds[0] = sv->listener_fd;
  sv->keep_fds[1] = sv->diag_fd;
  sv->keep_fds[2] = sv->landlock_fd;
  rf_notify_pool_config pool = {
      .ctx = sv,
      .notif_size = notif_size,
      .max_workers = RF_NOTIFY_POOL_MAX,
      .wait_ms = RF_WORKER_WAIT_MS,
      .same_caller_wait_ms = RF_SAME_CALLER_WAIT_MS,
      .keep_fds = sv->keep_fds,
      .n_keep_fds = 3,
      .keep_stdio = 1, /* the proxies' stderr */
      .worker_start = worker_start,
      .handle = worker_handle,
      .worker_end = worker_end,
  };
  req = calloc(1, notif_size);
  if (!req || rf_notify_pool_new(&pool, &sv->pool) < 0)
    goto done;
  /* One worker before the command runs: a command that exhausts
   * RLIMIT_NPROC still has one to answer it. */
  rf_notify_pool_start_worker(sv->pool);
  if (send_ack(sv) < 0)
    goto done;
  for (;;) {
    struct pollfd fds[2] = {{.fd = sv->listener_fd, .events = POLLIN},
                            {.fd = sv->stop_fd, .events = POLLIN}};
    int rc = poll(fds, 2, -1);
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc < 0 || fds[1].revents || (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
      break;
    memset(req, 0, notif_size); /* the kernel wants it zeroed */
    if (ioctl(sv->listener_fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
      if (errno == EINTR || errno == ENOENT)
        continue;
      break;
    }
    if (rf_notify_pool_dispatch(sv->pool, req) < 0)
      answer(sv, req, RF_NOTIFY_SHORT, 0);
  }
done:
  free(req);
  /* Workers finish what is queued and exit, releasing their tables (and
   * with the last one the listener: the kernel then fails the sandbox's
   * notified calls with ENOSYS instead of leaving them waiting). */
  rf_notify_pool_stop(sv->pool);
  return NULL;
}

/* Frees a supervisor whose thread never started. */
static void free_unstarted(rf_unix_supervisor *sv) {
  if (sv->landlock_fd >= 0)
    close(sv->landlock_fd);
  pthread_mutex_destroy(&sv->lock);
  pthread_cond_destroy(&sv->wake);
  free(sv->fs_proxy);
  rf_strv_free_array(sv->missing_protected);
  free(sv);
}

int rf_unix_supervisor_start(int channel_fd, const rf_unix_supervisor_config *config,
                             rf_unix_supervisor **out, char *err, size_t err_len) {
  rf_unix_supervisor *sv = calloc(1, sizeof(*sv));
  if (!sv) {
    close(channel_fd);
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  sv->channel_fd = channel_fd;
  sv->listener_fd = sv->diag_fd = -1;
  sv->landlock_fd = -1;
  if (config && config->landlock_abi > 0 && config->landlock_fd >= 0) {
    sv->landlock_fd = fcntl(config->landlock_fd, F_DUPFD_CLOEXEC, 3);
    sv->landlock_abi = config->landlock_abi;
    if (sv->landlock_fd < 0) {
      int e = errno;
      close(channel_fd);
      free(sv);
      snprintf(err, err_len, "cannot keep the Landlock ruleset for ringfence-fs-proxy: %s",
               strerror(e));
      return -e;
    }
  }
  pthread_mutex_init(&sv->lock, NULL);
  pthread_cond_init(&sv->wake, NULL);
  if (config && config->fs_proxy) {
    sv->fs_proxy = strdup(config->fs_proxy);
    size_t n = 0;
    while (config->missing_protected && config->missing_protected[n])
      n++;
    sv->missing_protected = calloc(n + 1, sizeof(char *));
    for (size_t i = 0; sv->missing_protected && i < n; i++)
      sv->missing_protected[i] = strdup(config->missing_protected[i]);
  }
  sv->stop_fd = eventfd(0, EFD_CLOEXEC);
  if (sv->stop_fd < 0) {
    int e = errno;
    close(channel_fd);
    free_unstarted(sv);
    snprintf(err, err_len, "eventfd: %s", strerror(e));
    return -e;
  }
  int rc = pthread_create(&sv->thread, NULL, supervise, sv);
  if (rc != 0) {
    close(channel_fd);
    close(sv->stop_fd);
    free_unstarted(sv);
    snprintf(err, err_len,
             "cannot start the socket supervisor thread: %s%s", strerror(rc),
             rc == EAGAIN ? " (RLIMIT_NPROC reached? raise it with 'ulimit -u')" : "");
    return -rc;
  }
  *out = sv;
  return 0;
}

void rf_unix_supervisor_stop(rf_unix_supervisor *sv) {
  if (!sv)
    return;
  pthread_mutex_lock(&sv->lock);
  if (sv->launcher_pid == 0)
    sv->launcher_pid = -1;
  pthread_cond_broadcast(&sv->wake);
  pthread_mutex_unlock(&sv->lock);
  uint64_t one = 1;
  if (write(sv->stop_fd, &one, sizeof(one)) < 0) {
    /* the thread may already be gone */
  }
  pthread_join(sv->thread, NULL);
  /* The sandbox is gone: a proxy still blocked (a FIFO with no reader) is
   * killed; then every worker finishes its call and exits. */
  rf_notify_pool_stop(sv->pool);
  pthread_mutex_lock(&sv->lock);
  for (size_t i = 0; i < RF_NOTIFY_POOL_MAX; i++)
    if (sv->proxies[i] > 0)
      kill(sv->proxies[i], SIGKILL);
  pthread_mutex_unlock(&sv->lock);
  rf_notify_pool_free(sv->pool);
  for (size_t i = 0; i < RF_NOTIFY_POOL_MAX; i++)
    if (sv->proxies[i] > 0)
      waitpid(sv->proxies[i], NULL, 0);
  pthread_mutex_destroy(&sv->lock);
  pthread_cond_destroy(&sv->wake);
  /* The listener and sock_diag descriptors lived in the threads' own
   * tables, released as they exited; these are ringfence's copies. */
  close(sv->stop_fd);
  close(sv->channel_fd);
  if (sv->landlock_fd >= 0)
    close(sv->landlock_fd);
  free(sv->fs_proxy);
  rf_strv_free_array(sv->missing_protected);
  free(sv);
}

int rf_guard_level(char **entries) {
  int level = 0;
  for (size_t i = 0; entries && entries[i]; i++)
    level = entries[i][0] == 'L' ? 2 : (level ? level : 1);
  return level;
}

void rf_strv_free_array(char **array) {
  for (size_t i = 0; array && array[i]; i++)
    free(array[i]);
  free(array);
}

/* A growing list of entries, without duplicates; |failed| once it could
 * not grow (the caller then gets NULL: never a shorter list, which would
 * leave a protected name unguarded). */
typedef struct {
  char **items;
  size_t n, cap;
  int failed;
} entry_list;

static void add_entry(entry_list *list, char *entry) {
  if (!entry || list->failed) {
    free(entry);
    return;
  }
  for (size_t i = 0; i < list->n; i++) {
    if (strcmp(list->items[i], entry) == 0) {
      free(entry);
      return;
    }
  }
  if (list->n + 1 >= list->cap) {
    size_t cap = list->cap ? 2 * list->cap : 64;
    char **items = realloc(list->items, cap * sizeof(char *));
    if (!items) {
      list->failed = 1;
      free(entry);
      return;
    }
    list->items = items;
    list->cap = cap;
  }
  list->items[list->n++] = entry;
  list->items[list->n] = NULL;
}

/* "N:DEV:INO:HEXNAME": a protected path that does not exist ("L:": one that
 * is a symlink); its parent directory (DEV, INO) and last component. */
static char *name_entry_kind(const char *path, char kind) {
  const char *slash = strrchr(path, '/');
  if (!slash || !slash[1])
    return NULL;
  char parent[PATH_MAX];
  size_t len = slash == path ? 1 : (size_t)(slash - path);
  if (len >= sizeof(parent))
    return NULL;
  memcpy(parent, path, len);
  parent[len] = '\0';
  struct stat st;
  if (stat(parent, &st) != 0)
    return NULL;
  const char *name = slash + 1;
  size_t name_len = strlen(name);
  char *entry = malloc(72 + 2 * name_len + 1);
  if (!entry)
    return NULL;
  int used = snprintf(entry, 72, "%c:%llu:%llu:", kind, (unsigned long long)st.st_dev,
                      (unsigned long long)st.st_ino);
  for (size_t k = 0; k < name_len; k++)
    used += sprintf(entry + used, "%02x", (unsigned char)name[k]);
  return entry;
}

static char *name_entry(const char *path) {
  return name_entry_kind(path, 'N');
}

/* "A:DEV:INO": an existing directory that must not be renamed: an ancestor
 * of a protected path, strictly below a writable root (renaming it would
 * carry the protected path away and let a new one be planted). */
static char *ancestor_entry(const char *dir) {
  struct stat st;
  if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return NULL;
  char *entry = malloc(64);
  if (entry)
    snprintf(entry, 64, "A:%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
  return entry;
}

static int path_strictly_below(const char *path, const char *root) {
  size_t n = strlen(root);
  if (n == 1 && root[0] == '/')
    return path[0] == '/' && path[1] != '\0';
  return strncmp(path, root, n) == 0 && path[n] == '/';
}

char **rf_missing_protected_entries(const rf_backend_policy *policy) {
  entry_list list = {0};
  for (size_t i = 0; !list.failed && i < policy->n_writable_roots; i++) {
    const rf_backend_root *root = &policy->writable_roots[i];
    for (size_t j = 0; j < root->n_protected; j++) {
      const char *path = root->protected_paths[j];
      struct stat st;
      if (lstat(path, &st) != 0)
        add_entry(&list, name_entry(path));
      else if (S_ISLNK(st.st_mode)) /* no mount can cover a symlink itself */
        add_entry(&list, name_entry_kind(path, 'L'));
      else if (S_ISDIR(st.st_mode))
        add_entry(&list, ancestor_entry(path));
      /* Every writable root holding the path: its directories in between. */
      for (size_t k = 0; k < policy->n_writable_roots; k++) {
        const char *outer = policy->writable_roots[k].path;
        if (!path_strictly_below(path, outer))
          continue;
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s", path);
        for (char *slash = strrchr(dir, '/'); slash && slash > dir; slash = strrchr(dir, '/')) {
          *slash = '\0';
          if (!path_strictly_below(dir, outer))
            break;
          add_entry(&list, ancestor_entry(dir));
        }
      }
    }
  }
  if (!list.failed && !list.items && !(list.items = calloc(1, sizeof(char *))))
    list.failed = 1;
  if (list.failed) {
    for (size_t i = 0; i < list.n; i++)
      free(list.items[i]);
    free(list.items);
    return NULL;
  }
  return list.items;
}