/* tests/toml/test-toml.c: CUnit claims about the toml.h API that toml-test cannot see:
 * positions in values and errors, parse_value and parse_key, integer limits, document
 * order, ownership. Conformance itself is tests/toml/toml-test (the toml-conformance test). */
#include "config/toml.h"

#include <CUnit/Basic.h>
#include <math.h>
#include <string.h>

static RfTomlValue *parse_ok(const char *text) {
  g_autoptr(GError) error = NULL;
  RfTomlValue *root = rf_toml_parse(text, strlen(text), &error);

  if (error != NULL)
    g_printerr("unexpected error: %s\n", error->message);
  CU_ASSERT_PTR_NOT_NULL_FATAL(root);
  return root;
}

/* Parses |text|, which must fail; returns the message. */
static char *parse_error(const char *text, gsize len, RfTomlError code) {
  g_autoptr(GError) error = NULL;
  g_autoptr(RfTomlValue) root = rf_toml_parse(text, len, &error);

  CU_ASSERT_PTR_NULL(root);
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  CU_ASSERT_TRUE(g_error_matches(error, RF_TOML_ERROR, (gint)code));
  return g_strdup(error->message);
}

static gboolean starts_with(const char *message, const char *prefix) {
  if (!g_str_has_prefix(message, prefix)) {
    g_printerr("\n  message '%s' does not start with '%s'\n", message, prefix);
    return FALSE;
  }
  return TRUE;
}

static void test_values_know_their_line_and_column(void) {
  g_autoptr(RfTomlValue) root = parse_ok("# config\n"
                                         "title = \"x\"\n"
                                         "\n"
                                         "[server]\n"
                                         "  port =   8080\n"
                                         "  \"naïve\" = [ 1,\n"
                                         "     2 ]\n"
                                         "\"é\" = true\n");
  RfTomlValue *server = rf_toml_table_get(root, "server");
  RfTomlValue *title = rf_toml_table_get(root, "title");
  RfTomlValue *list;
  guint line, column;

  CU_ASSERT_EQUAL(rf_toml_value_line(title), 2);
  CU_ASSERT_EQUAL(rf_toml_value_column(title), 9);
  CU_ASSERT_EQUAL(rf_toml_value_line(server), 4);
  CU_ASSERT_EQUAL(rf_toml_value_column(server), 1);
  CU_ASSERT_EQUAL(rf_toml_value_line(rf_toml_table_get(server, "port")), 5);
  CU_ASSERT_EQUAL(rf_toml_value_column(rf_toml_table_get(server, "port")), 12);
  list = rf_toml_table_get(server, "naïve");
  CU_ASSERT_PTR_NOT_NULL_FATAL(list);
  CU_ASSERT_EQUAL(rf_toml_value_line(list), 6);
  CU_ASSERT_EQUAL(rf_toml_value_column(list), 13); /* columns count characters, not bytes */
  CU_ASSERT_EQUAL(rf_toml_value_line(rf_toml_array_get(list, 1)), 7);
  CU_ASSERT_EQUAL(rf_toml_value_column(rf_toml_array_get(list, 1)), 6);
  /* "é" = true belongs to [server]; its key sits on line 8, column 1. */
  rf_toml_table_key_location_at(server, 2, &line, &column);
  CU_ASSERT_STRING_EQUAL(rf_toml_table_key_at(server, 2), "é");
  CU_ASSERT_EQUAL(line, 8);
  CU_ASSERT_EQUAL(column, 1);
  rf_toml_table_key_location_at(server, 1, &line, &column);
  CU_ASSERT_EQUAL(line, 6);
  CU_ASSERT_EQUAL(column, 3);
}

static void test_implicit_tables_point_at_their_key_until_defined(void) {
  g_autoptr(RfTomlValue) root = parse_ok("[a.b]\nx = 1\n\n  [a]\ny.z = 2\n");
  RfTomlValue *a = rf_toml_table_get(root, "a");
  RfTomlValue *y = rf_toml_table_get(a, "y");

  /* a was named by [a.b] first, then defined by its own header on line 4. */
  CU_ASSERT_EQUAL(rf_toml_value_line(a), 4);
  CU_ASSERT_EQUAL(rf_toml_value_column(a), 3);
  /* y was made by the dotted key y.z. */
  CU_ASSERT_EQUAL(rf_toml_value_line(y), 5);
  CU_ASSERT_EQUAL(rf_toml_value_column(y), 1);
}

