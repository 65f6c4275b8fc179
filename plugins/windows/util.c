/* util.c: small Win32 helpers shared by the plugin and the runner (strings, errors, RNG, DPAPI store). */
#ifdef _WIN32

#include "win32.h"

#include <bcrypt.h>
#include <wincrypt.h>
#include <dpapi.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

wchar_t *rf_win32_wide(const char *s) {
  if (s == NULL)
    return NULL;
  int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
  if (n <= 0)
    return NULL;
  wchar_t *w = malloc((size_t)n * sizeof *w);
  if (w == NULL)
    return NULL;
  if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
    free(w);
    return NULL;
  }
  return w;
}

char *rf_win32_utf8(const wchar_t *s) {
  if (s == NULL)
    return NULL;
  int n = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, s, -1, NULL, 0, NULL, NULL);
  if (n <= 0)
    return NULL;
  char *u = malloc((size_t)n);
  if (u == NULL)
    return NULL;
  if (WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, s, -1, u, n, NULL, NULL) != n) {
    free(u);
    return NULL;
  }
  return u;
}

int rf_win32_fail(char *err, size_t err_len, DWORD code, const char *what, const char *fix) {
  char text[512] = "";
  DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0, text,
                           sizeof text, NULL);
  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' ' || text[n - 1] == '.'))
    text[--n] = '\0';
  if (err != NULL && err_len > 0)
    snprintf(err, err_len, "windows: %s: %s (error %lu)%s%s", what, n ? text : "unknown error",
             (unsigned long)code, fix ? "; " : "", fix ? fix : "");
  switch (code) {
  case ERROR_ACCESS_DENIED:
  case ERROR_PRIVILEGE_NOT_HELD:
    return -EACCES;
  case ERROR_FILE_NOT_FOUND:
  case ERROR_PATH_NOT_FOUND:
    return -ENOENT;
  case ERROR_NOT_ENOUGH_MEMORY:
  case ERROR_OUTOFMEMORY:
    return -ENOMEM;
  case ERROR_CALL_NOT_IMPLEMENTED:
  case ERROR_PROC_NOT_FOUND:
    return -ENOSYS;
  default:
    return -EIO;
  }
}

wchar_t *rf_win32_module_dir(void) {
  HMODULE self = NULL;
  if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                          (LPCWSTR)(void *)rf_win32_module_dir, &self))
    return NULL;
  wchar_t *buf = malloc(32768 * sizeof *buf);
  if (buf == NULL)
    return NULL;
  DWORD n = GetModuleFileNameW(self, buf, 32768);
  if (n == 0 || n >= 32768) {
    free(buf);
    return NULL;
  }
  wchar_t *slash = wcsrchr(buf, L'\\');
  if (slash != NULL)
    *slash = L'\0';
  return buf;
}

int rf_win32_random(unsigned char *buf, size_t n) {
  NTSTATUS st = BCryptGenRandom(NULL, buf, (ULONG)n, BCRYPT_USE_SYSTEM_PREFERRED_RNG);
  return st >= 0 ? 0 : -EIO;
}

void rf_win32_log(const rf_backend_host *host, int level, const char *fmt, ...) {
  if (host == NULL || !RF_HAS_FIELD(host, log) || host->log == NULL)
    return;
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  host->log(host->log_ctx, level, line);
}

wchar_t *rf_win32_credentials_path(void) {
  wchar_t *w = rf_win32_wide(RF_WIN_CREDENTIALS_FILE);
  if (w == NULL)
    return NULL;
  DWORD n = ExpandEnvironmentStringsW(w, NULL, 0);
  wchar_t *out = n ? malloc(n * sizeof *out) : NULL;
  if (out != NULL && ExpandEnvironmentStringsW(w, out, n) != n) {
    free(out);
    out = NULL;
  }
  free(w);
  /* An unexpanded %LOCALAPPDATA% would be a relative path: refuse it. */
  if (out != NULL && wcschr(out, L'%') != NULL) {
    free(out);
    out = NULL;
  }
  return out;
}

/* The store is DPAPI(user scope) over UTF-8 lines "account\tpassword\n". */
int rf_win32_read_password(const char *account, wchar_t **password, char *err, size_t err_len) {
  *password = NULL;
  wchar_t *path = rf_win32_credentials_path();
  if (path == NULL)
    return rf_win32_fail(err, err_len, ERROR_PATH_NOT_FOUND, "cannot locate the sandbox password store",
                         "is LOCALAPPDATA set?");
  HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  free(path);
  if (f == INVALID_HANDLE_VALUE)
    return rf_win32_fail(err, err_len, GetLastError(), "cannot open " RF_WIN_CREDENTIALS_FILE,
                         "elevated mode needs a one-time `ringfence setup --windows` as administrator, "
                         "run from this user account");
  unsigned char blob[8192];
  DWORD got = 0;
  BOOL ok = ReadFile(f, blob, sizeof blob, &got, NULL);
  DWORD code = GetLastError();
  CloseHandle(f);
  if (!ok || got == 0 || got == sizeof blob)
    return rf_win32_fail(err, err_len, ok ? ERROR_INVALID_DATA : code, "cannot read " RF_WIN_CREDENTIALS_FILE,
                         "run `ringfence setup --windows --remove` then `ringfence setup --windows`");
  DATA_BLOB in = {got, blob}, out = {0, NULL};
  if (!CryptUnprotectData(&in, NULL, NULL, NULL, NULL, CRYPTPROTECT_UI_FORBIDDEN, &out))
    return rf_win32_fail(err, err_len, GetLastError(), "cannot decrypt " RF_WIN_CREDENTIALS_FILE,
                         "it belongs to the user who ran setup; run setup again from this account");
  int r = -ENOENT;
  size_t alen = strlen(account);
  char *p = (char *)out.pbData, *end = p + out.cbData;
  while (p < end) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL)
      nl = end;
    if ((size_t)(nl - p) > alen + 1 && memcmp(p, account, alen) == 0 && p[alen] == '\t') {
      size_t plen = (size_t)(nl - p) - alen - 1;
      char *pw = malloc(plen + 1);
      if (pw != NULL) {
        memcpy(pw, p + alen + 1, plen);
        pw[plen] = '\0';
        *password = rf_win32_wide(pw);
        SecureZeroMemory(pw, plen);
        free(pw);
        r = *password ? 0 : -ENOMEM;
      }
      break;
    }
    p = nl + 1;
  }
  SecureZeroMemory(out.pbData, out.cbData);
  LocalFree(out.pbData);
  if (r == -ENOENT && err != NULL)
    snprintf(err, err_len, "windows: no password for %s in %s; run `ringfence setup --windows` as administrator",
             account, RF_WIN_CREDENTIALS_FILE);
  return r;
}

#endif /* _WIN32 */
