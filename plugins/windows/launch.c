/* launch.c: carries out an rf_win_plan on Windows and supervises the child.
 *
 * The order of confinement, one step per line in rf_win32_launch():
 *   1. resolve the program, build the plan (the same one render() prints)
 *   2. refuse guarantees the plan does not enforce
 *   3. ACL steps: placeholders, grants, denies, Low labels (persistent, idempotent)
 *   4. job object: kill on close, no breakaway, UI limits
 *   5. private desktop with a DACL for the sandbox only
 *   6. create the process suspended (AppContainer here, or via the runner as the
 *      sandbox account in elevated mode), assign it to the job, resume it.
 * Everything a step creates is recorded in win_run and undone by release.
 */
#ifdef _WIN32

#include <aclapi.h>
#include <errno.h>
#include <sddl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appcontainer.h"
#include "plan.h"
#include "conpty.h"
#include "runner-proto.h"
#include "win32.h"

/* The pure part spells Windows constants itself; hold it to winnt.h. */
_Static_assert(RF_WIN_FILE_WRITE_DATA == FILE_WRITE_DATA, "FILE_WRITE_DATA");
_Static_assert(RF_WIN_FILE_APPEND_DATA == FILE_APPEND_DATA, "FILE_APPEND_DATA");
_Static_assert(RF_WIN_FILE_DELETE_CHILD == FILE_DELETE_CHILD, "FILE_DELETE_CHILD");
_Static_assert(RF_WIN_FILE_WRITE_ATTRIBUTES == FILE_WRITE_ATTRIBUTES, "FILE_WRITE_ATTRIBUTES");
_Static_assert(RF_WIN_DELETE == DELETE, "DELETE");
_Static_assert(RF_WIN_WRITE_DAC == WRITE_DAC, "WRITE_DAC");
_Static_assert(RF_WIN_WRITE_OWNER == WRITE_OWNER, "WRITE_OWNER");
_Static_assert(RF_WIN_RIGHTS_READ == (FILE_GENERIC_READ | FILE_GENERIC_EXECUTE), "read+execute");
_Static_assert(RF_WIN_JOB_LIMIT_KILL_ON_JOB_CLOSE == JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, "kill on close");
_Static_assert(RF_WIN_JOB_LIMIT_BREAKAWAY_OK == JOB_OBJECT_LIMIT_BREAKAWAY_OK, "breakaway");
_Static_assert(RF_WIN_JOB_LIMIT_SILENT_BREAKAWAY_OK == JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK, "silent breakaway");
_Static_assert(RF_WIN_JOB_LIMIT_DIE_ON_UNHANDLED_EXCEPTION == JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION, "die");
_Static_assert(RF_WIN_JOB_UILIMIT_ALL ==
                   (JOB_OBJECT_UILIMIT_HANDLES | JOB_OBJECT_UILIMIT_READCLIPBOARD | JOB_OBJECT_UILIMIT_WRITECLIPBOARD |
                    JOB_OBJECT_UILIMIT_SYSTEMPARAMETERS | JOB_OBJECT_UILIMIT_DISPLAYSETTINGS |
                    JOB_OBJECT_UILIMIT_GLOBALATOMS | JOB_OBJECT_UILIMIT_DESKTOP | JOB_OBJECT_UILIMIT_EXITWINDOWS),
               "UI limits");

/* Reported as the signal that ended a killed run (Windows has no SIGKILL). */
#define RF_SIGKILL 9

typedef struct win_run {
  rf_win_plan plan;
  char *resolved_argv0;
  HANDLE job;
  HANDLE process;
  HDESK desktop;
  PSID ac_sid;        /* FreeSid */
  int profile_created; /* unelevated: delete the AppContainer profile at release */
  PSID account_sid;   /* elevated: LocalFree */
  int winsta_ace;     /* elevated: an ACE for the account was added to WinSta0 */
  wchar_t **placeholders;
  size_t n_placeholders;
  int finished;
  int signalled; /* signal number that we turned into TerminateJobObject */
  rf_win32_conpty pty; /* unelevated: the command's own pseudo console, or zeroed */
} win_run;

/* ---- Step 1: program resolution -------------------------------------------- */

static const char *env_lookup(const char *const *envp, const char *name) {
  size_t n = strlen(name);
  for (size_t i = 0; envp != NULL && envp[i] != NULL; i++)
    if (_strnicmp(envp[i], name, n) == 0 && envp[i][n] == '=')
      return envp[i] + n + 1;
  return NULL;
}

