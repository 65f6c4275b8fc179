/* bwrap-layers.c: explain's account of the bwrap backend's layers: the Landlock ruleset inside the sandbox, and which mechanisms hold each guarantee. */
#include "bwrap-layers.h"

#include <stdarg.h>
#include <stdio.h>

#include "landlock-abi.h"
#include "landlock-layer.h"
#include "render-sink.h"


static void render_landlock(const rf_backend_policy *policy, int abi, const char *why,
                            const rf_backend_sink *out) {
  char names[512];
  if (abi < RF_LL_LAYER_MIN_ABI) {
    rf_emitf(out, "landlock",
          "no Landlock layer: %s; writes are held by the read-only mounts alone, which do not "
          "stop a FIFO outside the writable roots from being opened for writing, so "
          "write-confined is not enforced here",
          why ? why : "not available");
    return;
  }
  rf_ll_fs_rights_name(rf_ll_layer_handled(abi), names, sizeof(names));
  rf_emitf(out, "landlock",
        "ABI %d: a second, independent layer for writes; ringfence creates the ruleset, "
        "ringfence-sandbox-init completes it with the sandbox's /dev and enforces it on itself "
        "before the command starts (the command never holds its descriptor)",
        abi);
  rf_emitf(out, "landlock",
        "handled rights (denied unless a rule grants them): %s; reads, execution, ioctls and "
        "truncate are not handled (the mounts and seccomp decide; truncating needs a descriptor "
        "open for writing, or truncate(2) by path, which the read-only mounts refuse)",
        names);
  rf_ll_fs_rights_name(rf_ll_layer_root_rights(abi), names, sizeof(names));
  size_t n_roots = policy->mode == RF_SANDBOX_WORKSPACE_WRITE ? policy->n_writable_roots : 0;
  for (size_t i = 0; i < n_roots; i++)
    rf_emitf(out, "landlock", "rule %s: %s (writable root)", policy->writable_roots[i].path, names);
  if (n_roots == 0)
    rf_emitf(out, "landlock", "no writable root: nothing outside /dev may be written");
  for (const rf_ll_layer_dev *dev = rf_ll_layer_dev_rules; dev->path; dev++) {
    uint64_t access = (dev->access ? dev->access : rf_ll_layer_root_rights(abi)) &
                      rf_ll_layer_handled(abi);
    rf_ll_fs_rights_name(access, names, sizeof(names));
    rf_emitf(out, "landlock", "rule %s: %s (%s; added inside the sandbox, skipped if missing)",
          dev->path, names, dev->why);
  }
  rf_emitf(out, "landlock",
        "rule per inherited file (stdin, stdout, stderr, --pass-fd) that is a regular file, a "
        "device or a named FIFO: write_file if it was opened for writing, so that "
        "> /dev/stderr and > /dev/fd/N keep working");
  rf_emitf(out, "landlock",
        "ringfence-fs-proxy, which performs name-creating calls for the command, enforces the "
        "same ruleset on itself after entering the sandbox");
}

void rf_bwrap_render_layers(const rf_backend_policy *policy, int abi, const char *why, int guard,
                            int supervised, const rf_backend_sink *out) {
  render_landlock(policy, abi, why, out);
  char landlock[512];
  if (abi >= RF_LL_LAYER_MIN_ABI)
    snprintf(landlock, sizeof(landlock),
             "Landlock ABI %d inside the sandbox (writes only below the writable roots, the "
             "sandbox's /dev and inherited files)",
             abi);
  else
    snprintf(landlock, sizeof(landlock),
             "NO Landlock layer (%s): a host FIFO outside the writable roots stays writable, so "
             "NOT ENFORCED",
             why ? why : "not available");
  rf_emitf(out, "layers",
        "write-confined: read-only bind mounts (nodev: device nodes outside the sandbox's /dev do "
        "not open); seccomp @mount and @system (no remounting, no open_by_handle_at); %s",
        landlock);
  rf_emitf(out, "layers",
        "protected-subpaths: read-only bind mounts over those that exist; %s; (Landlock cannot "
        "hold it: its rights only add up the tree)",
        guard > 0 ? "the name guard for those that do not (seccomp user notifications, "
                    "ringfence-fs-proxy refuses them)"
                  : "no name guard needed (every protected name exists)");
  if (policy->read_access == RF_READ_RESTRICTED)
    rf_emitf(out, "layers",
          "restricted-read: an empty root (bwrap's tmpfs) with read-only binds of the readable "
          "roots%s; nothing else exists inside",
          (policy->flags & RF_POLICY_PLATFORM_DEFAULTS)
              ? ", the platform defaults that exist here and the loader's paths"
              : " (no platform defaults)");
  if (policy->n_deny_read > 0)
    rf_emitf(out, "layers",
          "deny-read: an empty mount of mode 0000 over each denied path that exists (a file over "
          "a file, a read-only tmpfs over a folder), after the binds above it; no capabilities, "
          "so mode 0000 holds for uid 0 inside; seccomp @mount (no unmounting)");
  if (policy->network != RF_NETWORK_ON) {
    rf_emitf(out, "layers",
          "network-off: network namespace with its own loopback only; seccomp @network-off "
          "(socket families)");
    rf_emitf(out, "layers", "private-loopback: the network namespace's own loopback");
  }
  if (policy->network == RF_NETWORK_PROXY)
    rf_emitf(out, "layers",
          "proxy-only: network namespace with its own loopback only; %s's bridge listens on "
          "127.0.0.1:%u and [::1]:%u inside and hands each connection to ringfence's proxy over "
          "a socket (--proxy-accept-fd), after a health check through it before the command "
          "starts (docs/network.md)",
          "ringfence-sandbox-init", (unsigned)policy->proxy_port, (unsigned)policy->proxy_port);
  if (supervised) {
    rf_emitf(out, "layers",
          "host-unix-sockets: network namespace (abstract sockets); the socket supervisor "
          "(pathname sockets bound outside get EACCES)");
    rf_emitf(out, "layers",
          "sandbox-unix-sockets: the socket supervisor allows sockets bound inside (sock_diag "
          "in the sandbox's namespace)");
    rf_emitf(out, "layers",
          "desktop-isolation: network namespace (X11's abstract socket); the socket supervisor "
          "(display sockets are pathname sockets bound outside)");
  }
  rf_emitf(out, "layers",
        "process-containment: pid namespace with ringfence-sandbox-init as pid 1 (its end ends "
        "every process inside); init's lifeline (it ends the namespace when ringfence ends, at "
        "any moment of start-up too)");
  rf_emitf(out, "layers",
        "host-processes: pid and IPC namespaces (nothing outside can be named); seccomp @debug "
        "(no ptrace, process_vm_*, pidfd_getfd)");
  rf_emitf(out, "layers",
        "terminal-injection: a session of its own unless the command runs in the terminal's "
        "foreground; seccomp @terminal-injection (TIOCSTI, TIOCLINUX)");
  rf_emitf(out, "layers",
        "kernel-surface: seccomp groups (@io-uring, @namespaces, @system, ...); no capabilities "
        "(--cap-drop ALL); no nested user namespaces (--disable-userns)");
  rf_emitf(out, "layers",
        "fd-isolation: bwrap is started with only 0, 1, 2, --pass-fd and ringfence's own "
        "protocol descriptors (inheritance is opt-in)");
}
