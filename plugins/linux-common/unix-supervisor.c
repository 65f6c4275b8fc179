/* unix-supervisor.c: the seccomp user-notification supervisor for connect() (design in unix-supervisor.h). */
#include "unix-supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/openat2.h>
#include <linux/rtnetlink.h>
#include <linux/seccomp.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

struct rf_unix_supervisor {
  pthread_t thread;
  int channel_fd;
  int stop_fd; /* eventfd: wakes the thread to stop */
  int listener_fd;
  int diag_fd;
};

/* ---- the filter --------------------------------------------------------- */

int rf_unix_supervisor_filter_memfd(char *err, size_t err_len) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) {
    snprintf(err, err_len, "seccomp: cannot allocate the notify filter");
    return -ENOMEM;
  }
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc == 0)
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(connect), 0);
  int fd = -1;
  if (rc == 0) {
    fd = memfd_create("ringfence-notify", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    rc = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
  }
  seccomp_release(ctx);
  if (rc == 0 && (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0 ||
                  lseek(fd, 0, SEEK_SET) != 0))
    rc = -errno;
  if (rc < 0) {
    snprintf(err, err_len, "seccomp: cannot build the connect notify filter: %s", strerror(-rc));
    if (fd >= 0)
      close(fd);
    return rc;
  }
  return fd;
}

/* ---- sock_diag: is a socket bound to (dev, ino) in this namespace? ------- */

int rf_unix_socket_bound_in_netns(int diag_fd, unsigned long long dev, unsigned long long ino) {
  struct {
    struct nlmsghdr nlh;
    struct unix_diag_req req;
  } request = {
      .nlh = {.nlmsg_len = sizeof(request),
              .nlmsg_type = SOCK_DIAG_BY_FAMILY,
              .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
      .req = {.sdiag_family = AF_UNIX, .udiag_states = (uint32_t)-1, .udiag_show = UDIAG_SHOW_VFS},
  };
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(diag_fd, &request, sizeof(request), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
    return -errno;
  /* sock_diag reports the superblock's kernel-internal dev_t (major << 20 | minor). */
  unsigned int want_major = major(dev), want_minor = minor(dev);
  uint32_t want_ino = (uint32_t)ino; /* the kernel reports 32 bits of the inode */
  int found = 0;
  static __thread char buffer[32768];
  for (;;) {
    ssize_t n = recv(diag_fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    if (n == 0)
      return found;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buffer; NLMSG_OK(h, (size_t)n);
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE)
        return found;
      if (h->nlmsg_type == NLMSG_ERROR)
        return -EIO;
      struct unix_diag_msg *msg = NLMSG_DATA(h);
      int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*msg));
      for (struct rtattr *a = (struct rtattr *)(msg + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type != UNIX_DIAG_VFS || RTA_PAYLOAD(a) < sizeof(struct unix_diag_vfs))
          continue;
        struct unix_diag_vfs *vfs = RTA_DATA(a);
        unsigned int got_major = vfs->udiag_vfs_dev >> 20, got_minor = vfs->udiag_vfs_dev & 0xfffff;
        if (vfs->udiag_vfs_ino == want_ino && got_major == want_major && got_minor == want_minor)
          found = 1;
      }
    }
  }
}

/* ---- one notification ----------------------------------------------------- */

static int notif_valid(int listener, uint64_t id) {
  return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

static int read_target_memory(pid_t pid, uint64_t addr, void *out, size_t len) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  ssize_t n = pread(fd, out, len, (off_t)addr);
  int saved = errno;
  close(fd);
  if (n < 0)
    return -saved;
  return n == (ssize_t)len ? 0 : -EFAULT;
}

/* Opens the file a pathname unix address names, as the caller would find it:
 * absolute paths below the caller's root, relative ones from its cwd. */
static int open_in_target(pid_t pid, const char *path) {
  char link[64];
  snprintf(link, sizeof(link), "/proc/%d/%s", (int)pid, path[0] == '/' ? "root" : "cwd");
  int base = open(link, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (base < 0)
    return -errno;
  struct open_how how = {
      .flags = O_PATH | O_CLOEXEC,
      .resolve = path[0] == '/' ? RESOLVE_IN_ROOT : 0,
  };
  int fd = (int)syscall(SYS_openat2, base, path, &how, sizeof(how));
  int saved = errno;
  close(base);
  return fd < 0 ? -saved : fd;
}

static int do_connect(int sock, const struct sockaddr *addr, socklen_t len) {
  int rc;
  do
    rc = connect(sock, addr, len);
  while (rc < 0 && errno == EINTR);
  return rc < 0 ? -errno : 0;
}

/* Returns the value connect() returns to the caller: 0 or -errno. */
static int handle_connect(rf_unix_supervisor *sv, const struct seccomp_notif *req) {
  int sockfd_in_target = (int)req->data.args[0];
  uint64_t addr_ptr = req->data.args[1];
  socklen_t addr_len = (socklen_t)req->data.args[2];
  if (addr_len > sizeof(struct sockaddr_storage) || addr_len < sizeof(sa_family_t))
    return -EINVAL;

  int pidfd = (int)syscall(SYS_pidfd_open, req->pid, 0);
  if (pidfd < 0)
    return -ESRCH;
  if (!notif_valid(sv->listener_fd, req->id)) {
    close(pidfd);
    return -ESRCH;
  }
  int sock = (int)syscall(SYS_pidfd_getfd, pidfd, sockfd_in_target, 0);
  int saved = errno;
  close(pidfd);
  if (sock < 0)
    return saved == EBADF ? -EBADF : -EPERM;

  struct sockaddr_storage addr;
  memset(&addr, 0, sizeof(addr));
  int rc = read_target_memory(req->pid, addr_ptr, &addr, addr_len);
  if (rc == 0 && !notif_valid(sv->listener_fd, req->id))
    rc = -ESRCH;
  if (rc < 0)
    goto out;

  int domain = 0;
  socklen_t optlen = sizeof(domain);
  if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &optlen) < 0) {
    rc = -ENOTSOCK;
    goto out;
  }
  struct sockaddr_un *un = (struct sockaddr_un *)&addr;
  size_t path_len = addr_len - offsetof(struct sockaddr_un, sun_path);
  if (domain != AF_UNIX || addr.ss_family != AF_UNIX || path_len == 0 || un->sun_path[0] == '\0') {
    /* Not a pathname unix address: the kernel resolves it in the socket's
     * own network namespace, the sandbox's private one. */
    rc = do_connect(sock, (struct sockaddr *)&addr, addr_len);
    goto out;
  }

  char path[sizeof(un->sun_path) + 1];
  memcpy(path, un->sun_path, path_len);
  path[path_len] = '\0';
  int target = open_in_target(req->pid, path);
  if (target < 0) {
    rc = target == -ELOOP ? -ELOOP : target == -ENOENT ? -ENOENT : target;
    goto out;
  }
  struct stat st;
  if (fstat(target, &st) < 0 || !S_ISSOCK(st.st_mode)) {
    close(target);
    rc = -ECONNREFUSED;
    goto out;
  }
  int inside = rf_unix_socket_bound_in_netns(sv->diag_fd, st.st_dev, st.st_ino);
  if (inside != 1) {
    close(target);
    rc = -EACCES; /* a host socket: denied by the sandbox */
    goto out;
  }
  struct sockaddr_un via = {.sun_family = AF_UNIX};
  snprintf(via.sun_path, sizeof(via.sun_path), "/proc/self/fd/%d", target);
  rc = do_connect(sock, (struct sockaddr *)&via, sizeof(via));
  close(target);
