/* tests/config/test-approval.c: CUnit claims about approval policies and prefix-rule files:
 * a table of decisions across policies, request kinds and rules; the rules file's strict
 * parser (errors at line:column) and its load-time match/not_match checks. */
#include <ringfence/ringfence.h>

#include <CUnit/Basic.h>
#include <string.h>

static const char project_rules[] =
    "# rules an agent user keeps\n"
    "prefix_rule(\n"
    "    pattern = [\"git\", [\"push\", \"fetch\"]],\n"
    "    decision = \"prompt\",\n"
    "    justification = \"talks to the remote\",\n"
    "    match = [[\"git\", \"push\", \"origin\", \"main\"], \"git fetch --all\"],\n"
    "    not_match = [[\"git\", \"status\"], \"git\"],\n"
    ")\n"
    "prefix_rule(pattern = [\"rm\"], decision = \"forbidden\", justification = \"use trash\")\n"
    "prefix_rule(pattern = [\"cargo\", \"test\"], decision = \"allow\")\n"
    "prefix_rule(pattern = [\"make\"])  # decision defaults to allow\n"
    "prefix_rule(pattern = [\"make\", \"install\"], decision = \"prompt\")\n";

static RfRules *load_rules(const char *text) {
  g_autoptr(GError) error = NULL;
  RfRules *rules = rf_rules_new();
  if (!rf_rules_load_data(rules, "test.rules", text, -1, &error))
    g_printerr("\n  unexpected rules error: %s\n", error->message);
  CU_ASSERT_PTR_NULL(error);
  return rules;
}

