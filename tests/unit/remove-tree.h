/* remove-tree.h: removing a test's scratch directory and everything in it, without a shell. */
#pragma once

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int rf_test_remove_entry(const char *path, const struct stat *st, int kind, struct FTW *ftw) {
  (void)st;
  (void)ftw;
  if (kind == FTW_DP)
    return rmdir(path) == 0 ? 0 : -1;
  return unlink(path) == 0 ? 0 : -1;
}

/* Removes |path| and what lies below it (not following symlinks); 0 or -1.
 * Tests change PATH, so `rm -rf` through system() may not be found. */
static inline int rf_test_remove_tree(const char *path) {
  if (!path)
    return 0;
  if (nftw(path, rf_test_remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) {
    perror(path);
    return -1;
  }
  return 0;
}
