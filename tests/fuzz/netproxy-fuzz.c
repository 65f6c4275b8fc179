/* netproxy-fuzz.c: fuzz target for ringfence-netproxy's parsers of client bytes (core/netproxy: http.c, socks5.c, rules.c).
 *
 * Input: one byte choosing the parser, then the bytes a client sent.
 *   0: an HTTP proxy request, fed in chunks whose sizes the next byte picks; then its target
 *      and the request built from it.  Checks: what is consumed never exceeds what was fed,
 *      the header block lies within it, a built request has exactly one header block end and
 *      starts with the method.
 *   1: a SOCKS5 greeting then request.  Checks: lengths within the input, names NUL-free.
 *   2: an upstream's answer to CONNECT.  3: a host name, normalised then matched.
 */
#include "fuzz.h"

#include <string.h>

#include "http.h"
#include "rules.h"
#include "socks5.h"

static void fuzz_http(const uint8_t *data, size_t size) {
  static np_http_request r;
  static np_http_target t;
  static char out[NP_HTTP_HEADER_BLOCK_MAX + NP_HTTP_URL_MAX + 1024];
  if (size < 1)
    return;
  size_t chunk = (size_t)data[0] % 64 + 1;
  data++;
  size--;
  np_http_request_init(&r);
  size_t off = 0, consumed = 0;
  while (off < size && !r.message_done) {
    size_t n = size - off < chunk ? size - off : chunk;
    ssize_t k = np_http_request_feed(&r, (const char *)data + off, n);
    if (k < 0)
      return;
    RF_FUZZ_CHECK((size_t)k <= n);
    consumed += (size_t)k;
    off += (size_t)k;
    if ((size_t)k < n && !r.headers_done && !r.message_done)
      RF_FUZZ_CHECK(0); /* it stops early only at the end of the headers or the request */
    if (r.headers_done && (size_t)k < n && !r.message_done && r.header_len == consumed)
      continue;
    if (k == 0)
      break;
  }
  RF_FUZZ_CHECK(r.consumed == consumed && consumed <= size);
  if (!r.headers_done)
    return;
  RF_FUZZ_CHECK(r.header_len <= consumed && r.header_len <= NP_HTTP_HEADER_BLOCK_MAX);
  char err[300];
  if (np_http_request_target(&r, &t, err, sizeof(err)) < 0)
    return;
  RF_FUZZ_CHECK(t.port != 0 && t.host[0] != '\0');
  ssize_t n = np_http_request_build(&r, &t, data[0] & 1, out, sizeof(out));
  if (n < 0)
    return;
  RF_FUZZ_CHECK((size_t)n < sizeof(out));
  out[n] = '\0';
  RF_FUZZ_CHECK(strncmp(out, t.method, strlen(t.method)) == 0);
  char *end = strstr(out, "\r\n\r\n");
  RF_FUZZ_CHECK(end && (size_t)(end - out) + 4 == (size_t)n);
}

static void fuzz_socks(const uint8_t *data, size_t size) {
  int no_auth;
  int g = np_socks5_parse_greeting(data, size, &no_auth);
  if (g <= 0)
    return;
  RF_FUZZ_CHECK((size_t)g <= size);
  np_socks5_request req;
  uint8_t code;
  int r = np_socks5_parse_request(data + g, size - (size_t)g, &req, &code);
  if (r <= 0)
    return;
  RF_FUZZ_CHECK((size_t)r <= size - (size_t)g);
  RF_FUZZ_CHECK(strlen(req.host) < sizeof(req.host) && req.port != 0);
  uint8_t out[300];
  np_socks5_build_request(req.host, req.port, out, sizeof(out));
}

static void fuzz_host(const uint8_t *data, size_t size) {
  static np_rules *rules;
  char norm[300], rule[400], err[300];
  if (!rules) {
    rules = np_rules_new();
    np_rules_add(rules, false, "**.example.com", err, sizeof(err));
    np_rules_add(rules, false, "10.0.0.0/8", err, sizeof(err));
    np_rules_add(rules, true, "*.bad.example.com", err, sizeof(err));
  }
  if (np_host_normalize((const char *)data, size, norm, sizeof(norm)) < 0)
    return;
  RF_FUZZ_CHECK(strlen(norm) < sizeof(norm));
  for (const char *p = norm; *p; p++)
    RF_FUZZ_CHECK(*p > 0x20 && *p < 0x7f && !(*p >= 'A' && *p <= 'Z'));
  np_rules_match_host(rules, norm, rule, sizeof(rule));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  size_t n = size - 1;
  uint8_t *copy = malloc(n ? n : 1); /* exactly |n| bytes for ASan */
  if (!copy)
    abort();
  memcpy(copy, data + 1, n);
  switch (data[0] % 4) {
  case 0:
    fuzz_http(copy, n);
    break;
  case 1:
    fuzz_socks(copy, n);
    break;
  case 2: {
    size_t hl = 0;
    int st = np_http_response_status((const char *)copy, n, &hl);
    if (st > 0)
      RF_FUZZ_CHECK(hl <= n);
    break;
  }
  default:
    fuzz_host(copy, n);
  }
  free(copy);
  return 0;
}

void rf_fuzz_seeds(rf_fuzz_emit emit) {
  static const char connect[] = "\x00\x07"
                                "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03";
  static const char get[] = "\x00\x40"
                            "POST http://a.example:8080/x?y HTTP/1.1\r\nHost: b\r\nConnection: X\r\nX: 1\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET http://c/ HTTP/1.1\r\n\r\n";
  static const char socks[] = "\x01\x05\x01\x00\x05\x01\x00\x03\x0b"
                              "example.com\x01\xbb";
  static const char socks6[] = "\x01\x05\x02\x00\x02\x05\x01\x00\x04\0\0\0\0\0\0\0\0\0\0\xff\xff\x7f\0\0\x01\0\x50";
  static const char resp[] = "\x02HTTP/1.1 200 Connection established\r\n\r\n";
  static const char host[] = "\x03" "B\xc3\xbc" "cher.Example.COM.";
  emit("connect", connect, sizeof(connect) - 1);
  emit("get-chunked", get, sizeof(get) - 1);
  emit("socks-name", socks, sizeof(socks) - 1);
  emit("socks-v6", socks6, sizeof(socks6) - 1);
  emit("response", resp, sizeof(resp) - 1);
  emit("host", host, sizeof(host) - 1);
}
