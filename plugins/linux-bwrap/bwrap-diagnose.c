/* bwrap-diagnose.c: turns bwrap's and the kernel's refusals into a reason and a remedy. */
#include "bwrap-diagnose.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void trim_copy(char *dst, size_t len, const char *src) {
  if (!src) {
    dst[0] = '\0';
    return;
  }
  snprintf(dst, len, "%s", src);
  size_t n = strlen(dst);
  while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
    dst[--n] = '\0';
}

rf_bwrap_problem rf_bwrap_classify(const char *message, int unshare_errno, int userns_clone_sysctl,
                                   int max_user_namespaces, int apparmor_restrict, int is_root,
                                   char *reason, size_t reason_len, char *remedy,
                                   size_t remedy_len) {
  char quoted[512];
  trim_copy(quoted, sizeof(quoted), message);
  const char *m = quoted;
  const char *why = quoted[0] ? quoted : strerror(unshare_errno ? unshare_errno : EPERM);

  if (!is_root && userns_clone_sysctl == 0) {
    snprintf(reason, reason_len,
             "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)%s%s",
             quoted[0] ? "; bwrap said: " : "", quoted);
    snprintf(remedy, remedy_len,
             "enable them with 'sysctl -w kernel.unprivileged_userns_clone=1', or use the "
             "landlock backend");
    return RF_BWRAP_USERNS_DISABLED;
  }
  if (max_user_namespaces == 0) {
    snprintf(reason, reason_len, "user namespaces are disabled (user.max_user_namespaces = 0)%s%s",
             quoted[0] ? "; bwrap said: " : "", quoted);
    snprintf(remedy, remedy_len,
             "raise it with 'sysctl -w user.max_user_namespaces=15000', or use the landlock "
             "backend");
    return RF_BWRAP_USERNS_DISABLED;
  }
  if (strstr(m, "RTM_NEWADDR") || strstr(m, "loopback:")) {
    snprintf(reason, reason_len, "bwrap could not set up loopback in a new network namespace: %s",
             why);
    snprintf(remedy, remedy_len,
             "this happens inside containers that deny netlink changes (e.g. without "
             "CAP_NET_ADMIN in the container); run on the host, or use the landlock backend");
    return RF_BWRAP_NETNS_LOOPBACK;
  }
  /* Before the namespace cases: the kernel's EPERM for the proc mount is not about namespaces.
   * A new user namespace may mount proc only where the whole of the caller's /proc is visible
   * (fs/namespace.c, mnt_already_visible): a mount over /proc/sys, /proc/kcore ... (containers
   * mask those) forbids it, and a masked /proc/sys also hides the overflowuid bwrap reads. */
  if (strstr(m, "Can't mount proc") || strstr(m, "/proc/sys/kernel/overflow")) {
    snprintf(reason, reason_len,
             "part of /proc is hidden by a mount, so the kernel gives bwrap's new user namespace "
             "no /proc of its own: %s",
             why);
    snprintf(remedy, remedy_len,
             "run where /proc is not masked (a container: --security-opt systempaths=unconfined, "
             "or unmount what covers /proc), or use the landlock backend");
    return RF_BWRAP_PROC_MASKED;
  }
  int apparmor_like = strstr(m, "setting up uid map: Permission denied") ||
                      strstr(m, "write to uid_map") ||
                      (strstr(m, "Failed to make / slave") && apparmor_restrict == 1);
  if (!is_root && (apparmor_like || (apparmor_restrict == 1 && unshare_errno == EPERM))) {
    snprintf(reason, reason_len,
             "AppArmor restricts unprivileged user namespaces "
             "(kernel.apparmor_restrict_unprivileged_userns = %d): %s",
             apparmor_restrict, why);
    snprintf(remedy, remedy_len,
             "install an AppArmor profile that allows userns for bwrap (Ubuntu: the "
             "'bwrap-userns-restrict' profile, or a profile with 'userns,' for %s), or use the "
             "landlock backend",
             "/usr/bin/bwrap");
    return RF_BWRAP_USERNS_APPARMOR;
  }
  if (strstr(m, "No permissions to create new namespace") ||
      strstr(m, "No permissions to create a new namespace") ||
      strstr(m, "Creating new namespace failed") || strstr(m, "Operation not permitted") ||
      unshare_errno == EPERM || unshare_errno == ENOSPC || unshare_errno == EINVAL ||
      unshare_errno == ENOSYS) {
    snprintf(reason, reason_len, "creating namespaces is not permitted here: %s", why);
    snprintf(remedy, remedy_len,
             "this is typical inside a container whose seccomp profile or missing capabilities "
             "block clone(CLONE_NEWUSER) (Docker's default); allow user namespaces for the "
             "container (e.g. --security-opt seccomp=unconfined), or use the landlock backend");
    return RF_BWRAP_USERNS_DENIED;
  }
  snprintf(reason, reason_len, "bwrap failed: %s", why);
  snprintf(remedy, remedy_len,
           "run 'ringfence check' for details, or choose another backend with --backend");
  return RF_BWRAP_UNKNOWN;
}
