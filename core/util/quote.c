/* quote.c: user input quoted for error messages: bounded, escaped, one rule for every message (config values, TOML, CLI arguments). */
#include "quote.h"

#include <string.h>

static void append_escaped_char(GString *out, const char *p, gunichar c, char quote) {
  switch (c) {
  case '\n':
    g_string_append(out, "\\n");
    return;
  case '\t':
    g_string_append(out, "\\t");
    return;
  case '\r':
    g_string_append(out, "\\r");
    return;
  case '\\':
    g_string_append(out, "\\\\");
    return;
  default:
    break;
  }
  if (quote && c == (gunichar)(guchar)quote) {
    g_string_append_c(out, '\\');
    g_string_append_c(out, quote);
  } else if (c < 0x80 && !g_ascii_isprint((int)c)) {
    g_string_append_printf(out, "\\x%02X", c);
  } else if (c >= 0x80 && !g_unichar_isprint(c)) {
    /* C1 controls, bidirectional overrides, unassigned code points: a terminal may act on
     * them or draw the message in another order. */
    g_string_append_printf(out, "\\u{%04X}", c);
  } else {
    g_string_append_len(out, p, (gssize)g_utf8_skip[*(const guchar *)p]);
  }
}

char *rf_quote_with(const char *text, gssize len, char quote, gsize max_bytes) {
  if (!text)
    text = "";
  gsize total = len < 0 ? strlen(text) : (gsize)len;
  gsize shown = MIN(total, max_bytes);
  GString *out = g_string_sized_new(shown * 2 + 32);
  if (quote)
    g_string_append_c(out, quote);
  const char *p = text, *end = text + shown;
  while (p < end) {
    const char *next = NULL;
    gunichar c = (guchar)*p < 0x80 ? (gunichar)(guchar)*p : 0;
    if ((guchar)*p >= 0x80) {
      gsize left = (gsize)(text + total - p);
      gunichar u = g_utf8_get_char_validated(p, (gssize)left);
      if (u == (gunichar)-1 || u == (gunichar)-2) {
        g_string_append_printf(out, "\\x%02X", (guchar)*p);
        p++;
        continue;
      }
      next = g_utf8_next_char(p);
      if (next > end)
        break; /* a character cut by the limit: leave it to the "..." */
      c = u;
    }
    append_escaped_char(out, p, c, quote);
    p = next ? next : p + 1;
  }
  if (quote)
    g_string_append_c(out, quote);
  if (p < text + total)
    g_string_append_printf(out, "... (%" G_GSIZE_FORMAT " bytes)", total);
  return g_string_free(out, FALSE);
}

char *rf_quote(const char *text, gssize len) {
  return rf_quote_with(text, len, '\'', RF_QUOTE_MAX_BYTES);
}

char *rf_quote_path(const char *path) {
  return rf_quote_with(path, -1, '\'', RF_QUOTE_MAX_PATH_BYTES);
}

char *rf_excerpt(const char *text) {
  return rf_quote_with(text, -1, 0, RF_QUOTE_MAX_BYTES);
}

char *rf_path_excerpt(const char *path) {
  return rf_quote_with(path, -1, 0, RF_QUOTE_MAX_PATH_BYTES);
}
