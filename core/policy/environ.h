/* environ.h: the command's environment as a NULL-terminated GPtrArray (made in environ.c). */
#pragma once

#include <glib.h>

GPtrArray *rf_environ_build(const char *const *base);
void rf_environ_set(GPtrArray *envp, const char *name, const char *value);
const char *rf_environ_get(GPtrArray *envp, const char *name);
