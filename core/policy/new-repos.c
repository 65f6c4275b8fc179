/* new-repos.c: after a run, the git repositories the command created, and disabling what git on the host would run from them. */
#include "new-repos.h"

#include "git-config.h"
#include "plan-layout.h"
#include "repo-walk.h"
#include "util/canonical-path.h"
#include "util/safe-read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _RfRepoCheck {
  GPtrArray *roots;      /* canonical writable roots whose .git is protected */
  GPtrArray *walks;      /* RfWalkRecord* of each of |roots| at launch (NULL: none) */
  GPtrArray *all_roots;  /* every writable root */
  GHashTable *existing;  /* protected paths that existed at launch */
  GPtrArray *templates;  /* hook template directories */
};

static gboolean below_or_at(const char *path, const char *dir) {
  size_t n = strlen(dir);
  if (n == 1 && dir[0] == '/')
    return TRUE;
  return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Was |path| read-only during the run: at or below a protected path that existed at launch? */
static gboolean was_protected(const RfRepoCheck *check, const char *path) {
  g_autofree char *copy = g_strdup(path);
  for (;;) {
    if (g_hash_table_contains(check->existing, copy))
      return TRUE;
    char *slash = strrchr(copy, '/');
    if (!slash || slash == copy)
      return FALSE;
    *slash = '\0';
  }
}

/* Could the command have written |path|: below a writable root and not protected? */
static gboolean was_writable(const RfRepoCheck *check, const char *path) {
  g_autofree char *real = rf_canonical_maybe_missing(path, "/");
  for (guint i = 0; i < check->all_roots->len; i++)
    if (below_or_at(real, g_ptr_array_index(check->all_roots, i)))
      return !was_protected(check, real) && !was_protected(check, path);
  return FALSE;
}

static void collect_template(const char *file, const char *key, const char *value,
                             gpointer data) {
  if (value && *value && g_str_equal(key, "init.templatedir"))
    g_ptr_array_add(data, rf_git_expand_home(value));
}

RfRepoCheck *rf_repo_check_new(const RfPlan *plan) {
  if (plan->mode != RF_SANDBOX_WORKSPACE_WRITE)
    return NULL;
  RfRepoCheck *check = g_new0(RfRepoCheck, 1);
  check->roots = g_ptr_array_new_with_free_func(g_free);
  check->walks = g_ptr_array_new_with_free_func((GDestroyNotify)rf_walk_record_unref);
  check->all_roots = g_ptr_array_new_with_free_func(g_free);
  check->existing = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  check->templates = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < plan->roots->len; i++) {
    const RfPlanRoot *root = &g_array_index(plan->roots, RfPlanRoot, i);
    g_autofree char *dotgit = g_build_filename(root->path, ".git", NULL);
    gboolean git = FALSE;
    g_ptr_array_add(check->all_roots, g_strdup(root->path));
    for (guint j = 0; j + 1 < root->protected_paths->len; j++) {
      const char *path = g_ptr_array_index(root->protected_paths, j);
      struct stat st;
      git = git || g_str_equal(path, dotgit);
      if (lstat(path, &st) == 0)
        g_hash_table_add(check->existing, g_strdup(path));
    }
    if (git) { /* .git is a protected name: the user wants repositories kept */
      g_ptr_array_add(check->roots, g_strdup(root->path));
      g_ptr_array_add(check->walks, rf_walk_record_ref(root->walk));
    }
  }
  /* Hooks identical to the user's templates are git's own doing, not the command's. */
  const char *env = g_getenv("GIT_TEMPLATE_DIR");
  if (env && *env)
    g_ptr_array_add(check->templates, g_strdup(env));
  g_autofree char *global = g_build_filename(g_get_home_dir(), ".gitconfig", NULL);
  rf_git_config_read(global, collect_template, check->templates, NULL, NULL);
  g_ptr_array_add(check->templates, g_strdup("/usr/share/git-core/templates"));
  return check;
}

void rf_repo_check_free(RfRepoCheck *check) {
  if (!check)
    return;
  g_ptr_array_unref(check->roots);
  g_ptr_array_unref(check->walks);
  g_ptr_array_unref(check->all_roots);
  g_hash_table_unref(check->existing);
  g_ptr_array_unref(check->templates);
  g_free(check);
}

/* ---- disabling ---------------------------------------------------------------------- */

/* Renames |path| to PATH.ringfence-disabled (PATH.ringfence-disabled-2, ... when taken),
 * without following a link in its last component; the new name, or NULL with *|err|. */
