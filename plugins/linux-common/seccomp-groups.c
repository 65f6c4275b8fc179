/* seccomp-groups.c: the shared seccomp denials as a table of named groups, compiled with libseccomp. */
#include "seccomp-groups.h"
#include "unix-supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * Each group names syscalls that ordinary builds, tests and package managers
 * do not need, and that widen what a sandboxed process can do to the kernel
 * or to other processes.  The list follows what container runtimes deny by
 * default (Docker's default profile denies the same calls to an unprivileged
 * container), plus io_uring, which bypasses seccomp for the operations it
 * submits.  Every denial returns an error (EPERM unless said otherwise), so a
 * program that probes for a feature falls back instead of being killed.
 */

#define SYSCALLS(...) ((const char *const[]){__VA_ARGS__, NULL})

static const rf_seccomp_group base_groups[] = {
    {"@io-uring", "io_uring: its submitted operations are not seen by seccomp",
     SYSCALLS("io_uring_setup", "io_uring_enter", "io_uring_register"), NULL},
    {"@namespaces", "new namespaces: nested user namespaces are a large kernel attack surface",
     SYSCALLS("unshare", "setns"),
     "clone() with any CLONE_NEW* flag; clone3() answers ENOSYS so libc falls back to clone()"},
    {"@mount", "mounting and changing the root: could undo the sandbox's own mounts",
     SYSCALLS("mount", "umount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig",
              "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr"),
     NULL},
    {"@debug", "tracing and reading other processes' memory or descriptors",
     SYSCALLS("ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
              "perf_event_open"),
     NULL},
    {"@kernel-module", "loading or removing kernel modules",
     SYSCALLS("init_module", "finit_module", "delete_module", "create_module"), NULL},
    {"@system", "rebooting, kexec, swap, accounting, quotas, the kernel log, BPF, handles",
     SYSCALLS("reboot", "kexec_load", "kexec_file_load", "swapon", "swapoff", "acct",
              "quotactl", "quotactl_fd", "syslog", "vhangup", "lookup_dcookie", "nfsservctl",
              "bpf", "userfaultfd", "fanotify_init", "open_by_handle_at", "name_to_handle_at"),
     NULL},
    {"@clock", "setting the system clock",
     SYSCALLS("settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "stime"), NULL},
    {"@keyring", "the kernel keyring, shared with processes outside",
     SYSCALLS("add_key", "request_key", "keyctl"), NULL},
    {"@raw-io", "direct hardware port access", SYSCALLS("iopl", "ioperm"), NULL},
    {"@numa", "moving other processes' memory between NUMA nodes",
     SYSCALLS("mbind", "get_mempolicy", "set_mempolicy", "migrate_pages", "move_pages"), NULL},
    {"@personality", "execution domains that weaken exploit mitigations",
     SYSCALLS("personality"),
     "personality() with READ_IMPLIES_EXEC or ADDR_NO_RANDOMIZE, or with bit 31 set (low 32 "
     "bits); querying (0xffffffff) and plain PER_LINUX/PER_LINUX32 work"},
    {"@obsolete", "obsolete syscalls nothing current uses",
     SYSCALLS("uselib", "ustat", "sysfs", "_sysctl", "vm86", "vm86old", "get_kernel_syms",
              "query_module", "afs_syscall", "bdflush", "getpmsg", "putpmsg", "security",
              "tuxcall", "vserver"),
     NULL},
    {"@terminal-injection", "pushing input into a terminal (the invoking one, if reachable)",
     SYSCALLS("ioctl"),
     "ioctl(TIOCSTI) and ioctl(TIOCLINUX), compared on the low 32 bits so that setting high "
     "bits of the request does not slip past"},
};

static const rf_seccomp_group network_group_unix_only = {
    "@network-off", "sockets of the host network: only AF_UNIX sockets may be created",
    SYSCALLS("socket", "socketpair"),
    "socket()/socketpair() with any family but AF_UNIX fail with EAFNOSUPPORT; AF_UNIX with a "
    "type other than stream, datagram or seqpacket fails with ESOCKTNOSUPPORT (SOCK_RAW is a "
    "datagram socket under another name, the rest are no unix types)"};

static const rf_seccomp_group network_group_private = {
    "@network-off", "sockets beyond the sandbox's private loopback",
    SYSCALLS("socket", "socketpair"),
    "socket() families other than AF_UNIX, AF_INET, AF_INET6 fail with EAFNOSUPPORT (the "
    "network namespace holds only a private loopback); netlink, packet, vsock and the rest are "
    "denied; AF_UNIX with a type other than stream, datagram or seqpacket fails with "
    "ESOCKTNOSUPPORT (SOCK_RAW is a datagram socket under another name)"};

/* With the network on, vsock still is no network the user allowed: it is a virtual machine's
 * channel to its host (WSL2's Windows interop and drive sharing, a hypervisor's guest agents),
 * which no Linux restriction follows to the other side (docs/wsl.md). */
static const rf_seccomp_group vsock_group = {
    "@vsock", "vsock: a virtual machine's channel to its host (WSL2's way to Windows)",
    SYSCALLS("socket", "socketpair"),
    "socket()/socketpair(AF_VSOCK) fail with EAFNOSUPPORT, as with the network off"};

static const rf_seccomp_group unix_datagram_group = {
    "@unix-datagram", "unix datagram sockets: sendto() with an address reaches any socket file",
    SYSCALLS("socket", "socketpair"),
    "socket()/socketpair(AF_UNIX, SOCK_DGRAM) fail with EACCES (SOCK_RAW, its alias, with "
    "ESOCKTNOSUPPORT); stream and seqpacket sockets work, and their connect() is checked by the "
    "socket supervisor"};

/*
 * Without pid and IPC namespaces (the Landlock backend) every pid names a
 * process of the host and every SysV IPC key an object of the host.  Landlock
 * scopes signals and ptrace, but not these: a process of the same user could
 * attach to and write a host program's shared memory, send to or drain its
 * message queues, post its semaphores, lower its resource limits (RLIMIT_CPU
 * makes the kernel kill it, RLIMIT_NOFILE starves it of descriptors), or
 * change its priority, CPU affinity, scheduling class and I/O priority.
 */
static const rf_seccomp_group sysv_ipc_group = {
    "@sysv-ipc",
    "SysV shared memory, message queues and semaphores: without an IPC namespace they are the "
    "host's",
    SYSCALLS("shmget", "shmat", "shmdt", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl",
             "semget", "semop", "semtimedop", "semctl", "ipc"),
    "each fails with ENOSYS, as on a kernel built without SysV IPC"};

static const rf_seccomp_group other_processes_group = {
    "@other-processes",
    "the limits, priority and scheduling of another process: without a pid namespace any pid "
    "may be a host process of the same user (ringfence itself included)",
    SYSCALLS("prlimit64", "setpriority", "ioprio_set", "sched_setaffinity", "sched_setscheduler",
             "sched_setparam", "sched_setattr"),
    "fail with EPERM when they would change another process: prlimit64() with a pid other than 0 "
    "and a new limit; sched_setaffinity/setscheduler/setparam/setattr() with a pid other than 0; "
    "setpriority()/ioprio_set() with a who other than 0, or on a whole user (PRIO_USER, "
    "IOPRIO_WHO_USER, which with who 0 means every process of the caller's uid). The caller "
    "itself (pid 0) and its own process group (who 0) work, and so does reading (getpriority, "
    "prlimit64 without a new limit, sched_get*)"};

#define N_BASE (sizeof(base_groups) / sizeof(base_groups[0]))

/* The network combinations (0: network on; 1: private netns; 2: no netns,
 * unix only; 3: private netns, no unix datagrams; 4: no netns, no unix
 * datagrams), each without (even slots) and with (odd) the host-pid groups. */
#define N_TABLES 10
static rf_seccomp_group group_tables[N_TABLES][N_BASE + 4];
static size_t group_counts[N_TABLES];

static void fill_tables(void) {
  for (int t = 0; t < N_TABLES; t++) {
    memcpy(group_tables[t], base_groups, sizeof(base_groups));
    group_counts[t] = N_BASE;
    int network = t / 2;
    if (network == 0)
      group_tables[t][group_counts[t]++] = vsock_group;
    if (network == 1 || network == 3)
      group_tables[t][group_counts[t]++] = network_group_private;
    if (network == 2 || network == 4)
      group_tables[t][group_counts[t]++] = network_group_unix_only;
    if (network >= 3)
      group_tables[t][group_counts[t]++] = unix_datagram_group;
    if (t % 2) {
      group_tables[t][group_counts[t]++] = sysv_ipc_group;
      group_tables[t][group_counts[t]++] = other_processes_group;
    }
  }
}

const rf_seccomp_group *rf_seccomp_groups(const rf_seccomp_options *opts, size_t *n_groups) {
  /* Fixed combinations, filled once (read-only afterwards). */
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, fill_tables);
  int network = (opts->network_off ? (opts->allow_inet_sockets ? 1 : 2) : 0);
  if (opts->network_off && opts->deny_unix_datagram)
    network = opts->allow_inet_sockets ? 3 : 4;
  int index = network * 2 + (opts->host_pids ? 1 : 0);
  *n_groups = group_counts[index];
  return group_tables[index];
}

static int deny(scmp_filter_ctx ctx, int err, const char *name, char *msg, size_t msg_len) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR)
    return 0; /* not a syscall on this architecture (e.g. vm86 on x86-64): nothing to deny */
  int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0);
  if (rc < 0 && rc != -EDOM) /* -EDOM: a pseudo-syscall absent on this ABI, skipped on purpose */
    snprintf(msg, msg_len, "seccomp: cannot add a rule for %s: %s", name, strerror(-rc));
  return rc == -EDOM ? 0 : rc;
}

