/* plugin.c: the linux-bwrap backend: probe, render and launch one bwrap per run, supervise it. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <ringfence/backend.h>

#include "read-int.h"
#include "bwrap-argv.h"
#include "bwrap-diagnose.h"
#include "bwrap-apparmor.h"
#include "bwrap-setup.h"
#include "bwrap-layers.h"
#include "command-fd.h"
#include "landlock-abi.h"
#include "landlock-layer.h"
#include "lifeline.h"
#include "process.h"
#include "seccomp-groups.h"
#include "strv.h"
#include "unix-supervisor.h"
#include "wsl.h"

#define INIT_NAME "ringfence-sandbox-init"
#define FS_PROXY_NAME "ringfence-fs-proxy"

/* Descriptor numbers used in render(): launch() uses whatever it gets. */
enum {
  RENDER_JSON_FD = 3,
  RENDER_STATUS_FD = 4,
  RENDER_SECCOMP_FD = 5,
  RENDER_NOTIFY_FD = 6,
  RENDER_SUPERVISE_FD = 7,
  RENDER_LANDLOCK_FD = 8,
  RENDER_COMMAND_FD = 9,
  RENDER_LIFELINE_FD = 10,
  RENDER_DENY_FD = 11,
  RENDER_PROXY_FD = 12
};

/*
 * Life cycle (docs/security.md, "Life cycle"): bwrap's outer process clones
 * the namespace child, reports its pid on --json-status-fd and only then
 * releases it (an eventfd write).  Killed in between, it leaves the child
 * blocked forever in its namespaces with our descriptors (bubblewrap issue
 * 633), so ringfence never kills it before the child can die too:
 *   - no --die-with-parent, and the JSON status goes to a memfd, never a
 *     pipe (a write into a pipe whose reader died kills bwrap at that very
 *     point);
 *   - init holds the lifeline (lifeline.h), ringfence the only other end:
 *     when ringfence ends, however it ends, or pulls it to kill the sandbox,
 *     init ends the namespace, from its first instruction on;
 *   - child_kill SIGKILLs the namespace child (pid 1 inside, through a pidfd
 *     checked to be bwrap's child) first: once it has SIGKILL pending it
 *     dies even if bwrap's outer process dies too;
 *   - when bwrap has ended, for whatever reason, every process still holding
 *     the lifeline is killed before the run counts as over.
 */
typedef struct {
  pid_t bwrap_pid;
  int pidfd;
  int json_fd;     /* memfd of --json-status-fd (read with pread: bwrap appends to it) */
  int status_fd;   /* read end of init's --status-fd */
  rf_lifeline lifeline;
  int kill_requested; /* child_kill ran: pid 1 inside is SIGKILLed as soon as it is known */
  int init_killed;
  pid_t init_pid; /* host pid of pid 1 inside, from bwrap's JSON status */
  int init_pidfd; /* a pidfd for it, checked to be bwrap's child, or -1 */
  int reaped;     /* bwrap_pid was waited for: its number may be reused */
  char json_buf[512];
  char status_buf[16];
  size_t status_len;
  rf_unix_supervisor *supervisor; /* answers connect() while the network is off */
  int tty_fd;          /* the terminal whose foreground the command took, or -1 */
  pid_t saved_fg_pgrp; /* the foreground group to give back */
} bwrap_child;

/* The terminal on 0, 1 or 2 when ringfence runs in its foreground, or -1:
 * then the command stays in the terminal's session and takes the
 * foreground; otherwise it gets a session of its own. */
static int foreground_terminal(void) {
  for (int fd = 0; fd <= 2; fd++)
    if (isatty(fd) && tcgetpgrp(fd) == getpgrp())
      return fd;
  return -1;
}

static void give_back_terminal(bwrap_child *state) {
  if (state->tty_fd < 0)
    return;
  sigset_t ttou, old;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  sigprocmask(SIG_BLOCK, &ttou, &old);
  tcsetpgrp(state->tty_fd, state->saved_fg_pgrp);
  sigprocmask(SIG_SETMASK, &old, NULL);
  state->tty_fd = -1;
}

/* With the network off, host unix sockets must stay out of reach; and
 * protected names that do not exist yet must not be created (guard level
 * from rf_guard_level, computed once per launch or render). */
static int needs_socket_supervision(const rf_backend_policy *policy, int guard) {
  return policy->network != RF_NETWORK_ON || guard > 0;
}

static int audit_requested(void) {
  const char *value = getenv("RINGFENCE_LANDLOCK_AUDIT");
  return value && *value && strcmp(value, "0") != 0;
}

/* write-confined needs the Landlock layer: read-only mounts do not stop a
 * FIFO outside the writable roots from being opened for writing (nodev
 * stops device nodes, nothing in the mount table stops FIFOs). */
static uint64_t bwrap_capabilities(const rf_backend_host *host) {
  (void)host;
  /* Reads: an empty root with read-only binds, and empty unreadable mounts
   * over denied paths (bwrap-reads.h). */
  uint64_t caps = RF_CAP_PROTECTED_SUBPATHS | RF_CAP_RESTRICTED_READ | RF_CAP_DENY_READ |
                  RF_CAP_NETWORK_OFF | RF_CAP_PRIVATE_LOOPBACK |
                  RF_CAP_SANDBOX_UNIX_SOCKETS | RF_CAP_PROCESS_CONTAINMENT |
                  RF_CAP_HOST_PROCESSES | RF_CAP_TERMINAL_INJECTION | RF_CAP_KERNEL_SURFACE |
                  RF_CAP_FD_ISOLATION | RF_CAP_HOST_UNIX_SOCKETS | RF_CAP_PRIVATE_DESKTOP |
                  /* --network proxy: loopback only inside; init's bridge is the way out. */
                  RF_CAP_PROXY_ONLY;
  if (rf_ll_layer_abi(NULL) > 0)
    caps |= RF_CAP_WRITE_CONFINED;
  return caps;
}