static void test_errors_start_with_line_and_column(void) {
  g_autofree char *duplicate = parse_error("a = 1\n\n  a = 2\n", 15, RF_TOML_ERROR_DUPLICATE);
  g_autofree char *escape = parse_error("k = \"ok\"\nv = \"bad \\q\"\n", 22, RF_TOML_ERROR_SYNTAX);
  g_autofree char *unicode =
      parse_error("\"ü\" = \"ç\" x\n", strlen("\"ü\" = \"ç\" x\n"), RF_TOML_ERROR_SYNTAX);
  g_autofree char *table = parse_error("[t]\n[x]\n[t]\n", 12, RF_TOML_ERROR_DUPLICATE);
  g_autofree char *utf8 = parse_error("a = 1\nb = \"\xff\"\n", 12, RF_TOML_ERROR_ENCODING);
  g_autofree char *control = parse_error("a = \"\x01\"", 7, RF_TOML_ERROR_ENCODING);
  g_autofree char *crlf = parse_error("a = 1\r\nb = 2\r\nc = @\r\n", 21, RF_TOML_ERROR_SYNTAX);
  g_autofree char *eof = parse_error("a = [1,\n2,\n", 11, RF_TOML_ERROR_SYNTAX);
  g_autofree char *date = parse_error("d = 2023-02-29\n", 15, RF_TOML_ERROR_RANGE);

  CU_ASSERT_TRUE(starts_with(duplicate, "3:3: "));
  CU_ASSERT_PTR_NOT_NULL(strstr(duplicate, "'a'"));
  CU_ASSERT_PTR_NOT_NULL(strstr(duplicate, "line 1"));
  CU_ASSERT_TRUE(starts_with(escape, "2:10: "));
  CU_ASSERT_TRUE(starts_with(unicode, "1:11: "));
  CU_ASSERT_TRUE(starts_with(table, "3:1: "));
  CU_ASSERT_TRUE(starts_with(utf8, "2:6: "));
  CU_ASSERT_TRUE(starts_with(control, "1:6: "));
  CU_ASSERT_TRUE(starts_with(crlf, "3:5: "));
  CU_ASSERT_TRUE(starts_with(eof, "1:5: ")); /* points at the '[' left open */
  CU_ASSERT_TRUE(starts_with(date, "1:5: "));
}

static void test_integers_stop_at_64_bits(void) {
  g_autoptr(RfTomlValue) root = parse_ok("max = 9223372036854775807\n"
                                         "min = -9223372036854775808\n"
                                         "hex = 0x7FFF_FFFF_FFFF_FFFF\n"
                                         "bin = 0b1_0000_0000\n"
                                         "oct = 0o777\n"
                                         "neg0 = -0\n");
  g_autofree char *over = parse_error("x = 9223372036854775808", 23, RF_TOML_ERROR_RANGE);
  g_autofree char *under = parse_error("x = -9223372036854775809", 24, RF_TOML_ERROR_RANGE);
  g_autofree char *hex = parse_error("x = 0x8000000000000000", 22, RF_TOML_ERROR_RANGE);
  g_autofree char *huge = parse_error("x = 99999999999999999999999", 27, RF_TOML_ERROR_RANGE);
  g_autofree char *flt = parse_error("x = 1e400", 9, RF_TOML_ERROR_RANGE);

  CU_ASSERT_EQUAL(rf_toml_value_integer(rf_toml_table_get(root, "max")), G_MAXINT64);
  CU_ASSERT_EQUAL(rf_toml_value_integer(rf_toml_table_get(root, "min")), G_MININT64);
  CU_ASSERT_EQUAL(rf_toml_value_integer(rf_toml_table_get(root, "hex")), G_MAXINT64);
  CU_ASSERT_EQUAL(rf_toml_value_integer(rf_toml_table_get(root, "bin")), 256);
  CU_ASSERT_EQUAL(rf_toml_value_integer(rf_toml_table_get(root, "oct")), 511);
  CU_ASSERT_EQUAL(rf_toml_value_integer(rf_toml_table_get(root, "neg0")), 0);
  CU_ASSERT_TRUE(starts_with(over, "1:5: "));
  CU_ASSERT_TRUE(starts_with(under, "1:5: "));
  CU_ASSERT_TRUE(starts_with(hex, "1:5: "));
  CU_ASSERT_TRUE(starts_with(huge, "1:5: "));
  CU_ASSERT_TRUE(starts_with(flt, "1:5: "));
}

