/* tests/toml-decoder.c: the toml-test adapter: TOML on stdin, tagged JSON on stdout,
 * exit 1 with the error on stderr when the input is not TOML 1.0. */
#include "config/toml.h"

#include <math.h>
#include <stdio.h>

static void write_json_string(GString *out, const char *text, gsize len) {
  g_string_append_c(out, '"');
  for (gsize i = 0; i < len; i++) {
    guchar c = (guchar)text[i];

    if (c == '"' || c == '\\')
      g_string_append_printf(out, "\\%c", c);
    else if (c < 0x20)
      g_string_append_printf(out, "\\u%04x", c);
    else
      g_string_append_c(out, (char)c);
  }
  g_string_append_c(out, '"');
}

static void write_tagged(GString *out, const char *type, const char *value) {
  g_string_append_printf(out, "{\"type\": \"%s\", \"value\": ", type);
  write_json_string(out, value, strlen(value));
  g_string_append_c(out, '}');
}

/* The shortest %g text that reads back as |x| exactly. */
static const char *shortest_float(char *buf, gsize size, gdouble x) {
  for (int digits = 1; digits < 17; digits++) {
    char format[8];

    g_snprintf(format, sizeof format, "%%.%dg", digits);
    if (g_ascii_strtod(g_ascii_formatd(buf, size, format, x), NULL) == x)
      return buf;
  }
  return g_ascii_formatd(buf, size, "%.17g", x);
}

static void write_value(GString *out, const RfTomlValue *value) {
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  switch (rf_toml_value_type(value)) {
  case RF_TOML_TABLE:
    g_string_append_c(out, '{');
    for (guint i = 0; i < rf_toml_table_size(value); i++) {
      if (i > 0)
        g_string_append(out, ", ");
      write_json_string(out, rf_toml_table_key_at(value, i), rf_toml_table_key_length_at(value, i));
      g_string_append(out, ": ");
      write_value(out, rf_toml_table_value_at(value, i));
    }
    g_string_append_c(out, '}');
    break;
  case RF_TOML_ARRAY:
    g_string_append_c(out, '[');
    for (guint i = 0; i < rf_toml_array_length(value); i++) {
      if (i > 0)
        g_string_append(out, ", ");
      write_value(out, rf_toml_array_get(value, i));
    }
    g_string_append_c(out, ']');
    break;
  case RF_TOML_STRING:
    g_string_append(out, "{\"type\": \"string\", \"value\": ");
    write_json_string(out, rf_toml_value_string(value), rf_toml_value_string_length(value));
    g_string_append_c(out, '}');
    break;
  case RF_TOML_INTEGER:
    g_snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT, rf_toml_value_integer(value));
    write_tagged(out, "integer", buf);
    break;
  case RF_TOML_FLOAT: {
    gdouble x = rf_toml_value_float(value);

    if (isnan(x))
      write_tagged(out, "float", "nan");
    else if (isinf(x))
      write_tagged(out, "float", x > 0 ? "inf" : "-inf");
    else
      write_tagged(out, "float", shortest_float(buf, sizeof buf, x));
    break;
  }
  case RF_TOML_BOOLEAN:
    write_tagged(out, "bool", rf_toml_value_boolean(value) ? "true" : "false");
    break;
  case RF_TOML_DATETIME:
    write_tagged(out, "datetime", rf_toml_value_datetime_text(value));
    break;
  case RF_TOML_DATETIME_LOCAL:
    write_tagged(out, "datetime-local", rf_toml_value_datetime_text(value));
    break;
  case RF_TOML_DATE_LOCAL:
    write_tagged(out, "date-local", rf_toml_value_datetime_text(value));
    break;
  case RF_TOML_TIME_LOCAL:
    write_tagged(out, "time-local", rf_toml_value_datetime_text(value));
    break;
  }
}

int main(void) {
  g_autoptr(GByteArray) input = g_byte_array_new();
  g_autoptr(GString) out = g_string_new(NULL);
  g_autoptr(RfTomlValue) root = NULL;
  g_autoptr(GError) error = NULL;
  guint8 chunk[65536];
  size_t n;

  while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
    g_byte_array_append(input, chunk, (guint)n);
  if (ferror(stdin)) {
    fprintf(stderr, "toml-decoder: cannot read stdin\n");
    return 2;
  }
  root = rf_toml_parse((const char *)input->data, input->len, &error);
  if (root == NULL) {
    fprintf(stderr, "<stdin>:%s\n", error->message);
    return 1;
  }
  write_value(out, root);
  g_string_append_c(out, '\n');
  fwrite(out->str, 1, out->len, stdout);
  return fflush(stdout) == 0 ? 0 : 2;
}
