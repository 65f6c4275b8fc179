/* command-safety.h: which commands are known-safe (read-only) and which may destroy data;
 * the approval policy decides what follows.  A shell wrapper (`sh -c SCRIPT`) is judged by
 * the commands of its script (command-expand.h). */
#pragma once

#include <glib.h>

/* TRUE when |argv| only reads (ls, cat, grep, find without -exec/-delete/-fprint, git
 * status/log/diff, ...).  Otherwise *why_not (if not NULL) gets a short phrase saying why
 * ("find -exec runs other programs", "make is not on the list of read-only commands"). */
gboolean rf_command_is_known_safe(const char *const *argv, char **why_not);

/* TRUE when |argv| may destroy data or escalate privileges even inside a sandbox (rm -f,
 * git reset, git push --force, sudo, dd of=, mkfs, ...); *why (if not NULL) says which. */
gboolean rf_command_is_dangerous(const char *const *argv, char **why);

/* The last path component of |program| ("/usr/bin/git" -> "git"); borrowed from |program|. */
const char *rf_command_basename(const char *program);
