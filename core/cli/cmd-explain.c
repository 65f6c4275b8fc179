/* cmd-explain.c: `ringfence explain`: the resolved policy, the guarantees and the backend's
 * rendering. */
#include "cli.h"

#include <stdio.h>

/* The private desktop is a Windows setting: with sandbox_private_desktop = false the backend
 * still could, but this run does not keep the command off the user's desktop. */
static gboolean desktop_off(const RfPlan *plan, guint64 bit) {
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  const char *platform = rf_plan_get_platform(plan);
  return bit == RF_CAP_PRIVATE_DESKTOP && !(view->required & bit) && platform &&
         g_str_equal(platform, "windows") && !(view->flags & RF_POLICY_WINDOWS_PRIVATE_DESKTOP);
}

static void append_guarantees_text(GString *out, const RfPlan *plan, const RfBackend *backend) {
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  guint64 caps = backend ? rf_backend_get_capabilities(backend) : 0;
  guint64 unavailable = rf_plan_get_unavailable(plan);
  const char *platform = rf_plan_get_platform(plan);
  g_autofree char *not_available =
      g_strdup_printf("not available on %s", rf_platform_display_name(platform));
  if (platform)
    g_string_append_printf(out, "platform: %s (backend %s)\n", rf_platform_display_name(platform),
                           rf_backend_get_name(backend));
  g_string_append(out, "guarantees:\n");
  for (guint bit = 0; bit < RF_CAP_COUNT; bit++) {
    guint64 b = 1ull << bit;
    const char *state;
    if (view->required & b)
      state = (caps & b)             ? "enforced"
              : (view->degraded & b) ? "NOT ENFORCED (degraded)"
                                     : "NOT ENFORCED";
    else if (unavailable & b)
      state = not_available;
    else if (desktop_off(plan, b))
      state = "off (sandbox_private_desktop = false)";
    else if (caps & b)
      state = "enforced (not required)";
    else
      continue;
    g_string_append_printf(out, "  %-22s %-24s %s\n", rf_guarantee_name(b), state,
                           rf_guarantee_help(b));
    if (unavailable & b)
      g_string_append_printf(out, "  %-22s %-24s what it means: %s\n", "", "",
                             rf_platform_absence_meaning(platform, b));
  }
  if (unavailable)
    g_string_append_printf(out,
                           "  (no backend of ours can enforce what is %s, so a run is not "
                           "refused for it; --require NAME or ringfence.require insists)\n",
                           not_available);
}

/* The guarantees as JSON members of one object: required, enforced, available (on the
 * backend's platform) and, where not, what that means. */
static void append_guarantees_json(GString *out, const RfPlan *plan, const RfBackend *backend) {
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  guint64 caps = backend ? rf_backend_get_capabilities(backend) : 0;
  guint64 unavailable = rf_plan_get_unavailable(plan);
  guint64 insisted = rf_plan_get_insisted(plan);
  const char *platform = rf_plan_get_platform(plan);
  g_string_append(out, ",\"platform\":");
  if (platform)
    rf_json_append_string(out, platform);
  else
    g_string_append(out, "null");
  g_string_append(out, ",\"guarantees\":{");
  gboolean first = TRUE;
  for (guint bit = 0; bit < RF_CAP_COUNT; bit++) {
    guint64 b = 1ull << bit;
    if (!(view->required & b) && !(caps & b) && !(unavailable & b))
      continue;
    g_string_append(out, first ? "" : ",");
    rf_json_append_string(out, rf_guarantee_name(b));
    g_string_append_printf(out, ":{\"required\":%s,\"enforced\":%s,\"available\":%s",
                           (view->required & b) ? "true" : "false", (caps & b) && !desktop_off(plan, b) ? "true" : "false",
                           (rf_platform_unavailable(platform) & b) ? "false" : "true");
    if (insisted & b)
      g_string_append(out, ",\"insisted\":true");
    if (desktop_off(plan, b))
      g_string_append(out, ",\"off\":\"sandbox_private_desktop = false\"");
    if (unavailable & b) {
      g_string_append(out, ",\"not_available_means\":");
      rf_json_append_string(out, rf_platform_absence_meaning(platform, b));
    }
    g_string_append(out, "}");
    first = FALSE;
  }
  g_string_append(out, "}");
}

