/* notify-handler-meta.c: chmod, chown, utimes and xattr changes, which Landlock does not control, checked against the writable roots.
 *
 * Landlock governs file contents and directory entries, not an existing
 * file's metadata: without this, a sandboxed process could chmod, touch or
 * set xattrs on any file its user owns outside the writable roots (as root:
 * chmod 666 /etc/shadow).  These calls are seccomp user notifications of
 * the Landlock backend, answered by this handler of the notification
 * dispatcher (notify-dispatch.h) on its receiving thread (they never block):
 *
 *   1. The target is opened once, as the caller would find it: a descriptor
 *      is copied with pidfd_getfd; a path is copied out of the caller's
 *      memory and opened O_PATH from its root, cwd or dirfd (following the
 *      last symlink or not, as the call asks).
 *   2. The opened file's path (/proc/thread-self/fd/N) must lie inside a writable
 *      root and outside every protected path; else EACCES (EPERM for chown).
 *   3. The supervisor performs the change itself on that descriptor, so a
 *      path swapped meanwhile changes nothing.  Its thread runs without
 *      capabilities (they are per thread), with the caller's uid and groups:
 *      the kernel's own permission checks come out as for the caller.
 *
 * Newer calls that take paths in other forms (fchmodat2, setxattrat,
 * removexattrat, file_setattr) answer ENOSYS; libc falls back to the old ones.
 */
#include "notify-handler-meta.h"

#include "guard-tree.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "notify-decode.h"
#include "notify-resources.h"
#include "notify-target.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

typedef enum {
  RF_META_CHMOD = 1,
  RF_META_CHOWN,
  RF_META_UTIME,
  RF_META_UTIMES,
  RF_META_UTIMENSAT,
  RF_META_SETXATTR,
  RF_META_REMOVEXATTR,
  RF_META_TRUNCATE, /* truncate, ftruncate: sent only with the Landlock guard (guard-filter.h) */
} meta_kind;

struct rf_notify_meta {
  char **writable;        /* canonical writable roots */
  char **protected_paths; /* below them nothing changes either */
  size_t n_writable, n_protected;
  /* The same protected paths by inode (guard-tree.h), which then decide
   * alone; NULL: by path, as above. */
  const rf_guard_table *guard;
};

/* Metadata calls Landlock does not control (answered here). */
static const char *const meta_syscalls[] = {
    "chmod",  "fchmod",   "fchmodat",   "chown",     "lchown",       "fchown",
    "fchownat", "utime",  "utimes",     "futimesat", "utimensat",    "setxattr",
    "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr", NULL,
};
/* Newer forms of the same, by number (the same on every architecture):
 * fchmodat2, setxattrat, removexattrat, file_setattr.  ENOSYS: libc falls
 * back to the calls above. */
static const int meta_syscalls_enosys[] = {452, 463, 466, 469};

int rf_notify_meta_add_rules(scmp_filter_ctx ctx) {
  int rc = 0;
  for (const char *const *name = meta_syscalls; rc == 0 && *name; name++) {
    int nr = seccomp_syscall_resolve_name(*name);
    if (nr != __NR_SCMP_ERROR) /* absent on this architecture (e.g. chmod on aarch64) */
      rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
  }
  for (size_t i = 0; rc == 0 && i < sizeof(meta_syscalls_enosys) / sizeof(int); i++)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), meta_syscalls_enosys[i], 0);
  return rc;
}

/* Opens what the call names: fd-based (|path_addr| 0: the caller's |fd|),
 * or |path| (already copied) relative to |dirfd| in the caller's view. */
static int open_target(int listener, const struct seccomp_notif *req, rf_target *t,
                       int dirfd, const char *path, int follow, int empty_ok) {
  if (!path)
    return rf_target_copy_fd(req, listener, dirfd);
  if (path[0] == '\0') {
    if (!empty_ok)
      return -ENOENT;
    if (dirfd == AT_FDCWD)
      return rf_target_cwd(t);
    return rf_target_copy_fd(req, listener, dirfd);
  }
  return rf_target_open_at(t, dirfd, path, O_PATH | (follow ? 0 : O_NOFOLLOW));
}

