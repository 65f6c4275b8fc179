/* test-windows-main.c: runs the windows plugin's CUnit suites (pure part on any OS, module off Windows). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "test-windows.h"

const char *test_windows_module_path;

void test_sink_emit(void *ctx, const char *section, const char *line) {
  test_sink_buf *b = ctx;
  size_t n = strlen(section) + 2 + strlen(line) + 1;
  if (b->len + n + 1 > b->cap) {
    size_t ncap = b->cap ? b->cap : 1024;
    while (b->len + n + 1 > ncap)
      ncap *= 2;
    char *t = realloc(b->text, ncap);
    if (t == NULL)
      abort();
    b->text = t;
    b->cap = ncap;
  }
  b->len += (size_t)sprintf(b->text + b->len, "%s: %s\n", section, line);
}

void test_sink_free(test_sink_buf *b) {
  free(b->text);
  memset(b, 0, sizeof *b);
}

int main(int argc, char **argv) {
  test_windows_module_path = argc > 1 ? argv[1] : NULL;
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 2;
  if (test_windows_register_cmdline() || test_windows_register_plan() || test_windows_register_module()) {
    fprintf(stderr, "cannot register suites: %s\n", CU_get_error_msg());
    CU_cleanup_registry();
    return 2;
  }
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
