/* trusted-program.h: which files ringfence may execute or load unconfined (made in trusted-program.c). */
#pragma once

#include <glib.h>
#include <ringfence/backend.h>

typedef struct _RfTrust RfTrust;
/* Starts with the working directory (unless the writable-root rule refuses it), /tmp and
 * $TMPDIR. */
RfTrust *rf_trust_new(void);
void rf_trust_free(RfTrust *trust);
/* Nothing below |dir| (relative to |base|, NULL: the working directory) is trusted. */
void rf_trust_add_root(RfTrust *trust, const char *dir, const char *base);
/* The same for a directory already canonical (a plan's). */
void rf_trust_add_canonical_root(RfTrust *trust, const char *dir);
/* The same for a working directory (canonical, as getcwd() gives it), which does not count
 * when the writable-root rule refuses it as a root (/, a system directory, ...). */
void rf_trust_add_workdir(RfTrust *trust, const char *dir);
void rf_trust_set_bwrap(RfTrust *trust, const char *path);
const char *rf_trust_get_bwrap(const RfTrust *trust);
const char *const *rf_trust_get_roots(const RfTrust *trust);
/* The canonical path of |path| when it is trusted (|policy|'s writable roots count too when
 * given), else NULL and an error naming the file, why, |what| it is and |fix|. */
char *rf_trust_check_file(const RfTrust *trust, const rf_backend_policy *policy,
                          const char *path, const char *what, const char *fix, GError **error);
/* The program to run for |name|: for "bwrap" the configured path, else the one fixed at build
 * time (-Dbwrap), else the first hit on PATH; an absolute |name| is only checked.  A candidate
 * that is not trusted is refused (RF_ERROR_UNSUPPORTED), never skipped; none at all is
 * RF_ERROR_NOT_FOUND. */
char *rf_trust_find_program(const RfTrust *trust, const rf_backend_policy *policy,
                            const char *name, GError **error);
