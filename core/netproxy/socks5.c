/* socks5.c: SOCKS5 (RFC 1928) messages, parsed from and built for hostile peers, every length checked before use (see socks5.h). */
#include "socks5.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

int np_socks5_parse_greeting(const uint8_t *buf, size_t len, int *no_auth) {
  *no_auth = 0;
  if (len < 1)
    return 0;
  if (buf[0] != 5)
    return -EPROTO;
  if (len < 2)
    return 0;
  size_t n = buf[1];
  if (n == 0)
    return -EPROTO;
  if (len < 2 + n)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (buf[2 + i] == NP_SOCKS_METHOD_NONE)
      *no_auth = 1;
  return (int)(2 + n);
}

int np_socks5_parse_request(const uint8_t *buf, size_t len, np_socks5_request *req, uint8_t *reply) {
  memset(req, 0, sizeof(*req));
  *reply = NP_SOCKS_GENERAL_FAILURE;
  if (len >= 1 && buf[0] != 5)
    return -EPROTO;
  if (len >= 3 && buf[2] != 0)
    return -EPROTO;
  if (len < 4)
    return 0;
  req->command = buf[1];
  size_t need;
  switch (buf[3]) {
  case 1:
    need = 4 + 4 + 2;
    break;
  case 3:
    if (len < 5)
      return 0;
    if (buf[4] == 0)
      return -EPROTO;
    need = 4 + 1 + (size_t)buf[4] + 2;
    break;
  case 4:
    need = 4 + 16 + 2;
    break;
  default:
    *reply = NP_SOCKS_ADDRESS_NOT_SUPPORTED;
    return -EPROTO;
  }
  if (len < need)
    return 0;
  if (buf[3] == 3) {
    size_t nl = buf[4];
    if (memchr(buf + 5, '\0', nl))
      return -EPROTO;
    memcpy(req->host, buf + 5, nl);
    req->host[nl] = '\0';
  } else {
    np_addr a = {.family = buf[3] == 1 ? AF_INET : AF_INET6};
    memcpy(a.bytes, buf + 4, buf[3] == 1 ? 4 : 16);
    np_addr_format(&a, req->host, sizeof(req->host));
  }
  req->port = (uint16_t)((buf[need - 2] << 8) | buf[need - 1]);
  if (req->port == 0)
    return -EPROTO;
  return (int)need;
}

size_t np_socks5_reply(uint8_t code, uint8_t out[10]) {
  memset(out, 0, 10);
  out[0] = 5;
  out[1] = code;
  out[3] = 1;
  return 10;
}

int np_socks5_build_request(const char *host, uint16_t port, uint8_t *out, size_t cap) {
  np_addr a;
  size_t len = 0;
  if (cap < 262)
    return -EINVAL;
  out[len++] = 5;
  out[len++] = 1;
  out[len++] = 0;
  if (np_addr_parse(host, strlen(host), &a) == 0) {
    out[len++] = a.family == AF_INET ? 1 : 4;
    size_t n = a.family == AF_INET ? 4 : 16;
    memcpy(out + len, a.bytes, n);
    len += n;
  } else {
    size_t n = strlen(host);
    if (n == 0 || n > 255)
      return -EINVAL;
    out[len++] = 3;
    out[len++] = (uint8_t)n;
    memcpy(out + len, host, n);
    len += n;
  }
  out[len++] = (uint8_t)(port >> 8);
  out[len++] = (uint8_t)port;
  return (int)len;
}

int np_socks5_parse_reply(const uint8_t *buf, size_t len, uint8_t *code) {
  if (len >= 1 && buf[0] != 5)
    return -EPROTO;
  if (len < 5)
    return 0;
  *code = buf[1];
  size_t need;
  switch (buf[3]) {
  case 1:
    need = 4 + 4 + 2;
    break;
  case 3:
    need = 4 + 1 + (size_t)buf[4] + 2;
    break;
  case 4:
    need = 4 + 16 + 2;
    break;
  default:
    return -EPROTO;
  }
  return len < need ? 0 : (int)need;
}
