/* fs-proxy.h: the wire format between the supervisor thread and ringfence-fs-proxy (name-creating syscalls). */
#pragma once

#include <limits.h>
#include <stdint.h>

/*
 * Why a proxy: protected names that do not exist yet (`.envrc`, `.vscode`,
 * `.mcp.json` in a workspace that has none) have no mount point that could be
 * bound read-only over them.  So every syscall that creates a directory entry
 * (open/openat/creat with O_CREAT, mkdir, mknod, symlink, link, rename) is a
 * seccomp user notification, and ringfence-fs-proxy performs it on the
 * caller's behalf: it runs in the sandbox's user and mount namespaces,
 * chrooted to the sandbox's root, without capabilities, with the caller's
 * umask, so the kernel applies the same read-only mounts and permissions.
 * It refuses (EROFS) any entry whose parent directory and name are a
 * protected path's.  Performing the call itself means a path the caller
 * rewrites after the check is never used.
 */

enum {
  RF_FS_OPEN = 1,   /* openat(dirfd, path, flags, mode) with O_CREAT */
  RF_FS_MKDIR = 2,  /* mkdirat(dirfd, path, mode) */
  RF_FS_MKNOD = 3,  /* mknodat(dirfd, path, mode, dev) */
  RF_FS_SYMLINK = 4, /* symlinkat(path2 = target, dirfd, path) */
  RF_FS_LINK = 5,   /* linkat(dirfd2, path2 = old, dirfd, path, flags) */
  RF_FS_RENAME = 6, /* renameat2(dirfd2, path2 = old, dirfd, path, flags) */
  RF_FS_UNLINK = 7, /* unlinkat(dirfd, path, flags) */
  RF_FS_RMDIR = 8,  /* unlinkat(dirfd, path, AT_REMOVEDIR) */
  RF_FS_BIND = 9,   /* bind(socket = second descriptor, dirfd + path) */
  RF_FS_REOPEN = 10, /* open(O_CREAT) of one of the caller's own descriptors by its magic
                      * link (/dev/stderr, /dev/fd/N, /proc/self/fd/N): the descriptor
                      * (a pidfd_getfd copy) is the first one sent, reopened through the
                      * proxy's own /proc/self/fd with flags and mode.  Under the Landlock
                      * layer the proxy may not look into another domain's /proc/PID/fd;
                      * a path that continues below such a link (/dev/fd/3/x) arrives as
                      * a path relative to the copy instead. */
  RF_FS_LINK_OWN = 11, /* linkat of the caller's own descriptor by its magic link (the
                        * O_TMPFILE idiom): the copy is the second descriptor, flags are
                        * the caller's (AT_SYMLINK_FOLLOW). */
  RF_FS_UNCREATE = 12, /* removes the entry the previous request created (its reply said
                        * created = 1), if that name still holds the same file: the
                        * supervisor could not hand the result to the caller (its table
                        * was full, or it stopped waiting), so the call must not have
                        * happened.  No descriptors, no paths. */
};

/* One request; descriptors travel as SCM_RIGHTS: [dirfd, dirfd2] (for bind:
 * [dirfd, socket]). */
typedef struct {
  int32_t op;
  int32_t flags;
  uint32_t mode;
  uint32_t umask;
  uint64_t dev;
  int32_t ns_pid; /* the caller's pid and tid in the sandbox: for /proc/self paths */
  int32_t ns_tid;
  char path[PATH_MAX];  /* the entry to create */
  char path2[PATH_MAX]; /* symlink target, or the old path of link/rename */
} rf_fs_request;

/* The answer: 0 or -errno; an opened descriptor travels as SCM_RIGHTS.
 * |created| is 1 when this request made a new directory entry (open without
 * O_EXCL learns it by trying O_EXCL first), which RF_FS_UNCREATE can take
 * back until the next request. */
typedef struct {
  int32_t result;
  int32_t created;
} rf_fs_reply;
