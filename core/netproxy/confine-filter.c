/* confine-filter.c: the proxy's seccomp allowlist, as libseccomp rules (design in confine-filter.h). */
#include "confine-filter.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

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

int np_confine_filter_export(int fd, char *err, size_t errlen) {
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
    rc = seccomp_export_bpf(ctx, fd);
  seccomp_release(ctx);
  if (rc < 0)
    snprintf(err, errlen, "cannot build the proxy's seccomp filter: %s", strerror(-rc));
  return rc;
}