/* The program the core trusts for |name| (a bare name, or an absolute helper
 * path), as a malloc'd path; NULL with the core's message in |err| (and
 * *|rc| -ENOENT or -EPERM).  Nothing is executed that the core did not
 * approve: without its decision (an older core), nothing is. */
static char *trusted(const rf_backend_host *host, const char *name,
                     const rf_backend_policy *policy, int *rc, char *err, size_t err_len) {
  if (!host || !RF_HAS_FIELD(host, trusted_program) || !host->trusted_program) {
    snprintf(err, err_len,
             "this ringfence core cannot say which %s to trust: install the core and its "
             "plugins from the same release",
             name);
    *rc = -EPERM;
    return NULL;
  }
  char path[4096];
  *rc = host->trusted_program(host, name, policy, path, sizeof(path), err, err_len);
  if (*rc != 0)
    return NULL;
  char *copy = strdup(path);
  if (!copy) {
    snprintf(err, err_len, "out of memory");
    *rc = -ENOMEM;
  }
  return copy;
}

static char *find_bwrap(const rf_backend_host *host, const rf_backend_policy *policy, int *rc,
                        char *err, size_t err_len) {
  return trusted(host, "bwrap", policy, rc, err, err_len);
}

static char *find_helper(const rf_backend_host *host, const char *name,
                         const rf_backend_policy *policy, int *rc, char *err, size_t err_len) {
  const char *dir = host && RF_HAS_FIELD(host, helper_dir) ? host->helper_dir : NULL;
  if (!dir) {
    snprintf(err, err_len, "%s: ringfence has no helper directory: reinstall ringfence", name);
    *rc = -ENOENT;
    return NULL;
  }
  char path[4096];
  if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
    snprintf(err, err_len, "%s/%s: path too long", dir, name);
    *rc = -ENAMETOOLONG;
    return NULL;
  }
  return trusted(host, path, policy, rc, err, err_len);
}

/* The namespace test of the probe: may this process create a user namespace,
 * as bwrap will?  That is what container seccomp profiles, the sysctls and
 * max_user_namespaces forbid.  A child that shares our memory (CLONE_VM |
 * CLONE_VFORK, so nothing is copied) is created in a new user namespace and
 * exits at once; nothing here changes.  No mount namespace: creating one
 * costs 0.1-2 ms on every run here (it copies the mount table and contends
 * with the teardown of earlier sandboxes), and the one restriction that lets
 * a user namespace be created but not used, AppArmor's, is detected through
 * its sysctl and then answered by running bwrap itself (try_bwrap).  Any
 * other failure of bwrap's set-up stops the run before the command starts,
 * with bwrap's message (RF_EXIT_SETUP_FAILED). */
static int namespace_child(void *arg) {
  (void)arg;
  return 0;
}

/* Whether creating a user namespace could be refused by something that
 * shows in no sysctl: a seccomp filter on this process (the default
 * profiles of Docker, podman and Kubernetes refuse clone(CLONE_NEWUSER)), or
 * SELinux enforcing its user_namespace permission.  Only then is one created
 * on every probe: in a plain session it costs more than anything else
 * ringfence does before bwrap starts (registering the namespace's sysctl
 * tables contends with the teardown of the previous sandbox). */
static int userns_refusal_possible(void) {
  if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0)
    return 1; /* 2: a filter is loaded; -1: unknown */
  return rf_read_int_file("/sys/fs/selinux/enforce") == 1;
}

/* The first mount over part of /proc (|out|, e.g. "/proc/sys"), or "" when /proc is whole.
 * A fresh proc in a new user namespace, which bwrap mounts, is allowed only when the caller's
 * /proc is fully visible (fs/namespace.c mnt_already_visible: nothing mounted on it but on a
 * permanently empty directory, binfmt_misc's), and a masked /proc/sys also hides the overflow
 * ids bwrap reads first.  User namespaces still work, so the namespace test cannot see this:
 * a sign that bwrap itself must be asked.  Unreadable mountinfo counts as a sign too. */
static void proc_cover(char *out, size_t out_len) {
  out[0] = '\0';
  if (rf_read_int_file("/proc/sys/kernel/overflowuid") < 0 ||
      rf_read_int_file("/proc/sys/kernel/overflowgid") < 0) {
    snprintf(out, out_len, "/proc/sys/kernel/overflowuid is unreadable");
    return;
  }
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) {
    snprintf(out, out_len, "/proc/self/mountinfo is unreadable");
    return;
  }
  char line[4096];
  int continued = 0; /* the rest of a line longer than the buffer */
  while (fgets(line, sizeof(line), f)) {
    int was_continued = continued;
    continued = strchr(line, '\n') == NULL;
    if (was_continued)
      continue;
    /* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ...": the fifth field. */
    char *field = line;
    for (int i = 0; i < 4 && field; i++) {
      field = strchr(field, ' ');
      if (field)
        field++;
    }
    if (!field || strncmp(field, "/proc/", 6) != 0)
      continue;
    char *end = strchr(field, ' ');
    if (end)
      *end = '\0';
    if (strcmp(field, "/proc/sys/fs/binfmt_misc") == 0)
      continue;
    snprintf(out, out_len, "%s", field);
    break;
  }
  fclose(f);
}

