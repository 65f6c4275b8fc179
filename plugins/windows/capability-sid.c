/* capability-sid.c: the SIDs of a plan's named capabilities, derived by Windows itself from each
 * name (DeriveCapabilitySidsFromName) at launch; ringfence hashes nothing of its own. */
#ifdef _WIN32

#include "win32.h" /* windows.h first */

#include <errno.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

/* mingw-w64's securitybaseapi.h declares DeriveCapabilitySidsFromName (Windows 10+), but its
 * import libraries (advapi32, kernel32) do not carry it: the function lives in kernelbase.dll
 * (api-ms-win-security-base-l1-2-2).  So it is looked up at run time, with this signature
 * (Microsoft's documentation of securitybaseapi.h). */
typedef BOOL(WINAPI *derive_capability_sids_fn)(LPCWSTR cap_name, PSID **group_sids,
                                                DWORD *group_count, PSID **cap_sids,
                                                DWORD *cap_count);

static derive_capability_sids_fn find_derive(void) {
  static const wchar_t *const dlls[] = {L"kernelbase.dll", L"advapi32.dll", L"kernel32.dll"};
  for (size_t i = 0; i < sizeof dlls / sizeof dlls[0]; i++) {
    HMODULE module = GetModuleHandleW(dlls[i]);
    FARPROC fn = module ? GetProcAddress(module, "DeriveCapabilitySidsFromName") : NULL;
    if (fn != NULL)
      return (derive_capability_sids_fn)(void (*)(void))fn;
  }
  return NULL;
}

static void free_sids(PSID *sids, DWORD n) {
  for (DWORD i = 0; sids != NULL && i < n; i++)
    LocalFree(sids[i]);
  LocalFree(sids);
}

int rf_win32_capability_sid(const char *name, char *sid, size_t sid_len, char *err, size_t err_len) {
  derive_capability_sids_fn derive = find_derive();
  if (derive == NULL) {
    snprintf(err, err_len,
             "windows: this Windows has no DeriveCapabilitySidsFromName (kernelbase.dll), which "
             "the sandbox needs to name its capabilities: use Windows 10 or later");
    return -ENOSYS;
  }
  wchar_t *wide = rf_win32_wide(name);
  if (wide == NULL)
    return -ENOMEM;
  PSID *groups = NULL, *caps = NULL;
  DWORD n_groups = 0, n_caps = 0;
  BOOL ok = derive(wide, &groups, &n_groups, &caps, &n_caps);
  free(wide);
  if (!ok)
    return rf_win32_fail(err, err_len, GetLastError(), "cannot derive a capability SID", name);
  int r = 0;
  wchar_t *text = NULL;
  if (n_caps < 1 || caps == NULL || !ConvertSidToStringSidW(caps[0], &text)) {
    r = rf_win32_fail(err, err_len, n_caps < 1 ? ERROR_INVALID_SID : GetLastError(),
                      "cannot derive a capability SID", name);
  } else {
    char *utf8 = rf_win32_utf8(text);
    if (utf8 == NULL || strlen(utf8) >= sid_len) {
      r = utf8 == NULL ? -ENOMEM : -ENAMETOOLONG;
      snprintf(err, err_len, "windows: the capability SID of %s does not fit", name);
    } else {
      memcpy(sid, utf8, strlen(utf8) + 1);
    }
    free(utf8);
    LocalFree(text);
  }
  free_sids(groups, n_groups);
  free_sids(caps, n_caps);
  return r;
}

int rf_win32_plan_derive_sids(rf_win_plan *plan, char *err, size_t err_len) {
  for (size_t i = 0; i < plan->n_caps; i++) {
    rf_win_capability *c = &plan->caps[i];
    if (c->name == NULL)
      continue; /* a well-known capability: its published SID */
    int r = rf_win32_capability_sid(c->name, c->sid, sizeof c->sid, err, err_len);
    if (r < 0)
      return r;
  }
  for (size_t i = 0; i < plan->n_acl; i++) {
    rf_win_acl_step *s = &plan->acl[i];
    if (s->trustee != RF_WIN_TRUSTEE_CAPABILITY)
      continue;
    s->sid[0] = '\0';
    for (size_t j = 0; s->cap_name != NULL && j < plan->n_caps; j++)
      if (plan->caps[j].name == s->cap_name)
        snprintf(s->sid, sizeof s->sid, "%s", plan->caps[j].sid);
    if (s->sid[0] == '\0') {
      snprintf(err, err_len, "windows: an ACL step on %s names no capability of the plan", s->path);
      return -EINVAL;
    }
  }
  return 0;
}

#endif /* _WIN32 */
