/* confine.h: the proxy confining itself before it says ready: limits, no new privileges, Landlock without write rights, a seccomp allowlist. */
#pragma once

#include <stddef.h>

/* What confinement holds, for the ready check and the tests. */
typedef struct {
  int landlock_abi; /* 0: the kernel has no Landlock (seccomp and the limits still hold) */
} np_confinement;

/* Confines the calling process (call before any thread exists; threads created
 * later inherit it).  |max_fds|: descriptors it may have open at once.  In order:
 *   1. RLIMIT_FSIZE |max_file_size| (0: no file can grow; the log, when the core
 *      hands a regular file for it, needs more), RLIMIT_CORE 0, RLIMIT_NOFILE |max_fds|;
 *   2. PR_SET_NO_NEW_PRIVS, PR_SET_DUMPABLE 0 (no core, no ptrace or /proc/PID/mem
 *      by the same user);
 *   3. Landlock, where the kernel has it: every filesystem right but reading
 *      handled and none granted (no file or directory created, written, removed,
 *      truncated, executed; no ioctl on devices; no pathname unix socket
 *      connected, ABI 9), TCP bind handled and not granted (ABI 4), abstract
 *      unix sockets and signals scoped (ABI 6);
 *   4. seccomp (confine-filter.h: built with libseccomp at build time): an allowlist,
 *      everything else EPERM (execve, ptrace,
 *      mount, bpf, io_uring, unshare, keyctl, ...; clone3 ENOSYS so that threads
 *      use clone, which must have CLONE_THREAD); sockets only AF_INET/AF_INET6;
 *      openat only without write, create or truncate flags.
 * 0, or -errno with a message (the proxy then refuses to start). */
int np_confine(size_t max_fds, unsigned long long max_file_size, np_confinement *out, char *err, size_t errlen);
