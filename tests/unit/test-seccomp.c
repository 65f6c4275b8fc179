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
  for (int bits = 0; bits < 32; bits++) {
    rf_seccomp_options opts = {bits & 1, (bits >> 1) & 1, (bits >> 2) & 1, (bits >> 3) & 1,
                               (bits >> 4) & 1};
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
  rf_seccomp_options open_net = {0, 1, 0, 0, 0}, closed = {1, 1, 1, 0, 0};
  size_t a_len, b_len;
  unsigned char *a = slurp(rf_seccomp_export_memfd(&open_net, err, sizeof(err)), &a_len);
  unsigned char *b = slurp(rf_seccomp_export_memfd(&closed, err, sizeof(err)), &b_len);
  CU_ASSERT(b_len > a_len); /* the network and datagram rules add instructions */
  free(a);
  free(b);
  /* Without pid and IPC namespaces: @sysv-ipc and @other-processes. */
  rf_seccomp_options host_pids = closed;
  host_pids.host_pids = 1;
  a = slurp(rf_seccomp_export_memfd(&closed, err, sizeof(err)), &a_len);
  b = slurp(rf_seccomp_export_memfd(&host_pids, err, sizeof(err)), &b_len);
  CU_ASSERT(b_len > a_len);
  free(a);
  free(b);
  size_t n_without = 0, n_with = 0;
  rf_seccomp_groups(&closed, &n_without);
  const rf_seccomp_group *groups = rf_seccomp_groups(&host_pids, &n_with);
  CU_ASSERT_EQUAL(n_with, n_without + 2);
  CU_ASSERT_STRING_EQUAL(groups[n_with - 2].name, "@sysv-ipc");
  CU_ASSERT_STRING_EQUAL(groups[n_with - 1].name, "@other-processes");
}

int main(void) {
  CU_initialize_registry();
  CU_pSuite suite = CU_add_suite("seccomp programs", NULL, NULL);
  CU_add_test(suite, "the precompiled programs match a fresh libseccomp compile",
              test_precompiled_programs_match_a_fresh_compile);
  CU_add_test(suite, "network-off, datagram and host-pid options add rules", test_filters_differ_by_option);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
