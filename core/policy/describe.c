/* describe.c: the resolved plan in words (explain) and as JSON members (explain --json). */
#include "plan-layout.h"
#include <ringfence/ringfence.h>

#include <sys/stat.h>

static const char *exists_word(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0 ? "exists" : "absent, may not be created";
}

void rf_plan_describe(const RfPlan *plan, GString *out) {
  const rf_backend_policy *view = &plan->view;
  g_string_append_printf(out, "sandbox mode: %s\n", rf_sandbox_mode_to_string(view->mode));
  g_string_append_printf(out, "working directory: %s\n", view->cwd);
  if (view->mode == RF_SANDBOX_DANGER_FULL_ACCESS) {
    g_string_append(out, "confinement: none (danger-full-access: the command runs unsandboxed)\n");
    return;
  }
  if (view->n_writable_roots == 0)
    g_string_append(out, "writable roots: none (everything is read-only)\n");
  else
    g_string_append(out, "writable roots:\n");
  for (guint i = 0; i < plan->roots->len; i++) {
    const RfPlanRoot *root = &g_array_index(plan->roots, RfPlanRoot, i);
    g_string_append_printf(out, "  %s  (%s)\n", root->path, root->origin);
    if (root->danger)
      g_string_append_printf(out,
                             "    DANGEROUS: %s %s; writable only because "
                             "--dangerously-allow-writable-root names it\n",
                             root->path, root->danger);
    for (guint j = 0; j + 1 < root->protected_paths->len; j++) {
      const char *path = g_ptr_array_index(root->protected_paths, j);
      g_string_append_printf(out, "    read-only: %s (%s)\n", path, exists_word(path));
    }
  }
  g_string_append_printf(out, "network: %s\n", rf_network_mode_to_string(view->network));
  g_string_append_printf(out, "reads: %s\n",
                         view->read_access == RF_READ_FULL ? "full"
                         : (view->flags & RF_POLICY_PLATFORM_DEFAULTS)
                             ? "restricted (readable roots, writable roots and the platform "
                               "defaults programs need to start)"
                             : "restricted (readable and writable roots only, no platform "
                               "defaults)");
  for (size_t i = 0; i < view->n_readable_roots; i++)
    g_string_append_printf(out, "  readable: %s\n", view->readable_roots[i]);
  for (size_t i = 0; i < view->n_deny_read; i++)
    g_string_append_printf(out, "  unreadable: %s\n", view->deny_read[i]);
  for (guint i = 0; i < plan->deny_read_patterns->len; i++)
    g_string_append_printf(out,
                           "  unreadable pattern %s (expanded once: files created later are not "
                           "covered)\n",
                           (char *)g_ptr_array_index(plan->deny_read_patterns, i));
  for (size_t i = 0; i < view->n_pass_fds; i++)
    g_string_append_printf(out, "passed descriptor: %d\n", view->pass_fds[i]);
}

static void json_string(GString *out, const char *s) {
  g_string_append_c(out, '"');
  for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
    switch (*p) {
    case '"':
      g_string_append(out, "\\\"");
      break;
    case '\\':
      g_string_append(out, "\\\\");
      break;
    case '\n':
      g_string_append(out, "\\n");
      break;
    case '\t':
      g_string_append(out, "\\t");
      break;
    default:
      if (*p < 0x20)
        g_string_append_printf(out, "\\u%04x", *p);
      else
        g_string_append_c(out, (char)*p);
    }
  }
  g_string_append_c(out, '"');
}

void rf_json_append_string(GString *out, const char *s) {
  json_string(out, s);
}

void rf_plan_describe_json(const RfPlan *plan, GString *out) {
  const rf_backend_policy *view = &plan->view;
  g_string_append(out, "\"sandbox_mode\":");
  json_string(out, rf_sandbox_mode_to_string(view->mode));
  g_string_append(out, ",\"cwd\":");
  json_string(out, view->cwd);
  g_string_append(out, ",\"writable_roots\":[");
  for (guint i = 0; i < plan->roots->len; i++) {
    const RfPlanRoot *root = &g_array_index(plan->roots, RfPlanRoot, i);
    g_string_append(out, i ? ",{\"path\":" : "{\"path\":");
    json_string(out, root->path);
    g_string_append(out, ",\"origin\":");
    json_string(out, root->origin);
    g_string_append(out, ",\"dangerous\":");
    if (root->danger)
      json_string(out, root->danger);
    else
      g_string_append(out, "null");
    g_string_append(out, ",\"read_only\":[");
    for (guint j = 0; j + 1 < root->protected_paths->len; j++) {
      if (j)
        g_string_append_c(out, ',');
      json_string(out, g_ptr_array_index(root->protected_paths, j));
    }
    g_string_append(out, "]}");
  }
  g_string_append(out, "],\"network\":");
  json_string(out, rf_network_mode_to_string(view->network));
  g_string_append(out, ",\"reads\":");
  json_string(out, view->read_access == RF_READ_FULL ? "full" : "restricted");
  g_string_append(out, ",\"platform_defaults\":");
  g_string_append(out, view->read_access == RF_READ_RESTRICTED &&
                               (view->flags & RF_POLICY_PLATFORM_DEFAULTS)
                           ? "true"
                           : "false");
  g_string_append(out, ",\"readable_roots\":[");
  for (size_t i = 0; i < view->n_readable_roots; i++) {
    if (i)
      g_string_append_c(out, ',');
    json_string(out, view->readable_roots[i]);
  }
  g_string_append(out, "],\"deny_read\":[");
  for (size_t i = 0; i < view->n_deny_read; i++) {
    if (i)
      g_string_append_c(out, ',');
    json_string(out, view->deny_read[i]);
  }
  g_string_append(out, "],\"deny_read_patterns\":[");
  for (guint i = 0; i < plan->deny_read_patterns->len; i++) {
    if (i)
      g_string_append_c(out, ',');
    json_string(out, g_ptr_array_index(plan->deny_read_patterns, i));
  }
  g_string_append(out, "]");
  g_string_append(out, ",\"required_guarantees\":[");
  gboolean first = TRUE;
  for (guint bit = 0; bit < RF_CAP_COUNT; bit++) {
    if (view->required & (1ull << bit)) {
      if (!first)
        g_string_append_c(out, ',');
      json_string(out, rf_guarantee_name(1ull << bit));
      first = FALSE;
    }
  }
  g_string_append(out, "]");
}
