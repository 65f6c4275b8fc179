/* startup-bench.c: start-up of `ringfence run --backend landlock -- /bin/true` against bare /bin/true, interleaved.
 * Usage: startup-bench RINGFENCE [ROUNDS] [extra ringfence run options...]
 * Prints the median (and quartiles) of each, in microseconds, and the ratio. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double run_once(char *const argv[]) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  pid_t pid;
  if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
    return -1;
  int status;
  waitpid(pid, &status, 0);
  clock_gettime(CLOCK_MONOTONIC, &b);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return -1;
  return (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
}

static int compare(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: startup-bench RINGFENCE [ROUNDS] [run options...]\n");
    return 2;
  }
  int rounds = argc > 2 ? atoi(argv[2]) : 51;
  if (rounds < 5)
    rounds = 5;
  char *bare[] = {"/bin/true", NULL};
  char *rf[32] = {argv[1], "run", "--backend", "landlock"};
  int n = 4;
  for (int i = 3; i < argc && n < 28; i++)
    rf[n++] = argv[i];
  rf[n++] = "--";
  rf[n++] = "/bin/true";
  rf[n] = NULL;
  double *tb = calloc((size_t)rounds, sizeof(double)), *tr = calloc((size_t)rounds, sizeof(double));
  /* warm-up */
  run_once(bare);
  if (run_once(rf) < 0) {
    fprintf(stderr, "startup-bench: ringfence run failed; run it by hand to see why\n");
    return 1;
  }
  for (int i = 0; i < rounds; i++) {
    tb[i] = run_once(bare);
    tr[i] = run_once(rf);
  }
  qsort(tb, (size_t)rounds, sizeof(double), compare);
  qsort(tr, (size_t)rounds, sizeof(double), compare);
  double mb = tb[rounds / 2], mr = tr[rounds / 2];
  printf("rounds %d (interleaved)\n", rounds);
  printf("bare /bin/true                       median %8.0f us  (q1 %.0f, q3 %.0f)\n", mb,
         tb[rounds / 4], tb[3 * rounds / 4]);
  printf("ringfence run --backend landlock     median %8.0f us  (q1 %.0f, q3 %.0f)\n", mr,
         tr[rounds / 4], tr[3 * rounds / 4]);
  printf("ratio %.2f\n", mr / mb);
  return 0;
}
