/* landlock-rules.c: the ruleset plan for a policy (which path gets which rights), and the guarantees per ABI. */
#include "landlock-rules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landlock-abi.h"

/*
 * What programs need to start when reads are restricted.  /dev is not in the
 * list as a whole: as root it would include the raw disks; the few device
 * files a program uses are granted one by one (rf_ll_device_paths).  The bwrap
 * backend binds the same list (bwrap-reads.c), /proc aside, plus the loader's paths.
 */
const char *const rf_ll_platform_read_paths[] = {
    "/bin",      "/sbin",     "/usr", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/proc",
    "/nix/store", "/sys/devices/system/cpu", "/sys/fs/cgroup", NULL,
};

/* Read and write (and terminal ioctls: TIOCSTI and TIOCLINUX stay denied by
 * seccomp) on these, in every mode: `> /dev/null` works in read-only mode
 * too, and ptys can be created (the new one is reached from its master with
 * TIOCGPTPEER).  Not /dev/pts: it holds the host's terminals, the invoking
 * one among them, whose keystrokes must not be read.  Not /dev/shm: it is
 * shared with the host, so a write there would be a write outside the roots. */
const char *const rf_ll_device_paths[] = {
    "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/ptmx",
    NULL,
};

/* With full reads, every entry of / is readable except these (see
 * rf_ll_plan.read_all_but).  /dev gets nothing beyond rf_ll_device_paths, the
 * devices of the fresh /dev the bwrap backend mounts: not the host's
 * terminals (/dev/pts, the virtual consoles /dev/ttyN and their screens
 * /dev/vcs*), whose keystrokes and contents must not be read, nor raw disks,
 * /dev/kmsg or /dev/shm.  One rule per entry of / only: /dev alone holds a
 * hundred entries or more, each a rule to build on every run. */
const char *const rf_ll_read_exceptions[] = {"/dev", NULL};

#define RF_LL_DEVICE_RIGHTS                                                                     \
  (RF_LL_FS_READ_FILE | RF_LL_FS_WRITE_FILE | RF_LL_FS_IOCTL_DEV | RF_LL_FS_READ_DIR)

uint64_t rf_ll_capabilities_for_abi(int abi, int unix_supervision) {
  if (abi < 1)
    return 0;
  /* deny-read: the rules are built around each denied path (landlock-ruleset.c). */
  uint64_t caps = RF_CAP_RESTRICTED_READ | RF_CAP_DENY_READ | RF_CAP_NETWORK_OFF | RF_CAP_SANDBOX_UNIX_SOCKETS |
                  RF_CAP_TERMINAL_INJECTION | RF_CAP_KERNEL_SURFACE | RF_CAP_FD_ISOLATION;
  /* Landlock does not control chmod, chown, utimes or xattrs of an existing
   * file: writes stay confined only with the supervisor that checks them
   * (landlock-meta.c). */
  if (unix_supervision)
    caps |= RF_CAP_WRITE_CONFINED;
  /* Landlock rights only add up the tree: .git inside a writable root stays
   * read-only only by the guard, whose proxy hands opened files back with
   * SECCOMP_ADDFD_FLAG_SEND (level 2 of supervision). */
  if (unix_supervision >= 2)
    caps |= RF_CAP_PROTECTED_SUBPATHS;
  /* Without signal scoping a sandboxed process may signal any process of
   * its user, ringfence's supervisor included (and killing the supervisor
   * would let the rest outlive the run). */
  if (abi >= 6)
    caps |= RF_CAP_HOST_PROCESSES | RF_CAP_PROCESS_CONTAINMENT;
  /* Pathname unix sockets of the host need resolve_unix (ABI 9), or below it
   * the bind/connect supervisor (landlock-unix.h); abstract ones the ABI 6
   * scope.  On Linux the display is such a socket (X11, Wayland), so the
   * same holds desktop-isolation. */
  if (abi >= 6 && (abi >= 9 || unix_supervision))
    caps |= RF_CAP_HOST_UNIX_SOCKETS | RF_CAP_PRIVATE_DESKTOP;
  /* --network proxy: no namespace, so the connect supervisor allows a socket of the host's
   * namespace to reach the proxy's 127.0.0.1 port and nothing else (TCP and UDP, IPv4 and
   * IPv6, connect and every send naming an address); from ABI 4 Landlock's TCP port rule
   * also holds the port. */
  if (unix_supervision)
    caps |= RF_CAP_PROXY_ONLY;
  return caps;
}

