/* core/config/toml.c: the strict TOML 1.0 reader declared in toml.h: scanning, the rules on
 * which tables may be defined or extended where, and the tree; what keys mean is the
 * config loader's business. */
#include "toml.h"

#include <math.h>
#include <string.h>

GQuark rf_toml_error_quark(void) {
  return g_quark_from_static_string("rf-toml-error-quark");
}

/* How a table or an array came to exist. It decides what may still be added to it:
 * TOML lets a table be defined once, either by a [header] or by dotted keys, and an
 * inline table never grows after its closing brace. */
typedef enum {
  ORIGIN_NONE,     /* scalars */
  ORIGIN_IMPLICIT, /* table only named as a parent by a header: [a.b] makes a */
  ORIGIN_HEADER,   /* table defined by its own [header], a [[header]] element, the root */
  ORIGIN_DOTTED,   /* table made by a dotted key: a.b = 1 makes a */
  ORIGIN_INLINE,   /* an inline table, or a table inside one: complete where written */
  ORIGIN_STATIC,   /* array written as a value, [ ... ] */
  ORIGIN_TABLES,   /* array of tables, grown by [[header]] */
} Origin;

typedef struct {
  char *key;
  gsize key_len;
  guint line, column;
  RfTomlValue *value;
} Entry;

struct _RfTomlValue {
  RfTomlType type;
  Origin origin;
  guint depth;
  guint line, column;
  union {
    struct {
      GPtrArray *entries; /* Entry *, document order */
      GHashTable *index;  /* Entry * set, hashed on the key bytes */
    } table;
    GPtrArray *array; /* RfTomlValue * */
    struct {
      char *text;
      gsize len;
    } string;
    gint64 integer;
    gdouble number;
    gboolean boolean;
    struct {
      char *text;
      RfTomlDatetime parts;
    } datetime;
  } u;
};

/* ---- the tree ---------------------------------------------------------------------- */

static guint entry_hash(gconstpointer p) {
  const Entry *entry = p;
  guint32 hash = 2166136261u; /* FNV-1a */

  for (gsize i = 0; i < entry->key_len; i++)
    hash = (hash ^ (guchar)entry->key[i]) * 16777619u;
  return hash;
}

static gboolean entry_equal(gconstpointer a, gconstpointer b) {
  const Entry *x = a, *y = b;

  return x->key_len == y->key_len && memcmp(x->key, y->key, x->key_len) == 0;
}

static void entry_free(gpointer p) {
  Entry *entry = p;

  rf_toml_value_free(entry->value);
  g_free(entry->key);
  g_free(entry);
}

static RfTomlValue *value_new(RfTomlType type, guint line, guint column, guint depth) {
  RfTomlValue *value = g_new0(RfTomlValue, 1);

  value->type = type;
  value->line = line;
  value->column = column;
  value->depth = depth;
  if (type == RF_TOML_TABLE) {
    value->u.table.entries = g_ptr_array_new_with_free_func(entry_free);
    value->u.table.index = g_hash_table_new(entry_hash, entry_equal);
  } else if (type == RF_TOML_ARRAY) {
    value->u.array = g_ptr_array_new_with_free_func((GDestroyNotify)rf_toml_value_free);
  }
  return value;
}

void rf_toml_value_free(RfTomlValue *value) {
  if (value == NULL)
    return;
  switch (value->type) {
  case RF_TOML_TABLE:
    g_hash_table_unref(value->u.table.index);
    g_ptr_array_unref(value->u.table.entries);
    break;
  case RF_TOML_ARRAY:
    g_ptr_array_unref(value->u.array);
    break;
  case RF_TOML_STRING:
    g_free(value->u.string.text);
    break;
  case RF_TOML_DATETIME:
  case RF_TOML_DATETIME_LOCAL:
  case RF_TOML_DATE_LOCAL:
  case RF_TOML_TIME_LOCAL:
    g_free(value->u.datetime.text);
    break;
  case RF_TOML_INTEGER:
  case RF_TOML_FLOAT:
  case RF_TOML_BOOLEAN:
    break;
  }
  g_free(value);
}

static Entry *table_find(const RfTomlValue *table, const char *key, gsize key_len) {
  Entry probe = {.key = (char *)key, .key_len = key_len};

  return g_hash_table_lookup(table->u.table.index, &probe);
}

/* Copies |key|; takes |value|. The key must not be in |table| yet. */
static void table_add(RfTomlValue *table, const char *key, gsize key_len, guint line, guint column,
                      RfTomlValue *value) {
  Entry *entry = g_new0(Entry, 1);

  entry->key = g_memdup2(key, key_len + 1);
  entry->key_len = key_len;
  entry->line = line;
  entry->column = column;
  entry->value = value;
  g_ptr_array_add(table->u.table.entries, entry);
  g_hash_table_add(table->u.table.index, entry);
}

/* An inline table, with every table its dotted keys made, is complete once closed. */
static void table_freeze(RfTomlValue *table) {
  table->origin = ORIGIN_INLINE;
  for (guint i = 0; i < table->u.table.entries->len; i++) {
    Entry *entry = g_ptr_array_index(table->u.table.entries, i);

    if (entry->value->type == RF_TOML_TABLE && entry->value->origin != ORIGIN_INLINE)
      table_freeze(entry->value);
  }
}

/* ---- the scanner -------------------------------------------------------------------- */

typedef struct {
  const char *start; /* after a BOM */
  const char *p;
  const char *end;
  guint line;             /* line of p */
  const char *line_start; /* first byte of that line */
  const char *col_at;     /* a position on that line whose column is known ... */
  guint col;              /* ... and that column */
  GError **error;
} Parser;

typedef struct {
  char *text;
  gsize len;
  const char *at;
  guint line, column;
} KeyPart;

static void parser_init(Parser *ps, const char *data, gsize len, GError **error) {
  memset(ps, 0, sizeof *ps);
  ps->start = ps->p = data;
  ps->end = data + len;
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
    ps->start = ps->p = data + 3;
  ps->line = 1;
  ps->line_start = ps->col_at = ps->p;
  ps->col = 1;
  ps->error = error;
}

static inline int peek(const Parser *ps) {
  return ps->p < ps->end ? (guchar)*ps->p : -1;
}

static inline int peek_at(const Parser *ps, gsize k) {
  return (gsize)(ps->end - ps->p) > k ? (guchar)ps->p[k] : -1;
}

/* Column of |at|, which must be on the current line at or after its start. Cached, so
 * that many values on one long line cost linear time. */
static guint column_of(Parser *ps, const char *at) {
  if (at < ps->col_at) {
    ps->col_at = ps->line_start;
    ps->col = 1;
  }
  for (const char *q = ps->col_at; q < at; q++)
    if (((guchar)*q & 0xC0) != 0x80)
      ps->col++;
  ps->col_at = at;
  return ps->col;
}

