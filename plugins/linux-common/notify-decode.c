/* notify-decode.c: decoders of what a sandboxed caller hands the supervisors (rules in notify-decode.h). */
#include "notify-decode.h"

#include <errno.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif

/* ---- socket addresses ----------------------------------------------------- */

int rf_decode_sockaddr(int domain, const void *bytes, size_t len, rf_sockaddr_view *out) {
  memset(out, 0, sizeof(*out));
  if (len > sizeof(struct sockaddr_storage) || len < sizeof(sa_family_t))
    return -EINVAL;
  sa_family_t family;
  memcpy(&family, bytes, sizeof(family));
  out->family = family;
  out->kind = RF_ADDR_PASS;
  if (domain != AF_UNIX || family != AF_UNIX)
    return 0; /* inet: the kernel applies its own rules, in the socket's namespace */
  if (len > sizeof(struct sockaddr_un))
    return -EINVAL; /* the kernel's unix_validate_addr */
  const char *sun_path = (const char *)bytes + offsetof(struct sockaddr_un, sun_path);
  size_t path_len = len - offsetof(struct sockaddr_un, sun_path); /* <= 108 */
  if (path_len == 0)
    return 0; /* unnamed: connect fails, bind autobinds, both in the kernel */
  if (sun_path[0] == '\0') {
    out->kind = RF_ADDR_UNIX_ABSTRACT;
    out->name_offset = offsetof(struct sockaddr_un, sun_path);
    out->name_len = path_len;
    return 0;
  }
  /* As the kernel reads it: up to the first NUL, or the whole of sun_path. */
  size_t n = strnlen(sun_path, path_len);
  memcpy(out->path, sun_path, n);
  out->path[n] = '\0';
  out->kind = RF_ADDR_UNIX_PATH;
  return 0;
}

/* ---- sendmsg ---------------------------------------------------------------- */

int rf_decode_msghdr(const void *bytes, size_t len, rf_msg_view *out) {
  memset(out, 0, sizeof(*out));
  if (len != sizeof(struct msghdr))
    return -EINVAL;
  struct msghdr m;
  memcpy(&m, bytes, sizeof(m));
  out->name = (uint64_t)(uintptr_t)m.msg_name;
  out->iov = (uint64_t)(uintptr_t)m.msg_iov;
  out->control = (uint64_t)(uintptr_t)m.msg_control;
  /* The kernel reads msg_namelen as an int: a negative one is huge here. */
  if (m.msg_name && m.msg_namelen > sizeof(struct sockaddr_storage))
    return -EINVAL;
  out->name_len = m.msg_name ? m.msg_namelen : 0;
  if (m.msg_iovlen > RF_UIO_MAXIOV)
    return -EMSGSIZE;
  out->iov_count = m.msg_iovlen;
  if (m.msg_controllen > RF_CONTROL_MAX)
    return -ENOBUFS; /* the kernel's answer for control data over its own limit */
  if (m.msg_controllen && !m.msg_control)
    return -EFAULT;
  out->control_len = m.msg_controllen;
  if (out->iov_count && !out->iov)
    return -EFAULT;
  return 0;
}

int rf_decode_iovecs(const struct iovec *iov, size_t n, size_t limit, size_t *take,
                     rf_iov_plan *out) {
  out->wanted = out->taken = 0;
  for (size_t i = 0; i < n; i++) {
    size_t len = iov[i].iov_len;
    if (len > (size_t)SSIZE_MAX)
      return -EINVAL;
    /* Saturating: the kernel clamps the total too. */
    out->wanted = len > (size_t)SSIZE_MAX - out->wanted ? (size_t)SSIZE_MAX : out->wanted + len;
    size_t room = limit - out->taken; /* taken <= limit always */
    size_t t = len < room ? len : room;
    if (take)
      take[i] = t;
    out->taken += t;
  }
  return 0;
}

int rf_control_allowed(int level, int type) {
  switch (level) {
  case SOL_SOCKET:
    /* Descriptors are copied from the caller; SCM_CREDENTIALS, SO_MARK and
     * SO_PRIORITY would be judged against ringfence's credentials. */
    return type == SCM_RIGHTS;
  case IPPROTO_IP:
    return type == IP_PKTINFO || type == IP_TOS || type == IP_TTL;
  case IPPROTO_IPV6:
    return type == IPV6_PKTINFO || type == IPV6_TCLASS || type == IPV6_HOPLIMIT ||
           type == IPV6_DONTFRAG;
  case SOL_UDP:
    return type == UDP_SEGMENT;
  default:
    return 0;
  }
}

