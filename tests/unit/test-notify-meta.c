/* test-notify-meta.c: the metadata handler changes modes, owners, times and xattrs only inside the writable roots and outside the protected paths, by path and by descriptor (notify-handler-meta.c). */
#include <CUnit/Basic.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "notify-child.h"
#include "notify-handler-meta.h"

static char dir[] = "/var/tmp/rf-notify-meta-XXXXXX";
static char root[160], inside[192], outside[192], protected_dir[192], protected_file[224];

static void meta_body(int report) {
  report_int(report, result_of(chmod(inside, 0600)));
  report_int(report, result_of(chmod(outside, 0600)));
  report_int(report, result_of(chmod(protected_file, 0600)));
  int fd = open(outside, O_RDONLY);
  report_int(report, result_of(fchmod(fd, 0600)));
  close(fd);
  struct timespec old[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};
  report_int(report, result_of(utimensat(AT_FDCWD, inside, old, 0)));
  report_int(report, result_of(utimensat(AT_FDCWD, outside, old, 0)));
  report_int(report, result_of(setxattr(outside, "user.rf", "x", 1, 0)));
  /* a symlink inside pointing out: followed, the target is outside */
  char link[224];
  snprintf(link, sizeof(link), "%s/link-out", root);
  report_int(report, result_of(chmod(link, 0600)));
}
#define N_META 8

static void test_metadata_changes_only_inside_the_writable_roots(void) {
  snprintf(root, sizeof(root), "%s/root", dir);
  snprintf(inside, sizeof(inside), "%s/file", root);
  snprintf(outside, sizeof(outside), "%s/outside", dir);
  snprintf(protected_dir, sizeof(protected_dir), "%s/.git", root);
  snprintf(protected_file, sizeof(protected_file), "%s/config", protected_dir);
  char link[224];
  snprintf(link, sizeof(link), "%s/link-out", root);
  CU_ASSERT_FATAL(mkdir(root, 0755) == 0 && mkdir(protected_dir, 0755) == 0);
  const char *files[] = {inside, outside, protected_file};
  for (size_t i = 0; i < 3; i++) {
    int fd = open(files[i], O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
  }
  CU_ASSERT_FATAL(symlink(outside, link) == 0);
  struct stat before;
  stat(outside, &before);

  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  rf_notify_meta_add_rules(ctx);
  struct sock_fprog prog = notify_child_program(ctx);
  CU_ASSERT_FATAL(prog.len > 0);
  const char *writable[] = {root};
  const char *protect[] = {protected_dir};
  rf_notify_meta *m = NULL;
  CU_ASSERT_FATAL(rf_notify_meta_new(writable, 1, protect, 1, &m) == 0);
  notify_child c = {.pid = -1, .channel = -1, .results = -1};
  CU_ASSERT_FATAL(notify_child_start(&c, &prog, meta_body) == 0);
  rf_notify_dispatch_config dc = {
      .receive = notify_child_receive,
      .ready = notify_child_ready,
      .max_workers = 2,
      .drop_capabilities = 1,
  };
  char err[256];
  rf_notify_dispatch *d = NULL;
  CU_ASSERT_FATAL(rf_notify_dispatch_new(&dc, c.channel, &d, err, sizeof(err)) == 0);
  CU_ASSERT_FATAL(rf_notify_dispatch_add(d, &rf_notify_meta_handler, m) == 0);
  CU_ASSERT_FATAL(rf_notify_dispatch_start(d, err, sizeof(err)) == 0);
  int got[N_META];
  notify_child_report(&c, got, N_META);
  int status = notify_child_wait(&c);
  rf_notify_dispatch_stop(d);
  rf_notify_meta_free(m);
  free(prog.filter);

  CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  if (got[0] != 0)
    printf("\n  results: %d %d %d %d %d %d %d %d, status %#x\n", got[0], got[1], got[2], got[3], got[4], got[5], got[6], got[7], status);
  CU_ASSERT_EQUAL(got[0], 0);      /* chmod inside */
  CU_ASSERT_EQUAL(got[1], EACCES); /* outside */
  CU_ASSERT_EQUAL(got[2], EACCES); /* below a protected path */
  CU_ASSERT_EQUAL(got[3], EACCES); /* by descriptor, outside */
  CU_ASSERT_EQUAL(got[4], 0);      /* times inside */
  CU_ASSERT_EQUAL(got[5], EACCES); /* times outside */
  CU_ASSERT_EQUAL(got[6], EACCES); /* xattr outside */
  CU_ASSERT_EQUAL(got[7], EACCES); /* through a symlink inside pointing out */
  struct stat st;
  CU_ASSERT(stat(inside, &st) == 0 && (st.st_mode & 07777) == 0600 && st.st_mtime == 1000000000);
  CU_ASSERT(stat(outside, &st) == 0 && (st.st_mode & 07777) == 0644 &&
            st.st_mtime == before.st_mtime);
  CU_ASSERT(stat(protected_file, &st) == 0 && (st.st_mode & 07777) == 0644);
  CU_ASSERT(getxattr(outside, "user.rf", NULL, 0) < 0);

  unlink(link);
  for (size_t i = 0; i < 3; i++)
    unlink(files[i]);
  rmdir(protected_dir);
  rmdir(root);
}

int main(void) {
  if (!mkdtemp(dir))
    return 1;
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 1;
  CU_pSuite s = CU_add_suite("metadata handler", NULL, NULL);
  CU_add_test(s, "metadata changes only inside the writable roots, outside protected paths",
              test_metadata_changes_only_inside_the_writable_roots);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  rmdir(dir);
  return failed ? 1 : 0;
}
