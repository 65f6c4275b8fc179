/* attack-proc.c: attacks on processes (signals, ptrace, process_vm_*, /proc of others),
 * the terminal (TIOCSTI, TIOCLINUX), SysV/POSIX IPC, and processes that try to outlive the
 * sandbox.  Also the host-side victim and IPC objects the runner sets up. */
#include "attack.h"

#include <dirent.h>
#include <sched.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef TIOCL_PASTESEL
#define TIOCL_PASTESEL 3
#endif

static pid_t parse_pid(const char *s) {
  return (pid_t)strtol(s, NULL, 10);
}

/* ---- signals ---- */

static int op_kill(char **a, int n) {
  (void)n;
  pid_t pid = parse_pid(a[0]);
  rf_result("kill", kill(pid, SIGKILL), "SIGKILL to pid %d", (int)pid);
  return 0;
}

/* SIGURG: ignored by default, so even a broadcast that escaped harms nothing;
 * the victim catches it and records who sent it. */
static int op_signal(char **a, int n) {
  (void)n;
  pid_t pid = parse_pid(a[0]);
  rf_result("kill-pid", kill(pid, SIGURG), "SIGURG to pid %d", (int)pid);
  rf_result("kill-pgrp", kill(-pid, SIGURG), "SIGURG to process group %d", (int)pid);
  rf_result("kill-all", kill(-1, SIGURG), "SIGURG to every process we may signal (kill -1)");
  rf_result("tgkill", syscall(SYS_tgkill, pid, pid, SIGURG), "SIGURG to thread %d", (int)pid);
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) {
    rf_err("pidfd_open", errno, "pid %d", (int)pid);
  } else {
    rf_result("pidfd_send_signal", syscall(SYS_pidfd_send_signal, pidfd, SIGURG, NULL, 0),
              "SIGURG via pidfd of %d", (int)pid);
    close(pidfd);
  }
  /* SIGIO-style delivery: make the host pid the owner of a pipe. */
  int p[2];
  if (pipe(p) == 0) {
    int rc = fcntl(p[0], F_SETOWN, pid);
    if (rc == 0) {
      fcntl(p[0], F_SETSIG, SIGURG);
      fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK);
      if (write(p[1], "x", 1) < 0) {
      }
      rf_ok("f_setown", "pipe owned by pid %d, SIGURG on input", (int)pid);
    } else {
      rf_err("f_setown", errno, "pid %d", (int)pid);
    }
    close(p[0]);
    close(p[1]);
  }
  return 0;
}

/* ---- ptrace and memory ---- */

static int op_ptrace(char **a, int n) {
  (void)n;
  pid_t pid = parse_pid(a[0]);
  if (ptrace(PTRACE_SEIZE, pid, 0, 0) == 0) {
    rf_ok("ptrace-seize", "pid %d", (int)pid);
    ptrace(PTRACE_DETACH, pid, 0, 0);
  } else {
    rf_err("ptrace-seize", errno, "pid %d", (int)pid);
  }
  if (ptrace(PTRACE_ATTACH, pid, 0, 0) == 0) {
    rf_ok("ptrace-attach", "pid %d", (int)pid);
    waitpid(pid, NULL, __WALL);
    ptrace(PTRACE_DETACH, pid, 0, 0);
  } else {
    rf_err("ptrace-attach", errno, "pid %d", (int)pid);
  }
  return 0;
}

static int op_vm_read(char **a, int n) {
  (void)n;
  pid_t pid = parse_pid(a[0]);
  uintptr_t addr = (uintptr_t)strtoull(a[1], NULL, 0);
  char buf[64] = "";
  struct iovec local = {buf, sizeof(buf) - 1}, remote = {(void *)addr, sizeof(buf) - 1};
  ssize_t got = process_vm_readv(pid, &local, 1, &remote, 1, 0);
  if (got < 0) {
    rf_err("process_vm_readv", errno, "pid %d at %#lx", (int)pid, (unsigned long)addr);
  } else {
    for (ssize_t i = 0; i < got; i++)
      if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
        buf[i] = '.';
    rf_ok("process_vm_readv", "pid %d at %#lx: %.*s", (int)pid, (unsigned long)addr, (int)got, buf);
  }
  /* The same through /proc/PID/mem. */
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    rf_err("proc-mem-read", errno, "%s", path);
  } else {
    ssize_t r = pread(fd, buf, sizeof(buf) - 1, (off_t)addr);
    if (r < 0) {
      rf_err("proc-mem-read", errno, "%s at %#lx", path, (unsigned long)addr);
    } else {
      for (ssize_t i = 0; i < r; i++)
        if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
          buf[i] = '.';
      rf_ok("proc-mem-read", "%s at %#lx: %.*s", path, (unsigned long)addr, (int)r, buf);
    }
    close(fd);
  }
  return 0;
}

