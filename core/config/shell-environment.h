/* shell-environment.h: the command's environment under shell_environment_policy (made in shell-environment.c). */
#pragma once

#include <glib.h>

/* The environment shell_environment_policy makes of |base|:
 * |inherit| "all", "core" (HOME, LANG, LC_ALL, LC_CTYPE, LOGNAME, PATH, SHELL, TEMP, TMP,
 * TMPDIR, USER) or "none"; without |ignore_default_excludes|, no name matching *KEY*, *SECRET*
 * or *TOKEN*; no name matching |exclude|; then |set| ("NAME=VALUE") on top; then, when
 * |include_only| is not empty, only names matching it.  Patterns: * and ?, case-insensitive.
 * Free with g_strfreev. */
char **rf_shell_environment(const char *const *base, const char *inherit,
                            gboolean ignore_default_excludes, const char *const *exclude,
                            const char *const *set, const char *const *include_only);
