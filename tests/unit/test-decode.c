/* test-decode.c: the supervisors' decoders of sandbox input refuse every hostile length, count and offset (notify-decode.c). */
#include <CUnit/Basic.h>
#include <errno.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "notify-decode.h"

/* ---- socket addresses ------------------------------------------------------------ */

static rf_sockaddr_view view;

static int decode_unix(const char *path_bytes, size_t path_len) {
  struct sockaddr_storage ss;
  memset(&ss, 'A', sizeof(ss));
  ss.ss_family = AF_UNIX;
  memcpy((char *)&ss + offsetof(struct sockaddr_un, sun_path), path_bytes, path_len);
  return rf_decode_sockaddr(AF_UNIX, &ss, offsetof(struct sockaddr_un, sun_path) + path_len, &view);
}

static void test_address_lengths_outside_the_kernel_limits_are_einval(void) {
  struct sockaddr_storage ss[2];
  memset(ss, 'A', sizeof(ss));
  ss[0].ss_family = AF_UNIX;
  CU_ASSERT_EQUAL(rf_decode_sockaddr(AF_UNIX, ss, 0, &view), -EINVAL);
  CU_ASSERT_EQUAL(rf_decode_sockaddr(AF_UNIX, ss, 1, &view), -EINVAL);
  CU_ASSERT_EQUAL(rf_decode_sockaddr(AF_UNIX, ss, sizeof(ss[0]) + 1, &view), -EINVAL);
  CU_ASSERT_EQUAL(rf_decode_sockaddr(AF_INET, ss, (size_t)-1, &view), -EINVAL);
  /* Longer than sockaddr_un, within sockaddr_storage: the overflow of issue 12. */
  for (size_t len = sizeof(struct sockaddr_un) + 1; len <= sizeof(ss[0]); len++)
    CU_ASSERT_EQUAL(rf_decode_sockaddr(AF_UNIX, ss, len, &view), -EINVAL);
}

static void test_a_full_sun_path_without_nul_is_one_terminated_path(void) {
  char full[108];
  memset(full, 'p', sizeof(full));
  CU_ASSERT_EQUAL(decode_unix(full, sizeof(full)), 0);
  CU_ASSERT_EQUAL(view.kind, RF_ADDR_UNIX_PATH);
  CU_ASSERT_EQUAL(strlen(view.path), 108);
  CU_ASSERT_EQUAL(decode_unix("/run/x\0trailing", 15), 0);
  CU_ASSERT_STRING_EQUAL(view.path, "/run/x");
}

static void test_abstract_unnamed_and_foreign_addresses_are_classified(void) {
  CU_ASSERT_EQUAL(decode_unix("\0name", 5), 0);
  CU_ASSERT_EQUAL(view.kind, RF_ADDR_UNIX_ABSTRACT);
  CU_ASSERT_EQUAL(view.name_offset, offsetof(struct sockaddr_un, sun_path));
  CU_ASSERT_EQUAL(view.name_len, 5);
  CU_ASSERT_EQUAL(decode_unix("", 0), 0);
  CU_ASSERT_EQUAL(view.kind, RF_ADDR_PASS);
  /* A unix address on an inet socket, and an inet one on a unix socket: the kernel's business. */
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof(ss));
  ss.ss_family = AF_UNIX;
  CU_ASSERT_EQUAL(rf_decode_sockaddr(AF_INET, &ss, sizeof(ss), &view), 0);
  CU_ASSERT_EQUAL(view.kind, RF_ADDR_PASS);
  ss.ss_family = AF_INET;
  CU_ASSERT_EQUAL(rf_decode_sockaddr(AF_UNIX, &ss, sizeof(struct sockaddr_in), &view), 0);
  CU_ASSERT_EQUAL(view.kind, RF_ADDR_PASS);
  CU_ASSERT_EQUAL(view.family, AF_INET);
}

/* ---- msghdr and iovecs ----------------------------------------------------------- */

static int decode_msg(struct msghdr m, rf_msg_view *out) {
  return rf_decode_msghdr(&m, sizeof(m), out);
}

