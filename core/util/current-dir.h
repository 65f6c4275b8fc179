/* current-dir.h: the process's working directory as getcwd() says it, never a stand-in (made in current-dir.c). */
#pragma once

#include <ringfence/ringfence.h>

/* The working directory, absolute: NULL when it cannot be determined (deleted, moved out of
 * reach, unsearchable), *problem then a sentence saying why and what to do.  The public
 * rf_get_current_dir() is the same with a GError. */
char *rf_current_dir(char **problem);
