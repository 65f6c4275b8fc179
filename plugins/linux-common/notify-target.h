/* notify-target.h: acting on the process behind a seccomp notification: its pidfd, descriptors, memory and paths.
 *
 * A notification names its caller by a thread id, which is recycled once the
 * caller is gone.  Every access therefore goes through a handle that is first
 * opened and then checked: rf_target_attach() opens /proc/TID and then asks
 * the kernel whether the notification is still pending
 * (SECCOMP_IOCTL_NOTIF_ID_VALID).  If it is, the caller was alive when the
 * directory was opened, so the directory is the caller's, and it stays bound
 * to that process whatever the number names later (lookups below it fail once
 * the caller is gone).  Memory, root, cwd and descriptors are all opened
 * below it.  Before acting on the caller's behalf (connect, send, create,
 * change metadata, write into its memory) the supervisors check the
 * notification once more, right before the action (rf_notif_id_valid), so
 * nothing is done for a caller that is no longer waiting for the answer.
 */
#pragma once

#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* 1 while the notification |id| is still pending (the caller is still in
 * the syscall and |req->pid| still names it). */
int rf_notif_id_valid(int listener, uint64_t id);

typedef struct {
  int proc; /* /proc/TID of the caller (O_PATH), checked after opening */
  int mem;  /* its memory (read-only), opened on first read; -1 until then */
} rf_target;

/* Opens the caller's /proc/TID, then checks the notification: 0, or -ESRCH
 * when the caller is gone.  Always pair with rf_target_detach(). */
int rf_target_attach(rf_target *t, int listener, const struct seccomp_notif *req);
void rf_target_detach(rf_target *t);

/* Reads |len| bytes at |addr| of the caller: 0 or -EFAULT (unmapped, short). */
int rf_target_read(rf_target *t, uint64_t addr, void *out, size_t len);

/* Copies a NUL-terminated string of at most |cap| bytes (NUL included) at
 * |addr|, page by page (it may end just before an unmapped page).  0,
 * -EFAULT, or -ENAMETOOLONG when no NUL comes within |cap|. */
int rf_target_read_string(rf_target *t, uint64_t addr, char *out, size_t cap);

/* Writes |len| bytes at |addr| of the caller (sendmmsg's msg_len): the memory
 * is opened for writing, then the notification checked, then written, so the
 * bytes land in the caller or nowhere.  0, -ESRCH or -EFAULT. */
int rf_target_write(rf_target *t, int listener, uint64_t id, uint64_t addr, const void *in,
                    size_t len);

/* Opens |path| as the caller would find it: absolute paths below its root
 * (RESOLVE_IN_ROOT), relative ones from its cwd (or from its descriptor
 * |dirfd| with rf_target_open_at; AT_FDCWD: the cwd).  fd or -errno. */
int rf_target_open(rf_target *t, const char *path, int flags);
int rf_target_open_at(rf_target *t, int dirfd, const char *path, int flags);

/* The caller's cwd as an O_PATH directory: fd or -errno. */
int rf_target_cwd(rf_target *t);

/* 1 when the caller's descriptor table has a free number below its
 * RLIMIT_NOFILE (an open(2) of its own would not fail with EMFILE), 0 when
 * it is full, -errno when that cannot be read.  Another thread of the caller
 * may take the slot right after: a check, not a reservation. */
int rf_target_fd_room(rf_target *t);

/* Reads its /proc/TID/status into |buf| (NUL-terminated): bytes or -errno. */
ssize_t rf_target_status(rf_target *t, char *buf, size_t cap);

/* A pidfd for the thread |tid| (PIDFD_THREAD where the kernel has it, else
 * its thread group, whose descriptor table the thread shares), or -1.  Only
 * a notification check after this call proves it names the caller. */
int rf_target_pidfd(pid_t tid);

/* A pidfd for the caller, checked after opening: fd or -ESRCH. */
int rf_target_pidfd_checked(int listener, const struct seccomp_notif *req);

/* Copies descriptor |target_fd| of the caller (pidfd_getfd), after checking
 * the notification is still valid.  Returns the copy or -errno. */
int rf_target_copy_fd(const struct seccomp_notif *req, int listener, int target_fd);

/* connect(2), retried on EINTR: 0 or -errno. */
int rf_connect_retry(int sock, const struct sockaddr *addr, socklen_t len);

/* Connects |sock| (the supervisor's copy of the caller's socket) for the
 * caller of notification |id|, right after checking it is still waiting
 * (-ESRCH if not): to the socket file held open as |target| (through
 * /proc/thread-self/fd, as supervisor threads have descriptor tables of their
 * own, so the path the caller gave is not looked up again), or,
 * with |target| -1, to |addr| as the kernel resolves it in the socket's own
 * network namespace.  0 or -errno. */
int rf_connect_for_caller(int listener, uint64_t id, int sock, int target,
                          const struct sockaddr *addr, socklen_t len);
