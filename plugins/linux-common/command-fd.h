/* command-fd.h: the command line and environment ringfence hands to ringfence-sandbox-init through a sealed memfd, not through bwrap's argv. */
#pragma once

/*
 * Why: bubblewrap refuses more than 9000 arguments in all (its MAX_ARGS,
 * which also counts what `--args FD` supplies), and everything after its
 * `--` counts too.  So the user's command line never goes on bwrap's: init
 * reads it from this descriptor, and the only limit left is the kernel's
 * own for the final execve.  The environment goes the same way, so that
 * bwrap's and init's own execve carry nothing of the user's size.
 *
 * Format (all NUL-terminated strings, no padding):
 *   "ARGC" "ENVC" ARG... ENV...
 * ARGC and ENVC in decimal; ARGC >= 1.  Counts, not an empty-string
 * terminator, because an argument may be empty.
 *
 * The writer half uses malloc; the reader half (rf_command_fd_read) is libc
 * only, for ringfence-sandbox-init.
 */

#include <stddef.h>

/* Largest blob accepted: far above what any kernel's execve takes (argv and
 * environment together are capped at 6 MiB even with an unlimited stack). */
#define RF_COMMAND_FD_MAX_BYTES (64u << 20)

/* A sealed (no write, grow or shrink), close-on-exec memfd holding |argv|
 * (NULL-terminated, at least one entry) and |envp| (NULL-terminated, may be
 * NULL), positioned at 0.  Returns the fd or -errno with a message in err. */
int rf_command_fd_create(const char *const *argv, const char *const *envp, char *err,
                         size_t err_len);

/* Reads and checks the blob on |fd| (which it does not close).  On success
 * *argv and *envp point to NULL-terminated arrays into one allocation,
 * *block, which the caller frees (after exec, never).  Returns 0 or -errno
 * (-EINVAL: malformed, -E2BIG: larger than RF_COMMAND_FD_MAX_BYTES), with a
 * message in err. */
int rf_command_fd_read(int fd, char ***argv, char ***envp, void **block, char *err,
                       size_t err_len);