static int try_namespaces(void) {
  static char stack[16384] __attribute__((aligned(16)));
  pid_t pid = clone(namespace_child, stack + sizeof(stack),
                    CLONE_NEWUSER | CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
  if (pid < 0)
    return errno;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  return WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
}

/* The full probe: run bwrap itself with the namespaces a run uses, and keep
 * what it says on stderr. */
static int try_bwrap(const char *bwrap, char *message, size_t message_len) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return -errno;
  pid_t pid = fork();
  if (pid < 0) {
    close(pipefd[0]);
    close(pipefd[1]);
    return -errno;
  }
  if (pid == 0) {
    dup2(pipefd[1], 2);
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
    }
    execl(bwrap, bwrap, "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
          "--unshare-pid", "--unshare-net", "--unshare-ipc", "--new-session",
          "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--",
          "/bin/true", (char *)NULL);
    _exit(127);
  }
  close(pipefd[1]);
  size_t used = 0;
  for (;;) {
    ssize_t n = read(pipefd[0], message + used, message_len - 1 - used);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    used += (size_t)n;
    if (used >= message_len - 1)
      break;
  }
  message[used] = '\0';
  close(pipefd[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void set_cause(rf_backend_probe_report *report, const char *cause) {
  if (RF_HAS_FIELD(report, cause))
    snprintf(report->cause, sizeof(report->cause), "%s", cause);
}

static int bwrap_probe(const rf_backend_host *host, rf_backend_probe_report *report) {
  report->usable = 0;
  int rc = 0;
  /* WSL1 has no user namespaces: say that, not what a failed namespace looks like. */
  rf_wsl_info wsl;
  rf_wsl_detect(rf_wsl_root(), NULL, &wsl);
  if (rf_wsl1_refusal(&wsl, report->reason, sizeof(report->reason), report->remedy,
                      sizeof(report->remedy))) {
    set_cause(report, "wsl1");
    return 0;
  }
  if (RF_HAS_FIELD(report, note))
    rf_wsl_describe(&wsl, "/run/WSL masked, WSL_INTEROP not passed, vsock denied", report->note,
                    sizeof(report->note));
  char *bwrap = find_bwrap(host, NULL, &rc, report->reason, sizeof(report->reason));
  if (!bwrap) {
    set_cause(report, rc == -ENOENT ? "bwrap-missing" : "bwrap-untrusted");
    snprintf(report->remedy, sizeof(report->remedy),
             "%s, or use the landlock backend",
             rc == -ENOENT ? "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; "
                             "Fedora: dnf install bubblewrap)"
                           : "remove the untrusted bwrap or name a trusted one with -c "
                             "ringfence.bwrap=\"PATH\"");
    return 0;
  }
  char *init = find_helper(host, INIT_NAME, NULL, &rc, report->reason, sizeof(report->reason));
  if (!init) {
    set_cause(report, "helper-untrusted");
    snprintf(report->remedy, sizeof(report->remedy),
             "reinstall ringfence outside every writable root, or set RINGFENCE_HELPER_DIR to a "
             "trusted directory holding %s",
             INIT_NAME);
    free(bwrap);
    return 0;
  }
  free(init);
  int is_root = geteuid() == 0;
  int userns_sysctl = rf_read_int_file("/proc/sys/kernel/unprivileged_userns_clone");
  int max_userns = rf_read_int_file("/proc/sys/user/max_user_namespaces");
  int apparmor = rf_read_int_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  /* One verdict for `check`, `explain` and `run --backend auto`: the same signs, and bwrap
   * itself asked whenever one of them says it could fail (RINGFENCE_PROBE_THOROUGH=1: always). */
  int thorough = getenv("RINGFENCE_PROBE_THOROUGH") != NULL;
  int sysctl_forbids = max_userns == 0 || (!is_root && userns_sysctl == 0);
  int filtered = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0;
  int tested = sysctl_forbids || thorough || filtered || userns_refusal_possible();
  int unshare_errno = tested ? try_namespaces() : 0;
  char cover[256];
  proc_cover(cover, sizeof(cover));
  char message[768] = "";
  int bwrap_status = 0, bwrap_ran = 0;
  /* Ask bwrap itself when the cheap test failed, when AppArmor may treat bwrap differently
   * from us (it lets the namespace be made, then refuses every capability inside it), when a
   * seccomp filter is loaded (it may do the same: refuse mount(2) or netlink, not the
   * namespace), when part of /proc is covered, or when a thorough answer was asked for. */
  if (unshare_errno != 0 || apparmor == 1 || filtered || cover[0] || thorough) {
    bwrap_status = try_bwrap(bwrap, message, sizeof(message));
    bwrap_ran = 1;
  }
  if (unshare_errno == 0 && bwrap_status == 0) {
    report->usable = 1;
    const char *no_landlock = NULL;
    int landlock_abi = rf_ll_layer_abi(&no_landlock);
    char layer[200];
    if (landlock_abi > 0)
      snprintf(layer, sizeof(layer), "Landlock layer ABI %d", landlock_abi);
    else
      snprintf(layer, sizeof(layer), "no Landlock layer (%s): write-confined not enforced",
               no_landlock ? no_landlock : "?");
    snprintf(report->detail, sizeof(report->detail), "bwrap at %s; user namespaces %s%s; %s; %s",
             bwrap,
             tested ? "work (created one)"
                    : "allowed (sysctls permit them, no seccomp filter or SELinux on this process)",
             is_root ? " (running as root)" : "",
             bwrap_ran ? "bwrap ran a test sandbox" : "/proc whole (no test sandbox needed)",
             layer);
    free(bwrap);
    return 0;
  }
  rf_apparmor_state apparmor_state;
  rf_bwrap_apparmor_read("", RF_AA_RINGFENCE_SHIPPED, &apparmor_state);
  rf_bwrap_signs signs = {
      .message = message,
      .unshare_errno = unshare_errno,
      .userns_clone_sysctl = userns_sysctl,
      .max_user_namespaces = max_userns,
      .apparmor_restrict = apparmor,
      .is_root = is_root,
      .bwrap = bwrap,
      .profile = apparmor_state.ubuntu,
      .ringfence_profile = apparmor_state.ringfence,
      .loaded_profile = apparmor_state.loaded,
  };
  rf_bwrap_problem problem = rf_bwrap_classify(&signs, report->reason, sizeof(report->reason),
                                               report->remedy, sizeof(report->remedy));
  set_cause(report, rf_bwrap_problem_cause(problem));
  if (problem == RF_BWRAP_PROC_MASKED && cover[0]) {
    size_t used = strlen(report->reason);
    snprintf(report->reason + used, sizeof(report->reason) - used, " (found: %s)", cover);
  }
  free(bwrap);
  return 0;
}

/* Which protected paths exist now (one flag each, in policy order; see
 * rf_bwrap_fds): those are bound read-only, the others are the name
 * guard's.  Looked at before the guard's own list, so that a path removed
 * in between is guarded, and one bound "-try" that is gone is skipped by
 * bwrap.  Returns a malloc'd array (never empty) or NULL without memory. */
static unsigned char *protected_presence(const rf_backend_policy *policy) {
  size_t n = 0;
  for (size_t i = 0; i < policy->n_writable_roots; i++)
    n += policy->writable_roots[i].n_protected;
  unsigned char *present = calloc(n + 1, 1);
  if (!present)
    return NULL;
  size_t k = 0;
  struct stat st;
  for (size_t i = 0; i < policy->n_writable_roots; i++)
    for (size_t j = 0; j < policy->writable_roots[i].n_protected; j++)
      present[k++] = lstat(policy->writable_roots[i].protected_paths[j], &st) == 0;
  return present;
}

/* How much the name guard must cover: protected names that do not exist yet
 * (no mount point), directories holding them, names that are symlinks. */
static int guard_level_of(const rf_backend_policy *policy) {
  char **entries = rf_missing_protected_entries(policy);
  int level = rf_guard_level(entries);
  rf_strv_free_array(entries);
  return level;
}

static rf_seccomp_options seccomp_options_for(const rf_backend_policy *policy, int guard) {
  rf_seccomp_options opts = {
      .network_off = policy->network != RF_NETWORK_ON,
      /* --unshare-net leaves only a private loopback, so inet sockets can
       * stay: servers and clients inside talk to each other over it. */
      .allow_inet_sockets = 1,
      /* Datagram sends that name a destination go through the supervisor. */
      .deny_unix_datagram = 0,
      .guard_names = guard > 0,
      /* --unshare-pid and --unshare-ipc: other pids and SysV IPC objects are
       * the sandbox's own, so no @sysv-ipc or @other-processes. */
      .host_pids = 0,
  };
  return opts;
}

static int bwrap_render(const rf_backend_host *host, const rf_backend_policy *policy,
                        const char *const *argv, const rf_backend_sink *out, char *err,
                        size_t err_len) {
  /* Rendering is pure and works where bwrap is not installed; a bwrap that
   * is there but not trusted is what run would refuse, so explain says so. */
  int trust_rc = 0;
  char *bwrap = find_bwrap(host, policy, &trust_rc, err, err_len);
  if (!bwrap && trust_rc != -ENOENT)
    return trust_rc;
  char *init = find_helper(host, INIT_NAME, policy, &trust_rc, err, err_len);
  if (!init && trust_rc != -ENOENT) {
    free(bwrap);
    return trust_rc;
  }
  err[0] = '\0';
  rf_bwrap_reads reads;
  int reads_rc = rf_bwrap_reads_probe(policy, &reads, err, err_len);
  if (reads_rc < 0) {
    free(bwrap);
    free(init);
    return reads_rc;
  }
  reads.deny_fd = RENDER_DENY_FD;
  unsigned char *present = protected_presence(policy);
  int guard = guard_level_of(policy);
  const char *no_landlock = NULL;
  int landlock_abi = rf_ll_layer_abi(&no_landlock);
  rf_bwrap_fds fds = {
      .bwrap = bwrap ? bwrap : "bwrap",
      .init = init ? init : "/usr/libexec/ringfence/" INIT_NAME,
      .json_status_fd = RENDER_JSON_FD,
      .init_status_fd = RENDER_STATUS_FD,
      .seccomp_fd = needs_socket_supervision(policy, guard) ? -1 : RENDER_SECCOMP_FD,
      .notify_fd = needs_socket_supervision(policy, guard) ? RENDER_NOTIFY_FD : -1,
      .supervise_fd = needs_socket_supervision(policy, guard) ? RENDER_SUPERVISE_FD : -1,
      .foreground_tty = foreground_terminal() >= 0,
      .landlock_fd = RENDER_LANDLOCK_FD,
      .landlock_abi = landlock_abi,
      .landlock_audit = audit_requested(),
      .command_fd = RENDER_COMMAND_FD,
      .protected_present = present,
      .lifeline_fd = RENDER_LIFELINE_FD,
      .proxy_accept_fd = policy->network == RF_NETWORK_PROXY ? RENDER_PROXY_FD : -1,
      .proxy_port = policy->network == RF_NETWORK_PROXY ? policy->proxy_port : 0,
      .reads = &reads,
  };
  rf_strv args;
  rf_strv_init(&args);
  int rc = present ? rf_bwrap_build_argv(policy, argv, &fds, &args, err, err_len) : -ENOMEM;
  if (!present)
    snprintf(err, err_len, "out of memory");
  if (rc == 0) {
    for (size_t i = 0; i < args.len; i++)
      out->emit(out->ctx, "bwrap-argv", args.items[i]);
    char *line = rf_strv_join_quoted((const char *const *)args.items);
    if (line)
      out->emit(out->ctx, "command", line);
    free(line);
    line = rf_strv_join_quoted(argv);
    if (line) {
      char head[160];
      snprintf(head, sizeof(head),
               "%s reads the command and its environment from fd %d (a sealed memfd: "
               "bwrap takes at most %d arguments), then runs:",
               INIT_NAME, RENDER_COMMAND_FD, RF_BWRAP_MAX_ARGS);
      out->emit(out->ctx, "sandbox-command", head);
      out->emit(out->ctx, "sandbox-command", line);
    }
    free(line);
    rf_seccomp_options opts = seccomp_options_for(policy, guard);
    size_t n_groups = 0;
    const rf_seccomp_group *groups = rf_seccomp_groups(&opts, &n_groups);
    char buf[1024];
    int supervised = needs_socket_supervision(policy, guard);
    int length = rf_seccomp_program_length(&opts, supervised ? guard : -1);
    if (supervised)
      snprintf(buf, sizeof(buf),
               "default allow; native ABI only (other ABIs are killed); one filter of %d BPF "
               "instructions holding the groups below and the user notifications (name guard, "
               "socket supervisor), loaded by %s from fd %d after no_new_privs with "
               "SECCOMP_FILTER_FLAG_NEW_LISTENER",
               length, INIT_NAME, RENDER_NOTIFY_FD);
    else
      snprintf(buf, sizeof(buf),
               "default allow; native ABI only (other ABIs are killed); %d BPF instructions, "
               "loaded by %s from fd %d after no_new_privs",
               length, INIT_NAME, RENDER_SECCOMP_FD);
    out->emit(out->ctx, "seccomp", buf);
    for (size_t g = 0; g < n_groups; g++) {
      size_t used = (size_t)snprintf(buf, sizeof(buf), "%s: %s: ", groups[g].name, groups[g].help);
      for (const char *const *s = groups[g].syscalls; *s && used < sizeof(buf); s++)
        used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", *s, s[1] ? " " : "");
      if (groups[g].rules && used < sizeof(buf))
        snprintf(buf + used, sizeof(buf) - used, " (%s)", groups[g].rules);
      out->emit(out->ctx, "seccomp", buf);
    }
    if (guard > 0)
      out->emit(out->ctx, "name-guard",
                "open(O_CREAT), mkdir, mknod, symlink, link, rename and bind (and unlink/rmdir "
                "when a protected name is a symlink) are seccomp user notifications; "
                "ringfence-fs-proxy performs them inside the sandbox's namespaces without "
                "capabilities and refuses (EROFS) protected names that do not exist yet and "
                "moving a directory that holds a protected path");
    if (needs_socket_supervision(policy, guard))
      out->emit(out->ctx, "socket-supervisor",
                "connect(), sendto() with an address, sendmsg() and sendmmsg() are seccomp user "
                "notifications (in the filter on fd 6); ringfence's supervisor (channel fd 7) allows a "
                "pathname unix destination only when sock_diag lists it bound inside the "
                "sandbox's network namespace, and performs the call itself on a pidfd_getfd "
                "copy; host sockets get EACCES");
    rf_bwrap_render_layers(policy, landlock_abi, no_landlock, guard,
                           needs_socket_supervision(policy, guard), out);
  }
  rf_strv_clear(&args);
  rf_bwrap_reads_clear(&reads);
  free(present);
  free(bwrap);
  free(init);
  return rc;
}

static int set_cloexec(int fd, int on) {
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0)
    return -errno;
  return fcntl(fd, F_SETFD, on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC)) < 0 ? -errno : 0;
}

