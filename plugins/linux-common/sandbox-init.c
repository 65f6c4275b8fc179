/* sandbox-init.c: ringfence-sandbox-init, the last step inside a Linux sandbox before the command runs.
 *
 * Started by a Linux backend inside the sandbox (by bwrap, or by the Landlock
 * launcher), it:
 *   1. tells the backend it is running (so a later failure is the command's);
 *   2. sets no_new_privs; with --landlock-fd, completes the bwrap backend's
 *      Landlock layer with the sandbox's /dev entries and enforces it on
 *      itself, hence on the command (see landlock-layer.h: this happens before
 *      the notify filter exists, so before any ringfence-fs-proxy can enforce
 *      the same ruleset); with --supervise-fd, opens a sock_diag socket in the
 *      sandbox's network namespace, installs the filter read from --notify-fd
 *      (the bwrap backend's holds the main rules too, so that each syscall
 *      runs one filter: rf_seccomp_build_supervised) with NEW_LISTENER and
 *      offers the listener and the sock_diag socket to ringfence's supervisor
 *      (see unix-supervisor.h); loads the seccomp program read from
 *      --seccomp-fd, if any, while the supervisor takes them; waits for the
 *      supervisor's answer (no command runs unsupervised);
 *   3. with --foreground-tty, puts the command in a process group of its own
 *      and makes it the terminal's foreground group, as a shell does, so
 *      that ^C reaches the command and /dev/tty works;
 *   4. forks the command and stays as the sandbox's pid 1 (bwrap runs us with
 *      --as-pid-1): it reaps orphans, exits with the command's status when the
 *      command ends (which ends every other process of the namespace), and is
 *      itself under the same seccomp filters and not dumpable, so the command
 *      cannot borrow it through /proc/1/mem.  A failed exec is reported so that
 *      ringfence exits 126 or 127 like a shell would;
 *   5. with --lifeline-fd, watches a socket whose peer only ringfence holds:
 *      at end-of-file (ringfence ended, however it ended) or a byte (ringfence
 *      is killing the sandbox) pid 1 kills the namespace and exits, from the
 *      first check at start-up to the end of the run.  This, not bwrap's
 *      --die-with-parent, is how the sandbox dies with ringfence: see
 *      docs/security.md, "Life cycle".
 * The command line and environment come from --command-fd (see command-fd.h:
 * bwrap caps its own arguments at 9000), or follow `--` (by hand, in tests).
 * It links nothing but libc, so that it adds as little as possible to start-up.
 *
 * Status protocol on --status-fd (close-on-exec, so a successful exec closes it):
 *   "S"            the sandbox is up and init started
 *   "E" + int      exec of the command failed with that errno
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "command-fd.h"
#include "landlock-layer.h"
#include "notify-listener.h"
#include "proxy-bridge.h"
#include "proxy-check.h"

static void die(const char *what) {
  fprintf(stderr, "ringfence-sandbox-init: %s: %s\n", what, strerror(errno));
  _exit(125);
}

static int parse_fd(const char *text) {
  char *end = NULL;
  long value = strtol(text, &end, 10);
  if (!*text || *end || value < 0 || value > 1 << 20) {
    fprintf(stderr, "ringfence-sandbox-init: bad number '%s'\n", text);
    _exit(125);
  }
  return (int)value;
}

static void write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    p += n;
    len -= (size_t)n;
  }
}

static struct sock_fprog read_program(int fd) {
  struct stat st;
  if (fstat(fd, &st) < 0)
    die("reading the seccomp program");
  if (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
      st.st_size > (off_t)(sizeof(struct sock_filter) * 65536)) {
    fprintf(stderr, "ringfence-sandbox-init: the seccomp program has a bad size (%lld bytes)\n",
            (long long)st.st_size);
    _exit(125);
  }
  struct sock_filter *filter = malloc((size_t)st.st_size);
  if (!filter)
    die("allocating the seccomp program");
  size_t got = 0;
  while (got < (size_t)st.st_size) {
    ssize_t n = pread(fd, (char *)filter + got, (size_t)st.st_size - got, (off_t)got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      die("reading the seccomp program");
    got += (size_t)n;
  }
  close(fd);
  struct sock_fprog prog = {
      .len = (unsigned short)((size_t)st.st_size / sizeof(struct sock_filter)),
      .filter = filter,
  };
  return prog;
}

static void load_seccomp(int fd) {
  struct sock_fprog prog = read_program(fd);
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0)
    die("loading the seccomp filter");
  free(prog.filter);
}

/* Hands the notification listener and a sock_diag socket of this network
 * namespace to the supervisor outside.  sendmsg() is itself supervised once
 * the filter is in place, so nothing is sent: we write the two descriptor
 * numbers, the supervisor copies the descriptors out of this process with
 * pidfd_getfd() and answers with one byte, and only then do we close ours.
 * offer_supervision writes the numbers; await_supervision waits for the
 * answer: the main filter is loaded in between, while the supervisor works,
 * and the command is started only after the answer. */
