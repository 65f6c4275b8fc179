/* strv.c: rf_strv, the plugins' string vector, and shell quoting for display. */
#include "strv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rf_strv_init(rf_strv *v) {
  memset(v, 0, sizeof(*v));
}

static void push(rf_strv *v, char *owned) {
  if (v->failed || !owned) {
    v->failed = 1;
    free(owned);
    return;
  }
  if (v->len + 2 > v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 32;
    char **items = realloc(v->items, cap * sizeof(char *));
    if (!items) {
      v->failed = 1;
      free(owned);
      return;
    }
    v->items = items;
    v->cap = cap;
  }
  v->items[v->len++] = owned;
  v->items[v->len] = NULL;
}

void rf_strv_add(rf_strv *v, const char *s) {
  push(v, strdup(s));
}

void rf_strv_addf(rf_strv *v, const char *fmt, ...) {
  va_list ap;
  char *s = NULL;
  va_start(ap, fmt);
  if (vasprintf(&s, fmt, ap) < 0)
    s = NULL;
  va_end(ap);
  push(v, s);
}

void rf_strv_clear(rf_strv *v) {
  for (size_t i = 0; i < v->len; i++)
    free(v->items[i]);
  free(v->items);
  rf_strv_init(v);
}

static int needs_quoting(const char *s) {
  if (!*s)
    return 1;
  for (; *s; s++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_-+=:,./", *s))
      return 1;
  return 0;
}

char *rf_shell_quote(const char *s) {
  if (!needs_quoting(s))
    return strdup(s);
  size_t n = 3;
  for (const char *p = s; *p; p++)
    n += *p == '\'' ? 4 : 1;
  char *out = malloc(n), *o = out;
  if (!out)
    return NULL;
  *o++ = '\'';
  for (const char *p = s; *p; p++) {
    if (*p == '\'') {
      memcpy(o, "'\\''", 4);
      o += 4;
    } else {
      *o++ = *p;
    }
  }
  *o++ = '\'';
  *o = '\0';
  return out;
}

char *rf_strv_join_quoted(const char *const *argv) {
  size_t cap = 256, len = 0;
  char *out = malloc(cap);
  if (!out)
    return NULL;
  out[0] = '\0';
  for (size_t i = 0; argv && argv[i]; i++) {
    char *q = rf_shell_quote(argv[i]);
    if (!q) {
      free(out);
      return NULL;
    }
    size_t ql = strlen(q);
    if (len + ql + 2 > cap) {
      while (len + ql + 2 > cap)
        cap *= 2;
      char *grown = realloc(out, cap);
      if (!grown) {
        free(q);
        free(out);
        return NULL;
      }
      out = grown;
    }
    if (i)
      out[len++] = ' ';
    memcpy(out + len, q, ql + 1);
    len += ql;
    free(q);
  }
  return out;
}
