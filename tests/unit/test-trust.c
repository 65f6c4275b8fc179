/* test-trust.c: CUnit claims about which programs ringfence trusts to run (core/policy/trusted-program.c), on real files. */
#include "remove-tree.h"
#include <CUnit/Basic.h>
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ringfence/ringfence.h>

#include "policy/trusted-program.h"

/* Built twice: with RF_BWRAP_PATH "" (no distribution bwrap: PATH is searched) and with a
 * fixed path that a test creates (TRUST_FIXED_BWRAP). */

static char *base;  /* fixtures: outside /tmp, owned by us, mode 0755 */
static char *ws;    /* a workspace: an untrusted root */
static char *good;  /* a trusted directory holding programs */

static char *make_program(const char *dir, const char *name, mode_t mode) {
  char *path = g_build_filename(dir, name, NULL);
  CU_ASSERT_FATAL(g_file_set_contents(path, "#!/bin/sh\nexit 0\n", -1, NULL));
  CU_ASSERT_FATAL(chmod(path, mode) == 0);
  return path;
}

static char *make_dir(const char *parent, const char *name, mode_t mode) {
  char *path = g_build_filename(parent, name, NULL);
  CU_ASSERT_FATAL(g_mkdir_with_parents(path, 0755) == 0);
  CU_ASSERT_FATAL(chmod(path, mode) == 0);
  return path;
}

static int setup(void) {
  char tmpl[] = "/var/tmp/rf-trust-XXXXXX";
  if (!mkdtemp(tmpl) || chmod(tmpl, 0755) != 0)
    return 1;
  char *real = realpath(tmpl, NULL);
  base = g_strdup(real);
  free(real);
  ws = g_build_filename(base, "ws", NULL);
  good = g_build_filename(base, "good", NULL);
  g_mkdir(ws, 0755);
  g_mkdir(good, 0755);
  return 0;
}

static int teardown(void) {
  return rf_test_remove_tree(base) == 0 ? 0 : 1;
}

/* A trust with |ws| as an untrusted root and nothing else (not /var/tmp, where the fixtures live). */
static RfTrust *trust_for_test(void) {
  RfTrust *trust = rf_trust_new();
  /* rf_trust_new adds the working directory: the tests run from /. */
  rf_trust_add_root(trust, ws, NULL);
  return trust;
}

static void assert_refused(RfTrust *trust, const char *path, const char *needle) {
  g_autoptr(GError) error = NULL;
  g_autofree char *got = rf_trust_check_file(trust, NULL, path, "run", "FIX", &error);
  CU_ASSERT_PTR_NULL(got);
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  if (!strstr(error->message, needle) || !strstr(error->message, path))
    fprintf(stderr, "\n  message: %s\n  expected: %s\n", error->message, needle);
  CU_ASSERT(strstr(error->message, path) != NULL);
  CU_ASSERT(strstr(error->message, needle) != NULL);
  CU_ASSERT(strstr(error->message, "FIX") != NULL);
}

static void test_a_program_in_a_trusted_directory_is_trusted(void) {
  RfTrust *trust = trust_for_test();
  g_autofree char *prog = make_program(good, "prog", 0755);
  g_autoptr(GError) error = NULL;
  g_autofree char *got = rf_trust_check_file(trust, NULL, prog, "run", "FIX", &error);
  CU_ASSERT_STRING_EQUAL(got ? got : "", prog);
  rf_trust_free(trust);
}

static void test_a_program_below_a_writable_root_is_refused(void) {
  RfTrust *trust = trust_for_test();
  g_autofree char *bin = make_dir(ws, "node_modules/.bin", 0755);
  g_autofree char *prog = make_program(bin, "bwrap", 0755);
  assert_refused(trust, prog, ws);
  rf_trust_free(trust);
}

static void test_the_policy_writable_roots_count_too(void) {
  RfTrust *trust = rf_trust_new();
  g_autofree char *extra = make_dir(base, "extra", 0755);
  g_autofree char *prog = make_program(extra, "helper", 0755);
  rf_backend_root root = {.size = sizeof(root), .path = extra};
  rf_backend_policy policy = {.size = sizeof(policy), .writable_roots = &root,
                              .n_writable_roots = 1, .cwd = "/"};
  g_autoptr(GError) error = NULL;
  g_autofree char *got = rf_trust_check_file(trust, &policy, prog, "run", "FIX", &error);
  CU_ASSERT_PTR_NULL(got);
  CU_ASSERT(error && strstr(error->message, extra));
  rf_trust_free(trust);
}

