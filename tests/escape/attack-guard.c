/* attack-guard.c: attacks on the guard of protected names that do not exist yet (every syscall
 * and path spelling that creates a directory entry, a swap race), on the process that performs
 * creations for the sandbox, and the must-keep-working checks around them (O_TMPFILE, peer
 * credentials, a connect() or FIFO open that blocks). */
#include "attack.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* ---- every way to create a name ---- */

typedef struct {
  const char *name; /* the protected name the variant tries to create */
  char desc[160];
} variant_ctx;

static void created(const char *how, const char *name, long rc, int err) {
  if (rc >= 0) {
    rf_ok("create", "%s created %s", how, name);
    /* remove it so that the next variant starts from nothing (unlink/rmdir
     * are not name-creating, so they are allowed) */
    if (unlink(name) < 0)
      rmdir(name);
  } else {
    rf_err("create", err, "%s (%s)", how, name);
  }
}

#define TRY_CREATE(how, name, expr)                                                                \
  do {                                                                                             \
    errno = 0;                                                                                     \
    long rc_ = (long)(expr);                                                                       \
    int err_ = errno;                                                                              \
    if (rc_ >= 0 && strstr(how, "open"))                                                           \
      close((int)rc_);                                                                             \
    created(how, name, rc_, err_);                                                                 \
  } while (0)

static const char *cwd_thread_name;
static const char *cwd_thread_root;
static volatile long cwd_thread_rc;
static volatile int cwd_thread_err, cwd_thread_done;

/* A thread (CLONE_THREAD) without CLONE_FS: its own cwd, at the workspace
 * root, while the rest of the process sits in a subdirectory. */
