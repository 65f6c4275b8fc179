/* plugin.c: the linux-landlock backend: Landlock + seccomp without namespaces; probe, render, launch, supervise. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ringfence/backend.h>

#include "guard-entries.h"
#include "render-sink.h"
#include "landlock-abi.h"
#include "landlock-rules.h"
#include "landlock-seccomp.h"
#include "landlock-unix.h"
#include "launcher.h"
#include "proxy-check.h"
#include "process.h"
#include "seccomp-groups.h"
#include "seccomp-merge.h"
#include "unix-supervisor.h" /* rf_strv_free_array */
#include "wsl.h"

typedef struct {
  pid_t supervisor;
  int pidfd;
  int report_fd; /* read end of the report pipe, non-blocking */
  pid_t command; /* from the supervisor's first record, 0 until then */
  int have_status, status;
  int setup_failed, setup_errno, setup_step;
  int exec_failed, exec_errno;
  rf_ll_unix_supervisor *unix_supervisor; /* answers bind/connect below ABI 9 */
} landlock_child;

/* Whether |policy| needs the guard of protected paths: workspace-write with
 * at least one protected path (the names are protected whether or not they
 * exist, so in practice every workspace-write run). */
static int needs_guard(const rf_backend_policy *policy) {
  if (policy->mode != RF_SANDBOX_WORKSPACE_WRITE)
    return 0;
  for (size_t i = 0; i < policy->n_writable_roots; i++)
    if (policy->writable_roots[i].n_protected)
      return 1;
  return 0;
}

static uint64_t landlock_capabilities(const rf_backend_host *host) {
  (void)host;
  rf_ll_kernel kernel;
  rf_ll_kernel_query(&kernel);
  char why[128];
  return rf_ll_capabilities_for_abi(kernel.abi, rf_ll_unix_supervision_available(why, sizeof(why)));
}

static int audit_requested(void) {
  const char *value = getenv("RINGFENCE_LANDLOCK_AUDIT");
  return value && *value && strcmp(value, "0") != 0;
}

static rf_ll_seccomp_options seccomp_options_for(const rf_backend_policy *policy, int abi) {
  rf_ll_seccomp_options opts = {
      .shared =
          {
              /* No network namespace: inet sockets would reach the host, so
               * with the network off only unix sockets may be created. */
              .network_off = policy->network != RF_NETWORK_ON,
              /* --network proxy: inet sockets for the proxy's port, which the connect
               * supervisor allows alone (notify-handler-socket.h); netlink, packet and
               * the other families stay refused. */
              .allow_inet_sockets = policy->network == RF_NETWORK_PROXY,
              /* Below ABI 9, sendto() with an address would reach a host
               * socket without the connect() the supervisor checks. */
              .deny_unix_datagram = rf_ll_needs_unix_supervisor(abi),
              /* No pid or IPC namespace: SysV IPC and other pids are the
               * host's (seccomp-groups.c, @sysv-ipc and @other-processes). */
              .host_pids = 1,
          },
      .truncate_rules = rf_ll_needs_truncate_rules(abi),
  };
  return opts;
}

/* Guarantees that depend on the ABI, in words, for `check`. */
static void describe_missing(int abi, char *buf, size_t len) {
  char why[128] = "";
  int supervision = rf_ll_unix_supervision_available(why, sizeof(why));
  const char *sockets = !supervision ? "no notify supervisor, so write-confined, protected-subpaths, "
                                       "host-unix-sockets and desktop-isolation are not held: "
                        : abi < 6     ? "metadata supervisor; host-processes, process-containment, "
                                        "host-unix-sockets and desktop-isolation need ABI 6"
                        : abi >= 9    ? "metadata supervisor; host unix sockets: resolve_unix + scope"
                                      : "metadata and bind/connect supervisor + scope";
  snprintf(buf, len,
           "%s%s; %s; proxy-only: %s; never with Landlock: private-loopback",
           sockets, supervision ? "" : why,
           supervision >= 2 ? "protected paths: guard + ringfence-fs-proxy"
                            : "protected-subpaths not held (needs Linux 5.14)",
           !supervision ? "not held (needs the notify supervisor)"
           : abi >= 4   ? "connect supervisor (TCP to the proxy on 127.0.0.1 only) + TCP port rule"
                        : "connect supervisor (TCP to the proxy on 127.0.0.1 only)");
}

