/* client.c: one client connection from first byte to close: health check, HTTP (CONNECT, absolute form) or SOCKS5, the decision, the relay, the log line. */
#include "proxy.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "net.h"
#include "relay.h"
#include "socks5.h"

/* Messages and rules quote hosts and rules of bounded length into bounded buffers:
 * cutting an over-long one short is intended. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define NP_CLIENT_BUFFER (NP_HTTP_HEADER_BLOCK_MAX + 4096)
#define NP_CONNECT_TIMEOUT_MS 30000
#define NP_PING "RINGFENCE-PING "
#define NP_PING_LEN (sizeof(NP_PING) - 1)
#define NP_PING_TOKEN_MAX 64

typedef struct {
  np_proxy *px;
  int fd;
  char buf[NP_CLIENT_BUFFER];
  size_t len;
  int64_t deadline; /* for the request (slow clients are cut off here) */
  np_log_entry entry;
  char host[NP_HOST_TEXT_MAX];
  char rule[400];
} client;

/* The outcome of deciding and connecting. */
typedef struct {
  int server_fd;       /* >= 0 when allowed and connected */
  int http_status;     /* otherwise: 403 blocked, 400 bad, 502 failed */
  uint8_t socks_code;
  char message[512];   /* for the client's 403/502 body */
} outcome;

static int read_more(client *c) {
  if (c->len >= sizeof(c->buf))
    return -E2BIG;
  ssize_t n = np_read_until(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, c->deadline);
  if (n == 0)
    return -ECONNRESET;
  if (n < 0)
    return (int)n;
  c->len += (size_t)n;
  return 0;
}

static void log_entry(client *c, bool allowed, uint64_t up, uint64_t down) {
  c->entry.host = c->host[0] ? c->host : "-";
  c->entry.rule = c->rule;
  c->entry.allowed = allowed;
  c->entry.bytes_up = up;
  c->entry.bytes_down = down;
  np_log_write(c->px->log, &c->entry);
}

static uint8_t socks_code_for(int err) {
  switch (err) {
  case ECONNREFUSED:
    return NP_SOCKS_CONNECTION_REFUSED;
  case ENETUNREACH:
    return NP_SOCKS_NETWORK_UNREACHABLE;
  case ETIMEDOUT:
    return NP_SOCKS_TTL_EXPIRED;
  default:
    return NP_SOCKS_HOST_UNREACHABLE;
  }
}

__attribute__((format(printf, 5, 6))) static void block(client *c, outcome *o, int status, uint8_t socks,
                                                        const char *fmt, ...) {
  (void)c;
  o->server_fd = -1;
  o->http_status = status;
  o->socks_code = socks;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(o->message, sizeof(o->message), fmt, ap);
  va_end(ap);
}

/* The decision on host:port, then the connection: directly to an address that
 * was checked (resolved once, here), through the upstream's tunnel, or (raw) to
 * the upstream HTTP proxy itself for a plain request it will route. */
