/* rerun-unprivileged.h: the unit tests' --unprivileged pass: the same binary again as uid 65534. */
#ifndef RF_TEST_RERUN_UNPRIVILEGED_H
#define RF_TEST_RERUN_UNPRIVILEGED_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* With --unprivileged as the first argument, re-executes |argv|[0] as uid/gid 65534 (never
 * returns), or returns 77 (meson's skip) with the reason printed when that cannot be done.
 * Without it returns -1: run the tests as whoever we are. */
static inline int rf_test_rerun_unprivileged(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--unprivileged") != 0)
    return -1;
  if (geteuid() != 0) {
    printf("skipped: --unprivileged re-executes as uid 65534 and needs root to do so\n");
    return 77;
  }
  execlp("setpriv", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", argv[0],
         (char *)NULL);
  printf("skipped: setpriv cannot be run (%s)\n", strerror(errno));
  return 77;
}

#endif