static int landlock_probe(const rf_backend_host *host, rf_backend_probe_report *report) {
  (void)host;
  rf_ll_kernel kernel;
  rf_ll_kernel_query(&kernel);
  struct utsname uts;
  const char *release = uname(&uts) == 0 ? uts.release : "unknown";
  /* WSL1 has no Landlock: say that, not that this "kernel" lacks it. */
  rf_wsl_info wsl;
  rf_wsl_detect(rf_wsl_root(), NULL, &wsl);
  if (rf_wsl1_refusal(&wsl, report->reason, sizeof(report->reason), report->remedy,
                      sizeof(report->remedy))) {
    report->usable = 0;
    if (RF_HAS_FIELD(report, cause))
      snprintf(report->cause, sizeof(report->cause), "wsl1");
    return 0;
  }
  if (RF_HAS_FIELD(report, note))
    rf_wsl_describe(&wsl,
                    "connecting to the sockets in /run/WSL refused (host sockets), WSL_INTEROP "
                    "not passed, vsock denied",
                    report->note, sizeof(report->note));
  if (kernel.abi < 1) {
    report->usable = 0;
    switch (kernel.abi_errno) {
    case EOPNOTSUPP:
      snprintf(report->reason, sizeof(report->reason),
               "Landlock is built into this kernel (%s) but not enabled at boot "
               "(landlock_create_ruleset: %s)",
               release, strerror(kernel.abi_errno));
      snprintf(report->remedy, sizeof(report->remedy),
               "add landlock to the kernel's lsm= boot parameter (see /sys/kernel/security/lsm "
               "for the current list, e.g. lsm=landlock,lockdown,yama,integrity,apparmor), then "
               "reboot");
      break;
    case ENOSYS:
      snprintf(report->reason, sizeof(report->reason),
               "this kernel (%s) has no Landlock (landlock_create_ruleset: %s); it needs Linux "
               "5.13 or later built with CONFIG_SECURITY_LANDLOCK, and a container's seccomp "
               "profile may also hide the call",
               release, strerror(kernel.abi_errno));
      snprintf(report->remedy, sizeof(report->remedy),
               "use a kernel with Landlock (5.13+, 6.12+ for every guarantee), or allow the "
               "landlock_* syscalls in the container's seccomp profile, or use the bwrap backend");
      break;
    default:
      snprintf(report->reason, sizeof(report->reason),
               "Landlock cannot be used here (landlock_create_ruleset: %s; kernel %s)",
               strerror(kernel.abi_errno), release);
      snprintf(report->remedy, sizeof(report->remedy),
               "check the container's seccomp profile or the LSM configuration, or use the bwrap "
               "backend");
      break;
    }
    return 0;
  }
  char errata[160], missing[300];
  rf_ll_errata_name(kernel.errata, kernel.abi, errata, sizeof(errata));
  describe_missing(kernel.abi, missing, sizeof(missing));
  report->usable = 1;
  snprintf(report->detail, sizeof(report->detail), "Landlock ABI %d on Linux %.40s; errata: %.150s; %.250s",
           kernel.abi, release, kernel.has_errata ? errata : "not reported by this kernel",
           missing);
  return 0;
}

/* ---- render ------------------------------------------------------------------ */


static void render_seccomp_group(const rf_backend_sink *out, const rf_seccomp_group *group) {
  char buf[1024];
  size_t used = (size_t)snprintf(buf, sizeof(buf), "%s: %s: ", group->name, group->help);
  for (const char *const *s = group->syscalls; *s && used < sizeof(buf); s++)
    used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", *s, s[1] ? " " : "");
  if (group->rules && used < sizeof(buf))
    snprintf(buf + used, sizeof(buf) - used, " (%s)", group->rules);
  out->emit(out->ctx, "seccomp", buf);
}

