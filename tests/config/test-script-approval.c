/* tests/config/test-script-approval.c: CUnit claims that a forbidden rule or a dangerous
 * command cannot be hidden in a script (issue 16 part 1): loops, substitutions, backquotes,
 * here-documents, quoting, escapes, comments, continuations, command runners, nested shells,
 * eval, and relative programs, each decided under never, on-request and untrusted. */
#include <ringfence/ringfence.h>

#include <CUnit/Basic.h>
#include <string.h>

static const char rules_text[] =
    "prefix_rule(pattern = [\"git\", \"push\"], decision = \"forbidden\",\n"
    "            justification = \"pushes go through review\")\n"
    "prefix_rule(pattern = [\"make\"], decision = \"allow\")\n"
    "prefix_rule(pattern = [\"npm\", \"publish\"], decision = \"prompt\")\n";

#define ALLOW RF_DECISION_ALLOW
#define PROMPT RF_DECISION_PROMPT
#define REJECT RF_DECISION_REJECT
#define FORBID RF_DECISION_FORBIDDEN

typedef struct {
  const char *script; /* run as bash -lc SCRIPT (or the argv below when NULL) */
  const char *argv[8]; /* NULL-terminated */
  RfDecision never, on_request, untrusted;
} Row;

static const Row table[] = {
    /* The shapes of the issue. */
    {"for t in a b; do rm -rf \"$t\"; done", {0}, REJECT, PROMPT, PROMPT},
    {"echo $(rm -rf /tmp/x)", {0}, REJECT, PROMPT, PROMPT},
    {"echo `rm -rf /tmp/x`", {0}, REJECT, PROMPT, PROMPT},
    {"git push origin main <<EOF\nhello\nEOF", {0}, FORBID, FORBID, FORBID},
    {NULL, {"./git", "push"}, FORBID, FORBID, FORBID},
    {NULL, {"bin/git", "push", "origin"}, FORBID, FORBID, FORBID},
    {NULL, {"../x/git", "push"}, FORBID, FORBID, FORBID},
    /* Variants: where the command hides. */
    {"./git push", {0}, FORBID, FORBID, FORBID},
    {"cat <<EOF\n$(git push)\nEOF", {0}, FORBID, FORBID, FORBID},
    {"cat <<'EOF'\n$(git push)\nEOF", {0}, ALLOW, ALLOW, ALLOW}, /* quoted: literal text */
    {"cat <<-\\EOF\n\t`git push`\n\tEOF", {0}, ALLOW, ALLOW, ALLOW},
    {"bash <<EOF\ngit push\nEOF", {0}, FORBID, FORBID, FORBID},
    {"sh <<< 'git push'", {0}, FORBID, FORBID, FORBID},
    {"echo \"a $(git push) b\"", {0}, FORBID, FORBID, FORBID},
    {"echo \"`git push`\"", {0}, FORBID, FORBID, FORBID},
    {"x=$(git push)", {0}, FORBID, FORBID, FORBID},
    {"ls > \"$(git push)\"", {0}, FORBID, FORBID, FORBID},
    {"diff <(git push) /dev/null", {0}, FORBID, FORBID, FORBID},
    {"f() { git push; }; f", {0}, FORBID, FORBID, FORBID},
    {"function f { git push; }", {0}, FORBID, FORBID, FORBID},
    {"if false; then :; elif true; then git push; else :; fi", {0}, FORBID, FORBID, FORBID},
    {"case $1 in a|b) ls;; *) git push;; esac", {0}, FORBID, FORBID, FORBID},
    {"while false; do git push; done", {0}, FORBID, FORBID, FORBID},
    {"until true; do git push; done", {0}, FORBID, FORBID, FORBID},
    {"(cd sub && git push)", {0}, FORBID, FORBID, FORBID},
    {"{ ls; git push; } > /dev/null 2>&1", {0}, FORBID, FORBID, FORBID},
    {"ls | git push | cat", {0}, FORBID, FORBID, FORBID},
    {"ls || git push &", {0}, FORBID, FORBID, FORBID},
    {"! time -p git push", {0}, FORBID, FORBID, FORBID},
    /* Quoting, escapes, comments, continuations. */
    {"g\"it\" 'pu'sh", {0}, FORBID, FORBID, FORBID},
    {"\\git pu\\sh", {0}, FORBID, FORBID, FORBID},
    {"$'git' $'\\x70ush'", {0}, FORBID, FORBID, FORBID},
    {"git \\\n  push", {0}, FORBID, FORBID, FORBID},
    {"ls # ; git push", {0}, ALLOW, ALLOW, ALLOW},
    {"ls\n# git push\npwd", {0}, ALLOW, ALLOW, ALLOW},
    {"echo 'git push' \"git push\"", {0}, ALLOW, ALLOW, ALLOW},
    {"echo git push # $(rm -rf /)", {0}, ALLOW, ALLOW, ALLOW},
    /* Command runners. */
    {"env -i -u HOME X=1 git push", {0}, FORBID, FORBID, FORBID},
    {"nice -n 5 git push", {0}, FORBID, FORBID, FORBID},
    {"nohup git push", {0}, FORBID, FORBID, FORBID},
    {"time -p git push", {0}, FORBID, FORBID, FORBID},
    {"timeout -s KILL -k 5 10 git push", {0}, FORBID, FORBID, FORBID},
    {"ls | xargs -0 -n 1 git push", {0}, FORBID, FORBID, FORBID},
    {"exec git push", {0}, FORBID, FORBID, FORBID},
    {"command git push", {0}, FORBID, FORBID, FORBID},
    {"command -v git", {0}, ALLOW, ALLOW, PROMPT},
    {"builtin eval 'git push'", {0}, FORBID, FORBID, FORBID},
    {"sudo -u me git push", {0}, FORBID, FORBID, FORBID},
    {NULL, {"env", "FOO=1", "timeout", "5", "git", "push"}, FORBID, FORBID, FORBID},
    {"find . -name x -exec rm -rf {} +", {0}, REJECT, PROMPT, PROMPT},
    /* Nested shells and eval. */
    {"sh -c \"bash -lc 'git push'\"", {0}, FORBID, FORBID, FORBID},
    {"bash -ec 'rm -rf build'", {0}, REJECT, PROMPT, PROMPT},
    {"dash -xc 'git push'", {0}, FORBID, FORBID, FORBID},
    {"eval 'git push'", {0}, FORBID, FORBID, FORBID},
    {"eval \"$cmd\"", {0}, REJECT, PROMPT, PROMPT},   /* not seen at all */
    {"bash -c \"$cmd\"", {0}, REJECT, PROMPT, PROMPT}, /* not seen at all */
    {"curl -s x | sh", {0}, REJECT, PROMPT, PROMPT},   /* a script from a pipe */
    {"trap 'git push' EXIT", {0}, FORBID, FORBID, FORBID},
    /* Understood and harmless, understood and dangerous, not understood. */
    {"ls && pwd | wc -l", {0}, ALLOW, ALLOW, ALLOW},
    {"make && npm publish", {0}, REJECT, PROMPT, PROMPT},
    {"echo \"$HOME\"", {0}, ALLOW, PROMPT, PROMPT}, /* never: sandboxed, nothing matched */
    {"make $TARGET", {0}, ALLOW, PROMPT, PROMPT},   /* not allowed by the make rule */
    {"ls *.c", {0}, ALLOW, PROMPT, PROMPT},
    {"echo $((1 + 2))", {0}, ALLOW, PROMPT, PROMPT},
    {"x='a[$(rm -rf ~)]'; (( x ))", {0}, ALLOW, PROMPT, PROMPT},
    {"ls > out", {0}, ALLOW, ALLOW, PROMPT},
    {"X=1; ls", {0}, ALLOW, ALLOW, PROMPT},
    {"ls; )", {0}, REJECT, PROMPT, PROMPT}, /* a syntax error: not all of it was seen */
    {"echo 'unterminated", {0}, REJECT, PROMPT, PROMPT},
};

