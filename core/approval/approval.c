/* approval.c: approval policies and rf_approval_decide(): from a request (what, which command,
 * which policy, which rules) to allow / prompt / reject / forbidden with a reason.  Which
 * commands only read is command-safety.c's call; what a rules file says is rules.c's. */
#include "command-expand.h"
#include "command-safety.h"
#include "util/quote.h"
#include "rules.h"

#include <string.h>

const char *rf_decision_to_string(RfDecision decision) {
  static const char *const names[] = {"allow", "prompt", "reject", "forbidden"};
  return (guint)decision < G_N_ELEMENTS(names) ? names[decision] : "?";
}

static const char *const mode_names[] = {"untrusted", "on-failure", "on-request", "never",
                                         "granular"};

const char *rf_approval_mode_to_string(RfApprovalMode mode) {
  return (guint)mode < G_N_ELEMENTS(mode_names) ? mode_names[mode] : "?";
}

gboolean rf_approval_policy_from_string(const char *text, RfApprovalPolicy *policy,
                                        GError **error) {
  for (guint i = 0; i < G_N_ELEMENTS(mode_names); i++) {
    if (g_strcmp0(text, mode_names[i]) == 0 && i != RF_APPROVAL_GRANULAR) {
      *policy = (RfApprovalPolicy){.mode = (RfApprovalMode)i};
      return TRUE;
    }
  }
  if (g_strcmp0(text, "granular") == 0) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                "approval policy 'granular' needs its flags: write approval_policy = { granular "
                "= { sandbox_approval = true, rules = true, mcp_elicitations = false, ... } } in "
                "the config (or -c)");
    return FALSE;
  }
  g_autofree char *shown = rf_quote(text, -1);
  g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
              "unknown approval policy %s: use untrusted, on-failure, on-request or never (or "
              "a granular table in the config)",
              shown);
  return FALSE;
}

char *rf_approval_policy_describe(const RfApprovalPolicy *policy) {
  if (policy->mode != RF_APPROVAL_GRANULAR)
    return g_strdup(rf_approval_mode_to_string(policy->mode));
#define B(x) ((x) ? "true" : "false")
  return g_strdup_printf("granular (sandbox_approval=%s, rules=%s, mcp_elicitations=%s, "
                         "request_permissions=%s, skill_approval=%s)",
                         B(policy->sandbox_approval), B(policy->rules), B(policy->mcp_elicitations),
                         B(policy->request_permissions), B(policy->skill_approval));
#undef B
}

static const char *const kind_names[] = {"run",        "escalation",  "rule", "mcp-elicitation",
                                         "permission", "skill-script"};

const char *rf_request_kind_to_string(RfRequestKind kind) {
  return (guint)kind < G_N_ELEMENTS(kind_names) ? kind_names[kind] : "?";
}

gboolean rf_request_kind_from_string(const char *text, RfRequestKind *kind, GError **error) {
  for (guint i = 0; i < G_N_ELEMENTS(kind_names); i++) {
    if (g_strcmp0(text, kind_names[i]) == 0) {
      *kind = (RfRequestKind)i;
      return TRUE;
    }
  }
  g_autofree char *shown = rf_quote(text, -1);
  g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
              "unknown request kind %s: use run, escalation, rule, mcp-elicitation, "
              "permission or skill-script",
              shown);
  return FALSE;
}

void rf_approval_result_clear(RfApprovalResult *result) {
  g_free(result->reason);
  if (result->matched_rules)
    g_ptr_array_unref(result->matched_rules);
  *result = (RfApprovalResult){0};
}

/* ---- Deciding ------------------------------------------------------------------- */

typedef struct {
  RfDecision decision;
  const char *category; /* prompt category, when a prompt was involved */
  char *reason;
} Verdict;

char *rf_command_display(const char *const *argv) {
  GString *out = g_string_new(NULL);
  for (guint i = 0; argv[i]; i++) {
    gboolean plain = argv[i][0] != '\0';
    for (const char *c = argv[i]; *c && plain; c++)
      plain = g_ascii_isalnum(*c) || strchr("-_./=:,+@%^", *c);
    if (i)
      g_string_append_c(out, ' ');
    if (plain) {
      g_string_append(out, argv[i]);
    } else {
      g_autofree char *quoted = g_shell_quote(argv[i]);
      g_string_append(out, quoted);
    }
  }
  return g_string_free(out, FALSE);
}