static void locate(const Parser *ps, const char *at, guint *line, guint *column) {
  guint l = 1, c = 1;

  for (const char *q = ps->start; q < at && q < ps->end; q++) {
    if (*q == '\n') {
      l++;
      c = 1;
    } else if (((guchar)*q & 0xC0) != 0x80) {
      c++;
    }
  }
  *line = l;
  *column = c;
}

static gboolean G_GNUC_PRINTF(4, 5)
    fail_at(Parser *ps, const char *at, RfTomlError code, const char *format, ...) {
  g_autofree char *message = NULL;
  guint line, column;
  va_list args;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  locate(ps, at, &line, &column);
  g_set_error(ps->error, RF_TOML_ERROR, code, "%u:%u: %s", line, column, message);
  return FALSE;
}

/* "'x'", "U+0007", "the end of the line": what the reader found at |at|. */
static char *describe(const Parser *ps, const char *at) {
  guchar c;

  if (at >= ps->end)
    return g_strdup("the end of the input");
  c = (guchar)*at;
  if (c == '\n' || (c == '\r' && at + 1 < ps->end && at[1] == '\n'))
    return g_strdup("the end of the line");
  if (c == '\r')
    return g_strdup("a carriage return without a line feed after it");
  if (c == ' ')
    return g_strdup("a space");
  if (c == '\t')
    return g_strdup("a tab");
  if (c > 0x20 && c < 0x7F)
    return g_strdup_printf("'%c'", c);
  if (c < 0x80)
    return g_strdup_printf("U+%04X", c);
  return g_strdup_printf("U+%04X", g_utf8_get_char(at)); /* valid: checked upfront */
}

/* Returns the first byte that does not start a well-formed UTF-8 sequence of a Unicode
 * scalar value (no overlong forms, no surrogates, nothing past U+10FFFF), or NULL. */
static const char *find_bad_utf8(const char *s, const char *end) {
  const guchar *p = (const guchar *)s, *e = (const guchar *)end;

  while (p < e) {
    guchar c = *p;
    guint need;
    guchar lo = 0x80, hi = 0xBF;

    if (c < 0x80) {
      p++;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF)
      need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      if (c == 0xE0)
        lo = 0xA0;
      else if (c == 0xED)
        hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      if (c == 0xF0)
        lo = 0x90;
      else if (c == 0xF4)
        hi = 0x8F;
    } else
      return (const char *)p;
    if ((gsize)(e - p) <= need || p[1] < lo || p[1] > hi)
      return (const char *)p;
    for (guint i = 2; i <= need; i++)
      if ((p[i] & 0xC0) != 0x80)
        return (const char *)p;
    p += need + 1;
  }
  return NULL;
}

static gboolean check_utf8(Parser *ps) {
  const char *bad = find_bad_utf8(ps->start, ps->end);

  if (bad == NULL)
    return TRUE;
  return fail_at(ps, bad, RF_TOML_ERROR_ENCODING,
                 "invalid UTF-8 (byte 0x%02X); TOML files must be UTF-8", (guchar)*bad);
}

static inline gboolean is_control(int c) {
  return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7F;
}

static inline gboolean is_bare_key_char(int c) {
  return c >= 0 && (g_ascii_isalnum(c) || c == '_' || c == '-');
}

/* Characters that may continue a number or a date/time token. */
static inline gboolean is_token_char(int c) {
  return c >= 0 && (g_ascii_isalnum(c) || c == '_' || c == '-' || c == '+' || c == '.' || c == ':');
}

static void skip_ws(Parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
    ps->p++;
}

static gboolean at_newline(const Parser *ps) {
  int c = peek(ps);

  return c == '\n' || (c == '\r' && peek_at(ps, 1) == '\n');
}

static gboolean consume_newline(Parser *ps) {
  if (!at_newline(ps))
    return FALSE;
  ps->p += *ps->p == '\r' ? 2 : 1;
  ps->line++;
  ps->line_start = ps->col_at = ps->p;
  ps->col = 1;
  return TRUE;
}

/* At '#': skips the comment up to (not over) the end of the line. */
static gboolean skip_comment(Parser *ps) {
  ps->p++;
  while (ps->p < ps->end && !at_newline(ps)) {
    int c = (guchar)*ps->p;

    if (is_control(c))
      return fail_at(ps, ps->p, RF_TOML_ERROR_ENCODING,
                     "control character U+%04X is not allowed in a comment", (guint)c);
    ps->p++;
  }
  return TRUE;
}

/* Skips spaces, tabs, comments and newlines: the blank parts inside an array. */
static gboolean skip_blank(Parser *ps) {
  for (;;) {
    skip_ws(ps);
    if (peek(ps) == '#') {
      if (!skip_comment(ps))
        return FALSE;
    } else if (!consume_newline(ps)) {
      return TRUE;
    }
  }
}

/* After a key/value pair or a header: optional spaces and comment, then a newline. */
static gboolean end_line(Parser *ps) {
  g_autofree char *found = NULL;

  skip_ws(ps);
  if (peek(ps) == '#' && !skip_comment(ps))
    return FALSE;
  if (ps->p >= ps->end || consume_newline(ps))
    return TRUE;
  found = describe(ps, ps->p);
  return fail_at(ps, ps->p, RF_TOML_ERROR_SYNTAX, "expected the end of the line, found %s", found);
}

static gboolean check_depth(Parser *ps, const char *at, guint depth) {
  if (depth <= RF_TOML_MAX_DEPTH)
    return TRUE;
  return fail_at(ps, at, RF_TOML_ERROR_TOO_DEEP, "tables and arrays nest deeper than %d levels",
                 RF_TOML_MAX_DEPTH);
}

/* ---- strings ------------------------------------------------------------------------ */

