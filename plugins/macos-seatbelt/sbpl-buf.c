/* sbpl-buf.c: a growable string for building profiles and messages (no escaping: see sbpl-escape.c). */
#include "seatbelt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(rf_sbuf *buf, size_t extra) {
  if (buf->failed)
    return -1;
  if (buf->len + extra + 1 <= buf->cap)
    return 0;
  size_t cap = buf->cap ? buf->cap : 256;
  while (cap < buf->len + extra + 1) {
    if (cap > (size_t)-1 / 2) {
      buf->failed = 1;
      return -1;
    }
    cap *= 2;
  }
  char *data = realloc(buf->data, cap);
  if (!data) {
    buf->failed = 1;
    return -1;
  }
  buf->data = data;
  buf->cap = cap;
  return 0;
}

void rf_sbuf_append_len(rf_sbuf *buf, const char *text, size_t len) {
  if (reserve(buf, len) < 0)
    return;
  memcpy(buf->data + buf->len, text, len);
  buf->len += len;
  buf->data[buf->len] = '\0';
}

void rf_sbuf_append(rf_sbuf *buf, const char *text) {
  rf_sbuf_append_len(buf, text, strlen(text));
}

void rf_sbuf_appendf(rf_sbuf *buf, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int needed = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (needed < 0) {
    buf->failed = 1;
    return;
  }
  if (reserve(buf, (size_t)needed) < 0)
    return;
  va_start(ap, fmt);
  vsnprintf(buf->data + buf->len, (size_t)needed + 1, fmt, ap);
  va_end(ap);
  buf->len += (size_t)needed;
}

char *rf_sbuf_steal(rf_sbuf *buf) {
  if (!buf->failed && reserve(buf, 0) == 0) {
    char *data = buf->data;
    *buf = (rf_sbuf){0};
    return data;
  }
  rf_sbuf_clear(buf);
  return NULL;
}

void rf_sbuf_clear(rf_sbuf *buf) {
  free(buf->data);
  *buf = (rf_sbuf){0};
}
