/* test-profile.c: claims about the generated profile: deny by default, confined writes, protected names, hostile paths. */
#include "fixtures.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const fixture_shape workspace_restricted = {RF_SANDBOX_WORKSPACE_WRITE, RF_READ_RESTRICTED,
                                                   1, RF_NETWORK_OFF};

static int ere_matches(const char *re, const char *subject) {
  regex_t compiled;
  if (regcomp(&compiled, re, REG_EXTENDED | REG_NOSUB) != 0)
    return -1;
  int matched = regexec(&compiled, subject, 0, NULL, 0) == 0;
  regfree(&compiled);
  return matched;
}

static void test_profile_is_deny_by_default_with_a_run_tag(void) {
  fixture f;
  fixture_policy(&f, workspace_restricted);
  rf_seatbelt_params params = {0};
  char err[512] = "";
  char *profile = profile_of(&f.policy, &params, err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
  const char *version = strstr(profile, "\n(version 1)\n");
  const char *deny = strstr(profile, "\n(deny default (with message \"ringfence-golden-0001\"))\n");
  CU_ASSERT_PTR_NOT_NULL(version);
  CU_ASSERT_PTR_NOT_NULL(deny);
  CU_ASSERT_TRUE(version && deny && version < deny);
  /* Nothing but comments before (version 1). */
  for (const char *line = profile; line && line < version; line = strchr(line, '\n') + 1)
    CU_ASSERT_EQUAL(line[0], ';');
  CU_ASSERT_PTR_NULL(strstr(profile, "(allow default"));
  CU_ASSERT_EQUAL(check_profile(profile, &params, err, sizeof err), 0);
  free(profile);
  rf_seatbelt_params_clear(&params);
}

static void test_denials_come_after_every_allow(void) {
  fixture f;
  fixture_policy(&f, workspace_restricted);
  rf_seatbelt_params params = {0};
  char err[512] = "";
  char *profile = profile_of(&f.policy, &params, err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
  const char *last_allow = NULL;
  for (const char *p = profile; (p = strstr(p, "\n(allow ")); p++)
    last_allow = p;
  const char *first_deny = strstr(profile, "\n(deny file-");
  CU_ASSERT_PTR_NOT_NULL(first_deny);
  CU_ASSERT_TRUE(last_allow && first_deny && last_allow < first_deny);
  free(profile);
  rf_seatbelt_params_clear(&params);
}

static void test_writable_roots_and_protected_paths_are_parameters(void) {
  fixture f;
  fixture_policy(&f, workspace_restricted);
  rf_seatbelt_params params = {0};
  char err[512] = "";
  char *profile = profile_of(&f.policy, &params, err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&params, "WRITABLE_ROOT_0"), "/Users/dev/project");
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&params, "WRITABLE_ROOT_1"), "/private/tmp");
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&params, "WRITABLE_ROOT_0_PROTECTED_0"),
                         "/Users/dev/project/.git");
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&params, "WRITABLE_ROOT_0_PROTECTED_3"),
                         "/Users/dev/main/.git/worktrees/project");
  /* No path of the policy is written into the profile text. */
  CU_ASSERT_PTR_NULL(strstr(profile, "/Users/dev"));
  CU_ASSERT_PTR_NULL(strstr(profile, "/private/var/folders/xy"));
  CU_ASSERT_PTR_NULL(strstr(profile, ".git"));
  CU_ASSERT_PTR_NULL(strstr(profile, "secrets"));
  /* Each protected path is excluded from the write allow and denied at the
   * end, exactly and case-insensitively. */
  CU_ASSERT_PTR_NOT_NULL(strstr(profile, "(require-not (subpath (param \"WRITABLE_ROOT_0_PROTECTED_2\")))"));
  CU_ASSERT_PTR_NOT_NULL(strstr(profile, "(require-not (regex (param \"WRITABLE_ROOT_0_PROTECTED_2_RE\")))"));
  const char *deny = strstr(profile, "(deny file-write* file-link (with message");
  CU_ASSERT_PTR_NOT_NULL_FATAL(deny);
  CU_ASSERT_PTR_NOT_NULL(strstr(deny, "(subpath (param \"WRITABLE_ROOT_0_PROTECTED_2\"))"));
  CU_ASSERT_PTR_NOT_NULL(strstr(deny, "(regex (param \"WRITABLE_ROOT_0_PROTECTED_2_RE\"))"));
  free(profile);
  rf_seatbelt_params_clear(&params);
}