static int landlock_render(const rf_backend_host *host, const rf_backend_policy *policy,
                           const char *const *argv, const rf_backend_sink *out, char *err,
                           size_t err_len) {
  (void)host;
  rf_ll_kernel kernel;
  rf_ll_kernel_query(&kernel);
  int abi = kernel.abi >= 1 ? kernel.abi : RF_LL_NEWEST_KNOWN_ABI;
  rf_ll_plan plan;
  int rc = rf_ll_plan_build(policy, abi, audit_requested(), &plan, err, err_len);
  if (rc < 0)
    return rc;
  char names[512];
  if (kernel.abi >= 1) {
    char errata[256];
    rf_ll_errata_name(kernel.errata, kernel.abi, errata, sizeof(errata));
    rf_emitf(out, "landlock", "ABI %d (this kernel; the newest this plugin knows is %d); errata: %s",
          kernel.abi, RF_LL_NEWEST_KNOWN_ABI, kernel.has_errata ? errata : "not reported");
  } else {
    rf_emitf(out, "landlock",
          "this kernel has no usable Landlock (%s): shown for ABI %d; launch would fail",
          strerror(kernel.abi_errno), abi);
  }
  rf_ll_fs_rights_name(plan.handled_fs, names, sizeof(names));
  rf_emitf(out, "landlock", "handled filesystem rights (denied unless a rule grants them): %s",
        names);
  for (size_t i = 0; i < plan.n_rules; i++) {
    rf_ll_fs_rights_name(plan.rules[i].access, names, sizeof(names));
    rf_emitf(out, "landlock", "rule %s: %s (%s%s)", plan.rules[i].path, names, plan.rules[i].why,
          plan.rules[i].skip_if_missing ? ", skipped if missing" : "");
  }
  if (plan.read_all_but) {
    rf_ll_fs_rights_name(plan.read_all_access, names, sizeof(names));
    rf_emitf(out, "landlock",
          "rule on every entry of / (listed at launch; symlinks need none): %s (read "
          "everywhere), except %s, which holds only the device rules above (the host's "
          "terminals, consoles and disks stay out: no keystrokes or screens read)",
          names, plan.read_all_but[0]);
  }
  for (size_t i = 0; i < plan.n_deny_read; i++)
    rf_emitf(out, "landlock",
          "deny-read %s: every rule above it is built around it at launch (its read rights go "
          "to the entries along the way, none to it); entries created later in those folders "
          "cannot be read",
          plan.deny_read[i]);
  if (plan.handled_net) {
    rf_ll_net_rights_name(plan.handled_net, names, sizeof(names));
    if (plan.connect_port)
      rf_emitf(out, "landlock", "network rights handled: %s; connect_tcp allowed to port %u only",
            names, (unsigned)plan.connect_port);
    else if (policy->network == RF_NETWORK_PROXY)
      rf_emitf(out, "landlock",
            "network rights handled: %s; connect_tcp allowed to the proxy's port only (chosen "
            "when ringfence's proxy starts)",
            names);
    else
      rf_emitf(out, "landlock", "network rights handled: %s, on every port (no port rule)", names);
  } else {
    rf_emitf(out, "landlock", "network rights: %s",
          policy->network == RF_NETWORK_ON ? "not handled (network on)"
                                           : "not available below ABI 4 (seccomp alone)");
  }
  if (policy->network == RF_NETWORK_PROXY)
    rf_emitf(out, "landlock",
          "proxy-only: connect(), sendto() with an address, sendmsg() and sendmmsg() are seccomp "
          "user notifications; the supervisor lets a socket of the host's namespace reach only "
          "the proxy, a TCP connection to 127.0.0.1:PORT (::ffff:127.0.0.1 from IPv6); every "
          "other destination, TCP or UDP, IPv4 or IPv6, gets EACCES (docs/network.md)");
  rf_ll_scopes_name(plan.scoped, names, sizeof(names));
  rf_emitf(out, "landlock", "scoped (IPC with processes outside the sandbox denied): %s%s", names,
        abi < 6 ? " (scopes need ABI 6)" : "");
  rf_ll_restrict_flags_name(plan.restrict_flags, names, sizeof(names));
  rf_emitf(out, "landlock", "landlock_restrict_self flags: %s%s", names,
        abi >= 7 && !audit_requested() ? " (RINGFENCE_LANDLOCK_AUDIT=1 logs the command's denials)"
                                       : "");
  rf_emitf(out, "landlock",
        "rule per inherited file (stdin, stdout, stderr, --pass-fd) that is a regular file, "
        "a device or a named FIFO: the access it was opened with, so that /dev/stdout and /dev/fd/N can be reopened");
  rf_ll_plan_clear(&plan);

  char why[128] = "";
  int supervision = rf_ll_unix_supervision_available(why, sizeof(why));
  size_t n_protected = 0;
  int guarded = supervision >= 2 && needs_guard(policy);
  for (size_t i = 0; i < policy->n_writable_roots; i++)
    for (size_t j = 0; j < policy->writable_roots[i].n_protected; j++) {
      if (n_protected++ == 0 && guarded)
        rf_emitf(out, "guard",
              "protected paths stay read-only by the guard, not by Landlock (whose rights only add "
              "up the tree): opens for writing, O_CREAT or O_TRUNC, creat, mkdir, mknod, symlink, "
              "link, rename, unlink, rmdir, bind, truncate and ftruncate are seccomp user "
              "notifications; ringfence-fs-proxy performs them under this same ruleset, without "
              "capabilities, and refuses with EROFS whatever lies at or below a protected path "
              "(by device and inode); opened files are handed back with SECCOMP_ADDFD; read-only "
              "opens never leave the kernel; openat2 answers ENOSYS (libc falls back to openat)");
      else if (n_protected == 1)
        rf_emitf(out, "landlock",
              "NOT read-only under Landlock (its rights only add up the tree; the core refuses "
              "a run where one exists unless --allow-degraded): %s",
              supervision ? "the guard needs Linux 5.14 (SECCOMP_ADDFD_FLAG_SEND)" : why);
      rf_emitf(out, guarded ? "guard" : "landlock", "  protected path %s",
               policy->writable_roots[i].protected_paths[j]);
    }
  if (supervision)
    rf_emitf(out, "metadata",
          "chmod, chown, utime(s), utimensat and xattr calls (which Landlock does not control) "
          "are seccomp user notifications: ringfence opens the target once as the command would, "
          "checks it lies in a writable root outside every protected path, and makes the change "
          "itself on that descriptor, from a thread without capabilities; else EACCES (EPERM for "
          "chown); fchmodat2, setxattrat, removexattrat, file_setattr answer ENOSYS");
  else
    rf_emitf(out, "metadata", "chmod, chown, utimes and xattrs of files outside the writable roots "
                           "are NOT confined here (%s)", why);
  if (!rf_ll_needs_unix_supervisor(abi))
    rf_emitf(out, "sockets",
          "host unix sockets: pathname ones by resolve_unix (no rule grants it: only sockets "
          "bound inside can be reached), abstract ones by the abstract_unix_socket scope");
  else if (abi >= 6 && supervision)
    rf_emitf(out, "sockets",
          "host unix sockets: bind() and connect() are seccomp user notifications too; a socket's cookie is recorded when a sandboxed process binds it, and "
          "connect() to a pathname or abstract socket is allowed only to a recorded one (the "
          "supervisor connects a pidfd_getfd copy itself); host sockets get EACCES (EPERM "
          "when abstract); unix datagram sockets are denied");
  else
    rf_emitf(out, "sockets", "host unix sockets: NOT kept out of reach here (%s)",
          abi < 6 ? "needs Landlock ABI 6" : why);
  rf_ll_seccomp_options opts = seccomp_options_for(policy, abi);
  size_t n_groups = 0, n_extra = 0;
  const rf_seccomp_group *groups = rf_seccomp_groups(&opts.shared, &n_groups);
  const rf_seccomp_group *extra = rf_ll_seccomp_extra_groups(&opts, &n_extra);
  rf_emitf(out, "seccomp",
        "default allow; native ABI only (other ABIs are killed); loaded by the command process "
        "itself after no_new_privs, Landlock and dropping capabilities");
  for (size_t g = 0; g < n_groups; g++)
    render_seccomp_group(out, &groups[g]);
  for (size_t g = 0; g < n_extra; g++)
    render_seccomp_group(out, &extra[g]);

  rf_emitf(out, "process",
        "ringfence forks a supervisor (child subreaper, own process group), which forks the "
        "command; no exec besides the command's own");
  rf_emitf(out, "process",
        "command process: default signals; setsid (no controlling terminal); dies with the "
        "supervisor; chdir %s; no_new_privs; landlock_restrict_self; drop all capabilities; "
        "keep fds 0-2%s; seccomp; execve",
        policy->cwd, policy->n_pass_fds ? " and --pass-fd" : "");
  rf_emitf(out, "process",
        "when the command ends (or on timeout, or if ringfence dies) the supervisor SIGKILLs "
        "every remaining descendant (all are re-parented to it) before reporting; it lists them "
        "through /proc/self/task/<pid>/children (else a /proc scan), opened before the command "
        "starts and re-read with pread, so the kill needs no new descriptor");
  rf_emitf(out, "process",
        "host processes (no pid or IPC namespace): signals by the signal scope%s, ptrace and "
        "memory by Landlock's ptrace check and seccomp @debug; limits, priority, affinity, "
        "scheduling and I/O priority of any process but the caller and its own process group "
        "(ringfence and its supervisor included) by seccomp @other-processes; SysV IPC by seccomp "
        "@sysv-ipc",
        abi < 6 ? " (needs ABI 6: NOT held here)" : "");
  char command[1024];
  size_t used = 0;
  command[0] = '\0';
  for (size_t i = 0; argv && argv[i] && used < sizeof(command); i++)
    used += (size_t)snprintf(command + used, sizeof(command) - used, "%s%s", i ? " " : "",
                             argv[i]);
  rf_emitf(out, "process", "command: %s", command);
  return 0;
}