#define TRY(expr)                                                                              \
  do {                                                                                         \
    int rc_ = (expr);                                                                          \
    if (rc_ < 0) {                                                                             \
      if (!err[0])                                                                             \
        snprintf(err, err_len, "seccomp: %s failed: %s", #expr, strerror(-rc_));               \
      seccomp_release(ctx);                                                                    \
      return rc_;                                                                              \
    }                                                                                          \
  } while (0)

static const unsigned long clone_namespace_flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
                                                   CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                                                   CLONE_NEWCGROUP;

static int socket_family_allowed(const rf_seccomp_options *opts, int family) {
  if (family == AF_UNIX)
    return 1;
  return opts->allow_inet_sockets && (family == AF_INET || family == AF_INET6);
}

/* @sysv-ipc and @other-processes (see the groups above).  A pid or who of 0
 * names the caller; the comparisons are on all 64 bits, so a value whose
 * low 32 bits are 0 but whose high bits are not (the kernel reads an int,
 * that is the caller too) is refused: stricter, never looser.  |which| is
 * compared on its low 32 bits, as the kernel reads it. */
static int add_host_pid_rules(scmp_filter_ctx ctx, char *err, size_t err_len) {
  for (const char *const *s = sysv_ipc_group.syscalls; *s; s++) {
    int rc = deny(ctx, ENOSYS, *s, err, err_len);
    if (rc < 0)
      return rc;
  }
  const struct scmp_arg_cmp pid_not_self = SCMP_A0(SCMP_CMP_NE, 0);
  const struct scmp_arg_cmp who_not_self = SCMP_A1(SCMP_CMP_NE, 0);
  int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(prlimit64), 2, pid_not_self,
                            SCMP_A2(SCMP_CMP_NE, 0));
  static const int by_pid[4] = {SCMP_SYS(sched_setaffinity), SCMP_SYS(sched_setscheduler),
                                SCMP_SYS(sched_setparam), SCMP_SYS(sched_setattr)};
  for (size_t i = 0; rc == 0 && i < 4; i++)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), by_pid[i], 1, pid_not_self);
  /* setpriority(which, who, prio) and ioprio_set(which, who, ioprio):
   * PRIO_USER (2) and IOPRIO_WHO_USER (3) reach every process of a uid. */
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setpriority), 1, who_not_self);
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setpriority), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, 2 /* PRIO_USER */));
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioprio_set), 1, who_not_self);
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioprio_set), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, 3 /* IOPRIO_WHO_USER */));
  if (rc < 0)
    snprintf(err, err_len, "seccomp: cannot add the @other-processes rules: %s", strerror(-rc));
  return rc;
}

