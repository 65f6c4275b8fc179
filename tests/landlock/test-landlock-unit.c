/* test-landlock-unit.c: CUnit claims about the Landlock rule planning and the guarantees per ABI (the bwrap failure classifier: tests/ubuntu). */
#include <CUnit/Basic.h>
#include <CUnit/TestRun.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ringfence/backend.h>

#include "../lib/cunit-expect.h"
#include "bwrap-argv.h"
#include "landlock-abi.h"
#include "landlock-layer.h"
#include "landlock-rules.h"

/* ---- a policy to plan for ------------------------------------------------- */

static const char *const protected_ws[] = {"/work/ws/.git", "/work/ws/.envrc"};
static const rf_backend_root roots[] = {
    {.size = sizeof(rf_backend_root), .path = "/work/ws", .protected_paths = protected_ws,
     .n_protected = 2},
    {.size = sizeof(rf_backend_root), .path = "/tmp"},
};
static const char *const readable[] = {"/opt/data"};
static const char *const envp[] = {"PATH=/usr/bin:/bin", NULL};

static rf_backend_policy policy_for(rf_sandbox_mode mode, rf_network_mode network) {
  rf_backend_policy p = {
      .size = sizeof(rf_backend_policy),
      .mode = mode,
      .network = network,
      .read_access = RF_READ_FULL,
      .writable_roots = mode == RF_SANDBOX_WORKSPACE_WRITE ? roots : NULL,
      .n_writable_roots = mode == RF_SANDBOX_WORKSPACE_WRITE ? 2 : 0,
      .readable_roots = readable,
      .n_readable_roots = 1,
      .cwd = "/work/ws",
      .envp = envp,
      .proxy_port = 3128,
  };
  return p;
}

static const rf_ll_rule *rule_for(const rf_ll_plan *plan, const char *path) {
  for (size_t i = 0; i < plan->n_rules; i++)
    if (strcmp(plan->rules[i].path, path) == 0)
      return &plan->rules[i];
  return NULL;
}

/* ---- guarantees per ABI ------------------------------------------------------ */

static void test_no_landlock_guarantees_nothing(void) {
  CU_ASSERT_EQUAL(rf_ll_capabilities_for_abi(0, 1), 0);
}

static void test_never_claims_what_landlock_cannot_do(void) {
  for (int abi = 1; abi <= RF_LL_NEWEST_KNOWN_ABI; abi++)
    for (int sup = 0; sup <= 2; sup++) {
      uint64_t caps = rf_ll_capabilities_for_abi(abi, sup);
      /* Only the guard holds them: its proxy hands files back with ADDFD_FLAG_SEND. */
      CU_ASSERT_EQUAL(!!(caps & RF_CAP_PROTECTED_SUBPATHS), sup == 2);
      /* deny-read: the ruleset is built around each denied path (landlock-ruleset.c). */
      CU_ASSERT_TRUE(caps & RF_CAP_DENY_READ);
      CU_ASSERT_FALSE(caps & RF_CAP_PRIVATE_LOOPBACK);
      /* --network proxy: the connect supervisor alone lets a socket reach the proxy. */
      CU_ASSERT_EQUAL(!!(caps & RF_CAP_PROXY_ONLY), sup > 0);
      /* chmod, utimes and xattrs are not Landlock's: only the supervisor confines them. */
      CU_ASSERT_EQUAL(!!(caps & RF_CAP_WRITE_CONFINED), sup > 0);
      CU_ASSERT_TRUE(caps & RF_CAP_NETWORK_OFF);
      CU_ASSERT_TRUE(caps & RF_CAP_KERNEL_SURFACE);
      CU_ASSERT_TRUE(caps & RF_CAP_FD_ISOLATION);
      CU_ASSERT_TRUE(caps & RF_CAP_TERMINAL_INJECTION);
    }
}

static void test_process_guarantees_need_signal_scoping_abi6(void) {
  for (int abi = 1; abi < 6; abi++) {
    uint64_t caps = rf_ll_capabilities_for_abi(abi, 1);
    CU_ASSERT_FALSE(caps & RF_CAP_HOST_PROCESSES);
    CU_ASSERT_FALSE(caps & RF_CAP_PROCESS_CONTAINMENT);
    CU_ASSERT_FALSE(caps & RF_CAP_HOST_UNIX_SOCKETS);
  }
  uint64_t caps = rf_ll_capabilities_for_abi(6, 0);
  CU_ASSERT_TRUE(caps & RF_CAP_HOST_PROCESSES);
  CU_ASSERT_TRUE(caps & RF_CAP_PROCESS_CONTAINMENT);
}

