/* setup.c: `ringfence setup --backend windows [--remove]` on Windows: installs or removes exactly the items of
 * rf_win_setup_items() (accounts, group, registry values, WFP provider/sublayer/filters, DPAPI store).
 * Each item is one case below; an item already present (install) or absent (remove) is reported and skipped. */
#ifdef _WIN32

#include "win32.h" /* windows.h first */

#include <errno.h>
#include <wincrypt.h>
#include <dpapi.h>
#include <fwpmu.h>
#include <stdarg.h>
#include <lm.h>
#include <objbase.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <userenv.h>

#include "plan.h"
#include "win32.h"

#define RF_PASSWORD_LEN 32

typedef struct setup_ctx {
  const rf_backend_sink *progress;
  HANDLE engine; /* WFP session, opened for the first WFP item */
  int in_txn;
  char passwords[2][RF_PASSWORD_LEN + 1]; /* [0] offline, [1] online */
} setup_ctx;

static void say(setup_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(setup_ctx *c, const char *fmt, ...) {
  if (c->progress == NULL || !RF_HAS_FIELD(c->progress, emit) || c->progress->emit == NULL)
    return;
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  c->progress->emit(c->progress->ctx, "progress", line);
}

static int is_admin(void) {
  BOOL member = FALSE;
  PSID admins = NULL;
  SID_IDENTIFIER_AUTHORITY nt = SECURITY_NT_AUTHORITY;
  if (!AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0, 0, 0, 0,
                                &admins))
    return 0;
  CheckTokenMembership(NULL, admins, &member);
  FreeSid(admins);
  return member;
}

/* The setup plan's "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" keys as GUIDs: IIDFromString (ole32)
 * parses exactly that form.  The keys are constants whose form the pure tests check. */
static GUID to_guid(const char *s) {
  GUID out;
  memset(&out, 0, sizeof out);
  wchar_t *w = rf_win32_wide(s);
  if (w == NULL || FAILED(IIDFromString(w, &out)))
    memset(&out, 0, sizeof out);
  free(w);
  return out;
}

static const char *find_item_name(uint32_t kind) {
  size_t n;
  const rf_win_setup_item *items = rf_win_setup_items(&n);
  for (size_t i = 0; i < n; i++)
    if (items[i].kind == kind)
      return items[i].name;
  return NULL;
}

static int account_index(const char *account) { return strcmp(account, RF_WIN_ACCOUNT_OFFLINE) == 0 ? 0 : 1; }

/* 32 characters drawn uniformly from a set with upper, lower, digits and symbols. */
static int make_password(char out[RF_PASSWORD_LEN + 1]) {
  static const char set[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#$*+-=?@_";
  const size_t n = sizeof set - 1;
  size_t i = 0;
  while (i < RF_PASSWORD_LEN) {
    unsigned char b[64];
    if (rf_win32_random(b, sizeof b) < 0)
      return -EIO;
    for (size_t k = 0; k < sizeof b && i < RF_PASSWORD_LEN; k++)
      if (b[k] < 256 - 256 % n) /* no modulo bias */
        out[i++] = set[b[k] % n];
    SecureZeroMemory(b, sizeof b);
  }
  out[RF_PASSWORD_LEN] = '\0';
  /* Complexity rules want several classes; force one of each at fixed places. */
  out[0] = 'R';
  out[1] = 'f';
  out[2] = '7';
  out[3] = '#';
  return 0;
}

static int wfp_open(setup_ctx *c, char *err, size_t err_len) {
  if (c->engine != NULL)
    return 0;
  DWORD rc = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &c->engine);
  if (rc != ERROR_SUCCESS)
    return rf_win32_fail(err, err_len, rc, "cannot open the Windows Filtering Platform", "run as administrator");
  rc = FwpmTransactionBegin0(c->engine, 0);
  if (rc != ERROR_SUCCESS)
    return rf_win32_fail(err, err_len, rc, "cannot begin a WFP transaction", NULL);
  c->in_txn = 1;
  return 0;
}

static int sid_of(const char *name, wchar_t **sid_string, char *err, size_t err_len) {
  wchar_t *w = rf_win32_wide(name);
  BYTE sid[SECURITY_MAX_SID_SIZE];
  DWORD sid_len = sizeof sid;
  wchar_t domain[256];
  DWORD dlen = 256;
  SID_NAME_USE use;
  BOOL ok = w != NULL && LookupAccountNameW(NULL, w, sid, &sid_len, domain, &dlen, &use);
  free(w);
  if (!ok)
    return rf_win32_fail(err, err_len, GetLastError(), name, NULL);
  return ConvertSidToStringSidW(sid, sid_string) ? 0 : rf_win32_fail(err, err_len, GetLastError(), name, NULL);
}

