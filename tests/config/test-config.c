/* tests/config/test-config.c: CUnit claims about config.toml: where it is found, precedence
 * (flag > -c > profile > file > default) and the origin of every setting, profile selection,
 * what each key does to the policy, and every error path naming file:line:column. */
#include <ringfence/ringfence.h>

#include <CUnit/Basic.h>
#include <glib/gstdio.h>
#include <string.h>

static char *scratch; /* a directory for files and working directories */

static gboolean contains(const char *text, const char *part) {
  if (!strstr(text, part)) {
    g_printerr("\n  '%s'\n  does not contain '%s'\n", text, part);
    return FALSE;
  }
  return TRUE;
}

static gboolean has_prefix(const char *text, const char *prefix) {
  if (!g_str_has_prefix(text, prefix)) {
    g_printerr("\n  '%s'\n  does not start with '%s'\n", text, prefix);
    return FALSE;
  }
  return TRUE;
}

/* A config from |toml| (named test.toml), -c |overrides|, -p |profile|; resolved. */
static RfConfig *config_ok(const char *toml, const char *const *overrides, const char *profile) {
  g_autoptr(RfConfig) config = rf_config_new();
  g_autoptr(GError) error = NULL;
  gboolean ok = !toml || rf_config_load_data(config, "test.toml", toml, -1, &error);
  for (const char *const *o = overrides; ok && o && *o; o++)
    ok = rf_config_add_override(config, *o, &error);
  if (ok && profile)
    rf_config_set_profile(config, profile);
  ok = ok && rf_config_resolve(config, &error);
  if (!ok)
    g_printerr("\n  unexpected config error: %s\n", error->message);
  CU_ASSERT_TRUE(ok);
  return ok ? g_steal_pointer(&config) : NULL;
}

/* The message of a config that must fail (at load, -c or resolve). */
static char *config_error(const char *toml, const char *const *overrides, const char *profile) {
  g_autoptr(RfConfig) config = rf_config_new();
  g_autoptr(GError) error = NULL;
  gboolean ok = !toml || rf_config_load_data(config, "test.toml", toml, -1, &error);
  for (const char *const *o = overrides; ok && o && *o; o++)
    ok = rf_config_add_override(config, *o, &error);
  if (ok && profile)
    rf_config_set_profile(config, profile);
  ok = ok && rf_config_resolve(config, &error);
  CU_ASSERT_FALSE(ok);
  if (ok)
    return g_strdup("");
  CU_ASSERT_TRUE(g_error_matches(error, RF_ERROR, RF_ERROR_CONFIG));
  return g_strdup(error->message);
}

static char *describe(const RfConfig *config) {
  GString *out = g_string_new(NULL);
  rf_config_describe(config, out);
  return g_string_free(out, FALSE);
}

/* The line describing |key| in the text description. */
static char *describe_line(const RfConfig *config, const char *key) {
  g_autofree char *text = describe(config);
  g_autofree char *needle = g_strdup_printf("  %s = ", key);
  const char *start = strstr(text, needle);
  CU_ASSERT_PTR_NOT_NULL(start);
  if (!start)
    return g_strdup("");
  const char *end = strchr(start, '\n');
  return g_strndup(start, end - start);
}

/* The config applied to a fresh policy (working directory: scratch), resolved. */
static RfPlan *plan_of(const RfConfig *config) {
  g_autoptr(RfPolicy) policy = rf_policy_new();
  g_autoptr(GError) error = NULL;
  rf_policy_set_cwd(policy, scratch);
  rf_policy_set_tmpdir(policy, NULL);
  CU_ASSERT_TRUE(rf_config_apply(config, policy, &error));
  RfPlan *plan = rf_policy_resolve(policy, &error);
  if (!plan)
    g_printerr("\n  unexpected resolve error: %s\n", error->message);
  CU_ASSERT_PTR_NOT_NULL(plan);
  return plan;
}

static gboolean plan_has_root(const RfPlan *plan, const char *path) {
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  for (size_t i = 0; i < view->n_writable_roots; i++)
    if (g_str_equal(view->writable_roots[i].path, path))
      return TRUE;
  return FALSE;
}

/* ---- Where the file is ------------------------------------------------------------ */

static void test_default_path_follows_ringfence_home_then_xdg_then_home(void) {
  g_autofree char *saved_home = g_strdup(g_getenv("RINGFENCE_HOME"));
  g_autofree char *saved_xdg = g_strdup(g_getenv("XDG_CONFIG_HOME"));
  g_setenv("RINGFENCE_HOME", "/rf/home", TRUE);
  g_setenv("XDG_CONFIG_HOME", "/xdg", TRUE);
  g_autofree char *a = rf_config_default_path();
  CU_ASSERT_STRING_EQUAL(a, "/rf/home/config.toml");
  g_unsetenv("RINGFENCE_HOME");
  g_autofree char *b = rf_config_default_path();
  CU_ASSERT_STRING_EQUAL(b, "/xdg/ringfence/config.toml");
  g_unsetenv("XDG_CONFIG_HOME");
  g_autofree char *c = rf_config_default_path();
  g_autofree char *expected =
      g_build_filename(g_get_home_dir(), ".config", "ringfence", "config.toml", NULL);
  CU_ASSERT_STRING_EQUAL(c, expected);
  if (saved_home)
    g_setenv("RINGFENCE_HOME", saved_home, TRUE);
  if (saved_xdg)
    g_setenv("XDG_CONFIG_HOME", saved_xdg, TRUE);
}

