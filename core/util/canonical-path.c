/* canonical-path.c: the canonical absolute form of a path that may not exist (yet). */
#include "canonical-path.h"

#include <stdlib.h>

/* Canonical absolute path; the path need not exist (used for deny-read). */
char *rf_canonical_maybe_missing(const char *path, const char *base) {
  g_autofree char *absolute =
      g_path_is_absolute(path) ? g_strdup(path) : g_build_filename(base, path, NULL);
  char *real = realpath(absolute, NULL);
  if (real) {
    char *result = g_strdup(real);
    free(real);
    return result;
  }
  return g_canonicalize_filename(absolute, NULL);
}
