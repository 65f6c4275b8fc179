/* tests/unit/test-shell-parse.c: CUnit claims about core/approval/shell-parse.c and core/approval/command-expand.c:
 * which simple commands a script holds, what makes it not understood or incomplete, and the
 * bounds on size and nesting. */
#include "approval/command-expand.h"
#include "approval/shell-parse.h"

#include <CUnit/Basic.h>
#include <string.h>

/* The commands of |script| joined as "argv words|argv words|...", empty commands left out. */
static char *commands_of(const char *script, gboolean *understood, gboolean *complete) {
  g_autoptr(RfShellScript) parsed = rf_shell_parse(script, strlen(script), 0);
  GString *out = g_string_new(NULL);
  for (guint i = 0; i < parsed->commands->len; i++) {
    const RfShellCommand *c = g_ptr_array_index(parsed->commands, i);
    if (!c->argv[0])
      continue;
    g_autofree char *words = g_strjoinv(" ", c->argv);
    g_string_append_printf(out, "%s%s", out->len ? "|" : "", words);
  }
  if (understood)
    *understood = parsed->understood;
  if (complete)
    *complete = parsed->complete;
  return g_string_free(out, FALSE);
}

typedef struct {
  const char *script;
  const char *commands;
  gboolean understood, complete;
} Case;

static const Case cases[] = {
    {"ls -la", "ls -la", TRUE, TRUE},
    {"ls; pwd & id && whoami || true", "ls|pwd|id|whoami|true", TRUE, TRUE},
    {"ls | grep x |& cat", "ls|grep x|cat", TRUE, TRUE},
    {"for t in a b; do rm -rf \"$t\"; done", "rm -rf \"$t\"", TRUE, TRUE},
    {"for ((i=0;i<3;i++)); do ls; done", "ls", FALSE, TRUE},
    {"echo $(rm x) `rm y` \"$(rm z)\"", "echo $(rm x) `rm y` \"$(rm z)\"|rm x|rm y|rm z", TRUE,
     TRUE},
    {"echo \"a `echo \\\"q\\\"` b\"", "echo \"a `echo \\\"q\\\"` b\"|echo q", TRUE, TRUE},
    {"x=$(id) y=${z:-$(pwd)} ls", "id|ls|pwd", TRUE, TRUE},
    {"a=(1 $(id) 3)", "id", TRUE, TRUE},
    {"cat <<EOF\n$(id)\nEOF\nls", "cat|id|ls", TRUE, TRUE},
    {"cat <<'EOF'\n$(id)\nEOF\nls", "cat|ls", TRUE, TRUE},
    {"cat <<-E1 <<E2\n\t$(a)\n\tE1\n$(b)\nE2\nc", "cat|a|b|c", TRUE, TRUE},
    {"cat <<EOF\nno end", "cat", FALSE, TRUE},
    {"cat <<EOF", "cat", FALSE, FALSE},
    {"ls > $(id) 2>&1 < /dev/null", "ls|id", TRUE, TRUE},
    {"diff <(ls a) >(cat)", "diff <(ls a) >(cat)|ls a|cat", TRUE, TRUE},
    {"f() { rm -rf x; }; function g { id; }; h() (pwd)", "rm -rf x|id|pwd", TRUE, TRUE},
    {"if a; then b; elif c; then d; else e; fi", "a|b|c|d|e", TRUE, TRUE},
    {"while a; do b; done; until c; do d; done", "a|b|c|d", TRUE, TRUE},
    {"case $x in (a|b) c;; *) d;& e) f;;& esac", "c|d|f", TRUE, TRUE},
    {"(a; (b)) && { c; { d; }; }", "a|b|c|d", TRUE, TRUE},
    {"! time -p a | b", "a|b", TRUE, TRUE},
    {"[[ -f x && $y == z ]] && a", "a", TRUE, TRUE},
    {"[[ $x -eq 1 ]]", "", FALSE, TRUE},
    {"(( x = 1 )); echo $((2))", "echo $((2))", FALSE, TRUE},
    {"'l''s' \"-\"la \\-a $'\\x41\\101\\n'", "ls -la -a AA\n", TRUE, TRUE},
    {"ls \\\n  -la # a comment; rm -rf /\npwd", "ls -la|pwd", TRUE, TRUE},
    {"echo #not a comment but this is # rm", "echo", TRUE, TRUE},
    {"echo a#b", "echo a#b", TRUE, TRUE},
    {"echo {a,b} ~ *.c [ab] [ {}", "echo {a,b} ~ *.c [ab] [ {}", TRUE, TRUE},
    {"ls; )", "ls", FALSE, FALSE},
    {"echo 'open", "echo", FALSE, FALSE},
    {"echo \"open", "echo", FALSE, FALSE},
    {"echo $(open", "echo|open", FALSE, FALSE},
    {"if a; then b", "a|b", FALSE, FALSE},
    {"coproc x", "", FALSE, FALSE},
};