static int path_below(const char *path, const char *root) {
  size_t n = strlen(root);
  if (n == 1 && root[0] == '/')
    return path[0] == '/';
  return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* 0 when the open file |fd| lies inside a writable root and outside every
 * protected path (with the guard: by inode, guard-tree.h, and -EROFS), else
 * -|denied|.  |any_root|: only the protected paths count (ftruncate of a
 * descriptor opened for writing, which Landlock judged when it was opened). */
static int check_location(const rf_notify_meta *ctx, int fd, int denied, int any_root) {
  int verdict = ctx->guard ? rf_guard_fd_refused(ctx->guard, fd, -1) : 0;
  if (verdict != 0) /* our own shortage: "try again", never a refusal we would not make */
    return verdict < 0 ? rf_notify_own_failure(-verdict, EROFS) : -EROFS;
  if (any_root)
    return 0;
  char link[64], path[PATH_MAX];
  snprintf(link, sizeof(link), "/proc/thread-self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof(path) - 1);
  if (n <= 0)
    return -denied;
  path[n] = '\0';
  if (path[0] != '/' || strstr(path, " (deleted)"))
    return -denied; /* sockets, pipes, unlinked files: not somewhere in a root */
  for (size_t i = 0; !ctx->guard && i < ctx->n_protected; i++)
    if (path_below(path, ctx->protected_paths[i]))
      return -denied;
  for (size_t i = 0; i < ctx->n_writable; i++)
    if (path_below(path, ctx->writable[i]))
      return 0;
  return -denied;
}

static int is_symlink(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);
}

static int result(int rc) {
  return rc < 0 ? -errno : 0;
}

static int do_chmod(int fd, int fd_based, mode_t mode) {
  if (fd_based)
    return result(fchmod(fd, mode));
  if (is_symlink(fd))
    return -EOPNOTSUPP;
  char link[64];
  snprintf(link, sizeof(link), "/proc/thread-self/fd/%d", fd);
  return result(chmod(link, mode));
}

static int do_utimens(int fd, int fd_based, const struct timespec *times) {
  if (fd_based)
    return result(futimens(fd, times));
  if (is_symlink(fd))
    return result(utimensat(fd, "", times, AT_EMPTY_PATH));
  char link[64];
  snprintf(link, sizeof(link), "/proc/thread-self/fd/%d", fd);
  return result(utimensat(AT_FDCWD, link, times, 0));
}

/* Reads the times argument of utime, utimes/futimesat or utimensat:
 * copied once, decoded (notify-decode.c: the kernel's range checks). */
static int read_times(rf_target *t, int kind, uint64_t addr, struct timespec ts[2], int *have) {
  *have = addr != 0;
  if (!addr)
    return 0;
  int decode_kind = kind == RF_META_UTIME    ? RF_TIMES_UTIMBUF
                    : kind == RF_META_UTIMES ? RF_TIMES_TIMEVAL
                                                : RF_TIMES_TIMESPEC;
  unsigned char raw[2 * sizeof(struct timespec)];
  size_t len = rf_times_size(decode_kind); /* <= sizeof(raw) */
  int rc = rf_target_read(t, addr, raw, len);
  return rc < 0 ? rc : rf_decode_times(decode_kind, raw, len, ts);
}

static int meta_handle(void *state, rf_notify_call *call) {
  const rf_notify_meta *ctx = state;
  const struct seccomp_notif *req = call->req;
  int listener = call->listener;
  rf_target *t = call->target;
  const __u64 *a = req->data.args;
  int nr = req->data.nr;
  int fd = -1, rc = 0, fd_based = 0, denied = EACCES;
  /* Which argument is what, per call. */
  int dirfd = AT_FDCWD, follow = 1, empty_ok = 0;
  uint64_t path = 0, mode = 0, uid = 0, gid = 0, times = 0;
  int64_t length = 0;
  int kind;
  switch (nr) {
#ifdef SYS_chmod
  case SYS_chmod:
    kind = RF_META_CHMOD, path = a[0], mode = a[1];
    break;
#endif
  case SYS_fchmod:
    kind = RF_META_CHMOD, dirfd = (int)a[0], fd_based = 1, mode = a[1];
    break;
  case SYS_fchmodat:
    kind = RF_META_CHMOD, dirfd = (int)a[0], path = a[1], mode = a[2];
    break;
#ifdef SYS_chown
  case SYS_chown:
    kind = RF_META_CHOWN, path = a[0], uid = a[1], gid = a[2];
    break;
  case SYS_lchown:
    kind = RF_META_CHOWN, path = a[0], follow = 0, uid = a[1], gid = a[2];
    break;
#endif
  case SYS_fchown:
    kind = RF_META_CHOWN, dirfd = (int)a[0], fd_based = 1, uid = a[1], gid = a[2];
    break;
  case SYS_fchownat:
    kind = RF_META_CHOWN, dirfd = (int)a[0], path = a[1], uid = a[2], gid = a[3];
    follow = !((int)a[4] & AT_SYMLINK_NOFOLLOW), empty_ok = ((int)a[4] & AT_EMPTY_PATH) != 0;
    break;
#ifdef SYS_utime
  case SYS_utime:
    kind = RF_META_UTIME, path = a[0], times = a[1];
    break;
#endif
#ifdef SYS_utimes
  case SYS_utimes:
    kind = RF_META_UTIMES, path = a[0], times = a[1];
    break;
#endif
#ifdef SYS_futimesat
  case SYS_futimesat:
    kind = RF_META_UTIMES, dirfd = (int)a[0], path = a[1], times = a[2];
    break;
#endif
  case SYS_utimensat:
    kind = RF_META_UTIMENSAT, dirfd = (int)a[0], path = a[1], times = a[2];
    follow = !((int)a[3] & AT_SYMLINK_NOFOLLOW), empty_ok = ((int)a[3] & AT_EMPTY_PATH) != 0;
    if (!path) /* utimensat(fd, NULL, ...) is futimens(fd) */
      fd_based = 1;
    break;
  case SYS_setxattr:
  case SYS_lsetxattr:
    kind = RF_META_SETXATTR, path = a[0], follow = nr == SYS_setxattr;
    break;
  case SYS_fsetxattr:
    kind = RF_META_SETXATTR, dirfd = (int)a[0], fd_based = 1;
    break;
  case SYS_removexattr:
  case SYS_lremovexattr:
    kind = RF_META_REMOVEXATTR, path = a[0], follow = nr == SYS_removexattr;
    break;
  case SYS_fremovexattr:
    kind = RF_META_REMOVEXATTR, dirfd = (int)a[0], fd_based = 1;
    break;
  case SYS_truncate:
    kind = RF_META_TRUNCATE, path = a[0], length = (int64_t)a[1];
    break;
  case SYS_ftruncate:
    kind = RF_META_TRUNCATE, dirfd = (int)a[0], fd_based = 1, length = (int64_t)a[1];
    break;
  default:
    return -ENOSYS; /* fchmodat2, setxattrat, removexattrat, file_setattr */
  }
  if (kind == RF_META_CHOWN)
    denied = EPERM;

  /* Arguments that live in the caller's memory, copied once through the
   * handle the dispatcher opened below its checked /proc/TID. */
  struct timespec ts[2];
  int have_times = 0;
  char name[XATTR_NAME_MAX + 1];
  char *path_copy = NULL;
  void *value = NULL;
  size_t value_len = 0;
  if (kind == RF_META_UTIME || kind == RF_META_UTIMES || kind == RF_META_UTIMENSAT) {
    rc = read_times(t, kind, times, ts, &have_times);
    if (rc < 0)
      goto out;
  }
  if (kind == RF_META_SETXATTR || kind == RF_META_REMOVEXATTR) {
    rc = rf_target_read_string(t, a[1], name, sizeof(name));
    if (rc < 0) {
      rc = rc == -ENAMETOOLONG ? -ERANGE : rc;
      goto out;
    }
    if (name[0] == '\0') {
      rc = -ERANGE; /* the kernel's answer for an empty name */
      goto out;
    }
    if (kind == RF_META_SETXATTR) {
      value_len = (size_t)a[3];
      if (value_len > XATTR_SIZE_MAX) {
        rc = -E2BIG;
        goto out;
      }
      value = malloc(value_len ? value_len : 1);
      if (!value) {
        rc = RF_NOTIFY_SHORT;
        goto out;
      }
      if (value_len && (rc = rf_target_read(t, a[2], value, value_len)) < 0)
        goto out;
    }
  }
  if (!fd_based) {
    path_copy = malloc(PATH_MAX);
    if (!path_copy) {
      rc = RF_NOTIFY_SHORT;
      goto out;
    }
    /* NUL-terminated within PATH_MAX, or ENAMETOOLONG (the kernel's rule). */
    if ((rc = rf_target_read_string(t, path, path_copy, PATH_MAX)) < 0)
      goto out;
  }

  fd = open_target(listener, req, t, dirfd, path_copy, follow, empty_ok);
  if (fd < 0) {
    rc = fd;
    goto out;
  }
  rc = check_location(ctx, fd, denied, kind == RF_META_TRUNCATE && fd_based);
  if (rc < 0)
    goto out;
  /* Right before changing anything on the caller's behalf: still waiting? */
  if (!rf_notif_id_valid(listener, req->id)) {
    rc = -ESRCH;
    goto out;
  }
  char link[64];
  snprintf(link, sizeof(link), "/proc/thread-self/fd/%d", fd);
  switch (kind) {
  case RF_META_CHMOD:
    rc = do_chmod(fd, fd_based, (mode_t)mode);
    break;
  case RF_META_CHOWN:
    rc = result(fchownat(fd, "", (uid_t)uid, (gid_t)gid, AT_EMPTY_PATH));
    break;
  case RF_META_UTIME:
  case RF_META_UTIMES:
  case RF_META_UTIMENSAT:
    rc = do_utimens(fd, fd_based, have_times ? ts : NULL);
    break;
  case RF_META_SETXATTR:
    if (fd_based)
      rc = result(fsetxattr(fd, name, value, value_len, (int)a[4]));
    else if (is_symlink(fd))
      rc = -EPERM; /* user.* xattrs are refused on symlinks anyway */
    else
      rc = result(setxattr(link, name, value, value_len, (int)a[4]));
    break;
  case RF_META_TRUNCATE:
    if (length < 0)
      rc = -EINVAL;
    else if (fd_based) /* the caller's open file: its mode decides (EINVAL unless writable) */
      rc = result(ftruncate(fd, (off_t)length));
    else if (is_symlink(fd))
      rc = -EINVAL;
    else
      rc = result(truncate(link, (off_t)length));
    break;
  case RF_META_REMOVEXATTR:
    if (fd_based)
      rc = result(fremovexattr(fd, name));
    else if (is_symlink(fd))
      rc = -EPERM;
    else
      rc = result(removexattr(link, name));
    break;
  }
out:
  if (fd >= 0)
    close(fd);
  free(value);
  free(path_copy);
  return rc;
}

static int meta_handles(void *state, int nr) {
  const rf_notify_meta *m = state;
  if (m->guard && (nr == SYS_truncate || nr == SYS_ftruncate))
    return 1;
  for (const char *const *name = meta_syscalls; *name; name++)
    if (seccomp_syscall_resolve_name(*name) == nr)
      return 1;
  return 0;
}

static int meta_on_receiver(void *state, int nr) {
  (void)state;
  (void)nr;
  return 1; /* no metadata call blocks */
}

const rf_notify_handler rf_notify_meta_handler = {
    .name = "meta",
    .handles = meta_handles,
    .on_receiver = meta_on_receiver,
    .handle = meta_handle,
};

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

int rf_notify_meta_new(const char *const *writable, size_t n_writable,
                       const char *const *protected_paths, size_t n_protected,
                       rf_notify_meta **out) {
  rf_notify_meta *m = calloc(1, sizeof(*m));
  if (m) {
    m->writable = copy_strv(writable, n_writable);
    m->protected_paths = copy_strv(protected_paths, n_protected);
    m->n_writable = n_writable;
    m->n_protected = n_protected;
  }
  if (!m || !m->writable || !m->protected_paths) {
    rf_notify_meta_free(m);
    return -ENOMEM;
  }
  *out = m;
  return 0;
}

void rf_notify_meta_free(rf_notify_meta *m) {
  if (!m)
    return;
  free_strv(m->writable);
  free_strv(m->protected_paths);
  free(m);
}

void rf_notify_meta_set_guard(rf_notify_meta *m, const rf_guard_table *guard) {
  m->guard = guard;
}
