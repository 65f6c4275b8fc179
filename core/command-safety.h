/* command-safety.h: which commands are known-safe (read-only), which may destroy data, and
 * splitting a plain `sh -c SCRIPT` into its commands; the approval policy decides what follows. */
#pragma once

#include <glib.h>

/* TRUE when |argv| only reads (ls, cat, grep, find without -exec/-delete/-fprint, git
 * status/log/diff, ...).  Otherwise *why_not (if not NULL) gets a short phrase saying why
 * ("find -exec runs other programs", "make is not on the list of read-only commands"). */
gboolean rf_command_is_known_safe(const char *const *argv, char **why_not);

/* TRUE when |argv| may destroy data or escalate privileges even inside a sandbox (rm -f,
 * git reset, git push --force, sudo, dd of=, mkfs, ...); *why (if not NULL) says which. */
gboolean rf_command_is_dangerous(const char *const *argv, char **why);

/* For `bash|sh|zsh|dash|ksh -c|-lc SCRIPT` whose SCRIPT is plain (words and quoted strings
 * joined by &&, ||, ; and |, without expansions, redirections, subshells or assignments):
 * the commands, as a GPtrArray of NULL-terminated string vectors (free with
 * g_ptr_array_unref).  NULL when |argv| is not such a wrapper or the script is not plain. */
GPtrArray *rf_shell_plain_commands(const char *const *argv);

/* TRUE when |argv| is a shell wrapper (`sh -c ...` and friends), plain or not. */
gboolean rf_command_is_shell_wrapper(const char *const *argv);

/* The last path component of |program| ("/usr/bin/git" -> "git"); borrowed from |program|. */
const char *rf_command_basename(const char *program);
