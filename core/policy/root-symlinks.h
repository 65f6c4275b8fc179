/* root-symlinks.h: a writable root reached through a symlink inside another root is refused (made in root-symlinks.c). */
#pragma once

#include <glib.h>

/* FALSE and RF_ERROR_CONFIG when the writable root |given| (relative to |base|), which came
 * from |origin|, goes through a symlink inside one of the canonical |roots| (char*): a
 * sandboxed command could swap it before the next run. */
gboolean rf_root_symlinks_check(const char *given, const char *origin, const char *base,
                                GPtrArray *roots, GError **error);
