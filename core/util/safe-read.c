/* safe-read.c: reading a start-up file that someone else may have planted: regular files only, bounded, never blocking. */
#include "safe-read.h"

#include "quote.h"

#include <ringfence/ringfence.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *rf_file_type_name(unsigned int mode) {
  if (S_ISREG(mode))
    return "regular file";
  if (S_ISDIR(mode))
    return "directory";
  if (S_ISLNK(mode))
    return "symbolic link";
  if (S_ISFIFO(mode))
    return "FIFO (named pipe)";
  if (S_ISCHR(mode))
    return "character device";
  if (S_ISBLK(mode))
    return "block device";
  if (S_ISSOCK(mode))
    return "socket";
  return "special file";
}

static char *size_text(gsize bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
    return g_strdup_printf("%" G_GSIZE_FORMAT " MiB", bytes / (1024 * 1024));
  if (bytes >= 1024 && bytes % 1024 == 0)
    return g_strdup_printf("%" G_GSIZE_FORMAT " KiB", bytes / 1024);
  return g_strdup_printf("%" G_GSIZE_FORMAT " bytes", bytes);
}

static int fail_errno(int err, const char *what, const char *path, GError **error) {
  g_autofree char *shown = rf_path_excerpt(path);
  g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s %s cannot be read: %s", what, shown,
              g_strerror(err));
  return -err;
}

static int fail_type(unsigned int mode, const char *what, const char *path, GError **error) {
  g_autofree char *shown = rf_path_excerpt(path);
  g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s %s is a %s, not a regular file", what, shown,
              rf_file_type_name(mode));
  return -EINVAL;
}

/* A descriptor open for reading on |path|, which is a regular file; -errno otherwise (with
 * |error| set).  Nothing but a regular file is ever opened for reading. */
static int open_regular(const char *path, const char *what, RfReadFlags flags, GError **error) {
  int nofollow = (flags & RF_READ_NOFOLLOW) ? O_NOFOLLOW : 0;
  struct stat st;
  int fd;
#ifdef O_PATH
  int pathfd = open(path, O_PATH | O_CLOEXEC | nofollow);
  if (pathfd < 0)
    return fail_errno(errno, what, path, error);
  if (fstat(pathfd, &st) != 0) {
    int saved = errno;
    close(pathfd);
    return fail_errno(saved, what, path, error);
  }
  if (!S_ISREG(st.st_mode)) {
    close(pathfd);
    return fail_type(st.st_mode, what, path, error);
  }
  /* Reopening through the descriptor opens that very inode: it cannot have been swapped. */
  char self[64];
  snprintf(self, sizeof(self), "/proc/self/fd/%d", pathfd);
  fd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  int saved = errno;
  close(pathfd);
  if (fd >= 0)
    return fd;
  if (saved != ENOENT)
    return fail_errno(saved, what, path, error);
  /* No /proc: check, open, check again (a swap in between is caught by the second check,
   * though the open itself has happened). */
#else
  if ((nofollow ? lstat(path, &st) : stat(path, &st)) != 0)
    return fail_errno(errno, what, path, error);
  if (!S_ISREG(st.st_mode))
    return fail_type(st.st_mode, what, path, error);
#endif
  fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | nofollow);
  if (fd < 0)
    return fail_errno(errno, what, path, error);
  return fd;
}

int rf_safe_read_file(const char *path, const char *what, gsize max_bytes, RfReadFlags flags,
                      char **contents, gsize *length, GError **error) {
  *contents = NULL;
  if (length)
    *length = 0;
  int fd = open_regular(path, what, flags, error);
  if (fd < 0)
    return fd;
  struct stat st;
  int rc = fstat(fd, &st) != 0      ? fail_errno(errno, what, path, error)
           : !S_ISREG(st.st_mode) ? fail_type(st.st_mode, what, path, error)
                                  : 0;
  if (rc < 0) {
    close(fd);
    return rc;
  }
  g_autofree char *limit = size_text(max_bytes);
  if (st.st_size > 0 && (guint64)st.st_size > max_bytes) {
    close(fd);
    g_autofree char *shown = rf_path_excerpt(path);
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s %s is larger than %s", what, shown, limit);
    return -EFBIG;
  }
  /* The size may change, or be 0 for files the kernel makes up: read to the end, bounded. */
  gsize cap = st.st_size > 0 ? (gsize)st.st_size + 1 : 4096;
  if (cap > max_bytes + 1)
    cap = max_bytes + 1;
  char *buf = g_malloc(cap + 1);
  gsize used = 0;
  for (;;) {
    if (used == cap) {
      if (cap > max_bytes) {
        g_free(buf);
        close(fd);
        g_autofree char *shown = rf_path_excerpt(path);
        g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s %s is larger than %s", what, shown,
                    limit);
        return -EFBIG;
      }
      cap = MIN(cap * 2, max_bytes + 1);
      buf = g_realloc(buf, cap + 1);
    }
    ssize_t got = read(fd, buf + used, cap - used);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      int saved = errno;
      g_free(buf);
      close(fd);
      return fail_errno(saved, what, path, error);
    }
    if (got == 0)
      break;
    used += (gsize)got;
  }
  close(fd);
  if (used > max_bytes) {
    g_free(buf);
    g_autofree char *shown = rf_path_excerpt(path);
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s %s is larger than %s", what, shown, limit);
    return -EFBIG;
  }
  buf[used] = '\0';
  *contents = buf;
  if (length)
    *length = used;
  return 0;
}