static int op_vm_write(char **a, int n) {
  (void)n;
  pid_t pid = parse_pid(a[0]);
  uintptr_t addr = (uintptr_t)strtoull(a[1], NULL, 0);
  char data[] = "RF-PWNED";
  struct iovec local = {data, 8}, remote = {(void *)addr, 8};
  ssize_t w = process_vm_writev(pid, &local, 1, &remote, 1, 0);
  rf_result("process_vm_writev", w, "pid %d at %#lx", (int)pid, (unsigned long)addr);
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    rf_err("proc-mem-write", errno, "%s", path);
  } else {
    rf_result("proc-mem-write", pwrite(fd, data, 8, (off_t)addr), "%s at %#lx", path,
              (unsigned long)addr);
    close(fd);
  }
  return 0;
}

/* Whatever /proc/PID shows of a process outside. */
static int op_proc_peek(char **a, int n) {
  (void)n;
  pid_t pid = parse_pid(a[0]);
  const char *files[] = {"environ", "cmdline", "status"};
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    char path[64], buf[4096];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, files[i]);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      rf_err("proc-peek", errno, "%s", path);
      continue;
    }
    ssize_t got = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (got < 0) {
      rf_err("proc-peek", errno, "%s", path);
      continue;
    }
    for (ssize_t j = 0; j < got; j++)
      if ((unsigned char)buf[j] < 0x20 || (unsigned char)buf[j] > 0x7e)
        buf[j] = ' ';
    buf[got] = '\0';
    rf_ok("proc-peek", "%s: %.600s", path, buf);
  }
  const char *links[] = {"root", "cwd", "exe"};
  for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
    char path[64], target[PATH_MAX];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, links[i]);
    ssize_t len = readlink(path, target, sizeof(target) - 1);
    if (len < 0) {
      rf_err("proc-peek", errno, "readlink %s", path);
      continue;
    }
    target[len] = '\0';
    rf_ok("proc-peek", "%s -> %s", path, target);
  }
  return 0;
}

/* Scan every visible process for TOKEN in its environment or command line.
 * TOKEN arrives reversed, so that our own command line does not match. */
static int op_proc_scan(char **a, int n) {
  (void)n;
  size_t tlen = strlen(a[0]);
  char token[256];
  if (tlen >= sizeof(token))
    tlen = sizeof(token) - 1;
  for (size_t i = 0; i < tlen; i++)
    token[i] = a[0][tlen - 1 - i];
  token[tlen] = '\0';
  DIR *d = opendir("/proc");
  if (!d) {
    rf_err("proc-scan", errno, "/proc");
    return 0;
  }
  int visible = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9')
      continue;
    visible++;
    const char *files[] = {"environ", "cmdline"};
    for (int f = 0; f < 2; f++) {
      char path[300], buf[65536];
      snprintf(path, sizeof(path), "/proc/%s/%s", e->d_name, files[f]);
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        continue;
      ssize_t got = read(fd, buf, sizeof(buf) - 1);
      close(fd);
      if (got <= 0)
        continue;
      for (ssize_t j = 0; j < got; j++)
        if (!buf[j])
          buf[j] = ' ';
      buf[got] = '\0';
      if (strstr(buf, token))
        rf_ok("proc-scan", "pid %s shows the token in its %s", e->d_name, files[f]);
    }
  }
  closedir(d);
  rf_info("proc-scan", "%d processes visible", visible);
  return 0;
}

/* ---- the terminal ---- */