/* The ruleset with the writable roots and the inherited files; init adds
 * the sandbox's /dev.  Returns its descriptor (close-on-exec) or -errno. */
static int create_landlock_layer(const rf_backend_policy *policy, int abi, char *err,
                                 size_t err_len) {
  rf_ll_plan plan;
  int rc = rf_ll_layer_plan(policy, abi, &plan, err, err_len);
  if (rc < 0)
    return rc;
  rf_ll_plan_add_inherited(&plan, policy->pass_fds, policy->n_pass_fds);
  rc = plan.failed ? -ENOMEM : rf_ll_ruleset_create(&plan, err, err_len);
  if (plan.failed)
    snprintf(err, err_len, "out of memory");
  rf_ll_plan_clear(&plan);
  return rc;
}

/* bwrap writes {"child-pid": N, ...} into the status memfd once the
 * sandbox's pid 1 exists.  pread: the file offset is bwrap's. */
static pid_t read_child_pid(int json_fd, char *buf, size_t cap) {
  ssize_t n;
  do
    n = pread(json_fd, buf, cap - 1, 0);
  while (n < 0 && errno == EINTR);
  buf[n > 0 ? n : 0] = '\0';
  const char *key = strstr(buf, "\"child-pid\"");
  key = key ? strchr(key, ':') : NULL;
  long pid = key ? strtol(key + 1, NULL, 10) : 0;
  return pid > 0 ? (pid_t)pid : 0;
}