static void test_message_headers_out_of_bounds_are_refused_with_the_kernels_errno(void) {
  rf_msg_view v;
  char buf[16];
  struct iovec iov = {buf, 1};
  struct msghdr ok = {.msg_iov = &iov, .msg_iovlen = 1};
  CU_ASSERT_EQUAL(decode_msg(ok, &v), 0);
  CU_ASSERT_EQUAL(v.iov_count, 1);
  CU_ASSERT_EQUAL(rf_decode_msghdr(&ok, sizeof(ok) - 1, &v), -EINVAL);

  struct msghdr m = ok;
  m.msg_name = buf, m.msg_namelen = sizeof(struct sockaddr_storage) + 1;
  CU_ASSERT_EQUAL(decode_msg(m, &v), -EINVAL);
  m.msg_namelen = (socklen_t)-1; /* a negative int to the kernel */
  CU_ASSERT_EQUAL(decode_msg(m, &v), -EINVAL);
  m.msg_name = NULL; /* no name: its length does not count */
  CU_ASSERT_EQUAL(decode_msg(m, &v), 0);
  CU_ASSERT_EQUAL(v.name_len, 0);

  m = ok, m.msg_iovlen = RF_UIO_MAXIOV + 1;
  CU_ASSERT_EQUAL(decode_msg(m, &v), -EMSGSIZE);
  m.msg_iovlen = (size_t)-1;
  CU_ASSERT_EQUAL(decode_msg(m, &v), -EMSGSIZE);
  m = ok, m.msg_iov = NULL;
  CU_ASSERT_EQUAL(decode_msg(m, &v), -EFAULT);

  m = ok, m.msg_control = buf, m.msg_controllen = RF_CONTROL_MAX + 1;
  CU_ASSERT_EQUAL(decode_msg(m, &v), -ENOBUFS);
  m.msg_controllen = (size_t)-1;
  CU_ASSERT_EQUAL(decode_msg(m, &v), -ENOBUFS);
  m.msg_control = NULL, m.msg_controllen = 16;
  CU_ASSERT_EQUAL(decode_msg(m, &v), -EFAULT);
}

static void test_iovec_lengths_that_overflow_are_einval_and_takes_stay_in_the_buffer(void) {
  size_t take[3];
  rf_iov_plan plan;
  struct iovec wrap[2] = {{NULL, 1}, {NULL, SIZE_MAX}};
  CU_ASSERT_EQUAL(rf_decode_iovecs(wrap, 2, 4096, take, &plan), -EINVAL);
  struct iovec big[3] = {{NULL, SSIZE_MAX}, {NULL, SSIZE_MAX}, {NULL, 7}};
  CU_ASSERT_EQUAL(rf_decode_iovecs(big, 3, 4096, take, &plan), 0);
  CU_ASSERT_EQUAL(plan.wanted, (size_t)SSIZE_MAX); /* saturates */
  CU_ASSERT_EQUAL(plan.taken, 4096);
  CU_ASSERT_EQUAL(take[0], 4096);
  CU_ASSERT_EQUAL(take[1] + take[2], 0);
  struct iovec small[3] = {{NULL, 10}, {NULL, 0}, {NULL, 5}};
  CU_ASSERT_EQUAL(rf_decode_iovecs(small, 3, 12, take, &plan), 0);
  CU_ASSERT(take[0] == 10 && take[1] == 0 && take[2] == 2 && plan.wanted == 15 && plan.taken == 12);
}

/* ---- control messages ------------------------------------------------------------- */

static union {
  struct cmsghdr align;
  unsigned char bytes[RF_CONTROL_MAX + 64];
} ctl;
static rf_control_view cv;

/* Writes a header at |offset|: level, type, cmsg_len. */
static void put_cmsg(size_t offset, int level, int type, size_t len) {
  struct cmsghdr h = {.cmsg_len = len, .cmsg_level = level, .cmsg_type = type};
  memcpy(ctl.bytes + offset, &h, sizeof(h));
}

static void test_cmsg_len_zero_is_einval_not_a_wrapped_count(void) {
  memset(&ctl, 0, sizeof(ctl));
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, 0);
  CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes, RF_CONTROL_MAX, &cv), -EINVAL);
  CU_ASSERT_EQUAL(cv.n_fds, 0);
  for (size_t len = 1; len < CMSG_LEN(0); len++) {
    put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, len);
    CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes, 64, &cv), -EINVAL);
  }
}

