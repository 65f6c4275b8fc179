/* notify-handler-fsguard.h: the filesystem guard: name-creating and -removing calls performed by ringfence-fs-proxy, which refuses protected names.
 *
 * A handler of the notification dispatcher (notify-dispatch.h).  Protected
 * names that do not exist yet (`.envrc`, `.vscode` in a workspace that has
 * none) have no mount point that could be bound read-only over them, and a
 * protected name that is a symlink cannot be covered by one either.  So
 * every syscall that creates a directory entry (open/openat/creat with
 * O_CREAT, mkdir, mknod, symlink, link, rename; bind of a pathname through
 * the socket handler) and, at level 2, that removes one (unlink, rmdir) is
 * a notification, and ringfence-fs-proxy performs it on the caller's behalf
 * (fs-proxy.h): in the caller's namespaces and root, without capabilities,
 * with the caller's umask, under the same Landlock layer as the command.
 * It refuses (EROFS) an entry whose parent directory and name are a
 * protected path's.  Performing the call itself means a path the caller
 * rewrites after the check is never used; an opened file is handed back
 * with SECCOMP_IOCTL_NOTIF_ADDFD and SECCOMP_ADDFD_FLAG_SEND.
 *
 * Every worker has its own proxy.  A creation whose answer cannot be
 * delivered (the caller's table filled up, or it stopped waiting) is taken
 * back (RF_FS_UNCREATE) if the name still holds that file.
 */
#pragma once

#include <seccomp.h>

#include "notify-dispatch.h"

typedef struct rf_notify_fsguard rf_notify_fsguard;

typedef struct {
  const char *fs_proxy;                   /* path of ringfence-fs-proxy (copied) */
  const char *const *missing_protected;   /* its arguments, "N:DEV:INO:HEXNAME" ... (copied) */
  /* The bwrap backend's Landlock layer, which every proxy enforces on
   * itself (landlock-layer.h); abi 0: none.  The guard keeps a duplicate. */
  int landlock_fd;
  int landlock_abi;
} rf_notify_fsguard_config;

/* 0 or -errno with a message. */
int rf_notify_fsguard_new(const rf_notify_fsguard_config *config, rf_notify_fsguard **out,
                          char *err, size_t err_len);
/* The Landlock layer's descriptor (each supervisor thread keeps it), or -1. */
int rf_notify_fsguard_landlock_fd(const rf_notify_fsguard *g);
/* After the dispatcher stopped: reaps the proxies and frees.  NULL is fine. */
void rf_notify_fsguard_free(rf_notify_fsguard *g);

extern const rf_notify_handler rf_notify_fsguard_handler;

/* The notify rules of the guard at |level| (1: creating calls, opens only
 * with O_CREAT; 2: also unlink, unlinkat, rmdir).  0 or -errno. */
int rf_notify_fsguard_add_rules(scmp_filter_ctx ctx, int level);

/* For the socket handler: binds the caller's socket |sock| (a copy) to the
 * pathname |path| through the proxy.  0 or -errno; sets call->made. */
int rf_notify_fsguard_bind(rf_notify_fsguard *g, rf_notify_call *call, const char *path, int sock);
/* Takes back what the last request of worker |slot|'s proxy created. */
void rf_notify_fsguard_take_back_slot(rf_notify_fsguard *g, size_t slot);
