/* test-core.c: CUnit tests of the core: policy resolution, protected paths, the loader, failing closed. */
#include "remove-tree.h"
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ringfence/ringfence.h>

static char *scratch; /* a fresh directory per test */

static void make_scratch(void) {
  rf_test_remove_tree(scratch); /* the previous test's */
  g_free(scratch);
  scratch = g_dir_make_tmp("rf-unit-XXXXXX", NULL);
  /* Canonical, since roots are compared after realpath(). */
  char *real = realpath(scratch, NULL);
  g_free(scratch);
  scratch = g_strdup(real);
  free(real);
}

static char *path_in(const char *relative) {
  return g_build_filename(scratch, relative, NULL);
}

static void write_file(const char *relative, const char *contents) {
  g_autofree char *path = path_in(relative);
  g_autofree char *dir = g_path_get_dirname(path);
  g_mkdir_with_parents(dir, 0755);
  CU_ASSERT_FATAL(g_file_set_contents(path, contents, -1, NULL));
}

static RfPolicy *workspace_policy(void) {
  RfPolicy *policy = rf_policy_new();
  rf_policy_set_mode(policy, RF_SANDBOX_WORKSPACE_WRITE);
  rf_policy_set_cwd(policy, scratch);
  rf_policy_set_tmpdir(policy, NULL);
  rf_policy_set_exclude_slash_tmp(policy, TRUE);
  return policy;
}

static gboolean root_listed(const rf_backend_policy *view, const char *path) {
  for (size_t i = 0; i < view->n_writable_roots; i++)
    if (g_str_equal(view->writable_roots[i].path, path))
      return TRUE;
  return FALSE;
}

static gboolean protected_listed(const rf_backend_policy *view, const char *path) {
  for (size_t i = 0; i < view->n_writable_roots; i++)
    for (size_t j = 0; j < view->writable_roots[i].n_protected; j++)
      if (g_str_equal(view->writable_roots[i].protected_paths[j], path))
        return TRUE;
  return FALSE;
}

/* ---- policy resolution ---------------------------------------------------- */

static void test_workspace_roots_are_cwd_tmp_and_tmpdir(void) {
  make_scratch();
  g_autofree char *tmpdir = path_in("tmpdir");
  g_mkdir(tmpdir, 0755);
  g_autoptr(RfPolicy) policy = workspace_policy();
  rf_policy_set_exclude_slash_tmp(policy, FALSE);
  rf_policy_set_tmpdir(policy, tmpdir);
  g_autoptr(GError) error = NULL;
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  char *real_tmp = realpath("/tmp", NULL);
  CU_ASSERT(root_listed(view, scratch));
  CU_ASSERT(root_listed(view, real_tmp));
  CU_ASSERT(root_listed(view, tmpdir));
  free(real_tmp);
}

static void test_exclude_flags_drop_tmp_and_tmpdir(void) {
  make_scratch();
  g_autofree char *tmpdir = path_in("tmpdir");
  g_mkdir(tmpdir, 0755);
  g_autoptr(RfPolicy) policy = workspace_policy();
  rf_policy_set_tmpdir(policy, tmpdir);
  rf_policy_set_exclude_slash_tmp(policy, TRUE);
  rf_policy_set_exclude_tmpdir_env_var(policy, TRUE);
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  CU_ASSERT_EQUAL(view->n_writable_roots, 1);
  CU_ASSERT(root_listed(view, scratch));
}

static void test_missing_root_is_an_error_naming_it(void) {
  make_scratch();
  g_autoptr(RfPolicy) policy = workspace_policy();
  rf_policy_add_writable_root(policy, "no-such-dir-here");
  g_autoptr(GError) error = NULL;
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, &error);
  CU_ASSERT_PTR_NULL(plan);
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  CU_ASSERT(g_error_matches(error, RF_ERROR, RF_ERROR_CONFIG));
  CU_ASSERT(strstr(error->message, "no-such-dir-here") != NULL);
  CU_ASSERT_EQUAL(rf_error_exit_status(error), 125);
}