/* ---- launch ------------------------------------------------------------------ */

#define FS_PROXY_NAME "ringfence-fs-proxy"

/* ringfence-fs-proxy, as the core trusts it (outside every writable root,
 * owned by root or the user): a malloc'd path, or NULL with the core's
 * message in |err| and *rc set. */
static char *find_fs_proxy(const rf_backend_host *host, const rf_backend_policy *policy, int *rc,
                           char *err, size_t err_len) {
  const char *dir = host && RF_HAS_FIELD(host, helper_dir) ? host->helper_dir : NULL;
  if (!dir || !RF_HAS_FIELD(host, trusted_program) || !host->trusted_program) {
    snprintf(err, err_len, "%s: this ringfence core names no trusted helper directory: install "
                           "the core and its plugins from the same release",
             FS_PROXY_NAME);
    *rc = -ENOENT;
    return NULL;
  }
  char path[4096], trusted[4096];
  if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, FS_PROXY_NAME) >= sizeof(path)) {
    snprintf(err, err_len, "%s/%s: path too long", dir, FS_PROXY_NAME);
    *rc = -ENAMETOOLONG;
    return NULL;
  }
  *rc = host->trusted_program(host, path, policy, trusted, sizeof(trusted), err, err_len);
  if (*rc != 0)
    return NULL;
  char *copy = strdup(trusted);
  if (!copy) {
    snprintf(err, err_len, "out of memory");
    *rc = -ENOMEM;
  }
  return copy;
}

