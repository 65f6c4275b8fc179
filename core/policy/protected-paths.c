/* protected-paths.c: which paths stay read-only inside a writable root (protected names, and what git on the host would run or read). */
#include "protected-paths.h"

#include "git-config.h"
#include "repo-walk.h"
#include "util/safe-read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the system, XDG and global git configs say, read once per resolution (every root and
 * repository sees the same ones). */
struct _RfGitGlobals {
  gboolean read;           /* the files below were read (lazily, by the first root that needs them) */
  GError *error;           /* why they could not be */
  GPtrArray *hooks;        /* core.hooksPath values */
  GPtrArray *included;     /* every file they include */
  gboolean safe_directory; /* they set safe.directory */
};

typedef struct {
  GPtrArray *paths;          /* the answer: char* */
  GHashTable *seen;          /* the same, for lookups */
  GPtrArray *writable_roots; /* canonical, char* */
  GPtrArray *global_hooks;   /* core.hooksPath values of the system and global configs */
  gboolean safe_directory;   /* the system or global config sets safe.directory */
} Protect;

static gboolean is_writable_root(GPtrArray *roots, const char *path) {
  for (guint i = 0; roots && i < roots->len; i++)
    if (g_str_equal(g_ptr_array_index(roots, i), path))
      return TRUE;
  return FALSE;
}

static gboolean strictly_below(const char *path, const char *root) {
  size_t n = strlen(root);
  if (n == 1 && root[0] == '/')
    return path[0] == '/' && path[1] != '\0';
  return strncmp(path, root, n) == 0 && path[n] == '/';
}

static void add_unique(Protect *p, char *path) {
  /* Naming a protected path as a writable root is how a user allows writing it. */
  if (is_writable_root(p->writable_roots, path) || g_hash_table_contains(p->seen, path)) {
    g_free(path);
    return;
  }
  g_hash_table_add(p->seen, path);
  g_ptr_array_add(p->paths, path);
}

static char *realpath_dup(const char *path) {
  char *real = realpath(path, NULL);
  if (!real)
    return NULL;
  char *copy = g_strdup(real);
  free(real);
  return copy;
}

/*
 * |path| (absolute) stays as it is: the path itself, what it resolves to, the target of a
 * final symlink even when dangling (the command would create it), and each symlink on the way
 * that lies below a writable root (replacing it would send git elsewhere).
 */
static void protect(Protect *p, const char *path) {
  g_autofree char *lexical = g_canonicalize_filename(path, "/");
  g_autofree char *dir_of = g_path_get_dirname(lexical);
  if (g_str_equal(lexical, path) && is_writable_root(p->writable_roots, dir_of)) {
    /* A name directly in a writable root (canonical already): realpath's readlink of every
     * component would say what one lstat says, unless the name is a link (protected names:
     * 8 per root, ~10 system calls each the long way). */
    struct stat st;
    if (lstat(path, &st) != 0 ? errno == ENOENT : !S_ISLNK(st.st_mode)) {
      add_unique(p, g_steal_pointer(&lexical));
      return;
    }
  }
  char *real = realpath_dup(path);
  if (!real) {
    /* Missing: the resolved parent and the name, and a dangling link's target. */
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *name = g_path_get_basename(path);
    g_autofree char *real_dir = realpath_dup(dir);
    if (real_dir)
      real = g_build_filename(real_dir, name, NULL);
    g_autofree char *link = g_file_read_link(real ? real : lexical, NULL);
    if (link) {
      g_autofree char *link_dir = g_path_get_dirname(real ? real : lexical);
      add_unique(p, g_canonicalize_filename(link, link_dir));
    }
  }
  for (guint i = 0; i < p->writable_roots->len; i++) {
    const char *root = g_ptr_array_index(p->writable_roots, i);
    if (!strictly_below(lexical, root))
      continue;
    g_autofree char *prefix = g_strdup(lexical);
    for (char *slash = strrchr(prefix, '/'); slash && slash > prefix; slash = strrchr(prefix, '/')) {
      *slash = '\0';
      if (!strictly_below(prefix, root))
        break;
      struct stat st;
      if (lstat(prefix, &st) == 0 && S_ISLNK(st.st_mode))
        add_unique(p, g_strdup(prefix));
    }
  }
  if (real && !g_str_equal(real, lexical))
    add_unique(p, real);
  else
    g_free(real);
  add_unique(p, g_steal_pointer(&lexical));
}

typedef struct {
  GPtrArray *hooks;         /* core.hooksPath values */
  gboolean *safe_directory; /* set when safe.directory is (NULL: not looked for) */
} Collected;