static void test_a_symlink_through_a_writable_root_is_refused(void) {
  /* good/via -> ws/real -> good/target: the final file is trusted, but the link in
   * the workspace could be pointed anywhere. */
  RfTrust *trust = trust_for_test();
  g_autofree char *target = make_dir(good, "target", 0755);
  g_autofree char *prog = make_program(target, "prog", 0755);
  g_autofree char *in_ws = g_build_filename(ws, "real", NULL);
  g_autofree char *via = g_build_filename(good, "via", NULL);
  CU_ASSERT_FATAL(symlink(target, in_ws) == 0);
  CU_ASSERT_FATAL(symlink(in_ws, via) == 0);
  g_autofree char *path = g_build_filename(via, "prog", NULL);
  assert_refused(trust, path, in_ws);
  rf_trust_free(trust);
}

static void test_a_directory_writable_by_others_is_refused(void) {
  RfTrust *trust = trust_for_test();
  g_autofree char *open_dir = make_dir(base, "group-writable", 0775);
  g_autofree char *prog = make_program(open_dir, "prog", 0755);
  assert_refused(trust, prog, "writable by its group");
  g_autofree char *world = make_dir(base, "world-writable", 0777);
  g_autofree char *prog2 = make_program(world, "prog", 0755);
  assert_refused(trust, prog2, "writable by every user");
  rf_trust_free(trust);
}

static void test_a_sticky_directory_is_not_a_hole(void) {
  /* /var/tmp itself is 1777: what we own below it is ours. */
  RfTrust *trust = trust_for_test();
  g_autofree char *sticky = make_dir(base, "sticky", 01777);
  g_autofree char *prog = make_program(sticky, "prog", 0755);
  g_autoptr(GError) error = NULL;
  g_autofree char *got = rf_trust_check_file(trust, NULL, prog, "run", "FIX", &error);
  CU_ASSERT_PTR_NOT_NULL(got);
  rf_trust_free(trust);
}

static void test_a_program_writable_by_others_is_refused(void) {
  RfTrust *trust = trust_for_test();
  g_autofree char *prog = make_program(good, "loose", 0775);
  assert_refused(trust, prog, "writable by its group");
  g_autofree char *prog2 = make_program(good, "looser", 0757);
  assert_refused(trust, prog2, "writable by every user");
  rf_trust_free(trust);
}

static void test_a_program_owned_by_another_user_is_refused(void) {
  if (geteuid() != 0) {
    printf("\n    skipped: only root can give a file to another user\n");
    return;
  }
  RfTrust *trust = trust_for_test();
  g_autofree char *prog = make_program(good, "theirs", 0755);
  CU_ASSERT_FATAL(chown(prog, 4242, 4242) == 0);
  assert_refused(trust, prog, "owned by uid 4242");
  g_autofree char *dir = make_dir(base, "their-dir", 0755);
  CU_ASSERT_FATAL(chown(dir, 4242, 4242) == 0);
  g_autofree char *prog2 = make_program(dir, "prog", 0755);
  assert_refused(trust, prog2, "owned by uid 4242");
  rf_trust_free(trust);
}

static void test_a_relative_or_missing_program_is_refused(void) {
  RfTrust *trust = trust_for_test();
  g_autoptr(GError) error = NULL;
  CU_ASSERT_PTR_NULL(rf_trust_check_file(trust, NULL, "bin/prog", "run", "FIX", &error));
  CU_ASSERT(error && strstr(error->message, "not an absolute path"));
  g_clear_error(&error);
  g_autofree char *missing = g_build_filename(good, "absent", "prog", NULL);
  CU_ASSERT_PTR_NULL(rf_trust_check_file(trust, NULL, missing, "run", "FIX", &error));
  CU_ASSERT(error && g_error_matches(error, RF_ERROR, RF_ERROR_NOT_FOUND));
  rf_trust_free(trust);
}

/* ---- Finding bwrap ---------------------------------------------------------------- */

static void with_path(const char *path) {
  g_setenv("PATH", path, TRUE);
}

#ifndef TRUST_FIXED_BWRAP
static void test_the_first_path_hit_in_a_workspace_is_refused_not_skipped(void) {
  RfTrust *trust = trust_for_test();
  g_autofree char *bin = make_dir(ws, "path-bin", 0755);
  g_autofree char *evil = make_program(bin, "bwrap", 0755);
  g_autofree char *sys = make_dir(good, "sysbin", 0755);
  g_autofree char *real = make_program(sys, "bwrap", 0755);
  g_autofree char *path = g_strdup_printf("%s:%s", bin, sys);
  with_path(path);
  g_autoptr(GError) error = NULL;
  g_autofree char *got = rf_trust_find_program(trust, NULL, "bwrap", &error);
  CU_ASSERT_PTR_NULL(got);
  CU_ASSERT(error && strstr(error->message, evil) && strstr(error->message, "found on PATH"));
  /* With the workspace off PATH, the trusted one is found. */
  with_path(sys);
  g_clear_error(&error);
  g_autofree char *found = rf_trust_find_program(trust, NULL, "bwrap", &error);
  CU_ASSERT_STRING_EQUAL(found ? found : "", real);
  rf_trust_free(trust);
}