static void test_protected_name_cannot_be_created_in_any_case(void) {
  fixture f;
  fixture_policy(&f, workspace_restricted);
  rf_seatbelt_params params = {0};
  char err[512] = "";
  char *profile = profile_of(&f.policy, &params, err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
  const char *re = rf_seatbelt_params_get(&params, "WRITABLE_ROOT_0_PROTECTED_1_RE");
  CU_ASSERT_PTR_NOT_NULL_FATAL(re);
  CU_ASSERT_EQUAL(ere_matches(re, "/Users/dev/project/.envrc"), 1);
  CU_ASSERT_EQUAL(ere_matches(re, "/Users/dev/project/.ENVRC"), 1);
  CU_ASSERT_EQUAL(ere_matches(re, "/Users/dev/project/.envrc.local"), 0);
  free(profile);
  rf_seatbelt_params_clear(&params);
}

static void test_ancestors_of_protected_and_deny_read_paths_cannot_be_renamed(void) {
  fixture f;
  fixture_policy(&f, workspace_restricted);
  /* A protected path two levels down, and one inside /private/tmp. */
  const char *protected[] = {"/Users/dev/project/.git", "/Users/dev/project/sub/dir/.envrc"};
  f.roots[0].protected_paths = protected;
  f.roots[0].n_protected = 2;
  rf_seatbelt_params params = {0};
  char err[512] = "";
  char *profile = profile_of(&f.policy, &params, err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
  /* The root itself, then sub/dir and sub; nothing outside the roots
   * (/Users/dev is not writable anyway). */
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&params, "ANCESTOR_0"), "/Users/dev/project");
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&params, "ANCESTOR_1"),
                         "/Users/dev/project/sub/dir");
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&params, "ANCESTOR_2"), "/Users/dev/project/sub");
  /* /Users/dev/project/secrets (deny-read) adds no new ancestor. */
  CU_ASSERT_PTR_NULL(rf_seatbelt_params_get(&params, "ANCESTOR_3"));
  const char *deny = strstr(profile, "(deny file-write-unlink (with message");
  CU_ASSERT_PTR_NOT_NULL_FATAL(deny);
  CU_ASSERT_PTR_NOT_NULL(strstr(deny, "(literal (param \"ANCESTOR_2\"))"));
  const char *re = rf_seatbelt_params_get(&params, "ANCESTOR_1_RE");
  CU_ASSERT_EQUAL(ere_matches(re, "/Users/dev/project/SUB/dir"), 1);
  CU_ASSERT_EQUAL(ere_matches(re, "/Users/dev/project/sub/dir/x"), 0);
  free(profile);
  rf_seatbelt_params_clear(&params);
}

static void test_deny_read_paths_are_unreadable_and_immovable(void) {
  fixture f;
  fixture_policy(&f, (fixture_shape){RF_SANDBOX_WORKSPACE_WRITE, RF_READ_FULL, 0, RF_NETWORK_OFF});
  rf_seatbelt_params params = {0};
  char err[512] = "";
  char *profile = profile_of(&f.policy, &params, err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
  const char *deny = strstr(profile, "(deny file-read* file-write* file-link process-exec");
  CU_ASSERT_PTR_NOT_NULL_FATAL(deny);
  CU_ASSERT_PTR_NOT_NULL(strstr(deny, "(subpath (param \"DENY_READ_0\"))"));
  CU_ASSERT_PTR_NOT_NULL(strstr(deny, "(regex (param \"DENY_READ_1_RE\"))"));
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&params, "DENY_READ_0"), "/Users/dev/.ssh");
  CU_ASSERT_EQUAL(ere_matches(rf_seatbelt_params_get(&params, "DENY_READ_0_RE"),
                              "/Users/dev/.SSH/id_ed25519"),
                  1);
  /* The deny-read path inside the project makes the project root immovable. */
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&params, "ANCESTOR_0"), "/Users/dev/project");
  free(profile);
  rf_seatbelt_params_clear(&params);
}