static void test_tables_iterate_in_document_order(void) {
  g_autoptr(RfTomlValue) root = parse_ok("zeta = 1\n"
                                         "alpha = 2\n"
                                         "mid.b = 3\n"
                                         "mid.a = 4\n"
                                         "[[list]]\n"
                                         "[beta]\n"
                                         "[[list]]\n");
  const char *expected[] = {"zeta", "alpha", "mid", "list", "beta"};
  RfTomlValue *mid = rf_toml_table_get(root, "mid");

  CU_ASSERT_EQUAL_FATAL(rf_toml_table_size(root), G_N_ELEMENTS(expected));
  for (guint i = 0; i < G_N_ELEMENTS(expected); i++) {
    CU_ASSERT_STRING_EQUAL(rf_toml_table_key_at(root, i), expected[i]);
    CU_ASSERT_PTR_EQUAL(rf_toml_table_value_at(root, i), rf_toml_table_get(root, expected[i]));
  }
  CU_ASSERT_STRING_EQUAL(rf_toml_table_key_at(mid, 0), "b");
  CU_ASSERT_STRING_EQUAL(rf_toml_table_key_at(mid, 1), "a");
  CU_ASSERT_EQUAL(rf_toml_array_length(rf_toml_table_get(root, "list")), 2);
  CU_ASSERT_EQUAL(rf_toml_value_type(rf_toml_table_get(root, "list")), RF_TOML_ARRAY);
  CU_ASSERT_PTR_NULL(rf_toml_table_get(root, "missing"));
}

static void test_parse_value_reads_one_command_line_value(void) {
  g_autoptr(GError) error = NULL;
  g_autoptr(RfTomlValue) yes = rf_toml_parse_value("true", NULL);
  g_autoptr(RfTomlValue) text = rf_toml_parse_value("  \"x\\ty\"  ", NULL);
  g_autoptr(RfTomlValue) list = rf_toml_parse_value("[\"a\", 'b']", NULL);
  g_autoptr(RfTomlValue) table = rf_toml_parse_value("{ a = 1, b.c = \"d\" }", NULL);
  g_autoptr(RfTomlValue) number = rf_toml_parse_value("-1_000", NULL);
  g_autoptr(RfTomlValue) bad = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL(yes);
  CU_ASSERT_EQUAL(rf_toml_value_type(yes), RF_TOML_BOOLEAN);
  CU_ASSERT_TRUE(rf_toml_value_boolean(yes));
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  CU_ASSERT_STRING_EQUAL(rf_toml_value_string(text), "x\ty");
  CU_ASSERT_EQUAL(rf_toml_value_column(text), 3);
  CU_ASSERT_PTR_NOT_NULL_FATAL(list);
  CU_ASSERT_EQUAL(rf_toml_array_length(list), 2);
  CU_ASSERT_STRING_EQUAL(rf_toml_value_string(rf_toml_array_get(list, 1)), "b");
  CU_ASSERT_PTR_NOT_NULL_FATAL(table);
  CU_ASSERT_EQUAL(rf_toml_value_integer(rf_toml_table_get(table, "a")), 1);
  CU_ASSERT_STRING_EQUAL(
      rf_toml_value_string(rf_toml_table_get(rf_toml_table_get(table, "b"), "c")), "d");
  CU_ASSERT_PTR_NOT_NULL_FATAL(number);
  CU_ASSERT_EQUAL(rf_toml_value_integer(number), -1000);

  /* A bare word is not a string: the caller must quote it. */
  bad = rf_toml_parse_value("workspace-write", &error);
  CU_ASSERT_PTR_NULL(bad);
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  CU_ASSERT_TRUE(starts_with(error->message, "1:1: "));
  g_clear_error(&error);
  bad = rf_toml_parse_value("1 2", &error);
  CU_ASSERT_PTR_NULL(bad);
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  CU_ASSERT_TRUE(starts_with(error->message, "1:3: "));
  g_clear_error(&error);
  bad = rf_toml_parse_value("", &error);
  CU_ASSERT_PTR_NULL(bad);
  CU_ASSERT_PTR_NOT_NULL(error);
}

