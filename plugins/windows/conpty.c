/* conpty.c: a pseudo console (ConPTY) of the command's own, and the two threads that copy
 * between it and ringfence's standard handles, so the command never shares (and cannot write to)
 * the caller's console. */
#ifdef _WIN32
#include "conpty.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CreatePseudoConsole and ClosePseudoConsole (HPCON is a pointer-sized handle). */
typedef HRESULT(WINAPI *create_pc_fn)(COORD, HANDLE, HANDLE, DWORD, void **);
typedef void(WINAPI *close_pc_fn)(void *);

/* Resolved at run time: the DLL still loads on a Windows (or wine) without ConPTY. */
static int resolve(create_pc_fn *create, close_pc_fn *close_pc) {
  HMODULE k32 = GetModuleHandleW(L"kernel32.dll");
  *create = k32 ? (create_pc_fn)(void (*)(void))GetProcAddress(k32, "CreatePseudoConsole") : NULL;
  *close_pc = k32 ? (close_pc_fn)(void (*)(void))GetProcAddress(k32, "ClosePseudoConsole") : NULL;
  return *create != NULL && *close_pc != NULL;
}

int rf_win32_stdin_is_console(void) {
  DWORD mode = 0;
  HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  return in != NULL && in != INVALID_HANDLE_VALUE && GetConsoleMode(in, &mode);
}

typedef struct {
  HANDLE from, to;
} pump_args;

static DWORD WINAPI pump(LPVOID p) {
  pump_args *a = p;
  char buf[4096];
  DWORD n = 0, written = 0;
  while (ReadFile(a->from, buf, sizeof buf, &n, NULL) && n > 0)
    if (!WriteFile(a->to, buf, n, &written, NULL))
      break;
  free(a);
  return 0;
}

static HANDLE start_pump(HANDLE from, HANDLE to) {
  pump_args *a = malloc(sizeof *a);
  if (a == NULL)
    return NULL;
  a->from = from;
  a->to = to;
  HANDLE t = CreateThread(NULL, 0, pump, a, 0, NULL);
  if (t == NULL)
    free(a);
  return t;
}

int rf_win32_conpty_open(rf_win32_conpty *pty, char *err, size_t err_len) {
  memset(pty, 0, sizeof *pty);
  create_pc_fn create;
  close_pc_fn close_pc;
  if (!resolve(&create, &close_pc)) {
    if (err)
      snprintf(err, err_len,
               "windows: this Windows has no pseudo console (ConPTY needs Windows 10 1809 or "
               "later); run without --pty");
    return -ENOTSUP;
  }
  HANDLE pty_in_read = NULL, pty_out_write = NULL;
  if (!CreatePipe(&pty_in_read, &pty->in_write, NULL, 0) ||
      !CreatePipe(&pty->out_read, &pty_out_write, NULL, 0)) {
    int r = rf_win32_fail(err, err_len, GetLastError(), "cannot create the pseudo console's pipes",
                          NULL);
    if (pty_in_read)
      CloseHandle(pty_in_read);
    rf_win32_conpty_close(pty);
    return r;
  }
  COORD size = {80, 25};
  CONSOLE_SCREEN_BUFFER_INFO info;
  if (GetConsoleScreenBufferInfo(GetStdHandle(STD_OUTPUT_HANDLE), &info)) {
    size.X = (SHORT)(info.srWindow.Right - info.srWindow.Left + 1);
    size.Y = (SHORT)(info.srWindow.Bottom - info.srWindow.Top + 1);
  }
  HRESULT hr = create(size, pty_in_read, pty_out_write, 0, &pty->pc);
  /* The pseudo console holds its own references to its ends. */
  CloseHandle(pty_in_read);
  CloseHandle(pty_out_write);
  if (FAILED(hr)) {
    pty->pc = NULL;
    rf_win32_conpty_close(pty);
    return rf_win32_fail(err, err_len, (DWORD)HRESULT_CODE(hr), "cannot create the pseudo console",
                         NULL);
  }
  pty->close_pc = (void *)close_pc;
  return 0;
}

int rf_win32_conpty_start(rf_win32_conpty *pty, char *err, size_t err_len) {
  pty->pump_in = start_pump(GetStdHandle(STD_INPUT_HANDLE), pty->in_write);
  pty->pump_out = start_pump(pty->out_read, GetStdHandle(STD_OUTPUT_HANDLE));
  if (pty->pump_in == NULL || pty->pump_out == NULL)
    return rf_win32_fail(err, err_len, GetLastError(),
                         "cannot start the pseudo console's copy threads", NULL);
  return 0;
}

void rf_win32_conpty_close(rf_win32_conpty *pty) {
  if (pty->pc != NULL && pty->close_pc != NULL)
    ((close_pc_fn)pty->close_pc)(pty->pc); /* ends the output: the output pump sees EOF */
  pty->pc = NULL;
  if (pty->pump_out != NULL) {
    WaitForSingleObject(pty->pump_out, 2000); /* the last output, within reason */
    CloseHandle(pty->pump_out);
  }
  if (pty->pump_in != NULL) {
    /* Blocked in ReadFile on our stdin: it ends with the process. */
    CloseHandle(pty->pump_in);
  }
  if (pty->in_write != NULL)
    CloseHandle(pty->in_write);
  if (pty->out_read != NULL)
    CloseHandle(pty->out_read);
  memset(pty, 0, sizeof *pty);
}
#endif /* _WIN32 */
