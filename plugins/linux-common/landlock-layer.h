/* landlock-layer.h: the bwrap backend's second layer: a Landlock ruleset inside the sandbox that allows writes only below the writable roots, the sandbox's /dev entries and inherited files. */
#pragma once

/*
 * Why a second layer: the read-only bind mounts stop writes to files and
 * directories, but opening a FIFO (or a device node) for writing takes no
 * write access on its mount, so a host FIFO outside the writable roots (root's
 * /run/initctl, a host process's control pipe) would be a channel out in any
 * mode.  Landlock judges every open by the file's path, whatever its type.
 *
 * Only write-type rights are handled (write_file, make_*, remove_*, refer),
 * so reads and execution stay exactly what the mounts allow, and an open for
 * reading or execution costs Landlock no path walk.  Not truncate: see
 * rf_ll_layer_handled.
 * ioctl_dev is not handled: ioctls are not writes to the filesystem, the
 * terminal ones that inject input are seccomp's, and ttys reopened through
 * /proc/self/fd must keep working.
 *
 * The ruleset is built in two halves on one kernel object:
 *   1. ringfence (launch) creates it, adds the writable roots and the
 *      inherited files (stdin, stdout, stderr, --pass-fd): their inodes are
 *      the same inside the sandbox, whose binds keep them at the same paths;
 *      and hands the descriptor to bwrap, which leaves it open for init;
 *   2. ringfence-sandbox-init, in the sandbox's own mount namespace, adds the
 *      entries of the sandbox's fresh /dev (which exist only there), enforces
 *      the ruleset on itself (so on the command it forks) and closes it,
 *      before it installs the notify filter: no notification, hence no
 *      ringfence-fs-proxy, can exist before the ruleset is complete;
 *   3. every ringfence-fs-proxy (which performs name-creating calls for the
 *      command, outside its domain) enforces the same ruleset on itself, from
 *      ringfence's copy of the descriptor, right after entering the sandbox.
 */

#include <stddef.h>
#include <stdint.h>

/* The lowest ABI the layer is applied with.  Under ABI 1 a ruleset that
 * handles any filesystem right denies every rename and link across
 * directories (refer came with ABI 2): mv, git and builds would break. */
#define RF_LL_LAYER_MIN_ABI 2

/* The rights the layer handles with |abi|: every write-type right the ABI
 * has (device creation included: never granted). */
uint64_t rf_ll_layer_handled(int abi);
/* What a writable root (and the sandbox's /dev/shm) grants. */
uint64_t rf_ll_layer_root_rights(int abi);

/* One entry of the sandbox's /dev that may be written. */
typedef struct {
  const char *path;
  uint64_t access; /* masked by the handled rights */
  const char *why;
} rf_ll_layer_dev;
/* NULL-path-terminated. */
extern const rf_ll_layer_dev rf_ll_layer_dev_rules[];

/* In the sandbox (init): adds the /dev rules to |ruleset_fd| (entries that do
 * not exist are skipped), enforces the ruleset on the calling process and
 * closes it.  |audit|: log the command's denials (ABI 7).  No allocation, no
 * stdio.  Returns 0 or -errno; *failed_path names the step that failed. */
int rf_ll_layer_enter(int ruleset_fd, int abi, int audit, const char **failed_path);

/* In ringfence-fs-proxy: enforces the (complete) ruleset on the calling
 * process and closes it.  The proxy's denials are the command's attempts:
 * not logged unless |audit|.  Returns 0 or -errno. */
int rf_ll_layer_enforce(int ruleset_fd, int abi, int audit);

/* ---- in ringfence (the plugin) ---- */

#include <ringfence/backend.h>

#include "landlock-plan.h"

/* The ABI the layer runs with here: the kernel's, or 0 when it has no
 * Landlock, only ABI 1 (see RF_LL_LAYER_MIN_ABI), or
 * RINGFENCE_BWRAP_NO_LANDLOCK=1 asks to behave as if (for tests).  *why gets
 * the reason for 0 (may be NULL). */
int rf_ll_layer_abi(const char **why);

/* The first half of the ruleset for |policy| with |abi|: the writable roots
 * (workspace-write); launch adds the inherited files
 * (rf_ll_plan_add_inherited).  Returns 0 or -errno. */
int rf_ll_layer_plan(const rf_backend_policy *policy, int abi, rf_ll_plan *plan, char *err,
                     size_t err_len);
