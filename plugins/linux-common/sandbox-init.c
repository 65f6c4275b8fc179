/* sandbox-init.c: ringfence-sandbox-init, the last step inside a Linux sandbox before the command runs.
 *
 * Started by a Linux backend inside the sandbox (by bwrap, or by the Landlock
 * launcher), it:
 *   1. tells the backend it is running (so a later failure is the command's);
 *   2. sets no_new_privs and loads the seccomp program read from --seccomp-fd;
 *   3. execs the command, and on failure reports errno so that ringfence
 *      exits 126 or 127 like a shell would.
 * It links nothing but libc, so that it adds as little as possible to start-up.
 *
 * Status protocol on --status-fd (close-on-exec, so a successful exec closes it):
 *   "S"            the sandbox is up and init started
 *   "E" + int      exec of the command failed with that errno
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void die(const char *what) {
  fprintf(stderr, "ringfence-sandbox-init: %s: %s\n", what, strerror(errno));
  _exit(125);
}

static int parse_fd(const char *text) {
  char *end = NULL;
  long value = strtol(text, &end, 10);
  if (!*text || *end || value < 0 || value > 1 << 20) {
    fprintf(stderr, "ringfence-sandbox-init: bad descriptor '%s'\n", text);
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

static void load_seccomp(int fd) {
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
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0)
    die("loading the seccomp filter");
  free(filter);
}

int main(int argc, char **argv) {
  int status_fd = -1, seccomp_fd = -1;
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "ringfence-sandbox-init: %s needs a value\n", argv[i]);
      return 125;
    }
    if (strcmp(argv[i], "--status-fd") == 0)
      status_fd = parse_fd(argv[++i]);
    else if (strcmp(argv[i], "--seccomp-fd") == 0)
      seccomp_fd = parse_fd(argv[++i]);
    else {
      fprintf(stderr, "ringfence-sandbox-init: unknown option %s\n", argv[i]);
      return 125;
    }
  }
  if (i >= argc) {
    fprintf(stderr, "usage: ringfence-sandbox-init [--status-fd N] [--seccomp-fd N] -- COMMAND "
                    "[ARG]...\n(started by ringfence inside a sandbox, not by hand)\n");
    return 125;
  }
  if (status_fd >= 0) {
    fcntl(status_fd, F_SETFD, FD_CLOEXEC);
    write_all(status_fd, "S", 1);
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    die("setting no_new_privs");
  if (seccomp_fd >= 0)
    load_seccomp(seccomp_fd);

  execvp(argv[i], &argv[i]);
  int saved = errno;
  if (status_fd >= 0) {
    char report[1 + sizeof(int)];
    report[0] = 'E';
    memcpy(report + 1, &saved, sizeof(int));
    write_all(status_fd, report, sizeof(report));
  }
  fprintf(stderr, "ringfence: %s: %s\n", argv[i], strerror(saved));
  return saved == ENOENT ? 127 : 126;
}
