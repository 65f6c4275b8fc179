/* test-hardening.c: the rules issue 17 added to every profile: the final fcntl and XPC denials, the
 * compatibility allowances and where each may appear, deny-read covering writes, deny-read globs as
 * anchored regexes. */
#include "fixtures.h"

#include <CUnit/CUnit.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

static int ere_matches(const char *re, const char *subject) {
  regex_t compiled;
  if (regcomp(&compiled, re, REG_EXTENDED | REG_NOSUB) != 0)
    return -1;
  int matched = regexec(&compiled, subject, 0, NULL, 0) == 0;
  regfree(&compiled);
  return matched;
}

static char *render_shape(fixture_shape shape, rf_seatbelt_params *params) {
  fixture f;
  fixture_policy(&f, shape);
  char err[512] = "";
  char *profile = profile_of(&f.policy, params, err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL(profile);
  if (profile)
    CU_ASSERT_EQUAL(check_profile(profile, params, err, sizeof err), 0);
  return profile;
}

/* Every combination of mode, reads and network the goldens cover. */
static const fixture_shape shapes[] = {
    {RF_SANDBOX_READ_ONLY, RF_READ_FULL, 1, RF_NETWORK_OFF},
    {RF_SANDBOX_READ_ONLY, RF_READ_RESTRICTED, 0, RF_NETWORK_ON},
    {RF_SANDBOX_WORKSPACE_WRITE, RF_READ_FULL, 0, RF_NETWORK_ON},
    {RF_SANDBOX_WORKSPACE_WRITE, RF_READ_RESTRICTED, 1, RF_NETWORK_OFF},
};

static void test_every_profile_ends_with_the_fcntl_and_xpc_denials(void) {
  for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
    rf_seatbelt_params params = {0};
    char *profile = render_shape(shapes[i], &params);
    if (!profile)
      continue;
    const char *fcntl = strstr(profile, "\n(deny system-fcntl (fcntl-command 80 110))\n");
    const char *xpc = strstr(profile, "\n(deny mach-lookup (xpc-service-name-prefix \"\"))\n");
    CU_ASSERT_PTR_NOT_NULL(fcntl);
    CU_ASSERT_PTR_NOT_NULL(xpc);
    /* Last: no allow after them, nothing but comments and the other after either. */
    const char *last_allow = NULL;
    for (const char *p = profile; (p = strstr(p, "\n(allow")); p++)
      last_allow = p;
    CU_ASSERT_TRUE(fcntl && xpc && last_allow < fcntl && fcntl < xpc);
    CU_ASSERT_PTR_NULL(xpc ? strstr(xpc + 1, "\n(") : NULL);
    free(profile);
    rf_seatbelt_params_clear(&params);
  }
}

static void test_compatibility_allowances_are_exactly_these(void) {
  rf_seatbelt_params params = {0};
  char *profile = render_shape(shapes[0], &params);
  CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
  CU_ASSERT_PTR_NOT_NULL(strstr(profile, "(sysctl-name \"kern.sysv.semmns\")"));
  CU_ASSERT_PTR_NOT_NULL(strstr(profile, "(sysctl-name-prefix \"net.routetable.\")"));
  /* The one sysctl write: a query Java makes, nothing else. */
  const char *write =
      strstr(profile, "(allow sysctl-write\n  (sysctl-name \"kern.grade_cputype\"))");
  CU_ASSERT_PTR_NOT_NULL(write);
  CU_ASSERT_PTR_NULL(write ? strstr(write + 1, "(allow sysctl-write") : NULL);
  CU_ASSERT_PTR_NULL(strstr(profile, "(allow sysctl-write)"));
  /* Shared memory: libomp's registration names and nothing else. */
  const char *shm = strstr(profile, "(allow ipc-posix-shm-read-data ipc-posix-shm-write-create "
                                    "ipc-posix-shm-write-unlink\n  (ipc-posix-name-regex "
                                    "#\"^/__KMP_REGISTERED_LIB_[0-9]+$\"))");
  CU_ASSERT_PTR_NOT_NULL(shm);
  CU_ASSERT_EQUAL(ere_matches("^/__KMP_REGISTERED_LIB_[0-9]+$", "/__KMP_REGISTERED_LIB_4242"), 1);
  CU_ASSERT_EQUAL(ere_matches("^/__KMP_REGISTERED_LIB_[0-9]+$", "/__KMP_REGISTERED_LIB_1x"), 0);
  CU_ASSERT_EQUAL(ere_matches("^/__KMP_REGISTERED_LIB_[0-9]+$", "/apple.cfprefs.501"), 0);
  CU_ASSERT_PTR_NULL(strstr(profile, "ipc-posix-shm-write-data"));
  CU_ASSERT_PTR_NULL(strstr(profile, "(allow ipc-posix-shm)"));
  free(profile);
  rf_seatbelt_params_clear(&params);
}

