/* msg-fuzz.c: fuzz target for the supervisor's sendmsg decoders (msghdr, control messages, iovecs in notify-decode.c).
 *
 * Input: one byte choosing the copy limit, a struct msghdr, a 16-bit control
 * length and that many control bytes, then iovecs to the end.  Checks, besides
 * ASan/UBSan: an accepted header has every length within its bound; every
 * descriptor offset of accepted control data lies inside it, in order, at
 * most SCM_MAX_FD of them; an iovec plan never takes more than the limit or
 * than an iovec holds, and sums up.
 */
#include "fuzz.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>

#include "notify-decode.h"

static void check_msghdr(const uint8_t *data, size_t size) {
  rf_msg_view v;
  int rc = rf_decode_msghdr(data, size, &v);
  if (size != sizeof(struct msghdr)) {
    RF_FUZZ_CHECK(rc == -EINVAL);
    return;
  }
  RF_FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -EMSGSIZE || rc == -ENOBUFS || rc == -EFAULT);
  if (rc == 0)
    RF_FUZZ_CHECK(v.name_len <= sizeof(struct sockaddr_storage) && v.iov_count <= RF_UIO_MAXIOV &&
                  v.control_len <= RF_CONTROL_MAX && (v.control_len == 0 || v.control) &&
                  (v.iov_count == 0 || v.iov));
}

static void check_control(const uint8_t *data, size_t len) {
  /* malloc'd, so aligned, and exactly |len| bytes: ASan sees any read past it. */
  uint8_t *control = malloc(len ? len : 1);
  if (!control)
    abort();
  memcpy(control, data, len);
  static rf_control_view cv;
  int rc = rf_decode_control(control, len, &cv);
  RF_FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -EPERM || rc == -ENOBUFS);
  if (len > RF_CONTROL_MAX)
    RF_FUZZ_CHECK(rc == -ENOBUFS);
  if (rc == 0) {
    RF_FUZZ_CHECK(cv.n_fds <= RF_SCM_MAX_FD);
    size_t previous = 0;
    for (size_t k = 0; k < cv.n_fds; k++) {
      RF_FUZZ_CHECK(cv.fd_offset[k] >= CMSG_LEN(0) && cv.fd_offset[k] + sizeof(int) <= len);
      RF_FUZZ_CHECK(k == 0 || cv.fd_offset[k] > previous);
      previous = cv.fd_offset[k];
      int fd;
      memcpy(&fd, control + cv.fd_offset[k], sizeof(int)); /* what the supervisor rewrites */
      (void)fd;
    }
  }
  free(control);
}

static void check_iovecs(const uint8_t *data, size_t size, size_t limit) {
  size_t n = size / sizeof(struct iovec);
  if (n > RF_UIO_MAXIOV)
    n = RF_UIO_MAXIOV;
  struct iovec *iov = malloc((n ? n : 1) * sizeof(*iov));
  size_t *take = malloc((n ? n : 1) * sizeof(*take));
  if (!iov || !take)
    abort();
  memcpy(iov, data, n * sizeof(*iov));
  rf_iov_plan plan;
  int rc = rf_decode_iovecs(iov, n, limit, take, &plan);
  int too_long = 0;
  for (size_t i = 0; i < n; i++)
    too_long |= iov[i].iov_len > (size_t)SSIZE_MAX;
  RF_FUZZ_CHECK(rc == (too_long ? -EINVAL : 0));
  if (rc == 0) {
    size_t sum = 0;
    for (size_t i = 0; i < n; i++) {
      RF_FUZZ_CHECK(take[i] <= iov[i].iov_len);
      sum += take[i];
    }
    RF_FUZZ_CHECK(sum == plan.taken && plan.taken <= limit && plan.wanted >= plan.taken &&
                  plan.wanted <= (size_t)SSIZE_MAX);
  }
  free(iov);
  free(take);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  size_t limit = (size_t)data[0] * 1024;
  data++, size--;
  size_t head = size < sizeof(struct msghdr) ? size : sizeof(struct msghdr);
  check_msghdr(data, head);
  data += head, size -= head;
  if (size < 2)
    return 0;
  size_t control_len = (size_t)data[0] | (size_t)data[1] << 8;
  data += 2, size -= 2;
  if (control_len > size)
    control_len = size;
  check_control(data, control_len);
  check_iovecs(data + control_len, size - control_len, limit);
  return 0;
}

