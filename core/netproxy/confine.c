/* confine.c: the proxy's self-confinement, in the order confine.h lists. */
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "landlock-abi.h"

static int limits(size_t max_fds, unsigned long long max_file_size, char *err, size_t errlen) {
  struct rlimit zero = {0, 0}, files, fsize = {max_file_size, max_file_size};
  if (getrlimit(RLIMIT_NOFILE, &files) < 0)
    return -errno;
  rlim_t want = (rlim_t)max_fds;
  if (files.rlim_max != RLIM_INFINITY && files.rlim_max < want)
    want = files.rlim_max;
  files.rlim_cur = files.rlim_max = want;
  if (setrlimit(RLIMIT_FSIZE, &fsize) < 0 || setrlimit(RLIMIT_CORE, &zero) < 0 ||
      setrlimit(RLIMIT_NOFILE, &files) < 0) {
    int e = errno;
    snprintf(err, errlen, "cannot set the proxy's resource limits: %s", strerror(e));
    return -e;
  }
  return 0;
}

static int landlock(int *abi_out, char *err, size_t errlen) {
  rf_ll_kernel k;
  rf_ll_kernel_query(&k);
  *abi_out = k.abi;
  if (k.abi <= 0)
    return 0;
  struct rf_ll_ruleset_attr attr = {
      .handled_access_fs = rf_ll_fs_rights_for_abi(k.abi) & ~(RF_LL_FS_READ_FILE | RF_LL_FS_READ_DIR),
      .handled_access_net = rf_ll_net_rights_for_abi(k.abi) & RF_LL_NET_BIND_TCP,
      .scoped = rf_ll_scopes_for_abi(k.abi),
  };
  size_t size = k.abi >= 6 ? sizeof(attr) : k.abi >= 4 ? offsetof(struct rf_ll_ruleset_attr, scoped)
                                                       : offsetof(struct rf_ll_ruleset_attr, handled_access_net);
  int fd = rf_ll_create_ruleset(&attr, size, 0);
  if (fd < 0) {
    snprintf(err, errlen, "cannot create the proxy's Landlock ruleset: %s", strerror(-fd));
    return fd;
  }
  int rc = rf_ll_restrict_self(fd, 0);
  close(fd);
  if (rc < 0) {
    snprintf(err, errlen, "cannot enforce the proxy's Landlock ruleset: %s", strerror(-rc));
    return rc;
  }
  return 0;
}

/* Plain allowed calls: I/O on descriptors it has, memory, threads, time, and
 * what glibc's getaddrinfo needs (read-only files, UDP/TCP sockets). */
static const char *const allowed[] = {
    "read", "write", "readv", "writev", "splice", "pipe2", "pread64", "close", "lseek", "fstat", "newfstatat", "statx",
    "faccessat", "faccessat2", "access", "stat", "lstat", "fcntl", "uname", "getrandom",
    "recvfrom", "recvmsg", "recvmmsg", "sendto", "sendmsg", "sendmmsg", "connect", "accept", "accept4",
    "getsockopt", "setsockopt", "getsockname", "getpeername", "shutdown",
    "poll", "ppoll", "select", "pselect6", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
    "mmap", "munmap", "mprotect", "madvise", "brk", "mremap",
    "futex", "set_robust_list", "get_robust_list", "rseq", "sched_yield", "sched_getaffinity",
    "getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "exit", "exit_group",
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall",
    "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres", "gettimeofday", "time",
    "tgkill", "tkill",
};

static int seccomp_filter(char *err, size_t errlen) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
  if (!ctx) {
    snprintf(err, errlen, "cannot create the proxy's seccomp filter");
    return -ENOMEM;
  }
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
  for (size_t i = 0; rc == 0 && i < sizeof(allowed) / sizeof(allowed[0]); i++) {
    int nr = seccomp_syscall_resolve_name(allowed[i]);
    if (nr == __NR_SCMP_ERROR)
      continue; /* not on this architecture (stat, access: x86-64 only) */
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
  }
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_INET));
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_INET6));
  /* Reading only: no write access mode, no creation, truncation or O_TMPFILE. */
  const scmp_datum_t write_flags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | (O_TMPFILE & ~O_DIRECTORY);
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, write_flags, 0));
  if (rc == 0 && seccomp_syscall_resolve_name("open") != __NR_SCMP_ERROR)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, write_flags, 0));
  /* Threads only: a new process would escape nothing (same filter) but is not needed. */
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
  /* clone3's flags are in memory, out of a filter's reach: ENOSYS makes glibc fall back to clone. */
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  if (rc == 0)
    rc = seccomp_load(ctx);
  seccomp_release(ctx);
  if (rc < 0)
    snprintf(err, errlen, "cannot load the proxy's seccomp filter: %s", strerror(-rc));
  return rc;
}

int np_confine(size_t max_fds, unsigned long long max_file_size, np_confinement *out, char *err, size_t errlen) {
  memset(out, 0, sizeof(*out));
  int rc = limits(max_fds, max_file_size, err, errlen);
  if (rc < 0)
    return rc;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
    int e = errno;
    snprintf(err, errlen, "cannot set no_new_privs / not dumpable on the proxy: %s", strerror(e));
    return -e;
  }
  rc = landlock(&out->landlock_abi, err, errlen);
  if (rc < 0)
    return rc;
  return seccomp_filter(err, errlen);
}