/* The notify supervisor gets the writable roots and protected paths, which
 * bound the metadata changes it makes on the command's behalf, and with
 * |guard| what ringfence-fs-proxy needs to perform the guarded calls. */
static int start_supervisor(const rf_backend_policy *policy, int channel,
                            const rf_ll_guard_config *guard, rf_ll_unix_supervisor **out,
                            char *err, size_t err_len) {
  size_t n_writable = policy->mode == RF_SANDBOX_WORKSPACE_WRITE ? policy->n_writable_roots : 0;
  size_t n_protected = 0;
  for (size_t i = 0; i < n_writable; i++)
    n_protected += policy->writable_roots[i].n_protected;
  const char **writable = calloc(n_writable + 1, sizeof(char *));
  const char **protected_paths = calloc(n_protected + 1, sizeof(char *));
  int rc = -ENOMEM;
  if (writable && protected_paths) {
    size_t k = 0;
    for (size_t i = 0; i < n_writable; i++) {
      writable[i] = policy->writable_roots[i].path;
      for (size_t j = 0; j < policy->writable_roots[i].n_protected; j++)
        protected_paths[k++] = policy->writable_roots[i].protected_paths[j];
    }
    rf_ll_supervisor_config config = {
        .network = (int)policy->network,
        .proxy_port = policy->proxy_port,
        .writable = writable,
        .n_writable = n_writable,
        .protected_paths = protected_paths,
        .n_protected = n_protected,
        .guard = guard,
    };
    rc = rf_ll_unix_supervisor_start(channel, &config, out, err, err_len);
    channel = -1;
  } else {
    snprintf(err, err_len, "out of memory");
  }
  if (channel >= 0)
    close(channel);
  free(writable);
  free(protected_paths);
  return rc;
}

