/* test-windows-plan.c: the plan grants writes only in the roots, denies protected names, denies the
 * network by an enforcing mechanism in both modes, contains the process tree, and names its desktop. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "runner-proto.h"
#include "test-windows.h"

/* ---- A policy fixture ---- */

static const char *const k_protected_w[] = {"C:\\work\\proj\\.git", "C:\\work\\proj\\.codex",
                                            "C:\\work\\proj\\.vscode"};
static const char *const k_protected_t[] = {"C:\\Users\\me\\AppData\\Local\\Temp\\.git"};
static rf_backend_root k_roots[2] = {
    {sizeof(rf_backend_root), "C:\\work\\proj", k_protected_w, 3},
    {sizeof(rf_backend_root), "C:\\Users\\me\\AppData\\Local\\Temp", k_protected_t, 1},
};
static const char *const k_env[] = {"PATH=C:\\Windows\\System32", "RINGFENCE_SANDBOX=windows", NULL};
static const char *const k_argv[] = {"C:\\tools\\cc.exe", "-o", "out file.exe", "main.c", NULL};
static const uint8_t k_random[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                     0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

static rf_backend_policy base_policy(uint32_t windows_mode, uint32_t network, int private_desktop) {
  rf_backend_policy p;
  memset(&p, 0, sizeof p);
  p.size = sizeof p;
  p.mode = RF_SANDBOX_WORKSPACE_WRITE;
  p.network = network;
  p.read_access = RF_READ_FULL;
  p.flags = private_desktop ? RF_POLICY_WINDOWS_PRIVATE_DESKTOP : 0;
  p.writable_roots = k_roots;
  p.n_writable_roots = 2;
  p.cwd = "C:\\work\\proj";
  p.envp = k_env;
  p.required = RF_CAP_WRITE_CONFINED | RF_CAP_PROTECTED_SUBPATHS | RF_CAP_PROCESS_CONTAINMENT |
               (network == RF_NETWORK_OFF ? RF_CAP_NETWORK_OFF : 0);
  p.windows_mode = windows_mode;
  p.run_id = "run-42abc";
  return p;
}

static int build(const rf_backend_policy *p, const char *const *argv, rf_win_plan *plan, char *err, size_t len) {
  rf_win_plan_input in = {.policy = p, .argv = argv, .random = k_random, .cmd_exe = "C:\\Windows\\System32\\cmd.exe"};
  return rf_win_plan_build(&in, plan, err, len);
}

static char *render(const rf_win_plan *plan) {
  static test_sink_buf buf;
  test_sink_free(&buf);
  rf_backend_sink sink = {sizeof sink, &buf, test_sink_emit};
  rf_win_plan_render(plan, &sink);
  return buf.text;
}

static const rf_win_acl_step *find_step(const rf_win_plan *plan, const char *path, int deny, uint32_t trustee) {
  for (size_t i = 0; i < plan->n_acl; i++)
    if (strcmp(plan->acl[i].path, path) == 0 && plan->acl[i].deny == deny && plan->acl[i].trustee == trustee)
      return &plan->acl[i];
  return NULL;
}

static int has_cap_sid(const rf_win_plan *plan, const char *sid) {
  for (size_t i = 0; i < plan->n_caps; i++)
    if (strcmp(plan->caps[i].sid, sid) == 0)
      return 1;
  return 0;
}

/* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}", lowercase hex: the form IIDFromString parses, which
 * setup.c hands the plan's WFP keys to on Windows. */
static int is_guid_text(const char *s) {
  static const char form[] = "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}";
  if (s == NULL || strlen(s) != sizeof form - 1)
    return 0;
  for (size_t i = 0; form[i]; i++)
    if (form[i] == 'x' ? !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')) : s[i] != form[i])
      return 0;
  return 1;
}

/* A path capability of the plan: named, its SID left for Windows to derive at launch. */
static int has_cap_name(const rf_win_plan *plan, const char *name) {
  for (size_t i = 0; i < plan->n_caps; i++)
    if (plan->caps[i].name && strcmp(plan->caps[i].name, name) == 0 && plan->caps[i].sid[0] == '\0')
      return 1;
  return 0;
}

/* rf_win_capability_name, on the stack, for comparisons. */
static const char *cap_name(const char *kind, const char *path, char *buf, size_t len) {
  char *name = rf_win_capability_name(kind, path);
  snprintf(buf, len, "%s", name ? name : "");
  free(name);
  return buf;
}

/* ---- Capability names ---- */

static void test_capability_names_are_stable_per_path_and_kind(void) {
  char a[256], b[256], c[256], d[256];
  cap_name("write", "C:\\work\\proj", a, sizeof a);
  cap_name("write", "c:\\WORK\\Proj", b, sizeof b);
  cap_name("read", "C:\\work\\proj", c, sizeof c);
  cap_name("write", "C:\\work\\proj2", d, sizeof d);
  CU_ASSERT_STRING_EQUAL(a, b); /* NTFS names are case-insensitive */
  CU_ASSERT_STRING_NOT_EQUAL(a, c);
  CU_ASSERT_STRING_NOT_EQUAL(a, d);
  /* Pinned: the name is documented (docs/windows.md), and Windows derives the SID from it, so
   * ACEs written by earlier runs keep matching. */
  CU_ASSERT_STRING_EQUAL(a, "ringfence/v1/write/c:\\work\\proj");
  CU_ASSERT_STRING_EQUAL(cap_name("deny-read", "/home/U/x", a, sizeof a), "ringfence/v1/deny-read//home/u/x");
}

static void test_a_plan_carries_names_and_no_sid_it_computed_itself(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_ON, 1);
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  size_t named = 0;
  for (size_t i = 0; i < plan.n_caps; i++) {
    if (plan.caps[i].path != NULL) {
      named++;
      CU_ASSERT_PTR_NOT_NULL(plan.caps[i].name);
      CU_ASSERT_STRING_EQUAL(plan.caps[i].sid, ""); /* derived by Windows at launch */
    } else {
      CU_ASSERT_PTR_NULL(plan.caps[i].name); /* well-known: the published SID */
      CU_ASSERT_EQUAL(strncmp(plan.caps[i].sid, "S-1-15-3-", 9), 0);
    }
  }
  CU_ASSERT_TRUE(named >= 2);
  for (size_t i = 0; i < plan.n_acl; i++)
    if (plan.acl[i].trustee == RF_WIN_TRUSTEE_CAPABILITY) {
      CU_ASSERT_PTR_NOT_NULL(plan.acl[i].cap_name);
      CU_ASSERT_STRING_EQUAL(plan.acl[i].sid, "");
    }
  /* Rendered: the name, never a SID made up here. */
  const char *text = render(&plan);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "token: capability name:ringfence/v1/write/c:\\work\\proj write C:\\work\\proj"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "acl: allow name:ringfence/v1/write/c:\\work\\proj self="));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "DeriveCapabilitySidsFromName"));
  for (const char *at = text; (at = strstr(at, "S-1-15-3-1024-")) != NULL; at++)
    CU_ASSERT_FALSE(at[14] >= '0' && at[14] <= '9'); /* no derived SID written out here */
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "token: capability S-1-15-3-1 internetClient"));
  rf_win_plan_clear(&plan);
}