static int hex_value(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* At a backslash in a basic string. */
static gboolean scan_escape(Parser *ps, GString *out, gboolean multiline) {
  const char *at = ps->p;
  g_autofree char *found = NULL;
  int c;
  static const char simple_names[] = "btnfr\"\\";
  static const char simple_values[] = "\b\t\n\f\r\"\\";
  const char *simple;

  ps->p++;
  c = peek(ps);
  simple = c > 0 ? strchr(simple_names, c) : NULL;
  if (simple != NULL) {
    g_string_append_c(out, simple_values[simple - simple_names]);
    ps->p++;
    return TRUE;
  }
  if (c == 'u' || c == 'U') {
    guint digits = c == 'u' ? 4 : 8;
    guint32 code = 0;

    ps->p++;
    for (guint i = 0; i < digits; i++) {
      int h = hex_value(peek(ps));

      if (h < 0)
        return fail_at(ps, at, RF_TOML_ERROR_SYNTAX,
                       "escape \\%c needs exactly %u hexadecimal digits", c, digits);
      code = code * 16 + (guint32)h;
      ps->p++;
    }
    if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
      return fail_at(ps, at, RF_TOML_ERROR_RANGE, "escape \\%c%0*X is not a Unicode scalar value",
                     c, (int)digits, (guint)code);
    g_string_append_unichar(out, code);
    return TRUE;
  }
  if (multiline && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
    /* Line-ending backslash: trims the newline and all blanks after it. */
    skip_ws(ps);
    if (!consume_newline(ps))
      return fail_at(ps, at, RF_TOML_ERROR_SYNTAX,
                     "a backslash followed by spaces must be the last thing on its line");
    do
      skip_ws(ps);
    while (consume_newline(ps));
    return TRUE;
  }
  if (c < 0)
    return fail_at(ps, at, RF_TOML_ERROR_SYNTAX, "string is not closed");
  found = describe(ps, ps->p);
  return fail_at(ps, at, RF_TOML_ERROR_SYNTAX,
                 "invalid escape: a backslash followed by %s (valid: \\b \\t \\n \\f \\r \\\" "
                 "\\\\ \\uXXXX \\UXXXXXXXX)",
                 found);
}

/* At a single quote or double quote: a one-line string, literal or basic. */
static gboolean scan_string(Parser *ps, GString *out) {
  const char *open = ps->p;
  gboolean basic = *open == '"';

  ps->p++;
  for (;;) {
    int c = peek(ps);

    if (c < 0 || c == '\n' || c == '\r')
      return fail_at(ps, open, RF_TOML_ERROR_SYNTAX,
                     "string is not closed on its line (use %s for a multi-line string)",
                     basic ? "\"\"\"" : "'''");
    if (c == *open) {
      ps->p++;
      return TRUE;
    }
    if (basic && c == '\\') {
      if (!scan_escape(ps, out, FALSE))
        return FALSE;
      continue;
    }
    if (is_control(c))
      return fail_at(ps, ps->p, RF_TOML_ERROR_ENCODING,
                     "control character U+%04X is not allowed in a string%s", (guint)c,
                     basic ? " (escape it)" : "");
    g_string_append_c(out, (char)c);
    ps->p++;
  }
}

/* At three single or double quotes: a multi-line string, literal or basic. */
static gboolean scan_multiline_string(Parser *ps, GString *out) {
  const char *open = ps->p;
  char quote = *open;

  ps->p += 3;
  consume_newline(ps); /* a newline right after the delimiter is trimmed */
  for (;;) {
    int c = peek(ps);

    if (c < 0)
      return fail_at(ps, open, RF_TOML_ERROR_SYNTAX, "multi-line string is not closed");
    if (c == quote) {
      guint run = 0;

      while (peek_at(ps, run) == quote)
        run++;
      if (run >= 3) {
        /* Up to two quotes may sit right before the closing delimiter. */
        if (run > 5)
          return fail_at(ps, ps->p, RF_TOML_ERROR_SYNTAX,
                         "three quotes in a row end a multi-line string; escape or "
                         "split the rest");
        g_string_append_len(out, ps->p, run - 3);
        ps->p += run;
        return TRUE;
      }
      g_string_append_len(out, ps->p, run);
      ps->p += run;
      continue;
    }
    if (c == '\\' && quote == '"') {
      if (!scan_escape(ps, out, TRUE))
        return FALSE;
      continue;
    }
    if (consume_newline(ps)) {
      g_string_append_c(out, '\n');
      continue;
    }
    if (is_control(c))
      return fail_at(ps, ps->p, RF_TOML_ERROR_ENCODING,
                     "control character U+%04X is not allowed in a string%s", (guint)c,
                     c == '\r' ? " (a carriage return must be followed by a line feed)" : "");
    g_string_append_c(out, (char)c);
    ps->p++;
  }
}

/* ---- keys --------------------------------------------------------------------------- */

static void key_part_clear(gpointer p) {
  g_free(((KeyPart *)p)->text);
}

static GArray *key_parts_new(void) {
  GArray *parts = g_array_new(FALSE, TRUE, sizeof(KeyPart));

  g_array_set_clear_func(parts, key_part_clear);
  return parts;
}

static void append_key(GString *out, const char *key, gsize len) {
  gboolean bare = len > 0;

  for (gsize i = 0; i < len && bare; i++)
    bare = is_bare_key_char((guchar)key[i]);
  if (bare) {
    g_string_append_len(out, key, len);
    return;
  }
  g_string_append_c(out, '"');
  for (gsize i = 0; i < len; i++) {
    guchar c = (guchar)key[i];

    if (c == '"' || c == '\\')
      g_string_append_printf(out, "\\%c", c);
    else if (is_control(c))
      g_string_append_printf(out, "\\u%04X", c);
    else
      g_string_append_c(out, (char)c);
  }
  g_string_append_c(out, '"');
}

/* Bytes of a key a message shows; a longer one is cut there, with its length (a 10 MiB key
 * must not make a 10 MiB message). */
#define KEY_DISPLAY_MAX 80

/* The first |n| parts of a dotted key, as TOML would write them: a."b c". */
static char *key_display(GArray *parts, guint n) {
  GString *out = g_string_new(NULL);

  for (guint i = 0; i < n; i++) {
    KeyPart *part = &g_array_index(parts, KeyPart, i);

    if (i > 0)
      g_string_append_c(out, '.');
    append_key(out, part->text, part->len);
  }
  if (out->len > KEY_DISPLAY_MAX) {
    gsize total = out->len, cut = KEY_DISPLAY_MAX;

    while (cut > 0 && ((guchar)out->str[cut] & 0xC0) == 0x80)
      cut--; /* whole characters only */
    g_string_truncate(out, cut);
    g_string_append_printf(out, "... (%" G_GSIZE_FORMAT " bytes)", total);
  }
  return g_string_free(out, FALSE);
}

/* A simple or dotted key, with the blanks around its dots. */
static gboolean parse_key(Parser *ps, GArray *parts) {
  for (;;) {
    KeyPart part = {0};
    int c;

    skip_ws(ps);
    c = peek(ps);
    part.at = ps->p;
    part.line = ps->line;
    part.column = column_of(ps, ps->p);
    if (c == '"' || c == '\'') {
      GString *text;

      if (peek_at(ps, 1) == c && peek_at(ps, 2) == c)
        return fail_at(ps, ps->p, RF_TOML_ERROR_SYNTAX, "a multi-line string cannot be a key");
      text = g_string_new(NULL);
      if (!scan_string(ps, text)) {
        g_string_free(text, TRUE);
        return FALSE;
      }
      part.len = text->len;
      part.text = g_string_free(text, FALSE);
    } else if (is_bare_key_char(c)) {
      const char *begin = ps->p;

      while (is_bare_key_char(peek(ps)))
        ps->p++;
      part.len = (gsize)(ps->p - begin);
      part.text = g_strndup(begin, part.len);
    } else {
      g_autofree char *found = describe(ps, ps->p);

      return fail_at(ps, ps->p, RF_TOML_ERROR_SYNTAX,
                     "expected a key (letters, digits, '_', '-', or a quoted string), "
                     "found %s",
                     found);
    }
    g_array_append_val(parts, part);
    skip_ws(ps);
    if (peek(ps) != '.')
      return TRUE;
    ps->p++;
  }
}

/* ---- values ------------------------------------------------------------------------- */

static RfTomlValue *parse_value(Parser *ps, guint depth);
static gboolean parse_keyval(Parser *ps, RfTomlValue *table);

/* The length of the number or date/time token starting at |at|, for messages: up to 64
 * bytes, and at least up to the token the scanner stands in (a date/time may hold a
 * space). */
static int token_length(const Parser *ps, const char *at) {
  const char *q = at;

  if (ps->p > q && ps->p - q <= 64)
    q = ps->p;
  while (q < ps->end && is_token_char((guchar)*q) && q - at < 64)
    q++;
  return (int)(q - at);
}

static gboolean read_digits(Parser *ps, guint count, gint *out) {
  gint value = 0;

  for (guint i = 0; i < count; i++) {
    int c = peek_at(ps, i);

    if (c < 0 || !g_ascii_isdigit(c))
      return FALSE;
    value = value * 10 + (c - '0');
  }
  ps->p += count;
  *out = value;
  return TRUE;
}

static gboolean read_char(Parser *ps, char c) {
  if (peek(ps) != (guchar)c)
    return FALSE;
  ps->p++;
  return TRUE;
}

static gint days_in_month(gint year, gint month) {
  static const gint days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  gboolean leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);

  return month == 2 && leap ? 29 : days[month - 1];
}

