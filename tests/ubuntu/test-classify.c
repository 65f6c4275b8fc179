/* test-classify.c: CUnit claims about the bwrap failure classifier, fed bwrap's real messages. */
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bwrap-apparmor.h"
#include "bwrap-diagnose.h"

/* What bwrap prints, word for word, where each comes from (bwrap 0.8/0.9, Debian and Ubuntu
 * builds; upstream spells the EPERM one "No permissions to creating new namespace"). */
#define UBUNTU_LOOPBACK "bwrap: loopback: Failed RTM_NEWADDR: Operation not permitted\n"
#define UBUNTU_UID_MAP "bwrap: setting up uid map: Permission denied\n"
#define UBUNTU_CONFINED "bwrap: Creating new namespace failed: Permission denied\n"
#define IMITATION_LOOPBACK                                                                         \
  "bwrap: loopback: Failed to create NETLINK_ROUTE socket: Operation not permitted\n"
#define IMITATION_SLAVE "bwrap: Failed to make / slave: Operation not permitted\n"
#define DEBIAN_EPERM                                                                               \
  "bwrap: No permissions to create new namespace, likely because the kernel does not allow "       \
  "non-privileged user namespaces. See <https://deb.li/bubblewrap> or "                            \
  "<file:///usr/share/doc/bubblewrap/README.Debian.gz>.\n"
#define UPSTREAM_EPERM                                                                             \
  "bwrap: No permissions to creating new namespace, likely because the kernel does not allow "     \
  "non-privileged user namespaces. On e.g. debian this can be enabled with 'sysctl "               \
  "kernel.unprivileged_userns_clone=1'.\n"

typedef struct {
  const char *claim;
  rf_bwrap_signs signs;
  rf_bwrap_problem expected;
  const char *reason_has, *remedy_has, *remedy_lacks;
} classify_case;

/* Signs of an Ubuntu 24.04 desktop: the sysctls as shipped, bwrap from the package. */
#define UBUNTU(msg, profile_state)                                                                 \
  {                                                                                                \
    .message = (msg), .userns_clone_sysctl = 1, .max_user_namespaces = 62000,                      \
    .apparmor_restrict = 1, .bwrap = "/usr/bin/bwrap", .profile = (profile_state)                  \
  }

