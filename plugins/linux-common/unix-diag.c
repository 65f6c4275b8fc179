/* unix-diag.c: asks sock_diag which unix socket is bound to a file or an abstract name (both Linux supervisors). */
#include "unix-diag.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>

/* One dump at a time: the supervisors' workers share one sock_diag socket
 * (copies of one descriptor), and two dumps at once on it interleave, so a
 * worker read another's answer and refused a socket bound inside (EACCES). */
static pthread_mutex_t dump_lock = PTHREAD_MUTEX_INITIALIZER;

static int lookup_locked(int diag_fd, uint32_t states, const rf_diag_query *q, rf_diag_match *m);

int rf_unix_diag_lookup(int diag_fd, uint32_t states, const rf_diag_query *q, rf_diag_match *m) {
  pthread_mutex_lock(&dump_lock);
  int rc = lookup_locked(diag_fd, states, q, m);
  pthread_mutex_unlock(&dump_lock);
  return rc;
}

static int lookup_locked(int diag_fd, uint32_t states, const rf_diag_query *q, rf_diag_match *m) {
  struct {
    struct nlmsghdr nlh;
    struct unix_diag_req req;
  } request = {
      .nlh = {.nlmsg_len = sizeof(request),
              .nlmsg_type = SOCK_DIAG_BY_FAMILY,
              .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
      .req = {.sdiag_family = AF_UNIX,
              .udiag_states = states,
              .udiag_show = q->by_name ? UDIAG_SHOW_NAME : UDIAG_SHOW_VFS},
  };
  memset(m, 0, sizeof(*m));
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(diag_fd, &request, sizeof(request), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
    return -errno;
  static __thread _Alignas(struct nlmsghdr) char buffer[32768];
  for (;;) {
    ssize_t n = recv(diag_fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    if (n == 0)
      return 0;
    int rc = rf_decode_unix_diag(buffer, (size_t)n, q, m);
    if (rc != 0)
      return rc < 0 ? rc : 0;
  }
}