static void test_a_relative_path_entry_is_refused(void) {
  RfTrust *trust = rf_trust_new();
  g_autofree char *sys = make_dir(good, "relbin", 0755);
  g_autofree char *real = make_program(sys, "bwrap", 0755);
  g_autofree char *cwd = g_get_current_dir();
  CU_ASSERT_FATAL(chdir(sys) == 0);
  with_path(".");
  g_autoptr(GError) error = NULL;
  g_autofree char *got = rf_trust_find_program(trust, NULL, "bwrap", &error);
  CU_ASSERT_PTR_NULL(got);
  CU_ASSERT(error && strstr(error->message, "relative directory"));
  CU_ASSERT(chdir(cwd) == 0);
  rf_trust_free(trust);
}

static void test_no_bwrap_at_all_is_not_found(void) {
  RfTrust *trust = trust_for_test();
  with_path(ws);
  g_autoptr(GError) error = NULL;
  CU_ASSERT_PTR_NULL(rf_trust_find_program(trust, NULL, "bwrap", &error));
  CU_ASSERT(error && g_error_matches(error, RF_ERROR, RF_ERROR_NOT_FOUND));
  rf_trust_free(trust);
}
#else
static void test_the_build_time_bwrap_wins_over_path(void) {
  RfTrust *trust = trust_for_test();
  g_autofree char *bin = make_dir(ws, "path-bin2", 0755);
  g_autofree char *evil = make_program(bin, "bwrap", 0755);
  g_autofree char *dir = g_path_get_dirname(TRUST_FIXED_BWRAP);
  g_mkdir_with_parents(dir, 0755);
  g_autofree char *fixed = make_program(dir, "bwrap", 0755);
  with_path(bin);
  g_autoptr(GError) error = NULL;
  g_autofree char *got = rf_trust_find_program(trust, NULL, "bwrap", &error);
  CU_ASSERT_STRING_EQUAL(got ? got : "", TRUST_FIXED_BWRAP);
  /* A configured one comes first, and is checked like the rest. */
  rf_trust_set_bwrap(trust, evil);
  g_clear_error(&error);
  g_autofree char *configured = rf_trust_find_program(trust, NULL, "bwrap", &error);
  CU_ASSERT_PTR_NULL(configured);
  CU_ASSERT(error && strstr(error->message, "ringfence.bwrap") && strstr(error->message, ws));
  rf_trust_free(trust);
}
#endif

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS)
    return CU_get_error();
  CU_pSuite files = CU_add_suite("trusted files", setup, teardown);
  CU_add_test(files, "a program in a trusted directory is trusted",
              test_a_program_in_a_trusted_directory_is_trusted);
  CU_add_test(files, "a program below a writable root is refused",
              test_a_program_below_a_writable_root_is_refused);
  CU_add_test(files, "the policy's writable roots count too",
              test_the_policy_writable_roots_count_too);
  CU_add_test(files, "a symlink through a writable root is refused",
              test_a_symlink_through_a_writable_root_is_refused);
  CU_add_test(files, "a directory writable by group or others is refused",
              test_a_directory_writable_by_others_is_refused);
  CU_add_test(files, "a sticky directory (as /var/tmp) is not a hole",
              test_a_sticky_directory_is_not_a_hole);
  CU_add_test(files, "a program writable by group or others is refused",
              test_a_program_writable_by_others_is_refused);
  CU_add_test(files, "a program or directory owned by another user is refused",
              test_a_program_owned_by_another_user_is_refused);
  CU_add_test(files, "a relative or missing program is refused",
              test_a_relative_or_missing_program_is_refused);
#ifndef TRUST_FIXED_BWRAP
  CU_add_test(files, "the first PATH hit in a workspace is refused, not skipped",
              test_the_first_path_hit_in_a_workspace_is_refused_not_skipped);
  CU_add_test(files, "a relative PATH entry is refused", test_a_relative_path_entry_is_refused);
  CU_add_test(files, "no bwrap at all is 'not found'", test_no_bwrap_at_all_is_not_found);
#else
  CU_add_test(files, "the build-time bwrap wins over PATH; a configured one is checked too",
              test_the_build_time_bwrap_wins_over_path);
#endif
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