static void open_target(client *c, const char *raw_host, uint16_t port, bool raw_upstream, outcome *o) {
  np_proxy *px = c->px;
  char norm[NP_HOST_TEXT_MAX];
  snprintf(c->host, sizeof(c->host), "%s", raw_host);
  c->entry.port = port;
  if (np_host_normalize(raw_host, strlen(raw_host), norm, sizeof(norm)) < 0) {
    snprintf(c->rule, sizeof(c->rule), "invalid-host");
    block(c, o, 400, NP_SOCKS_HOST_UNREACHABLE, "ringfence: '%s' is not a valid host name or address%s\n", c->host, "");
    return;
  }
  snprintf(c->host, sizeof(c->host), "%s", norm);
  np_match m = np_rules_match_host(px->rules, norm, c->rule, sizeof(c->rule));
  if (m != NP_MATCH_ALLOW) {
    if (m == NP_MATCH_DENY)
      block(c, o, 403, NP_SOCKS_NOT_ALLOWED, "ringfence: %s is blocked by rule %s (deny wins over allow)\n", c->host,
            c->rule);
    else
      block(c, o, 403, NP_SOCKS_NOT_ALLOWED, "ringfence: %s is blocked by rule %s; to allow it: --allow-domain %s\n",
            c->host, c->rule, c->host);
    return;
  }
  char allow_rule[sizeof(c->rule)];
  snprintf(allow_rule, sizeof(allow_rule), "%s", c->rule);
  int64_t deadline = np_now_ms() + NP_CONNECT_TIMEOUT_MS;
  char err[400];
  if (px->upstream) {
    int fd = raw_upstream ? np_upstream_connect(px->upstream, deadline)
                          : np_upstream_tunnel(px->upstream, norm, port, deadline, err, sizeof(err));
    if (fd < 0) {
      if (raw_upstream)
        snprintf(err, sizeof(err), "upstream proxy %s:%u unreachable: %s", px->upstream->host, px->upstream->port,
                 strerror(-fd));
      snprintf(c->rule, sizeof(c->rule), "upstream-failed: %s", err);
      block(c, o, 502, fd == -ECONNREFUSED ? NP_SOCKS_GENERAL_FAILURE : socks_code_for(-fd),
            "ringfence: %s could not be reached: %s\n", c->host, err);
      return;
    }
    o->server_fd = fd;
    return;
  }
  np_addr addrs[NP_RESOLVE_MAX];
  int n = np_resolve(px->resolver, norm, addrs, NP_RESOLVE_MAX, err, sizeof(err));
  if (n < 0) {
    snprintf(c->rule, sizeof(c->rule), "resolve-failed");
    block(c, o, 502, NP_SOCKS_HOST_UNREACHABLE, "ringfence: %s could not be resolved: %s\n", c->host, err);
    return;
  }
  /* Every address is checked before any is used. */
  for (int i = 0; i < n; i++) {
    char text[64], arule[sizeof(c->rule)];
    np_addr_format(&addrs[i], text, sizeof(text));
    np_match am = np_rules_match_addr(px->rules, &addrs[i], arule, sizeof(arule));
    const char *why = NULL;
    if (am == NP_MATCH_DENY) {
      snprintf(c->rule, sizeof(c->rule), "%s", arule);
    } else if (am != NP_MATCH_ALLOW && np_addr_is_private(&addrs[i], &why)) {
      snprintf(c->rule, sizeof(c->rule), "private-address:%s", text);
      char detail[300];
      snprintf(detail, sizeof(detail), "%s (%s); a private address is reached only when that literal is allowlisted: --allow-domain %s",
               text, why, text);
      block(c, o, 403, NP_SOCKS_NOT_ALLOWED, "ringfence: %s resolves to %s\n", c->host, detail);
      return;
    } else {
      continue;
    }
    block(c, o, 403, NP_SOCKS_NOT_ALLOWED, "ringfence: %s is blocked by rule %s\n", c->host, c->rule);
    return;
  }
  int fd = -ENOENT;
  for (int i = 0; i < n && fd < 0; i++)
    fd = np_connect(&addrs[i], port, deadline);
  if (fd < 0) {
    snprintf(c->rule, sizeof(c->rule), "connect-failed: %s", strerror(-fd));
    block(c, o, 502, socks_code_for(-fd), "ringfence: %s could not be reached: %s\n", c->host, strerror(-fd));
    return;
  }
  snprintf(c->rule, sizeof(c->rule), "%s", allow_rule);
  o->server_fd = fd;
}

static const char *reason(int status) {
  switch (status) {
  case 400:
    return "Bad Request";
  case 403:
    return "Forbidden";
  case 408:
    return "Request Timeout";
  case 431:
    return "Request Header Fields Too Large";
  default:
    return "Bad Gateway";
  }
}