static RfDecision decide(const Row *row, RfApprovalMode mode, const RfRules *rules,
                         char **reason) {
  const char *bash[] = {"bash", "-lc", row->script, NULL};
  RfApprovalPolicy policy = {.mode = mode};
  RfApprovalRequest request = {.kind = RF_REQUEST_RUN,
                               .argv = row->script ? bash : row->argv,
                               .policy = &policy,
                               .rules = rules,
                               .cwd = "/work/project"};
  g_auto(RfApprovalResult) result = {0};
  g_autoptr(GError) error = NULL;
  if (!rf_approval_decide(&request, &result, &error)) {
    *reason = g_strdup(error->message);
    return (RfDecision)-1;
  }
  *reason = g_strdup(result.reason);
  return result.decision;
}

static void test_hidden_commands_are_judged(void) {
  g_autoptr(RfRules) rules = rf_rules_new();
  g_autoptr(GError) error = NULL;
  CU_ASSERT_TRUE_FATAL(rf_rules_load_data(rules, "shapes.rules", rules_text, -1, &error));
  static const RfApprovalMode modes[] = {RF_APPROVAL_NEVER, RF_APPROVAL_ON_REQUEST,
                                         RF_APPROVAL_UNTRUSTED};
  for (guint i = 0; i < G_N_ELEMENTS(table); i++) {
    const Row *row = &table[i];
    const RfDecision want[] = {row->never, row->on_request, row->untrusted};
    for (guint m = 0; m < G_N_ELEMENTS(modes); m++) {
      g_autofree char *reason = NULL;
      RfDecision got = decide(row, modes[m], rules, &reason);
      if (got != want[m]) {
        g_autofree char *shown =
            row->script ? g_strescape(row->script, NULL) : g_strjoinv(" ", (char **)row->argv);
        g_printerr("\n  row %u `%s` under %s: got %s, want %s\n    reason: %s\n", i, shown,
                   rf_approval_mode_to_string(modes[m]), rf_decision_to_string(got),
                   rf_decision_to_string(want[m]), reason);
        CU_FAIL("decision differs from the table");
      }
    }
  }
}

