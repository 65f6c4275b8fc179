/* trusted-program.c: the one decision of which files ringfence may execute or load outside the sandbox (bwrap, helpers, plugins, its own code). */
#include "trusted-program.h"
#include "writable-root-rule.h"
#include "util/canonical-path.h"
#include "util/current-dir.h"
#include "util/quote.h"
#include <ringfence/ringfence.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Everything ringfence runs or loads unconfined — bwrap, the helpers it hands
 * a sandbox, the backend plugins, its own executable or library — must be a
 * file no sandboxed command could have written.  A file is trusted when:
 *
 *   1. no step of the path to it (the directories walked through, each
 *      symbolic link followed, the file) lies below a place a sandbox may
 *      write: the working directory of the run, every writable root of the
 *      policy or the config (whatever the mode: a read-only run today may be
 *      followed by a workspace-write run tomorrow), /tmp and $TMPDIR;
 *   2. every one of those steps is owned by root or by the user running
 *      ringfence (a user-installed build), so nobody else can swap it;
 *   3. no directory walked through is writable by group or others, unless it
 *      has the sticky bit (as /var/tmp): then others may add entries but not
 *      rename or remove ours, and the entry below is checked in turn;
 *   4. the file is a regular file, executable, and not writable by group or
 *      others.
 *
 * These are the rules sudo applies to its plugins and OpenSSH's StrictModes
 * to authorized_keys, plus (1), which is ringfence's own.  The resolved,
 * canonical path is what the caller executes, so a later PATH lookup cannot
 * pick another file.
 */

#define MAX_SYMLINK_HOPS 40

struct _RfTrust {
  GPtrArray *roots; /* canonical directories nothing below which is trusted */
  char *bwrap;      /* configured bwrap (absolute), or NULL for the built-in choice */
  /* Directories whose owner and mode passed (rule 2 and 3), so that the walks of one run
   * (plugin, own code, helpers, bwrap) stat each shared parent once; rule 1 is a string
   * comparison, made again on every walk. */
  GHashTable *checked_dirs;
};

G_LOCK_DEFINE_STATIC(checked_dirs);

static gboolean strictly_below(const char *path, const char *root) {
  size_t len = strlen(root);
  if (len == 1 && root[0] == '/')
    return path[0] == '/' && path[1] != '\0';
  return strncmp(path, root, len) == 0 && path[len] == '/' && path[len + 1] != '\0';
}

static void add_canonical(RfTrust *trust, char *canonical) {
  for (guint i = 0; i < trust->roots->len; i++) {
    if (g_str_equal(g_ptr_array_index(trust->roots, i), canonical)) {
      g_free(canonical);
      return;
    }
  }
  g_ptr_array_add(trust->roots, canonical);
}

void rf_trust_add_root(RfTrust *trust, const char *dir, const char *base) {
  if (!dir || !*dir)
    return;
  g_autofree char *problem = NULL;
  g_autofree char *cwd =
      base || g_path_is_absolute(dir) ? g_strdup(base) : rf_current_dir(&problem);
  /* A relative root with no working directory to place it: nothing can be decided about it,
   * and nothing needs to be: every run from here is refused (core/policy/resolve.c) before anything
   * is executed. */
  if (!cwd && !g_path_is_absolute(dir))
    return;
  add_canonical(trust, rf_canonical_maybe_missing(dir, cwd ? cwd : "/"));
}

void rf_trust_add_canonical_root(RfTrust *trust, const char *dir) {
  if (dir && g_path_is_absolute(dir))
    add_canonical(trust, g_strdup(dir));
}

/* A working directory that is not a writable root of this run counts as
 * one anyway (a workspace-write run could start there), unless the writable-root
 * rule refuses it as a root (/, a system directory, a parent of the home:
 * writable-root-rule.c): no run can make it writable without naming it
 * (--dangerously-allow-writable-root), and then it is a root of that run's policy,
 * which always counts.  ringfence started from / or /usr/bin must still find
 * /usr/bin trustworthy. */
