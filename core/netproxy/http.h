/* http.h: a client's HTTP proxy request (CONNECT or absolute form), parsed with http-parser, bounded; and the request we forward. */
#pragma once

#include <http_parser.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NP_HTTP_HEADER_BLOCK_MAX 16384 /* request line + headers, bytes */
#define NP_HTTP_URL_MAX 8192
#define NP_HTTP_HEADERS_MAX 100
#define NP_HOST_TEXT_MAX 256

typedef struct {
  uint16_t name_off, name_len, value_off, value_len;
} np_http_header;

typedef struct {
  http_parser parser;
  http_parser_settings settings;
  size_t consumed;      /* bytes of the request fed so far */
  bool headers_done;    /* the header block ended at |header_len| */
  bool message_done;    /* the request (and its body) ended at |consumed| */
  bool too_big;         /* a limit above was exceeded */
  size_t header_len;
  char url[NP_HTTP_URL_MAX];
  size_t url_len;
  char fields[NP_HTTP_HEADER_BLOCK_MAX]; /* header names and values, back to back */
  size_t fields_len;
  np_http_header headers[NP_HTTP_HEADERS_MAX];
  size_t n_headers;
  int last_cb; /* 0 none, 1 field, 2 value */
} np_http_request;

/* What the request asks for. */
typedef struct {
  bool is_connect;
  char method[24];
  char host[NP_HOST_TEXT_MAX]; /* as the client wrote it (not yet normalised) */
  uint16_t port;
  char path[NP_HTTP_URL_MAX]; /* origin form ("/x?y"), absolute form only */
} np_http_target;

void np_http_request_init(np_http_request *r);
/* Feeds the next bytes from the client.  Returns how many were part of the
 * request (the rest, after message_done, is not); -EPROTO if they are not
 * HTTP, -E2BIG if a limit was exceeded.  Stops at the end of the header
 * block (headers_done) and at the end of the request (message_done). */
ssize_t np_http_request_feed(np_http_request *r, const char *data, size_t len);
/* Once headers_done: the target.  0, -EPROTO (not a proxy request: origin form,
 * https:// in absolute form, no host), with a message for the client. */
int np_http_request_target(const np_http_request *r, np_http_target *t, char *err, size_t errlen);
/* The header block to send on: the request line (origin form, or absolute when
 * |absolute| for an upstream proxy), Host from the target (the client's own Host
 * header is replaced, so it cannot name another site on the same address), the
 * client's end-to-end headers, and Connection: close.  Hop-by-hop and proxy
 * headers are dropped.  Returns the length, or -E2BIG if |cap| is too small. */
ssize_t np_http_request_build(const np_http_request *r, const np_http_target *t, bool absolute, char *out,
                              size_t cap);
/* The status code of an upstream proxy's answer to CONNECT, given its header
 * block: >0, 0 while incomplete (*header_len not set), -EPROTO if not HTTP. */
int np_http_response_status(const char *data, size_t len, size_t *header_len);
