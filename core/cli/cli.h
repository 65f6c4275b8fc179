/* cli.h: what the ringfence subcommands share: policy and approval options, backend choice,
 * error printing. */
#pragma once

#include <ringfence/ringfence.h>

#include "util/quote.h" /* user input in messages: bounded, escaped */

typedef struct {
  char *sandbox;
  char *cd;
  char **writable_roots;
  char **dangerous_roots; /* --dangerously-allow-writable-root */
  char *network;
  char **allow_domains; /* --allow-domain, repeatable */
  char **deny_domains;  /* --deny-domain, repeatable */
  char *proxy_url;      /* --proxy URL */
  char *network_log;    /* --network-log FILE */
  char **resolve;       /* --resolve HOST:ADDR, repeatable */
  char *backend;
  gboolean allow_degraded;
  char **require; /* --require NAME, repeatable */
  gboolean pty;   /* --pty (Windows: ConPTY) */
  double timeout;
  char **pass_fds;
  gboolean json;
  /* Config and approvals (run, explain, decide). */
  char *config_file;  /* --config */
  char *profile;      /* -p/--profile */
  char **overrides;   /* -c KEY=VALUE, repeatable */
  char *approval;     /* -a/--ask-for-approval */
  char **rules_files; /* --rules, repeatable */
} RfCliOptions;

/* Adds the policy options (-s, -C, --writable-root, --network, --backend,
 * --allow-degraded) to |context|; values land in |options|. */
void rf_cli_add_policy_options(GOptionContext *context, RfCliOptions *options);
/* Adds the config and approval options (--config, -p, -c, -a, --rules) to the main group. */
void rf_cli_add_config_options(GOptionContext *context, RfCliOptions *options);
void rf_cli_options_clear(RfCliOptions *options);

/* Reads the config (--config FILE or the default file), applies -c, -p and the policy
 * flags on top, resolves it and prints its notes on stderr.  Errors name file:line:column,
 * the -c or the flag. */
RfConfig *rf_cli_load_config(const RfCliOptions *options, GError **error);

/* Builds the policy from the config and the options that are not settings (-C, --pass-fd). */
RfPolicy *rf_cli_build_policy(const RfCliOptions *options, const RfConfig *config, GError **error);

/* The approval policy and rules of |config|.  *policy_set says whether a policy was chosen
 * at all (otherwise *policy is on-request); *rules is NULL when no rules file is named. */
gboolean rf_cli_load_approvals(const RfConfig *config, RfApprovalPolicy *policy,
                               gboolean *policy_set, RfRules **rules, GError **error);

/* Parses argv for a subcommand; on a usage error prints one line with a hint
 * and returns FALSE.  Leaves the command (after "--") in *rest. */
gboolean rf_cli_parse(GOptionContext *context, const char *subcommand, int *argc, char ***argv);

/* Prints "ringfence: MESSAGE" (each line of a multi-line message indented), each line through
 * rf_cli_printable_line. */
void rf_cli_error(const char *message);
/* |line| safe on a terminal (rf_cli_terminal_safe) and at most ~1 KiB: a longer one loses its
 * middle, said so ("[... N bytes not shown ...]"). */
char *rf_cli_printable_line(const char *line);

/* A loader for the plugin directory of |config| (NULL: the default) that trusts nothing
 * below |plan|'s working directory and writable roots, the config's writable roots (any
 * mode), /tmp and $TMPDIR, and runs the configured bwrap.  |config| and |plan| may be NULL. */
RfLoader *rf_cli_new_loader(const RfConfig *config, const RfPlan *plan, GError **error);
/* rf_cli_new_loader, then selects the backend |config| names (auto or a name) for |plan|. */
RfBackend *rf_cli_select_backend(RfLoader **loader, const RfConfig *config, RfPlan *plan,
                                 gboolean quiet, GError **error);

/* duration.c: the longest --timeout or --kill-after, in seconds (2^31 - 1: any longer
 * limit is no limit, and is refused rather than wrapped or rounded to "none"). */
#define RF_CLI_DURATION_MAX 2147483647u
/* Reads |text| (decimal seconds, optional unit s, m, h or d) into *seconds.  FALSE with
 * the reason in |err| ("is not a duration: ...", "is too long: ...", to follow the quoted
 * value) when it is not such a number or is longer than the maximum. */
gboolean rf_cli_parse_duration(const char *text, double *seconds, char *err, size_t err_len);

int rf_cli_run(int argc, char **argv);
int rf_cli_check(int argc, char **argv);
int rf_cli_explain(int argc, char **argv);
int rf_cli_setup(int argc, char **argv);
int rf_cli_decide(int argc, char **argv);
/* Hidden (not in --help): the profile names, for the shell completions. */
int rf_cli_list_profiles(int argc, char **argv);

/* Everything before launching: policy, plan, backend, fail-closed check.
 * Prints the fallback note and degraded warnings on stderr unless quiet. */
gboolean rf_cli_prepare(const RfCliOptions *options, const RfConfig *config, gboolean quiet,
                        RfLoader **loader, RfPlan **plan, RfBackend **backend, GError **error);
/* Points argv at the command after the options (skipping a "--"). */
char **rf_cli_command(int argc, char **argv);

/* prompt.c: asks the person at the terminal whether to run |argv| after a prompt decision.
 * TRUE: approved.  Without a terminal on stdin and stderr it asks nothing and says so. */
gboolean rf_cli_ask_approval(const char *const *argv, const RfApprovalResult *result);
/* |text| with control characters shown as \xHH: safe to print on a terminal. */
char *rf_cli_terminal_safe(const char *text);
/* One line: the command as a shell would read it. */
char *rf_cli_command_text(const char *const *argv);