static int file_exists(const char *utf8) {
  wchar_t *w = rf_win32_wide(utf8);
  DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
  free(w);
  return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

/* A bare name is looked up in the policy's PATH (never the current directory),
 * trying the name as given and then .com, .exe, .bat, .cmd. */
static int resolve_program(const char *argv0, const char *const *envp, char **out, char *err, size_t err_len) {
  *out = NULL;
  if (strpbrk(argv0, "\\/:") != NULL) {
    *out = _strdup(argv0);
    return *out ? 0 : -ENOMEM;
  }
  char *path_env = NULL;
  const char *path = env_lookup(envp, "PATH");
  if (path == NULL && envp == NULL) {
    DWORD n = GetEnvironmentVariableA("PATH", NULL, 0);
    path_env = n ? malloc(n) : NULL;
    if (path_env != NULL && GetEnvironmentVariableA("PATH", path_env, n) < n)
      path = path_env;
  }
  static const char *const exts[] = {"", ".com", ".exe", ".bat", ".cmd"};
  int r = -ENOENT;
  for (const char *p = path; p != NULL && *p != '\0' && r == -ENOENT;) {
    size_t len = strcspn(p, ";");
    if (len > 0) {
      for (size_t e = 0; e < sizeof exts / sizeof exts[0]; e++) {
        size_t total = len + 1 + strlen(argv0) + strlen(exts[e]) + 1;
        char *cand = malloc(total);
        if (cand == NULL) {
          r = -ENOMEM;
          break;
        }
        snprintf(cand, total, "%.*s\\%s%s", (int)len, p, argv0, exts[e]);
        if (file_exists(cand)) {
          *out = cand;
          r = 0;
          break;
        }
        free(cand);
      }
    }
    p += len;
    if (*p == ';')
      p++;
  }
  free(path_env);
  if (r == -ENOENT && err != NULL)
    snprintf(err, err_len, "windows: command not found: %s (searched PATH of the policy's environment)", argv0);
  return r;
}

/* ---- Step 3: ACL steps ------------------------------------------------------- */

static int ace_matches(const ACE_HEADER *h, PSID sid, BYTE type, BYTE flags, ACCESS_MASK mask) {
  if (h->AceType != type || (h->AceFlags & ~INHERITED_ACE) != flags || (h->AceFlags & INHERITED_ACE))
    return 0;
  const ACCESS_ALLOWED_ACE *a = (const ACCESS_ALLOWED_ACE *)h; /* same layout for denied */
  return a->Mask == mask && EqualSid((PSID)&a->SidStart, sid);
}

static int ace_has_sid(const ACE_HEADER *h, PSID sid) {
  if (h->AceType != ACCESS_ALLOWED_ACE_TYPE && h->AceType != ACCESS_DENIED_ACE_TYPE)
    return 0;
  const ACCESS_ALLOWED_ACE *a = (const ACCESS_ALLOWED_ACE *)h;
  return EqualSid((PSID)&a->SidStart, sid);
}

typedef struct {
  BYTE type, flags;
  ACCESS_MASK mask;
} wanted_ace;

/* Rewrites the DACL of |path| so that |sid| has exactly the |want| ACEs
 * (explicit ones; inherited ACEs are kept), in canonical order: explicit
 * deny, explicit allow, inherited.  Skips the write when they are already
 * there, so a big tree is walked by Windows only the first time. */
static int set_explicit_aces(const wchar_t *path, PSID sid, const wanted_ace *want, int n_want, char *err,
                             size_t err_len) {
  PACL old = NULL;
  PSECURITY_DESCRIPTOR sd = NULL;
  DWORD rc = GetNamedSecurityInfoW(path, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, &old, NULL, &sd);
  if (rc != ERROR_SUCCESS)
    return rf_win32_fail(err, err_len, rc, "cannot read a DACL", "check that you own the writable roots");

  ACL_SIZE_INFORMATION info = {0};
  if (old != NULL)
    GetAclInformation(old, &info, sizeof info, AclSizeInformation);
  /* Already exactly right? */
  int present = 0, ours = 0;
  for (DWORD i = 0; old != NULL && i < info.AceCount; i++) {
    ACE_HEADER *h;
    if (!GetAce(old, i, (void **)&h) || (h->AceFlags & INHERITED_ACE) || !ace_has_sid(h, sid))
      continue;
    ours++;
    for (int k = 0; k < n_want; k++)
      present += ace_matches(h, sid, want[k].type, want[k].flags, want[k].mask);
  }
  if (present == n_want && ours == n_want) {
    LocalFree(sd);
    return 0;
  }

  DWORD size = sizeof(ACL) + (old ? info.AclBytesInUse : 0) +
               (DWORD)n_want * (sizeof(ACCESS_ALLOWED_ACE) + GetLengthSid(sid));
  PACL acl = malloc(size);
  int r = 0;
  if (acl == NULL || !InitializeAcl(acl, size, ACL_REVISION)) {
    r = -ENOMEM;
    goto out;
  }
  /* Pass 0: explicit deny, 1: explicit allow, 2: inherited. Ours go first in their class. */
  for (int pass = 0; pass < 3; pass++) {
    for (int k = 0; pass < 2 && k < n_want; k++) {
      BYTE t = pass == 0 ? ACCESS_DENIED_ACE_TYPE : ACCESS_ALLOWED_ACE_TYPE;
      if (want[k].type != t)
        continue;
      BOOL ok = t == ACCESS_DENIED_ACE_TYPE ? AddAccessDeniedAceEx(acl, ACL_REVISION, want[k].flags, want[k].mask, sid)
                                            : AddAccessAllowedAceEx(acl, ACL_REVISION, want[k].flags, want[k].mask, sid);
      if (!ok) {
        r = rf_win32_fail(err, err_len, GetLastError(), "cannot build an ACE", NULL);
        goto out;
      }
    }
    for (DWORD i = 0; old != NULL && i < info.AceCount; i++) {
      ACE_HEADER *h;
      if (!GetAce(old, i, (void **)&h))
        continue;
      int inherited = (h->AceFlags & INHERITED_ACE) != 0;
      int cls = inherited ? 2 : h->AceType == ACCESS_DENIED_ACE_TYPE ? 0 : 1;
      if (cls != pass || (!inherited && ace_has_sid(h, sid)))
        continue;
      if (!AddAce(acl, ACL_REVISION, MAXDWORD, h, h->AceSize)) {
        r = rf_win32_fail(err, err_len, GetLastError(), "cannot copy an ACE", NULL);
        goto out;
      }
    }
  }
  rc = SetNamedSecurityInfoW((LPWSTR)path, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | UNPROTECTED_DACL_SECURITY_INFORMATION,
                             NULL, NULL, acl, NULL);
  if (rc != ERROR_SUCCESS)
    r = rf_win32_fail(err, err_len, rc, "cannot write a DACL", "check that you own the writable roots");
out:
  free(acl);
  LocalFree(sd);
  return r;
}

/* Gives |path| an inheritable Low mandatory label unless it has one. */
static int set_low_label(const wchar_t *path, char *err, size_t err_len) {
  PACL sacl = NULL;
  PSECURITY_DESCRIPTOR sd = NULL;
  DWORD rc = GetNamedSecurityInfoW(path, SE_FILE_OBJECT, LABEL_SECURITY_INFORMATION, NULL, NULL, NULL, &sacl, &sd);
  if (rc == ERROR_SUCCESS && sacl != NULL) {
    ACL_SIZE_INFORMATION info = {0};
    GetAclInformation(sacl, &info, sizeof info, AclSizeInformation);
    for (DWORD i = 0; i < info.AceCount; i++) {
      ACE_HEADER *h;
      if (!GetAce(sacl, i, (void **)&h) || h->AceType != SYSTEM_MANDATORY_LABEL_ACE_TYPE)
        continue;
      SYSTEM_MANDATORY_LABEL_ACE *l = (SYSTEM_MANDATORY_LABEL_ACE *)h;
      PSID s = (PSID)&l->SidStart;
      if ((h->AceFlags & (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE)) == (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE) &&
          *GetSidSubAuthority(s, 0) == SECURITY_MANDATORY_LOW_RID) {
        LocalFree(sd);
        return 0;
      }
    }
  }
  LocalFree(sd);
  PSID low = NULL;
  if (!ConvertStringSidToSidW(L"S-1-16-4096", &low))
    return rf_win32_fail(err, err_len, GetLastError(), "cannot build the Low integrity SID", NULL);
  DWORD size = sizeof(ACL) + sizeof(SYSTEM_MANDATORY_LABEL_ACE) + GetLengthSid(low);
  PACL label = malloc(size);
  int r = 0;
  if (label == NULL || !InitializeAcl(label, size, ACL_REVISION) ||
      !AddMandatoryAce(label, ACL_REVISION, OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE,
                       SYSTEM_MANDATORY_LABEL_NO_WRITE_UP, low)) {
    r = rf_win32_fail(err, err_len, GetLastError(), "cannot build the Low label", NULL);
  } else {
    rc = SetNamedSecurityInfoW((LPWSTR)path, SE_FILE_OBJECT, LABEL_SECURITY_INFORMATION, NULL, NULL, NULL, label);
    if (rc != ERROR_SUCCESS)
      r = rf_win32_fail(err, err_len, rc, "cannot set the Low integrity label on a writable root",
                        "check that you own the writable roots");
  }
  free(label);
  LocalFree(low);
  return r;
}

static int lookup_account_sid(const char *name, PSID *sid, char *err, size_t err_len) {
  wchar_t *w = rf_win32_wide(name);
  BYTE buf[SECURITY_MAX_SID_SIZE];
  DWORD sid_len = sizeof buf;
  wchar_t domain[256];
  DWORD dlen = 256;
  SID_NAME_USE use;
  BOOL ok = w != NULL && LookupAccountNameW(NULL, w, buf, &sid_len, domain, &dlen, &use);
  free(w);
  if (!ok)
    return rf_win32_fail(err, err_len, GetLastError(), name,
                         "elevated mode needs a one-time `ringfence setup --windows` as administrator");
  DWORD n = GetLengthSid(buf);
  *sid = LocalAlloc(LMEM_FIXED, n);
  if (*sid == NULL || !CopySid(n, *sid, buf))
    return -ENOMEM;
  return 0;
}

static int apply_acl_step(win_run *run, const rf_win_acl_step *s, PSID group_sid, char *err, size_t err_len) {
  wchar_t *path = rf_win32_wide(s->path);
  if (path == NULL)
    return -ENOMEM;
  int r = 0;
  DWORD attrs = GetFileAttributesW(path);
  if (attrs == INVALID_FILE_ATTRIBUTES) {
    if (s->placeholder) {
      /* Hold the protected name with an empty directory so it cannot be created. */
      if (!CreateDirectoryW(path, NULL)) {
        r = rf_win32_fail(err, err_len, GetLastError(), s->path, "cannot create the placeholder of a protected name");
        goto out;
      }
      wchar_t **n = realloc(run->placeholders, (run->n_placeholders + 1) * sizeof *n);
      if (n == NULL) {
        RemoveDirectoryW(path);
        r = -ENOMEM;
        goto out;
      }
      run->placeholders = n;
      run->placeholders[run->n_placeholders++] = path;
      path = _wcsdup(run->placeholders[run->n_placeholders - 1]);
      if (path == NULL)
        return -ENOMEM;
    } else if (s->skip_missing) {
      goto out; /* nothing there to read or protect */
    } else {
      r = rf_win32_fail(err, err_len, GetLastError(), s->path, "a writable or readable root must exist");
      goto out;
    }
  }

  PSID sid = group_sid;
  PSID cap = NULL;
  if (s->trustee == RF_WIN_TRUSTEE_CAPABILITY) {
    wchar_t *ws = rf_win32_wide(s->sid);
    BOOL ok = ws != NULL && ConvertStringSidToSidW(ws, &cap);
    free(ws);
    if (!ok) {
      r = rf_win32_fail(err, err_len, GetLastError(), "cannot convert a capability SID", NULL);
      goto out;
    }
    sid = cap;
  }
  if (sid == NULL) {
    r = -EINVAL;
    goto out;
  }
  BYTE type = s->deny ? ACCESS_DENIED_ACE_TYPE : ACCESS_ALLOWED_ACE_TYPE;
  wanted_ace want[2];
  int n_want;
  if (s->rights_self == s->rights_inherited) {
    want[0] = (wanted_ace){type, OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE, s->rights_self};
    n_want = 1;
  } else {
    want[0] = (wanted_ace){type, 0, s->rights_self};
    want[1] = (wanted_ace){type, OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE, s->rights_inherited};
    n_want = s->rights_inherited ? 2 : 1;
  }
  r = set_explicit_aces(path, sid, want, n_want, err, err_len);
  if (r == 0 && s->low_label)
    r = set_low_label(path, err, err_len);
  if (cap != NULL)
    LocalFree(cap);
out:
  free(path);
  return r;
}

static int apply_acl(win_run *run, char *err, size_t err_len) {
  PSID group = NULL;
  if (run->plan.windows_mode == RF_WINDOWS_ELEVATED) {
    int r = lookup_account_sid(RF_WIN_GROUP_NAME, &group, err, err_len);
    if (r < 0)
      return r;
  }
  int r = 0;
  for (size_t i = 0; i < run->plan.n_acl && r == 0; i++)
    r = apply_acl_step(run, &run->plan.acl[i], group, err, err_len);
  if (group != NULL)
    LocalFree(group);
  return r;
}

/* ---- Step 4: job ---------------------------------------------------------------- */

static int create_job(win_run *run, char *err, size_t err_len) {
  run->job = CreateJobObjectW(NULL, NULL);
  if (run->job == NULL)
    return rf_win32_fail(err, err_len, GetLastError(), "cannot create the job object", NULL);
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION ext;
  memset(&ext, 0, sizeof ext);
  ext.BasicLimitInformation.LimitFlags = run->plan.job_limits;
  if (!SetInformationJobObject(run->job, JobObjectExtendedLimitInformation, &ext, sizeof ext))
    return rf_win32_fail(err, err_len, GetLastError(), "cannot set the job limits", NULL);
  JOBOBJECT_BASIC_UI_RESTRICTIONS ui = {run->plan.job_ui_limits};
  if (!SetInformationJobObject(run->job, JobObjectBasicUIRestrictions, &ui, sizeof ui))
    return rf_win32_fail(err, err_len, GetLastError(), "cannot set the job UI limits", NULL);
  return 0;
}

/* ---- Step 5: desktop ------------------------------------------------------------ */

#define RF_DESKTOP_SANDBOX_RIGHTS \
  (DESKTOP_READOBJECTS | DESKTOP_CREATEWINDOW | DESKTOP_CREATEMENU | DESKTOP_WRITEOBJECTS | READ_CONTROL)
#define RF_WINSTA_SANDBOX_RIGHTS \
  (WINSTA_ENUMDESKTOPS | WINSTA_READATTRIBUTES | WINSTA_ENUMERATE | WINSTA_ACCESSGLOBALATOMS | READ_CONTROL)

static PSID current_user_sid(void) {
  HANDLE tok;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
    return NULL;
  BYTE buf[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
  DWORD len = 0;
  PSID out = NULL;
  if (GetTokenInformation(tok, TokenUser, buf, sizeof buf, &len)) {
    PSID s = ((TOKEN_USER *)buf)->User.Sid;
    DWORD n = GetLengthSid(s);
    out = LocalAlloc(LMEM_FIXED, n);
    if (out != NULL)
      CopySid(n, out, s);
  }
  CloseHandle(tok);
  return out;
}

/* Adds an allow ACE for |sid| to the DACL of the user object |obj| (window station). */
static int add_user_object_ace(HANDLE obj, PSID sid, ACCESS_MASK mask) {
  SECURITY_INFORMATION si = DACL_SECURITY_INFORMATION;
  DWORD need = 0;
  GetUserObjectSecurity(obj, &si, NULL, 0, &need);
  PSECURITY_DESCRIPTOR sd = need ? malloc(need) : NULL;
  if (sd == NULL || !GetUserObjectSecurity(obj, &si, sd, need, &need)) {
    free(sd);
    return -EIO;
  }
  BOOL present = FALSE, defaulted = FALSE;
  PACL old = NULL;
  GetSecurityDescriptorDacl(sd, &present, &old, &defaulted);
  EXPLICIT_ACCESSW ea;
  memset(&ea, 0, sizeof ea);
  ea.grfAccessPermissions = mask;
  ea.grfAccessMode = GRANT_ACCESS;
  ea.grfInheritance = NO_INHERITANCE;
  ea.Trustee.TrusteeForm = TRUSTEE_IS_SID;
  ea.Trustee.ptstrName = (LPWSTR)sid;
  PACL acl = NULL;
  int r = SetEntriesInAclW(1, &ea, old, &acl) == ERROR_SUCCESS ? 0 : -EIO;
  SECURITY_DESCRIPTOR nsd;
  if (r == 0 && (!InitializeSecurityDescriptor(&nsd, SECURITY_DESCRIPTOR_REVISION) ||
                 !SetSecurityDescriptorDacl(&nsd, TRUE, acl, FALSE) || !SetUserObjectSecurity(obj, &si, &nsd)))
    r = -EIO;
  if (acl != NULL)
    LocalFree(acl);
  free(sd);
  return r;
}

static void remove_user_object_aces(HANDLE obj, PSID sid) {
  SECURITY_INFORMATION si = DACL_SECURITY_INFORMATION;
  DWORD need = 0;
  GetUserObjectSecurity(obj, &si, NULL, 0, &need);
  PSECURITY_DESCRIPTOR sd = need ? malloc(need) : NULL;
  if (sd == NULL || !GetUserObjectSecurity(obj, &si, sd, need, &need)) {
    free(sd);
    return;
  }
  BOOL present = FALSE, defaulted = FALSE;
  PACL old = NULL;
  GetSecurityDescriptorDacl(sd, &present, &old, &defaulted);
  EXPLICIT_ACCESSW ea;
  memset(&ea, 0, sizeof ea);
  ea.grfAccessMode = REVOKE_ACCESS;
  ea.Trustee.TrusteeForm = TRUSTEE_IS_SID;
  ea.Trustee.ptstrName = (LPWSTR)sid;
  PACL acl = NULL;
  SECURITY_DESCRIPTOR nsd;
  if (old != NULL && SetEntriesInAclW(1, &ea, old, &acl) == ERROR_SUCCESS &&
      InitializeSecurityDescriptor(&nsd, SECURITY_DESCRIPTOR_REVISION) && SetSecurityDescriptorDacl(&nsd, TRUE, acl, FALSE))
    SetUserObjectSecurity(obj, &si, &nsd);
  if (acl != NULL)
    LocalFree(acl);
  free(sd);
}

static int create_desktop(win_run *run, char *err, size_t err_len) {
  PSID user = current_user_sid();
  if (user == NULL)
    return rf_win32_fail(err, err_len, GetLastError(), "cannot read the current user's SID", NULL);
  EXPLICIT_ACCESSW ea[3];
  memset(ea, 0, sizeof ea);
  ULONG n = 0;
  ea[n].grfAccessPermissions = GENERIC_ALL;
  ea[n].grfAccessMode = SET_ACCESS;
  ea[n].Trustee.TrusteeForm = TRUSTEE_IS_SID;
  ea[n++].Trustee.ptstrName = (LPWSTR)user;
  if (run->ac_sid != NULL) {
    ea[n].grfAccessPermissions = RF_DESKTOP_SANDBOX_RIGHTS;
    ea[n].grfAccessMode = SET_ACCESS;
    ea[n].Trustee.TrusteeForm = TRUSTEE_IS_SID;
    ea[n++].Trustee.ptstrName = (LPWSTR)run->ac_sid;
  }
  if (run->account_sid != NULL) {
    ea[n].grfAccessPermissions = RF_DESKTOP_SANDBOX_RIGHTS;
    ea[n].grfAccessMode = SET_ACCESS;
    ea[n].Trustee.TrusteeForm = TRUSTEE_IS_SID;
    ea[n++].Trustee.ptstrName = (LPWSTR)run->account_sid;
  }
  PACL acl = NULL;
  DWORD rc = SetEntriesInAclW(n, ea, NULL, &acl);
  LocalFree(user);
  if (rc != ERROR_SUCCESS)
    return rf_win32_fail(err, err_len, rc, "cannot build the desktop DACL", NULL);
  SECURITY_DESCRIPTOR sd;
  InitializeSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION);
  SetSecurityDescriptorDacl(&sd, TRUE, acl, FALSE);
  SECURITY_ATTRIBUTES sa = {sizeof sa, &sd, FALSE};
  wchar_t *name = rf_win32_wide(run->plan.desktop_name);
  run->desktop = name ? CreateDesktopW(name, NULL, NULL, 0, GENERIC_ALL, &sa) : NULL;
  DWORD code = GetLastError();
  free(name);
  LocalFree(acl);
  if (run->desktop == NULL)
    return rf_win32_fail(err, err_len, code, "cannot create the private desktop",
                         "set [windows] sandbox_private_desktop = false to use the default desktop");
  if (run->account_sid != NULL) {
    /* The account must reach WinSta0 to use a desktop in it (seclogon only does this for Default). */
    if (add_user_object_ace(GetProcessWindowStation(), run->account_sid, RF_WINSTA_SANDBOX_RIGHTS) < 0)
      return rf_win32_fail(err, err_len, GetLastError(), "cannot let the sandbox account use the window station",
                           "set [windows] sandbox_private_desktop = false");
    run->winsta_ace = 1;
  }
  return 0;
}

/* ---- Step 6: process -------------------------------------------------------------- */

static void *env_block(const char *const *envp) {
  if (envp == NULL)
    return NULL;
  size_t total = 1;
  wchar_t **w = calloc(1, sizeof *w);
  size_t n = 0;
  for (; envp[n] != NULL; n++) {
    wchar_t **nw = realloc(w, (n + 2) * sizeof *nw);
    if (nw == NULL)
      goto fail;
    w = nw;
    w[n] = rf_win32_wide(envp[n]);
    w[n + 1] = NULL;
    if (w[n] == NULL)
      goto fail;
    total += wcslen(w[n]) + 1;
  }
  wchar_t *block = malloc((total + 1) * sizeof *block), *p = block;
  if (block == NULL)
    goto fail;
  for (size_t i = 0; i < n; i++) {
    size_t len = wcslen(w[i]) + 1;
    memcpy(p, w[i], len * sizeof *p);
    p += len;
    free(w[i]);
  }
  *p++ = L'\0';
  if (n == 0)
    *p = L'\0';
  free(w);
  return block;
fail:
  for (size_t i = 0; w != NULL && i < n && w[i] != NULL; i++)
    free(w[i]);
  free(w);
  return NULL;
}

static wchar_t *runner_path(const rf_backend_host *host) {
  const char *dir = host && RF_HAS_FIELD(host, helper_dir) ? host->helper_dir : NULL;
  wchar_t *wdir = dir ? rf_win32_wide(dir) : rf_win32_module_dir();
  if (wdir == NULL)
    return NULL;
  size_t n = wcslen(wdir) + 1 + strlen(RF_WIN_RUNNER_NAME) + 1;
  wchar_t *p = malloc(n * sizeof *p);
  if (p != NULL)
    _snwprintf(p, n, L"%ls\\%hs", wdir, RF_WIN_RUNNER_NAME);
  free(wdir);
  return p;
}

static int start_process(win_run *run, const rf_backend_host *host, const rf_backend_policy *policy,
                         HANDLE *thread, char *err, size_t err_len) {
  int r = 0;
  wchar_t *cwd = policy->cwd ? rf_win32_wide(policy->cwd) : NULL;
  void *env = env_block(policy->envp);
  wchar_t desktop[RF_WIN_NAME_MAX + 16];
  _snwprintf(desktop, sizeof desktop / sizeof desktop[0], L"WinSta0\\%hs", run->plan.desktop_name);
  desktop[sizeof desktop / sizeof desktop[0] - 1] = L'\0';
  if ((policy->cwd && cwd == NULL) || (policy->envp && env == NULL)) {
    r = -EINVAL;
    if (err)
      snprintf(err, err_len, "windows: the cwd or environment is not valid UTF-8");
    goto out;
  }

  if (run->plan.account == NULL) {
    /* Unelevated (or danger-full-access): we start the AppContainer child ourselves. */
    const char **caps = calloc(run->plan.n_caps + 1, sizeof *caps);
    wchar_t *cmdline = rf_win32_wide(run->plan.command_line);
    wchar_t *app = run->plan.batch ? rf_win32_wide(run->plan.cmd_exe) : NULL;
    if (caps == NULL || cmdline == NULL || (run->plan.batch && app == NULL)) {
      free(caps);
      free(cmdline);
      free(app);
      r = -ENOMEM;
      goto out;
    }
    for (size_t i = 0; i < run->plan.n_caps; i++)
      caps[i] = run->plan.caps[i].sid;
    rf_win32_spawn in = {.appcontainer = run->plan.token == RF_WIN_TOKEN_APPCONTAINER,
                         .ac_name = run->plan.appcontainer_name,
                         .cap_sids = caps,
                         .n_caps = run->plan.n_caps,
                         .application = app,
                         .command_line = cmdline,
                         .env_block = env,
                         .cwd = cwd,
                         .desktop = run->plan.private_desktop ? desktop : NULL};
    /* A console of its own: with --pty, or when ours is one (the command shares no console
     * with the caller, so it cannot write to the caller's console input). */
    int want_pty = run->plan.console == RF_WIN_CONSOLE_PTY || rf_win32_stdin_is_console();
    if (want_pty) {
      r = rf_win32_conpty_open(&run->pty, err, err_len);
      if (r < 0 && run->plan.console != RF_WIN_CONSOLE_PTY) {
        r = 0; /* no ConPTY on this Windows: the standard handles, as before */
        want_pty = 0;
      }
      if (r < 0) {
        free(caps);
        free(cmdline);
        free(app);
        goto out;
      }
      in.pty = &run->pty;
    }
    rf_win32_child_handles ch;
    r = rf_win32_ac_spawn(&in, &ch, err, err_len);
    if (r == 0 && want_pty) {
      r = rf_win32_conpty_start(&run->pty, err, err_len);
      if (r < 0) { /* nothing half-done: the suspended child goes */
        TerminateProcess(ch.process, 125);
        CloseHandle(ch.process);
        CloseHandle(ch.thread);
        if (ch.profile_created)
          rf_win32_ac_profile_delete(run->plan.appcontainer_name);
        if (ch.ac_sid != NULL)
          FreeSid(ch.ac_sid);
      }
    }
    free(caps);
    free(cmdline);
    free(app);
    if (r < 0)
      goto out;
    run->process = ch.process;
    *thread = ch.thread;
    if (ch.ac_sid != NULL) {
      /* The desktop was created with the SID derived from the name; same SID. */
      FreeSid(ch.ac_sid);
    }
    run->profile_created = ch.profile_created;
    goto out;
  }

  /* Elevated: the runner, as the sandbox account, creates the AppContainer child. */
  wchar_t *runner = runner_path(host);
  char *runner8 = runner ? rf_win32_utf8(runner) : NULL;
  char *cmd8 = NULL;
  wchar_t *cmdline = NULL, *account = NULL, *password = NULL;
  if (runner8 == NULL) {
    r = -ENOMEM;
    goto elevated_out;
  }
  r = rf_win_runner_cmdline(runner8, &run->plan, &cmd8, err, err_len);
  if (r < 0)
    goto elevated_out;
  cmdline = rf_win32_wide(cmd8);
  account = rf_win32_wide(run->plan.account);
  if (cmdline == NULL || account == NULL) {
    r = -ENOMEM;
    goto elevated_out;
  }
  r = rf_win32_read_password(run->plan.account, &password, err, err_len);
  if (r < 0)
    goto elevated_out;
  STARTUPINFOW si;
  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  si.lpDesktop = run->plan.private_desktop ? desktop : NULL;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
  si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  PROCESS_INFORMATION pi;
  memset(&pi, 0, sizeof pi);
  if (!CreateProcessWithLogonW(account, L".", password, LOGON_WITH_PROFILE, runner, cmdline,
                               CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT | CREATE_NEW_PROCESS_GROUP, env, cwd,
                               &si, &pi)) {
    r = rf_win32_fail(err, err_len, GetLastError(), "cannot start the runner as the sandbox account",
                      "check `ringfence setup --windows` and that " RF_WIN_RUNNER_NAME " is installed");
    goto elevated_out;
  }
  run->process = pi.hProcess;
  *thread = pi.hThread;
elevated_out:
  if (password != NULL) {
    SecureZeroMemory(password, wcslen(password) * sizeof *password);
    free(password);
  }
  free(account);
  free(cmdline);
  free(cmd8);
  free(runner8);
  free(runner);
out:
  free(cwd);
  free(env);
  return r;
}

/* ---- Launch ------------------------------------------------------------------------ */

static void run_free(win_run *run) {
  if (run == NULL)
    return;
  if (run->process != NULL)
    CloseHandle(run->process);
  if (run->job != NULL)
    CloseHandle(run->job); /* KILL_ON_JOB_CLOSE: anything left dies here */
  rf_win32_conpty_close(&run->pty);
  if (run->desktop != NULL)
    CloseDesktop(run->desktop);
  if (run->winsta_ace && run->account_sid != NULL)
    remove_user_object_aces(GetProcessWindowStation(), run->account_sid);
  if (run->profile_created)
    rf_win32_ac_profile_delete(run->plan.appcontainer_name);
  for (size_t i = 0; i < run->n_placeholders; i++) {
    RemoveDirectoryW(run->placeholders[i]); /* only if still empty */
    free(run->placeholders[i]);
  }
  free(run->placeholders);
  if (run->ac_sid != NULL)
    FreeSid(run->ac_sid);
  if (run->account_sid != NULL)
    LocalFree(run->account_sid);
  free(run->resolved_argv0);
  rf_win_plan_clear(&run->plan);
  free(run);
}

int rf_win32_launch(const rf_backend_host *host, const rf_backend_policy *policy, const char *const *argv,
                    rf_backend_child *child, char *err, size_t err_len) {
  if (policy == NULL || argv == NULL || argv[0] == NULL || child == NULL)
    return -EINVAL;
  win_run *run = calloc(1, sizeof *run);
  if (run == NULL)
    return -ENOMEM;
  int r;
  HANDLE thread = NULL;
  size_t argc = 0;
  while (argv[argc] != NULL)
    argc++;
  const char **args = calloc(argc + 1, sizeof *args);
  if (args == NULL) {
    r = -ENOMEM;
    goto fail;
  }
  memcpy(args, argv, argc * sizeof *args);

  /* 1. Resolve the program and build the plan. */
  const char *const *envp = RF_HAS_FIELD(policy, envp) ? policy->envp : NULL;
  r = resolve_program(argv[0], envp, &run->resolved_argv0, err, err_len);
  if (r < 0)
    goto fail;
  args[0] = run->resolved_argv0;
  char cmd_exe[MAX_PATH + 16];
  UINT n = GetSystemDirectoryA(cmd_exe, MAX_PATH);
  if (n == 0 || n >= MAX_PATH) {
    r = rf_win32_fail(err, err_len, GetLastError(), "cannot find the system directory", NULL);
    goto fail;
  }
  strcat(cmd_exe, "\\cmd.exe");
  uint8_t random[RF_WIN_DESKTOP_RANDOM_BYTES];
  r = rf_win32_random(random, sizeof random);
  if (r < 0) {
    snprintf(err, err_len, "windows: the system random number generator failed");
    goto fail;
  }
  rf_win_plan_input in = {.policy = policy, .argv = args, .random = random, .cmd_exe = cmd_exe};
  r = rf_win_plan_build(&in, &run->plan, err, err_len);
  if (r < 0)
    goto fail;
  /* The plan names its path capabilities; Windows derives their SIDs. */
  r = rf_win32_plan_derive_sids(&run->plan, err, err_len);
  if (r < 0)
    goto fail;

  /* 2. Fail closed on anything required and not enforced. */
  if (run->plan.missing != 0) {
    rf_win_plan_missing_message(&run->plan, err, err_len);
    r = -ENOTSUP;
    goto fail;
  }
  for (int i = 0; i < RF_CAP_COUNT; i++)
    if (run->plan.dropped & (1ull << i))
      rf_win32_log(host, RF_LOG_WARNING, "windows: not enforced (accepted by --allow-degraded): %s",
                   rf_win_guarantee_name(1ull << i));

  /* 3. Files. */
  r = apply_acl(run, err, err_len);
  if (r < 0)
    goto fail;

  /* Identities the desktop must admit. */
  if (run->plan.token == RF_WIN_TOKEN_APPCONTAINER) {
    r = rf_win32_ac_sid(run->plan.appcontainer_name, 0, &run->ac_sid, NULL, err, err_len);
    if (r < 0)
      goto fail;
  }
  if (run->plan.account != NULL) {
    r = lookup_account_sid(run->plan.account, &run->account_sid, err, err_len);
    if (r < 0)
      goto fail;
  }

  /* 4. Job.  5. Desktop. */
  r = create_job(run, err, err_len);
  if (r < 0)
    goto fail;
  if (run->plan.private_desktop) {
    r = create_desktop(run, err, err_len);
    if (r < 0)
      goto fail;
  }

  /* 6. Process: suspended, into the job, then resumed. */
  r = start_process(run, host, policy, &thread, err, err_len);
  if (r < 0)
    goto fail;
  if (!AssignProcessToJobObject(run->job, run->process)) {
    r = rf_win32_fail(err, err_len, GetLastError(), "cannot put the command into the job object", NULL);
    TerminateProcess(run->process, 125);
    goto fail;
  }
  if (ResumeThread(thread) == (DWORD)-1) {
    r = rf_win32_fail(err, err_len, GetLastError(), "cannot resume the command", NULL);
    TerminateJobObject(run->job, 125);
    goto fail;
  }
  CloseHandle(thread);
  free(args);
  child->pid = (long)GetProcessId(run->process);
  if (RF_HAS_FIELD(child, wait_fd))
    child->wait_fd = -1;
  child->state = run;
  return 0;

fail:
  if (thread != NULL)
    CloseHandle(thread);
  free(args);
  run_free(run);
  return r;
}

int rf_win32_child_signal(rf_backend_child *child, int signum) {
  win_run *run = child ? child->state : NULL;
  if (run == NULL)
    return -EINVAL;
  if (signum == SIGINT && run->plan.account == NULL) {
    /* The command leads its own process group (CREATE_NEW_PROCESS_GROUP).  In
     * elevated mode it runs under seclogon, outside our console: it is ended below. */
    if (!GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, GetProcessId(run->process)))
      return -ESRCH;
    return 0;
  }
  /* No other signal exists on Windows: end the whole job, remembering why. */
  run->signalled = signum;
  return TerminateJobObject(run->job, 128u + (unsigned)signum) ? 0 : -ESRCH;
}

