/* test-profile.c: claims about the generated profile (deny by default, confined writes, protected names, hostile paths): one table, one runner. */
#include "fixtures.h"

#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Each claim about the profile is one or more rows of profile_cases[] below: a policy (the golden
 * fixture of fixtures.c in a given shape, adjusted by a small function when the claim needs other
 * paths) and what its profile must and must not say.  run_profile_claim() is the only test
 * function: it builds each row's policy, renders the profile and checks it.  A CUnit test is
 * registered per claim, named by it; a failed expectation names the claim and what was expected.
 * The environment, render and argv helpers are not profiles and keep their own tests at the end.
 */

#define MAX_NEEDLES 8

/* A parameter that must have a value (value NULL: must not exist). */
typedef struct {
  const char *key;
  const char *value;
} param_is;

/* A *_RE parameter that must (or must not) match a path. */
typedef struct {
  const char *key;
  const char *subject;
  int matches;
} param_matches;

enum { VARY_MODE = 1, VARY_READ = 2, VARY_PLATFORM = 4, VARY_NETWORK = 8 };

typedef struct {
  const char *claim;                  /* the CUnit test name; consecutive rows may share it */
  fixture_shape shape;                /* the golden policy's knobs */
  unsigned vary;                      /* VARY_*: also every other value of these knobs */
  void (*adjust)(fixture *f);         /* changes to the golden policy, or NULL */
  const char *refused;                /* malformed: -EINVAL, no profile, a message naming this */
  const char *contains[MAX_NEEDLES];  /* substrings the profile holds */
  const char *lacks[MAX_NEEDLES];     /* substrings it must not hold */
  const char *order[MAX_NEEDLES];     /* substrings it holds in this order */
  const char *section;                /* within[] is looked for after the first of this */
  const char *within[MAX_NEEDLES];
  param_is params[MAX_NEEDLES];
  param_matches regexes[MAX_NEEDLES];
  int checked;                        /* the structure checker (sbpl-check.c) accepts it */
  void (*check)(const fixture *f, const char *profile, const rf_seatbelt_params *params);
} profile_case;

static int ere_matches(const char *re, const char *subject) {
  regex_t compiled;
  if (regcomp(&compiled, re, REG_EXTENDED | REG_NOSUB) != 0)
    return -1;
  int matched = regexec(&compiled, subject, 0, NULL, 0) == 0;
  regfree(&compiled);
  return matched;
}

static const fixture_shape workspace_restricted = {RF_SANDBOX_WORKSPACE_WRITE, RF_READ_RESTRICTED,
                                                   1, RF_NETWORK_OFF};
static const fixture_shape workspace_full = {RF_SANDBOX_WORKSPACE_WRITE, RF_READ_FULL, 0,
                                             RF_NETWORK_OFF};

/* ---- policies other than the golden one */

/* A protected path two levels down. */
static void protected_deep(fixture *f) {
  static const char *const protected[] = {"/Users/dev/project/.git",
                                          "/Users/dev/project/sub/dir/.envrc"};
  f->roots[0].protected_paths = protected;
  f->roots[0].n_protected = 2;
}

static void network_on(fixture *f) {
  f->policy.network = RF_NETWORK_ON;
}

static void network_proxy(fixture *f) {
  f->policy.network = RF_NETWORK_PROXY;
  f->policy.proxy_port = 3128;
}

/* Quotes, parentheses, newlines, backslashes, non-ASCII and regex syntax in every path. */
static void hostile_paths(fixture *f) {
  static const char *const evil_protected[] = {
      "/tmp/\")) (allow default) ;/.git",
      "/tmp/back\\slash\nnew line/.envrc",
      ("/tmp/\xc3\xbcnic\xc3\xb8" "de/.vscode"),
      "/tmp/(regex #\".*\")/x",
  };
  static const char *const evil_readable[] = {"/tmp/a\"b", "/tmp/\n(allow file-write*)\n"};
  static const char *const evil_deny[] = {"/tmp/.*", "/tmp/$(id)"};
  f->roots[0].path = "/tmp/\")) (allow default) ;";
  f->roots[0].protected_paths = evil_protected;
  f->roots[1].path = "/tmp/x\ny";
  f->roots[2].path = "/tmp/\xe2\x9c\x93";
  f->policy.readable_roots = evil_readable;
  f->policy.deny_read = evil_deny;
}

