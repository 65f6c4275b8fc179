/* handoff.c: receiving and checking the bridge's connections (see handoff.h). */
#include "handoff.h"

#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define NP_HANDOFF_MAX_FDS 16 /* room to see (and close) extra descriptors */

int np_handoff_check(int fd, char *why, size_t whylen) {
  struct stat st;
  int domain = -1, type = -1, protocol = -1, listening = -1;
  socklen_t l = sizeof(int);
  if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
    snprintf(why, whylen, "not a socket");
    return -EINVAL;
  }
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l) < 0 || (domain != AF_INET && domain != AF_INET6)) {
    snprintf(why, whylen, "not an IPv4 or IPv6 socket (domain %d)", domain);
    return -EINVAL;
  }
  l = sizeof(int);
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0 || type != SOCK_STREAM) {
    snprintf(why, whylen, "not a stream socket (type %d)", type);
    return -EINVAL;
  }
  l = sizeof(int);
  if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &l) < 0 || protocol != IPPROTO_TCP) {
    snprintf(why, whylen, "not TCP (protocol %d)", protocol);
    return -EINVAL;
  }
  l = sizeof(int);
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &l) < 0 || listening != 0) {
    snprintf(why, whylen, "a listening socket");
    return -EINVAL;
  }
  struct sockaddr_storage peer;
  socklen_t pl = sizeof(peer);
  if (getpeername(fd, (struct sockaddr *)&peer, &pl) < 0) {
    snprintf(why, whylen, "not connected");
    return -EINVAL;
  }
  return 0;
}

int np_handoff_receive(int sock, int *fd_out, char *why, size_t whylen) {
  char byte;
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  union {
    char buf[CMSG_SPACE(NP_HANDOFF_MAX_FDS * sizeof(int))];
    struct cmsghdr align;
  } control;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                       .msg_controllen = sizeof(control.buf)};
  ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  if (n < 0)
    return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? -EAGAIN : -errno;
  if (n == 0 && msg.msg_controllen == 0)
    return -EPIPE;
  int fds[NP_HANDOFF_MAX_FDS * 2];
  size_t nfds = 0;
  bool other = false;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(0)) {
      size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < k && nfds < sizeof(fds) / sizeof(fds[0]); i++)
        memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
    } else {
      other = true;
    }
  }
  int rc = 0;
  if (msg.msg_flags & MSG_CTRUNC) {
    snprintf(why, whylen, "too many descriptors in one message (truncated)");
  } else if (other) {
    snprintf(why, whylen, "a control message other than SCM_RIGHTS");
  } else if (nfds != 1) {
    snprintf(why, whylen, "%zu descriptors in one message (one expected)", nfds);
  } else if (np_handoff_check(fds[0], why, whylen) == 0) {
    *fd_out = fds[0];
    return 1;
  }
  for (size_t i = 0; i < nfds; i++)
    close(fds[i]);
  return rc;
}
