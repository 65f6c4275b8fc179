/* log.c: the proxy's connection log, text and JSON lines (see log.h). */
#include "log.h"

#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct np_log {
  int text_fd, json_fd;
};

np_log *np_log_new(int text_fd, int json_fd) {
  np_log *log = g_new0(np_log, 1);
  log->text_fd = text_fd;
  log->json_fd = json_fd;
  return log;
}

void np_log_free(np_log *log) {
  g_free(log);
}

/* Printable ASCII only: the host comes from the sandbox and ends up on a terminal. */
static void sanitise(const char *in, char *out, size_t cap, bool spaces) {
  size_t n = 0;
  for (; in && *in && n + 1 < cap; in++)
    out[n++] = ((*in >= 0x21 || (spaces && *in == ' ')) && *in < 0x7f && *in != '"' && *in != '\\') ? *in : '?';
  out[n] = '\0';
}

static void write_line(int fd, const char *line, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, line, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    line += n;
    len -= (size_t)n;
  }
}

void np_log_write(np_log *log, const np_log_entry *e) {
  char host[300], rule[300], method[32], line[1024];
  sanitise(e->host, host, sizeof(host), false);
  sanitise(e->rule, rule, sizeof(rule), true);
  sanitise(e->method, method, sizeof(method), false);
  const char *decision = e->allowed ? "allow" : "deny";
  /* What to allow, when allowing would help: the name, or the private address. */
  const char *hint = NULL;
  if (!e->allowed && strcmp(rule, "not-allowlisted") == 0)
    hint = host;
  else if (!e->allowed && strncmp(rule, "private-address:", 16) == 0)
    hint = rule + 16;
  if (log->text_fd >= 0) {
    int n = snprintf(line, sizeof(line),
                     "ringfence-netproxy: %s %s %s:%u rule=%s bytes_up=%" PRIu64 " bytes_down=%" PRIu64 "%s%s%s\n",
                     decision, method, host, e->port, rule, e->bytes_up, e->bytes_down,
                     hint ? " (to allow it: --allow-domain " : "", hint ? hint : "", hint ? ")" : "");
    if (n > 0)
      write_line(log->text_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
  }
  if (log->json_fd >= 0) {
    struct timespec ts;
    struct tm tm;
    char when[40];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    int n = snprintf(line, sizeof(line),
                     "{\"time\":\"%s.%03ldZ\",\"host\":\"%s\",\"port\":%u,\"method\":\"%s\",\"decision\":\"%s\","
                     "\"rule\":\"%s\",\"bytes_up\":%" PRIu64 ",\"bytes_down\":%" PRIu64 "}\n",
                     when, ts.tv_nsec / 1000000, host, e->port, method, decision, rule, e->bytes_up, e->bytes_down);
    if (n > 0)
      write_line(log->json_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
  }
}
