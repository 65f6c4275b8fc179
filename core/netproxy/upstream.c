/* upstream.c: connecting through the user's upstream proxy, HTTP CONNECT or SOCKS5 with remote names (see upstream.h). */
#include "upstream.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "net.h"
#include "rules.h"
#include "socks5.h"

int np_upstream_init(np_upstream *u, const char *url, const np_resolver *res, char *err, size_t errlen) {
  memset(u, 0, sizeof(*u));
  g_autofree char *scheme = NULL, *userinfo = NULL, *host = NULL, *path = NULL, *query = NULL, *fragment = NULL;
  int port = -1;
  if (!g_uri_split(url, G_URI_FLAGS_NONE, &scheme, &userinfo, &host, &port, &path, &query, &fragment, NULL) ||
      !scheme || !host || !*host || port <= 0 || port > 65535 || (path && *path && strcmp(path, "/") != 0) ||
      query || fragment) {
    snprintf(err, errlen, "--upstream %s: expected http://HOST:PORT or socks5h://HOST:PORT (USER:PASSWORD@ allowed)",
             url);
    return -EINVAL;
  }
  if (g_ascii_strcasecmp(scheme, "http") == 0)
    u->kind = NP_UPSTREAM_HTTP;
  else if (g_ascii_strcasecmp(scheme, "socks5h") == 0)
    u->kind = NP_UPSTREAM_SOCKS5H;
  else {
    snprintf(err, errlen,
             "--upstream %s: scheme %s is not supported (http:// or socks5h://; socks5:// would resolve names "
             "here, use socks5h)",
             url, scheme);
    return -EINVAL;
  }
  if (np_host_normalize(host, strlen(host), u->host, sizeof(u->host)) < 0) {
    snprintf(err, errlen, "--upstream %s: '%s' is not a host name or address", url, host);
    return -EINVAL;
  }
  u->port = (uint16_t)port;
  if (userinfo) {
    g_autofree char *plain = g_uri_unescape_string(userinfo, NULL);
    char *colon = plain ? strchr(plain, ':') : NULL;
    if (!plain || !colon || (size_t)(colon - plain) >= sizeof(u->user) || strlen(colon + 1) >= sizeof(u->password) ||
        colon == plain) {
      snprintf(err, errlen, "--upstream: the credentials must be USER:PASSWORD (each under 256 bytes)");
      return -EINVAL;
    }
    *colon = '\0';
    g_strlcpy(u->user, plain, sizeof(u->user));
    g_strlcpy(u->password, colon + 1, sizeof(u->password));
    u->has_auth = true;
  }
  char why[300];
  int n = np_resolve(res, u->host, u->addrs, NP_RESOLVE_MAX, why, sizeof(why));
  if (n < 0) {
    snprintf(err, errlen, "--upstream: %s", why);
    return n;
  }
  u->n_addrs = n;
  return 0;
}

int np_upstream_connect(const np_upstream *u, int64_t deadline_ms) {
  int fd = -ENOENT;
  for (int i = 0; i < u->n_addrs; i++) {
    fd = np_connect(&u->addrs[i], u->port, deadline_ms);
    if (fd >= 0)
      return fd;
  }
  return fd;
}