static void test_host_unix_sockets_need_supervisor_or_abi9(void) {
  CU_ASSERT_FALSE(rf_ll_capabilities_for_abi(7, 0) & RF_CAP_HOST_UNIX_SOCKETS);
  CU_ASSERT_FALSE(rf_ll_capabilities_for_abi(7, 0) & RF_CAP_PRIVATE_DESKTOP);
  CU_ASSERT_TRUE(rf_ll_capabilities_for_abi(7, 1) & RF_CAP_HOST_UNIX_SOCKETS);
  CU_ASSERT_TRUE(rf_ll_capabilities_for_abi(9, 0) & RF_CAP_HOST_UNIX_SOCKETS);
  CU_ASSERT_TRUE(rf_ll_capabilities_for_abi(9, 0) & RF_CAP_PRIVATE_DESKTOP);
  CU_ASSERT_FALSE(rf_ll_capabilities_for_abi(9, 0) & RF_CAP_WRITE_CONFINED);
  CU_ASSERT_TRUE(rf_ll_needs_unix_supervisor(8));
  CU_ASSERT_FALSE(rf_ll_needs_unix_supervisor(9));
}

/* ---- rights per ABI ------------------------------------------------------------ */

static void test_every_right_the_abi_has_is_handled(void) {
  CU_ASSERT_FALSE(rf_ll_fs_rights_for_abi(1) & RF_LL_FS_REFER);
  CU_ASSERT_TRUE(rf_ll_fs_rights_for_abi(2) & RF_LL_FS_REFER);
  CU_ASSERT_FALSE(rf_ll_fs_rights_for_abi(2) & RF_LL_FS_TRUNCATE);
  CU_ASSERT_TRUE(rf_ll_fs_rights_for_abi(3) & RF_LL_FS_TRUNCATE);
  CU_ASSERT_FALSE(rf_ll_fs_rights_for_abi(4) & RF_LL_FS_IOCTL_DEV);
  CU_ASSERT_TRUE(rf_ll_fs_rights_for_abi(5) & RF_LL_FS_IOCTL_DEV);
  CU_ASSERT_FALSE(rf_ll_fs_rights_for_abi(8) & RF_LL_FS_RESOLVE_UNIX);
  CU_ASSERT_TRUE(rf_ll_fs_rights_for_abi(9) & RF_LL_FS_RESOLVE_UNIX);
  CU_ASSERT_EQUAL(rf_ll_net_rights_for_abi(3), 0);
  CU_ASSERT_EQUAL(rf_ll_net_rights_for_abi(4), RF_LL_NET_BIND_TCP | RF_LL_NET_CONNECT_TCP);
  CU_ASSERT_EQUAL(rf_ll_scopes_for_abi(5), 0);
  CU_ASSERT_EQUAL(rf_ll_scopes_for_abi(6),
                  RF_LL_SCOPE_ABSTRACT_UNIX_SOCKET | RF_LL_SCOPE_SIGNAL);
  CU_ASSERT_TRUE(rf_ll_needs_truncate_rules(2));
  CU_ASSERT_FALSE(rf_ll_needs_truncate_rules(3));
}

static void test_logging_flags_only_from_abi7(void) {
  CU_ASSERT_EQUAL(rf_ll_restrict_flags_for_abi(6, 1), 0);
  CU_ASSERT_EQUAL(rf_ll_restrict_flags_for_abi(7, 0), RF_LL_RESTRICT_SELF_LOG_SAME_EXEC_OFF);
  CU_ASSERT_EQUAL(rf_ll_restrict_flags_for_abi(7, 1),
                  RF_LL_RESTRICT_SELF_LOG_SAME_EXEC_OFF | RF_LL_RESTRICT_SELF_LOG_NEW_EXEC_ON);
}

static void test_rights_have_names(void) {
  char buf[256];
  rf_ll_fs_rights_name(RF_LL_FS_READ, buf, sizeof(buf));
  CU_ASSERT_STRING_EQUAL(buf, "execute read_file read_dir");
  rf_ll_fs_rights_name(0, buf, sizeof(buf));
  CU_ASSERT_STRING_EQUAL(buf, "none");
  rf_ll_scopes_name(RF_LL_SCOPE_SIGNAL, buf, sizeof(buf));
  CU_ASSERT_STRING_EQUAL(buf, "signal");
  rf_ll_errata_name(RF_LL_ERRATUM_DISCONNECTED_DIRECTORIES, 3, buf, sizeof(buf));
  CU_ASSERT_STRING_EQUAL(buf, "3 disconnected-directory-handling fixed");
  rf_ll_errata_name(0, 6, buf, sizeof(buf));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "2 scoped-signal-handling NOT fixed"));
}

/* ---- plans: one table, one runner ------------------------------------------------- */

/*
 * Each claim about rf_ll_plan_build() is one or more rows: the policy's knobs and the ABI, and
 * what the plan must hold (a rule per path, with rights it has, lacks or has exactly; plan-wide
 * fields) or how it is refused.  run_plan_claim() is the only test function of the suite: it
 * builds each row's policy, plans it and checks; it finds its rows by the CUnit test's name.
 */

