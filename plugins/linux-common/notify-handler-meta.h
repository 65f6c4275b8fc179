/* notify-handler-meta.h: metadata changes (chmod, chown, utimes, xattrs), which Landlock does not control, checked against the writable roots (design in notify-handler-meta.c). */
#pragma once

#include <seccomp.h>
#include <stddef.h>

#include "guard-tree.h"
#include "notify-dispatch.h"

typedef struct rf_notify_meta rf_notify_meta;

/* Copies the canonical writable roots and the protected paths (below which
 * nothing changes either).  0 or -ENOMEM. */
int rf_notify_meta_new(const char *const *writable, size_t n_writable,
                       const char *const *protected_paths, size_t n_protected,
                       rf_notify_meta **out);
void rf_notify_meta_free(rf_notify_meta *m);

/* With the Landlock guard (guard-filter.h): protected paths are decided by
 * inode (|guard|, not owned, outlives the handler's use) and refused with
 * EROFS, and truncate and ftruncate are answered here too. */
void rf_notify_meta_set_guard(rf_notify_meta *m, const rf_guard_table *guard);

/* Answered on the receiving thread; the dispatcher of a backend that uses
 * it drops the supervisor threads' capabilities (rf_notify_dispatch_config),
 * so the kernel's own permission checks come out as for the caller. */
extern const rf_notify_handler rf_notify_meta_handler;

/* The notify rules of the metadata calls, and ENOSYS for their newer forms
 * (fchmodat2, setxattrat, removexattrat, file_setattr).  0 or -errno. */
int rf_notify_meta_add_rules(scmp_filter_ctx ctx);