/* HH:MM:SS[.fraction], appended to |text| as written. */
static gboolean scan_time(Parser *ps, const char *start, RfTomlDatetime *d, GString *text) {
  const char *fraction;

  if (!read_digits(ps, 2, &d->hour) || !read_char(ps, ':') || !read_digits(ps, 2, &d->minute) ||
      !read_char(ps, ':') || !read_digits(ps, 2, &d->second))
    return fail_at(ps, start, RF_TOML_ERROR_SYNTAX,
                   "invalid date/time '%.*s': expected the time as HH:MM:SS",
                   token_length(ps, start), start);
  if (d->hour > 23 || d->minute > 59 || d->second > 60)
    return fail_at(ps, start, RF_TOML_ERROR_RANGE,
                   "invalid time '%.*s': hours go to 23, minutes to 59, seconds to 60",
                   token_length(ps, start), start);
  g_string_append_printf(text, "%02d:%02d:%02d", d->hour, d->minute, d->second);
  if (peek(ps) != '.')
    return TRUE;
  fraction = ++ps->p;
  while (peek(ps) >= 0 && g_ascii_isdigit(peek(ps)))
    ps->p++;
  if (ps->p == fraction)
    return fail_at(ps, start, RF_TOML_ERROR_SYNTAX,
                   "invalid date/time '%.*s': a '.' in the seconds must be followed by digits",
                   token_length(ps, start), start);
  for (guint i = 0; i < 9; i++)
    d->nanosecond = d->nanosecond * 10 + (fraction + i < ps->p ? fraction[i] - '0' : 0);
  g_string_append_c(text, '.');
  g_string_append_len(text, fraction, ps->p - fraction);
  return TRUE;
}

/* At YYYY- or HH: : one of the four date/time types. */
static RfTomlValue *parse_datetime(Parser *ps, guint line, guint column, guint depth) {
  const char *start = ps->p;
  g_autoptr(GString) text = g_string_new(NULL);
  RfTomlDatetime d = {0};
  RfTomlType type = RF_TOML_TIME_LOCAL;
  RfTomlValue *value;
  int c;

  if (peek_at(ps, 4) == '-') {
    if (!read_digits(ps, 4, &d.year) || !read_char(ps, '-') || !read_digits(ps, 2, &d.month) ||
        !read_char(ps, '-') || !read_digits(ps, 2, &d.day)) {
      fail_at(ps, start, RF_TOML_ERROR_SYNTAX,
              "invalid date '%.*s': expected the date as YYYY-MM-DD", token_length(ps, start),
              start);
      return NULL;
    }
    if (d.month < 1 || d.month > 12) {
      fail_at(ps, start, RF_TOML_ERROR_RANGE, "invalid date '%.*s': months go from 01 to 12",
              token_length(ps, start), start);
      return NULL;
    }
    if (d.day < 1 || d.day > days_in_month(d.year, d.month)) {
      fail_at(ps, start, RF_TOML_ERROR_RANGE, "invalid date '%.*s': that month has days 01 to %02d",
              token_length(ps, start), start, days_in_month(d.year, d.month));
      return NULL;
    }
    g_string_append_printf(text, "%04d-%02d-%02d", d.year, d.month, d.day);
    type = RF_TOML_DATE_LOCAL;
    c = peek(ps);
    if (c == 'T' || c == 't' ||
        (c == ' ' && peek_at(ps, 1) >= 0 && g_ascii_isdigit(peek_at(ps, 1)))) {
      ps->p++;
      g_string_append_c(text, 'T');
      if (!scan_time(ps, start, &d, text))
        return NULL;
      type = RF_TOML_DATETIME_LOCAL;
      c = peek(ps);
      if (c == 'Z' || c == 'z') {
        ps->p++;
        g_string_append_c(text, 'Z');
        type = RF_TOML_DATETIME;
      } else if (c == '+' || c == '-') {
        gint hours, minutes;

        ps->p++;
        if (!read_digits(ps, 2, &hours) || !read_char(ps, ':') || !read_digits(ps, 2, &minutes)) {
          fail_at(ps, start, RF_TOML_ERROR_SYNTAX,
                  "invalid date/time '%.*s': expected the offset as +HH:MM or -HH:MM",
                  token_length(ps, start), start);
          return NULL;
        }
        if (hours > 23 || minutes > 59) {
          fail_at(ps, start, RF_TOML_ERROR_RANGE,
                  "invalid date/time '%.*s': offset hours go to 23, minutes to 59",
                  token_length(ps, start), start);
          return NULL;
        }
        d.offset_minutes = (c == '-' ? -1 : 1) * (hours * 60 + minutes);
        g_string_append_printf(text, "%c%02d:%02d", c, hours, minutes);
        type = RF_TOML_DATETIME;
      }
    }
  } else if (!scan_time(ps, start, &d, text)) {
    return NULL;
  }
  if (is_token_char(peek(ps))) {
    fail_at(ps, start, RF_TOML_ERROR_SYNTAX, "invalid date/time '%.*s'", token_length(ps, start),
            start);
    return NULL;
  }
  value = value_new(type, line, column, depth);
  value->u.datetime.parts = d;
  value->u.datetime.text = g_string_free(g_steal_pointer(&text), FALSE);
  return value;
}

static int digit_value(int c, guint base) {
  int v = hex_value(c);

  return v >= 0 && (guint)v < base ? v : -1;
}

/* Skips digit *( digit / "_" digit ) in |base| from |q|; returns where it stopped
 * (|q| itself when no digit is there). */
static const char *skip_digits(const char *q, const char *end, guint base) {
  if (q >= end || digit_value((guchar)*q, base) < 0)
    return q;
  while (q < end) {
    if (digit_value((guchar)*q, base) >= 0)
      q++;
    else if (*q == '_' && q + 1 < end && digit_value((guchar)q[1], base) >= 0)
      q += 2;
    else
      break;
  }
  return q;
}

