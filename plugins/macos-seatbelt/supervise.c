/* supervise.c: starting sandbox-exec and supervising the command (fork, exec, wait, signal, kill); POSIX, real on macOS, tested on Linux. */
#include "seatbelt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef __APPLE__
#include <libproc.h>
#include <sys/proc_info.h>
#endif
#ifdef __linux__
#include <sys/syscall.h>
#endif

/*
 * The child, between fork and exec, in this order (one step each, each
 * failure reported to the parent through a close-on-exec pipe):
 *
 *   1. setsid()          a new session: the command has no controlling
 *                        terminal (no TIOCSTI into the caller's terminal for
 *                        non-root users) and its own process group, which
 *                        child_signal/child_kill address as a whole
 *   2. chdir(cwd)
 *   3. look the command up in envp's PATH as execvp would, so "not found"
 *      and "not executable" come back as such (127/126) instead of as
 *      sandbox-exec's own failure
 *   4. default signal dispositions, empty signal mask
 *   5. close every descriptor but 0, 1, 2 and pass_fds (which lose
 *      close-on-exec)
 *   6. execve(sandbox-exec, ...) (or the command itself in
 *      danger-full-access)
 *
 * Only async-signal-safe calls run in the child: the core is multi-threaded.
 */

#define MAX_PASS_FDS 256

typedef enum {
  STEP_NONE = 0,
  STEP_SETSID,
  STEP_CHDIR,
  STEP_LOOKUP,
  STEP_SIGNALS,
  STEP_FDS,
  STEP_EXEC,
} spawn_step;

typedef struct {
  int step;
  int err;
} spawn_report;

typedef struct {
  int reaped;
  spawn_report failure;
  rf_backend_exit result; /* valid once reaped */
  char *cwd;
  char *program; /* what execve ran: sandbox-exec, or the command */
  char *command;
} supervise_state;

/* ---- in the child ----------------------------------------------------- */

static void report_and_exit(int fd, spawn_step step, int err) {
  spawn_report report = {.step = (int)step, .err = err};
  ssize_t ignored = write(fd, &report, sizeof report);
  (void)ignored;
  _exit(127);
}

static const char *env_get(char *const *envp, const char *name) {
  size_t len = strlen(name);
  for (char *const *e = envp; e && *e; e++)
    if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
      return *e + len + 1;
  return NULL;
}

static int check_executable(const char *file) {
  struct stat st;
  if (stat(file, &st) < 0)
    return errno;
  if (S_ISDIR(st.st_mode))
    return EACCES;
  return access(file, X_OK) < 0 ? errno : 0;
}

/* execvp's search: a name with '/' is used as is; otherwise each PATH entry
 * (empty = current directory; no PATH: /usr/bin:/bin).  ENOENT unless some
 * candidate existed but could not be executed (EACCES).  |found| receives
 * the path that would run. */
static int lookup_command(const char *name, char *const *envp, char *found, size_t found_len) {
  size_t name_len = strlen(name);
  if (name_len == 0)
    return ENOENT;
  if (strchr(name, '/')) {
    if (name_len >= found_len)
      return ENAMETOOLONG;
    memcpy(found, name, name_len + 1);
    return check_executable(found);
  }
  const char *path = env_get(envp, "PATH");
  if (!path)
    path = "/usr/bin:/bin";
  int saw_eacces = 0;
  for (const char *dir = path;;) {
    const char *end = strchr(dir, ':');
    size_t dir_len = end ? (size_t)(end - dir) : strlen(dir);
    if (dir_len == 0) {
      dir = ".";
      dir_len = 1;
    }
    if (dir_len + 1 + name_len < found_len) {
      memcpy(found, dir, dir_len);
      found[dir_len] = '/';
      memcpy(found + dir_len + 1, name, name_len + 1);
      int r = check_executable(found);
      if (r == 0)
        return 0;
      if (r == EACCES)
        saw_eacces = 1;
    }
    if (!end)
      break;
    dir = end + 1;
  }
  return saw_eacces ? EACCES : ENOENT;
}

static int highest_fd(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > 0 &&
      rl.rlim_cur <= (rlim_t)INT_MAX)
    return (int)rl.rlim_cur - 1;
  return (1 << 20) - 1;
}