/* A rule the plan must (present) or must not have for |path|, and its rights. */
typedef struct {
  const char *path;
  int present;
  uint64_t has, lacks, exactly; /* rights (each checked on its own); exactly: 0 means not checked */
} rule_is;

/* A plan-wide field's expected value; unset: not checked. */
typedef struct {
  int set;
  uint64_t value;
} plan_value;
#define IS(v) {1, (v)}

#define MAX_RULES 10

typedef struct {
  const char *claim;                  /* the CUnit test name; consecutive rows may share it */
  rf_sandbox_mode mode;
  rf_network_mode network;
  rf_read_access read;
  uint32_t flags;                     /* RF_POLICY_* */
  int abi;
  int refused;                        /* the plan fails with this -errno and a message */
  rule_is rules[MAX_RULES];
  plan_value handled_net, scoped, connect_port, read_all_access;
  const char *read_all_but;           /* the one path reads-everywhere leaves out... */
  int no_read_all;                    /* ...or: no reads-everywhere at all */
  int writes_only_in_dev;             /* no rule outside /dev/ grants write_file */
} plan_case;

#define ROOT_WRITES (RF_LL_FS_WRITE_FILE | RF_LL_FS_MAKE_REG | RF_LL_FS_REFER | RF_LL_FS_TRUNCATE)
#define DEVICE_RIGHTS (RF_LL_FS_MAKE_BLOCK | RF_LL_FS_MAKE_CHAR | RF_LL_FS_RESOLVE_UNIX)

static const plan_case plan_cases[] = {
    /* A read rule on / would cover /dev and the host's terminals in it (/dev/pts, the consoles):
     * rights only add up the tree.  /dev has the standard devices only, as the bwrap backend's
     * fresh /dev; readable roots are listed only when reads are restricted. */
    {.claim = "full reads list everywhere and read all but the host's devices",
     .mode = RF_SANDBOX_WORKSPACE_WRITE, .abi = 7,
     .rules = {{"/", 1, .exactly = RF_LL_FS_READ_DIR}, {"/dev", 0}, {"/dev/pts", 0},
               {"/dev/null", 1}, {"/dev/urandom", 1}, {"/dev/shm", 0}, {"/opt/data", 0}},
     .read_all_access = IS(RF_LL_FS_READ), .read_all_but = "/dev"},
    /* Protected paths get no rule of their own: Landlock cannot take rights away. */
    {.claim = "writable roots write but never make device nodes",
     .mode = RF_SANDBOX_WORKSPACE_WRITE, .abi = 7,
     .rules = {{"/work/ws", 1, ROOT_WRITES, DEVICE_RIGHTS}, {"/tmp", 1, ROOT_WRITES, DEVICE_RIGHTS},
               {"/work/ws/.git", 0}}},
    {.claim = "rights are masked by the ABI",
     .mode = RF_SANDBOX_WORKSPACE_WRITE, .abi = 1,
     .rules = {{"/work/ws", 1, .lacks = RF_LL_FS_REFER | RF_LL_FS_TRUNCATE | RF_LL_FS_IOCTL_DEV}},
     .handled_net = IS(0), .scoped = IS(0)},
    /* > /dev/null works everywhere; /dev/shm is shared with the host. */
    {.claim = "read-only mode has no writable root",
     .mode = RF_SANDBOX_READ_ONLY, .abi = 7, .writes_only_in_dev = 1,
     .rules = {{"/dev/null", 1, RF_LL_FS_WRITE_FILE}, {"/dev/shm", 0}}},
    {.claim = "restricted reads list readable roots, platform defaults on request",
     .mode = RF_SANDBOX_READ_ONLY, .read = RF_READ_RESTRICTED, .abi = 7, .no_read_all = 1,
     .rules = {{"/", 0}, {"/opt/data", 1}, {"/usr", 0}}},
    {.claim = "restricted reads list readable roots, platform defaults on request",
     .mode = RF_SANDBOX_READ_ONLY, .read = RF_READ_RESTRICTED, .flags = RF_POLICY_PLATFORM_DEFAULTS,
     .abi = 7,
     .rules = {{"/usr", 1}, {"/dev", 0} /* raw disks stay out */}},
    {.claim = "network off handles TCP with no port rule; proxy allows its port",
     .mode = RF_SANDBOX_WORKSPACE_WRITE, .abi = 4,
     .handled_net = IS(RF_LL_NET_BIND_TCP | RF_LL_NET_CONNECT_TCP), .connect_port = IS(0)},
    {.claim = "network off handles TCP with no port rule; proxy allows its port",
     .mode = RF_SANDBOX_WORKSPACE_WRITE, .network = RF_NETWORK_PROXY, .abi = 4,
     .connect_port = IS(3128)},
    /* Host unix sockets (the display among them) stay scoped with the network on. */
    {.claim = "network off handles TCP with no port rule; proxy allows its port",
     .mode = RF_SANDBOX_WORKSPACE_WRITE, .network = RF_NETWORK_ON, .abi = 7,
     .handled_net = IS(0), .scoped = IS(RF_LL_SCOPE_ABSTRACT_UNIX_SOCKET | RF_LL_SCOPE_SIGNAL)},
    {.claim = "danger-full-access and a kernel without Landlock are not planned",
     .mode = RF_SANDBOX_DANGER_FULL_ACCESS, .network = RF_NETWORK_ON, .abi = 7, .refused = -EINVAL},
    {.claim = "danger-full-access and a kernel without Landlock are not planned",
     .mode = RF_SANDBOX_READ_ONLY, .network = RF_NETWORK_ON, .abi = 0, .refused = -ENOTSUP},
};