/* A writable root that is itself called .git (the user chose it), with no protected paths. */
static void root_named_git(fixture *f) {
  static const char *const readable[] = {"/srv/other/.git", "/srv/.git/objects"};
  static const char *const deny[] = {"/Users/dev/.git"};
  f->roots[0].path = "/srv/mirror/.git";
  f->roots[0].protected_paths = NULL;
  f->roots[0].n_protected = 0;
  f->policy.readable_roots = readable;
  f->policy.deny_read = deny;
  f->policy.n_deny_read = 1;
}

/* Malformed policies, one culprit each. */
static void relative_root(fixture *f) {
  f->roots[1].path = "private/tmp";
}
static void dotdot_protected(fixture *f) {
  static const char *const protected[] = {"/Users/dev/project/../.git"};
  f->roots[0].protected_paths = protected;
  f->roots[0].n_protected = 1;
}
static void double_slash_deny(fixture *f) {
  static const char *const deny[] = {"/a//b", "/x"};
  f->policy.deny_read = deny;
}
static void run_id_with_space(fixture *f) {
  f->policy.run_id = "Bad Id";
}
static void run_id_with_sbpl(fixture *f) {
  f->policy.run_id = "x\")) (allow default";
}
static void read_only_with_roots(fixture *f) {
  f->policy.writable_roots = f->roots;
  f->policy.n_writable_roots = 1;
}
static void danger_full_access(fixture *f) {
  f->policy.mode = RF_SANDBOX_DANGER_FULL_ACCESS;
}
static void unknown_network(fixture *f) {
  f->policy.network = 7;
}
static void short_policy(fixture *f) {
  f->policy.size = 8;
}
static void short_root(fixture *f) {
  f->roots[2].size = 4;
}
static void null_readable_roots(fixture *f) {
  f->policy.readable_roots = NULL;
}

/* ---- checks that are not substrings or parameters */

static void only_comments_before_version(const fixture *f, const char *profile,
                                         const rf_seatbelt_params *params) {
  (void)f, (void)params;
  const char *version = strstr(profile, "\n(version 1)\n");
  for (const char *line = profile; line && version && line < version; line = strchr(line, '\n') + 1)
    EXPECT(line[0] == ';', "only comments before (version 1), not: %.60s", line);
}

static void denials_after_every_allow(const fixture *f, const char *profile,
                                      const rf_seatbelt_params *params) {
  (void)f, (void)params;
  const char *last_allow = NULL;
  for (const char *p = profile; (p = strstr(p, "\n(allow ")); p++)
    last_allow = p;
  const char *first_deny = strstr(profile, "\n(deny file-");
  EXPECT(first_deny != NULL, "the profile has a (deny file-...) rule");
  EXPECT(last_allow && first_deny && last_allow < first_deny,
         "the first (deny file-...) comes after the last (allow ...)");
}

/* Platform policy exactly when reads are restricted and platform defaults asked for. */
static void platform_policy_when_restricted(const fixture *f, const char *profile,
                                            const rf_seatbelt_params *params) {
  (void)params;
  int expected = f->policy.read_access == RF_READ_RESTRICTED &&
                 (f->policy.flags & RF_POLICY_PLATFORM_DEFAULTS);
  EXPECT((strstr(profile, rf_sbpl_platform_policy) != NULL) == expected,
         "the platform policy is %s (mode %u, read %u, platform %d, network %u)",
         expected ? "present" : "absent", f->policy.mode, f->policy.read_access,
         !!(f->policy.flags & RF_POLICY_PLATFORM_DEFAULTS), f->policy.network);
  EXPECT((strstr(profile, "(subpath \"/System/Library\")") != NULL) == expected,
         "/System/Library is %s", expected ? "readable" : "not named");
}

static void read_ancestors_exclude_the_roots(const fixture *f, const char *profile,
                                             const rf_seatbelt_params *params) {
  (void)f, (void)profile;
  for (size_t i = 0; i < params->n; i++)
    if (strncmp(params->items[i].key, "READ_ANCESTOR_", 14) == 0)
      EXPECT(strcmp(params->items[i].value, "/Users/dev/project") != 0,
             "%s is an ancestor, not the root /Users/dev/project", params->items[i].key);
}

