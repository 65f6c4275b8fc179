/* lifeline.c: the pipe that ties a bwrap sandbox's life to ringfence's (design in lifeline.h). */
#include "lifeline.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int rf_lifeline_open(rf_lifeline *lifeline, char *err, size_t err_len) {
  int ends[2];
  lifeline->read_fd = lifeline->write_fd = -1;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) < 0) {
    int e = errno;
    snprintf(err, err_len, "socketpair: %s", strerror(e));
    return -e;
  }
  struct stat st;
  if (fstat(ends[0], &st) < 0) {
    int e = errno;
    close(ends[0]);
    close(ends[1]);
    snprintf(err, err_len, "fstat on a socket: %s", strerror(e));
    return -e;
  }
  lifeline->read_fd = ends[0];
  lifeline->write_fd = ends[1];
  lifeline->inode = (unsigned long long)st.st_ino;
  return 0;
}

void rf_lifeline_pull(rf_lifeline *lifeline) {
  if (lifeline->write_fd < 0)
    return;
  /* MSG_NOSIGNAL: no SIGPIPE when init is gone; MSG_DONTWAIT: bytes already
   * waiting there are enough. */
  while (send(lifeline->write_fd, "X", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno == EINTR)
    ;
}

int rf_lifeline_held(const rf_lifeline *lifeline) {
  if (lifeline->write_fd < 0)
    return 0;
  /* A stream socket reports POLLHUP once its peer is closed by every holder. */
  struct pollfd p = {.fd = lifeline->write_fd, .events = 0};
  int rc;
  do
    rc = poll(&p, 1, 0);
  while (rc < 0 && errno == EINTR);
  return !(rc == 1 && (p.revents & POLLHUP));
}

/* Whether process |pid| holds the read end (its socket's inode) now. */
static int holds_read_end(const rf_lifeline *lifeline, const char *pid) {
  char dir_path[64], link[64], want[64];
  snprintf(dir_path, sizeof(dir_path), "/proc/%s/fd", pid);
  snprintf(want, sizeof(want), "socket:[%llu]", lifeline->inode);
  DIR *dir = opendir(dir_path);
  if (!dir)
    return 0;
  int found = 0;
  for (struct dirent *e; !found && (e = readdir(dir));) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9')
      continue;
    ssize_t n = readlinkat(dirfd(dir), e->d_name, link, sizeof(link) - 1);
    if (n <= 0)
      continue;
    link[n] = '\0';
    found = strcmp(link, want) == 0;
  }
  closedir(dir);
  return found;
}

/* The "PPid:" of /proc/PID/status (readable whatever the process's
 * dumpable flag), or -1. */
static pid_t parent_of(pid_t pid) {
  char path[64], text[1024];
  snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, text, sizeof(text) - 1);
  close(fd);
  if (n <= 0)
    return -1;
  text[n] = '\0';
  const char *line = strstr(text, "\nPPid:");
  return line ? (pid_t)strtol(line + strlen("\nPPid:"), NULL, 10) : -1;
}

int rf_lifeline_pidfd_of_holder(const rf_lifeline *lifeline, pid_t pid, pid_t parent) {
  if (pid <= 0 || pid == getpid())
    return -1;
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    return -1;
  fcntl(pidfd, F_SETFD, FD_CLOEXEC);
  char text[24];
  snprintf(text, sizeof(text), "%d", (int)pid);
  /* Checked after the pidfd exists: if the process is |parent|'s child or
   * holds the lifeline now, the pidfd names it, whatever happens to the
   * number later.  The descriptors of a process that is not dumpable (init
   * once it runs the command) cannot be listed by an unprivileged user; its
   * parent can always be read. */
  if (!(parent > 0 && parent_of(pid) == parent) && !holds_read_end(lifeline, text)) {
    close(pidfd);
    return -1;
  }
  return pidfd;
}

/* SIGKILLs every process holding the read end; returns how many. */
static int kill_holders(const rf_lifeline *lifeline) {
  DIR *proc = opendir("/proc");
  if (!proc)
    return 0;
  int killed = 0;
  for (struct dirent *e; (e = readdir(proc));) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9')
      continue;
    pid_t pid = (pid_t)strtol(e->d_name, NULL, 10);
    if (pid == getpid() || !holds_read_end(lifeline, e->d_name))
      continue;
    int pidfd = rf_lifeline_pidfd_of_holder(lifeline, pid, 0);
    if (pidfd >= 0) {
      syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
      close(pidfd);
      killed++;
    }
  }
  closedir(proc);
  return killed;
}

int rf_lifeline_clear(rf_lifeline *lifeline, int known_pidfd, int timeout_ms) {
  if (lifeline->read_fd >= 0) {
    close(lifeline->read_fd);
    lifeline->read_fd = -1;
  }
  if (!rf_lifeline_held(lifeline))
    return 0;
  rf_lifeline_pull(lifeline);
  if (known_pidfd >= 0)
    syscall(SYS_pidfd_send_signal, known_pidfd, SIGKILL, NULL, 0);
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (int round = 0;; round++) {
    /* Init reads the byte and ends the namespace by itself; a namespace
     * child that bwrap never released cannot: it is killed. */
    if (round > 0)
      kill_holders(lifeline);
    struct timespec pause = {.tv_sec = 0, .tv_nsec = round < 10 ? 1000000 : 10000000};
    nanosleep(&pause, NULL);
    if (!rf_lifeline_held(lifeline))
      return 0;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long elapsed_ms = (long long)(now.tv_sec - start.tv_sec) * 1000 +
                           (now.tv_nsec - start.tv_nsec) / 1000000;
    if (elapsed_ms > timeout_ms)
      return -ETIMEDOUT;
  }
}

void rf_lifeline_close(rf_lifeline *lifeline) {
  if (lifeline->read_fd >= 0)
    close(lifeline->read_fd);
  if (lifeline->write_fd >= 0)
    close(lifeline->write_fd);
  lifeline->read_fd = lifeline->write_fd = -1;
}