int rf_win32_child_wait(rf_backend_child *child, int timeout_ms, rf_backend_exit *exit) {
  win_run *run = child ? child->state : NULL;
  if (run == NULL || exit == NULL)
    return -EINVAL;
  DWORD w = WaitForSingleObject(run->process, timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms);
  if (w == WAIT_TIMEOUT) {
    exit->stage = RF_EXIT_RUNNING;
    return 0;
  }
  if (w != WAIT_OBJECT_0)
    return -EIO;
  DWORD code = 0;
  GetExitCodeProcess(run->process, &code);
  /* The command is done: nothing it started may outlive it. */
  TerminateJobObject(run->job, 1);
  rf_win32_conpty_close(&run->pty); /* its last output, then the console goes */
  run->finished = 1;
  exit->stage = RF_EXIT_COMMAND;
  exit->code = (int)code;
  exit->signal = run->signalled;
  exit->exec_errno = 0;
  exit->message[0] = '\0';
  if (run->plan.account != NULL && (code == RF_WIN_RUNNER_EXIT_SETUP || code == RF_WIN_RUNNER_EXIT_EXEC)) {
    exit->stage = code == RF_WIN_RUNNER_EXIT_SETUP ? RF_EXIT_SETUP_FAILED : RF_EXIT_EXEC_FAILED;
    exit->exec_errno = code == RF_WIN_RUNNER_EXIT_EXEC ? ENOENT : 0;
    snprintf(exit->message, sizeof exit->message,
             "windows: the elevated runner could not %s the command (its message is on stderr)",
             code == RF_WIN_RUNNER_EXIT_SETUP ? "confine" : "start");
  }
  return 0;
}

int rf_win32_child_kill(rf_backend_child *child) {
  win_run *run = child ? child->state : NULL;
  if (run == NULL)
    return -EINVAL;
  if (!run->signalled)
    run->signalled = RF_SIGKILL;
  return TerminateJobObject(run->job, 137) ? 0 : -ESRCH;
}

void rf_win32_child_release(rf_backend_child *child) {
  if (child == NULL || child->state == NULL)
    return;
  run_free(child->state);
  child->state = NULL;
}

#endif /* _WIN32 */
