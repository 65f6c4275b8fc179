/* deny-read.c: turns deny-read entries (paths and glob patterns) into the canonical paths a backend hides, within fixed bounds; the hiding is the backends'. */
#include "deny-read.h"
#include "util/canonical-path.h"
#include "util/quote.h"
#include <ringfence/ringfence.h>

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * Globs are expanded once, when the policy is resolved (docs/security.md,
 * "Deny-read patterns"): a file created later that matches is NOT covered.
 * Syntax, per path component: `*`, `?` and `[...]` as in fnmatch (a leading
 * dot is matched too: `*` covers `.env`), and `**` for any number of folders,
 * none included.  The walk never follows a symlink to a folder, descends at
 * most |max_depth| folders for each `**`, and stops (refusing the policy,
 * never truncating the list) after RF_DENY_GLOB_MAX_DIRS folders listed or
 * RF_DENY_GLOB_MAX_MATCHES matches.
 */

typedef struct {
  const char *pattern; /* as given, for messages */
  char **segments;     /* of the absolute pattern */
  guint max_depth;
  guint dirs_listed;
  GHashTable *seen; /* canonical matches already added */
  GPtrArray *out;
  GError **error;
} Walk;

static gboolean has_magic(const char *s) {
  return strpbrk(s, "*?[") != NULL;
}

static gboolean too_many(Walk *w, const char *what, guint limit) {
  g_autofree char *shown = rf_quote(w->pattern, -1);
  g_set_error(w->error, RF_ERROR, RF_ERROR_CONFIG,
              "deny-read pattern %s %s (more than %u): ringfence refuses rather than hide only "
              "some of them; narrow the pattern (a folder instead of **, or fewer levels with "
              "glob_scan_max_depth), or deny the folder that holds them",
              shown, what, limit);
  return FALSE;
}

static gboolean add_match(Walk *w, const char *path) {
  char *real = realpath(path, NULL);
  char *canonical = real ? g_strdup(real) : g_strdup(path);
  free(real);
  if (g_hash_table_contains(w->seen, canonical)) {
    g_free(canonical);
    return TRUE;
  }
  if (w->out->len >= RF_DENY_GLOB_MAX_MATCHES) {
    g_free(canonical);
    return too_many(w, "matches too many paths", RF_DENY_GLOB_MAX_MATCHES);
  }
  g_hash_table_add(w->seen, canonical);
  g_ptr_array_add(w->out, g_strdup(canonical));
  return TRUE;
}

static gboolean walk(Walk *w, const char *dir, guint i, guint depth);

/* The entries of |dir| (not . and ..), or NULL when it cannot be listed (then the command, which
 * runs as the same user, cannot list it either). */
static GPtrArray *list_dir(Walk *w, const char *dir, gboolean *ok) {
  *ok = TRUE;
  if (++w->dirs_listed > RF_DENY_GLOB_MAX_DIRS) {
    *ok = too_many(w, "makes ringfence list too many folders", RF_DENY_GLOB_MAX_DIRS);
    return NULL;
  }
  DIR *d = opendir(dir);
  if (!d)
    return NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  struct dirent *entry;
  while ((entry = readdir(d)))
    if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
      g_ptr_array_add(names, g_strdup(entry->d_name));
  closedir(d);
  return names;
}

static char *child_path(const char *dir, const char *name) {
  return g_str_equal(dir, "/") ? g_strconcat("/", name, NULL) : g_strconcat(dir, "/", name, NULL);
}