static void collect(const char *file, const char *key, const char *value, gpointer data) {
  Collected *c = data;
  if (value && *value && g_str_equal(key, "core.hookspath"))
    g_ptr_array_add(c->hooks, g_strdup(value));
  if (c->safe_directory && g_str_equal(key, "safe.directory"))
    *c->safe_directory = TRUE;
}

/* Reads a config file for hooksPath values and protects every file it includes. */
static gboolean read_config(Protect *p, const char *file, Collected *collected, GError **error) {
  g_autoptr(GPtrArray) included = g_ptr_array_new_with_free_func(g_free);
  if (!rf_git_config_read(file, collect, collected, included, error))
    return FALSE;
  for (guint i = 0; i < included->len; i++)
    protect(p, g_ptr_array_index(included, i));
  return TRUE;
}

static void protect_hooks_paths(Protect *p, GPtrArray *hooks, const char *base) {
  for (guint i = 0; i < hooks->len; i++) {
    g_autofree char *expanded = rf_git_expand_home(g_ptr_array_index(hooks, i));
    g_autofree char *absolute = g_path_is_absolute(expanded)
                                    ? g_strdup(expanded)
                                    : g_build_filename(base, expanded, NULL);
    protect(p, absolute);
  }
}

/* Why ringfence reads these files, and what the user can do: appended to a read error. */
static gboolean refuse(GError **error, const char *repo) {
  g_prefix_error(error, "cannot tell what git would run in %s: ", repo);
  if (error && *error) {
    char *message = g_strdup_printf(
        "%s; ringfence reads the repository's git files to keep what git on the host runs "
        "read-only. Make it a regular file (or remove it), or stop protecting .git "
        "(protected_names) if this is not a repository you use",
        (*error)->message);
    g_free((*error)->message);
    (*error)->message = message;
  }
  return FALSE;
}

/*
 * The git directory of the repository whose `.git` entry is |dotgit| (worktree |worktree|):
 * a `.git` file names it ("gitdir: PATH", as in worktrees and submodules), and a linked
 * worktree's git directory names the shared one in `commondir`: both are protected.  Then
 * the config files git reads there, every file they include, and the hook directories
 * core.hooksPath names (husky's .husky), relative ones taken from the worktree.
 */
static gboolean protect_repository(Protect *p, const char *worktree, const char *dotgit,
                                   GError **error) {
  struct stat st;
  if (stat(dotgit, &st) != 0)
    return TRUE; /* missing, or a dangling link: protect() covers the name and the target */
  g_autofree char *gitdir = NULL;
  if (S_ISREG(st.st_mode)) {
    g_autofree char *dir = g_path_get_dirname(dotgit);
    if (!rf_git_read_pointer(dotgit, "gitdir:", dir, &gitdir, error))
      return refuse(error, worktree);
    if (!gitdir)
      return TRUE; /* git refuses such a .git file too */
    protect(p, gitdir);
  } else if (S_ISDIR(st.st_mode)) {
    gitdir = g_strdup(dotgit);
  } else {
    /* A FIFO, a device, a socket: git cannot use it, and it is protected as a name. */
    return TRUE;
  }
  g_autofree char *commondir_file = g_build_filename(gitdir, "commondir", NULL);
  g_autofree char *commondir = NULL;
  if (!rf_git_read_pointer(commondir_file, NULL, gitdir, &commondir, error))
    return refuse(error, worktree);
  if (commondir)
    protect(p, commondir);
  g_autofree char *config = g_build_filename(commondir ? commondir : gitdir, "config", NULL);
  g_autofree char *worktree_config = g_build_filename(gitdir, "config.worktree", NULL);
  g_autoptr(GPtrArray) hooks = g_ptr_array_new_with_free_func(g_free);
  Collected collected = {.hooks = hooks};
  if (!read_config(p, config, &collected, error) ||
      !read_config(p, worktree_config, &collected, error))
    return refuse(error, worktree);
  protect_hooks_paths(p, p->global_hooks, worktree);
  protect_hooks_paths(p, hooks, worktree);
  return TRUE;
}

RfGitGlobals *rf_git_globals_new(void) {
  RfGitGlobals *globals = g_new0(RfGitGlobals, 1);
  globals->hooks = g_ptr_array_new_with_free_func(g_free);
  globals->included = g_ptr_array_new_with_free_func(g_free);
  return globals;
}

void rf_git_globals_free(RfGitGlobals *globals) {
  if (!globals)
    return;
  g_clear_error(&globals->error);
  g_ptr_array_unref(globals->hooks);
  g_ptr_array_unref(globals->included);
  g_free(globals);
}

