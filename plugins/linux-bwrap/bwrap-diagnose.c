/* bwrap-diagnose.c: bwrap's and the kernel's refusals made a reason and the remedy that applies. */
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

static int refused(const char *m) {
  return strstr(m, "Operation not permitted") || strstr(m, "Permission denied");
}

/* bwrap got its namespace and failed on a step that needs a capability inside it, in bwrap's
 * order: loopback in the new network namespace (socket, bind, RTM_NEWADDR, RTM_NEWLINK), the
 * uid/gid maps, then the mounts of the new root.  Ubuntu 24.04 prints the first or the second
 * ("loopback: Failed RTM_NEWADDR: Operation not permitted", "setting up uid map: Permission
 * denied"), depending on whether a network namespace was asked for. */
static int refused_inside(const char *m) {
  static const char *const steps[] = {
      "loopback:",
      "setting up uid map",
      "setting up gid map",
      "error writing to setgroups",
      "write to uid_map",
      "Failed to make / slave",
      "Failed to mount tmpfs",
      "setting up newroot bind",
      "pivot_root",
  };
  if (!refused(m))
    return 0;
  for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
    if (strstr(m, steps[i]))
      return 1;
  return 0;
}

/* bwrap could not create the namespace at all (clone refused). */
static int refused_creation(const char *m) {
  return strstr(m, "No permissions to creat") != NULL ||
         strstr(m, "Creating new namespace failed") != NULL;
}

/* The AppArmor remedies, the one that applies here first: Landlock needs nothing; a profile
 * for bwrap (one loaded that does not allow the namespace; ringfence's own, installed but not
 * loaded, or shipped but not installed; Ubuntu's, likewise; or one of the user's for a bwrap
 * elsewhere); the sysctl as the system-wide last resort, with its cost. */
static void apparmor_remedy(const rf_bwrap_signs *s, char *remedy, size_t remedy_len) {
  const char *bwrap = s->bwrap ? s->bwrap : RF_AA_PROFILE_BWRAP;
  char profile[400];
  if (strcmp(bwrap, RF_AA_PROFILE_BWRAP) != 0)
    snprintf(profile, sizeof(profile),
             "give %s an AppArmor profile allowing 'userns,' in /etc/apparmor.d/ and load it "
             "with 'sudo apparmor_parser -r FILE' (Ubuntu's " RF_AA_PROFILE_NAME
             " covers " RF_AA_PROFILE_BWRAP " only)",
             bwrap);
  else if (s->loaded_profile && s->loaded_profile[0])
    snprintf(profile, sizeof(profile),
             "a profile for bwrap is loaded (%.60s) and bwrap is refused all the same: make it "
             "allow 'userns,' (see 'sudo journalctl -k | grep apparmor=.DENIED') and reload it",
             s->loaded_profile);
  else if (s->ringfence_profile == RF_AA_PROFILE_INSTALLED)
    snprintf(profile, sizeof(profile),
             "load the profile ringfence-backend-bwrap installed for it: 'sudo apparmor_parser "
             "-r /etc/apparmor.d/ringfence-bwrap'");
  else if (s->ringfence_profile == RF_AA_PROFILE_AVAILABLE)
    snprintf(profile, sizeof(profile),
             "install the profile ringfence-backend-bwrap ships for it: 'sudo "
             RF_AA_RINGFENCE_INSTALLER " install'");
  else if (s->profile == RF_AA_PROFILE_INSTALLED)
    snprintf(profile, sizeof(profile),
             "load the profile already installed for it: 'sudo apparmor_parser "
             "-r " RF_AA_PROFILE_INSTALLED_PATH "'");
  else if (s->profile == RF_AA_PROFILE_AVAILABLE)
    snprintf(profile, sizeof(profile),
             "install Ubuntu's profile for it: 'sudo install -m 644 " RF_AA_PROFILE_SHIPPED
             " /etc/apparmor.d/ && sudo apparmor_parser -r " RF_AA_PROFILE_INSTALLED_PATH "'");
  else
    snprintf(profile, sizeof(profile),
             "install Ubuntu's profile for it: 'sudo apt install apparmor-profiles', "
             "copy " RF_AA_PROFILE_SHIPPED
             " to /etc/apparmor.d/ and load it with 'sudo apparmor_parser "
             "-r'");
  snprintf(remedy, remedy_len,
           "the landlock backend needs nothing (--backend auto falls back to it). To use bwrap, "
           "%s. Last resort, for the whole system: 'sudo sysctl -w "
           "kernel.apparmor_restrict_unprivileged_userns=0' lifts the restriction for every "
           "program",
           profile);
}

