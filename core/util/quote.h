/* quote.h: user input as an error message may show it (declared here, made in quote.c). */
#pragma once

#include <glib.h>

/* Bytes of a user's value an error message shows at most; the rest is summarised by its
 * length.  File names get more (a real one is rarely longer, and FILE:LINE must stay usable). */
#define RF_QUOTE_MAX_BYTES 60
#define RF_QUOTE_MAX_PATH_BYTES 512

/* |text| (|len| bytes, or up to its NUL when |len| < 0) between |quote| characters (0: none),
 * safe to print on a terminal: control characters, invalid UTF-8, the quote and the backslash
 * escaped (\n, \t, \xHH, \u{HHHH}); longer than |max_bytes|, the first |max_bytes| (whole
 * characters) followed by "... (N bytes)".  A 10 MiB value thus costs an error message ~100
 * bytes.  NULL reads as "".  Free with g_free. */
char *rf_quote_with(const char *text, gssize len, char quote, gsize max_bytes);
/* A value in single quotes: rf_quote_with(text, len, '\'', RF_QUOTE_MAX_BYTES). */
char *rf_quote(const char *text, gssize len);
/* A path in single quotes, up to RF_QUOTE_MAX_PATH_BYTES. */
char *rf_quote_path(const char *path);
/* rf_quote without quotes: a -c assignment as the message shows it. */
char *rf_excerpt(const char *text);
/* A file name without quotes, up to RF_QUOTE_MAX_PATH_BYTES: FILE:LINE:COLUMN stays as is. */
char *rf_path_excerpt(const char *path);
