/* attack-supervisor.c: hostile input to ringfence's notification supervisors (issue 12): malformed
 * sendmsg, sendto, sendmmsg, connect and utimes arguments, each reported with the errno it got.
 *
 * The supervisors run outside the sandbox, often as root, and copy these arguments out of the
 * caller's memory: every length, count and offset below is one the kernel itself refuses.  The
 * runner checks the errno of each (the kernel's own), that ringfence survived and returned the
 * command's exit status, and that the host socket named as a destination received nothing.
 * Harmless without a sandbox: the kernel refuses every call the same way.
 */
#include "attack.h"

#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static union {
  struct cmsghdr align;
  unsigned char bytes[8192];
} ctl;

/* Descriptors 10.. as copies of stdin, so that a supervisor walking a
 * wrapped descriptor count finds every number valid (the base-line crash). */
static void fill_descriptor_table(void) {
  struct rlimit rl;
  int top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 8192 ? (int)rl.rlim_cur : 8192;
  for (int fd = 10; fd < top; fd++)
    if (dup2(0, fd) < 0)
      break;
}

static void close_filled(void) {
  struct rlimit rl;
  int top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 8192 ? (int)rl.rlim_cur : 8192;
  for (int fd = 10; fd < top; fd++)
    close(fd);
}

static void put_cmsg(size_t offset, int level, int type, size_t len) {
  struct cmsghdr h = {.cmsg_len = len, .cmsg_level = level, .cmsg_type = type};
  memcpy(ctl.bytes + offset, &h, sizeof(h));
}

static socklen_t host_addr(const char *path, struct sockaddr_un *sun) {
  memset(sun, 0, sizeof(*sun));
  sun->sun_family = AF_UNIX;
  snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", path);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sun->sun_path) + 1);
}

/* A 128-byte AF_UNIX address: sun_path of 126 bytes, no NUL, starting with |path|. */
static void long_unix_addr(const char *path, struct sockaddr_storage *longer) {
  memset(longer, 'A', sizeof(*longer));
  longer->ss_family = AF_UNIX;
  memcpy((char *)longer + offsetof(struct sockaddr_un, sun_path), path,
         strlen(path) < 100 ? strlen(path) : 100);
}

/* sendmsg of one byte on |fd| with |controllen| bytes of ctl, to |name| if given. */
static void send_ctl(const char *op, int fd, size_t controllen, const struct sockaddr_un *name,
                     socklen_t name_len) {
  char byte = 'x';
  struct iovec iov = {&byte, 1};
  struct msghdr m = {.msg_name = (void *)name, .msg_namelen = name ? name_len : 0,
                     .msg_iov = &iov, .msg_iovlen = 1,
                     .msg_control = controllen ? ctl.bytes : NULL, .msg_controllen = controllen};
  ssize_t r = sendmsg(fd, &m, 0);
  rf_result(op, r, "controllen %zu%s", controllen, name ? " to the host socket" : "");
}

/* hostile-send HOSTPATH: every hostile message below, on a datagram socketpair and (for the
 * first) aimed at the host socket HOSTPATH. */
