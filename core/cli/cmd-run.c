/* cmd-run.c: `ringfence run`: resolve, select, launch, supervise, and exit with the command's
 * status. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* TRUE when |command| may start: allowed, or a prompt the person at the terminal approved.
 * Otherwise says why on stderr. */
static gboolean approve(char **command, const RfApprovalPolicy *policy, const RfRules *rules) {
  g_autoptr(GError) error = NULL;
  g_auto(RfApprovalResult) result = {0};
  RfApprovalRequest request = {.kind = RF_REQUEST_RUN,
                               .argv = (const char *const *)command,
                               .policy = policy,
                               .rules = rules};
  if (!rf_approval_decide(&request, &result, &error)) {
    rf_cli_error(error->message);
    return FALSE;
  }
  /* Bounded: the reason quotes the command, which may be megabytes. */
  g_autofree char *reason = rf_cli_printable_line(result.reason);
  switch (result.decision) {
  case RF_DECISION_ALLOW:
    return TRUE;
  case RF_DECISION_PROMPT:
    return rf_cli_ask_approval(request.argv, &result);
  case RF_DECISION_REJECT:
    fprintf(stderr, "ringfence: not run (rejected): %s\n", reason);
    return FALSE;
  case RF_DECISION_FORBIDDEN:
  default:
    fprintf(stderr, "ringfence: not run (forbidden): %s\n", reason);
    return FALSE;
  }
}

int rf_cli_run(int argc, char **argv) {
  RfCliOptions options = {0};
  char *timeout_text = NULL;
  GOptionEntry entries[] = {
      {"timeout", 0, 0, G_OPTION_ARG_STRING, &timeout_text,
       "Kill the whole sandbox after SECONDS and exit 124", "SECONDS"},
      {"pass-fd", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.pass_fds,
       "Let the command inherit descriptor N (repeatable; 0-2 always are)", "N"},
      {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  g_autoptr(GOptionContext) context = g_option_context_new("[--] PROGRAM [ARG]...");
  g_option_context_set_summary(
      context, "Runs PROGRAM confined by the policy.\n\nExit status: PROGRAM's own; 128+N when "
               "signal N ended it; 124 after --timeout;\n125 when ringfence failed before "
               "PROGRAM started; 126 not executable; 127 not found.");
  rf_cli_add_policy_options(context, &options);
  g_option_context_add_main_entries(context, entries, NULL);
  rf_cli_add_config_options(context, &options);
  int status = 125;
  g_autoptr(RfLoader) loader = NULL;
  g_autoptr(RfPlan) plan = NULL;
  g_autoptr(RfSandbox) sandbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RfConfig) config = NULL;
  g_autoptr(RfRules) rules = NULL;
  RfApprovalPolicy approval;
  gboolean approval_set = FALSE;
  RfBackend *backend = NULL;
  RfWaitOptions wait = {.forward_signals = TRUE};

  if (!rf_cli_parse(context, "run", &argc, &argv))
    goto out;
  if (timeout_text) {
    char *end = NULL;
    errno = 0;
    wait.timeout_seconds = g_ascii_strtod(timeout_text, &end);
    if (errno || !*timeout_text || *end || !(wait.timeout_seconds > 0)) {
      g_autofree char *shown = rf_quote(timeout_text, -1);
      fprintf(stderr,
              "ringfence run: --timeout %s is not a positive number of seconds (e.g. "
              "--timeout 30 or 0.5)\n",
              shown);
      goto out;
    }
  }
  char **command = rf_cli_command(argc, argv);
  if (!command[0]) {
    fprintf(stderr, "ringfence run: no program given (usage: ringfence run [OPTION]... -- "
                    "PROGRAM [ARG]...)\n");
    goto out;
  }
  config = rf_cli_load_config(&options, &error);
  if (!config || !rf_cli_load_approvals(config, &approval, &approval_set, &rules, &error)) {
    rf_cli_error(error->message);
    goto out;
  }
  if (!rf_cli_prepare(&options, config, FALSE, &loader, &plan, &backend, &error)) {
    rf_cli_error(error->message);
    goto out;
  }
  /* Approvals are consulted once a policy or rules are configured: a plain `run` runs. */
  if ((approval_set || rules) && !approve(command, &approval, rules))
    goto out;
  sandbox = rf_sandbox_spawn(backend, plan, (const char *const *)command, &error);
  if (!sandbox) {
    rf_cli_error(error->message);
    status = rf_error_exit_status(error);
    goto out;
  }
  status = rf_sandbox_wait(sandbox, &wait, &error);
  if (error)
    rf_cli_error(error->message);
  for (const char *const *warning = rf_sandbox_get_warnings(sandbox); *warning; warning++) {
    g_autofree char *safe = rf_cli_terminal_safe(*warning);
    rf_cli_error(safe);
  }
out:
  g_free(timeout_text);
  rf_cli_options_clear(&options);
  return status;
}