static void inject(int fd, const char *label, const char *text) {
  int plain = 0, high = 0;
  int plain_err = 0, high_err = 0;
  for (const char *c = text; *c; c++) {
    if (ioctl(fd, TIOCSTI, c) == 0)
      plain++;
    else
      plain_err = errno;
  }
  /* The same request with bits above 32 set: the kernel truncates it. */
  unsigned long req = (unsigned long)TIOCSTI | (1UL << 32) | (1UL << 63);
  for (const char *c = text; *c; c++) {
    if (syscall(SYS_ioctl, fd, req, c) == 0)
      high++;
    else
      high_err = errno;
  }
  if (plain)
    rf_ok("tiocsti", "%s: %d characters injected", label, plain);
  else
    rf_err("tiocsti", plain_err, "%s", label);
  if (high)
    rf_ok("tiocsti-highbits", "%s: %d characters injected (request %#lx)", label, high, req);
  else
    rf_err("tiocsti-highbits", high_err, "%s (request %#lx)", label, req);
  char sel[8] = {TIOCL_PASTESEL};
  rf_result("tioclinux", ioctl(fd, TIOCLINUX, sel), "%s: TIOCL_PASTESEL", label);
  sel[0] = TIOCL_PASTESEL;
  rf_result("tioclinux-highbits", syscall(SYS_ioctl, fd, (unsigned long)TIOCLINUX | (1UL << 32), sel),
            "%s: TIOCL_PASTESEL with high bits", label);
}

static int op_tty_inject(char **a, int n) {
  (void)n;
  const char *text = a[0];
  for (int fd = 0; fd <= 2; fd++) {
    char label[32];
    snprintf(label, sizeof(label), "fd %d", fd);
    if (!isatty(fd)) {
      rf_info("tty", "%s is not a terminal", label);
      continue;
    }
    inject(fd, label, text);
  }
  int tfd = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tfd < 0) {
    rf_err("dev-tty", errno, "open /dev/tty");
  } else {
    rf_ok("dev-tty", "opened /dev/tty");
    inject(tfd, "/dev/tty", text);
    close(tfd);
  }
  /* Become a session leader and try to take the terminal as controlling tty. */
  if (isatty(0)) {
    setsid();
    if (ioctl(0, TIOCSCTTY, 1) == 0) {
      rf_ok("tiocsctty", "took fd 0 as controlling terminal");
      inject(0, "fd 0 after TIOCSCTTY", text);
    } else {
      rf_err("tiocsctty", errno, "fd 0");
    }
  }
  return 0;
}

/* tty-grab TEXT: for a command whose stdio is not the terminal: get a handle
 * on the invoking terminal (plain, and through open(O_CREAT), which another
 * process may perform for us), then read what the user types, inject TEXT,
 * and resize it (SIGWINCH to the terminal's foreground processes). */
static int op_tty_grab(char **a, int n) {
  (void)n;
  int fds[2] = {open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC),
                open("/dev/tty", O_RDWR | O_NOCTTY | O_CREAT | O_CLOEXEC, 0644)};
  const char *labels[2] = {"dev-tty", "dev-tty-creat"};
  for (int i = 0; i < 2; i++) {
    if (fds[i] < 0) {
      rf_err(labels[i], errno, "open /dev/tty%s", i ? " with O_CREAT" : "");
      continue;
    }
    rf_ok(labels[i], "open /dev/tty%s gave a terminal handle", i ? " with O_CREAT" : "");
    struct pollfd p = {.fd = fds[i], .events = POLLIN};
    char buf[128];
    if (poll(&p, 1, 1000) > 0) {
      ssize_t got = read(fds[i], buf, sizeof(buf) - 1);
      if (got > 0) {
        buf[got] = '\0';
        for (ssize_t j = 0; j < got; j++)
          if ((unsigned char)buf[j] < 0x20)
            buf[j] = '.';
        rf_ok("tty-read", "read what the user typed: %s", buf);
      }
    }
    inject(fds[i], labels[i], a[0]);
    struct winsize ws;
    if (ioctl(fds[i], TIOCGWINSZ, &ws) == 0) {
      struct winsize bigger = ws;
      bigger.ws_row++;
      rf_result("tiocswinsz", ioctl(fds[i], TIOCSWINSZ, &bigger), "resized the terminal (SIGWINCH to its foreground group)");
      ioctl(fds[i], TIOCSWINSZ, &ws);
    }
  }
  for (int i = 0; i < 2; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  return 0;
}

static int op_dev_tty(char **a, int n) {
  (void)a;
  (void)n;
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    rf_err("dev-tty", errno, "open /dev/tty");
    return 0;
  }
  const char msg[] = "RF-DEV-TTY-WRITE\r\n";
  rf_result("dev-tty", write(fd, msg, sizeof(msg) - 1), "opened and wrote /dev/tty");
  close(fd);
  return 0;
}

/* ---- outliving the sandbox ---- */

