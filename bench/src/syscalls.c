/* syscalls.c: the syscall-overhead workload: N stat() calls and N open()+close()
 * pairs on a file in the current directory (N = 1,000,000 by default).
 * Prints the seconds the loop took (CLOCK_MONOTONIC) as its last line, so that
 * the harness can compare the loop alone, without sandbox start-up. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  const char *path = "syscalls-target";
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    perror(path);
    return 1;
  }
  close(fd);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++) {
    struct stat st;
    if (stat(path, &st) != 0) {
      perror("stat");
      return 1;
    }
    int f = open(path, O_RDONLY | O_CLOEXEC);
    if (f < 0) {
      perror("open");
      return 1;
    }
    close(f);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  unlink(path);
  printf("%.6f\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  return 0;
}
