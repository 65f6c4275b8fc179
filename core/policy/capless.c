/* capless.c: looking at files with the access the sandboxed command will have (no capabilities). */
#include "capless.h"

#ifdef __linux__
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static gboolean read_caps(struct __user_cap_data_struct caps[2]) {
  struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  return syscall(SYS_capget, &head, caps) == 0;
}

/* capset(2) with pid 0 changes the calling thread only (glibc's wrappers for setuid() and
 * friends broadcast to every thread; this raw call does not). */
static gboolean write_caps(struct __user_cap_data_struct caps[2]) {
  struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  return syscall(SYS_capset, &head, caps) == 0;
}

/* The calling thread's effective set is emptied for the call and set back afterwards, rather
 * than the call made in a thread of its own: starting and joining a thread (an 8 MiB stack,
 * a malloc arena) cost ~0.08 ms per walk, four walks per run (docs/benchmarks.md).  Setting
 * the effective set back needs no privilege (it stays within the permitted set, which lowering
 * the effective set leaves alone); were it ever refused, the thread would just keep fewer
 * capabilities, and whatever needs them then fails with EPERM. */
gpointer rf_with_command_access(GThreadFunc fn, gpointer data) {
  struct __user_cap_data_struct caps[2], lowered[2];
  if (!read_caps(caps) || (caps[0].effective == 0 && caps[1].effective == 0))
    return fn(data);
  memcpy(lowered, caps, sizeof(lowered));
  lowered[0].effective = lowered[1].effective = 0;
  if (!write_caps(lowered))
    return NULL;
  gpointer result = fn(data);
  int saved = errno;
  write_caps(caps);
  errno = saved;
  return result;
}
#else
gpointer rf_with_command_access(GThreadFunc fn, gpointer data) {
  return fn(data);
}
#endif
