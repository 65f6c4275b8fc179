/* socks5.h: the SOCKS5 server side (RFC 1928: greeting, CONNECT request, reply), as pure parsers of a client's bytes. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "address.h"

/* Reply codes (RFC 1928, section 6). */
enum {
  NP_SOCKS_OK = 0x00,
  NP_SOCKS_GENERAL_FAILURE = 0x01,
  NP_SOCKS_NOT_ALLOWED = 0x02,
  NP_SOCKS_NETWORK_UNREACHABLE = 0x03,
  NP_SOCKS_HOST_UNREACHABLE = 0x04,
  NP_SOCKS_CONNECTION_REFUSED = 0x05,
  NP_SOCKS_TTL_EXPIRED = 0x06,
  NP_SOCKS_COMMAND_NOT_SUPPORTED = 0x07,
  NP_SOCKS_ADDRESS_NOT_SUPPORTED = 0x08,
};

#define NP_SOCKS_METHOD_NONE 0x00
#define NP_SOCKS_METHOD_USERPASS 0x02
#define NP_SOCKS_METHOD_REFUSED 0xff

/* The greeting: VER=5, NMETHODS, METHODS.  Returns its length (> 0) when complete,
 * 0 while incomplete, -EPROTO if it is not SOCKS5.  *no_auth: the client offers
 * "no authentication", the only method this server accepts. */
int np_socks5_parse_greeting(const uint8_t *buf, size_t len, int *no_auth);

typedef struct {
  uint8_t command;  /* 1 CONNECT, 2 BIND, 3 UDP ASSOCIATE */
  char host[256];   /* a name (as sent: not yet normalised) or an address in text */
  uint16_t port;
} np_socks5_request;

/* The request: VER=5, CMD, RSV=0, ATYP, DST.ADDR, DST.PORT.  Returns its length
 * when complete, 0 while incomplete, -EPROTO if malformed (*reply: the code to
 * answer with, e.g. ADDRESS_NOT_SUPPORTED for an unknown ATYP). */
int np_socks5_parse_request(const uint8_t *buf, size_t len, np_socks5_request *req, uint8_t *reply);

/* A reply with a zero IPv4 bound address (10 bytes) into out. */
size_t np_socks5_reply(uint8_t code, uint8_t out[10]);

/* The client side, for an upstream socks5h:// proxy: a CONNECT request for
 * host:port (a name with ATYP 3, an address as such) into out (>= 262 bytes).
 * Returns the length, or -EINVAL for a name longer than 255. */
int np_socks5_build_request(const char *host, uint16_t port, uint8_t *out, size_t cap);
/* The length of a server's reply to a request (> 0), 0 while incomplete, -EPROTO;
 * *code gets its REP field. */
int np_socks5_parse_reply(const uint8_t *buf, size_t len, uint8_t *code);
