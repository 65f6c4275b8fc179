/* test-windows-cmdline.c: argv quoting survives hostile input; batch files are quoted for cmd.exe or refused. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "test-windows.h"

/* Arguments chosen to break naive quoting. */
static const char *const k_hostile[] = {
    "",
    " ",
    "\t",
    "a b",
    "a\tb",
    "\"",
    "\"\"",
    "\"\"\"",
    "a\"b",
    "\"a b\"",
    "\\",
    "\\\\",
    "a\\",
    "a\\\\",
    "a b\\",
    "a b\\\\",
    "C:\\Program Files\\",
    "\\\"",
    "\\\\\"",
    "\\\\\\\"",
    "a\\\"b",
    "a\\\\\"b c",
    "\" & calc.exe & \"",
    "x\" \"y",
    "%PATH%",
    "^&|<>()!",
    "line1\nline2",
    "\r\n",
    "\v",
    "tab\tand space ",
    " leading",
    "trailing ",
    "--flag=\"quoted value\"",
    "h\xc3\xa9llo w\xc3\xb6rld",          /* héllo wörld */
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xe3\x83\x86", /* 日本語 テ */
    "\xf0\x9f\x98\x80\"\\",                /* emoji, quote, backslash */
    "\\\\server\\share\\dir with space\\",
    "\\\\?\\C:\\very\\long\\",
};
#define N_HOSTILE (sizeof k_hostile / sizeof k_hostile[0])

static int argv_equal(const char *const *want, char **got) {
  size_t i = 0;
  for (; want[i] != NULL; i++)
    if (got[i] == NULL || strcmp(want[i], got[i]) != 0)
      return 0;
  return got[i] == NULL;
}

static void assert_round_trip(const char *const *argv) {
  char *line = NULL;
  char err[256] = "";
  int r = rf_win_cmdline_quote(argv, &line, err, sizeof err);
  CU_ASSERT_EQUAL_FATAL(r, 0);
  for (int rules = RF_WIN_PARSE_UCRT; rules <= RF_WIN_PARSE_LEGACY; rules++) {
    char **back = rf_win_cmdline_parse(line, (rf_win_parse_rules)rules);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    if (!argv_equal(argv, back)) {
      fprintf(stderr, "\nround trip failed (rules %d) for command line [%s]\n", rules, line);
      CU_FAIL("quote then parse did not give argv back");
    }
    rf_win_argv_free(back);
  }
  free(line);
}

static void test_each_hostile_argument_survives_quote_then_parse(void) {
  for (size_t i = 0; i < N_HOSTILE; i++) {
    const char *argv[] = {"C:\\bin\\prog.exe", k_hostile[i], NULL};
    assert_round_trip(argv);
    /* Also as neighbours of each other: separators must not leak between arguments. */
    const char *argv2[] = {"prog", k_hostile[i], k_hostile[(i + 1) % N_HOSTILE], "", k_hostile[i], NULL};
    assert_round_trip(argv2);
  }
}

static void test_all_hostile_arguments_in_one_command_line_survive(void) {
  const char *argv[N_HOSTILE + 2];
  argv[0] = "C:\\Program Files\\tool\\prog.exe";
  for (size_t i = 0; i < N_HOSTILE; i++)
    argv[i + 1] = k_hostile[i];
  argv[N_HOSTILE + 1] = NULL;
  assert_round_trip(argv);
}