static int add_filter(setup_ctx *c, const rf_win_setup_item *it, char *err, size_t err_len) {
  const char *layer = rf_win_wfp_layer_guid(it->layer);
  if (layer == NULL)
    return -EINVAL;
  wchar_t *sid = NULL;
  int r = sid_of(it->account, &sid, err, err_len);
  if (r < 0)
    return r;
  /* FWPM_CONDITION_ALE_USER_ID matches when this descriptor grants the
   * connecting user FWP_ACTRL_MATCH_FILTER (0x1, "CC" in SDDL). */
  wchar_t sddl[256];
  _snwprintf(sddl, 256, L"O:SYG:SYD:(A;;CC;;;%ls)", sid);
  sddl[255] = L'\0';
  LocalFree(sid);
  PSECURITY_DESCRIPTOR sd = NULL;
  ULONG sd_len = 0;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, &sd_len))
    return rf_win32_fail(err, err_len, GetLastError(), "cannot build the WFP user condition", NULL);
  FWP_BYTE_BLOB blob = {sd_len, (UINT8 *)sd};
  FWPM_FILTER_CONDITION0 cond;
  memset(&cond, 0, sizeof cond);
  cond.fieldKey = to_guid(RF_WIN_WFP_CONDITION_ALE_USER_ID);
  cond.matchType = FWP_MATCH_EQUAL;
  cond.conditionValue.type = FWP_SECURITY_DESCRIPTOR_TYPE;
  cond.conditionValue.sd = &blob;

  GUID key = to_guid(it->name), provider = to_guid(find_item_name(RF_WIN_SETUP_WFP_PROVIDER)),
       sublayer = to_guid(find_item_name(RF_WIN_SETUP_WFP_SUBLAYER));
  FWPM_FILTER0 f;
  memset(&f, 0, sizeof f);
  f.filterKey = key;
  f.displayData.name = L"ringfence: block sandbox account";
  f.displayData.description = L"Blocks network traffic of the ringfence-offline sandbox account";
  f.flags = RF_WIN_WFP_FLAG_PERSISTENT;
  f.providerKey = &provider;
  f.layerKey = to_guid(layer);
  f.subLayerKey = sublayer;
  f.weight.type = FWP_UINT8;
  f.weight.uint8 = 15;
  f.numFilterConditions = 1;
  f.filterCondition = &cond;
  f.action.type = FWP_ACTION_BLOCK;
  /* Replace an older copy: the account (and so its SID) may have been re-created. */
  FwpmFilterDeleteByKey0(c->engine, &key);
  DWORD rc = FwpmFilterAdd0(c->engine, &f, NULL, NULL);
  LocalFree(sd);
  if (rc != ERROR_SUCCESS)
    return rf_win32_fail(err, err_len, rc, "cannot add a WFP filter", NULL);
  return 0;
}

static int write_credentials(setup_ctx *c, char *err, size_t err_len) {
  char text[2 * (RF_PASSWORD_LEN + 64)];
  int n = snprintf(text, sizeof text, "%s\t%s\n%s\t%s\n", RF_WIN_ACCOUNT_OFFLINE, c->passwords[0],
                   RF_WIN_ACCOUNT_ONLINE, c->passwords[1]);
  DATA_BLOB in = {(DWORD)n, (BYTE *)text}, out = {0, NULL};
  BOOL ok = CryptProtectData(&in, L"ringfence sandbox accounts", NULL, NULL, NULL, CRYPTPROTECT_UI_FORBIDDEN, &out);
  SecureZeroMemory(text, sizeof text);
  if (!ok)
    return rf_win32_fail(err, err_len, GetLastError(), "cannot encrypt the sandbox passwords (DPAPI)", NULL);
  wchar_t *path = rf_win32_credentials_path();
  int r = 0;
  if (path == NULL) {
    r = -ENOENT;
  } else {
    wchar_t *slash = wcsrchr(path, L'\\');
    if (slash != NULL) {
      *slash = L'\0';
      CreateDirectoryW(path, NULL);
      *slash = L'\\';
    }
    HANDLE f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    DWORD wrote = 0;
    if (f == INVALID_HANDLE_VALUE || !WriteFile(f, out.pbData, out.cbData, &wrote, NULL) || wrote != out.cbData)
      r = rf_win32_fail(err, err_len, GetLastError(), "cannot write " RF_WIN_CREDENTIALS_FILE, NULL);
    if (f != INVALID_HANDLE_VALUE)
      CloseHandle(f);
  }
  free(path);
  LocalFree(out.pbData);
  return r;
}

