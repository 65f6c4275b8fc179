/* writable-root-rule.h: the one rule for what may be a writable root (made in writable-root-rule.c). */
#pragma once

#include <glib.h>

/* The canonical home directory of the user ($HOME, else the user database's), as a
 * NULL-terminated list; free with g_strfreev. */
char **rf_home_directories(void);
/* NULL when the canonical |root| may be a writable root, else why not ("is /, the whole host:
 * ..."), to follow the root's name in a sentence.  |homes| as rf_home_directories() gives. */
char *rf_writable_root_refusal(const char *root, const char *const *homes);
