/* attack-special.c: rf-escape-attack's writes to special files (FIFOs, device nodes) by every way of opening them. */
#include "attack.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char payload[] = "RF-ESCAPE-PAYLOAD\n";

static void on_alarm(int sig) {
  (void)sig;
}

/* A blocking open of a FIFO with no reader would hang: an alarm ends it
 * with EINTR (no SA_RESTART). */
static int open_bounded(const char *path, int flags) {
  struct sigaction sa = {.sa_handler = on_alarm};
  sigaction(SIGALRM, &sa, NULL);
  alarm(2);
  int fd = open(path, flags | O_CLOEXEC, 0644);
  int saved = errno;
  alarm(0);
  errno = saved;
  return fd;
}

static void try_write(const char *variant, const char *path, int fd) {
  if (fd < 0) {
    rf_err("special-write", errno, "%s %s", variant, path);
    return;
  }
  ssize_t n = write(fd, payload, sizeof(payload) - 1);
  rf_result("special-write", n, "%s %s (write %s)", variant, path, n < 0 ? "failed" : "done");
  close(fd);
}

/* special-write PATH: open PATH (a FIFO or a device node) for writing in every
 * way there is, and write the payload through each descriptor obtained:
 * O_WRONLY, O_WRONLY|O_NONBLOCK, O_RDWR, O_WRONLY|O_CREAT and O_CREAT|O_TRUNC
 * (performed by ringfence-fs-proxy when the name guard is on), openat2, and
 * a read-only (O_NONBLOCK) descriptor reopened for writing through
 * /proc/self/fd/N and /dev/fd/N, with and without O_CREAT. */
static int op_special_write(char **a, int n) {
  (void)n;
  const char *path = a[0];
  static const struct {
    const char *name;
    int flags;
  } modes[] = {
      {"O_WRONLY", O_WRONLY},
      {"O_WRONLY|O_NONBLOCK", O_WRONLY | O_NONBLOCK},
      {"O_RDWR", O_RDWR},
      {"O_WRONLY|O_CREAT", O_WRONLY | O_CREAT},
      {"O_RDWR|O_CREAT|O_TRUNC", O_RDWR | O_CREAT | O_TRUNC},
  };
  for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
    try_write(modes[i].name, path, open_bounded(path, modes[i].flags));

  struct open_how how = {.flags = O_RDWR | O_CLOEXEC};
  long fd2 = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
  try_write("openat2(O_RDWR)", path, (int)fd2);

  int ro = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (ro < 0) {
    rf_info("special-write", "cannot open %s read-only to reopen it: %s", path, rf_errname(errno));
    return 0;
  }
  static const struct {
    const char *spelling;
    int flags;
  } reopen[] = {
      {"/proc/self/fd/%d", O_WRONLY | O_NONBLOCK},
      {"/proc/self/fd/%d", O_WRONLY | O_CREAT},
      {"/dev/fd/%d", O_RDWR},
      {"/dev/fd/%d", O_WRONLY | O_CREAT | O_TRUNC},
  };
  for (size_t i = 0; i < sizeof(reopen) / sizeof(reopen[0]); i++) {
    char via[64], variant[96];
    snprintf(via, sizeof(via), reopen[i].spelling, ro);
    snprintf(variant, sizeof(variant), "reopen %s flags 0%o of", via, (unsigned)reopen[i].flags);
    try_write(variant, path, open_bounded(via, reopen[i].flags));
  }
  close(ro);
  return 0;
}

const rf_op rf_special_ops[] = {
    {"special-write", 1, op_special_write,
     "PATH  open a FIFO or device node for writing every way (flags, openat2, /proc/self/fd "
     "reopen, O_CREAT) and write the payload"},
    {NULL, 0, NULL, NULL},
};
