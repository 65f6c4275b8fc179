/* process.c: spawning with an exact descriptor list, pidfds and waiting, for the Linux backends. */
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>


static int compare_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

static void close_range_or_loop(unsigned int first, unsigned int last) {
  if (syscall(SYS_close_range, first, last, 0) == 0)
    return;
  /* No close_range (kernel < 5.9): close one by one up to the limit. */
  long max = sysconf(_SC_OPEN_MAX);
  unsigned int end = (unsigned int)(max > 0 ? max : 65536);
  for (unsigned int fd = first; fd <= last && fd < end; fd++)
    close((int)fd);
}

void rf_close_all_but(const int *sorted_keep, size_t n) {
  unsigned int next = 3;
  for (size_t i = 0; i < n; i++) {
    if (sorted_keep[i] < 0 || (unsigned int)sorted_keep[i] < next)
      continue;
    if ((unsigned int)sorted_keep[i] > next)
      close_range_or_loop(next, (unsigned int)sorted_keep[i] - 1);
    next = (unsigned int)sorted_keep[i] + 1;
  }
  close_range_or_loop(next, ~0u);
}

typedef struct {
  const char *path;
  char *const *argv;
  char *const *envp;
  const int *keep;
  size_t n_keep;
  const int *sorted; /* |keep| ascending */
  int exec_errno;    /* written by the child when execve fails */
} spawn_args;

/* The child of rf_spawn: it shares the parent's memory (CLONE_VM) and runs
 * on its own stack while the parent is suspended (CLONE_VFORK), so it only
 * makes system calls, and reports an exec failure through |a|. */
void rf_child_reset_signals(void) {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++)
    sigaction(sig, &dfl, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

static int spawn_child(void *arg) {
  spawn_args *a = arg;
  rf_child_reset_signals();
  setpgid(0, 0);
  rf_close_all_but(a->sorted, a->n_keep);
  for (size_t i = 0; i < a->n_keep; i++) {
    int flags = fcntl(a->keep[i], F_GETFD);
    if (flags >= 0)
      fcntl(a->keep[i], F_SETFD, flags & ~FD_CLOEXEC);
  }
  execve(a->path, a->argv, a->envp);
  a->exec_errno = errno ? errno : ENOEXEC;
  _exit(127);
}

pid_t rf_spawn(const char *path, char *const argv[], char *const envp[], const int *keep,
               size_t n_keep, char *err, size_t err_len) {
  /* Everything the child needs is allocated before it exists. */
  const size_t stack_size = 64 * 1024;
  int *sorted = calloc(n_keep + 1, sizeof(int));
  char *stack = malloc(stack_size);
  if (!sorted || !stack) {
    free(sorted);
    free(stack);
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  memcpy(sorted, keep, n_keep * sizeof(int));
  qsort(sorted, n_keep, sizeof(int), compare_int);
  spawn_args args = {.path = path, .argv = argv, .envp = envp, .keep = keep,
                     .n_keep = n_keep, .sorted = sorted};
  /* No page tables to copy, as with posix_spawn: the parent (a process of
   * any size, maybe multi-threaded) waits until the child has exec'd.
   * Signals stay blocked until the child has reset every disposition, so
   * that no handler of the parent runs on the child's stack. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = clone(spawn_child, stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  int e = errno;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  free(sorted);
  free(stack);
  if (pid < 0) {
    snprintf(err, err_len, "cannot start %s: clone: %s", path, strerror(e));
    return -e;
  }
  if (args.exec_errno) {
    int status;
    waitpid(pid, &status, 0);
    snprintf(err, err_len, "cannot execute %s: %s", path, strerror(args.exec_errno));
    return -args.exec_errno;
  }
  return pid;
}

int rf_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0)
    fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
#else
  (void)pid;
  return -1;
#endif
}

int rf_wait_pid(pid_t pid, int pidfd, int timeout_ms, int *status) {
  if (timeout_ms >= 0 && pidfd >= 0) {
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    int rc;
    do
      rc = poll(&p, 1, timeout_ms);
    while (rc < 0 && errno == EINTR);
    if (rc == 0)
      return 0;
  }
  for (;;) {
    pid_t got = waitpid(pid, status, timeout_ms < 0 ? 0 : WNOHANG);
    if (got == pid)
      return 1;
    if (got == 0)
      return 0;
    if (errno != EINTR)
      return -errno;
  }
}

void rf_exit_from_status(rf_backend_exit *exit, int status) {
  exit->stage = RF_EXIT_COMMAND;
  if (WIFSIGNALED(status)) {
    exit->signal = WTERMSIG(status);
    exit->code = 128 + exit->signal;
  } else {
    exit->signal = 0;
    exit->code = WEXITSTATUS(status);
  }
}
