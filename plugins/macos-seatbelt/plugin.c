/* plugin.c: the Seatbelt backend's vtable: capabilities, probe, launch (macOS only) and the entry symbol. */
#include "seatbelt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __APPLE__
#include <sys/sysctl.h>
/* libsystem_sandbox, part of libSystem; declared in no public SDK header.
 * With a NULL operation it answers "is this process sandboxed?" (1: yes). */
int sandbox_check(pid_t pid, const char *operation, int type, ...);
#endif

/*
 * What the generated profile enforces, the same on every OS so that
 * `explain` on Linux shows what a Mac would get.  docs/seatbelt.md has the
 * table with the reason for each bit.  Not claimed:
 *   PRIVATE_LOOPBACK, SANDBOX_UNIX_SOCKETS: with the network off every
 *     socket connect and bind is denied, in-sandbox ones too; Seatbelt cannot
 *     tell a socket made inside from one of the host.
 *   PROXY_ONLY: proxy mode is not wired up yet.
 *   PROCESS_CONTAINMENT: sandbox-exec leaves no supervisor behind; the
 *     command's process group is killed when it ends, but a process that
 *     moved to its own group or session survives.
 *   TERMINAL_INJECTION: terminal ioctls are allowed (isatty, raw mode) and
 *     SBPL cannot single out TIOCSTI portably; the new session stops it for
 *     non-root users only.
 *   KERNEL_SURFACE: no syscall filter on macOS.
 * Claimed beyond the obvious: PRIVATE_DESKTOP ("desktop-isolation"): the
 * profile reaches no WindowServer, pasteboard, LaunchServices or Apple
 * events service (none is in its Mach allow-list, appleevent-send and
 * iokit-open fall under (deny default)), so the command cannot see or drive
 * the user's windows; test-profile.c checks the allow-list stays so.
 */
static uint64_t seatbelt_capabilities(const rf_backend_host *host) {
  (void)host;
  return RF_CAP_WRITE_CONFINED | RF_CAP_PROTECTED_SUBPATHS | RF_CAP_RESTRICTED_READ |
         RF_CAP_DENY_READ | RF_CAP_NETWORK_OFF | RF_CAP_HOST_UNIX_SOCKETS |
         RF_CAP_HOST_PROCESSES | RF_CAP_FD_ISOLATION | RF_CAP_PRIVATE_DESKTOP |
         /* --network proxy: outbound to the proxy's localhost port only (sbpl-profile.c) */
         RF_CAP_PROXY_ONLY;
}

static void report_text(char *field, size_t len, const char *text) {
  snprintf(field, len, "%s", text);
}

#ifdef __APPLE__
static int inside_seatbelt(void) {
  return sandbox_check(getpid(), NULL, 0) > 0;
}

static const char *nested_message =
    "ringfence is itself running inside a Seatbelt sandbox, and macOS does not nest "
    "Seatbelt profiles (sandbox-exec would fail with exit 71)";
static const char *nested_remedy =
    "run ringfence outside that sandbox, or let the outer sandbox confine the command and run "
    "it with -s danger-full-access";

static int check_sandbox_exec(char *why, size_t why_len) {
  struct stat st;
  if (stat(RF_SEATBELT_SANDBOX_EXEC, &st) < 0) {
    snprintf(why, why_len, "%s: %s", RF_SEATBELT_SANDBOX_EXEC, strerror(errno));
    return -ENOENT;
  }
  if (!S_ISREG(st.st_mode) || access(RF_SEATBELT_SANDBOX_EXEC, X_OK) < 0) {
    snprintf(why, why_len, "%s is not an executable file", RF_SEATBELT_SANDBOX_EXEC);
    return -EACCES;
  }
  return 0;
}
#endif