/* The message of loading |text|, which must fail. */
static char *rules_error(const char *text) {
  g_autoptr(GError) error = NULL;
  g_autoptr(RfRules) rules = rf_rules_new();
  CU_ASSERT_FALSE(rf_rules_load_data(rules, "bad.rules", text, -1, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  CU_ASSERT_TRUE(g_error_matches(error, RF_ERROR, RF_ERROR_CONFIG));
  CU_ASSERT_EQUAL(rf_rules_get_size(rules), 0);
  return g_strdup(error->message);
}

static gboolean has_prefix(const char *message, const char *prefix) {
  if (!g_str_has_prefix(message, prefix)) {
    g_printerr("\n  message '%s' does not start with '%s'\n", message, prefix);
    return FALSE;
  }
  return TRUE;
}

static gboolean contains(const char *message, const char *part) {
  if (!strstr(message, part)) {
    g_printerr("\n  message '%s' does not contain '%s'\n", message, part);
    return FALSE;
  }
  return TRUE;
}

/* ---- The decision table ---------------------------------------------------------- */

enum { P_UNTRUSTED, P_ON_FAILURE, P_ON_REQUEST, P_NEVER, P_G_ALL, P_G_NONE, P_G_SANDBOX };

static RfApprovalPolicy policy_for(int which) {
  switch (which) {
  case P_UNTRUSTED:
    return (RfApprovalPolicy){.mode = RF_APPROVAL_UNTRUSTED};
  case P_ON_FAILURE:
    return (RfApprovalPolicy){.mode = RF_APPROVAL_ON_FAILURE};
  case P_ON_REQUEST:
    return (RfApprovalPolicy){.mode = RF_APPROVAL_ON_REQUEST};
  case P_NEVER:
    return (RfApprovalPolicy){.mode = RF_APPROVAL_NEVER};
  case P_G_ALL:
    return (RfApprovalPolicy){.mode = RF_APPROVAL_GRANULAR,
                              .sandbox_approval = TRUE,
                              .rules = TRUE,
                              .mcp_elicitations = TRUE,
                              .request_permissions = TRUE,
                              .skill_approval = TRUE};
  case P_G_NONE:
    return (RfApprovalPolicy){.mode = RF_APPROVAL_GRANULAR};
  default:
    return (RfApprovalPolicy){
        .mode = RF_APPROVAL_GRANULAR, .sandbox_approval = TRUE, .request_permissions = TRUE};
  }
}

typedef struct {
  int policy;
  RfRequestKind kind;
  const char *argv[8]; /* NULL-terminated */
  RfDecision expected;
  const char *category; /* NULL: none */
} Row;

#define RUN RF_REQUEST_RUN
#define ESC RF_REQUEST_ESCALATION
#define RULE RF_REQUEST_RULE
#define MCP RF_REQUEST_MCP_ELICITATION
#define PERM RF_REQUEST_PERMISSION
#define SKILL RF_REQUEST_SKILL_SCRIPT
#define ALLOW RF_DECISION_ALLOW
#define PROMPT RF_DECISION_PROMPT
#define REJECT RF_DECISION_REJECT
#define FORBID RF_DECISION_FORBIDDEN

static const Row table[] = {
    /* untrusted: only known-safe read-only commands pass without a person. */
    {P_UNTRUSTED, RUN, {"ls", "-la"}, ALLOW, NULL},
    {P_UNTRUSTED, RUN, {"cat", "README.md"}, ALLOW, NULL},
    {P_UNTRUSTED, RUN, {"/bin/ls"}, ALLOW, NULL},
    {P_UNTRUSTED, RUN, {"python3", "x.py"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"find", ".", "-name", "*.c"}, ALLOW, NULL},
    {P_UNTRUSTED, RUN, {"find", ".", "-exec", "rm", "{}", ";"}, FORBID, NULL}, /* rm's rule */
    {P_UNTRUSTED, RUN, {"find", ".", "-execdir", "x"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"find", ".", "-delete"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"find", ".", "-fprint", "/tmp/x"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"find", ".", "-ok", "rm", ";"}, FORBID, NULL},
    {P_UNTRUSTED, RUN, {"git", "status"}, ALLOW, NULL},
    {P_UNTRUSTED, RUN, {"git", "log", "-p", "-1"}, ALLOW, NULL},
    {P_UNTRUSTED, RUN, {"git", "-C", "sub", "diff"}, ALLOW, NULL},
    {P_UNTRUSTED, RUN, {"git", "-c", "core.pager=sh", "log"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"git", "diff", "--output=x"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"git", "commit", "-m", "x"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"git", "branch"}, ALLOW, NULL},
    {P_UNTRUSTED, RUN, {"git", "branch", "topic"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"git", "branch", "-D", "topic"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"rg", "-n", "TODO"}, ALLOW, NULL},
    {P_UNTRUSTED, RUN, {"rg", "--pre", "cat", "x"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"rg", "--pre=cat", "x"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"rg", "--search-zip", "x"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"rg", "-zn", "x"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"sed", "-n", "1,5p", "f"}, ALLOW, NULL},
    {P_UNTRUSTED, RUN, {"sed", "-i", "s/a/b/", "f"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"sed", "-n", "1,5w out", "f"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"base64", "-o", "out"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"sort", "-o", "out", "in"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"uniq", "-c", "in"}, ALLOW, NULL},
    {P_UNTRUSTED, RUN, {"uniq", "in", "out"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"sh", "-c", "ls > out"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"sh", "-c", "cat $HOME/.netrc"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"bash", "-lc", "ls && pwd | wc -l"}, ALLOW, NULL},
    {P_UNTRUSTED, RUN, {"bash", "-lc", "ls; python3 x"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"bash", "-lc", "(ls)"}, ALLOW, NULL},   /* a subshell running ls */
    {P_UNTRUSTED, RUN, {"bash", "-lc", "ls &"}, ALLOW, NULL},   /* ls in the background */
    {P_UNTRUSTED, RUN, {"find", ".", "-exec", "cat", "{}", ";"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"bash", "-lc", "X=1 ls"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RUN, {"make"}, ALLOW, NULL},                /* an allow rule */
    {P_UNTRUSTED, RUN, {"make", "install"}, PROMPT, "rules"}, /* strictest rule */
    {P_UNTRUSTED, RUN, {"rm", "-rf", "build"}, FORBID, NULL},
    {P_UNTRUSTED, RUN, {"git", "push", "origin"}, PROMPT, "rules"},
    {P_UNTRUSTED, RUN, {"bash", "-lc", "ls && git push"}, PROMPT, "rules"},
    {P_UNTRUSTED, ESC, {"ls"}, PROMPT, "sandbox_approval"}, /* read-only list: sandbox only */
    {P_UNTRUSTED, ESC, {"git", "status"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, ESC, {"python3"}, PROMPT, "sandbox_approval"},
    {P_UNTRUSTED, RULE, {"ls"}, PROMPT, "rules"},
    {P_UNTRUSTED, MCP, {NULL}, PROMPT, "mcp_elicitations"},
    {P_UNTRUSTED, PERM, {NULL}, PROMPT, "request_permissions"},
    {P_UNTRUSTED, SKILL, {"./scripts/x.sh"}, PROMPT, "skill_approval"},
    /* on-failure: sandboxed runs pass; the unsandboxed retry is a prompt. */
    {P_ON_FAILURE, RUN, {"python3", "x.py"}, ALLOW, NULL},
    {P_ON_FAILURE, RUN, {"sudo", "ls"}, PROMPT, "sandbox_approval"},
    {P_ON_FAILURE, RUN, {"git", "push"}, PROMPT, "rules"},
    {P_ON_FAILURE, ESC, {"python3", "x.py"}, PROMPT, "sandbox_approval"},
    {P_ON_FAILURE, MCP, {NULL}, PROMPT, "mcp_elicitations"},
    /* on-request: sandboxed runs pass unless dangerous; escalation is a prompt. */
    {P_ON_REQUEST, RUN, {"python3", "x.py"}, ALLOW, NULL},
    {P_ON_REQUEST, RUN, {"find", ".", "-delete"}, ALLOW, NULL},
    {P_ON_REQUEST, RUN, {"git", "reset", "--hard"}, PROMPT, "sandbox_approval"},
    {P_ON_REQUEST, RUN, {"git", "push", "--force"}, PROMPT, "rules"},
    {P_ON_REQUEST, RUN, {"git", "clean", "-fdx"}, PROMPT, "sandbox_approval"},
    {P_ON_REQUEST, RUN, {"env", "FOO=1", "git", "reset", "--hard"}, PROMPT, "sandbox_approval"},
    {P_ON_REQUEST,
     RUN,
     {"timeout", "5", "dd", "if=/dev/zero", "of=disk"},
     PROMPT,
     "sandbox_approval"},
    {P_ON_REQUEST, RUN, {"rm", "x"}, FORBID, NULL},
    {P_ON_REQUEST, RUN, {"/usr/bin/git", "push"}, PROMPT, "rules"}, /* basename fallback */
    {P_ON_REQUEST, RUN, {"bash", "-lc", "ls && rm x"}, FORBID, NULL},
    {P_ON_REQUEST, RUN, {"bash", "-lc", "ls; git reset --hard"}, PROMPT, "sandbox_approval"},
    {P_ON_REQUEST, ESC, {"python3", "x.py"}, PROMPT, "sandbox_approval"},
    {P_ON_REQUEST, ESC, {"cargo", "test"}, ALLOW, NULL},
    {P_ON_REQUEST, ESC, {"rm", "x"}, FORBID, NULL},
    {P_ON_REQUEST, RULE, {"cargo", "test"}, PROMPT, "rules"},
    {P_ON_REQUEST, MCP, {NULL}, PROMPT, "mcp_elicitations"},
    {P_ON_REQUEST, PERM, {NULL}, PROMPT, "request_permissions"},
    {P_ON_REQUEST, SKILL, {"./x.sh"}, PROMPT, "skill_approval"},
    {P_ON_REQUEST, SKILL, {"make"}, ALLOW, NULL},
    /* never: nothing is asked; what would be is rejected. */
    {P_NEVER, RUN, {"python3", "x.py"}, ALLOW, NULL},
    {P_NEVER, RUN, {"git", "push"}, REJECT, "rules"},
    {P_NEVER, RUN, {"git", "reset", "--hard"}, REJECT, "sandbox_approval"},
    {P_NEVER, RUN, {"rm", "x"}, FORBID, NULL},
    {P_NEVER, ESC, {"python3"}, REJECT, "sandbox_approval"},
    {P_NEVER, ESC, {"cargo", "test"}, ALLOW, NULL},
    {P_NEVER, RULE, {"ls"}, REJECT, "rules"},
    {P_NEVER, MCP, {NULL}, REJECT, "mcp_elicitations"},
    {P_NEVER, PERM, {NULL}, REJECT, "request_permissions"},
    {P_NEVER, SKILL, {"./x.sh"}, REJECT, "skill_approval"},
    /* granular, every category on: like on-request. */
    {P_G_ALL, RUN, {"python3"}, ALLOW, NULL},
    {P_G_ALL, RUN, {"git", "push"}, PROMPT, "rules"},
    {P_G_ALL, RUN, {"git", "reset", "--hard"}, PROMPT, "sandbox_approval"},
    {P_G_ALL, ESC, {"python3"}, PROMPT, "sandbox_approval"},
    {P_G_ALL, MCP, {NULL}, PROMPT, "mcp_elicitations"},
    {P_G_ALL, PERM, {NULL}, PROMPT, "request_permissions"},
    {P_G_ALL, SKILL, {"./x.sh"}, PROMPT, "skill_approval"},
    {P_G_ALL, RUN, {"rm", "x"}, FORBID, NULL},
    /* granular, every category off: each prompt becomes a rejection. */
    {P_G_NONE, RUN, {"python3"}, ALLOW, NULL},
    {P_G_NONE, RUN, {"git", "push"}, REJECT, "rules"},
    {P_G_NONE, RUN, {"git", "reset", "--hard"}, REJECT, "sandbox_approval"},
    {P_G_NONE, ESC, {"python3"}, REJECT, "sandbox_approval"},
    {P_G_NONE, RULE, {"ls"}, REJECT, "rules"},
    {P_G_NONE, MCP, {NULL}, REJECT, "mcp_elicitations"},
    {P_G_NONE, PERM, {NULL}, REJECT, "request_permissions"},
    {P_G_NONE, SKILL, {"./x.sh"}, REJECT, "skill_approval"},
    /* granular, sandbox_approval and request_permissions only. */
    {P_G_SANDBOX, RUN, {"git", "push"}, REJECT, "rules"},
    {P_G_SANDBOX, ESC, {"python3"}, PROMPT, "sandbox_approval"},
    {P_G_SANDBOX, PERM, {NULL}, PROMPT, "request_permissions"},
    {P_G_SANDBOX, MCP, {NULL}, REJECT, "mcp_elicitations"},
    {P_G_SANDBOX, SKILL, {"./x.sh"}, REJECT, "skill_approval"},
    {P_G_SANDBOX, RUN, {"bash", "-lc", "git reset --hard && git push"}, REJECT, "rules"},
};

static void test_decisions_follow_the_table(void) {
  g_autoptr(RfRules) rules = load_rules(project_rules);
  for (guint i = 0; i < G_N_ELEMENTS(table); i++) {
    const Row *row = &table[i];
    RfApprovalPolicy policy = policy_for(row->policy);
    RfApprovalRequest request = {.kind = row->kind,
                                 .argv = row->argv[0] ? row->argv : NULL,
                                 .policy = &policy,
                                 .rules = rules};
    g_auto(RfApprovalResult) result = {0};
    g_autoptr(GError) error = NULL;
    gboolean ok = rf_approval_decide(&request, &result, &error);
    CU_ASSERT_TRUE(ok);
    if (!ok) {
      g_printerr("\n  row %u: %s\n", i, error->message);
      continue;
    }
    g_autofree char *command = row->argv[0] ? g_strjoinv(" ", (char **)row->argv) : g_strdup("");
    g_autofree char *policy_text = rf_approval_policy_describe(&policy);
    if (result.decision != row->expected || g_strcmp0(result.category, row->category) != 0) {
      g_printerr("\n  row %u: %s %s `%s`: got %s (%s), want %s (%s)\n    reason: %s\n", i,
                 policy_text, rf_request_kind_to_string(row->kind), command,
                 rf_decision_to_string(result.decision), result.category ? result.category : "-",
                 rf_decision_to_string(row->expected), row->category ? row->category : "-",
                 result.reason);
      CU_FAIL("decision differs from the table");
    }
    CU_ASSERT_PTR_NOT_NULL(result.reason);
    CU_ASSERT_PTR_NOT_NULL(result.matched_rules);
  }
}

static void test_allowed_runs_are_sandboxed_and_escalations_are_not(void) {
  g_autoptr(RfRules) rules = load_rules(project_rules);
  RfApprovalPolicy policy = {.mode = RF_APPROVAL_ON_REQUEST};
  const char *cargo[] = {"cargo", "test", NULL};
  RfApprovalRequest request = {
      .kind = RF_REQUEST_RUN, .argv = cargo, .policy = &policy, .rules = rules};
  g_auto(RfApprovalResult) run = {0};
  g_auto(RfApprovalResult) escalation = {0};
  CU_ASSERT_TRUE(rf_approval_decide(&request, &run, NULL));
  CU_ASSERT_TRUE(run.sandboxed);
  request.kind = RF_REQUEST_ESCALATION;
  CU_ASSERT_TRUE(rf_approval_decide(&request, &escalation, NULL));
  CU_ASSERT_EQUAL(escalation.decision, RF_DECISION_ALLOW);
  CU_ASSERT_FALSE(escalation.sandboxed);
}

static void test_reasons_name_the_rule_and_its_justification(void) {
  g_autoptr(RfRules) rules = load_rules(project_rules);
  const char *argv[] = {"rm", "-rf", "/", NULL};
  RfApprovalRequest request = {.kind = RF_REQUEST_RUN, .argv = argv, .rules = rules};
  g_auto(RfApprovalResult) result = {0};
  CU_ASSERT_TRUE_FATAL(rf_approval_decide(&request, &result, NULL));
  CU_ASSERT_EQUAL(result.decision, RF_DECISION_FORBIDDEN);
  CU_ASSERT_TRUE(contains(result.reason, "test.rules:9:1"));
  CU_ASSERT_TRUE(contains(result.reason, "use trash"));
  CU_ASSERT_EQUAL_FATAL(result.matched_rules->len, 1);
  RfRuleMatch *match = g_ptr_array_index(result.matched_rules, 0);
  CU_ASSERT_STRING_EQUAL(match->source, "test.rules:9:1");
  CU_ASSERT_STRING_EQUAL(match->prefix[0], "rm");
  CU_ASSERT_PTR_NULL(match->prefix[1]);
  CU_ASSERT_STRING_EQUAL(match->justification, "use trash");
}

static void test_unsafe_flags_are_named_in_the_reason(void) {
  RfApprovalPolicy policy = {.mode = RF_APPROVAL_UNTRUSTED};
  const char *find[] = {"find", ".", "-exec", "rm", "{}", ";", NULL};
  RfApprovalRequest request = {.kind = RF_REQUEST_RUN, .argv = find, .policy = &policy};
  g_auto(RfApprovalResult) result = {0};
  CU_ASSERT_TRUE_FATAL(rf_approval_decide(&request, &result, NULL));
  CU_ASSERT_TRUE(contains(result.reason, "find -exec runs other programs"));
}

static void test_malformed_requests_are_errors(void) {
  const char *empty[] = {NULL};
  RfApprovalRequest request = {.kind = RF_REQUEST_RUN, .argv = empty};
  g_auto(RfApprovalResult) result = {0};
  g_autoptr(GError) error = NULL;
  CU_ASSERT_FALSE(rf_approval_decide(&request, &result, &error));
  CU_ASSERT_TRUE(g_error_matches(error, RF_ERROR, RF_ERROR_CONFIG));
  RfApprovalPolicy policy;
  g_clear_error(&error);
  CU_ASSERT_FALSE(rf_approval_policy_from_string("sometimes", &policy, &error));
  CU_ASSERT_TRUE(contains(error->message, "untrusted, on-failure, on-request or never"));
  g_clear_error(&error);
  CU_ASSERT_FALSE(rf_approval_policy_from_string("granular", &policy, &error));
  CU_ASSERT_TRUE(contains(error->message, "granular"));
  RfRequestKind kind;
  g_clear_error(&error);
  CU_ASSERT_FALSE(rf_request_kind_from_string("exec", &kind, &error));
  CU_ASSERT_TRUE(contains(error->message, "mcp-elicitation"));
  CU_ASSERT_TRUE(rf_request_kind_from_string("skill-script", &kind, NULL));
  CU_ASSERT_EQUAL(kind, RF_REQUEST_SKILL_SCRIPT);
}

/* ---- Rules files ------------------------------------------------------------------- */

static void test_strictest_matching_rule_wins_across_files(void) {
  g_autoptr(RfRules) rules = load_rules("prefix_rule(pattern = [\"npm\"], decision = \"allow\")\n");
  g_autoptr(GError) error = NULL;
  CU_ASSERT_TRUE(rf_rules_load_data(rules, "second.rules",
                                    "prefix_rule(pattern = [\"npm\", \"publish\"], "
                                    "decision = \"forbidden\")\n",
                                    -1, &error));
  const char *publish[] = {"npm", "publish", NULL};
  const char *install[] = {"npm", "install", NULL};
  RfApprovalRequest request = {.kind = RF_REQUEST_RUN, .argv = publish, .rules = rules};
  g_auto(RfApprovalResult) a = {0};
  g_auto(RfApprovalResult) b = {0};
  CU_ASSERT_TRUE(rf_approval_decide(&request, &a, NULL));
  CU_ASSERT_EQUAL(a.decision, RF_DECISION_FORBIDDEN);
  CU_ASSERT_EQUAL(a.matched_rules->len, 2);
  request.argv = install;
  CU_ASSERT_TRUE(rf_approval_decide(&request, &b, NULL));
  CU_ASSERT_EQUAL(b.decision, RF_DECISION_ALLOW);
}

static void test_first_word_alternatives_make_one_rule_each(void) {
  g_autoptr(RfRules) rules = load_rules(
      "prefix_rule(pattern = [[\"python\", \"python3\"], \"-c\"], decision = \"prompt\",\n"
      "            match = [\"python -c 1\", \"python3 -c 1\"], not_match = [\"python3 x.py\"])\n");
  CU_ASSERT_EQUAL(rf_rules_get_size(rules), 2);
  const char *argv[] = {"python3", "-c", "print(1)", NULL};
  g_autoptr(GPtrArray) matches = rf_rules_match(rules, argv);
  CU_ASSERT_EQUAL(matches->len, 1);
}

static void test_host_executable_limits_the_basename_fallback(void) {
  g_autoptr(RfRules) rules = load_rules(
      "prefix_rule(pattern = [\"git\", \"push\"], decision = \"forbidden\",\n"
      "            match = [\"/usr/bin/git push\"], not_match = [\"/opt/evil/git push\"])\n"
      "host_executable(name = \"git\", paths = [\"/usr/bin/git\", \"/home/me/bin/git\"])\n");
  const char *listed[] = {"/usr/bin/git", "push", NULL};
  const char *other[] = {"/opt/evil/git", "push", NULL};
  const char *home[] = {"/home/me/bin/git", "push", NULL};
  g_autoptr(GPtrArray) a = rf_rules_match(rules, listed);
  g_autoptr(GPtrArray) b = rf_rules_match(rules, other);
  g_autoptr(GPtrArray) c = rf_rules_match(rules, home);
  CU_ASSERT_EQUAL_FATAL(a->len, 1);
  CU_ASSERT_STRING_EQUAL(((RfRuleMatch *)g_ptr_array_index(a, 0))->resolved_program,
                         "/usr/bin/git");
  CU_ASSERT_EQUAL(b->len, 0);
  CU_ASSERT_EQUAL(c->len, 1);
  /* Without host_executable any absolute path may stand for its basename. */
  g_autoptr(RfRules) open_rules = load_rules("prefix_rule(pattern = [\"git\", \"push\"])\n");
  g_autoptr(GPtrArray) d = rf_rules_match(open_rules, other);
  CU_ASSERT_EQUAL(d->len, 1);
}

static void test_examples_that_disagree_refuse_the_file(void) {
  g_autofree char *match = rules_error("prefix_rule(\n"
                                       "    pattern = [\"git\", [\"push\", \"fetch\"]],\n"
                                       "    match = [\"git push\", \"git pull origin\"],\n"
                                       ")\n");
  CU_ASSERT_TRUE(has_prefix(match, "bad.rules:3:26: match example `git pull origin` does not "
                                   "match prefix_rule(pattern = [\"git\", [\"push\", \"fetch\"]]) "
                                   "at line 1"));
  g_autofree char *not_match =
      rules_error("prefix_rule(pattern = [\"ls\"], not_match = [[\"ls\", \"-la\"]])\n");
  CU_ASSERT_TRUE(has_prefix(not_match, "bad.rules:1:44: not_match example `ls -la` matches "
                                       "prefix_rule(pattern = [\"ls\"])"));
}

static void test_a_refused_file_changes_nothing(void) {
  g_autoptr(RfRules) rules = load_rules("prefix_rule(pattern = [\"ls\"])\n");
  g_autoptr(GError) error = NULL;
  CU_ASSERT_FALSE(rf_rules_load_data(rules, "x.rules",
                                     "prefix_rule(pattern = [\"rm\"], decision = \"forbidden\")\n"
                                     "prefix_rule(pattern = [\"cp\"], decision = \"nope\")\n",
                                     -1, &error));
  CU_ASSERT_EQUAL(rf_rules_get_size(rules), 1);
  const char *rm[] = {"rm", "x", NULL};
  g_autoptr(GPtrArray) matches = rf_rules_match(rules, rm);
  CU_ASSERT_EQUAL(matches->len, 0);
}

typedef struct {
  const char *text;
  const char *message_prefix;
} BadRules;

static void test_parse_errors_name_line_and_column(void) {
  static const BadRules cases[] = {
      {"prefix_rule(pattern = [\"git\"], decision = \"maybe\")\n",
       "bad.rules:1:43: decision \"maybe\" is not one of \"allow\", \"prompt\", \"forbidden\""},
      {"\n\nprefix_rule(pattern = [\"a\"], colour = \"red\")\n",
       "bad.rules:3:39: prefix_rule has no argument 'colour'"},
      {"prefix_rule(decision = \"allow\")\n",
       "bad.rules:1:1: prefix_rule needs the argument pattern"},
      {"prefix_rule(pattern = [\"a\"], pattern = [\"b\"])\n",
       "bad.rules:1:40: argument 'pattern' given twice"},
      {"prefix_rule(pattern = [])\n", "bad.rules:1:23: a pattern cannot be empty"},
      {"prefix_rule(pattern = [\"a\", []])\n",
       "bad.rules:1:29: a list of alternatives in a pattern cannot be empty"},
      {"prefix_rule(pattern = [\"a\", [[\"b\"]]])\n",
       "bad.rules:1:30: a pattern alternative must be a string"},
      {"prefix_rule(pattern = \"git\")\n",
       "bad.rules:1:23: prefix_rule argument 'pattern' must be a list"},
      {"prefix_rule(pattern = [\"a\"], decision = [\"allow\"])\n",
       "bad.rules:1:41: prefix_rule argument 'decision' must be a string"},
      {"prefix_rule(pattern = [\"a\"], justification = \" \")\n",
       "bad.rules:1:46: a justification cannot be empty"},
      {"prefix_rule(pattern = [\"a\\q\"])\n", "bad.rules:1:26: invalid escape sequence \\q"},
      {"prefix_rule(pattern = [\"a\\x00\"])\n", "bad.rules:1:26: this escape makes a NUL"},
      {"prefix_rule(pattern = [\"a\n\"])\n", "bad.rules:1:24: unterminated string"},
      {"prefix_rule(pattern = [True])\n",
       "bad.rules:1:24: a pattern element must be a string or a list of strings, not a bool"},
      {"prefix_rule(pattern = [\"a\"], match = [\"a 'b\"])\n",
       "bad.rules:1:39: match example \"a 'b\": unterminated ' quote"},
      {"prefix_rule(pattern = [\"a\"], match = [\"\"])\n",
       "bad.rules:1:39: a match example cannot be empty"},
      {"prefix_rule(pattern = [\"a\"]\n", "bad.rules:2:1: unexpected end of file"},
      {"prefix_rule(pattern = [\"a\"]))\n", "bad.rules:1:29: unexpected ')'"},
      {"prefix_rule(pattern = [\"a\"]) prefix_rule(pattern = [\"b\"])\n",
       "bad.rules:1:30: expected the end of the statement"},
      {"  prefix_rule(pattern = [\"a\"])\n", "bad.rules:1:3: unexpected indentation"},
      {"load(\"x.star\", \"y\")\n", "bad.rules:1:1: load() is not supported"},
      {"prefix_rule(pattern = [\"a\", 1])\n",
       "bad.rules:1:29: a pattern element must be a string or a list of strings, not an int"},
      {"prefix_rule(pattern = [\"é\"], decision = 1)\n",
       "bad.rules:1:41: prefix_rule argument 'decision' must be a string, not an int"},
      {"host_executable(name = \"bin/git\", paths = [])\n",
       "bad.rules:1:24: host_executable name \"bin/git\" must be a bare program name"},
      {"host_executable(name = \"git\", paths = [\"git\"])\n",
       "bad.rules:1:40: host_executable path \"git\" must be absolute"},
      {"host_executable(name = \"git\", paths = [\"/usr/bin/gitx\"])\n",
       "bad.rules:1:40: host_executable path \"/usr/bin/gitx\" must end in the program name"},
      {"host_executable(name = \"git\")\n",
       "bad.rules:1:1: host_executable needs the argument paths"},
      {"network_rule(host = \"example.com\", protocol = \"https\")\n",
       "bad.rules:1:1: network_rule needs the argument decision"},
      {"prefix_rule(pattern = [\"a\"])\n\xff\n", "bad.rules:2:1: the file is not valid UTF-8"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *message = rules_error(cases[i].text);
    if (!has_prefix(message, cases[i].message_prefix)) {
      g_printerr("  (case %u)\n", i);
      CU_FAIL("error message");
    }
  }
}

static void test_the_literal_subset_is_read_fully(void) {
  g_autoptr(RfRules) rules =
      load_rules("# comment line\n"
                 "\n"
                 "   # an indented comment is fine\n"
                 "prefix_rule(pattern = ['single', \"double\", r'raw\\d', '''tri\n"
                 "ple'''], decision = 'prompt',  # trailing comment\n"
                 "            match = [['single', 'double', 'raw\\\\d', 'tri\\nple', 'x'],],)\n"
                 "prefix_rule(pattern = [\"\\u00e9\\x41\\101\"], match = [\"\\u00e9AA\"])\n"
                 "network_rule(host = \"example.com\", protocol = \"https\", decision = \"deny\",\n"
                 "             justification = \"ignored by ringfence\")\n");
  CU_ASSERT_EQUAL(rf_rules_get_size(rules), 2);
  const char *argv[] = {"single", "double", "raw\\d", "tri\nple", NULL};
  g_autoptr(GPtrArray) matches = rf_rules_match(rules, argv);
  CU_ASSERT_EQUAL(matches->len, 1);
}

static void test_missing_rules_file_is_an_error(void) {
  g_autoptr(RfRules) rules = rf_rules_new();
  g_autoptr(GError) error = NULL;
  CU_ASSERT_FALSE(rf_rules_load_file(rules, "/nonexistent/x.rules", &error));
  CU_ASSERT_TRUE(has_prefix(error->message, "rules file /nonexistent/x.rules cannot be read"));
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 1;
  CU_pSuite approvals = CU_add_suite("approvals", NULL, NULL);
  CU_add_test(approvals, "decisions follow the table across policies, kinds and rules",
              test_decisions_follow_the_table);
  CU_add_test(approvals, "allowed runs are sandboxed, allowed escalations are not",
              test_allowed_runs_are_sandboxed_and_escalations_are_not);
  CU_add_test(approvals, "reasons name the rule and its justification",
              test_reasons_name_the_rule_and_its_justification);
  CU_add_test(approvals, "unsafe flags are named in the reason",
              test_unsafe_flags_are_named_in_the_reason);
  CU_add_test(approvals, "malformed requests are errors", test_malformed_requests_are_errors);
  CU_pSuite rules = CU_add_suite("rules", NULL, NULL);
  CU_add_test(rules, "the strictest matching rule wins, across files",
              test_strictest_matching_rule_wins_across_files);
  CU_add_test(rules, "first-word alternatives make one rule each",
              test_first_word_alternatives_make_one_rule_each);
  CU_add_test(rules, "host_executable limits the basename fallback",
              test_host_executable_limits_the_basename_fallback);
  CU_add_test(rules, "examples that disagree refuse the file",
              test_examples_that_disagree_refuse_the_file);
  CU_add_test(rules, "a refused file changes nothing", test_a_refused_file_changes_nothing);
  CU_add_test(rules, "parse errors name line and column", test_parse_errors_name_line_and_column);
  CU_add_test(rules, "the literal subset is read fully", test_the_literal_subset_is_read_fully);
  CU_add_test(rules, "a missing rules file is an error", test_missing_rules_file_is_an_error);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
