/* path-fuzz.c: fuzz target for the supervisors' text decoders: strings, the sandbox init's channel line, ringfence-fs-proxy's paths (notify-decode.c).
 *
 * Input: one byte choosing a buffer size, then text.  Checks, besides
 * ASan/UBSan: the string length is where the first NUL is; an accepted
 * channel line is exactly "N M\n" with both numbers in range; a rewritten
 * path stays NUL-terminated within its buffer and only ever gains a /proc/
 * head; a split path's parent fits its buffer and its last component lies in
 * the path; an own-descriptor link is a small number and its rest lies in the
 * path, relative.
 */
#include "fuzz.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "notify-decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  size_t cap = 1 + data[0] % 128;
  if (data[0] >= 128)
    cap = PATH_MAX; /* the proxy's own buffers */
  const char *text = (const char *)data + 1;
  size_t len = size - 1;

  char *copy = malloc(len ? len : 1);
  if (!copy)
    abort();
  memcpy(copy, text, len);
  ssize_t n = rf_decode_string(copy, len);
  const char *nul = memchr(copy, '\0', len);
  RF_FUZZ_CHECK(nul ? n == nul - copy : n == -1);

  int a = -1, b = -1;
  if (rf_decode_fd_pair(copy, len, &a, &b) == 0) {
    char again[32];
    int m = snprintf(again, sizeof(again), "%d %d\n", a, b);
    RF_FUZZ_CHECK(a >= 0 && b >= 0 && m > 0 && (size_t)m <= len && copy[len - 1] == '\n');
  }
  free(copy);

  char *path = malloc(cap);
  char *parent = malloc(cap);
  if (!path || !parent)
    abort();
  size_t take = len < cap - 1 ? len : cap - 1;
  memcpy(path, text, take);
  path[take] = '\0';
  char before[PATH_MAX];
  snprintf(before, sizeof(before), "%s", path);
  const char *rest = NULL;
  int own = rf_path_own_descriptor(path, 1234, &rest);
  RF_FUZZ_CHECK(own >= -1 && own < (1 << 24));
  if (own >= 0)
    RF_FUZZ_CHECK(rest >= path && rest <= path + strlen(path) && *rest != '/');
  rf_path_rewrite_self(path, cap, 1234, 5678);
  RF_FUZZ_CHECK(memchr(path, '\0', cap) != NULL);
  RF_FUZZ_CHECK(strcmp(before, path) == 0 || strncmp(path, "/proc/", 6) == 0);
  char *last = NULL;
  int rc = rf_path_split(path, parent, cap, &last);
  RF_FUZZ_CHECK(rc == 0 || rc == -ENOENT || rc == -ENAMETOOLONG);
  if (rc == 0) {
    RF_FUZZ_CHECK(memchr(parent, '\0', cap) != NULL && strlen(parent) > 0);
    RF_FUZZ_CHECK(last >= path && last <= path + strlen(path));
  }
  free(path);
  free(parent);
  return 0;
}

void rf_fuzz_seeds(rf_fuzz_emit emit) {
  static const char *const texts[] = {
      "/proc/self/fd/3", "/proc/thread-self/attr", "/dev/stdout", "/dev/fd/7/x", "/proc/selfish",
      "relative/name", "/a/b//", "/", "", "3 4\n", "-1 4\n", "99999999999 4\n", "3 4\nx",
      "/dev/fd/3//x", "/proc/1234/fd/9", "/dev/fd/16777216",
      "/proc/self\0/hidden",
  };
  for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
    uint8_t buf[64];
    size_t n = strlen(texts[i]) + (i == sizeof(texts) / sizeof(texts[0]) - 1 ? 8 : 0);
    buf[0] = (uint8_t)(i % 2 ? 200 : 20); /* a large and a tight buffer */
    memcpy(buf + 1, texts[i], n);
    char name[32];
    snprintf(name, sizeof(name), "text-%02zu", i);
    emit(name, buf, 1 + n);
  }
  uint8_t tight[40] = {18};
  memcpy(tight + 1, "/proc/self/abcdefgh", 19);
  emit("rewrite-does-not-fit", tight, 20);
}