/* At a sign, a digit, "inf" or "nan": an integer or a float. */
static RfTomlValue *parse_number(Parser *ps, guint line, guint column, guint depth) {
  const char *start = ps->p, *end, *q, *digits;
  gboolean negative = FALSE, is_float = FALSE;
  guint base = 10;
  guint64 magnitude = 0, limit;
  RfTomlValue *value;
  int len;

  while (is_token_char(peek(ps)))
    ps->p++;
  end = ps->p;
  len = (int)MIN(end - start, 64);
  q = start;
  if (*q == '+' || *q == '-')
    negative = *q++ == '-';

  if ((end - q == 3 && memcmp(q, "inf", 3) == 0) || (end - q == 3 && memcmp(q, "nan", 3) == 0)) {
    value = value_new(RF_TOML_FLOAT, line, column, depth);
    value->u.number = q[0] == 'i' ? INFINITY : NAN;
    if (negative)
      value->u.number = -value->u.number;
    return value;
  }

  if (end - q >= 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'o' || q[1] == 'b')) {
    base = q[1] == 'x' ? 16 : q[1] == 'o' ? 8 : 2;
    if (q != start) {
      fail_at(ps, start, RF_TOML_ERROR_SYNTAX,
              "invalid number '%.*s': hexadecimal, octal and binary integers take no sign", len,
              start);
      return NULL;
    }
    q += 2;
  } else {
    if (q == end || !g_ascii_isdigit(*q)) {
      fail_at(ps, start, RF_TOML_ERROR_SYNTAX, "invalid number '%.*s'", len, start);
      return NULL;
    }
    if (*q == '0' && q + 1 < end && (g_ascii_isdigit(q[1]) || q[1] == '_')) {
      fail_at(ps, start, RF_TOML_ERROR_SYNTAX,
              "invalid number '%.*s': leading zeros are not allowed", len, start);
      return NULL;
    }
  }

  digits = q;
  q = skip_digits(q, end, base);
  if (q == digits) {
    fail_at(ps, start, RF_TOML_ERROR_SYNTAX, "invalid number '%.*s': no digits", len, start);
    return NULL;
  }
  if (base == 10 && q < end && *q == '.') {
    const char *fraction = ++q;

    q = skip_digits(q, end, 10);
    if (q == fraction) {
      fail_at(ps, start, RF_TOML_ERROR_SYNTAX,
              "invalid number '%.*s': a decimal point must have digits on both sides", len, start);
      return NULL;
    }
    is_float = TRUE;
  }
  if (base == 10 && q < end && (*q == 'e' || *q == 'E')) {
    const char *exponent;

    q++;
    if (q < end && (*q == '+' || *q == '-'))
      q++;
    exponent = q;
    q = skip_digits(q, end, 10);
    if (q == exponent) {
      fail_at(ps, start, RF_TOML_ERROR_SYNTAX, "invalid number '%.*s': the exponent needs digits",
              len, start);
      return NULL;
    }
    is_float = TRUE;
  }
  if (q != end) {
    if (*q == '_')
      fail_at(ps, start, RF_TOML_ERROR_SYNTAX,
              "invalid number '%.*s': an underscore must sit between two digits", len, start);
    else
      fail_at(ps, start, RF_TOML_ERROR_SYNTAX, "invalid number '%.*s': unexpected '%c'", len, start,
              *q);
    return NULL;
  }

  if (is_float) {
    g_autofree char *clean = g_malloc((gsize)(end - start) + 1);
    char *w = clean, *parsed_end = NULL;
    gdouble number;

    for (const char *r = start; r < end; r++)
      if (*r != '_')
        *w++ = *r;
    *w = '\0';
    number = g_ascii_strtod(clean, &parsed_end);
    if (parsed_end != w || isinf(number)) {
      fail_at(ps, start, RF_TOML_ERROR_RANGE, "float '%.*s' does not fit in a 64-bit float", len,
              start);
      return NULL;
    }
    value = value_new(RF_TOML_FLOAT, line, column, depth);
    value->u.number = number;
    return value;
  }

  limit = negative ? (guint64)G_MAXINT64 + 1 : (guint64)G_MAXINT64;
  for (const char *r = digits; r < end; r++) {
    guint d;

    if (*r == '_')
      continue;
    d = (guint)digit_value((guchar)*r, base);
    if (magnitude > (limit - d) / base) {
      fail_at(ps, start, RF_TOML_ERROR_RANGE,
              "integer '%.*s' does not fit in 64 bits (%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
              ")",
              len, start, G_MININT64, G_MAXINT64);
      return NULL;
    }
    magnitude = magnitude * base + d;
  }
  value = value_new(RF_TOML_INTEGER, line, column, depth);
  if (negative)
    value->u.integer = magnitude == (guint64)G_MAXINT64 + 1 ? G_MININT64 : -(gint64)magnitude;
  else
    value->u.integer = (gint64)magnitude;
  return value;
}

static RfTomlValue *parse_array(Parser *ps, guint line, guint column, guint depth) {
  const char *open = ps->p;
  g_autoptr(RfTomlValue) array = NULL;

  if (!check_depth(ps, open, depth))
    return NULL;
  array = value_new(RF_TOML_ARRAY, line, column, depth);
  array->origin = ORIGIN_STATIC;
  ps->p++;
  for (;;) {
    RfTomlValue *element;
    g_autofree char *found = NULL;

    if (!skip_blank(ps))
      return NULL;
    if (peek(ps) == ']')
      break;
    if (peek(ps) < 0) {
      fail_at(ps, open, RF_TOML_ERROR_SYNTAX, "array is not closed");
      return NULL;
    }
    element = parse_value(ps, depth + 1);
    if (element == NULL)
      return NULL;
    g_ptr_array_add(array->u.array, element);
    if (!skip_blank(ps))
      return NULL;
    if (peek(ps) == ',') {
      ps->p++;
      continue;
    }
    if (peek(ps) == ']')
      break;
    if (peek(ps) < 0) {
      fail_at(ps, open, RF_TOML_ERROR_SYNTAX, "array is not closed");
      return NULL;
    }
    found = describe(ps, ps->p);
    fail_at(ps, ps->p, RF_TOML_ERROR_SYNTAX, "expected ',' or ']' after an array element, found %s",
            found);
    return NULL;
  }
  ps->p++;
  return g_steal_pointer(&array);
}

