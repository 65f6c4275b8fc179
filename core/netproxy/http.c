/* http.c: parsing of a client's proxy request with http-parser (Debian's libhttp-parser), and the request forwarded (see http.h). */
#include "http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int append(np_http_request *r, const char *at, size_t len, uint16_t *off, uint16_t *n, int kind) {
  if (r->last_cb != kind) {
    if (kind == 1) {
      if (r->n_headers >= NP_HTTP_HEADERS_MAX) {
        r->too_big = true;
        return 1;
      }
      r->n_headers++;
      off = &r->headers[r->n_headers - 1].name_off;
      n = &r->headers[r->n_headers - 1].name_len;
    }
    *off = (uint16_t)r->fields_len;
    *n = 0;
    r->last_cb = kind;
  }
  if (len > sizeof(r->fields) - r->fields_len) {
    r->too_big = true;
    return 1;
  }
  memcpy(r->fields + r->fields_len, at, len);
  r->fields_len += len;
  *n = (uint16_t)(*n + len);
  return 0;
}

/* Control characters (but tab) in a header: http-parser lets some through (NUL, in its lenient
 * mode); passed on, they would let a client split or smuggle headers at the server. */
static bool has_control(const char *at, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)at[i];
    if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
      return true;
  }
  return false;
}

static int on_url(http_parser *p, const char *at, size_t len) {
  np_http_request *r = p->data;
  if (has_control(at, len))
    return 1;
  if (len > sizeof(r->url) - r->url_len) {
    r->too_big = true;
    return 1;
  }
  memcpy(r->url + r->url_len, at, len);
  r->url_len += len;
  return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len) {
  np_http_request *r = p->data;
  if (has_control(at, len))
    return 1;
  if (r->last_cb != 1)
    return append(r, at, len, NULL, NULL, 1);
  np_http_header *h = &r->headers[r->n_headers - 1];
  return append(r, at, len, &h->name_off, &h->name_len, 1);
}

static int on_header_value(http_parser *p, const char *at, size_t len) {
  np_http_request *r = p->data;
  if (r->n_headers == 0 || has_control(at, len))
    return 1;
  np_http_header *h = &r->headers[r->n_headers - 1];
  return append(r, at, len, &h->value_off, &h->value_len, 2);
}

static int on_headers_complete(http_parser *p) {
  np_http_request *r = p->data;
  r->headers_done = true;
  http_parser_pause(p, 1);
  return 0;
}

static int on_message_complete(http_parser *p) {
  np_http_request *r = p->data;
  r->message_done = true;
  http_parser_pause(p, 1);
  return 0;
}

void np_http_request_init(np_http_request *r) {
  memset(r, 0, sizeof(*r));
  http_parser_init(&r->parser, HTTP_REQUEST);
  r->parser.data = r;
  http_parser_settings_init(&r->settings);
  r->settings.on_url = on_url;
  r->settings.on_header_field = on_header_field;
  r->settings.on_header_value = on_header_value;
  r->settings.on_headers_complete = on_headers_complete;
  r->settings.on_message_complete = on_message_complete;
}

static ssize_t execute(np_http_request *r, const char *data, size_t len) {
  if (HTTP_PARSER_ERRNO(&r->parser) == HPE_PAUSED)
    http_parser_pause(&r->parser, 0);
  size_t n = http_parser_execute(&r->parser, &r->settings, data, len);
  enum http_errno e = HTTP_PARSER_ERRNO(&r->parser);
  if (r->too_big)
    return -E2BIG;
  if (e != HPE_OK && e != HPE_PAUSED)
    return -EPROTO;
  return (ssize_t)n;
}