/* Reads exactly one message whose length |complete| tells, without reading past it. */
static int read_message(int fd, uint8_t *buf, size_t cap, int64_t deadline_ms,
                        int (*complete)(const uint8_t *, size_t, void *), void *ctx) {
  for (;;) {
    ssize_t n = recv(fd, buf, cap, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0)
      return -ECONNRESET;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      return -errno;
    if (n < 0) {
      int64_t left = deadline_ms - np_now_ms();
      if (left <= 0)
        return -ETIMEDOUT;
      struct pollfd p = {.fd = fd, .events = POLLIN};
      poll(&p, 1, left > 1000 ? 1000 : (int)left);
      continue;
    }
    int len = complete(buf, (size_t)n, ctx);
    if (len < 0)
      return len;
    if (len > 0) {
      ssize_t r = recv(fd, buf, (size_t)len, MSG_DONTWAIT);
      return r == len ? len : -EIO;
    }
    if ((size_t)n >= cap)
      return -E2BIG;
    if (np_now_ms() >= deadline_ms)
      return -ETIMEDOUT;
    /* Incomplete: wait for more than what is queued. */
    struct timespec ts = {0, 2 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

static int http_complete(const uint8_t *buf, size_t len, void *ctx) {
  size_t header_len = 0;
  int status = np_http_response_status((const char *)buf, len, &header_len);
  if (status < 0)
    return status;
  if (status == 0)
    return 0;
  *(int *)ctx = status;
  return (int)header_len;
}

static int fixed_complete(const uint8_t *buf, size_t len, void *ctx) {
  (void)buf;
  size_t want = *(size_t *)ctx;
  return len >= want ? (int)want : 0;
}

static int socks_reply_complete(const uint8_t *buf, size_t len, void *ctx) {
  return np_socks5_parse_reply(buf, len, ctx);
}

static int tunnel_http(const np_upstream *u, int fd, const char *host, uint16_t port, int64_t deadline_ms, char *err,
                       size_t errlen) {
  char req[1024];
  bool v6 = strchr(host, ':') != NULL;
  int n = snprintf(req, sizeof(req), v6 ? "CONNECT [%s]:%u HTTP/1.1\r\nHost: [%s]:%u\r\n" : "CONNECT %s:%u HTTP/1.1\r\nHost: %s:%u\r\n",
                   host, port, host, port);
  if (u->has_auth) {
    g_autofree char *cred = g_strdup_printf("%s:%s", u->user, u->password);
    g_autofree char *b64 = g_base64_encode((const guchar *)cred, strlen(cred));
    n += snprintf(req + n, sizeof(req) - (size_t)n, "Proxy-Authorization: Basic %s\r\n", b64);
  }
  n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\n");
  if ((size_t)n >= sizeof(req))
    return -E2BIG;
  int rc = np_write_all(fd, req, (size_t)n, deadline_ms);
  if (rc < 0)
    return rc;
  uint8_t buf[NP_HTTP_HEADER_BLOCK_MAX];
  int status = 0;
  rc = read_message(fd, buf, sizeof(buf), deadline_ms, http_complete, &status);
  if (rc < 0) {
    snprintf(err, errlen, "upstream proxy %s:%u: no valid answer to CONNECT (%s)", u->host, u->port, g_strerror(-rc));
    return rc;
  }
  if (status / 100 != 2) {
    snprintf(err, errlen, "upstream proxy %s:%u answered %d to CONNECT %s:%u", u->host, u->port, status, host, port);
    return -ECONNREFUSED;
  }
  return 0;
}

static int tunnel_socks(const np_upstream *u, int fd, const char *host, uint16_t port, int64_t deadline_ms, char *err,
                        size_t errlen) {
  uint8_t msg[600];
  uint8_t greet[4] = {5, 1, NP_SOCKS_METHOD_NONE, 0};
  size_t glen = 3;
  if (u->has_auth) {
    greet[1] = 2;
    greet[3] = NP_SOCKS_METHOD_USERPASS;
    glen = 4;
  }
  int rc = np_write_all(fd, greet, glen, deadline_ms);
  size_t two = 2;
  if (rc == 0)
    rc = read_message(fd, msg, sizeof(msg), deadline_ms, fixed_complete, &two);
  if (rc < 0) {
    snprintf(err, errlen, "upstream SOCKS5 proxy %s:%u: no answer to the greeting (%s)", u->host, u->port,
             g_strerror(-rc));
    return rc;
  }
  if (msg[0] != 5 || (msg[1] != NP_SOCKS_METHOD_NONE && !(u->has_auth && msg[1] == NP_SOCKS_METHOD_USERPASS))) {
    snprintf(err, errlen, "upstream SOCKS5 proxy %s:%u accepts none of our authentication methods", u->host, u->port);
    return -ECONNREFUSED;
  }
  if (msg[1] == NP_SOCKS_METHOD_USERPASS) { /* RFC 1929 */
    size_t ul = strlen(u->user), pl = strlen(u->password), l = 0;
    msg[l++] = 1;
    msg[l++] = (uint8_t)ul;
    memcpy(msg + l, u->user, ul);
    l += ul;
    msg[l++] = (uint8_t)pl;
    memcpy(msg + l, u->password, pl);
    l += pl;
    rc = np_write_all(fd, msg, l, deadline_ms);
    if (rc == 0)
      rc = read_message(fd, msg, sizeof(msg), deadline_ms, fixed_complete, &two);
    if (rc < 0 || msg[1] != 0) {
      snprintf(err, errlen, "upstream SOCKS5 proxy %s:%u refused the user name and password", u->host, u->port);
      return rc < 0 ? rc : -ECONNREFUSED;
    }
  }
  int len = np_socks5_build_request(host, port, msg, sizeof(msg));
  if (len < 0)
    return len;
  rc = np_write_all(fd, msg, (size_t)len, deadline_ms);
  uint8_t code = 0xff;
  if (rc == 0)
    rc = read_message(fd, msg, sizeof(msg), deadline_ms, socks_reply_complete, &code);
  if (rc < 0) {
    snprintf(err, errlen, "upstream SOCKS5 proxy %s:%u: no valid reply (%s)", u->host, u->port, g_strerror(-rc));
    return rc;
  }
  if (code != NP_SOCKS_OK) {
    snprintf(err, errlen, "upstream SOCKS5 proxy %s:%u answered code %u for %s:%u", u->host, u->port, code, host, port);
    return -ECONNREFUSED;
  }
  return 0;
}

int np_upstream_tunnel(const np_upstream *u, const char *host, uint16_t port, int64_t deadline_ms, char *err,
                       size_t errlen) {
  int fd = np_upstream_connect(u, deadline_ms);
  if (fd < 0) {
    snprintf(err, errlen, "upstream proxy %s:%u unreachable: %s", u->host, u->port, g_strerror(-fd));
    return fd;
  }
  int rc = u->kind == NP_UPSTREAM_HTTP ? tunnel_http(u, fd, host, port, deadline_ms, err, errlen)
                                       : tunnel_socks(u, fd, host, port, deadline_ms, err, errlen);
  if (rc < 0) {
    close(fd);
    return rc;
  }
  return fd;
}