static char *disable(const char *path, int *err) {
  g_autofree char *dir = g_path_get_dirname(path);
  g_autofree char *name = g_path_get_basename(path);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) {
    *err = errno;
    return NULL;
  }
  for (int n = 1; n < 100; n++) {
    g_autofree char *target = n == 1 ? g_strdup_printf("%s.ringfence-disabled", name)
                                     : g_strdup_printf("%s.ringfence-disabled-%d", name, n);
    struct stat st;
    if (fstatat(dfd, target, &st, AT_SYMLINK_NOFOLLOW) == 0)
      continue;
    if (renameat(dfd, name, dfd, target) != 0) {
      *err = errno;
      close(dfd);
      return NULL;
    }
    close(dfd);
    return g_steal_pointer(&target);
  }
  close(dfd);
  *err = EEXIST;
  return NULL;
}

static void report_disabled(GPtrArray *report, const char *repo, const char *reason,
                            const char *path) {
  int err = 0;
  g_autofree char *to = disable(path, &err);
  if (to)
    g_ptr_array_add(report,
                    g_strdup_printf("the command created the git repository %s, and %s: %s was "
                                    "renamed to %s so that git on the host does not run it; look "
                                    "at it, and rename it back only if you trust it",
                                    repo, reason, path, to));
  else
    g_ptr_array_add(report,
                    g_strdup_printf("the command created the git repository %s, and %s; %s could "
                                    "not be disabled (%s): do not run git there before you "
                                    "looked at it",
                                    repo, reason, path, g_strerror(err)));
}

/* ---- looking ------------------------------------------------------------------------ */

typedef struct {
  const RfRepoCheck *check;
  char *key, *file, *why; /* the first running key found */
} KeyHunt;

static void hunt(const char *file, const char *key, const char *value, gpointer data) {
  KeyHunt *h = data;
  if (h->key)
    return;
  const char *why = rf_git_key_runs_program(key, value);
  if (why && was_writable(h->check, file)) {
    h->key = g_strdup(key);
    h->file = g_strdup(file);
    h->why = g_strdup(why);
  }
}

/* A config git reads in the new repository: disabled when it (or a file it includes that the
 * command could write) sets a key that runs a program, or cannot be read safely. */
static void check_config(const RfRepoCheck *check, const char *repo, const char *config,
                         GPtrArray *report) {
  if (!was_writable(check, config))
    return;
  KeyHunt h = {.check = check};
  g_autoptr(GError) error = NULL;
  gboolean ok = rf_git_config_read(config, hunt, &h, NULL, &error);
  if (!ok) {
    g_autofree char *reason =
        g_strdup_printf("its git config cannot be read safely (%s)", error->message);
    report_disabled(report, repo, reason, config);
  } else if (h.key) {
    g_autofree char *reason = g_strdup_printf("its config sets %s%s%s: %s", h.key,
                                              g_str_equal(h.file, config) ? "" : " in ",
                                              g_str_equal(h.file, config) ? "" : h.file, h.why);
    report_disabled(report, repo, reason, config);
  }
  g_free(h.key);
  g_free(h.file);
  g_free(h.why);
}

/* Is |hook| byte for byte the template hook of the same name (git init copied it)? */
static gboolean is_template_hook(const RfRepoCheck *check, const char *hook, const char *name) {
  g_autofree char *text = NULL;
  gsize len = 0;
  if (rf_safe_read_file(hook, "hook", 1 << 20, RF_READ_NOFOLLOW, &text, &len, NULL) < 0)
    return FALSE;
  for (guint i = 0; i < check->templates->len; i++) {
    g_autofree char *template =
        g_build_filename(g_ptr_array_index(check->templates, i), "hooks", name, NULL);
    g_autofree char *other = NULL;
    gsize other_len = 0;
    if (rf_safe_read_file(template, "hook", 1 << 20, RF_READ_FOLLOW, &other, &other_len, NULL) ==
            0 &&
        other_len == len && memcmp(text, other, len) == 0)
      return TRUE;
  }
  return FALSE;
}