static void test_cmsg_len_past_the_buffer_is_einval(void) {
  memset(&ctl, 0, sizeof(ctl));
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(sizeof(int)) + 1);
  CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes, CMSG_LEN(sizeof(int)), &cv), -EINVAL);
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, (size_t)-1);
  CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes, RF_CONTROL_MAX, &cv), -EINVAL);
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, (size_t)1 << 40);
  CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes, RF_CONTROL_MAX, &cv), -EINVAL);
  /* A second message that runs past the end, which glibc's CMSG_NXTHDR skips. */
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(sizeof(int)));
  put_cmsg(CMSG_SPACE(sizeof(int)), SOL_SOCKET, SCM_RIGHTS, 4000);
  CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes, CMSG_SPACE(sizeof(int)) + CMSG_LEN(8), &cv), -EINVAL);
  /* Bytes after the last message too few for a header: ignored, as the kernel does. */
  CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes, CMSG_SPACE(sizeof(int)) + 4, &cv), 0);
  CU_ASSERT_EQUAL(cv.n_fds, 1);
}

static void test_descriptors_of_several_scm_rights_are_all_found_inside_the_buffer(void) {
  memset(&ctl, 0, sizeof(ctl));
  size_t first = CMSG_SPACE(3 * sizeof(int));
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(3 * sizeof(int)));
  put_cmsg(first, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(2 * sizeof(int)) + 3); /* 3 stray bytes */
  size_t len = first + CMSG_SPACE(2 * sizeof(int) + 3);
  CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes, len, &cv), 0);
  CU_ASSERT_EQUAL(cv.n_fds, 5);
  CU_ASSERT_EQUAL(cv.fd_offset[0], CMSG_LEN(0));
  CU_ASSERT_EQUAL(cv.fd_offset[3], first + CMSG_LEN(0));
  for (size_t k = 0; k < cv.n_fds; k++)
    CU_ASSERT(cv.fd_offset[k] + sizeof(int) <= len);
  CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes, 0, &cv), 0);
  CU_ASSERT_EQUAL(cv.n_fds, 0);
}

static void test_more_than_scm_max_fd_descriptors_is_einval(void) {
  memset(&ctl, 0, sizeof(ctl));
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(RF_SCM_MAX_FD * sizeof(int)));
  CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes, CMSG_SPACE(RF_SCM_MAX_FD * sizeof(int)), &cv), 0);
  CU_ASSERT_EQUAL(cv.n_fds, RF_SCM_MAX_FD);
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN((RF_SCM_MAX_FD + 1) * sizeof(int)));
  CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes, CMSG_SPACE((RF_SCM_MAX_FD + 1) * sizeof(int)), &cv),
                  -EINVAL);
  /* Split over two messages: the total counts. */
  size_t a = 200, b = RF_SCM_MAX_FD + 1 - a;
  put_cmsg(0, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(a * sizeof(int)));
  put_cmsg(CMSG_SPACE(a * sizeof(int)), SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(b * sizeof(int)));
  CU_ASSERT_EQUAL(
      rf_decode_control(ctl.bytes, CMSG_SPACE(a * sizeof(int)) + CMSG_SPACE(b * sizeof(int)), &cv),
      -EINVAL);
}

static void test_credentials_and_unknown_control_messages_are_eperm(void) {
  memset(&ctl, 0, sizeof(ctl));
  put_cmsg(0, SOL_SOCKET, SCM_CREDENTIALS, CMSG_LEN(sizeof(struct ucred)));
  CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes, CMSG_SPACE(sizeof(struct ucred)), &cv), -EPERM);
  put_cmsg(0, SOL_SOCKET, 36 /* SO_MARK */, CMSG_LEN(4));
  CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes, CMSG_SPACE(4), &cv), -EPERM);
  put_cmsg(0, 12345, 1, CMSG_LEN(4));
  CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes, CMSG_SPACE(4), &cv), -EPERM);
  put_cmsg(0, IPPROTO_IP, IP_TOS, CMSG_LEN(4));
  CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes, CMSG_SPACE(4), &cv), 0);
  CU_ASSERT_EQUAL(cv.n_fds, 0);
}

static void test_a_misaligned_control_copy_is_refused(void) {
  memset(&ctl, 0, sizeof(ctl));
  put_cmsg(1, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(4));
  CU_ASSERT_EQUAL(rf_decode_control(ctl.bytes + 1, CMSG_SPACE(4), &cv), -EINVAL);
}

/* ---- times, strings, the channel line, fs-proxy paths ------------------------------ */

