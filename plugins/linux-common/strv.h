/* strv.h: a growable NULL-terminated string vector for plugins, which do not link GLib. */
#pragma once

#include <stddef.h>

typedef struct {
  char **items; /* NULL-terminated; owned */
  size_t len;
  size_t cap;
  int failed; /* an allocation failed: every later add is a no-op */
} rf_strv;

void rf_strv_init(rf_strv *v);
void rf_strv_add(rf_strv *v, const char *s);
void rf_strv_addf(rf_strv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rf_strv_clear(rf_strv *v);
/* Shell-quoted single line (for explain and messages); caller frees. */
char *rf_strv_join_quoted(const char *const *argv);
char *rf_shell_quote(const char *s);
