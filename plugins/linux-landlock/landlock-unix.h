/* landlock-unix.h: keeps the host's unix sockets out of reach of a Landlock sandbox (no network namespace to lean on).
 *
 * Landlock before ABI 9 does not control connect() to a pathname unix socket,
 * and the sandbox shares the host's network namespace, so "bound inside the
 * sandbox's namespace" (the bwrap backend's test) means nothing here.  This
 * supervisor asks instead: was the listening socket bound by a sandboxed
 * process?
 *
 *   1. The command installs a filter turning bind(2) and connect(2) into
 *      seccomp user notifications, and hands the listener to this thread in
 *      ringfence.
 *   2. bind: the supervisor takes a copy of the caller's socket
 *      (pidfd_getfd), records its cookie (SO_COOKIE: unique per boot, never
 *      reused) and lets the kernel carry on with the bind in the caller's
 *      context (Landlock still decides where a socket file may be made).
 *      Swapping the descriptor in between only records another sandbox socket.
 *   3. connect: the supervisor copies the socket and the address once.  A
 *      pathname address is resolved in the caller's view to the socket file,
 *      held open (O_PATH); sock_diag names the socket bound to that inode,
 *      and the connect is allowed only when its cookie was recorded in step 2.
 *      An abstract address is looked up by name the same way.  The supervisor
 *      then connects the copied socket itself (to /proc/self/fd/N for a
 *      pathname), so nothing the caller changes after the check is used.
 *      Other families: with the network off none can be created (seccomp);
 *      one passed in with --pass-fd is refused, in proxy mode it may only
 *      reach the proxy port.
 *   4. Denied: EACCES (pathname), EPERM (abstract, as Landlock's own scope).
 *
 * If ringfence is gone, the kernel fails every connect() and bind() with
 * ENOSYS: the mechanism fails closed.  Unix datagram sockets are denied by
 * seccomp (sendto() with an address would bypass connect()).
 *
 * Residual race, abstract names only: between the lookup and the connect, a
 * sandbox socket could close and a host process bind the same name; the
 * sandbox cannot make the host do that.
 */
#pragma once

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rf_ll_unix_supervisor rf_ll_unix_supervisor;

/* 1 when this kernel has what the supervisor needs (user notification,
 * pidfd_getfd, SO_COOKIE), 2 when it can also hand the caller a descriptor
 * with the answer (SECCOMP_ADDFD_FLAG_SEND, Linux 5.14), which the guard of
 * protected paths needs; else 0 with the reason in why.  Asked of the kernel once per process
 * (probe, capabilities and launch all want it). */
int rf_ll_unix_supervision_available(char *why, size_t why_len);

/* The notify filter as BPF in memory, compiled at build time when possible;
 * caller frees prog->filter.  It always sends the metadata calls
 * (landlock-meta.c); bind and connect only with |sockets| (Landlock ABI < 9);
 * with |guard| every call that could change something below a protected
 * path (guard-filter.h, bind included).  0 or -errno. */
int rf_ll_unix_notify_compile(int sockets, int guard, struct sock_fprog *prog, char *err,
                              size_t err_len);

/* The same, compiled with libseccomp now, in a memfd at offset 0 (for the
 * build-time generator and the test that compares both).  fd or -errno. */
int rf_ll_unix_notify_compile_memfd(int sockets, int guard, char *err, size_t err_len);

/* The guard of protected paths (guard-filter.h), for the supervisor. */
typedef struct {
  const char *fs_proxy;       /* ringfence-fs-proxy, trusted by the core (copied) */
  const char *const *entries; /* guard-tree.h entries, NULL-terminated (copied) */
  int landlock_fd;            /* the command's ruleset, which each proxy enforces (duplicated) */
  int landlock_abi;
} rf_ll_guard_config;

typedef struct {
  int network;         /* the policy's rf_network_mode */
  uint16_t proxy_port; /* with RF_NETWORK_PROXY */
  const char *const *writable; /* writable roots (copied) */
  size_t n_writable;
  const char *const *protected_paths; /* copied */
  size_t n_protected;
  const rf_ll_guard_config *guard; /* NULL: no guard */
} rf_ll_supervisor_config;

/* Starts the thread; it receives the listener on |channel_fd| (owned from
 * now on).  0 or -errno. */
int rf_ll_unix_supervisor_start(int channel_fd, const rf_ll_supervisor_config *config,
                                rf_ll_unix_supervisor **out, char *err, size_t err_len);

/* Acting on the caller (descriptors, memory, paths): linux-common/notify-target.h. */

/* With --network proxy: ends a route check still waiting for the proxy (the run is being
 * killed), so that the command process, which waits for it, is never released. */
void rf_ll_unix_supervisor_cancel_route_check(rf_ll_unix_supervisor *supervisor);

/* With --network proxy, why the route check before the command failed (the command then did
 * not run), or NULL. */
const char *rf_ll_unix_supervisor_route_error(const rf_ll_unix_supervisor *supervisor);

/* Stops the thread and frees everything (NULL is fine). */
void rf_ll_unix_supervisor_stop(rf_ll_unix_supervisor *supervisor);
