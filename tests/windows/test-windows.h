/* test-windows.h: shared helpers of the windows plugin's CUnit tests. */
#ifndef TEST_WINDOWS_H
#define TEST_WINDOWS_H

#include <CUnit/CUnit.h>

#include "ringfence/backend.h"

/* Each test file registers its suite(s); 0 or a CUnit error. */
int test_windows_register_cmdline(void);
int test_windows_register_plan(void);
int test_windows_register_module(void);

/* Path of the built rf-backend-windows module (argv[1] of the test binary). */
extern const char *test_windows_module_path;

/* Collects rendered lines: "section: line\n" appended to one buffer. */
typedef struct {
  char *text;
  size_t len, cap;
} test_sink_buf;

void test_sink_emit(void *ctx, const char *section, const char *line);
void test_sink_free(test_sink_buf *b);

#endif /* TEST_WINDOWS_H */