int rf_decode_control(const void *control, size_t len, rf_control_view *out) {
  out->n_fds = 0;
  if (len > RF_CONTROL_MAX)
    return -ENOBUFS;
  if ((uintptr_t)control % _Alignof(struct cmsghdr) != 0)
    return -EINVAL; /* the caller's local copy must be aligned */
  struct msghdr m = {.msg_control = (void *)control, .msg_controllen = len};
  size_t end = 0; /* where the walk's last accepted message ends (aligned) */
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    size_t offset = (size_t)((const char *)c - (const char *)control);
    size_t room = len - offset;
    /* The kernel's CMSG_OK: checked before CMSG_NXTHDR adds cmsg_len to a pointer. */
    if (c->cmsg_len < CMSG_LEN(0) || c->cmsg_len > room)
      return -EINVAL;
    end = offset + CMSG_ALIGN(c->cmsg_len);
    if (!rf_control_allowed(c->cmsg_level, c->cmsg_type))
      return -EPERM;
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
      continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); /* trailing bytes ignored, as the kernel does */
    if (count > RF_SCM_MAX_FD - out->n_fds)
      return -EINVAL;
    size_t data = (size_t)((const unsigned char *)CMSG_DATA(c) - (const unsigned char *)control);
    for (size_t k = 0; k < count; k++)
      out->fd_offset[out->n_fds++] = data + k * sizeof(int);
  }
  /* A header that fits after the last one accepted but that the walk did not
   * visit (glibc's CMSG_NXTHDR stops at a message running past the end): the
   * kernel would see it and refuse it. */
  if (len >= sizeof(struct cmsghdr) && end + sizeof(struct cmsghdr) <= len)
    return -EINVAL;
  return 0;
}

/* ---- times ------------------------------------------------------------------ */

size_t rf_times_size(int kind) {
  switch (kind) {
  case RF_TIMES_UTIMBUF:
    return 2 * sizeof(long);
  case RF_TIMES_TIMEVAL:
    return 2 * sizeof(struct timeval);
  case RF_TIMES_TIMESPEC:
    return 2 * sizeof(struct timespec);
  default:
    return 0;
  }
}

int rf_decode_times(int kind, const void *bytes, size_t len, struct timespec ts[2]) {
  size_t need = rf_times_size(kind);
  if (need == 0 || len < need)
    return -EINVAL;
  if (kind == RF_TIMES_UTIMBUF) {
    long v[2];
    memcpy(v, bytes, sizeof(v));
    for (int i = 0; i < 2; i++)
      ts[i] = (struct timespec){.tv_sec = v[i], .tv_nsec = 0};
    return 0;
  }
  if (kind == RF_TIMES_TIMEVAL) {
    struct timeval tv[2];
    memcpy(tv, bytes, sizeof(tv));
    for (int i = 0; i < 2; i++) {
      if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
        return -EINVAL;
      ts[i] = (struct timespec){.tv_sec = tv[i].tv_sec, .tv_nsec = tv[i].tv_usec * 1000};
    }
    return 0;
  }
  memcpy(ts, bytes, 2 * sizeof(struct timespec));
  for (int i = 0; i < 2; i++)
    if (ts[i].tv_nsec != UTIME_NOW && ts[i].tv_nsec != UTIME_OMIT &&
        (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000L))
      return -EINVAL;
  return 0;
}

/* ---- strings and paths ------------------------------------------------------- */

ssize_t rf_decode_string(const void *bytes, size_t n) {
  const char *nul = memchr(bytes, '\0', n);
  return nul ? (ssize_t)(nul - (const char *)bytes) : -1;
}

static int decimal_int(const char **p, const char *end, int *out) {
  long long v = 0;
  const char *s = *p;
  if (s == end || *s < '0' || *s > '9')
    return -1;
  for (; s < end && *s >= '0' && *s <= '9'; s++) {
    v = v * 10 + (*s - '0');
    if (v > INT_MAX)
      return -1;
  }
  *out = (int)v;
  *p = s;
  return 0;
}

int rf_decode_fd_pair(const char *text, size_t n, int *first, int *second) {
  const char *p = text, *end = text + n;
  if (decimal_int(&p, end, first) < 0 || p == end || *p++ != ' ' ||
      decimal_int(&p, end, second) < 0 || p == end || *p++ != '\n' || p != end)
    return -EINVAL;
  return 0;
}

/* Replaces the first |old_len| bytes of |path| by |head|, if the result fits. */
static void replace_head(char *path, size_t cap, size_t old_len, const char *head) {
  size_t head_len = strlen(head), tail_len = strlen(path + old_len);
  if (head_len + tail_len >= cap)
    return;
  memmove(path + head_len, path + old_len, tail_len + 1);
  memcpy(path, head, head_len);
}

static int has_prefix(const char *path, const char *prefix) {
  size_t n = strlen(prefix);
  return strncmp(path, prefix, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

int rf_path_own_descriptor(const char *path, int32_t ns_pid, const char **rest) {
  static const char *const std_names[] = {"/dev/stdin", "/dev/stdout", "/dev/stderr"};
  const char *after = NULL;
  int fd = -1;
  for (int i = 0; i < 3 && !after; i++) {
    if (has_prefix(path, std_names[i])) {
      fd = i;
      after = path + strlen(std_names[i]);
    }
  }
  char own[32];
  snprintf(own, sizeof(own), "/proc/%d/fd/", (int)ns_pid);
  const char *const prefixes[] = {"/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/", own};
  for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]) && !after; i++) {
    size_t n = strlen(prefixes[i]);
    if (strncmp(path, prefixes[i], n) != 0)
      continue;
    const char *d = path + n;
    long value = 0;
    while (*d >= '0' && *d <= '9' && value < (1L << 24))
      value = value * 10 + (*d++ - '0');
    if (d == path + n || value >= (1L << 24) || (*d != '\0' && *d != '/'))
      return -1;
    fd = (int)value;
    after = d;
  }
  if (!after)
    return -1;
  while (*after == '/')
    after++;
  *rest = after;
  return fd;
}

