/* seccomp-lazy.c: libseccomp opened on first use: the Landlock plugin's programs are precompiled (gen-landlock-bpf.c), so a run on a current kernel never calls it and need not map it. */
#include <dlfcn.h>
#include <errno.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stddef.h>

/*
 * The plugin defines the few libseccomp calls it (and plugins/linux-common) makes, each opening
 * the library the first time one is made: only `explain`, and launches that cannot use the
 * precompiled programs (Landlock ABI < 3: the truncate rules), get that far.  The library is the
 * one the loader would have mapped (same soname, same search path).  When it cannot be opened,
 * every call fails as libseccomp's own do (NULL or -errno), and the caller's message names the
 * program it was building.
 */
static void *library(void) {
  static void *handle;
  void *h = __atomic_load_n(&handle, __ATOMIC_ACQUIRE);
  if (!h) {
    h = dlopen("libseccomp.so.2", RTLD_NOW | RTLD_LOCAL);
    if (h)
      __atomic_store_n(&handle, h, __ATOMIC_RELEASE); /* a racing dlopen only counts twice */
  }
  return h;
}

static void *resolve(void **slot, const char *name) {
  void *fn = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
  if (!fn) {
    void *h = library();
    fn = h ? dlsym(h, name) : NULL;
    if (fn)
      __atomic_store_n(slot, fn, __ATOMIC_RELEASE);
  }
  return fn;
}

#define REAL(name) ((__typeof__(&name))resolve(&real_##name, #name))

static void *real_seccomp_init, *real_seccomp_release, *real_seccomp_attr_set,
    *real_seccomp_syscall_resolve_name, *real_seccomp_syscall_priority,
    *real_seccomp_rule_add_array, *real_seccomp_export_bpf;

scmp_filter_ctx seccomp_init(uint32_t def_action) {
  return REAL(seccomp_init) ? REAL(seccomp_init)(def_action) : NULL;
}

void seccomp_release(scmp_filter_ctx ctx) {
  if (ctx && REAL(seccomp_release))
    REAL(seccomp_release)(ctx);
}

int seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value) {
  return REAL(seccomp_attr_set) ? REAL(seccomp_attr_set)(ctx, attr, value) : -ENOSYS;
}

int seccomp_syscall_resolve_name(const char *name) {
  return REAL(seccomp_syscall_resolve_name) ? REAL(seccomp_syscall_resolve_name)(name)
                                            : __NR_SCMP_ERROR;
}

int seccomp_syscall_priority(scmp_filter_ctx ctx, int syscall, uint8_t priority) {
  return REAL(seccomp_syscall_priority) ? REAL(seccomp_syscall_priority)(ctx, syscall, priority)
                                        : -ENOSYS;
}

int seccomp_rule_add_array(scmp_filter_ctx ctx, uint32_t action, int syscall,
                           unsigned int arg_cnt, const struct scmp_arg_cmp *arg_array) {
  return REAL(seccomp_rule_add_array)
             ? REAL(seccomp_rule_add_array)(ctx, action, syscall, arg_cnt, arg_array)
             : -ENOSYS;
}

/* libseccomp's variadic form: at most six argument comparisons (one per syscall argument). */
int seccomp_rule_add(scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned int arg_cnt,
                     ...) {
  struct scmp_arg_cmp args[6];
  if (arg_cnt > 6)
    return -EINVAL;
  va_list ap;
  va_start(ap, arg_cnt);
  for (unsigned int i = 0; i < arg_cnt; i++)
    args[i] = va_arg(ap, struct scmp_arg_cmp);
  va_end(ap);
  return seccomp_rule_add_array(ctx, action, syscall, arg_cnt, args);
}

int seccomp_export_bpf(const scmp_filter_ctx ctx, int fd) {
  return REAL(seccomp_export_bpf) ? REAL(seccomp_export_bpf)(ctx, fd) : -ENOSYS;
}