/* Closes [lo, hi]. */
static void close_range_of_fds(int lo, int hi) {
  if (lo > hi)
    return;
#if defined(__linux__) && defined(SYS_close_range)
  if (syscall(SYS_close_range, (unsigned int)lo, (unsigned int)hi, 0u) == 0)
    return;
#endif
  int top = highest_fd();
  for (int fd = lo; fd <= hi && fd <= top; fd++)
    close(fd);
}

static int is_kept(int fd, const int *keep, size_t n_keep) {
  for (size_t i = 0; i < n_keep; i++)
    if (keep[i] == fd)
      return 1;
  return 0;
}

/* Closes every descriptor above 2 that is not in |keep| (sorted).  macOS
 * lists the open ones; elsewhere (and if listing fails), the gaps between
 * kept descriptors are closed wholesale. */
static void close_fds_except(const int *keep, size_t n_keep) {
#ifdef __APPLE__
  struct proc_fdinfo fds[1024];
  int bytes = proc_pidinfo(getpid(), PROC_PIDLISTFDS, 0, fds, (int)sizeof fds);
  if (bytes > 0 && (size_t)bytes < sizeof fds) {
    for (size_t i = 0; i < (size_t)bytes / PROC_PIDLISTFD_SIZE; i++)
      if (fds[i].proc_fd > 2 && !is_kept(fds[i].proc_fd, keep, n_keep))
        close(fds[i].proc_fd);
    return;
  }
#endif
  int lo = 3;
  for (size_t i = 0; i < n_keep; i++) {
    if (keep[i] < lo)
      continue;
    close_range_of_fds(lo, keep[i] - 1);
    lo = keep[i] + 1;
  }
  close_range_of_fds(lo, INT_MAX);
  (void)is_kept;
}

static void child_main(const rf_backend_policy *policy, char *const *exec_argv,
                       const char *const *command, char *const *envp, int report_fd) {
  if (setsid() < 0)
    report_and_exit(report_fd, STEP_SETSID, errno);
  if (chdir(policy->cwd) < 0)
    report_and_exit(report_fd, STEP_CHDIR, errno);

  char found[PATH_MAX];
  int r = lookup_command(command[0], envp, found, sizeof found);
  if (r != 0)
    report_and_exit(report_fd, STEP_LOOKUP, r);

  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      sigaction(sig, &dfl, NULL); /* fails harmlessly for numbers that are not signals */
  sigset_t empty;
  sigemptyset(&empty);
  if (sigprocmask(SIG_SETMASK, &empty, NULL) < 0)
    report_and_exit(report_fd, STEP_SIGNALS, errno);

  int keep[MAX_PASS_FDS + 1];
  size_t n_keep = 0;
  for (size_t i = 0; i < policy->n_pass_fds; i++) {
    if (fcntl(policy->pass_fds[i], F_SETFD, 0) < 0)
      report_and_exit(report_fd, STEP_FDS, errno);
    keep[n_keep++] = policy->pass_fds[i];
  }
  keep[n_keep++] = report_fd; /* closes itself on exec */
  for (size_t i = 1; i < n_keep; i++) /* insertion sort: no qsort after fork */
    for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
      int t = keep[j];
      keep[j] = keep[j - 1];
      keep[j - 1] = t;
    }
  close_fds_except(keep, n_keep);

  if (exec_argv)
    execve(exec_argv[0], exec_argv, envp);
  else
    execve(found, (char *const *)command, envp);
  report_and_exit(report_fd, STEP_EXEC, errno);
}

/* ---- in the parent ---------------------------------------------------- */

static void state_free(supervise_state *state) {
  if (!state)
    return;
  free(state->cwd);
  free(state->program);
  free(state->command);
  free(state);
}

