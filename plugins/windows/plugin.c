/* plugin.c: the vtable of the windows backend; render is pure, launch defers to launch.c.
 *
 * Off Windows only render, capabilities and the setup plan work: probe says
 * "not Windows", launch and setup (after printing its plan) return -ENOSYS, so
 * `ringfence explain --backend windows` prints the plan on any OS.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"
#include "win32.h"
#include "ringfence/backend.h"

static uint64_t win_capabilities(const rf_backend_host *host) {
  (void)host;
  return RF_WIN_CAPS_SANDBOX;
}

static int win_render(const rf_backend_host *host, const rf_backend_policy *policy, const char *const *argv,
                      const rf_backend_sink *out, char *err, size_t err_len) {
  (void)host;
  rf_win_plan plan;
  rf_win_plan_input in = {.policy = policy, .argv = argv, .random = NULL, .cmd_exe = NULL};
  int r = rf_win_plan_build(&in, &plan, err, err_len);
  if (r < 0)
    return r;
#ifdef _WIN32
  /* On Windows the plan can show the SIDs Windows derives from the capability names too (what
   * icacls lists); elsewhere it shows the names only.  A failure leaves the names. */
  char ignored[256];
  if (rf_win32_plan_derive_sids(&plan, ignored, sizeof ignored) < 0) {
    for (size_t i = 0; i < plan.n_caps; i++)
      if (plan.caps[i].name != NULL)
        plan.caps[i].sid[0] = '\0';
    for (size_t i = 0; i < plan.n_acl; i++)
      if (plan.acl[i].trustee == RF_WIN_TRUSTEE_CAPABILITY)
        plan.acl[i].sid[0] = '\0';
  }
#endif
  rf_win_plan_render(&plan, out);
  rf_win_plan_clear(&plan);
  return 0;
}

#ifdef _WIN32

static int win_probe(const rf_backend_host *host, rf_backend_probe_report *report) {
  return rf_win32_probe(host, report);
}

static int win_launch(const rf_backend_host *host, const rf_backend_policy *policy, const char *const *argv,
                      rf_backend_child *child, char *err, size_t err_len) {
  return rf_win32_launch(host, policy, argv, child, err, err_len);
}

static int win_child_signal(rf_backend_child *child, int signum) { return rf_win32_child_signal(child, signum); }
static int win_child_wait(rf_backend_child *child, int timeout_ms, rf_backend_exit *exit) {
  return rf_win32_child_wait(child, timeout_ms, exit);
}
static int win_child_kill(rf_backend_child *child) { return rf_win32_child_kill(child); }
static void win_child_release(rf_backend_child *child) { rf_win32_child_release(child); }

#else /* !_WIN32 */

static void copy_field(char *dst, size_t dst_len, const char *src) { snprintf(dst, dst_len, "%s", src); }

static int win_probe(const rf_backend_host *host, rf_backend_probe_report *report) {
  (void)host;
  if (report == NULL)
    return -EINVAL;
  if (RF_HAS_FIELD(report, usable))
    report->usable = 0;
  if (RF_HAS_FIELD(report, other_os))
    report->other_os = 1;
  if (RF_HAS_FIELD(report, reason))
    copy_field(report->reason, sizeof report->reason,
               "not Windows: this backend confines commands with Windows AppContainer tokens, ACLs, "
               "job objects and desktops");
  if (RF_HAS_FIELD(report, remedy))
    copy_field(report->remedy, sizeof report->remedy,
               "use --backend bwrap or landlock on Linux, seatbelt on macOS; `ringfence explain "
               "--backend windows` still shows the Windows plan");
  return 0;
}

static int win_launch(const rf_backend_host *host, const rf_backend_policy *policy, const char *const *argv,
                      rf_backend_child *child, char *err, size_t err_len) {
  (void)host;
  (void)policy;
  (void)argv;
  (void)child;
  if (err != NULL && err_len > 0)
    snprintf(err, err_len,
             "windows: cannot launch on this OS (not Windows); use the bwrap, landlock or seatbelt "
             "backend here, or `ringfence explain --backend windows` to see the plan");
  return -ENOSYS;
}

static int win_child_signal(rf_backend_child *child, int signum) {
  (void)child;
  (void)signum;
  return -ENOSYS;
}
static int win_child_wait(rf_backend_child *child, int timeout_ms, rf_backend_exit *exit) {
  (void)child;
  (void)timeout_ms;
  (void)exit;
  return -ENOSYS;
}
static int win_child_kill(rf_backend_child *child) {
  (void)child;
  return -ENOSYS;
}
static void win_child_release(rf_backend_child *child) { (void)child; }

#endif /* _WIN32 */

/* `ringfence setup --backend windows`: the elevated mode's accounts, group and WFP filters.
 * The plan is printed on every OS; carrying it out needs Windows and an administrator. */
static int win_setup(const rf_backend_host *host, const rf_backend_setup_request *req,
                     const rf_backend_sink *out, char *err, size_t err_len) {
  int remove = (req->flags & RF_SETUP_REMOVE) != 0;
  rf_win_setup_render(remove, out);
  if (req->flags & RF_SETUP_DRY_RUN)
    return 0;
#ifdef _WIN32
  return remove ? rf_win32_setup_remove(host, out, err, err_len)
                : rf_win32_setup_apply(host, out, err, err_len);
#else
  (void)host;
  if (err != NULL && err_len > 0)
    snprintf(err, err_len,
             "windows: this setup changes a Windows machine and cannot run on this one (not "
             "Windows); the plan above is what it would do there (--dry-run prints it without "
             "this error)");
  return -ENOSYS;
#endif
}

static const rf_backend win_backend = {
    .size = sizeof(rf_backend),
    .abi_version = RF_BACKEND_ABI_VERSION,
    .name = "windows",
    .summary = "AppContainer token, per-path ACLs, job object and private desktop (unelevated or "
               "elevated with sandbox accounts and WFP filters)",
    .preference = 10,
    .capabilities = win_capabilities,
    .probe = win_probe,
    .render = win_render,
    .launch = win_launch,
    .child_signal = win_child_signal,
    .child_wait = win_child_wait,
    .child_kill = win_child_kill,
    .child_release = win_child_release,
    .setup = win_setup,
};

RF_BACKEND_DEFINE(win_backend)