/* ---- Writes ---- */

static void test_writable_roots_are_granted_modify_to_their_own_capability(void) {
  for (uint32_t mode = RF_WINDOWS_UNELEVATED; mode <= RF_WINDOWS_ELEVATED; mode++) {
    rf_backend_policy p = base_policy(mode, RF_NETWORK_OFF, 1);
    rf_win_plan plan;
    CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
    CU_ASSERT_EQUAL(plan.token, RF_WIN_TOKEN_APPCONTAINER);
    for (size_t i = 0; i < 2; i++) {
      char name[256];
      cap_name("write", k_roots[i].path, name, sizeof name);
      const rf_win_acl_step *s = find_step(&plan, k_roots[i].path, 0, RF_WIN_TRUSTEE_CAPABILITY);
      CU_ASSERT_PTR_NOT_NULL_FATAL(s);
      CU_ASSERT_STRING_EQUAL(s->cap_name, name);
      CU_ASSERT_EQUAL(s->rights_inherited, RF_WIN_RIGHTS_MODIFY);
      /* The root itself: entries may be created, the root may not be deleted or renamed. */
      CU_ASSERT_EQUAL(s->rights_self & RF_WIN_DELETE, 0);
      CU_ASSERT_TRUE(s->rights_self & RF_WIN_FILE_WRITE_DATA);
      CU_ASSERT_TRUE(s->low_label);
      CU_ASSERT_TRUE(has_cap_name(&plan, name));
      /* Elevated: the account's own check needs the group grant too. */
      const rf_win_acl_step *g = find_step(&plan, k_roots[i].path, 0, RF_WIN_TRUSTEE_SANDBOX_GROUP);
      if (mode == RF_WINDOWS_ELEVATED) {
        CU_ASSERT_PTR_NOT_NULL(g);
      } else {
        CU_ASSERT_PTR_NULL(g);
      }
    }
    CU_ASSERT_TRUE(plan.enforced & RF_CAP_WRITE_CONFINED);
    rf_win_plan_clear(&plan);
  }
}

static void test_no_allow_ace_lets_the_sandbox_delete_children_or_rewrite_dacls(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_ELEVATED, RF_NETWORK_OFF, 1);
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  for (size_t i = 0; i < plan.n_acl; i++) {
    if (plan.acl[i].deny)
      continue;
    uint32_t both = plan.acl[i].rights_self | plan.acl[i].rights_inherited;
    /* FILE_DELETE_CHILD on a root would delete a protected child whatever its own DACL says. */
    CU_ASSERT_EQUAL(both & (RF_WIN_FILE_DELETE_CHILD | RF_WIN_WRITE_DAC | RF_WIN_WRITE_OWNER), 0);
  }
  rf_win_plan_clear(&plan);
}

static void test_protected_names_are_denied_to_the_roots_capability_even_if_missing(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 1);
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  char name[256];
  cap_name("write", k_roots[0].path, name, sizeof name);
  for (size_t j = 0; j < 3; j++) {
    const rf_win_acl_step *s = find_step(&plan, k_protected_w[j], 1, RF_WIN_TRUSTEE_CAPABILITY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s->cap_name, name); /* the very capability the root grants */
    uint32_t must = RF_WIN_FILE_WRITE_DATA | RF_WIN_FILE_APPEND_DATA | RF_WIN_DELETE | RF_WIN_WRITE_DAC |
                    RF_WIN_WRITE_OWNER | RF_WIN_FILE_DELETE_CHILD | RF_WIN_FILE_WRITE_ATTRIBUTES;
    CU_ASSERT_EQUAL(s->rights_self & must, must);
    CU_ASSERT_EQUAL(s->rights_inherited & must, must);
    CU_ASSERT_TRUE(s->placeholder); /* holds the name so it cannot be created */
    CU_ASSERT_FALSE(s->skip_missing);
  }
  /* Each deny comes after the grant on its root: launch applies them in order. */
  size_t grant_at = 0, deny_at = 0;
  for (size_t i = 0; i < plan.n_acl; i++) {
    if (strcmp(plan.acl[i].path, k_roots[0].path) == 0 && !plan.acl[i].deny)
      grant_at = i;
    if (strcmp(plan.acl[i].path, k_protected_w[0]) == 0)
      deny_at = i;
  }
  CU_ASSERT_TRUE(grant_at < deny_at);
  CU_ASSERT_TRUE(plan.enforced & RF_CAP_PROTECTED_SUBPATHS);
  rf_win_plan_clear(&plan);
}

