/* proxy-check.h: the route check of --network proxy: a health check through a loopback port to ringfence's proxy before the command may start.
 *
 * `RINGFENCE-PING TOKEN\n` (a fresh random token) sent through |family|'s loopback at |port|
 * must come back as `RINGFENCE-PONG TOKEN\n` from ringfence-netproxy (core/netproxy/main.c):
 * an answer only the proxy gives, so a port that merely accepts is not taken for it.  Used
 * by the bwrap bridge inside the sandbox (through the bridge) and by the Landlock supervisor
 * on the host (straight to the proxy) before the command is let go.  libc only: it is part
 * of ringfence-sandbox-init. */
#pragma once

#include <stddef.h>
#include <sys/socket.h>

/* How long a route check may wait for the proxy (it may still be starting): generous, as a
 * loaded machine can be slow, and a failed check stops the run anyway. */
#define RF_PROXY_CHECK_MS 30000

/* |family|'s loopback address (127.0.0.1 or ::1) at |port| in |ss|; returns its length. */
socklen_t rf_loopback_address(int family, int port, struct sockaddr_storage *ss);

/* CLOCK_MONOTONIC milliseconds |timeout_ms| from now, for rf_proxy_check's |deadline_ms|. */
long rf_proxy_check_deadline(int timeout_ms);

/* One health check through |family|'s loopback at |port| by |deadline_ms|: 0;
 * -EAFNOSUPPORT when there is no such loopback (IPv6 only: the caller decides); -ECANCELED
 * as soon as |abort_fd| (or -1) is readable or hung up (the run is being stopped); else
 * -errno with a message in |err| naming the address and what went wrong. */
int rf_proxy_check(int family, int port, long deadline_ms, int abort_fd, char *err,
                   size_t err_len);