/* The syscalls that carry argument rules and that programs make often
 * (opens, terminal ioctls, forks, sockets and sends), most frequent first:
 * libseccomp then tests them first, so e.g. an openat() runs through a
 * dozen BPF instructions instead of a comparison against every syscall the
 * filter names.  Syscalls without rules need no hint: the kernel's action
 * cache lets them through without running the filter at all.  A hint only
 * orders the program; the decisions are the same.  Set before the rules
 * are added, which keeps them (libseccomp records the hint either way). */
static int prioritise_hot_syscalls(scmp_filter_ctx ctx) {
  static const char *const hot[] = {"openat", "ioctl", "clone", "socket", "sendto",
                                    "sendmsg", "connect", "open"};
  for (size_t i = 0; i < sizeof(hot) / sizeof(hot[0]); i++) {
    int nr = seccomp_syscall_resolve_name(hot[i]);
    if (nr == __NR_SCMP_ERROR)
      continue; /* e.g. no open(2) on aarch64 */
    int rc = seccomp_syscall_priority(ctx, nr, (uint8_t)(255 - i));
    if (rc < 0)
      return rc;
  }
  return 0;
}

int rf_seccomp_build(const rf_seccomp_options *opts, scmp_filter_ctx *out, char *err,
                     size_t err_len) {
  err[0] = '\0';
  /*
   * Only the native ABI is added.  libseccomp then makes the program kill a
   * process that enters the kernel through another ABI (i386 via int 0x80,
   * which would also bring the multiplexed socketcall(2) that cannot be
   * filtered by family, or x32 on x86-64): a different syscall ABI is no way
   * around the filter.
   */
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) {
    snprintf(err, err_len, "seccomp: cannot allocate a filter");
    return -ENOMEM;
  }
  TRY(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS));
  TRY(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)); /* the launcher sets no_new_privs itself */
  TRY(prioritise_hot_syscalls(ctx));

  for (size_t g = 0; g < N_BASE; g++) {
    const rf_seccomp_group *group = &base_groups[g];
    if (group->rules)
      continue; /* argument rules below */
    for (const char *const *s = group->syscalls; *s; s++)
      TRY(deny(ctx, EPERM, *s, err, err_len));
  }
  /* @namespaces: clone(2) with a CLONE_NEW* flag; the flags are argument 0
   * on the architectures we build for.  One rule per flag, since a masked
   * comparison tests equality. */
  for (unsigned bit = 0; bit < 64; bit++) {
    unsigned long flag = 1ul << bit;
    if (clone_namespace_flags & flag)
      TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                           SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)));
  }
  /* @namespaces also lists unshare and setns, which the loop above skips
   * because the group has argument rules: deny them whole. */
  TRY(deny(ctx, EPERM, "unshare", err, err_len));
  TRY(deny(ctx, EPERM, "setns", err, err_len));
  /* clone3(2) passes its flags in memory, out of seccomp's sight: ENOSYS
   * makes glibc and others fall back to clone(2), which is checked above. */
  TRY(deny(ctx, ENOSYS, "clone3", err, err_len));

  /* @personality: the kernel reads the persona as an unsigned int, and
   * 0xffffffff only queries it.  A rule holds one comparison per argument,
   * so the rules compare masked low 32 bits:
   *  - bit 31 clear and a weakening flag set: refused (one rule per flag);
   *  - bit 31 set: no persona uses it, so anything but the query (all 32
   *    bits set) is refused, spelled as "bit 31 set and bit N clear", one
   *    rule for each of the 31 other bits.
   * 33 rules instead of one per (flag, bit): 190 fewer BPF instructions to
   * check and JIT-compile on every run, for the same effect on the flags. */
  static const unsigned long weakening[] = {0x0400000ul /* READ_IMPLIES_EXEC */,
                                            0x0040000ul /* ADDR_NO_RANDOMIZE */};
  const unsigned long top = 0x80000000ul;
  for (size_t f = 0; f < 2; f++)
    TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, top | weakening[f], weakening[f])));
  for (unsigned bit = 0; bit < 31; bit++)
    TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, top | (1ul << bit), top)));

  /* @terminal-injection: the kernel reads the request as 32 bits. */
  TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI)));
  TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX)));

  if (opts->network_off) {
    /* @network-off: the refused families below 64 come in runs between the
     * allowed ones (AF_UNIX, and AF_INET/AF_INET6 with a private loopback).
     * A run that reaches 63 is one "at least" rule, which also refuses every
     * value of 64 and more, including any with the upper 32 bits set (the
     * kernel reads an int; such a value is refused whatever its low bits
     * say).  A run in between is one equality per family: any value with
     * upper bits set is caught by the "at least" rule.  Fewer comparisons
     * than one per family: a shorter program to check and compile on every
     * run, for the same set of refused values. */
    for (int family = 0; family < 64;) {
      if (socket_family_allowed(opts, family)) {
        family++;
        continue;
      }
      int end = family;
      while (end + 1 < 64 && !socket_family_allowed(opts, end + 1))
        end++;
      if (end == 63) {
        TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                             SCMP_A0(SCMP_CMP_GE, (scmp_datum_t)family)));
        TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socketpair), 1,
                             SCMP_A0(SCMP_CMP_GE, (scmp_datum_t)family)));
      } else {
        for (int f = family; f <= end; f++) {
          TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                               SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)f)));
          TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socketpair), 1,
                               SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)f)));
        }
      }
      family = end + 1;
    }
  } else {
    /* @vsock: refused with the network on too; the family compared on its low 32 bits, as the
     * kernel reads an int (upper bits set do not slip past). */
    TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, AF_VSOCK)));
    TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socketpair), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, AF_VSOCK)));
  }
  if (opts->guard_names) {
    /* openat2(2) keeps O_CREAT inside a struct seccomp cannot read: ENOSYS
     * sends libc and others back to openat(), which the supervisor sees. */
    TRY(deny(ctx, ENOSYS, "openat2", err, err_len));
  }
  if (opts->network_off) {
    /* @network-off, unix types: the kernel reads the type's low 4 bits
     * (SOCK_NONBLOCK and SOCK_CLOEXEC sit above, anything else there is
     * EINVAL).  AF_UNIX knows stream (1), datagram (2) and seqpacket (5), and
     * takes SOCK_RAW (3) as a datagram socket: a type the socket rules below
     * and the supervisors would not see as one.  Refused: 0, 3, 4, 6-15. */
    static const struct {
      unsigned long mask, value;
    } unix_types[] = {{0xf, 0}, {0xf, 3}, {0xf, 4}, {0xe, 6}, {0x8, 8}};
    for (size_t t = 0; t < sizeof(unix_types) / sizeof(unix_types[0]); t++) {
      TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ESOCKTNOSUPPORT), SCMP_SYS(socket), 2,
                           SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, AF_UNIX),
                           SCMP_A1(SCMP_CMP_MASKED_EQ, unix_types[t].mask, unix_types[t].value)));
      TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ESOCKTNOSUPPORT), SCMP_SYS(socketpair), 2,
                           SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, AF_UNIX),
                           SCMP_A1(SCMP_CMP_MASKED_EQ, unix_types[t].mask, unix_types[t].value)));
    }
  }
  if (opts->network_off && opts->deny_unix_datagram) {
    /* @unix-datagram: the type's low 4 bits (SOCK_NONBLOCK/CLOEXEC sit above). */
    TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 2,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, AF_UNIX),
                         SCMP_A1(SCMP_CMP_MASKED_EQ, 0xfu, SOCK_DGRAM)));
    TRY(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socketpair), 2,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, AF_UNIX),
                         SCMP_A1(SCMP_CMP_MASKED_EQ, 0xfu, SOCK_DGRAM)));
  }
  if (opts->host_pids)
    TRY(add_host_pid_rules(ctx, err, err_len));
  *out = ctx;
  return 0;
}

