/* notify-target.h: acting on the process behind a seccomp notification: its pidfd, descriptors, memory and paths. */
#pragma once

#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* 1 while the notification |id| is still pending (the caller is still in
 * the syscall and |req->pid| still names it). */
int rf_notif_id_valid(int listener, uint64_t id);

/* A pidfd for the thread |tid| (PIDFD_THREAD where the kernel has it, else
 * its thread group, whose descriptor table the thread shares), or -1. */
int rf_target_pidfd(pid_t tid);

/* Copies descriptor |target_fd| of the caller (pidfd_getfd), after checking
 * the notification is still valid.  Returns the copy or -errno. */
int rf_target_copy_fd(const struct seccomp_notif *req, int listener, int target_fd);

/* Reads |len| bytes at |addr| of process |pid|: 0 or -errno (-EFAULT if short). */
int rf_target_read(pid_t pid, uint64_t addr, void *out, size_t len);

/* Opens |path| as the process |pid| would find it: absolute paths below its
 * root (RESOLVE_IN_ROOT), relative ones from its cwd.  Returns fd or -errno. */
int rf_target_open(pid_t pid, const char *path, int flags);

/* connect(2), retried on EINTR: 0 or -errno. */
int rf_connect_retry(int sock, const struct sockaddr *addr, socklen_t len);