void rf_trust_add_workdir(RfTrust *trust, const char *dir) {
  if (!dir || !g_path_is_absolute(dir))
    return;
  g_auto(GStrv) homes = rf_home_directories();
  g_autofree char *refused = rf_writable_root_refusal(dir, (const char *const *)homes);
  if (refused)
    return;
  add_canonical(trust, g_strdup(dir));
}

RfTrust *rf_trust_new(void) {
  RfTrust *trust = g_new0(RfTrust, 1);
  trust->roots = g_ptr_array_new_with_free_func(g_free);
  trust->checked_dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  /* What any run from here could make writable, before a policy is known (no working
   * directory: none, and every run from here is refused). */
  g_autofree char *problem = NULL;
  g_autofree char *cwd = rf_current_dir(&problem);
  rf_trust_add_workdir(trust, cwd);
  rf_trust_add_root(trust, "/tmp", NULL);
  rf_trust_add_root(trust, g_getenv("TMPDIR"), NULL);
  return trust;
}

void rf_trust_free(RfTrust *trust) {
  if (!trust)
    return;
  g_ptr_array_unref(trust->roots);
  g_hash_table_unref(trust->checked_dirs);
  g_free(trust->bwrap);
  g_free(trust);
}

void rf_trust_set_bwrap(RfTrust *trust, const char *path) {
  g_free(trust->bwrap);
  trust->bwrap = path && *path ? g_strdup(path) : NULL;
}

const char *rf_trust_get_bwrap(const RfTrust *trust) {
  return trust->bwrap;
}

const char *const *rf_trust_get_roots(const RfTrust *trust) {
  return (const char *const *)trust->roots->pdata;
}

/* The untrusted root |path| lies below, from the trust and the policy, or NULL. */
static const char *root_holding(const RfTrust *trust, const rf_backend_policy *policy,
                                const char *path) {
  for (guint i = 0; i < trust->roots->len; i++)
    if (strictly_below(path, g_ptr_array_index(trust->roots, i)))
      return g_ptr_array_index(trust->roots, i);
  for (size_t i = 0; policy && i < policy->n_writable_roots; i++)
    if (strictly_below(path, policy->writable_roots[i].path))
      return policy->writable_roots[i].path;
  return NULL;
}

static gboolean owner_trusted(const struct stat *st) {
  return st->st_uid == 0 || st->st_uid == getuid();
}

/* "refusing to run bwrap /x/bin/bwrap: /x lies inside /ws, ...; FIX": |why|
 * is said of |step|, the file itself or a directory or link on the way. */
static void refuse(GError **error, const char *what, const char *given, const char *step,
                   const char *why, const char *fix) {
  g_autofree char *shown_given = rf_path_excerpt(given);
  g_autofree char *shown_step = rf_path_excerpt(step);
  g_set_error(error, RF_ERROR, RF_ERROR_UNSUPPORTED, "refusing to %s %s: %s %s; %s", what,
              shown_given, g_strcmp0(given, step) != 0 ? shown_step : "it", why, fix);
}

/* Splits |path| into components, prepended to |queue| (a stack: last
 * element is the next component). */
static void push_components(GPtrArray *queue, const char *path) {
  g_auto(GStrv) parts = g_strsplit(path, "/", -1);
  for (gint i = (gint)g_strv_length(parts) - 1; i >= 0; i--)
    if (parts[i][0])
      g_ptr_array_add(queue, g_strdup(parts[i]));
}

static char *pop_component(GPtrArray *queue) {
  return queue->len ? g_ptr_array_steal_index(queue, queue->len - 1) : NULL;
}

