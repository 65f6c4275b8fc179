/* notify-target.c: acting on the process behind a seccomp notification (shared by both Linux supervisors). */
#include "notify-target.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int rf_notif_id_valid(int listener, uint64_t id) {
  return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

int rf_target_pidfd(pid_t tid) {
  int fd = (int)syscall(SYS_pidfd_open, tid, O_EXCL /* PIDFD_THREAD, Linux 6.9 */);
  if (fd >= 0 || errno == ESRCH)
    return fd;
  fd = (int)syscall(SYS_pidfd_open, tid, 0);
  if (fd >= 0 || errno != EINVAL)
    return fd;
  char path[64], buf[1024];
  snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
  int status = open(path, O_RDONLY | O_CLOEXEC);
  if (status < 0)
    return -1;
  ssize_t n = read(status, buf, sizeof(buf) - 1);
  close(status);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  const char *tgid = strstr(buf, "\nTgid:");
  if (!tgid)
    return -1;
  return (int)syscall(SYS_pidfd_open, (pid_t)strtol(tgid + 6, NULL, 10), 0);
}

int rf_target_copy_fd(const struct seccomp_notif *req, int listener, int target_fd) {
  int pidfd = rf_target_pidfd((pid_t)req->pid);
  if (pidfd < 0)
    return -ESRCH;
  if (!rf_notif_id_valid(listener, req->id)) {
    close(pidfd);
    return -ESRCH;
  }
  int fd = (int)syscall(SYS_pidfd_getfd, pidfd, target_fd, 0);
  int saved = errno;
  close(pidfd);
  if (fd < 0)
    return saved == EBADF ? -EBADF : -EPERM;
  return fd;
}

int rf_target_read(pid_t pid, uint64_t addr, void *out, size_t len) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  ssize_t n = pread(fd, out, len, (off_t)addr);
  int saved = errno;
  close(fd);
  if (n < 0)
    return -saved;
  return n == (ssize_t)len ? 0 : -EFAULT;
}

int rf_target_open(pid_t pid, const char *path, int flags) {
  char link[64];
  snprintf(link, sizeof(link), "/proc/%d/%s", (int)pid, path[0] == '/' ? "root" : "cwd");
  int base = open(link, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (base < 0)
    return -errno;
  struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
                         .resolve = path[0] == '/' ? RESOLVE_IN_ROOT : 0};
  int fd = (int)syscall(SYS_openat2, base, path, &how, sizeof(how));
  int saved = errno;
  close(base);
  return fd < 0 ? -saved : fd;
}

int rf_connect_retry(int sock, const struct sockaddr *addr, socklen_t len) {
  int rc;
  do
    rc = connect(sock, addr, len);
  while (rc < 0 && errno == EINTR);
  return rc < 0 ? -errno : 0;
}