static void test_read_only_mode_grants_no_write_anywhere(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 1);
  p.mode = RF_SANDBOX_READ_ONLY;
  p.writable_roots = NULL;
  p.n_writable_roots = 0;
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  CU_ASSERT_EQUAL(plan.token, RF_WIN_TOKEN_APPCONTAINER);
  for (size_t i = 0; i < plan.n_acl; i++)
    if (!plan.acl[i].deny)
      CU_ASSERT_EQUAL((plan.acl[i].rights_self | plan.acl[i].rights_inherited) &
                          (RF_WIN_FILE_WRITE_DATA | RF_WIN_FILE_APPEND_DATA | RF_WIN_DELETE),
                      0);
  /* The working directory stays readable. */
  const rf_win_acl_step *s = find_step(&plan, "C:\\work\\proj", 0, RF_WIN_TRUSTEE_CAPABILITY);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_EQUAL(s->rights_inherited, RF_WIN_RIGHTS_READ);
  rf_win_plan_clear(&plan);
}

static void test_writable_roots_outside_workspace_write_are_refused(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 1);
  p.mode = RF_SANDBOX_READ_ONLY;
  rf_win_plan plan;
  CU_ASSERT_EQUAL(build(&p, k_argv, &plan, NULL, 0), -EINVAL);
}

static void test_deny_read_paths_get_their_own_denied_capability(void) {
  static const char *const deny_read[] = {"C:\\work\\proj\\secrets"};
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 1);
  p.deny_read = deny_read;
  p.n_deny_read = 1;
  p.required |= RF_CAP_DENY_READ;
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  char name[256];
  cap_name("deny-read", deny_read[0], name, sizeof name);
  const rf_win_acl_step *s = find_step(&plan, deny_read[0], 1, RF_WIN_TRUSTEE_CAPABILITY);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_STRING_EQUAL(s->cap_name, name);
  CU_ASSERT_TRUE(s->rights_self & RF_WIN_FILE_READ_DATA);
  CU_ASSERT_TRUE(has_cap_name(&plan, name)); /* a deny only binds a SID the child carries */
  CU_ASSERT_EQUAL(plan.missing, 0);
  rf_win_plan_clear(&plan);
}

/* ---- Network ---- */

static void test_network_off_is_enforced_by_an_appcontainer_without_network_capabilities(void) {
  for (uint32_t mode = RF_WINDOWS_UNELEVATED; mode <= RF_WINDOWS_ELEVATED; mode++) {
    for (uint32_t net = RF_NETWORK_OFF; net <= RF_NETWORK_PROXY; net += 2) {
      rf_backend_policy p = base_policy(mode, net, 1);
      rf_win_plan plan;
      CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
      CU_ASSERT_EQUAL(plan.token, RF_WIN_TOKEN_APPCONTAINER);
      CU_ASSERT_FALSE(has_cap_sid(&plan, RF_WIN_SID_INTERNET_CLIENT));
      CU_ASSERT_FALSE(has_cap_sid(&plan, RF_WIN_SID_INTERNET_CLIENT_SERVER));
      CU_ASSERT_FALSE(has_cap_sid(&plan, RF_WIN_SID_PRIVATE_NETWORK));
      for (size_t i = 0; i < plan.n_caps; i++) /* only path capabilities */
        CU_ASSERT_PTR_NOT_NULL(plan.caps[i].path);
      CU_ASSERT_TRUE(plan.enforced & RF_CAP_NETWORK_OFF);
      const char *text = render(&plan);
      CU_ASSERT_PTR_NOT_NULL(strstr(text, "network: denied (enforced): AppContainer token without"));
      if (mode == RF_WINDOWS_ELEVATED) {
        CU_ASSERT_STRING_EQUAL(plan.account, RF_WIN_ACCOUNT_OFFLINE);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "FWPM_LAYER_ALE_AUTH_CONNECT_V4/V6"));
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "account ringfence-offline"));
      } else {
        CU_ASSERT_PTR_NULL(plan.account);
        CU_ASSERT_PTR_NULL(strstr(text, "WFP"));
      }
      rf_win_plan_clear(&plan);
    }
  }
}

static void test_network_on_grants_the_network_capabilities_and_the_online_account(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_ELEVATED, RF_NETWORK_ON, 1);
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  CU_ASSERT_TRUE(has_cap_sid(&plan, RF_WIN_SID_INTERNET_CLIENT));
  CU_ASSERT_TRUE(has_cap_sid(&plan, RF_WIN_SID_PRIVATE_NETWORK));
  CU_ASSERT_STRING_EQUAL(plan.account, RF_WIN_ACCOUNT_ONLINE);
  CU_ASSERT_FALSE(plan.enforced & RF_CAP_NETWORK_OFF);
  rf_win_plan_clear(&plan);
}

