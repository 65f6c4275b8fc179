/* deny-read.h: deny-read entries (paths and glob patterns) to the canonical paths a backend hides (made in deny-read.c). */
#pragma once

#include <glib.h>

/* Bounds of the glob expansion (docs/security.md, "Deny-read patterns"). */
#define RF_DENY_GLOB_DEFAULT_DEPTH 16
#define RF_DENY_GLOB_MAX_DIRS 20000
#define RF_DENY_GLOB_MAX_MATCHES 1000
/* Appends to |out| the canonical paths |entry| names: itself (relative to |base|) when it has no
 * glob character, else every existing match; FALSE and RF_ERROR_CONFIG past the bounds. */
gboolean rf_deny_read_expand(const char *entry, const char *base, guint max_depth, GPtrArray *out,
                             GError **error);
/* FALSE and RF_ERROR_UNSUPPORTED when one of |paths| is a regular file with hard links that
 * are not all in |paths|. */
gboolean rf_deny_read_check_links(GPtrArray *paths, GError **error);
/* Appends to |out| the absolute form of the glob |entry| (relative to |base|) and, when its
 * literal folders resolve elsewhere (a symlink, /tmp -> /private/tmp), that form too. */
void rf_deny_read_glob_forms(const char *entry, const char *base, GPtrArray *out);