static void test_a_missing_default_file_is_fine_a_missing_given_file_is_not(void) {
  g_autofree char *saved = g_strdup(g_getenv("RINGFENCE_HOME"));
  g_autofree char *empty = g_build_filename(scratch, "no-config-here", NULL);
  g_mkdir(empty, 0755);
  g_setenv("RINGFENCE_HOME", empty, TRUE);
  g_autoptr(RfConfig) config = rf_config_new();
  g_autoptr(GError) error = NULL;
  CU_ASSERT_TRUE(rf_config_load_file(config, NULL, &error));
  CU_ASSERT_TRUE(rf_config_resolve(config, &error));
  CU_ASSERT_PTR_NULL(rf_config_get_file(config));
  g_autofree char *text = describe(config);
  CU_ASSERT_TRUE(contains(text, "config file: none (looked for"));
  g_autoptr(RfConfig) given = rf_config_new();
  CU_ASSERT_FALSE(rf_config_load_file(given, "/nonexistent/ringfence.toml", &error));
  CU_ASSERT_TRUE(has_prefix(error->message, "config file /nonexistent/ringfence.toml cannot be "
                                            "read"));
  if (saved)
    g_setenv("RINGFENCE_HOME", saved, TRUE);
  else
    g_unsetenv("RINGFENCE_HOME");
}

static void test_a_default_file_is_read_from_ringfence_home(void) {
  g_autofree char *saved = g_strdup(g_getenv("RINGFENCE_HOME"));
  g_autofree char *home = g_build_filename(scratch, "rfhome", NULL);
  g_autofree char *file = g_build_filename(home, "config.toml", NULL);
  g_mkdir(home, 0755);
  CU_ASSERT_TRUE(g_file_set_contents(file, "sandbox_mode = \"workspace-write\"\n", -1, NULL));
  g_setenv("RINGFENCE_HOME", home, TRUE);
  g_autoptr(RfConfig) config = rf_config_new();
  CU_ASSERT_TRUE(rf_config_load_file(config, NULL, NULL));
  CU_ASSERT_TRUE(rf_config_resolve(config, NULL));
  CU_ASSERT_STRING_EQUAL(rf_config_get_file(config), file);
  g_autofree char *line = describe_line(config, "sandbox_mode");
  g_autofree char *origin = g_strdup_printf("# %s:1", file);
  CU_ASSERT_TRUE(contains(line, origin));
  if (saved)
    g_setenv("RINGFENCE_HOME", saved, TRUE);
  else
    g_unsetenv("RINGFENCE_HOME");
}

/* ---- Precedence and origins --------------------------------------------------------- */

static const char agent_config[] =
    "model = \"some-model\"             # another program's key\n"
    "approval_policy = \"on-request\"\n"
    "sandbox_mode = \"read-only\"\n"
    "profile = \"dev\"\n"
    "\n"
    "[sandbox_workspace_write]\n"
    "network_access = true\n"
    "exclude_slash_tmp = true\n"
    "\n"
    "[profiles.dev]\n"
    "sandbox_mode = \"workspace-write\"\n"
    "approval_policy = { granular = { sandbox_approval = true, rules = false, "
    "mcp_elicitations = false } }\n"
    "\n"
    "[profiles.ci]\n"
    "sandbox_mode = \"workspace-write\"\n"
    "approval_policy = \"never\"\n"
    "[profiles.ci.sandbox_workspace_write]\n"
    "network_access = false\n"
    "\n"
    "[mcp_servers.docs]\n"
    "command = \"docs-server\"\n";

static void test_the_file_profile_applies_over_the_top_level(void) {
  g_autoptr(RfConfig) config = config_ok(agent_config, NULL, NULL);
  CU_ASSERT_STRING_EQUAL(rf_config_get_profile(config), "dev");
  g_autofree char *mode = describe_line(config, "sandbox_mode");
  CU_ASSERT_TRUE(contains(mode, "\"workspace-write\""));
  CU_ASSERT_TRUE(contains(mode, "# profile dev (test.toml:11)"));
  g_autofree char *network = describe_line(config, "sandbox_workspace_write.network_access");
  CU_ASSERT_TRUE(contains(network, "true"));
  CU_ASSERT_TRUE(contains(network, "# test.toml:7"));
  RfApprovalPolicy policy;
  CU_ASSERT_TRUE(rf_config_get_approval_policy(config, &policy));
  CU_ASSERT_EQUAL(policy.mode, RF_APPROVAL_GRANULAR);
  CU_ASSERT_TRUE(policy.sandbox_approval);
  CU_ASSERT_FALSE(policy.rules);
  CU_ASSERT_FALSE(policy.skill_approval); /* unnamed granular flags are off */
  g_autoptr(RfPlan) plan = plan_of(config);
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  CU_ASSERT_EQUAL(view->mode, RF_SANDBOX_WORKSPACE_WRITE);
  CU_ASSERT_EQUAL(view->network, RF_NETWORK_ON);
  CU_ASSERT_FALSE(plan_has_root(plan, "/tmp")); /* exclude_slash_tmp */
}