static void test_preferences_only_with_full_reads(void) {
  for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
    rf_seatbelt_params params = {0};
    char *profile = render_shape(shapes[i], &params);
    if (!profile)
      continue;
    int full = shapes[i].read == RF_READ_FULL;
    CU_ASSERT_EQUAL(strstr(profile, "(allow user-preference-read)") != NULL, full);
    CU_ASSERT_EQUAL(strstr(profile, "(global-name \"com.apple.cfprefsd.daemon\")") != NULL, full);
    CU_ASSERT_EQUAL(strstr(profile, "(local-name \"com.apple.cfprefsd.agent\")") != NULL, full);
    /* Reading preferences only: the daemon is never allowed to write them for us. */
    CU_ASSERT_PTR_NULL(strstr(profile, "(allow user-preference-write"));
    free(profile);
    rf_seatbelt_params_clear(&params);
  }
}

static void test_trust_evaluation_agent_only_with_the_network_on(void) {
  for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
    rf_seatbelt_params params = {0};
    char *profile = render_shape(shapes[i], &params);
    if (!profile)
      continue;
    CU_ASSERT_EQUAL(strstr(profile, "\"com.apple.TrustEvaluationAgent\"") != NULL,
                    shapes[i].network == RF_NETWORK_ON);
    free(profile);
    rf_seatbelt_params_clear(&params);
  }
}

static void test_deny_read_also_denies_writes(void) {
  rf_seatbelt_params params = {0};
  char *profile = render_shape(shapes[2], &params);
  CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
  /* The denied path inside the writable project cannot be written, created or replaced. */
  const char *deny = strstr(profile, "(deny file-read* file-write* file-link process-exec");
  CU_ASSERT_PTR_NOT_NULL_FATAL(deny);
  CU_ASSERT_PTR_NOT_NULL(strstr(deny, "(subpath (param \"DENY_READ_1\"))"));
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&params, "DENY_READ_1"),
                         "/Users/dev/project/secrets");
  /* It comes after the write allow of the root that holds it (the last match wins). */
  const char *root_write = strstr(profile, "(allow file-write* file-link");
  CU_ASSERT_TRUE(root_write && root_write < deny);
  free(profile);
  rf_seatbelt_params_clear(&params);
}

static void test_deny_read_globs_are_anchored_regexes(void) {
  rf_seatbelt_params params = {0};
  char *profile = render_shape(shapes[2], &params);
  CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
  const char *deny = strstr(profile, "(deny file-read* file-write* file-link process-exec");
  CU_ASSERT_PTR_NOT_NULL_FATAL(deny);
  CU_ASSERT_PTR_NOT_NULL(strstr(deny, "(regex (param \"DENY_GLOB_0_RE\"))"));
  CU_ASSERT_PTR_NOT_NULL(strstr(deny, "(regex (param \"DENY_GLOB_1_RE\"))"));
  const char *pem = rf_seatbelt_params_get(&params, "DENY_GLOB_0_RE");
  const char *cred = rf_seatbelt_params_get(&params, "DENY_GLOB_1_RE");
  CU_ASSERT_PTR_NOT_NULL_FATAL(pem);
  CU_ASSERT_PTR_NOT_NULL_FATAL(cred);
  CU_ASSERT_EQUAL(pem[0], '^');
  /* The .pem pattern: any depth of folders below the project, none included. */
  CU_ASSERT_EQUAL(ere_matches(pem, "/Users/dev/project/key.pem"), 1);
  CU_ASSERT_EQUAL(ere_matches(pem, "/Users/dev/project/a/b/c/key.pem"), 1);
  CU_ASSERT_EQUAL(ere_matches(pem, "/Users/dev/project/.hidden.pem"), 1);
  CU_ASSERT_EQUAL(ere_matches(pem, "/users/DEV/Project/KEY.PEM"), 1); /* case-insensitive volume */
  CU_ASSERT_EQUAL(ere_matches(pem, "/Users/dev/project/key.pem/inside"), 1); /* below a match */
  CU_ASSERT_EQUAL(ere_matches(pem, "/Users/dev/project/key.pem.txt"), 0);
  CU_ASSERT_EQUAL(ere_matches(pem, "/Users/dev/projectX/key.pem"), 0);
  CU_ASSERT_EQUAL(ere_matches(pem, "/tmp/Users/dev/project/key.pem"), 0); /* anchored */
  CU_ASSERT_EQUAL(ere_matches(pem, "/Users/dev/project/keyXpem"), 0);     /* '.' is literal */
  /* The cred pattern: a negated class and one character, within one component. */
  CU_ASSERT_EQUAL(ere_matches(cred, "/Users/dev/.aws/credit"), 1);
  CU_ASSERT_EQUAL(ere_matches(cred, "/Users/dev/.aws/creds1"), 0);
  CU_ASSERT_EQUAL(ere_matches(cred, "/Users/dev/.aws/cred/x"), 0);
  CU_ASSERT_EQUAL(ere_matches(cred, "/Users/dev/.aws/credits"), 0);
  free(profile);
  rf_seatbelt_params_clear(&params);
}

