/* win32.h: the Win32 half of the plugin (launch.c, setup.c, util.c), Windows only. */
#ifndef RF_WIN32_H
#define RF_WIN32_H

#ifdef _WIN32

#include <windows.h>

#include <stddef.h>

#include "ringfence/backend.h"

int rf_win32_probe(const rf_backend_host *host, rf_backend_probe_report *report);
int rf_win32_launch(const rf_backend_host *host, const rf_backend_policy *policy, const char *const *argv,
                    rf_backend_child *child, char *err, size_t err_len);
int rf_win32_child_signal(rf_backend_child *child, int signum);
int rf_win32_child_wait(rf_backend_child *child, int timeout_ms, rf_backend_exit *exit);
int rf_win32_child_kill(rf_backend_child *child);
void rf_win32_child_release(rf_backend_child *child);

/* ---- capability-sid.c ---- */

/* The SID Windows derives from capability |name| (DeriveCapabilitySidsFromName), as text. */
int rf_win32_capability_sid(const char *name, char *sid, size_t sid_len, char *err, size_t err_len);
/* Fills the SID of every named capability of |plan| and of every ACL step granting one. */
struct rf_win_plan;
int rf_win32_plan_derive_sids(struct rf_win_plan *plan, char *err, size_t err_len);

/* ---- setup.c ---- */

/* Install / remove exactly the items of rf_win_setup_items() (as administrator; -EACCES
 * otherwise, before any change).  One line per item done in section "progress" of |progress|;
 * remove keeps going after a failure and reports the first. */
int rf_win32_setup_apply(const rf_backend_host *host, const rf_backend_sink *progress, char *err,
                         size_t err_len);
int rf_win32_setup_remove(const rf_backend_host *host, const rf_backend_sink *progress, char *err,
                          size_t err_len);

/* ---- util.c ---- */

/* UTF-8 -> UTF-16, malloc'd; NULL on invalid UTF-8 or no memory. */
wchar_t *rf_win32_wide(const char *s);
/* UTF-16 -> UTF-8, malloc'd; NULL on error. */
char *rf_win32_utf8(const wchar_t *s);
/* Writes "<what>: <FormatMessage text> (error N); <fix>" into err; returns -EIO-like errno. */
int rf_win32_fail(char *err, size_t err_len, DWORD code, const char *what, const char *fix);
/* The directory holding this DLL (or EXE), malloc'd UTF-16 without trailing backslash. */
wchar_t *rf_win32_module_dir(void);
/* Fills |buf| with |n| bytes from the system RNG; 0 or negative errno. */
int rf_win32_random(unsigned char *buf, size_t n);
/* Logs through the host (may be NULL). */
void rf_win32_log(const rf_backend_host *host, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "%LOCALAPPDATA%\ringfence\sandbox-accounts.dat" expanded, malloc'd. */
wchar_t *rf_win32_credentials_path(void);
/* Reads the DPAPI store: password of |account|, malloc'd UTF-16 (SecureZeroMemory + free after use). */
int rf_win32_read_password(const char *account, wchar_t **password, char *err, size_t err_len);

#endif /* _WIN32 */
#endif /* RF_WIN32_H */