/* An answer of ours, and the end of the connection.  |header|: "" or "Name: value\r\n". */
static void http_write(client *c, int status, const char *header, const char *body) {
  char resp[2048];
  int n = snprintf(resp, sizeof(resp),
                   "HTTP/1.1 %d %s\r\n%sContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                   status, reason(status), header, strlen(body), body);
  if (n > 0)
    np_write_all(c->fd, resp, (size_t)n < sizeof(resp) ? (size_t)n : sizeof(resp) - 1, np_now_ms() + 5000);
}

static void http_answer(client *c, int status, const char *body) {
  http_write(c, status, "", body);
}

/* 403 with X-Ringfence-Blocked: RULE, or 400/502 with X-Ringfence-Error. */
static void http_refuse(client *c, const outcome *o) {
  char header[600];
  snprintf(header, sizeof(header), "%s: %s\r\n", o->http_status == 403 ? "X-Ringfence-Blocked" : "X-Ringfence-Error",
           c->rule);
  size_t hl = strlen(header);
  for (size_t i = 0; i + 2 < hl; i++) /* the rule may quote hostile input: one line only */
    if (header[i] == '\r' || header[i] == '\n')
      header[i] = ' ';
  http_write(c, o->http_status, header, o->message);
}

static ssize_t http_filter(void *ctx, const char *data, size_t len, bool *stop) {
  np_http_request *req = ctx;
  ssize_t n = np_http_request_feed(req, data, len);
  *stop = req->message_done;
  return n;
}

static void serve_http(client *c) {
  np_proxy *px = c->px;
  np_http_request *req = malloc(sizeof(*req));
  np_http_target *t = malloc(sizeof(*t));
  char *out = malloc(NP_HTTP_HEADER_BLOCK_MAX + NP_HTTP_URL_MAX + 1024);
  if (!req || !t || !out)
    goto done;
  np_http_request_init(req);
  c->entry.method = "HTTP";
  size_t fed = 0;
  int rc = 0;
  for (;;) {
    ssize_t n = np_http_request_feed(req, c->buf + fed, c->len - fed);
    if (n < 0) {
      rc = (int)n;
      break;
    }
    fed += (size_t)n;
    if (req->headers_done)
      break;
    rc = read_more(c);
    if (rc < 0)
      break;
  }
  if (rc < 0) {
    snprintf(c->rule, sizeof(c->rule), "%s", rc == -ETIMEDOUT ? "request-timeout" : rc == -E2BIG ? "request-too-large"
                                         : rc == -ECONNRESET ? "client-closed" : "bad-request");
    if (rc == -ETIMEDOUT)
      http_answer(c, 408, "ringfence: the request did not arrive in time\n");
    else if (rc == -E2BIG)
      http_answer(c, 431, "ringfence: the request line or headers are too large\n");
    else if (rc != -ECONNRESET)
      http_answer(c, 400, "ringfence: not an HTTP proxy request\n");
    log_entry(c, false, 0, 0);
    goto done;
  }
  char err[300];
  if (np_http_request_target(req, t, err, sizeof(err)) < 0) {
    snprintf(c->rule, sizeof(c->rule), "bad-request");
    char body[400];
    snprintf(body, sizeof(body), "ringfence: %s\n", err);
    http_answer(c, 400, body);
    log_entry(c, false, 0, 0);
    goto done;
  }
  c->entry.method = t->method;
  snprintf(c->host, sizeof(c->host), "%s", t->host);
  c->entry.port = t->port;
  if (px->opts->limited) {
    bool ok = !t->is_connect && (strcmp(t->method, "GET") == 0 || strcmp(t->method, "HEAD") == 0 ||
                                 strcmp(t->method, "OPTIONS") == 0);
    if (!ok) {
      outcome o;
      snprintf(c->rule, sizeof(c->rule), "limited-mode");
      block(c, &o, 403, 0, "ringfence: %s is blocked by rule %s: only GET, HEAD and OPTIONS over plain HTTP\n", c->host, c->rule);
      http_refuse(c, &o);
      log_entry(c, false, 0, 0);
      goto done;
    }
  }
  bool via_http_upstream = px->upstream && px->upstream->kind == NP_UPSTREAM_HTTP;
  outcome o;
  open_target(c, t->host, t->port, !t->is_connect && via_http_upstream, &o);
  if (o.server_fd < 0) {
    http_refuse(c, &o);
    log_entry(c, false, 0, 0);
    goto done;
  }
  int64_t wdeadline = np_now_ms() + (int64_t)px->opts->idle_timeout_s * 1000;
  np_relay_bytes bytes = {0, 0};
  uint64_t first_up = 0;
  bool client_done = false;
  if (t->is_connect) {
    static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
    rc = np_write_all(c->fd, ok, sizeof(ok) - 1, wdeadline);
    if (rc == 0 && c->len > fed) {
      rc = np_write_all(o.server_fd, c->buf + fed, c->len - fed, wdeadline);
      first_up = c->len - fed;
    }
  } else {
    snprintf(t->host, sizeof(t->host), "%s", c->host); /* the normalised name goes on */
    ssize_t hl = np_http_request_build(req, t, via_http_upstream, out, NP_HTTP_HEADER_BLOCK_MAX + NP_HTTP_URL_MAX + 1024);
    rc = hl < 0 ? (int)hl : np_write_all(o.server_fd, out, (size_t)hl, wdeadline);
    if (hl > 0)
      first_up += (uint64_t)hl;
    if (rc == 0 && !req->message_done && c->len > fed) {
      ssize_t body = np_http_request_feed(req, c->buf + fed, c->len - fed);
      rc = body < 0 ? (int)body : np_write_all(o.server_fd, c->buf + fed, (size_t)body, wdeadline);
      if (body > 0)
        first_up += (uint64_t)body;
    }
    client_done = req->message_done;
  }
  if (rc == 0)
    rc = np_relay(c->fd, o.server_fd, px->opts->idle_timeout_s * 1000, t->is_connect ? NULL : http_filter, req,
                  client_done, &bytes);
  close(o.server_fd);
  log_entry(c, true, bytes.up + first_up, bytes.down);
done:
  free(req);
  free(t);
  free(out);
}

static void serve_socks(client *c) {
  np_proxy *px = c->px;
  c->entry.method = "SOCKS5";
  int no_auth = 0, glen;
  while ((glen = np_socks5_parse_greeting((uint8_t *)c->buf, c->len, &no_auth)) == 0)
    if (read_more(c) < 0)
      return;
  if (glen < 0) {
    snprintf(c->rule, sizeof(c->rule), "bad-request");
    log_entry(c, false, 0, 0);
    return;
  }
  uint8_t method[2] = {5, no_auth ? NP_SOCKS_METHOD_NONE : NP_SOCKS_METHOD_REFUSED};
  if (np_write_all(c->fd, method, 2, c->deadline) < 0)
    return;
  if (!no_auth) {
    snprintf(c->rule, sizeof(c->rule), "socks-authentication-not-offered");
    log_entry(c, false, 0, 0);
    return;
  }
  memmove(c->buf, c->buf + glen, c->len - (size_t)glen);
  c->len -= (size_t)glen;
  np_socks5_request req;
  uint8_t code, reply[10];
  int rlen;
  while ((rlen = np_socks5_parse_request((uint8_t *)c->buf, c->len, &req, &code)) == 0)
    if (read_more(c) < 0)
      return;
  if (rlen < 0) {
    np_write_all(c->fd, reply, np_socks5_reply(code, reply), c->deadline);
    snprintf(c->rule, sizeof(c->rule), "bad-request");
    log_entry(c, false, 0, 0);
    return;
  }
  snprintf(c->host, sizeof(c->host), "%s", req.host);
  c->entry.port = req.port;
  if (req.command != 1 || px->opts->limited) {
    code = px->opts->limited ? NP_SOCKS_NOT_ALLOWED : NP_SOCKS_COMMAND_NOT_SUPPORTED;
    snprintf(c->rule, sizeof(c->rule), "%s", px->opts->limited ? "limited-mode" : "socks-command-not-supported");
    np_write_all(c->fd, reply, np_socks5_reply(code, reply), c->deadline);
    log_entry(c, false, 0, 0);
    return;
  }
  outcome o;
  open_target(c, req.host, req.port, false, &o);
  if (o.server_fd < 0) {
    np_write_all(c->fd, reply, np_socks5_reply(o.socks_code, reply), c->deadline);
    log_entry(c, false, 0, 0);
    return;
  }
  int64_t wdeadline = np_now_ms() + (int64_t)px->opts->idle_timeout_s * 1000;
  int rc = np_write_all(c->fd, reply, np_socks5_reply(NP_SOCKS_OK, reply), wdeadline);
  uint64_t first_up = 0;
  if (rc == 0 && c->len > (size_t)rlen) {
    rc = np_write_all(o.server_fd, c->buf + rlen, c->len - (size_t)rlen, wdeadline);
    first_up = c->len - (size_t)rlen;
  }
  np_relay_bytes bytes = {0, 0};
  if (rc == 0)
    np_relay(c->fd, o.server_fd, px->opts->idle_timeout_s * 1000, NULL, NULL, false, &bytes);
  close(o.server_fd);
  log_entry(c, true, bytes.up + first_up, bytes.down);
}

/* "RINGFENCE-PING TOKEN\n" -> "RINGFENCE-PONG TOKEN\n": the core's check that the route works end to end. */
static void serve_ping(client *c) {
  char *nl;
  while (!(nl = memchr(c->buf, '\n', c->len)) && c->len <= NP_PING_LEN + NP_PING_TOKEN_MAX)
    if (read_more(c) < 0)
      return;
  if (!nl)
    return;
  size_t tlen = (size_t)(nl - c->buf) - NP_PING_LEN;
  if (tlen == 0 || tlen > NP_PING_TOKEN_MAX)
    return;
  for (size_t i = 0; i < tlen; i++)
    if (c->buf[NP_PING_LEN + i] < 0x21 || c->buf[NP_PING_LEN + i] > 0x7e)
      return;
  char pong[NP_PING_LEN + NP_PING_TOKEN_MAX + 2];
  memcpy(pong, "RINGFENCE-PONG ", NP_PING_LEN);
  memcpy(pong + NP_PING_LEN, c->buf + NP_PING_LEN, tlen);
  pong[NP_PING_LEN + tlen] = '\n';
  np_write_all(c->fd, pong, NP_PING_LEN + tlen + 1, c->deadline);
}

static void serve(client *c) {
  c->deadline = np_now_ms() + (int64_t)c->px->opts->header_timeout_s * 1000;
  if (read_more(c) < 0)
    return;
  if ((uint8_t)c->buf[0] == 0x05) {
    serve_socks(c);
    return;
  }
  while (c->len < NP_PING_LEN && memcmp(c->buf, NP_PING, c->len) == 0)
    if (read_more(c) < 0)
      return;
  if (memcmp(c->buf, NP_PING, NP_PING_LEN) == 0)
    serve_ping(c);
  else
    serve_http(c);
}

static void *client_thread(void *arg) {
  client *c = arg;
  serve(c);
  close(c->fd);
  atomic_fetch_sub(&c->px->clients, 1);
  free(c);
  return NULL;
}

int np_client_start(np_proxy *px, int fd) {
  if (atomic_fetch_add(&px->clients, 1) >= px->opts->max_clients) {
    atomic_fetch_sub(&px->clients, 1);
    close(fd);
    np_log_entry e = {.host = "-", .method = "-", .rule = "too-many-clients"};
    np_log_write(px->log, &e);
    return -EAGAIN;
  }
  client *c = calloc(1, sizeof(*c));
  if (!c) {
    atomic_fetch_sub(&px->clients, 1);
    close(fd);
    return -ENOMEM;
  }
  c->px = px;
  c->fd = fd;
  np_set_nonblock(fd);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 512 * 1024);
  pthread_t th;
  int rc = pthread_create(&th, &attr, client_thread, c);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    atomic_fetch_sub(&px->clients, 1);
    close(fd);
    free(c);
    return -rc;
  }
  return 0;
}
