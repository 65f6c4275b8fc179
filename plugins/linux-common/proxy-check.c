/* proxy-check.c: the route check of --network proxy (design in proxy-check.h). */
#include "proxy-check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

socklen_t rf_loopback_address(int family, int port, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof(*ss));
  if (family == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    a->sin6_addr = in6addr_loopback;
    return sizeof(*a);
  }
  struct sockaddr_in *a = (struct sockaddr_in *)ss;
  a->sin_family = AF_INET;
  a->sin_port = htons((uint16_t)port);
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sizeof(*a);
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long rf_proxy_check_deadline(int timeout_ms) {
  return now_ms() + timeout_ms;
}

int rf_proxy_check(int family, int port, long deadline, int abort_fd, char *err,
                   size_t err_len) {
  const char *shown = family == AF_INET6 ? "[::1]" : "127.0.0.1";
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return family == AF_INET6 ? -EAFNOSUPPORT : -errno;
  struct sockaddr_storage ss;
  socklen_t len = rf_loopback_address(family, port, &ss);
  if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
    int e = errno;
    close(fd);
    if (family == AF_INET6 && (e == EADDRNOTAVAIL || e == ENETUNREACH || e == EAFNOSUPPORT))
      return -EAFNOSUPPORT;
    snprintf(err, err_len, "connecting to %s:%d: %s", shown, port, strerror(e));
    return -e;
  }
  unsigned char random[12];
  if (getrandom(random, sizeof(random), 0) != (ssize_t)sizeof(random))
    memset(random, 0x5a, sizeof(random));
  char token[2 * sizeof(random) + 1];
  for (size_t i = 0; i < sizeof(random); i++)
    snprintf(token + 2 * i, 3, "%02x", random[i]);
  char ping[96], expected[96], got[96];
  int ping_len = snprintf(ping, sizeof(ping), "RINGFENCE-PING %s\n", token);
  snprintf(expected, sizeof(expected), "RINGFENCE-PONG %s", token);
  if (send(fd, ping, (size_t)ping_len, MSG_NOSIGNAL) != ping_len) {
    int e = errno;
    close(fd);
    snprintf(err, err_len, "sending the health check through %s:%d: %s", shown, port,
             strerror(e));
    return -EIO;
  }
  size_t have = 0;
  while (have + 1 < sizeof(got)) {
    long left = deadline - now_ms();
    struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = abort_fd, .events = POLLIN}};
    int rc = left > 0 ? poll(p, 2, (int)left) : 0;
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc > 0 && p[1].revents) {
      close(fd);
      snprintf(err, err_len, "the run was stopped during the health check through %s:%d", shown,
               port);
      return -ECANCELED;
    }
    if (rc == 0) {
      close(fd);
      snprintf(err, err_len, "the proxy did not answer the health check through %s:%d in time",
               shown, port);
      return -ETIMEDOUT;
    }
    /* The proxy sends its one line and nothing more: what comes is read whole. */
    ssize_t n = recv(fd, got + have, sizeof(got) - 1 - have, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    have += (size_t)n;
    if (memchr(got, '\n', have))
      break;
  }
  got[have] = '\0';
  char *nl = strchr(got, '\n');
  if (nl)
    *nl = '\0';
  close(fd);
  if (strcmp(got, expected) != 0) {
    snprintf(err, err_len,
             "the health check through %s:%d got no answer from ringfence's proxy (the "
             "connection %s)",
             shown, port, have ? "answered something else" : "was closed");
    return -EPROTO;
  }
  return 0;
}