typedef struct {
  int listener, diag, channel;
} supervision;

static supervision offer_supervision(int notify_fd, int channel_fd) {
  int diag = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (diag < 0)
    die("opening a sock_diag socket");
  struct sock_fprog prog = read_program(notify_fd);
  int listener = rf_notify_install_listener(&prog);
  if (listener < 0)
    die("installing the notify filter");
  free(prog.filter);
  char numbers[32];
  int len = snprintf(numbers, sizeof(numbers), "%d %d\n", listener, diag);
  write_all(channel_fd, numbers, (size_t)len);
  return (supervision){.listener = listener, .diag = diag, .channel = channel_fd};
}

static void await_supervision(supervision sv) {
  char ack = 0;
  ssize_t n;
  do
    n = read(sv.channel, &ack, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1 || ack != 'A') {
    fprintf(stderr, "ringfence-sandbox-init: the supervisor did not take the listener\n");
    _exit(125);
  }
  close(sv.listener);
  close(sv.diag);
  close(sv.channel);
}

/* The terminal's foreground group becomes ours (SIGTTOU blocked meanwhile,
 * since we start in a background group). */
static void take_foreground(void) {
  if (setpgid(0, 0) != 0)
    die("creating a process group");
  for (int fd = 0; fd <= 2; fd++) {
    if (!isatty(fd))
      continue;
    sigset_t ttou, old;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    sigprocmask(SIG_BLOCK, &ttou, &old);
    int rc = tcsetpgrp(fd, getpgrp());
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
      die("taking the terminal's foreground");
    return;
  }
}

/* TRUE when ringfence no longer holds the lifeline's other end, or wrote a
 * byte to it: the sandbox must end now. */
static int lifeline_cut(int lifeline_fd) {
  if (lifeline_fd < 0)
    return 0;
  struct pollfd p = {.fd = lifeline_fd, .events = POLLIN};
  int rc;
  do
    rc = poll(&p, 1, 0);
  while (rc < 0 && errno == EINTR);
  return rc != 0; /* an event, or a poll that failed: fail closed */
}

/* Ends every process of the namespace: SIGKILL to all of them, then pid 1's
 * own exit, which the kernel follows by killing whatever is left. */
static __attribute__((noreturn)) void end_sandbox(void) {
  kill(-1, SIGKILL);
  _exit(128 + SIGKILL);
}

/* As pid 1: reap every child; return the command's status when it ends
 * (128 + N after signal N, as a shell reports it).  SIGCHLD is blocked and
 * read from |sigchld_fd|, so that one poll() also watches the lifeline. */
static int reap_until(pid_t command, int sigchld_fd, int lifeline_fd) {
  struct pollfd fds[2] = {{.fd = sigchld_fd, .events = POLLIN},
                          {.fd = lifeline_fd, .events = POLLIN}};
  nfds_t n = lifeline_fd >= 0 ? 2 : 1;
  for (;;) {
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
      if (pid == command)
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (pid < 0 && errno != EINTR)
      return 125; /* ECHILD: the command is gone and was not seen: cannot happen */
    fds[0].revents = fds[1].revents = 0;
    int rc = poll(fds, n, -1);
    if (rc < 0 && errno != EINTR)
      return 125;
    if (n == 2 && fds[1].revents)
      end_sandbox();
    struct signalfd_siginfo info;
    while (read(sigchld_fd, &info, sizeof(info)) > 0)
      ;
  }
}

