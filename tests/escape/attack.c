/* attack.c: rf-escape-attack main program, reporting helpers, filesystem and descriptor attacks.
 *
 * Usage: rf-escape-attack OP ARG... [OP ARG...]...
 * Operations take a fixed number of arguments, so several can be chained in
 * one run; "help" lists them.  See attack.h for the output protocol.
 */
#include "attack.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <dirent.h>
#include <unistd.h>

static const char payload[] = "RF-ESCAPE-PAYLOAD\n";

const char *rf_errname(int err) {
  const char *name = strerrorname_np(err);
  return name ? name : "E?";
}

static void vreport(const char *verdict, const char *op, const char *extra, const char *fmt,
                    va_list ap) {
  char detail[1024];
  vsnprintf(detail, sizeof(detail), fmt ? fmt : "", ap);
  for (char *p = detail; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  printf("RF %s %s%s%s %s\n", verdict, op, extra ? " " : "", extra ? extra : "", detail);
  fflush(stdout);
}

void rf_ok(const char *op, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport("OK", op, NULL, fmt, ap);
  va_end(ap);
}

void rf_err(const char *op, int err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport("ERR", op, rf_errname(err), fmt, ap);
  va_end(ap);
}

void rf_info(const char *op, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport("INFO", op, NULL, fmt, ap);
  va_end(ap);
}

void rf_sig(const char *op, int sig, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char name[32];
  snprintf(name, sizeof(name), "SIG%s", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
  vreport("SIG", op, name, fmt, ap);
  va_end(ap);
}

void rf_result(const char *op, long rc, const char *fmt, ...) {
  int saved = errno;
  va_list ap;
  va_start(ap, fmt);
  if (rc >= 0)
    vreport("OK", op, NULL, fmt, ap);
  else
    vreport("ERR", op, rf_errname(saved), fmt, ap);
  va_end(ap);
}

int rf_in_child(const char *op, void (*fn)(void *), void *arg) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    rf_err(op, errno, "fork");
    return -1;
  }
  if (pid == 0) {
    fn(arg);
    fflush(stdout);
    _exit(0);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFSIGNALED(status))
    rf_sig(op, WTERMSIG(status), "the probe process was killed");
  return status;
}

/* ---- filesystem ---- */

static int write_payload(int fd) {
  ssize_t n = write(fd, payload, sizeof(payload) - 1);
  return n < 0 ? -1 : 0;
}

static int op_write(char **a, int n) {
  (void)n;
  int fd = open(a[0], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    rf_err("write", errno, "%s", a[0]);
    return 0;
  }
  int rc = write_payload(fd);
  rf_result("write", rc, "%s", a[0]);
  close(fd);
  return 0;
}

static int op_overwrite(char **a, int n) {
  (void)n;
  int fd = open(a[0], O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) {
    rf_err("overwrite", errno, "%s", a[0]);
    return 0;
  }
  int rc = write_payload(fd);
  rf_result("overwrite", rc, "%s", a[0]);
  close(fd);
  return 0;
}

static int op_append(char **a, int n) {
  (void)n;
  int fd = open(a[0], O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) {
    rf_err("append", errno, "%s", a[0]);
    return 0;
  }
  int rc = write_payload(fd);
  rf_result("append", rc, "%s", a[0]);
  close(fd);
  return 0;
}

static int op_read(char **a, int n) {
  (void)n;
  int fd = open(a[0], O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    rf_err("read", errno, "%s", a[0]);
    return 0;
  }
  char buf[4096];
  ssize_t got = read(fd, buf, sizeof(buf) - 1);
  if (got < 0) {
    rf_err("read", errno, "%s", a[0]);
    close(fd);
    return 0;
  }
  buf[got] = '\0';
  for (ssize_t i = 0; i < got; i++)
    if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
      buf[i] = '.';
  rf_ok("read", "%s %zd bytes: %.300s", a[0], got, buf);
  close(fd);
  return 0;
}

static int op_mkdir(char **a, int n) {
  (void)n;
  rf_result("mkdir", mkdir(a[0], 0755), "%s", a[0]);
  return 0;
}

static int op_mkdirs(char **a, int n) {
  (void)n;
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s", a[0]);
  for (char *p = path + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    mkdir(path, 0755);
    *p = '/';
  }
  int rc = mkdir(path, 0755);
  if (rc < 0 && errno == EEXIST)
    rc = 0;
  rf_result("mkdirs", rc, "%s", a[0]);
  return 0;
}