static int seatbelt_probe(const rf_backend_host *host, rf_backend_probe_report *report) {
  (void)host;
  if (!report)
    return -EINVAL;
  int usable = 0;
  char reason[1024] = "", remedy[512] = "", detail[512] = "";
#ifdef __APPLE__
  char why[512];
  if (check_sandbox_exec(why, sizeof why) < 0) {
    snprintf(reason, sizeof reason, "%s", why);
    snprintf(remedy, sizeof remedy,
             "sandbox-exec ships with macOS; if it is gone, this macOS release no longer "
             "offers Seatbelt to command-line tools");
  } else if (inside_seatbelt()) {
    snprintf(reason, sizeof reason, "%s", nested_message);
    snprintf(remedy, sizeof remedy, "%s", nested_remedy);
  } else {
    char version[64] = "unknown";
    size_t len = sizeof version;
    if (sysctlbyname("kern.osproductversion", version, &len, NULL, 0) < 0)
      snprintf(version, sizeof version, "unknown");
    usable = 1;
    snprintf(detail, sizeof detail, "sandbox-exec at %s, macOS %s", RF_SEATBELT_SANDBOX_EXEC,
             version);
  }
#else
  snprintf(reason, sizeof reason, "not macOS: Seatbelt and sandbox-exec exist only on macOS");
  snprintf(remedy, sizeof remedy,
           "use the bwrap or landlock backend on Linux; `ringfence explain --backend seatbelt` "
           "still prints the profile a Mac would use");
  if (RF_HAS_FIELD(report, other_os))
    report->other_os = 1;
#endif
  if (RF_HAS_FIELD(report, usable))
    report->usable = usable;
  if (RF_HAS_FIELD(report, reason))
    report_text(report->reason, sizeof report->reason, reason);
  if (RF_HAS_FIELD(report, remedy))
    report_text(report->remedy, sizeof report->remedy, remedy);
  if (RF_HAS_FIELD(report, detail))
    report_text(report->detail, sizeof report->detail, detail);
  return 0;
}

static int seatbelt_launch(const rf_backend_host *host, const rf_backend_policy *policy,
                           const char *const *argv, rf_backend_child *child, char *err,
                           size_t err_len) {
  (void)host;
#ifndef __APPLE__
  (void)policy;
  (void)argv;
  (void)child;
  rf_seatbelt_set_error(err, err_len,
                        "seatbelt: cannot launch here: Seatbelt exists only on macOS; use the "
                        "bwrap or landlock backend (explain --backend seatbelt still works)");
  return -ENOSYS;
#else
  if (!policy || !RF_HAS_FIELD(policy, run_id) || !argv || !argv[0] || !child) {
    rf_seatbelt_set_error(err, err_len, "seatbelt: launch needs a policy, a command and a child");
    return -EINVAL;
  }
  int sandboxed = policy->mode != RF_SANDBOX_DANGER_FULL_ACCESS;
  char why[512];
  if (sandboxed && check_sandbox_exec(why, sizeof why) < 0) {
    rf_seatbelt_set_error(err, err_len, "seatbelt: %s", why);
    return -ENOENT;
  }
  if (sandboxed && inside_seatbelt()) {
    rf_seatbelt_set_error(err, err_len, "seatbelt: %s; %s", nested_message, nested_remedy);
    return -EPERM;
  }

  /* The launch, one step per line. */
  char *profile = NULL;
  rf_seatbelt_params params = {0};
  char **exec_argv = NULL;
  char **envp = NULL;
  int r = 0;
  if (sandboxed)
    r = rf_seatbelt_profile(policy, &profile, &params, err, err_len);
  if (r == 0 && sandboxed &&
      !(exec_argv = rf_seatbelt_argv(RF_SEATBELT_SANDBOX_EXEC, profile, &params, argv)))
    r = -ENOMEM;
  if (r == 0 && !(envp = rf_seatbelt_environ(policy)))
    r = -ENOMEM;
  if (r == -ENOMEM)
    rf_seatbelt_set_error(err, err_len, "seatbelt: out of memory preparing the launch");
  if (r == 0)
    r = rf_seatbelt_spawn(policy, exec_argv, argv, envp, child, err, err_len);

  rf_seatbelt_environ_free(envp);
  rf_seatbelt_argv_free(exec_argv);
  rf_seatbelt_params_clear(&params);
  free(profile);
  return r;
#endif
}

static const rf_backend seatbelt_backend = {
    .size = sizeof(rf_backend),
    .abi_version = RF_BACKEND_ABI_VERSION,
    .name = RF_SEATBELT_NAME,
    .summary = "macOS Seatbelt: a generated SBPL profile run by /usr/bin/sandbox-exec",
    .preference = 10,
    .capabilities = seatbelt_capabilities,
    .probe = seatbelt_probe,
    .render = rf_seatbelt_render,
    .launch = seatbelt_launch,
    .child_signal = rf_seatbelt_child_signal,
    .child_wait = rf_seatbelt_child_wait,
    .child_kill = rf_seatbelt_child_kill,
    .child_release = rf_seatbelt_child_release,
};

RF_BACKEND_DEFINE(seatbelt_backend)
