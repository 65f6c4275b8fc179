/* test-command-fd.c: the command line handed to ringfence-sandbox-init through a memfd comes out exactly as it went in, and anything malformed is refused. */
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "command-fd.h"

static void test_ten_thousand_arguments_and_empty_ones_round_trip(void) {
  enum { N = 10000 };
  char **argv = calloc(N + 2, sizeof(char *));
  CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
  for (int i = 0; i < N; i++) {
    argv[i] = malloc(16);
    snprintf(argv[i], 16, i % 7 == 3 ? "" : "a%d b", i); /* empty ones and spaces too */
  }
  const char *envp[] = {"PATH=/usr/bin:/bin", "EMPTY=", "X=a=b", NULL};
  char err[256] = "";
  int fd = rf_command_fd_create((const char *const *)argv, envp, err, sizeof(err));
  CU_ASSERT_FATAL(fd >= 0);
  /* Sealed: nobody can change what init will run. */
  CU_ASSERT_EQUAL(write(fd, "x", 1), -1);
  int seals = fcntl(fd, F_GET_SEALS);
  CU_ASSERT((seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)) ==
            (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL));
  CU_ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  char **got_argv = NULL, **got_envp = NULL;
  void *block = NULL;
  CU_ASSERT_EQUAL_FATAL(rf_command_fd_read(fd, &got_argv, &got_envp, &block, err, sizeof(err)), 0);
  for (int i = 0; i < N; i++)
    CU_ASSERT_STRING_EQUAL(got_argv[i], argv[i]);
  CU_ASSERT_PTR_NULL(got_argv[N]);
  for (int i = 0; envp[i]; i++)
    CU_ASSERT_STRING_EQUAL(got_envp[i], envp[i]);
  CU_ASSERT_PTR_NULL(got_envp[3]);
  free(block);
  close(fd);
  for (int i = 0; i < N; i++)
    free(argv[i]);
  free(argv);
}

static void test_no_environment_is_an_empty_one(void) {
  const char *argv[] = {"true", NULL};
  char err[256] = "";
  int fd = rf_command_fd_create(argv, NULL, err, sizeof(err));
  CU_ASSERT_FATAL(fd >= 0);
  char **a = NULL, **e = NULL;
  void *block = NULL;
  CU_ASSERT_EQUAL_FATAL(rf_command_fd_read(fd, &a, &e, &block, err, sizeof(err)), 0);
  CU_ASSERT_STRING_EQUAL(a[0], "true");
  CU_ASSERT_PTR_NULL(a[1]);
  CU_ASSERT_PTR_NULL(e[0]);
  free(block);
  close(fd);
  const char *none[] = {NULL};
  CU_ASSERT_EQUAL(rf_command_fd_create(none, NULL, err, sizeof(err)), -EINVAL);
}

static int blob_fd(const char *data, size_t len) {
  int fd = memfd_create("test", MFD_CLOEXEC);
  CU_ASSERT_FATAL(fd >= 0 && write(fd, data, len) == (ssize_t)len);
  return fd;
}

static void test_malformed_blobs_are_refused(void) {
  static const struct {
    const char *data;
    size_t len;
  } bad[] = {
      {"", 0},                          /* empty */
      {"1\0" "0\0" "true", 8},          /* last string not terminated */
      {"0\0" "0\0", 4},                 /* no command */
      {"2\0" "0\0" "true\0", 9},        /* fewer strings than announced */
      {"1\0" "0\0" "true\0x\0", 11},    /* more */
      {"1\0" "1\0" "true\0", 9},        /* the environment is missing */
      {"-1\0" "0\0" "true\0", 10},      /* a sign */
      {"1x\0" "0\0" "true\0", 10},      /* not a number */
      {"\0" "0\0" "true\0", 8},         /* no number */
      {"1\0", 2},                       /* no second count */
      {"1234567890\0" "0\0" "t\0", 15}, /* absurd count */
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    int fd = blob_fd(bad[i].data, bad[i].len);
    char **a = NULL, **e = NULL;
    void *block = NULL;
    char err[256] = "";
    int rc = rf_command_fd_read(fd, &a, &e, &block, err, sizeof(err));
    if (rc != -EINVAL)
      fprintf(stderr, "case %zu: rc %d\n", i, rc);
    CU_ASSERT_EQUAL(rc, -EINVAL);
    CU_ASSERT(err[0] != '\0');
    CU_ASSERT_PTR_NULL(block);
    close(fd);
  }
  /* Not a file at all. */
  int pipefd[2];
  CU_ASSERT_FATAL(pipe(pipefd) == 0);
  char **a = NULL, **e = NULL;
  void *block = NULL;
  char err[256] = "";
  CU_ASSERT(rf_command_fd_read(pipefd[0], &a, &e, &block, err, sizeof(err)) < 0);
  close(pipefd[0]);
  close(pipefd[1]);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS)
    return CU_get_error();
  CU_pSuite suite = CU_add_suite("command-fd", NULL, NULL);
  CU_add_test(suite, "10,000 arguments (empty ones too) and the environment come back exactly",
              test_ten_thousand_arguments_and_empty_ones_round_trip);
  CU_add_test(suite, "no environment reads back as an empty one; no command is refused",
              test_no_environment_is_an_empty_one);
  CU_add_test(suite, "malformed blobs are refused with a message", test_malformed_blobs_are_refused);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
