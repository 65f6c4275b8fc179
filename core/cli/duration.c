/* duration.c: reads the durations of `run --timeout` and `--kill-after`: decimal numbers only, bounded.
 *
 * Accepted: DIGITS[.DIGITS] or .DIGITS, then at most one unit: s (the
 * default), m, h or d, as coreutils' timeout takes them.  Refused: empty
 * text, signs, spaces, exponents (1e99), inf and nan, hexadecimal (0x10),
 * anything after the unit, and durations longer than RF_CLI_DURATION_MAX
 * seconds.  strtod is not used: it takes all of those refused forms, and a
 * value it rounds to infinity would turn a limit into no limit at all.
 */
#include "cli.h"

#include <stdint.h>
#include <stdio.h>

#define NS_PER_SECOND 1000000000ull

gboolean rf_cli_parse_duration(const char *text, double *seconds, char *err, size_t err_len) {
  const char *p = text;
  uint64_t whole = 0, fraction_ns = 0, scale = NS_PER_SECOND / 10;
  gboolean digits = FALSE, beyond_ns = FALSE, too_large = FALSE;
  for (; *p >= '0' && *p <= '9'; p++) {
    digits = TRUE;
    whole = whole * 10 + (uint64_t)(*p - '0');
    if (whole > RF_CLI_DURATION_MAX) {
      too_large = TRUE;
      whole = RF_CLI_DURATION_MAX + 1; /* stays above the cap however many digits follow */
    }
  }
  if (*p == '.') {
    for (p++; *p >= '0' && *p <= '9'; p++) {
      digits = TRUE;
      if (scale > 0)
        fraction_ns += (uint64_t)(*p - '0') * scale;
      else if (*p != '0')
        beyond_ns = TRUE;
      scale /= 10;
    }
  }
  uint64_t unit = 1;
  if (digits && *p && !p[1]) {
    switch (*p) {
    case 's': unit = 1; p++; break;
    case 'm': unit = 60; p++; break;
    case 'h': unit = 3600; p++; break;
    case 'd': unit = 86400; p++; break;
    default: break;
    }
  }
  if (!digits || *p) {
    snprintf(err, err_len,
             "is not a duration: write a decimal number of seconds, optionally with a unit s, m, "
             "h or d (e.g. 30, 0.5 or 10m); no sign, exponent, hexadecimal, inf or nan");
    return FALSE;
  }
  /* Sub-nanosecond digits round up: a positive duration never becomes 0. */
  if (beyond_ns)
    fraction_ns++;
  if (fraction_ns >= NS_PER_SECOND) {
    whole++;
    fraction_ns -= NS_PER_SECOND;
  }
  /* whole * unit + fraction * unit, compared with the cap in nanoseconds. */
  uint64_t cap_ns = (uint64_t)RF_CLI_DURATION_MAX * NS_PER_SECOND;
  if (too_large || whole > RF_CLI_DURATION_MAX / unit ||
      whole * unit * NS_PER_SECOND + fraction_ns * unit > cap_ns) {
    snprintf(err, err_len, "is too long: at most %u seconds (about 68 years)",
             (unsigned)RF_CLI_DURATION_MAX);
    return FALSE;
  }
  *seconds = (double)(whole * unit) + (double)(fraction_ns * unit) / (double)NS_PER_SECOND;
  return TRUE;
}
