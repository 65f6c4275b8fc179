/* notify-handler-socket.h: the one decision on where a sandboxed socket may go: connect(), sendto() with a destination, sendmsg(), sendmmsg(), and bind().
 *
 * A handler of the notification dispatcher (notify-dispatch.h), used by both
 * Linux backends.  For each call it copies the caller's socket
 * (pidfd_getfd), the destination, the data and any descriptors being passed
 * once, decides, and then performs the call itself on the copy, so nothing
 * the caller changes after the check is used.
 *
 * The decision, for every socket type (stream, datagram, seqpacket) and
 * every call that names a destination:
 *   - A pathname unix address is resolved in the caller's view to the socket
 *     file (held open, O_PATH); it may be reached only when the socket bound
 *     to that inode is the sandbox's (see "the sandbox's sockets" below);
 *     else EACCES (a tmux, ssh-agent, D-Bus, journald or Docker socket,
 *     wherever its file lies).  The call then goes to /proc/thread-self/fd/N
 *     of the file held open, never to the path again.
 *   - An abstract unix address or an inet address is looked up by the kernel
 *     in the socket's own network namespace.  That is safe only when it is
 *     the sandbox's private one (the bwrap backend, a socket made inside).
 *     Otherwise (the Landlock backend, which shares the host's namespace; or
 *     a socket made outside, passed in with --pass-fd or received through
 *     SCM_RIGHTS): an abstract name must be bound by the sandbox (EPERM, what
 *     Landlock's scope answers), and an inet destination follows the network
 *     policy (on: any; proxy: the proxy port; off: EACCES).  A socket's
 *     namespace is known by SO_NETNS_COOKIE, compared with the sock_diag
 *     socket's.
 *   - Anything else (an unnamed address, a family that does not match the
 *     socket) is the kernel's to refuse.
 *
 * The sandbox's sockets: sock_diag (unix-diag.h) names the socket bound to
 * an inode or an abstract name in one network namespace.  With a private
 * namespace (bwrap), every socket bound in it is the sandbox's.  Without one
 * (Landlock), bind() is a notification too: the socket's cookie (SO_COOKIE,
 * unique per boot) is recorded and the kernel carries on with the bind as
 * the caller (Landlock decides where a socket file may be made); a socket is
 * the sandbox's when its cookie was recorded.  With a private namespace and
 * protected names guarded, bind() of a pathname goes through the filesystem
 * guard (notify-handler-fsguard.h), which refuses protected names; any other
 * bind is made on the copy.
 *
 * What is sent on the caller's behalf: at most RF_SEND_LIMIT bytes per call
 * (stream sockets see a short count; a larger datagram is EMSGSIZE), the
 * first message of a sendmmsg(), and only the control messages
 * notify-decode.h allows (descriptors are copied from the caller first).
 */
#pragma once

#include <seccomp.h>
#include <stdint.h>

#include "notify-dispatch.h"

#define RF_SEND_LIMIT (256 * 1024)

typedef struct rf_notify_fsguard rf_notify_fsguard;

typedef struct {
  /* sock_diag socket of the namespace where the sandbox's sockets live
   * (not owned); -1 until rf_notify_socket_set_diag. */
  int diag_fd;
  /* 1: that namespace is the sandbox's own (bwrap); 0: the host's, and
   * binds are recorded (Landlock). */
  int private_netns;
  int network;         /* the policy's rf_network_mode */
  uint16_t proxy_port; /* with RF_NETWORK_PROXY */
  rf_notify_fsguard *guard; /* private_netns with names guarded: pathname binds; else NULL */
} rf_notify_socket_config;

typedef struct rf_notify_socket rf_notify_socket;

/* 0 or -ENOMEM. */
int rf_notify_socket_new(const rf_notify_socket_config *config, rf_notify_socket **out);
/* The sock_diag socket, when it arrives after the handler was made (bwrap:
 * from the sandbox's init).  Before the first call. */
void rf_notify_socket_set_diag(rf_notify_socket *s, int diag_fd);
void rf_notify_socket_free(rf_notify_socket *s);

extern const rf_notify_handler rf_notify_socket_handler;

/* The notify rules that send this handler its calls: connect, sendto with a
 * destination, sendmsg, sendmmsg, and bind when |with_bind|.  0 or -errno. */
int rf_notify_socket_add_rules(scmp_filter_ctx ctx, int with_bind);

/* For tests: 1 when sock_diag (on |diag_fd|) lists a unix socket bound to the
 * file (dev, ino), 0 when not, -errno on failure. */
int rf_unix_socket_bound_in_netns(int diag_fd, unsigned long long dev, unsigned long long ino);