static RfTomlValue *parse_inline_table(Parser *ps, guint line, guint column, guint depth) {
  const char *open = ps->p;
  g_autoptr(RfTomlValue) table = NULL;

  if (!check_depth(ps, open, depth))
    return NULL;
  table = value_new(RF_TOML_TABLE, line, column, depth);
  table->origin = ORIGIN_INLINE;
  ps->p++;
  skip_ws(ps);
  if (peek(ps) != '}') {
    for (;;) {
      g_autofree char *found = NULL;

      if (!parse_keyval(ps, table))
        return NULL;
      skip_ws(ps);
      if (peek(ps) == '}')
        break;
      if (peek(ps) == ',') {
        ps->p++;
        skip_ws(ps);
        if (peek(ps) == '}') {
          fail_at(ps, ps->p, RF_TOML_ERROR_SYNTAX, "an inline table cannot end with a comma");
          return NULL;
        }
        continue;
      }
      if (peek(ps) < 0 || at_newline(ps) || peek(ps) == '\r') {
        fail_at(ps, open, RF_TOML_ERROR_SYNTAX,
                "inline table is not closed on its line (TOML 1.0 inline tables are "
                "one line; use a [table] for more)");
        return NULL;
      }
      found = describe(ps, ps->p);
      fail_at(ps, ps->p, RF_TOML_ERROR_SYNTAX, "expected ',' or '}' in an inline table, found %s",
              found);
      return NULL;
    }
  }
  ps->p++;
  table_freeze(table);
  return g_steal_pointer(&table);
}

static RfTomlValue *parse_value(Parser *ps, guint depth) {
  const char *at = ps->p;
  guint line = ps->line, column = column_of(ps, at);
  int c = peek(ps);

  if (c == '"' || c == '\'') {
    GString *text = g_string_new(NULL);
    gboolean multiline = peek_at(ps, 1) == c && peek_at(ps, 2) == c;
    RfTomlValue *value;

    if (!(multiline ? scan_multiline_string(ps, text) : scan_string(ps, text))) {
      g_string_free(text, TRUE);
      return NULL;
    }
    value = value_new(RF_TOML_STRING, line, column, depth);
    value->u.string.len = text->len;
    value->u.string.text = g_string_free(text, FALSE);
    return value;
  }
  if (c == '[')
    return parse_array(ps, line, column, depth);
  if (c == '{')
    return parse_inline_table(ps, line, column, depth);
  if (c >= 0 && g_ascii_isdigit(c) && peek_at(ps, 1) >= 0 && g_ascii_isdigit(peek_at(ps, 1))) {
    gboolean date = peek_at(ps, 2) >= 0 && g_ascii_isdigit(peek_at(ps, 2)) && peek_at(ps, 3) >= 0 &&
                    g_ascii_isdigit(peek_at(ps, 3)) && peek_at(ps, 4) == '-';
    if (date || peek_at(ps, 2) == ':')
      return parse_datetime(ps, line, column, depth);
  }
  if (c == '+' || c == '-' || (c >= 0 && g_ascii_isdigit(c)))
    return parse_number(ps, line, column, depth);

  {
    int len = token_length(ps, at);
    g_autofree char *found = NULL;

    if ((len == 4 && memcmp(at, "true", 4) == 0) || (len == 5 && memcmp(at, "false", 5) == 0)) {
      RfTomlValue *value = value_new(RF_TOML_BOOLEAN, line, column, depth);

      value->u.boolean = len == 4;
      ps->p += len;
      return value;
    }
    if ((len == 3 && memcmp(at, "inf", 3) == 0) || (len == 3 && memcmp(at, "nan", 3) == 0))
      return parse_number(ps, line, column, depth);
    if (len > 0) {
      fail_at(ps, at, RF_TOML_ERROR_SYNTAX,
              "expected a value, found '%.*s' (strings need quotes; booleans are true "
              "and false)",
              len, at);
      return NULL;
    }
    found = describe(ps, at);
    fail_at(ps, at, RF_TOML_ERROR_SYNTAX, "expected a value, found %s", found);
    return NULL;
  }
}

/* ---- tables ------------------------------------------------------------------------- */

/* The key |parts|[0..n) was to be a table, but it already holds the value |found|. */
static gboolean fail_not_a_table(Parser *ps, GArray *parts, guint n, const RfTomlValue *found) {
  KeyPart *part = &g_array_index(parts, KeyPart, n - 1);
  g_autofree char *name = key_display(parts, n);

  return fail_at(ps, part->at, RF_TOML_ERROR_DUPLICATE,
                 "key '%s' is already defined as %s %s on line %u, not as a table", name,
                 found->type == RF_TOML_ARRAY || found->type == RF_TOML_INTEGER ? "an" : "a",
                 rf_toml_type_name(found->type), found->line);
}

/* One step of a dotted key in a key/value pair: a.b.c = 1 walks a then b. */
static RfTomlValue *enter_dotted(Parser *ps, RfTomlValue *table, GArray *parts, guint i) {
  KeyPart *part = &g_array_index(parts, KeyPart, i);
  Entry *entry = table_find(table, part->text, part->len);
  g_autofree char *name = NULL;
  RfTomlValue *child;

  if (entry == NULL) {
    if (!check_depth(ps, part->at, table->depth + 1))
      return NULL;
    child = value_new(RF_TOML_TABLE, part->line, part->column, table->depth + 1);
    child->origin = ORIGIN_DOTTED;
    table_add(table, part->text, part->len, part->line, part->column, child);
    return child;
  }
  child = entry->value;
  if (child->type != RF_TOML_TABLE) {
    fail_not_a_table(ps, parts, i + 1, child);
    return NULL;
  }
  if (child->origin == ORIGIN_DOTTED)
    return child;
  name = key_display(parts, i + 1);
  if (child->origin == ORIGIN_INLINE)
    fail_at(ps, part->at, RF_TOML_ERROR_DUPLICATE,
            "cannot add keys to '%s': it is an inline table (line %u), complete where written",
            name, child->line);
  else
    fail_at(ps, part->at, RF_TOML_ERROR_DUPLICATE,
            "cannot add keys to table '%s' with a dotted key: it was %s by a header on line %u",
            name, child->origin == ORIGIN_IMPLICIT ? "created" : "defined", child->line);
  return NULL;
}

/* key = value, into |table|. */
static gboolean parse_keyval(Parser *ps, RfTomlValue *table) {
  g_autoptr(GArray) parts = key_parts_new();
  RfTomlValue *target = table, *value;
  KeyPart *last;
  Entry *existing;

  if (!parse_key(ps, parts))
    return FALSE;
  if (peek(ps) != '=') {
    g_autofree char *found = describe(ps, ps->p);
    g_autofree char *name = key_display(parts, parts->len);

    return fail_at(ps, ps->p, RF_TOML_ERROR_SYNTAX, "expected '=' after the key '%s', found %s",
                   name, found);
  }
  ps->p++;
  skip_ws(ps);
  for (guint i = 0; i + 1 < parts->len; i++) {
    target = enter_dotted(ps, target, parts, i);
    if (target == NULL)
      return FALSE;
  }
  last = &g_array_index(parts, KeyPart, parts->len - 1);
  existing = table_find(target, last->text, last->len);
  if (existing != NULL) {
    g_autofree char *name = key_display(parts, parts->len);

    return fail_at(ps, last->at, RF_TOML_ERROR_DUPLICATE,
                   "key '%s' is defined twice (first on line %u)", name, existing->line);
  }
  value = parse_value(ps, target->depth + 1);
  if (value == NULL)
    return FALSE;
  table_add(target, last->text, last->len, last->line, last->column, value);
  return TRUE;
}

