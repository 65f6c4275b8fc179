/* conpty.h: a pseudo console of the command's own (Windows only). */
#ifndef RF_WIN_CONPTY_H
#define RF_WIN_CONPTY_H

#ifdef _WIN32

#include "win32.h"

/* winbase.h defines it only for NTDDI_WIN10_RS5 and later; the value is Windows' own. */
#ifndef PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE
#define PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE 0x00020016
#endif

typedef struct rf_win32_conpty {
  void *pc; /* the HPCON, handed to the child (PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE) */
  HANDLE in_write, out_read; /* our ends */
  HANDLE pump_in, pump_out;  /* copy threads */
  void *close_pc;            /* ClosePseudoConsole, resolved at run time */
} rf_win32_conpty;

/* 1 when ringfence's standard input is a console (then the command gets a ConPTY). */
int rf_win32_stdin_is_console(void);
/* Creates the pseudo console, sized like ours; -ENOTSUP without ConPTY.  0 or -errno with err. */
int rf_win32_conpty_open(rf_win32_conpty *pty, char *err, size_t err_len);
/* Starts copying our stdin to it and its output to our stdout (after the child exists). */
int rf_win32_conpty_start(rf_win32_conpty *pty, char *err, size_t err_len);
/* Closes it (after the child exited), flushing the last output; safe on a zeroed struct. */
void rf_win32_conpty_close(rf_win32_conpty *pty);

#endif /* _WIN32 */
#endif /* RF_WIN_CONPTY_H */
