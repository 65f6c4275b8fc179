/* proxy-bridge.h: the bridge inside a sandbox with a network namespace of its own (--network proxy): listens on the sandbox's loopback and hands each connection to ringfence's proxy outside, and the route check before the command starts.
 *
 * The sandbox's namespace has loopback only, so the proxy is the one way out: the bridge
 * (a process of its own, forked by ringfence-sandbox-init before the command exists)
 * listens on 127.0.0.1:PORT and, when the namespace has IPv6 loopback, [::1]:PORT, and sends
 * each accepted connection over |accept_fd|, a unix SOCK_SEQPACKET socket whose peer is
 * ringfence-netproxy --accept-fd: one descriptor per message (SCM_RIGHTS), one byte of
 * payload.  It ends when the proxy closes its end, or with the sandbox.
 * Links nothing but libc (it is part of ringfence-sandbox-init). */
#pragma once

#include <sys/types.h>

/* Binds the listeners, forks the bridge and returns its pid in *pid; the caller's copies of
 * |accept_fd| and the listeners are closed (the command must never hold them).  0, or
 * -errno with a message naming what failed. */
int rf_bridge_start(int accept_fd, int port, pid_t *pid, char *err, size_t err_len);

/* The route check: through each address the bridge listens on, a health check to the proxy
 * (`RINGFENCE-PING TOKEN` answered by `RINGFENCE-PONG TOKEN`) within |timeout_ms|.  0;
 * -ECANCELED as soon as |abort_fd| (the lifeline, or -1) is readable or hung up; or -errno
 * with a message. */
int rf_bridge_check(int port, int timeout_ms, int abort_fd, char *err, size_t err_len);