static gboolean is_real_dir(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Matches segments[i..] below |dir|. */
static gboolean walk(Walk *w, const char *dir, guint i, guint depth) {
  const char *seg = w->segments[i];
  if (!seg) {
    struct stat st;
    return lstat(dir, &st) == 0 ? add_match(w, dir) : TRUE;
  }
  if (!has_magic(seg)) {
    g_autofree char *child = child_path(dir, seg);
    struct stat st;
    if (lstat(child, &st) != 0)
      return TRUE;
    if (w->segments[i + 1] && !S_ISDIR(st.st_mode))
      return TRUE;
    return walk(w, child, i + 1, depth);
  }
  gboolean globstar = g_str_equal(seg, "**");
  if (globstar && !walk(w, dir, i + 1, depth)) /* no folder at all */
    return FALSE;
  if (globstar && depth >= w->max_depth)
    return TRUE;
  gboolean ok;
  g_autoptr(GPtrArray) names = list_dir(w, dir, &ok);
  if (!names)
    return ok;
  for (guint k = 0; k < names->len; k++) {
    const char *name = g_ptr_array_index(names, k);
    g_autofree char *child = child_path(dir, name);
    if (globstar) {
      if (is_real_dir(child) && !walk(w, child, i, depth + 1))
        return FALSE;
      continue;
    }
    if (fnmatch(seg, name, 0) != 0)
      continue;
    if (w->segments[i + 1] && !is_real_dir(child))
      continue;
    if (!walk(w, child, i + 1, depth))
      return FALSE;
  }
  return TRUE;
}

gboolean rf_deny_read_expand(const char *entry, const char *base, guint max_depth, GPtrArray *out,
                             GError **error) {
  if (!has_magic(entry)) {
    g_ptr_array_add(out, rf_canonical_maybe_missing(entry, base));
    return TRUE;
  }
  g_autofree char *absolute =
      g_path_is_absolute(entry) ? g_strdup(entry) : g_build_filename(base, entry, NULL);
  g_auto(GStrv) parts = g_strsplit(absolute, "/", -1);
  g_autoptr(GPtrArray) segments = g_ptr_array_new();
  for (char **p = parts; *p; p++)
    if (**p && !g_str_equal(*p, "."))
      g_ptr_array_add(segments, *p);
  for (guint i = 0; i < segments->len; i++) {
    if (g_str_equal(g_ptr_array_index(segments, i), "..")) {
      g_autofree char *shown = rf_quote(entry, -1);
      g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                  "deny-read pattern %s contains '..': write it without (a pattern names paths "
                  "below a folder)",
                  shown);
      return FALSE;
    }
  }
  g_ptr_array_add(segments, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < out->len; i++)
    g_hash_table_add(seen, g_strdup(g_ptr_array_index(out, i)));
  Walk w = {.pattern = entry,
            .segments = (char **)segments->pdata,
            .max_depth = max_depth ? max_depth : RF_DENY_GLOB_DEFAULT_DEPTH,
            .seen = seen,
            .out = out,
            .error = error};
  return walk(&w, "/", 0, 0);
}

gboolean rf_deny_read_check_links(GPtrArray *paths, GError **error) {
  /* Links of one file count as covered when every one of them is denied. */
  g_autoptr(GHashTable) denied = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < paths->len; i++) {
    struct stat st;
    const char *path = g_ptr_array_index(paths, i);
    if (path && lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink > 1) {
      char *key = g_strdup_printf("%lu:%lu", (unsigned long)st.st_dev, (unsigned long)st.st_ino);
      guint n = GPOINTER_TO_UINT(g_hash_table_lookup(denied, key));
      g_hash_table_insert(denied, key, GUINT_TO_POINTER(n + 1));
    }
  }
  for (guint i = 0; i < paths->len; i++) {
    struct stat st;
    const char *path = g_ptr_array_index(paths, i);
    if (!path || lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink <= 1)
      continue;
    g_autofree char *key =
        g_strdup_printf("%lu:%lu", (unsigned long)st.st_dev, (unsigned long)st.st_ino);
    if (GPOINTER_TO_UINT(g_hash_table_lookup(denied, key)) >= st.st_nlink)
      continue;
    g_autofree char *shown = rf_quote_path(path);
    g_set_error(error, RF_ERROR, RF_ERROR_UNSUPPORTED,
                "deny-read file %s has %lu hard links: a read through another link would reach "
                "the same content, so it cannot be kept unreadable; remove the other links (find "
                "/ -xdev -samefile %s) or deny each of them too",
                shown, (unsigned long)st.st_nlink, shown);
    return FALSE;
  }
  return TRUE;
}

void rf_deny_read_glob_forms(const char *entry, const char *base, GPtrArray *out) {
  g_autofree char *absolute = g_canonicalize_filename(entry, base);
  /* The folders before the first glob character, resolved where they exist: Seatbelt
   * matches the path the kernel resolved (/private/tmp/x for /tmp/x). */
  const char *magic = strpbrk(absolute, "*?[");
  const char *slash = magic;
  while (slash > absolute && *slash != '/')
    slash--;
  g_autofree char *prefix = g_strndup(absolute, (gsize)(slash - absolute));
  g_autofree char *canonical = prefix[0] ? rf_canonical_maybe_missing(prefix, "/") : g_strdup("");
  g_ptr_array_add(out, g_strdup(absolute));
  if (!g_str_equal(canonical, prefix) && !g_str_equal(canonical, "/"))
    g_ptr_array_add(out, g_strconcat(canonical, slash, NULL));
}