static void test_glob_translation_edges(void) {
  char err[160];
  char *re = rf_sbpl_glob_regex("/a/**", err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(re);
  CU_ASSERT_EQUAL(ere_matches(re, "/a"), 1);
  CU_ASSERT_EQUAL(ere_matches(re, "/a/b/c"), 1);
  CU_ASSERT_EQUAL(ere_matches(re, "/ab"), 0);
  free(re);
  re = rf_sbpl_glob_regex("/x/[a-c]+(y)|z$", err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(re);
  CU_ASSERT_EQUAL(ere_matches(re, "/x/B+(y)|z$"), 1); /* metacharacters are literal */
  CU_ASSERT_EQUAL(ere_matches(re, "/x/d+(y)|z$"), 0);
  CU_ASSERT_EQUAL(ere_matches(re, "/x/byyz"), 0);
  free(re);
  CU_ASSERT_PTR_NULL(rf_sbpl_glob_regex("relative/*.pem", err, sizeof err));
  CU_ASSERT_PTR_NULL(rf_sbpl_glob_regex("/a/[unclosed", err, sizeof err));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "unclosed"));
  CU_ASSERT_PTR_NULL(rf_sbpl_glob_regex("/a/../b/*", err, sizeof err));
  CU_ASSERT_PTR_NULL(rf_sbpl_glob_regex("/a/[\\]]", err, sizeof err));
  CU_ASSERT_PTR_NULL(rf_sbpl_glob_regex("/a/*\n", err, sizeof err));
}

static void test_an_unmatchable_glob_is_refused_by_name(void) {
  fixture f;
  fixture_policy(&f, shapes[2]);
  static const char *const bad[] = {"/Users/dev/[oops"};
  f.policy.deny_read_globs = bad;
  f.policy.n_deny_read_globs = 1;
  rf_seatbelt_params params = {0};
  char err[512] = "";
  char *profile = profile_of(&f.policy, &params, err, sizeof err);
  CU_ASSERT_PTR_NULL(profile);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "'/Users/dev/[oops'"));
  CU_ASSERT_EQUAL(params.n, 0); /* nothing half-done */
  free(profile);
  rf_seatbelt_params_clear(&params);
}

void add_hardening_tests(void) {
  CU_pSuite s = CU_add_suite("seatbelt-hardening", NULL, NULL);
  CU_add_test(s, "every profile ends with the fcntl 80/110 and XPC denials",
              test_every_profile_ends_with_the_fcntl_and_xpc_denials);
  CU_add_test(s, "compatibility allowances are exactly these",
              test_compatibility_allowances_are_exactly_these);
  CU_add_test(s, "preferences daemon only with full reads", test_preferences_only_with_full_reads);
  CU_add_test(s, "TrustEvaluationAgent only with the network on",
              test_trust_evaluation_agent_only_with_the_network_on);
  CU_add_test(s, "deny-read also denies writes", test_deny_read_also_denies_writes);
  CU_add_test(s, "deny-read globs are anchored regexes", test_deny_read_globs_are_anchored_regexes);
  CU_add_test(s, "glob translation edges", test_glob_translation_edges);
  CU_add_test(s, "an unmatchable glob is refused by name",
              test_an_unmatchable_glob_is_refused_by_name);
}
