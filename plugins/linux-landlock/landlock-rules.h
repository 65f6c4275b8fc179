/* landlock-rules.h: from a resolved policy and a Landlock ABI to a ruleset plan (pure), and what that ABI can guarantee. */
#pragma once

#include <ringfence/backend.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  char *path;          /* absolute; owned */
  uint64_t access;     /* RF_LL_FS_* allowed below path (masked by the ABI) */
  const char *why;     /* "read everywhere", "writable root", "device", ... */
  int skip_if_missing; /* platform defaults and devices may not exist here */
} rf_ll_rule;

typedef struct {
  int abi;                 /* the ABI the plan is for */
  uint64_t handled_fs;     /* denied unless a rule allows */
  uint64_t handled_net;    /* ABI 4: denied unless a port rule allows */
  uint64_t scoped;         /* ABI 6: abstract unix sockets, signals */
  uint32_t restrict_flags; /* landlock_restrict_self() flags */
  uint16_t connect_port;   /* proxy mode: the one TCP port connect() may reach, or 0 */
  /* Full reads: read_all_access on every entry of / and of the parents of
   * these paths, but not on these (NULL-terminated; NULL: no such rules). */
  const char *const *read_all_but;
  uint64_t read_all_access;
  rf_ll_rule *rules;
  size_t n_rules;
  size_t cap_rules;
  int failed; /* allocation failure */
} rf_ll_plan;

/* Builds the plan for |policy| on a kernel with Landlock |abi| (>= 1).
 * |audit_after_exec|: log the command's denials (ABI 7).  Returns 0 or
 * -errno with a message. */
int rf_ll_plan_build(const rf_backend_policy *policy, int abi, int audit_after_exec,
                     rf_ll_plan *plan, char *err, size_t err_len);
void rf_ll_plan_clear(rf_ll_plan *plan);
/* Adds (or widens) the rule of |path|; sets plan->failed on allocation failure. */
void rf_ll_plan_add_rule(rf_ll_plan *plan, const char *path, uint64_t access, const char *why,
                         int skip_if_missing);

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
 *            from ABI 9, resolve_unix).
 * Never: protected-subpaths (Landlock rights only add up the tree), deny-read
 * below a readable root, private-loopback, proxy-only. */
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

/* Side effects: creates the kernel ruleset for |plan| (opens each path
 * O_PATH and adds its rule).  Returns the ruleset fd (close-on-exec) or
 * -errno with a message naming the path. */
int rf_ll_ruleset_create(const rf_ll_plan *plan, char *err, size_t err_len);
