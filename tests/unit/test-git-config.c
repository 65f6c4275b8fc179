/* test-git-config.c: CUnit claims about core/policy/git-config.c (git's config syntax) and core/util/safe-read.c. */
#include "policy/git-config.h"
#include "util/safe-read.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void add_entry(const char *file, const char *key, const char *value, gpointer data) {
  (void)file;
  g_string_append_printf(data, "%s=%s\n", key, value ? value : "(none)");
}

static char *parse(const char *text) {
  GString *out = g_string_new(NULL);
  rf_git_config_parse("test", text, strlen(text), add_entry, out);
  return g_string_free(out, FALSE);
}

static void expect(const char *text, const char *want) {
  g_autofree char *got = parse(text);
  if (strcmp(got, want) != 0)
    fprintf(stderr, "\n  config: %s\n  got:  %s\n  want: %s\n", text, got, want);
  CU_ASSERT_STRING_EQUAL(got, want);
}

static void test_keys_on_the_section_line_count(void) {
  expect("[core]hooksPath=.x\n", "core.hookspath=.x\n");
  expect("[include] path = a\n", "include.path=a\n");
}

static void test_sections_and_names_are_case_insensitive_subsections_not(void) {
  expect("[CoRe]\n\tHooksPATH = y\n", "core.hookspath=y\n");
  expect("[includeIf \"gitdir:~/Work/\"]\n  PATH = w.inc\n", "includeif.gitdir:~/Work/.path=w.inc\n");
  expect("[a \"q\\\"x\\\\\"]\nk=v\n", "a.q\"x\\.k=v\n");
  expect("[core.sub]\nk=v\n", "core.sub.k=v\n");
}

static void test_values_are_unquoted_unescaped_and_trimmed(void) {
  expect("[s]\nk = \"a;b\" ; comment\n", "s.k=a;b\n");
  expect("[s]\nk = v # comment\n", "s.k=v\n");
  expect("[s]\nk =   two  words   \n", "s.k=two  words\n");
  expect("[s]\nk = \" keep  \"\n", "s.k= keep  \n");
  expect("[s]\nk = a\\tb\\nc\\\\d\\\"e\n", "s.k=a\tb\nc\\d\"e\n");
  expect("[s]\nk = ab\\\ncd\n", "s.k=abcd\n");
  expect("[s]\r\nk = v\r\n", "s.k=v\n");
  expect("\xef\xbb\xbf[s]\nk=v", "s.k=v\n");
}

static void test_a_key_without_value_is_true(void) {
  expect("[s]\n\tflag\n\tother = 1\n", "s.flag=(none)\ns.other=1\n");
}

static void test_lines_git_rejects_are_skipped_and_parsing_goes_on(void) {
  expect("[s]\nk = \"open\n[include]\npath = x\n", "include.path=x\n");
  expect("[s]\nk = bad\\q\nj = ok\n", "s.j=ok\n");
  expect("[bad section\npath = x\n[include]\npath = y\n", "include.path=y\n");
  expect("k = before-any-section\n[s]\nk = v\n", "s.k=v\n");
  expect("[s]\n9k = v\nk # no equals\nj = w\n", "s.j=w\n");
}

static char *temp_dir(void) {
  char *dir = g_strdup("/var/tmp/rf-gitconfig-XXXXXX");
  CU_ASSERT_PTR_NOT_NULL_FATAL(g_mkdtemp(dir));
  return dir;
}

static void write_file(const char *dir, const char *name, const char *text) {
  g_autofree char *path = g_build_filename(dir, name, NULL);
  CU_ASSERT_TRUE(g_file_set_contents(path, text, -1, NULL));
}