/* The profile without the lines naming ancestors (their number depends on how deep the paths
 * are). */
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

/* Same shape, different paths: same profile text (but for how many ancestors there are).  The
 * paths cannot change the profile's structure because they never enter it. */
static void same_text_as_tame_paths(const fixture *f, const char *profile,
                                    const rf_seatbelt_params *params) {
  (void)f, (void)params;
  fixture tame;
  fixture_policy(&tame, workspace_restricted);
  rf_seatbelt_params tame_params = {0};
  char err[512] = "";
  char *tame_profile = profile_of(&tame.policy, &tame_params, err, sizeof err);
  EXPECT_FATAL(tame_profile != NULL, "the golden policy renders: %s", err);
  char *tame_core = without_ancestor_lines(tame_profile);
  char *hostile_core = without_ancestor_lines(profile);
  EXPECT(strcmp(hostile_core, tame_core) == 0,
         "the profile text is the golden policy's (but for ancestor lines)");
  free(tame_core);
  free(hostile_core);
  free(tame_profile);
  rf_seatbelt_params_clear(&tame_params);
}

/* desktop-isolation rests on this: no Mach service that reaches the user's windows, input,
 * pasteboard or applications.  Only (global-name ...) lines name services; comments may. */
static void no_desktop_service(const fixture *f, const char *profile,
                               const rf_seatbelt_params *params) {
  (void)f, (void)params;
  static const char *const gui[] = {"windowserver", "WindowServer", "pasteboard",
                                    "launchservices", "coreservices", "appleevents",
                                    "lsd.", "tccd", "accessibility", "hiservices",
                                    "iokit-open", "appleevent-send", "cfprefsd", "FSEvents",
                                    NULL};
  for (const char *line = profile; *line;) {
    const char *end = strchr(line, '\n');
    size_t n = end ? (size_t)(end - line) : strlen(line);
    char *copy = strndup(line, n);
    if (copy[0] != ';' && !strstr(copy, ";;"))
      for (int i = 0; gui[i]; i++)
        if (strstr(copy, gui[i]))
          EXPECT(0, "a desktop service is reachable: '%s' in: %s", gui[i], copy);
    free(copy);
    line += end ? n + 1 : n;
  }
}

static void one_network_rule(const fixture *f, const char *profile,
                             const rf_seatbelt_params *params) {
  (void)f, (void)params;
  const char *first = strstr(profile, "(allow network");
  EXPECT_FATAL(first != NULL, "the profile has an (allow network...) rule");
  EXPECT(strstr(first + 1, "(allow network") == NULL, "it has no second (allow network...) rule");
}

/* ---- the table */

