/* appcontainer.c: starts one process, suspended, in an AppContainer with given capabilities (or, for
 * danger-full-access, with the caller's token), inheriting only its standard handles.  Used by the plugin
 * (unelevated) and by rf-windows-runner.exe (elevated, as the sandbox account). */
#ifdef _WIN32

#include "appcontainer.h"

#include <errno.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <userenv.h>

int rf_win32_ac_sid(const char *ac_name, int create, PSID *sid, int *created, char *err, size_t err_len) {
  *sid = NULL;
  if (created)
    *created = 0;
  wchar_t *name = rf_win32_wide(ac_name);
  if (name == NULL)
    return -ENOMEM;
  HRESULT hr = E_FAIL;
  if (create) {
    hr = CreateAppContainerProfile(name, name, L"ringfence sandbox (deleted after the run)", NULL, 0, sid);
    if (SUCCEEDED(hr) && created)
      *created = 1;
  }
  if (!create || hr == HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS))
    hr = DeriveAppContainerSidFromAppContainerName(name, sid);
  free(name);
  if (FAILED(hr))
    return rf_win32_fail(err, err_len, (DWORD)HRESULT_CODE(hr),
                         create ? "cannot create the AppContainer profile" : "cannot derive the AppContainer SID",
                         "AppContainers need Windows 8 or later");
  return 0;
}

void rf_win32_ac_profile_delete(const char *ac_name) {
  wchar_t *name = rf_win32_wide(ac_name);
  if (name != NULL)
    DeleteAppContainerProfile(name);
  free(name);
}

int rf_win32_ac_spawn(const rf_win32_spawn *in, rf_win32_child_handles *out, char *err, size_t err_len) {
  memset(out, 0, sizeof *out);
  int r = 0;
  SID_AND_ATTRIBUTES *caps = NULL;
  size_t n_caps = 0;
  LPPROC_THREAD_ATTRIBUTE_LIST attrs = NULL;
  HANDLE std_dup[3] = {NULL, NULL, NULL};
  HANDLE inherit[3];
  DWORD n_inherit = 0;
  SECURITY_CAPABILITIES sc;
  memset(&sc, 0, sizeof sc);

  if (in->appcontainer) {
    r = rf_win32_ac_sid(in->ac_name, 1, &out->ac_sid, &out->profile_created, err, err_len);
    if (r < 0)
      goto done;
    caps = calloc(in->n_caps ? in->n_caps : 1, sizeof *caps);
    if (caps == NULL) {
      r = -ENOMEM;
      goto done;
    }
    for (; n_caps < in->n_caps; n_caps++) {
      wchar_t *w = rf_win32_wide(in->cap_sids[n_caps]);
      BOOL ok = w != NULL && ConvertStringSidToSidW(w, &caps[n_caps].Sid);
      free(w);
      if (!ok) {
        r = rf_win32_fail(err, err_len, GetLastError(), "cannot convert a capability SID", NULL);
        goto done;
      }
      caps[n_caps].Attributes = SE_GROUP_ENABLED;
    }
    sc.AppContainerSid = out->ac_sid;
    sc.Capabilities = n_caps ? caps : NULL;
    sc.CapabilityCount = (DWORD)n_caps;
  }

  /* Only the standard handles are inherited: inheritable duplicates, listed explicitly.  With a
   * pseudo console none is: the console is the child's standard input, output and error. */
  static const DWORD which[3] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
  for (int i = 0; in->pty == NULL && i < 3; i++) {
    HANDLE h = GetStdHandle(which[i]);
    if (h == NULL || h == INVALID_HANDLE_VALUE)
      continue;
    if (!DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &std_dup[i], 0, TRUE,
                         DUPLICATE_SAME_ACCESS)) {
      std_dup[i] = NULL;
      continue;
    }
    inherit[n_inherit++] = std_dup[i];
  }

  SIZE_T attr_size = 0;
  DWORD n_attrs = (in->appcontainer ? 1 : 0) + (n_inherit ? 1 : 0) + (in->pty ? 1 : 0);
  InitializeProcThreadAttributeList(NULL, n_attrs ? n_attrs : 1, 0, &attr_size);
  attrs = malloc(attr_size);
  if (attrs == NULL || !InitializeProcThreadAttributeList(attrs, n_attrs ? n_attrs : 1, 0, &attr_size)) {
    free(attrs);
    attrs = NULL;
    r = rf_win32_fail(err, err_len, GetLastError(), "cannot initialise the process attribute list", NULL);
    goto done;
  }
  if (in->appcontainer &&
      !UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_SECURITY_CAPABILITIES, &sc, sizeof sc, NULL, NULL)) {
    r = rf_win32_fail(err, err_len, GetLastError(), "cannot attach the AppContainer security capabilities", NULL);
    goto done;
  }
  if (n_inherit && !UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherit,
                                              n_inherit * sizeof(HANDLE), NULL, NULL)) {
    r = rf_win32_fail(err, err_len, GetLastError(), "cannot restrict inherited handles", NULL);
    goto done;
  }

  if (in->pty != NULL && !UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE, in->pty->pc,
                                                   sizeof in->pty->pc, NULL, NULL)) {
    r = rf_win32_fail(err, err_len, GetLastError(), "cannot attach the pseudo console", NULL);
    goto done;
  }
  STARTUPINFOEXW si;
  memset(&si, 0, sizeof si);
  si.StartupInfo.cb = sizeof si;
  si.StartupInfo.lpDesktop = in->desktop;
  if (n_inherit) {
    si.StartupInfo.dwFlags |= STARTF_USESTDHANDLES;
    si.StartupInfo.hStdInput = std_dup[0];
    si.StartupInfo.hStdOutput = std_dup[1];
    si.StartupInfo.hStdError = std_dup[2];
  }
  si.lpAttributeList = attrs;
  PROCESS_INFORMATION pi;
  memset(&pi, 0, sizeof pi);
  DWORD flags = CREATE_SUSPENDED | EXTENDED_STARTUPINFO_PRESENT | CREATE_UNICODE_ENVIRONMENT |
                CREATE_NEW_PROCESS_GROUP;
  if (!CreateProcessW(in->application, in->command_line, NULL, NULL, n_inherit ? TRUE : FALSE, flags,
                      in->env_block, in->cwd, &si.StartupInfo, &pi)) {
    DWORD code = GetLastError();
    out->exec_error = code;
    r = rf_win32_fail(err, err_len, code, "cannot start the command",
                      code == ERROR_ACCESS_DENIED && in->appcontainer
                          ? "the program must be readable by AppContainers (system folders are; add its "
                            "folder as a readable root or install it under Program Files)"
                          : NULL);
    goto done;
  }
  out->process = pi.hProcess;
  out->thread = pi.hThread;
  out->pid = pi.dwProcessId;

done:
  if (attrs != NULL) {
    DeleteProcThreadAttributeList(attrs);
    free(attrs);
  }
  for (size_t i = 0; i < n_caps; i++)
    LocalFree(caps[i].Sid);
  free(caps);
  for (int i = 0; i < 3; i++)
    if (std_dup[i] != NULL)
      CloseHandle(std_dup[i]);
  if (r < 0 && out->ac_sid != NULL) {
    if (out->profile_created)
      rf_win32_ac_profile_delete(in->ac_name);
    FreeSid(out->ac_sid);
    out->ac_sid = NULL;
    out->profile_created = 0;
  }
  return r;
}

#endif /* _WIN32 */
