/* landlock-plan.c: building a Landlock ruleset plan: one rule per path, and the rules inherited descriptors need. */
#include "landlock-plan.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "landlock-abi.h"

void rf_ll_plan_add_rule(rf_ll_plan *plan, const char *path, uint64_t access, const char *why,
                         int skip_if_missing) {
  if (plan->failed)
    return;
  /* One rule per path: rights of the same path add up. */
  for (size_t i = 0; i < plan->n_rules; i++) {
    if (strcmp(plan->rules[i].path, path) == 0) {
      plan->rules[i].access |= access;
      plan->rules[i].skip_if_missing &= skip_if_missing;
      return;
    }
  }
  if (plan->n_rules == plan->cap_rules) {
    size_t cap = plan->cap_rules ? plan->cap_rules * 2 : 16;
    rf_ll_rule *grown = realloc(plan->rules, cap * sizeof(*grown));
    if (!grown) {
      plan->failed = 1;
      return;
    }
    plan->rules = grown;
    plan->cap_rules = cap;
  }
  char *copy = strdup(path);
  if (!copy) {
    plan->failed = 1;
    return;
  }
  plan->rules[plan->n_rules++] = (rf_ll_rule){
      .path = copy, .access = access, .why = why, .skip_if_missing = skip_if_missing};
}

void rf_ll_plan_clear(rf_ll_plan *plan) {
  for (size_t i = 0; i < plan->n_rules; i++)
    free(plan->rules[i].path);
  free(plan->rules);
  memset(plan, 0, sizeof(*plan));
}

/*
 * `> /dev/stdout`, `tee /dev/stderr`, `> /dev/fd/3`: shells reopen the
 * inherited descriptors by their /proc/self/fd magic link, and Landlock
 * judges that open by the file's path.  A file the command already holds
 * open for writing (a log outside the roots that ringfence's caller
 * redirected to, the invoking terminal, a named FIFO) may be reopened the
 * same way: the rule covers that one file, and grants nothing the open
 * descriptor does not (truncation included: ftruncate works on it anyway).
 * Anonymous pipes and sockets live on internal filesystems Landlock does not
 * judge (and takes no rule on).
 */
void rf_ll_plan_add_inherited(rf_ll_plan *plan, const int *pass_fds, size_t n_pass_fds) {
  for (size_t i = 0; i < 3 + n_pass_fds; i++) {
    int fd = i < 3 ? (int)i : pass_fds[i - 3];
    int flags = fcntl(fd, F_GETFL);
    struct stat st;
    if (flags < 0 || fstat(fd, &st) < 0 ||
        !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
      continue;
    struct statfs sfs;
    if (S_ISFIFO(st.st_mode) && (fstatfs(fd, &sfs) != 0 || sfs.f_type == PIPEFS_MAGIC))
      continue; /* pipe(2): nothing to reopen by a path */
    int mode = flags & O_ACCMODE;
    uint64_t access = 0;
    if (mode != O_WRONLY)
      access |= RF_LL_FS_READ_FILE;
    if (mode != O_RDONLY)
      access |= RF_LL_FS_WRITE_FILE | RF_LL_FS_TRUNCATE;
    access &= plan->handled_fs;
    if (!access)
      continue;
    char path[32];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    rf_ll_plan_add_rule(plan, path, access, "file inherited open", 1);
  }
}
