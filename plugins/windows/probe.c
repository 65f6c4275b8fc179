/* probe.c: can the windows backend run here?  Windows version (AppContainers need 8+) and whether
 * elevated mode's one-time setup is installed. */
#ifdef _WIN32

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"
#include "win32.h"

typedef LONG(WINAPI *rtl_get_version_fn)(OSVERSIONINFOW *);

static int account_exists(const char *name) {
  wchar_t *w = rf_win32_wide(name);
  BYTE sid[SECURITY_MAX_SID_SIZE];
  DWORD sid_len = sizeof sid;
  wchar_t domain[256];
  DWORD dlen = 256;
  SID_NAME_USE use;
  BOOL ok = w != NULL && LookupAccountNameW(NULL, w, sid, &sid_len, domain, &dlen, &use);
  free(w);
  return ok;
}

int rf_win32_probe(const rf_backend_host *host, rf_backend_probe_report *report) {
  (void)host;
  if (report == NULL || !RF_HAS_FIELD(report, detail))
    return -EINVAL;
  report->usable = 0;
  report->reason[0] = report->remedy[0] = report->detail[0] = '\0';

  /* GetVersionEx lies without a manifest; ntdll's RtlGetVersion does not. */
  OSVERSIONINFOW v;
  memset(&v, 0, sizeof v);
  v.dwOSVersionInfoSize = sizeof v;
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  rtl_get_version_fn get = ntdll ? (rtl_get_version_fn)(void *)GetProcAddress(ntdll, "RtlGetVersion") : NULL;
  if (get == NULL || get(&v) != 0) {
    snprintf(report->reason, sizeof report->reason, "cannot read the Windows version (ntdll RtlGetVersion)");
    snprintf(report->remedy, sizeof report->remedy, "run on Windows 10 or later");
    return 0;
  }
  if (v.dwMajorVersion < 6 || (v.dwMajorVersion == 6 && v.dwMinorVersion < 2)) {
    snprintf(report->reason, sizeof report->reason,
             "Windows %lu.%lu has no AppContainers (they arrived in Windows 8 / 6.2)",
             (unsigned long)v.dwMajorVersion, (unsigned long)v.dwMinorVersion);
    snprintf(report->remedy, sizeof report->remedy, "run on Windows 10 or later");
    return 0;
  }
  int elevated_ready = account_exists(RF_WIN_ACCOUNT_OFFLINE) && account_exists(RF_WIN_ACCOUNT_ONLINE) &&
                       account_exists(RF_WIN_GROUP_NAME);
  report->usable = 1;
  snprintf(report->detail, sizeof report->detail,
           "Windows %lu.%lu build %lu; unelevated: AppContainer; elevated: %s", (unsigned long)v.dwMajorVersion,
           (unsigned long)v.dwMinorVersion, (unsigned long)v.dwBuildNumber,
           elevated_ready ? "sandbox accounts installed"
                          : "not set up (run `ringfence setup --windows` as administrator)");
  return 0;
}

#endif /* _WIN32 */
