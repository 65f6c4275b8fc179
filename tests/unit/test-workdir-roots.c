/* test-workdir-roots.c: CUnit claims about what may define the writable area: the working
 * directory (never a stand-in for one that is gone) and the rule for writable roots. */
#include "remove-tree.h"
#include <CUnit/Basic.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ringfence/ringfence.h>

#include "policy/writable-root-rule.h" /* rf_writable_root_refusal: the rule itself */

static char *scratch; /* a fresh, canonical directory per test, outside every refused place */

static void make_scratch(void) {
  rf_test_remove_tree(scratch); /* the previous test's */
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

/* ---- the writable-root rule ------------------------------------------------------ */

static gboolean refused(const char *root, const char *const *homes) {
  g_autofree char *why = rf_writable_root_refusal(root, homes);
  return why != NULL;
}

static void test_slash_and_parents_of_the_home_are_refused(void) {
  const char *const homes[] = {"/srv/users/alice", NULL};
  CU_ASSERT(refused("/", homes));
  CU_ASSERT(refused("/srv/users", homes));
  CU_ASSERT(refused("/srv", homes));
  CU_ASSERT(!refused("/srv/users/alice", homes)); /* the home itself: the user's own files */
  CU_ASSERT(!refused("/srv/users/alice/project", homes));
  CU_ASSERT(!refused("/srv/users/bob", homes));
  CU_ASSERT(!refused("/srv/user", homes)); /* a prefix of a name is not a parent */
  const char *const none[] = {NULL};
  CU_ASSERT(refused("/", none));
  CU_ASSERT(refused("/", NULL));
  g_autofree char *why = rf_writable_root_refusal("/srv/users", homes);
  CU_ASSERT(why && strstr(why, "/srv/users/alice"));
}

static void test_system_trees_are_refused_with_all_they_hold(void) {
  const char *const trees[] = {"/usr", "/usr/local/bin", "/usr/share/x", "/etc", "/etc/ssh",
                               "/bin", "/sbin", "/lib", "/lib64", "/lib/modules", "/boot",
                               "/dev", "/dev/shm", "/proc", "/proc/self", "/sys", "/sys/fs",
                               "/System/Library", "/private/etc", "/nix/store/abc", NULL};
  for (const char *const *t = trees; *t; t++) {
    if (!refused(*t, NULL))
      fprintf(stderr, "\n  allowed: %s\n", *t);
    CU_ASSERT(refused(*t, NULL));
  }
}

static void test_shared_parents_are_refused_but_not_what_lies_below(void) {
  const char *const parents[] = {"/home", "/Users", "/var", "/var/lib", "/var/cache", "/var/log",
                                 "/opt", "/srv", "/mnt", "/media", "/run", "/run/user", "/snap",
                                 "/nix", "/Volumes", "/Applications", "/Library", "/private",
                                 "/private/var", NULL};
  for (const char *const *p = parents; *p; p++) {
    if (!refused(*p, NULL))
      fprintf(stderr, "\n  allowed: %s\n", *p);
    CU_ASSERT(refused(*p, NULL));
  }
  const char *const fine[] = {"/tmp", "/tmp/x", "/var/tmp", "/var/tmp/myproj", "/private/tmp",
                              "/private/var/folders/ab/cd/T", "/home/alice/proj", "/opt/proj",
                              "/srv/app", "/mnt/data/repo", "/var/lib/jenkins/workspace/x",
                              "/run/user/1000/proj", "/usrx", "/etcetera", "/homework", "/home2",
                              "/devel/src", NULL};
  for (const char *const *f = fine; *f; f++) {
    if (refused(*f, NULL))
      fprintf(stderr, "\n  refused: %s\n", *f);
    CU_ASSERT(!refused(*f, NULL));
  }
}

/* A workspace-write policy in a fresh scratch directory, no /tmp, no $TMPDIR. */
static RfPolicy *workspace_policy(void) {
  make_scratch();
  RfPolicy *policy = rf_policy_new();
  rf_policy_set_mode(policy, RF_SANDBOX_WORKSPACE_WRITE);
  rf_policy_set_cwd(policy, scratch);
  rf_policy_set_tmpdir(policy, NULL);
  rf_policy_set_exclude_slash_tmp(policy, TRUE);
  return policy;
}

static void test_every_source_of_roots_passes_the_rule(void) {
  g_autoptr(RfPolicy) flag = workspace_policy();
  rf_policy_add_writable_root(flag, "/");
  assert_refused(flag, "--dangerously-allow-writable-root /");
  g_autoptr(RfPolicy) etc = workspace_policy();
  rf_policy_add_writable_root(etc, "/etc");
  assert_refused(etc, "system directory");
  g_autoptr(RfPolicy) cwd = workspace_policy();
  rf_policy_set_cwd(cwd, "/");
  assert_refused(cwd, "working directory '/'");
  g_autoptr(RfPolicy) tmpdir = workspace_policy();
  rf_policy_set_tmpdir(tmpdir, "/usr");
  assert_refused(tmpdir, "$TMPDIR '/usr'");
  /* A symbolic link to / is /. */
  g_autoptr(RfPolicy) link = workspace_policy();
  g_autofree char *to_slash = g_build_filename(scratch, "to-slash", NULL);
  CU_ASSERT_FATAL(symlink("/", to_slash) == 0);
  rf_policy_add_writable_root(link, to_slash);
  assert_refused(link, "is /, the whole host");
  /* Read-only mode makes no root of the working directory: / is fine there. */
  g_autoptr(RfPolicy) ro = rf_policy_new();
  rf_policy_set_cwd(ro, "/");
  g_autoptr(RfPlan) plan = rf_policy_resolve(ro, NULL);
  CU_ASSERT_PTR_NOT_NULL(plan);
}

static void test_a_parent_of_home_is_refused_and_the_home_allowed(void) {
  g_autoptr(RfPolicy) policy = workspace_policy();
  g_autofree char *home = g_build_filename(scratch, "users", "alice", NULL);
  g_mkdir_with_parents(home, 0755);
  g_autofree char *saved = g_strdup(g_getenv("HOME"));
  g_setenv("HOME", home, TRUE);
  g_autofree char *users = g_path_get_dirname(home);
  rf_policy_add_writable_root(policy, users);
  assert_refused(policy, "parent of your home directory");
  g_autoptr(RfPolicy) own = rf_policy_new();
  rf_policy_set_mode(own, RF_SANDBOX_WORKSPACE_WRITE);
  rf_policy_set_tmpdir(own, NULL);
  rf_policy_set_exclude_slash_tmp(own, TRUE);
  rf_policy_set_cwd(own, home);
  g_autoptr(RfPlan) plan = rf_policy_resolve(own, NULL);
  CU_ASSERT_PTR_NOT_NULL(plan);
  if (saved)
    g_setenv("HOME", saved, TRUE);
  else
    g_unsetenv("HOME");
}

static void test_the_dangerous_flag_lifts_the_rule_for_that_root_only(void) {
  g_autoptr(RfPolicy) policy = workspace_policy();
  rf_policy_add_writable_root(policy, "/etc");
  rf_policy_add_dangerous_writable_root(policy, "/etc");
  g_autoptr(GError) error = NULL;
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
  g_auto(GStrv) dangerous = rf_plan_get_dangerous_roots(plan);
  CU_ASSERT_EQUAL(g_strv_length(dangerous), 1);
  CU_ASSERT(g_str_has_prefix(dangerous[0], "/etc is /etc"));
  g_autoptr(GString) text = g_string_new(NULL);
  rf_plan_describe(plan, text);
  CU_ASSERT(strstr(text->str, "DANGEROUS: /etc") != NULL);
  /* Alone it makes the root too; it does not stretch to another refused root. */
  g_autoptr(RfPolicy) other = workspace_policy();
  rf_policy_add_dangerous_writable_root(other, "/etc");
  rf_policy_add_writable_root(other, "/usr");
  assert_refused(other, "/usr");
  g_autoptr(RfPolicy) alone = workspace_policy();
  rf_policy_add_dangerous_writable_root(alone, "/etc");
  g_autoptr(RfPlan) alone_plan = rf_policy_resolve(alone, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(alone_plan);
  CU_ASSERT_EQUAL(rf_plan_get_backend_policy(alone_plan)->n_writable_roots, 2);
  /* Not in read-only mode. */
  g_autoptr(RfPolicy) ro = workspace_policy();
  rf_policy_set_mode(ro, RF_SANDBOX_READ_ONLY);
  rf_policy_add_dangerous_writable_root(ro, "/etc");
  assert_refused(ro, "workspace-write");
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
  CU_pSuite rule = CU_add_suite("writable-root rule", NULL, NULL);
  CU_add_test(rule, "/ and the parents of the home are refused, the home itself is not",
              test_slash_and_parents_of_the_home_are_refused);
  CU_add_test(rule, "system trees are refused with everything they hold",
              test_system_trees_are_refused_with_all_they_hold);
  CU_add_test(rule, "shared parents (/home, /var, /opt ...) are refused, not what lies below",
              test_shared_parents_are_refused_but_not_what_lies_below);
  CU_add_test(rule, "every source of roots (cwd, --writable-root, $TMPDIR, a symlink) passes it",
              test_every_source_of_roots_passes_the_rule);
  CU_add_test(rule, "a parent of $HOME is refused, $HOME itself allowed",
              test_a_parent_of_home_is_refused_and_the_home_allowed);
  CU_add_test(rule, "--dangerously-allow-writable-root lifts the rule for that root only",
              test_the_dangerous_flag_lifts_the_rule_for_that_root_only);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures();
  if (scratch) {
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", scratch);
    (void)!system(cmd);
  }
  if (chdir("/") == 0)
    rf_test_remove_tree(scratch);
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
