/* cunit-expect.h: EXPECT, one CUnit assertion whose message says what was expected, for the table-driven tests. */
#ifndef RF_TEST_CUNIT_EXPECT_H
#define RF_TEST_CUNIT_EXPECT_H

#include <CUnit/CUnit.h>
#include <stdarg.h>
#include <stdio.h>

/* Counted by CUnit like CU_ASSERT; when it fails CUnit prints the formatted message under the
 * test's name, so a table row's failure says which expectation of which claim broke.  |fatal|
 * ends the test as CU_ASSERT_FATAL does. */
__attribute__((format(printf, 5, 6))) static inline void expect_at(const char *file, int line,
                                                                  int fatal, int ok,
                                                                  const char *fmt, ...) {
  char message[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, (unsigned int)line, message, file, "",
                          fatal ? CU_TRUE : CU_FALSE);
}
#define EXPECT(ok, ...) expect_at(__FILE__, __LINE__, 0, (ok), __VA_ARGS__)
#define EXPECT_FATAL(ok, ...) expect_at(__FILE__, __LINE__, 1, (ok), __VA_ARGS__)

#endif
