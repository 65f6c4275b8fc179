/* protected-paths.c: which paths stay read-only inside a writable root (protected names, a .git file's gitdir). */
#include "policy-private.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static gboolean is_writable_root(GPtrArray *roots, const char *path) {
  for (guint i = 0; roots && i < roots->len; i++)
    if (g_str_equal(g_ptr_array_index(roots, i), path))
      return TRUE;
  return FALSE;
}

static void add_unique(GPtrArray *paths, GPtrArray *roots, char *path) {
  /* Naming a protected path as a writable root is how a user allows writing it. */
  if (is_writable_root(roots, path)) {
    g_free(path);
    return;
  }
  for (guint i = 0; i < paths->len; i++) {
    if (g_str_equal(g_ptr_array_index(paths, i), path)) {
      g_free(path);
      return;
    }
  }
  g_ptr_array_add(paths, path);
}

static char *realpath_dup(const char *path) {
  char *real = realpath(path, NULL);
  if (!real)
    return NULL;
  char *copy = g_strdup(real);
  free(real);
  return copy;
}

/* Reads the first line of |file| and returns what follows |prefix|, resolved
 * against |base| and canonicalised, or NULL when that is not an existing path. */
static char *read_pointer_file(const char *file, const char *prefix, const char *base) {
  g_autofree char *contents = NULL;
  gsize len = 0;
  if (!g_file_get_contents(file, &contents, &len, NULL))
    return NULL;
  char *line = contents;
  char *newline = strchr(line, '\n');
  if (newline)
    *newline = '\0';
  g_strchomp(line);
  if (prefix) {
    if (!g_str_has_prefix(line, prefix))
      return NULL;
    line += strlen(prefix);
    while (*line == ' ' || *line == '\t')
      line++;
  }
  if (!*line)
    return NULL;
  g_autofree char *target =
      g_path_is_absolute(line) ? g_strdup(line) : g_build_filename(base, line, NULL);
  return realpath_dup(target);
}

/* A `.git` that is a file ("gitdir: PATH", as in worktrees and submodules)
 * points at the real git directory, and a worktree's git directory points at
 * the shared one through its `commondir` file: both are protected too. */
static void add_git_targets(GPtrArray *paths, GPtrArray *roots, const char *root,
                            const char *dotgit) {
  struct stat st;
  if (lstat(dotgit, &st) != 0 || !S_ISREG(st.st_mode))
    return;
  char *gitdir = read_pointer_file(dotgit, "gitdir:", root);
  if (!gitdir)
    return;
  g_autofree char *commondir_file = g_build_filename(gitdir, "commondir", NULL);
  char *commondir = read_pointer_file(commondir_file, NULL, gitdir);
  add_unique(paths, roots, gitdir);
  if (commondir)
    add_unique(paths, roots, commondir);
}

GPtrArray *rf_protected_paths_for_root(const char *root, const char *const *names,
                                       GPtrArray *writable_roots) {
  GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
  for (; names && *names; names++) {
    char *path = g_build_filename(root, *names, NULL);
    struct stat st;
    gboolean is_symlink = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
    if (g_str_equal(*names, ".git"))
      add_git_targets(paths, writable_roots, root, path);
    if (is_symlink) {
      /* The name itself stays (it may not be replaced), and so does what it points to. */
      char *target = realpath_dup(path);
      if (target)
        add_unique(paths, writable_roots, target);
    }
    add_unique(paths, writable_roots, path);
  }
  return paths;
}
