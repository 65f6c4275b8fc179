/* process.h: POSIX process plumbing the Linux backends share: spawn with an exact fd list, pidfds, waiting. */
#pragma once

#include <ringfence/backend.h>
#include <stddef.h>
#include <sys/types.h>

/* Starts |path| with |argv| and |envp|.  The child keeps exactly 0, 1, 2 and
 * the descriptors in |keep| (made inheritable), in a new process group, with
 * default signal dispositions and an empty signal mask.  Exec failure is
 * reported here (not as an exit status): returns the pid or -errno, with a
 * message in err. */
pid_t rf_spawn(const char *path, char *const argv[], char *const envp[], const int *keep,
               size_t n_keep, char *err, size_t err_len);

/* For a child between fork (or a vfork-style clone) and exec: system calls
 * only, no allocation.  rf_child_reset_signals: every disposition back to
 * the default, nothing blocked.  rf_close_all_but: closes every descriptor
 * from 3 up but those in |sorted_keep| (ascending; negative entries are
 * ignored), with close_range() or, on kernels before 5.9, one by one. */
void rf_child_reset_signals(void);
void rf_close_all_but(const int *sorted_keep, size_t n);

/* pidfd of |pid|, or -1 when the kernel has none (then wait_fd is -1). */
int rf_pidfd_open(pid_t pid);

/* Waits for |pid| up to timeout_ms (poll on pidfd when >= 0).  Returns 1 when
 * it ended (*status is the waitpid status), 0 when still running, -errno. */
int rf_wait_pid(pid_t pid, int pidfd, int timeout_ms, int *status);

/* Fills an rf_backend_exit from a waitpid status. */
void rf_exit_from_status(rf_backend_exit *exit, int status);