static void remove_tree(const char *dir) {
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
  CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_includes_are_followed_relative_to_the_including_file(void) {
  g_autofree char *dir = temp_dir();
  g_autofree char *sub = g_build_filename(dir, "sub", NULL);
  CU_ASSERT_EQUAL(mkdir(sub, 0755), 0);
  write_file(dir, "config", "[include]\npath = sub/a\n[core]\nhooksPath = top\n");
  write_file(sub, "a", "[includeIf \"onbranch:x\"]\npath = b\n[core]\nhooksPath = a\n");
  write_file(sub, "b", "[core]\nhooksPath = b\n[include]\npath = missing\n");
  g_autofree char *config = g_build_filename(dir, "config", NULL);
  g_autoptr(GString) out = g_string_new(NULL);
  g_autoptr(GPtrArray) included = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  CU_ASSERT_TRUE(rf_git_config_read(config, add_entry, out, included, &error));
  /* git's order: a file's entries, an include's entries where the include stands. */
  CU_ASSERT_STRING_EQUAL(out->str, "include.path=sub/a\nincludeif.onbranch:x.path=b\n"
                                   "core.hookspath=b\ninclude.path=missing\ncore.hookspath=a\n"
                                   "core.hookspath=top\n");
  CU_ASSERT_EQUAL(included->len, 3);
  if (included->len == 3) {
    g_autofree char *missing = g_build_filename(sub, "missing", NULL);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(included, 2), missing);
  }
  remove_tree(dir);
}

static void test_include_chains_deeper_than_git_allows_are_refused(void) {
  g_autofree char *dir = temp_dir();
  for (int i = 0; i <= RF_GIT_INCLUDE_DEPTH + 1; i++) {
    g_autofree char *name = g_strdup_printf("c%d", i);
    g_autofree char *text = g_strdup_printf("[include]\npath = c%d\n", i + 1);
    write_file(dir, name, text);
  }
  g_autofree char *ok_start = g_strdup_printf("%s/c1", dir);
  g_autofree char *deep_start = g_strdup_printf("%s/c0", dir);
  g_autoptr(GString) out = g_string_new(NULL);
  g_autoptr(GError) error = NULL;
  /* c1 .. c11: 10 levels of includes below c1 (c12 does not exist). */
  CU_ASSERT_TRUE(rf_git_config_read(ok_start, add_entry, out, NULL, &error));
  CU_ASSERT_FALSE(rf_git_config_read(deep_start, add_entry, out, NULL, &error));
  CU_ASSERT_PTR_NOT_NULL(error ? strstr(error->message, "levels deep") : NULL);
  remove_tree(dir);
}

static void test_an_include_cycle_ends(void) {
  g_autofree char *dir = temp_dir();
  write_file(dir, "a", "[include]\npath = b\n");
  write_file(dir, "b", "[include]\npath = a\n");
  g_autofree char *a = g_build_filename(dir, "a", NULL);
  g_autoptr(GString) out = g_string_new(NULL);
  g_autoptr(GError) error = NULL;
  CU_ASSERT_TRUE(rf_git_config_read(a, add_entry, out, NULL, &error));
  remove_tree(dir);
}

static void test_safe_read_takes_regular_files_only(void) {
  g_autofree char *dir = temp_dir();
  g_autofree char *fifo = g_build_filename(dir, "fifo", NULL);
  g_autofree char *link = g_build_filename(dir, "link", NULL);
  g_autofree char *plain = g_build_filename(dir, "plain", NULL);
  g_autofree char *missing = g_build_filename(dir, "missing", NULL);
  CU_ASSERT_EQUAL(mkfifo(fifo, 0600), 0);
  CU_ASSERT_EQUAL(symlink("plain", link), 0);
  write_file(dir, "plain", "12345678");
  char *text = NULL;
  gsize len = 0;
  GError *error = NULL;
  CU_ASSERT_EQUAL(rf_safe_read_file(fifo, "f", 100, RF_READ_FOLLOW, &text, &len, &error), -EINVAL);
  CU_ASSERT_PTR_NOT_NULL(error ? strstr(error->message, "FIFO") : NULL);
  g_clear_error(&error);
  CU_ASSERT_EQUAL(rf_safe_read_file("/dev/zero", "f", 100, RF_READ_FOLLOW, &text, &len, &error),
                  -EINVAL);
  g_clear_error(&error);
  CU_ASSERT_EQUAL(rf_safe_read_file(dir, "f", 100, RF_READ_FOLLOW, &text, &len, &error), -EINVAL);
  g_clear_error(&error);
  CU_ASSERT_EQUAL(rf_safe_read_file(missing, "f", 100, RF_READ_FOLLOW, &text, &len, &error),
                  -ENOENT);
  g_clear_error(&error);
  CU_ASSERT_EQUAL(rf_safe_read_file(link, "f", 100, RF_READ_NOFOLLOW, &text, &len, &error),
                  -EINVAL);
  CU_ASSERT_PTR_NOT_NULL(error ? strstr(error->message, "symbolic link") : NULL);
  g_clear_error(&error);
  CU_ASSERT_EQUAL(rf_safe_read_file(plain, "f", 7, RF_READ_FOLLOW, &text, &len, &error), -EFBIG);
  CU_ASSERT_PTR_NOT_NULL(error ? strstr(error->message, "larger than 7 bytes") : NULL);
  g_clear_error(&error);
  CU_ASSERT_EQUAL(rf_safe_read_file(link, "f", 8, RF_READ_FOLLOW, &text, &len, &error), 0);
  CU_ASSERT_EQUAL(len, 8);
  CU_ASSERT_STRING_EQUAL(text, "12345678");
  g_free(text);
  /* A kernel file whose size says 0 is read to its end, bounded. */
  CU_ASSERT_EQUAL(rf_safe_read_file("/proc/self/status", "f", 1 << 20, RF_READ_FOLLOW, &text, &len,
                                    &error),
                  0);
  CU_ASSERT_TRUE(len > 0 && text && strstr(text, "Pid:") != NULL);
  g_free(text);
  CU_ASSERT_EQUAL(rf_safe_read_file("/proc/self/status", "f", 16, RF_READ_FOLLOW, &text, &len,
                                    &error),
                  -EFBIG);
  g_clear_error(&error);
  remove_tree(dir);
}