static int op_hostile_send(char **a, int n) {
  (void)n;
  int sp[2], d = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp) < 0 || d < 0) {
    rf_err("hostile-send", errno, "datagram sockets");
    return 0;
  }
  struct sockaddr_un host;
  socklen_t host_len = host_addr(a[0], &host);
  fill_descriptor_table();

  /* cmsg_len 0: the count wraps (issue 12's stack overflow). */
  memset(&ctl, 0, sizeof(ctl));
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, 0);
  send_ctl("cmsg-len-zero", sp[0], 4096, NULL, 0);
  send_ctl("cmsg-len-zero-host", d, 4096, &host, host_len);
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, 8);
  send_ctl("cmsg-len-short", sp[0], 64, NULL, 0);
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, (size_t)-1);
  send_ctl("cmsg-len-huge", sp[0], 4096, NULL, 0);
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, 80);
  send_ctl("cmsg-len-past", sp[0], 64, NULL, 0);
  /* A valid first message, then one running past the end. */
  memset(&ctl, 0, sizeof(ctl));
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(sizeof(int)));
  put_cmsg(CMSG_SPACE(sizeof(int)), SOL_SOCKET, SCM_RIGHTS, 4000);
  send_ctl("cmsg-second-past", sp[0], CMSG_SPACE(sizeof(int)) + CMSG_LEN(8), NULL, 0);
  /* 254 descriptors: one more than the kernel's SCM_MAX_FD. */
  memset(&ctl, 0, sizeof(ctl));
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(254 * sizeof(int)));
  send_ctl("cmsg-254-fds", sp[0], CMSG_SPACE(254 * sizeof(int)), NULL, 0);
  /* Credentials of pid 1, uid 0: judged against the sender, which must be the caller. */
  memset(&ctl, 0, sizeof(ctl));
  put_cmsg(0, SOL_SOCKET, SCM_CREDENTIALS, CMSG_LEN(sizeof(struct ucred)));
  struct ucred forged = {.pid = 1, .uid = 0, .gid = 0};
  memcpy(CMSG_DATA((struct cmsghdr *)ctl.bytes), &forged, sizeof(forged));
  send_ctl("cmsg-credentials", sp[0], CMSG_SPACE(sizeof(struct ucred)), NULL, 0);
  /* A control length far beyond any buffer. */
  memset(&ctl, 0, sizeof(ctl));
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(sizeof(int)));
  send_ctl("controllen-huge", sp[0], (size_t)1 << 30, NULL, 0);

  char byte = 'x';
  struct iovec iovs[1100];
  for (size_t i = 0; i < sizeof(iovs) / sizeof(iovs[0]); i++)
    iovs[i] = (struct iovec){&byte, 1};
  struct msghdr m = {.msg_iov = iovs, .msg_iovlen = 1025};
  rf_result("iovlen-1025", sendmsg(sp[0], &m, 0), "1025 iovecs");
  iovs[1].iov_len = SIZE_MAX;
  m.msg_iovlen = 2;
  rf_result("iov-len-wrap", sendmsg(sp[0], &m, 0), "iov_len 1 + SIZE_MAX");
  iovs[1].iov_len = 1;
  m.msg_name = &host, m.msg_namelen = 0x80000000u;
  rf_result("namelen-negative", sendmsg(d, &m, 0), "msg_namelen 0x80000000");

  /* A 128-byte AF_UNIX address: sun_path of 126 bytes, no NUL, starting with the host path. */
  struct sockaddr_storage longer;
  long_unix_addr(a[0], &longer);
  rf_result("sendto-unix-128", sendto(d, "x", 1, 0, (struct sockaddr *)&longer, sizeof(longer)),
            "a 128-byte unix address");

  /* sendmmsg: a huge vlen, the first message with cmsg_len 0. */
  memset(&ctl, 0, sizeof(ctl));
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, 0);
  struct iovec one = {&byte, 1};
  struct mmsghdr mm = {.msg_hdr = {.msg_iov = &one, .msg_iovlen = 1, .msg_control = ctl.bytes,
                                   .msg_controllen = 4096},
                       .msg_len = 12345};
  rf_result("sendmmsg-cmsg-zero", syscall(SYS_sendmmsg, sp[0], &mm, 0xffffffffu, 0),
            "vlen 0xffffffff, msg_len after: %u", mm.msg_len);
  close_filled();

  /* Must keep working: a descriptor passed in an ordinary SCM_RIGHTS message. */
  char drain[16];
  while (recv(sp[1], drain, sizeof(drain), MSG_DONTWAIT) >= 0)
    ;
  int p[2];
  if (pipe(p) == 0) {
    memset(&ctl, 0, sizeof(ctl));
    put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(sizeof(int)));
    memcpy(CMSG_DATA((struct cmsghdr *)ctl.bytes), &p[1], sizeof(int));
    struct msghdr ok = {.msg_iov = &one, .msg_iovlen = 1, .msg_control = ctl.bytes,
                        .msg_controllen = CMSG_SPACE(sizeof(int))};
    ssize_t sent = sendmsg(sp[0], &ok, 0);
    char got = 0;
    union {
      struct cmsghdr align;
      unsigned char bytes[CMSG_SPACE(sizeof(int))];
    } rctl;
    struct iovec riov = {&got, 1};
    struct msghdr r = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = rctl.bytes,
                       .msg_controllen = sizeof(rctl.bytes)};
    int passed = -1;
    if (sent == 1 && recvmsg(sp[1], &r, MSG_DONTWAIT) == 1 && CMSG_FIRSTHDR(&r))
      memcpy(&passed, CMSG_DATA(CMSG_FIRSTHDR(&r)), sizeof(int));
    char back = 0;
    if (passed >= 0 && write(passed, "k", 1) == 1 && read(p[0], &back, 1) == 1 && back == 'k')
      rf_ok("send-rights", "a pipe end passed over a socketpair carries data");
    else
      rf_err("send-rights", sent < 0 ? errno : EIO, "a passed pipe end (sent %zd)", sent);
    if (passed >= 0)
      close(passed);
    close(p[0]);
    close(p[1]);
  }
  close(sp[0]);
  close(sp[1]);
  close(d);
  return 0;
}

/* hostile-connect HOSTPATH: connect and bind with a 128-byte unix address (longer than
 * sockaddr_un, within sockaddr_storage) that starts with the host socket's path. */
static int op_hostile_connect(char **a, int n) {
  (void)n;
  struct sockaddr_storage longer;
  long_unix_addr(a[0], &longer);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  rf_result("connect-unix-128", connect(s, (struct sockaddr *)&longer, sizeof(longer)),
            "a 128-byte unix address");
  close(s);
  s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  memcpy((char *)&longer + offsetof(struct sockaddr_un, sun_path), "inside-", 7);
  rf_result("bind-unix-128", bind(s, (struct sockaddr *)&longer, sizeof(longer)),
            "a 128-byte unix address");
  close(s);
  return 0;
}

/* utimes-usec-wrap FILE: the utimes system call (not glibc's utimes, which converts to
 * utimensat itself) with tv_usec = 2^61 + 1, which wraps to 1000 ns when scaled by 1000 without
 * a range check; the kernel says EINVAL and the file keeps its times. */
static int op_utimes_usec_wrap(char **a, int n) {
  (void)n;
  struct timeval tv[2] = {{1, (long)(((uint64_t)1 << 61) + 1)}, {1, (long)(((uint64_t)1 << 61) + 1)}};
  rf_result("utimes-usec-wrap", syscall(SYS_utimes, a[0], tv), "%s", a[0]);
  return 0;
}

const rf_op rf_supervisor_ops[] = {
    {"hostile-send", 1, op_hostile_send, "HOSTPATH  malformed sendmsg/sendto/sendmmsg"},
    {"hostile-connect", 1, op_hostile_connect, "HOSTPATH  connect/bind with a 128-byte unix address"},
    {"utimes-usec-wrap", 1, op_utimes_usec_wrap, "FILE  utimes with tv_usec out of range"},
    {NULL, 0, NULL, NULL},
};
