/* guard-filter.c: the Landlock guard's seccomp rules: writes, creations, removals and renames notified, read-only opens untouched (see guard-filter.h). */
#include "guard-filter.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>

/* Calls that name what they change by path: always notified.  A name this
 * architecture lacks (aarch64 has only the *at forms) is skipped. */
static const char *const guarded_by_path[] = {
    "creat",   "mkdir",  "mkdirat", "mknod",     "mknodat", "symlink",  "symlinkat",
    "link",    "linkat", "rename",  "renameat",  "renameat2", "unlink", "unlinkat",
    "rmdir",   "truncate", "ftruncate", NULL,
};

/* open(2) and openat(2): which argument holds the flags. */
static const struct {
  const char *name;
  unsigned int flags_arg;
} opens[] = {{"open", 1}, {"openat", 2}};

int rf_guard_add_landlock_rules(scmp_filter_ctx ctx, int with_bind) {
  int rc = with_bind ? seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(bind), 0) : 0;
  for (const char *const *name = guarded_by_path; rc == 0 && *name; name++) {
    int nr = seccomp_syscall_resolve_name(*name);
    if (nr != __NR_SCMP_ERROR)
      rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
  }
  for (size_t i = 0; rc == 0 && i < sizeof(opens) / sizeof(opens[0]); i++) {
    int nr = seccomp_syscall_resolve_name(opens[i].name);
    if (nr == __NR_SCMP_ERROR)
      continue;
    unsigned int arg = opens[i].flags_arg;
    /* One rule per way of asking to write (rules on one call add up). */
    const struct {
      unsigned long mask, value;
    } writes[] = {{O_ACCMODE, O_WRONLY}, {O_ACCMODE, O_RDWR}, {O_ACCMODE, O_ACCMODE},
                  {O_CREAT, O_CREAT},    {O_TRUNC, O_TRUNC}};
    for (size_t k = 0; rc == 0 && k < sizeof(writes) / sizeof(writes[0]); k++)
      rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
                            SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, writes[k].mask, writes[k].value));
  }
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0);
  return rc;
}