/* xorshift: deterministic, so a failure reproduces. */
static uint32_t rng_next(uint32_t *s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

static void test_random_arguments_from_a_hostile_alphabet_survive(void) {
  static const char alphabet[] = {' ', '\t', '"', '\\', '\\', '\\', 'a', 'b', '\n', '%', '^', '&', (char)0xc3,
                                  (char)0xa9};
  uint32_t seed = 0x2545f491u;
  for (int iter = 0; iter < 5000; iter++) {
    char store[4][24];
    const char *argv[6] = {"prog.exe", NULL, NULL, NULL, NULL, NULL};
    int nargs = 1 + (int)(rng_next(&seed) % 4);
    for (int a = 0; a < nargs; a++) {
      size_t len = rng_next(&seed) % 20;
      for (size_t k = 0; k < len; k++)
        store[a][k] = alphabet[rng_next(&seed) % sizeof alphabet];
      store[a][len] = '\0';
      argv[a + 1] = store[a];
    }
    assert_round_trip(argv);
  }
}

static void test_quoting_produces_the_documented_encodings(void) {
  static const struct {
    const char *arg, *want;
  } cases[] = {
      {"plain", "plain"},
      {"", "\"\""},
      {"a b", "\"a b\""},
      {"a\\b", "a\\b"},                    /* backslashes not before a quote stay single */
      {"a\\\\b", "a\\\\b"},
      {"a\"b", "\"a\\\"b\""},              /* a quote gets one backslash */
      {"a\\\"b", "\"a\\\\\\\"b\""},        /* n backslashes before a quote become 2n+1 */
      {"dir with space\\", "\"dir with space\\\\\""}, /* trailing backslashes doubled before the closing quote */
      {"\\", "\\"},
      {"x\ny", "\"x\ny\""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *argv[] = {"p", cases[i].arg, NULL};
    char *line = NULL;
    CU_ASSERT_EQUAL_FATAL(rf_win_cmdline_quote(argv, &line, NULL, 0), 0);
    CU_ASSERT_STRING_EQUAL(line + 2, cases[i].want);
    free(line);
  }
}

static void test_program_name_with_spaces_is_quoted_without_escapes(void) {
  const char *argv[] = {"C:\\Program Files\\x\\", "a", NULL};
  char *line = NULL;
  CU_ASSERT_EQUAL_FATAL(rf_win_cmdline_quote(argv, &line, NULL, 0), 0);
  /* argv[0] has no escape rule: the trailing backslash stays single. */
  CU_ASSERT_STRING_EQUAL(line, "\"C:\\Program Files\\x\\\" a");
  char **back = rf_win_cmdline_parse(line, RF_WIN_PARSE_UCRT);
  CU_ASSERT_STRING_EQUAL(back[0], "C:\\Program Files\\x\\");
  CU_ASSERT_STRING_EQUAL(back[1], "a");
  CU_ASSERT_PTR_NULL(back[2]);
  rf_win_argv_free(back);
  free(line);
}

static void test_program_name_with_a_quote_or_empty_is_refused(void) {
  char *line = (char *)1;
  char err[256] = "";
  const char *q[] = {"C:\\a\"b.exe", NULL};
  CU_ASSERT_EQUAL(rf_win_cmdline_quote(q, &line, err, sizeof err), -EINVAL);
  CU_ASSERT_PTR_NULL(line);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "program name"));
  const char *e[] = {"", "x", NULL};
  CU_ASSERT_EQUAL(rf_win_cmdline_quote(e, &line, err, sizeof err), -EINVAL);
  const char *none[] = {NULL};
  CU_ASSERT_EQUAL(rf_win_cmdline_quote(none, &line, err, sizeof err), -EINVAL);
}

/* The parser itself follows the C runtime (examples from the Microsoft C docs). */
static void test_parser_matches_the_c_runtime_examples(void) {
  static const struct {
    const char *line;
    int rules;
    const char *want[5];
  } cases[] = {
      {"p \"a b c\" d e", RF_WIN_PARSE_UCRT, {"p", "a b c", "d", "e", NULL}},
      {"p \"ab\\\"c\" \"\\\\\" d", RF_WIN_PARSE_UCRT, {"p", "ab\"c", "\\", "d", NULL}},
      {"p a\\\\\\b d\"e f\"g h", RF_WIN_PARSE_UCRT, {"p", "a\\\\\\b", "de fg", "h", NULL}},
      {"p a\\\\\\\"b c d", RF_WIN_PARSE_UCRT, {"p", "a\\\"b", "c", "d", NULL}},
      {"p a\\\\\\\\\"b c\" d e", RF_WIN_PARSE_UCRT, {"p", "a\\\\b c", "d", "e", NULL}},
      {"p a\"b\"\" c d", RF_WIN_PARSE_UCRT, {"p", "ab\" c d", NULL}},
      {"p a\"b\"\" c d", RF_WIN_PARSE_LEGACY, {"p", "ab\"", "c", "d", NULL}},
      {"\"C:\\Program Files\\p.exe\" x", RF_WIN_PARSE_UCRT, {"C:\\Program Files\\p.exe", "x", NULL}},
      {"C:\\dir\\\\p.exe  \t ", RF_WIN_PARSE_UCRT, {"C:\\dir\\\\p.exe", NULL}},
      {"p \"\" \"\"", RF_WIN_PARSE_UCRT, {"p", "", "", NULL}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char **got = rf_win_cmdline_parse(cases[i].line, (rf_win_parse_rules)cases[i].rules);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    if (!argv_equal(cases[i].want, got)) {
      fprintf(stderr, "\nparse mismatch for [%s]\n", cases[i].line);
      CU_FAIL("parser disagrees with the C runtime example");
    }
    rf_win_argv_free(got);
  }
}

/* ---- Batch files ---- */

static void test_batch_files_are_recognised_however_spelled(void) {
  static const char *yes[] = {"x.bat", "C:\\a\\X.BAT", "x.Cmd", "x.bat.", "x.bat. . ", "x.cmd  ",
                              "x.bat::$DATA", "x.BAT::$data"};
  static const char *no[] = {"x.exe", "x.bat.exe", "batfile", "x.bats", "x.cmdx", "bat", "x.com", ""};
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
    CU_ASSERT_TRUE(rf_win_is_batch_file(yes[i]));
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
    CU_ASSERT_FALSE(rf_win_is_batch_file(no[i]));
}

static void test_batch_arguments_cmd_cannot_carry_are_refused(void) {
  static const char *bad[] = {"%PATH%", "50%", "a\"b", "\"", "line\nbreak", "cr\r", "\x01", "\x1a"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *argv[] = {"C:\\s\\build.bat", "ok", bad[i], NULL};
    char *line = (char *)1;
    char err[512] = "";
    CU_ASSERT_EQUAL(rf_win_cmdline_for_batch("C:\\Windows\\System32\\cmd.exe", argv, &line, err, sizeof err),
                    -EINVAL);
    CU_ASSERT_PTR_NULL(line);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "argument 2"));
  }
  /* The batch path itself is checked too. */
  const char *argv[] = {"C:\\100%\\build.bat", NULL};
  char *line = NULL;
  char err[512] = "";
  CU_ASSERT_EQUAL(rf_win_cmdline_for_batch("C:\\Windows\\System32\\cmd.exe", argv, &line, err, sizeof err),
                  -EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "batch file path"));
}

