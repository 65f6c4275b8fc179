/* tests/fuzz/toml-fuzz.c: libFuzzer target for core/config/toml.c: rf_toml_parse,
 * rf_toml_parse_value and rf_toml_parse_key on arbitrary bytes, checking the tree and error
 * invariants. */
#include "config/toml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every error names a position: "LINE:COLUMN: message", both numbers at least 1. */
static void check_error(const GError *error) {
  const char *p;
  char *end;
  unsigned long line, column;

  if (error == NULL || error->domain != RF_TOML_ERROR)
    abort();
  p = error->message;
  line = strtoul(p, &end, 10);
  if (end == p || *end != ':' || line == 0)
    abort();
  p = end + 1;
  column = strtoul(p, &end, 10);
  if (end == p || end[0] != ':' || end[1] != ' ' || column == 0 || end[2] == '\0')
    abort();
}

/* |s| is |len| bytes of valid UTF-8, NUL characters allowed, with a NUL after them. */
static void check_text(const char *s, gsize len) {
  if (s == NULL || s[len] != '\0')
    abort();
  for (const char *p = s; p < s + len;) {
    gsize chunk = strlen(p);

    if (p + chunk > s + len || !g_utf8_validate_len(p, chunk, NULL))
      abort();
    p += chunk + 1;
  }
}

/* Walks the whole tree through the public API, so that every accessor runs on every value. */
static void walk(const RfTomlValue *value, guint depth, guint max_line) {
  RfTomlDatetime parts;

  if (depth > RF_TOML_MAX_DEPTH + 1 || rf_toml_value_line(value) == 0 ||
      rf_toml_value_column(value) == 0 || rf_toml_value_line(value) > max_line)
    abort();
  (void)rf_toml_type_name(rf_toml_value_type(value));
  switch (rf_toml_value_type(value)) {
  case RF_TOML_TABLE:
    for (guint i = 0; i < rf_toml_table_size(value); i++) {
      const char *key = rf_toml_table_key_at(value, i);
      gsize len = rf_toml_table_key_length_at(value, i);
      guint line, column;

      check_text(key, len);
      rf_toml_table_key_location_at(value, i, &line, &column);
      if (line == 0 || column == 0)
        abort();
      /* Lookup by name finds the same entry when the key holds no NUL. */
      if (strlen(key) == len && rf_toml_table_get(value, key) != rf_toml_table_value_at(value, i))
        abort();
      walk(rf_toml_table_value_at(value, i), depth + 1, max_line);
    }
    break;
  case RF_TOML_ARRAY:
    for (guint i = 0; i < rf_toml_array_length(value); i++)
      walk(rf_toml_array_get(value, i), depth + 1, max_line);
    break;
  case RF_TOML_STRING:
    check_text(rf_toml_value_string(value), rf_toml_value_string_length(value));
    break;
  case RF_TOML_INTEGER:
    (void)rf_toml_value_integer(value);
    break;
  case RF_TOML_FLOAT:
    (void)rf_toml_value_float(value);
    break;
  case RF_TOML_BOOLEAN:
    (void)rf_toml_value_boolean(value);
    break;
  case RF_TOML_DATETIME:
  case RF_TOML_DATETIME_LOCAL:
  case RF_TOML_DATE_LOCAL:
  case RF_TOML_TIME_LOCAL: {
    const char *text = rf_toml_value_datetime_text(value);

    rf_toml_value_datetime(value, &parts);
    if (text == NULL || strlen(text) < 8 || parts.month > 12 || parts.day > 31 || parts.hour > 23 ||
        parts.minute > 59 || parts.second > 60 || parts.nanosecond > 999999999)
      abort();
    break;
  }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  GError *error = NULL;
  RfTomlValue *value;
  char **key;
  char *text;
  guint lines = 1;

  for (size_t i = 0; i < size; i++)
    lines += data[i] == '\n';

  value = rf_toml_parse((const char *)data, size, &error);
  if (value != NULL) {
    if (error != NULL || rf_toml_value_type(value) != RF_TOML_TABLE)
      abort();
    walk(value, 0, lines);
    rf_toml_value_free(value);
  } else {
    check_error(error);
    g_clear_error(&error);
  }

  /* The same bytes as one -c value and as one -c key (up to the first NUL). */
  text = g_strndup((const char *)data, size);
  value = rf_toml_parse_value(text, &error);
  if (value != NULL) {
    walk(value, 0, lines);
    rf_toml_value_free(value);
  } else {
    check_error(error);
    g_clear_error(&error);
  }
  key = rf_toml_parse_key(text, &error);
  if (key != NULL) {
    if (key[0] == NULL)
      abort();
    g_strfreev(key);
  } else {
    check_error(error);
    g_clear_error(&error);
  }
  g_free(text);
  return 0;
}