enum { N_PLAN_CASES = sizeof plan_cases / sizeof plan_cases[0] };

static void expect_field(int line, const char *name, plan_value want, uint64_t got) {
  if (want.set)
    expect_at(__FILE__, line, 0, got == want.value, "the plan's %s is 0x%llx (got 0x%llx)", name,
              (unsigned long long)want.value, (unsigned long long)got);
}

static void run_plan_row(const plan_case *row) {
  rf_backend_policy p = policy_for(row->mode, row->network);
  p.read_access = row->read;
  p.flags |= row->flags;
  rf_ll_plan plan;
  char err[256] = "";
  int rc = rf_ll_plan_build(&p, row->abi, 0, &plan, err, sizeof(err));
  if (row->refused) {
    EXPECT(rc == row->refused, "planning fails with %d at ABI %d (got %d)", row->refused, row->abi, rc);
    EXPECT(err[0] != '\0', "the refusal says why");
    return;
  }
  EXPECT_FATAL(rc == 0, "the policy plans at ABI %d: %s", row->abi, err);
  for (int i = 0; i < MAX_RULES && row->rules[i].path; i++) {
    const rule_is *want = &row->rules[i];
    const rf_ll_rule *rule = rule_for(&plan, want->path);
    if (!want->present) {
      EXPECT(rule == NULL, "no rule for %s", want->path);
      continue;
    }
    EXPECT_FATAL(rule != NULL, "a rule for %s", want->path);
    char rights[256];
    rf_ll_fs_rights_name(rule->access, rights, sizeof(rights));
    if (want->exactly)
      EXPECT(rule->access == want->exactly, "%s's rule has exactly 0x%llx (got %s)", want->path,
             (unsigned long long)want->exactly, rights);
    for (int bit = 0; bit < 64; bit++) {
      uint64_t right = (uint64_t)1 << bit;
      char name[64];
      rf_ll_fs_rights_name(right, name, sizeof(name));
      if (want->has & right)
        EXPECT(rule->access & right, "%s's rule has %s (got %s)", want->path, name, rights);
      if (want->lacks & right)
        EXPECT(!(rule->access & right), "%s's rule lacks %s (got %s)", want->path, name, rights);
    }
  }
  expect_field(__LINE__, "handled_net", row->handled_net, plan.handled_net);
  expect_field(__LINE__, "scoped", row->scoped, plan.scoped);
  expect_field(__LINE__, "connect_port", row->connect_port, plan.connect_port);
  expect_field(__LINE__, "read_all_access", row->read_all_access, plan.read_all_access);
  if (row->read_all_but) {
    EXPECT_FATAL(plan.read_all_but != NULL, "reads everywhere but %s", row->read_all_but);
    EXPECT(strcmp(plan.read_all_but[0], row->read_all_but) == 0, "reads everywhere but %s (got %s)",
           row->read_all_but, plan.read_all_but[0]);
    EXPECT(plan.read_all_but[1] == NULL, "and nothing else left out");
  }
  if (row->no_read_all)
    EXPECT(plan.read_all_but == NULL, "no reads-everywhere");
  if (row->writes_only_in_dev)
    for (size_t i = 0; i < plan.n_rules; i++)
      if (strncmp(plan.rules[i].path, "/dev/", 5) != 0)
        EXPECT(!(plan.rules[i].access & RF_LL_FS_WRITE_FILE), "%s's rule does not write",
               plan.rules[i].path);
  rf_ll_plan_clear(&plan);
}

static void run_plan_claim(void) {
  const char *claim = CU_get_current_test()->pName;
  int rows = 0;
  for (int i = 0; i < N_PLAN_CASES; i++)
    if (strcmp(plan_cases[i].claim, claim) == 0) {
      rows++;
      run_plan_row(&plan_cases[i]);
    }
  EXPECT(rows > 0, "the table has rows for '%s'", claim);
}

/* ---- the bwrap backend's Landlock layer ------------------------------------------ */