int rf_ll_needs_unix_supervisor(int abi) {
  return abi >= 1 && abi < 9;
}

int rf_ll_needs_truncate_rules(int abi) {
  return abi >= 1 && abi < 3;
}

int rf_ll_plan_build(const rf_backend_policy *policy, int abi, int audit_after_exec,
                     rf_ll_plan *plan, char *err, size_t err_len) {
  memset(plan, 0, sizeof(*plan));
  if (abi < 1) {
    snprintf(err, err_len, "Landlock is not available on this kernel");
    return -ENOTSUP;
  }
  if (policy->mode == RF_SANDBOX_DANGER_FULL_ACCESS) {
    snprintf(err, err_len, "danger-full-access runs without a sandbox; Landlock is not used");
    return -EINVAL;
  }
  int network_limited = policy->network != RF_NETWORK_ON;
  plan->abi = abi;
  /* resolve_unix (ABI 9) is handled with no rule granting it, and abstract
   * unix sockets are scoped (ABI 6): only sockets bound inside the sandbox can
   * be reached.  Also with the network on: "network" means IP here, and the
   * host's unix sockets include the display (X11, Wayland), which
   * desktop-isolation keeps out of reach. */
  plan->handled_fs = rf_ll_fs_rights_for_abi(abi);
  plan->handled_net = network_limited ? rf_ll_net_rights_for_abi(abi) : 0;
  plan->scoped = rf_ll_scopes_for_abi(abi);
  plan->restrict_flags = rf_ll_restrict_flags_for_abi(abi, audit_after_exec);
  plan->deny_read = policy->deny_read;
  plan->n_deny_read = policy->deny_read ? policy->n_deny_read : 0;
  if (policy->network == RF_NETWORK_PROXY && plan->handled_net && policy->proxy_port)
    plan->connect_port = policy->proxy_port;

  uint64_t read = RF_LL_FS_READ & plan->handled_fs;
  uint64_t write = (RF_LL_FS_READ | RF_LL_FS_WRITE) & plan->handled_fs;
  if (policy->read_access == RF_READ_FULL) {
    /* "/" lists everywhere; reading and executing come from one rule per
     * entry of / but /dev, added when the ruleset is created, so that the
     * host's devices stay out (a rule on / would cover them: rights only add
     * up); /dev has the device rules below. */
    rf_ll_plan_add_rule(plan, "/", RF_LL_FS_READ_DIR & plan->handled_fs, "list everywhere", 0);
    plan->read_all_but = rf_ll_read_exceptions;
    plan->read_all_access = read;
  } else {
    for (size_t i = 0; i < policy->n_readable_roots; i++)
      rf_ll_plan_add_rule(plan, policy->readable_roots[i], read, "readable root", 0);
    if (policy->flags & RF_POLICY_PLATFORM_DEFAULTS)
      for (const char *const *p = rf_ll_platform_read_paths; *p; p++)
        rf_ll_plan_add_rule(plan, *p, read, "platform default (read)", 1);
  }
  for (const char *const *p = rf_ll_device_paths; *p; p++)
    rf_ll_plan_add_rule(plan, *p, RF_LL_DEVICE_RIGHTS & plan->handled_fs, "device", 1);
  if (policy->mode == RF_SANDBOX_WORKSPACE_WRITE)
    for (size_t i = 0; i < policy->n_writable_roots; i++)
      rf_ll_plan_add_rule(plan, policy->writable_roots[i].path, write, "writable root", 0);
  if (plan->failed) {
    rf_ll_plan_clear(plan);
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  return 0;
}