/* The Landlock layer: the /dev rules, then enforcement; the ruleset's
 * descriptor is closed either way (the command must never hold it). */
static void enter_landlock_layer(int ruleset_fd, int abi, int audit) {
  const char *step = NULL;
  int rc = rf_ll_layer_enter(ruleset_fd, abi, audit, &step);
  if (rc < 0) {
    fprintf(stderr, "ringfence-sandbox-init: cannot apply the Landlock layer (ABI %d) at %s: %s\n",
            abi, step ? step : "?", strerror(-rc));
    _exit(125);
  }
}

/* --network proxy: the bridge to ringfence's proxy, started before the command exists and
 * before any filter (it needs socket calls the command's filters supervise), then the
 * route checked end to end.  Any failure ends the run before the command (125). */
static void start_bridge(int accept_fd, int port, int lifeline_fd) {
  char err[512] = "";
  pid_t bridge = -1;
  int rc = -1;
  if (fcntl(accept_fd, F_SETFD, FD_CLOEXEC) != 0 ||
      rf_bridge_start(accept_fd, port, &bridge, err, sizeof(err)) < 0 ||
      (rc = rf_bridge_check(port, RF_PROXY_CHECK_MS, lifeline_fd, err, sizeof(err))) < 0) {
    /* ringfence pulled the lifeline meanwhile (--timeout, its own end, a kill): the run is
     * over, not broken; the check does not hold the sandbox for its whole deadline. */
    if (rc == -ECANCELED) {
      if (bridge > 0)
        kill(bridge, SIGKILL);
      end_sandbox();
    }
    fprintf(stderr,
            "ringfence: --network proxy: the route to ringfence's proxy could not be built or "
            "verified: %s; nothing was run (the proxy's messages, if any, are above)\n",
            err[0] ? err : strerror(errno));
    if (bridge > 0)
      kill(bridge, SIGKILL);
    _exit(125);
  }
}

/* The command and its environment from --command-fd; the descriptor is
 * closed (the command must never hold it). */
static void read_command(int fd, char ***command, char ***envp) {
  char err[256] = "";
  void *block = NULL;
  int rc = rf_command_fd_read(fd, command, envp, &block, err, sizeof(err));
  close(fd);
  if (rc < 0) {
    fprintf(stderr, "ringfence-sandbox-init: %s\n", err);
    _exit(125);
  }
  /* |block| stays allocated until exec. */
}

