/* read-int.c: one integer read from a small kernel file (design in read-int.h). */
#include "read-int.h"

#include <stdio.h>

int rf_read_int_file(const char *path) {
  FILE *f = fopen(path, "re");
  if (!f)
    return -1;
  int value = -1;
  if (fscanf(f, "%d", &value) != 1)
    value = -1;
  fclose(f);
  return value;
}