/* cmd.exe toggles "quoted" on every '"' and has no escape inside quotes, so
 * a metacharacter is harmless exactly when an odd number of quotes precede it
 * in the text after /c. */
static void test_batch_metacharacters_all_sit_inside_cmd_quotes(void) {
  static const char *args[] = {"a&b", "a|b", "<in", ">out", "^", "(x)", "!x!", "a b", "", "& calc",
                               "trail\\", "C:\\dir with space\\", "h\xc3\xa9"};
  const char *argv[16];
  argv[0] = "C:\\scripts\\my build.cmd";
  for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
    argv[i + 1] = args[i];
  argv[sizeof args / sizeof args[0] + 1] = NULL;

  char *line = NULL;
  char err[512] = "";
  const char *cmd = "C:\\Windows\\System32\\cmd.exe";
  CU_ASSERT_EQUAL_FATAL(rf_win_cmdline_for_batch(cmd, argv, &line, err, sizeof err), 0);
  const char *prefix = "\"C:\\Windows\\System32\\cmd.exe\" /d /e:on /v:off /s /c \"";
  CU_ASSERT_EQUAL_FATAL(strncmp(line, prefix, strlen(prefix)), 0);
  CU_ASSERT_EQUAL(line[strlen(line) - 1], '"');
  CU_ASSERT_PTR_NULL(strchr(line, '%'));
  CU_ASSERT_PTR_NULL(strchr(line, '\n'));

  /* /s strips the first and last quote; what is left is run as a command. */
  const char *inner = line + strlen(prefix);
  size_t inner_len = strlen(inner) - 1;
  int quoted = 0;
  for (size_t i = 0; i < inner_len; i++) {
    char c = inner[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (strchr("&|<>^()!", c) != NULL) {
      CU_ASSERT_TRUE(quoted);
    }
  }
  CU_ASSERT_FALSE(quoted);

  /* And the quoted tokens are exactly the arguments (trailing backslashes doubled). */
  size_t k = 0;
  const char *p = inner;
  while (p < inner + inner_len) {
    CU_ASSERT_EQUAL_FATAL(*p, '"');
    const char *end = strchr(p + 1, '"');
    CU_ASSERT_PTR_NOT_NULL_FATAL(end);
    char tok[128];
    snprintf(tok, sizeof tok, "%.*s", (int)(end - p - 1), p + 1);
    char want[128];
    size_t n = strlen(argv[k]), trailing = 0;
    while (trailing < n && argv[k][n - 1 - trailing] == '\\')
      trailing++;
    snprintf(want, sizeof want, "%s%.*s", argv[k], (int)trailing, "\\\\\\\\\\\\\\\\");
    CU_ASSERT_STRING_EQUAL(tok, want);
    k++;
    p = end + 1;
    if (*p == ' ')
      p++;
  }
  CU_ASSERT_EQUAL(k, sizeof args / sizeof args[0] + 1);
  free(line);
}

int test_windows_register_cmdline(void) {
  CU_pSuite s = CU_add_suite("windows command lines", NULL, NULL);
  if (s == NULL)
    return 1;
  return !CU_add_test(s, "each hostile argument survives quote then parse",
                      test_each_hostile_argument_survives_quote_then_parse) ||
         !CU_add_test(s, "all hostile arguments in one command line survive",
                      test_all_hostile_arguments_in_one_command_line_survive) ||
         !CU_add_test(s, "random arguments from a hostile alphabet survive",
                      test_random_arguments_from_a_hostile_alphabet_survive) ||
         !CU_add_test(s, "quoting produces the documented encodings",
                      test_quoting_produces_the_documented_encodings) ||
         !CU_add_test(s, "program name with spaces is quoted without escapes",
                      test_program_name_with_spaces_is_quoted_without_escapes) ||
         !CU_add_test(s, "program name with a quote or empty is refused",
                      test_program_name_with_a_quote_or_empty_is_refused) ||
         !CU_add_test(s, "parser matches the C runtime examples", test_parser_matches_the_c_runtime_examples) ||
         !CU_add_test(s, "batch files are recognised however spelled",
                      test_batch_files_are_recognised_however_spelled) ||
         !CU_add_test(s, "batch arguments cmd cannot carry are refused",
                      test_batch_arguments_cmd_cannot_carry_are_refused) ||
         !CU_add_test(s, "batch metacharacters all sit inside cmd quotes",
                      test_batch_metacharacters_all_sit_inside_cmd_quotes);
}