static int landlock_launch(const rf_backend_host *host, const rf_backend_policy *policy,
                           const char *const *argv, rf_backend_child *child, char *err,
                           size_t err_len) {
  (void)host;
  rf_ll_kernel kernel;
  rf_ll_kernel_query(&kernel);
  if (kernel.abi < 1) {
    snprintf(err, err_len, "Landlock is not available: %s (see 'ringfence check')",
             strerror(kernel.abi_errno));
    return -ENOTSUP;
  }
  if (!argv || !argv[0]) {
    snprintf(err, err_len, "no command given");
    return -EINVAL;
  }
  rf_ll_plan plan;
  int rc = rf_ll_plan_build(policy, kernel.abi, audit_requested(), &plan, err, err_len);
  if (rc < 0)
    return rc;
  int report[2] = {-1, -1}, channel[2] = {-1, -1};
  rf_ll_unix_supervisor *unix_supervisor = NULL;
  landlock_child *state = NULL;
  char *fs_proxy = NULL;
  char **guard_entries = NULL;
  rf_ll_launch launch = {
      .ruleset_fd = -1,
      .restrict_flags = plan.restrict_flags,
      .notify_channel = -1,
      .ringfence_channel = -1,
      .cwd = policy->cwd,
      .argv = (char *const *)argv,
      .envp = (char *const *)policy->envp,
      .pass_fds = policy->pass_fds,
      .n_pass_fds = policy->n_pass_fds,
  };
  rf_ll_plan_add_inherited(&plan, policy->pass_fds, policy->n_pass_fds);
  launch.ruleset_fd = rf_ll_ruleset_create(&plan, err, err_len);
  rf_ll_plan_clear(&plan);
  if (launch.ruleset_fd < 0) {
    rc = launch.ruleset_fd;
    goto out;
  }
  rf_ll_seccomp_options opts = seccomp_options_for(policy, kernel.abi);
  rc = rf_ll_seccomp_compile(&opts, &launch.seccomp, err, err_len);
  if (rc < 0)
    goto out;
  char why[128];
  int supervision = rf_ll_unix_supervision_available(why, sizeof(why));
  /* The guard of protected paths (guard-filter.h): whenever the policy has
   * some and the kernel can hold them; else the core has refused already,
   * or the user allowed the guarantee to be dropped. */
  int guard = supervision >= 2 && needs_guard(policy);
  rf_ll_guard_config guard_config = {.landlock_fd = -1};
  if (guard) {
    if (!(fs_proxy = find_fs_proxy(host, policy, &rc, err, err_len)))
      goto out;
    if (!(guard_entries = rf_guard_entries_for_policy(policy, 1))) {
      rc = -ENOMEM;
      snprintf(err, err_len, "cannot describe the protected paths for the guard: out of memory");
      goto out;
    }
    guard_config = (rf_ll_guard_config){
        .fs_proxy = fs_proxy,
        .entries = (const char *const *)guard_entries,
        .landlock_fd = launch.ruleset_fd,
        .landlock_abi = kernel.abi,
    };
  }
  if (supervision) {
    /* The socket calls are notifications below ABI 9 (host unix sockets), and with
     * --network proxy on every ABI: the supervisor is what holds proxy-only. */
    int sockets = rf_ll_needs_unix_supervisor(kernel.abi) || policy->network == RF_NETWORK_PROXY;
    rc = rf_ll_unix_notify_compile(sockets, guard, &launch.notify,
                                   err, err_len);
    if (rc < 0)
      goto out;
    /* One filter for the command instead of two (one to JIT-compile at start-up, one to run per
     * system call), with the same decisions: seccomp-merge.h.  Two as before when the programs
     * do not fit. */
    struct sock_fprog merged;
    char merge_err[160];
    if (rf_seccomp_merge(&launch.seccomp, &launch.notify, &merged, merge_err,
                         sizeof(merge_err)) == 0) {
      free(launch.notify.filter);
      free(launch.seccomp.filter);
      launch.notify = merged;
      launch.seccomp = (struct sock_fprog){0};
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) < 0) {
      rc = -errno;
      snprintf(err, err_len, "socketpair: %s", strerror(errno));
      goto out;
    }
    launch.ringfence_channel = channel[0];
    rc = start_supervisor(policy, channel[0], guard ? &guard_config : NULL, &unix_supervisor, err,
                          err_len);
    channel[0] = -1; /* the supervisor owns it, even on failure */
    if (rc < 0)
      goto out;
    launch.notify_channel = channel[1];
  }
  /* --network proxy: the supervisor checks the route to the proxy before it lets the command
   * go (ready_hook in landlock-unix.c).  Without one (proxy-only then not held, and accepted
   * by the user) the check is made here, before anything starts. */
  if (!supervision && policy->network == RF_NETWORK_PROXY) {
    char why_route[256];
    rc = rf_proxy_check(AF_INET, policy->proxy_port, rf_proxy_check_deadline(RF_PROXY_CHECK_MS),
                        -1, why_route, sizeof(why_route));
    if (rc < 0) {
      snprintf(err, err_len,
               "--network proxy: the route to ringfence's proxy could not be verified: %s",
               why_route);
      goto out;
    }
  }
  if (pipe2(report, O_CLOEXEC) < 0) {
    rc = -errno;
    snprintf(err, err_len, "pipe: %s", strerror(errno));
    goto out;
  }
  if ((rc = rf_ll_launch_prepare_exec(&launch)) < 0 ||
      (rc = rf_ll_launch_prepare_fds(&launch, report[1])) < 0) {
    snprintf(err, err_len, "out of memory");
    goto out;
  }
  state = calloc(1, sizeof(*state));
  if (!state) {
    rc = -ENOMEM;
    snprintf(err, err_len, "out of memory");
    goto out;
  }
  pid_t pid = rf_ll_launch_start(&launch, report[1]);
  if (pid < 0) {
    rc = pid;
    snprintf(err, err_len, "fork: %s", strerror(-pid));
    goto out;
  }
  state->supervisor = pid;
  state->pidfd = rf_pidfd_open(pid);
  state->report_fd = report[0];
  report[0] = -1;
  fcntl(state->report_fd, F_SETFL, O_NONBLOCK);
  child->pid = pid;
  child->wait_fd = state->pidfd;
  state->unix_supervisor = unix_supervisor;
  unix_supervisor = NULL;
  child->state = state;
  state = NULL;
  rc = 0;