int main(int argc, char **argv) {
  int status_fd = -1, seccomp_fd = -1, notify_fd = -1, supervise_fd = -1;
  int landlock_fd = -1, landlock_abi = 0, landlock_audit = 0, command_fd = -1;
  int lifeline_fd = -1, foreground = 0, dashdash = 0;
  int proxy_accept_fd = -1, proxy_port = 0;
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      dashdash = 1;
      break;
    }
    if (strcmp(argv[i], "--foreground-tty") == 0) {
      foreground = 1;
      continue;
    }
    if (strcmp(argv[i], "--landlock-audit") == 0) {
      landlock_audit = 1;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "ringfence-sandbox-init: %s needs a value\n", argv[i]);
      return 125;
    }
    if (strcmp(argv[i], "--status-fd") == 0)
      status_fd = parse_fd(argv[++i]);
    else if (strcmp(argv[i], "--seccomp-fd") == 0)
      seccomp_fd = parse_fd(argv[++i]);
    else if (strcmp(argv[i], "--notify-fd") == 0)
      notify_fd = parse_fd(argv[++i]);
    else if (strcmp(argv[i], "--supervise-fd") == 0)
      supervise_fd = parse_fd(argv[++i]);
    else if (strcmp(argv[i], "--landlock-fd") == 0)
      landlock_fd = parse_fd(argv[++i]);
    else if (strcmp(argv[i], "--landlock-abi") == 0)
      landlock_abi = parse_fd(argv[++i]);
    else if (strcmp(argv[i], "--command-fd") == 0)
      command_fd = parse_fd(argv[++i]);
    else if (strcmp(argv[i], "--lifeline-fd") == 0)
      lifeline_fd = parse_fd(argv[++i]);
    else if (strcmp(argv[i], "--proxy-accept-fd") == 0)
      proxy_accept_fd = parse_fd(argv[++i]);
    else if (strcmp(argv[i], "--proxy-port") == 0)
      proxy_port = parse_fd(argv[++i]);
    else {
      fprintf(stderr, "ringfence-sandbox-init: unknown option %s\n", argv[i]);
      return 125;
    }
  }
  if ((command_fd >= 0) == (dashdash && i < argc)) {
    fprintf(stderr, "usage: ringfence-sandbox-init [--status-fd N] [--seccomp-fd N] [--notify-fd N "
                    "--supervise-fd N] [--landlock-fd N --landlock-abi N [--landlock-audit]] "
                    "[--lifeline-fd N] [--proxy-accept-fd N --proxy-port N] {--command-fd N | -- COMMAND [ARG]...}\n(started by "
                    "ringfence inside a sandbox, not by hand)\n");
    return 125;
  }
  /* The command must not hold the lifeline: close-on-exec.  A run whose
   * ringfence is already gone ends here, before anything is set up. */
  if (lifeline_fd >= 0 && (fcntl(lifeline_fd, F_SETFD, FD_CLOEXEC) != 0 || lifeline_cut(lifeline_fd)))
    end_sandbox();
  if (status_fd >= 0) {
    fcntl(status_fd, F_SETFD, FD_CLOEXEC);
    write_all(status_fd, "S", 1);
  }
  char **command_argv = &argv[i], **command_envp = environ;
  if (command_fd >= 0)
    read_command(command_fd, &command_argv, &command_envp);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    die("setting no_new_privs");
  if ((notify_fd >= 0) != (supervise_fd >= 0)) {
    fprintf(stderr, "ringfence-sandbox-init: --notify-fd and --supervise-fd go together\n");
    return 125;
  }
  if ((landlock_fd >= 0) != (landlock_abi > 0)) {
    fprintf(stderr, "ringfence-sandbox-init: --landlock-fd and --landlock-abi go together\n");
    return 125;
  }
  if ((proxy_accept_fd >= 0) != (proxy_port > 0) || proxy_port > 65535) {
    fprintf(stderr, "ringfence-sandbox-init: --proxy-accept-fd and --proxy-port go together\n");
    return 125;
  }
  if (proxy_accept_fd >= 0)
    start_bridge(proxy_accept_fd, proxy_port, lifeline_fd);
  if (landlock_fd >= 0)
    enter_landlock_layer(landlock_fd, landlock_abi, landlock_audit);
  supervision sv = {-1, -1, -1};
  if (supervise_fd >= 0)
    sv = offer_supervision(notify_fd, supervise_fd);
  if (seccomp_fd >= 0)
    load_seccomp(seccomp_fd);
  if (supervise_fd >= 0)
    await_supervision(sv);

  /* SIGCHLD is read from a signalfd in reap_until; the command gets an
   * empty mask back before exec. */
  sigset_t sigchld, old_mask;
  sigemptyset(&sigchld);
  sigaddset(&sigchld, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &sigchld, &old_mask) != 0)
    die("blocking SIGCHLD");
  int sigchld_fd = signalfd(-1, &sigchld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigchld_fd < 0)
    die("creating a signalfd for SIGCHLD");
  if (lifeline_cut(lifeline_fd))
    end_sandbox();
  pid_t command = fork();
  if (command < 0)
    die("starting the command");
  if (command == 0) {
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    /* A process group of its own: ringfence signals the command's group. */
    if (foreground)
      take_foreground();
    else if (setpgid(0, 0) != 0)
      die("creating a process group");
    /* execvp searches the command's own PATH. */
    environ = command_envp;
    execvp(command_argv[0], command_argv);
    int saved = errno;
    if (status_fd >= 0) {
      char report[1 + sizeof(int)];
      report[0] = 'E';
      memcpy(report + 1, &saved, sizeof(int));
      write_all(status_fd, report, sizeof(report));
    }
    fprintf(stderr, "ringfence: %s: %s\n", command_argv[0], strerror(saved));
    _exit(saved == ENOENT ? 127 : 126);
  }
  if (status_fd >= 0)
    close(status_fd); /* the command's copy closes on exec: EOF tells ringfence it ran */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  return reap_until(command, sigchld_fd, lifeline_fd);
}
