/* fuzz.h: what a fuzz target defines (libFuzzer's entry point) and may define (its seed inputs). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Runs one input; aborts when an invariant breaks (ASan/UBSan catch the rest). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Hands each seed input to |emit|: the hostile cases a run starts from.
 * Used by standalone.c (meson test, --write-seeds for a libFuzzer run). */
typedef void (*rf_fuzz_emit)(const char *name, const void *data, size_t size);
void rf_fuzz_seeds(rf_fuzz_emit emit);

#define RF_FUZZ_CHECK(cond)                                                                       \
  do {                                                                                            \
    if (!(cond))                                                                                  \
      abort();                                                                                    \
  } while (0)
