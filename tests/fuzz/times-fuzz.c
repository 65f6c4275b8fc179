/* times-fuzz.c: fuzz target for the Landlock metadata supervisor's times decoder (rf_decode_times in notify-decode.c).
 *
 * Input: one byte choosing the layout (utimbuf, timeval pair, timespec pair,
 * or none), then the bytes copied out of the caller.  Checks, besides
 * ASan/UBSan (which sees a microsecond count overflowing when scaled): short
 * input and unknown layouts are refused; accepted nanoseconds lie in
 * [0, 1e9) or are UTIME_NOW / UTIME_OMIT.
 */
#include "fuzz.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "notify-decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  int kind = data[0] % 4; /* 0: no such layout */
  size_t len = size - 1;
  uint8_t *raw = malloc(len ? len : 1);
  if (!raw)
    abort();
  memcpy(raw, data + 1, len);
  struct timespec ts[2];
  int rc = rf_decode_times(kind, raw, len, ts);
  size_t need = rf_times_size(kind);
  if (need == 0 || len < need)
    RF_FUZZ_CHECK(rc == -EINVAL);
  RF_FUZZ_CHECK(rc == 0 || rc == -EINVAL);
  for (int i = 0; rc == 0 && i < 2; i++)
    RF_FUZZ_CHECK(ts[i].tv_nsec == UTIME_NOW || ts[i].tv_nsec == UTIME_OMIT ||
                  (ts[i].tv_nsec >= 0 && ts[i].tv_nsec < 1000000000L));
  free(raw);
  return 0;
}

void rf_fuzz_seeds(rf_fuzz_emit emit) {
  uint8_t buf[1 + 2 * sizeof(struct timespec)];
  struct timeval tv[2] = {{1, (long)(((uint64_t)1 << 61) + 1)}, {2, 3}};
  buf[0] = RF_TIMES_TIMEVAL;
  memcpy(buf + 1, tv, sizeof(tv));
  emit("timeval-usec-wrap", buf, 1 + sizeof(tv));
  tv[0].tv_usec = 1000000;
  memcpy(buf + 1, tv, sizeof(tv));
  emit("timeval-usec-1e6", buf, 1 + sizeof(tv));
  struct timespec ts[2] = {{0, UTIME_NOW}, {5, 1000000000L}};
  buf[0] = RF_TIMES_TIMESPEC;
  memcpy(buf + 1, ts, sizeof(ts));
  emit("timespec-nsec-1e9", buf, 1 + sizeof(ts));
  long utimbuf[2] = {-1, 1L << 62};
  buf[0] = RF_TIMES_UTIMBUF;
  memcpy(buf + 1, utimbuf, sizeof(utimbuf));
  emit("utimbuf", buf, 1 + sizeof(utimbuf));
  emit("utimbuf-short", buf, 1 + sizeof(utimbuf) - 1);
}