static void test_dash_p_selects_another_profile(void) {
  g_autoptr(RfConfig) config = config_ok(agent_config, NULL, "ci");
  CU_ASSERT_STRING_EQUAL(rf_config_get_profile(config), "ci");
  g_autofree char *text = describe(config);
  CU_ASSERT_TRUE(contains(text, "profile: ci (flag -p)"));
  RfApprovalPolicy policy;
  CU_ASSERT_TRUE(rf_config_get_approval_policy(config, &policy));
  CU_ASSERT_EQUAL(policy.mode, RF_APPROVAL_NEVER);
  g_autoptr(RfPlan) plan = plan_of(config);
  CU_ASSERT_EQUAL(rf_plan_get_backend_policy(plan)->network, RF_NETWORK_OFF);
  g_autofree char *network = describe_line(config, "sandbox_workspace_write.network_access");
  CU_ASSERT_TRUE(contains(network, "# profile ci (test.toml:18)"));
}

static void test_dash_c_beats_the_profile_and_a_flag_beats_dash_c(void) {
  const char *overrides[] = {"sandbox_mode=\"danger-full-access\"", "approval_policy=untrusted",
                             NULL};
  g_autoptr(RfConfig) config = config_ok(agent_config, overrides, NULL);
  g_autofree char *mode = describe_line(config, "sandbox_mode");
  CU_ASSERT_TRUE(contains(mode, "\"danger-full-access\""));
  CU_ASSERT_TRUE(contains(mode, "# -c sandbox_mode=\"danger-full-access\""));
  RfApprovalPolicy policy;
  rf_config_get_approval_policy(config, &policy);
  CU_ASSERT_EQUAL(policy.mode, RF_APPROVAL_UNTRUSTED); /* a bare word is a string */

  g_autoptr(RfConfig) flagged = rf_config_new();
  g_autoptr(GError) error = NULL;
  CU_ASSERT_TRUE(rf_config_load_data(flagged, "test.toml", agent_config, -1, &error));
  CU_ASSERT_TRUE(rf_config_add_override(flagged, overrides[0], &error));
  CU_ASSERT_TRUE(rf_config_set_flag(flagged, "sandbox_mode", "read-only", "-s", &error));
  CU_ASSERT_TRUE(rf_config_resolve(flagged, &error));
  g_autofree char *line = describe_line(flagged, "sandbox_mode");
  CU_ASSERT_TRUE(contains(line, "\"read-only\""));
  CU_ASSERT_TRUE(contains(line, "# flag -s"));
}

static void test_dash_c_profile_selects_below_dash_p(void) {
  const char *overrides[] = {"profile=\"ci\"", NULL};
  g_autoptr(RfConfig) by_c = config_ok(agent_config, overrides, NULL);
  CU_ASSERT_STRING_EQUAL(rf_config_get_profile(by_c), "ci");
  g_autoptr(RfConfig) by_p = config_ok(agent_config, overrides, "dev");
  CU_ASSERT_STRING_EQUAL(rf_config_get_profile(by_p), "dev");
}

static void test_defaults_say_so(void) {
  g_autoptr(RfConfig) config = config_ok(NULL, NULL, NULL);
  g_autofree char *mode = describe_line(config, "sandbox_mode");
  CU_ASSERT_TRUE(contains(mode, "\"read-only\""));
  CU_ASSERT_TRUE(contains(mode, "# default"));
  RfApprovalPolicy policy;
  CU_ASSERT_FALSE(rf_config_get_approval_policy(config, &policy));
  CU_ASSERT_EQUAL(policy.mode, RF_APPROVAL_ON_REQUEST);
  CU_ASSERT_STRING_EQUAL(rf_config_get_backend(config), "auto");
  CU_ASSERT_PTR_NULL(rf_config_get_plugin_dir(config));
  CU_ASSERT_PTR_NULL(rf_config_get_rules_files(config)[0]);
  CU_ASSERT_PTR_NULL(rf_config_get_profile(config));
}

static void test_json_names_value_and_origin(void) {
  const char *overrides[] = {"ringfence.network=\"on\"", NULL};
  g_autoptr(RfConfig) config = config_ok(agent_config, overrides, "ci");
  g_autoptr(GString) out = g_string_new("{");
  rf_config_describe_json(config, out);
  g_string_append_c(out, '}');
  CU_ASSERT_TRUE(contains(out->str, "\"profile\":\"ci\",\"profile_origin\":\"flag -p\""));
  CU_ASSERT_TRUE(contains(out->str, "\"ringfence.network\":{\"value\":\"on\",\"origin\":\"-c "
                                    "ringfence.network=\\\"on\\\"\",\"unused\":null}"));
  CU_ASSERT_TRUE(contains(out->str, "\"approval_policy\":{\"value\":\"never\",\"origin\":"
                                    "\"profile ci (test.toml:16)\""));
  CU_ASSERT_TRUE(contains(out->str, "\"sandbox_workspace_write.network_access\":{\"value\":"
                                    "false,\"origin\":\"profile ci (test.toml:18)\",\"unused\":"
                                    "\"overridden by ringfence.network\"}"));
}

/* ---- What the keys do ------------------------------------------------------------ */