static const classify_case cases[] = {
    {"Ubuntu 24.04 with a network namespace: loopback fails, AppArmor named, its profile shipped",
     UBUNTU(UBUNTU_LOOPBACK, RF_AA_PROFILE_AVAILABLE), RF_BWRAP_USERNS_APPARMOR,
     "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns"
     " = 1): bwrap may create one but is refused what needs a capability inside it; bwrap said: "
     "bwrap: loopback: Failed RTM_NEWADDR: Operation not permitted",
     "sudo install -m 644 /usr/share/apparmor/extra-profiles/bwrap-userns-restrict "
     "/etc/apparmor.d/",
     "apt install"},
    {"Ubuntu 24.04 without one: the uid map write is refused",
     UBUNTU(UBUNTU_UID_MAP, RF_AA_PROFILE_ABSENT), RF_BWRAP_USERNS_APPARMOR,
     "setting up uid map: Permission denied", "sudo apt install apparmor-profiles", NULL},
    {"a caller confined without 'userns,': creating the namespace is refused (EACCES)",
     UBUNTU(UBUNTU_CONFINED, RF_AA_PROFILE_ABSENT), RF_BWRAP_USERNS_APPARMOR,
     "creating one is refused; bwrap said: bwrap: Creating new namespace failed: Permission "
     "denied",
     "landlock backend needs nothing", NULL},
    {"the profile is installed but bwrap still fails: load it",
     UBUNTU(UBUNTU_LOOPBACK, RF_AA_PROFILE_INSTALLED), RF_BWRAP_USERNS_APPARMOR, "AppArmor",
     "sudo apparmor_parser -r /etc/apparmor.d/bwrap-userns-restrict", "apt install"},
    {"a bwrap outside /usr/bin: Ubuntu's profile does not cover it, a profile of its own does",
     {.message = UBUNTU_LOOPBACK,
      .userns_clone_sysctl = 1,
      .max_user_namespaces = 62000,
      .apparmor_restrict = 1,
      .bwrap = "/nix/store/x-bubblewrap/bin/bwrap",
      .profile = RF_AA_PROFILE_AVAILABLE},
     RF_BWRAP_USERNS_APPARMOR,
     "AppArmor",
     "give /nix/store/x-bubblewrap/bin/bwrap an AppArmor profile allowing 'userns,'",
     "sudo install"},
    {"every AppArmor remedy ends with the sysctl, system-wide, and its cost",
     UBUNTU(UBUNTU_UID_MAP, RF_AA_PROFILE_AVAILABLE), RF_BWRAP_USERNS_APPARMOR, "AppArmor",
     "Last resort, for the whole system: 'sudo sysctl -w "
     "kernel.apparmor_restrict_unprivileged_userns=0' lifts the restriction for every program",
     NULL},
    {"the restriction seen only by the probe's own namespace test (bwrap not asked)",
     {.unshare_errno = EACCES,
      .userns_clone_sysctl = -1,
      .max_user_namespaces = 15000,
      .apparmor_restrict = 1,
      .bwrap = "/usr/bin/bwrap"},
     RF_BWRAP_USERNS_APPARMOR,
     "creating one is refused: Permission denied",
     "landlock",
     NULL},
    {"the imitation (tests/ubuntu) with the sysctl: AppArmor is named",
     UBUNTU(IMITATION_LOOPBACK, RF_AA_PROFILE_ABSENT), RF_BWRAP_USERNS_APPARMOR,
     "Failed to create NETLINK_ROUTE socket", "apparmor-profiles", NULL},
    {"root is never restricted by AppArmor: the same message as root names a filter instead",
     {.message = UBUNTU_LOOPBACK,
      .userns_clone_sysctl = 1,
      .max_user_namespaces = 15000,
      .apparmor_restrict = 1,
      .is_root = 1,
      .bwrap = "/usr/bin/bwrap"},
     RF_BWRAP_USERNS_CAPS_REFUSED,
     "which never restricts root",
     "landlock backend",
     "AppArmor"},
    {"no AppArmor sysctl: capabilities refused in the namespace name a filter, not AppArmor",
     {.message = IMITATION_SLAVE,
      .userns_clone_sysctl = -1,
      .max_user_namespaces = 15000,
      .apparmor_restrict = -1,
      .bwrap = "/usr/bin/bwrap"},
     RF_BWRAP_USERNS_CAPS_REFUSED,
     "there is no kernel.apparmor_restrict_unprivileged_userns): a seccomp filter",
     "--backend auto falls back to it",
     "apparmor_parser"},
    {"the restriction switched off (sysctl 0) and still refused: not AppArmor's restriction",
     {.message = UBUNTU_LOOPBACK,
      .userns_clone_sysctl = 1,
      .max_user_namespaces = 15000,
      .apparmor_restrict = 0,
      .bwrap = "/usr/bin/bwrap"},
     RF_BWRAP_USERNS_CAPS_REFUSED,
     "apparmor_restrict_unprivileged_userns = 0",
     "landlock",
     NULL},
    {"ringfence's profile shipped by the package but not installed (the restriction came "
     "later): install it with the package's script",
     {.message = UBUNTU_LOOPBACK, .userns_clone_sysctl = 1, .max_user_namespaces = 62000,
      .apparmor_restrict = 1, .bwrap = "/usr/bin/bwrap", .profile = RF_AA_PROFILE_ABSENT,
      .ringfence_profile = RF_AA_PROFILE_AVAILABLE},
     RF_BWRAP_USERNS_APPARMOR, "AppArmor", "apparmor-profile install'", "apt install"},
    {"ringfence's profile in /etc/apparmor.d but not loaded: load it",
     {.message = UBUNTU_LOOPBACK, .userns_clone_sysctl = 1, .max_user_namespaces = 62000,
      .apparmor_restrict = 1, .bwrap = "/usr/bin/bwrap", .profile = RF_AA_PROFILE_AVAILABLE,
      .ringfence_profile = RF_AA_PROFILE_INSTALLED, .loaded_profile = ""},
     RF_BWRAP_USERNS_APPARMOR, "AppArmor",
     "sudo apparmor_parser -r /etc/apparmor.d/ringfence-bwrap'", "extra-profiles"},
    {"a profile for bwrap loaded and bwrap still refused: that profile is the problem",
     {.message = UBUNTU_UID_MAP, .userns_clone_sysctl = 1, .max_user_namespaces = 62000,
      .apparmor_restrict = 1, .bwrap = "/usr/bin/bwrap", .profile = RF_AA_PROFILE_INSTALLED,
      .ringfence_profile = RF_AA_PROFILE_INSTALLED, .loaded_profile = "bwrap"},
     RF_BWRAP_USERNS_APPARMOR, "AppArmor", "a profile for bwrap is loaded (bwrap)",
     "apparmor_parser -r"},
    {"with ringfence's profile the sysctl is still the last resort, and Landlock first",
     {.message = UBUNTU_LOOPBACK, .userns_clone_sysctl = 1, .max_user_namespaces = 62000,
      .apparmor_restrict = 1, .bwrap = "/usr/bin/bwrap",
      .ringfence_profile = RF_AA_PROFILE_INSTALLED},
     RF_BWRAP_USERNS_APPARMOR, "AppArmor",
     "the landlock backend needs nothing (--backend auto falls back to it). To use bwrap, load "
     "the profile ringfence-backend-bwrap installed",
     NULL},
    {"Debian before 11 / hardened kernels: the sysctl is off",
     {.message = UPSTREAM_EPERM,
      .unshare_errno = EPERM,
      .userns_clone_sysctl = 0,
      .max_user_namespaces = 15000,
      .apparmor_restrict = -1},
     RF_BWRAP_USERNS_DISABLED,
     "unprivileged_userns_clone = 0",
     "sysctl -w kernel.unprivileged_userns_clone=1",
     NULL},
    {"Debian's wording where no sysctl explains it (a container's seccomp)",
     {.message = DEBIAN_EPERM,
      .unshare_errno = EPERM,
      .userns_clone_sysctl = -1,
      .max_user_namespaces = 15000,
      .apparmor_restrict = -1},
     RF_BWRAP_USERNS_DENIED,
     "No permissions to create new namespace",
     "container",
     NULL},
    {"upstream's wording, the same",
     {.message = UPSTREAM_EPERM,
      .unshare_errno = EPERM,
      .userns_clone_sysctl = -1,
      .max_user_namespaces = 15000,
      .apparmor_restrict = -1},
     RF_BWRAP_USERNS_DENIED,
     "No permissions to creating new namespace",
     "container",
     NULL},
    {"Docker's default seccomp profile blocks clone(CLONE_NEWUSER), as root too",
     {.message = "bwrap: Creating new namespace failed: Operation not permitted\n",
      .unshare_errno = EPERM,
      .userns_clone_sysctl = -1,
      .max_user_namespaces = 15000,
      .apparmor_restrict = -1,
      .is_root = 1},
     RF_BWRAP_USERNS_DENIED,
     "Creating new namespace failed",
     "seccomp",
     NULL},
    {"too many namespaces (ENOSPC), bwrap not asked",
     {.unshare_errno = ENOSPC,
      .userns_clone_sysctl = -1,
      .max_user_namespaces = 15000,
      .apparmor_restrict = -1},
     RF_BWRAP_USERNS_DENIED,
     "creating namespaces is not permitted",
     "landlock",
     NULL},
    {"user.max_user_namespaces = 0",
     {.message = "bwrap: No permissions to create new namespace\n",
      .unshare_errno = ENOSPC,
      .userns_clone_sysctl = -1,
      .max_user_namespaces = 0,
      .apparmor_restrict = -1},
     RF_BWRAP_USERNS_DISABLED,
     "max_user_namespaces = 0",
     "sysctl -w user.max_user_namespaces",
     NULL},
    {"a mount over part of /proc (a container's masked paths): not AppArmor (root here)",
     {.message = "bwrap: Can't mount proc on /newroot/proc: Operation not permitted\n",
      .userns_clone_sysctl = -1,
      .max_user_namespaces = 15000,
      .apparmor_restrict = 1,
      .is_root = 1},
     RF_BWRAP_PROC_MASKED,
     "part of /proc is hidden by a mount",
     "landlock",
     NULL},
    {"/proc/sys itself masked: bwrap cannot read the overflow ids",
     {.message = "bwrap: Can't read /proc/sys/kernel/overflowuid: No such file or directory\n",
      .userns_clone_sysctl = -1,
      .max_user_namespaces = -1,
      .apparmor_restrict = -1},
     RF_BWRAP_PROC_MASKED,
     "overflowuid",
     "unmount what covers /proc",
     NULL},
    {"anything else is quoted as it is",
     {.message = "bwrap: execvp /bin/true: No such file or directory\n",
      .userns_clone_sysctl = -1,
      .max_user_namespaces = 15000},
     RF_BWRAP_UNKNOWN,
     "bwrap failed: bwrap: execvp /bin/true: No such file or directory",
     "--backend",
     NULL},
};

