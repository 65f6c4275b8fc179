/* bwrap-argv.h: builds the one bwrap command line a run uses (render prints it, launch execs it). */
#pragma once

#include <ringfence/backend.h>

#include "strv.h"

typedef struct {
  const char *bwrap;       /* absolute path of bwrap */
  const char *init;        /* absolute path of ringfence-sandbox-init */
  int json_status_fd;      /* --json-status-fd */
  int init_status_fd;      /* passed to init: --status-fd */
  int seccomp_fd;          /* passed to init: --seccomp-fd */
  int notify_fd;           /* passed to init: --notify-fd, or -1 (no socket supervision) */
  int supervise_fd;        /* passed to init: --supervise-fd, or -1 */
  int foreground_tty;      /* 1: stay in the terminal's session, init takes the foreground */
  int landlock_fd;         /* passed to init: --landlock-fd (with landlock_abi > 0) */
  int landlock_abi;        /* passed to init: --landlock-abi; 0: no Landlock layer */
  int landlock_audit;      /* 1: init logs the command's Landlock denials */
} rf_bwrap_fds;

/* Appends the whole command line (bwrap ... -- init ... -- argv) to |out|.
 * Pure: looks at nothing but its arguments.  Returns 0 or -errno with a
 * message in err. */
int rf_bwrap_build_argv(const rf_backend_policy *policy, const char *const *argv,
                        const rf_bwrap_fds *fds, rf_strv *out, char *err, size_t err_len);