static int apply_item(setup_ctx *c, const rf_win_setup_item *it, char *err, size_t err_len) {
  wchar_t *name = rf_win32_wide(it->name);
  wchar_t *account = it->account ? rf_win32_wide(it->account) : NULL;
  int r = 0;
  NET_API_STATUS st;
  DWORD rc;
  switch (it->kind) {
  case RF_WIN_SETUP_GROUP: {
    LOCALGROUP_INFO_1 g = {name, L"ringfence sandbox accounts"};
    st = NetLocalGroupAdd(NULL, 1, (BYTE *)&g, NULL);
    if (st == NERR_GroupExists || st == ERROR_ALIAS_EXISTS)
      say(c, "present %s", it->name);
    else if (st != NERR_Success)
      r = rf_win32_fail(err, err_len, st, "cannot create local group " RF_WIN_GROUP_NAME, NULL);
    break;
  }
  case RF_WIN_SETUP_ACCOUNT: {
    char *pw = c->passwords[account_index(it->account)];
    r = make_password(pw);
    if (r < 0)
      break;
    wchar_t *wpw = rf_win32_wide(pw);
    USER_INFO_1 u;
    memset(&u, 0, sizeof u);
    u.usri1_name = name;
    u.usri1_password = wpw;
    u.usri1_priv = USER_PRIV_USER;
    u.usri1_comment = L"ringfence sandbox account (ringfence setup --windows)";
    u.usri1_flags = UF_SCRIPT | UF_DONT_EXPIRE_PASSWD | UF_PASSWD_CANT_CHANGE | UF_NORMAL_ACCOUNT;
    st = NetUserAdd(NULL, 1, (BYTE *)&u, NULL);
    if (st == NERR_UserExists) {
      /* Keep the account, renew its password so the store matches. */
      USER_INFO_1003 p = {wpw};
      st = NetUserSetInfo(NULL, name, 1003, (BYTE *)&p, NULL);
      say(c, "present %s (password renewed)", it->name);
    }
    if (wpw != NULL) {
      SecureZeroMemory(wpw, wcslen(wpw) * sizeof *wpw);
      free(wpw);
    }
    if (st != NERR_Success) {
      r = rf_win32_fail(err, err_len, st, "cannot create a sandbox account", it->name);
      break;
    }
    wchar_t *group = rf_win32_wide(RF_WIN_GROUP_NAME);
    LOCALGROUP_MEMBERS_INFO_3 m = {name};
    st = NetLocalGroupAddMembers(NULL, group, 3, (BYTE *)&m, 1);
    free(group);
    if (st != NERR_Success && st != ERROR_MEMBER_IN_ALIAS)
      r = rf_win32_fail(err, err_len, st, "cannot add the account to " RF_WIN_GROUP_NAME, NULL);
    break;
  }
  case RF_WIN_SETUP_HIDE_ACCOUNT: {
    HKEY key;
    rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE,
                         L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\SpecialAccounts\\UserList", 0,
                         NULL, 0, KEY_SET_VALUE, NULL, &key, NULL);
    if (rc == ERROR_SUCCESS) {
      DWORD zero = 0;
      rc = RegSetValueExW(key, account, 0, REG_DWORD, (const BYTE *)&zero, sizeof zero);
      RegCloseKey(key);
    }
    if (rc != ERROR_SUCCESS)
      r = rf_win32_fail(err, err_len, rc, "cannot hide the account from the sign-in screen", NULL);
    break;
  }
  case RF_WIN_SETUP_WFP_PROVIDER: {
    if ((r = wfp_open(c, err, err_len)) < 0)
      break;
    FWPM_PROVIDER0 p;
    memset(&p, 0, sizeof p);
    p.providerKey = to_guid(it->name);
    p.displayData.name = L"ringfence";
    p.displayData.description = L"ringfence sandbox (ringfence setup --windows)";
    p.flags = RF_WIN_WFP_FLAG_PERSISTENT;
    rc = FwpmProviderAdd0(c->engine, &p, NULL);
    if (rc == (DWORD)FWP_E_ALREADY_EXISTS)
      say(c, "present %s", it->name);
    else if (rc != ERROR_SUCCESS)
      r = rf_win32_fail(err, err_len, rc, "cannot add the WFP provider", NULL);
    break;
  }
  case RF_WIN_SETUP_WFP_SUBLAYER: {
    if ((r = wfp_open(c, err, err_len)) < 0)
      break;
    GUID provider = to_guid(find_item_name(RF_WIN_SETUP_WFP_PROVIDER));
    FWPM_SUBLAYER0 s;
    memset(&s, 0, sizeof s);
    s.subLayerKey = to_guid(it->name);
    s.displayData.name = L"ringfence sandbox accounts";
    s.flags = RF_WIN_WFP_FLAG_PERSISTENT;
    s.providerKey = &provider;
    s.weight = 0xffff;
    rc = FwpmSubLayerAdd0(c->engine, &s, NULL);
    if (rc == (DWORD)FWP_E_ALREADY_EXISTS)
      say(c, "present %s", it->name);
    else if (rc != ERROR_SUCCESS)
      r = rf_win32_fail(err, err_len, rc, "cannot add the WFP sublayer", NULL);
    break;
  }
  case RF_WIN_SETUP_WFP_FILTER:
    if ((r = wfp_open(c, err, err_len)) < 0)
      break;
    r = add_filter(c, it, err, err_len); /* committed with the credentials item, all or nothing */
    break;
  case RF_WIN_SETUP_CREDENTIALS:
    if (c->in_txn) {
      rc = FwpmTransactionCommit0(c->engine);
      c->in_txn = 0;
      if (rc != ERROR_SUCCESS) {
        r = rf_win32_fail(err, err_len, rc, "cannot commit the WFP changes", NULL);
        break;
      }
    }
    r = write_credentials(c, err, err_len);
    break;
  case RF_WIN_SETUP_PROFILE:
    say(c, "later %s: Windows creates it at the account's first run", it->name);
    break;
  default:
    r = -EINVAL;
  }
  free(name);
  free(account);
  if (r == 0)
    say(c, "added %s", it->name);
  return r;
}