static void test_layer_handles_writes_only(void) {
  const uint64_t reads = RF_LL_FS_EXECUTE | RF_LL_FS_READ_FILE | RF_LL_FS_READ_DIR |
                         RF_LL_FS_IOCTL_DEV | RF_LL_FS_RESOLVE_UNIX;
  for (int abi = RF_LL_LAYER_MIN_ABI; abi <= RF_LL_NEWEST_KNOWN_ABI; abi++) {
    uint64_t handled = rf_ll_layer_handled(abi);
    CU_ASSERT_EQUAL(handled & reads, 0);
    CU_ASSERT_TRUE(handled & RF_LL_FS_WRITE_FILE);
    CU_ASSERT_TRUE(handled & RF_LL_FS_REFER);
    CU_ASSERT_EQUAL(handled & ~rf_ll_fs_rights_for_abi(abi), 0);
    /* Not truncate: it would cost every open a path walk (see rf_ll_layer_handled). */
    CU_ASSERT_FALSE(handled & RF_LL_FS_TRUNCATE);
    /* Device nodes are handled and never granted, not even below a writable root. */
    CU_ASSERT_TRUE(handled & RF_LL_FS_MAKE_CHAR);
    CU_ASSERT_EQUAL(rf_ll_layer_root_rights(abi) & (RF_LL_FS_MAKE_CHAR | RF_LL_FS_MAKE_BLOCK), 0);
  }
}

static void test_layer_needs_abi2(void) {
  /* ABI 1 would deny every rename and link across directories. */
  CU_ASSERT_EQUAL(rf_ll_layer_handled(0), 0);
  CU_ASSERT_EQUAL(rf_ll_layer_handled(1), 0);
  rf_backend_policy p = policy_for(RF_SANDBOX_WORKSPACE_WRITE, RF_NETWORK_OFF);
  rf_ll_plan plan;
  char err[256] = "";
  CU_ASSERT_EQUAL(rf_ll_layer_plan(&p, 1, &plan, err, sizeof(err)), -ENOTSUP);
  CU_ASSERT_TRUE(err[0] != '\0');
}

static void test_layer_allows_writes_below_writable_roots_only(void) {
  rf_backend_policy p = policy_for(RF_SANDBOX_WORKSPACE_WRITE, RF_NETWORK_OFF);
  rf_ll_plan plan;
  char err[256] = "";
  CU_ASSERT_EQUAL_FATAL(rf_ll_layer_plan(&p, 7, &plan, err, sizeof(err)), 0);
  CU_ASSERT_EQUAL(plan.n_rules, 2);
  for (size_t i = 0; i < 2; i++) {
    const rf_ll_rule *rule = rule_for(&plan, roots[i].path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rule);
    CU_ASSERT_EQUAL(rule->access, rf_ll_layer_root_rights(7));
  }
  CU_ASSERT_PTR_NULL(plan.read_all_but);
  CU_ASSERT_EQUAL(plan.handled_net, 0);
  CU_ASSERT_EQUAL(plan.scoped, 0);
  rf_ll_plan_clear(&plan);
  /* Read-only mode: nothing outside the sandbox's /dev and inherited files. */
  p = policy_for(RF_SANDBOX_READ_ONLY, RF_NETWORK_OFF);
  CU_ASSERT_EQUAL_FATAL(rf_ll_layer_plan(&p, 7, &plan, err, sizeof(err)), 0);
  CU_ASSERT_EQUAL(plan.n_rules, 0);
  CU_ASSERT_EQUAL(plan.handled_fs, rf_ll_layer_handled(7));
  rf_ll_plan_clear(&plan);
}

static void test_layer_dev_rules_are_the_sandboxs_own_dev(void) {
  int pts = 0, shm = 0, null = 0;
  for (const rf_ll_layer_dev *dev = rf_ll_layer_dev_rules; dev->path; dev++) {
    CU_ASSERT_EQUAL(strncmp(dev->path, "/dev/", 5), 0);
    pts |= strcmp(dev->path, "/dev/pts") == 0;
    shm |= strcmp(dev->path, "/dev/shm") == 0;
    null |= strcmp(dev->path, "/dev/null") == 0;
    /* No make_* on devices: nothing new in /dev's tmpfs. */
    if (strcmp(dev->path, "/dev/shm") != 0)
      CU_ASSERT_EQUAL(dev->access & ~RF_LL_FS_WRITE_FILE, 0);
  }
  CU_ASSERT_TRUE(pts && shm && null);
}