static void test_read_only_mode_allows_no_write_outside_dev(void) {
  fixture f;
  fixture_policy(&f, (fixture_shape){RF_SANDBOX_READ_ONLY, RF_READ_FULL, 0, RF_NETWORK_ON});
  rf_seatbelt_params params = {0};
  char err[512] = "";
  char *profile = profile_of(&f.policy, &params, err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
  CU_ASSERT_PTR_NULL(strstr(profile, "(allow file-write*"));
  CU_ASSERT_PTR_NULL(strstr(profile, "WRITABLE_ROOT"));
  CU_ASSERT_EQUAL(check_profile(profile, &params, err, sizeof err), 0);
  free(profile);
  rf_seatbelt_params_clear(&params);
}

static void test_network_off_allows_no_socket_at_all(void) {
  fixture f;
  fixture_policy(&f, workspace_restricted);
  rf_seatbelt_params params = {0};
  char err[512] = "";
  char *profile = profile_of(&f.policy, &params, err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
  CU_ASSERT_PTR_NULL(strstr(profile, "(allow network"));
  CU_ASSERT_PTR_NULL(strstr(profile, "system-socket"));
  CU_ASSERT_PTR_NULL(strstr(profile, "mDNSResponder"));
  CU_ASSERT_PTR_NULL(strstr(profile, "trustd"));
  free(profile);
  rf_seatbelt_params_clear(&params);

  f.policy.network = RF_NETWORK_ON;
  profile = profile_of(&f.policy, &params, err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
  CU_ASSERT_PTR_NOT_NULL(strstr(profile, "(allow network-outbound (remote ip))"));
  CU_ASSERT_PTR_NOT_NULL(strstr(profile, "\"/private/var/run/mDNSResponder\""));
  /* Host unix sockets stay closed with the network on too. */
  CU_ASSERT_PTR_NULL(strstr(profile, "unix"));
  CU_ASSERT_EQUAL(check_profile(profile, &params, err, sizeof err), 0);
  free(profile);
  rf_seatbelt_params_clear(&params);
}

/* The platform policy is appended exactly when reads are restricted and the
 * policy asks for platform defaults, in either mode and network setting. */
static void test_platform_policy_appears_exactly_when_it_should(void) {
  for (int mode = 0; mode < 2; mode++) {
    for (int read = 0; read < 2; read++) {
      for (int platform = 0; platform < 2; platform++) {
        for (int network = 0; network < 2; network++) {
          fixture f;
          fixture_policy(&f, (fixture_shape){(rf_sandbox_mode)mode, (rf_read_access)read,
                                             platform, (rf_network_mode)network});
          rf_seatbelt_params params = {0};
          char err[512] = "";
          char *profile = profile_of(&f.policy, &params, err, sizeof err);
          CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
          int expected = read == RF_READ_RESTRICTED && platform;
          int present = strstr(profile, rf_sbpl_platform_policy) != NULL;
          CU_ASSERT_EQUAL(present, expected);
          CU_ASSERT_EQUAL(strstr(profile, "(subpath \"/System/Library\")") != NULL, expected);
          /* Never a home directory or /Users, platform policy or not. */
          CU_ASSERT_PTR_NULL(strstr(profile, "\"/Users"));
          CU_ASSERT_PTR_NULL(strstr(profile, "home-subpath"));
          free(profile);
          rf_seatbelt_params_clear(&params);
        }
      }
    }
  }
}

static void test_restricted_reads_name_only_the_roots(void) {
  fixture f;
  fixture_policy(&f, (fixture_shape){RF_SANDBOX_WORKSPACE_WRITE, RF_READ_RESTRICTED, 0,
                                     RF_NETWORK_OFF});
  rf_seatbelt_params params = {0};
  char err[512] = "";
  char *profile = profile_of(&f.policy, &params, err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
  CU_ASSERT_PTR_NULL(strstr(profile, "(allow file-read* process-exec file-map-executable)"));
  const char *reads = strstr(profile, "(allow file-read* process-exec file-map-executable\n");
  CU_ASSERT_PTR_NOT_NULL_FATAL(reads);
  CU_ASSERT_PTR_NOT_NULL(strstr(reads, "(subpath (param \"READABLE_ROOT_1\"))"));
  CU_ASSERT_PTR_NOT_NULL(strstr(reads, "(subpath (param \"WRITABLE_ROOT_2\"))"));
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&params, "READABLE_ROOT_1"),
                         "/Users/dev/Library/Mobile Documents/it's \"odd\"");
  /* Ancestors are metadata only: /Users/dev, /Users, ... but not the roots. */
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&params, "READ_ANCESTOR_0"), "/Users/dev");
  for (size_t i = 0; i < params.n; i++)
    if (strncmp(params.items[i].key, "READ_ANCESTOR_", 14) == 0)
      CU_ASSERT_STRING_NOT_EQUAL(params.items[i].value, "/Users/dev/project");
  free(profile);
  rf_seatbelt_params_clear(&params);
}