/* ---- seeds: the hostile cases ------------------------------------------------ */

static uint8_t seed[8192];
static size_t seed_len;

static void begin(uint8_t limit, struct msghdr m) {
  seed[0] = limit;
  memcpy(seed + 1, &m, sizeof(m));
  seed_len = 1 + sizeof(m) + 2;
}

static void control(size_t len) {
  seed[1 + sizeof(struct msghdr)] = (uint8_t)len;
  seed[2 + sizeof(struct msghdr)] = (uint8_t)(len >> 8);
  seed_len += len;
}

static uint8_t *ctl(void) {
  return seed + 3 + sizeof(struct msghdr);
}

static void put(size_t at, int level, int type, size_t len) {
  struct cmsghdr h = {.cmsg_len = len, .cmsg_level = level, .cmsg_type = type};
  memcpy(ctl() + at, &h, sizeof(h));
}

static void iovecs(const struct iovec *v, size_t n) {
  memcpy(seed + seed_len, v, n * sizeof(*v));
  seed_len += n * sizeof(*v);
}

void rf_fuzz_seeds(rf_fuzz_emit emit) {
  char b[1];
  struct iovec one = {b, 1}, wrap[2] = {{b, 1}, {b, SIZE_MAX}};
  struct msghdr plain = {.msg_iov = &one, .msg_iovlen = 1, .msg_control = b, .msg_controllen = 64};
  memset(seed, 0, sizeof(seed));
  begin(4, plain), put(0, SOL_SOCKET, SCM_RIGHTS, 0), control(64), iovecs(&one, 1);
  emit("cmsg-len-zero", seed, seed_len);
  begin(4, plain), put(0, SOL_SOCKET, SCM_RIGHTS, (size_t)-1), control(64);
  emit("cmsg-len-huge", seed, seed_len);
  begin(4, plain), put(0, SOL_SOCKET, SCM_RIGHTS, 80), control(64);
  emit("cmsg-len-past", seed, seed_len);
  memset(seed, 0, sizeof(seed));
  begin(4, plain), put(0, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(4)), put(CMSG_SPACE(4), SOL_SOCKET, SCM_RIGHTS, 4000);
  control(CMSG_SPACE(4) + CMSG_LEN(8));
  emit("cmsg-second-past", seed, seed_len);
  memset(seed, 0, sizeof(seed));
  begin(4, plain), put(0, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(12)), put(CMSG_SPACE(12), SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(8) + 3);
  control(CMSG_SPACE(12) + CMSG_SPACE(11));
  emit("cmsg-two-rights", seed, seed_len);
  memset(seed, 0, sizeof(seed));
  begin(4, plain), put(0, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(254 * 4)), control(CMSG_SPACE(254 * 4));
  emit("cmsg-254-fds", seed, seed_len);
  memset(seed, 0, sizeof(seed));
  begin(4, plain), put(0, SOL_SOCKET, SCM_CREDENTIALS, CMSG_LEN(12)), control(CMSG_SPACE(12));
  emit("cmsg-credentials", seed, seed_len);
  begin(4, plain), put(0, 41 /* IPPROTO_IPV6 */, 67 /* IPV6_TCLASS */, CMSG_LEN(4)), control(CMSG_SPACE(4));
  emit("cmsg-ipv6-tclass", seed, seed_len);
  begin(4, plain), put(0, SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(4)), control(4200);
  emit("controllen-over-cap", seed, seed_len);
  struct msghdr bad = plain;
  bad.msg_iovlen = 1025;
  begin(1, bad), control(0);
  emit("iovlen-1025", seed, seed_len);
  bad = plain, bad.msg_name = b, bad.msg_namelen = 0x80000000u;
  begin(1, bad), control(0);
  emit("namelen-negative", seed, seed_len);
  bad = plain, bad.msg_controllen = (size_t)1 << 40;
  begin(1, bad), control(0);
  emit("controllen-huge", seed, seed_len);
  begin(1, plain), control(0), iovecs(wrap, 2);
  emit("iov-len-wrap", seed, seed_len);
  struct iovec many[8] = {{b, 1000}, {b, 0}, {b, 5000}, {b, (size_t)SSIZE_MAX}, {b, 7}};
  begin(2, plain), control(0), iovecs(many, 8);
  emit("iov-over-limit", seed, seed_len);
}
