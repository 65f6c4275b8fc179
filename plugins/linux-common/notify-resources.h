/* notify-resources.h: what the supervisors need to answer every call: a descriptor table of their own, and one answer when they run short.
 *
 * A seccomp user notification is answered by ringfence, never by the
 * kernel: a supervisor that cannot act must still answer, and must not pass
 * its own trouble off as the caller's.
 *
 *  - Descriptors.  A supervisor thread opens a few descriptors per call
 *    (the caller's /proc/TID, its memory, a copy of its socket, the opened
 *    target).  In ringfence's shared table they would compete with ringfence
 *    itself under a small RLIMIT_NOFILE (which the command inherits, so the
 *    user's limit cannot simply be raised), and an EMFILE of ours would reach
 *    the command as if its own table were full.  So every supervisor thread
 *    works in a table of its own (unshare(CLONE_FILES)), holding only what it
 *    needs: RLIMIT_NOFILE limits each table separately, so each thread has the
 *    whole limit, less a handful, to itself, whatever ringfence or the other
 *    threads hold.
 *  - Running short anyway (no thread or process can be started under
 *    RLIMIT_NPROC, no memory, a table still full): the call is answered with
 *    RF_NOTIFY_SHORT (EAGAIN, "try again") without anything done on the
 *    caller's behalf, never left waiting and never answered with an errno
 *    that names something else (ESRCH, EPERM, EFAULT, EMFILE).
 */
#pragma once

#include <errno.h>
#include <stddef.h>

#define RF_NOTIFY_SHORT (-EAGAIN)

/* -errno for the caller when one of the supervisor's own system calls failed
 * with |err|: RF_NOTIFY_SHORT for a resource that ran out (EMFILE, ENFILE,
 * ENOMEM, ENOBUFS, EAGAIN), else -|otherwise|. */
int rf_notify_own_failure(int err, int otherwise);

/* Gives the calling thread a descriptor table of its own and closes every
 * descriptor in it but 0-2 (when |keep_stdio|) and the |n_keep| in |keep|
 * (any order; -1 entries are ignored).  The process's other threads keep
 * theirs untouched; the thread's table is released when it exits.  0 or
 * -errno (the thread then still shares the process's table). */
int rf_notify_private_fd_table(const int *keep, size_t n_keep, int keep_stdio);
