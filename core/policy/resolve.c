/* resolve.c: turns an RfPolicy into an RfPlan: canonical roots, protected paths, the plugin view. */
#include "policy-layout.h"
#include "plan-layout.h"
#include "deny-read.h"
#include "environ.h"
#include "guarantees.h"
#include "netproxy-launch.h"
#include "protected-paths.h"
#include "repo-walk.h"
#include "root-symlinks.h"
#include "writable-root-rule.h"
#include "wsl-environ.h"
#include "util/canonical-path.h"
#include "util/quote.h"
#include <ringfence/ringfence.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

GQuark rf_error_quark(void) {
  return g_quark_from_static_string("ringfence-error-quark");
}

int rf_error_exit_status(const GError *error) {
  if (error && error->domain == RF_ERROR) {
    if (error->code == RF_ERROR_NOT_FOUND)
      return RF_STATUS_NOT_FOUND;
    if (error->code == RF_ERROR_NOT_EXECUTABLE)
      return RF_STATUS_NOT_EXECUTABLE;
  }
  return RF_STATUS_FAILED;
}

/* Canonical absolute path of an existing directory, or an error naming the
 * setting it came from, the path as given and |fix| (said when it does not exist). */
static char *canonical_dir(const char *path, const char *base, const char *origin, const char *fix,
                           GError **error) {
  g_autofree char *shown = rf_quote_path(path);
  if (!*path) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s '' names no directory", origin);
    return NULL;
  }
  if (!g_path_is_absolute(path) && !base) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s %s is not an absolute path", origin, shown);
    return NULL;
  }
  g_autofree char *absolute =
      g_path_is_absolute(path) ? g_strdup(path) : g_build_filename(base, path, NULL);
  char *real = realpath(absolute, NULL);
  if (!real) {
    int saved = errno;
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s %s cannot be used: %s%s%s%s", origin, shown,
                g_strerror(saved), saved == ENOENT ? " (" : "", saved == ENOENT ? fix : "",
                saved == ENOENT ? ")" : "");
    return NULL;
  }
  struct stat st;
  if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s %s is not a directory", origin, shown);
    free(real);
    return NULL;
  }
  char *result = g_strdup(real);
  free(real);
  return result;
}

static void plan_root_clear(gpointer data) {
  RfPlanRoot *root = data;
  g_free(root->path);
  if (root->protected_paths)
    g_ptr_array_unref(root->protected_paths);
  rf_walk_record_unref(root->walk);
  g_free(root->origin);
  g_free(root->danger);
}

void rf_plan_free(RfPlan *plan) {
  if (!plan)
    return;
  g_array_unref(plan->roots);
  g_free(plan->view_roots);
  g_ptr_array_unref(plan->readable_roots);
  g_ptr_array_unref(plan->deny_read);
  g_ptr_array_unref(plan->deny_read_patterns);
  g_ptr_array_unref(plan->deny_read_globs);
  g_free(plan->cwd);
  g_array_unref(plan->pass_fds);
  if (plan->envp)
    g_ptr_array_unref(plan->envp);
  g_free(plan->run_id);
  g_free(plan->backend_name);
  if (plan->net.allow)
    rf_net_settings_clear(&plan->net);
  g_free(plan);
}

/* What the root rule needs while the roots are added: the user's homes and the roots the user
 * allowed explicitly (canonical). */
typedef struct {
  char **homes;
  GPtrArray *allowed;
  GPtrArray *given; /* char*: each root as given, then its origin (root-symlinks.c) */
} RootRule;

/* How to avoid a refused root, by where it came from. */
static const char *refusal_fix(const char *origin) {
  if (g_str_equal(origin, "working directory"))
    return "run from the project's own directory (cd DIR, or -C DIR), or without writes "
           "(-s read-only)";
  if (g_str_equal(origin, "$TMPDIR"))
    return "point TMPDIR at a directory of its own, or leave it out with -c "
           "sandbox_workspace_write.exclude_tmpdir_env_var=true";
  if (g_str_equal(origin, "/tmp"))
    return "leave /tmp out with -c sandbox_workspace_write.exclude_slash_tmp=true";
  return "name the directory below it that the command needs";
}