static gboolean category_allowed(const RfApprovalPolicy *policy, const char *category) {
  if (g_str_equal(category, "sandbox_approval"))
    return policy->sandbox_approval;
  if (g_str_equal(category, "rules"))
    return policy->rules;
  if (g_str_equal(category, "mcp_elicitations"))
    return policy->mcp_elicitations;
  if (g_str_equal(category, "request_permissions"))
    return policy->request_permissions;
  if (g_str_equal(category, "skill_approval"))
    return policy->skill_approval;
  return FALSE;
}

/* A prompt of |category|: shown, or rejected when the policy says not to ask. */
static Verdict prompt(const RfApprovalPolicy *policy, const char *category, char *reason) {
  Verdict v = {.decision = RF_DECISION_PROMPT, .category = category, .reason = reason};
  if (policy->mode == RF_APPROVAL_NEVER) {
    v.decision = RF_DECISION_REJECT;
    v.reason = g_strdup_printf("%s; approval policy never does not ask, so it is rejected", reason);
    g_free(reason);
  } else if (policy->mode == RF_APPROVAL_GRANULAR && !category_allowed(policy, category)) {
    v.decision = RF_DECISION_REJECT;
    v.reason = g_strdup_printf(
        "%s; the granular approval policy has %s = false, so it is rejected without asking", reason,
        category);
    g_free(reason);
  }
  return v;
}

static Verdict from_rules(const RfApprovalRequest *request, GPtrArray *matches,
                          const char *command) {
  const RfRuleMatch *strictest = NULL;
  for (guint i = 0; i < matches->len; i++) {
    const RfRuleMatch *m = g_ptr_array_index(matches, i);
    if (!strictest || m->decision > strictest->decision)
      strictest = m;
  }
  g_autofree char *prefix = g_strjoinv(" ", strictest->prefix);
  g_autofree char *why =
      strictest->justification ? g_strdup_printf(": %s", strictest->justification) : g_strdup("");
  switch (strictest->decision) {
  case RF_DECISION_FORBIDDEN:
    return (Verdict){.decision = RF_DECISION_FORBIDDEN,
                     .reason =
                         g_strdup_printf("`%s` is forbidden by the rule at %s (prefix `%s`)%s",
                                         command, strictest->source, prefix, why)};
  case RF_DECISION_PROMPT:
    return prompt(request->policy, "rules",
                  g_strdup_printf("the rule at %s (prefix `%s`) asks for approval of `%s`%s",
                                  strictest->source, prefix, command, why));
  default:
    return (Verdict){.decision = RF_DECISION_ALLOW,
                     .reason =
                         g_strdup_printf("`%s` is allowed by the rule at %s (prefix `%s`)%s%s",
                                         command, strictest->source, prefix, why,
                                         request->kind == RF_REQUEST_ESCALATION
                                             ? "; it runs outside the sandbox as requested"
                                             : "")};
  }
}

/* The answer for one command no rule matched; |flags| (RfShellCommandFlags) say what the
 * script around it does to it. */
static Verdict from_heuristics(const RfApprovalRequest *request, const char *const *argv,
                               guint flags, const char *command) {
  const RfApprovalPolicy *policy = request->policy;
  RfApprovalMode mode = policy->mode;
  g_autofree char *why_not = NULL;
  g_autofree char *danger = NULL;
  gboolean safe = rf_command_is_known_safe(argv, &why_not);
  if (safe && (flags & (RF_SHELL_WRITES | RF_SHELL_ASSIGNS | RF_SHELL_UNKNOWN_WORDS))) {
    safe = FALSE;
    why_not = g_strdup(flags & RF_SHELL_WRITES ? "a redirection writes a file"
                       : flags & RF_SHELL_ASSIGNS
                           ? "an assignment before it changes its environment"
                           : "a word of it is only known when the script runs");
  }
  gboolean dangerous = !safe && rf_command_is_dangerous(argv, &danger);

  switch (request->kind) {
  case RF_REQUEST_RUN:
    if (mode == RF_APPROVAL_UNTRUSTED) {
      if (safe)
        return (Verdict){.decision = RF_DECISION_ALLOW,
                         .reason = g_strdup_printf("`%s` is a known-safe read-only command; it "
                                                   "runs in the sandbox without asking",
                                                   command)};
      return prompt(policy, "sandbox_approval",
                    g_strdup_printf("`%s` needs approval: %s, and approval policy untrusted runs "
                                    "only known-safe read-only commands without asking",
                                    command, dangerous ? danger : why_not));
    }
    if (dangerous)
      return prompt(
          policy, "sandbox_approval",
          g_strdup_printf("`%s` needs approval even in the sandbox: %s", command, danger));
    return (Verdict){
        .decision = RF_DECISION_ALLOW,
        .reason = g_strdup_printf(
            "`%s` runs in the sandbox without asking (%s)", command,
            mode == RF_APPROVAL_ON_FAILURE
                ? "approval policy on-failure asks only to retry it outside the sandbox after "
                  "the sandbox denies something"
            : mode == RF_APPROVAL_NEVER
                ? "approval policy never: failures are returned, never escalated"
                : "the caller may request escalation, which is a prompt")};
  case RF_REQUEST_ESCALATION:
    /* Never waved through by the read-only list: outside the sandbox even `git status` can
     * run a program a repository's config names (core.fsmonitor). */
    if (mode == RF_APPROVAL_NEVER)
      return (Verdict){.decision = RF_DECISION_REJECT,
                       .category = "sandbox_approval",
                       .reason = g_strdup_printf("running `%s` outside the sandbox needs "
                                                 "approval; approval policy never rejects "
                                                 "escalations (it may only run sandboxed)",
                                                 command)};
    return prompt(policy, "sandbox_approval",
                  g_strdup_printf("running `%s` outside the sandbox needs approval%s%s%s", command,
                                  dangerous ? " (" : "", dangerous ? danger : "",
                                  dangerous ? ")" : ""));
  case RF_REQUEST_RULE:
    return prompt(policy, "rules",
                  g_strdup_printf("a rule of the caller asks for approval of `%s`", command));
  case RF_REQUEST_SKILL_SCRIPT:
    return prompt(policy, "skill_approval",
                  g_strdup_printf("a skill wants to run its script `%s`", command));
  default:
    g_assert_not_reached();
  }
}