static void heartbeat_loop(const char *file) {
  for (long i = 0; i < 3000; i++) { /* 300 s at most, even if nothing kills us */
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      char buf[64];
      int len = snprintf(buf, sizeof(buf), "%ld %d\n", i, (int)getpid());
      if (write(fd, buf, (size_t)len) < 0) {
      }
      close(fd);
    }
    usleep(100000);
  }
  _exit(0);
}

/* linger TOKEN HEARTBEAT MODE: leave a process behind that writes HEARTBEAT
 * every 100 ms.  TOKEN is only there so the host can find it in /proc.
 * MODE: background (a plain child), daemon (double fork, setsid, signals
 * ignored, descriptors closed), stay (like daemon, and the command itself
 * keeps running too). */
static int op_linger(char **a, int n) {
  (void)n;
  const char *mode = a[2];
  int daemonize = strcmp(mode, "background") != 0;
  /* Tell the host which mount namespace is ours, so that it can look for
   * anything (helpers included) left in it afterwards. */
  char ns[128], nsfile[PATH_MAX];
  ssize_t nslen = readlink("/proc/self/ns/mnt", ns, sizeof(ns) - 1);
  if (nslen > 0) {
    ns[nslen] = '\0';
    snprintf(nsfile, sizeof(nsfile), "%s.ns", a[1]);
    int nfd = open(nsfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (nfd >= 0) {
      if (write(nfd, ns, (size_t)nslen) < 0) {
      }
      close(nfd);
    }
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    rf_err("linger", errno, "fork");
    return 0;
  }
  if (pid == 0) {
    if (daemonize) {
      setsid();
      if (fork() != 0)
        _exit(0);
      sigset_t all;
      sigfillset(&all);
      sigprocmask(SIG_BLOCK, &all, NULL);
      for (int s = 1; s < 32; s++)
        signal(s, SIG_IGN);
      if (chdir("/") < 0) {
      }
      int devnull = open("/dev/null", O_RDWR);
      for (int fd = 0; fd <= 2; fd++)
        dup2(devnull, fd);
      for (int fd = 3; fd < 1024; fd++)
        if (fd != devnull)
          close(fd);
    }
    heartbeat_loop(a[1]);
  }
  if (daemonize)
    waitpid(pid, NULL, 0);
  rf_ok("linger", "left a %s process behind (token %s)", mode, a[0]);
  if (strcmp(mode, "stay") == 0) {
    for (int i = 0; i < 3000; i++)
      usleep(100000);
  }
  return 0;
}

/* sched PID [user]: what a process of the same user may change about another
 * one without signals or ptrace: its limits, nice value, CPU affinity,
 * scheduling class and I/O priority.  Mild values (nice 7, SCHED_IDLE/BATCH,
 * idle I/O class, limits of a process the runner started).  With "user", also
 * setpriority(PRIO_USER, 0) and ioprio_set(IOPRIO_WHO_USER, 0): every process
 * of the caller's uid (the runner asks for them only when not root). */
static int op_sched(char **a, int n) {
  if (n < 1)
    return 1;
  pid_t pid = parse_pid(a[0]);
  struct rlimit nofile = {3, 3}, cpu = {1, 1};
  rf_result("sched", prlimit(pid, RLIMIT_NOFILE, &nofile, NULL), "prlimit RLIMIT_NOFILE %d", pid);
  rf_result("sched", prlimit(pid, RLIMIT_CPU, &cpu, NULL), "prlimit RLIMIT_CPU %d", pid);
  rf_result("sched", setpriority(PRIO_PROCESS, (id_t)pid, 7), "setpriority PRIO_PROCESS %d", pid);
  rf_result("sched", setpriority(PRIO_PGRP, (id_t)pid, 7), "setpriority PRIO_PGRP %d", pid);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  rf_result("sched", sched_setaffinity(pid, sizeof(one), &one), "sched_setaffinity %d", pid);
  struct sched_param param = {0};
  rf_result("sched", sched_setscheduler(pid, SCHED_IDLE, &param), "sched_setscheduler %d", pid);
#ifdef SYS_ioprio_set
  rf_result("sched", syscall(SYS_ioprio_set, 1, pid, 3 << 13), "ioprio_set WHO_PROCESS %d", pid);
  rf_result("sched", syscall(SYS_ioprio_set, 2, pid, 3 << 13), "ioprio_set WHO_PGRP %d", pid);
#endif
  if (n > 1 && strcmp(a[1], "user") == 0) {
    rf_result("sched", setpriority(PRIO_USER, 0, 7), "setpriority PRIO_USER 0");
#ifdef SYS_ioprio_set
    rf_result("sched", syscall(SYS_ioprio_set, 3, 0, 2 << 13 | 7), "ioprio_set WHO_USER 0");
#endif
  }
  return 0;
}

/* ---- host-side helpers (run by the runner outside any sandbox) ---- */

static char victim_secret[64];

static const char *victim_out;

static void victim_on_urg(int sig, siginfo_t *si, void *ctx) {
  (void)sig;
  (void)ctx;
  char path[PATH_MAX], line[128];
  snprintf(path, sizeof(path), "%s.signals", victim_out);
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    int len = snprintf(line, sizeof(line), "SIGURG from pid %d code %d\n", (int)si->si_pid,
                       si->si_code);
    if (write(fd, line, (size_t)len) < 0) {
    }
    close(fd);
  }
}