static void test_layer_reaches_init_on_its_command_line(void) {
  rf_backend_policy p = policy_for(RF_SANDBOX_READ_ONLY, RF_NETWORK_OFF);
  const char *const argv[] = {"true", NULL};
  rf_bwrap_fds fds = {.bwrap = "/usr/bin/bwrap", .init = "/init", .json_status_fd = 3,
                      .init_status_fd = 4, .seccomp_fd = 5, .notify_fd = -1, .supervise_fd = -1,
                      .landlock_fd = 8, .landlock_abi = 7};
  rf_strv args;
  rf_strv_init(&args);
  char err[256] = "";
  CU_ASSERT_EQUAL_FATAL(rf_bwrap_build_argv(&p, argv, &fds, &args, err, sizeof(err)), 0);
  int found = 0;
  for (size_t i = 0; i + 3 < args.len; i++)
    if (strcmp(args.items[i], "--landlock-fd") == 0)
      found = strcmp(args.items[i + 1], "8") == 0 && strcmp(args.items[i + 2], "--landlock-abi") == 0 &&
              strcmp(args.items[i + 3], "7") == 0;
  CU_ASSERT_TRUE(found);
  rf_strv_clear(&args);
  /* No layer: no option (an fd of 0 is not taken for one). */
  fds.landlock_abi = 0;
  fds.landlock_fd = 0;
  rf_strv_init(&args);
  CU_ASSERT_EQUAL_FATAL(rf_bwrap_build_argv(&p, argv, &fds, &args, err, sizeof(err)), 0);
  for (size_t i = 0; i < args.len; i++)
    CU_ASSERT_PTR_NULL(strstr(args.items[i], "--landlock"));
  rf_strv_clear(&args);
}

/* ---- bwrap's argument cap (MAX_ARGS 9000) ----------------------------------------- */

static rf_bwrap_fds argv_fds(void) {
  rf_bwrap_fds fds = {.bwrap = "/usr/bin/bwrap", .init = "/init", .json_status_fd = 3,
                      .init_status_fd = 4, .seccomp_fd = 5, .notify_fd = -1, .supervise_fd = -1,
                      .landlock_fd = -1, .command_fd = 9};
  return fds;
}

static int has_arg(const rf_strv *args, const char *what) {
  for (size_t i = 0; i < args->len; i++)
    if (strcmp(args->items[i], what) == 0)
      return 1;
  return 0;
}

static void test_command_reaches_init_through_a_descriptor(void) {
  rf_backend_policy p = policy_for(RF_SANDBOX_WORKSPACE_WRITE, RF_NETWORK_OFF);
  static const char *argv[10002];
  static char numbers[10000][8];
  argv[0] = "the-command";
  for (int i = 0; i < 10000; i++) {
    snprintf(numbers[i], sizeof(numbers[i]), "%d", i);
    argv[i + 1] = numbers[i];
  }
  rf_bwrap_fds fds = argv_fds();
  rf_strv args;
  rf_strv_init(&args);
  char err[512] = "";
  CU_ASSERT_EQUAL_FATAL(rf_bwrap_build_argv(&p, argv, &fds, &args, err, sizeof(err)), 0);
  CU_ASSERT_FALSE(has_arg(&args, "the-command"));
  CU_ASSERT(args.len < 100);
  CU_ASSERT_STRING_EQUAL(args.items[args.len - 2], "--command-fd");
  CU_ASSERT_STRING_EQUAL(args.items[args.len - 1], "9");
  rf_strv_clear(&args);
}

static void test_only_existing_protected_paths_are_bound(void) {
  rf_backend_policy p = policy_for(RF_SANDBOX_WORKSPACE_WRITE, RF_NETWORK_OFF);
  const char *const argv[] = {"true", NULL};
  const unsigned char present[] = {1, 0}; /* .git exists, .envrc does not */
  rf_bwrap_fds fds = argv_fds();
  fds.protected_present = present;
  rf_strv args;
  rf_strv_init(&args);
  char err[512] = "";
  CU_ASSERT_EQUAL_FATAL(rf_bwrap_build_argv(&p, argv, &fds, &args, err, sizeof(err)), 0);
  CU_ASSERT_TRUE(has_arg(&args, "/work/ws/.git"));
  CU_ASSERT_FALSE(has_arg(&args, "/work/ws/.envrc"));
  rf_strv_clear(&args);
}

/* Mounts beyond bwrap's cap fail before anything starts, saying how many fit. */
static void test_too_many_mounts_are_refused_naming_the_limit(void) {
  enum { N = 3100 };
  static rf_backend_root many[N];
  static char paths[N][32];
  for (int i = 0; i < N; i++) {
    snprintf(paths[i], sizeof(paths[i]), "/work/root-%d", i);
    many[i] = (rf_backend_root){.size = sizeof(rf_backend_root), .path = paths[i]};
  }
  rf_backend_policy p = policy_for(RF_SANDBOX_WORKSPACE_WRITE, RF_NETWORK_OFF);
  p.writable_roots = many;
  const char *const argv[] = {"true", NULL};
  rf_bwrap_fds fds = argv_fds();
  char err[512] = "";
  rf_strv args;
  /* 2,900 roots fit, */
  p.n_writable_roots = 2900;
  rf_strv_init(&args);
  CU_ASSERT_EQUAL(rf_bwrap_build_argv(&p, argv, &fds, &args, err, sizeof(err)), 0);
  CU_ASSERT(args.len - 1 <= RF_BWRAP_MAX_ARGS);
  rf_strv_clear(&args);
  /* 3,100 do not. */
  p.n_writable_roots = N;
  rf_strv_init(&args);
  CU_ASSERT_EQUAL(rf_bwrap_build_argv(&p, argv, &fds, &args, err, sizeof(err)), -E2BIG);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "9000"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "3100 writable roots"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "room for 29"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "--backend landlock"));
  rf_strv_clear(&args);
}

