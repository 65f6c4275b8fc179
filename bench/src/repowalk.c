/* repowalk.c: times core/policy/repo-walk.c on a directory: the walk ringfence makes of each writable root at launch.
 *
 *   repowalk ROOT [ROUNDS]         prints: dirs repos unreadable min_ms median_ms
 *   repowalk ROOT ROUNDS record    the launch walk: each timed walk also records what it saw
 *   repowalk ROOT ROUNDS since     the walk after a run: one walk records the tree, each timed
 *                                  walk compares with it (lists only what changed); prints the
 *                                  same, then the number of directories found unchanged
 * Built by bench/repo-walk against the core's sources. */
#include "policy/repo-walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: repowalk ROOT [ROUNDS]\n");
    return 2;
  }
  int rounds = argc > 2 ? atoi(argv[2]) : 20;
  if (rounds < 1)
    rounds = 1;
  double *ms = calloc((size_t)rounds, sizeof(double));
  gboolean since = argc > 3 && g_str_equal(argv[3], "since");
  gboolean recording = argc > 3 && g_str_equal(argv[3], "record");
  g_autoptr(RfWalkRecord) record = rf_walk_record_new();
  if (since) {
    GPtrArray *repos = g_ptr_array_new_with_free_func(rf_repo_free);
    GError *error = NULL;
    if (!rf_repo_walk(argv[1], NULL, repos, NULL, record, NULL, &error)) {
      fprintf(stderr, "repowalk: %s\n", error->message);
      return 1;
    }
    g_ptr_array_unref(repos);
  }
  RfWalkStats stats = {0};
  guint repos_found = 0;
  for (int i = 0; i < rounds; i++) {
    GPtrArray *repos = g_ptr_array_new_with_free_func(rf_repo_free);
    GError *error = NULL;
    stats = (RfWalkStats){0};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    RfWalkRecord *fresh = recording ? rf_walk_record_new() : NULL;
    gboolean ok = rf_repo_walk(argv[1], NULL, repos, &stats, fresh, since ? record : NULL, &error);
    rf_walk_record_unref(fresh);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (!ok) {
      fprintf(stderr, "repowalk: %s\n", error->message);
      return 1;
    }
    repos_found = repos->len;
    g_ptr_array_unref(repos);
    ms[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
  }
  qsort(ms, (size_t)rounds, sizeof(double), compare);
  printf("%u %u %u %.3f %.3f", stats.dirs, repos_found, stats.unreadable, ms[0], ms[rounds / 2]);
  if (since)
    printf(" %u", stats.unchanged);
  printf("\n");
  free(ms);
  return 0;
}
