/* shell-environment.c: the command's environment under shell_environment_policy, built as the
 * other agent CLI builds it: inherit, default excludes, exclude, set, include_only. */
#include "shell-environment.h"
#include "policy/environ.h"

#include <string.h>

/* What inherit = "core" keeps (the other CLI's list on Linux and macOS). */
static const char *const core_names[] = {"HOME",   "LANG", "LC_ALL", "LC_CTYPE", "LOGNAME", "PATH",
                                         "SHELL",  "TEMP", "TMP",    "TMPDIR",   "USER",    NULL};

/* Names with a key, secret or token in them, unless ignore_default_excludes. */
static const char *const default_excludes[] = {"*KEY*", "*SECRET*", "*TOKEN*", NULL};

/* Does |name| match one of |patterns|: * and ? wildcards, case-insensitively? */
static gboolean matches_any(const char *name, const char *const *patterns) {
  g_autofree char *upper = g_ascii_strup(name, -1);
  for (; patterns && *patterns; patterns++) {
    g_autofree char *pattern = g_ascii_strup(*patterns, -1);
    if (g_pattern_match_simple(pattern, upper))
      return TRUE;
  }
  return FALSE;
}

static char *name_of(const char *entry) {
  const char *eq = strchr(entry, '=');
  return g_strndup(entry, eq ? (gsize)(eq - entry) : strlen(entry));
}

char **rf_shell_environment(const char *const *base, const char *inherit,
                            gboolean ignore_default_excludes, const char *const *exclude,
                            const char *const *set, const char *const *include_only) {
  g_autoptr(GPtrArray) env = rf_environ_build(NULL);
  for (; base && *base; base++) {
    if (!strchr(*base, '='))
      continue;
    g_autofree char *name = name_of(*base);
    if (g_str_equal(inherit, "none") ||
        (g_str_equal(inherit, "core") && !g_strv_contains(core_names, name)))
      continue;
    if (!ignore_default_excludes && matches_any(name, default_excludes))
      continue;
    if (matches_any(name, exclude))
      continue;
    rf_environ_set(env, name, strchr(*base, '=') + 1);
  }
  for (; set && *set; set++) {
    g_autofree char *name = name_of(*set);
    const char *eq = strchr(*set, '=');
    rf_environ_set(env, name, eq ? eq + 1 : "");
  }
  g_autoptr(GStrvBuilder) out = g_strv_builder_new();
  for (guint i = 0; i + 1 < env->len; i++) {
    const char *entry = g_ptr_array_index(env, i);
    g_autofree char *name = name_of(entry);
    if (include_only && include_only[0] && !matches_any(name, include_only))
      continue;
    g_strv_builder_add(out, entry);
  }
  return g_strv_builder_end(out);
}