void rf_path_rewrite_self(char *path, size_t cap, int32_t pid, int32_t tid) {
  if (cap == 0 || !memchr(path, '\0', cap))
    return;
  /* The sandbox's /dev/fd and /dev/std* are symlinks into /proc/self. */
  static const struct {
    const char *alias, *target;
  } aliases[] = {{"/dev/fd", "/proc/self/fd"},
                 {"/dev/stdin", "/proc/self/fd/0"},
                 {"/dev/stdout", "/proc/self/fd/1"},
                 {"/dev/stderr", "/proc/self/fd/2"}};
  for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
    if (has_prefix(path, aliases[i].alias)) {
      replace_head(path, cap, strlen(aliases[i].alias), aliases[i].target);
      break;
    }
  }
  if (pid <= 0)
    return;
  char head[64];
  if (has_prefix(path, "/proc/self")) {
    snprintf(head, sizeof(head), "/proc/%d", (int)pid);
    replace_head(path, cap, strlen("/proc/self"), head);
  } else if (has_prefix(path, "/proc/thread-self")) {
    snprintf(head, sizeof(head), "/proc/%d/task/%d", (int)pid, (int)tid);
    replace_head(path, cap, strlen("/proc/thread-self"), head);
  }
}

int rf_path_split(char *path, char *parent, size_t parent_cap, char **last) {
  size_t len = strlen(path);
  if (len == 0)
    return -ENOENT;
  while (len > 1 && path[len - 1] == '/')
    path[--len] = '\0';
  char *slash = strrchr(path, '/');
  const char *dir;
  size_t dir_len;
  if (!slash) {
    dir = ".", dir_len = 1;
    *last = path;
  } else if (slash == path) {
    dir = "/", dir_len = 1;
    *last = path + 1;
  } else {
    dir = path, dir_len = (size_t)(slash - path);
    *last = slash + 1;
  }
  if (dir_len >= parent_cap)
    return -ENAMETOOLONG;
  memcpy(parent, dir, dir_len);
  parent[dir_len] = '\0';
  return 0;
}

/* ---- sock_diag ------------------------------------------------------------------- */

static void match_socket(const rf_diag_query *q, const struct unix_diag_msg *msg, size_t len,
                         rf_diag_match *m) {
  int attr_len = (int)len;
  for (const struct rtattr *a = (const struct rtattr *)(msg + 1); RTA_OK(a, attr_len);
       a = RTA_NEXT(a, attr_len)) {
    int hit = 0;
    if (!q->by_name && a->rta_type == UNIX_DIAG_VFS &&
        RTA_PAYLOAD(a) >= sizeof(struct unix_diag_vfs)) {
      struct unix_diag_vfs vfs;
      memcpy(&vfs, RTA_DATA(a), sizeof(vfs));
      /* sock_diag reports the kernel-internal dev_t (major << 20 | minor). */
      hit = vfs.udiag_vfs_ino == q->ino && (vfs.udiag_vfs_dev >> 20) == q->dev_major &&
            (vfs.udiag_vfs_dev & 0xfffff) == q->dev_minor;
    } else if (q->by_name && a->rta_type == UNIX_DIAG_NAME) {
      hit = RTA_PAYLOAD(a) == q->name_len && q->name_len &&
            memcmp(RTA_DATA(a), q->name, q->name_len) == 0;
    }
    if (hit && (!q->listening_only || msg->udiag_state == 10 /* TCP_LISTEN */)) {
      m->found = 1;
      m->cookie = (uint64_t)msg->udiag_cookie[0] | ((uint64_t)msg->udiag_cookie[1] << 32);
    }
  }
}

int rf_decode_unix_diag(const void *buf, size_t n, const rf_diag_query *q, rf_diag_match *m) {
  if ((uintptr_t)buf % NLMSG_ALIGNTO != 0)
    return -EIO;
  /* NLMSG_OK and NLMSG_NEXT, written out with unsigned sizes: every message
   * lies within the bytes received, and the next one starts inside them. */
  for (size_t off = 0; n - off >= sizeof(struct nlmsghdr);) {
    const struct nlmsghdr *h = (const struct nlmsghdr *)((const char *)buf + off);
    if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > n - off)
      break;
    if (h->nlmsg_type == NLMSG_DONE)
      return 1;
    if (h->nlmsg_type == NLMSG_ERROR)
      return -EIO;
    if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
      match_socket(q, NLMSG_DATA(h), h->nlmsg_len - NLMSG_LENGTH(sizeof(struct unix_diag_msg)), m);
    size_t step = NLMSG_ALIGN(h->nlmsg_len);
    if (step >= n - off)
      break;
    off += step;
  }
  return 0;
}
