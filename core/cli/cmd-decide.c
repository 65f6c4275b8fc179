/* cmd-decide.c: `ringfence decide`: may this command run now, must a person approve it, or is
 * it refused?  Prints the decision and the reason (text or JSON); runs nothing. */
#include "cli.h"

#include <stdio.h>

static void append_json_strv(GString *out, const char *const *strv) {
  g_string_append_c(out, '[');
  for (guint i = 0; strv && strv[i]; i++) {
    if (i)
      g_string_append_c(out, ',');
    rf_json_append_string(out, strv[i]);
  }
  g_string_append_c(out, ']');
}

static void append_json_or_null(GString *out, const char *s) {
  if (s)
    rf_json_append_string(out, s);
  else
    g_string_append(out, "null");
}

static void print_json(const RfApprovalRequest *request, const RfApprovalResult *result) {
  g_autoptr(GString) out = g_string_new("{\"decision\":");
  g_autofree char *policy = rf_approval_policy_describe(request->policy);
  rf_json_append_string(out, rf_decision_to_string(result->decision));
  g_string_append(out, ",\"reason\":");
  rf_json_append_string(out, result->reason);
  g_string_append(out, ",\"category\":");
  append_json_or_null(out, result->category);
  g_string_append_printf(out, ",\"sandboxed\":%s", result->sandboxed ? "true" : "false");
  g_string_append(out, ",\"request\":");
  rf_json_append_string(out, rf_request_kind_to_string(request->kind));
  g_string_append(out, ",\"approval_policy\":");
  rf_json_append_string(out, rf_approval_mode_to_string(request->policy->mode));
  g_string_append(out, ",\"approval_policy_detail\":");
  rf_json_append_string(out, policy);
  g_string_append(out, ",\"command\":");
  append_json_strv(out, request->argv);
  g_string_append(out, ",\"matched_rules\":[");
  for (guint i = 0; i < result->matched_rules->len; i++) {
    const RfRuleMatch *m = g_ptr_array_index(result->matched_rules, i);
    g_string_append(out, i ? ",{\"source\":" : "{\"source\":");
    rf_json_append_string(out, m->source);
    g_string_append(out, ",\"prefix\":");
    append_json_strv(out, (const char *const *)m->prefix);
    g_string_append(out, ",\"decision\":");
    rf_json_append_string(out, rf_decision_to_string(m->decision));
    g_string_append(out, ",\"justification\":");
    append_json_or_null(out, m->justification);
    g_string_append(out, ",\"resolved_program\":");
    append_json_or_null(out, m->resolved_program);
    g_string_append_c(out, '}');
  }
  g_string_append(out, "]}\n");
  fputs(out->str, stdout);
}

static void print_text(const RfApprovalRequest *request, const RfApprovalResult *result) {
  g_autofree char *policy = rf_approval_policy_describe(request->policy);
  printf("%s\n", rf_decision_to_string(result->decision));
  printf("reason: %s\n", result->reason);
  printf("approval policy: %s\n", policy);
  if (result->category)
    printf("prompt category: %s\n", result->category);
  if (result->decision == RF_DECISION_ALLOW)
    printf("sandboxed: %s\n", result->sandboxed ? "yes" : "no (escalation)");
  for (guint i = 0; i < result->matched_rules->len; i++) {
    const RfRuleMatch *m = g_ptr_array_index(result->matched_rules, i);
    g_autofree char *prefix = rf_cli_command_text((const char *const *)m->prefix);
    printf("matched rule: %s %s `%s`%s%s%s%s\n", m->source, rf_decision_to_string(m->decision),
           prefix, m->resolved_program ? " via " : "",
           m->resolved_program ? m->resolved_program : "", m->justification ? ": " : "",
           m->justification ? m->justification : "");
  }
}

int rf_cli_decide(int argc, char **argv) {
  RfCliOptions options = {0};
  char *request_text = NULL;
  GOptionEntry entries[] = {
      {"request", 0, 0, G_OPTION_ARG_STRING, &request_text,
       "What is asked: run (default), escalation, rule, mcp-elicitation, permission or "
       "skill-script",
       "KIND"},
      {"json", 0, 0, G_OPTION_ARG_NONE, &options.json, "Print JSON for programs", NULL},
      {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  g_autoptr(GOptionContext) context = g_option_context_new("[--] COMMAND [ARG]...");
  g_option_context_set_summary(
      context,
      "Decides whether COMMAND may run without asking (allow), needs a person's approval "
      "(prompt),\nis refused because the approval policy does not ask (reject), or is "
      "forbidden by a rule\n(forbidden); prints the decision and the reason.  Runs nothing.\n\n"
      "Exit status: 0 when a decision was made, whichever it is; 125 on bad input.");
  g_option_context_add_main_entries(context, entries, NULL);
  rf_cli_add_config_options(context, &options);
  int status = 125;
  g_autoptr(GError) error = NULL;
  g_autoptr(RfConfig) config = NULL;
  g_autoptr(RfRules) rules = NULL;
  g_auto(RfApprovalResult) result = {0};
  RfApprovalPolicy policy;
  gboolean policy_set;
  RfApprovalRequest request = {.kind = RF_REQUEST_RUN};
  char *cwd = NULL;

  if (!rf_cli_parse(context, "decide", &argc, &argv))
    goto out;
  if (request_text && !rf_request_kind_from_string(request_text, &request.kind, &error)) {
    fprintf(stderr, "ringfence decide: --request: %s\n", error->message);
    goto out;
  }
  char **command = rf_cli_command(argc, argv);
  if (!command[0] && request.kind != RF_REQUEST_MCP_ELICITATION &&
      request.kind != RF_REQUEST_PERMISSION) {
    fprintf(stderr, "ringfence decide: no command given (usage: ringfence decide [OPTION]... -- "
                    "COMMAND [ARG]...)\n");
    goto out;
  }
  config = rf_cli_load_config(&options, &error);
  if (!config || !rf_cli_load_approvals(config, &policy, &policy_set, &rules, &error)) {
    rf_cli_error(error->message);
    goto out;
  }
  /* A command runs in a working directory: with none, run refuses, and decide says so too
   * rather than approve a command that cannot start. */
  if (request.kind == RF_REQUEST_RUN || request.kind == RF_REQUEST_ESCALATION) {
    cwd = rf_get_current_dir(&error);
    if (!cwd) {
      rf_cli_error(error->message);
      goto out;
    }
  }
  request.cwd = cwd; /* ./git and bin/git are matched as the git they are */
  request.argv = (const char *const *)command;
  request.policy = &policy;
  request.rules = rules;
  if (!rf_approval_decide(&request, &result, &error)) {
    rf_cli_error(error->message);
    goto out;
  }
  if (options.json)
    print_json(&request, &result);
  else
    print_text(&request, &result);
  status = 0;
out:
  g_free(cwd);
  g_free(request_text);
  rf_cli_options_clear(&options);
  return status;
}
