/* cmd-run.c: `ringfence run`: resolve, select, launch, supervise, and exit with the command's
 * status. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

/* Grace between the timeout's SIGTERM and SIGKILL when --kill-after is not given: long
 * enough for a command to remove its temporary files, short enough that a command that
 * ignores SIGTERM does not hold the caller for long.  coreutils' timeout never sends
 * SIGKILL unless asked (-k); ringfence always does, so the command is always gone. */
#define DEFAULT_KILL_AFTER "5"

/* TRUE when |command| may start: allowed, or a prompt the person at the terminal approved.
 * Otherwise says why on stderr. */
static gboolean approve(char **command, const RfApprovalPolicy *policy, const RfRules *rules,
                        const char *cwd) {
  g_autoptr(GError) error = NULL;
  g_auto(RfApprovalResult) result = {0};
  RfApprovalRequest request = {.kind = RF_REQUEST_RUN,
                               .argv = (const char *const *)command,
                               .policy = policy,
                               .rules = rules,
                               .cwd = cwd};
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

/* --timeout and --kill-after into |wait|; on a bad value says why on stderr (exit 125). */
static gboolean parse_timeouts(const char *timeout_text, const char *kill_after_text,
                               RfWaitOptions *wait) {
  char why[256];
  if (kill_after_text && !timeout_text) {
    fprintf(stderr, "ringfence run: --kill-after needs --timeout (it is the grace period "
                    "between the timeout's SIGTERM and SIGKILL)\n");
    return FALSE;
  }
  if (!timeout_text)
    return TRUE;
  if (!rf_cli_parse_duration(timeout_text, &wait->timeout_seconds, why, sizeof(why))) {
    g_autofree char *shown = rf_quote(timeout_text, -1);
    fprintf(stderr, "ringfence run: --timeout %s %s\n", shown, why);
    return FALSE;
  }
  if (!(wait->timeout_seconds > 0)) {
    fprintf(stderr, "ringfence run: --timeout must be longer than 0 (leave it out for no time "
                    "limit)\n");
    return FALSE;
  }
  const char *grace = kill_after_text ? kill_after_text : DEFAULT_KILL_AFTER;
  if (!rf_cli_parse_duration(grace, &wait->kill_after_seconds, why, sizeof(why))) {
    g_autofree char *shown = rf_quote(grace, -1);
    fprintf(stderr, "ringfence run: --kill-after %s %s (0: SIGKILL at the deadline)\n", shown,
            why);
    return FALSE;
  }
  return TRUE;
}

int rf_cli_run(int argc, char **argv) {
  RfCliOptions options = {0};
  char *timeout_text = NULL, *kill_after_text = NULL;
  GOptionEntry entries[] = {
      {"timeout", 0, 0, G_OPTION_ARG_STRING, &timeout_text,
       "After DURATION send the command SIGTERM, kill the whole sandbox after --kill-after, "
       "exit 124 (DURATION: decimal seconds, or with a unit s, m, h, d)",
       "DURATION"},
      {"kill-after", 0, 0, G_OPTION_ARG_STRING, &kill_after_text,
       "With --timeout: SIGKILL the whole sandbox DURATION after the SIGTERM (default " DEFAULT_KILL_AFTER
       " s; 0: SIGKILL at the deadline)",
       "DURATION"},
      {"pass-fd", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.pass_fds,
       "Let the command inherit descriptor N (repeatable; 0-2 always are)", "N"},
      {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  g_autoptr(GOptionContext) context = g_option_context_new("[--] PROGRAM [ARG]...");
  g_option_context_set_summary(
      context, "Runs PROGRAM confined by the policy.\n\nExit status: PROGRAM's own; 128+N when "
               "signal N ended it (SIGINT, SIGTERM, SIGHUP and SIGQUIT\nsent to ringfence are "
               "relayed to PROGRAM, also while the sandbox starts); 124 after --timeout\n(whether "
               "PROGRAM ended at the SIGTERM or was killed after --kill-after); 125 when "
               "ringfence\nfailed before PROGRAM started; 126 not executable; 127 not found.");
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
  sigset_t relayed, caller_mask;
  sigemptyset(&relayed);
  sigaddset(&relayed, SIGINT);
  sigaddset(&relayed, SIGTERM);
  sigaddset(&relayed, SIGHUP);
  sigaddset(&relayed, SIGQUIT);
  sigprocmask(SIG_SETMASK, NULL, &caller_mask);

  if (!rf_cli_parse(context, "run", &argc, &argv))
    goto out;
  if (!parse_timeouts(timeout_text, kill_after_text, &wait))
    goto out;
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
  if ((approval_set || rules) &&
      !approve(command, &approval, rules, rf_plan_get_backend_policy(plan)->cwd))
    goto out;
  /* From here a signal is the command's: blocked (so recorded, not fatal) until
   * rf_sandbox_wait relays it, also when it arrives before the command exists.  Before
   * here it ends ringfence, which has started nothing yet. */
  sigprocmask(SIG_BLOCK, &relayed, NULL);
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
  /* Nothing is left running: a signal still pending was meant for a command that never
   * got it (the sandbox failed, or it came after the command ended), so it ends
   * ringfence now, as it would have without the sandbox (128+N to the caller). */
  g_clear_pointer(&sandbox, rf_sandbox_free);
  fflush(NULL);
  sigprocmask(SIG_SETMASK, &caller_mask, NULL);
  g_free(timeout_text);
  g_free(kill_after_text);
  rf_cli_options_clear(&options);
  return status;
}