ssize_t np_http_request_feed(np_http_request *r, const char *data, size_t len) {
  if (r->message_done || len == 0)
    return 0;
  size_t done = 0;
  bool in_headers = !r->headers_done;
  ssize_t n = execute(r, data, len);
  if (n < 0)
    return n;
  done = (size_t)n;
  if (in_headers && r->headers_done) {
    /* Paused in on_headers_complete, before the block's final LF: take it now,
     * so that the header block is exactly the bytes before the body. */
    if (done >= len)
      return -EPROTO;
    n = execute(r, data + done, 1);
    if (n != 1)
      return n < 0 ? n : -EPROTO;
    done += 1;
    r->header_len = r->consumed + done;
    if (r->parser.upgrade && r->parser.method != HTTP_CONNECT)
      return -EPROTO; /* an Upgrade: we do not relay other protocols over plain HTTP */
  } else if (in_headers && r->consumed + done > NP_HTTP_HEADER_BLOCK_MAX) {
    r->too_big = true;
    return -E2BIG;
  }
  r->consumed += done;
  if (in_headers && r->headers_done && r->header_len > NP_HTTP_HEADER_BLOCK_MAX) {
    r->too_big = true;
    return -E2BIG;
  }
  return (ssize_t)done;
}

static void copy_field(char *out, size_t cap, const char *src, const struct http_parser_url *u, int field) {
  size_t len = u->field_data[field].len;
  if (len >= cap)
    len = cap - 1;
  memcpy(out, src + u->field_data[field].off, len);
  out[len] = '\0';
}

int np_http_request_target(const np_http_request *r, np_http_target *t, char *err, size_t errlen) {
  memset(t, 0, sizeof(*t));
  const char *m = http_method_str((enum http_method)r->parser.method);
  snprintf(t->method, sizeof(t->method), "%s", m);
  t->is_connect = r->parser.method == HTTP_CONNECT;
  struct http_parser_url u;
  http_parser_url_init(&u);
  if (r->url_len == 0 || http_parser_parse_url(r->url, r->url_len, t->is_connect, &u) != 0) {
    snprintf(err, errlen, "the request target is not a URL");
    return -EPROTO;
  }
  if (!(u.field_set & (1 << UF_HOST)) || u.field_data[UF_HOST].len == 0 ||
      u.field_data[UF_HOST].len >= sizeof(t->host)) {
    snprintf(err, errlen,
             "this is a proxy: send CONNECT HOST:PORT, or the absolute form (GET http://HOST/PATH)");
    return -EPROTO;
  }
  copy_field(t->host, sizeof(t->host), r->url, &u, UF_HOST);
  if (t->is_connect) {
    if (!(u.field_set & (1 << UF_PORT)) || u.port == 0) {
      snprintf(err, errlen, "CONNECT needs HOST:PORT");
      return -EPROTO;
    }
    t->port = u.port;
    return 0;
  }
  char schema[16];
  copy_field(schema, sizeof(schema), r->url, &u, UF_SCHEMA);
  if (!(u.field_set & (1 << UF_SCHEMA)) || strcasecmp(schema, "http") != 0) {
    snprintf(err, errlen, "only http:// URLs in absolute form; for https use CONNECT (HTTPS_PROXY)");
    return -EPROTO;
  }
  t->port = (u.field_set & (1 << UF_PORT)) ? u.port : 80;
  if (t->port == 0) {
    snprintf(err, errlen, "port 0 in the URL");
    return -EPROTO;
  }
  size_t pl = 0;
  if (u.field_set & (1 << UF_PATH)) {
    copy_field(t->path, sizeof(t->path), r->url, &u, UF_PATH);
    pl = strlen(t->path);
  } else {
    strcpy(t->path, "/");
    pl = 1;
  }
  if (u.field_set & (1 << UF_QUERY)) {
    size_t ql = u.field_data[UF_QUERY].len;
    if (pl + 1 + ql >= sizeof(t->path)) {
      snprintf(err, errlen, "the URL is too long");
      return -EPROTO;
    }
    t->path[pl] = '?';
    memcpy(t->path + pl + 1, r->url + u.field_data[UF_QUERY].off, ql);
    t->path[pl + 1 + ql] = '\0';
  }
  return 0;
}

static bool name_is(const np_http_request *r, const np_http_header *h, const char *name) {
  return strlen(name) == h->name_len && strncasecmp(r->fields + h->name_off, name, h->name_len) == 0;
}