static gboolean add_root(RfPlan *plan, const RootRule *rule, const char *given, const char *origin,
                         GError **error) {
  char *path = canonical_dir(given, plan->cwd, origin, "create it first, or remove it from the policy",
                             error);
  if (!path)
    return FALSE;
  g_ptr_array_add(rule->given, g_strdup(given));
  g_ptr_array_add(rule->given, g_strdup(origin));
  /* The one rule for what a writable root may be, the same on every backend. */
  g_autofree char *refusal = rf_writable_root_refusal(path, (const char *const *)rule->homes);
  gboolean allowed = FALSE;
  for (guint i = 0; refusal && i < rule->allowed->len; i++)
    allowed = allowed || g_str_equal(g_ptr_array_index(rule->allowed, i), path);
  if (refusal && !allowed) {
    g_autofree char *shown = rf_quote_path(given);
    g_autofree char *canonical = g_str_equal(given, path) ? g_strdup("") : g_strdup_printf(" (%s)", path);
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                "%s %s%s %s, so ringfence refuses it as a writable root (on every backend). Fix: "
                "%s; or, if the command really must write there, add "
                "--dangerously-allow-writable-root %s",
                origin, shown, canonical, refusal, refusal_fix(origin), path);
    g_free(path);
    return FALSE;
  }
  for (guint i = 0; i < plan->roots->len; i++) {
    RfPlanRoot *existing = &g_array_index(plan->roots, RfPlanRoot, i);
    if (g_str_equal(existing->path, path)) {
      if (refusal && !existing->danger)
        existing->danger = g_steal_pointer(&refusal);
      g_free(path);
      return TRUE;
    }
  }
  RfPlanRoot root = {.path = path,
                     .protected_paths = NULL,
                     .origin = g_strdup(origin),
                     .danger = g_steal_pointer(&refusal)};
  g_array_append_val(plan->roots, root);
  return TRUE;
}

static void root_rule_clear(RootRule *rule) {
  g_strfreev(rule->homes);
  if (rule->allowed)
    g_ptr_array_unref(rule->allowed);
  if (rule->given)
    g_ptr_array_unref(rule->given);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RootRule, root_rule_clear)

/* Shorter paths first, so that a backend that binds in order binds a parent
 * before its children. */
static gint compare_roots(gconstpointer a, gconstpointer b) {
  const RfPlanRoot *ra = a, *rb = b;
  size_t la = strlen(ra->path), lb = strlen(rb->path);
  if (la != lb)
    return la < lb ? -1 : 1;
  return strcmp(ra->path, rb->path);
}

static char *make_run_id(void) {
  guint32 a = g_random_int(), b = g_random_int();
  return g_strdup_printf("rf-%d-%08x%08x", (int)getpid(), a, b);
}

static gboolean check_pass_fds(const GArray *fds, GError **error) {
  for (guint i = 0; i < fds->len; i++) {
    int fd = g_array_index(fds, int, i);
    if (fd <= 2) {
      g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                  "--pass-fd %d: descriptors 0, 1 and 2 are always passed; name only others", fd);
      return FALSE;
    }
    if (fcntl(fd, F_GETFD) < 0) {
      g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                  "--pass-fd %d: descriptor %d is not open in ringfence (open it before running, "
                  "e.g. '%d>file')",
                  fd, fd, fd);
      return FALSE;
    }
  }
  return TRUE;
}