static void test_times_out_of_range_are_einval(void) {
  struct timespec ts[2];
  struct timeval tv[2] = {{1, 0}, {2, 999999}};
  CU_ASSERT_EQUAL(rf_decode_times(RF_TIMES_TIMEVAL, tv, sizeof(tv), ts), 0);
  CU_ASSERT(ts[1].tv_sec == 2 && ts[1].tv_nsec == 999999000);
  CU_ASSERT_EQUAL(rf_decode_times(RF_TIMES_TIMEVAL, tv, sizeof(tv) - 1, ts), -EINVAL);
  tv[1].tv_usec = 1000000;
  CU_ASSERT_EQUAL(rf_decode_times(RF_TIMES_TIMEVAL, tv, sizeof(tv), ts), -EINVAL);
  tv[1].tv_usec = -1;
  CU_ASSERT_EQUAL(rf_decode_times(RF_TIMES_TIMEVAL, tv, sizeof(tv), ts), -EINVAL);
  tv[1].tv_usec = INT64_MAX; /* would overflow when scaled to nanoseconds */
  CU_ASSERT_EQUAL(rf_decode_times(RF_TIMES_TIMEVAL, tv, sizeof(tv), ts), -EINVAL);
  struct timespec in[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
  CU_ASSERT_EQUAL(rf_decode_times(RF_TIMES_TIMESPEC, in, sizeof(in), ts), 0);
  in[0].tv_nsec = 1000000000L;
  CU_ASSERT_EQUAL(rf_decode_times(RF_TIMES_TIMESPEC, in, sizeof(in), ts), -EINVAL);
  in[0].tv_nsec = -5;
  CU_ASSERT_EQUAL(rf_decode_times(RF_TIMES_TIMESPEC, in, sizeof(in), ts), -EINVAL);
  long utimbuf[2] = {LONG_MIN, LONG_MAX};
  CU_ASSERT_EQUAL(rf_decode_times(RF_TIMES_UTIMBUF, utimbuf, sizeof(utimbuf), ts), 0);
  CU_ASSERT_EQUAL(rf_decode_times(0, utimbuf, sizeof(utimbuf), ts), -EINVAL);
}

static void test_strings_without_nul_and_malformed_channel_lines_are_refused(void) {
  CU_ASSERT_EQUAL(rf_decode_string("abc", 3), -1);
  CU_ASSERT_EQUAL(rf_decode_string("ab\0c", 4), 2);
  int a, b;
  CU_ASSERT_EQUAL(rf_decode_fd_pair("3 4\n", 4, &a, &b), 0);
  CU_ASSERT(a == 3 && b == 4);
  static const char *const bad[] = {"3 4", "-1 4\n", "3 -4\n", "99999999999 4\n", "3  4\n",
                                    "3 4\nx", " 3 4\n", "3\t4\n", "", "\n", "3 4 5\n"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    CU_ASSERT_EQUAL(rf_decode_fd_pair(bad[i], strlen(bad[i]), &a, &b), -EINVAL);
}

static void test_fs_proxy_paths_name_the_caller_and_split_within_bounds(void) {
  char p[64];
  strcpy(p, "/proc/self/fd/3");
  rf_path_rewrite_self(p, sizeof(p), 42, 43);
  CU_ASSERT_STRING_EQUAL(p, "/proc/42/fd/3");
  strcpy(p, "/dev/stdout");
  rf_path_rewrite_self(p, sizeof(p), 42, 43);
  CU_ASSERT_STRING_EQUAL(p, "/proc/42/fd/1");
  strcpy(p, "/proc/thread-self/x");
  rf_path_rewrite_self(p, sizeof(p), 42, 43);
  CU_ASSERT_STRING_EQUAL(p, "/proc/42/task/43/x");
  strcpy(p, "/proc/selfish");
  rf_path_rewrite_self(p, sizeof(p), 42, 43);
  CU_ASSERT_STRING_EQUAL(p, "/proc/selfish");
  char tight[20] = "/proc/self/abcdefgh";
  rf_path_rewrite_self(tight, sizeof(tight), 1234567, 1); /* would not fit: unchanged */
  CU_ASSERT_STRING_EQUAL(tight, "/proc/self/abcdefgh");
  char unterminated[8];
  memset(unterminated, 'x', sizeof(unterminated));
  rf_path_rewrite_self(unterminated, sizeof(unterminated), 1, 1); /* no NUL: left alone */
  CU_ASSERT_EQUAL(unterminated[7], 'x');

  char parent[8], *last;
  strcpy(p, "");
  CU_ASSERT_EQUAL(rf_path_split(p, parent, sizeof(parent), &last), -ENOENT);
  strcpy(p, "name");
  CU_ASSERT_EQUAL(rf_path_split(p, parent, sizeof(parent), &last), 0);
  CU_ASSERT(strcmp(parent, ".") == 0 && strcmp(last, "name") == 0);
  strcpy(p, "/a/b//");
  CU_ASSERT_EQUAL(rf_path_split(p, parent, sizeof(parent), &last), 0);
  CU_ASSERT(strcmp(parent, "/a") == 0 && strcmp(last, "b") == 0);
  strcpy(p, "/");
  CU_ASSERT_EQUAL(rf_path_split(p, parent, sizeof(parent), &last), 0);
  CU_ASSERT(strcmp(parent, "/") == 0 && strcmp(last, "") == 0);
  strcpy(p, "/a-long-directory/x");
  CU_ASSERT_EQUAL(rf_path_split(p, parent, sizeof(parent), &last), -ENAMETOOLONG);
}

static void test_own_descriptor_links_are_recognised_and_nothing_else(void) {
  const char *rest = NULL;
  CU_ASSERT_EQUAL(rf_path_own_descriptor("/dev/stderr", 42, &rest), 2);
  CU_ASSERT_STRING_EQUAL(rest, "");
  CU_ASSERT_EQUAL(rf_path_own_descriptor("/dev/fd/7//sub/x", 42, &rest), 7);
  CU_ASSERT_STRING_EQUAL(rest, "sub/x");
  CU_ASSERT_EQUAL(rf_path_own_descriptor("/proc/self/fd/12", 42, &rest), 12);
  CU_ASSERT_EQUAL(rf_path_own_descriptor("/proc/thread-self/fd/0", 42, &rest), 0);
  CU_ASSERT_EQUAL(rf_path_own_descriptor("/proc/42/fd/5", 42, &rest), 5);
  static const char *const not_own[] = {
      "/proc/43/fd/5",   /* another process: not a copy the supervisor may take */
      "/proc/421/fd/5", "/dev/fd/", "/dev/fd/x", "/dev/fd/3x", "/dev/stderrx", "/proc/self/fd",
      "/proc/self/cwd/x", "/proc/self/root/etc", "dev/fd/3", "", "/dev/fd/99999999999999999999",
      "/dev/fd/16777216",
  };
  for (size_t i = 0; i < sizeof(not_own) / sizeof(not_own[0]); i++)
    CU_ASSERT_EQUAL(rf_path_own_descriptor(not_own[i], 42, &rest), -1);
}

/* ---- sock_diag ------------------------------------------------------------------- */

static union {
  struct nlmsghdr align;
  unsigned char bytes[1024];
} nl;

/* Appends one unix_diag answer with a VFS attribute; returns the new length. */
static size_t put_answer(size_t at, uint8_t state, uint32_t dev, uint32_t ino, uint32_t cookie) {
  struct nlmsghdr h = {.nlmsg_type = SOCK_DIAG_BY_FAMILY};
  struct unix_diag_msg msg = {.udiag_family = AF_UNIX, .udiag_state = state,
                              .udiag_cookie = {cookie, 0}};
  struct rtattr a = {.rta_len = RTA_LENGTH(sizeof(struct unix_diag_vfs)), .rta_type = UNIX_DIAG_VFS};
  struct unix_diag_vfs vfs = {.udiag_vfs_ino = ino, .udiag_vfs_dev = dev};
  h.nlmsg_len = NLMSG_LENGTH(sizeof(msg) + RTA_SPACE(sizeof(vfs)));
  memcpy(nl.bytes + at, &h, sizeof(h));
  memcpy(nl.bytes + at + NLMSG_HDRLEN, &msg, sizeof(msg));
  memcpy(nl.bytes + at + NLMSG_LENGTH(sizeof(msg)), &a, sizeof(a));
  memcpy(nl.bytes + at + NLMSG_LENGTH(sizeof(msg)) + RTA_LENGTH(0), &vfs, sizeof(vfs));
  return at + NLMSG_ALIGN(h.nlmsg_len);
}

static size_t put_type(size_t at, uint16_t type) {
  struct nlmsghdr h = {.nlmsg_len = NLMSG_LENGTH(4), .nlmsg_type = type};
  memcpy(nl.bytes + at, &h, sizeof(h));
  return at + NLMSG_SPACE(4);
}

static void test_sock_diag_dumps_are_matched_within_their_bounds(void) {
  memset(&nl, 0, sizeof(nl));
  rf_diag_query q = {.dev_major = 1, .dev_minor = 2, .ino = 77};
  rf_diag_match m = {0};
  size_t n = put_answer(0, 1, (1u << 20) | 2, 78, 5);
  n = put_answer(n, 10, (1u << 20) | 2, 77, 9);
  CU_ASSERT_EQUAL(rf_decode_unix_diag(nl.bytes, n, &q, &m), 0);
  CU_ASSERT(m.found && m.cookie == 9);
  size_t done = put_type(n, NLMSG_DONE);
  CU_ASSERT_EQUAL(rf_decode_unix_diag(nl.bytes, done, &q, &m), 1);
  put_type(0, NLMSG_ERROR);
  CU_ASSERT_EQUAL(rf_decode_unix_diag(nl.bytes, NLMSG_SPACE(4), &q, &m), -EIO);
  /* Listening only: a connected socket on the inode does not count. */
  memset(&m, 0, sizeof(m));
  q.listening_only = 1;
  n = put_answer(0, 1, (1u << 20) | 2, 77, 3);
  CU_ASSERT_EQUAL(rf_decode_unix_diag(nl.bytes, n, &q, &m), 0);
  CU_ASSERT_FALSE(m.found);
  /* A message claiming more bytes than were received is not read. */
  struct nlmsghdr h;
  memcpy(&h, nl.bytes, sizeof(h));
  h.nlmsg_len = 4000;
  memcpy(nl.bytes, &h, sizeof(h));
  q.listening_only = 0;
  CU_ASSERT_EQUAL(rf_decode_unix_diag(nl.bytes, n, &q, &m), 0);
  CU_ASSERT_FALSE(m.found);
  /* Too short to hold an answer: skipped. */
  h.nlmsg_len = NLMSG_LENGTH(4);
  memcpy(nl.bytes, &h, sizeof(h));
  CU_ASSERT_EQUAL(rf_decode_unix_diag(nl.bytes, n, &q, &m), 0);
  CU_ASSERT_FALSE(m.found);
  CU_ASSERT_EQUAL(rf_decode_unix_diag(nl.bytes + 1, n - 1, &q, &m), -EIO);
}

int main(void) {
  CU_initialize_registry();
  CU_pSuite s = CU_add_suite("supervisor decoders", NULL, NULL);
  CU_add_test(s, "address lengths outside the kernel's limits are EINVAL (128-byte AF_UNIX included)",
              test_address_lengths_outside_the_kernel_limits_are_einval);
  CU_add_test(s, "a full sun_path without NUL is one terminated path",
              test_a_full_sun_path_without_nul_is_one_terminated_path);
  CU_add_test(s, "abstract, unnamed and foreign addresses are classified",
              test_abstract_unnamed_and_foreign_addresses_are_classified);
  CU_add_test(s, "message headers out of bounds are refused with the kernel's errno",
              test_message_headers_out_of_bounds_are_refused_with_the_kernels_errno);
  CU_add_test(s, "iovec lengths that overflow are EINVAL and takes stay in the buffer",
              test_iovec_lengths_that_overflow_are_einval_and_takes_stay_in_the_buffer);
  CU_add_test(s, "cmsg_len 0 (and below CMSG_LEN(0)) is EINVAL, not a wrapped count",
              test_cmsg_len_zero_is_einval_not_a_wrapped_count);
  CU_add_test(s, "cmsg_len past the buffer is EINVAL", test_cmsg_len_past_the_buffer_is_einval);
  CU_add_test(s, "descriptors of several SCM_RIGHTS are all found inside the buffer",
              test_descriptors_of_several_scm_rights_are_all_found_inside_the_buffer);
  CU_add_test(s, "more than SCM_MAX_FD descriptors is EINVAL",
              test_more_than_scm_max_fd_descriptors_is_einval);
  CU_add_test(s, "credentials and unknown control messages are EPERM",
              test_credentials_and_unknown_control_messages_are_eperm);
  CU_add_test(s, "a misaligned control copy is refused", test_a_misaligned_control_copy_is_refused);
  CU_add_test(s, "times out of range are EINVAL", test_times_out_of_range_are_einval);
  CU_add_test(s, "strings without NUL and malformed channel lines are refused",
              test_strings_without_nul_and_malformed_channel_lines_are_refused);
  CU_add_test(s, "magic links to the caller's own descriptors are recognised, nothing else",
              test_own_descriptor_links_are_recognised_and_nothing_else);
  CU_add_test(s, "fs-proxy paths name the caller and split within bounds",
              test_fs_proxy_paths_name_the_caller_and_split_within_bounds);
  CU_add_test(s, "sock_diag dumps are matched within their bounds",
              test_sock_diag_dumps_are_matched_within_their_bounds);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
