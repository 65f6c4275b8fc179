/* capless.c: looking at files with the access the sandboxed command will have (no capabilities). */
#include "capless.h"

#ifdef __linux__
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct {
  GThreadFunc fn;
  gpointer data;
} Call;

static gboolean read_caps(struct __user_cap_data_struct caps[2]) {
  struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  return syscall(SYS_capget, &head, caps) == 0;
}

/* capset(2) with pid 0 changes the calling thread only (glibc's wrappers for setuid() and
 * friends broadcast to every thread; this raw call does not). */
static gpointer call_without_capabilities(gpointer data) {
  Call *call = data;
  struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct caps[2];
  if (!read_caps(caps))
    return NULL;
  caps[0].effective = caps[1].effective = 0;
  if (syscall(SYS_capset, &head, caps) != 0)
    return NULL;
  return call->fn(call->data);
}

gpointer rf_with_command_access(GThreadFunc fn, gpointer data) {
  struct __user_cap_data_struct caps[2];
  if (!read_caps(caps) || (caps[0].effective == 0 && caps[1].effective == 0))
    return fn(data);
  Call call = {.fn = fn, .data = data};
  GThread *thread = g_thread_try_new("rf-capless", call_without_capabilities, &call, NULL);
  if (!thread)
    return NULL;
  return g_thread_join(thread);
}
#else
gpointer rf_with_command_access(GThreadFunc fn, gpointer data) {
  return fn(data);
}
#endif