rf_bwrap_problem rf_bwrap_classify(const rf_bwrap_signs *s, char *reason, size_t reason_len,
                                   char *remedy, size_t remedy_len) {
  char quoted[512];
  trim_copy(quoted, sizeof(quoted), s->message);
  const char *m = quoted;
  int err = s->unshare_errno;
  const char *why = quoted[0] ? quoted : strerror(err ? err : EPERM);
  const char *said = quoted[0] ? "; bwrap said: " : "";

  if (!s->is_root && s->userns_clone_sysctl == 0) {
    snprintf(reason, reason_len,
             "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)%s%s",
             said, quoted);
    snprintf(remedy, remedy_len,
             "enable them with 'sysctl -w kernel.unprivileged_userns_clone=1', or use the "
             "landlock backend");
    return RF_BWRAP_USERNS_DISABLED;
  }
  if (s->max_user_namespaces == 0) {
    snprintf(reason, reason_len, "user namespaces are disabled (user.max_user_namespaces = 0)%s%s",
             said, quoted);
    snprintf(remedy, remedy_len,
             "raise it with 'sysctl -w user.max_user_namespaces=15000', or use the landlock "
             "backend");
    return RF_BWRAP_USERNS_DISABLED;
  }
  /* The kernel's EPERM for the proc mount is not about namespaces.  A new user namespace may
   * mount proc only where the whole of the caller's /proc is visible (fs/namespace.c,
   * mnt_already_visible): a mount over /proc/sys, /proc/kcore ... (containers mask those)
   * forbids it, and a masked /proc/sys also hides the overflowuid bwrap reads. */
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
  int inside = refused_inside(m);
  int creation = refused_creation(m) || (!quoted[0] && (err == EPERM || err == EACCES));
  /* Ubuntu 23.10 and later: an unprivileged process gets its user namespace in AppArmor's
   * unprivileged_userns profile, which refuses every capability inside it (or, for a caller
   * confined by a profile without 'userns,', refuses the namespace: EACCES).  Root keeps
   * CAP_SYS_ADMIN and is not restricted. */
  if (!s->is_root && s->apparmor_restrict == 1 && (inside || creation)) {
    snprintf(reason, reason_len,
             "AppArmor restricts unprivileged user namespaces "
             "(kernel.apparmor_restrict_unprivileged_userns = 1): %s%s%s",
             inside ? "bwrap may create one but is refused what needs a capability inside it"
                    : "creating one is refused",
             quoted[0] ? "; bwrap said: " : ": ", why);
    apparmor_remedy(s, remedy, remedy_len);
    return RF_BWRAP_USERNS_APPARMOR;
  }
  if (inside) {
    snprintf(reason, reason_len,
             "a user namespace can be created here but what needs a capability inside it is "
             "refused, and not by AppArmor's restriction (%s): a seccomp filter or another "
             "security module does it; bwrap said: %s",
             s->is_root ? "which never restricts root"
             : s->apparmor_restrict == 0
                 ? "kernel.apparmor_restrict_unprivileged_userns = 0"
                 : "there is no kernel.apparmor_restrict_unprivileged_userns",
             why);
    snprintf(remedy, remedy_len,
             "use the landlock backend, which needs nothing (--backend auto falls back to it); "
             "or lift the restriction (a container: allow mount(2) and netlink sockets, e.g. "
             "--security-opt seccomp=unconfined)");
    return RF_BWRAP_USERNS_CAPS_REFUSED;
  }
  if (refused_creation(m) || strstr(m, "Operation not permitted") || err == EPERM ||
      err == EACCES || err == ENOSPC || err == EINVAL || err == ENOSYS) {
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

const char *rf_bwrap_problem_cause(rf_bwrap_problem problem) {
  switch (problem) {
  case RF_BWRAP_OK:
    return "";
  case RF_BWRAP_MISSING:
    return "bwrap-missing";
  case RF_BWRAP_USERNS_DISABLED:
    return "userns-disabled";
  case RF_BWRAP_USERNS_APPARMOR:
    return "apparmor-userns-restricted";
  case RF_BWRAP_USERNS_DENIED:
    return "userns-denied";
  case RF_BWRAP_USERNS_CAPS_REFUSED:
    return "userns-capabilities-refused";
  case RF_BWRAP_PROC_MASKED:
    return "proc-masked";
  case RF_BWRAP_UNKNOWN:
    break;
  }
  return "unknown";
}