static void test_symlinked_root_is_canonicalised(void) {
  make_scratch();
  g_autofree char *real = path_in("real");
  g_mkdir(real, 0755);
  /* The link lies outside every writable root (the scratch folder is the working directory,
   * one): nothing in the sandbox can swap it. */
  g_autofree char *elsewhere = g_dir_make_tmp("rf-unit-link-XXXXXX", NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(elsewhere);
  g_autofree char *link = g_build_filename(elsewhere, "link", NULL);
  CU_ASSERT_FATAL(symlink(real, link) == 0);
  g_autoptr(RfPolicy) policy = workspace_policy();
  rf_policy_add_writable_root(policy, link);
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, NULL);
  unlink(link);
  rmdir(elsewhere);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  CU_ASSERT(root_listed(view, real));
  CU_ASSERT(!root_listed(view, link));
}

static void test_root_through_a_swappable_link_is_refused(void) {
  make_scratch();
  g_autofree char *real = path_in("real");
  g_autofree char *sub = path_in("real/sub");
  g_autofree char *link = path_in("link"); /* inside the working directory, a writable root */
  g_mkdir(real, 0755);
  g_mkdir(sub, 0755);
  CU_ASSERT_FATAL(symlink(real, link) == 0);
  g_autoptr(RfPolicy) policy = workspace_policy();
  rf_policy_add_writable_root(policy, "link/sub");
  g_autoptr(GError) error = NULL;
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, &error);
  CU_ASSERT_PTR_NULL(plan);
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  CU_ASSERT(g_error_matches(error, RF_ERROR, RF_ERROR_CONFIG));
  CU_ASSERT(strstr(error->message, "goes through the symlink") != NULL);
  CU_ASSERT(strstr(error->message, link) != NULL);
  CU_ASSERT(strstr(error->message, sub) != NULL); /* the directory to name instead */
}

static void test_duplicate_roots_appear_once(void) {
  make_scratch();
  g_autoptr(RfPolicy) policy = workspace_policy();
  rf_policy_add_writable_root(policy, scratch);
  rf_policy_add_writable_root(policy, ".");
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
  CU_ASSERT_EQUAL(rf_plan_get_backend_policy(plan)->n_writable_roots, 1);
}

static void test_read_only_mode_has_no_writable_roots(void) {
  make_scratch();
  g_autoptr(RfPolicy) policy = workspace_policy();
  rf_policy_set_mode(policy, RF_SANDBOX_READ_ONLY);
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
  CU_ASSERT_EQUAL(rf_plan_get_backend_policy(plan)->n_writable_roots, 0);
  rf_policy_add_writable_root(policy, scratch);
  g_autoptr(GError) error = NULL;
  g_autoptr(RfPlan) refused = rf_policy_resolve(policy, &error);
  CU_ASSERT_PTR_NULL(refused);
  CU_ASSERT(error && strstr(error->message, "workspace-write"));
}

static void test_protected_names_are_listed_whether_or_not_they_exist(void) {
  make_scratch();
  write_file(".git/config", "[core]\n");
  g_autoptr(RfPolicy) policy = workspace_policy();
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  const char *names[] = {".git", ".agents", ".codex", ".ringfence", ".envrc", ".mcp.json",
                         ".vscode", ".idea", ".aws"};
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autofree char *path = path_in(names[i]);
    CU_ASSERT(protected_listed(view, path));
  }
}

static void test_git_file_gitdir_target_is_protected(void) {
  make_scratch();
  write_file("main/.git/worktrees/wt/commondir", "../..\n");
  write_file("wt/.git", "gitdir: ../main/.git/worktrees/wt\n");
  g_autofree char *wt = path_in("wt");
  g_autoptr(RfPolicy) policy = workspace_policy();
  rf_policy_set_cwd(policy, wt);
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  g_autofree char *gitdir = path_in("main/.git/worktrees/wt");
  g_autofree char *common = path_in("main/.git");
  g_autofree char *dotgit = path_in("wt/.git");
  CU_ASSERT(protected_listed(view, dotgit));
  CU_ASSERT(protected_listed(view, gitdir));
  CU_ASSERT(protected_listed(view, common));
}

static void test_core_hookspath_directory_is_protected(void) {
  make_scratch();
  write_file(".git/config", "[core]\n\tbare = false\n[core]\n\thooksPath = \".husky\"\n");
  g_autoptr(RfPolicy) policy = workspace_policy();
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
  g_autofree char *husky = path_in(".husky");
  CU_ASSERT(protected_listed(rf_plan_get_backend_policy(plan), husky));
}

