/* notify-handler-fsguard.c: name-creating and -removing calls, performed by ringfence-fs-proxy on the caller's behalf (design in notify-handler-fsguard.h). */
#include "notify-handler-fsguard.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs-proxy.h"
#include "notify-decode.h"
#include "notify-pool.h"
#include "notify-resources.h"
#include "notify-target.h"

/* A worker's own ringfence-fs-proxy connection. */
typedef struct {
  int fd;
  size_t slot;
} proxy_handle;

struct rf_notify_fsguard {
  char *fs_proxy;           /* path of ringfence-fs-proxy */
  char **missing_protected; /* its arguments */
  int landlock_fd;          /* the Landlock layer each proxy enforces, or -1 */
  int landlock_abi;
  pthread_mutex_t lock;                   /* proxies[] */
  proxy_handle proxy[RF_NOTIFY_POOL_MAX]; /* each worker's, used by that worker only */
  pid_t proxies[RF_NOTIFY_POOL_MAX];      /* each worker's ringfence-fs-proxy, 0 if none */
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

int rf_notify_fsguard_add_rules(scmp_filter_ctx ctx, int level) {
  int rc = 0;
  /* Level 2: a protected name is a symlink, which no mount can cover:
   * removing it goes through the proxy too. */
  static const char *const removing[] = {"unlink", "unlinkat", "rmdir"};
  for (size_t i = 0; level >= 2 && rc == 0 && i < 3; i++) {
    int nr = seccomp_syscall_resolve_name(removing[i]);
    if (nr != __NR_SCMP_ERROR)
      rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
  }
  for (size_t i = 0; level && rc == 0 && i < sizeof(creating_syscalls) / sizeof(creating_syscalls[0]); i++) {
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

/* ---- the caller ------------------------------------------------------------------- */

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

/* ---- ringfence-fs-proxy ------------------------------------------------------------ */

/* The proxy enters the namespaces and root of the caller's /proc/TID
 * directory, handed to it as a descriptor: a directory opened below a checked
 * notification names the caller and no process that reuses its number. */
static int start_proxy(rf_notify_fsguard *g, proxy_handle *proxy, const rf_target *t) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
    return rf_notify_own_failure(errno, EAGAIN);
  size_t n = 0;
  while (g->missing_protected && g->missing_protected[n])
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
  argv[k++] = g->fs_proxy;
  if (g->landlock_fd >= 0) {
    snprintf(ll_fd_text, sizeof(ll_fd_text), "%d", g->landlock_fd);
    snprintf(ll_abi_text, sizeof(ll_abi_text), "%d", g->landlock_abi);
    argv[k++] = "--landlock-fd";
    argv[k++] = ll_fd_text;
    argv[k++] = "--landlock-abi";
    argv[k++] = ll_abi_text;
  }
  argv[k++] = fd_text;
  argv[k++] = proc_text;
  for (size_t i = 0; i < n; i++)
    argv[k++] = g->missing_protected[i];
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  /* dup2 onto itself clears close-on-exec for these only. */
  posix_spawn_file_actions_adddup2(&actions, pair[1], pair[1]);
  posix_spawn_file_actions_adddup2(&actions, t->proc, t->proc);
  if (g->landlock_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, g->landlock_fd, g->landlock_fd);
  /* A session of its own: the proxy must have no controlling terminal, or
   * opening /dev/tty for the sandbox would hand it ringfence's. */
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  extern char **environ;
  pid_t pid;
  int rc = posix_spawn(&pid, g->fs_proxy, &actions, &attr, argv, environ);
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
  pthread_mutex_lock(&g->lock);
  g->proxies[proxy->slot] = pid;
  pthread_mutex_unlock(&g->lock);
  return 0;
}

/* Ends a proxy that stopped answering (killed, crashed): the next call
 * starts a new one. */
static void drop_proxy(rf_notify_fsguard *g, proxy_handle *proxy) {
  if (proxy->fd >= 0)
    close(proxy->fd);
  proxy->fd = -1;
  pthread_mutex_lock(&g->lock);
  pid_t pid = g->proxies[proxy->slot];
  g->proxies[proxy->slot] = 0;
  pthread_mutex_unlock(&g->lock);
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
static int proxy_call(rf_notify_fsguard *g, proxy_handle *proxy, rf_fs_request *request,
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
    drop_proxy(g, proxy);
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
    drop_proxy(g, proxy);
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
static void proxy_uncreate(rf_notify_fsguard *g, proxy_handle *proxy) {
  if (proxy->fd < 0)
    return;
  static __thread rf_fs_request request;
  memset(&request, 0, sizeof(request));
  request.op = RF_FS_UNCREATE;
  int opened, created;
  proxy_call(g, proxy, &request, NULL, 0, &opened, &created);
  if (opened >= 0)
    close(opened);
}

/* Returns 0 or -errno for the caller, or RF_NOTIFY_ANSWERED when an fd was
 * added and answered with SECCOMP_ADDFD_FLAG_SEND.  call->made: the call
 * made a new entry, which is taken back if the answer cannot be delivered. */
static int handle_creation(rf_notify_fsguard *g, proxy_handle *proxy, rf_notify_call *call,
                           const creation_shape *shape) {
  const struct seccomp_notif *req = call->req;
  rf_target *t = call->target;
  const __u64 *a = req->data.args;
  caller_status st;
  int rc = read_caller_status(t, &st);
  int pidfd = -1;
  if (rc == 0 && (pidfd = (int)syscall(SYS_pidfd_open, st.tgid, 0)) < 0)
    rc = rf_notify_own_failure(errno, ESRCH);
  if (rc < 0)
    return rc;
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
  rc = rf_target_read_string(t, a[shape->path_arg], request.path, sizeof(request.path));
  if (rc == 0 && shape->path2_arg >= 0)
    rc = rf_target_read_string(t, a[shape->path2_arg], request.path2, sizeof(request.path2));
  if (rc == 0)
    rc = own_or_dirfd(&request, 0, t, pidfd, st.ns_pid,
                      shape->dir_arg >= 0 ? (long long)(int)a[shape->dir_arg] : AT_FDCWD, &fds[0]);
  if (rc == 0 && shape->path2_arg >= 0 && shape->op != RF_FS_SYMLINK)
    rc = own_or_dirfd(&request, 1, t, pidfd, st.ns_pid,
                      shape->dir2_arg >= 0 ? (long long)(int)a[shape->dir2_arg] : AT_FDCWD, &fds[1]);
  else if (rc == 0 && shape->path2_arg >= 0)
    rc = (fds[1] = dirfd_of(t, pidfd, AT_FDCWD)) < 0 ? fds[1] : 0;
  close(pidfd);
  int opens = request.op == RF_FS_OPEN || request.op == RF_FS_REOPEN;
  /* The kernel's open takes the caller's descriptor before it looks at the
   * path: with the caller's table full it fails with EMFILE and creates,
   * truncates and opens nothing.  So does this one. */
  if (rc == 0 && opens) {
    int room = rf_target_fd_room(t);
    rc = room < 0 ? room : room == 0 ? -EMFILE : 0;
  }
  if (rc == 0 && proxy->fd < 0)
    rc = start_proxy(g, proxy, t);
  /* Right before the proxy acts on the caller's behalf: still waiting? */
  if (rc == 0 && !rf_notif_id_valid(call->listener, req->id))
    rc = -ESRCH;
  if (rc < 0)
    goto out;

  int opened = -1, made = 0;
  rc = proxy_call(g, proxy, &request, fds, fds[1] >= 0 ? 2 : 1, &opened, &made);
  if (rc == 0 && opens) {
    if (opened < 0) {
      /* Opened, but the descriptor did not reach us: take the call back. */
      if (made)
        proxy_uncreate(g, proxy);
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
    int added = ioctl(call->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
    int e = errno;
    close(opened);
    if (added >= 0) {
      rc = RF_NOTIFY_ANSWERED;
    } else {
      /* Not handed over (the caller's table filled up meanwhile: EMFILE, its
       * own; or it stopped waiting: ENOENT): the call must not have happened. */
      if (made)
        proxy_uncreate(g, proxy);
      rc = e == EMFILE ? -EMFILE : e == ENOENT ? -ESRCH : rf_notify_own_failure(e, EMFILE);
    }
  } else {
    if (opened >= 0)
      close(opened);
    call->made = rc == 0 && made;
  }
out:
  for (int i = 0; i < 2; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  return rc;
}


int rf_notify_fsguard_bind(rf_notify_fsguard *g, rf_notify_call *call, const char *path, int sock) {
  proxy_handle *proxy = &g->proxy[call->slot];
  caller_status st;
  int rc = read_caller_status(call->target, &st);
  if (rc == 0 && proxy->fd < 0)
    rc = start_proxy(g, proxy, call->target);
  if (rc < 0)
    return rc;
  static __thread rf_fs_request request;
  memset(&request, 0, sizeof(request));
  request.op = RF_FS_BIND;
  request.ns_pid = st.ns_pid;
  request.ns_tid = st.ns_tid;
  request.umask = st.umask;
  snprintf(request.path, sizeof(request.path), "%s", path); /* <= 108 bytes: decoded */
  int fds[2] = {rf_target_cwd(call->target), sock};
  if (fds[0] < 0)
    return fds[0];
  /* Right before the proxy binds on the caller's behalf. */
  if (!rf_notif_id_valid(call->listener, call->req->id)) {
    close(fds[0]);
    return -ESRCH;
  }
  int opened = -1, made = 0;
  rc = proxy_call(g, proxy, &request, fds, 2, &opened, &made);
  if (opened >= 0)
    close(opened);
  close(fds[0]);
  call->made = rc == 0 && made;
  return rc;
}

void rf_notify_fsguard_take_back_slot(rf_notify_fsguard *g, size_t slot) {
  if (slot < RF_NOTIFY_POOL_MAX)
    proxy_uncreate(g, &g->proxy[slot]);
}

/* ---- the handler ------------------------------------------------------------------- */

static int fsguard_handles(void *state, int nr) {
  (void)state;
  creation_shape shape;
  return shape_of(nr, &shape);
}

static int fsguard_handle(void *state, rf_notify_call *call) {
  rf_notify_fsguard *g = state;
  creation_shape shape;
  if (call->slot >= RF_NOTIFY_POOL_MAX || !shape_of(call->req->data.nr, &shape))
    return -ENOSYS;
  return handle_creation(g, &g->proxy[call->slot], call, &shape);
}

static void fsguard_take_back(void *state, rf_notify_call *call) {
  rf_notify_fsguard_take_back_slot(state, call->slot);
}

/* Each worker has its own proxy. */
static void fsguard_worker_start(void *state, size_t slot) {
  rf_notify_fsguard *g = state;
  g->proxy[slot] = (proxy_handle){.fd = -1, .slot = slot};
}

static void fsguard_worker_end(void *state, size_t slot) {
  rf_notify_fsguard *g = state;
  if (g->proxy[slot].fd >= 0)
    close(g->proxy[slot].fd); /* the proxy sees EOF and exits */
  g->proxy[slot].fd = -1;
}

/* The sandbox is gone: a proxy still blocked (a FIFO with no reader) is
 * killed, so that its worker finishes. */
static void fsguard_stopping(void *state) {
  rf_notify_fsguard *g = state;
  pthread_mutex_lock(&g->lock);
  for (size_t i = 0; i < RF_NOTIFY_POOL_MAX; i++)
    if (g->proxies[i] > 0)
      kill(g->proxies[i], SIGKILL);
  pthread_mutex_unlock(&g->lock);
}

const rf_notify_handler rf_notify_fsguard_handler = {
    .name = "fsguard",
    .handles = fsguard_handles,
    .handle = fsguard_handle,
    .take_back = fsguard_take_back,
    .worker_start = fsguard_worker_start,
    .worker_end = fsguard_worker_end,
    .stopping = fsguard_stopping,
};

/* ---- life cycle --------------------------------------------------------------------- */

int rf_notify_fsguard_new(const rf_notify_fsguard_config *config, rf_notify_fsguard **out,
                          char *err, size_t err_len) {
  rf_notify_fsguard *g = calloc(1, sizeof(*g));
  if (!g) {
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  g->landlock_fd = -1;
  pthread_mutex_init(&g->lock, NULL);
  for (size_t i = 0; i < RF_NOTIFY_POOL_MAX; i++)
    g->proxy[i] = (proxy_handle){.fd = -1, .slot = i};
  size_t n = 0;
  while (config->missing_protected && config->missing_protected[n])
    n++;
  g->fs_proxy = strdup(config->fs_proxy);
  g->missing_protected = calloc(n + 1, sizeof(char *));
  int failed = !g->fs_proxy || !g->missing_protected;
  for (size_t i = 0; !failed && i < n; i++)
    failed = !(g->missing_protected[i] = strdup(config->missing_protected[i]));
  if (failed) {
    rf_notify_fsguard_free(g);
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  if (config->landlock_abi > 0 && config->landlock_fd >= 0) {
    g->landlock_fd = fcntl(config->landlock_fd, F_DUPFD_CLOEXEC, 3);
    g->landlock_abi = config->landlock_abi;
    if (g->landlock_fd < 0) {
      int e = errno;
      rf_notify_fsguard_free(g);
      snprintf(err, err_len, "cannot keep the Landlock ruleset for ringfence-fs-proxy: %s",
               strerror(e));
      return -e;
    }
  }
  *out = g;
  return 0;
}

int rf_notify_fsguard_landlock_fd(const rf_notify_fsguard *g) {
  return g ? g->landlock_fd : -1;
}

void rf_notify_fsguard_free(rf_notify_fsguard *g) {
  if (!g)
    return;
  for (size_t i = 0; i < RF_NOTIFY_POOL_MAX; i++)
    if (g->proxies[i] > 0) {
      kill(g->proxies[i], SIGKILL);
      while (waitpid(g->proxies[i], NULL, 0) < 0 && errno == EINTR)
        ;
    }
  pthread_mutex_destroy(&g->lock);
  if (g->landlock_fd >= 0)
    close(g->landlock_fd);
  free(g->fs_proxy);
  for (size_t i = 0; g->missing_protected && g->missing_protected[i]; i++)
    free(g->missing_protected[i]);
  free(g->missing_protected);
  free(g);
}
