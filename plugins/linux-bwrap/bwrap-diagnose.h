/* bwrap-diagnose.h: why bwrap cannot run here, in words, with the remedy (one tested classifier). */
#pragma once

#include <stddef.h>

typedef enum {
  RF_BWRAP_OK = 0,
  RF_BWRAP_MISSING,             /* no bwrap on PATH */
  RF_BWRAP_USERNS_DISABLED,     /* sysctl: user namespaces off */
  RF_BWRAP_USERNS_APPARMOR,     /* AppArmor restricts unprivileged user namespaces */
  RF_BWRAP_USERNS_DENIED,       /* creating a namespace was refused (container seccomp, ...) */
  RF_BWRAP_NETNS_LOOPBACK,      /* could not set up loopback in the new network namespace */
  RF_BWRAP_PROC_MASKED,         /* part of /proc is hidden by a mount: no fresh proc for bwrap */
  RF_BWRAP_UNKNOWN,
} rf_bwrap_problem;

/* Classifies bwrap's own error output (|message|, may be NULL) and the errno of
 * a direct namespace test (0 if none), given the sysctl readings (-1 when
 * unknown).  Writes a reason quoting the message and a remedy. */
rf_bwrap_problem rf_bwrap_classify(const char *message, int unshare_errno, int userns_clone_sysctl,
                                   int max_user_namespaces, int apparmor_restrict, int is_root,
                                   char *reason, size_t reason_len, char *remedy,
                                   size_t remedy_len);
