/* notify-child.h: for the notification tests: a child process under a real seccomp notify filter whose listener a dispatcher in this process answers. */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "notify-decode.h"
#include "notify-dispatch.h"

typedef struct {
  pid_t pid;
  int channel; /* ours: the dispatcher takes it */
  int results; /* read end of the child's report pipe */
} notify_child;

/* The program of |ctx| (released) in memory. */
static inline struct sock_fprog notify_child_program(scmp_filter_ctx ctx) {
  struct sock_fprog prog = {0};
  int fd = memfd_create("notify-test", MFD_CLOEXEC);
  if (fd >= 0 && seccomp_export_bpf(ctx, fd) == 0) {
    off_t size = lseek(fd, 0, SEEK_END);
    prog.filter = malloc((size_t)size);
    if (prog.filter && pread(fd, prog.filter, (size_t)size, 0) == size)
      prog.len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
  }
  if (fd >= 0)
    close(fd);
  seccomp_release(ctx);
  return prog;
}

/* Forks a child that drops its capabilities, installs |prog| with a listener, hands it over ("PID
 * LISTENER\n", then waits for one byte, as the Landlock launcher does), runs
 * body(report_fd) and exits 0. */
static inline int notify_child_start(notify_child *c, const struct sock_fprog *prog,
                                     void (*body)(int report)) {
  int pair[2], pipefd[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0 || pipe2(pipefd, O_CLOEXEC) < 0)
    return -1;
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    close(pair[0]);
    close(pipefd[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* As a sandboxed command: no capabilities, no new privileges (a
     * supervisor thread without capabilities may then read its memory). */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || rf_notify_drop_thread_capabilities() < 0)
      _exit(90);
    int listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                                SECCOMP_FILTER_FLAG_NEW_LISTENER, prog);
    if (listener < 0)
      _exit(91);
    char line[32], ack;
    int len = snprintf(line, sizeof(line), "%d %d\n", (int)getpid(), listener);
    if (write(pair[1], line, (size_t)len) != len || read(pair[1], &ack, 1) != 1)
      _exit(92);
    close(listener);
    close(pair[1]);
    body(pipefd[1]);
    _exit(0);
  }
  close(pair[1]);
  close(pipefd[1]);
  c->pid = pid;
  c->channel = pair[0];
  c->results = pipefd[0];
  return 0;
}

/* The dispatcher's receive and ready hooks for such a child. */
static inline int notify_child_receive(void *ctx, rf_notify_dispatch *d, int channel, int *listener) {
  (void)ctx;
  (void)d;
  char line[64];
  ssize_t n = read(channel, line, sizeof(line) - 1);
  int pid, remote;
  if (n <= 0 || rf_decode_fd_pair(line, (size_t)n, &pid, &remote) < 0)
    return -1;
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  *listener = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, remote, 0);
  if (pidfd >= 0)
    close(pidfd);
  return *listener < 0 ? -1 : 0;
}

static inline int notify_child_ready(void *ctx, int channel) {
  (void)ctx;
  return write(channel, "A", 1) == 1 ? 0 : -1;
}

/* Reads the child's report: |n| ints (-1 each when it ended early). */
static inline void notify_child_report(notify_child *c, int *out, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (read(c->results, &out[i], sizeof(int)) != sizeof(int))
      out[i] = -1;
}

/* The child's exit status (after the report). */
static inline int notify_child_wait(notify_child *c) {
  int status = 0;
  while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
    ;
  close(c->results);
  return status;
}

static inline void report_int(int fd, int value) {
  if (write(fd, &value, sizeof(value)) != sizeof(value))
    _exit(93);
}

/* 0 or the errno of the last failed call. */
static inline int result_of(long rc) {
  return rc < 0 ? errno : 0;
}