int rf_seccomp_memfd_from_blob(const unsigned char *code, size_t len, char *err, size_t err_len) {
  int fd = memfd_create("ringfence-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    int e = errno;
    snprintf(err, err_len, "seccomp: memfd_create failed: %s", strerror(e));
    return -e;
  }
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(fd, code + done, len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      close(fd);
      snprintf(err, err_len, "seccomp: cannot write the filter: %s", strerror(e));
      return -e;
    }
    done += (size_t)n;
  }
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0 ||
      lseek(fd, 0, SEEK_SET) != 0) {
    int e = errno;
    close(fd);
    snprintf(err, err_len, "seccomp: cannot seal the filter: %s", strerror(e));
    return -e;
  }
  return fd;
}

#ifdef RF_HAVE_PRECOMPILED_BPF
#include "seccomp-programs.h"
#endif

const unsigned char *rf_seccomp_precompiled(const rf_seccomp_options *opts, size_t *len) {
#ifdef RF_HAVE_PRECOMPILED_BPF
  if ((opts->network_off | opts->allow_inet_sockets | opts->deny_unix_datagram |
       opts->guard_names | opts->host_pids) <= 1) {
    unsigned index = (unsigned)(opts->network_off | opts->allow_inet_sockets << 1 |
                                opts->deny_unix_datagram << 2 | opts->guard_names << 3 |
                                opts->host_pids << 4);
    *len = rf_main_programs[index].len;
    return rf_main_programs[index].code;
  }
#endif
  (void)opts;
  *len = 0;
  return NULL;
}

