/* test-ctime-change.c: core/policy/ctime-change.c and the walk after a run (core/policy/repo-walk.c): on this kernel and these filesystems every change to a directory after a stat shows in its ctime, and a walk that trusts it finds what a full walk finds. */
#include "policy/ctime-change.h"
#include "policy/repo-walk.h"
#include "remove-tree.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../lib/rerun-unprivileged.h"

/* Per operation: without multigrain timestamps (a coarse ctime, one tick = 1-10 ms) nearly every
 * one of these, each a few microseconds after the stat, would leave the ctime as it was. */
#define ROUNDS 5000

/* Scratch directories on the filesystems this machine has: / (ext4 here) and /dev/shm (tmpfs,
 * where a hard link made or an entry removed leaves the directory's ctime as it was: it copies
 * the ctime of the file, which nobody queried, to the directory; so tmpfs is not trusted). */
static const char *const parents[] = {"/var/tmp", "/dev/shm"};
static char *scratch[G_N_ELEMENTS(parents)];

static int setup(void) {
  for (size_t i = 0; i < G_N_ELEMENTS(parents); i++) {
    char *made = g_build_filename(parents[i], "rf-ctime-XXXXXX", NULL);
    if (g_mkdtemp(made))
      scratch[i] = made;
    else
      g_free(made);
  }
  return 0;
}

static int teardown(void) {
  for (size_t i = 0; i < G_N_ELEMENTS(parents); i++) {
    rf_test_remove_tree(scratch[i]);
    g_free(scratch[i]);
  }
  return 0;
}

static gboolean shows_changes(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  gboolean sure = rf_ctime_shows_changes(fd);
  close(fd);
  return sure;
}

/* On this kernel (6.18) ext4 is trusted; tmpfs (see above) and /proc are not. */
static void test_the_filesystems_here_are_trusted_on_this_kernel(void) {
  if (!rf_ctime_kernel_is_multigrain()) {
    printf("\n  (kernel before 6.13: no filesystem is trusted) ");
    for (size_t i = 0; i < G_N_ELEMENTS(parents); i++)
      CU_ASSERT_FALSE(scratch[i] && shows_changes(scratch[i]));
    return;
  }
  CU_ASSERT_PTR_NOT_NULL_FATAL(scratch[0]);
  CU_ASSERT_TRUE(shows_changes(scratch[0]));
  CU_ASSERT_FALSE(scratch[1] && shows_changes(scratch[1]));
  CU_ASSERT_FALSE(shows_changes("/proc"));
}

/* One change of the directory |dir| (|other|: a second one on the same filesystem); each round
 * of the eleven leaves |dir| empty again. */