static void test_proxy_only_is_refused_rather_than_pretended(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_PROXY, 1);
  p.required |= RF_CAP_PROXY_ONLY;
  p.proxy_port = 3128;
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  CU_ASSERT_EQUAL(plan.missing, RF_CAP_PROXY_ONLY);
  char err[512];
  rf_win_plan_missing_message(&plan, err, sizeof err);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "proxy-only"));
  CU_ASSERT_PTR_NOT_NULL(strstr(render(&plan), "REFUSED (required, not enforced): proxy-only"));
  rf_win_plan_clear(&plan);
  /* Accepted as degraded: no longer missing, reported as dropped. */
  p.degraded = RF_CAP_PROXY_ONLY;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  CU_ASSERT_EQUAL(plan.missing, 0);
  CU_ASSERT_EQUAL(plan.dropped, RF_CAP_PROXY_ONLY);
  rf_win_plan_clear(&plan);
}

/* ---- Containment and desktop ---- */

static void test_job_kills_on_close_allows_no_breakaway_and_limits_ui(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 0);
  p.mode = RF_SANDBOX_DANGER_FULL_ACCESS; /* even with no sandbox at all */
  p.writable_roots = NULL;
  p.n_writable_roots = 0;
  for (int full = 0; full < 2; full++) {
    rf_backend_policy q = full ? p : base_policy(RF_WINDOWS_ELEVATED, RF_NETWORK_OFF, 1);
    rf_win_plan plan;
    CU_ASSERT_EQUAL_FATAL(build(&q, k_argv, &plan, NULL, 0), 0);
    CU_ASSERT_TRUE(plan.job_limits & RF_WIN_JOB_LIMIT_KILL_ON_JOB_CLOSE);
    CU_ASSERT_FALSE(plan.job_limits & RF_WIN_JOB_LIMIT_BREAKAWAY_OK);
    CU_ASSERT_FALSE(plan.job_limits & RF_WIN_JOB_LIMIT_SILENT_BREAKAWAY_OK);
    CU_ASSERT_EQUAL(plan.job_ui_limits & RF_WIN_JOB_UILIMIT_ALL, RF_WIN_JOB_UILIMIT_ALL);
    CU_ASSERT_TRUE(plan.enforced & RF_CAP_PROCESS_CONTAINMENT);
    const char *text = render(&plan);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "job: set JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "job: not-set JOB_OBJECT_LIMIT_BREAKAWAY_OK"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "job: set JOB_OBJECT_UILIMIT_READCLIPBOARD"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "job: set JOB_OBJECT_UILIMIT_EXITWINDOWS"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "job: set JOB_OBJECT_UILIMIT_DESKTOP"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "job: set JOB_OBJECT_UILIMIT_GLOBALATOMS"));
    rf_win_plan_clear(&plan);
  }
}

static void test_danger_full_access_keeps_only_the_job(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_ON, 0);
  p.mode = RF_SANDBOX_DANGER_FULL_ACCESS;
  p.writable_roots = NULL;
  p.n_writable_roots = 0;
  p.required = 0;
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  CU_ASSERT_EQUAL(plan.token, RF_WIN_TOKEN_CALLER);
  CU_ASSERT_EQUAL(plan.n_acl, 0);
  CU_ASSERT_EQUAL(plan.enforced, RF_CAP_PROCESS_CONTAINMENT);
  rf_win_plan_clear(&plan);
}

static void test_private_desktop_gets_a_random_name_and_off_means_default(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 1);
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  CU_ASSERT_TRUE(plan.private_desktop);
  CU_ASSERT_STRING_EQUAL(plan.desktop_name, "ringfence-run-42abc-00112233445566778899aabbccddeeff");
  CU_ASSERT_TRUE(plan.enforced & RF_CAP_PRIVATE_DESKTOP);
  CU_ASSERT_PTR_NOT_NULL(strstr(render(&plan), "desktop: private desktop WinSta0\\ringfence-run-42abc-"));
  rf_win_plan_clear(&plan);

  /* Different randomness, different name. */
  uint8_t other[16] = {1};
  rf_win_plan_input in = {.policy = &p, .argv = k_argv, .random = other, .cmd_exe = NULL};
  CU_ASSERT_EQUAL_FATAL(rf_win_plan_build(&in, &plan, NULL, 0), 0);
  CU_ASSERT_STRING_EQUAL(plan.desktop_name, "ringfence-run-42abc-01000000000000000000000000000000");
  rf_win_plan_clear(&plan);

  /* Render without randomness says so instead of inventing a name. */
  in.random = NULL;
  CU_ASSERT_EQUAL_FATAL(rf_win_plan_build(&in, &plan, NULL, 0), 0);
  CU_ASSERT_STRING_EQUAL(plan.desktop_name, "ringfence-run-42abc-<random>");
  rf_win_plan_clear(&plan);

  p.flags = 0;
  p.required |= RF_CAP_PRIVATE_DESKTOP;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  CU_ASSERT_FALSE(plan.private_desktop);
  CU_ASSERT_STRING_EQUAL(plan.desktop_name, "Default");
  CU_ASSERT_FALSE(plan.enforced & RF_CAP_PRIVATE_DESKTOP);
  CU_ASSERT_EQUAL(plan.missing, RF_CAP_PRIVATE_DESKTOP); /* asked for, not enforced: refused */
  CU_ASSERT_PTR_NOT_NULL(strstr(render(&plan), "desktop: default desktop WinSta0\\Default"));
  rf_win_plan_clear(&plan);
}

/* ---- Full reads, SSH sessions, the console (issue 17) ---- */