static void test_parse_key_splits_dotted_keys(void) {
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) parts = rf_toml_parse_key("profiles. \"my.profile\" .sandbox_mode", NULL);
  g_auto(GStrv) bad = NULL;

  CU_ASSERT_PTR_NOT_NULL_FATAL(parts);
  CU_ASSERT_EQUAL_FATAL(g_strv_length(parts), 3);
  CU_ASSERT_STRING_EQUAL(parts[0], "profiles");
  CU_ASSERT_STRING_EQUAL(parts[1], "my.profile");
  CU_ASSERT_STRING_EQUAL(parts[2], "sandbox_mode");
  bad = rf_toml_parse_key("a..b", &error);
  CU_ASSERT_PTR_NULL(bad);
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  CU_ASSERT_TRUE(starts_with(error->message, "1:3: "));
  g_clear_error(&error);
  bad = rf_toml_parse_key("a = 1", &error);
  CU_ASSERT_PTR_NULL(bad);
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  g_clear_error(&error);
  /* Found by toml-fuzz: refusing a NUL in a later part leaked the parts before it. */
  bad = rf_toml_parse_key("a.b.\"c\\u0000\"", &error);
  CU_ASSERT_PTR_NULL(bad);
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  CU_ASSERT_TRUE(starts_with(error->message, "1:5: "));
}

static void test_strings_and_keys_may_hold_nul(void) {
  g_autoptr(RfTomlValue) root = parse_ok("\"k\\u0000ey\" = \"a\\u0000b\"\n");
  RfTomlValue *value = rf_toml_table_value_at(root, 0);

  CU_ASSERT_EQUAL(rf_toml_table_key_length_at(root, 0), 4);
  CU_ASSERT_EQUAL(rf_toml_value_string_length(value), 3);
  CU_ASSERT_EQUAL(memcmp(rf_toml_value_string(value), "a\0b", 4), 0);
  CU_ASSERT_PTR_NULL(rf_toml_table_get(root, "k"));
}

static void test_datetimes_are_normalised_rfc3339(void) {
  g_autoptr(RfTomlValue) root = parse_ok("odt = 1979-05-27 07:32:00.5z\n"
                                         "off = 1979-05-27t00:32:00-07:30\n"
                                         "ldt = 1979-05-27T07:32:00\n"
                                         "ld = 2024-02-29\n"
                                         "lt = 23:59:60.123456789123\n");
  RfTomlDatetime d;

  CU_ASSERT_EQUAL(rf_toml_value_type(rf_toml_table_get(root, "odt")), RF_TOML_DATETIME);
  CU_ASSERT_STRING_EQUAL(rf_toml_value_datetime_text(rf_toml_table_get(root, "odt")),
                         "1979-05-27T07:32:00.5Z");
  CU_ASSERT_STRING_EQUAL(rf_toml_value_datetime_text(rf_toml_table_get(root, "off")),
                         "1979-05-27T00:32:00-07:30");
  rf_toml_value_datetime(rf_toml_table_get(root, "off"), &d);
  CU_ASSERT_EQUAL(d.offset_minutes, -450);
  CU_ASSERT_EQUAL(rf_toml_value_type(rf_toml_table_get(root, "ldt")), RF_TOML_DATETIME_LOCAL);
  CU_ASSERT_EQUAL(rf_toml_value_type(rf_toml_table_get(root, "ld")), RF_TOML_DATE_LOCAL);
  CU_ASSERT_STRING_EQUAL(rf_toml_value_datetime_text(rf_toml_table_get(root, "ld")), "2024-02-29");
  CU_ASSERT_EQUAL(rf_toml_value_type(rf_toml_table_get(root, "lt")), RF_TOML_TIME_LOCAL);
  rf_toml_value_datetime(rf_toml_table_get(root, "lt"), &d);
  CU_ASSERT_EQUAL(d.second, 60);
  CU_ASSERT_EQUAL(d.nanosecond, 123456789);
  CU_ASSERT_EQUAL(d.year, 0);
}