static void test_naming_a_protected_path_as_root_unprotects_it(void) {
  make_scratch();
  write_file(".git/config", "[core]\n");
  g_autofree char *dotgit = path_in(".git");
  g_autoptr(RfPolicy) policy = workspace_policy();
  rf_policy_add_writable_root(policy, dotgit);
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  CU_ASSERT(root_listed(view, dotgit));
  CU_ASSERT(!protected_listed(view, dotgit));
}

static void test_custom_protected_names_replace_defaults(void) {
  make_scratch();
  const char *names[] = {"secrets", NULL};
  g_autoptr(RfPolicy) policy = workspace_policy();
  rf_policy_set_protected_names(policy, names);
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  g_autofree char *secrets = path_in("secrets");
  g_autofree char *dotgit = path_in(".git");
  CU_ASSERT(protected_listed(view, secrets));
  CU_ASSERT(!protected_listed(view, dotgit));
}

static void test_proxy_network_resolves_with_its_settings(void) {
  make_scratch();
  g_autoptr(RfPolicy) policy = workspace_policy();
  rf_policy_set_network(policy, RF_NETWORK_PROXY);
  rf_policy_add_allowed_domain(policy, "*.example.com");
  rf_policy_add_proxy_resolve(policy, "a.example.com:192.0.2.1");
  g_autoptr(GError) error = NULL;
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, &error);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  CU_ASSERT_EQUAL(view->network, RF_NETWORK_PROXY);
  CU_ASSERT_TRUE(view->required & RF_CAP_PROXY_ONLY);
  /* The route is made at launch: no descriptor yet (never 0, stdin). */
  CU_ASSERT_EQUAL(view->proxy_accept_fd, -1);
  for (const char *const *e = view->envp; *e; e++)
    CU_ASSERT_FALSE(g_str_has_prefix(*e, "RINGFENCE_SANDBOX_NETWORK_DISABLED="));
}

static void test_proxy_settings_need_network_proxy(void) {
  make_scratch();
  g_autoptr(RfPolicy) policy = workspace_policy();
  rf_policy_add_allowed_domain(policy, "example.com");
  g_autoptr(GError) error = NULL;
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, &error);
  CU_ASSERT_PTR_NULL(plan);
  CU_ASSERT(error && strstr(error->message, "--network proxy"));
  g_autoptr(RfPolicy) bad = workspace_policy();
  rf_policy_set_network(bad, RF_NETWORK_PROXY);
  rf_policy_add_proxy_resolve(bad, "no-address");
  g_autoptr(GError) error2 = NULL;
  g_autoptr(RfPlan) none = rf_policy_resolve(bad, &error2);
  CU_ASSERT_PTR_NULL(none);
  CU_ASSERT(error2 && strstr(error2->message, "HOST:ADDRESS"));
}