static const char *const k_env_user[] = {"PATH=C:\\Windows\\System32",
                                         "USERPROFILE=C:\\Users\\me",
                                         "LOCALAPPDATA=C:\\Users\\me\\AppData\\Local",
                                         "appdata=D:\\Roaming\\me", NULL};

static void test_full_reads_grant_the_per_user_folders_in_both_modes(void) {
  for (uint32_t mode = RF_WINDOWS_UNELEVATED; mode <= RF_WINDOWS_ELEVATED; mode++) {
    rf_backend_policy p = base_policy(mode, RF_NETWORK_OFF, 1);
    p.envp = k_env_user;
    rf_win_plan plan;
    CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
    /* %USERPROFILE% and %APPDATA% (elsewhere); %LOCALAPPDATA% lies inside the profile. */
    CU_ASSERT_EQUAL(plan.n_user_dirs, 2);
    CU_ASSERT_STRING_EQUAL(plan.user_dirs[0], "C:\\Users\\me");
    CU_ASSERT_STRING_EQUAL(plan.user_dirs[1], "D:\\Roaming\\me");
    char name[256];
    cap_name("read", "C:\\Users\\me", name, sizeof name);
    CU_ASSERT_TRUE(has_cap_name(&plan, name));
    const rf_win_acl_step *s = find_step(&plan, "C:\\Users\\me", 0, RF_WIN_TRUSTEE_CAPABILITY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->rights_self, RF_WIN_RIGHTS_READ);
    CU_ASSERT_EQUAL(s->rights_inherited, RF_WIN_RIGHTS_READ); /* read and run, never write */
    CU_ASSERT_FALSE(s->low_label);
    /* Elevated: the sandbox account's own access check needs the same grant. */
    CU_ASSERT_EQUAL(find_step(&plan, "C:\\Users\\me", 0, RF_WIN_TRUSTEE_SANDBOX_GROUP) != NULL,
                    mode == RF_WINDOWS_ELEVATED);
    /* Network off stays enforced by the AppContainer, in both modes. */
    CU_ASSERT_TRUE(plan.enforced & RF_CAP_NETWORK_OFF);
    CU_ASSERT_FALSE(has_cap_sid(&plan, RF_WIN_SID_INTERNET_CLIENT));
    CU_ASSERT_EQUAL(plan.missing, 0);
    const char *text = render(&plan);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "reads: per-user folder %USERPROFILE% C:\\Users\\me"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "neither gives way to the other"));
    rf_win_plan_clear(&plan);
  }
}

static void test_restricted_reads_grant_no_per_user_folder(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 1);
  p.envp = k_env_user;
  p.read_access = RF_READ_RESTRICTED;
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  CU_ASSERT_EQUAL(plan.n_user_dirs, 0);
  CU_ASSERT_PTR_NULL(find_step(&plan, "C:\\Users\\me", 0, RF_WIN_TRUSTEE_CAPABILITY));
  CU_ASSERT_PTR_NOT_NULL(strstr(render(&plan), "reads: restricted"));
  rf_win_plan_clear(&plan);
}

static void test_deny_read_inside_a_per_user_folder_stays_denied(void) {
  static const char *const denied[] = {"C:\\Users\\me\\.ssh"};
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 1);
  p.envp = k_env_user;
  p.deny_read = denied;
  p.n_deny_read = 1;
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  const rf_win_acl_step *d = find_step(&plan, "C:\\Users\\me\\.ssh", 1, RF_WIN_TRUSTEE_CAPABILITY);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  CU_ASSERT_TRUE(d->rights_self & RF_WIN_FILE_READ_DATA);
  CU_ASSERT_TRUE(d->rights_inherited & RF_WIN_FILE_READ_DATA);
  rf_win_plan_clear(&plan);
}

static void test_an_ssh_session_skips_the_private_desktop_with_a_note(void) {
  static const char *const env_ssh[] = {"PATH=C:\\Windows\\System32",
                                        "SSH_CONNECTION=10.0.0.2 50000 10.0.0.1 22", NULL};
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 1);
  p.envp = env_ssh;
  p.required |= RF_CAP_PRIVATE_DESKTOP;
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  CU_ASSERT_FALSE(plan.private_desktop); /* none is created */
  CU_ASSERT_STRING_EQUAL(plan.ssh_var, "SSH_CONNECTION");
  /* No interactive desktop to reach from there: the run is not refused for it. */
  CU_ASSERT_TRUE(plan.enforced & RF_CAP_PRIVATE_DESKTOP);
  CU_ASSERT_EQUAL(plan.missing, 0);
  CU_ASSERT_PTR_NOT_NULL(
      strstr(render(&plan), "desktop: private desktop skipped: this is an SSH session (SSH_CONNECTION is set)"));
  rf_win_plan_clear(&plan);
}

static void test_private_desktop_false_is_reported(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 0);
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  const char *text = render(&plan);
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "parameters: [windows] sandbox_private_desktop = false"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "(sandbox_private_desktop = false): the child shares the user's desktop"));
  CU_ASSERT_PTR_NOT_NULL(strstr(text, "not enforced: private-desktop: sandbox_private_desktop = false"));
  CU_ASSERT_EQUAL(plan.missing, 0); /* not required: the user chose it */
  rf_win_plan_clear(&plan);
}

