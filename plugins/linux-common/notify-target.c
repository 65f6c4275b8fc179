/* notify-target.c: acting on the process behind a seccomp notification (shared by both Linux supervisors). */
#include "notify-target.h"

#include <errno.h>
#include <sys/un.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "notify-decode.h"
#include "notify-resources.h"

int rf_notif_id_valid(int listener, uint64_t id) {
  return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

int rf_target_attach(rf_target *t, int listener, const struct seccomp_notif *req) {
  t->proc = t->mem = -1;
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d", (int)req->pid);
  t->proc = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (t->proc < 0)
    return rf_notify_own_failure(errno, ESRCH); /* ENOENT: the caller is gone */
  /* Opened first, checked second: see notify-target.h. */
  if (!rf_notif_id_valid(listener, req->id)) {
    rf_target_detach(t);
    return -ESRCH;
  }
  return 0;
}

void rf_target_detach(rf_target *t) {
  if (t->mem >= 0)
    close(t->mem);
  if (t->proc >= 0)
    close(t->proc);
  t->proc = t->mem = -1;
}

int rf_target_read(rf_target *t, uint64_t addr, void *out, size_t len) {
  if (len == 0)
    return 0;
  if (t->mem < 0 && (t->mem = openat(t->proc, "mem", O_RDONLY | O_CLOEXEC)) < 0)
    return errno == ENOENT || errno == ESRCH ? -ESRCH : rf_notify_own_failure(errno, EFAULT);
  if (addr > (uint64_t)INT64_MAX - len)
    return -EFAULT; /* pread's offset is signed */
  ssize_t n = pread(t->mem, out, len, (off_t)addr);
  return n == (ssize_t)len ? 0 : -EFAULT;
}

int rf_target_read_string(rf_target *t, uint64_t addr, char *out, size_t cap) {
  size_t got = 0;
  while (got < cap) {
    size_t page_left = 4096 - ((addr + got) & 4095);
    size_t want = cap - got < page_left ? cap - got : page_left;
    int rc = rf_target_read(t, addr + got, out + got, want);
    if (rc < 0)
      return rc;
    if (rf_decode_string(out + got, want) >= 0)
      return 0;
    got += want;
  }
  return -ENAMETOOLONG;
}

int rf_target_write(rf_target *t, int listener, uint64_t id, uint64_t addr, const void *in,
                    size_t len) {
  int mem = openat(t->proc, "mem", O_WRONLY | O_CLOEXEC);
  if (mem < 0)
    return rf_notify_own_failure(errno, ESRCH);
  int rc = 0;
  /* Right before the write: the descriptor is the caller's memory (it was
   * opened below the checked /proc/TID), and the caller still waits. */
  if (!rf_notif_id_valid(listener, id))
    rc = -ESRCH;
  else if (addr > (uint64_t)INT64_MAX - len || pwrite(mem, in, len, (off_t)addr) != (ssize_t)len)
    rc = -EFAULT;
  close(mem);
  return rc;
}

static int open_below(int base, const char *path, int flags, uint64_t resolve) {
  struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = resolve};
  int fd = (int)syscall(SYS_openat2, base, path, &how, sizeof(how));
  /* EMFILE is our table's, not the caller's: the caller's open would not fail so. */
  return fd >= 0 ? fd : errno == EMFILE ? RF_NOTIFY_SHORT : -errno;
}

int rf_target_open(rf_target *t, const char *path, int flags) {
  return rf_target_open_at(t, AT_FDCWD, path, flags);
}