static int op_symlink(char **a, int n) {
  (void)n;
  rf_result("symlink", symlink(a[0], a[1]), "%s -> %s", a[1], a[0]);
  return 0;
}

static int op_link(char **a, int n) {
  (void)n;
  rf_result("link", link(a[0], a[1]), "%s => %s", a[0], a[1]);
  return 0;
}

static int op_rename(char **a, int n) {
  (void)n;
  rf_result("rename", rename(a[0], a[1]), "%s -> %s", a[0], a[1]);
  return 0;
}

static int op_exchange(char **a, int n) {
  (void)n;
  rf_result("exchange", renameat2(AT_FDCWD, a[0], AT_FDCWD, a[1], RENAME_EXCHANGE), "%s <-> %s",
            a[0], a[1]);
  return 0;
}

static int op_unlink(char **a, int n) {
  (void)n;
  rf_result("unlink", unlink(a[0]), "%s", a[0]);
  return 0;
}

static int op_rmdir(char **a, int n) {
  (void)n;
  rf_result("rmdir", rmdir(a[0]), "%s", a[0]);
  return 0;
}

/* Metadata changes that need write access to the file's mount; each one
 * leaves the file as it was if it succeeds (same mode, same owner, ...)
 * except truncate, which is why the runner checks contents. */
static int op_metadata(char **a, int n) {
  (void)n;
  struct stat st;
  if (stat(a[0], &st) < 0) {
    rf_err("metadata", errno, "stat %s", a[0]);
    return 0;
  }
  rf_result("chmod", chmod(a[0], st.st_mode & 07777), "%s", a[0]);
  rf_result("chown", chown(a[0], st.st_uid, st.st_gid), "%s", a[0]);
  struct timeval tv[2] = {{st.st_atime, 0}, {st.st_mtime, 0}};
  rf_result("utimes", utimes(a[0], tv), "%s", a[0]);
  rf_result("setxattr", setxattr(a[0], "user.rf-escape", "1", 1, 0), "%s", a[0]);
  rf_result("truncate", truncate(a[0], st.st_size), "%s (to its own size)", a[0]);
  return 0;
}