static void test_workspace_keys_count_only_in_workspace_write(void) {
  g_autofree char *toml = g_strdup_printf("[sandbox_workspace_write]\n"
                                          "writable_roots = [\"%s\"]\n"
                                          "network_access = true\n",
                                          g_get_tmp_dir());
  g_autoptr(RfConfig) config = config_ok(toml, NULL, NULL);
  g_autoptr(RfPlan) plan = plan_of(config); /* read-only: the roots would be an error */
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  CU_ASSERT_EQUAL(view->n_writable_roots, 0);
  CU_ASSERT_EQUAL(view->network, RF_NETWORK_OFF);
  g_autofree char *line = describe_line(config, "sandbox_workspace_write.network_access");
  CU_ASSERT_TRUE(contains(line, "not used: sandbox_mode is not workspace-write"));
}

static void test_writable_root_flags_add_to_the_config(void) {
  g_autofree char *a = g_build_filename(scratch, "root-a", NULL);
  g_autofree char *b = g_build_filename(scratch, "root-b", NULL);
  g_mkdir(a, 0755);
  g_mkdir(b, 0755);
  g_autofree char *toml = g_strdup_printf("sandbox_mode = \"workspace-write\"\n"
                                          "[sandbox_workspace_write]\n"
                                          "writable_roots = [\"%s\"]\n",
                                          a);
  g_autoptr(RfConfig) config = rf_config_new();
  CU_ASSERT_TRUE(rf_config_load_data(config, "test.toml", toml, -1, NULL));
  CU_ASSERT_TRUE(rf_config_set_flag(config, "sandbox_workspace_write.writable_roots", b,
                                    "--writable-root", NULL));
  CU_ASSERT_TRUE(rf_config_resolve(config, NULL));
  g_autoptr(RfPlan) plan = plan_of(config);
  CU_ASSERT_TRUE(plan_has_root(plan, a));
  CU_ASSERT_TRUE(plan_has_root(plan, b));
  g_autofree char *line = describe_line(config, "sandbox_workspace_write.writable_roots");
  CU_ASSERT_TRUE(contains(line, "# test.toml:3 + flag --writable-root"));
}

static void test_features_pick_the_backend_and_ringfence_backend_wins_its_layer(void) {
  g_autoptr(RfConfig) legacy = config_ok("[features]\nuse_legacy_landlock = true\n", NULL, NULL);
  CU_ASSERT_STRING_EQUAL(rf_config_get_backend(legacy), "landlock");
  g_autoptr(RfConfig) bwrap = config_ok("[features]\nuse_linux_sandbox_bwrap = true\n", NULL, NULL);
  CU_ASSERT_STRING_EQUAL(rf_config_get_backend(bwrap), "bwrap");
  g_autoptr(RfConfig) both = config_ok("[features]\nuse_legacy_landlock = true\n"
                                       "[ringfence]\nbackend = \"bwrap\"\n",
                                       NULL, NULL);
  CU_ASSERT_STRING_EQUAL(rf_config_get_backend(both), "bwrap");
  const char *overrides[] = {"features.use_legacy_landlock=true", NULL};
  g_autoptr(RfConfig) higher = config_ok("[ringfence]\nbackend = \"bwrap\"\n", overrides, NULL);
  CU_ASSERT_STRING_EQUAL(rf_config_get_backend(higher), "landlock");
  const char *off[] = {"features.use_legacy_landlock=false", NULL};
  g_autoptr(RfConfig) undone = config_ok("[features]\nuse_legacy_landlock = true\n", off, NULL);
  CU_ASSERT_STRING_EQUAL(rf_config_get_backend(undone), "auto");
}

static void test_ringfence_table_shapes_the_policy(void) {
  g_autofree char *readable = g_build_filename(scratch, "readable", NULL);
  g_mkdir(readable, 0755);
  g_autofree char *toml = g_strdup_printf("sandbox_mode = \"workspace-write\"\n"
                                          "[ringfence]\n"
                                          "protected_names = [\".git\", \".env\"]\n"
                                          "readable_roots = [\"%s\"]\n"
                                          "deny_read = [\"%s/secret\"]\n"
                                          "allow_degraded = true\n"
                                          "plugin_dir = \"~/plugins\"\n"
                                          "rules = [\"/etc/ringfence/a.rules\", \"~/b.rules\"]\n"
                                          "network = \"on\"\n"
                                          "[windows]\n"
                                          "sandbox = \"elevated\"\n"
                                          "sandbox_private_desktop = false\n",
                                          readable, scratch);
  g_autoptr(RfConfig) config = config_ok(toml, NULL, NULL);
  g_autoptr(RfPlan) plan = plan_of(config);
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  CU_ASSERT_EQUAL(view->network, RF_NETWORK_ON);
  CU_ASSERT_EQUAL(view->read_access, RF_READ_RESTRICTED);
  CU_ASSERT_EQUAL_FATAL(view->n_readable_roots, 1);
  CU_ASSERT_STRING_EQUAL(view->readable_roots[0], readable);
  CU_ASSERT_TRUE(view->flags & RF_POLICY_PLATFORM_DEFAULTS);
  CU_ASSERT_FALSE(view->flags & RF_POLICY_WINDOWS_PRIVATE_DESKTOP);
  CU_ASSERT_EQUAL(view->windows_mode, RF_WINDOWS_ELEVATED);
  CU_ASSERT_EQUAL(view->n_deny_read, 1);
  g_autofree char *env = g_build_filename(scratch, ".env", NULL);
  gboolean found = FALSE;
  for (size_t i = 0; i < view->n_writable_roots; i++)
    for (size_t j = 0; j < view->writable_roots[i].n_protected; j++)
      found |= g_str_equal(view->writable_roots[i].protected_paths[j], env);
  CU_ASSERT_TRUE(found);
  g_autofree char *plugins = g_build_filename(g_get_home_dir(), "plugins", NULL);
  CU_ASSERT_STRING_EQUAL(rf_config_get_plugin_dir(config), plugins);
  const char *const *rules = rf_config_get_rules_files(config);
  CU_ASSERT_STRING_EQUAL(rules[0], "/etc/ringfence/a.rules");
  g_autofree char *home_rules = g_build_filename(g_get_home_dir(), "b.rules", NULL);
  CU_ASSERT_STRING_EQUAL(rules[1], home_rules);
  CU_ASSERT_PTR_NULL(rules[2]);
}

