/* policy.c: RfPolicy, the user's description of a sandbox, and its setters; resolution lives in resolve.c. */
#include "policy-layout.h"
#include "util/current-dir.h"
#include "util/quote.h"
#include <ringfence/ringfence.h>

#include <stdlib.h>

static const char *const default_protected_names[] = {
    ".git", ".agents", ".codex", ".ringfence", ".envrc", ".mcp.json", ".vscode", ".idea", ".aws", NULL,
};

const char *const *rf_policy_default_protected_names(void) {
  return default_protected_names;
}

static GPtrArray *strv_to_array(const char *const *strv) {
  GPtrArray *array = g_ptr_array_new_with_free_func(g_free);
  for (; strv && *strv; strv++)
    g_ptr_array_add(array, g_strdup(*strv));
  return array;
}

RfPolicy *rf_policy_new(void) {
  RfPolicy *policy = g_new0(RfPolicy, 1);
  policy->mode = RF_SANDBOX_READ_ONLY;
  policy->network = RF_NETWORK_OFF;
  policy->cwd = rf_current_dir(&policy->cwd_problem);
  policy->writable_roots = g_ptr_array_new_with_free_func(g_free);
  policy->dangerous_roots = g_ptr_array_new_with_free_func(g_free);
  const char *tmpdir = g_getenv("TMPDIR");
  policy->tmpdir = (tmpdir && *tmpdir) ? g_strdup(tmpdir) : NULL;
  policy->protected_names = strv_to_array(default_protected_names);
  policy->read_access = RF_READ_FULL;
  policy->readable_roots = g_ptr_array_new_with_free_func(g_free);
  policy->deny_read = g_ptr_array_new_with_free_func(g_free);
  policy->pass_fds = g_array_new(FALSE, FALSE, sizeof(int));
  policy->windows_mode = RF_WINDOWS_UNELEVATED;
  policy->windows_private_desktop = TRUE;
  rf_net_settings_init(&policy->net);
  return policy;
}

void rf_policy_free(RfPolicy *policy) {
  if (!policy)
    return;
  g_free(policy->cwd);
  g_free(policy->cwd_problem);
  g_ptr_array_unref(policy->writable_roots);
  g_ptr_array_unref(policy->dangerous_roots);
  g_free(policy->tmpdir);
  g_ptr_array_unref(policy->protected_names);
  g_ptr_array_unref(policy->readable_roots);
  g_ptr_array_unref(policy->deny_read);
  g_array_unref(policy->pass_fds);
  g_strfreev(policy->envp);
  rf_net_settings_clear(&policy->net);
  g_free(policy);
}

static const char *const mode_names[] = {"read-only", "workspace-write", "danger-full-access"};
static const char *const network_names[] = {"off", "on", "proxy"};

gboolean rf_sandbox_mode_from_string(const char *text, rf_sandbox_mode *mode, GError **error) {
  for (guint i = 0; i < G_N_ELEMENTS(mode_names); i++) {
    if (g_strcmp0(text, mode_names[i]) == 0) {
      *mode = (rf_sandbox_mode)i;
      return TRUE;
    }
  }
  g_autofree char *shown = rf_quote(text, -1);
  g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
              "unknown sandbox mode %s: use read-only, workspace-write or danger-full-access",
              shown);
  return FALSE;
}

const char *rf_sandbox_mode_to_string(rf_sandbox_mode mode) {
  return (guint)mode < G_N_ELEMENTS(mode_names) ? mode_names[mode] : "?";
}

gboolean rf_network_mode_from_string(const char *text, rf_network_mode *mode, GError **error) {
  for (guint i = 0; i < G_N_ELEMENTS(network_names); i++) {
    if (g_strcmp0(text, network_names[i]) == 0) {
      *mode = (rf_network_mode)i;
      return TRUE;
    }
  }
  g_autofree char *shown = rf_quote(text, -1);
  g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "unknown network mode %s: use off or on", shown);
  return FALSE;
}

const char *rf_network_mode_to_string(rf_network_mode mode) {
  return (guint)mode < G_N_ELEMENTS(network_names) ? network_names[mode] : "?";
}

void rf_policy_set_mode(RfPolicy *policy, rf_sandbox_mode mode) {
  policy->mode = mode;
}

rf_sandbox_mode rf_policy_get_mode(const RfPolicy *policy) {
  return policy->mode;
}

void rf_policy_set_network(RfPolicy *policy, rf_network_mode network) {
  policy->network = network;
}