static int remove_item(setup_ctx *c, const rf_win_setup_item *it, char *err, size_t err_len) {
  wchar_t *name = rf_win32_wide(it->name);
  wchar_t *account = it->account ? rf_win32_wide(it->account) : NULL;
  int r = 0, absent = 0;
  NET_API_STATUS st;
  DWORD rc;
  switch (it->kind) {
  case RF_WIN_SETUP_PROFILE: {
    wchar_t *sid = NULL;
    if (sid_of(it->account, &sid, NULL, 0) < 0) {
      absent = 1;
      break;
    }
    if (!DeleteProfileW(sid, NULL, NULL)) {
      rc = GetLastError();
      if (rc == ERROR_FILE_NOT_FOUND || rc == ERROR_PATH_NOT_FOUND)
        absent = 1;
      else
        r = rf_win32_fail(err, err_len, rc, "cannot delete the sandbox account's profile",
                          "sign the account out (or reboot) and run --remove again");
    }
    LocalFree(sid);
    break;
  }
  case RF_WIN_SETUP_CREDENTIALS: {
    wchar_t *path = rf_win32_credentials_path();
    if (path != NULL && !DeleteFileW(path)) {
      rc = GetLastError();
      if (rc == ERROR_FILE_NOT_FOUND || rc == ERROR_PATH_NOT_FOUND)
        absent = 1;
      else
        r = rf_win32_fail(err, err_len, rc, "cannot delete " RF_WIN_CREDENTIALS_FILE, NULL);
    }
    if (path != NULL) {
      wchar_t *slash = wcsrchr(path, L'\\');
      if (slash != NULL) {
        *slash = L'\0';
        RemoveDirectoryW(path); /* only if empty */
      }
    }
    free(path);
    break;
  }
  case RF_WIN_SETUP_WFP_FILTER:
  case RF_WIN_SETUP_WFP_SUBLAYER:
  case RF_WIN_SETUP_WFP_PROVIDER: {
    if ((r = wfp_open(c, err, err_len)) < 0)
      break;
    GUID key = to_guid(it->name);
    rc = it->kind == RF_WIN_SETUP_WFP_FILTER     ? FwpmFilterDeleteByKey0(c->engine, &key)
         : it->kind == RF_WIN_SETUP_WFP_SUBLAYER ? FwpmSubLayerDeleteByKey0(c->engine, &key)
                                                 : FwpmProviderDeleteByKey0(c->engine, &key);
    if (rc == (DWORD)FWP_E_FILTER_NOT_FOUND || rc == (DWORD)FWP_E_SUBLAYER_NOT_FOUND ||
        rc == (DWORD)FWP_E_PROVIDER_NOT_FOUND)
      absent = 1;
    else if (rc != ERROR_SUCCESS)
      r = rf_win32_fail(err, err_len, rc, "cannot delete a WFP object", it->name);
    if (r == 0 && it->kind == RF_WIN_SETUP_WFP_PROVIDER && c->in_txn) {
      rc = FwpmTransactionCommit0(c->engine);
      c->in_txn = 0;
      if (rc != ERROR_SUCCESS)
        r = rf_win32_fail(err, err_len, rc, "cannot commit the WFP changes", NULL);
    }
    break;
  }
  case RF_WIN_SETUP_HIDE_ACCOUNT:
    rc = RegDeleteKeyValueW(HKEY_LOCAL_MACHINE,
                            L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\SpecialAccounts\\UserList",
                            account);
    if (rc == ERROR_FILE_NOT_FOUND)
      absent = 1;
    else if (rc != ERROR_SUCCESS)
      r = rf_win32_fail(err, err_len, rc, "cannot delete a registry value", it->name);
    break;
  case RF_WIN_SETUP_ACCOUNT:
    st = NetUserDel(NULL, name);
    if (st == NERR_UserNotFound)
      absent = 1;
    else if (st != NERR_Success)
      r = rf_win32_fail(err, err_len, st, "cannot delete a sandbox account", it->name);
    break;
  case RF_WIN_SETUP_GROUP:
    st = NetLocalGroupDel(NULL, name);
    if (st == NERR_GroupNotFound || st == ERROR_NO_SUCH_ALIAS)
      absent = 1;
    else if (st != NERR_Success)
      r = rf_win32_fail(err, err_len, st, "cannot delete local group " RF_WIN_GROUP_NAME, NULL);
    break;
  default:
    r = -EINVAL;
  }
  free(name);
  free(account);
  if (r == 0)
    say(c, absent ? "absent %s" : "removed %s", it->name);
  return r;
}