static void test_real_messages_are_classified_with_the_remedy_that_applies(void) {
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const classify_case *c = &cases[i];
    char reason[1024] = "", remedy[512] = "";
    rf_bwrap_problem got =
        rf_bwrap_classify(&c->signs, reason, sizeof(reason), remedy, sizeof(remedy));
    int ok = got == c->expected && strstr(reason, c->reason_has) && strstr(remedy, c->remedy_has) &&
             (!c->remedy_lacks || !strstr(remedy, c->remedy_lacks)) && !strchr(reason, '\n') &&
             strlen(remedy) < sizeof(remedy) - 1 && strlen(reason) < sizeof(reason) - 1;
    if (!ok)
      fprintf(stderr, "\n  case %zu (%s): got %d (want %d)\n    reason: %s\n    remedy: %s\n", i,
              c->claim, (int)got, (int)c->expected, reason, remedy);
    CU_ASSERT_EQUAL(got, c->expected);
    CU_ASSERT_PTR_NOT_NULL(strstr(reason, c->reason_has));
    CU_ASSERT_PTR_NOT_NULL(strstr(remedy, c->remedy_has));
    if (c->remedy_lacks)
      CU_ASSERT_PTR_NULL(strstr(remedy, c->remedy_lacks));
    /* bwrap's trailing newline never ends up in a one-line reason, and nothing is cut off
     * (the report's buffers are these sizes). */
    CU_ASSERT_PTR_NULL(strchr(reason, '\n'));
    CU_ASSERT(strlen(remedy) < sizeof(remedy) - 1);
    CU_ASSERT(strlen(reason) < sizeof(reason) - 1);
  }
}