static void test_every_simple_command_is_found(void) {
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    gboolean understood, complete;
    g_autofree char *got = commands_of(cases[i].script, &understood, &complete);
    if (!g_str_equal(got, cases[i].commands) || understood != cases[i].understood ||
        complete != cases[i].complete) {
      g_autofree char *shown = g_strescape(cases[i].script, NULL);
      g_autofree char *got_shown = g_strescape(got, NULL);
      g_printerr("\n  case %u `%s`: got `%s` understood=%d complete=%d, want `%s` %d %d\n", i,
                 shown, got_shown, understood, complete, cases[i].commands,
                 cases[i].understood, cases[i].complete);
      CU_FAIL("parse differs");
    }
  }
}

static void test_unknown_words_are_flagged_and_writes_noted(void) {
  const char *script = "rm -rf \"$t\" > out; ls 2>/dev/null; X=1 id; cat <<< 'hi'";
  g_autoptr(RfShellScript) parsed = rf_shell_parse(script, strlen(script), 0);
  CU_ASSERT_EQUAL_FATAL(parsed->commands->len, 4);
  const RfShellCommand *rm = g_ptr_array_index(parsed->commands, 0);
  CU_ASSERT_TRUE(rm->flags & RF_SHELL_UNKNOWN_WORDS);
  CU_ASSERT_TRUE(rm->flags & RF_SHELL_WRITES);
  CU_ASSERT_FALSE(rm->word_unknown[1]);
  CU_ASSERT_TRUE(rm->word_unknown[2]);
  const RfShellCommand *ls = g_ptr_array_index(parsed->commands, 1);
  CU_ASSERT_EQUAL(ls->flags, 0);
  const RfShellCommand *id = g_ptr_array_index(parsed->commands, 2);
  CU_ASSERT_TRUE(id->flags & RF_SHELL_ASSIGNS);
  const RfShellCommand *cat = g_ptr_array_index(parsed->commands, 3);
  CU_ASSERT_STRING_EQUAL(cat->stdin_text, "hi\n");
}

static gboolean set_has(const RfCommandSet *set, const char *words) {
  for (guint i = 0; i < set->commands->len; i++) {
    const RfShellCommand *c = g_ptr_array_index(set->commands, i);
    g_autofree char *joined = g_strjoinv(" ", c->argv);
    if (g_str_equal(joined, words))
      return TRUE;
  }
  return FALSE;
}

static void test_size_and_depth_are_bounded(void) {
  /* Too long: refused whole. */
  gsize n = RF_SHELL_MAX_INPUT + 1;
  g_autofree char *long_script = g_malloc(n + 1);
  memset(long_script, 'a', n);
  long_script[n] = '\0';
  g_autoptr(RfShellScript) big = rf_shell_parse(long_script, n, 0);
  CU_ASSERT_FALSE(big->complete);
  CU_ASSERT_EQUAL(big->commands->len, 0);
  /* Too deep: each kind of nesting stops at the bound without crashing. */
  static const char *const opens[] = {"$(", "(", "{ ", "${x:-", "\"$(", "if a; then "};
  for (guint k = 0; k < G_N_ELEMENTS(opens); k++) {
    GString *deep = g_string_new(NULL);
    for (int i = 0; i < 5000; i++)
      g_string_append(deep, opens[k]);
    g_string_append(deep, "rm -rf x");
    g_autoptr(RfShellScript) parsed = rf_shell_parse(deep->str, deep->len, 0);
    CU_ASSERT_FALSE(parsed->complete);
    CU_ASSERT_FALSE(parsed->understood);
    g_string_free(deep, TRUE);
  }
  /* Nested shells count against the same depth (here-documents fed to shells, which nest
   * without the exponential growth of quoting). */
  GString *nested = g_string_new(NULL);
  for (int i = 0; i < 40; i++)
    g_string_append_printf(nested, "sh <<'E%d'\n", i);
  g_string_append(nested, "git push\n");
  for (int i = 39; i >= 0; i--)
    g_string_append_printf(nested, "E%d\n", i);
  const char *argv[] = {"bash", "-c", nested->str, NULL};
  g_autoptr(RfCommandSet) set = rf_command_expand(argv);
  CU_ASSERT_FALSE(set->complete);
  CU_ASSERT_FALSE(set->understood);
  GString *shallow = g_string_new("sh <<'E0'\nsh <<'E1'\ngit push\nE1\nE0\n");
  const char *argv2[] = {"bash", "-c", shallow->str, NULL};
  g_autoptr(RfCommandSet) set2 = rf_command_expand(argv2);
  CU_ASSERT_TRUE(set2->complete);
  CU_ASSERT_TRUE(set_has(set2, "git push"));
  g_string_free(nested, TRUE);
  g_string_free(shallow, TRUE);
}