static void test_the_console_section_says_when_the_command_gets_a_conpty(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 1);
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  CU_ASSERT_EQUAL(plan.console, RF_WIN_CONSOLE_AUTO);
  CU_ASSERT_PTR_NOT_NULL(strstr(render(&plan), "console: ConPTY when standard input is a console"));
  rf_win_plan_clear(&plan);
  p.flags |= RF_POLICY_WINDOWS_PTY;
  CU_ASSERT_EQUAL_FATAL(build(&p, k_argv, &plan, NULL, 0), 0);
  CU_ASSERT_EQUAL(plan.console, RF_WIN_CONSOLE_PTY);
  CU_ASSERT_PTR_NOT_NULL(strstr(render(&plan), "console: ConPTY (--pty)"));
  rf_win_plan_clear(&plan);
}

/* ---- Input validation ---- */

static void test_run_ids_that_could_escape_a_name_are_refused(void) {
  static const char *bad[] = {"", "UPPER", "a/b", "a\\b", "a b", "a.b", "..", "x\"y",
                              "0123456789012345678901234567890123456789x"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 1);
    p.run_id = bad[i];
    rf_win_plan plan;
    char err[256] = "";
    CU_ASSERT_EQUAL(build(&p, k_argv, &plan, err, sizeof err), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "run_id"));
  }
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 1);
  p.run_id = NULL;
  rf_win_plan plan;
  CU_ASSERT_EQUAL(build(&p, k_argv, &plan, NULL, 0), -EINVAL);
}

static void test_passed_descriptors_are_refused_not_ignored(void) {
  static const int fds[] = {3};
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 1);
  p.pass_fds = fds;
  p.n_pass_fds = 1;
  rf_win_plan plan;
  char err[256] = "";
  CU_ASSERT_EQUAL(build(&p, k_argv, &plan, err, sizeof err), -ENOTSUP);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "--pass-fd"));
}

static void test_an_older_policy_struct_is_read_only_up_to_its_size(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_ELEVATED, RF_NETWORK_OFF, 1);
  /* A producer without run_id: the plugin must not read past size, so run_id is missing. */
  p.size = (uint32_t)offsetof(rf_backend_policy, run_id);
  rf_win_plan plan;
  char err[256] = "";
  CU_ASSERT_EQUAL(build(&p, k_argv, &plan, err, sizeof err), -EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "(null)"));
}

static void test_batch_file_commands_go_through_cmd_exe_or_are_refused(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 1);
  const char *ok[] = {"C:\\work\\proj\\build.BAT", "a&b", NULL};
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, ok, &plan, NULL, 0), 0);
  CU_ASSERT_TRUE(plan.batch);
  CU_ASSERT_EQUAL(strncmp(plan.command_line, "\"C:\\Windows\\System32\\cmd.exe\" /d /e:on /v:off /s /c ", 52), 0);
  rf_win_plan_clear(&plan);
  const char *bad[] = {"C:\\work\\proj\\build.cmd", "%USERPROFILE%", NULL};
  char err[512] = "";
  CU_ASSERT_EQUAL(build(&p, bad, &plan, err, sizeof err), -EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "batch file"));
}

static void test_render_works_with_posix_paths_and_shows_every_section(void) {
  static const char *const prot[] = {"/home/u/proj/.git"};
  static rf_backend_root roots[] = {{sizeof(rf_backend_root), "/home/u/proj", prot, 1}};
  rf_backend_policy p = base_policy(RF_WINDOWS_UNELEVATED, RF_NETWORK_OFF, 1);
  p.writable_roots = roots;
  p.n_writable_roots = 1;
  p.cwd = "/home/u/proj";
  const char *argv[] = {"/usr/bin/make", "-j2", NULL};
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, argv, &plan, NULL, 0), 0);
  const char *text = render(&plan);
  static const char *sections[] = {"parameters: [windows] sandbox = \"unelevated\"",
                                   "parameters: [windows] sandbox_private_desktop = true",
                                   "token: AppContainer (LowBox) token: profile ringfence.run-42abc",
                                   "acl: allow name:ringfence/v1/write//home/u/proj ",
                                   "acl: deny name:ringfence/v1/write//home/u/proj ",
                                   "/home/u/proj/.git", "desktop: ", "job: ", "network: ",
                                   "command: command line: /usr/bin/make -j2", "guarantees: enforced: write-confined",
                                   "guarantees: not enforced: restricted-read"};
  for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
    if (strstr(text, sections[i]) == NULL)
      fprintf(stderr, "\nmissing [%s] in:\n%s\n", sections[i], text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, sections[i]));
  }
  rf_win_plan_clear(&plan);
}

/* ---- Setup plan ---- */

