/* test-workdir-roots.c: CUnit claims about what may define the writable area: the working
 * directory (never a stand-in for one that is gone) and the rule for writable roots. */
#include <CUnit/Basic.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ringfence/ringfence.h>

static char *scratch; /* a fresh, canonical directory per test, outside every refused place */

static void make_scratch(void) {
  g_free(scratch);
  g_autofree char *made = g_dir_make_tmp("rf-roots-XXXXXX", NULL);
  char *real = realpath(made, NULL);
  scratch = g_strdup(real);
  free(real);
}

/* Enters a directory, then removes it: the process's working directory no longer exists. */
static void enter_deleted_directory(void) {
  make_scratch();
  g_autofree char *gone = g_build_filename(scratch, "gone", NULL);
  CU_ASSERT_FATAL(g_mkdir(gone, 0755) == 0);
  CU_ASSERT_FATAL(chdir(gone) == 0);
  CU_ASSERT_FATAL(rmdir(gone) == 0);
}

static void leave(void) {
  CU_ASSERT(chdir("/") == 0);
}

static void assert_refused(RfPolicy *policy, const char *needle) {
  g_autoptr(GError) error = NULL;
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, &error);
  if (plan)
    fprintf(stderr, "\n  resolved, working directory %s\n",
            rf_plan_get_backend_policy(plan)->cwd);
  CU_ASSERT_PTR_NULL(plan);
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  CU_ASSERT(g_error_matches(error, RF_ERROR, RF_ERROR_CONFIG));
  CU_ASSERT_EQUAL(rf_error_exit_status(error), 125);
  if (!strstr(error->message, needle))
    fprintf(stderr, "\n  message lacks '%s': %s\n", needle, error->message);
  CU_ASSERT(strstr(error->message, needle) != NULL);
}

/* ---- the working directory ------------------------------------------------------ */

static void test_a_deleted_working_directory_is_refused_in_every_mode(void) {
  const rf_sandbox_mode modes[] = {RF_SANDBOX_WORKSPACE_WRITE, RF_SANDBOX_READ_ONLY,
                                   RF_SANDBOX_DANGER_FULL_ACCESS};
  for (guint i = 0; i < G_N_ELEMENTS(modes); i++) {
    enter_deleted_directory();
    g_autoptr(RfPolicy) policy = rf_policy_new();
    rf_policy_set_mode(policy, modes[i]);
    rf_policy_set_tmpdir(policy, NULL);
    assert_refused(policy, "no longer exists");
    leave();
  }
}

static void test_the_library_names_the_same_problem(void) {
  enter_deleted_directory();
  g_autoptr(GError) error = NULL;
  g_autofree char *cwd = rf_get_current_dir(&error);
  CU_ASSERT_PTR_NULL(cwd);
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  CU_ASSERT(strstr(error->message, "-C DIR") != NULL);
  leave();
}

static void test_a_relative_cd_from_a_deleted_directory_is_refused(void) {
  enter_deleted_directory();
  g_autoptr(RfPolicy) policy = rf_policy_new();
  rf_policy_set_cwd(policy, "."); /* "/." on a stand-in */
  assert_refused(policy, "absolute path");
  leave();
}

static void test_an_absolute_cd_from_a_deleted_directory_works(void) {
  enter_deleted_directory();
  g_autoptr(RfPolicy) policy = rf_policy_new();
  rf_policy_set_mode(policy, RF_SANDBOX_WORKSPACE_WRITE);
  rf_policy_set_tmpdir(policy, NULL);
  rf_policy_set_exclude_slash_tmp(policy, TRUE);
  rf_policy_set_cwd(policy, scratch);
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
  CU_ASSERT_STRING_EQUAL(rf_plan_get_backend_policy(plan)->cwd, scratch);
  leave();
}

static void test_an_empty_or_missing_cd_is_refused(void) {
  make_scratch();
  g_autoptr(RfPolicy) empty = rf_policy_new();
  rf_policy_set_cwd(empty, "");
  assert_refused(empty, "names no directory");
  g_autoptr(RfPolicy) missing = rf_policy_new();
  g_autofree char *nowhere = g_build_filename(scratch, "nowhere", NULL);
  rf_policy_set_cwd(missing, nowhere);
  assert_refused(missing, "nowhere");
}

static void test_a_relative_tmpdir_is_refused_not_guessed(void) {
  make_scratch();
  g_autoptr(RfPolicy) policy = rf_policy_new();
  rf_policy_set_mode(policy, RF_SANDBOX_WORKSPACE_WRITE);
  rf_policy_set_cwd(policy, scratch);
  rf_policy_set_exclude_slash_tmp(policy, TRUE);
  g_autofree char *sub = g_build_filename(scratch, "sub", NULL);
  g_mkdir(sub, 0755);
  rf_policy_set_tmpdir(policy, "sub");
  assert_refused(policy, "not an absolute path");
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS)
    return CU_get_error();
  CU_pSuite cwd = CU_add_suite("working directory", NULL, NULL);
  CU_add_test(cwd, "a deleted working directory is refused (125) in every mode, never /",
              test_a_deleted_working_directory_is_refused_in_every_mode);
  CU_add_test(cwd, "rf_get_current_dir names the same problem and the fix",
              test_the_library_names_the_same_problem);
  CU_add_test(cwd, "a relative -C from a deleted directory is refused",
              test_a_relative_cd_from_a_deleted_directory_is_refused);
  CU_add_test(cwd, "an absolute -C from a deleted directory works",
              test_an_absolute_cd_from_a_deleted_directory_works);
  CU_add_test(cwd, "an empty or missing -C is refused, naming it",
              test_an_empty_or_missing_cd_is_refused);
  CU_add_test(cwd, "a relative $TMPDIR is refused, not resolved against the cwd",
              test_a_relative_tmpdir_is_refused_not_guessed);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures();
  if (scratch) {
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", scratch);
    (void)!system(cmd);
  }
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