/* The profile without the lines naming ancestors (their number depends on
 * how deep the paths are). */
static char *without_ancestor_lines(const char *profile) {
  char *out = calloc(1, strlen(profile) + 1);
  size_t len = 0;
  for (const char *line = profile; *line;) {
    const char *end = strchr(line, '\n');
    size_t n = end ? (size_t)(end - line + 1) : strlen(line);
    char *copy = strndup(line, n);
    if (!strstr(copy, "ANCESTOR_")) {
      memcpy(out + len, line, n);
      len += n;
    }
    free(copy);
    line += n;
  }
  return out;
}

/* Same shape, different paths: same profile text (but for how many
 * ancestors there are).  The paths cannot change the profile's structure
 * because they never enter it. */
static void test_hostile_paths_never_reach_the_profile_text(void) {
  fixture tame, hostile;
  fixture_policy(&tame, workspace_restricted);
  fixture_policy(&hostile, workspace_restricted);
  const char *evil_protected[] = {
      "/tmp/\")) (allow default) ;/.git",
      "/tmp/back\\slash\nnew line/.envrc",
      ("/tmp/\xc3\xbcnic\xc3\xb8" "de/.vscode"),
      "/tmp/(regex #\".*\")/x",
  };
  const char *evil_readable[] = {"/tmp/a\"b", "/tmp/\n(allow file-write*)\n"};
  const char *evil_deny[] = {"/tmp/.*", "/tmp/$(id)"};
  hostile.roots[0].path = "/tmp/\")) (allow default) ;";
  hostile.roots[0].protected_paths = evil_protected;
  hostile.roots[1].path = "/tmp/x\ny";
  hostile.roots[2].path = "/tmp/\xe2\x9c\x93";
  hostile.policy.readable_roots = evil_readable;
  hostile.policy.deny_read = evil_deny;

  rf_seatbelt_params tame_params = {0}, hostile_params = {0};
  char err[512] = "";
  char *tame_profile = profile_of(&tame.policy, &tame_params, err, sizeof err);
  char *hostile_profile = profile_of(&hostile.policy, &hostile_params, err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(tame_profile);
  CU_ASSERT_PTR_NOT_NULL_FATAL(hostile_profile);
  char *tame_core = without_ancestor_lines(tame_profile);
  char *hostile_core = without_ancestor_lines(hostile_profile);
  CU_ASSERT_STRING_EQUAL(hostile_core, tame_core);
  free(tame_core);
  free(hostile_core);
  CU_ASSERT_PTR_NULL(strstr(hostile_profile, "/tmp/"));
  CU_ASSERT_PTR_NULL(strstr(hostile_profile, "back\\slash"));
  CU_ASSERT_PTR_NULL(strstr(hostile_profile, "\xe2\x9c\x93"));
  CU_ASSERT_PTR_NULL(strstr(hostile_profile, "(allow default"));
  CU_ASSERT_PTR_NULL(strstr(hostile_profile, "$(id)"));
  CU_ASSERT_EQUAL(check_profile(hostile_profile, &hostile_params, err, sizeof err), 0);
  /* And every hostile path reaches sandbox-exec byte for byte. */
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&hostile_params, "WRITABLE_ROOT_0"),
                         "/tmp/\")) (allow default) ;");
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&hostile_params, "WRITABLE_ROOT_0_PROTECTED_1"),
                         "/tmp/back\\slash\nnew line/.envrc");
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&hostile_params, "READABLE_ROOT_1"),
                         "/tmp/\n(allow file-write*)\n");
  CU_ASSERT_EQUAL(ere_matches(rf_seatbelt_params_get(&hostile_params,
                                                     "WRITABLE_ROOT_0_PROTECTED_0_RE"),
                              "/tmp/\")) (allow default) ;/.GIT/config"),
                  1);
  CU_ASSERT_EQUAL(ere_matches(rf_seatbelt_params_get(&hostile_params, "DENY_READ_0_RE"),
                              "/tmp/xx"),
                  0);
  free(tame_profile);
  free(hostile_profile);
  rf_seatbelt_params_clear(&tame_params);
  rf_seatbelt_params_clear(&hostile_params);
}

/* The plugin protects what the core lists, no more: a writable root that is
 * itself called .git (the user chose it) gets no invented protection, and
 * nothing in the profile mentions .git. */