static const profile_case profile_cases[] = {
    {.claim = "profile is deny-by-default with a run tag",
     .shape = workspace_restricted,
     .order = {"\n(version 1)\n", "\n(deny default (with message \"ringfence-golden-0001\"))\n"},
     .lacks = {"(allow default"},
     .checked = 1,
     .check = only_comments_before_version},
    {.claim = "denials come after every allow",
     .shape = workspace_restricted,
     .check = denials_after_every_allow},
    {.claim = "writable roots and protected paths are parameters",
     .shape = workspace_restricted,
     .params = {{"WRITABLE_ROOT_0", "/Users/dev/project"},
                {"WRITABLE_ROOT_1", "/private/tmp"},
                {"WRITABLE_ROOT_0_PROTECTED_0", "/Users/dev/project/.git"},
                {"WRITABLE_ROOT_0_PROTECTED_3", "/Users/dev/main/.git/worktrees/project"}},
     /* No path of the policy is written into the profile text. */
     .lacks = {"/Users/dev", "/private/var/folders/xy", ".git", "secrets"},
     /* Each protected path is excluded from the write allow and denied at the end, exactly and
      * case-insensitively. */
     .contains = {"(require-not (subpath (param \"WRITABLE_ROOT_0_PROTECTED_2\")))",
                  "(require-not (regex (param \"WRITABLE_ROOT_0_PROTECTED_2_RE\")))"},
     .section = "(deny file-write* file-link (with message",
     .within = {"(subpath (param \"WRITABLE_ROOT_0_PROTECTED_2\"))",
                "(regex (param \"WRITABLE_ROOT_0_PROTECTED_2_RE\"))"}},
    {.claim = "a protected name cannot be created in any letter case",
     .shape = workspace_restricted,
     .regexes = {{"WRITABLE_ROOT_0_PROTECTED_1_RE", "/Users/dev/project/.envrc", 1},
                 {"WRITABLE_ROOT_0_PROTECTED_1_RE", "/Users/dev/project/.ENVRC", 1},
                 {"WRITABLE_ROOT_0_PROTECTED_1_RE", "/Users/dev/project/.envrc.local", 0}}},
    {.claim = "ancestors of protected and deny-read paths cannot be renamed",
     .shape = workspace_restricted,
     .adjust = protected_deep,
     /* The root itself, then sub/dir and sub; nothing outside the roots (/Users/dev is not
      * writable anyway); /Users/dev/project/secrets (deny-read) adds no new ancestor. */
     .params = {{"ANCESTOR_0", "/Users/dev/project"},
                {"ANCESTOR_1", "/Users/dev/project/sub/dir"},
                {"ANCESTOR_2", "/Users/dev/project/sub"},
                {"ANCESTOR_3", NULL}},
     .section = "(deny file-write-unlink (with message",
     .within = {"(literal (param \"ANCESTOR_2\"))"},
     .regexes = {{"ANCESTOR_1_RE", "/Users/dev/project/SUB/dir", 1},
                 {"ANCESTOR_1_RE", "/Users/dev/project/sub/dir/x", 0}}},
    {.claim = "deny-read paths are unreadable and immovable",
     .shape = workspace_full,
     .section = "(deny file-read* file-write* file-link process-exec",
     .within = {"(subpath (param \"DENY_READ_0\"))", "(regex (param \"DENY_READ_1_RE\"))"},
     /* The deny-read path inside the project makes the project root immovable. */
     .params = {{"DENY_READ_0", "/Users/dev/.ssh"}, {"ANCESTOR_0", "/Users/dev/project"}},
     .regexes = {{"DENY_READ_0_RE", "/Users/dev/.SSH/id_ed25519", 1}}},
    {.claim = "read-only mode allows no write outside /dev",
     .shape = {RF_SANDBOX_READ_ONLY, RF_READ_FULL, 0, RF_NETWORK_ON},
     .lacks = {"(allow file-write*", "WRITABLE_ROOT"},
     .checked = 1},
    {.claim = "network off allows no socket at all",
     .shape = workspace_restricted,
     .lacks = {"(allow network", "system-socket", "mDNSResponder", "trustd"}},
    {.claim = "network off allows no socket at all", /* the same policy with the network on */
     .shape = workspace_restricted,
     .adjust = network_on,
     .contains = {"(allow network-outbound (remote ip))", "\"/private/var/run/mDNSResponder\""},
     /* Host unix sockets stay closed with the network on too. */
     .lacks = {"unix"},
     .checked = 1},
    {.claim = "platform policy appears exactly when it should",
     .shape = {RF_SANDBOX_READ_ONLY, RF_READ_FULL, 0, RF_NETWORK_OFF},
     .vary = VARY_MODE | VARY_READ | VARY_PLATFORM | VARY_NETWORK,
     /* Never a home directory or /Users, platform policy or not. */
     .lacks = {"\"/Users", "home-subpath"},
     .check = platform_policy_when_restricted},
    {.claim = "restricted reads name only the roots",
     .shape = {RF_SANDBOX_WORKSPACE_WRITE, RF_READ_RESTRICTED, 0, RF_NETWORK_OFF},
     .lacks = {"(allow file-read* process-exec file-map-executable)"},
     .section = "(allow file-read* process-exec file-map-executable\n",
     .within = {"(subpath (param \"READABLE_ROOT_1\"))", "(subpath (param \"WRITABLE_ROOT_2\"))"},
     /* Ancestors are metadata only: /Users/dev, /Users, ... but not the roots. */
     .params = {{"READABLE_ROOT_1", "/Users/dev/Library/Mobile Documents/it's \"odd\""},
                {"READ_ANCESTOR_0", "/Users/dev"}},
     .check = read_ancestors_exclude_the_roots},
    {.claim = "hostile paths never reach the profile text",
     .shape = workspace_restricted,
     .adjust = hostile_paths,
     .check = same_text_as_tame_paths,
     .lacks = {"/tmp/", "back\\slash", "\xe2\x9c\x93", "(allow default", "$(id)"},
     .checked = 1,
     /* And every hostile path reaches sandbox-exec byte for byte. */
     .params = {{"WRITABLE_ROOT_0", "/tmp/\")) (allow default) ;"},
                {"WRITABLE_ROOT_0_PROTECTED_1", "/tmp/back\\slash\nnew line/.envrc"},
                {"READABLE_ROOT_1", "/tmp/\n(allow file-write*)\n"}},
     .regexes = {{"WRITABLE_ROOT_0_PROTECTED_0_RE", "/tmp/\")) (allow default) ;/.GIT/config", 1},
                 {"DENY_READ_0_RE", "/tmp/xx", 0}}},
    /* The plugin protects what the core lists, no more: a writable root called .git gets no
     * invented protection, and nothing in the profile mentions .git. */
    {.claim = "a path named .git elsewhere is not special",
     .shape = workspace_restricted,
     .adjust = root_named_git,
     .lacks = {".git", "PROTECTED"},
     .params = {{"ANCESTOR_0", NULL}, {"WRITABLE_ROOT_0", "/srv/mirror/.git"}},
     .contains = {"(allow file-write* file-link (subpath (param \"WRITABLE_ROOT_0\")))"},
     .checked = 1},
    {.claim = "no service reaches the user's desktop",
     .shape = workspace_restricted,
     .vary = VARY_NETWORK,
     .check = no_desktop_service},
    {.claim = "proxy mode: outbound to the proxy's localhost port alone, no DNS",
     .shape = workspace_restricted,
     .adjust = network_proxy,
     .contains = {"(allow network-outbound (remote ip \"localhost:3128\"))\n"},
     .check = one_network_rule,
     /* No DNS: names are the proxy's to resolve. */
     .lacks = {"mDNSResponder", "DNSConfiguration", "(remote ip))", "network-bind",
               "network-inbound"}},
#define MALFORMED(fn, culprit)                                                                     \
  {.claim = "malformed policies are refused with the culprit named", .shape = workspace_restricted, \
   .adjust = fn, .refused = culprit}
    MALFORMED(relative_root, "'private/tmp'"),
    MALFORMED(dotdot_protected, "/Users/dev/project/../.git"),
    MALFORMED(double_slash_deny, "'/a//b'"),
    MALFORMED(run_id_with_space, "run_id"),
    MALFORMED(run_id_with_sbpl, "run_id"),
    {.claim = "malformed policies are refused with the culprit named",
     .shape = {RF_SANDBOX_READ_ONLY, RF_READ_FULL, 0, RF_NETWORK_OFF},
     .adjust = read_only_with_roots,
     .refused = "read-only"},
    MALFORMED(danger_full_access, "danger-full-access"),
    MALFORMED(unknown_network, "network"),
    MALFORMED(short_policy, "size"),
    MALFORMED(short_root, "struct size"),
    MALFORMED(null_readable_roots, "NULL"),
#undef MALFORMED
};

