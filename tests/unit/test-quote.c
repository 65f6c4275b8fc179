/* test-quote.c: CUnit claims about how error messages show user input (core/util/quote.c): bounded,
 * escaped, whole characters, with the length of what was cut. */
#include <CUnit/Basic.h>
#include <glib.h>
#include <string.h>

#include "util/quote.h"

static void test_short_text_is_quoted_as_is(void) {
  g_autofree char *q = rf_quote("workspace-write", -1);
  CU_ASSERT_STRING_EQUAL(q, "'workspace-write'");
  g_autofree char *dq = rf_quote_with("x", -1, '"', RF_QUOTE_MAX_BYTES);
  CU_ASSERT_STRING_EQUAL(dq, "\"x\"");
  g_autofree char *none = rf_excerpt("-c a=b");
  CU_ASSERT_STRING_EQUAL(none, "-c a=b");
  g_autofree char *null = rf_quote(NULL, -1);
  CU_ASSERT_STRING_EQUAL(null, "''");
}

static void test_a_10_mib_value_costs_about_100_bytes(void) {
  gsize n = 10u << 20;
  char *big = g_malloc(n + 1);
  memset(big, 'a', n);
  big[n] = '\0';
  g_autofree char *q = rf_quote(big, -1);
  CU_ASSERT(strlen(q) < 100);
  CU_ASSERT(g_str_has_suffix(q, "'... (10485760 bytes)"));
  CU_ASSERT(strncmp(q, "'aaaa", 5) == 0);
  g_autofree char *p = rf_quote_path(big);
  CU_ASSERT(strlen(p) < RF_QUOTE_MAX_PATH_BYTES + 40);
  g_free(big);
}

static void test_control_characters_and_quotes_are_escaped(void) {
  g_autofree char *q = rf_quote("a\033[31mred\a'\\\n\t", -1);
  CU_ASSERT_STRING_EQUAL(q, "'a\\x1B[31mred\\x07\\'\\\\\\n\\t'");
  g_autofree char *bidi = rf_quote("x\xe2\x80\xaey", -1); /* U+202E RIGHT-TO-LEFT OVERRIDE */
  CU_ASSERT_STRING_EQUAL(bidi, "'x\\u{202E}y'");
  g_autofree char *bad = rf_quote("\xff\xfe", -1); /* not UTF-8 */
  CU_ASSERT_STRING_EQUAL(bad, "'\\xFF\\xFE'");
  g_autofree char *nul = rf_quote("a\0b", 3); /* a NUL inside a counted value */
  CU_ASSERT_STRING_EQUAL(nul, "'a\\x00b'");
  g_autofree char *utf8 = rf_quote("caf\xc3\xa9", -1); /* printable UTF-8 stays */
  CU_ASSERT_STRING_EQUAL(utf8, "'caf\xc3\xa9'");
}

static void test_the_cut_keeps_whole_characters(void) {
  /* 59 ASCII bytes, then a 2-byte character straddling the 60-byte limit. */
  GString *text = g_string_new(NULL);
  for (int i = 0; i < RF_QUOTE_MAX_BYTES - 1; i++)
    g_string_append_c(text, 'b');
  g_string_append(text, "\xc3\xa9tail");
  g_autofree char *q = rf_quote(text->str, -1);
  CU_ASSERT(g_utf8_validate(q, -1, NULL));
  CU_ASSERT(strstr(q, "\xc3") == NULL);
  CU_ASSERT(g_str_has_suffix(q, "'... (65 bytes)"));
  g_string_free(text, TRUE);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS)
    return CU_get_error();
  CU_pSuite s = CU_add_suite("quoting user input in messages", NULL, NULL);
  CU_add_test(s, "short text is quoted as it is", test_short_text_is_quoted_as_is);
  CU_add_test(s, "a 10 MiB value costs a message about 100 bytes, with its length",
              test_a_10_mib_value_costs_about_100_bytes);
  CU_add_test(s, "control characters, bidi overrides, bad UTF-8 and quotes are escaped",
              test_control_characters_and_quotes_are_escaped);
  CU_add_test(s, "the cut keeps whole characters", test_the_cut_keeps_whole_characters);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