static void test_a_path_named_git_elsewhere_is_not_special(void) {
  fixture f;
  fixture_policy(&f, workspace_restricted);
  f.roots[0].path = "/srv/mirror/.git";
  f.roots[0].protected_paths = NULL;
  f.roots[0].n_protected = 0;
  const char *readable[] = {"/srv/other/.git", "/srv/.git/objects"};
  const char *deny[] = {"/Users/dev/.git"};
  f.policy.readable_roots = readable;
  f.policy.deny_read = deny;
  f.policy.n_deny_read = 1;
  rf_seatbelt_params params = {0};
  char err[512] = "";
  char *profile = profile_of(&f.policy, &params, err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
  CU_ASSERT_PTR_NULL(strstr(profile, ".git"));
  CU_ASSERT_PTR_NULL(strstr(profile, "PROTECTED"));
  CU_ASSERT_PTR_NULL(rf_seatbelt_params_get(&params, "ANCESTOR_0"));
  CU_ASSERT_PTR_NOT_NULL(strstr(profile, "(allow file-write* file-link (subpath (param \"WRITABLE_ROOT_0\")))"));
  CU_ASSERT_STRING_EQUAL(rf_seatbelt_params_get(&params, "WRITABLE_ROOT_0"), "/srv/mirror/.git");
  CU_ASSERT_EQUAL(check_profile(profile, &params, err, sizeof err), 0);
  free(profile);
  rf_seatbelt_params_clear(&params);
}

/* desktop-isolation rests on this: no Mach service that reaches the user's
 * windows, input, pasteboard or applications, in any mode. */
static void test_no_service_reaches_the_users_desktop(void) {
  static const char *const gui[] = {"windowserver", "WindowServer", "pasteboard",
                                    "launchservices", "coreservices", "appleevents",
                                    "lsd.", "tccd", "accessibility", "hiservices",
                                    "iokit-open", "appleevent-send", "cfprefsd", "FSEvents",
                                    NULL};
  for (int network = 0; network < 2; network++) {
    fixture f;
    fixture_policy(&f, (fixture_shape){RF_SANDBOX_WORKSPACE_WRITE, RF_READ_RESTRICTED, 1,
                                       (rf_network_mode)network});
    rf_seatbelt_params params = {0};
    char err[512] = "";
    char *profile = profile_of(&f.policy, &params, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(profile);
    /* Only (global-name ...) lines name services; comments may mention them. */
    for (const char *line = profile; *line;) {
      const char *end = strchr(line, '\n');
      size_t n = end ? (size_t)(end - line) : strlen(line);
      char *copy = strndup(line, n);
      if (copy[0] != ';' && !strstr(copy, ";;"))
        for (int i = 0; gui[i]; i++)
          if (strstr(copy, gui[i])) {
            fprintf(stderr, "\n  '%s' in: %s\n", gui[i], copy);
            CU_FAIL("a desktop service is reachable");
          }
      free(copy);
      line += end ? n + 1 : n;
    }
    free(profile);
    rf_seatbelt_params_clear(&params);
  }
}

static void test_proxy_mode_allows_the_proxy_port_alone(void) {
  fixture f;
  fixture_policy(&f, workspace_restricted);
  f.policy.network = RF_NETWORK_PROXY;
  f.policy.proxy_port = 3128;
  rf_seatbelt_params params = {0};
  char *profile = NULL;
  char err[512] = "";
  CU_ASSERT_EQUAL_FATAL(rf_seatbelt_profile(&f.policy, &profile, &params, err, sizeof err), 0);
  /* Outbound to the proxy's localhost port, and no other network rule. */
  CU_ASSERT_PTR_NOT_NULL(strstr(profile, "(allow network-outbound (remote ip \"localhost:3128\"))\n"));
  const char *first = strstr(profile, "(allow network");
  CU_ASSERT_PTR_NOT_NULL_FATAL(first);
  CU_ASSERT_PTR_NULL(strstr(first + 1, "(allow network"));
  /* No DNS: names are the proxy's to resolve. */
  CU_ASSERT_PTR_NULL(strstr(profile, "mDNSResponder"));
  CU_ASSERT_PTR_NULL(strstr(profile, "DNSConfiguration"));
  CU_ASSERT_PTR_NULL(strstr(profile, "(remote ip))"));
  CU_ASSERT_PTR_NULL(strstr(profile, "network-bind"));
  CU_ASSERT_PTR_NULL(strstr(profile, "network-inbound"));
  free(profile);
  rf_seatbelt_params_clear(&params);
}

static void expect_invalid(fixture *f, const char *needle) {
  rf_seatbelt_params params = {0};
  char *profile = NULL;
  char err[512] = "";
  CU_ASSERT_EQUAL(rf_seatbelt_profile(&f->policy, &profile, &params, err, sizeof err), -EINVAL);
  CU_ASSERT_PTR_NULL(profile);
  CU_ASSERT_EQUAL(params.n, 0);
  if (!strstr(err, needle))
    fprintf(stderr, "\n  message '%s' lacks '%s'\n", err, needle);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
}

static void test_malformed_policies_are_refused_with_the_culprit_named(void) {
  fixture f;
  fixture_policy(&f, workspace_restricted);
  f.roots[1].path = "private/tmp";
  expect_invalid(&f, "'private/tmp'");

  fixture_policy(&f, workspace_restricted);
  f.roots[0].protected_paths = (const char *const[]){"/Users/dev/project/../.git"};
  f.roots[0].n_protected = 1;
  expect_invalid(&f, "/Users/dev/project/../.git");

  fixture_policy(&f, workspace_restricted);
  f.policy.deny_read = (const char *const[]){"/a//b", "/x"};
  expect_invalid(&f, "'/a//b'");

  fixture_policy(&f, workspace_restricted);
  f.policy.run_id = "Bad Id";
  expect_invalid(&f, "run_id");

  fixture_policy(&f, workspace_restricted);
  f.policy.run_id = "x\")) (allow default";
  expect_invalid(&f, "run_id");

  fixture_policy(&f, (fixture_shape){RF_SANDBOX_READ_ONLY, RF_READ_FULL, 0, RF_NETWORK_OFF});
  f.policy.writable_roots = f.roots;
  f.policy.n_writable_roots = 1;
  expect_invalid(&f, "read-only");

  fixture_policy(&f, workspace_restricted);
  f.policy.mode = RF_SANDBOX_DANGER_FULL_ACCESS;
  expect_invalid(&f, "danger-full-access");

  fixture_policy(&f, workspace_restricted);
  f.policy.network = 7;
  expect_invalid(&f, "network");

  fixture_policy(&f, workspace_restricted);
  f.policy.size = 8;
  expect_invalid(&f, "size");

  fixture_policy(&f, workspace_restricted);
  f.roots[2].size = 4;
  expect_invalid(&f, "struct size");

  fixture_policy(&f, workspace_restricted);
  f.policy.readable_roots = NULL;
  expect_invalid(&f, "NULL");
}

static void test_environment_carries_the_sandbox_markers(void) {
  fixture f;
  fixture_policy(&f, workspace_restricted);
  const char *envp[] = {"A=1", "RINGFENCE_SANDBOX=bwrap", "RINGFENCE_SANDBOX_NETWORK_DISABLED=0",
                        "RINGFENCE_SANDBOXED=keep", NULL};
  f.policy.envp = envp;
  char **out = rf_seatbelt_environ(&f.policy);
  CU_ASSERT_PTR_NOT_NULL_FATAL(out);
  CU_ASSERT_STRING_EQUAL(out[0], "A=1");
  CU_ASSERT_STRING_EQUAL(out[1], "RINGFENCE_SANDBOXED=keep");
  CU_ASSERT_STRING_EQUAL(out[2], "RINGFENCE_SANDBOX=seatbelt");
  CU_ASSERT_STRING_EQUAL(out[3], "RINGFENCE_SANDBOX_NETWORK_DISABLED=1");
  CU_ASSERT_PTR_NULL(out[4]);
  rf_seatbelt_environ_free(out);

  f.policy.network = RF_NETWORK_ON;
  out = rf_seatbelt_environ(&f.policy);
  CU_ASSERT_STRING_EQUAL(out[2], "RINGFENCE_SANDBOX=seatbelt");
  CU_ASSERT_PTR_NULL(out[3]);
  rf_seatbelt_environ_free(out);

  /* danger-full-access is no sandbox of ours: the environment is untouched. */
  f.policy.mode = RF_SANDBOX_DANGER_FULL_ACCESS;
  out = rf_seatbelt_environ(&f.policy);
  for (int i = 0; i < 4; i++)
    CU_ASSERT_STRING_EQUAL(out[i], envp[i]);
  CU_ASSERT_PTR_NULL(out[4]);
  rf_seatbelt_environ_free(out);
}

static void test_render_lines_never_contain_a_newline(void) {
  fixture f;
  fixture_policy(&f, workspace_restricted);
  f.roots[0].path = "/tmp/new\nline";
  const char *argv[] = {"sh", "-c", "echo 'two\nlines'", NULL};
  capture cap;
  const rf_backend_sink *sink = capture_sink(&cap);
  char err[512] = "";
  CU_ASSERT_EQUAL(rf_seatbelt_render(NULL, &f.policy, argv, sink, err, sizeof err), 0);
  CU_ASSERT_EQUAL(cap.lines_with_newline, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "$'-DWRITABLE_ROOT_0=/tmp/new\\nline'"));
  CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "[command]\n/usr/bin/sandbox-exec\n-p\n<the profile in section sbpl>\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "\n--\nsh\n-c\n$'echo \\'two\\nlines\\''\n[environment]\n"));
  capture_free(&cap);
}

static void test_argv_puts_the_command_after_a_double_dash(void) {
  rf_seatbelt_params params = {0};
  rf_seatbelt_params_add(&params, "K", "/v=w");
  const char *argv[] = {"-p", "--", NULL};
  char **out = rf_seatbelt_argv("/usr/bin/sandbox-exec", "(version 1)", &params, argv);
  const char *expected[] = {"/usr/bin/sandbox-exec", "-p", "(version 1)", "-DK=/v=w", "--", "-p",
                            "--", NULL};
  for (int i = 0; expected[i]; i++)
    CU_ASSERT_STRING_EQUAL(out[i], expected[i]);
  CU_ASSERT_PTR_NULL(out[7]);
  rf_seatbelt_argv_free(out);
  out = rf_seatbelt_argv("/usr/bin/sandbox-exec", NULL, &params, argv);
  CU_ASSERT_STRING_EQUAL(out[0], "-p");
  CU_ASSERT_PTR_NULL(out[2]);
  rf_seatbelt_argv_free(out);
  rf_seatbelt_params_clear(&params);
}

void add_profile_tests(void) {
  CU_pSuite s = CU_add_suite("seatbelt-profile", NULL, NULL);
  CU_add_test(s, "profile is deny-by-default with a run tag", test_profile_is_deny_by_default_with_a_run_tag);
  CU_add_test(s, "denials come after every allow", test_denials_come_after_every_allow);
  CU_add_test(s, "writable roots and protected paths are parameters",
              test_writable_roots_and_protected_paths_are_parameters);
  CU_add_test(s, "a protected name cannot be created in any letter case",
              test_protected_name_cannot_be_created_in_any_case);
  CU_add_test(s, "ancestors of protected and deny-read paths cannot be renamed",
              test_ancestors_of_protected_and_deny_read_paths_cannot_be_renamed);
  CU_add_test(s, "deny-read paths are unreadable and immovable",
              test_deny_read_paths_are_unreadable_and_immovable);
  CU_add_test(s, "read-only mode allows no write outside /dev",
              test_read_only_mode_allows_no_write_outside_dev);
  CU_add_test(s, "network off allows no socket at all", test_network_off_allows_no_socket_at_all);
  CU_add_test(s, "platform policy appears exactly when it should",
              test_platform_policy_appears_exactly_when_it_should);
  CU_add_test(s, "restricted reads name only the roots", test_restricted_reads_name_only_the_roots);
  CU_add_test(s, "hostile paths never reach the profile text",
              test_hostile_paths_never_reach_the_profile_text);
  CU_add_test(s, "a path named .git elsewhere is not special",
              test_a_path_named_git_elsewhere_is_not_special);
  CU_add_test(s, "no service reaches the user's desktop", test_no_service_reaches_the_users_desktop);
  CU_add_test(s, "proxy mode: outbound to the proxy's localhost port alone, no DNS",
              test_proxy_mode_allows_the_proxy_port_alone);
  CU_add_test(s, "malformed policies are refused with the culprit named",
              test_malformed_policies_are_refused_with_the_culprit_named);
  CU_add_test(s, "environment carries the sandbox markers",
              test_environment_carries_the_sandbox_markers);
  CU_add_test(s, "render lines never contain a newline", test_render_lines_never_contain_a_newline);
  CU_add_test(s, "argv puts the command after a double dash",
              test_argv_puts_the_command_after_a_double_dash);
}