/* A bwrap started by a launch that then failed: pulls the lifeline, waits
 * (briefly) for bwrap to name its namespace child and SIGKILLs that child,
 * then bwrap, then whatever still holds the lifeline. */
static void kill_started_bwrap(pid_t pid, int json_fd, rf_lifeline *lifeline) {
  char buf[512];
  int status, reaped = 0;
  rf_lifeline_pull(lifeline);
  for (int i = 0; i < 2000 && !reaped; i++) {
    int pidfd = rf_lifeline_pidfd_of_holder(lifeline, read_child_pid(json_fd, buf, sizeof(buf)),
                                            pid);
    if (pidfd >= 0) {
      syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
      close(pidfd);
      break;
    }
    reaped = waitpid(pid, &status, WNOHANG) == pid;
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 1000000};
    if (!reaped)
      nanosleep(&pause, NULL);
  }
  if (!reaped) {
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
  }
  rf_lifeline_clear(lifeline, -1, 5000);
}

static int bwrap_launch(const rf_backend_host *host, const rf_backend_policy *policy,
                        const char *const *argv, rf_backend_child *child, char *err,
                        size_t err_len) {
  int rc = 0;
  char *bwrap = find_bwrap(host, policy, &rc, err, err_len);
  char *init = bwrap ? find_helper(host, INIT_NAME, policy, &rc, err, err_len) : NULL;
  int json_fd = -1, status_pipe[2] = {-1, -1}, seccomp_fd = -1;
  rf_lifeline lifeline = {.read_fd = -1, .write_fd = -1};
  int notify_fd = -1, channel[2] = {-1, -1}, guard_level = 0, landlock_fd = -1;
  int command_fd = -1;
  rf_bwrap_reads reads = {.deny_fd = -1};
  int reads_probed = 0;
  unsigned char *present = NULL;
  rf_unix_supervisor *supervisor = NULL;
  char *fs_proxy = NULL;
  int tty_fd = foreground_terminal();
  char **missing = NULL;
  rf_strv args;
  rf_strv_init(&args);
  bwrap_child *state = NULL;

  /* The core decided which bwrap and helpers are trusted (owned by root or
   * the user, writable by nobody else, outside every writable root). */
  if (!bwrap || !init)
    goto out;
  /* --network proxy: the core made the route (a socket to its proxy); without it the
   * sandbox would have no way out, or another one: refused. */
  int proxy_fd = -1;
  if (policy->network == RF_NETWORK_PROXY) {
    proxy_fd = RF_HAS_FIELD(policy, proxy_accept_fd) ? policy->proxy_accept_fd : -1;
    if (proxy_fd <= 2 || policy->proxy_port == 0) {
      rc = -EINVAL;
      snprintf(err, err_len,
               "--network proxy: ringfence's core gave no route to its proxy: install the core "
               "and its plugins from the same release");
      goto out;
    }
  }
  present = protected_presence(policy);
  missing = present ? rf_missing_protected_entries(policy) : NULL;
  if (!missing) {
    rc = -ENOMEM;
    snprintf(err, err_len, "out of memory listing the protected paths");
    goto out;
  }
  int guard = rf_guard_level(missing);
  if ((rc = rf_bwrap_reads_probe(policy, &reads, err, err_len)) < 0)
    goto out;
  reads_probed = 1;
  /* One empty memfd is the content of every denied file (bwrap reads it to
   * the end for each --ro-bind-data; empty, it is at its end at once). */
  for (size_t i = 0; i < policy->n_deny_read && reads.deny_fd < 0; i++) {
    if (reads.deny_kind[i] != RF_BWRAP_DENY_FILE)
      continue;
    reads.deny_fd = memfd_create("ringfence-deny-read", MFD_CLOEXEC);
    if (reads.deny_fd < 0) {
      rc = -errno;
      snprintf(err, err_len, "memfd_create: %s", strerror(errno));
      goto out;
    }
  }
  /* The command line and environment go to init through a memfd, never on
   * bwrap's command line (see command-fd.h). */
  command_fd = rf_command_fd_create(argv, policy->envp, err, err_len);
  if (command_fd < 0) {
    rc = command_fd;
    goto out;
  }
  /* Supervised: one filter with the main and the notify rules, loaded by
   * init with NEW_LISTENER (--notify-fd), so a syscall runs one filter, not
   * two; otherwise the main filter alone (--seccomp-fd). */
  rf_seccomp_options opts = seccomp_options_for(policy, guard);
  int supervised = needs_socket_supervision(policy, guard);
  if (!supervised) {
    seccomp_fd = rf_seccomp_export_memfd(&opts, err, err_len);
    if (seccomp_fd < 0) {
      rc = seccomp_fd;
      goto out;
    }
  }
  json_fd = memfd_create("ringfence-bwrap-status", MFD_CLOEXEC);
  if (json_fd < 0) {
    rc = -errno;
    snprintf(err, err_len, "memfd_create: %s", strerror(errno));
    goto out;
  }
  if (pipe2(status_pipe, O_CLOEXEC) < 0) {
    rc = -errno;
    snprintf(err, err_len, "pipe: %s", strerror(errno));
    goto out;
  }
  if ((rc = rf_lifeline_open(&lifeline, err, err_len)) < 0)
    goto out;
  /* The Landlock layer's first half (landlock-layer.h); without it the core
   * has refused the run already (write-confined) unless --allow-degraded. */
  int landlock_abi = rf_ll_layer_abi(NULL);
  if (landlock_abi > 0) {
    landlock_fd = create_landlock_layer(policy, landlock_abi, err, err_len);
    if (landlock_fd < 0) {
      rc = landlock_fd;
      goto out;
    }
  }
  if (supervised) {
    if (guard && !(fs_proxy = find_helper(host, FS_PROXY_NAME, policy, &rc, err, err_len)))
      goto out;
    notify_fd = rf_seccomp_export_supervised_memfd(&opts, guard, err, err_len);
    if (notify_fd < 0) {
      rc = notify_fd;
      goto out;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) < 0) {
      rc = -errno;
      snprintf(err, err_len, "socketpair: %s", strerror(errno));
      goto out;
    }
    guard_level = guard;
  }
  rf_bwrap_fds fds = {
      .bwrap = bwrap,
      .init = init,
      .json_status_fd = json_fd,
      .init_status_fd = status_pipe[1],
      .seccomp_fd = seccomp_fd,
      .notify_fd = notify_fd,
      .supervise_fd = channel[1],
      .foreground_tty = tty_fd >= 0,
      .landlock_fd = landlock_fd,
      .landlock_abi = landlock_fd >= 0 ? landlock_abi : 0,
      .landlock_audit = audit_requested(),
      .command_fd = command_fd,
      .protected_present = present,
      .lifeline_fd = lifeline.read_fd,
      .proxy_accept_fd = proxy_fd,
      .proxy_port = proxy_fd >= 0 ? policy->proxy_port : 0,
      .reads = &reads,
  };
  rc = rf_bwrap_build_argv(policy, argv, &fds, &args, err, err_len);
  if (rc < 0)
    goto out;

  size_t n_keep = 10 + policy->n_pass_fds;
  int *keep = calloc(n_keep, sizeof(int));
  if (!keep) {
    rc = -ENOMEM;
    snprintf(err, err_len, "out of memory");
    goto out;
  }
  keep[0] = json_fd;
  keep[1] = status_pipe[1];
  keep[2] = seccomp_fd;
  keep[3] = notify_fd;  /* -1 when unused: ignored */
  keep[4] = channel[1];
  keep[5] = landlock_fd; /* -1 when unused */
  keep[6] = command_fd;
  keep[7] = lifeline.read_fd; /* never its other end: ringfence's alone */
  keep[8] = reads.deny_fd;     /* -1 when unused; bwrap closes it once read */
  keep[9] = proxy_fd;          /* -1 unless --network proxy: init's bridge holds it */
  for (size_t i = 0; i < policy->n_pass_fds; i++)
    keep[10 + i] = policy->pass_fds[i];
  /* No environment for bwrap and init: the command's is in command_fd. */
  char *const no_env[] = {NULL};
  pid_t pid = rf_spawn(bwrap, args.items, no_env, keep, n_keep, err, err_len);
  free(keep);
  if (pid < 0) {
    rc = pid;
    goto out;
  }
  /* bwrap has its copy: ringfence's would make the sandbox look alive. */
  close(lifeline.read_fd);
  lifeline.read_fd = -1;
  /* The supervisor starts while bwrap sets the sandbox up (init waits for
   * it on the channel), off the start-up's critical path. */
  if (channel[0] >= 0) {
    rf_unix_supervisor_config config = {
        .fs_proxy = guard_level ? fs_proxy : NULL,
        .missing_protected = (const char *const *)missing,
        .landlock_fd = landlock_fd,
        .landlock_abi = landlock_fd >= 0 ? landlock_abi : 0,
        .network = (int)policy->network,
        /* Never a host port: proxy_port is the bridge's inside the sandbox's namespace, and
         * a socket from outside (--pass-fd) must not reach whatever listens on it on the host:
         * with 0, the supervisor allows it no inet destination. */
        .proxy_port = 0,
    };
    rc = rf_unix_supervisor_start(channel[0], &config, &supervisor, err, err_len);
    channel[0] = -1; /* owned by the supervisor now, even on failure */
    if (rc == 0)
      rf_unix_supervisor_set_launcher(supervisor, pid);
  }
  state = rc < 0 ? NULL : calloc(1, sizeof(*state));
  if (!state) {
    /* Not bwrap first (see the life cycle above). */
    kill_started_bwrap(pid, json_fd, &lifeline);
    if (rc == 0) {
      rc = -ENOMEM;
      snprintf(err, err_len, "out of memory");
    }
    goto out;
  }
  state->bwrap_pid = pid;
  state->tty_fd = tty_fd;
  state->saved_fg_pgrp = getpgrp();
  state->supervisor = supervisor;
  supervisor = NULL;
  state->pidfd = rf_pidfd_open(pid);
  state->json_fd = json_fd;
  state->status_fd = status_pipe[0];
  state->lifeline = lifeline;
  state->init_pidfd = -1;
  json_fd = status_pipe[0] = -1;
  lifeline.read_fd = lifeline.write_fd = -1;
  fcntl(state->status_fd, F_SETFL, O_NONBLOCK);
  child->pid = pid;
  child->wait_fd = state->pidfd;
  child->state = state;
  (void)set_cloexec;
