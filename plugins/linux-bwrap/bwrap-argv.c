/* bwrap-argv.c: the bwrap command line for a resolved policy, in the order the mounts must happen. */
#include "bwrap-argv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* What one mount does; also the order of mounts on the same path. */
typedef enum {
  OP_READ = 0,      /* --ro-bind: a readable root or platform path (restricted reads) */
  OP_WRITE = 1,     /* --bind: a writable root */
  OP_PROTECTED = 2, /* --ro-bind-try: a protected path inside a writable root */
  OP_DENY_DIR = 3,  /* --perms 0000 --tmpfs, remounted read-only at the end */
  OP_DENY_FILE = 4, /* --perms 0000 --ro-bind-data of an empty file */
} mount_kind;

typedef struct {
  const char *path;
  mount_kind kind;
} mount_op;

/* Parents before children, so that a protected path bound read-only inside a
 * writable root, or a writable root inside a protected path, ends up on top;
 * a deny-read mount covers whatever was bound on the same path before it. */
static int compare_mounts(const void *a, const void *b) {
  const mount_op *x = a, *y = b;
  size_t lx = strlen(x->path), ly = strlen(y->path);
  if (lx != ly)
    return lx < ly ? -1 : 1;
  int c = strcmp(x->path, y->path);
  if (c != 0)
    return c;
  return (int)x->kind - (int)y->kind;
}