/* Whether the Connection header lists this header's name (it is then hop-by-hop). */
static bool listed_in_connection(const np_http_request *r, const np_http_header *h) {
  for (size_t i = 0; i < r->n_headers; i++) {
    const np_http_header *c = &r->headers[i];
    if (!name_is(r, c, "connection"))
      continue;
    const char *v = r->fields + c->value_off, *end = v + c->value_len;
    while (v < end) {
      while (v < end && (*v == ' ' || *v == '\t' || *v == ','))
        v++;
      const char *tok = v;
      while (v < end && *v != ',' && *v != ' ' && *v != '\t')
        v++;
      if ((size_t)(v - tok) == h->name_len && strncasecmp(tok, r->fields + h->name_off, h->name_len) == 0)
        return true;
    }
  }
  return false;
}

static const char *const dropped[] = {"host", "connection", "proxy-connection", "proxy-authorization",
                                      "proxy-authenticate", "keep-alive", "te", "trailer", "upgrade"};

ssize_t np_http_request_build(const np_http_request *r, const np_http_target *t, bool absolute, char *out,
                              size_t cap) {
  size_t len = 0;
  bool v6 = strchr(t->host, ':') != NULL;
  char authority[NP_HOST_TEXT_MAX + 16];
  if (t->port == 80)
    snprintf(authority, sizeof(authority), v6 ? "[%s]" : "%s", t->host);
  else
    snprintf(authority, sizeof(authority), v6 ? "[%s]:%u" : "%s:%u", t->host, t->port);
  int n = snprintf(out, cap, "%s %s%s%s HTTP/%u.%u\r\nHost: %s\r\n", t->method, absolute ? "http://" : "",
                   absolute ? authority : "", t->path, r->parser.http_major, r->parser.http_minor, authority);
  if (n < 0 || (size_t)n >= cap)
    return -E2BIG;
  len = (size_t)n;
  for (size_t i = 0; i < r->n_headers; i++) {
    const np_http_header *h = &r->headers[i];
    bool drop = false;
    for (size_t d = 0; d < sizeof(dropped) / sizeof(dropped[0]) && !drop; d++)
      drop = name_is(r, h, dropped[d]);
    if (drop || listed_in_connection(r, h))
      continue;
    size_t need = (size_t)h->name_len + 2 + h->value_len + 2;
    if (len + need >= cap)
      return -E2BIG;
    memcpy(out + len, r->fields + h->name_off, h->name_len);
    len += h->name_len;
    memcpy(out + len, ": ", 2);
    len += 2;
    memcpy(out + len, r->fields + h->value_off, h->value_len);
    len += h->value_len;
    memcpy(out + len, "\r\n", 2);
    len += 2;
  }
  static const char tail[] = "Connection: close\r\n\r\n";
  if (len + sizeof(tail) > cap)
    return -E2BIG;
  memcpy(out + len, tail, sizeof(tail) - 1);
  return (ssize_t)(len + sizeof(tail) - 1);
}

typedef struct {
  bool done;
} response_state;

static int on_response_headers(http_parser *p) {
  ((response_state *)p->data)->done = true;
  http_parser_pause(p, 1);
  return 0;
}

int np_http_response_status(const char *data, size_t len, size_t *header_len) {
  http_parser p;
  http_parser_settings s;
  response_state st = {false};
  http_parser_init(&p, HTTP_RESPONSE);
  p.data = &st;
  http_parser_settings_init(&s);
  s.on_headers_complete = on_response_headers;
  size_t n = http_parser_execute(&p, &s, data, len);
  enum http_errno e = HTTP_PARSER_ERRNO(&p);
  if (e != HPE_OK && e != HPE_PAUSED)
    return -EPROTO;
  if (!st.done)
    return 0;
  if (n >= len) /* the block's final LF must be there */
    return 0;
  *header_len = n + 1;
  return p.status_code > 0 ? (int)p.status_code : -EPROTO;
}
