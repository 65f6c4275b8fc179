/* quote.h: user input as an error message may show it (declared here, made in quote.c). */
#pragma once

#include <glib.h>

/* Bytes of user input an error message shows at most; the rest is summarised by its length. */
#define RF_QUOTE_MAX_BYTES 60

/* |text| (|len| bytes, or up to its NUL when |len| < 0) between |quote| characters, safe to
 * print on a terminal: control characters, invalid UTF-8, the quote and the backslash escaped
 * (\n, \t, \xHH, \u{HHHH}); longer than RF_QUOTE_MAX_BYTES, the first RF_QUOTE_MAX_BYTES
 * followed by "... (N bytes)".  A 10 MiB value thus costs an error message ~100 bytes.  NULL
 * reads as "".  Free with g_free. */
char *rf_quote_with(const char *text, gssize len, char quote);
/* rf_quote_with(text, len, '\''). */
char *rf_quote(const char *text, gssize len);