out:
  free(state);
  free(fs_proxy);
  rf_strv_free_array(guard_entries);
  if (channel[1] >= 0)
    close(channel[1]);
  rf_ll_unix_supervisor_stop(unix_supervisor); /* only when the launch failed */
  if (report[0] >= 0)
    close(report[0]);
  if (report[1] >= 0)
    close(report[1]);
  if (launch.ruleset_fd >= 0)
    close(launch.ruleset_fd);
  rf_ll_launch_clear(&launch);
  return rc;
}

/* ---- the child --------------------------------------------------------------- */

static void read_records(landlock_child *state) {
  for (;;) {
    rf_ll_record record;
    ssize_t n = read(state->report_fd, &record, sizeof(record));
    if (n < 0 && errno == EINTR)
      continue;
    if (n != (ssize_t)sizeof(record))
      return;
    switch (record.kind) {
    case RF_LL_RECORD_PID:
      state->command = (pid_t)record.value;
      break;
    case RF_LL_RECORD_SETUP:
      if (!state->setup_failed) {
        state->setup_failed = 1;
        state->setup_errno = record.value;
        state->setup_step = record.step;
      }
      break;
    case RF_LL_RECORD_EXEC:
      state->exec_failed = 1;
      state->exec_errno = record.value;
      break;
    case RF_LL_RECORD_STATUS:
      state->have_status = 1;
      state->status = record.value;
      break;
    default:
      break;
    }
  }
}