out:
  if (channel[0] >= 0)
    close(channel[0]);
  if (json_fd >= 0)
    close(json_fd);
  rf_lifeline_close(&lifeline); /* only when launch failed */
  if (status_pipe[0] >= 0)
    close(status_pipe[0]);
  if (status_pipe[1] >= 0)
    close(status_pipe[1]);
  if (seccomp_fd >= 0)
    close(seccomp_fd);
  if (notify_fd >= 0)
    close(notify_fd);
  if (channel[1] >= 0)
    close(channel[1]);
  if (landlock_fd >= 0)
    close(landlock_fd); /* bwrap (for init) and the supervisor have their own */
  if (command_fd >= 0)
    close(command_fd);
  if (reads.deny_fd >= 0)
    close(reads.deny_fd);
  if (reads_probed)
    rf_bwrap_reads_clear(&reads);
  free(present);
  rf_unix_supervisor_stop(supervisor); /* only when launch failed */
  rf_strv_free_array(missing);
  free(fs_proxy);
  rf_strv_clear(&args);
  free(bwrap);
  free(init);
  return rc;
}

static void drain(int fd, char *buf, size_t cap, size_t *len) {
  if (fd < 0)
    return;
  for (;;) {
    char tmp[256];
    ssize_t n = read(fd, tmp, sizeof(tmp));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    size_t room = cap - 1 - *len;
    size_t take = (size_t)n < room ? (size_t)n : room;
    memcpy(buf + *len, tmp, take);
    *len += take;
    buf[*len] = '\0';
  }
}