/* One parent step of a [header] or [[header]]: [a.b.c] walks a then b. */
static RfTomlValue *enter_header(Parser *ps, RfTomlValue *table, GArray *parts, guint i) {
  KeyPart *part = &g_array_index(parts, KeyPart, i);
  Entry *entry = table_find(table, part->text, part->len);
  g_autofree char *name = NULL;
  RfTomlValue *child;

  if (entry == NULL) {
    if (!check_depth(ps, part->at, table->depth + 1))
      return NULL;
    child = value_new(RF_TOML_TABLE, part->line, part->column, table->depth + 1);
    child->origin = ORIGIN_IMPLICIT;
    table_add(table, part->text, part->len, part->line, part->column, child);
    return child;
  }
  child = entry->value;
  if (child->type == RF_TOML_TABLE && child->origin != ORIGIN_INLINE)
    return child;
  if (child->type == RF_TOML_ARRAY && child->origin == ORIGIN_TABLES)
    return g_ptr_array_index(child->u.array, child->u.array->len - 1);
  name = key_display(parts, i + 1);
  if (child->type == RF_TOML_TABLE)
    fail_at(ps, part->at, RF_TOML_ERROR_DUPLICATE,
            "cannot add to '%s': it is an inline table (line %u), complete where written", name,
            child->line);
  else if (child->type == RF_TOML_ARRAY)
    fail_at(ps, part->at, RF_TOML_ERROR_DUPLICATE,
            "cannot add to '%s': it is a static array (line %u), not an array of tables", name,
            child->line);
  else
    fail_not_a_table(ps, parts, i + 1, child);
  return NULL;
}

/* At '[': a [table] or [[array of tables]] header; returns the table it opens. */
static RfTomlValue *parse_header(Parser *ps, RfTomlValue *root) {
  const char *open = ps->p;
  guint line = ps->line, column = column_of(ps, open);
  g_autoptr(GArray) parts = key_parts_new();
  g_autofree char *name = NULL;
  gboolean tables = FALSE;
  RfTomlValue *parent = root, *found, *table;
  KeyPart *last;
  Entry *entry;

  ps->p++;
  if (peek(ps) == '[') {
    tables = TRUE;
    ps->p++;
  }
  if (!parse_key(ps, parts))
    return NULL;
  if (!read_char(ps, ']') || (tables && !read_char(ps, ']'))) {
    g_autofree char *what = describe(ps, ps->p);

    fail_at(ps, ps->p, RF_TOML_ERROR_SYNTAX, "expected '%s' to close the header, found %s",
            tables ? "]]" : "]", what);
    return NULL;
  }
  for (guint i = 0; i + 1 < parts->len; i++) {
    parent = enter_header(ps, parent, parts, i);
    if (parent == NULL)
      return NULL;
  }
  last = &g_array_index(parts, KeyPart, parts->len - 1);
  entry = table_find(parent, last->text, last->len);
  name = key_display(parts, parts->len);

  if (!tables) {
    if (entry == NULL) {
      if (!check_depth(ps, last->at, parent->depth + 1))
        return NULL;
      table = value_new(RF_TOML_TABLE, line, column, parent->depth + 1);
      table->origin = ORIGIN_HEADER;
      table_add(parent, last->text, last->len, last->line, last->column, table);
      return table;
    }
    found = entry->value;
    if (found->type == RF_TOML_TABLE && found->origin == ORIGIN_IMPLICIT) {
      found->origin = ORIGIN_HEADER;
      found->line = line;
      found->column = column;
      return found;
    }
    if (found->type == RF_TOML_TABLE)
      fail_at(ps, open, RF_TOML_ERROR_DUPLICATE, "table [%s] is already defined %s (line %u)", name,
              found->origin == ORIGIN_DOTTED   ? "by dotted keys"
              : found->origin == ORIGIN_INLINE ? "as an inline table"
                                               : "by a header",
              found->line);
    else if (found->type == RF_TOML_ARRAY && found->origin == ORIGIN_TABLES)
      fail_at(ps, open, RF_TOML_ERROR_DUPLICATE,
              "'%s' is an array of tables (line %u): add to it with [[%s]]", name, found->line,
              name);
    else
      fail_not_a_table(ps, parts, parts->len, found);
    return NULL;
  }

  if (entry == NULL) {
    RfTomlValue *array;

    if (!check_depth(ps, last->at, parent->depth + 2))
      return NULL;
    array = value_new(RF_TOML_ARRAY, line, column, parent->depth + 1);
    array->origin = ORIGIN_TABLES;
    table_add(parent, last->text, last->len, last->line, last->column, array);
    found = array;
  } else {
    found = entry->value;
    if (found->type != RF_TOML_ARRAY || found->origin != ORIGIN_TABLES) {
      if (found->type == RF_TOML_ARRAY)
        fail_at(ps, open, RF_TOML_ERROR_DUPLICATE,
                "cannot append to '%s' with [[%s]]: it is a static array (line %u)", name, name,
                found->line);
      else if (found->type == RF_TOML_TABLE)
        fail_at(ps, open, RF_TOML_ERROR_DUPLICATE,
                "[[%s]] needs an array of tables, but '%s' is a table (line %u)", name, name,
                found->line);
      else
        fail_not_a_table(ps, parts, parts->len, found);
      return NULL;
    }
  }
  table = value_new(RF_TOML_TABLE, line, column, found->depth + 1);
  table->origin = ORIGIN_HEADER;
  g_ptr_array_add(found->u.array, table);
  return table;
}

/* ---- entry points ------------------------------------------------------------------- */

RfTomlValue *rf_toml_parse(const char *data, gsize len, GError **error) {
  g_autoptr(RfTomlValue) root = NULL;
  RfTomlValue *current;
  Parser ps;

  g_return_val_if_fail(data != NULL || len == 0, NULL);
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);

  parser_init(&ps, data != NULL ? data : "", len, error);
  if (!check_utf8(&ps))
    return NULL;
  root = value_new(RF_TOML_TABLE, 1, 1, 0);
  root->origin = ORIGIN_HEADER;
  current = root;
  while (ps.p < ps.end) {
    int c;

    skip_ws(&ps);
    c = peek(&ps);
    if (c == '[') {
      current = parse_header(&ps, root);
      if (current == NULL)
        return NULL;
    } else if (c >= 0 && c != '#' && !at_newline(&ps)) {
      if (!parse_keyval(&ps, current))
        return NULL;
    }
    if (!end_line(&ps))
      return NULL;
  }
  return g_steal_pointer(&root);
}

