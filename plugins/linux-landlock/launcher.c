/* launcher.c: the supervisor (subreaper) and the confined command process of a Landlock run (design in launcher.h). */
#include "launcher.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "landlock-abi.h"
#include "notify-listener.h"
#include "process.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

const char *rf_ll_step_name(int step) {
  switch (step) {
  case RF_LL_STEP_SUPERVISOR:
    return "starting the supervisor";
  case RF_LL_STEP_FORK:
    return "starting the command process";
  case RF_LL_STEP_SESSION:
    return "starting a new session (setsid)";
  case RF_LL_STEP_CWD:
    return "changing to the working directory";
  case RF_LL_STEP_NO_NEW_PRIVS:
    return "setting no_new_privs";
  case RF_LL_STEP_LANDLOCK:
    return "applying the Landlock ruleset (landlock_restrict_self)";
  case RF_LL_STEP_CAPABILITIES:
    return "dropping capabilities";
  case RF_LL_STEP_DESCRIPTORS:
    return "closing inherited descriptors";
  case RF_LL_STEP_NOTIFY:
    return "installing the socket notify filter";
  case RF_LL_STEP_SECCOMP:
    return "loading the seccomp filter";
  default:
    return "setting up the sandbox";
  }
}

/* ---- Preparation, in ringfence (may allocate) ---------------------------- */

static const char *env_get(char *const *envp, const char *name) {
  size_t n = strlen(name);
  for (char *const *e = envp; e && *e; e++)
    if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
      return *e + n + 1;
  return NULL;
}

int rf_ll_launch_prepare_exec(rf_ll_launch *launch) {
  const char *name = launch->argv[0];
  size_t argc = 0;
  while (launch->argv[argc])
    argc++;
  launch->shell_argv = calloc(argc + 2, sizeof(char *));
  if (!launch->shell_argv)
    return -ENOMEM;
  launch->shell_argv[0] = (char *)"/bin/sh";
  launch->shell_argv[1] = (char *)name; /* replaced by the candidate that said ENOEXEC */
  for (size_t i = 1; i < argc; i++)
    launch->shell_argv[i + 1] = launch->argv[i];

  if (strchr(name, '/')) {
    launch->exec_paths = calloc(2, sizeof(char *));
    if (!launch->exec_paths || !(launch->exec_paths[0] = strdup(name)))
      return -ENOMEM;
    return 0;
  }
  const char *path = env_get(launch->envp, "PATH");
  if (!path)
    path = "/usr/local/bin:/usr/bin:/bin";
  size_t n_dirs = 1;
  for (const char *p = path; *p; p++)
    n_dirs += *p == ':';
  launch->exec_paths = calloc(n_dirs + 1, sizeof(char *));
  if (!launch->exec_paths)
    return -ENOMEM;
  size_t k = 0;
  for (const char *p = path;;) {
    const char *colon = strchr(p, ':');
    size_t len = colon ? (size_t)(colon - p) : strlen(p);
    /* An empty entry means the current directory, as for execvp. */
    const char *dir = len ? p : ".";
    size_t dir_len = len ? len : 1;
    char *candidate = malloc(dir_len + strlen(name) + 2);
    if (!candidate)
      return -ENOMEM;
    memcpy(candidate, dir, dir_len);
    candidate[dir_len] = '/';
    strcpy(candidate + dir_len + 1, name);
    launch->exec_paths[k++] = candidate;
    if (!colon)
      break;
    p = colon + 1;
  }
  return 0;
}

static int compare_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

