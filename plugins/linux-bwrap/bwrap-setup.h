/* bwrap-setup.h: the bwrap backend's one-time host setup (`ringfence setup --backend bwrap`): the
 * AppArmor profile ringfence ships for bwrap, on hosts whose AppArmor restricts user namespaces. */
#pragma once

#include <ringfence/backend.h>

/* The vtable's setup entry.  Emits the plan (what would be installed or removed, and whether this
 * host needs it); unless RF_SETUP_DRY_RUN, refuses without root (-EACCES, before any change),
 * says "not needed" where AppArmor does not restrict user namespaces or a profile for bwrap is
 * loaded already, and otherwise runs the installer script (data/apparmor/apparmor-profile, the
 * one the package's maintainer scripts run), checking the file it leaves.
 *
 * Read from the environment, as the installer script does (tests point them at a fixture):
 * RINGFENCE_APPARMOR_ROOT (a folder standing for /), RINGFENCE_APPARMOR_PROFILE (the shipped
 * profile), RINGFENCE_APPARMOR_HELPER (the installer; else the helper directory's, else the
 * one fixed at build time).  The installer runs only when the core trusts it. */
int rf_bwrap_setup(const rf_backend_host *host, const rf_backend_setup_request *req,
                   const rf_backend_sink *out, char *err, size_t err_len);