RfTomlValue *rf_toml_parse_value(const char *text, GError **error) {
  g_autoptr(RfTomlValue) value = NULL;
  Parser ps;

  g_return_val_if_fail(text != NULL, NULL);
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);

  parser_init(&ps, text, strlen(text), error);
  if (!check_utf8(&ps))
    return NULL;
  skip_ws(&ps);
  value = parse_value(&ps, 0);
  if (value == NULL)
    return NULL;
  skip_ws(&ps);
  if (ps.p < ps.end) {
    g_autofree char *found = describe(&ps, ps.p);

    fail_at(&ps, ps.p, RF_TOML_ERROR_SYNTAX, "expected the end of the value, found %s", found);
    return NULL;
  }
  return g_steal_pointer(&value);
}

char **rf_toml_parse_key(const char *text, GError **error) {
  g_autoptr(GArray) parts = key_parts_new();
  GPtrArray *out;
  Parser ps;

  g_return_val_if_fail(text != NULL, NULL);
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);

  parser_init(&ps, text, strlen(text), error);
  if (!check_utf8(&ps) || !parse_key(&ps, parts))
    return NULL;
  if (ps.p < ps.end) {
    g_autofree char *found = describe(&ps, ps.p);

    fail_at(&ps, ps.p, RF_TOML_ERROR_SYNTAX, "expected the end of the key, found %s", found);
    return NULL;
  }
  /* Refuse before handing anything out, so that nothing is half-stolen on error. */
  for (guint i = 0; i < parts->len; i++) {
    KeyPart *part = &g_array_index(parts, KeyPart, i);

    if (strlen(part->text) != part->len) {
      fail_at(&ps, part->at, RF_TOML_ERROR_SYNTAX, "a key here cannot contain U+0000");
      return NULL;
    }
  }
  out = g_ptr_array_new();
  for (guint i = 0; i < parts->len; i++)
    g_ptr_array_add(out, g_steal_pointer(&g_array_index(parts, KeyPart, i).text));
  g_ptr_array_add(out, NULL);
  return (char **)g_ptr_array_free(out, FALSE);
}

/* ---- accessors ---------------------------------------------------------------------- */

RfTomlType rf_toml_value_type(const RfTomlValue *value) {
  g_return_val_if_fail(value != NULL, RF_TOML_TABLE);
  return value->type;
}

const char *rf_toml_type_name(RfTomlType type) {
  switch (type) {
  case RF_TOML_TABLE:
    return "table";
  case RF_TOML_ARRAY:
    return "array";
  case RF_TOML_STRING:
    return "string";
  case RF_TOML_INTEGER:
    return "integer";
  case RF_TOML_FLOAT:
    return "float";
  case RF_TOML_BOOLEAN:
    return "boolean";
  case RF_TOML_DATETIME:
    return "datetime";
  case RF_TOML_DATETIME_LOCAL:
    return "local datetime";
  case RF_TOML_DATE_LOCAL:
    return "local date";
  case RF_TOML_TIME_LOCAL:
    return "local time";
  }
  return "unknown";
}

guint rf_toml_value_line(const RfTomlValue *value) {
  g_return_val_if_fail(value != NULL, 0);
  return value->line;
}

guint rf_toml_value_column(const RfTomlValue *value) {
  g_return_val_if_fail(value != NULL, 0);
  return value->column;
}

guint rf_toml_table_size(const RfTomlValue *table) {
  g_return_val_if_fail(table != NULL && table->type == RF_TOML_TABLE, 0);
  return table->u.table.entries->len;
}

RfTomlValue *rf_toml_table_get(const RfTomlValue *table, const char *key) {
  Entry *entry;

  g_return_val_if_fail(table != NULL && table->type == RF_TOML_TABLE, NULL);
  g_return_val_if_fail(key != NULL, NULL);
  entry = table_find(table, key, strlen(key));
  return entry != NULL ? entry->value : NULL;
}

static Entry *entry_at(const RfTomlValue *table, guint index) {
  g_return_val_if_fail(table != NULL && table->type == RF_TOML_TABLE, NULL);
  g_return_val_if_fail(index < table->u.table.entries->len, NULL);
  return g_ptr_array_index(table->u.table.entries, index);
}

const char *rf_toml_table_key_at(const RfTomlValue *table, guint index) {
  Entry *entry = entry_at(table, index);

  return entry != NULL ? entry->key : NULL;
}

gsize rf_toml_table_key_length_at(const RfTomlValue *table, guint index) {
  Entry *entry = entry_at(table, index);

  return entry != NULL ? entry->key_len : 0;
}

RfTomlValue *rf_toml_table_value_at(const RfTomlValue *table, guint index) {
  Entry *entry = entry_at(table, index);

  return entry != NULL ? entry->value : NULL;
}

void rf_toml_table_key_location_at(const RfTomlValue *table, guint index, guint *line,
                                   guint *column) {
  Entry *entry = entry_at(table, index);

  if (line != NULL)
    *line = entry != NULL ? entry->line : 0;
  if (column != NULL)
    *column = entry != NULL ? entry->column : 0;
}

guint rf_toml_array_length(const RfTomlValue *array) {
  g_return_val_if_fail(array != NULL && array->type == RF_TOML_ARRAY, 0);
  return array->u.array->len;
}

RfTomlValue *rf_toml_array_get(const RfTomlValue *array, guint index) {
  g_return_val_if_fail(array != NULL && array->type == RF_TOML_ARRAY, NULL);
  g_return_val_if_fail(index < array->u.array->len, NULL);
  return g_ptr_array_index(array->u.array, index);
}

const char *rf_toml_value_string(const RfTomlValue *value) {
  g_return_val_if_fail(value != NULL && value->type == RF_TOML_STRING, NULL);
  return value->u.string.text;
}

gsize rf_toml_value_string_length(const RfTomlValue *value) {
  g_return_val_if_fail(value != NULL && value->type == RF_TOML_STRING, 0);
  return value->u.string.len;
}

gint64 rf_toml_value_integer(const RfTomlValue *value) {
  g_return_val_if_fail(value != NULL && value->type == RF_TOML_INTEGER, 0);
  return value->u.integer;
}

gdouble rf_toml_value_float(const RfTomlValue *value) {
  g_return_val_if_fail(value != NULL && value->type == RF_TOML_FLOAT, 0.0);
  return value->u.number;
}

gboolean rf_toml_value_boolean(const RfTomlValue *value) {
  g_return_val_if_fail(value != NULL && value->type == RF_TOML_BOOLEAN, FALSE);
  return value->u.boolean;
}

static gboolean is_datetime(const RfTomlValue *value) {
  return value != NULL &&
         (value->type == RF_TOML_DATETIME || value->type == RF_TOML_DATETIME_LOCAL ||
          value->type == RF_TOML_DATE_LOCAL || value->type == RF_TOML_TIME_LOCAL);
}

const char *rf_toml_value_datetime_text(const RfTomlValue *value) {
  g_return_val_if_fail(is_datetime(value), NULL);
  return value->u.datetime.text;
}

void rf_toml_value_datetime(const RfTomlValue *value, RfTomlDatetime *out) {
  g_return_if_fail(out != NULL);
  memset(out, 0, sizeof *out);
  g_return_if_fail(is_datetime(value));
  *out = value->u.datetime.parts;
}