static int cwd_thread(void *arg) {
  (void)arg;
  long rc = syscall(SYS_chdir, cwd_thread_root);
  if (rc < 0) {
    cwd_thread_rc = -2;
    cwd_thread_err = errno;
  } else {
    errno = 0;
    rc = syscall(SYS_openat, AT_FDCWD, cwd_thread_name, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    cwd_thread_err = errno;
    cwd_thread_rc = rc;
    if (rc >= 0)
      syscall(SYS_close, rc);
  }
  __atomic_store_n(&cwd_thread_done, 1, __ATOMIC_SEQ_CST);
  syscall(SYS_exit, 0);
  return 0;
}

/* create-variants WORKSPACE: try to create absent protected names at the
 * root of WORKSPACE (the cwd) with every syscall and path spelling. */
static int op_create_variants(char **a, int n) {
  (void)n;
  const char *ws = a[0];
  const char *N = ".envrc", *D = ".vscode", *M = ".mcp.json";
  char path[PATH_MAX];
  if (mkdir("rf-sub", 0755) < 0 && errno != EEXIST)
    rf_info("create-variants", "mkdir rf-sub: %s", rf_errname(errno));
  int fd0 = open("rf-existing", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd0 >= 0)
    close(fd0);
  mkdir("rf-existing-dir", 0755);
  if (symlink(".", "rf-self") < 0 && errno != EEXIST)
    rf_info("create-variants", "symlink rf-self: %s", rf_errname(errno));

  TRY_CREATE("open(O_CREAT)", N, syscall(SYS_open, N, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  TRY_CREATE("openat(AT_FDCWD, ./NAME)", N, syscall(SYS_openat, AT_FDCWD, "./.envrc", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  TRY_CREATE("creat()", N, syscall(SYS_creat, N, 0644));
  TRY_CREATE("open(O_CREAT|O_EXCL)", N, syscall(SYS_open, N, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644));
  TRY_CREATE("open(O_CREAT|O_RDONLY)", N, syscall(SYS_open, N, O_CREAT | O_RDONLY | O_CLOEXEC, 0644));
  TRY_CREATE("open(sub/../NAME)", N, syscall(SYS_open, "rf-sub/../.envrc", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  TRY_CREATE("open(self-symlink/NAME)", N, syscall(SYS_open, "rf-self/.envrc", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  TRY_CREATE("open(/proc/self/cwd/NAME)", N, syscall(SYS_open, "/proc/self/cwd/.envrc", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  snprintf(path, sizeof(path), "/proc/self/root%s/.envrc", ws);
  TRY_CREATE("open(/proc/self/root/WS/NAME)", N, syscall(SYS_open, path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  snprintf(path, sizeof(path), "%s//./.envrc", ws);
  TRY_CREATE("open(WS//./NAME)", N, syscall(SYS_open, path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  int dfd = open("rf-sub/..", O_PATH | O_DIRECTORY | O_CLOEXEC);
  TRY_CREATE("openat(dirfd of sub/.., NAME)", N, syscall(SYS_openat, dfd, N, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  TRY_CREATE("mkdirat(dirfd, NAME)", D, syscall(SYS_mkdirat, dfd, D, 0755));
  TRY_CREATE("mknodat(dirfd, NAME, S_IFREG)", N, syscall(SYS_mknodat, dfd, N, S_IFREG | 0644, 0));
  TRY_CREATE("symlinkat(x, dirfd, NAME)", N, syscall(SYS_symlinkat, "x", dfd, N));
  TRY_CREATE("linkat(existing, dirfd, NAME)", N, syscall(SYS_linkat, AT_FDCWD, "rf-existing", dfd, N, 0));
  TRY_CREATE("renameat2(existing, dirfd, NAME, NOREPLACE)", N,
             syscall(SYS_renameat2, AT_FDCWD, "rf-existing", dfd, N, RENAME_NOREPLACE));
  if (access("rf-existing", F_OK) < 0) {
    int f = open("rf-existing", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (f >= 0)
      close(f);
  }
  /* Symlinks whose target is the protected name: open(O_CREAT) creates the target. */
  symlink(".envrc", "rf-dangle-rel");
  snprintf(path, sizeof(path), "%s/.envrc", ws);
  symlink(path, "rf-dangle-abs");
  symlink("rf-sub/../rf-dangle-rel", "rf-dangle-chain");
  TRY_CREATE("open(dangling symlink -> NAME)", N, syscall(SYS_open, "rf-dangle-rel", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  TRY_CREATE("open(dangling symlink -> /abs/NAME)", N, syscall(SYS_open, "rf-dangle-abs", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  TRY_CREATE("open(symlink chain -> NAME)", N, syscall(SYS_open, "rf-dangle-chain", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  TRY_CREATE("mkdir(NAME)", D, syscall(SYS_mkdir, D, 0755));
  TRY_CREATE("mkdir(NAME/)", D, syscall(SYS_mkdir, ".vscode/", 0755));
  TRY_CREATE("mknod(NAME, S_IFIFO)", N, syscall(SYS_mknod, N, S_IFIFO | 0644, 0));
  TRY_CREATE("symlink(x, NAME)", N, syscall(SYS_symlink, "x", N));
  TRY_CREATE("link(existing, NAME)", M, syscall(SYS_link, "rf-existing", M));
  TRY_CREATE("rename(existing, NAME)", N, syscall(SYS_rename, "rf-existing", N));
  if (access("rf-existing", F_OK) < 0) {
    int f = open("rf-existing", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (f >= 0)
      close(f);
  }
  TRY_CREATE("renameat(existing, NAME)", M, syscall(SYS_renameat, AT_FDCWD, "rf-existing", AT_FDCWD, M));
  TRY_CREATE("rename(dir, NAME)", D, syscall(SYS_rename, "rf-existing-dir", D));
  /* An unnamed file given a protected name. */
  int tmp = open(".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (tmp < 0) {
    rf_info("create-variants", "O_TMPFILE: %s", rf_errname(errno));
  } else {
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", tmp);
    TRY_CREATE("linkat(O_TMPFILE via /proc/self/fd, NAME)", N,
               syscall(SYS_linkat, AT_FDCWD, proc, AT_FDCWD, N, AT_SYMLINK_FOLLOW));
    TRY_CREATE("linkat(O_TMPFILE, AT_EMPTY_PATH, NAME)", N,
               syscall(SYS_linkat, tmp, "", AT_FDCWD, N, AT_EMPTY_PATH));
    close(tmp);
  }
  /* A unix socket bound at the name makes a socket file. */
  {
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", N);
    errno = 0;
    long rc = s < 0 ? -1 : bind(s, (struct sockaddr *)&sun, sizeof(sun));
    created("bind(AF_UNIX, NAME)", N, rc, errno);
    if (s >= 0)
      close(s);
  }
  {
    struct open_how how = {.flags = O_CREAT | O_WRONLY | O_CLOEXEC, .mode = 0644};
    TRY_CREATE("openat2(O_CREAT)", N, syscall(SYS_openat2, AT_FDCWD, N, &how, sizeof(how)));
  }
  /* From a subdirectory, and from a thread whose cwd differs from the process's. */
  if (chdir("rf-sub") == 0) {
    TRY_CREATE("open(../NAME) from a subdirectory", "../.envrc",
               syscall(SYS_open, "../.envrc", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
    cwd_thread_name = N;
    cwd_thread_root = ws;
    static char stack[65536] __attribute__((aligned(16)));
    int tid = clone(cwd_thread, stack + sizeof(stack),
                    CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_SYSVSEM, NULL);
    if (tid < 0) {
      rf_info("create-variants", "thread without CLONE_FS: %s", rf_errname(errno));
    } else {
      for (int i = 0; i < 500 && !__atomic_load_n(&cwd_thread_done, __ATOMIC_SEQ_CST); i++)
        usleep(10000);
      char full[PATH_MAX];
      snprintf(full, sizeof(full), "%s/.envrc", ws);
      if (cwd_thread_rc == -2)
        rf_info("create-variants", "thread with its own cwd: chdir: %s", rf_errname(cwd_thread_err));
      else
        created("openat(NAME) from a thread whose own cwd is the root", full, cwd_thread_rc,
                cwd_thread_err);
    }
    if (chdir("..") < 0) {
    }
  }
  if (dfd >= 0)
    close(dfd);
  return 0;
}

/* ---- a swap race against the guard ---- */

/* race-create SECONDS: "rf-race-d" is swapped again and again between a real
 * directory and a symlink to the workspace root (by another process) while
 * this one creates rf-race-d/.envrc and rf-race-d/.vscode. */
static int op_race_create(char **a, int n) {
  (void)n;
  double seconds = atof(a[0]);
  mkdir("rf-race-d", 0755);
  if (symlink(".", "rf-race-l") < 0 && errno != EEXIST) {
    rf_err("race", errno, "symlink");
    return 0;
  }
  int pipefd[2];
  if (pipe(pipefd) < 0) {
    rf_err("race", errno, "pipe");
    return 0;
  }
  fflush(stdout);
  pid_t swapper = fork();
  if (swapper == 0) {
    close(pipefd[0]);
    long swaps = 0, fails = 0;
    int last_err = 0;
    for (;;) {
      if (syscall(SYS_renameat2, AT_FDCWD, "rf-race-d", AT_FDCWD, "rf-race-l", RENAME_EXCHANGE) == 0)
        swaps++;
      else {
        fails++;
        last_err = errno;
      }
      if ((swaps + fails) % 64 == 0) {
        char msg[96];
        int len = snprintf(msg, sizeof(msg), "%ld %ld %d\n", swaps, fails, last_err);
        if (write(pipefd[1], msg, (size_t)len) < 0)
          _exit(0);
      }
    }
  }
  close(pipefd[1]);
  fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
  double start = now_s();
  long tries = 0, inner = 0;
  int escaped = 0;
  while (now_s() - start < seconds) {
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "rf-race-d/.envrc", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd >= 0)
      close(fd);
    syscall(SYS_mkdirat, AT_FDCWD, "rf-race-d/.vscode", 0755);
    tries++;
    struct stat st;
    if (lstat(".envrc", &st) == 0 || lstat(".vscode", &st) == 0) {
      escaped = 1;
      break;
    }
    /* whatever landed in the real directory is legitimate: clear it */
    if (unlinkat(AT_FDCWD, "rf-race-d/.envrc", 0) == 0 || unlinkat(AT_FDCWD, "rf-race-l/.envrc", 0) == 0)
      inner++;
    unlinkat(AT_FDCWD, "rf-race-d/.vscode", AT_REMOVEDIR);
    unlinkat(AT_FDCWD, "rf-race-l/.vscode", AT_REMOVEDIR);
  }
  kill(swapper, SIGKILL);
  waitpid(swapper, NULL, 0);
  char buf[65536];
  ssize_t got = read(pipefd[0], buf, sizeof(buf) - 1);
  close(pipefd[0]);
  long swaps = 0, fails = 0;
  int last_err = 0;
  if (got > 0) {
    buf[got] = '\0';
    char *last = buf, *nl;
    while ((nl = strchr(last, '\n')) && nl[1])
      last = nl + 1;
    sscanf(last, "%ld %ld %d", &swaps, &fails, &last_err);
  }
  rf_info("race", "the swapper made %ld swaps (%ld failed%s%s)", swaps, fails,
          last_err ? ", last error " : "", last_err ? rf_errname(last_err) : "");
  if (escaped)
    rf_ok("race-create", "a protected name appeared at the workspace root after %ld tries", tries);
  else
    rf_err("race-create", EROFS, "%ld tries, %ld creations landed in the real directory only", tries, inner);
  return 0;
}

/* ---- must keep working around the guard ---- */

/* tmpfile-link NAME: O_TMPFILE, write, then give it NAME through /proc/self/fd. */
static int op_tmpfile_link(char **a, int n) {
  (void)n;
  int fd = open(".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) {
    rf_err("tmpfile-link", errno, "O_TMPFILE");
    return 0;
  }
  if (write(fd, "tmpfile\n", 8) != 8) {
  }
  char proc[64];
  snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
  rf_result("tmpfile-link", linkat(AT_FDCWD, proc, AT_FDCWD, a[0], AT_SYMLINK_FOLLOW), "%s", a[0]);
  close(fd);
  return 0;
}

/* peercred PATH: a server and a client process inside; the server reports
 * the client's credentials as SO_PEERCRED gives them. */
static int op_peercred(char **a, int n) {
  (void)n;
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", a[0]);
  int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  unlink(a[0]);
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(lfd, 4) < 0) {
    rf_err("peercred", errno, "bind %s", a[0]);
    return 0;
  }
  fflush(stdout);
  pid_t client = fork();
  if (client == 0) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
      rf_err("peercred-connect", errno, "%s", a[0]);
    sleep(1);
    _exit(0);
  }
  struct pollfd p = {.fd = lfd, .events = POLLIN};
  if (poll(&p, 1, 5000) <= 0) {
    rf_err("peercred", ETIMEDOUT, "no client");
  } else {
    int cfd = accept(lfd, NULL, NULL);
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (cfd < 0 || getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
      rf_err("peercred", errno, "SO_PEERCRED");
    else
      rf_ok("peercred", "client pid %d (really %d) uid %d (really %d) gid %d (really %d)",
            (int)cred.pid, (int)client, (int)cred.uid, (int)getuid(), (int)cred.gid, (int)getgid());
    if (cfd >= 0)
      close(cfd);
  }
  waitpid(client, NULL, 0);
  close(lfd);
  unlink(a[0]);
  return 0;
}

/* stall-connect PATH: a server with a full backlog that never accepts; one
 * process blocks in connect() to it while another creates a file. */
static int op_stall_connect(char **a, int n) {
  (void)n;
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", a[0]);
  int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  unlink(a[0]);
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(lfd, 0) < 0) {
    rf_err("stall-connect", errno, "bind %s", a[0]);
    return 0;
  }
  /* fill the backlog (nonblocking connects) */
  for (int i = 0; i < 4; i++) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    connect(fd, (struct sockaddr *)&sun, sizeof(sun));
  }
  fflush(stdout);
  pid_t blocker = fork();
  if (blocker == 0) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    connect(fd, (struct sockaddr *)&sun, sizeof(sun)); /* blocks */
    _exit(0);
  }
  usleep(300000);
  double t0 = now_s();
  int fd = open("rf-after-stall", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  double took = now_s() - t0;
  if (fd >= 0) {
    close(fd);
    rf_ok("stall-connect", "a file was created in %.2f s while another process blocked in connect()", took);
  } else {
    rf_err("stall-connect", errno, "creating a file while another process blocked in connect()");
  }
  kill(blocker, SIGKILL);
  waitpid(blocker, NULL, 0);
  return 0;
}

/* stall-fifo: one process blocks opening a FIFO for writing (O_CREAT, as a
 * shell's '>' does) while another must create a file before it reads. */
static int op_stall_fifo(char **a, int n) {
  (void)a;
  (void)n;
  unlink("rf-fifo");
  if (mkfifo("rf-fifo", 0644) < 0) {
    rf_err("stall-fifo", errno, "mkfifo");
    return 0;
  }
  fflush(stdout);
  pid_t writer = fork();
  if (writer == 0) {
    int fd = open("rf-fifo", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644); /* blocks until a reader */
    if (fd >= 0) {
      if (write(fd, "through the fifo\n", 17) < 0) {
      }
      close(fd);
    }
    _exit(fd >= 0 ? 0 : 1);
  }
  usleep(300000);
  double t0 = now_s();
  int log = open("rf-fifo-log", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  double took = now_s() - t0;
  if (log < 0) {
    rf_err("stall-fifo", errno, "creating a file while a writer waits on a FIFO");
  } else {
    close(log);
    int rd = open("rf-fifo", O_RDONLY | O_CLOEXEC);
    char buf[64] = "";
    ssize_t got = rd >= 0 ? read(rd, buf, sizeof(buf) - 1) : -1;
    if (rd >= 0)
      close(rd);
    if (got > 0)
      rf_ok("stall-fifo", "created a file in %.2f s while a writer waited, then read the FIFO", took);
    else
      rf_err("stall-fifo", EIO, "the FIFO gave nothing");
  }
  kill(writer, SIGKILL);
  waitpid(writer, NULL, 0);
  unlink("rf-fifo");
  return 0;
}

/* dgram-pair PATH: a datagram unix socket bound at PATH by a server process,
 * a client process sends to it; plus socketpair(AF_UNIX, SOCK_DGRAM). */
static int op_dgram_pair(char **a, int n) {
  (void)n;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0) {
    rf_err("dgram-socketpair", errno, "socketpair(AF_UNIX, SOCK_DGRAM)");
  } else {
    char buf[8];
    int ok = write(sv[0], "ping", 4) == 4 && read(sv[1], buf, 4) == 4;
    rf_result("dgram-socketpair", ok ? 0 : -1, "socketpair(AF_UNIX, SOCK_DGRAM)");
    close(sv[0]);
    close(sv[1]);
  }
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", a[0]);
  unlink(a[0]);
  int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0 || bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
    rf_err("dgram-bound", errno, "socket/bind %s", a[0]);
    if (s >= 0)
      close(s);
    return 0;
  }
  fflush(stdout);
  pid_t client = fork();
  if (client == 0) {
    int c = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ssize_t w = c < 0 ? -1 : sendto(c, "ping", 4, 0, (struct sockaddr *)&sun, sizeof(sun));
    _exit(w == 4 ? 0 : 1);
  }
  struct pollfd p = {.fd = s, .events = POLLIN};
  char buf[8];
  if (poll(&p, 1, 3000) > 0 && recv(s, buf, sizeof(buf), 0) == 4)
    rf_ok("dgram-bound", "a datagram from another process arrived at %s", a[0]);
  else
    rf_err("dgram-bound", ETIMEDOUT, "nothing arrived at %s", a[0]);
  waitpid(client, NULL, 0);
  close(s);
  unlink(a[0]);
  return 0;
}

static const char *thread_path;
static volatile int thread_rc, thread_err;

static void *file_thread(void *arg) {
  (void)arg;
  int fd = open(thread_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  thread_err = errno;
  thread_rc = fd;
  if (fd >= 0) {
    if (write(fd, "from a thread\n", 14) < 0) {
    }
    close(fd);
  }
  return NULL;
}

static void *connect_thread(void *arg) {
  struct sockaddr_un *sun = arg;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  thread_rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)sun, sizeof(*sun));
  thread_err = errno;
  if (fd >= 0)
    close(fd);
  return NULL;
}

/* threads FILE SOCKET: a second thread (not the process's first) creates a
 * file and connects to a unix socket this process listens on. */
static int op_threads(char **a, int n) {
  (void)n;
  pthread_t t;
  thread_path = a[0];
  thread_rc = -1;
  if (pthread_create(&t, NULL, file_thread, NULL) != 0) {
    rf_err("thread-create", errno, "pthread_create");
    return 0;
  }
  pthread_join(t, NULL);
  if (thread_rc >= 0)
    rf_ok("thread-create", "a second thread created %s", a[0]);
  else
    rf_err("thread-create", thread_err, "a second thread creating %s", a[0]);
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", a[1]);
  unlink(a[1]);
  int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(lfd, 4) < 0) {
    rf_err("thread-connect", errno, "bind %s", a[1]);
    return 0;
  }
  thread_rc = -1;
  pthread_create(&t, NULL, connect_thread, &sun);
  pthread_join(t, NULL);
  if (thread_rc == 0)
    rf_ok("thread-connect", "a second thread connected to %s", a[1]);
  else
    rf_err("thread-connect", thread_err, "a second thread connecting to %s", a[1]);
  close(lfd);
  unlink(a[1]);
  return 0;
}

/* proxy-netns IFACE: files opened with O_CREAT may be opened by another
 * process on our behalf; /proc/sys/net is resolved in the opener's network
 * namespace.  Compare what a plain open and an O_CREAT open see. */
static int op_proxy_netns(char **a, int n) {
  (void)n;
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/forwarding", a[0]);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  rf_result("netns-plain", fd, "%s (host interface) with a plain open", path);
  if (fd >= 0)
    close(fd);
  fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
  rf_result("netns-creat", fd, "%s (host interface) opened with O_CREAT", path);
  if (fd >= 0)
    close(fd);
  const char *knob = "/proc/sys/net/ipv4/tcp_fin_timeout";
  fd = open(knob, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    rf_err("netns-write", errno, "%s opened O_RDWR|O_CREAT", knob);
    return 0;
  }
  char value[32] = "";
  ssize_t len = read(fd, value, sizeof(value) - 1);
  if (len > 0) {
    value[len] = '\0';
    ssize_t w = pwrite(fd, value, (size_t)len, 0);
    value[strcspn(value, "\n")] = '\0';
    rf_result("netns-write", w, "%s through the O_CREAT handle (its own value %s written back)", knob, value);
  }
  close(fd);
  return 0;
}

const rf_op rf_guard_ops[] = {
    {"proxy-netns", 1, op_proxy_netns, "IFACE  /proc/sys/net through open(O_CREAT)"},
    {"threads", 2, op_threads, "FILE SOCKET  create a file and connect from a second thread"},
    {"create-variants", 1, op_create_variants, "WORKSPACE  every way to create .envrc/.vscode/.mcp.json"},
    {"race-create", 1, op_race_create, "SECONDS  swap a dir and a symlink to . while creating"},
    {"tmpfile-link", 1, op_tmpfile_link, "NAME  O_TMPFILE then linkat via /proc/self/fd"},
    {"peercred", 1, op_peercred, "PATH  SO_PEERCRED between two processes inside"},
    {"stall-connect", 1, op_stall_connect, "PATH  create a file while a connect() blocks"},
    {"stall-fifo", 0, op_stall_fifo, "  create a file while a FIFO open blocks"},
    {"dgram-pair", 1, op_dgram_pair, "PATH  unix datagram sockets between processes inside"},
    {NULL, 0, NULL, NULL},
};