/* ---- reads on the bwrap command line ---------------------------------------------- */

static size_t index_of(const rf_strv *args, const char *a, const char *b) {
  for (size_t i = 0; i + 1 < args->len; i++)
    if (strcmp(args->items[i], a) == 0 && strcmp(args->items[i + 1], b) == 0)
      return i;
  return (size_t)-1;
}

static void test_restricted_reads_start_from_an_empty_root(void) {
  rf_backend_policy p = policy_for(RF_SANDBOX_WORKSPACE_WRITE, RF_NETWORK_OFF);
  static const char *const data_root[] = {"/srv/data", NULL};
  p.read_access = RF_READ_RESTRICTED;
  p.flags |= RF_POLICY_PLATFORM_DEFAULTS;
  p.readable_roots = data_root;
  p.n_readable_roots = 1;
  char *paths[] = {"/bin", "/usr", NULL};
  char *links[] = {"usr/bin", NULL, NULL};
  char *loader[] = {"/opt/lib", NULL};
  unsigned char kinds[1] = {0};
  rf_bwrap_reads reads = {.platform_paths = paths, .platform_links = links, .n_platform = 2,
                          .loader_paths = loader, .n_loader = 1, .deny_kind = kinds, .deny_fd = -1};
  rf_bwrap_fds fds = argv_fds();
  fds.reads = &reads;
  const char *const argv[] = {"true", NULL};
  rf_strv args;
  rf_strv_init(&args);
  char err[512] = "";
  CU_ASSERT_EQUAL_FATAL(rf_bwrap_build_argv(&p, argv, &fds, &args, err, sizeof(err)), 0);
  CU_ASSERT_EQUAL(index_of(&args, "--ro-bind", "/"), (size_t)-1);
  CU_ASSERT_NOT_EQUAL(index_of(&args, "--symlink", "usr/bin"), (size_t)-1);
  CU_ASSERT_NOT_EQUAL(index_of(&args, "--ro-bind", "/usr"), (size_t)-1);
  CU_ASSERT_NOT_EQUAL(index_of(&args, "--ro-bind", "/opt/lib"), (size_t)-1);
  CU_ASSERT_NOT_EQUAL(index_of(&args, "--ro-bind", "/srv/data"), (size_t)-1);
  CU_ASSERT_NOT_EQUAL(index_of(&args, "--ro-bind", "/init"), (size_t)-1);
  CU_ASSERT_NOT_EQUAL(index_of(&args, "--bind", "/work/ws"), (size_t)-1);
  rf_strv_clear(&args);
  /* Full reads: / read-only, none of the above. */
  p.read_access = RF_READ_FULL;
  fds.reads = NULL;
  rf_strv_init(&args);
  CU_ASSERT_EQUAL_FATAL(rf_bwrap_build_argv(&p, argv, &fds, &args, err, sizeof(err)), 0);
  CU_ASSERT_NOT_EQUAL(index_of(&args, "--ro-bind", "/"), (size_t)-1);
  CU_ASSERT_FALSE(has_arg(&args, "--symlink"));
  rf_strv_clear(&args);
}