enum { N_PROFILE_CASES = sizeof profile_cases / sizeof profile_cases[0] };

/* ---- the runner */

static void run_row(const profile_case *row, fixture_shape shape) {
  fixture f;
  fixture_policy(&f, shape);
  if (row->adjust)
    row->adjust(&f);
  rf_seatbelt_params params = {0};
  char *profile = NULL;
  char err[512] = "";
  int r = rf_seatbelt_profile(&f.policy, &profile, &params, err, sizeof err);
  if (row->refused) {
    EXPECT(r == -EINVAL, "refused with -EINVAL (got %d), naming '%s'", r, row->refused);
    EXPECT(profile == NULL, "no profile when refused ('%s')", row->refused);
    EXPECT(params.n == 0, "no parameters when refused ('%s')", row->refused);
    EXPECT(strstr(err, row->refused) != NULL, "the message '%s' names '%s'", err, row->refused);
    free(profile);
    rf_seatbelt_params_clear(&params);
    return;
  }
  EXPECT_FATAL(r == 0 && profile != NULL, "the policy renders (%d): %s", r, err);
  for (int i = 0; row->contains[i]; i++)
    EXPECT(strstr(profile, row->contains[i]) != NULL, "the profile holds %s", row->contains[i]);
  for (int i = 0; row->lacks[i]; i++)
    EXPECT(strstr(profile, row->lacks[i]) == NULL, "the profile does not hold %s", row->lacks[i]);
  const char *previous = NULL;
  for (int i = 0; row->order[i]; i++) {
    const char *at = strstr(profile, row->order[i]);
    EXPECT(at != NULL, "the profile holds %s", row->order[i]);
    if (i > 0)
      EXPECT(at && previous && previous < at, "%s comes after %s", row->order[i], row->order[i - 1]);
    previous = at;
  }
  if (row->section) {
    const char *section = strstr(profile, row->section);
    EXPECT_FATAL(section != NULL, "the profile holds %s", row->section);
    for (int i = 0; row->within[i]; i++)
      EXPECT(strstr(section, row->within[i]) != NULL, "%s is followed by %s", row->section,
             row->within[i]);
  }
  for (int i = 0; row->params[i].key; i++) {
    const char *want = row->params[i].value, *got = rf_seatbelt_params_get(&params, row->params[i].key);
    if (!want)
      EXPECT(got == NULL, "no parameter %s (got '%s')", row->params[i].key, got ? got : "");
    else
      EXPECT(got && strcmp(got, want) == 0, "parameter %s is '%s' (got '%s')", row->params[i].key,
             want, got ? got : "(none)");
  }
  for (int i = 0; row->regexes[i].key; i++) {
    const param_matches *m = &row->regexes[i];
    const char *re = rf_seatbelt_params_get(&params, m->key);
    EXPECT(re && ere_matches(re, m->subject) == m->matches, "%s %s %s", m->key,
           m->matches ? "matches" : "does not match", m->subject);
  }
  if (row->checked)
    EXPECT(check_profile(profile, &params, err, sizeof err) == 0,
           "the structure checker accepts the profile: %s", err);
  if (row->check)
    row->check(&f, profile, &params);
  free(profile);
  rf_seatbelt_params_clear(&params);
}