/* Reopen a read-only descriptor for writing through its /proc magic link. */
static int op_reopen_rw(char **a, int n) {
  (void)n;
  int fd = open(a[0], O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    fd = open(a[0], O_PATH | O_CLOEXEC);
  if (fd < 0) {
    rf_err("reopen-rw", errno, "open %s", a[0]);
    return 0;
  }
  char proc[64];
  snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
  int wfd = open(proc, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (wfd < 0) {
    rf_err("reopen-rw", errno, "%s via %s", a[0], proc);
  } else {
    rf_result("reopen-rw", write_payload(wfd), "%s via %s", a[0], proc);
    close(wfd);
  }
  close(fd);
  return 0;
}

/* reopen-creat PATH: open PATH read-only (or O_PATH), then reopen it for
 * writing through /proc/self/fd/N, /proc/thread-self/fd/N and /dev/fd/N with
 * O_CREAT set (an O_CREAT open may be performed on our behalf by another
 * process that reopens our descriptors); for a directory, create a child
 * through the same spellings. */
static int op_reopen_creat(char **a, int n) {
  (void)n;
  int fd = open(a[0], O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    fd = open(a[0], O_PATH | O_CLOEXEC);
  if (fd < 0) {
    rf_err("reopen-creat", errno, "open %s", a[0]);
    return 0;
  }
  struct stat st;
  int is_dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
  const char *spellings[] = {"/proc/self/fd/%d%s", "/proc/thread-self/fd/%d%s", "/dev/fd/%d%s"};
  for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
    char path[128];
    snprintf(path, sizeof(path), spellings[i], fd, is_dir ? "/rf-planted" : "");
    int wfd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (wfd < 0) {
      rf_err("reopen-creat", errno, "%s as %s", a[0], path);
      continue;
    }
    rf_result("reopen-creat", write_payload(wfd), "%s as %s", a[0], path);
    close(wfd);
  }
  close(fd);
  return 0;
}

/* Make a hard link to a file we can only name by descriptor. */
static int op_linkat_fd(char **a, int n) {
  (void)n;
  int fd = open(a[0], O_PATH | O_CLOEXEC);
  if (fd < 0) {
    rf_err("linkat-fd", errno, "open %s", a[0]);
    return 0;
  }
  rf_result("linkat-empty-path", linkat(fd, "", AT_FDCWD, a[1], AT_EMPTY_PATH), "%s => %s", a[0],
            a[1]);
  char proc[64];
  snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
  char alt[PATH_MAX];
  snprintf(alt, sizeof(alt), "%s.proc", a[1]);
  rf_result("linkat-proc-fd", linkat(AT_FDCWD, proc, AT_FDCWD, alt, AT_SYMLINK_FOLLOW),
            "%s => %s", proc, alt);
  close(fd);
  return 0;
}

/* "Shocker": a file handle for a file outside, opened relative to a writable mount. */
static int op_handle(char **a, int n) {
  (void)n;
  char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ];
  struct file_handle *fh = (struct file_handle *)buf;
  fh->handle_bytes = MAX_HANDLE_SZ;
  int mount_id = 0;
  if (name_to_handle_at(AT_FDCWD, a[0], fh, &mount_id, 0) < 0) {
    rf_err("name_to_handle_at", errno, "%s", a[0]);
    /* Try a guess anyway: an ext4/tmpfs handle is not needed to show the
     * call is reachable; EPERM vs EBADF/EINVAL tells. */
    fh->handle_bytes = 8;
    fh->handle_type = 1;
    memset(fh->f_handle, 0, 8);
  } else {
    rf_ok("name_to_handle_at", "%s type %d", a[0], fh->handle_type);
  }
  int mfd = open(a[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (mfd < 0) {
    rf_err("open_by_handle_at", errno, "open mount dir %s", a[1]);
    return 0;
  }
  int fd = open_by_handle_at(mfd, fh, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) {
    rf_err("open_by_handle_at", errno, "%s relative to %s", a[0], a[1]);
  } else {
    rf_result("open_by_handle_at", write_payload(fd), "%s relative to %s, written", a[0], a[1]);
    close(fd);
  }
  close(mfd);
  return 0;
}

static int op_mknod(char **a, int n) {
  (void)n;
  /* 8:0 is sda, 259:0 the first nvme namespace, 254:0 the first virtio disk. */
  const struct { const char *name; unsigned ma, mi; } devs[] = {
      {"sda", 8, 0}, {"nvme0n1", 259, 0}, {"vda", 254, 0}, {"mem", 1, 1}};
  for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", a[0], devs[i].name);
    mode_t type = devs[i].ma == 1 ? S_IFCHR : S_IFBLK;
    if (mknod(path, type | 0600, makedev(devs[i].ma, devs[i].mi)) < 0) {
      rf_err("mknod", errno, "%s (%u:%u)", path, devs[i].ma, devs[i].mi);
      continue;
    }
    rf_ok("mknod", "%s (%u:%u)", path, devs[i].ma, devs[i].mi);
    int fd = open(path, O_RDONLY | O_CLOEXEC); /* never written */
    rf_result("mknod-open", fd, "%s opened for reading", path);
    if (fd >= 0)
      close(fd);
    unlink(path);
  }
  return 0;
}

/* ---- inherited descriptors ---- */

static int parse_int(const char *s) {
  return (int)strtol(s, NULL, 0);
}

static int op_fd_write(char **a, int n) {
  (void)n;
  int fd = parse_int(a[0]);
  ssize_t w = write(fd, payload, sizeof(payload) - 1);
  rf_result("fd-write", w, "fd %d", fd);
  return 0;
}

static int op_fd_openat(char **a, int n) {
  (void)n;
  int dfd = parse_int(a[0]);
  int fd = openat(dfd, a[1], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    rf_err("fd-openat", errno, "fd %d / %s", dfd, a[1]);
    return 0;
  }
  rf_result("fd-openat", write_payload(fd), "fd %d / %s", dfd, a[1]);
  close(fd);
  return 0;
}

static int op_fd_send(char **a, int n) {
  (void)n;
  int fd = parse_int(a[0]);
  ssize_t w = send(fd, payload, sizeof(payload) - 1, MSG_NOSIGNAL);
  rf_result("fd-send", w, "fd %d", fd);
  return 0;
}

/* Every descriptor above 2, and what it points to. */
static int op_fd_list(char **a, int n) {
  (void)a;
  (void)n;
  DIR *d = opendir("/proc/self/fd");
  if (!d) {
    rf_err("fd-list", errno, "/proc/self/fd");
    return 0;
  }
  int self = dirfd(d), count = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    int fd = atoi(e->d_name);
    if (fd <= 2 || fd == self)
      continue;
    char link[128], target[PATH_MAX] = "";
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t len = readlink(link, target, sizeof(target) - 1);
    if (len > 0)
      target[len] = '\0';
    rf_ok("fd-open", "%d -> %s", fd, target);
    count++;
  }
  closedir(d);
  rf_info("fd-list", "%d descriptors above 2", count);
  return 0;
}

/* ---- dispatch ---- */

static int op_sleep(char **a, int n) {
  (void)n;
  usleep((useconds_t)(atof(a[0]) * 1e6));
  return 0;
}

static int op_echo(char **a, int n) {
  (void)n;
  rf_info("echo", "%s", a[0]);
  return 0;
}

const rf_op rf_fs_ops[] = {
    {"write", 1, op_write, "PATH  create or append the payload"},
    {"overwrite", 1, op_overwrite, "PATH  truncate an existing file and write the payload"},
    {"append", 1, op_append, "PATH  append the payload to an existing file (no create)"},
    {"read", 1, op_read, "PATH  read and print the start of a file"},
    {"mkdir", 1, op_mkdir, "PATH"},
    {"mkdirs", 1, op_mkdirs, "PATH  mkdir -p"},
    {"symlink", 2, op_symlink, "TARGET LINK"},
    {"link", 2, op_link, "OLD NEW  hard link"},
    {"rename", 2, op_rename, "OLD NEW"},
    {"exchange", 2, op_exchange, "A B  renameat2(RENAME_EXCHANGE)"},
    {"unlink", 1, op_unlink, "PATH"},
    {"rmdir", 1, op_rmdir, "PATH"},
    {"metadata", 1, op_metadata, "PATH  chmod/chown/utimes/setxattr/truncate to same values"},
    {"reopen-rw", 1, op_reopen_rw, "PATH  open read-only, reopen /proc/self/fd/N for writing"},
    {"reopen-creat", 1, op_reopen_creat, "PATH  reopen for writing via /proc/self/fd/N with O_CREAT"},
    {"linkat-fd", 2, op_linkat_fd, "PATH NEW  linkat(AT_EMPTY_PATH) and via /proc/self/fd"},
    {"handle", 2, op_handle, "PATH MOUNTDIR  name_to_handle_at + open_by_handle_at for write"},
    {"mknod", 1, op_mknod, "DIR  make disk and /dev/mem nodes in DIR, open them read-only"},
    {"fd-write", 1, op_fd_write, "FD  write the payload to an inherited descriptor"},
    {"fd-openat", 2, op_fd_openat, "DIRFD NAME  create a file relative to an inherited dir fd"},
    {"fd-send", 1, op_fd_send, "FD  send the payload on an inherited socket"},
    {"fd-list", 0, op_fd_list, "  list descriptors above 2"},
    {"sleep", 1, op_sleep, "SECONDS"},
    {"echo", 1, op_echo, "TEXT  print a marker line"},
    {NULL, 0, NULL, NULL},
};

static const rf_op *const tables[] = {rf_fs_ops, rf_net_ops, rf_proc_ops, rf_kernel_ops, rf_guard_ops,
                                      rf_supervisor_ops, rf_special_ops};

static const rf_op *find_op(const char *name) {
  for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
    for (const rf_op *op = tables[t]; op->name; op++)
      if (strcmp(op->name, name) == 0)
        return op;
  return NULL;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2 || strcmp(argv[1], "help") == 0) {
    printf("usage: rf-escape-attack OP ARG... [OP ARG...]...\n");
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
      for (const rf_op *op = tables[t]; op->name; op++)
        printf("  %-18s %s\n", op->name, op->usage);
    return argc < 2 ? 2 : 0;
  }
  printf("RF-ATTACK-START pid=%d uid=%d\n", (int)getpid(), (int)getuid());
  fflush(stdout);
  int i = 1;
  while (i < argc) {
    const rf_op *op = find_op(argv[i]);
    if (!op) {
      fprintf(stderr, "rf-escape-attack: unknown operation %s\n", argv[i]);
      return 2;
    }
    int nargs = op->nargs < 0 ? argc - i - 1 : op->nargs;
    if (nargs > argc - i - 1) {
      fprintf(stderr, "rf-escape-attack: %s needs %d arguments: %s\n", op->name, nargs, op->usage);
      return 2;
    }
    int rc = op->fn(argv + i + 1, nargs);
    if (rc != 0)
      return rc;
    i += 1 + nargs;
  }
  printf("RF-ATTACK-END\n");
  return 0;
}