static void test_runners_and_shells_are_looked_through(void) {
  static const struct {
    const char *argv[12];
    const char *inner;
    gboolean understood;
  } rows[] = {
      {{"env", "-i", "-u", "HOME", "A=1", "git", "push", NULL}, "git push", TRUE},
      {{"env", "-S", "git push", NULL}, "git push", TRUE},
      {{"nice", "-n", "5", "git", "push", NULL}, "git push", TRUE},
      {{"nice", "-10", "git", "push", NULL}, "git push", TRUE},
      {{"nohup", "git", "push", NULL}, "git push", TRUE},
      {{"time", "-p", "git", "push", NULL}, "git push", TRUE},
      {{"timeout", "-s", "KILL", "--kill-after=5", "10", "git", "push", NULL}, "git push", TRUE},
      {{"xargs", "-0", "-n", "1", "-I", "{}", "git", "push", NULL}, "git push", FALSE},
      {{"exec", "-a", "x", "git", "push", NULL}, "git push", TRUE},
      {{"command", "-p", "git", "push", NULL}, "git push", TRUE},
      {{"builtin", "eval", "git push", NULL}, "git push", FALSE},
      {{"sudo", "-u", "root", "-E", "git", "push", NULL}, "git push", TRUE},
      {{"flock", "/tmp/l", "-c", "git push", NULL}, "git push", TRUE},
      {{"find", ".", "-exec", "git", "push", ";", NULL}, "git push", TRUE},
      {{"bash", "-e", "-o", "pipefail", "-c", "git push", "name", "arg", NULL}, "git push", TRUE},
      {{"/bin/sh", "-xc", "git push", NULL}, "git push", TRUE},
      {{"bash", "-ic", "git push", NULL}, "git push", FALSE},
      {{"zsh", "-lc", "nocorrect noglob git push", NULL}, "git push", TRUE},
      {{"bash", "-c", "su -c 'git push' me", NULL}, "git push", TRUE},
      {{"bash", "-c", "trap -- 'git push' EXIT", NULL}, "git push", TRUE},
      {{"bash", "-c", "watch -n 1 git push", NULL}, "git push", TRUE},
  };
  for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
    g_autoptr(RfCommandSet) set = rf_command_expand(rows[i].argv);
    if (!set_has(set, rows[i].inner) || set->understood != rows[i].understood) {
      g_autofree char *shown = g_strjoinv(" ", (char **)rows[i].argv);
      g_printerr("\n  row %u `%s`: inner found %d, understood %d (%s)\n", i, shown,
                 set_has(set, rows[i].inner), set->understood, set->why ? set->why : "-");
      CU_FAIL("runner not looked through");
    }
  }
  const char *lookup[] = {"command", "-v", "git", NULL};
  g_autoptr(RfCommandSet) set = rf_command_expand(lookup);
  CU_ASSERT_EQUAL(set->commands->len, 1); /* command -v runs nothing */
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 1;
  CU_pSuite suite = CU_add_suite("shell parser", NULL, NULL);
  CU_add_test(suite, "every simple command of a script is found",
              test_every_simple_command_is_found);
  CU_add_test(suite, "unknown words are flagged, writes and assignments noted",
              test_unknown_words_are_flagged_and_writes_noted);
  CU_add_test(suite, "size and depth are bounded", test_size_and_depth_are_bounded);
  CU_add_test(suite, "command runners and nested shells are looked through",
              test_runners_and_shells_are_looked_through);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
