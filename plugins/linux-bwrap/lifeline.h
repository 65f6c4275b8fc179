/* lifeline.h: the socket pair that ties a bwrap sandbox's life to ringfence's, and the proof that nothing of a sandbox is left.
 *
 * ringfence keeps one end (the "write end"), the only one outside the sandbox; bwrap hands the read end to ringfence-sandbox-init
 * (--lifeline-fd), which holds it from bwrap's clone of the namespace child to the end of
 * the sandbox: every process of the sandbox that is not the command's is a holder, and the
 * command cannot exist without pid 1.  So:
 *   - end-of-file (ringfence gone, however) or a byte (rf_lifeline_pull) tells init to end
 *     the namespace, at its first check or while it reaps;
 *   - while some process holds the read end, the sandbox is not over (the write end polls
 *     POLLHUP once no process holds the other): rf_lifeline_clear kills the holders, found by
 *     the read end's inode, until none is left.  That covers a namespace child whose bwrap was killed before
 *     releasing it (bubblewrap issue 633), which no signal of ringfence's could otherwise name.
 */
#pragma once

#include <sys/types.h>

typedef struct {
  int write_fd; /* ringfence's, close-on-exec; -1 once closed */
  int read_fd;  /* for bwrap's command line; closed by rf_lifeline_clear (bwrap has its own) */
  unsigned long long inode; /* of the read end's socket */
} rf_lifeline;

/* A stream socket pair, both ends close-on-exec.  0 or -errno with a message in err. */
int rf_lifeline_open(rf_lifeline *lifeline, char *err, size_t err_len);

/* Asks init to end the sandbox (a byte; never blocks, never raises SIGPIPE). */
void rf_lifeline_pull(rf_lifeline *lifeline);

/* 1 while some process holds the read end (ringfence's own copy closed). */
int rf_lifeline_held(const rf_lifeline *lifeline);

/* A pidfd for |pid| if it is a child of |parent| (> 0: a process ringfence has not reaped, so
 * its number is not reused) or holds the read end now: a process of this sandbox, never one
 * that reused the number.  Else -1. */
int rf_lifeline_pidfd_of_holder(const rf_lifeline *lifeline, pid_t pid, pid_t parent);

/* Pulls the lifeline, SIGKILLs |known_pidfd| (pid 1 inside, or -1), then every process found
 * to hold the read end, until none does (at most |timeout_ms|).  Call once bwrap's outer
 * process has ended.  Returns 0, or -ETIMEDOUT when a holder is still there.  (An unprivileged
 * user cannot list the descriptors of a process that is not dumpable: init, which ends by
 * itself at the pull; bwrap's namespace child, which cannot, is dumpable until it execs.) */
int rf_lifeline_clear(rf_lifeline *lifeline, int known_pidfd, int timeout_ms);

/* Closes both ends: init ends the sandbox at end-of-file. */
void rf_lifeline_close(rf_lifeline *lifeline);
