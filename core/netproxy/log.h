/* log.h: one line per connection for people (--log-fd) and as JSON (--log-json-fd): host, port, method, decision, rule, bytes. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct np_log np_log;

typedef struct {
  const char *host;   /* as requested (sanitised here before printing) */
  uint16_t port;
  const char *method; /* CONNECT, GET..., SOCKS5 */
  bool allowed;
  const char *rule;   /* the rule that decided, or why the connection failed */
  uint64_t bytes_up;  /* client to server */
  uint64_t bytes_down;
} np_log_entry;

/* Either fd may be -1.  The log does not own them. */
np_log *np_log_new(int text_fd, int json_fd);
void np_log_free(np_log *log);
/* Writes the entry to both (one write each, so lines from threads never mix). */
void np_log_write(np_log *log, const np_log_entry *e);
