/* fs-proxy.c: ringfence-fs-proxy: creates directory entries for the sandbox, refusing protected names.
 *
 * Usage (started by ringfence's supervisor, not by hand):
 *   ringfence-fs-proxy [--landlock-fd N --landlock-abi N] SOCKET-FD PROC-DIR-FD ENTRY...
 * PROC-DIR-FD is the /proc/TID directory of the caller whose namespaces and
 * root it enters (opened by the supervisor, which checked the notification).
 * With --landlock-fd it enforces the bwrap backend's Landlock layer on itself
 * once inside the sandbox (see landlock-layer.h): it acts for the command
 * and must not write where the command could not, e.g. open an existing host
 * FIFO outside the writable roots for writing because O_CREAT was given.
 * ENTRY is a protected path as guard-tree.h describes it (N, L, A, P), by
 * device and inode.  Under the bwrap backend it enters the caller's
 * namespaces and root; under the Landlock backend (the same namespaces as
 * ringfence) it only enforces the command's own ruleset on itself.  See
 * fs-proxy.h.
 */
#include "fs-proxy.h"
#include "notify-decode.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guard-tree.h"
#include "landlock-layer.h"

/* The protected paths, as entries (guard-tree.h). */
static rf_guard_table guard;

static int is_protected(int parentfd, const char *name) {
  return rf_guard_name_protected(&guard, parentfd, name);
}

/* A guard-tree answer as the caller's errno: refused is EROFS (what a
 * read-only mount answers); our own shortage (descriptors, memory) is
 * EAGAIN, never a refusal we would not make with room to spare. */
static int refusal(int verdict) {
  return verdict < 0 ? -EAGAIN : verdict ? -EROFS : 0;
}

/* Is the entry (parentfd, name) a directory that must stay where it is? */
static int is_pinned(int parentfd, const char *name) {
  return rf_guard_pinned(&guard, parentfd, name);
}

/* The entry the current request created, until the next request: what
 * RF_FS_UNCREATE may take back (see fs-proxy.h). */
static struct {
  int parent; /* O_PATH, -1: nothing to take back */
  char name[NAME_MAX + 1];
  dev_t dev;
  ino_t ino;
  int is_dir;
} created = {.parent = -1};

static void forget_created(void) {
  if (created.parent >= 0)
    close(created.parent);
  created.parent = -1;
}

