/* root-symlinks.c: the one rule, on every backend, for a writable root reached through a symlink
 * that a sandboxed command could swap. */
#include "root-symlinks.h"
#include "util/canonical-path.h"
#include "util/quote.h"
#include <ringfence/ringfence.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * A writable root is granted as the directory it resolves to (the core canonicalizes every
 * root): that is what the user meant, and what every backend confines to.  But the path the
 * user wrote is resolved again on every run.  When one of its components is a symlink that
 * lies inside a writable root, a command in the sandbox can replace that link, and the same
 * configuration then grants some other directory on the next run (~/.ssh, say).  Such a root
 * is refused, whichever backend runs it, with the directory to name instead.
 */

static gboolean is_within(const char *path, const char *root) {
  size_t len = strlen(root);
  if (len == 1)
    return TRUE;
  return strncmp(path, root, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/* The canonical writable root that holds |dir|, or NULL. */
static const char *holding_root(const char *dir, GPtrArray *roots) {
  for (guint i = 0; i < roots->len; i++)
    if (is_within(dir, g_ptr_array_index(roots, i)))
      return g_ptr_array_index(roots, i);
  return NULL;
}

gboolean rf_root_symlinks_check(const char *given, const char *origin, const char *base,
                                GPtrArray *roots, GError **error) {
  g_autofree char *absolute = g_canonicalize_filename(given, base);
  g_auto(GStrv) parts = g_strsplit(absolute, "/", -1);
  g_autofree char *dir = g_strdup("/"); /* resolved so far */
  for (char **part = parts; *part; part++) {
    if (!**part)
      continue;
    g_autofree char *candidate = g_build_filename(dir, *part, NULL);
    struct stat st;
    if (lstat(candidate, &st) != 0)
      return TRUE; /* missing: canonicalizing the root reports it */
    if (S_ISLNK(st.st_mode)) {
      const char *root = holding_root(dir, roots);
      char *target = realpath(candidate, NULL);
      g_autofree char *resolved = target ? g_strdup(target) : NULL;
      free(target);
      if (root) {
        g_autofree char *shown = rf_quote_path(given);
        g_autofree char *link = rf_quote_path(candidate);
        g_autofree char *inside = rf_quote_path(root);
        g_autofree char *real = rf_canonical_maybe_missing(absolute, "/");
        g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                    "%s %s goes through the symlink %s, which lies inside the writable root %s: "
                    "a command in the sandbox could point it elsewhere, and the next run would "
                    "then make that directory writable, so ringfence refuses it (on every "
                    "backend). Fix: name the directory it leads to now (%s), or move the link "
                    "out of the writable root",
                    origin, shown, link, inside, real);
        return FALSE;
      }
      if (!resolved)
        return TRUE; /* a dangling link: canonicalizing the root reports it */
      g_free(dir);
      dir = g_steal_pointer(&resolved);
    } else {
      g_free(dir);
      dir = g_steal_pointer(&candidate);
    }
  }
  return TRUE;
}