int rf_seccomp_export_memfd(const rf_seccomp_options *opts, char *err, size_t err_len) {
  size_t len = 0;
  const unsigned char *code = rf_seccomp_precompiled(opts, &len);
  if (code)
    return rf_seccomp_memfd_from_blob(code, len, err, err_len);
  return rf_seccomp_compile_memfd(opts, err, err_len);
}

/* Writes the program of |ctx| (released here) into a sealed memfd. */
static int export_sealed(scmp_filter_ctx ctx, char *err, size_t err_len) {
  int fd = memfd_create("ringfence-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    int rc = -errno;
    snprintf(err, err_len, "seccomp: memfd_create failed: %s", strerror(errno));
    seccomp_release(ctx);
    return rc;
  }
  int rc = seccomp_export_bpf(ctx, fd);
  seccomp_release(ctx);
  if (rc < 0) {
    snprintf(err, err_len, "seccomp: cannot export the filter: %s", strerror(-rc));
    close(fd);
    return rc;
  }
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0 ||
      lseek(fd, 0, SEEK_SET) != 0) {
    rc = -errno;
    snprintf(err, err_len, "seccomp: cannot seal the filter: %s", strerror(errno));
    close(fd);
    return rc;
  }
  return fd;
}

int rf_seccomp_compile_memfd(const rf_seccomp_options *opts, char *err, size_t err_len) {
  scmp_filter_ctx ctx = NULL;
  int rc = rf_seccomp_build(opts, &ctx, err, err_len);
  return rc < 0 ? rc : export_sealed(ctx, err, err_len);
}