static int change(int dir, int other, int op) {
  switch (op) {
  case 0: { /* a file created */
    int fd = openat(dir, "f", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    return fd < 0 ? -1 : close(fd);
  }
  case 1: /* renamed inside it */
    return renameat(dir, "f", dir, "g");
  case 2: /* a hard link made */
    return linkat(dir, "g", dir, "h", 0);
  case 3: /* a file removed */
    return unlinkat(dir, "h", 0);
  case 4: /* moved out to another directory */
    return renameat(dir, "g", other, "g");
  case 5: /* moved in from another directory */
    return renameat(other, "g", dir, "f");
  case 6:
    return unlinkat(dir, "f", 0);
  case 7: /* a directory made (a .git, say) */
    return mkdirat(dir, ".git", 0700);
  case 8: /* and removed */
    return unlinkat(dir, ".git", AT_REMOVEDIR);
  case 9: /* a symbolic link made */
    return symlinkat("elsewhere", dir, "s");
  default:
    return unlinkat(dir, "s", 0);
  }
}
#define OPS 11

/* The property the walk after the run relies on: a directory stat'ed, then changed within
 * microseconds, never shows the same ctime, on every filesystem trusted here (and, to show the
 * test can tell, tmpfs does not hold it). */
static void test_every_change_after_a_stat_shows_in_the_ctime(void) {
  for (size_t i = 0; i < G_N_ELEMENTS(parents); i++) {
    gboolean trusted = scratch[i] && shows_changes(scratch[i]);
    if (!scratch[i] || (!trusted && i == 0))
      continue;
    g_autofree char *a = g_build_filename(scratch[i], "a", NULL);
    g_autofree char *b = g_build_filename(scratch[i], "b", NULL);
    CU_ASSERT_EQUAL_FATAL(mkdir(a, 0700), 0);
    CU_ASSERT_EQUAL_FATAL(mkdir(b, 0700), 0);
    int dir = open(a, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int other = open(b, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CU_ASSERT_FATAL(dir >= 0 && other >= 0);
    guint unchanged = 0, failed = 0, done = 0;
    for (int round = 0; round < ROUNDS; round++)
      for (int op = 0; op < OPS; op++) {
        struct stat before, after;
        if (fstat(dir, &before) != 0 || change(dir, other, op) != 0 || fstat(dir, &after) != 0) {
          failed++;
          continue;
        }
        done++;
        if (before.st_ctim.tv_sec == after.st_ctim.tv_sec &&
            before.st_ctim.tv_nsec == after.st_ctim.tv_nsec)
          unchanged++;
      }
    printf("\n  %s: %u changes right after a stat, %u with the ctime unchanged, %u failed ",
           scratch[i], done, unchanged, failed);
    CU_ASSERT_EQUAL(failed, 0);
    if (trusted)
      CU_ASSERT_EQUAL(unchanged, 0);
    if (i == 1 && rf_ctime_kernel_is_multigrain())
      CU_ASSERT(unchanged > 0); /* tmpfs: link, unlink and rmdir (not trusted, rightly) */
    close(dir);
    close(other);
    rf_test_remove_tree(a);
    rf_test_remove_tree(b);
  }
}

/* ---- the walk after a run ------------------------------------------------------------- */

static void make_dirs(const char *root, const char *const *rel) {
  for (; *rel; rel++) {
    g_autofree char *path = g_build_filename(root, *rel, NULL);
    CU_ASSERT_EQUAL(g_mkdir_with_parents(path, 0755), 0);
  }
}

static gboolean walk_finds(const char *root, const RfWalkRecord *since, RfWalkRecord *record,
                           const char *dotgit, RfWalkStats *stats) {
  g_autoptr(GPtrArray) repos = g_ptr_array_new_with_free_func(rf_repo_free);
  g_autoptr(GError) error = NULL;
  gboolean ok = rf_repo_walk(root, NULL, repos, stats, record, since, &error);
  CU_ASSERT_TRUE(ok);
  if (!ok)
    printf("\n  walk: %s ", error->message);
  for (guint i = 0; dotgit && i < repos->len; i++)
    if (g_str_equal(((RfRepo *)g_ptr_array_index(repos, i))->dotgit, dotgit))
      return TRUE;
  return FALSE;
}

/* A repository made a few microseconds after the launch walk looked at its directory (the last
 * thing a command does), as a directory or as a hard link to a `gitdir:` file, is found by the
 * walk after the run, in a directory without subdirectories (looked at by name), one with
 * some, a new one; and the directories nothing changed in are not listed again. */
static void test_a_repository_made_right_after_the_launch_walk_is_found(void) {
  static const char *const tree[] = {"leaf", "mid/sub/deeper", "mid/other", "far/a/b/c", NULL};
  /* (The root's own .git is not the walk's: new-repos.c looks at it by name.) */
  static const char *const where[] = {"leaf", "mid", "mid/sub", "far/a/b/c", "far", "mid/new"};
  for (size_t i = 0; i < G_N_ELEMENTS(parents); i++) {
    if (!scratch[i])
      continue;
    g_autofree char *root = g_build_filename(scratch[i], "walk", NULL);
    make_dirs(root, tree);
    g_autofree char *pointer = g_build_filename(scratch[i], "pointer", NULL);
    CU_ASSERT_TRUE(g_file_set_contents(pointer, "gitdir: /elsewhere\n", -1, NULL));
    gboolean trusted = shows_changes(root);
    guint missed = 0, rounds = 0, unchanged = 0;
    for (int round = 0; round < 200; round++)
      for (size_t w = 0; w < G_N_ELEMENTS(where); w++) {
        g_autoptr(RfWalkRecord) record = rf_walk_record_new();
        CU_ASSERT_FALSE(walk_finds(root, NULL, record, NULL, NULL));
        g_autofree char *dir = g_build_filename(root, where[w], NULL);
        g_autofree char *dotgit = g_build_filename(dir, ".git", NULL);
        gboolean link_it = round % 2 && !g_str_has_suffix(where[w], "new");
        if (link_it ? link(pointer, dotgit) != 0 : g_mkdir_with_parents(dotgit, 0755) != 0) {
          missed++;
          continue;
        }
        RfWalkStats stats = {0};
        if (!walk_finds(root, record, NULL, dotgit, &stats))
          missed++;
        unchanged += stats.unchanged;
        rounds++;
        rf_test_remove_tree(g_str_has_suffix(where[w], "new") ? dir : dotgit);
      }
    printf("\n  %s: %u repositories made right after the walk, %u missed; %u directories found "
           "unchanged (trusted: %s) ",
           root, rounds, missed, unchanged, trusted ? "yes" : "no");
    CU_ASSERT_EQUAL(missed, 0);
    /* Trusted: the untouched directories (8 or more of the 11 each time) are not listed again. */
    CU_ASSERT(trusted ? unchanged >= rounds * 7 : unchanged == 0);
    rf_test_remove_tree(root);
  }
}

/* git takes a directory for a bare repository by what its HEAD holds, which can be rewritten in
 * place without changing the directory's ctime: such a directory is always listed again. */
static void test_a_bare_repository_made_by_rewriting_head_in_place_is_found(void) {
  static const char *const tree[] = {"almost.git/objects", "almost.git/refs", NULL};
  for (size_t i = 0; i < G_N_ELEMENTS(parents); i++) {
    if (!scratch[i])
      continue;
    g_autofree char *root = g_build_filename(scratch[i], "bare", NULL);
    make_dirs(root, tree);
    g_autofree char *bare = g_build_filename(root, "almost.git", NULL);
    g_autofree char *head = g_build_filename(bare, "HEAD", NULL);
    CU_ASSERT_TRUE(g_file_set_contents(head, "not a ref\n", -1, NULL));
    g_autoptr(RfWalkRecord) record = rf_walk_record_new();
    CU_ASSERT_FALSE(walk_finds(root, NULL, record, bare, NULL));
    int fd = open(head, O_WRONLY | O_TRUNC | O_CLOEXEC);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "ref: refs/heads/main\n", 21), 21);
    close(fd);
    CU_ASSERT_TRUE(walk_finds(root, record, NULL, bare, NULL));
    rf_test_remove_tree(root);
  }
}

int main(int argc, char **argv) {
  int skip = rf_test_rerun_unprivileged(argc, argv);
  if (skip >= 0)
    return skip;
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 1;
  CU_pSuite suite = CU_add_suite("ctime-change", setup, teardown);
  CU_add_test(suite, "ext4 is trusted on this kernel; tmpfs and /proc are not",
              test_the_filesystems_here_are_trusted_on_this_kernel);
  CU_add_test(suite, "every change right after a stat shows in the ctime",
              test_every_change_after_a_stat_shows_in_the_ctime);
  CU_add_test(suite, "a repository made right after the launch walk is found after the run",
              test_a_repository_made_right_after_the_launch_walk_is_found);
  CU_add_test(suite, "a bare repository made by rewriting HEAD in place is found",
              test_a_bare_repository_made_by_rewriting_head_in_place_is_found);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