/* |path| is |base| or below it. */
static int at_or_below(const char *path, const char *base) {
  size_t n = strlen(base);
  if (n == 1 && base[0] == '/')
    return 1;
  return strncmp(path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* With restricted reads, a denied path outside everything bound has nothing to hide: covering it
 * would only make its parent folders appear (empty) in the sandbox's root. */
static int visible(const rf_backend_policy *policy, const rf_bwrap_reads *reads,
                   const char *path) {
  if (policy->read_access != RF_READ_RESTRICTED)
    return 1;
  for (size_t i = 0; i < policy->n_readable_roots; i++)
    if (at_or_below(path, policy->readable_roots[i]))
      return 1;
  for (size_t i = 0; i < policy->n_writable_roots; i++)
    if (at_or_below(path, policy->writable_roots[i].path))
      return 1;
  for (size_t i = 0; i < reads->n_platform; i++)
    if (!reads->platform_links[i] && at_or_below(path, reads->platform_paths[i]))
      return 1;
  for (size_t i = 0; i < reads->n_loader; i++)
    if (at_or_below(path, reads->loader_paths[i]))
      return 1;
  return 0;
}

int rf_bwrap_build_argv(const rf_backend_policy *policy, const char *const *argv,
                        const rf_bwrap_fds *fds, rf_strv *out, char *err, size_t err_len) {
  if (policy->mode == RF_SANDBOX_DANGER_FULL_ACCESS) {
    snprintf(err, err_len, "danger-full-access runs without a sandbox; bwrap is not used");
    return -EINVAL;
  }
  /* Without a look at the host (NULL): only full reads and no deny-read. */
  static unsigned char no_kinds[1];
  static const rf_bwrap_reads full_reads = {.deny_kind = no_kinds, .deny_fd = -1};
  const rf_bwrap_reads *reads = fds->reads;
  if (!reads && policy->read_access == RF_READ_FULL && policy->n_deny_read == 0)
    reads = &full_reads;
  if (!reads) {
    snprintf(err, err_len, "internal error: the host's read layout was not looked at");
    return -EINVAL;
  }
  int restricted = policy->read_access == RF_READ_RESTRICTED;

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

  /* Filesystem: everything read-only (full reads) or nothing but the symlinks
   * of the platform paths (restricted reads: bwrap's root is an empty tmpfs),
   * fresh /dev (with a private /dev/shm) and /proc, then readable roots,
   * writable roots, protected paths and deny-read mounts, parents first. */
  if (!restricted) {
    rf_strv_add(out, "--ro-bind");
    rf_strv_add(out, "/");
    rf_strv_add(out, "/");
  } else {
    for (size_t i = 0; i < reads->n_platform; i++) {
      if (!reads->platform_links[i])
        continue;
      rf_strv_add(out, "--symlink");
      rf_strv_add(out, reads->platform_links[i]);
      rf_strv_add(out, reads->platform_paths[i]);
    }
  }
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

  size_t n_ops = policy->n_deny_read + 3;
  if (restricted)
    n_ops += policy->n_readable_roots + reads->n_platform + reads->n_loader;
  for (size_t i = 0; i < policy->n_writable_roots; i++)
    n_ops += 1 + policy->writable_roots[i].n_protected;
  mount_op *ops = calloc(n_ops + 1, sizeof(mount_op));
  if (!ops) {
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  size_t k = 0, flag = 0;
  if (restricted) {
    for (size_t i = 0; i < policy->n_readable_roots; i++)
      ops[k++] = (mount_op){policy->readable_roots[i], OP_READ};
    for (size_t i = 0; i < reads->n_platform; i++)
      if (!reads->platform_links[i])
        ops[k++] = (mount_op){reads->platform_paths[i], OP_READ};
    for (size_t i = 0; i < reads->n_loader; i++)
      ops[k++] = (mount_op){reads->loader_paths[i], OP_READ};
    /* init runs inside: its file must be there whatever is readable. */
    ops[k++] = (mount_op){fds->init, OP_READ};
  }
  for (size_t i = 0; i < policy->n_writable_roots; i++) {
    const rf_backend_root *root = &policy->writable_roots[i];
    ops[k++] = (mount_op){root->path, OP_WRITE};
    for (size_t j = 0; j < root->n_protected; j++, flag++)
      if (!fds->protected_present || fds->protected_present[flag])
        ops[k++] = (mount_op){root->protected_paths[j], OP_PROTECTED};
  }
  for (size_t i = 0; i < policy->n_deny_read; i++)
    if (reads->deny_kind[i] != RF_BWRAP_DENY_MISSING &&
        visible(policy, reads, policy->deny_read[i]))
      ops[k++] = (mount_op){policy->deny_read[i],
                            reads->deny_kind[i] == RF_BWRAP_DENY_DIR ? OP_DENY_DIR : OP_DENY_FILE};
  if (reads->wsl_run_dir && visible(policy, reads, reads->wsl_run_dir))
    ops[k++] = (mount_op){reads->wsl_run_dir, OP_DENY_DIR};
  qsort(ops, k, sizeof(mount_op), compare_mounts);
  size_t n_mounts = k;
  /* Restricted reads: the working directory exists inside even when nothing
   * makes it readable (then it is empty), so that the command starts there;
   * made before the binds, which cover it when one holds it. */
  if (restricted) {
    rf_strv_add(out, "--dir");
    rf_strv_add(out, policy->cwd);
  }
  for (size_t i = 0; i < k; i++) {
    switch (ops[i].kind) {
    case OP_READ:
      rf_strv_add(out, "--ro-bind");
      break;
    case OP_WRITE:
      rf_strv_add(out, "--bind");
      break;
    case OP_PROTECTED:
      /* A protected path that vanished since launch looked has no mount
       * point: the "-try" form skips it rather than create it. */
      rf_strv_add(out, "--ro-bind-try");
      break;
    case OP_DENY_DIR:
      rf_strv_add(out, "--perms");
      rf_strv_add(out, "0000");
      rf_strv_add(out, "--tmpfs");
      rf_strv_add(out, ops[i].path);
      continue;
    case OP_DENY_FILE:
      rf_strv_add(out, "--perms");
      rf_strv_add(out, "0000");
      rf_strv_add(out, "--ro-bind-data");
      rf_strv_addf(out, "%d", reads->deny_fd);
      rf_strv_add(out, ops[i].path);
      continue;
    }
    rf_strv_add(out, ops[i].path);
    rf_strv_add(out, ops[i].path);
  }
  /* The empty directories become read-only last: a bind below one (a writable
   * root inside a denied folder) needs its mount point created first. */
  for (size_t i = 0; i < k; i++) {
    if (ops[i].kind != OP_DENY_DIR)
      continue;
    rf_strv_add(out, "--remount-ro");
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
  if (fds->proxy_port > 0 && fds->proxy_accept_fd > 2) {
    rf_strv_add(out, "--proxy-accept-fd");
    rf_strv_addf(out, "%d", fds->proxy_accept_fd);
    rf_strv_add(out, "--proxy-port");
    rf_strv_addf(out, "%d", fds->proxy_port);
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
             "too many mounts for bwrap: %zu writable roots, the existing protected paths "
             "inside them, readable roots and deny-read paths are %zu mounts, %zu arguments on "
             "bwrap's command line, and bwrap accepts at most %d arguments, room for %zu such "
             "mounts; use fewer writable roots (one common parent instead of many siblings), "
             "fewer deny-read paths, or --backend landlock, which has no such limit",
             policy->n_writable_roots, n_mounts, n_args, RF_BWRAP_MAX_ARGS, fit);
    return -E2BIG;
  }
  return 0;
}
