/* current-dir.c: the process's working directory as getcwd() says it, never a stand-in (policy, config and trust all start from it). */
#include "current-dir.h"

#include <errno.h>
#include <unistd.h>

/* getcwd() and nothing else: g_get_current_dir() answers "/" when getcwd() fails (a deleted
 * directory), and "/" in workspace-write is a writable root over the whole host. */
char *rf_current_dir(char **problem) {
  *problem = NULL;
  for (size_t size = 256; size <= 1 << 20; size *= 2) {
    g_autofree char *buf = g_malloc(size);
    if (getcwd(buf, size)) {
      if (buf[0] == '/')
        return g_steal_pointer(&buf);
      errno = ENOENT; /* "(unreachable)/..." from an old libc: outside our root */
    }
    if (errno == ERANGE)
      continue;
    int saved = errno;
    *problem = g_strdup_printf(
        saved == ENOENT
            ? "the working directory no longer exists (it was deleted or moved away after the "
              "shell entered it), so there is no workspace to run in: cd to an existing "
              "directory, or name one with -C DIR"
            : "the working directory cannot be determined (getcwd: %s), so there is no workspace "
              "to run in: cd to a directory you can read, or name one with -C DIR",
        g_strerror(saved));
    return NULL;
  }
  *problem = g_strdup("the working directory's path is longer than 1 MiB: cd to a shorter one, or "
                      "name one with -C DIR");
  return NULL;
}

char *rf_get_current_dir(GError **error) {
  g_autofree char *problem = NULL;
  char *dir = rf_current_dir(&problem);
  if (!dir)
    g_set_error_literal(error, RF_ERROR, RF_ERROR_CONFIG, problem);
  return dir;
}
