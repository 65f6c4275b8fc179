/* appcontainer.h: start a suspended process in an AppContainer (Windows only). */
#ifndef RF_WIN_APPCONTAINER_H
#define RF_WIN_APPCONTAINER_H

#ifdef _WIN32

#include "conpty.h"
#include "win32.h"

typedef struct rf_win32_spawn {
  int appcontainer;              /* 0: caller's token (danger-full-access) */
  const char *ac_name;           /* profile name, created if missing */
  const char *const *cap_sids;   /* capability SIDs, string form */
  size_t n_caps;
  const wchar_t *application;    /* lpApplicationName, or NULL */
  wchar_t *command_line;         /* lpCommandLine (CreateProcessW may write to it) */
  void *env_block;               /* UTF-16 environment block, or NULL to inherit */
  const wchar_t *cwd;            /* or NULL */
  wchar_t *desktop;              /* "WinSta0\\name", or NULL to inherit */
  rf_win32_conpty *pty;          /* an open pseudo console for the child instead of our standard
                                  * handles, or NULL */
} rf_win32_spawn;

typedef struct rf_win32_child_handles {
  HANDLE process, thread;
  DWORD pid;
  PSID ac_sid;         /* FreeSid */
  int profile_created; /* delete the profile after the run */
  DWORD exec_error;    /* CreateProcessW's error when it failed */
} rf_win32_child_handles;

/* Creates the process suspended; 0 or -errno with err.  On failure nothing is left behind. */
int rf_win32_ac_spawn(const rf_win32_spawn *in, rf_win32_child_handles *out, char *err, size_t err_len);

/* The AppContainer SID of |ac_name| (FreeSid); create=1 also creates the profile. */
int rf_win32_ac_sid(const char *ac_name, int create, PSID *sid, int *created, char *err, size_t err_len);

void rf_win32_ac_profile_delete(const char *ac_name);

#endif /* _WIN32 */
#endif /* RF_WIN_APPCONTAINER_H */