int rf_target_open_at(rf_target *t, int dirfd, const char *path, int flags) {
  char link[32];
  if (path[0] == '/')
    snprintf(link, sizeof(link), "root");
  else if (dirfd == AT_FDCWD)
    snprintf(link, sizeof(link), "cwd");
  else if (dirfd < 0)
    return -EBADF;
  else
    snprintf(link, sizeof(link), "fd/%d", dirfd);
  int base = openat(t->proc, link, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (base < 0 && errno == EMFILE)
    return RF_NOTIFY_SHORT;
  if (base < 0)
    return errno == ENOENT && dirfd != AT_FDCWD && path[0] != '/' ? -EBADF : -errno;
  int fd = open_below(base, path, flags, path[0] == '/' ? RESOLVE_IN_ROOT : 0);
  close(base);
  return fd;
}

int rf_target_cwd(rf_target *t) {
  int fd = openat(t->proc, "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
  return fd >= 0 ? fd : errno == EMFILE ? RF_NOTIFY_SHORT : -errno;
}

ssize_t rf_target_status(rf_target *t, char *buf, size_t cap) {
  if (cap == 0)
    return -EINVAL;
  int fd = openat(t->proc, "status", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return rf_notify_own_failure(errno, ESRCH);
  size_t got = 0;
  while (got + 1 < cap) {
    ssize_t n = read(fd, buf + got, cap - 1 - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  close(fd);
  buf[got] = '\0';
  return (ssize_t)got;
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

int rf_target_pidfd_checked(int listener, const struct seccomp_notif *req) {
  int pidfd = rf_target_pidfd((pid_t)req->pid);
  if (pidfd < 0)
    return rf_notify_own_failure(errno, ESRCH);
  if (!rf_notif_id_valid(listener, req->id)) {
    close(pidfd);
    return -ESRCH;
  }
  return pidfd;
}

int rf_target_copy_fd(const struct seccomp_notif *req, int listener, int target_fd) {
  int pidfd = rf_target_pidfd_checked(listener, req);
  if (pidfd < 0)
    return pidfd;
  int fd = (int)syscall(SYS_pidfd_getfd, pidfd, target_fd, 0);
  int saved = errno;
  close(pidfd);
  if (fd < 0)
    return saved == EBADF ? -EBADF : saved == ESRCH ? -ESRCH : rf_notify_own_failure(saved, EPERM);
  return fd;
}

int rf_connect_retry(int sock, const struct sockaddr *addr, socklen_t len) {
  int rc;
  do
    rc = connect(sock, addr, len);
  while (rc < 0 && errno == EINTR);
  return rc < 0 ? -errno : 0;
}

int rf_connect_for_caller(int listener, uint64_t id, int sock, int target,
                          const struct sockaddr *addr, socklen_t len) {
  if (!rf_notif_id_valid(listener, id))
    return -ESRCH;
  if (target < 0)
    return rf_connect_retry(sock, addr, len);
  struct sockaddr_un via = {.sun_family = AF_UNIX};
  snprintf(via.sun_path, sizeof(via.sun_path), "/proc/thread-self/fd/%d", target);
  return rf_connect_retry(sock, (struct sockaddr *)&via, sizeof(via));
}

/* The soft RLIMIT_NOFILE from /proc/TID/limits ("Max open files  SOFT  HARD  files"):
 * the value, ULLONG_MAX for "unlimited", or -errno. */
static int read_nofile_limit(rf_target *t, unsigned long long *soft) {
  int fd = openat(t->proc, "limits", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return rf_notify_own_failure(errno, ESRCH);
  char text[4096];
  size_t got = 0;
  for (;;) {
    ssize_t n = read(fd, text + got, sizeof(text) - 1 - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  close(fd);
  text[got] = '\0';
  const char *line = strstr(text, "\nMax open files");
  if (!line)
    return -ESRCH;
  const char *value = line + strlen("\nMax open files");
  while (*value == ' ')
    value++;
  if (strncmp(value, "unlimited", 9) == 0) {
    *soft = ~0ull;
    return 0;
  }
  char *end = NULL;
  *soft = strtoull(value, &end, 10);
  return end != value ? 0 : -ESRCH;
}

struct fd_dirent {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

int rf_target_fd_room(rf_target *t) {
  unsigned long long soft;
  int rc = read_nofile_limit(t, &soft);
  if (rc < 0)
    return rc;
  int dir = openat(t->proc, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return rf_notify_own_failure(errno, ESRCH);
  /* The kernel lists the open descriptors in ascending order: the first
   * number that skips one is a free slot. */
  unsigned long long next = 0;
  int room = -1;
  static __thread _Alignas(struct fd_dirent) char entries[8192];
  while (room < 0) {
    long got = syscall(SYS_getdents64, dir, entries, sizeof(entries));
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      room = rf_notify_own_failure(errno, ESRCH);
      break;
    }
    if (got == 0) {
      room = next < soft;
      break;
    }
    for (long off = 0; off < got && room < 0;) {
      const struct fd_dirent *d = (const struct fd_dirent *)(entries + off);
      off += d->d_reclen;
      if (d->d_name[0] < '0' || d->d_name[0] > '9')
        continue;
      unsigned long long fd = strtoull(d->d_name, NULL, 10);
      if (fd >= soft)
        room = 0; /* every number below the limit is taken */
      else if (fd > next)
        room = 1;
      else
        next = fd + 1;
    }
  }
  close(dir);
  return room;
}