RfPlan *rf_policy_resolve(const RfPolicy *policy, GError **error) {
  g_autoptr(RfPlan) plan = g_new0(RfPlan, 1);
  plan->mode = policy->mode;
  plan->roots = g_array_new(FALSE, TRUE, sizeof(RfPlanRoot));
  g_array_set_clear_func(plan->roots, plan_root_clear);
  plan->readable_roots = g_ptr_array_new_with_free_func(g_free);
  plan->deny_read = g_ptr_array_new_with_free_func(g_free);
  plan->deny_read_patterns = g_ptr_array_new_with_free_func(g_free);
  plan->deny_read_globs = g_ptr_array_new_with_free_func(g_free);
  plan->pass_fds = g_array_copy(policy->pass_fds);
  plan->allow_degraded = policy->allow_degraded;
  plan->insisted = policy->insisted;
  plan->run_id = make_run_id();

  /* The working directory is known or the run is refused: a stand-in ("/", $HOME) would be a
   * writable root nobody asked for in workspace-write, and a lie about where the command runs
   * in every mode. */
  if (!policy->cwd) {
    g_set_error_literal(error, RF_ERROR, RF_ERROR_CONFIG,
                        policy->cwd_problem ? policy->cwd_problem
                                            : "the working directory is unknown: name one with -C DIR");
    return NULL;
  }
  plan->cwd = canonical_dir(policy->cwd, NULL,
                            policy->cwd_given ? "working directory (-C/--cd)" : "working directory",
                            policy->cwd_given ? "name an existing directory"
                                              : "it was deleted or moved away: cd to an existing "
                                                "directory, or name one with -C DIR",
                            error);
  if (!plan->cwd)
    return NULL;

  /* The proxy's settings mean something with --network proxy only: given without it, the
   * user expects a filter that would not be there. */
  if (policy->network != RF_NETWORK_PROXY && policy->mode != RF_SANDBOX_DANGER_FULL_ACCESS &&
      rf_net_settings_given(&policy->net)) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                "--allow-domain, --deny-domain, --proxy, --resolve and --network-log (and "
                "their config keys) apply with --network proxy only, and the network is %s: "
                "add --network proxy, or drop them",
                rf_network_mode_to_string(policy->network));
    return NULL;
  }
  if (!rf_net_settings_check(&policy->net, error))
    return NULL;
  rf_net_settings_copy(&plan->net, &policy->net);
  guint n_extra_roots = policy->writable_roots->len + policy->dangerous_roots->len;
  if (policy->mode == RF_SANDBOX_DANGER_FULL_ACCESS && n_extra_roots > 0) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                "writable roots make no sense with sandbox mode danger-full-access (everything "
                "is writable): drop --writable-root or use -s workspace-write");
    return NULL;
  }
  if (!check_pass_fds(policy->pass_fds, error))
    return NULL;

  if (policy->mode == RF_SANDBOX_WORKSPACE_WRITE) {
    g_auto(RootRule) rule = {.homes = rf_home_directories(),
                             .allowed = g_ptr_array_new_with_free_func(g_free),
                             .given = g_ptr_array_new_with_free_func(g_free)};
    for (guint i = 0; i < policy->dangerous_roots->len; i++) {
      char *path = canonical_dir(g_ptr_array_index(policy->dangerous_roots, i), plan->cwd,
                                 "--dangerously-allow-writable-root", "name an existing directory",
                                 error);
      if (!path)
        return NULL;
      g_ptr_array_add(rule.allowed, path);
    }
    /* A permission profile names its writable roots itself: the working directory is one
     * only when it says so (core/config/permissions.c). */
    if (!policy->cwd_not_writable && !add_root(plan, &rule, plan->cwd, "working directory", error))
      return NULL;
    for (guint i = 0; i < policy->writable_roots->len; i++)
      if (!add_root(plan, &rule, g_ptr_array_index(policy->writable_roots, i), "writable root",
                    error))
        return NULL;
    if (!policy->exclude_slash_tmp && g_file_test("/tmp", G_FILE_TEST_IS_DIR))
      if (!add_root(plan, &rule, "/tmp", "/tmp", error))
        return NULL;
    if (!policy->exclude_tmpdir_env_var && policy->tmpdir) {
      /* Relative to what?  Not guessed: it would make some directory writable by accident. */
      if (!g_path_is_absolute(policy->tmpdir)) {
        g_autofree char *shown = rf_quote_path(policy->tmpdir);
        g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                    "$TMPDIR %s is not an absolute path, so which directory it makes writable is "
                    "unclear: set TMPDIR to an absolute directory, or leave it out with -c "
                    "sandbox_workspace_write.exclude_tmpdir_env_var=true",
                    shown);
        return NULL;
      }
      if (!add_root(plan, &rule, policy->tmpdir, "$TMPDIR", error))
        return NULL;
    }
    for (guint i = 0; i < rule.allowed->len; i++)
      if (!add_root(plan, &rule, g_ptr_array_index(rule.allowed, i),
                    "--dangerously-allow-writable-root", error))
        return NULL;
    /* Granted as resolved; refused when a link on the way could be swapped from inside. */
    g_autoptr(GPtrArray) canonical = g_ptr_array_new();
    for (guint i = 0; i < plan->roots->len; i++)
      g_ptr_array_add(canonical, g_array_index(plan->roots, RfPlanRoot, i).path);
    for (guint i = 0; i + 1 < rule.given->len; i += 2)
      if (!rf_root_symlinks_check(g_ptr_array_index(rule.given, i),
                                  g_ptr_array_index(rule.given, i + 1), plan->cwd, canonical,
                                  error))
        return NULL;
  } else if (policy->mode == RF_SANDBOX_READ_ONLY && n_extra_roots > 0) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                "writable roots need sandbox mode workspace-write (the mode is read-only): add "
                "-s workspace-write");
    return NULL;
  }
  g_array_sort(plan->roots, compare_roots);

  /* Protected paths are computed after all roots are known: naming a
   * protected path as a writable root is how a user un-protects it. */
  g_autoptr(GPtrArray) root_paths = g_ptr_array_new();
  for (guint i = 0; i < plan->roots->len; i++)
    g_ptr_array_add(root_paths, g_array_index(plan->roots, RfPlanRoot, i).path);
  g_autoptr(GPtrArray) names = g_ptr_array_new();
  for (guint i = 0; i < policy->protected_names->len; i++) {
    const char *name = g_ptr_array_index(policy->protected_names, i);
    if (!*name || strchr(name, '/') || g_str_equal(name, ".") || g_str_equal(name, "..")) {
      g_autofree char *shown = rf_quote(name, -1);
      g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                  "protected name %s is not a single file name: use names like .git or .envrc "
                  "(no '/', not . or ..)",
                  shown);
      return NULL;
    }
  }
  for (guint i = 0; i < policy->protected_names->len; i++)
    g_ptr_array_add(names, g_ptr_array_index(policy->protected_names, i));
  g_ptr_array_add(names, NULL);
  g_autoptr(RfGitGlobals) globals = rf_git_globals_new();
  for (guint i = 0; i < plan->roots->len; i++) {
    RfPlanRoot *root = &g_array_index(plan->roots, RfPlanRoot, i);
    root->walk = rf_walk_record_new();
    root->protected_paths = rf_protected_paths_for_root(
        root->path, (const char *const *)names->pdata, root_paths, globals, root->walk, error);
    if (!root->protected_paths)
      return NULL;
    g_ptr_array_add(root->protected_paths, NULL);
  }

  /* A protected file with another hard link could be changed through that
   * link: the mounts protect paths, not inodes.  Refuse rather than pretend. */
  for (guint i = 0; i < plan->roots->len; i++) {
    GPtrArray *paths = g_array_index(plan->roots, RfPlanRoot, i).protected_paths;
    for (guint j = 0; j + 1 < paths->len; j++) {
      const char *path = g_ptr_array_index(paths, j);
      struct stat st;
      if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink > 1) {
        g_set_error(error, RF_ERROR, RF_ERROR_UNSUPPORTED,
                    "protected file %s has %lu hard links: a write through another link would "
                    "change it, so it cannot be kept read-only; remove the other links (find %s "
                    "-xdev -samefile %s) or name it as a writable root",
                    path, (unsigned long)st.st_nlink, g_array_index(plan->roots, RfPlanRoot, i).path,
                    path);
        return NULL;
      }
    }
  }

  for (guint i = 0; i < policy->readable_roots->len; i++) {
    char *path = canonical_dir(g_ptr_array_index(policy->readable_roots, i), plan->cwd,
                               "readable root", "create it first, or remove it from the policy",
                               error);
    if (!path)
      return NULL;
    g_ptr_array_add(plan->readable_roots, path);
  }
  g_ptr_array_add(plan->readable_roots, NULL);
  /* Deny-read: patterns expanded once, here (core/policy/deny-read.c); a file with another hard
   * link is refused like a protected one (the mounts and rules hide paths, not inodes). */
  for (guint i = 0; i < policy->deny_read->len; i++) {
    const char *entry = g_ptr_array_index(policy->deny_read, i);
    guint before = plan->deny_read->len;
    if (!rf_deny_read_expand(entry, plan->cwd, policy->deny_read_glob_depth, plan->deny_read,
                             error))
      return NULL;
    if (strpbrk(entry, "*?["))
      rf_deny_read_glob_forms(entry, plan->cwd, plan->deny_read_globs);
    if (strpbrk(entry, "*?["))
      g_ptr_array_add(plan->deny_read_patterns,
                      g_strdup_printf("%s: %u match%s at launch", entry,
                                      plan->deny_read->len - before,
                                      plan->deny_read->len - before == 1 ? "" : "es"));
  }
  if (!rf_deny_read_check_links(plan->deny_read, error))
    return NULL;
  g_ptr_array_add(plan->deny_read, NULL);
  g_ptr_array_add(plan->deny_read_globs, NULL);

  plan->envp = rf_environ_build(policy->envp ? (const char *const *)policy->envp
                                             : (const char *const *)environ);

  /* The view plugins see. */
  plan->view_roots = g_new0(rf_backend_root, plan->roots->len + 1);
  for (guint i = 0; i < plan->roots->len; i++) {
    RfPlanRoot *root = &g_array_index(plan->roots, RfPlanRoot, i);
    plan->view_roots[i] = (rf_backend_root){
        .size = sizeof(rf_backend_root),
        .path = root->path,
        .protected_paths = (const char *const *)root->protected_paths->pdata,
        .n_protected = root->protected_paths->len - 1,
    };
  }
  rf_backend_policy *view = &plan->view;
  view->size = sizeof(*view);
  view->mode = policy->mode;
  view->network = policy->mode == RF_SANDBOX_DANGER_FULL_ACCESS ? RF_NETWORK_ON : policy->network;
  view->read_access = policy->read_access;
  view->flags = (policy->platform_defaults ? RF_POLICY_PLATFORM_DEFAULTS : 0) |
                (policy->windows_private_desktop ? RF_POLICY_WINDOWS_PRIVATE_DESKTOP : 0) |
                (policy->windows_pty ? RF_POLICY_WINDOWS_PTY : 0);
  view->writable_roots = plan->view_roots;
  view->n_writable_roots = plan->roots->len;
  view->readable_roots = (const char *const *)plan->readable_roots->pdata;
  view->n_readable_roots = plan->readable_roots->len - 1;
  view->deny_read = (const char *const *)plan->deny_read->pdata;
  view->n_deny_read = plan->deny_read->len - 1;
  view->deny_read_globs = (const char *const *)plan->deny_read_globs->pdata;
  view->n_deny_read_globs = plan->deny_read_globs->len - 1;
  view->cwd = plan->cwd;
  view->pass_fds = (const int *)plan->pass_fds->data;
  view->n_pass_fds = plan->pass_fds->len;
  view->windows_mode = policy->windows_mode;
  view->run_id = plan->run_id;
  view->proxy_accept_fd = -1; /* the route is made at launch (core/policy/sandbox.c) */
  if (policy->network == RF_NETWORK_OFF && policy->mode != RF_SANDBOX_DANGER_FULL_ACCESS) {
    rf_environ_set(plan->envp, "RINGFENCE_SANDBOX_NETWORK_DISABLED", "1");
    /* The other agent CLI's name for it, which test suites already check to skip network
     * tests: the same value it sets. */
    rf_environ_set(plan->envp, "CODEX_SANDBOX_NETWORK_DISABLED", "1");
  }
  if (policy->mode != RF_SANDBOX_DANGER_FULL_ACCESS)
    rf_environ_drop_wsl_interop(plan->envp);
  view->envp = (const char *const *)plan->envp->pdata;
  view->required = rf_guarantees_required(plan);
  plan->policy_required = view->required;
  return g_steal_pointer(&plan);
}

char **rf_plan_get_dangerous_roots(const RfPlan *plan) {
  GPtrArray *out = g_ptr_array_new();
  for (guint i = 0; i < plan->roots->len; i++) {
    const RfPlanRoot *root = &g_array_index(plan->roots, RfPlanRoot, i);
    if (root->danger)
      g_ptr_array_add(out, g_strdup_printf("%s %s", root->path, root->danger));
  }
  g_ptr_array_add(out, NULL);
  return (char **)g_ptr_array_free(out, FALSE);
}

const rf_backend_policy *rf_plan_get_backend_policy(const RfPlan *plan) {
  return &plan->view;
}

guint64 rf_plan_get_degraded(const RfPlan *plan) {
  return plan->view.degraded;
}

const char *rf_plan_get_platform(const RfPlan *plan) {
  return plan->platform;
}

guint64 rf_plan_get_unavailable(const RfPlan *plan) {
  return plan->unavailable;
}

guint64 rf_plan_get_insisted(const RfPlan *plan) {
  return plan->insisted;
}
