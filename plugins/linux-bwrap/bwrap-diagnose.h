/* bwrap-diagnose.h: why bwrap cannot run here, in words, with the remedy (one classifier). */
#pragma once

#include <stddef.h>

typedef enum {
  RF_BWRAP_OK = 0,
  RF_BWRAP_MISSING,             /* no bwrap on PATH */
  RF_BWRAP_USERNS_DISABLED,     /* sysctl: user namespaces off */
  RF_BWRAP_USERNS_APPARMOR,     /* AppArmor restricts unprivileged user namespaces */
  RF_BWRAP_USERNS_DENIED,       /* creating a namespace was refused (container seccomp, ...) */
  RF_BWRAP_USERNS_CAPS_REFUSED, /* a namespace is created, what needs a capability in it is
                                 * refused, and AppArmor is not why (a filter, another LSM) */
  RF_BWRAP_PROC_MASKED,         /* part of /proc is hidden by a mount: no fresh proc for bwrap */
  RF_BWRAP_UNKNOWN,
} rf_bwrap_problem;

/* What the probe found of Ubuntu's AppArmor profile for bwrap (bwrap-userns-restrict): it
 * decides which remedy applies. */
typedef enum {
  RF_AA_PROFILE_UNKNOWN = 0,
  RF_AA_PROFILE_ABSENT,    /* neither installed nor shipped (apparmor-profiles not installed) */
  RF_AA_PROFILE_AVAILABLE, /* shipped in /usr/share/apparmor/extra-profiles, not installed */
  RF_AA_PROFILE_INSTALLED, /* in /etc/apparmor.d (and yet bwrap fails: not loaded?) */
} rf_apparmor_profile;

#define RF_AA_PROFILE_NAME "bwrap-userns-restrict"
#define RF_AA_PROFILE_SHIPPED "/usr/share/apparmor/extra-profiles/" RF_AA_PROFILE_NAME
#define RF_AA_PROFILE_INSTALLED_PATH "/etc/apparmor.d/" RF_AA_PROFILE_NAME
/* The one program Ubuntu's profile attaches to. */
#define RF_AA_PROFILE_BWRAP "/usr/bin/bwrap"

/* The signs the probe gathered. */
typedef struct {
  const char *message;     /* bwrap's own error output, or NULL when bwrap was not asked */
  int unshare_errno;       /* errno of the probe's own namespace test (0: none or it worked) */
  int userns_clone_sysctl; /* kernel.unprivileged_userns_clone, -1 when absent */
  int max_user_namespaces; /* user.max_user_namespaces, -1 when unknown */
  int apparmor_restrict;   /* kernel.apparmor_restrict_unprivileged_userns, -1 when absent */
  int is_root;
  const char *bwrap; /* the bwrap ringfence runs (NULL: unknown) */
  rf_apparmor_profile profile;           /* Ubuntu's bwrap-userns-restrict */
  rf_apparmor_profile ringfence_profile; /* ours (ringfence-bwrap, from ringfence-backend-bwrap);
                                          * UNKNOWN: not looked at */
  const char *loaded_profile; /* a loaded AppArmor profile for bwrap, NULL or "": none seen */
} rf_bwrap_signs;

/* The script that installs ringfence's profile (data/apparmor/apparmor-profile). */
#ifndef RF_AA_RINGFENCE_INSTALLER
#define RF_AA_RINGFENCE_INSTALLER "/usr/libexec/ringfence/apparmor-profile"
#endif

/* Classifies the signs: writes a one-line reason quoting bwrap's message and the remedy that
 * applies here. */
rf_bwrap_problem rf_bwrap_classify(const rf_bwrap_signs *signs, char *reason, size_t reason_len,
                                   char *remedy, size_t remedy_len);

/* A stable name for |problem|, for programs (`check --json` "cause"). */
const char *rf_bwrap_problem_cause(rf_bwrap_problem problem);