out:
  close(sock);
  return rc;
}

/* ---- the thread ----------------------------------------------------------- */

static int receive_fds(int channel, int *listener, int *diag) {
  char data;
  char control[CMSG_SPACE(2 * sizeof(int))];
  struct iovec iov = {.iov_base = &data, .iov_len = 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                       .msg_controllen = sizeof(control)};
  ssize_t n;
  do
    n = recvmsg(channel, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return -1;
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(2 * sizeof(int)))
    return -1;
  int fds[2];
  memcpy(fds, CMSG_DATA(cmsg), sizeof(fds));
  *listener = fds[0];
  *diag = fds[1];
  return 0;
}

static void *supervise(void *arg) {
  rf_unix_supervisor *sv = arg;
  struct pollfd first[2] = {{.fd = sv->channel_fd, .events = POLLIN}, {.fd = sv->stop_fd, .events = POLLIN}};
  while (poll(first, 2, -1) < 0 && errno == EINTR)
    ;
  if (first[1].revents || receive_fds(sv->channel_fd, &sv->listener_fd, &sv->diag_fd) < 0)
    return NULL;
  struct seccomp_notif_sizes sizes;
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    return NULL;
  struct seccomp_notif *req = calloc(1, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
  struct seccomp_notif_resp *resp =
      calloc(1, sizes.seccomp_notif_resp > sizeof(*resp) ? sizes.seccomp_notif_resp : sizeof(*resp));
  if (!req || !resp)
    goto out;
  for (;;) {
    struct pollfd fds[2] = {{.fd = sv->listener_fd, .events = POLLIN}, {.fd = sv->stop_fd, .events = POLLIN}};
    int rc = poll(fds, 2, -1);
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc < 0 || fds[1].revents || (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
      break;
    memset(req, 0, sizes.seccomp_notif);
    if (ioctl(sv->listener_fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
      if (errno == EINTR || errno == ENOENT)
        continue;
      break;
    }
    int result = -ENOSYS;
    if (req->data.nr == __NR_connect)
      result = handle_connect(sv, req);
    memset(resp, 0, sizes.seccomp_notif_resp);
    resp->id = req->id;
    resp->error = result < 0 ? result : 0;
    resp->val = 0;
    /* ENOENT: the caller was interrupted meanwhile; nothing to answer. */
    ioctl(sv->listener_fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
  }
out:
  free(req);
  free(resp);
  return NULL;
}

int rf_unix_supervisor_start(int channel_fd, rf_unix_supervisor **out, char *err, size_t err_len) {
  rf_unix_supervisor *sv = calloc(1, sizeof(*sv));
  if (!sv) {
    close(channel_fd);
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  sv->channel_fd = channel_fd;
  sv->listener_fd = sv->diag_fd = -1;
  sv->stop_fd = eventfd(0, EFD_CLOEXEC);
  if (sv->stop_fd < 0) {
    int e = errno;
    close(channel_fd);
    free(sv);
    snprintf(err, err_len, "eventfd: %s", strerror(e));
    return -e;
  }
  int rc = pthread_create(&sv->thread, NULL, supervise, sv);
  if (rc != 0) {
    close(channel_fd);
    close(sv->stop_fd);
    free(sv);
    snprintf(err, err_len, "cannot start the socket supervisor thread: %s", strerror(rc));
    return -rc;
  }
  *out = sv;
  return 0;
}

void rf_unix_supervisor_stop(rf_unix_supervisor *sv) {
  if (!sv)
    return;
  uint64_t one = 1;
  if (write(sv->stop_fd, &one, sizeof(one)) < 0) {
    /* the thread may already be gone */
  }
  pthread_join(sv->thread, NULL);
  close(sv->stop_fd);
  close(sv->channel_fd);
  if (sv->listener_fd >= 0)
    close(sv->listener_fd);
  if (sv->diag_fd >= 0)
    close(sv->diag_fd);
  free(sv);
}
