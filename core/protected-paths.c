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

/* The value of core.hooksPath in a git config file, or NULL.  A small
 * reader: section headers, "key = value", comments; no includes. */
static char *read_hooks_path(const char *config_file) {
  g_autofree char *contents = NULL;
  if (!g_file_get_contents(config_file, &contents, NULL, NULL))
    return NULL;
  g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
  gboolean in_core = FALSE;
  char *found = NULL;
  for (char **line = lines; *line; line++) {
    char *text = g_strstrip(*line);
    if (text[0] == '[') {
      in_core = g_ascii_strncasecmp(text, "[core]", 6) == 0;
      continue;
    }
    if (!in_core || text[0] == '#' || text[0] == ';')
      continue;
    char *eq = strchr(text, '=');
    if (!eq)
      continue;
    *eq = '\0';
    if (g_ascii_strcasecmp(g_strstrip(text), "hookspath") != 0)
      continue;
    char *value = g_strstrip(eq + 1);
    size_t len = strlen(value);
    if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
      value[len - 1] = '\0';
      value++;
    }
    g_free(found);
    found = g_strdup(value); /* the last one wins, as in git */
  }
  return found;
}

/* Files a git config pulls in with include.path / includeIf.*.path: a
 * writable one could set core.hooksPath or core.fsmonitor for the host's next
 * git command.  Followed recursively (depth-limited), each one protected. */
static void add_git_includes(GPtrArray *paths, GPtrArray *roots, const char *config_file,
                             int depth) {
  if (depth > 8)
    return;
  g_autofree char *contents = NULL;
  if (!g_file_get_contents(config_file, &contents, NULL, NULL))
    return;
  g_autofree char *base = g_path_get_dirname(config_file);
  g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
  gboolean in_include = FALSE;
  for (char **line = lines; *line; line++) {
    char *text = g_strstrip(*line);
    if (text[0] == '[') {
      in_include = g_ascii_strncasecmp(text, "[include]", 9) == 0 ||
                   g_ascii_strncasecmp(text, "[includeIf", 10) == 0;
      continue;
    }
    char *eq = strchr(text, '=');
    if (!in_include || !eq)
      continue;
    *eq = '\0';
    if (g_ascii_strcasecmp(g_strstrip(text), "path") != 0)
      continue;
    char *value = g_strstrip(eq + 1);
    size_t len = strlen(value);
    if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
      value[len - 1] = '\0';
      value++;
    }
    if (!*value)
      continue;
    g_autofree char *expanded = value[0] == '~' && value[1] == '/'
                                    ? g_build_filename(g_get_home_dir(), value + 2, NULL)
                                    : g_strdup(value);
    g_autofree char *absolute = g_path_is_absolute(expanded)
                                    ? g_strdup(expanded)
                                    : g_build_filename(base, expanded, NULL);
    char *real = realpath_dup(absolute);
    char *path = real ? real : g_canonicalize_filename(absolute, NULL);
    add_git_includes(paths, roots, path, depth + 1);
    add_unique(paths, roots, path);
  }
}

/* Hooks run by git on the host live in .git/hooks, or wherever core.hooksPath
 * points (husky's .husky in the working tree): that directory is protected
 * too.  The repository's config and the user's global config are read. */
static void add_hooks_path(GPtrArray *paths, GPtrArray *roots, const char *root,
                           const char *git_dir) {
  const char *home = g_get_home_dir();
  const char *xdg = g_getenv("XDG_CONFIG_HOME");
  g_autofree char *repo_config = g_build_filename(git_dir, "config", NULL);
  g_autofree char *global = g_build_filename(home, ".gitconfig", NULL);
  g_autofree char *xdg_config = xdg && *xdg ? g_build_filename(xdg, "git", "config", NULL)
                                            : g_build_filename(home, ".config", "git", "config", NULL);
  add_git_includes(paths, roots, repo_config, 0);
  const char *files[] = {xdg_config, global, repo_config}; /* later wins */
  g_autofree char *hooks = NULL;
  for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
    char *value = read_hooks_path(files[i]);
    if (value) {
      g_free(hooks);
      hooks = value;
    }
  }
  if (!hooks || !*hooks)
    return;
  g_autofree char *expanded = hooks[0] == '~' && (hooks[1] == '/' || !hooks[1])
                                  ? g_build_filename(home, hooks + 1, NULL)
                                  : g_strdup(hooks);
  g_autofree char *absolute = g_path_is_absolute(expanded) ? g_strdup(expanded)
                                                           : g_build_filename(root, expanded, NULL);
  char *real = realpath_dup(absolute);
  add_unique(paths, roots, real ? real : g_canonicalize_filename(absolute, NULL));
}

GPtrArray *rf_protected_paths_for_root(const char *root, const char *const *names,
                                       GPtrArray *writable_roots) {
  GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
  for (; names && *names; names++) {
    char *path = g_build_filename(root, *names, NULL);
    struct stat st;
    gboolean is_symlink = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
    if (g_str_equal(*names, ".git")) {
      add_git_targets(paths, writable_roots, root, path);
      struct stat git_st;
      if (stat(path, &git_st) == 0 && S_ISDIR(git_st.st_mode))
        add_hooks_path(paths, writable_roots, root, path);
      else if (lstat(path, &git_st) == 0 && S_ISREG(git_st.st_mode)) {
        g_autofree char *gitdir = read_pointer_file(path, "gitdir:", root);
        if (gitdir) {
          g_autofree char *commondir_file = g_build_filename(gitdir, "commondir", NULL);
          g_autofree char *commondir = read_pointer_file(commondir_file, NULL, gitdir);
          add_hooks_path(paths, writable_roots, root, commondir ? commondir : gitdir);
        }
      }
    }
    if (is_symlink) {
      /* The name itself stays (it may not be replaced), and so does what it
       * points to, existing or not (a dangling link would create it). */
      char *target = realpath_dup(path);
      if (!target) {
        g_autofree char *link = g_file_read_link(path, NULL);
        if (link)
          target = g_canonicalize_filename(link, root);
      }
      if (target)
        add_unique(paths, writable_roots, target);
    }
    add_unique(paths, writable_roots, path);
  }
  return paths;
}
