/* protected-paths.h: which paths stay read-only inside a writable root (made in protected-paths.c). */
#pragma once

#include <glib.h>

struct _RfWalkRecord; /* repo-walk.h */

/* What the system and global git configs say, read once for every root of a resolution (by
 * the first root that protects .git). */
typedef struct _RfGitGlobals RfGitGlobals;
RfGitGlobals *rf_git_globals_new(void);
void rf_git_globals_free(RfGitGlobals *globals);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RfGitGlobals, rf_git_globals_free)
/* The protected paths of |root|, or NULL with an error when a file git reads there cannot be
 * read safely (a FIFO, a device, too large: see safe-read.h).  |walk| (may be NULL) is filled
 * with what the walk for nested repositories saw, for the walk after the run (new-repos.h). */
GPtrArray *rf_protected_paths_for_root(const char *root, const char *const *names,
                                       GPtrArray *writable_roots, RfGitGlobals *globals,
                                       struct _RfWalkRecord *walk, GError **error);
