/* landlock-rules.h: from a resolved policy and a Landlock ABI to a ruleset plan (pure), and what that ABI can guarantee. */
#pragma once

#include <ringfence/backend.h>
#include <stddef.h>
#include <stdint.h>

#include "landlock-plan.h"

/* Builds the plan for |policy| on a kernel with Landlock |abi| (>= 1).
 * |audit_after_exec|: log the command's denials (ABI 7).  Returns 0 or
 * -errno with a message. */
int rf_ll_plan_build(const rf_backend_policy *policy, int abi, int audit_after_exec,
                     rf_ll_plan *plan, char *err, size_t err_len);

/* The RF_CAP_* guarantees this backend holds with Landlock |abi|, and
 * |supervision| (the kernel has what the notify supervisor needs, see
 * landlock-unix.h):
 *   ABI 1+ : restricted-read, and the seccomp ones (network-off,
 *            kernel-surface, terminal-injection) plus fd-isolation;
 *            write-confined with supervision (chmod, chown, utimes and
 *            xattrs are not Landlock's; truncation below ABI 3 is seccomp's);
 *   ABI 6+ : host-processes and process-containment (signal scoping keeps
 *            the command away from ringfence's supervisor and the host);
 *            host-unix-sockets and desktop-isolation with supervision (or
 *            from ABI 9, resolve_unix);
 *   any ABI: protected-subpaths when |supervision| is 2 (the kernel can
 *            also hand the caller a descriptor: SECCOMP_ADDFD_FLAG_SEND):
 *            Landlock rights only add up the tree, so the guard of
 *            guard-filter.h and ringfence-fs-proxy hold them.
 * Never: deny-read below a readable root, private-loopback, proxy-only. */
uint64_t rf_ll_capabilities_for_abi(int abi, int unix_supervision);

/* Whether ABI |abi| needs the bind/connect supervisor for pathname sockets. */
int rf_ll_needs_unix_supervisor(int abi);

/* Whether the plan needs the seccomp truncate rules (no TRUNCATE right). */
int rf_ll_needs_truncate_rules(int abi);

/* Paths added to readable roots with RF_POLICY_PLATFORM_DEFAULTS. */
extern const char *const rf_ll_platform_read_paths[];
/* Device files every sandbox may read and write. */
extern const char *const rf_ll_device_paths[];
/* What full reads leave out: /dev/pts (the host's terminals). */
extern const char *const rf_ll_read_exceptions[];