/* The configs every repository sees: system, XDG, global (hooksPath and includes), read once
 * for all roots; each root protects what they include. */
static gboolean read_global_configs(Protect *p, RfGitGlobals *globals, GError **error) {
  if (!globals->read) {
    globals->read = TRUE;
    const char *home = g_get_home_dir();
    const char *xdg = g_getenv("XDG_CONFIG_HOME");
    g_autofree char *xdg_config = xdg && *xdg
                                      ? g_build_filename(xdg, "git", "config", NULL)
                                      : g_build_filename(home, ".config", "git", "config", NULL);
    g_autofree char *global = g_build_filename(home, ".gitconfig", NULL);
    const char *files[] = {"/etc/gitconfig", xdg_config, global};
    Collected collected = {.hooks = globals->hooks, .safe_directory = &globals->safe_directory};
    for (guint i = 0; i < G_N_ELEMENTS(files) && !globals->error; i++)
      if (!rf_git_config_read(files[i], collect, &collected, globals->included, &globals->error))
        g_prefix_error(&globals->error, "cannot tell what git would run: ");
  }
  if (globals->error) {
    g_propagate_error(error, g_error_copy(globals->error));
    return FALSE;
  }
  for (guint i = 0; i < globals->hooks->len; i++)
    g_ptr_array_add(p->global_hooks, g_strdup(g_ptr_array_index(globals->hooks, i)));
  for (guint i = 0; i < globals->included->len; i++)
    protect(p, g_ptr_array_index(globals->included, i));
  p->safe_directory = globals->safe_directory;
  return TRUE;
}

/*
 * Every repository below |root| that exists at launch is protected like the root's own: its
 * `.git` (or the bare repository), what that points to, its includes and hook directories.
 * git uses no repository whose working tree someone else owns (safe.directory), so the files
 * of another user's repository (in /tmp) are not read, only its `.git` kept read-only; when the
 * system or global config sets safe.directory, every one is read.
 */
static gboolean protect_nested(Protect *p, const char *root, RfWalkRecord *walk,
                               GError **error) {
  g_autoptr(GPtrArray) skip = g_ptr_array_new();
  for (guint i = 0; i < p->writable_roots->len; i++) {
    const char *other = g_ptr_array_index(p->writable_roots, i);
    if (strictly_below(other, root))
      g_ptr_array_add(skip, (gpointer)other);
  }
  g_ptr_array_add(skip, NULL);
  g_autoptr(GPtrArray) repos = g_ptr_array_new_with_free_func(rf_repo_free);
  if (!rf_repo_walk(root, (const char *const *)skip->pdata, repos, NULL, walk, NULL, error))
    return FALSE;
  guint uid = (guint)geteuid();
  for (guint i = 0; i < repos->len; i++) {
    const RfRepo *repo = g_ptr_array_index(repos, i);
    if ((repo->uid == uid || p->safe_directory) &&
        !protect_repository(p, repo->worktree, repo->dotgit, error))
      return FALSE;
    protect(p, repo->dotgit);
  }
  return TRUE;
}

GPtrArray *rf_protected_paths_for_root(const char *root, const char *const *names,
                                       GPtrArray *writable_roots, RfGitGlobals *globals,
                                       RfWalkRecord *walk, GError **error) {
  Protect p = {
      .paths = g_ptr_array_new_with_free_func(g_free),
      .seen = g_hash_table_new(g_str_hash, g_str_equal),
      .writable_roots = writable_roots,
      .global_hooks = g_ptr_array_new_with_free_func(g_free),
  };
  g_autoptr(GPtrArray) empty = NULL;
  if (!p.writable_roots)
    p.writable_roots = empty = g_ptr_array_new();
  gboolean ok = TRUE;
  gboolean git = FALSE;
  for (; ok && names && *names; names++) {
    g_autofree char *path = g_build_filename(root, *names, NULL);
    if (g_str_equal(*names, ".git")) {
      git = TRUE;
      ok = read_global_configs(&p, globals, error) && protect_repository(&p, root, path, error);
    }
    /* The name itself stays (it may not be replaced), and so does what it points to,
     * existing or not (a dangling link would create it). */
    protect(&p, path);
  }
  if (ok && git)
    ok = protect_nested(&p, root, walk, error);
  g_hash_table_unref(p.seen);
  g_ptr_array_unref(p.global_hooks);
  if (!ok) {
    g_ptr_array_unref(p.paths);
    return NULL;
  }
  return p.paths;
}
