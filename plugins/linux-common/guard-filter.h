/* guard-filter.h: the seccomp rules that send every call able to change something below a protected path to the supervisor (the Landlock backend's guard). */
#pragma once

#include <seccomp.h>

/*
 * Landlock rights only add up the tree, so inside a writable root the kernel
 * alone cannot keep an existing .git read-only.  These calls become user
 * notifications, answered by ringfence-fs-proxy (which performs them under
 * the command's own ruleset, refusing protected paths with EROFS) or by the
 * metadata handler:
 *   - open, openat: only when the flags ask for writing (O_WRONLY, O_RDWR,
 *     or the odd access mode 3), O_CREAT or O_TRUNC; read-only opens, the
 *     common case, never leave the kernel;
 *   - creat, mkdir(at), mknod(at), symlink(at), link(at), rename(at, at2),
 *     unlink(at), rmdir, bind (a socket file is a name);
 *   - truncate, ftruncate (the metadata handler);
 *   - openat2 keeps its flags in memory, which seccomp cannot read: ENOSYS,
 *     and libc falls back to openat.
 * The metadata calls (chmod, chown, utimes, xattrs, by path and by
 * descriptor) are notified in every run (landlock-meta.c).
 */

/* Adds the rules to |ctx|; bind only |with_bind| (a filter whose socket
 * rules send bind already leaves it out).  0 or -errno. */
int rf_guard_add_landlock_rules(scmp_filter_ctx ctx, int with_bind);
