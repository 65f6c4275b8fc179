/* rfbench-wait.c: the command used for the memory measurement.  It creates
 * ./rfbench-ready, then waits (up to 20 s) until ./rfbench-go exists, so that
 * the harness can read the peak RSS of every helper process while the
 * sandbox is fully set up, and tell this process (the command) apart by its
 * name. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  int fd = open("rfbench-ready", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    perror("rfbench-ready");
    return 1;
  }
  close(fd);
  struct timespec tick = {0, 5 * 1000 * 1000};
  for (int i = 0; i < 4000; i++) {
    if (access("rfbench-go", F_OK) == 0)
      return 0;
    nanosleep(&tick, NULL);
  }
  fprintf(stderr, "rfbench-wait: nobody said go\n");
  return 1;
}
