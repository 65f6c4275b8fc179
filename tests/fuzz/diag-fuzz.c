/* diag-fuzz.c: fuzz target for the sock_diag dump decoder both supervisors use (rf_decode_unix_diag in notify-decode.c).
 *
 * Input: one byte of query flags, 8 bytes of device and inode, then a dump as
 * recv() returns it.  Checks, besides ASan/UBSan (which see any read past the
 * received bytes): the result is 1 (done), 0 (more) or -EIO, and a buffer not
 * aligned for netlink is refused.
 */
#include "fuzz.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <string.h>
#include <sys/socket.h>

#include "notify-decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 9)
    return 0;
  uint32_t dev, ino;
  memcpy(&dev, data + 1, 4);
  memcpy(&ino, data + 5, 4);
  rf_diag_query q = {.by_name = data[0] & 1, .listening_only = (data[0] >> 1) & 1,
                     .dev_major = dev >> 20, .dev_minor = dev & 0xfffff, .ino = ino,
                     .name = (const char *)data + 1, .name_len = (data[0] >> 2) % 9};
  size_t n = size - 9;
  uint8_t *buf = malloc(n ? n : 1); /* aligned, exactly |n| bytes */
  if (!buf)
    abort();
  memcpy(buf, data + 9, n);
  rf_diag_match m = {0};
  int rc = rf_decode_unix_diag(buf, n, &q, &m);
  RF_FUZZ_CHECK(rc == 0 || rc == 1 || rc == -EIO);
  RF_FUZZ_CHECK(m.found == 0 || m.found == 1);
  if (n > 1)
    RF_FUZZ_CHECK(rf_decode_unix_diag(buf + 1, n - 1, &q, &m) == -EIO);
  free(buf);
  return 0;
}

void rf_fuzz_seeds(rf_fuzz_emit emit) {
  uint8_t buf[9 + 256];
  memset(buf, 0, sizeof(buf));
  uint32_t dev = (8u << 20) | 1, ino = 4242;
  memcpy(buf + 1, &dev, 4);
  memcpy(buf + 5, &ino, 4);
  uint8_t *d = buf + 9;
  struct nlmsghdr h = {.nlmsg_type = SOCK_DIAG_BY_FAMILY,
                       .nlmsg_len = NLMSG_LENGTH(sizeof(struct unix_diag_msg) + RTA_SPACE(8))};
  struct unix_diag_msg msg = {.udiag_family = AF_UNIX, .udiag_state = 10, .udiag_cookie = {7, 0}};
  struct rtattr a = {.rta_len = RTA_LENGTH(8), .rta_type = UNIX_DIAG_VFS};
  struct unix_diag_vfs vfs = {.udiag_vfs_ino = ino, .udiag_vfs_dev = dev};
  memcpy(d, &h, sizeof(h));
  memcpy(d + NLMSG_HDRLEN, &msg, sizeof(msg));
  memcpy(d + NLMSG_LENGTH(sizeof(msg)), &a, sizeof(a));
  memcpy(d + NLMSG_LENGTH(sizeof(msg)) + RTA_LENGTH(0), &vfs, sizeof(vfs));
  size_t len = NLMSG_ALIGN(h.nlmsg_len);
  struct nlmsghdr done = {.nlmsg_len = NLMSG_LENGTH(4), .nlmsg_type = NLMSG_DONE};
  memcpy(d + len, &done, sizeof(done));
  emit("vfs-answer-then-done", buf, 9 + len + NLMSG_SPACE(4));
  emit("vfs-answer-cut", buf, 9 + len - 3);
  buf[0] = 2; /* listening only */
  emit("vfs-answer-listening", buf, 9 + len);
  h.nlmsg_len = 4000; /* claims more than was received */
  memcpy(d, &h, sizeof(h));
  emit("nlmsg-len-past", buf, 9 + len);
  a.rta_len = 200; /* an attribute running past its message */
  h.nlmsg_len = NLMSG_LENGTH(sizeof(msg) + RTA_SPACE(8));
  memcpy(d, &h, sizeof(h));
  memcpy(d + NLMSG_LENGTH(sizeof(msg)), &a, sizeof(a));
  emit("rta-len-past", buf, 9 + len);
  struct nlmsghdr err = {.nlmsg_len = NLMSG_LENGTH(4), .nlmsg_type = NLMSG_ERROR};
  memcpy(d, &err, sizeof(err));
  emit("nlmsg-error", buf, 9 + NLMSG_SPACE(4));
}