static void test_setup_plan_lists_stable_names_and_blocks_only_the_offline_account(void) {
  size_t n;
  const rf_win_setup_item *items = rf_win_setup_items(&n);
  int filters = 0, accounts = 0, groups = 0, creds = 0;
  for (size_t i = 0; i < n; i++) {
    CU_ASSERT_PTR_NOT_NULL(items[i].name);
    CU_ASSERT_PTR_NOT_NULL(items[i].detail);
    if (items[i].kind == RF_WIN_SETUP_WFP_FILTER) {
      filters++;
      CU_ASSERT_STRING_EQUAL(items[i].account, RF_WIN_ACCOUNT_OFFLINE);
      CU_ASSERT_PTR_NOT_NULL(strstr(items[i].layer, "FWPM_LAYER_ALE_AUTH_"));
    }
    if (items[i].kind == RF_WIN_SETUP_WFP_FILTER || items[i].kind == RF_WIN_SETUP_WFP_PROVIDER ||
        items[i].kind == RF_WIN_SETUP_WFP_SUBLAYER) {
      CU_ASSERT_TRUE(is_guid_text(items[i].name));
      for (size_t j = 0; j < i; j++) /* keys never collide */
        CU_ASSERT_STRING_NOT_EQUAL(items[i].name, items[j].name);
    }
    accounts += items[i].kind == RF_WIN_SETUP_ACCOUNT;
    groups += items[i].kind == RF_WIN_SETUP_GROUP;
    creds += items[i].kind == RF_WIN_SETUP_CREDENTIALS;
  }
  CU_ASSERT_EQUAL(filters, 4); /* connect and accept, IPv4 and IPv6 */
  CU_ASSERT_EQUAL(accounts, 2);
  CU_ASSERT_EQUAL(groups, 1);
  CU_ASSERT_EQUAL(creds, 1);

  test_sink_buf add = {0}, rem = {0};
  rf_backend_sink s1 = {sizeof s1, &add, test_sink_emit}, s2 = {sizeof s2, &rem, test_sink_emit};
  rf_win_setup_render(0, &s1);
  rf_win_setup_render(1, &s2);
  CU_ASSERT_PTR_NOT_NULL(strstr(add.text, "plan: add local-user ringfence-offline"));
  CU_ASSERT_PTR_NOT_NULL(strstr(add.text, "layer=FWPM_LAYER_ALE_AUTH_CONNECT_V6 user=ringfence-offline"));
  CU_ASSERT_PTR_NOT_NULL(strstr(rem.text, "plan: remove wfp-filter {1f772292-c766-4b81-8c42-10e5d9bb51dc}"));
  /* Removal walks the list backwards: filters go before the provider, accounts before the group. */
  CU_ASSERT_TRUE(strstr(rem.text, "remove wfp-filter") < strstr(rem.text, "remove wfp-provider"));
  CU_ASSERT_TRUE(strstr(rem.text, "remove local-user") < strstr(rem.text, "remove local-group"));
  test_sink_free(&add);
  test_sink_free(&rem);
}

static void test_guid_form_check_rejects_malformed_keys(void) {
  CU_ASSERT_TRUE(is_guid_text("{2a7bf985-e29b-4115-bdb9-244353cf2782}"));
  CU_ASSERT_FALSE(is_guid_text("2a7bf985-e29b-4115-bdb9-244353cf2782"));
  CU_ASSERT_FALSE(is_guid_text("{2a7bf985-e29b-4115-bdb9-244353cf278g}"));
  CU_ASSERT_FALSE(is_guid_text("{2a7bf985+e29b-4115-bdb9-244353cf2782}"));
  CU_ASSERT_FALSE(is_guid_text(NULL));
}

static void test_wfp_layers_named_by_the_setup_plan_all_have_a_guid(void) {
  size_t n;
  const rf_win_setup_item *items = rf_win_setup_items(&n);
  for (size_t i = 0; i < n; i++) {
    if (items[i].kind != RF_WIN_SETUP_WFP_FILTER)
      continue;
    const char *g = rf_win_wfp_layer_guid(items[i].layer);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_TRUE(is_guid_text(g));
  }
  /* Pinned against Microsoft's fwpmu.h. */
  CU_ASSERT_STRING_EQUAL(rf_win_wfp_layer_guid("FWPM_LAYER_ALE_AUTH_CONNECT_V4"),
                         "{c38d57d1-05a7-4c33-904f-7fbceee60e82}");
  CU_ASSERT_PTR_NULL(rf_win_wfp_layer_guid("FWPM_LAYER_OUTBOUND_TRANSPORT_V4"));
  CU_ASSERT_TRUE(is_guid_text(RF_WIN_WFP_CONDITION_ALE_USER_ID));
}

static void test_runner_command_line_carries_the_plan_and_the_child_line_verbatim(void) {
  rf_backend_policy p = base_policy(RF_WINDOWS_ELEVATED, RF_NETWORK_OFF, 1);
  const char *argv[] = {"C:\\tools\\x.exe", "a \"quoted\" arg", "trail\\\\", NULL};
  rf_win_plan plan;
  CU_ASSERT_EQUAL_FATAL(build(&p, argv, &plan, NULL, 0), 0);
  char *line = NULL;
  /* The plan names its capabilities; their SIDs come from Windows at launch.  Before that the
   * runner gets none. */
  char err[256] = "";
  CU_ASSERT_EQUAL(rf_win_runner_cmdline("C:\\r.exe", &plan, &line, err, sizeof err), -EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "not derived"));
  CU_ASSERT_PTR_NULL(line);
  for (size_t i = 0; i < plan.n_caps; i++) /* what rf_win32_plan_derive_sids fills in */
    snprintf(plan.caps[i].sid, sizeof plan.caps[i].sid, "S-1-15-3-1024-%zu-2-3-4-5-6-7-8", i);
  CU_ASSERT_EQUAL_FATAL(rf_win_runner_cmdline("C:\\Program Files\\ringfence\\rf-windows-runner.exe", &plan, &line, NULL, 0), 0);
  rf_win_runner_args a;
  CU_ASSERT_EQUAL_FATAL(rf_win_runner_parse(line, &a), 0);
  CU_ASSERT_STRING_EQUAL(a.appcontainer_name, "ringfence.run-42abc");
  CU_ASSERT_EQUAL_FATAL(a.n_caps, plan.n_caps);
  for (size_t i = 0; i < plan.n_caps; i++)
    CU_ASSERT_STRING_EQUAL(a.caps[i], plan.caps[i].sid);
  CU_ASSERT_STRING_EQUAL(a.child_cmdline, plan.command_line);
  rf_win_runner_args_clear(&a);
  free(line);
  rf_win_plan_clear(&plan);

  /* No capabilities at all is spelled "-". */
  p.mode = RF_SANDBOX_READ_ONLY;
  p.writable_roots = NULL;
  p.n_writable_roots = 0;
  p.cwd = NULL;
  CU_ASSERT_EQUAL_FATAL(build(&p, argv, &plan, NULL, 0), 0);
  CU_ASSERT_EQUAL(plan.n_caps, 0);
  CU_ASSERT_EQUAL_FATAL(rf_win_runner_cmdline("C:\\r.exe", &plan, &line, NULL, 0), 0);
  CU_ASSERT_EQUAL_FATAL(rf_win_runner_parse(line, &a), 0);
  CU_ASSERT_EQUAL(a.n_caps, 0);
  CU_ASSERT_STRING_EQUAL(a.child_cmdline, plan.command_line);
  rf_win_runner_args_clear(&a);
  free(line);
  rf_win_plan_clear(&plan);
}

