/* test-guard-tree.c: claims about the protected-path decision (guard-tree.c) and the entries a policy becomes (guard-entries.c), on real files. */
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guard-entries.h"
#include "guard-tree.h"

static char top[256], ws[512];

static void path_of(char *out, const char *rel) {
  snprintf(out, PATH_MAX, "%s/%s", ws, rel);
}

static void make_dir(const char *rel) {
  char p[PATH_MAX];
  path_of(p, rel);
  CU_ASSERT_FATAL(mkdir(p, 0755) == 0);
}

static void make_file(const char *rel) {
  char p[PATH_MAX];
  path_of(p, rel);
  int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
  CU_ASSERT_FATAL(fd >= 0);
  close(fd);
}

static int dir_fd(const char *rel) {
  char p[PATH_MAX];
  path_of(p, rel);
  return open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* The Landlock backend's table for ws/.git and ws/.envrc (existing) and
 * ws/.vscode (missing). */
static char **entries;
static rf_guard_table table;

static int setup(void) {
  snprintf(top, sizeof(top), "/var/tmp/rf-guard-unit-XXXXXX");
  if (!mkdtemp(top))
    return -1;
  snprintf(ws, sizeof(ws), "%s/ws", top);
  if (mkdir(ws, 0755) != 0)
    return -1;
  return 0;
}

static int teardown(void) {
  char cmd[PATH_MAX + 16];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
  rf_guard_table_clear(&table);
  for (size_t i = 0; entries && entries[i]; i++)
    free(entries[i]);
  free(entries);
  return system(cmd) == 0 ? 0 : -1;
}

static void build_tree(void) {
  make_dir(".git");
  make_dir(".git/objects");
  make_file(".git/config");
  make_file(".envrc");
  make_dir("sub");
  make_dir("sub/deep");
  make_file("plain");
  char p[PATH_MAX], q[PATH_MAX];
  path_of(p, ".envrc");
  path_of(q, "envrc-link");
  CU_ASSERT_FATAL(link(p, q) == 0); /* a hard link made before the run */
  path_of(q, "git-symlink");
  CU_ASSERT_FATAL(symlink(".git", q) == 0);
  char g[PATH_MAX], e[PATH_MAX], v[PATH_MAX], l[PATH_MAX];
  path_of(g, ".git");
  path_of(e, ".envrc");
  path_of(v, ".vscode");
  path_of(l, "git-symlink");
  const char *protected_paths[] = {g, e, v, l};
  rf_backend_root root = {.size = sizeof(root), .path = ws, .protected_paths = protected_paths,
                          .n_protected = 4};
  rf_backend_policy policy;
  memset(&policy, 0, sizeof(policy));
  policy.writable_roots = &root;
  policy.n_writable_roots = 1;
  entries = rf_guard_entries_for_policy(&policy, 1);
  CU_ASSERT_FATAL(entries != NULL);
  size_t n = 0;
  while (entries[n])
    n++;
  CU_ASSERT_FATAL(rf_guard_table_parse(&table, (const char *const *)entries, n) == 0);
  CU_ASSERT(table.has_objects);

  /* The bwrap backend's list: no N or P for what exists (its mounts hold it). */
  char **bwrap = rf_guard_entries_for_policy(&policy, 0);
  CU_ASSERT_FATAL(bwrap != NULL);
  int kinds[128] = {0};
  for (size_t i = 0; bwrap[i]; i++) {
    kinds[(unsigned char)bwrap[i][0]]++;
    free(bwrap[i]);
  }
  free(bwrap);
  CU_ASSERT_EQUAL(kinds['P'], 0);
  CU_ASSERT_EQUAL(kinds['N'], 1); /* .vscode */
  CU_ASSERT_EQUAL(kinds['L'], 1); /* git-symlink */
  CU_ASSERT_EQUAL(kinds['A'], 1); /* .git */
}

static void test_entries_parse_strictly(void) {
  rf_guard_entry e;
  CU_ASSERT_EQUAL(rf_guard_parse_entry("N:1:2:2e676974", &e), 0);
  CU_ASSERT_STRING_EQUAL(e.name, ".git");
  CU_ASSERT_EQUAL(rf_guard_parse_entry("P:3:4", &e), 0);
  CU_ASSERT(e.kind == 'P' && e.dev == 3 && e.ino == 4);
  const char *bad[] = {"", "P", "P:", "P:1", "P:1:2:3", "X:1:2", "N:1:2:", "N:1:2:2e6", "N:1:2:zz",
                       "N:1:2:2f" /* a slash */, "N:1:2:00" /* a NUL */, "A:1:2x", NULL};
  for (const char **b = bad; *b; b++)
    CU_ASSERT_EQUAL(rf_guard_parse_entry(*b, &e), -EINVAL);
  char longname[600];
  memset(longname, 0, sizeof(longname));
  strcpy(longname, "N:1:2:");
  for (int i = 0; i < 256; i++)
    strcat(longname, "61");
  CU_ASSERT_EQUAL(rf_guard_parse_entry(longname, &e), -EINVAL);
  rf_guard_table t;
  const char *mixed[] = {"P:1:2", "garbage"};
  CU_ASSERT_EQUAL(rf_guard_table_parse(&t, mixed, 2), -EINVAL); /* never a shorter list */
}

static void test_entries_below_protected_objects_are_refused(void) {
  build_tree();
  int w = dir_fd(""), git = dir_fd(".git"), objects = dir_fd(".git/objects"), sub = dir_fd("sub");
  int deep = dir_fd("sub/deep"), via_link = dir_fd("git-symlink");
  CU_ASSERT_FATAL(w >= 0 && git >= 0 && objects >= 0 && sub >= 0 && deep >= 0 && via_link >= 0);
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&table, w, ".git"), 1);
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&table, w, ".envrc"), 1);
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&table, w, ".vscode"), 1);    /* missing: by name */
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&table, w, "envrc-link"), 1); /* the same inode */
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&table, git, "config"), 1);
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&table, git, "new"), 1);
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&table, objects, "x"), 1);
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&table, objects, ".."), 1);
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&table, via_link, "config"), 1); /* through a symlink */
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&table, git, ""), 1);
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&table, w, "plain"), 0);
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&table, w, "new"), 0);
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&table, deep, "x"), 0);
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&table, sub, ".."), 0);
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&table, w, "."), 0);
  CU_ASSERT_EQUAL(rf_guard_pinned(&table, w, ".git"), 1);
  CU_ASSERT_EQUAL(rf_guard_pinned(&table, w, "sub"), 0);
  CU_ASSERT_EQUAL(rf_guard_dir_below(&table, objects), 1);
  CU_ASSERT_EQUAL(rf_guard_dir_below(&table, deep), 0);
  close(w), close(git), close(objects), close(sub), close(deep), close(via_link);
}

