/* render-sink.c: printf-style lines into a backend's render sink, for both Linux backends' render(). */
#include "render-sink.h"

#include <stdarg.h>
#include <stdio.h>

void rf_emitf(const rf_backend_sink *out, const char *section, const char *fmt, ...) {
  char line[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  out->emit(out->ctx, section, line);
}
