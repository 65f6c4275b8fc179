/* seccomp-groups.h: the syscall denials both Linux backends share, as named groups, and the filter builder. */
#pragma once

#include <seccomp.h>
#include <stddef.h>

/* What the filter must allow besides the defaults. */
typedef struct {
  int network_off;        /* deny sockets of every family but AF_UNIX (and inet, below) */
  int allow_inet_sockets; /* network off but a private network namespace: inet is loopback only */
  int deny_unix_datagram; /* unix datagram sockets could send to a host socket by name */
  int guard_names;        /* name-creating calls go to the supervisor: openat2 answers ENOSYS */
  int host_pids;          /* no pid or IPC namespace: refuse SysV IPC and changing other pids */
} rf_seccomp_options;

typedef struct {
  const char *name; /* "@io-uring" */
  const char *help; /* one line */
  const char *const *syscalls; /* NULL-terminated; empty for groups made of argument rules */
  const char *rules;           /* argument rules in words, or NULL */
} rf_seccomp_group;

/* The groups in force for |opts|, in order; *n_groups receives the count. */
const rf_seccomp_group *rf_seccomp_groups(const rf_seccomp_options *opts, size_t *n_groups);

/* Builds the filter for the native architecture (other ABIs, such as i386 via
 * int 0x80 or x32, are killed: see the comment in seccomp-groups.c).  Returns
 * 0 or -errno with a message in err. */
int rf_seccomp_build(const rf_seccomp_options *opts, scmp_filter_ctx *out, char *err,
                     size_t err_len);

/* Builds the filter and writes it as a classic BPF program into a sealed
 * memfd positioned at offset 0, ready for `bwrap --seccomp FD`.  Returns the
 * fd or -errno. */
int rf_seccomp_export_memfd(const rf_seccomp_options *opts, char *err, size_t err_len);

/* The program compiled at build time for |opts| (*len bytes, not to be freed), or NULL when
 * there is none (a combination the build did not compile): no memfd on the way. */
const unsigned char *rf_seccomp_precompiled(const rf_seccomp_options *opts, size_t *len);

/* The same, always compiling with libseccomp now (what gen-bpf uses). */
int rf_seccomp_compile_memfd(const rf_seccomp_options *opts, char *err, size_t err_len);

/* The one filter of a supervised sandbox: the rules above plus the notify
 * rules of unix-supervisor.h at |notify_level| (0, 1 or 2, which must be > 0
 * exactly when opts->guard_names is set), loaded by ringfence-sandbox-init
 * with SECCOMP_FILTER_FLAG_NEW_LISTENER.  One program instead of two: every
 * syscall that needs a filter at all runs one, not both.  The two rule sets
 * name disjoint syscalls, so each syscall gets what the stricter of the two
 * separate filters would give it: a denial stays a denial, never a
 * notification.  Returns 0 or -errno with a message in err. */
int rf_seccomp_build_supervised(const rf_seccomp_options *opts, int notify_level,
                                scmp_filter_ctx *out, char *err, size_t err_len);
/* The same as a sealed memfd at offset 0 (precompiled where it can be). */
int rf_seccomp_export_supervised_memfd(const rf_seccomp_options *opts, int notify_level,
                                       char *err, size_t err_len);
/* The same, always compiling with libseccomp now (what gen-bpf uses). */
int rf_seccomp_compile_supervised_memfd(const rf_seccomp_options *opts, int notify_level,
                                        char *err, size_t err_len);

/* A sealed memfd holding |code|; returns the fd or -errno. */
int rf_seccomp_memfd_from_blob(const unsigned char *code, size_t len, char *err, size_t err_len);

/* Number of BPF instructions of the filter (for explain): the main filter
 * with |notify_level| -1, else the supervised one; -errno on failure. */
int rf_seccomp_program_length(const rf_seccomp_options *opts, int notify_level);
