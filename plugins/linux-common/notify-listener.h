/* notify-listener.h: installing a seccomp filter that hands its notifications to a listener. */
#pragma once

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/*
 * Installs prog with SECCOMP_FILTER_FLAG_NEW_LISTENER and returns the
 * listener, or -1 with errno.  Async-signal-safe (used between fork and exec).
 *
 * With WAIT_KILLABLE_RECV (Linux 5.19+), a call the supervisor has received
 * can no longer be interrupted by a signal the caller handles: the
 * supervisor's answer always reaches the caller.  Without it the kernel may
 * accept the answer (SECCOMP_IOCTL_NOTIF_SEND succeeds) while the caller,
 * woken by the signal at the same moment, returns EINTR: a directory the
 * supervisor made would then exist although the command was told the call
 * failed.  Older kernels refuse the flag (EINVAL); there the supervisor's
 * take-back of undeliverable creations narrows the window but cannot close
 * it (docs/security.md, "Residual windows").
 */
static inline int rf_notify_install_listener(const struct sock_fprog *prog) {
  int listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                              SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
                              prog);
  if (listener < 0 && errno == EINVAL)
    listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, prog);
  return listener;
}