/* Learns pid 1 inside once bwrap has named it (a pidfd that holds the
 * lifeline: never a process that reused the number), and SIGKILLs it then
 * if a kill was asked for. */
static void update_init_pid(bwrap_child *state) {
  if (state->init_pid <= 0) {
    pid_t pid = read_child_pid(state->json_fd, state->json_buf, sizeof(state->json_buf));
    state->init_pidfd =
        rf_lifeline_pidfd_of_holder(&state->lifeline, pid, state->reaped ? 0 : state->bwrap_pid);
    if (state->init_pidfd >= 0)
      state->init_pid = pid;
  }
  if (state->kill_requested && state->init_pidfd >= 0 && !state->init_killed) {
    syscall(SYS_pidfd_send_signal, state->init_pidfd, SIGKILL, NULL, 0);
    kill(state->bwrap_pid, SIGKILL); /* safe now: pid 1 inside has SIGKILL pending */
    state->init_killed = 1;
  }
}

/* The command is pid 1's child inside; it leads its own session and group. */
static pid_t command_pid(bwrap_child *state) {
  update_init_pid(state);
  if (state->init_pid <= 0)
    return 0;
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)state->init_pid,
           (int)state->init_pid);
  FILE *f = fopen(path, "re");
  if (!f)
    return 0;
  long pid = 0;
  if (fscanf(f, "%ld", &pid) != 1)
    pid = 0;
  fclose(f);
  return (pid_t)pid;
}