static void test_descriptors_are_judged_by_their_file(void) {
  char p[PATH_MAX];
  path_of(p, ".git/config");
  int config = open(p, O_RDONLY | O_CLOEXEC);
  path_of(p, ".git/config");
  int config_path = open(p, O_PATH | O_CLOEXEC);
  path_of(p, "plain");
  int plain = open(p, O_RDONLY | O_CLOEXEC);
  int objects = dir_fd(".git/objects"), w = dir_fd("");
  CU_ASSERT_FATAL(config >= 0 && config_path >= 0 && plain >= 0 && objects >= 0 && w >= 0);
  CU_ASSERT_EQUAL(rf_guard_fd_refused(&table, config, -1), 1);
  CU_ASSERT_EQUAL(rf_guard_fd_refused(&table, config_path, -1), 1);
  CU_ASSERT_EQUAL(rf_guard_fd_refused(&table, objects, -1), 1);
  CU_ASSERT_EQUAL(rf_guard_fd_refused(&table, plain, -1), 0);
  CU_ASSERT_EQUAL(rf_guard_fd_refused(&table, w, -1), 0);
  /* A file with no name left, and a pipe, lie in no directory. */
  path_of(p, "gone");
  int gone = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  CU_ASSERT_FATAL(gone >= 0 && unlink(p) == 0);
  CU_ASSERT_EQUAL(rf_guard_fd_refused(&table, gone, -1), 0);
  int pipe_fds[2];
  CU_ASSERT_FATAL(pipe(pipe_fds) == 0);
  CU_ASSERT_EQUAL(rf_guard_fd_refused(&table, pipe_fds[0], -1), 0);
  /* Renamed since it was opened: found again by its new name. */
  char moved[PATH_MAX];
  path_of(p, "plain");
  path_of(moved, "sub/plain-moved");
  CU_ASSERT_FATAL(rename(p, moved) == 0);
  CU_ASSERT_EQUAL(rf_guard_fd_refused(&table, plain, -1), 0);
  /* Through this process's /proc/self/fd directory, as the proxy asks. */
  int fd_dir = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
  CU_ASSERT_EQUAL(rf_guard_fd_refused(&table, config, fd_dir), 1);
  CU_ASSERT_EQUAL(rf_guard_fd_refused(&table, plain, fd_dir), 0);
  close(fd_dir), close(gone), close(pipe_fds[0]), close(pipe_fds[1]);
  close(config), close(config_path), close(plain), close(objects), close(w);
}

static void test_without_objects_no_ancestry_is_walked(void) {
  rf_guard_table only_names;
  const char *texts[] = {"N:1:2:2e656e7672"};
  CU_ASSERT_FATAL(rf_guard_table_parse(&only_names, texts, 1) == 0);
  int objects = dir_fd(".git/objects");
  CU_ASSERT_EQUAL(rf_guard_dir_below(&only_names, objects), 0);
  CU_ASSERT_EQUAL(rf_guard_fd_refused(&only_names, objects, -1), 0);
  CU_ASSERT_EQUAL(rf_guard_entry_refused(&only_names, objects, "x"), 0);
  close(objects);
  rf_guard_table_clear(&only_names);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS)
    return CU_get_error();
  CU_pSuite suite = CU_add_suite("guard-tree", setup, teardown);
  CU_add_test(suite, "entries parse strictly: one bad entry refuses the table", test_entries_parse_strictly);
  CU_add_test(suite, "entries at or below a protected object are refused, by inode",
              test_entries_below_protected_objects_are_refused);
  CU_add_test(suite, "descriptors are judged by the file they name", test_descriptors_are_judged_by_their_file);
  CU_add_test(suite, "without protected objects (bwrap) no ancestry is walked",
              test_without_objects_no_ancestry_is_walked);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