static int set_cloexec(int fd) {
  int flags = fcntl(fd, F_GETFD);
  return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int rf_seatbelt_spawn(const rf_backend_policy *policy, char *const *exec_argv,
                      const char *const *command, char *const *envp, rf_backend_child *child,
                      char *err, size_t err_len) {
  if (!command || !command[0] || !child) {
    rf_seatbelt_set_error(err, err_len, "seatbelt: no command to run");
    return -EINVAL;
  }
  if (exec_argv && (!exec_argv[0] || exec_argv[0][0] != '/')) {
    rf_seatbelt_set_error(err, err_len, "seatbelt: the sandbox program must be an absolute path");
    return -EINVAL;
  }
  if (!rf_seatbelt_path_valid(policy->cwd)) {
    rf_seatbelt_set_error(err, err_len, "seatbelt: working directory '%s' is not absolute",
                          policy->cwd ? policy->cwd : "(null)");
    return -EINVAL;
  }
  if (policy->n_pass_fds > MAX_PASS_FDS) {
    rf_seatbelt_set_error(err, err_len, "seatbelt: %zu descriptors to pass; at most %d",
                          policy->n_pass_fds, MAX_PASS_FDS);
    return -EINVAL;
  }
  for (size_t i = 0; i < policy->n_pass_fds; i++) {
    if (policy->pass_fds[i] < 0 || fcntl(policy->pass_fds[i], F_GETFD) < 0) {
      rf_seatbelt_set_error(err, err_len,
                            "seatbelt: descriptor %d to pass to the command is not open",
                            policy->pass_fds[i]);
      return -EBADF;
    }
  }

  supervise_state *state = calloc(1, sizeof *state);
  if (!state || !(state->cwd = strdup(policy->cwd)) ||
      !(state->program = strdup(exec_argv ? exec_argv[0] : command[0])) ||
      !(state->command = strdup(command[0]))) {
    state_free(state);
    rf_seatbelt_set_error(err, err_len, "seatbelt: out of memory");
    return -ENOMEM;
  }

  int report[2];
  if (pipe(report) < 0) {
    int e = errno;
    state_free(state);
    rf_seatbelt_set_error(err, err_len, "seatbelt: cannot create a pipe: %s", strerror(e));
    return -e;
  }
  set_cloexec(report[0]);
  set_cloexec(report[1]);

  /* No signal handler of the core may run in the child before exec. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = fork();
  if (pid == 0)
    child_main(policy, exec_argv, command, envp, report[1]);
  int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  close(report[1]);
  if (pid < 0) {
    close(report[0]);
    state_free(state);
    rf_seatbelt_set_error(err, err_len, "seatbelt: cannot fork: %s", strerror(fork_errno));
    return -fork_errno;
  }

  /* EOF: the exec happened.  A report: the child failed before it. */
  spawn_report got = {0};
  size_t have = 0;
  while (have < sizeof got) {
    ssize_t n = read(report[0], (char *)&got + have, sizeof got - have);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    have += (size_t)n;
  }
  close(report[0]);
  if (have == sizeof got)
    state->failure = got;

  child->pid = (long)pid;
  child->wait_fd = -1; /* no pidfd on macOS: child_wait polls */
  child->state = state;
  return 0;
}

static void describe_failure(const supervise_state *state, rf_backend_exit *exit_info) {
  const spawn_report *f = &state->failure;
  char message[1024];
  uint32_t stage = RF_EXIT_SETUP_FAILED;
  switch (f->step) {
  case STEP_SETSID:
    snprintf(message, sizeof message, "seatbelt: cannot start a new session: %s",
             strerror(f->err));
    break;
  case STEP_CHDIR:
    snprintf(message, sizeof message, "seatbelt: cannot enter the working directory %s: %s",
             state->cwd, strerror(f->err));
    break;
  case STEP_LOOKUP:
    stage = RF_EXIT_EXEC_FAILED;
    snprintf(message, sizeof message, "%s: %s", state->command,
             f->err == ENOENT ? "command not found" : strerror(f->err));
    break;
  case STEP_SIGNALS:
    snprintf(message, sizeof message, "seatbelt: cannot reset the signal mask: %s",
             strerror(f->err));
    break;
  case STEP_FDS:
    snprintf(message, sizeof message, "seatbelt: cannot pass descriptors to the command: %s",
             strerror(f->err));
    break;
  default:
    snprintf(message, sizeof message,
             "seatbelt: cannot execute %s: %s (it is part of macOS; is this a macOS host?)",
             state->program, strerror(f->err));
    break;
  }
  exit_info->stage = stage;
  if (RF_HAS_FIELD(exit_info, exec_errno))
    exit_info->exec_errno = stage == RF_EXIT_EXEC_FAILED ? f->err : 0;
  if (RF_HAS_FIELD(exit_info, message))
    snprintf(exit_info->message, sizeof exit_info->message, "%s", message);
}

static void record_exit(supervise_state *state, int status) {
  rf_backend_exit *r = &state->result;
  memset(r, 0, sizeof *r);
  r->size = sizeof *r;
  if (state->failure.step != STEP_NONE) {
    describe_failure(state, r);
  } else if (WIFSIGNALED(status)) {
    r->stage = RF_EXIT_COMMAND;
    r->signal = WTERMSIG(status);
  } else {
    r->stage = RF_EXIT_COMMAND;
    r->code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  }
  state->reaped = 1;
}

/* Copies the fields the caller's struct has room for. */
static void copy_exit(const rf_backend_exit *from, rf_backend_exit *to) {
  uint32_t size = to->size;
  size_t n = size < sizeof *from ? size : sizeof *from;
  if (n > sizeof(uint32_t))
    memcpy((char *)to + sizeof(uint32_t), (const char *)from + sizeof(uint32_t),
           n - sizeof(uint32_t));
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Has the command ended?  1: yes, reaped (status filled); 0: not yet;
 * negative errno on error.  Before reaping, the rest of its process group
 * is killed while the group id is still certainly ours: background jobs the
 * command left behind do not outlive it (processes that moved to another
 * group or session do; hence no process-containment guarantee).
 */
static int try_reap(pid_t pid, int block, int *status) {
  siginfo_t info;
  memset(&info, 0, sizeof info);
  int r = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT | (block ? 0 : WNOHANG));
  if (r < 0 && errno == EINVAL) {
    /* No WNOWAIT here: reap without the group cleanup. */
    pid_t got = waitpid(pid, status, block ? 0 : WNOHANG);
    return got == pid ? 1 : got == 0 ? 0 : -errno;
  }
  if (r < 0)
    return -errno;
  if (info.si_pid != pid)
    return 0;
  killpg(pid, SIGKILL);
  for (;;) {
    pid_t got = waitpid(pid, status, 0);
    if (got == pid)
      return 1;
    if (got < 0 && errno != EINTR)
      return -errno;
  }
}

int rf_seatbelt_child_wait(rf_backend_child *child, int timeout_ms, rf_backend_exit *exit_info) {
  supervise_state *state = child ? child->state : NULL;
  if (!state || !exit_info)
    return -EINVAL;
  if (!state->reaped) {
    long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
    long step_ms = 1;
    for (;;) {
      int status = 0;
      int r = try_reap((pid_t)child->pid, timeout_ms < 0, &status);
      if (r == -EINTR)
        continue;
      if (r < 0)
        return r;
      if (r == 1) {
        record_exit(state, status);
        break;
      }
      long long left = deadline - now_ms();
      if (timeout_ms == 0 || left <= 0) {
        rf_backend_exit running = {.size = sizeof running, .stage = RF_EXIT_RUNNING};
        copy_exit(&running, exit_info);
        return 0;
      }
      long sleep_ms = step_ms < left ? step_ms : (long)left;
      struct timespec ts = {.tv_sec = sleep_ms / 1000, .tv_nsec = (sleep_ms % 1000) * 1000000L};
      nanosleep(&ts, NULL);
      if (step_ms < 16)
        step_ms *= 2;
    }
  }
  copy_exit(&state->result, exit_info);
  return 0;
}

int rf_seatbelt_child_signal(rf_backend_child *child, int signum) {
  supervise_state *state = child ? child->state : NULL;
  if (!state)
    return -EINVAL;
  if (state->reaped)
    return -ESRCH;
  /* The whole process group, as a terminal would. */
  if (killpg((pid_t)child->pid, signum) == 0)
    return 0;
  return kill((pid_t)child->pid, signum) == 0 ? 0 : -errno;
}

int rf_seatbelt_child_kill(rf_backend_child *child) {
  supervise_state *state = child ? child->state : NULL;
  if (!state)
    return -EINVAL;
  if (state->reaped) /* its group was killed before it was reaped */
    return 0;
  killpg((pid_t)child->pid, SIGKILL);
  if (kill((pid_t)child->pid, SIGKILL) < 0 && errno != ESRCH)
    return -errno;
  return 0;
}

void rf_seatbelt_child_release(rf_backend_child *child) {
  if (!child)
    return;
  state_free(child->state);
  child->state = NULL;
}