static void test_protected_subpaths_required_only_when_one_exists(void) {
  make_scratch();
  g_autoptr(RfPolicy) policy = workspace_policy();
  g_autoptr(RfPlan) empty = rf_policy_resolve(policy, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(empty);
  CU_ASSERT_FALSE(rf_plan_get_backend_policy(empty)->required & RF_CAP_PROTECTED_SUBPATHS);
  write_file(".envrc", "export X=1\n");
  g_autoptr(RfPlan) with_envrc = rf_policy_resolve(policy, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(with_envrc);
  CU_ASSERT(rf_plan_get_backend_policy(with_envrc)->required & RF_CAP_PROTECTED_SUBPATHS);
}

static void test_network_off_requires_network_and_socket_guarantees(void) {
  make_scratch();
  g_autoptr(RfPolicy) policy = workspace_policy();
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
  guint64 required = rf_plan_get_backend_policy(plan)->required;
  CU_ASSERT(required & RF_CAP_NETWORK_OFF);
  CU_ASSERT(required & RF_CAP_HOST_UNIX_SOCKETS);
  rf_policy_set_network(policy, RF_NETWORK_ON);
  g_autoptr(RfPlan) open_plan = rf_policy_resolve(policy, NULL);
  CU_ASSERT_FALSE(rf_plan_get_backend_policy(open_plan)->required & RF_CAP_NETWORK_OFF);
}

static void test_environment_marks_network_disabled(void) {
  make_scratch();
  const char *env[] = {"PATH=/usr/bin:/bin", "HOME=/home/x", NULL};
  g_autoptr(RfPolicy) policy = workspace_policy();
  rf_policy_set_environ(policy, env);
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
  const char *const *envp = rf_plan_get_backend_policy(plan)->envp;
  gboolean marked = FALSE, home = FALSE;
  for (; *envp; envp++) {
    marked |= g_str_equal(*envp, "RINGFENCE_SANDBOX_NETWORK_DISABLED=1");
    home |= g_str_equal(*envp, "HOME=/home/x");
  }
  CU_ASSERT(marked);
  CU_ASSERT(home);
}

static void test_pass_fd_must_be_open_and_above_2(void) {
  make_scratch();
  g_autoptr(RfPolicy) policy = workspace_policy();
  rf_policy_add_pass_fd(policy, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, &error);
  CU_ASSERT_PTR_NULL(plan);
  g_autoptr(RfPolicy) closed = workspace_policy();
  rf_policy_add_pass_fd(closed, 987);
  g_autoptr(GError) error2 = NULL;
  g_autoptr(RfPlan) plan2 = rf_policy_resolve(closed, &error2);
  CU_ASSERT_PTR_NULL(plan2);
  CU_ASSERT(error2 && strstr(error2->message, "987"));
}

static void test_command_resolution_maps_to_126_and_127(void) {
  make_scratch();
  write_file("plain", "echo\n");
  g_autofree char *plain = path_in("plain");
  chmod(plain, 0644);
  g_autoptr(RfPolicy) policy = workspace_policy();
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, NULL);
  g_autoptr(GError) e1 = NULL, e2 = NULL;
  g_autofree char *missing = rf_command_resolve(plan, "no-such-command-xyz", &e1);
  CU_ASSERT_PTR_NULL(missing);
  CU_ASSERT_EQUAL(rf_error_exit_status(e1), 127);
  if (geteuid() != 0) {
    g_autofree char *not_exec = rf_command_resolve(plan, plain, &e2);
    CU_ASSERT_PTR_NULL(not_exec);
    CU_ASSERT_EQUAL(rf_error_exit_status(e2), 126);
  }
  g_autofree char *sh = rf_command_resolve(plan, "sh", NULL);
  CU_ASSERT_PTR_NOT_NULL(sh);
}

/* ---- the loader ------------------------------------------------------------ */

static void test_wrong_abi_plugin_is_refused_naming_file_and_versions(void) {
  g_autoptr(RfLoader) loader = rf_loader_new(TEST_EMPTY_DIR, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(loader);
  g_autoptr(GError) error = NULL;
  CU_ASSERT_PTR_NULL(rf_loader_load_file(loader, TEST_PLUGIN_DIR "/rf-backend-wrongabi.so", &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  CU_ASSERT(strstr(error->message, "rf-backend-wrongabi.so") != NULL);
  CU_ASSERT(strstr(error->message, "ABI 42") != NULL);
  CU_ASSERT(strstr(error->message, "ABI 1") != NULL);
}

static void test_plugin_without_entry_symbol_is_refused(void) {
  g_autoptr(RfLoader) loader = rf_loader_new(TEST_EMPTY_DIR, NULL);
  g_autoptr(GError) error = NULL;
  CU_ASSERT_PTR_NULL(rf_loader_load_file(loader, TEST_PLUGIN_DIR "/rf-backend-nosymbol.so", &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  CU_ASSERT(strstr(error->message, "rf-backend-nosymbol.so") != NULL);
  CU_ASSERT(strstr(error->message, "rf_backend_entry") != NULL);
}

static void test_broken_plugin_file_is_refused(void) {
  /* Not below /tmp: a plugin there is refused before it is opened (trusted-program.c). */
  char dir[] = "/var/tmp/rf-unit-plugin-XXXXXX";
  CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
  g_autofree char *broken = g_build_filename(dir, "rf-backend-broken.so", NULL);
  CU_ASSERT_FATAL(g_file_set_contents(broken, "this is not an ELF file\n", -1, NULL));
  g_autoptr(RfLoader) loader = rf_loader_new(dir, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(loader);
  GPtrArray *failures = rf_loader_get_failures(loader);
  CU_ASSERT_EQUAL_FATAL(failures->len, 1);
  const char *message = g_ptr_array_index(failures, 0);
  CU_ASSERT(strstr(message, broken) != NULL);
  CU_ASSERT(strstr(message, "cannot be loaded") != NULL);
  CU_ASSERT_EQUAL(rf_loader_get_backends(loader)->len, 0);
  g_unlink(broken);
  g_rmdir(dir);
}

static void test_a_plugin_below_a_writable_root_is_refused_unopened(void) {
  make_scratch(); /* below /tmp */
  g_autofree char *copy = path_in("rf-backend-fake.so");
  g_autofree char *contents = NULL;
  gsize len = 0;
  CU_ASSERT_FATAL(g_file_get_contents(TEST_PLUGIN_DIR "/rf-backend-fake.so", &contents, &len, NULL));
  CU_ASSERT_FATAL(g_file_set_contents(copy, contents, (gssize)len, NULL));
  g_autoptr(RfLoader) loader = rf_loader_new(scratch, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(loader);
  GPtrArray *failures = rf_loader_get_failures(loader);
  CU_ASSERT_EQUAL_FATAL(failures->len, 1);
  const char *message = g_ptr_array_index(failures, 0);
  CU_ASSERT(strstr(message, copy) != NULL);
  CU_ASSERT(strstr(message, "where a sandboxed command may write") != NULL);
  CU_ASSERT_EQUAL(rf_loader_get_backends(loader)->len, 0);
}

static void test_unreadable_plugin_directory_is_an_error(void) {
  g_autoptr(GError) error = NULL;
  g_autoptr(RfLoader) loader = rf_loader_new("/nonexistent/ringfence/backends", &error);
  CU_ASSERT_PTR_NULL(loader);
  CU_ASSERT(error && strstr(error->message, "RINGFENCE_BACKEND_DIR"));
}

static void test_good_plugin_loads_and_probes(void) {
  unsetenv("RF_FAKE_UNUSABLE");
  g_autoptr(RfLoader) loader = rf_loader_new(TEST_PLUGIN_DIR, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(loader);
  RfBackend *fake = rf_loader_get(loader, "fake");
  CU_ASSERT_PTR_NOT_NULL_FATAL(fake);
  CU_ASSERT(rf_backend_probe(fake)->usable);
  /* The refused ones are remembered with their reason, not fatal. */
  CU_ASSERT(rf_loader_get_failures(loader)->len >= 2);
}

static void test_explicit_unusable_backend_says_why_and_remedy(void) {
  setenv("RF_FAKE_UNUSABLE", "1", 1);
  g_autoptr(RfLoader) loader = rf_loader_new(TEST_PLUGIN_DIR, NULL);
  g_autoptr(GError) error = NULL;
  CU_ASSERT_PTR_NULL(rf_loader_select(loader, "fake", NULL, NULL, &error));
  CU_ASSERT(error && strstr(error->message, "the fake says no") &&
            strstr(error->message, "unset RF_FAKE_UNUSABLE"));
  g_autoptr(GError) error2 = NULL;
  CU_ASSERT_PTR_NULL(rf_loader_select(loader, "auto", NULL, NULL, &error2));
  CU_ASSERT(error2 && strstr(error2->message, "no sandbox backend can run here"));
  g_autoptr(GError) error3 = NULL;
  CU_ASSERT_PTR_NULL(rf_loader_select(loader, "nonesuch", NULL, NULL, &error3));
  CU_ASSERT(error3 && strstr(error3->message, "nonesuch"));
  unsetenv("RF_FAKE_UNUSABLE");
}

static void test_missing_guarantees_fail_closed_one_line_each(void) {
  make_scratch();
  write_file(".git/config", "[core]\n");
  setenv("RF_FAKE_CAPS", "1", 1); /* write-confined only */
  g_autoptr(RfLoader) loader = rf_loader_new(TEST_PLUGIN_DIR, NULL);
  RfBackend *fake = rf_loader_get(loader, "fake");
  CU_ASSERT_PTR_NOT_NULL_FATAL(fake);
  g_autoptr(RfPolicy) policy = workspace_policy();
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, NULL);
  g_autoptr(GError) error = NULL;
  CU_ASSERT_FALSE(rf_plan_check_backend(plan, fake, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  CU_ASSERT(g_error_matches(error, RF_ERROR, RF_ERROR_UNSUPPORTED));
  CU_ASSERT(strstr(error->message, "not enforced: protected-subpaths") != NULL);
  CU_ASSERT(strstr(error->message, "not enforced: network-off") != NULL);
  CU_ASSERT(strstr(error->message, "--allow-degraded") != NULL);
  CU_ASSERT(strstr(error->message, "not enforced: write-confined") == NULL);

  rf_policy_set_allow_degraded(policy, TRUE);
  g_autoptr(RfPlan) degraded = rf_policy_resolve(policy, NULL);
  CU_ASSERT(rf_plan_check_backend(degraded, fake, NULL));
  CU_ASSERT(rf_plan_get_degraded(degraded) & RF_CAP_PROTECTED_SUBPATHS);
  CU_ASSERT_FALSE(rf_plan_get_degraded(degraded) & RF_CAP_WRITE_CONFINED);
  unsetenv("RF_FAKE_CAPS");
}

static void test_render_collects_sections(void) {
  make_scratch();
  g_autoptr(RfLoader) loader = rf_loader_new(TEST_PLUGIN_DIR, NULL);
  RfBackend *fake = rf_loader_get(loader, "fake");
  g_autoptr(RfPolicy) policy = workspace_policy();
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, NULL);
  const char *argv[] = {"make", NULL};
  g_autoptr(GPtrArray) sections = NULL;
  CU_ASSERT_FATAL(rf_backend_render(fake, plan, argv, &sections, NULL));
  CU_ASSERT_EQUAL(sections->len, 1);
  GPtrArray *plan_lines = g_ptr_array_index(sections, 0);
  CU_ASSERT_STRING_EQUAL(g_ptr_array_index(plan_lines, 0), "plan");
  CU_ASSERT_STRING_EQUAL(g_ptr_array_index(plan_lines, 2), "make");
}

static void collect_setup_line(gpointer data, const char *section, const char *line) {
  g_string_append_printf(data, "%s: %s\n", section, line);
}

static void test_a_plugin_from_before_setup_loads_and_has_no_setup_step(void) {
  unsetenv("RF_FAKE_UNUSABLE");
  g_autoptr(RfLoader) loader = rf_loader_new(TEST_PLUGIN_DIR, NULL);
  RfBackend *old = rf_loader_get(loader, "fake-old");
  CU_ASSERT_PTR_NOT_NULL_FATAL(old);
  CU_ASSERT_EQUAL(rf_backend_get_vtable(old)->size, RF_BACKEND_MIN_SIZE);
  CU_ASSERT(rf_backend_probe(old)->usable);
  CU_ASSERT_FALSE(rf_backend_has_setup(old));
  g_autoptr(GString) lines = g_string_new("");
  g_autoptr(GError) error = NULL;
  CU_ASSERT_FALSE(rf_backend_setup(old, RF_SETUP_DRY_RUN, collect_setup_line, lines, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  CU_ASSERT_TRUE(g_error_matches(error, RF_ERROR, RF_ERROR_UNSUPPORTED));
  CU_ASSERT_STRING_EQUAL(error->message, "backend fake-old has no setup step");
  CU_ASSERT_STRING_EQUAL(lines->str, ""); /* the pointer past its size was never called */
}

static void test_a_plugin_with_setup_gets_flags_and_reports_its_lines(void) {
  unsetenv("RF_FAKE_SETUP_DENIED");
  g_autoptr(RfLoader) loader = rf_loader_new(TEST_PLUGIN_DIR, NULL);
  RfBackend *fake = rf_loader_get(loader, "fake");
  CU_ASSERT_PTR_NOT_NULL_FATAL(fake);
  CU_ASSERT_TRUE(rf_backend_has_setup(fake));
  g_autoptr(GString) lines = g_string_new("");
  CU_ASSERT_TRUE(rf_backend_setup(fake, RF_SETUP_DRY_RUN, collect_setup_line, lines, NULL));
  CU_ASSERT_STRING_EQUAL(lines->str, "plan: add the fake item\n");
  g_string_truncate(lines, 0);
  CU_ASSERT_TRUE(rf_backend_setup(fake, RF_SETUP_REMOVE, collect_setup_line, lines, NULL));
  CU_ASSERT_STRING_EQUAL(lines->str, "plan: remove the fake item\nprogress: fake item removed\n");
  setenv("RF_FAKE_SETUP_DENIED", "1", 1);
  g_autoptr(GError) error = NULL;
  CU_ASSERT_FALSE(rf_backend_setup(fake, 0, collect_setup_line, lines, &error));
  CU_ASSERT(error && strstr(error->message, "needs root"));
  unsetenv("RF_FAKE_SETUP_DENIED");
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS)
    return CU_get_error();
  CU_pSuite policy = CU_add_suite("policy resolution", NULL, NULL);
  CU_add_test(policy, "workspace-write roots are cwd, /tmp and $TMPDIR",
              test_workspace_roots_are_cwd_tmp_and_tmpdir);
  CU_add_test(policy, "exclude flags drop /tmp and $TMPDIR", test_exclude_flags_drop_tmp_and_tmpdir);
  CU_add_test(policy, "a missing root is an error naming it", test_missing_root_is_an_error_naming_it);
  CU_add_test(policy, "a symlinked root is canonicalised", test_symlinked_root_is_canonicalised);
  CU_add_test(policy, "a root through a link inside a writable root is refused",
              test_root_through_a_swappable_link_is_refused);
  CU_add_test(policy, "duplicate roots appear once", test_duplicate_roots_appear_once);
  CU_add_test(policy, "read-only mode has no writable roots, and refuses extra ones",
              test_read_only_mode_has_no_writable_roots);
  CU_add_test(policy, "protected names are listed whether or not they exist",
              test_protected_names_are_listed_whether_or_not_they_exist);
  CU_add_test(policy, "a .git file's gitdir and commondir are protected",
              test_git_file_gitdir_target_is_protected);
  CU_add_test(policy, "the core.hooksPath directory (husky's .husky) is protected",
              test_core_hookspath_directory_is_protected);
  CU_add_test(policy, "naming a protected path as a writable root unprotects it",
              test_naming_a_protected_path_as_root_unprotects_it);
  CU_add_test(policy, "custom protected names replace the defaults",
              test_custom_protected_names_replace_defaults);
  CU_add_test(policy, "network proxy resolves with its settings", test_proxy_network_resolves_with_its_settings);
  CU_add_test(policy, "proxy settings need --network proxy, and a well-formed --resolve", test_proxy_settings_need_network_proxy);
  CU_add_test(policy, "protected-subpaths is required only when a protected path exists",
              test_protected_subpaths_required_only_when_one_exists);
  CU_add_test(policy, "network off requires network-off and host-unix-sockets",
              test_network_off_requires_network_and_socket_guarantees);
  CU_add_test(policy, "the environment marks a disabled network",
              test_environment_marks_network_disabled);
  CU_add_test(policy, "--pass-fd must be open and above 2", test_pass_fd_must_be_open_and_above_2);
  CU_add_test(policy, "command resolution maps to 126 and 127",
              test_command_resolution_maps_to_126_and_127);
  CU_pSuite loader = CU_add_suite("loader", NULL, NULL);
  CU_add_test(loader, "a wrong-ABI plugin is refused, naming the file and both versions",
              test_wrong_abi_plugin_is_refused_naming_file_and_versions);
  CU_add_test(loader, "a plugin without the entry symbol is refused",
              test_plugin_without_entry_symbol_is_refused);
  CU_add_test(loader, "a broken plugin file is refused, naming it", test_broken_plugin_file_is_refused);
  CU_add_test(loader, "a plugin below a writable root (/tmp) is refused before it is opened",
              test_a_plugin_below_a_writable_root_is_refused_unopened);
  CU_add_test(loader, "an unreadable plugin directory is an error",
              test_unreadable_plugin_directory_is_an_error);
  CU_add_test(loader, "a good plugin loads and probes", test_good_plugin_loads_and_probes);
  CU_add_test(loader, "an unusable explicit backend says why and the remedy",
              test_explicit_unusable_backend_says_why_and_remedy);
  CU_add_test(loader, "missing guarantees fail closed, one line each; --allow-degraded records them",
              test_missing_guarantees_fail_closed_one_line_each);
  CU_add_test(loader, "render collects sections", test_render_collects_sections);
  CU_add_test(loader, "a plugin built before setup was appended loads, with no setup step",
              test_a_plugin_from_before_setup_loads_and_has_no_setup_step);
  CU_add_test(loader, "a plugin's setup gets the flags and reports its lines",
              test_a_plugin_with_setup_gets_flags_and_reports_its_lines);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  rf_test_remove_tree(scratch);
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