static void victim_on_term(int sig) {
  (void)sig;
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s.memory", victim_out);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    if (write(fd, victim_secret, strlen(victim_secret)) < 0) {
    }
    close(fd);
  }
  _exit(0);
}

/* victim TOKEN OUTFILE: a host process to attack.  Writes "PID ADDRESS" of
 * its secret to OUTFILE, records SIGURGs to OUTFILE.signals and dumps its
 * secret to OUTFILE.memory on SIGTERM. */
static int op_victim(char **a, int n) {
  (void)n;
  snprintf(victim_secret, sizeof(victim_secret), "RF-SECRET-%s", a[0]);
  victim_out = a[1];
  struct sigaction sa = {.sa_sigaction = victim_on_urg, .sa_flags = SA_SIGINFO | SA_RESTART};
  sigaction(SIGURG, &sa, NULL);
  signal(SIGTERM, victim_on_term);
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof(tmp), "%s.tmp", a[1]);
  FILE *f = fopen(tmp, "we");
  if (!f) {
    rf_err("victim", errno, "%s", tmp);
    return 1;
  }
  fprintf(f, "%d %#lx\n", (int)getpid(), (unsigned long)(uintptr_t)victim_secret);
  fclose(f);
  rename(tmp, a[1]);
  for (int i = 0; i < 600; i++)
    usleep(500000);
  return 0;
}

/* ---- IPC: the sandbox has its own IPC namespace ---- */

static int op_mq_create(char **a, int n) {
  (void)n;
  struct mq_attr attr = {.mq_maxmsg = 4, .mq_msgsize = 64};
  mqd_t q = mq_open(a[0], O_CREAT | O_RDWR, 0666, &attr);
  rf_result("mq-create", q == (mqd_t)-1 ? -1 : 0, "%s", a[0]);
  return 0;
}

static int op_mq_send(char **a, int n) {
  (void)n;
  mqd_t q = mq_open(a[0], O_WRONLY | O_NONBLOCK);
  if (q == (mqd_t)-1) {
    rf_err("mq-send", errno, "mq_open %s", a[0]);
    return 0;
  }
  rf_result("mq-send", mq_send(q, "RF-ESCAPE", 9, 0), "%s", a[0]);
  mq_close(q);
  return 0;
}

static int op_mq_count(char **a, int n) {
  (void)n;
  mqd_t q = mq_open(a[0], O_RDONLY | O_NONBLOCK);
  if (q == (mqd_t)-1) {
    rf_err("mq-count", errno, "%s", a[0]);
    return 0;
  }
  struct mq_attr attr;
  mq_getattr(q, &attr);
  printf("RF OK mq-count %ld messages\n", (long)attr.mq_curmsgs);
  mq_close(q);
  mq_unlink(a[0]);
  return 0;
}

static int op_msg_create(char **a, int n) {
  (void)n;
  int id = msgget((key_t)strtol(a[0], NULL, 0), IPC_CREAT | 0666);
  rf_result("msg-create", id, "key %s", a[0]);
  return 0;
}

static int op_msg_send(char **a, int n) {
  (void)n;
  int id = msgget((key_t)strtol(a[0], NULL, 0), 0);
  if (id < 0) {
    rf_err("msg-send", errno, "msgget key %s", a[0]);
    return 0;
  }
  struct {
    long type;
    char text[16];
  } m = {1, "RF-ESCAPE"};
  rf_result("msg-send", msgsnd(id, &m, sizeof(m.text), IPC_NOWAIT), "key %s", a[0]);
  return 0;
}

