/* proxy-bridge.c: the bridge inside a sandbox with a network namespace of its own (--network proxy): listens on the sandbox's loopback and hands each connection to ringfence's proxy outside, and the route check before the command starts. */
#include "proxy-bridge.h"
#include "proxy-check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BACKLOG 256

/* A listener on |family|'s loopback at |port|, or -errno. */
static int listen_loopback(int family, int port) {
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return -errno;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (family == AF_INET6)
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  struct sockaddr_storage ss;
  socklen_t len = rf_loopback_address(family, port, &ss);
  if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, BACKLOG) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  return fd;
}

/* Hands |conn| to the proxy: 0, or -errno when the proxy is gone. */
static int hand_over(int accept_fd, int conn) {
  char byte = 'c';
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  memset(&control, 0, sizeof(control));
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                       .msg_controllen = sizeof(control.buf)};
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &conn, sizeof(int));
  for (;;) {
    ssize_t n = sendmsg(accept_fd, &msg, MSG_NOSIGNAL);
    if (n == 1)
      return 0;
    if (n < 0 && errno == EINTR)
      continue;
    return n < 0 ? -errno : -EIO;
  }
}

#if defined(__x86_64__)
#define BRIDGE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define BRIDGE_ARCH AUDIT_ARCH_AARCH64
#endif

/* The bridge's own filter, before it takes its first connection: accept, hand over, close,
 * wait, exit; any other call kills it (then the route is gone, which fails closed).  It never
 * reads what a client sends, and the command cannot borrow it (not dumpable). */
static int confine_bridge(void) {
#ifdef BRIDGE_ARCH
#define ALLOW(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
                  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BRIDGE_ARCH, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      ALLOW(SYS_accept4),
      ALLOW(SYS_sendmsg),
      ALLOW(SYS_close),
      ALLOW(SYS_ppoll),
#ifdef SYS_poll
      ALLOW(SYS_poll),
#endif
      ALLOW(SYS_exit_group),
      ALLOW(SYS_exit),
      ALLOW(SYS_rt_sigreturn),
      ALLOW(SYS_restart_syscall),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
  };
#undef ALLOW
  struct sock_fprog prog = {.len = (unsigned short)(sizeof(filter) / sizeof(filter[0])),
                            .filter = filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return -errno;
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0 ? 0 : -errno;
#else
  return 0; /* another architecture: the sandbox's own confinement only */
#endif
}

/* The bridge's life: accept, hand over, close; until the proxy's end closes. */
static __attribute__((noreturn)) void bridge_loop(int accept_fd, const int *listeners, int n) {
  struct pollfd fds[3];
  for (int i = 0; i < n; i++)
    fds[i] = (struct pollfd){.fd = listeners[i], .events = POLLIN};
  fds[n] = (struct pollfd){.fd = accept_fd, .events = 0}; /* POLLHUP: the proxy is gone */
  for (;;) {
    int rc = poll(fds, (nfds_t)n + 1, -1);
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc < 0 || fds[n].revents)
      _exit(0);
    for (int i = 0; i < n; i++) {
      if (!(fds[i].revents & POLLIN))
        continue;
      for (;;) {
        int conn = accept4(listeners[i], NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0)
          break; /* EAGAIN: all taken; a client that left meanwhile: next one */
        int sent = hand_over(accept_fd, conn);
        close(conn);
        if (sent < 0)
          _exit(0);
      }
    }
  }
}

int rf_bridge_start(int accept_fd, int port, pid_t *pid, char *err, size_t err_len) {
  int listeners[2];
  int n = 0;
  int rc = listen_loopback(AF_INET, port);
  if (rc < 0) {
    snprintf(err, err_len, "cannot listen on 127.0.0.1:%d inside the sandbox: %s", port,
             strerror(-rc));
    close(accept_fd);
    return rc;
  }
  listeners[n++] = rc;
  /* IPv6 loopback is there unless the kernel has IPv6 off: then 127.0.0.1 alone. */
  rc = listen_loopback(AF_INET6, port);
  if (rc >= 0)
    listeners[n++] = rc;
  else if (rc != -EAFNOSUPPORT && rc != -EADDRNOTAVAIL) {
    snprintf(err, err_len, "cannot listen on [::1]:%d inside the sandbox: %s", port,
             strerror(-rc));
    close(listeners[0]);
    close(accept_fd);
    return rc;
  }
  pid_t child = fork();
  if (child < 0) {
    int e = errno;
    snprintf(err, err_len, "cannot start the bridge: fork: %s", strerror(e));
    for (int i = 0; i < n; i++)
      close(listeners[i]);
    close(accept_fd);
    return -e;
  }
  if (child == 0) {
    /* Not the command's to borrow (ptrace, /proc/PID/mem), nothing else held. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_IGN);
    int keep[3] = {listeners[0], n > 1 ? listeners[1] : listeners[0], accept_fd};
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd <= 2 && null_fd >= 0; fd++)
      if (fd != null_fd)
        dup2(null_fd, fd);
    /* Everything but the listeners and the accept socket is closed. */
    for (int fd = 3; fd < 1024; fd++)
      if (fd != keep[0] && fd != keep[1] && fd != keep[2])
        close(fd);
    syscall(SYS_close_range, 1024, ~0u, 0);
    if (confine_bridge() < 0)
      _exit(125);
    bridge_loop(accept_fd, listeners, n);
  }
  for (int i = 0; i < n; i++)
    close(listeners[i]);
  close(accept_fd);
  *pid = child;
  return 0;
}

int rf_bridge_check(int port, int timeout_ms, int abort_fd, char *err, size_t err_len) {
  long deadline = rf_proxy_check_deadline(timeout_ms);
  int rc = rf_proxy_check(AF_INET, port, deadline, abort_fd, err, err_len);
  if (rc < 0)
    return rc;
  rc = rf_proxy_check(AF_INET6, port, deadline, abort_fd, err, err_len);
  return rc == -EAFNOSUPPORT ? 0 : rc;
}
