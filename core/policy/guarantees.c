/* guarantees.c: names of the RF_CAP_* guarantees, what a plan requires, and the fail-closed check
 * (against the backend's platform: core/policy/platforms.c). */
#include "guarantees.h"
#include "environ.h"
#include "plan-layout.h"
#include <ringfence/ringfence.h>

#include <string.h>

typedef struct {
  guint64 bit;
  const char *name;
  const char *help;
} RfGuarantee;

static const RfGuarantee guarantees[] = {
    {RF_CAP_WRITE_CONFINED, "write-confined", "writes only inside the writable roots"},
    {RF_CAP_PROTECTED_SUBPATHS, "protected-subpaths",
     "protected names (.git, .envrc, ...) stay read-only inside writable roots"},
    {RF_CAP_RESTRICTED_READ, "restricted-read", "reads only below the readable roots"},
    {RF_CAP_DENY_READ, "deny-read", "deny-read paths are unreadable"},
    {RF_CAP_NETWORK_OFF, "network-off", "no IP network traffic and no DNS"},
    {RF_CAP_PRIVATE_LOOPBACK, "private-loopback",
     "loopback TCP/UDP between sandboxed processes works, host loopback is unreachable"},
    {RF_CAP_PROXY_ONLY, "proxy-only", "egress only through the filtering proxy"},
    {RF_CAP_HOST_UNIX_SOCKETS, "host-unix-sockets",
     "unix sockets of the host (pathname and abstract) are unreachable"},
    {RF_CAP_SANDBOX_UNIX_SOCKETS, "sandbox-unix-sockets",
     "unix sockets created inside the sandbox keep working"},
    {RF_CAP_PROCESS_CONTAINMENT, "process-containment",
     "no process started inside outlives the run"},
    {RF_CAP_HOST_PROCESSES, "host-processes",
     "no signal, ptrace or memory access to processes outside, no change to their limits, "
     "priority or scheduling, no use of the host's SysV IPC objects"},
    {RF_CAP_TERMINAL_INJECTION, "terminal-injection",
     "no input injection into the invoking terminal (TIOCSTI, TIOCLINUX)"},
    {RF_CAP_KERNEL_SURFACE, "kernel-surface",
     "io_uring, nested user namespaces and other rarely needed kernel interfaces are denied"},
    {RF_CAP_FD_ISOLATION, "fd-isolation",
     "only stdin, stdout, stderr and --pass-fd descriptors are inherited"},
    {RF_CAP_PRIVATE_DESKTOP, "desktop-isolation",
     "no access to the user's windows or display (private desktop, no display socket)"},
};

G_STATIC_ASSERT(G_N_ELEMENTS(guarantees) == RF_CAP_COUNT);

const char *rf_guarantee_name(guint64 bit) {
  for (guint i = 0; i < G_N_ELEMENTS(guarantees); i++)
    if (guarantees[i].bit == bit)
      return guarantees[i].name;
  return "unknown-guarantee";
}

guint64 rf_guarantee_from_name(const char *name) {
  for (guint i = 0; name && i < G_N_ELEMENTS(guarantees); i++)
    if (g_str_equal(guarantees[i].name, name))
      return guarantees[i].bit;
  return 0;
}

const char *rf_guarantee_names(void) {
  static gsize names;
  if (g_once_init_enter(&names)) {
    GString *all = g_string_new(NULL);
    for (guint i = 0; i < G_N_ELEMENTS(guarantees); i++)
      g_string_append_printf(all, "%s%s", i ? ", " : "", guarantees[i].name);
    g_once_init_leave(&names, (gsize)g_string_free(all, FALSE));
  }
  return (const char *)names;
}

const char *rf_guarantee_help(guint64 bit) {
  for (guint i = 0; i < G_N_ELEMENTS(guarantees); i++)
    if (guarantees[i].bit == bit)
      return guarantees[i].help;
  return "";
}

/* The first protected path that exists (it needs a backend that keeps subpaths read-only),
 * or NULL. */
static const char *first_existing_protected_path(const RfPlan *plan) {
  for (guint i = 0; i < plan->roots->len; i++) {
    GPtrArray *paths = g_array_index(plan->roots, RfPlanRoot, i).protected_paths;
    for (guint j = 0; j < paths->len; j++) {
      const char *path = g_ptr_array_index(paths, j);
      if (path && g_file_test(path, G_FILE_TEST_EXISTS))
        return path;
    }
  }
  return NULL;
}

/*
 * What a plan asks for, on any platform (rf_plan_check_backend then leaves out the hardening
 * no backend of ours can enforce on the backend's platform).  Sandboxed modes always ask for
 * the process, descriptor, terminal and kernel guarantees, and for what the user insists on.  Keeping protected names read-only is
 * required when one of them exists: a backend that cannot do it (Landlock)
 * still runs in a folder that has none, and says so in `explain`.
 */