static void test_each_problem_has_a_stable_cause_name(void) {
  CU_ASSERT_STRING_EQUAL(rf_bwrap_problem_cause(RF_BWRAP_USERNS_APPARMOR),
                         "apparmor-userns-restricted");
  CU_ASSERT_STRING_EQUAL(rf_bwrap_problem_cause(RF_BWRAP_USERNS_CAPS_REFUSED),
                         "userns-capabilities-refused");
  CU_ASSERT_STRING_EQUAL(rf_bwrap_problem_cause(RF_BWRAP_OK), "");
  for (int p = RF_BWRAP_MISSING; p <= RF_BWRAP_UNKNOWN; p++)
    CU_ASSERT(strlen(rf_bwrap_problem_cause((rf_bwrap_problem)p)) > 0 &&
              strlen(rf_bwrap_problem_cause((rf_bwrap_problem)p)) < 48);
}

/* ---- the AppArmor state, read from a fixture root ---- */

static char fixture[256];

static void put(const char *rel, const char *text) {
  char path[512], dir[512];
  snprintf(path, sizeof(path), "%s%s", fixture, rel);
  /* mkdir -p of the parents */
  snprintf(dir, sizeof(dir), "%s", path);
  for (char *p = dir + strlen(fixture) + 1; (p = strchr(p, '/')) != NULL; p++) {
    *p = '\0';
    mkdir(dir, 0755);
    *p = '/';
  }
  FILE *f = fopen(path, "we");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(text, f);
  fclose(f);
}