/* The test of every claim: runs the rows named like the current CUnit test, each in its shape
 * and, for the knobs it varies, in every other value of them. */
static void run_profile_claim(void) {
  const char *claim = CU_get_current_test()->pName;
  int rows = 0;
  for (int i = 0; i < N_PROFILE_CASES; i++) {
    const profile_case *row = &profile_cases[i];
    if (strcmp(row->claim, claim) != 0)
      continue;
    rows++;
    for (unsigned combo = 0; combo < 16; combo++) {
      if (combo & ~row->vary)
        continue; /* only the knobs the row varies change */
      fixture_shape shape = row->shape;
      if (row->vary & VARY_MODE)
        shape.mode = (rf_sandbox_mode)!!(combo & VARY_MODE);
      if (row->vary & VARY_READ)
        shape.read = (rf_read_access)!!(combo & VARY_READ);
      if (row->vary & VARY_PLATFORM)
        shape.platform_defaults = !!(combo & VARY_PLATFORM);
      if (row->vary & VARY_NETWORK)
        shape.network = (rf_network_mode)!!(combo & VARY_NETWORK);
      run_row(row, shape);
    }
  }
  EXPECT(rows > 0, "the table has rows for '%s'", claim);
}

/* ---- not profiles: the environment, render and argv helpers */

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
  for (int i = 0; i < N_PROFILE_CASES; i++)
    if (i == 0 || strcmp(profile_cases[i].claim, profile_cases[i - 1].claim) != 0)
      CU_add_test(s, profile_cases[i].claim, run_profile_claim);
  CU_add_test(s, "environment carries the sandbox markers",
              test_environment_carries_the_sandbox_markers);
  CU_add_test(s, "render lines never contain a newline", test_render_lines_never_contain_a_newline);
  CU_add_test(s, "argv puts the command after a double dash",
              test_argv_puts_the_command_after_a_double_dash);
}
