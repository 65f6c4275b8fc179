/* canonical-path.h: the canonical absolute form of a path that may not exist (yet) (made in canonical-path.c). */
#pragma once

#include <glib.h>

/* The canonical absolute path of |path| (relative to |base|), or, when it does not exist (yet),
 * the lexically cleaned one. */
char *rf_canonical_maybe_missing(const char *path, const char *base);
