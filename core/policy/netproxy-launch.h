/* netproxy-launch.h: the managed network of one run (--network proxy): what ringfence-netproxy is told, starting it, the command's proxy variables, and its end. */
#pragma once

#include <glib.h>
#include <ringfence/backend.h>

/* The proxy's settings, as the policy and the config give them (copied into the plan). */
typedef struct {
  GPtrArray *allow;   /* char*: --allow-domain patterns, as given */
  GPtrArray *deny;    /* char*: --deny-domain patterns */
  GPtrArray *resolve; /* char*: --resolve HOST:ADDR, passed on as is */
  char *upstream;     /* --proxy URL (http:// or socks5h://), or NULL */
  char *log_file;     /* --network-log FILE (JSON lines), or NULL: text lines on stderr */
  gboolean limited;   /* mode = "limited": GET, HEAD, OPTIONS over plain HTTP only */
  gboolean allow_local_binding;
} RfNetSettings;

/* The bridge's port on the sandbox's own loopback (bwrap): its namespace is empty, so a
 * fixed port is free; the proxy variables name it. */
#define RF_NETPROXY_BRIDGE_PORT 3128

/* How long the proxy may take to say `ready` (a loaded machine is slow, not broken). */
#define RF_NETPROXY_READY_SECONDS 30

void rf_net_settings_init(RfNetSettings *s);
void rf_net_settings_clear(RfNetSettings *s);
void rf_net_settings_copy(RfNetSettings *dst, const RfNetSettings *src);
/* TRUE when any setting differs from the default (then --network proxy must be in effect). */
gboolean rf_net_settings_given(const RfNetSettings *s);
/* FALSE and RF_ERROR_CONFIG when a pattern, --resolve entry or URL is malformed. */
gboolean rf_net_settings_check(const RfNetSettings *s, GError **error);

typedef struct _RfNetProxy RfNetProxy;
typedef struct _RfTrust RfTrust;

/* Starts ringfence-netproxy from |helper_dir| for one run, after checking the file is
 * trusted (|trust|, |view|: as for the other helpers), without waiting for it.
 * |bridge|: the sandbox has its own network namespace and a bridge inside (bwrap): the
 * proxy takes connections over a SOCK_SEQPACKET socket (--accept-fd) and the bridge's port is
 * known now; otherwise the core binds a listener on the host's 127.0.0.1 (an ephemeral port,
 * known now too) and hands it over (--listen-fd).  Either way the route exists before the
 * proxy runs; its `ready` confirms it.  NULL with RF_ERROR_LAUNCH naming the cause and the fix; then no process is left. */
RfNetProxy *rf_netproxy_spawn(const RfNetSettings *settings, const char *helper_dir,
                              const RfTrust *trust, const rf_backend_policy *view, gboolean bridge,
                              GError **error);
/* Waits (RF_NETPROXY_READY_SECONDS at most) for its `ready PORT` line (the port it was given).
 * FALSE with
 * RF_ERROR_LAUNCH (what the proxy said, or that it exited or said nothing) after ending it. */
gboolean rf_netproxy_wait_ready(RfNetProxy *proxy, GError **error);
/* The port the command's proxy variables name: the bridge's inside, or the proxy's own. */
guint16 rf_netproxy_get_port(const RfNetProxy *proxy);
/* The sandbox's end of the accept socket (bridge route), or -1. */
int rf_netproxy_get_accept_fd(const RfNetProxy *proxy);
/* Closes ringfence's copy of the sandbox's end (the backend has passed it on). */
void rf_netproxy_release_accept_fd(RfNetProxy *proxy);
/* Tells the proxy the run is over (EOF on its control socket): it closes every connection and
 * exits by itself, while the caller goes on; rf_netproxy_stop reaps it later. */
void rf_netproxy_end(RfNetProxy *proxy);
/* Ends the proxy: EOF on its control socket (if rf_netproxy_end did not already), then a wait,
 * then SIGKILL; reaped either way, and freed. */
void rf_netproxy_stop(RfNetProxy *proxy);

/* Sets the proxy variables of |envp| (char*, NULL-terminated) to 127.0.0.1:|port|: HTTP_PROXY,
 * HTTPS_PROXY, ALL_PROXY (socks5h), their lowercase forms, NO_PROXY and the variables npm,
 * pip, git, cargo and curl read on their own (docs/network.md). */
void rf_netproxy_set_environ(GPtrArray *envp, guint16 port);
