/* test-capless.c: core/policy/capless.c: a call made with the command's access runs in the calling thread, without effective capabilities, which come back afterwards. */
#include "policy/capless.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "../lib/rerun-unprivileged.h"

static int effective_caps(guint32 out[2]) {
  struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct caps[2];
  if (syscall(SYS_capget, &head, caps) != 0)
    return -errno;
  out[0] = caps[0].effective;
  out[1] = caps[1].effective;
  return 0;
}

typedef struct {
  pthread_t thread;
  guint32 caps[2];
  const char *dir;
  int open_errno; /* 0: the directory opened */
} Seen;

static gpointer look(gpointer data) {
  Seen *seen = data;
  seen->thread = pthread_self();
  effective_caps(seen->caps);
  if (seen->dir) {
    int fd = open(seen->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    seen->open_errno = fd < 0 ? errno : 0;
    if (fd >= 0)
      close(fd);
  }
  return seen;
}

/* The walk used to run in a thread of its own (~0.08 ms per walk to start and join). */
static void test_runs_in_the_calling_thread(void) {
  Seen seen = {0};
  CU_ASSERT_PTR_EQUAL(rf_with_command_access(look, &seen), &seen);
  CU_ASSERT(pthread_equal(seen.thread, pthread_self()));
}

static void test_no_effective_capabilities_inside_and_back_after(void) {
  guint32 before[2], after[2];
  CU_ASSERT_EQUAL_FATAL(effective_caps(before), 0);
  Seen seen = {.caps = {~0u, ~0u}};
  CU_ASSERT_PTR_EQUAL(rf_with_command_access(look, &seen), &seen);
  CU_ASSERT_EQUAL(seen.caps[0], 0);
  CU_ASSERT_EQUAL(seen.caps[1], 0);
  CU_ASSERT_EQUAL_FATAL(effective_caps(after), 0);
  CU_ASSERT_EQUAL(after[0], before[0]);
  CU_ASSERT_EQUAL(after[1], before[1]);
}

/* Root's CAP_DAC_OVERRIDE does not count inside: another user's private folder stays closed,
 * and opens again afterwards. */
static void test_another_users_private_folder(void) {
  if (geteuid() != 0) {
    printf("\n    skipped: needs root (a folder of another user, entered with CAP_DAC_OVERRIDE) ");
    return;
  }
  char dir[] = "/var/tmp/rf-capless-XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  CU_ASSERT_EQUAL(chmod(dir, 0700), 0);
  CU_ASSERT_EQUAL(chown(dir, 65534, 65534), 0);
  Seen seen = {.dir = dir};
  rf_with_command_access(look, &seen);
  CU_ASSERT_EQUAL(seen.open_errno, EACCES);
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  CU_ASSERT(fd >= 0);
  if (fd >= 0)
    close(fd);
  CU_ASSERT_EQUAL(rmdir(dir), 0);
}

int main(int argc, char **argv) {
  int skip = rf_test_rerun_unprivileged(argc, argv);
  if (skip >= 0)
    return skip;
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 1;
  CU_pSuite suite = CU_add_suite("capless", NULL, NULL);
  CU_add_test(suite, "runs in the calling thread", test_runs_in_the_calling_thread);
  CU_add_test(suite, "no effective capabilities inside, the same ones after",
              test_no_effective_capabilities_inside_and_back_after);
  CU_add_test(suite, "another user's private folder", test_another_users_private_folder);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
