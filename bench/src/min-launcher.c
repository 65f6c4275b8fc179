/* min-launcher.c: the least any launcher that outlives its command can cost: start PROGRAM, wait, exit with its status.
 *
 * Usage: min-launcher PROGRAM [ARG]...
 *
 * posix_spawn (a vfork-style clone: no page tables copied) and waitpid, and
 * nothing else: no configuration, no policy, no sandbox.  bench/run builds it
 * statically when it can (no dynamic linking at all) and runs it in front of
 * /bin/true and in front of the by-hand bwrap argv, in the same interleaved
 * rounds as ringfence: the distance from that floor to ringfence is
 * ringfence's own work; the distance from the floor to the baseline is the
 * price of having a second process at all. */
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: min-launcher PROGRAM [ARG]...\n");
    return 125;
  }
  pid_t pid;
  int rc = posix_spawn(&pid, argv[1], NULL, NULL, argv + 1, environ);
  if (rc != 0) {
    fprintf(stderr, "min-launcher: %s: cannot start (error %d)\n", argv[1], rc);
    return 127;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    ;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
