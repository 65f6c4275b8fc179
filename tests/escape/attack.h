/* attack.h: shared helpers of rf-escape-attack, the attack program the escape suite runs inside
 * (and, for a few victims and probes, outside) a ringfence sandbox.
 *
 * Every operation prints one line per attempt on stdout:
 *     RF OK   <op> <detail>          the operation succeeded
 *     RF ERR  <op> <ERRNO> <detail>  it failed with that errno
 *     RF SIG  <op> <signal> <detail> a probe child was killed by that signal
 *     RF INFO <op> <detail>          anything else worth showing
 * The runner (run-escape.py) decides what an OK means for its case: for an
 * attack it is usually an escape, for a "must keep working" case it is the
 * point.  Nothing here judges.
 *
 * Every attack is written to be harmless even if it fully succeeds on a host
 * with no sandbox at all (values written back unchanged, paths that do not
 * exist, signals whose default action is to be ignored): the suite must be
 * safe to run on a developer's machine while the sandbox is broken.
 */
#ifndef RF_ESCAPE_ATTACK_H
#define RF_ESCAPE_ATTACK_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void rf_ok(const char *op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rf_err(const char *op, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void rf_info(const char *op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rf_sig(const char *op, int sig, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* rc >= 0 -> OK, rc < 0 -> ERR with errno (call right after the syscall). */
void rf_result(const char *op, long rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *rf_errname(int err);

/* Run fn(arg) in a forked child so that a SIGSYS (seccomp kill) or SIGSEGV
 * does not end the whole attack; the child reports through rf_* itself.
 * Returns the raw wait status. */
int rf_in_child(const char *op, void (*fn)(void *), void *arg);

typedef struct {
  const char *name;
  int nargs;         /* -1: takes all remaining arguments */
  int (*fn)(char **args, int nargs);
  const char *usage;
} rf_op;

extern const rf_op rf_fs_ops[];
extern const rf_op rf_net_ops[];
extern const rf_op rf_proc_ops[];
extern const rf_op rf_kernel_ops[];
extern const rf_op rf_guard_ops[];
extern const rf_op rf_supervisor_ops[];
extern const rf_op rf_special_ops[];

#endif