/* Records that (parentfd, name) was just created by this request. */
static void remember_created(int parentfd, const char *name) {
  struct stat st;
  forget_created();
  if (strlen(name) >= sizeof(created.name) ||
      fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return;
  created.parent = fcntl(parentfd, F_DUPFD_CLOEXEC, 3);
  if (created.parent < 0)
    return;
  snprintf(created.name, sizeof(created.name), "%s", name);
  created.dev = st.st_dev;
  created.ino = st.st_ino;
  created.is_dir = S_ISDIR(st.st_mode);
}

/* RF_FS_UNCREATE: removes the recorded entry if the name still holds the
 * same file (a rename by the sandbox in between leaves it alone). */
static int uncreate(void) {
  struct stat st;
  if (created.parent < 0)
    return -ENOENT;
  int rc = 0;
  if (fstatat(created.parent, created.name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    rc = -errno;
  else if (st.st_dev != created.dev || st.st_ino != created.ino)
    rc = -ESTALE;
  else if (unlinkat(created.parent, created.name, created.is_dir ? AT_REMOVEDIR : 0) != 0)
    rc = -errno;
  forget_created();
  return rc;
}

/* openat(parent, last, flags, mode) that learns whether it created the file:
 * O_CREAT without O_EXCL first tries O_EXCL, and opens the existing file
 * without O_CREAT when that says EEXIST (the kernel's open makes the same
 * checks in both cases).  fd, or -1 with errno. */
static int open_learning(int parent, const char *last, int flags, mode_t mode, int *made) {
  *made = 0;
  if (!(flags & O_CREAT) || (flags & O_EXCL)) {
    int fd = openat(parent, last, flags, mode);
    *made = fd >= 0 && (flags & O_CREAT);
    return fd;
  }
  for (int attempt = 0; attempt < 16; attempt++) {
    int fd = openat(parent, last, flags | O_EXCL, mode);
    if (fd >= 0) {
      *made = 1;
      return fd;
    }
    if (errno != EEXIST)
      return -1;
    fd = openat(parent, last, flags & ~O_CREAT, mode);
    if (fd >= 0 || errno != ENOENT)
      return fd;
    /* removed in between: create it after all */
  }
  errno = EAGAIN;
  return -1;
}

/* This proxy's own /proc/self/fd in the host's procfs, opened before
 * entering the sandbox (whose procfs has no /proc/self for us). */
static int own_fd_dir = -1;

/* RF_FS_REOPEN: |file| is a copy of the caller's descriptor; reopening it
 * through our own magic link is judged like the caller's open would be
 * (mounts, permissions and the Landlock layer see the file's own path). */
static int do_reopen(int file, int flags, mode_t mode, int *out_fd) {
  if (own_fd_dir < 0 || file < 0)
    return -EBADF;
  /* A descriptor of a protected file (an O_PATH one opened for reading,
   * then reopened for writing through /proc/self/fd). */
  int rc = refusal(rf_guard_fd_refused(&guard, file, own_fd_dir));
  if (rc < 0)
    return rc;
  char name[16];
  snprintf(name, sizeof(name), "%d", file);
  int fd = openat(own_fd_dir, name, flags | O_CLOEXEC, mode);
  if (fd < 0)
    return -errno;
  *out_fd = fd;
  return 0;
}

/* The caller's pid and tid in the sandbox, for the request being served:
 * "/proc/self" and friends mean the caller, not this proxy (which is not even
 * in the sandbox's pid namespace), see rf_path_rewrite_self. */
static int32_t caller_pid, caller_tid;

static int on_procfs(int dirfd) {
  struct statfs sfs;
  return fstatfs(dirfd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

/* Splits |path| into an open parent directory and its last component.
 * Returns the parent fd (or -errno); *last points into |path|. */
static int open_parent(int dirfd, char *path, char **last) {
  rf_path_rewrite_self(path, PATH_MAX, caller_pid, caller_tid);
  char parent[PATH_MAX];
  int rc = rf_path_split(path, parent, sizeof(parent), last);
  if (rc < 0)
    return rc;
  int fd = openat(dirfd, parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

/* The entry (parentfd, last) must not be a protected path, lie below one
 * or be one under another name (guard-tree.h).  ".", ".." and "" create
 * nothing new (the kernel answers EEXIST/ENOENT) but name their directory,
 * which may itself be protected. */
static int check(int parentfd, const char *last) {
  return refusal(rf_guard_entry_refused(&guard, parentfd, last));
}

/* open(O_CREAT): follows a final symlink the way the kernel would, checking
 * every hop, then opens with O_NOFOLLOW so that a symlink swapped in after
 * the check fails instead of being followed. */
static int do_open(int dirfd, char *path, int flags, mode_t mode, int *out_fd) {
  char buffer[PATH_MAX];
  snprintf(buffer, sizeof(buffer), "%s", path);
  int base = dirfd >= 0 ? dup(dirfd) : AT_FDCWD;
  for (int hop = 0; hop < 40; hop++) {
    char *last;
    int parent = open_parent(base, buffer, &last);
    if (base >= 0)
      close(base);
    if (parent < 0)
      return parent;
    if (on_procfs(parent)) {
      /* /proc/PID/fd/N and friends are magic links to open files: nothing
       * can be created there, and only the kernel can follow them.  Where
       * existing protected paths are guarded (P entries) the file they name
       * cannot be judged before the open truncates it: refused (the
       * caller's own descriptors arrive as RF_FS_REOPEN instead). */
      if (guard.has_objects) {
        close(parent);
        return -EACCES;
      }
      int fd = openat(parent, last, flags, mode);
      int saved = errno;
      close(parent);
      if (fd < 0)
        return -saved;
      *out_fd = fd;
      return 0;
    }
    int rc = check(parent, last);
    if (rc < 0) {
      close(parent);
      return rc;
    }
    struct stat st;
    int is_link = fstatat(parent, last, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
    if (!is_link || (flags & (O_EXCL | O_NOFOLLOW))) {
      int made = 0;
      int fd = open_learning(parent, last, flags | (is_link ? 0 : O_NOFOLLOW), mode, &made);
      int saved = errno;
      if (fd >= 0 && made)
        remember_created(parent, last);
      close(parent);
      if (fd < 0)
        return -saved;
      *out_fd = fd;
      return 0;
    }
    char target[PATH_MAX];
    ssize_t n = readlinkat(parent, last, target, sizeof(target) - 1);
    if (n < 0) {
      int saved = errno;
      close(parent);
      return -saved;
    }
    target[n] = '\0';
    memcpy(buffer, target, (size_t)n + 1);
    base = parent; /* a relative target continues from the link's directory */
  }
  if (base >= 0)
    close(base);
  return -ELOOP;
}

static int perform(const rf_fs_request *req, int dirfd, int dirfd2, int *out_fd) {
  if (req->op == RF_FS_UNCREATE)
    return uncreate();
  forget_created();
  caller_pid = req->ns_pid;
  caller_tid = req->ns_tid;
  char path[PATH_MAX];
  memcpy(path, req->path, sizeof(path));
  path[sizeof(path) - 1] = '\0';
  umask(req->umask & 0777);
  if (req->op == RF_FS_OPEN)
    return do_open(dirfd, path, req->flags, req->mode, out_fd);
  if (req->op == RF_FS_REOPEN)
    return do_reopen(dirfd, req->flags, req->mode, out_fd);
  char *last;
  int parent = open_parent(dirfd, path, &last);
  if (parent < 0)
    return parent;
  int rc = check(parent, last);
  if (rc == 0) {
    switch (req->op) {
    case RF_FS_MKDIR:
      rc = mkdirat(parent, last, req->mode);
      break;
    case RF_FS_MKNOD:
      rc = mknodat(parent, last, req->mode, (dev_t)req->dev);
      break;
    case RF_FS_SYMLINK:
      rc = symlinkat(req->path2, parent, last);
      break;
    case RF_FS_LINK_OWN: {
      char name[16];
      snprintf(name, sizeof(name), "%d", dirfd2);
      int verdict = refusal(rf_guard_fd_refused(&guard, dirfd2, own_fd_dir));
      if (verdict < 0)
        rc = (errno = -verdict, -1); /* a new name for a protected file */
      else
        rc = own_fd_dir < 0 ? (errno = EBADF, -1) : linkat(own_fd_dir, name, parent, last, req->flags);
      break;
    }
    case RF_FS_LINK: {
      char old[PATH_MAX];
      memcpy(old, req->path2, sizeof(old));
      old[sizeof(old) - 1] = '\0';
      rf_path_rewrite_self(old, sizeof(old), caller_pid, caller_tid);
      if (!guard.has_objects) {
        rc = linkat(dirfd2, old, parent, last, req->flags);
        break;
      }
      /* A new name for a protected file would let it be written through
       * that name: the file is opened once, judged, and that very file is
       * linked (through our own /proc/self/fd). */
      int target = openat(dirfd2, old, O_PATH | O_CLOEXEC |
                                           ((req->flags & AT_SYMLINK_FOLLOW) ? 0 : O_NOFOLLOW));
      if (target < 0) {
        rc = -1;
        break;
      }
      char name[16];
      snprintf(name, sizeof(name), "%d", target);
      int verdict = refusal(rf_guard_fd_refused(&guard, target, own_fd_dir));
      if (verdict < 0)
        rc = (errno = -verdict, -1);
      else if (own_fd_dir < 0)
        rc = (errno = EBADF, -1);
      else
        rc = linkat(own_fd_dir, name, parent, last, AT_SYMLINK_FOLLOW);
      int saved = errno;
      close(target);
      errno = saved;
      break;
    }
    case RF_FS_RENAME: {
      /* Neither side may be a directory holding a protected path (an
       * exchange moves the new side too). */
      char old[PATH_MAX];
      memcpy(old, req->path2, sizeof(old));
      old[sizeof(old) - 1] = '\0';
      char *old_last;
      int old_parent = open_parent(dirfd2, old, &old_last);
      if (old_parent < 0) {
        errno = -old_parent;
        rc = -1;
        break;
      }
      int verdict = is_pinned(old_parent, old_last) || is_pinned(parent, last) ||
                            is_protected(old_parent, old_last)
                        ? -EROFS
                        : refusal(rf_guard_entry_refused(&guard, old_parent, old_last));
      if (verdict < 0) {
        close(old_parent);
        errno = -verdict;
        rc = -1;
        break;
      }
      rc = (int)syscall(SYS_renameat2, old_parent, old_last, parent, last, (unsigned)req->flags);
      int saved = errno;
      close(old_parent);
      errno = saved;
      break;
    }
    case RF_FS_UNLINK:
    case RF_FS_RMDIR:
      /* check() above refused a protected name and anything below a
       * protected object; a directory holding one cannot be empty. */
      if (is_pinned(parent, last)) {
        errno = EROFS;
        rc = -1;
        break;
      }
      rc = unlinkat(parent, last, req->op == RF_FS_RMDIR ? AT_REMOVEDIR : (req->flags & AT_REMOVEDIR));
      break;
    case RF_FS_BIND: {
      /* bind() resolves its path from the cwd: ours is the parent, briefly. */
      struct sockaddr_un addr = {.sun_family = AF_UNIX};
      if (strlen(last) >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        rc = -1;
        break;
      }
      strcpy(addr.sun_path, last);
      int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
      rc = fchdir(parent);
      if (rc == 0)
        rc = bind(dirfd2, (struct sockaddr *)&addr, sizeof(addr));
      int saved = errno;
      if (here >= 0) {
        if (fchdir(here) != 0) {
          /* stays in the parent: harmless, every request names its own dirfd */
        }
        close(here);
      }
      errno = saved;
      break;
    }
    default:
      errno = ENOSYS;
      rc = -1;
    }
    rc = rc < 0 ? -errno : 0;
    /* A new name: one the supervisor may have to take back. */
    if (rc == 0 && req->op != RF_FS_RENAME && req->op != RF_FS_UNLINK && req->op != RF_FS_RMDIR)
      remember_created(parent, last);
  }
  close(parent);
  return rc;
}

/* Joins the sandbox: its user namespace (where we may join its mount
 * namespace), its mount namespace and its root; then drops every capability.
 * |proc| is the caller's /proc/TID directory, opened by the supervisor after
 * checking the notification: it names that process and no later one. */
static int enter_sandbox(int proc) {
  int root = openat(proc, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int mntns = openat(proc, "ns/mnt", O_RDONLY | O_CLOEXEC);
  int netns = openat(proc, "ns/net", O_RDONLY | O_CLOEXEC);
  close(proc);
  /* The user namespace that owns the mount namespace (bwrap's
   * --disable-userns puts the command one user namespace deeper). */
  int userns = mntns < 0 ? -1 : ioctl(mntns, NS_GET_USERNS);
  if (root < 0 || userns < 0 || mntns < 0 || netns < 0)
    return -1;
  /* Already in it (ringfence without a user namespace of its own)? */
  struct stat mine, theirs;
  if (stat("/proc/self/ns/user", &mine) == 0 && fstat(userns, &theirs) == 0 &&
      (mine.st_ino != theirs.st_ino || mine.st_dev != theirs.st_dev))
    if (setns(userns, CLONE_NEWUSER) != 0)
      return -1;
  /* The network namespace too: /proc/sys/net and friends answer for the
   * opener's namespace. */
  struct stat my_net, their_net;
  if (stat("/proc/self/ns/net", &my_net) == 0 && fstat(netns, &their_net) == 0 &&
      (my_net.st_ino != their_net.st_ino || my_net.st_dev != their_net.st_dev))
    if (setns(netns, CLONE_NEWNET) != 0)
      return -1;
  /* Already in its mount namespace and root (the Landlock backend: no
   * namespaces; setns and chroot would need capabilities we lack there)? */
  struct stat my_mnt, their_mnt, my_root, their_root;
  int same_mnt = stat("/proc/self/ns/mnt", &my_mnt) == 0 && fstat(mntns, &their_mnt) == 0 &&
                 my_mnt.st_ino == their_mnt.st_ino && my_mnt.st_dev == their_mnt.st_dev;
  int same_root = stat("/", &my_root) == 0 && fstat(root, &their_root) == 0 &&
                  my_root.st_ino == their_root.st_ino && my_root.st_dev == their_root.st_dev;
  if (!same_mnt && setns(mntns, CLONE_NEWNS) != 0)
    return -1;
  if (!(same_mnt && same_root) && (fchdir(root) != 0 || chroot(".") != 0))
    return -1;
  if (chdir("/") != 0)
    return -1;
  close(netns);
  close(root);
  close(userns);
  close(mntns);
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof(data));
  if (syscall(SYS_capset, &header, data) != 0)
    return -1;
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

static int receive(int sock, rf_fs_request *req, int *fds, int max_fds, int *n_fds) {
  union {
    struct cmsghdr align;
    char bytes[CMSG_SPACE(2 * sizeof(int))];
  } control;
  struct iovec iov = {.iov_base = req, .iov_len = sizeof(*req)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes,
                       .msg_controllen = sizeof(control.bytes)};
  ssize_t n;
  do
    n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t)sizeof(*req))
    return -1;
  /* The same decoder as the supervisor's: every offset inside what arrived. */
  static rf_control_view cv;
  *n_fds = 0;
  if (rf_decode_control(control.bytes, msg.msg_controllen, &cv) < 0)
    return -1;
  for (size_t i = 0; i < cv.n_fds; i++) {
    int fd;
    memcpy(&fd, control.bytes + cv.fd_offset[i], sizeof(int));
    if (*n_fds < max_fds)
      fds[(*n_fds)++] = fd;
    else
      close(fd);
  }
  return 0;
}

static void reply(int sock, int result, int fd) {
  rf_fs_reply answer = {.result = result, .created = created.parent >= 0};
  union {
    struct cmsghdr align;
    char bytes[CMSG_SPACE(sizeof(int))];
  } control;
  memset(&control, 0, sizeof(control));
  struct iovec iov = {.iov_base = &answer, .iov_len = sizeof(answer)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  if (fd >= 0) {
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof(control.bytes);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
    ;
}

/* Closes every descriptor from 3 up but the |n| in |keep| (ascending). */
static void close_all_but(const int *keep, int n) {
  int from = 3;
  for (int i = 0; i < n; i++) {
    if (keep[i] > from)
      syscall(SYS_close_range, (unsigned)from, (unsigned)keep[i] - 1, 0);
    from = keep[i] + 1;
  }
  syscall(SYS_close_range, (unsigned)from, ~0u, 0);
}

/* The proxy ends with the supervisor thread that started it (the parent-
 * death signal follows the thread): even in the middle of an operation that
 * blocks (opening a FIFO), it never outlives ringfence.  If ringfence died
 * before the prctl, the parent is no longer the socket's creator: stop.  A
 * socketpair's peer credentials name the process that created it. */
static int die_with_supervisor(int sock) {
  struct ucred creator;
  socklen_t len = sizeof(creator);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 ||
      getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &creator, &len) != 0)
    return -1;
  return getppid() == creator.pid ? 0 : -1;
}

int main(int argc, char **argv) {
  int landlock_fd = -1, landlock_abi = 0, first = 1;
  while (first + 1 < argc && strncmp(argv[first], "--landlock-", 11) == 0) {
    if (strcmp(argv[first], "--landlock-fd") == 0)
      landlock_fd = atoi(argv[first + 1]);
    else if (strcmp(argv[first], "--landlock-abi") == 0)
      landlock_abi = atoi(argv[first + 1]);
    else
      break;
    first += 2;
  }
  if (argc - first < 2 || (landlock_fd >= 0) != (landlock_abi > 0)) {
    fprintf(stderr, "usage: ringfence-fs-proxy [--landlock-fd N --landlock-abi N] SOCKET-FD "
                    "PROC-DIR-FD [ENTRY]...\n"
                    "(started by ringfence's supervisor, not by hand)\n");
    return 2;
  }
  int sock = atoi(argv[first]);
  int proc = atoi(argv[first + 1]);
  if (die_with_supervisor(sock) != 0)
    return 1;
  /* Every entry or none: a protected path is never dropped. */
  if (rf_guard_table_parse(&guard, (const char *const *)argv + first + 2,
                           (size_t)(argc - first - 2)) < 0) {
    fprintf(stderr, "ringfence-fs-proxy: a protected-path entry cannot be read\n");
    return 2;
  }
  if (sock < 3 || proc < 3 || sock == proc ||
      (landlock_fd >= 0 && (landlock_fd < 3 || landlock_fd == sock || landlock_fd == proc))) {
    fprintf(stderr, "ringfence-fs-proxy: bad descriptors %s %s\n", argv[first], argv[first + 1]);
    return 2;
  }
  /* Every descriptor but these is closed. */
  int keep[3] = {sock, proc, landlock_fd};
  int n_keep = landlock_fd >= 0 ? 3 : 2;
  for (int i = 0; i < n_keep; i++)
    for (int j = i + 1; j < n_keep; j++)
      if (keep[j] < keep[i]) {
        int t = keep[i];
        keep[i] = keep[j];
        keep[j] = t;
      }
  close_all_but(keep, n_keep);
  own_fd_dir = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (enter_sandbox(proc) != 0) {
    fprintf(stderr, "ringfence-fs-proxy: cannot enter the sandbox: %s\n", strerror(errno));
    return 1;
  }
  if (landlock_fd >= 0) {
    const char *audit = getenv("RINGFENCE_LANDLOCK_AUDIT");
    int rc = rf_ll_layer_enforce(landlock_fd, landlock_abi, audit && *audit && strcmp(audit, "0"));
    if (rc < 0) {
      /* Fail closed: without the layer the proxy serves nothing. */
      fprintf(stderr, "ringfence-fs-proxy: cannot enforce the Landlock layer (ABI %d): %s\n",
              landlock_abi, strerror(-rc));
      return 1;
    }
  }
  rf_fs_request *req = malloc(sizeof(*req));
  if (!req)
    return 1;
  for (;;) {
    int fds[2] = {-1, -1}, n_fds = 0;
    if (receive(sock, req, fds, 2, &n_fds) != 0)
      return 0; /* the supervisor is gone */
    req->path[sizeof(req->path) - 1] = req->path2[sizeof(req->path2) - 1] = '\0';
    int dirfd = n_fds > 0 ? fds[0] : AT_FDCWD;
    int dirfd2 = n_fds > 1 ? fds[1] : AT_FDCWD;
    int out_fd = -1;
    int rc = perform(req, dirfd, dirfd2, &out_fd);
    reply(sock, rc, out_fd);
    if (out_fd >= 0)
      close(out_fd);
    for (int i = 0; i < n_fds; i++)
      close(fds[i]);
  }
}