int rf_ll_launch_prepare_fds(rf_ll_launch *launch, int report_fd) {
  launch->keep_sorted = calloc(launch->n_pass_fds + 2, sizeof(int));
  if (!launch->keep_sorted)
    return -ENOMEM;
  size_t n = 0;
  for (size_t i = 0; i < launch->n_pass_fds; i++)
    if (launch->pass_fds[i] > 2)
      launch->keep_sorted[n++] = launch->pass_fds[i];
  launch->keep_sorted[n++] = report_fd;
  if (launch->notify_channel >= 0)
    launch->keep_sorted[n++] = launch->notify_channel;
  qsort(launch->keep_sorted, n, sizeof(int), compare_int);
  launch->n_keep = n;
  /* The command process's stack until execve (see supervisor_main). */
  launch->child_stack_size = 64 * 1024;
  launch->child_stack = malloc(launch->child_stack_size);
  return launch->child_stack ? 0 : -ENOMEM;
}

void rf_ll_launch_clear(rf_ll_launch *launch) {
  for (char **p = launch->exec_paths; p && *p; p++)
    free(*p);
  free(launch->exec_paths);
  free(launch->shell_argv);
  free(launch->keep_sorted);
  free(launch->child_stack);
  launch->child_stack = NULL;
  free(launch->seccomp.filter);
  free(launch->notify.filter);
  launch->exec_paths = launch->shell_argv = NULL;
  launch->keep_sorted = NULL;
  launch->seccomp.filter = launch->notify.filter = NULL;
}

/* ---- After fork: system calls only ---------------------------------------- */

static void write_record(int fd, int kind, int value, int step) {
  rf_ll_record record = {.kind = kind, .value = value, .step = step};
  ssize_t n;
  do
    n = write(fd, &record, sizeof(record));
  while (n < 0 && errno == EINTR);
}

/* Hands the listener to ringfence without sendmsg(), which the filter
 * just installed makes a notification (answered by the very supervisor that
 * does not have the listener yet): "PID LISTENER\n" on the channel, and
 * ringfence copies it out of this process with pidfd_getfd() while it waits
 * here for the answer (as ringfence-sandbox-init does under bwrap).  0, or
 * -1 when ringfence did not answer (it is gone: nothing may run). */
static size_t put_decimal(char *out, unsigned value) {
  char digits[12];
  size_t n = 0;
  do
    digits[n++] = (char)('0' + value % 10);
  while ((value /= 10) != 0);
  for (size_t i = 0; i < n; i++)
    out[i] = digits[n - 1 - i];
  return n;
}

static int hand_over_listener(int channel, int fd) {
  char line[32]; /* no stdio between fork and exec */
  ssize_t len = (ssize_t)put_decimal(line, (unsigned)getpid());
  line[len++] = ' ';
  len += (ssize_t)put_decimal(line + len, (unsigned)fd);
  line[len++] = '\n';
  ssize_t n;
  do
    n = write(channel, line, (size_t)len);
  while (n < 0 && errno == EINTR);
  if (n != len)
    return -1;
  char ack = 0;
  do
    n = read(channel, &ack, 1);
  while (n < 0 && errno == EINTR);
  return n == 1 && ack == 'A' ? 0 : -1;
}

