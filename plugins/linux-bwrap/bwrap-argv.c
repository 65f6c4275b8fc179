/* bwrap-argv.c: the bwrap command line for a resolved policy, in the order the mounts must happen. */
#include "bwrap-argv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
  const char *path;
  int writable;
} mount_op;

/* Parents before children, so that a protected path bound read-only inside a
 * writable root, or a writable root inside a protected path, ends up on top. */
static int compare_mounts(const void *a, const void *b) {
  const mount_op *x = a, *y = b;
  size_t lx = strlen(x->path), ly = strlen(y->path);
  if (lx != ly)
    return lx < ly ? -1 : 1;
  return strcmp(x->path, y->path);
}

int rf_bwrap_build_argv(const rf_backend_policy *policy, const char *const *argv,
                        const rf_bwrap_fds *fds, rf_strv *out, char *err, size_t err_len) {
  if (policy->mode == RF_SANDBOX_DANGER_FULL_ACCESS) {
    snprintf(err, err_len, "danger-full-access runs without a sandbox; bwrap is not used");
    return -EINVAL;
  }
  if (policy->read_access != RF_READ_FULL) {
    snprintf(err, err_len, "restricted read access is not implemented by the bwrap backend");
    return -ENOTSUP;
  }

  size_t first = out->len;
  rf_strv_add(out, fds->bwrap);
  /* Process and namespace isolation: a new session (no terminal to inject
   * into) unless the command runs in the foreground of the user's terminal
   * (then /dev/tty works and seccomp's @terminal-injection keeps TIOCSTI
   * and TIOCLINUX out), its own user namespace without capabilities and
   * without nested user namespaces, its own pid namespace (so nothing
   * outlives pid 1), IPC, UTS and cgroup namespaces.  No --die-with-parent:
   * killing bwrap's outer process before it has released its namespace child
   * leaves that child blocked forever (bubblewrap issue 633); the sandbox
   * dies with ringfence through init's --lifeline-fd instead. */
  if (!fds->foreground_tty)
    rf_strv_add(out, "--new-session");
  rf_strv_add(out, "--unshare-user");
  rf_strv_add(out, "--disable-userns");
  rf_strv_add(out, "--cap-drop");
  rf_strv_add(out, "ALL");
  rf_strv_add(out, "--unshare-pid");
  /* ringfence-sandbox-init is pid 1: filtered like the command and not
   * dumpable, where bwrap's own pid 1 would run without the filters. */
  rf_strv_add(out, "--as-pid-1");
  rf_strv_add(out, "--unshare-ipc");
  rf_strv_add(out, "--unshare-uts");
  rf_strv_add(out, "--unshare-cgroup-try");
  if (policy->network != RF_NETWORK_ON)
    rf_strv_add(out, "--unshare-net");

  /* Filesystem: everything read-only, fresh /dev (with a private /dev/shm)
   * and /proc, then writable roots and protected paths, parents first. */
  rf_strv_add(out, "--ro-bind");
  rf_strv_add(out, "/");
  rf_strv_add(out, "/");
  rf_strv_add(out, "--dev");
  rf_strv_add(out, "/dev");
  rf_strv_add(out, "--proc");
  rf_strv_add(out, "/proc");
  /* bwrap covers these only when it finds them writable, which /proc/sys
   * (mode 0555) never looks; uid 0 inside is real root to sysctl's mode
   * checks (kernel.core_pattern runs a program on the host). */
  static const char *const proc_read_only[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
                                               "/proc/bus"};
  for (size_t i = 0; i < sizeof(proc_read_only) / sizeof(proc_read_only[0]); i++) {
    rf_strv_add(out, "--ro-bind-try");
    rf_strv_add(out, proc_read_only[i]);
    rf_strv_add(out, proc_read_only[i]);
  }

  size_t n_ops = 0;
  for (size_t i = 0; i < policy->n_writable_roots; i++)
    n_ops += 1 + policy->writable_roots[i].n_protected;
  mount_op *ops = calloc(n_ops + 1, sizeof(mount_op));
  if (!ops) {
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  size_t k = 0, flag = 0;
  for (size_t i = 0; i < policy->n_writable_roots; i++) {
    const rf_backend_root *root = &policy->writable_roots[i];
    ops[k++] = (mount_op){root->path, 1};
    for (size_t j = 0; j < root->n_protected; j++, flag++)
      if (!fds->protected_present || fds->protected_present[flag])
        ops[k++] = (mount_op){root->protected_paths[j], 0};
  }
  qsort(ops, k, sizeof(mount_op), compare_mounts);
  size_t n_mounts = k;
  for (size_t i = 0; i < k; i++) {
    /* A protected path that vanished since launch looked has no mount
     * point: the "-try" form skips it rather than create it. */
    rf_strv_add(out, ops[i].writable ? "--bind" : "--ro-bind-try");
    rf_strv_add(out, ops[i].path);
    rf_strv_add(out, ops[i].path);
  }
  free(ops);

  rf_strv_add(out, "--chdir");
  rf_strv_add(out, policy->cwd);
  rf_strv_addf(out, "--json-status-fd");
  rf_strv_addf(out, "%d", fds->json_status_fd);
  rf_strv_add(out, "--");
  rf_strv_add(out, fds->init);
  rf_strv_add(out, "--status-fd");
  rf_strv_addf(out, "%d", fds->init_status_fd);
  if (fds->seccomp_fd >= 0) {
    rf_strv_add(out, "--seccomp-fd");
    rf_strv_addf(out, "%d", fds->seccomp_fd);
  }
  if (fds->foreground_tty)
    rf_strv_add(out, "--foreground-tty");
  if (fds->landlock_abi > 0 && fds->landlock_fd >= 0) {
    rf_strv_add(out, "--landlock-fd");
    rf_strv_addf(out, "%d", fds->landlock_fd);
    rf_strv_add(out, "--landlock-abi");
    rf_strv_addf(out, "%d", fds->landlock_abi);
    if (fds->landlock_audit)
      rf_strv_add(out, "--landlock-audit");
  }
  if (fds->lifeline_fd > 2) {
    rf_strv_add(out, "--lifeline-fd");
    rf_strv_addf(out, "%d", fds->lifeline_fd);
  }
  if (fds->notify_fd >= 0 && fds->supervise_fd >= 0) {
    rf_strv_add(out, "--notify-fd");
    rf_strv_addf(out, "%d", fds->notify_fd);
    rf_strv_add(out, "--supervise-fd");
    rf_strv_addf(out, "%d", fds->supervise_fd);
  }
  if (fds->command_fd >= 0) {
    rf_strv_add(out, "--command-fd");
    rf_strv_addf(out, "%d", fds->command_fd);
  } else {
    rf_strv_add(out, "--");
    for (size_t i = 0; argv && argv[i]; i++)
      rf_strv_add(out, argv[i]);
  }
  if (out->failed) {
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  /* Everything after bwrap's own name counts against its cap. */
  size_t n_args = out->len - first - 1;
  if (n_args > RF_BWRAP_MAX_ARGS) {
    size_t fixed = n_args - 3 * n_mounts;
    size_t fit = fixed < RF_BWRAP_MAX_ARGS ? (RF_BWRAP_MAX_ARGS - fixed) / 3 : 0;
    snprintf(err, err_len,
             "too many mounts for bwrap: %zu writable roots and %zu existing protected paths "
             "inside them are %zu bind mounts, %zu arguments on bwrap's command line, and "
             "bwrap accepts at most %d arguments, room for %zu such mounts; use fewer writable "
             "roots (one common parent instead of many siblings) or --backend landlock, which "
             "has no such limit",
             policy->n_writable_roots, n_mounts - policy->n_writable_roots, n_mounts, n_args,
             RF_BWRAP_MAX_ARGS, fit);
    return -E2BIG;
  }
  return 0;
}
