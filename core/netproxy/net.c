/* net.c: socket I/O with deadlines for the client threads (see net.h). */
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int64_t np_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_for(int fd, short events, int64_t deadline_ms) {
  for (;;) {
    int64_t left = deadline_ms - np_now_ms();
    if (left <= 0)
      return -ETIMEDOUT;
    struct pollfd p = {.fd = fd, .events = events};
    int rc = poll(&p, 1, left > 60000 ? 60000 : (int)left);
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc < 0)
      return -errno;
    if (rc > 0)
      return 0;
  }
}

int np_set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
    return -errno;
  return 0;
}

ssize_t np_read_until(int fd, void *buf, size_t len, int64_t deadline_ms) {
  for (;;) {
    ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);
    if (n >= 0)
      return n;
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return -errno;
    int rc = wait_for(fd, POLLIN, deadline_ms);
    if (rc < 0)
      return rc;
  }
}

int np_write_all(int fd, const void *buf, size_t len, int64_t deadline_ms) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      p += n;
      len -= (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
      return -errno;
    int rc = wait_for(fd, POLLOUT, deadline_ms);
    if (rc < 0)
      return rc;
  }
  return 0;
}

int np_connect(const np_addr *addr, uint16_t port, int64_t deadline_ms) {
  struct sockaddr_storage ss;
  socklen_t sl = np_addr_to_sockaddr(addr, port, &ss);
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
  if (fd < 0)
    return -errno;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
    int e = errno;
    close(fd);
    return -e;
  }
  int rc = wait_for(fd, POLLOUT, deadline_ms);
  if (rc == 0) {
    int soerr = 0;
    socklen_t l = sizeof(soerr);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) < 0)
      rc = -errno;
    else if (soerr)
      rc = -soerr;
  }
  if (rc < 0) {
    close(fd);
    return rc;
  }
  return fd;
}