static void test_keys_that_run_programs_are_known(void) {
  CU_ASSERT_PTR_NOT_NULL(rf_git_key_runs_program("core.fsmonitor", "touch /tmp/x"));
  CU_ASSERT_PTR_NULL(rf_git_key_runs_program("core.fsmonitor", "false"));
  CU_ASSERT_PTR_NULL(rf_git_key_runs_program("core.fsmonitor", "true")); /* git's own daemon */
  CU_ASSERT_PTR_NOT_NULL(rf_git_key_runs_program("core.hookspath", ".husky"));
  CU_ASSERT_PTR_NOT_NULL(rf_git_key_runs_program("filter.lfs.process", "x"));
  CU_ASSERT_PTR_NULL(rf_git_key_runs_program("filter.process", "x"));
  CU_ASSERT_PTR_NOT_NULL(rf_git_key_runs_program("credential.helper", "store"));
  CU_ASSERT_PTR_NOT_NULL(rf_git_key_runs_program("credential.https://x.helper", "store"));
  CU_ASSERT_PTR_NOT_NULL(rf_git_key_runs_program("alias.st", "status"));
  CU_ASSERT_PTR_NOT_NULL(rf_git_key_runs_program("submodule.a.update", "!sh"));
  CU_ASSERT_PTR_NULL(rf_git_key_runs_program("submodule.a.update", "rebase"));
  CU_ASSERT_PTR_NULL(rf_git_key_runs_program("remote.origin.url", "/x"));
  CU_ASSERT_PTR_NULL(rf_git_key_runs_program("branch.main.remote", "origin"));
  CU_ASSERT_PTR_NULL(rf_git_key_runs_program("core.bare", "false"));
  CU_ASSERT_PTR_NULL(rf_git_key_runs_program("user.name", "x"));
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 1;
  CU_pSuite suite = CU_add_suite("git-config", NULL, NULL);
  CU_add_test(suite, "keys on the section's line count", test_keys_on_the_section_line_count);
  CU_add_test(suite, "sections and names are case-insensitive, subsections are not",
              test_sections_and_names_are_case_insensitive_subsections_not);
  CU_add_test(suite, "values are unquoted, unescaped and trimmed as git does",
              test_values_are_unquoted_unescaped_and_trimmed);
  CU_add_test(suite, "a key without a value is true", test_a_key_without_value_is_true);
  CU_add_test(suite, "lines git rejects are skipped and parsing goes on",
              test_lines_git_rejects_are_skipped_and_parsing_goes_on);
  CU_add_test(suite, "includes are followed relative to the including file, in git's order",
              test_includes_are_followed_relative_to_the_including_file);
  CU_add_test(suite, "include chains deeper than git allows are refused",
              test_include_chains_deeper_than_git_allows_are_refused);
  CU_add_test(suite, "an include cycle ends", test_an_include_cycle_ends);
  CU_add_test(suite, "safe reads take regular files only, bounded",
              test_safe_read_takes_regular_files_only);
  CU_add_test(suite, "keys that make git run a program are known, ordinary ones are not",
              test_keys_that_run_programs_are_known);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
