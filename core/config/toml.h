/* core/config/toml.h: a strict TOML 1.0 reader (text to a tree with line:column on every value);
 * what the keys mean is left to the config loader. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Life cycle: rf_toml_parse() (or rf_toml_parse_value()) returns a tree the caller owns
 * and frees with rf_toml_value_free() (or g_autoptr(RfTomlValue)). Every other pointer
 * handed out (child values, keys, strings) is borrowed from that tree and lives as long
 * as the tree. A tree is never modified after parsing, so it may be read from several
 * threads at once. */

#define RF_TOML_ERROR (rf_toml_error_quark())
GQuark rf_toml_error_quark(void);

/* Every error message reads "LINE:COLUMN: what is wrong" (1-based, columns counted in
 * characters, a tab counting as one); the caller prefixes the file name. */
typedef enum {
  RF_TOML_ERROR_SYNTAX,    /* not TOML: bad token, missing '=', unclosed string, ... */
  RF_TOML_ERROR_ENCODING,  /* invalid UTF-8 or a forbidden control character */
  RF_TOML_ERROR_DUPLICATE, /* a key or table defined twice, or extended where TOML forbids */
  RF_TOML_ERROR_RANGE,     /* integer overflow, float overflow, impossible date or time */
  RF_TOML_ERROR_TOO_DEEP,  /* nesting beyond RF_TOML_MAX_DEPTH */
} RfTomlError;

/* Tables, arrays and inline tables nest at most this deep (the root table is depth 0). */
#define RF_TOML_MAX_DEPTH 128

typedef enum {
  RF_TOML_TABLE,
  RF_TOML_ARRAY,
  RF_TOML_STRING,
  RF_TOML_INTEGER,
  RF_TOML_FLOAT,
  RF_TOML_BOOLEAN,
  RF_TOML_DATETIME,       /* offset date-time: 1979-05-27T07:32:00Z */
  RF_TOML_DATETIME_LOCAL, /* local date-time:  1979-05-27T07:32:00 */
  RF_TOML_DATE_LOCAL,     /* local date:       1979-05-27 */
  RF_TOML_TIME_LOCAL,     /* local time:       07:32:00 */
} RfTomlType;

typedef struct _RfTomlValue RfTomlValue;

/* The parts of a date/time value; fields the type lacks are 0. */
typedef struct {
  gint year, month, day;
  gint hour, minute, second; /* second may be 60 (a leap second, as RFC 3339 allows) */
  gint nanosecond;           /* fraction digits past the ninth are dropped */
  gint offset_minutes;       /* RF_TOML_DATETIME only: east of UTC, 0 for Z */
} RfTomlDatetime;

/* Parses a whole document of |len| bytes (need not be NUL-terminated; a leading UTF-8 BOM
 * is skipped). Returns the root table, owned by the caller, or NULL with |error| set. */
RfTomlValue *rf_toml_parse(const char *data, gsize len, GError **error);

/* Parses one TOML value (true, 42, "x", ["a", "b"], { a = 1 }, 1979-05-27, ...) from the
 * NUL-terminated |text|, as given to `-c key=value`; spaces and tabs around it are allowed,
 * anything else after it is an error. Positions in errors and values are relative to
 * |text|. Returns a value owned by the caller, or NULL with |error| set. */
RfTomlValue *rf_toml_parse_value(const char *text, GError **error);

/* Parses a dotted key (a.b."c.d") from the NUL-terminated |text|, as given to
 * `-c key=value`. Returns a NULL-terminated vector of its parts (free with g_strfreev()),
 * or NULL with |error| set; a part containing a NUL character is refused. */
char **rf_toml_parse_key(const char *text, GError **error);

/* Frees |value| and everything below it. Only for a value returned by rf_toml_parse() or
 * rf_toml_parse_value(), never for a borrowed child. NULL is allowed. */
void rf_toml_value_free(RfTomlValue *value);

RfTomlType rf_toml_value_type(const RfTomlValue *value);

/* "table", "array", "string", "integer", "float", "boolean", "datetime",
 * "local datetime", "local date", "local time": for messages such as
 * "expected a string, found an integer". Static strings. */
const char *rf_toml_type_name(RfTomlType type);

/* Where the value starts in the text: its first character for a scalar, an array or an
 * inline table; the '[' of its header for a [table] or a [[table]] element; the key that
 * first created it for a table made implicitly (by [a.b] for a, or by a.b = 1 for a). */
guint rf_toml_value_line(const RfTomlValue *value);
guint rf_toml_value_column(const RfTomlValue *value);

/* Tables. Keys are in document order. Returned values and keys are borrowed. A key may
 * contain NUL characters (from "\u0000"); rf_toml_table_key_length_at() gives its length
 * in bytes and rf_toml_table_get() cannot find such a key. */
guint rf_toml_table_size(const RfTomlValue *table);
RfTomlValue *rf_toml_table_get(const RfTomlValue *table, const char *key);
const char *rf_toml_table_key_at(const RfTomlValue *table, guint index);
gsize rf_toml_table_key_length_at(const RfTomlValue *table, guint index);
RfTomlValue *rf_toml_table_value_at(const RfTomlValue *table, guint index);
/* Where the key of entry |index| was written (its first character, the quote for a
 * quoted key; for a key written several times, as in [a.b] then [a.c], the first). */
void rf_toml_table_key_location_at(const RfTomlValue *table, guint index, guint *line,
                                   guint *column);

/* Arrays (static arrays and arrays of tables alike). Returned values are borrowed. */
guint rf_toml_array_length(const RfTomlValue *array);
RfTomlValue *rf_toml_array_get(const RfTomlValue *array, guint index);

/* Scalars. Each must be called only on a value of its type (checked with g_return_val_if_fail).
 * A string is valid UTF-8, NUL-terminated, and may contain NUL characters:
 * rf_toml_value_string_length() gives its length in bytes. */
const char *rf_toml_value_string(const RfTomlValue *value);
gsize rf_toml_value_string_length(const RfTomlValue *value);
gint64 rf_toml_value_integer(const RfTomlValue *value);
gdouble rf_toml_value_float(const RfTomlValue *value);
gboolean rf_toml_value_boolean(const RfTomlValue *value);

/* Date/time values (the four date/time types). The text is normalised RFC 3339: 'T'
 * between date and time, upper-case 'T' and 'Z', the fraction and offset as written
 * ("1979-05-27T07:32:00.5-07:00", "1979-05-27", "07:32:00"). */
const char *rf_toml_value_datetime_text(const RfTomlValue *value);
void rf_toml_value_datetime(const RfTomlValue *value, RfTomlDatetime *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RfTomlValue, rf_toml_value_free)

G_END_DECLS