int rf_cli_explain(int argc, char **argv) {
  RfCliOptions options = {0};
  GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &options.json, "Print JSON for programs", NULL},
      {"pass-fd", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.pass_fds,
       "Descriptor the command would inherit (repeatable)", "N"},
      {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  g_autoptr(GOptionContext) context = g_option_context_new("[--] PROGRAM [ARG]...");
  g_option_context_set_summary(context,
                               "Prints the resolved policy, the guarantees in force and exactly "
                               "what the backend would run,\nwithout running anything.");
  rf_cli_add_policy_options(context, &options);
  g_option_context_add_main_entries(context, entries, NULL);
  rf_cli_add_config_options(context, &options);
  int status = 125;
  g_autoptr(RfLoader) loader = NULL;
  g_autoptr(RfPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sections = NULL;
  g_autoptr(RfPolicy) policy = NULL;
  g_autoptr(RfConfig) config = NULL;
  g_autoptr(RfRules) rules = NULL;
  g_auto(RfApprovalResult) approval = {0};
  g_autoptr(GString) out = g_string_new(NULL);
  RfApprovalPolicy approval_policy;
  gboolean approval_set = FALSE;
  RfBackend *backend = NULL;
  if (!rf_cli_parse(context, "explain", &argc, &argv))
    goto out;
  char **command = rf_cli_command(argc, argv);
  const char *const default_command[] = {"PROGRAM", NULL};
  const char *const *cmd = command[0] ? (const char *const *)command : default_command;

  /* explain works for a backend that cannot run here (e.g. seatbelt on
   * Linux): render is pure.  So select by name without probing. */
  config = rf_cli_load_config(&options, &error);
  if (!config || !rf_cli_load_approvals(config, &approval_policy, &approval_set, &rules, &error)) {
    rf_cli_error(error->message);
    goto out;
  }
  /* What run would decide about this command (only when approvals are configured). */
  if (command[0] && (approval_set || rules)) {
    g_autofree char *here = g_get_current_dir();
    g_autofree char *cwd = options.cd ? g_canonicalize_filename(options.cd, here) : NULL;
    RfApprovalRequest request = {.kind = RF_REQUEST_RUN,
                                 .argv = (const char *const *)command,
                                 .policy = &approval_policy,
                                 .rules = rules,
                                 .cwd = cwd};
    if (!rf_approval_decide(&request, &approval, &error)) {
      rf_cli_error(error->message);
      goto out;
    }
  }
  policy = rf_cli_build_policy(&options, config, &error);
  if (!policy || !(plan = rf_policy_resolve(policy, &error))) {
    rf_cli_error(error->message);
    goto out;
  }
  if (rf_policy_get_mode(policy) != RF_SANDBOX_DANGER_FULL_ACCESS) {
    const char *name = rf_config_get_backend(config);
    if (g_str_equal(name, "auto")) {
      backend = rf_cli_select_backend(&loader, config, plan, options.json, &error);
    } else {
      loader = rf_cli_new_loader(config, plan, &error);
      backend = loader ? rf_loader_get(loader, name) : NULL;
      if (loader && !backend)
        backend = rf_loader_select(loader, name, plan, NULL, &error); /* for its error */
    }
    if (!backend) {
      rf_cli_error(error->message);
      goto out;
    }
    if (!rf_plan_check_backend(plan, backend, &error)) {
      /* Still explain, and say it would be refused. */
      g_prefix_error(&error, "run would refuse: ");
    }
    if (!rf_backend_render(backend, plan, cmd, &sections, error ? NULL : &error) && !sections) {
      if (error) {
        rf_cli_error(error->message);
        goto out;
      }
    }
  }
  if (options.json) {
    g_string_append(out, "{");
    rf_plan_describe_json(plan, out);
    g_string_append(out, ",\"config\":{");
    rf_config_describe_json(config, out);
    g_string_append(out, "},\"approval\":");
    if (approval.reason) {
      g_string_append(out, "{\"decision\":");
      rf_json_append_string(out, rf_decision_to_string(approval.decision));
      g_string_append(out, ",\"reason\":");
      rf_json_append_string(out, approval.reason);
      g_string_append(out, "}");
    } else {
      g_string_append(out, "null");
    }
    g_string_append(out, ",\"backend\":");
    if (backend)
      rf_json_append_string(out, rf_backend_get_name(backend));
    else
      g_string_append(out, "null");
    append_guarantees_json(out, plan, backend);
    g_string_append(out, ",\"refused\":");
    if (error)
      rf_json_append_string(out, error->message);
    else
      g_string_append(out, "null");
    g_string_append(out, ",\"render\":{");
    for (guint i = 0; sections && i < sections->len; i++) {
      GPtrArray *section = g_ptr_array_index(sections, i);
      g_string_append(out, i ? "," : "");
      rf_json_append_string(out, g_ptr_array_index(section, 0));
      g_string_append(out, ":[");
      for (guint j = 1; j < section->len; j++) {
        g_string_append(out, j > 1 ? "," : "");
        rf_json_append_string(out, g_ptr_array_index(section, j));
      }
      g_string_append(out, "]");
    }
    g_string_append(out, "}}\n");
  } else {
    rf_config_describe(config, out);
    if (approval.reason)
      g_string_append_printf(out, "approval for run: %s (%s)\n",
                             rf_decision_to_string(approval.decision), approval.reason);
    else if (!approval_set && !rules)
      g_string_append(out, "approval for run: not consulted (no approval_policy, -a or rules)\n");
    rf_plan_describe(plan, out);
    if (backend) {
      g_string_append_printf(out, "backend: %s (%s)\n", rf_backend_get_name(backend),
                             rf_backend_get_path(backend));
      append_guarantees_text(out, plan, backend);
    }
    if (error)
      g_string_append_printf(out, "%s\n", error->message);
    for (guint i = 0; sections && i < sections->len; i++) {
      GPtrArray *section = g_ptr_array_index(sections, i);
      g_string_append_printf(out, "%s:\n", (char *)g_ptr_array_index(section, 0));
      for (guint j = 1; j < section->len; j++)
        g_string_append_printf(out, "  %s\n", (char *)g_ptr_array_index(section, j));
    }
  }
  fputs(out->str, stdout);
  status = error ? 125 : 0;
out:
  rf_cli_options_clear(&options);
  return status;
}
