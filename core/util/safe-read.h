/* safe-read.h: reading a start-up file that someone else may have planted (regular files only, bounded, never blocking). */
#pragma once

#include <glib.h>

/* Size bounds, per kind of file (see docs/security.md, "Files ringfence reads at start-up"). */
#define RF_READ_MAX_GIT_POINTER (16 * 1024) /* a .git file, commondir: git's own limit */
#define RF_READ_MAX_GIT_CONFIG (4 * 1024 * 1024) /* .git/config and what it includes */
#define RF_READ_MAX_USER_FILE (16 * 1024 * 1024) /* config.toml, rules files */

typedef enum {
  RF_READ_FOLLOW = 0,        /* follow symlinks (git does for its config files) */
  RF_READ_NOFOLLOW = 1 << 0, /* the last component must not be a symlink */
} RfReadFlags;

/*
 * Reads |path| whole into *|contents| (NUL-terminated, *|length| without the NUL) when it is
 * a regular file of at most |max_bytes|.  The file is never opened unless it is a regular
 * file: on Linux it is first opened O_PATH, checked with fstat, then reopened through its
 * descriptor, so swapping it for a FIFO or device in between opens nothing else; a FIFO,
 * device, socket or directory is never opened for reading (opening some devices has effects).
 * Every open is O_NONBLOCK | O_NOCTTY | O_CLOEXEC.
 *
 * Returns 0, or -errno with |error| set (RF_ERROR_CONFIG) naming |what| (e.g. "git config
 * file"), the path and the problem: -ENOENT/-ENOTDIR when it does not exist (callers for
 * which the file is optional test for these), -EINVAL when it is not a regular file,
 * -EFBIG when it is larger than |max_bytes|, else the errno of open/read.
 */
int rf_safe_read_file(const char *path, const char *what, gsize max_bytes, RfReadFlags flags,
                      char **contents, gsize *length, GError **error);

/* "FIFO (named pipe)", "character device", ... for a st_mode. */
const char *rf_file_type_name(unsigned int mode);
