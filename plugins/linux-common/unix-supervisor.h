/* unix-supervisor.h: the bwrap backend's use of the notification dispatcher: its filter, its handlers, and how the listener leaves the sandbox.
 *
 * The life cycle of every notified call is the dispatcher's
 * (notify-dispatch.h) and each decision one handler's: where a socket may go
 * (notify-handler-socket.h: connect, the sends that name a destination, and
 * bind), and, while a protected name is missing or a symlink, the name guard
 * (notify-handler-fsguard.h).  What this backend adds:
 *   1. ringfence-sandbox-init, inside the sandbox's network namespace, opens a
 *      NETLINK_SOCK_DIAG socket and installs the supervised filter
 *      (SECCOMP_FILTER_FLAG_NEW_LISTENER); it writes both numbers on the
 *      channel, and the supervisor copies them out of init with
 *      pidfd_getfd() (no SCM_RIGHTS: see sandbox-init.c); then it answers,
 *      and init starts the command.
 *   2. The socket handler runs with a private network namespace: every socket
 *      bound in it is the sandbox's, so a pathname destination is allowed when
 *      sock_diag, asked in that namespace, lists a socket bound to its inode.
 *
 * If the supervisor is gone, the kernel fails every notified call with
 * ENOSYS: the mechanism fails closed.
 */
#pragma once

#include <seccomp.h>

#include <ringfence/backend.h>
#include <stddef.h>
#include <stdint.h>

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
  /* The policy's rf_network_mode and proxy port: what a socket made outside
   * the sandbox's network namespace (passed in) may reach by inet address. */
  int network;
  uint16_t proxy_port;
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

/* For tests: see notify-handler-socket.h. */
int rf_unix_socket_bound_in_netns(int diag_fd, unsigned long long dev, unsigned long long ino);