char *rf_trust_check_file(const RfTrust *trust, const rf_backend_policy *policy,
                          const char *path, const char *what, const char *fix, GError **error) {
  if (!path || !g_path_is_absolute(path)) {
    g_autofree char *shown = rf_quote_path(path);
    g_set_error(error, RF_ERROR, RF_ERROR_UNSUPPORTED, "refusing to %s %s: not an absolute path; %s",
                what, shown, fix);
    return NULL;
  }
  g_autoptr(GPtrArray) queue = g_ptr_array_new_with_free_func(g_free);
  push_components(queue, path);
  g_autoptr(GString) current = g_string_new("/");
  struct stat st;
  G_LOCK(checked_dirs);
  gboolean root_known = g_hash_table_contains(trust->checked_dirs, "/");
  G_UNLOCK(checked_dirs);
  if (!root_known) {
    if (lstat("/", &st) != 0 || !owner_trusted(&st) || (st.st_mode & 022)) {
      refuse(error, what, path, "/", "is writable by others", fix);
      return NULL;
    }
    G_LOCK(checked_dirs);
    g_hash_table_add(trust->checked_dirs, g_strdup("/"));
    G_UNLOCK(checked_dirs);
  }
  int hops = 0;
  char *component;
  while ((component = pop_component(queue))) {
    g_autofree char *name = component;
    if (g_str_equal(name, "."))
      continue;
    if (g_str_equal(name, "..")) {
      char *slash = strrchr(current->str, '/');
      g_string_truncate(current, slash && slash != current->str ? (gsize)(slash - current->str) : 1);
      continue;
    }
    /* |current| is a directory checked below; its entry |name| is next. */
    g_autofree char *step = g_str_equal(current->str, "/") ? g_strconcat("/", name, NULL)
                                                           : g_strconcat(current->str, "/", name, NULL);
    const char *root = root_holding(trust, policy, step);
    if (root) {
      g_autofree char *why = g_strdup_printf(
          "lies inside %s, where a sandboxed command may write: the command could have put "
          "it there, or could replace it",
          root);
      refuse(error, what, path, step, why, fix);
      return NULL;
    }
    G_LOCK(checked_dirs);
    gboolean known_dir = g_hash_table_contains(trust->checked_dirs, step);
    G_UNLOCK(checked_dirs);
    if (known_dir && queue->len > 0) {
      g_string_assign(current, step);
      continue;
    }
    if (lstat(step, &st) != 0) {
      int saved = errno;
      g_autofree char *where =
          g_strcmp0(path, step) ? g_strdup_printf("%s: ", step) : g_strdup("");
      g_set_error(error, RF_ERROR, RF_ERROR_NOT_FOUND, "cannot %s %s: %s%s; %s", what, path,
                  where, g_strerror(saved), fix);
      return NULL;
    }
    if (!owner_trusted(&st)) {
      g_autofree char *why = g_strdup_printf(
          "is owned by uid %u, neither root nor you (uid %u), so its owner could replace it",
          (unsigned)st.st_uid, (unsigned)getuid());
      refuse(error, what, path, step, why, fix);
      return NULL;
    }
    if (S_ISLNK(st.st_mode)) {
      if (++hops > MAX_SYMLINK_HOPS) {
        refuse(error, what, path, step, "is a symbolic link too many (more than 40 on the way)", fix);
        return NULL;
      }
      g_autofree char *target = g_file_read_link(step, NULL);
      if (!target) {
        refuse(error, what, path, step, "is a symbolic link that cannot be read", fix);
        return NULL;
      }
      if (g_path_is_absolute(target))
        g_string_assign(current, "/");
      push_components(queue, target);
      continue;
    }
    gboolean last = queue->len == 0;
    if (S_ISDIR(st.st_mode)) {
      if ((st.st_mode & 022) && !(st.st_mode & S_ISVTX)) {
        g_autofree char *why = g_strdup_printf(
            "is a directory writable by %s (mode %04o), who could replace what it holds",
            (st.st_mode & 002) ? "every user" : "its group", (unsigned)(st.st_mode & 07777));
        refuse(error, what, path, step, why, fix);
        return NULL;
      }
      if (last) {
        refuse(error, what, path, step, "is a directory", fix);
        return NULL;
      }
      G_LOCK(checked_dirs);
      g_hash_table_add(trust->checked_dirs, g_strdup(step));
      G_UNLOCK(checked_dirs);
      g_string_assign(current, step);
      continue;
    }
    if (!last) {
      g_set_error(error, RF_ERROR, RF_ERROR_NOT_FOUND, "cannot %s %s: %s is not a directory; %s",
                  what, path, step, fix);
      return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
      refuse(error, what, path, step, "is not a regular file", fix);
      return NULL;
    }
    if (st.st_mode & 022) {
      g_autofree char *why = g_strdup_printf("is writable by %s (mode %04o)",
                                             (st.st_mode & 002) ? "every user" : "its group",
                                             (unsigned)(st.st_mode & 07777));
      refuse(error, what, path, step, why, fix);
      return NULL;
    }
    return g_steal_pointer(&step);
  }
  refuse(error, what, path, current->str, "is a directory", fix);
  return NULL;
}