static void test_deny_read_mounts_cover_what_is_bound_above_them(void) {
  rf_backend_policy p = policy_for(RF_SANDBOX_WORKSPACE_WRITE, RF_NETWORK_OFF);
  static const char *const deny[] = {"/work/ws/secret.pem", "/work/ws/private", "/work/ws/gone"};
  p.deny_read = deny;
  p.n_deny_read = 3;
  unsigned char kinds[3] = {RF_BWRAP_DENY_FILE, RF_BWRAP_DENY_DIR, RF_BWRAP_DENY_MISSING};
  rf_bwrap_reads reads = {.deny_kind = kinds, .deny_fd = 12};
  rf_bwrap_fds fds = argv_fds();
  fds.reads = &reads;
  const char *const argv[] = {"true", NULL};
  rf_strv args;
  rf_strv_init(&args);
  char err[512] = "";
  CU_ASSERT_EQUAL_FATAL(rf_bwrap_build_argv(&p, argv, &fds, &args, err, sizeof(err)), 0);
  size_t root = index_of(&args, "--bind", "/work/ws");
  size_t file = index_of(&args, "--ro-bind-data", "12");
  size_t dir = index_of(&args, "--tmpfs", "/work/ws/private");
  size_t remount = index_of(&args, "--remount-ro", "/work/ws/private");
  CU_ASSERT_TRUE(root != (size_t)-1 && file != (size_t)-1 && dir != (size_t)-1 &&
                 remount != (size_t)-1);
  /* After the writable root they lie in; each with --perms 0000; read-only last. */
  CU_ASSERT_TRUE(root < file && root < dir && dir < remount);
  CU_ASSERT_STRING_EQUAL(args.items[file - 1], "0000");
  CU_ASSERT_STRING_EQUAL(args.items[file + 2], "/work/ws/secret.pem");
  CU_ASSERT_STRING_EQUAL(args.items[dir - 1], "0000");
  CU_ASSERT_FALSE(has_arg(&args, "/work/ws/gone")); /* nothing to hide: no mount point made */
  rf_strv_clear(&args);
  /* Restricted reads: a denied path outside everything bound is not there anyway. */
  static const char *const outside[] = {"/home/me/secret"};
  static const char *const none[] = {NULL};
  p.read_access = RF_READ_RESTRICTED;
  p.readable_roots = none;
  p.n_readable_roots = 0;
  p.deny_read = outside;
  p.n_deny_read = 1;
  kinds[0] = RF_BWRAP_DENY_FILE;
  rf_strv_init(&args);
  CU_ASSERT_EQUAL_FATAL(rf_bwrap_build_argv(&p, argv, &fds, &args, err, sizeof(err)), 0);
  CU_ASSERT_FALSE(has_arg(&args, "/home/me/secret"));
  rf_strv_clear(&args);
  /* Without a look at the host, deny-read is refused rather than skipped. */
  fds.reads = NULL;
  rf_strv_init(&args);
  CU_ASSERT_EQUAL(rf_bwrap_build_argv(&p, argv, &fds, &args, err, sizeof(err)), -EINVAL);
  rf_strv_clear(&args);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS)
    return CU_get_error();
  CU_pSuite guarantees = CU_add_suite("landlock guarantees per ABI", NULL, NULL);
  CU_add_test(guarantees, "without Landlock nothing is guaranteed",
              test_no_landlock_guarantees_nothing);
  CU_add_test(guarantees, "protected subpaths and private loopback are never claimed, deny-read always; write-confined and proxy-only need the supervisor",
              test_never_claims_what_landlock_cannot_do);
  CU_add_test(guarantees, "host processes and containment need signal scoping (ABI 6)",
              test_process_guarantees_need_signal_scoping_abi6);
  CU_add_test(guarantees, "host unix sockets need the supervisor, or ABI 9",
              test_host_unix_sockets_need_supervisor_or_abi9);
  CU_pSuite abi = CU_add_suite("landlock ABI table", NULL, NULL);
  CU_add_test(abi, "every right the ABI has is handled", test_every_right_the_abi_has_is_handled);
  CU_add_test(abi, "logging flags only from ABI 7", test_logging_flags_only_from_abi7);
  CU_add_test(abi, "rights, scopes and errata have names", test_rights_have_names);
  CU_pSuite plans = CU_add_suite("landlock plans", NULL, NULL);
  for (int i = 0; i < N_PLAN_CASES; i++)
    if (i == 0 || strcmp(plan_cases[i].claim, plan_cases[i - 1].claim) != 0)
      CU_add_test(plans, plan_cases[i].claim, run_plan_claim);
  CU_pSuite layer = CU_add_suite("bwrap's Landlock layer", NULL, NULL);
  CU_add_test(layer, "the layer handles write rights only, never grants device creation",
              test_layer_handles_writes_only);
  CU_add_test(layer, "the layer needs ABI 2 (ABI 1 denies renames across directories)",
              test_layer_needs_abi2);
  CU_add_test(layer, "writes are allowed below the writable roots only (none in read-only mode)",
              test_layer_allows_writes_below_writable_roots_only);
  CU_add_test(layer, "the /dev rules name the sandbox's own /dev, write only",
              test_layer_dev_rules_are_the_sandboxs_own_dev);
  CU_add_test(layer, "init gets the ruleset's descriptor and ABI on its command line",
              test_layer_reaches_init_on_its_command_line);
  CU_pSuite cap = CU_add_suite("bwrap's argument cap", NULL, NULL);
  CU_add_test(cap, "10,000 arguments reach init through a descriptor, not bwrap's command line",
              test_command_reaches_init_through_a_descriptor);
  CU_add_test(cap, "only protected paths that exist are bound (the others are the guard's)",
              test_only_existing_protected_paths_are_bound);
  CU_add_test(cap, "more mounts than bwrap takes are refused, naming the limit and what fits",
              test_too_many_mounts_are_refused_naming_the_limit);
  CU_pSuite reads = CU_add_suite("reads on the bwrap command line", NULL, NULL);
  CU_add_test(reads, "restricted reads start from an empty root: platform paths (symlinks as symlinks), loader paths, readable roots and init bound read-only",
              test_restricted_reads_start_from_an_empty_root);
  CU_add_test(reads, "deny-read mounts (mode 0000) come after the binds above them, folders made read-only last, missing paths skipped",
              test_deny_read_mounts_cover_what_is_bound_above_them);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
