/* sockaddr-fuzz.c: fuzz target for the supervisors' socket address decoder (rf_decode_sockaddr in notify-decode.c).
 *
 * Input: one byte choosing the socket's domain (even: AF_UNIX, odd: AF_INET),
 * then the address bytes as copied out of the caller, their count being the
 * length it passed.  Checks, besides ASan/UBSan: lengths outside
 * [sizeof(sa_family_t), sizeof(sockaddr_storage)] and unix addresses longer
 * than sockaddr_un are refused; an accepted pathname is non-empty,
 * NUL-terminated within sun_path and equal to the address's bytes up to their
 * first NUL; an abstract name lies inside the address.
 */
#include "fuzz.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "notify-decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  int domain = data[0] % 2 ? AF_INET : AF_UNIX;
  size_t len = size - 1;
  uint8_t *addr = malloc(len ? len : 1); /* exactly |len| bytes for ASan */
  if (!addr)
    abort();
  memcpy(addr, data + 1, len);
  rf_sockaddr_view v;
  int rc = rf_decode_sockaddr(domain, addr, len, &v);
  const size_t path_at = offsetof(struct sockaddr_un, sun_path);
  if (len < sizeof(sa_family_t) || len > sizeof(struct sockaddr_storage)) {
    RF_FUZZ_CHECK(rc == -EINVAL);
  } else {
    sa_family_t family;
    memcpy(&family, addr, sizeof(family));
    int unix_name = domain == AF_UNIX && family == AF_UNIX;
    RF_FUZZ_CHECK(rc == (unix_name && len > sizeof(struct sockaddr_un) ? -EINVAL : 0));
    if (rc == 0 && v.kind == RF_ADDR_UNIX_PATH) {
      size_t n = strnlen(v.path, sizeof(v.path));
      RF_FUZZ_CHECK(unix_name && n > 0 && n < sizeof(v.path) && n <= len - path_at);
      RF_FUZZ_CHECK(memcmp(v.path, addr + path_at, n) == 0 && (n == len - path_at || addr[path_at + n] == 0));
    } else if (rc == 0 && v.kind == RF_ADDR_UNIX_ABSTRACT) {
      RF_FUZZ_CHECK(unix_name && v.name_offset == path_at && v.name_offset + v.name_len == len &&
                    addr[v.name_offset] == 0);
    } else if (rc == 0) {
      RF_FUZZ_CHECK(v.kind == RF_ADDR_PASS && (!unix_name || len == path_at));
    }
  }
  free(addr);
  return 0;
}

static void unix_seed(rf_fuzz_emit emit, const char *name, const char *path, size_t path_len,
                      size_t len, char fill) {
  uint8_t buf[1 + sizeof(struct sockaddr_storage) + 1];
  memset(buf, fill, sizeof(buf));
  buf[0] = 0; /* AF_UNIX socket */
  sa_family_t family = AF_UNIX;
  memcpy(buf + 1, &family, sizeof(family));
  memcpy(buf + 1 + offsetof(struct sockaddr_un, sun_path), path, path_len);
  emit(name, buf, 1 + len);
}

void rf_fuzz_seeds(rf_fuzz_emit emit) {
  unix_seed(emit, "unix-128-no-nul", "/tmp/host.sock", 14, 128, 'A');
  unix_seed(emit, "unix-129", "/tmp/host.sock", 14, 129, 'A');
  unix_seed(emit, "unix-110-full", "/x", 2, 110, 'p');
  unix_seed(emit, "unix-path", "/tmp/s\0junk", 11, 2 + 11, 0);
  unix_seed(emit, "unix-abstract", "\0name", 5, 2 + 5, 0);
  unix_seed(emit, "unix-unnamed", "", 0, 2, 0);
  unix_seed(emit, "unix-one-byte", "", 0, 1, 0);
  uint8_t inet[1 + 16] = {1, AF_INET, 0, 0, 80, 127, 0, 0, 1};
  emit("inet-on-inet", inet, sizeof(inet));
}