static void drop_capabilities(void) {
  /* The bounding set needs CAP_SETPCAP: only root (or a capable caller) can
   * and needs to empty it; without it every drop is EPERM, so the first one
   * ends the loop (64 system calls fewer for a user).  EINVAL marks the end
   * of the known capabilities. */
  for (int cap = 0; cap < 64; cap++)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
      break;
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

static int clear_capability_sets(void) {
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  memset(data, 0, sizeof(data));
  return (int)syscall(SYS_capset, &header, data);
}

#define CHILD_FAIL(step)                                                                        \
  do {                                                                                          \
    write_record(report_fd, RF_LL_RECORD_SETUP, errno, (step));                                 \
    _exit(125);                                                                                 \
  } while (0)

static int is_path_search_errno(int e) {
  return e == ENOENT || e == ENOTDIR || e == ESTALE || e == ENODEV || e == ETIMEDOUT;
}

static __attribute__((noreturn)) void child_main(const rf_ll_launch *l, int report_fd,
                                                 pid_t supervisor) {
  /* 1. signals */
  rf_child_reset_signals();
  /* 2. session */
  if (setsid() < 0)
    CHILD_FAIL(RF_LL_STEP_SESSION);
  /* 3. dies with the supervisor */
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() != supervisor)
    _exit(125);
  /* 4. working directory */
  if (chdir(l->cwd) < 0)
    CHILD_FAIL(RF_LL_STEP_CWD);
  /* 5. no_new_privs: required by landlock_restrict_self and seccomp for an
   * unprivileged caller, and keeps set-user-ID programs from lifting it */
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    CHILD_FAIL(RF_LL_STEP_NO_NEW_PRIVS);
  /* 6. Landlock */
  int rc = rf_ll_restrict_self(l->ruleset_fd, l->restrict_flags);
  if (rc < 0) {
    errno = -rc;
    CHILD_FAIL(RF_LL_STEP_LANDLOCK);
  }
  close(l->ruleset_fd);
  /* 7. capabilities */
  drop_capabilities();
  if (clear_capability_sets() < 0)
    CHILD_FAIL(RF_LL_STEP_CAPABILITIES);
  /* 8. descriptors: inheritance is opt-in */
  for (size_t i = 0; i < l->n_pass_fds; i++)
    if (fcntl(l->pass_fds[i], F_SETFD, 0) < 0)
      CHILD_FAIL(RF_LL_STEP_DESCRIPTORS);
  rf_close_all_but(l->keep_sorted, l->n_keep);
  /* 9. the socket notify filter, whose listener goes to ringfence */
  if (l->notify.len > 0) {
    int listener = rf_notify_install_listener(&l->notify);
    if (listener < 0)
      CHILD_FAIL(RF_LL_STEP_NOTIFY);
    if (hand_over_listener(l->notify_channel, listener) < 0)
      CHILD_FAIL(RF_LL_STEP_NOTIFY);
    close(listener);
    close(l->notify_channel);
  }
  /* 10. seccomp: last, so that it never stands in the way of the steps above (none when it was
   * merged into the filter of step 9, whose hand-over it allows: seccomp-merge.h) */
  if (l->seccomp.len > 0 && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &l->seccomp) < 0)
    CHILD_FAIL(RF_LL_STEP_SECCOMP);
  /* 11. exec, trying PATH candidates the way execvp does */
  int saved = ENOENT, seen_eacces = 0;
  for (char **p = l->exec_paths; *p; p++) {
    execve(*p, l->argv, l->envp);
    int e = errno;
    if (e == ENOEXEC) {
      l->shell_argv[1] = *p;
      execve("/bin/sh", l->shell_argv, l->envp);
      saved = errno;
      seen_eacces = 0;
      break;
    }
    if (e == EACCES)
      seen_eacces = 1;
    else if (!is_path_search_errno(e)) {
      saved = e;
      seen_eacces = 0;
      break;
    }
    saved = e;
  }
  if (seen_eacces)
    saved = EACCES;
  write_record(report_fd, RF_LL_RECORD_EXEC, saved, 0);
  _exit(saved == ENOENT ? 127 : 126);
}

struct child_args {
  const rf_ll_launch *launch;
  int report_fd;
  pid_t supervisor;
};

static int child_entry(void *arg) {
  struct child_args *args = arg;
  child_main(args->launch, args->report_fd, args->supervisor);
}

/* ---- The supervisor -------------------------------------------------------- */

