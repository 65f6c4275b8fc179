/* guid.c: parses the "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" GUIDs of the setup plan, no OS call. */
#include "guid.h"

#include <string.h>

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static int hex_bytes(const char *s, size_t nbytes, uint8_t *out) {
  for (size_t i = 0; i < nbytes; i++) {
    int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return -1;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return 0;
}

int rf_win_guid_parse(const char *s, rf_win_guid *g) {
  /* {8-4-4-4-12} = 38 characters. */
  if (s == NULL || strlen(s) != 38 || s[0] != '{' || s[37] != '}' || s[9] != '-' || s[14] != '-' ||
      s[19] != '-' || s[24] != '-')
    return -1;
  uint8_t d1[4], d2[2], d3[2];
  if (hex_bytes(s + 1, 4, d1) || hex_bytes(s + 10, 2, d2) || hex_bytes(s + 15, 2, d3) ||
      hex_bytes(s + 20, 2, g->data4) || hex_bytes(s + 25, 6, g->data4 + 2))
    return -1;
  g->data1 = (uint32_t)d1[0] << 24 | (uint32_t)d1[1] << 16 | (uint32_t)d1[2] << 8 | d1[3];
  g->data2 = (uint16_t)(d2[0] << 8 | d2[1]);
  g->data3 = (uint16_t)(d3[0] << 8 | d3[1]);
  return 0;
}