static void check_hooks(const RfRepoCheck *check, const char *repo, const char *gitdir,
                        GPtrArray *report) {
  g_autofree char *hooks = g_build_filename(gitdir, "hooks", NULL);
  struct stat st;
  if (lstat(hooks, &st) != 0 || !was_writable(check, hooks))
    return;
  if (!S_ISDIR(st.st_mode)) {
    report_disabled(report, repo, "its hooks directory is a link or not a directory", hooks);
    return;
  }
  g_autoptr(GDir) dir = g_dir_open(hooks, 0, NULL);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
  for (const char *name; dir && (name = g_dir_read_name(dir));)
    if (!g_str_has_suffix(name, ".sample") && !g_str_has_suffix(name, ".ringfence-disabled"))
      g_ptr_array_add(found, g_strdup(name));
  for (guint i = 0; i < found->len; i++) {
    const char *name = g_ptr_array_index(found, i);
    g_autofree char *hook = g_build_filename(hooks, name, NULL);
    if (strstr(name, ".ringfence-disabled") || is_template_hook(check, hook, name))
      continue;
    g_autofree char *reason = g_strdup_printf("its hooks hold %s, which git runs", name);
    report_disabled(report, repo, reason, hook);
  }
}

static void check_repo(const RfRepoCheck *check, const RfRepo *repo, GPtrArray *report) {
  struct stat st;
  if (stat(repo->dotgit, &st) != 0)
    return;
  g_autofree char *gitdir = NULL;
  if (S_ISREG(st.st_mode)) {
    g_autofree char *dir = g_path_get_dirname(repo->dotgit);
    g_autoptr(GError) error = NULL;
    if (!rf_git_read_pointer(repo->dotgit, "gitdir:", dir, &gitdir, &error)) {
      g_autofree char *reason = g_strdup_printf("its .git file cannot be read safely (%s)",
                                                error->message);
      report_disabled(report, repo->worktree, reason, repo->dotgit);
      return;
    }
    if (!gitdir)
      return;
  } else if (S_ISDIR(st.st_mode)) {
    gitdir = g_strdup(repo->dotgit);
  } else {
    return;
  }
  g_autofree char *commondir_file = g_build_filename(gitdir, "commondir", NULL);
  g_autofree char *commondir = NULL;
  g_autoptr(GError) error = NULL;
  if (!rf_git_read_pointer(commondir_file, NULL, gitdir, &commondir, &error) &&
      was_writable(check, commondir_file)) {
    g_autofree char *reason =
        g_strdup_printf("its commondir cannot be read safely (%s)", error->message);
    report_disabled(report, repo->worktree, reason, commondir_file);
  }
  const char *common = commondir ? commondir : gitdir;
  g_autofree char *config = g_build_filename(common, "config", NULL);
  g_autofree char *worktree_config = g_build_filename(gitdir, "config.worktree", NULL);
  check_config(check, repo->worktree, config, report);
  check_config(check, repo->worktree, worktree_config, report);
  check_hooks(check, repo->worktree, common, report);
}

void rf_repo_check_run(const RfRepoCheck *check, GPtrArray *report) {
  if (!check)
    return;
  for (guint i = 0; i < check->roots->len; i++) {
    const char *root = g_ptr_array_index(check->roots, i);
    g_autoptr(GPtrArray) skip = g_ptr_array_new();
    for (guint j = 0; j < check->all_roots->len; j++) {
      const char *other = g_ptr_array_index(check->all_roots, j);
      if (!g_str_equal(other, root) && below_or_at(other, root))
        g_ptr_array_add(skip, (gpointer)other);
    }
    g_ptr_array_add(skip, NULL);
    g_autoptr(GPtrArray) repos = g_ptr_array_new_with_free_func(rf_repo_free);
    g_autoptr(GError) error = NULL;
    /* The root's own .git, when the command could create it (it did not exist). */
    g_autofree char *top = g_build_filename(root, ".git", NULL);
    struct stat st;
    if (!g_hash_table_contains(check->existing, top) && lstat(top, &st) == 0) {
      RfRepo *repo = g_new0(RfRepo, 1);
      repo->dotgit = g_strdup(top);
      repo->worktree = g_strdup(root);
      g_ptr_array_add(repos, repo);
    }
    /* Only the directories changed since the launch walk are listed again (repo-walk.h). */
    const RfWalkRecord *since = g_ptr_array_index(check->walks, i);
    if (!rf_repo_walk(root, (const char *const *)skip->pdata, repos, NULL, NULL, since, &error))
      g_ptr_array_add(report,
                      g_strdup_printf("could not look for git repositories the command created "
                                      "below %s (%s): look before you run git there",
                                      root, error->message));
    for (guint j = 0; j < repos->len; j++) {
      const RfRepo *repo = g_ptr_array_index(repos, j);
      if (!g_hash_table_contains(check->existing, repo->dotgit))
        check_repo(check, repo, report);
    }
  }
}