static size_t format_uint(char *out, unsigned long value) {
  char digits[24];
  size_t n = 0;
  do {
    digits[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value);
  for (size_t i = 0; i < n; i++)
    out[i] = digits[n - 1 - i];
  out[n] = '\0';
  return n;
}

/*
 * Killing the tree needs no new descriptor: the supervisor opens what it
 * reads before the command starts (the command could otherwise starve it,
 * e.g. with a lowered RLIMIT_NOFILE, which @other-processes now refuses too)
 * and re-reads it from offset 0 each round.
 */
typedef struct {
  int children_fd; /* /proc/self/task/<self>/children, or -1 without CONFIG_PROC_CHILDREN */
  int proc_fd;     /* /proc, for the scan when there is no children file */
} tree_handles;

static void open_tree_handles(pid_t self, tree_handles *h) {
  char path[64] = "/proc/self/task/";
  size_t n = strlen(path);
  n += format_uint(path + n, (unsigned long)self);
  memcpy(path + n, "/children", sizeof("/children"));
  h->children_fd = open(path, O_RDONLY | O_CLOEXEC);
  h->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* SIGKILLs every child of this (single-threaded) process, as listed in the
 * children file (a seq_file: pread from 0 lists the children now).  Returns
 * -1 when there is no such file. */
static int kill_children_listed(int fd) {
  if (fd < 0)
    return -1;
  char buf[512];
  long pid = -1;
  off_t offset = 0;
  for (;;) {
    ssize_t got = pread(fd, buf, sizeof(buf), offset);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      return -1;
    if (got == 0)
      break;
    offset += got;
    for (ssize_t i = 0; i < got; i++) {
      if (buf[i] >= '0' && buf[i] <= '9') {
        pid = (pid < 0 ? 0 : pid * 10) + (buf[i] - '0');
      } else if (pid >= 0) {
        kill((pid_t)pid, SIGKILL);
        pid = -1;
      }
    }
  }
  if (pid > 0)
    kill((pid_t)pid, SIGKILL);
  return 0;
}

struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

/* The same by scanning /proc/<pid>/stat for our pid as parent (opens one
 * stat file at a time below the /proc descriptor opened beforehand). */
static void kill_children_scanned(int dir, pid_t self) {
  if (dir < 0 || lseek(dir, 0, SEEK_SET) < 0)
    return;
  char entries[4096];
  for (;;) {
    long got = syscall(SYS_getdents64, dir, entries, sizeof(entries));
    if (got <= 0)
      break;
    for (long off = 0; off < got;) {
      struct linux_dirent64 *d = (struct linux_dirent64 *)(entries + off);
      off += d->d_reclen;
      if (d->d_name[0] < '1' || d->d_name[0] > '9')
        continue;
      char path[64];
      size_t len = strlen(d->d_name);
      if (len > 20)
        continue;
      memcpy(path, d->d_name, len);
      memcpy(path + len, "/stat", sizeof("/stat"));
      int fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        continue;
      char stat[512];
      ssize_t n = read(fd, stat, sizeof(stat) - 1);
      close(fd);
      if (n <= 0)
        continue;
      stat[n] = '\0';
      /* "pid (comm) S ppid ...": comm may hold anything, so look after the last ')'. */
      char *close_paren = strrchr(stat, ')');
      if (!close_paren || close_paren[1] != ' ' || !close_paren[2] || close_paren[3] != ' ')
        continue;
      long ppid = 0;
      for (char *p = close_paren + 4; *p >= '0' && *p <= '9'; p++)
        ppid = ppid * 10 + (*p - '0');
      if (ppid == self) {
        long pid = 0;
        for (const char *p = d->d_name; *p; p++)
          pid = pid * 10 + (*p - '0');
        kill((pid_t)pid, SIGKILL);
      }
    }
  }
}

/* Kills and reaps every descendant.  Each round kills the current children
 * (descendants are re-parented to us as their parents die) and reaps one;
 * a process with SIGKILL pending cannot complete a fork, so this ends. */
static void kill_all(const tree_handles *h, pid_t self, pid_t command, int *status,
                     int *have_status) {
  for (;;) {
    if (kill_children_listed(h->children_fd) < 0)
      kill_children_scanned(h->proc_fd, self);
    int st = 0;
    pid_t got = waitpid(-1, &st, __WALL);
    if (got < 0) {
      if (errno == EINTR)
        continue;
      break; /* ECHILD: nothing left */
    }
    if (got == command && !*have_status) {
      *status = st;
      *have_status = 1;
    }
  }
}

static __attribute__((noreturn)) void supervisor_main(const rf_ll_launch *l, int report_fd,
                                                      pid_t parent) {
  /* Every signal is blocked (ringfence blocked them around fork); the ones
   * below are taken with sigwaitinfo.  ringfence's death arrives as SIGUSR1. */
  if (prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0) < 0 || getppid() != parent)
    _exit(0);
  /* Only ringfence may hold its end of the listener's channel: the command
   * waits there for its answer (hand_over_listener) while this process is
   * suspended in the vfork, and ringfence's death must end that wait. */
  if (l->ringfence_channel >= 0)
    close(l->ringfence_channel);
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
    write_record(report_fd, RF_LL_RECORD_SETUP, errno, RF_LL_STEP_SUPERVISOR);
    _exit(0);
  }
  /* Out of the terminal's foreground group: ^C reaches the command once,
   * through ringfence's forwarding, not twice. */
  setpgid(0, 0);
  struct sigaction dfl;
  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGCHLD, &dfl, NULL); /* an inherited SIG_IGN would auto-reap */

  pid_t self = getpid();
  /* Opened before the command exists, so that nothing it does can keep the
   * supervisor from listing (and killing) what it leaves behind. */
  tree_handles tree;
  open_tree_handles(self, &tree);
  /* The command process shares the supervisor's memory until it execs
   * (CLONE_VM | CLONE_VFORK, as posix_spawn does): no page tables to copy.
   * It runs on its own stack and only makes system calls; the supervisor
   * is suspended meanwhile, so errno and the report pipe are not contended. */
  struct child_args args = {.launch = l, .report_fd = report_fd, .supervisor = self};
  pid_t command = clone(child_entry, l->child_stack + l->child_stack_size,
                        CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  if (command < 0) {
    write_record(report_fd, RF_LL_RECORD_SETUP, errno, RF_LL_STEP_FORK);
    _exit(0);
  }
  write_record(report_fd, RF_LL_RECORD_PID, (int)command, 0);
  /* The supervisor needs nothing of ringfence's: keep only the report pipe,
   * so that it holds no pipe or file of the host open longer than the run. */
  int keep[3] = {report_fd, tree.children_fd, tree.proc_fd};
  for (int i = 1; i < 3; i++) /* ascending, without qsort (no allocation after fork) */
    for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
      int t = keep[j];
      keep[j] = keep[j - 1];
      keep[j - 1] = t;
    }
  rf_close_all_but(keep, 3); /* -1 entries are skipped */

  sigset_t wanted;
  sigemptyset(&wanted);
  sigaddset(&wanted, SIGCHLD);
  sigaddset(&wanted, SIGINT);
  sigaddset(&wanted, SIGTERM);
  sigaddset(&wanted, SIGHUP);
  sigaddset(&wanted, SIGQUIT);
  sigaddset(&wanted, SIGUSR1);
  int status = 0, have_status = 0;
  while (!have_status) {
    siginfo_t info;
    int sig = sigwaitinfo(&wanted, &info);
    if (sig < 0)
      continue;
    if (sig == SIGCHLD) {
      int st = 0;
      pid_t got;
      while ((got = waitpid(-1, &st, WNOHANG | __WALL)) > 0)
        if (got == command) {
          status = st;
          have_status = 1;
        }
    } else if (sig == SIGUSR1) {
      break; /* kill everything now */
    } else {
      if (kill(-command, sig) < 0)
        kill(command, sig);
    }
  }
  kill_all(&tree, self, command, &status, &have_status);
  write_record(report_fd, RF_LL_RECORD_STATUS, status, 0);
  _exit(0);
}

pid_t rf_ll_launch_start(const rf_ll_launch *launch, int report_fd) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0)
    supervisor_main(launch, report_fd, parent);
  int saved = errno;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return pid < 0 ? -saved : pid;
}
