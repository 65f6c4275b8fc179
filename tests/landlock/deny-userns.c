/* deny-userns.c: runs a command under the seccomp rule container runtimes use (Docker's default profile): no new user namespaces.
 *
 * Usage: deny-userns PROGRAM [ARG]...
 *
 * clone(2) with CLONE_NEWUSER and unshare(2) with CLONE_NEWUSER fail with
 * EPERM; clone3(2) answers ENOSYS (its flags are out of seccomp's sight), so
 * that libc falls back to clone(2).  The tests run ringfence under it to check
 * that the bwrap probe still sees a refused user namespace, although it no
 * longer creates one on every run when no filter is loaded. */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: deny-userns PROGRAM [ARG]...\n");
    return 2;
  }
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  int rc = ctx ? 0 : -ENOMEM;
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  if (rc == 0)
    rc = seccomp_load(ctx); /* sets no_new_privs (SCMP_FLTATR_CTL_NNP defaults to on) */
  if (rc < 0) {
    fprintf(stderr, "deny-userns: cannot load the seccomp filter: %s\n", strerror(-rc));
    return 125;
  }
  seccomp_release(ctx);
  execvp(argv[1], argv + 1);
  fprintf(stderr, "deny-userns: %s: %s\n", argv[1], strerror(errno));
  return 127;
}