void rf_policy_set_cwd(RfPolicy *policy, const char *dir) {
  g_clear_pointer(&policy->cwd, g_free);
  g_clear_pointer(&policy->cwd_problem, g_free);
  policy->cwd_given = TRUE;
  g_autofree char *shown = rf_quote_path(dir ? dir : "");
  if (!dir || !*dir) {
    policy->cwd_problem =
        g_strdup("-C/--cd '' names no directory: give the directory to run in (-C DIR)");
    return;
  }
  if (g_path_is_absolute(dir)) {
    policy->cwd = g_strdup(dir);
    return;
  }
  g_autofree char *problem = NULL;
  g_autofree char *here = rf_current_dir(&problem);
  if (!here) {
    policy->cwd_problem = g_strdup_printf(
        "-C/--cd %s is a relative path, and the working directory it would start from no longer "
        "exists or cannot be determined: give an absolute path",
        shown);
    return;
  }
  policy->cwd = g_build_filename(here, dir, NULL);
}

void rf_policy_add_writable_root(RfPolicy *policy, const char *dir) {
  g_ptr_array_add(policy->writable_roots, g_strdup(dir));
}

void rf_policy_add_dangerous_writable_root(RfPolicy *policy, const char *dir) {
  g_ptr_array_add(policy->dangerous_roots, g_strdup(dir));
}

void rf_policy_set_exclude_slash_tmp(RfPolicy *policy, gboolean exclude) {
  policy->exclude_slash_tmp = exclude;
}

void rf_policy_set_exclude_tmpdir_env_var(RfPolicy *policy, gboolean exclude) {
  policy->exclude_tmpdir_env_var = exclude;
}

void rf_policy_set_tmpdir(RfPolicy *policy, const char *tmpdir) {
  g_free(policy->tmpdir);
  policy->tmpdir = (tmpdir && *tmpdir) ? g_strdup(tmpdir) : NULL;
}

void rf_policy_set_protected_names(RfPolicy *policy, const char *const *names) {
  g_ptr_array_unref(policy->protected_names);
  policy->protected_names = strv_to_array(names);
}

void rf_policy_set_read_access(RfPolicy *policy, rf_read_access access) {
  policy->read_access = access;
}

void rf_policy_add_readable_root(RfPolicy *policy, const char *dir) {
  g_ptr_array_add(policy->readable_roots, g_strdup(dir));
}

void rf_policy_set_platform_defaults(RfPolicy *policy, gboolean include) {
  policy->platform_defaults = include;
}

void rf_policy_add_deny_read(RfPolicy *policy, const char *path) {
  g_ptr_array_add(policy->deny_read, g_strdup(path));
}

void rf_policy_set_deny_read_glob_depth(RfPolicy *policy, guint depth) {
  policy->deny_read_glob_depth = depth;
}

void rf_policy_set_cwd_writable(RfPolicy *policy, gboolean writable) {
  policy->cwd_not_writable = !writable;
}

void rf_policy_set_allow_degraded(RfPolicy *policy, gboolean allow) {
  policy->allow_degraded = allow;
}

void rf_policy_add_required(RfPolicy *policy, guint64 guarantees) {
  policy->insisted |= guarantees;
}

void rf_policy_add_pass_fd(RfPolicy *policy, int fd) {
  g_array_append_val(policy->pass_fds, fd);
}

void rf_policy_set_environ(RfPolicy *policy, const char *const *envp) {
  g_strfreev(policy->envp);
  policy->envp = envp ? g_strdupv((char **)envp) : NULL;
}

void rf_policy_set_windows_mode(RfPolicy *policy, rf_windows_mode mode) {
  policy->windows_mode = mode;
}

void rf_policy_set_windows_private_desktop(RfPolicy *policy, gboolean private_desktop) {
  policy->windows_private_desktop = private_desktop;
}

void rf_policy_set_windows_pty(RfPolicy *policy, gboolean pty) {
  policy->windows_pty = pty;
}

/* ---- --network proxy ---------------------------------------------------------------- */

void rf_policy_add_allowed_domain(RfPolicy *policy, const char *pattern) {
  g_ptr_array_add(policy->net.allow, g_strdup(pattern));
}

void rf_policy_add_denied_domain(RfPolicy *policy, const char *pattern) {
  g_ptr_array_add(policy->net.deny, g_strdup(pattern));
}

void rf_policy_add_proxy_resolve(RfPolicy *policy, const char *host_addr) {
  g_ptr_array_add(policy->net.resolve, g_strdup(host_addr));
}

void rf_policy_set_upstream_proxy(RfPolicy *policy, const char *url) {
  g_free(policy->net.upstream);
  policy->net.upstream = g_strdup(url);
}

void rf_policy_set_network_log(RfPolicy *policy, const char *file) {
  g_free(policy->net.log_file);
  policy->net.log_file = g_strdup(file);
}

void rf_policy_set_proxy_limited(RfPolicy *policy, gboolean limited) {
  policy->net.limited = limited;
}

void rf_policy_set_allow_local_binding(RfPolicy *policy, gboolean allow) {
  policy->net.allow_local_binding = allow;
}
