/* render-sink.h: printf-style lines into a backend's render sink (explain's output). */
#pragma once

#include <ringfence/backend.h>

/* Formats one line (at most 2047 bytes, truncated) and emits it in |section|. */
void rf_emitf(const rf_backend_sink *out, const char *section, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