static int landlock_child_signal(rf_backend_child *child, int signum) {
  landlock_child *state = child->state;
  read_records(state);
  if (state->command > 0 && !state->have_status) {
    if (kill(-state->command, signum) == 0 || kill(state->command, signum) == 0)
      return 0;
  }
  /* Not forked yet (or already gone): the supervisor forwards it. */
  return kill(state->supervisor, signum) == 0 ? 0 : -errno;
}

static int landlock_child_kill(rf_backend_child *child) {
  landlock_child *state = child->state;
  rf_ll_unix_supervisor_cancel_route_check(state->unix_supervisor);
  read_records(state);
  if (state->command > 0 && !state->have_status)
    kill(-state->command, SIGKILL);
  /* The supervisor kills the rest: whatever left the command's group. */
  if (kill(state->supervisor, SIGUSR1) < 0 && errno != ESRCH)
    return -errno;
  return 0;
}

static int landlock_child_wait(rf_backend_child *child, int timeout_ms, rf_backend_exit *exit) {
  landlock_child *state = child->state;
  int status = 0;
  int rc = rf_wait_pid(state->supervisor, state->pidfd, timeout_ms, &status);
  if (rc < 0)
    return rc;
  if (rc == 0) {
    read_records(state);
    exit->stage = RF_EXIT_RUNNING;
    return 0;
  }
  read_records(state);
  const char *route_error = rf_ll_unix_supervisor_route_error(state->unix_supervisor);
  if (state->setup_failed && route_error) {
    exit->stage = RF_EXIT_SETUP_FAILED;
    snprintf(exit->message, sizeof(exit->message),
             "--network proxy: the route to ringfence's proxy could not be verified: %s; nothing "
             "was run (the proxy's messages, if any, are above)",
             route_error);
    return 0;
  }
  if (state->setup_failed) {
    exit->stage = RF_EXIT_SETUP_FAILED;
    snprintf(exit->message, sizeof(exit->message),
             "the Landlock sandbox could not be set up: %s failed: %s",
             rf_ll_step_name(state->setup_step), strerror(state->setup_errno));
    return 0;
  }
  if (state->exec_failed) {
    exit->stage = RF_EXIT_EXEC_FAILED;
    exit->exec_errno = state->exec_errno;
    snprintf(exit->message, sizeof(exit->message), "%s", strerror(state->exec_errno));
    return 0;
  }
  if (state->have_status) {
    rf_exit_from_status(exit, state->status);
    return 0;
  }
  /* The supervisor died without a word: killed from outside. */
  exit->stage = RF_EXIT_SETUP_FAILED;
  snprintf(exit->message, sizeof(exit->message),
           "ringfence's Landlock supervisor (pid %d) ended unexpectedly (%s %d)",
           (int)state->supervisor, WIFSIGNALED(status) ? "signal" : "exit status",
           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    exit->stage = RF_EXIT_COMMAND;
    exit->signal = WTERMSIG(status);
    exit->code = 128 + exit->signal;
  }
  return 0;
}

static void landlock_child_release(rf_backend_child *child) {
  landlock_child *state = child->state;
  if (!state)
    return;
  if (state->pidfd >= 0)
    close(state->pidfd);
  if (state->report_fd >= 0)
    close(state->report_fd);
  rf_ll_unix_supervisor_stop(state->unix_supervisor);
  free(state);
  child->state = NULL;
}

static const rf_backend landlock_backend = {
    .size = sizeof(rf_backend),
    .abi_version = RF_BACKEND_ABI_VERSION,
    .name = "landlock",
    .summary = "Landlock + seccomp, no namespaces (Linux, where bwrap cannot run)",
    .preference = 20,
    .capabilities = landlock_capabilities,
    .probe = landlock_probe,
    .render = landlock_render,
    .launch = landlock_launch,
    .child_signal = landlock_child_signal,
    .child_wait = landlock_child_wait,
    .child_kill = landlock_child_kill,
    .child_release = landlock_child_release,
};

RF_BACKEND_DEFINE(landlock_backend)