static void drop(const char *rel) {
  char path[512];
  snprintf(path, sizeof(path), "%s%s", fixture, rel);
  unlink(path);
}

#define SHIPPED "/usr/share/ringfence/apparmor/ringfence-bwrap"
#define PROFILES "/sys/kernel/security/apparmor/profiles"

/* The remedy for Ubuntu 24.04's loopback failure on the fixture host. */
static void remedy_here(char *remedy, size_t len) {
  rf_apparmor_state st;
  rf_bwrap_apparmor_read(fixture, SHIPPED, &st);
  rf_bwrap_signs signs = {.message = UBUNTU_LOOPBACK, .userns_clone_sysctl = 1,
                          .max_user_namespaces = 62000, .apparmor_restrict = 1,
                          .bwrap = "/usr/bin/bwrap", .profile = st.ubuntu,
                          .ringfence_profile = st.ringfence, .loaded_profile = st.loaded};
  char reason[1024];
  CU_ASSERT_EQUAL(rf_bwrap_classify(&signs, reason, sizeof(reason), remedy, len),
                  RF_BWRAP_USERNS_APPARMOR);
}

static void test_the_apparmor_state_is_read_from_the_files_and_picks_the_remedy(void) {
  snprintf(fixture, sizeof(fixture), "/var/tmp/rf-aa-fixture-XXXXXX");
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(fixture));
  rf_apparmor_state st;
  char remedy[512];

  /* Nothing: no AppArmor files at all. */
  rf_bwrap_apparmor_read(fixture, SHIPPED, &st);
  CU_ASSERT_EQUAL(st.ubuntu, RF_AA_PROFILE_ABSENT);
  CU_ASSERT_EQUAL(st.ringfence, RF_AA_PROFILE_ABSENT);
  CU_ASSERT_EQUAL(st.loaded_known, 0);
  CU_ASSERT_STRING_EQUAL(st.loaded, "");

  /* The package shipped our profile; AppArmor loaded others, none for bwrap. */
  put(SHIPPED, "# ringfence-bwrap: shipped\n");
  put(PROFILES, "/usr/bin/man (enforce)\nunprivileged_userns (enforce)\nlsb_release (enforce)\n");
  rf_bwrap_apparmor_read(fixture, SHIPPED, &st);
  CU_ASSERT_EQUAL(st.ringfence, RF_AA_PROFILE_AVAILABLE);
  CU_ASSERT_EQUAL(st.loaded_known, 1);
  CU_ASSERT_STRING_EQUAL(st.loaded, "");
  remedy_here(remedy, sizeof(remedy));
  CU_ASSERT_PTR_NOT_NULL(strstr(remedy, "apparmor-profile install'"));
  /* Not built with a shipped profile: Ubuntu's advice as before. */
  rf_bwrap_apparmor_read(fixture, NULL, &st);
  CU_ASSERT_EQUAL(st.ringfence, RF_AA_PROFILE_ABSENT);

  /* Installed into /etc/apparmor.d, not loaded: load it. */
  put("/etc/apparmor.d/ringfence-bwrap", "# ringfence-bwrap: installed\n");
  rf_bwrap_apparmor_read(fixture, SHIPPED, &st);
  CU_ASSERT_EQUAL(st.ringfence, RF_AA_PROFILE_INSTALLED);
  remedy_here(remedy, sizeof(remedy));
  CU_ASSERT_PTR_NOT_NULL(strstr(remedy, "sudo apparmor_parser -r /etc/apparmor.d/ringfence-bwrap"));
  CU_ASSERT_PTR_NOT_NULL(strstr(remedy, "kernel.apparmor_restrict_unprivileged_userns=0"));

  /* Loaded, and bwrap still refused: the loaded profile is named. */
  put(PROFILES, "/usr/bin/man (enforce)\nringfence-bwrap (enforce)\n"
                "ringfence-bwrap-sandbox (enforce)\n");
  rf_bwrap_apparmor_read(fixture, SHIPPED, &st);
  CU_ASSERT_STRING_EQUAL(st.loaded, "ringfence-bwrap");
  remedy_here(remedy, sizeof(remedy));
  CU_ASSERT_PTR_NOT_NULL(strstr(remedy, "a profile for bwrap is loaded (ringfence-bwrap)"));

  /* Ubuntu's own profile loaded ("bwrap"): it is the one named. */
  drop("/etc/apparmor.d/ringfence-bwrap");
  put("/etc/apparmor.d/bwrap-userns-restrict", "profile bwrap /usr/bin/bwrap {}\n");
  put(PROFILES, "bwrap (enforce)\nunpriv_bwrap (enforce)\n");
  rf_bwrap_apparmor_read(fixture, SHIPPED, &st);
  CU_ASSERT_EQUAL(st.ubuntu, RF_AA_PROFILE_INSTALLED);
  CU_ASSERT_EQUAL(st.ringfence, RF_AA_PROFILE_AVAILABLE);
  CU_ASSERT_STRING_EQUAL(st.loaded, "bwrap");
  remedy_here(remedy, sizeof(remedy));
  CU_ASSERT_PTR_NOT_NULL(strstr(remedy, "a profile for bwrap is loaded (bwrap)"));

  /* An unreadable list (an unprivileged user where securityfs is root-only): unknown, and the
   * remedy follows the files alone. */
  drop(PROFILES);
  drop("/etc/apparmor.d/bwrap-userns-restrict");
  rf_bwrap_apparmor_read(fixture, SHIPPED, &st);
  CU_ASSERT_EQUAL(st.loaded_known, 0);
  CU_ASSERT_STRING_EQUAL(st.loaded, "");
  remedy_here(remedy, sizeof(remedy));
  CU_ASSERT_PTR_NOT_NULL(strstr(remedy, "apparmor-profile install'"));

  char cmd[300];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fixture);
  CU_ASSERT_EQUAL(system(cmd), 0);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--unprivileged") == 0) {
    if (geteuid() != 0) {
      printf("skipped: --unprivileged re-executes as uid 65534 and needs root to do so\n");
      return 77;
    }
    if (access(argv[0], R_OK | X_OK) != 0) {
      printf("skipped: %s\n", strerror(errno));
      return 77;
    }
    execlp("setpriv", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", argv[0],
           (char *)NULL);
    printf("skipped: setpriv cannot be run (%s)\n", strerror(errno));
    return 77;
  }
  if (CU_initialize_registry() != CUE_SUCCESS)
    return CU_get_error();
  CU_pSuite s = CU_add_suite("bwrap failure classifier", NULL, NULL);
  CU_add_test(s, "bwrap's real messages are classified, quoted, with the remedy that applies",
              test_real_messages_are_classified_with_the_remedy_that_applies);
  CU_add_test(s, "each problem has a stable cause name (check --json)",
              test_each_problem_has_a_stable_cause_name);
  CU_add_test(s, "the AppArmor profiles installed, shipped and loaded are read from the files and "
                 "pick the one remedy that applies",
              test_the_apparmor_state_is_read_from_the_files_and_picks_the_remedy);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
