/* test-seccomp.c: the seccomp programs built into the plugins are exactly what libseccomp compiles now. */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seccomp-groups.h"
#include "unix-supervisor.h"

static unsigned char *slurp(int fd, size_t *len) {
  off_t size = lseek(fd, 0, SEEK_END);
  unsigned char *bytes = malloc((size_t)size);
  CU_ASSERT_FATAL(bytes && pread(fd, bytes, (size_t)size, 0) == size);
  *len = (size_t)size;
  close(fd);
  return bytes;
}

static void test_precompiled_programs_match_a_fresh_compile(void) {
  char err[256];
  for (int bits = 0; bits < 16; bits++) {
    rf_seccomp_options opts = {bits & 1, (bits >> 1) & 1, (bits >> 2) & 1, (bits >> 3) & 1};
    size_t a_len, b_len;
    unsigned char *a = slurp(rf_seccomp_export_memfd(&opts, err, sizeof(err)), &a_len);
    unsigned char *b = slurp(rf_seccomp_compile_memfd(&opts, err, sizeof(err)), &b_len);
    CU_ASSERT_EQUAL(a_len, b_len);
    CU_ASSERT(a_len == b_len && memcmp(a, b, a_len) == 0);
    free(a);
    free(b);
  }
  for (int guard = 0; guard < 3; guard++) {
    size_t a_len, b_len;
    unsigned char *a = slurp(rf_unix_supervisor_filter_memfd(guard, err, sizeof(err)), &a_len);
    unsigned char *b = slurp(rf_unix_supervisor_compile_filter(guard, err, sizeof(err)), &b_len);
    CU_ASSERT(a_len == b_len && memcmp(a, b, a_len) == 0);
    free(a);
    free(b);
  }
}

static void test_filters_differ_by_option(void) {
  char err[256];
  rf_seccomp_options open_net = {0, 1, 0, 0}, closed = {1, 1, 1, 0};
  size_t a_len, b_len;
  unsigned char *a = slurp(rf_seccomp_export_memfd(&open_net, err, sizeof(err)), &a_len);
  unsigned char *b = slurp(rf_seccomp_export_memfd(&closed, err, sizeof(err)), &b_len);
  CU_ASSERT(b_len > a_len); /* the network and datagram rules add instructions */
  free(a);
  free(b);
}

int main(void) {
  CU_initialize_registry();
  CU_pSuite suite = CU_add_suite("seccomp programs", NULL, NULL);
  CU_add_test(suite, "the precompiled programs match a fresh libseccomp compile",
              test_precompiled_programs_match_a_fresh_compile);
  CU_add_test(suite, "network-off and datagram options add rules", test_filters_differ_by_option);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