char *rf_trust_find_program(const RfTrust *trust, const rf_backend_policy *policy,
                            const char *name, GError **error) {
  gboolean is_bwrap = g_str_equal(name, "bwrap");
  const char *fix = is_bwrap ? "install bubblewrap from your distribution (e.g. apt-get install "
                               "bubblewrap) or name a trusted one with -c ringfence.bwrap=\"PATH\""
                             : "install it outside every writable root, owned by root";
  if (g_path_is_absolute(name))
    return rf_trust_check_file(trust, policy, name, "run", fix, error);
  if (is_bwrap && trust->bwrap)
    return rf_trust_check_file(trust, policy, trust->bwrap, "run bwrap (ringfence.bwrap)",
                               "set ringfence.bwrap to a bwrap owned by root outside every "
                               "writable root, or remove the setting",
                               error);
#ifdef RF_BWRAP_PATH
  /* The distribution's bwrap, fixed when ringfence was built: no PATH lookup. */
  if (is_bwrap && RF_BWRAP_PATH[0] && g_path_is_absolute(RF_BWRAP_PATH)) {
    struct stat st;
    if (lstat(RF_BWRAP_PATH, &st) == 0)
      return rf_trust_check_file(trust, policy, RF_BWRAP_PATH, "run bwrap", fix, error);
  }
#endif
  /* Not installed where expected: the first PATH hit, under the same rules.
   * A hit that fails them is refused, not skipped: the user put it first. */
  const char *path_env = g_getenv("PATH");
  g_auto(GStrv) dirs = g_strsplit(path_env ? path_env : "/usr/local/bin:/usr/bin:/bin", ":", -1);
  for (char **dir = dirs; *dir; dir++) {
    g_autofree char *candidate = g_build_filename(**dir ? *dir : ".", name, NULL);
    struct stat st;
    if (stat(candidate, &st) != 0 || S_ISDIR(st.st_mode) || access(candidate, X_OK) != 0)
      continue;
    g_autofree char *what = g_strdup_printf("run the %s found on PATH,", name);
    if (!g_path_is_absolute(candidate)) {
      g_autofree char *shown = rf_quote(**dir ? *dir : "(empty)", -1);
      g_autofree char *shown_candidate = rf_path_excerpt(candidate);
      g_set_error(error, RF_ERROR, RF_ERROR_UNSUPPORTED,
                  "refusing to %s %s: PATH holds the relative directory %s, which means "
                  "wherever ringfence runs; remove it from PATH or %s",
                  what, shown_candidate, shown, fix);
      return NULL;
    }
    return rf_trust_check_file(trust, policy, candidate, what, fix, error);
  }
  const char *also = "";
#ifdef RF_BWRAP_PATH
  if (is_bwrap && RF_BWRAP_PATH[0])
    also = " at " RF_BWRAP_PATH " nor";
#endif
  g_set_error(error, RF_ERROR, RF_ERROR_NOT_FOUND, "%s was not found%s on PATH; %s", name, also,
              fix);
  return NULL;
}