static void test_floats_and_type_names(void) {
  g_autoptr(RfTomlValue) root = parse_ok("a = -inf\nb = nan\nc = 6.626e-34\nd = 1_000.5\n");

  CU_ASSERT_TRUE(isinf(rf_toml_value_float(rf_toml_table_get(root, "a"))));
  CU_ASSERT_TRUE(rf_toml_value_float(rf_toml_table_get(root, "a")) < 0);
  CU_ASSERT_TRUE(isnan(rf_toml_value_float(rf_toml_table_get(root, "b"))));
  CU_ASSERT_DOUBLE_EQUAL(rf_toml_value_float(rf_toml_table_get(root, "c")), 6.626e-34, 1e-40);
  CU_ASSERT_DOUBLE_EQUAL(rf_toml_value_float(rf_toml_table_get(root, "d")), 1000.5, 0);
  CU_ASSERT_STRING_EQUAL(rf_toml_type_name(RF_TOML_INTEGER), "integer");
  CU_ASSERT_STRING_EQUAL(rf_toml_type_name(RF_TOML_BOOLEAN), "boolean");
  CU_ASSERT_STRING_EQUAL(rf_toml_type_name(RF_TOML_DATE_LOCAL), "local date");
}

static void test_deep_nesting_is_refused_not_overflowed(void) {
  g_autoptr(GString) deep = g_string_new("a = ");
  g_autoptr(GString) header = g_string_new("[");
  g_autofree char *message = NULL;
  g_autofree char *header_message = NULL;

  for (int i = 0; i < 100000; i++)
    g_string_append_c(deep, '[');
  message = parse_error(deep->str, deep->len, RF_TOML_ERROR_TOO_DEEP);
  CU_ASSERT_TRUE(starts_with(message, "1:"));
  for (int i = 0; i < 1000; i++)
    g_string_append(header, "a.");
  g_string_append(header, "a]\n");
  header_message = parse_error(header->str, header->len, RF_TOML_ERROR_TOO_DEEP);
  CU_ASSERT_TRUE(starts_with(header_message, "1:"));
}

static void test_inline_tables_are_complete_where_written(void) {
  g_autofree char *dotted = parse_error("a = { b = 1 }\na.c = 2\n", 22, RF_TOML_ERROR_DUPLICATE);
  g_autofree char *header =
      parse_error("a = { b = { c = 1 } }\n[a.b.d]\n", 30, RF_TOML_ERROR_DUPLICATE);
  g_autofree char *inner = parse_error("a = { b.c = 1 }\n[a.b]\n", 22, RF_TOML_ERROR_DUPLICATE);

  CU_ASSERT_TRUE(starts_with(dotted, "2:1: "));
  /* Both headers stop at 'a', the inline table they would have to enter. */
  CU_ASSERT_TRUE(starts_with(header, "2:2: "));
  CU_ASSERT_TRUE(starts_with(inner, "2:2: "));
}

int main(void) {
  CU_pSuite suite;
  unsigned int failures;

  if (CU_initialize_registry() != CUE_SUCCESS)
    return 2;
  suite = CU_add_suite("toml", NULL, NULL);
  CU_add_test(suite, "values know their line and column", test_values_know_their_line_and_column);
  CU_add_test(suite, "implicit tables point at their key until defined",
              test_implicit_tables_point_at_their_key_until_defined);
  CU_add_test(suite, "errors start with line:column", test_errors_start_with_line_and_column);
  CU_add_test(suite, "integers stop at 64 bits", test_integers_stop_at_64_bits);
  CU_add_test(suite, "tables iterate in document order", test_tables_iterate_in_document_order);
  CU_add_test(suite, "parse_value reads one command-line value",
              test_parse_value_reads_one_command_line_value);
  CU_add_test(suite, "parse_key splits dotted keys", test_parse_key_splits_dotted_keys);
  CU_add_test(suite, "strings and keys may hold NUL", test_strings_and_keys_may_hold_nul);
  CU_add_test(suite, "date-times are normalised RFC 3339", test_datetimes_are_normalised_rfc3339);
  CU_add_test(suite, "floats and type names", test_floats_and_type_names);
  CU_add_test(suite, "deep nesting is refused, not overflowed",
              test_deep_nesting_is_refused_not_overflowed);
  CU_add_test(suite, "inline tables are complete where written",
              test_inline_tables_are_complete_where_written);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failures == 0 ? 0 : 1;
}