int rf_seccomp_build_supervised(const rf_seccomp_options *opts, int notify_level,
                                scmp_filter_ctx *out, char *err, size_t err_len) {
  /* openat2 hides O_CREAT from seccomp: the guard needs it to answer ENOSYS. */
  if (notify_level < 0 || notify_level > 2 || (notify_level > 0) != (opts->guard_names != 0)) {
    snprintf(err, err_len, "seccomp: notify level %d does not go with guard_names %d",
             notify_level, opts->guard_names);
    return -EINVAL;
  }
  scmp_filter_ctx ctx = NULL;
  int rc = rf_seccomp_build(opts, &ctx, err, err_len);
  if (rc < 0)
    return rc;
  /* The two rule sets name disjoint syscalls (the main filter: denials;
   * the notify rules: connect, the sends, bind and the name-creating and
   * -removing calls), so for every syscall the one program answers what the
   * stricter of two separate filters would (test-seccomp checks it). */
  rc = rf_unix_supervisor_add_rules(ctx, notify_level);
  if (rc < 0) {
    snprintf(err, err_len, "seccomp: cannot add the notify rules: %s", strerror(-rc));
    seccomp_release(ctx);
    return rc;
  }
  *out = ctx;
  return 0;
}

int rf_seccomp_compile_supervised_memfd(const rf_seccomp_options *opts, int notify_level,
                                        char *err, size_t err_len) {
  scmp_filter_ctx ctx = NULL;
  int rc = rf_seccomp_build_supervised(opts, notify_level, &ctx, err, err_len);
  return rc < 0 ? rc : export_sealed(ctx, err, err_len);
}

int rf_seccomp_export_supervised_memfd(const rf_seccomp_options *opts, int notify_level,
                                       char *err, size_t err_len) {
#ifdef RF_HAVE_PRECOMPILED_BPF
  /* Precompiled: the bwrap backend's options (see seccomp-programs.h). */
  if ((opts->network_off | opts->guard_names) <= 1 && opts->allow_inet_sockets == 1 &&
      !opts->deny_unix_datagram && !opts->host_pids && notify_level >= 0 && notify_level <= 2 &&
      (notify_level > 0) == (opts->guard_names != 0)) {
    const rf_bpf_blob *blob = &rf_supervised_programs[opts->network_off][notify_level];
    return rf_seccomp_memfd_from_blob(blob->code, blob->len, err, err_len);
  }
#endif
  return rf_seccomp_compile_supervised_memfd(opts, notify_level, err, err_len);
}

int rf_seccomp_program_length(const rf_seccomp_options *opts, int notify_level) {
  char err[256];
  int fd = notify_level < 0 ? rf_seccomp_export_memfd(opts, err, sizeof(err))
                            : rf_seccomp_export_supervised_memfd(opts, notify_level, err, sizeof(err));
  if (fd < 0)
    return fd;
  off_t size = lseek(fd, 0, SEEK_END);
  close(fd);
  return size < 0 ? -EIO : (int)(size / 8);
}
