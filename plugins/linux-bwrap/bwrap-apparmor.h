/* bwrap-apparmor.h: what the host has of the AppArmor profiles for bwrap (Ubuntu's and the one
 * ringfence ships), read from files below a root that tests point at a fixture. */
#pragma once

#include "bwrap-diagnose.h"

/* The profile ringfence ships (ringfence-backend-bwrap) and the script that installs it. */
#define RF_AA_RINGFENCE_NAME "ringfence-bwrap"
#define RF_AA_RINGFENCE_INSTALLED_PATH "/etc/apparmor.d/" RF_AA_RINGFENCE_NAME
/* Where AppArmor lists the loaded profiles ("NAME (MODE)" lines). */
#define RF_AA_LOADED_PROFILES "/sys/kernel/security/apparmor/profiles"

typedef struct {
  rf_apparmor_profile ubuntu;    /* Ubuntu's bwrap-userns-restrict */
  rf_apparmor_profile ringfence; /* ours: INSTALLED in /etc/apparmor.d, AVAILABLE (shipped, not
                                  * installed), ABSENT (the package does not ship it here) */
  int loaded_known;              /* the list of loaded profiles could be read */
  char loaded[64];               /* a loaded profile for bwrap ("bwrap", "ringfence-bwrap"), or "" */
} rf_apparmor_state;

/* Fills |state| from the files below |root| ("" for the host): /etc/apparmor.d, Ubuntu's
 * extra-profiles folder, |shipped| (where our profile is installed by the package; NULL: not
 * built with one) and the loaded profiles in securityfs. */
void rf_bwrap_apparmor_read(const char *root, const char *shipped, rf_apparmor_state *state);
