/* tcpecho.c: loopback TCP echo between two processes (both wherever this runs).
 * The parent listens on 127.0.0.1 (an ephemeral port), forks a client that
 * connects and does N round trips of a 64-byte message (N = 20,000 by
 * default), each echoed back by the parent.  Prints the seconds from connect
 * to the last echo as its last line. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MSG 64

static int full(int fd, char *buf, int write_it) {
  size_t done = 0;
  while (done < MSG) {
    ssize_t n = write_it ? write(fd, buf + done, MSG - done) : read(fd, buf + done, MSG - done);
    if (n <= 0)
      return -1;
    done += (size_t)n;
  }
  return 0;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 20000;
  int one = 1;
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ls < 0) {
    perror("socket");
    return 1;
  }
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(addr);
  if (bind(ls, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(ls, 1) != 0 ||
      getsockname(ls, (struct sockaddr *)&addr, &len) != 0) {
    perror("bind/listen");
    return 1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 1;
  }
  if (pid == 0) {
    close(ls);
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
      perror("connect");
      _exit(1);
    }
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    char buf[MSG];
    memset(buf, 'x', sizeof(buf));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++)
      if (full(c, buf, 1) || full(c, buf, 0)) {
        perror("client");
        _exit(1);
      }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%.6f\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    fflush(stdout);
    _exit(0);
  }
  int s = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
  if (s < 0) {
    perror("accept");
    return 1;
  }
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  char buf[MSG];
  for (long i = 0; i < n; i++)
    if (full(s, buf, 0) || full(s, buf, 1))
      break;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
