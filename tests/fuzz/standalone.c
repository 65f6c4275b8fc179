/* standalone.c: runs a fuzz target without libFuzzer (any compiler): its seeds, files given, then random mutations for a while.
 *
 *   TARGET-standalone [--seconds N] [--seed S] [--write-seeds DIR] [FILE|DIR]...
 *
 * Every seed (rf_fuzz_seeds, if the target has any) and every file named (a
 * directory: each file in it) runs once; then, with --seconds N, inputs made
 * by mutating those (bit flips, interesting values, insertions, deletions,
 * splices) run for N seconds from a fixed seed, so a failure repeats.  It is
 * the short run meson test does under gcc and the sanitizers of the build;
 * the long runs use libFuzzer (tests/fuzz/README.md).  --write-seeds writes
 * the seeds as files for a libFuzzer corpus and exits.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

__attribute__((weak)) void rf_fuzz_seeds(rf_fuzz_emit emit) {
  (void)emit;
}

#define RF_MAX_INPUT 8192
#define MAX_POOL 4096

static uint8_t *pool[MAX_POOL];
static size_t pool_len[MAX_POOL], n_pool;
static const char *seed_dir;
static unsigned long long runs;

static void run_one(const uint8_t *data, size_t size) {
  /* A copy of exactly |size| bytes, so that ASan sees reads past the end. */
  uint8_t *copy = malloc(size ? size : 1);
  if (!copy)
    abort();
  memcpy(copy, data, size);
  LLVMFuzzerTestOneInput(copy, size);
  free(copy);
  runs++;
}

static void keep(const void *data, size_t size) {
  if (n_pool == MAX_POOL)
    return;
  if (size > RF_MAX_INPUT)
    size = RF_MAX_INPUT;
  pool[n_pool] = malloc(size ? size : 1);
  if (!pool[n_pool])
    abort();
  memcpy(pool[n_pool], data, size);
  pool_len[n_pool++] = size;
}

static void emit_seed(const char *name, const void *data, size_t size) {
  if (seed_dir) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", seed_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
      fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
      exit(1);
    }
    return;
  }
  run_one(data, size);
  keep(data, size);
}

static void run_file(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "%s: %s\n", path, strerror(errno));
    exit(1);
  }
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d))) {
      if (e->d_name[0] == '.')
        continue;
      char child[4096];
      snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
      run_file(child);
    }
    if (d)
      closedir(d);
    return;
  }
  FILE *f = fopen(path, "rb");
  uint8_t *buf = malloc(RF_MAX_INPUT);
  size_t n = f && buf ? fread(buf, 1, RF_MAX_INPUT, f) : 0;
  if (f)
    fclose(f);
  run_one(buf, n);
  keep(buf, n);
  free(buf);
}

static uint64_t state;
static uint64_t next_random(void) { /* xorshift64* */
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}

static size_t mutate(uint8_t *buf, size_t len) {
  static const uint64_t interesting[] = {0, 1, 2, 7, 8, 15, 16, 17, 0x7f, 0x80, 0xff, 0x7fff,
                                         0xffff, 108, 110, 128, 253, 254, 1024, 1025, 4096,
                                         0x7fffffff, 0x80000000, 0xffffffff, UINT64_MAX,
                                         UINT64_MAX >> 1};
  int rounds = 1 + (int)(next_random() % 4);
  for (int r = 0; r < rounds; r++) {
    switch (next_random() % 6) {
    case 0: /* flip a bit */
      if (len)
        buf[next_random() % len] ^= (uint8_t)(1u << (next_random() % 8));
      break;
    case 1: { /* an interesting value, 1, 2, 4 or 8 bytes wide, at an aligned spot */
      size_t width = (size_t)1 << (next_random() % 4);
      if (len >= width) {
        size_t at = (next_random() % (len - width + 1)) & ~(width - 1);
        uint64_t v = interesting[next_random() % (sizeof(interesting) / sizeof(interesting[0]))];
        memcpy(buf + at, &v, width);
      }
      break;
    }
    case 2: /* insert a byte */
      if (len < RF_MAX_INPUT) {
        size_t at = len ? next_random() % (len + 1) : 0;
        memmove(buf + at + 1, buf + at, len - at);
        buf[at] = (uint8_t)next_random();
        len++;
      }
      break;
    case 3: /* delete a run */
      if (len) {
        size_t at = next_random() % len, n = 1 + next_random() % 16;
        if (n > len - at)
          n = len - at;
        memmove(buf + at, buf + at + n, len - at - n);
        len -= n;
      }
      break;
    case 4: /* splice in part of another input */
      if (n_pool) {
        size_t k = next_random() % n_pool;
        if (pool_len[k]) {
          size_t from = next_random() % pool_len[k], n = 1 + next_random() % 64;
          if (n > pool_len[k] - from)
            n = pool_len[k] - from;
          size_t at = len ? next_random() % len : 0;
          if (at + n > RF_MAX_INPUT)
            n = RF_MAX_INPUT - at;
          memcpy(buf + at, pool[k] + from, n);
          if (at + n > len)
            len = at + n;
        }
      }
      break;
    default: /* truncate */
      if (len)
        len = next_random() % len;
      break;
    }
  }
  return len;
}

int main(int argc, char **argv) {
  double seconds = 0;
  state = 0x52494e47u; /* "RING" */
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = strtod(argv[++i], NULL);
    } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
      state = strtoull(argv[++i], NULL, 0) | 1;
    } else if (strcmp(argv[i], "--write-seeds") == 0 && i + 1 < argc) {
      seed_dir = argv[++i];
      mkdir(seed_dir, 0755);
      rf_fuzz_seeds(emit_seed);
      return 0;
    }
  }
  rf_fuzz_seeds(emit_seed);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--seconds") == 0 || strcmp(argv[i], "--seed") == 0) {
      i++;
      continue;
    }
    run_file(argv[i]);
  }
  unsigned long long replayed = runs;
  if (seconds > 0) {
    if (!n_pool)
      keep("", 0);
    uint8_t *buf = malloc(RF_MAX_INPUT);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
      for (int k = 0; k < 256; k++) {
        size_t from = next_random() % n_pool, len = pool_len[from];
        memcpy(buf, pool[from], len);
        len = mutate(buf, len);
        run_one(buf, len);
        if (next_random() % 64 == 0)
          keep(buf, len); /* a little memory of where it has been */
      }
      clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9 <
             seconds);
    free(buf);
  }
  printf("%s: %llu inputs replayed, %llu mutated, no invariant broken\n", argv[0], replayed,
         runs - replayed);
  return 0;
}