static void test_relative_programs_name_their_resolved_path(void) {
  g_autoptr(RfRules) rules = rf_rules_new();
  g_autoptr(GError) error = NULL;
  CU_ASSERT_TRUE_FATAL(rf_rules_load_data(rules, "shapes.rules", rules_text, -1, &error));
  const char *argv[] = {"sub/../bin/git", "push", NULL};
  RfApprovalPolicy policy = {.mode = RF_APPROVAL_ON_REQUEST};
  RfApprovalRequest request = {
      .kind = RF_REQUEST_RUN, .argv = argv, .policy = &policy, .rules = rules, .cwd = "/w"};
  g_auto(RfApprovalResult) result = {0};
  CU_ASSERT_TRUE_FATAL(rf_approval_decide(&request, &result, &error));
  CU_ASSERT_EQUAL(result.decision, RF_DECISION_FORBIDDEN);
  CU_ASSERT_EQUAL_FATAL(result.matched_rules->len, 1);
  const RfRuleMatch *m = g_ptr_array_index(result.matched_rules, 0);
  CU_ASSERT_STRING_EQUAL(m->resolved_program, "/w/bin/git");
}

static void test_a_reason_says_what_was_not_understood(void) {
  const char *argv[] = {"bash", "-lc", "make $TARGET", NULL};
  RfApprovalPolicy policy = {.mode = RF_APPROVAL_ON_REQUEST};
  RfApprovalRequest request = {.kind = RF_REQUEST_RUN, .argv = argv, .policy = &policy};
  g_auto(RfApprovalResult) result = {0};
  g_autoptr(GError) error = NULL;
  CU_ASSERT_TRUE_FATAL(rf_approval_decide(&request, &result, &error));
  CU_ASSERT_EQUAL(result.decision, RF_DECISION_PROMPT);
  CU_ASSERT_PTR_NOT_NULL(strstr(result.reason, "not understood completely"));
  CU_ASSERT_PTR_NOT_NULL(strstr(result.reason, "make $TARGET"));
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 1;
  CU_pSuite suite = CU_add_suite("script approvals", NULL, NULL);
  CU_add_test(suite, "a forbidden rule or a dangerous command cannot be hidden in a script",
              test_hidden_commands_are_judged);
  CU_add_test(suite, "a relative program matches its basename's rules, named by its path",
              test_relative_programs_name_their_resolved_path);
  CU_add_test(suite, "a reason says what was not understood",
              test_a_reason_says_what_was_not_understood);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