/* The command gets the signal; before it exists, -EAGAIN: the core keeps
 * the signal and asks again (never bwrap's outer process, see above). */
static int bwrap_child_signal(rf_backend_child *child, int signum) {
  bwrap_child *state = child->state;
  pid_t pid = command_pid(state);
  if (pid > 0 && (kill(-pid, signum) == 0 || kill(pid, signum) == 0))
    return 0;
  return -EAGAIN;
}

/* Killing pid 1 of the sandbox's pid namespace kills every process in it;
 * before bwrap has named it, the pulled lifeline ends it as soon as it runs,
 * and update_init_pid SIGKILLs it once named. */
static int bwrap_child_kill(rf_backend_child *child) {
  bwrap_child *state = child->state;
  state->kill_requested = 1;
  rf_lifeline_pull(&state->lifeline);
  update_init_pid(state);
  return 0;
}

static int bwrap_child_wait(rf_backend_child *child, int timeout_ms, rf_backend_exit *exit) {
  bwrap_child *state = child->state;
  int status = 0;
  int rc = rf_wait_pid(state->bwrap_pid, state->pidfd, timeout_ms, &status);
  if (rc < 0)
    return rc;
  state->reaped = rc == 1;
  update_init_pid(state);
  if (rc == 0) {
    exit->stage = RF_EXIT_RUNNING;
    return 0;
  }
  /* bwrap is gone (even if killed from outside, even before it released its
   * namespace child): nothing of the sandbox outlives the run. */
  rf_lifeline_clear(&state->lifeline, state->init_pidfd, 5000);
  give_back_terminal(state);
  drain(state->status_fd, state->status_buf, sizeof(state->status_buf), &state->status_len);
  rf_exit_from_status(exit, status);
  if (state->status_len == 0 || state->status_buf[0] != 'S') {
    exit->stage = RF_EXIT_SETUP_FAILED;
    snprintf(exit->message, sizeof(exit->message),
             "bwrap failed before the command started (exit status %d; its message is above); "
             "`ringfence check` says why bwrap cannot run here, and --backend landlock needs no "
             "namespaces",
             WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    if (WIFSIGNALED(status) || state->kill_requested) {
      /* Killed (timeout, the core giving up, or from outside) while
       * setting up: still a signal death of the run, not a setup failure. */
      exit->stage = RF_EXIT_COMMAND;
      if (!WIFSIGNALED(status)) {
        exit->signal = SIGKILL;
        exit->code = 128 + SIGKILL;
      }
    }
    return 0;
  }
  if (state->status_len >= 1 + sizeof(int) && state->status_buf[1] == 'E') {
    exit->stage = RF_EXIT_EXEC_FAILED;
    memcpy(&exit->exec_errno, state->status_buf + 2, sizeof(int));
    snprintf(exit->message, sizeof(exit->message), "%s", strerror(exit->exec_errno));
    return 0;
  }
  /* bwrap's pid 1 exits with the command's code, or 128+N after signal N. */
  if (WIFEXITED(status) && WEXITSTATUS(status) > 128) {
    exit->signal = WEXITSTATUS(status) - 128;
    exit->code = WEXITSTATUS(status);
  }
  return 0;
}

static void bwrap_child_release(rf_backend_child *child) {
  bwrap_child *state = child->state;
  if (!state)
    return;
  if (state->pidfd >= 0)
    close(state->pidfd);
  if (state->json_fd >= 0)
    close(state->json_fd);
  if (state->status_fd >= 0)
    close(state->status_fd);
  rf_lifeline_close(&state->lifeline);
  if (state->init_pidfd >= 0)
    close(state->init_pidfd);
  give_back_terminal(state);
  rf_unix_supervisor_stop(state->supervisor);
  free(state);
  child->state = NULL;
}

static const rf_backend bwrap_backend = {
    .size = sizeof(rf_backend),
    .abi_version = RF_BACKEND_ABI_VERSION,
    .name = "bwrap",
    .summary = "bubblewrap namespaces + seccomp (Linux, default)",
    .preference = 10,
    .capabilities = bwrap_capabilities,
    .probe = bwrap_probe,
    .render = bwrap_render,
    .launch = bwrap_launch,
    .child_signal = bwrap_child_signal,
    .child_wait = bwrap_child_wait,
    .child_kill = bwrap_child_kill,
    .child_release = bwrap_child_release,
    .setup = rf_bwrap_setup,
};

RF_BACKEND_DEFINE(bwrap_backend)