static void test_reject_form_has_opposite_polarity(void) {
  g_autoptr(RfConfig) config =
      config_ok("approval_policy = { reject = { sandbox_approval = true, rules = false, "
                "mcp_elicitations = true } }\n",
                NULL, NULL);
  RfApprovalPolicy p;
  CU_ASSERT_TRUE(rf_config_get_approval_policy(config, &p));
  CU_ASSERT_EQUAL(p.mode, RF_APPROVAL_GRANULAR);
  CU_ASSERT_FALSE(p.sandbox_approval);
  CU_ASSERT_TRUE(p.rules);
  CU_ASSERT_FALSE(p.mcp_elicitations);
  CU_ASSERT_TRUE(p.request_permissions); /* not named: not rejected */
  CU_ASSERT_TRUE(p.skill_approval);
  /* The table form of the same key works too. */
  g_autoptr(RfConfig) table = config_ok("[approval_policy.granular]\nsandbox_approval = true\n"
                                        "rules = true\nmcp_elicitations = true\n"
                                        "request_permissions = true\nskill_approval = true\n",
                                        NULL, NULL);
  CU_ASSERT_TRUE(rf_config_get_approval_policy(table, &p));
  CU_ASSERT_TRUE(p.sandbox_approval && p.rules && p.mcp_elicitations && p.request_permissions &&
                 p.skill_approval);
}

static void test_unknown_keys_are_ignored_but_ours_are_noted(void) {
  const char *overrides[] = {"modle=\"x\"", "model=\"m\"", NULL};
  g_autoptr(RfConfig) config = config_ok(
      "model = 1\n[tui]\nx = [1, {a = 2}]\n[mcp_servers.docs]\ncommand = \"x\"\n"
      "[features]\nsome_ui_feature = true\n[profiles.p]\nmodel_reasoning_effort = \"high\"\n",
      overrides, NULL);
  const char *const *notes = rf_config_get_warnings(config);
  CU_ASSERT_EQUAL_FATAL(g_strv_length((char **)notes), 2);
  CU_ASSERT_TRUE(contains(notes[0], "-c modle=\"x\": ringfence has no setting"));
}