static void test_runner_refuses_a_malformed_command_line(void) {
  static const char *bad[] = {"\"r.exe\"", "\"r.exe\" name", "\"r.exe\" name -", "\"r.exe\" NAME - cmd",
                              "\"r.exe\" name S-1-15-3-1,x cmd", "\"r.exe\" name S-1,,S-2 cmd"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    rf_win_runner_args a;
    CU_ASSERT_EQUAL(rf_win_runner_parse(bad[i], &a), -EINVAL);
    rf_win_runner_args_clear(&a);
  }
}

int test_windows_register_plan(void) {
  CU_pSuite s = CU_add_suite("windows plan", NULL, NULL);
  if (s == NULL)
    return 1;
#define ADD(name, fn) (CU_add_test(s, name, fn) == NULL)
  return ADD("capability names are stable per path and kind", test_capability_names_are_stable_per_path_and_kind) ||
         ADD("a plan carries capability names and no SID it computed itself",
             test_a_plan_carries_names_and_no_sid_it_computed_itself) ||
         ADD("writable roots are granted modify to their own capability",
             test_writable_roots_are_granted_modify_to_their_own_capability) ||
         ADD("no allow ACE lets the sandbox delete children or rewrite DACLs",
             test_no_allow_ace_lets_the_sandbox_delete_children_or_rewrite_dacls) ||
         ADD("protected names are denied to the root's capability even if missing",
             test_protected_names_are_denied_to_the_roots_capability_even_if_missing) ||
         ADD("read-only mode grants no write anywhere", test_read_only_mode_grants_no_write_anywhere) ||
         ADD("writable roots outside workspace-write are refused",
             test_writable_roots_outside_workspace_write_are_refused) ||
         ADD("deny-read paths get their own denied capability", test_deny_read_paths_get_their_own_denied_capability) ||
         ADD("network off is enforced by an AppContainer without network capabilities (both modes)",
             test_network_off_is_enforced_by_an_appcontainer_without_network_capabilities) ||
         ADD("network on grants the network capabilities and the online account",
             test_network_on_grants_the_network_capabilities_and_the_online_account) ||
         ADD("proxy-only is refused rather than pretended", test_proxy_only_is_refused_rather_than_pretended) ||
         ADD("job kills on close, allows no breakaway and limits UI",
             test_job_kills_on_close_allows_no_breakaway_and_limits_ui) ||
         ADD("danger-full-access keeps only the job", test_danger_full_access_keeps_only_the_job) ||
         ADD("private desktop gets a random name and off means Default",
             test_private_desktop_gets_a_random_name_and_off_means_default) ||
         ADD("run ids that could escape a name are refused", test_run_ids_that_could_escape_a_name_are_refused) ||
         ADD("passed descriptors are refused, not ignored", test_passed_descriptors_are_refused_not_ignored) ||
         ADD("an older policy struct is read only up to its size",
             test_an_older_policy_struct_is_read_only_up_to_its_size) ||
         ADD("batch file commands go through cmd.exe or are refused",
             test_batch_file_commands_go_through_cmd_exe_or_are_refused) ||
         ADD("render works with POSIX paths and shows every section",
             test_render_works_with_posix_paths_and_shows_every_section) ||
         ADD("setup plan lists stable names and blocks only the offline account",
             test_setup_plan_lists_stable_names_and_blocks_only_the_offline_account) ||
         ADD("the GUID form check rejects malformed keys", test_guid_form_check_rejects_malformed_keys) ||
         ADD("WFP layers named by the setup plan all have a GUID",
             test_wfp_layers_named_by_the_setup_plan_all_have_a_guid) ||
         ADD("runner command line carries the plan and the child line verbatim",
             test_runner_command_line_carries_the_plan_and_the_child_line_verbatim) ||
         ADD("runner refuses a malformed command line", test_runner_refuses_a_malformed_command_line) ||
         ADD("full reads grant the per-user folders in both modes (network still off)",
             test_full_reads_grant_the_per_user_folders_in_both_modes) ||
         ADD("restricted reads grant no per-user folder", test_restricted_reads_grant_no_per_user_folder) ||
         ADD("deny-read inside a per-user folder stays denied",
             test_deny_read_inside_a_per_user_folder_stays_denied) ||
         ADD("an SSH session skips the private desktop with a note",
             test_an_ssh_session_skips_the_private_desktop_with_a_note) ||
         ADD("sandbox_private_desktop = false is reported", test_private_desktop_false_is_reported) ||
         ADD("the console section says when the command gets a ConPTY",
             test_the_console_section_says_when_the_command_gets_a_conpty);
#undef ADD
}