/* The strictest of |a| and |b|; frees the other. */
static Verdict stricter(Verdict a, Verdict b) {
  if (b.decision > a.decision) {
    g_free(a.reason);
    return b;
  }
  g_free(b.reason);
  return a;
}

/* |argv| with a relative program (./git, bin/git) made absolute against |cwd| (lexically,
 * as the other CLI does), so that it matches the rules of its basename like an absolute path;
 * NULL when the program is a bare name or absolute already. */
static char **rf_approval_resolve_program(const char *const *argv, const char *cwd) {
  if (!argv[0] || !strchr(argv[0], '/') || argv[0][0] == '/')
    return NULL;
  g_autofree char *here = cwd ? NULL : g_get_current_dir();
  char **copy = g_strdupv((char **)argv);
  g_free(copy[0]);
  copy[0] = g_canonicalize_filename(argv[0], cwd ? cwd : here);
  return copy;
}

gboolean rf_approval_decide(const RfApprovalRequest *request, RfApprovalResult *result,
                            GError **error) {
  g_return_val_if_fail(request != NULL && result != NULL, FALSE);
  static const RfApprovalPolicy on_request = {.mode = RF_APPROVAL_ON_REQUEST};
  RfApprovalRequest req = *request;
  if (!req.policy)
    req.policy = &on_request;
  if ((guint)req.policy->mode > RF_APPROVAL_GRANULAR) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "approval policy mode %d is not one of ours",
                (int)req.policy->mode);
    return FALSE;
  }
  if ((guint)req.kind > RF_REQUEST_SKILL_SCRIPT) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "request kind %d is not one of ours",
                (int)req.kind);
    return FALSE;
  }
  gboolean needs_command =
      req.kind != RF_REQUEST_MCP_ELICITATION && req.kind != RF_REQUEST_PERMISSION;
  if (needs_command && (!req.argv || !req.argv[0] || !req.argv[0][0])) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "a %s request needs a command",
                rf_request_kind_to_string(req.kind));
    return FALSE;
  }
  rf_approval_result_clear(result);
  result->matched_rules = g_ptr_array_new_with_free_func((GDestroyNotify)rf_rule_match_free);

  Verdict verdict;
  if (!needs_command) {
    gboolean mcp = req.kind == RF_REQUEST_MCP_ELICITATION;
    g_autofree char *what = req.argv && req.argv[0] ? rf_command_display(req.argv) : NULL;
    verdict = prompt(req.policy, mcp ? "mcp_elicitations" : "request_permissions",
                     g_strdup_printf("%s%s%s%s asks the user",
                                     mcp ? "an MCP elicitation" : "a permission request",
                                     what ? " (" : "", what ? what : "", what ? ")" : ""));
  } else {
    /* The command, what its runners run, and every command of the scripts it hands a
     * shell, each judged; the strictest answer wins. */
    g_autoptr(RfCommandSet) set = rf_command_expand(req.argv);
    g_autofree char *whole = rf_command_display(req.argv);
    gboolean have = FALSE;
    guint judged = 0;
    g_autoptr(GString) allowed = g_string_new(NULL); /* every command's reason, when all pass */
    for (guint i = 0; i < set->commands->len; i++) {
      const RfShellCommand *c = g_ptr_array_index(set->commands, i);
      const char *const *argv = (const char *const *)c->argv;
      Verdict v;
      g_autoptr(GPtrArray) matches = NULL;
      g_autofree char *text = NULL;
      if (!argv[0]) {
        /* assignments or redirections alone: only the read-only list cares */
        if (req.kind != RF_REQUEST_RUN || req.policy->mode != RF_APPROVAL_UNTRUSTED)
          continue;
        v = prompt(req.policy, "sandbox_approval",
                   g_strdup_printf("`%s` needs approval: %s in the script, and approval policy "
                                   "untrusted runs only known-safe read-only commands without "
                                   "asking",
                                   whole,
                                   c->flags & RF_SHELL_WRITES
                                       ? "a redirection writes a file"
                                       : "an assignment changes what later commands do"));
      } else {
        text = rf_command_display(argv);
        g_auto(GStrv) resolved = rf_approval_resolve_program(argv, req.cwd);
        const char *const *match_argv = resolved ? (const char *const *)resolved : argv;
        matches = req.rules ? rf_rules_match(req.rules, match_argv) : g_ptr_array_new();
        if (matches->len)
          v = from_rules(&req, matches, text);
        else if (c->flags & RF_SHELL_RUNS_SCRIPT)
          continue; /* judged by its script's commands, which follow */
        else
          v = from_heuristics(&req, argv, c->flags, text);
      }
      if (req.kind == RF_REQUEST_RULE && v.decision == RF_DECISION_ALLOW) {
        /* The caller's own rule asks for a prompt: an allow rule here does not lift it. */
        g_free(v.reason);
        v = prompt(req.policy, "rules",
                   g_strdup_printf("a rule of the caller asks for approval of `%s`",
                                   text ? text : whole));
      }
      if (set->commands->len > 1) {
        if (v.decision == RF_DECISION_ALLOW)
          g_string_append_printf(allowed, "%s%s", allowed->len ? "; " : "", v.reason);
        char *scoped = g_strdup_printf("%s %s", set->script ? "in the script," : "through a "
                                                "command runner,", v.reason);
        g_free(v.reason);
        v.reason = scoped;
      }
      while (matches && matches->len)
        g_ptr_array_add(result->matched_rules, g_ptr_array_steal_index(matches, 0));
      verdict = have ? stricter(verdict, v) : v;
      have = TRUE;
      judged++;
    }
    if (!have) /* a script without commands: judged as the command line it is */
      verdict = from_heuristics(&req, req.argv, 0, whole);
    else if (judged > 1 && verdict.decision == RF_DECISION_ALLOW) {
      g_free(verdict.reason);
      verdict.reason = g_strdup_printf("each of the %u commands %s may run: %s", judged,
                                       set->script ? "of the script" : "it runs",
                                       allowed->str);
    }
    if (!set->understood && verdict.decision == RF_DECISION_ALLOW) {
      /* Not understood completely: no rule and no list may allow it.  Under never it still
       * runs sandboxed when all of it was seen and nothing matched a forbidden rule or a
       * dangerous pattern (those answers are stricter than allow and won above). */
      g_free(verdict.reason);
      if (req.kind == RF_REQUEST_RUN && req.policy->mode == RF_APPROVAL_NEVER && set->complete)
        verdict = (Verdict){
            .decision = RF_DECISION_ALLOW,
            .reason = g_strdup_printf(
                "`%s` is not understood completely (%s); approval policy never runs it in the "
                "sandbox, as nothing in it matched a forbidden rule or a dangerous pattern",
                whole, set->why)};
      else
        verdict = prompt(req.policy, "sandbox_approval",
                         g_strdup_printf("`%s` needs approval: it is not understood completely "
                                         "(%s)%s, so no rule and no list of read-only commands "
                                         "may allow it",
                                         whole, set->why,
                                         set->complete ? "" : " and not all of it could be seen"));
    }
  }
  result->decision = verdict.decision;
  result->reason = verdict.reason;
  result->category =
      verdict.decision == RF_DECISION_ALLOW || verdict.decision == RF_DECISION_FORBIDDEN
          ? NULL
          : verdict.category;
  result->sandboxed = verdict.decision == RF_DECISION_ALLOW && req.kind != RF_REQUEST_ESCALATION;
  return TRUE;
}
