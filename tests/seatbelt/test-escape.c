/* test-escape.c: hostile strings through the regex escaper, the display quoting and the input validators. */
#include "fixtures.h"

#include <CUnit/CUnit.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Does the ERE |re| (as generated) match |subject|? */
static int ere_matches(const char *re, const char *subject) {
  regex_t compiled;
  int r = regcomp(&compiled, re, REG_EXTENDED | REG_NOSUB);
  CU_ASSERT_EQUAL_FATAL(r, 0);
  int matched = regexec(&compiled, subject, 0, NULL, 0) == 0;
  regfree(&compiled);
  return matched;
}

static const char *const hostile_paths[] = {
    "/tmp/quote\"d",
    "/tmp/back\\slash",
    "/tmp/new\nline",
    "/tmp/tab\tand\rreturn",
    "/tmp/paren (1) [2] {3}",
    "/tmp/.*+?^$|",
    "/tmp/semi;colon #hash 'single'",
    ("/tmp/\xc3\xbcn\xc3\xaf\xc2\xa9\xc3\xb8" "d\xc3\xa9 \xe2\x9c\x93"),
    "/tmp/$(touch pwned)`id`",
    "/",
};

static void test_regex_matches_exactly_the_hostile_path_and_its_subtree(void) {
  char below[512], sibling[512];
  for (size_t i = 0; i < sizeof hostile_paths / sizeof *hostile_paths; i++) {
    const char *path = hostile_paths[i];
    char *subtree = rf_sbpl_path_regex(path, RF_REGEX_SUBTREE);
    char *exact = rf_sbpl_path_regex(path, RF_REGEX_EXACT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(subtree);
    CU_ASSERT_PTR_NOT_NULL_FATAL(exact);
    CU_ASSERT_TRUE(ere_matches(subtree, path));
    CU_ASSERT_TRUE(ere_matches(exact, path));
    snprintf(below, sizeof below, "%s", path);
    snprintf(below + (strcmp(path, "/") ? strlen(path) : 0), sizeof below - strlen(path), "/child");
    CU_ASSERT_TRUE(ere_matches(subtree, below));
    if (strcmp(path, "/") != 0) {
      CU_ASSERT_FALSE(ere_matches(exact, below));
      snprintf(sibling, sizeof sibling, "%sx", path);
      CU_ASSERT_FALSE(ere_matches(subtree, sibling));
      CU_ASSERT_FALSE(ere_matches(exact, sibling));
      /* What a metacharacter would have matched had it not been escaped. */
      CU_ASSERT_FALSE(ere_matches(subtree, "/tmp/x"));
      CU_ASSERT_FALSE(ere_matches(subtree, "/tmpXquote\"d"));
    }
    free(subtree);
    free(exact);
  }
}

static void test_regex_ignores_ascii_case_because_macos_volumes_do(void) {
  char *re = rf_sbpl_path_regex("/Users/dev/project/.git", RF_REGEX_SUBTREE);
  CU_ASSERT_TRUE(ere_matches(re, "/Users/dev/project/.git"));
  CU_ASSERT_TRUE(ere_matches(re, "/Users/dev/project/.GIT"));
  CU_ASSERT_TRUE(ere_matches(re, "/Users/dev/project/.Git/hooks/pre-commit"));
  CU_ASSERT_TRUE(ere_matches(re, "/USERS/DEV/PROJECT/.git/config"));
  CU_ASSERT_FALSE(ere_matches(re, "/Users/dev/project/.gitignore"));
  CU_ASSERT_FALSE(ere_matches(re, "/Users/dev/project/.git-rewrite"));
  CU_ASSERT_FALSE(ere_matches(re, "/Users/dev/project/xgit"));
  CU_ASSERT_FALSE(ere_matches(re, "/Users/dev/project/sub/.git"));
  CU_ASSERT_FALSE(ere_matches(re, "/Users/dev/project"));
  CU_ASSERT_FALSE(ere_matches(re, "/prefix/Users/dev/project/.git"));
  free(re);
}

static void test_regex_keeps_unicode_and_control_bytes_literal(void) {
  const char *path = "/tmp/\xc3\xa9t\xc3\xa9\n";
  char *re = rf_sbpl_path_regex(path, RF_REGEX_EXACT);
  CU_ASSERT_STRING_EQUAL(re, "^/[tT][mM][pP]/\xc3\xa9[tT]\xc3\xa9\n$");
  free(re);
  re = rf_sbpl_path_regex("/a.b(c)", RF_REGEX_EXACT);
  CU_ASSERT_STRING_EQUAL(re, "^/[aA]\\.[bB]\\([cC]\\)$");
  free(re);
}

/* What bash makes of |word| (bash understands $'...'). */
static char *bash_unquote(const char *word) {
  char script[4096];
  snprintf(script, sizeof script, "printf %%s %s", word);
  int out[2];
  CU_ASSERT_EQUAL_FATAL(pipe(out), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    execl("/bin/bash", "bash", "-c", script, (char *)NULL);
    _exit(127);
  }
  close(out[1]);
  char *buf = calloc(1, 4096);
  size_t len = 0;
  ssize_t n;
  while ((n = read(out[0], buf + len, 4095 - len)) > 0)
    len += (size_t)n;
  close(out[0]);
  int status;
  waitpid(pid, &status, 0);
  return buf;
}

static void test_display_quoting_round_trips_through_bash_on_one_line(void) {
  if (access("/bin/bash", X_OK) != 0) {
    CU_PASS("bash not installed: round trip skipped");
    return;
  }
  for (size_t i = 0; i < sizeof hostile_paths / sizeof *hostile_paths; i++) {
    char word[512];
    snprintf(word, sizeof word, "-DWRITABLE_ROOT_0=%s", hostile_paths[i]);
    char *quoted = rf_shell_quote(word);
    CU_ASSERT_PTR_NULL(strchr(quoted, '\n'));
    CU_ASSERT_PTR_NULL(strchr(quoted, '\r'));
    char *back = bash_unquote(quoted);
    CU_ASSERT_STRING_EQUAL(back, word);
    free(back);
    free(quoted);
  }
}

static void test_display_quoting_leaves_plain_words_alone(void) {
  char *q = rf_shell_quote("-DWRITABLE_ROOT_0=/Users/dev/project");
  CU_ASSERT_STRING_EQUAL(q, "-DWRITABLE_ROOT_0=/Users/dev/project");
  free(q);
  q = rf_shell_quote("");
  CU_ASSERT_STRING_EQUAL(q, "''");
  free(q);
  q = rf_shell_quote("it's");
  CU_ASSERT_STRING_EQUAL(q, "'it'\\''s'");
  free(q);
}

static void test_run_id_accepts_only_lowercase_digits_and_dashes(void) {
  CU_ASSERT_TRUE(rf_seatbelt_run_id_valid("golden-0001"));
  CU_ASSERT_TRUE(rf_seatbelt_run_id_valid("a"));
  CU_ASSERT_FALSE(rf_seatbelt_run_id_valid(NULL));
  CU_ASSERT_FALSE(rf_seatbelt_run_id_valid(""));
  CU_ASSERT_FALSE(rf_seatbelt_run_id_valid("ABC"));
  CU_ASSERT_FALSE(rf_seatbelt_run_id_valid("a b"));
  CU_ASSERT_FALSE(rf_seatbelt_run_id_valid("x\")(allow default"));
  CU_ASSERT_FALSE(rf_seatbelt_run_id_valid("a\nb"));
  char long_id[80];
  memset(long_id, 'a', 65);
  long_id[65] = '\0';
  CU_ASSERT_FALSE(rf_seatbelt_run_id_valid(long_id));
  long_id[64] = '\0';
  CU_ASSERT_TRUE(rf_seatbelt_run_id_valid(long_id));
}

static void test_paths_must_be_absolute_and_canonical(void) {
  CU_ASSERT_TRUE(rf_seatbelt_path_valid("/"));
  CU_ASSERT_TRUE(rf_seatbelt_path_valid("/a/b"));
  CU_ASSERT_TRUE(rf_seatbelt_path_valid("/a/.git"));
  CU_ASSERT_TRUE(rf_seatbelt_path_valid("/a/..b/...")); /* names, not dot components */
  CU_ASSERT_TRUE(rf_seatbelt_path_valid("/new\nline"));
  CU_ASSERT_FALSE(rf_seatbelt_path_valid(NULL));
  CU_ASSERT_FALSE(rf_seatbelt_path_valid(""));
  CU_ASSERT_FALSE(rf_seatbelt_path_valid("relative/path"));
  CU_ASSERT_FALSE(rf_seatbelt_path_valid("/a//b"));
  CU_ASSERT_FALSE(rf_seatbelt_path_valid("/a/"));
  CU_ASSERT_FALSE(rf_seatbelt_path_valid("/a/./b"));
  CU_ASSERT_FALSE(rf_seatbelt_path_valid("/a/../b"));
  CU_ASSERT_FALSE(rf_seatbelt_path_valid("/a/.."));
}

void add_escape_tests(void) {
  CU_pSuite s = CU_add_suite("seatbelt-escape", NULL, NULL);
  CU_add_test(s, "regex matches exactly the hostile path and its subtree",
              test_regex_matches_exactly_the_hostile_path_and_its_subtree);
  CU_add_test(s, "regex ignores ASCII case because macOS volumes do",
              test_regex_ignores_ascii_case_because_macos_volumes_do);
  CU_add_test(s, "regex keeps unicode and control bytes literal",
              test_regex_keeps_unicode_and_control_bytes_literal);
  CU_add_test(s, "display quoting round-trips through bash on one line",
              test_display_quoting_round_trips_through_bash_on_one_line);
  CU_add_test(s, "display quoting leaves plain words alone",
              test_display_quoting_leaves_plain_words_alone);
  CU_add_test(s, "run_id accepts only [a-z0-9-]", test_run_id_accepts_only_lowercase_digits_and_dashes);
  CU_add_test(s, "paths must be absolute and canonical", test_paths_must_be_absolute_and_canonical);
}
