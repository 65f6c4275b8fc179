/* guard-entries.h: the protected paths of a policy as the entries ringfence-fs-proxy checks (format in guard-tree.h), computed once at launch. */
#pragma once

#include <ringfence/backend.h>

/* The entries for |policy|'s protected paths, NULL-terminated (free with
 * rf_strv_free_array()); NULL on no memory or when a protected path cannot be
 * stat'ed in a way that can be described: never a shorter list, which would
 * leave a path unguarded.
 *   - a path that does not exist: N (its parent and name);
 *   - a symlink: L;
 *   - a directory: A (it may not move), and every directory between it and
 *     each writable root holding it: A;
 *   - with |existing| (the Landlock backend, which has no mounts to hold
 *     existing protected paths read-only): also N and P for every path that
 *     exists and is not a symlink. */
char **rf_guard_entries_for_policy(const rf_backend_policy *policy, int existing);
