/* bwrap-argv.h: builds the one bwrap command line a run uses (render prints it, launch execs it). */
#pragma once

#include <ringfence/backend.h>

#include "bwrap-reads.h"
#include "strv.h"

typedef struct {
  const char *bwrap;       /* absolute path of bwrap */
  const char *init;        /* absolute path of ringfence-sandbox-init */
  int json_status_fd;      /* --json-status-fd */
  int init_status_fd;      /* passed to init: --status-fd */
  int seccomp_fd;          /* passed to init: --seccomp-fd (the main filter), or -1 */
  int notify_fd;           /* passed to init: --notify-fd (the one filter of a supervised run,
                            * main rules included), or -1 (no supervision) */
  int supervise_fd;        /* passed to init: --supervise-fd, or -1 */
  int foreground_tty;      /* 1: stay in the terminal's session, init takes the foreground */
  int landlock_fd;         /* passed to init: --landlock-fd (with landlock_abi > 0) */
  int landlock_abi;        /* passed to init: --landlock-abi; 0: no Landlock layer */
  int landlock_audit;      /* 1: init logs the command's Landlock denials */
  int command_fd;          /* passed to init: --command-fd (command-fd.h); -1: the command
                            * follows init's `--` on bwrap's command line (tests only) */
  /* One flag per protected path, in policy order (root by root): 1 when it
   * existed at launch.  Only those are bound read-only; one that does not
   * exist has nothing to bind and is the name guard's (rf_guard_level).
   * NULL: bind every protected path ("-try"). */
  const unsigned char *protected_present;
  int lifeline_fd;         /* passed to init: --lifeline-fd (lifeline.h: ringfence holds the
                              only other end); none when <= 2 */
  /* --network proxy: passed to init: --proxy-accept-fd (the socket to ringfence's proxy,
   * see rf_backend_policy.proxy_accept_fd) and --proxy-port (where the bridge listens
   * inside); none unless proxy_port > 0 and proxy_accept_fd > 2. */
  int proxy_accept_fd;
  int proxy_port;
  /* Reads (bwrap-reads.h): what the host looked like at launch. */
  const rf_bwrap_reads *reads;
} rf_bwrap_fds;

/* bubblewrap refuses more arguments than this (its MAX_ARGS, which counts
 * everything after argv[0], `--args FD` data included): checked before
 * anything starts. */
#define RF_BWRAP_MAX_ARGS 9000

/* Appends the whole command line (bwrap ... -- init ... --command-fd N) to
 * |out|.  Pure: looks at nothing but its arguments.  Returns 0 or -errno
 * with a message in err; -E2BIG when bwrap would refuse that many arguments
 * (the message says how many mounts fit). */
int rf_bwrap_build_argv(const rf_backend_policy *policy, const char *const *argv,
                        const rf_bwrap_fds *fds, rf_strv *out, char *err, size_t err_len);