static void ctx_close(setup_ctx *c) {
  if (c->engine != NULL) {
    if (c->in_txn)
      FwpmTransactionAbort0(c->engine);
    FwpmEngineClose0(c->engine);
  }
  SecureZeroMemory(c->passwords, sizeof c->passwords);
}

int rf_win32_setup_apply(const rf_backend_host *host, const rf_backend_sink *progress, char *err,
                         size_t err_len) {
  (void)host;
  if (!is_admin()) {
    snprintf(err, err_len, "windows: `ringfence setup --backend windows` needs an administrator: run it from a prompt "
                      "opened with \"Run as administrator\"");
    return -EACCES;
  }
  setup_ctx c;
  memset(&c, 0, sizeof c);
  c.progress = progress;
  size_t n;
  const rf_win_setup_item *items = rf_win_setup_items(&n);
  int r = 0;
  for (size_t i = 0; i < n && r == 0; i++)
    r = apply_item(&c, &items[i], err, err_len);
  ctx_close(&c);
  return r;
}

int rf_win32_setup_remove(const rf_backend_host *host, const rf_backend_sink *progress, char *err,
                          size_t err_len) {
  (void)host;
  if (!is_admin()) {
    snprintf(err, err_len,
             "windows: `ringfence setup --backend windows --remove` needs an administrator: run it "
             "from a prompt opened with \"Run as administrator\"");
    return -EACCES;
  }
  setup_ctx c;
  memset(&c, 0, sizeof c);
  c.progress = progress;
  size_t n;
  const rf_win_setup_item *items = rf_win_setup_items(&n);
  int r = 0;
  /* Backwards, and keep going: remove as much as possible, report the first failure. */
  for (size_t k = 0; k < n; k++) {
    char e[512] = "";
    int rr = remove_item(&c, &items[n - 1 - k], e, sizeof e);
    if (rr < 0 && r == 0) {
      r = rr;
      snprintf(err, err_len, "%s", e);
    }
  }
  ctx_close(&c);
  return r;
}

#endif /* _WIN32 */