static int op_msg_count(char **a, int n) {
  (void)n;
  int id = msgget((key_t)strtol(a[0], NULL, 0), 0);
  if (id < 0) {
    rf_err("msg-count", errno, "key %s", a[0]);
    return 0;
  }
  struct msqid_ds ds;
  msgctl(id, IPC_STAT, &ds);
  printf("RF OK msg-count %lu messages\n", (unsigned long)ds.msg_qnum);
  msgctl(id, IPC_RMID, NULL);
  return 0;
}

static int op_shm_create(char **a, int n) {
  (void)n;
  int id = shmget((key_t)strtol(a[0], NULL, 0), 4096, IPC_CREAT | 0666);
  if (id < 0) {
    rf_err("shm-create", errno, "key %s", a[0]);
    return 0;
  }
  char *p = shmat(id, NULL, 0);
  if (p != (void *)-1) {
    strcpy(p, "original");
    shmdt(p);
  }
  rf_ok("shm-create", "key %s", a[0]);
  return 0;
}

static int op_shm_write(char **a, int n) {
  (void)n;
  int id = shmget((key_t)strtol(a[0], NULL, 0), 0, 0);
  if (id < 0) {
    rf_err("shm-write", errno, "shmget key %s", a[0]);
    return 0;
  }
  char *p = shmat(id, NULL, 0);
  if (p == (void *)-1) {
    rf_err("shm-write", errno, "shmat key %s", a[0]);
    return 0;
  }
  strcpy(p, "RF-ESCAPE");
  shmdt(p);
  rf_ok("shm-write", "key %s", a[0]);
  return 0;
}

static int op_shm_read(char **a, int n) {
  (void)n;
  int id = shmget((key_t)strtol(a[0], NULL, 0), 0, 0);
  if (id < 0) {
    rf_err("shm-read", errno, "key %s", a[0]);
    return 0;
  }
  char *p = shmat(id, NULL, SHM_RDONLY);
  if (p != (void *)-1) {
    printf("RF OK shm-read %.32s\n", p);
    shmdt(p);
  }
  shmctl(id, IPC_RMID, NULL);
  return 0;
}

const rf_op rf_proc_ops[] = {
    {"kill", 1, op_kill, "PID  SIGKILL"},
    {"signal", 1, op_signal, "PID  SIGURG by kill, kill(-pgrp), kill(-1), tgkill, pidfd, F_SETOWN"},
    {"ptrace", 1, op_ptrace, "PID  PTRACE_SEIZE and PTRACE_ATTACH"},
    {"vm-read", 2, op_vm_read, "PID ADDR  process_vm_readv and /proc/PID/mem"},
    {"vm-write", 2, op_vm_write, "PID ADDR  process_vm_writev and /proc/PID/mem"},
    {"proc-peek", 1, op_proc_peek, "PID  read /proc/PID/{environ,cmdline,status,root,cwd,exe}"},
    {"proc-scan", 1, op_proc_scan, "TOKEN  find TOKEN in any visible process"},
    {"tty-inject", 1, op_tty_inject, "TEXT  TIOCSTI/TIOCLINUX on fds 0-2 and /dev/tty"},
    {"dev-tty", 0, op_dev_tty, "  open and write /dev/tty"},
    {"tty-grab", 1, op_tty_grab, "TEXT  /dev/tty (also via O_CREAT): read, inject, resize"},
    {"linger", 3, op_linger, "TOKEN HEARTBEAT MODE  background|daemon|stay"},
    {"sched", -1, op_sched, "PID [user]  prlimit, setpriority, sched_setaffinity/setscheduler, ioprio_set"},
    {"victim", 2, op_victim, "TOKEN OUTFILE  (host side) a process to attack"},
    {"mq-create", 1, op_mq_create, "/NAME  (host side)"},
    {"mq-send", 1, op_mq_send, "/NAME"},
    {"mq-count", 1, op_mq_count, "/NAME  (host side; removes it)"},
    {"msg-create", 1, op_msg_create, "KEY  (host side)"},
    {"msg-send", 1, op_msg_send, "KEY"},
    {"msg-count", 1, op_msg_count, "KEY  (host side; removes it)"},
    {"shm-create", 1, op_shm_create, "KEY  (host side)"},
    {"shm-write", 1, op_shm_write, "KEY"},
    {"shm-read", 1, op_shm_read, "KEY  (host side; removes it)"},
    {NULL, 0, NULL, NULL},
};
