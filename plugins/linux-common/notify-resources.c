/* notify-resources.c: a supervisor thread's own descriptor table, and the errno a caller sees when the supervisor runs short (see notify-resources.h). */
#include "notify-resources.h"

#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "process.h"

int rf_notify_own_failure(int err, int otherwise) {
  if (err == EMFILE || err == ENFILE || err == ENOMEM || err == ENOBUFS || err == EAGAIN)
    return RF_NOTIFY_SHORT;
  return -otherwise;
}

int rf_notify_private_fd_table(const int *keep, size_t n_keep, int keep_stdio) {
  /* Sorted ascending, without allocating (a handful of entries). */
  int sorted[16];
  size_t n = 0;
  for (size_t i = 0; i < n_keep && n < sizeof(sorted) / sizeof(sorted[0]); i++) {
    if (keep[i] < 0)
      continue;
    size_t j = n++;
    for (; j > 0 && sorted[j - 1] > keep[i]; j--)
      sorted[j] = sorted[j - 1];
    sorted[j] = keep[i];
  }
  if (n_keep > sizeof(sorted) / sizeof(sorted[0]))
    return -E2BIG;
  if (unshare(CLONE_FILES) != 0)
    return -errno;
  if (!keep_stdio)
    for (int fd = 0; fd < 3; fd++) {
      int kept = 0;
      for (size_t i = 0; i < n; i++)
        kept |= sorted[i] == fd;
      if (!kept)
        close(fd);
    }
  rf_close_all_but(sorted, n);
  return 0;
}