guint64 rf_guarantees_required(const RfPlan *plan) {
  const rf_backend_policy *view = &plan->view;
  if (view->mode == RF_SANDBOX_DANGER_FULL_ACCESS)
    return 0;
  guint64 required = RF_CAP_WRITE_CONFINED | RF_CAP_PROCESS_CONTAINMENT | RF_CAP_HOST_PROCESSES |
                     RF_CAP_TERMINAL_INJECTION | RF_CAP_KERNEL_SURFACE | RF_CAP_FD_ISOLATION;
  if (view->mode == RF_SANDBOX_WORKSPACE_WRITE && first_existing_protected_path(plan))
    required |= RF_CAP_PROTECTED_SUBPATHS;
  if (view->read_access == RF_READ_RESTRICTED)
    required |= RF_CAP_RESTRICTED_READ;
  if (view->n_deny_read > 0)
    required |= RF_CAP_DENY_READ;
  if (view->network == RF_NETWORK_OFF)
    required |= RF_CAP_NETWORK_OFF | RF_CAP_HOST_UNIX_SOCKETS;
  if (view->network == RF_NETWORK_PROXY)
    required |= RF_CAP_PROXY_ONLY | RF_CAP_HOST_UNIX_SOCKETS;
  /* With the network on, host services (a display server's socket among
   * them) are reachable by the user's choice; the Windows backend still
   * honours the private-desktop flag itself. */
  if ((view->flags & RF_POLICY_WINDOWS_PRIVATE_DESKTOP) && view->network != RF_NETWORK_ON)
    required |= RF_CAP_PRIVATE_DESKTOP;
  return required | plan->insisted;
}

gboolean rf_plan_check_backend(RfPlan *plan, const RfBackend *backend, GError **error) {
  g_free(plan->backend_name);
  plan->backend_name = g_strdup(rf_backend_get_name(backend));
  /* Hardening no backend of ours can enforce on this platform is not required there (shown as
   * "not available"), unless the user insisted on it; the mode's promises always are. */
  plan->platform = rf_platform_of_backend(plan->backend_name);
  /* --network proxy: bwrap's bridge listens on a fixed port of the sandbox's own loopback,
   * known now; elsewhere the proxy's port is chosen when it starts (core/policy/sandbox.c). */
  plan->view.proxy_port = plan->view.network == RF_NETWORK_PROXY &&
                                  g_str_equal(plan->backend_name, "bwrap")
                              ? RF_NETPROXY_BRIDGE_PORT
                              : 0;
  plan->unavailable = plan->policy_required & rf_platform_unavailable(plan->platform) &
                      ~(guint64)RF_GUARANTEES_PROMISED & ~plan->insisted;
  plan->view.required = plan->policy_required & ~plan->unavailable;
  guint64 missing = plan->view.required & ~rf_backend_get_capabilities(backend);
  if (plan->view.mode != RF_SANDBOX_DANGER_FULL_ACCESS)
    rf_environ_set(plan->envp, "RINGFENCE_SANDBOX", plan->backend_name);
  /* The other agent CLI sets CODEX_SANDBOX=seatbelt under its macOS sandbox (and nothing under
   * its Linux one): the same here, for scripts that look for it. */
  if (plan->view.mode != RF_SANDBOX_DANGER_FULL_ACCESS &&
      g_str_equal(plan->backend_name, "seatbelt"))
    rf_environ_set(plan->envp, "CODEX_SANDBOX", "seatbelt");
  plan->view.envp = (const char *const *)plan->envp->pdata;
  plan->view.degraded = 0;
  if (missing == 0)
    return TRUE;
  if (plan->allow_degraded) {
    plan->view.degraded = missing;
    return TRUE;
  }
  g_autoptr(GString) message = g_string_new(NULL);
  g_string_append_printf(message,
                         "backend '%s' cannot enforce everything this policy requires; "
                         "nothing was run:",
                         plan->backend_name);
  for (guint i = 0; i < G_N_ELEMENTS(guarantees); i++)
    if (missing & guarantees[i].bit)
      g_string_append_printf(message, "\n  not enforced: %s (%s)", guarantees[i].name,
                             guarantees[i].help);
  /* Which path makes it required: often a repository deep in the workspace or in /tmp. */
  const char *existing = (missing & RF_CAP_PROTECTED_SUBPATHS) ? first_existing_protected_path(plan)
                                                               : NULL;
  if (existing)
    g_string_append_printf(message,
                           "\n  (protected-subpaths is required because %s exists; 'ringfence "
                           "explain' lists every protected path)",
                           existing);
  guint64 insisted = missing & plan->insisted & rf_platform_unavailable(plan->platform);
  if (insisted)
    g_string_append_printf(message,
                           "\n  (required by --require or ringfence.require although no backend "
                           "of ours can enforce it on %s)",
                           rf_platform_display_name(plan->platform));
  g_string_append(message, "\nUse a backend that enforces it (see 'ringfence check'), or accept "
                           "weaker confinement explicitly with --allow-degraded.");
  g_set_error_literal(error, RF_ERROR, RF_ERROR_UNSUPPORTED, message->str);
  return FALSE;
}