static void test_unknown_keys_that_change_access_are_errors(void) {
  static const struct {
    const char *toml, *override, *prefix;
  } cases[] = {
      {"sandbox_permissions = [\"disk-full-read-access\"]\n", NULL,
       "test.toml:1:23: key 'sandbox_permissions' is not a setting ringfence reads, and its name "
       "says it concerns the sandbox or the network"},
      {"[network]\nenabled = true\n", NULL, "test.toml:1:1: key 'network' is not a setting"},
      {"[sandbox_workspace_write]\nwritable_root = [\"/srv\"]\n", NULL,
       "test.toml:2:17: key 'sandbox_workspace_write.writable_root' is not a setting"},
      {"[features]\nnetwork_proxy = true\n", NULL,
       "test.toml:2:17: key 'features.network_proxy' is not a setting"},
      {"[ringfence]\ncolour = \"blue\"\n", NULL,
       "test.toml:2:10: key 'ringfence.colour' is not a setting ringfence reads, and it is in "
       "ringfence's own table"},
      {"[shell_environment_policy]\nfilters = {}\n", NULL,
       "test.toml:2:11: key 'shell_environment_policy.filters' is not a setting"},
      {"[profiles.dev]\nsandbox_mod = \"read-only\"\n", NULL,
       "test.toml:2:15: key 'profiles.dev.sandbox_mod' is not a setting"},
      {NULL, "sandbox_mod=\"x\"", "-c sandbox_mod=\"x\": key 'sandbox_mod' is not a setting"},
      {NULL, "network_access=true", "-c network_access=true: key 'network_access' is not a"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    const char *overrides[] = {cases[i].override, NULL};
    g_autofree char *message = config_error(cases[i].toml, overrides, NULL);
    if (!has_prefix(message, cases[i].prefix)) {
      g_printerr("  (case %u)\n", i);
      CU_FAIL("error message");
    }
  }
}

/* The environment a plan gives the command. */
static gboolean env_has(const RfPlan *plan, const char *entry) {
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  for (const char *const *e = view->envp; *e; e++)
    if (g_str_equal(*e, entry))
      return TRUE;
  return FALSE;
}

static gboolean env_has_name(const RfPlan *plan, const char *name) {
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  size_t n = strlen(name);
  for (const char *const *e = view->envp; *e; e++)
    if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
      return TRUE;
  return FALSE;
}

static void test_shell_environment_policy_builds_the_environment_as_the_other_cli(void) {
  g_setenv("RF_TEST_API_KEY", "k", TRUE);
  g_setenv("rf_test_token_lower", "t", TRUE);
  g_setenv("RF_TEST_PLAIN", "p", TRUE);
  g_setenv("RF_TEST_OTHER", "o", TRUE);
  g_setenv("LC_CTYPE", "C", TRUE);
  /* No key: the whole environment, as before. */
  g_autoptr(RfConfig) none = config_ok("", NULL, NULL);
  g_autoptr(RfPlan) p0 = plan_of(none);
  CU_ASSERT_TRUE(env_has(p0, "RF_TEST_API_KEY=k") && env_has(p0, "RF_TEST_PLAIN=p"));
  /* The default excludes apply only with ignore_default_excludes = false (their default is
   * true there), case-insensitively. */
  g_autoptr(RfConfig) ex = config_ok("[shell_environment_policy]\nignore_default_excludes = "
                                     "false\nexclude = [\"rf_test_o?her\"]\n",
                                     NULL, NULL);
  g_autoptr(RfPlan) p1 = plan_of(ex);
  CU_ASSERT_FALSE(env_has_name(p1, "RF_TEST_API_KEY"));
  CU_ASSERT_FALSE(env_has_name(p1, "rf_test_token_lower"));
  CU_ASSERT_FALSE(env_has_name(p1, "RF_TEST_OTHER"));
  CU_ASSERT_TRUE(env_has(p1, "RF_TEST_PLAIN=p"));
  /* core keeps the core names only; set comes on top. */
  g_autoptr(RfConfig) core = config_ok("[shell_environment_policy]\ninherit = \"core\"\n"
                                       "set = { CI = \"1\", RF_TEST_PLAIN = \"q\" }\n",
                                       NULL, NULL);
  g_autoptr(RfPlan) p2 = plan_of(core);
  CU_ASSERT_FALSE(env_has_name(p2, "RF_TEST_OTHER"));
  CU_ASSERT_TRUE(env_has(p2, "LC_CTYPE=C"));
  CU_ASSERT_TRUE(env_has(p2, "CI=1"));
  CU_ASSERT_TRUE(env_has(p2, "RF_TEST_PLAIN=q"));
  /* include_only comes last, after set. */
  g_autoptr(RfConfig) only = config_ok("[shell_environment_policy]\ninclude_only = "
                                       "[\"RF_TEST_P*\"]\nset = { ZZ = \"1\" }\n",
                                       NULL, NULL);
  g_autoptr(RfPlan) p3 = plan_of(only);
  CU_ASSERT_TRUE(env_has(p3, "RF_TEST_PLAIN=p"));
  CU_ASSERT_FALSE(env_has_name(p3, "ZZ"));
  CU_ASSERT_FALSE(env_has_name(p3, "RF_TEST_OTHER"));
  /* none: nothing inherited, but the sandbox markers are still set. */
  g_autoptr(RfConfig) empty = config_ok("shell_environment_policy = { inherit = \"none\" }\n",
                                        NULL, NULL);
  g_autoptr(RfPlan) p4 = plan_of(empty);
  CU_ASSERT_FALSE(env_has_name(p4, "PATH"));
  CU_ASSERT_TRUE(env_has(p4, "CODEX_SANDBOX_NETWORK_DISABLED=1"));
  CU_ASSERT_TRUE(env_has(p4, "RINGFENCE_SANDBOX_NETWORK_DISABLED=1"));
  /* Wrong shapes are errors naming the key. */
  g_autofree char *m1 = config_error("[shell_environment_policy]\ninherit = \"some\"\n", NULL, NULL);
  CU_ASSERT_TRUE(has_prefix(m1, "test.toml:2:11: key 'shell_environment_policy.inherit' has the "
                                "value \"some\": expected \"all\", \"core\" or \"none\""));
  g_autofree char *m2 = config_error("[shell_environment_policy]\nset = { A = 1 }\n", NULL, NULL);
  CU_ASSERT_TRUE(has_prefix(m2, "test.toml:2:13: key 'shell_environment_policy.set.A' is an "
                                "integer"));
  g_unsetenv("RF_TEST_API_KEY");
  g_unsetenv("rf_test_token_lower");
  g_unsetenv("RF_TEST_PLAIN");
  g_unsetenv("RF_TEST_OTHER");
}

static void test_danger_full_access_says_the_network_is_on(void) {
  g_autoptr(RfConfig) config = config_ok("sandbox_mode = \"danger-full-access\"\n", NULL, NULL);
  g_autofree char *text = describe(config);
  CU_ASSERT_TRUE(contains(text, "network on (sandbox_mode = \"danger-full-access\": no sandbox)"));
}

/* ---- Errors ---------------------------------------------------------------------- */

typedef struct {
  const char *toml;
  const char *override;
  const char *profile;
  const char *message_prefix;
} BadConfig;

static void test_every_error_names_where_and_what_is_accepted(void) {
  static const BadConfig cases[] = {
      {"sandbox_mode = 3\n", NULL, NULL,
       "test.toml:1:16: key 'sandbox_mode' is an integer: expected \"read-only\", "
       "\"workspace-write\" or \"danger-full-access\""},
      {"sandbox_mode = \"workspace\"\n", NULL, NULL,
       "test.toml:1:16: key 'sandbox_mode' has the value \"workspace\": expected \"read-only\""},
      {"\n[sandbox_workspace_write]\nnetwork_access = \"yes\"\n", NULL, NULL,
       "test.toml:3:18: key 'sandbox_workspace_write.network_access' is a string: expected true "
       "or false"},
      {"[sandbox_workspace_write]\nwritable_roots = \"/srv\"\n", NULL, NULL,
       "test.toml:2:18: key 'sandbox_workspace_write.writable_roots' is a string: expected a "
       "list of absolute paths"},
      {"[sandbox_workspace_write]\nwritable_roots = [\"relative/dir\"]\n", NULL, NULL,
       "test.toml:2:19: key 'sandbox_workspace_write.writable_roots' has the value "
       "\"relative/dir\": expected a list of absolute paths"},
      {"sandbox_workspace_write = true\n", NULL, NULL,
       "test.toml:1:27: key 'sandbox_workspace_write' is a boolean: expected a table"},
      {"approval_policy = \"sometimes\"\n", NULL, NULL,
       "test.toml:1:19: key 'approval_policy' has the value \"sometimes\": expected "
       "\"untrusted\", \"on-failure\", \"on-request\", \"never\""},
      {"approval_policy = \"granular\"\n", NULL, NULL,
       "test.toml:1:19: key 'approval_policy' is \"granular\" without its flags"},
      {"approval_policy = { granular = { rules = 1 } }\n", NULL, NULL,
       "test.toml:1:42: key 'approval_policy.granular.rules' is an integer: expected true or "
       "false"},
      {"approval_policy = { granular = { sandbox = true } }\n", NULL, NULL,
       "test.toml:1:44: key 'approval_policy.granular.sandbox' is not a flag of granular"},
      {"approval_policy = { granular = {}, reject = {} }\n", NULL, NULL,
       "test.toml:1:19: key 'approval_policy' must hold exactly one of"},
      {"approval_policy = 1\n", NULL, NULL,
       "test.toml:1:19: key 'approval_policy' is an integer: expected"},
      {"[features]\nuse_legacy_landlock = \"true\"\n", NULL, NULL,
       "test.toml:2:23: key 'features.use_legacy_landlock' is a string: expected true or false"},
      {"[windows]\nsandbox = \"admin\"\n", NULL, NULL,
       "test.toml:2:11: key 'windows.sandbox' has the value \"admin\": expected \"unelevated\" "
       "or \"elevated\""},
      {"[ringfence]\nbackend = \"docker\"\n", NULL, NULL,
       "test.toml:2:11: key 'ringfence.backend' has the value \"docker\": expected \"auto\", "
       "\"bwrap\", \"landlock\", \"seatbelt\" or \"windows\""},
      {"[ringfence]\nprotected_names = [\".git\", \"a/b\"]\n", NULL, NULL,
       "test.toml:2:28: key 'ringfence.protected_names' has the element \"a/b\""},
      {"[ringfence]\nprotected_names = [\"..\"]\n", NULL, NULL,
       "test.toml:2:20: key 'ringfence.protected_names' has the element \"..\""},
      {"[ringfence]\nplugin_dir = [\"/x\"]\n", NULL, NULL,
       "test.toml:2:14: key 'ringfence.plugin_dir' is an array: expected an absolute path"},
      {"[ringfence]\nnetwork = true\n", NULL, NULL,
       "test.toml:2:11: key 'ringfence.network' is a boolean: expected \"off\", \"on\" or "
       "\"proxy\""},
      {"[profiles.ci]\nsandbox_mode = \"rw\"\n", NULL, NULL,
       "test.toml:2:16: key 'profiles.ci.sandbox_mode' has the value \"rw\""},
      {"[profiles]\nci = 1\n", NULL, NULL,
       "test.toml:2:6: key 'profiles.ci' is an integer: expected a table of settings"},
      {"profile = 7\n", NULL, NULL,
       "test.toml:1:11: key 'profile' is an integer: expected a "
       "profile name"},
      {"profile = \"ci\"\n[profiles.dev]\n", NULL, NULL,
       "profile 'ci' (from test.toml:1) is not defined in test.toml (defined: dev)"},
      {"sandbox_mode = \"read-only\"\n", NULL, "ci",
       "profile 'ci' (from flag -p) is not defined in test.toml (it defines no "
       "[profiles.NAME] tables)"},
      {NULL, NULL, "ci", "profile 'ci' (from flag -p) is not defined: no config file was read"},
      {"a = = 1\n", NULL, NULL, "test.toml:1:5: "},
      {"[ringfence]\nbackend = \"bwrap\"\n[ringfence]\n", NULL, NULL, "test.toml:3:"},
      {NULL, "sandbox_mode", NULL, "-c sandbox_mode: expected KEY=VALUE"},
      {NULL, "=\"x\"", NULL, "-c =\"x\": expected KEY=VALUE"},
      {NULL, "sandbox_mode=", NULL, "-c sandbox_mode=: no value after '='"},
      {NULL, "a..b=1", NULL, "-c a..b=1: the key 'a..b' is not a TOML key"},
      {NULL, "sandbox_mode=[1,", NULL, "-c sandbox_mode=[1,: the value is not TOML"},
      {NULL, "sandbox_mode=\"rw\"", NULL,
       "-c sandbox_mode=\"rw\": key 'sandbox_mode' has the value \"rw\": expected \"read-only\""},
      {NULL, "sandbox_workspace_write.network_access=yes", NULL,
       "-c sandbox_workspace_write.network_access=yes: key "
       "'sandbox_workspace_write.network_access' is a string: expected true or false"},
      {NULL, "approval_policy.granular.rules=true", NULL,
       "-c approval_policy.granular.rules=true: key 'approval_policy.granular.rules' cannot be "
       "set alone"},
      {NULL, "features={use_legacy_landlock=1}", NULL,
       "-c features={use_legacy_landlock=1}: key 'features.use_legacy_landlock' is an integer"},
      {"[features]\nuse_legacy_landlock = true\nuse_linux_sandbox_bwrap = true\n", NULL, NULL,
       "features.use_legacy_landlock (test.toml:2) and features.use_linux_sandbox_bwrap "
       "(test.toml:3) are both true"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    const char *overrides[] = {cases[i].override, NULL};
    g_autofree char *message = config_error(cases[i].toml, overrides, cases[i].profile);
    if (!has_prefix(message, cases[i].message_prefix)) {
      g_printerr("  (case %u)\n", i);
      CU_FAIL("error message");
    }
  }
}

static void test_flags_are_checked_like_keys(void) {
  g_autoptr(RfConfig) config = rf_config_new();
  g_autoptr(GError) error = NULL;
  CU_ASSERT_FALSE(rf_config_set_flag(config, "sandbox_mode", "rw", "-s", &error));
  CU_ASSERT_TRUE(has_prefix(error->message, "-s 'rw' is not a valid value: expected "
                                            "\"read-only\", \"workspace-write\" or "
                                            "\"danger-full-access\""));
  g_clear_error(&error);
  CU_ASSERT_FALSE(rf_config_set_flag(config, "approval_policy", "granular", "-a", &error));
  CU_ASSERT_TRUE(has_prefix(error->message, "-a: approval policy 'granular' needs its flags"));
}

int main(void) {
  scratch = g_dir_make_tmp("rf-config-test-XXXXXX", NULL);
  if (!scratch || CU_initialize_registry() != CUE_SUCCESS)
    return 1;
  CU_pSuite where = CU_add_suite("where the config is", NULL, NULL);
  CU_add_test(where, "the default path follows RINGFENCE_HOME, then XDG_CONFIG_HOME, then HOME",
              test_default_path_follows_ringfence_home_then_xdg_then_home);
  CU_add_test(where, "a missing default file is fine, a missing given file is not",
              test_a_missing_default_file_is_fine_a_missing_given_file_is_not);
  CU_add_test(where, "the default file is read from RINGFENCE_HOME",
              test_a_default_file_is_read_from_ringfence_home);
  CU_pSuite precedence = CU_add_suite("precedence", NULL, NULL);
  CU_add_test(precedence, "the file's profile applies over its top level",
              test_the_file_profile_applies_over_the_top_level);
  CU_add_test(precedence, "-p selects another profile", test_dash_p_selects_another_profile);
  CU_add_test(precedence, "-c beats the profile and a flag beats -c",
              test_dash_c_beats_the_profile_and_a_flag_beats_dash_c);
  CU_add_test(precedence, "-c profile= selects, below -p",
              test_dash_c_profile_selects_below_dash_p);
  CU_add_test(precedence, "defaults say so", test_defaults_say_so);
  CU_add_test(precedence, "JSON names value and origin", test_json_names_value_and_origin);
  CU_pSuite keys = CU_add_suite("keys", NULL, NULL);
  CU_add_test(keys, "workspace keys count only in workspace-write",
              test_workspace_keys_count_only_in_workspace_write);
  CU_add_test(keys, "--writable-root adds to the config's roots",
              test_writable_root_flags_add_to_the_config);
  CU_add_test(keys, "features pick the backend; ringfence.backend wins its layer",
              test_features_pick_the_backend_and_ringfence_backend_wins_its_layer);
  CU_add_test(keys, "[ringfence] and [windows] shape the policy",
              test_ringfence_table_shapes_the_policy);
  CU_add_test(keys, "reject = {...} has the opposite polarity of granular",
              test_reject_form_has_opposite_polarity);
  CU_add_test(keys, "unknown keys that change access are errors",
              test_unknown_keys_that_change_access_are_errors);
  CU_add_test(keys, "shell_environment_policy builds the environment as the other CLI",
              test_shell_environment_policy_builds_the_environment_as_the_other_cli);
  CU_add_test(keys, "danger-full-access says the network is on",
              test_danger_full_access_says_the_network_is_on);
  CU_add_test(keys, "unknown keys are ignored, ours are noted",
              test_unknown_keys_are_ignored_but_ours_are_noted);
  CU_pSuite errors = CU_add_suite("errors", NULL, NULL);
  CU_add_test(errors, "every error names where and what is accepted",
              test_every_error_names_where_and_what_is_accepted);
  CU_add_test(errors, "flags are checked like keys", test_flags_are_checked_like_keys);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  g_autofree char *command = g_strdup_printf("rm -rf '%s'", scratch);
  if (system(command) != 0)
    g_printerr("could not remove %s\n", scratch);
  return failures ? 1 : 0;
}
