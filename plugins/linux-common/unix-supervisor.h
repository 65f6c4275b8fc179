/* unix-supervisor.h: answers the sandbox's connect() calls so that only sockets bound inside are reachable.
 *
 * The design, in four steps:
 *   1. ringfence-sandbox-init, inside the sandbox's network namespace, opens a
 *      NETLINK_SOCK_DIAG socket and installs a seccomp filter that turns every
 *      connect(2) into a user notification (SECCOMP_FILTER_FLAG_NEW_LISTENER);
 *      the supervisor copies both out of it with pidfd_getfd(); then init loads
 *      the main filter and execs.
 *   2. For each connect(), the supervisor takes a copy of the caller's socket
 *      with pidfd_getfd() and copies the address out of its memory once.
 *   3. A pathname unix address is resolved in the caller's view of the
 *      filesystem to an inode; the connect is allowed only when sock_diag,
 *      asked inside the sandbox's network namespace, lists a socket bound to
 *      that inode.  A host socket (tmux, ssh-agent, D-Bus, Docker) is bound in
 *      the host's namespace and is refused with EACCES, wherever its file lies
 *      (a writable root such as /tmp included).  Abstract addresses and inet
 *      addresses are looked up by the kernel in the socket's own (private)
 *      network namespace.
 *   4. The supervisor performs the connect itself on the copied socket with the
 *      copied (or resolved) address and returns the result, so nothing the
 *      caller changes after the check is used: no time-of-check/time-of-use gap.
 *
 * If the supervisor is gone, the kernel fails every connect() with ENOSYS:
 * the mechanism fails closed.
 */
#pragma once

#include <seccomp.h>

#include <ringfence/backend.h>
#include <stddef.h>

typedef struct rf_unix_supervisor rf_unix_supervisor;

/* What the supervisor answers besides connect(). */
typedef struct {
  /* ringfence-fs-proxy, and the protected paths that do not exist yet as
   * "DEV:INO:HEXNAME" (parent directory, last component); NULL/empty: the
   * filter does not ask about name-creating syscalls. */
  const char *fs_proxy;
  const char *const *missing_protected;
  /* The bwrap backend's Landlock layer (landlock-layer.h), which every
   * ringfence-fs-proxy enforces on itself; landlock_abi 0: none.  The
   * supervisor keeps a duplicate of landlock_fd. */
  int landlock_fd;
  int landlock_abi;
} rf_unix_supervisor_config;

/* Starts the supervisor thread.  It receives the listener and sock_diag
 * descriptors on |channel_fd| (it takes ownership of it).  Returns 0 or
 * -errno with a message in err. */
int rf_unix_supervisor_start(int channel_fd, const rf_unix_supervisor_config *config,
                             rf_unix_supervisor **out, char *err, size_t err_len);

/* The protected paths of |policy| that do not exist yet, as the config wants
 * them; NULL-terminated, free with rf_strv_free_array().  NULL on no memory. */
char **rf_missing_protected_entries(const rf_backend_policy *policy);
/* 0, 1 or 2: the guard level |entries| need (see the filter above). */
int rf_guard_level(char **entries);
void rf_strv_free_array(char **array);

/* Tells the supervisor the launcher's pid (bwrap): the sandbox's pid 1 is its
 * child, from which the listener is copied.  Call right after spawning. */
void rf_unix_supervisor_set_launcher(rf_unix_supervisor *supervisor, int pid);

/* Stops the thread (the sandbox has ended) and frees everything. */
void rf_unix_supervisor_stop(rf_unix_supervisor *supervisor);

/* The filter the sandbox installs for step 1 (connect and sends that name a
 * destination -> user notification; |guard_names| 1: the name-creating
 * syscalls and bind too; 2: also unlink/unlinkat/rmdir), as a sealed memfd
 * holding classic BPF.  Returns the fd or -errno. */
int rf_unix_supervisor_filter_memfd(int guard_names, char *err, size_t err_len);
/* The same, always compiled with libseccomp now (what gen-bpf uses). */
int rf_unix_supervisor_compile_filter(int guard_names, char *err, size_t err_len);
/* Adds the notify rules of that filter to |ctx| (for a filter that also
 * holds the main rules, see seccomp-groups.h).  Returns 0 or -errno. */
int rf_unix_supervisor_add_rules(scmp_filter_ctx ctx, int guard_names);

/* For tests: 1 when sock_diag (on |diag_fd|) lists a unix socket bound to the
 * file (dev, ino), 0 when not, -errno on failure. */
int rf_unix_socket_bound_in_netns(int diag_fd, unsigned long long dev, unsigned long long ino);
