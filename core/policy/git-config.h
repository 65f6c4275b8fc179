/* git-config.h: reading git config files the way git does, to learn what git on the host would run or read. */
#pragma once

#include <glib.h>

/* git dies past 10 nested includes ("exceeded maximum include depth"), so nothing deeper can
 * take effect; ringfence refuses deeper chains rather than leave a file unread. */
#define RF_GIT_INCLUDE_DEPTH 10
/* Files one config may pull in, all levels together; more is refused (no real config has
 * dozens, and each one becomes a read-only mount). */
#define RF_GIT_INCLUDE_FILES 100

/* One entry: |key| is "section.name" or "section.subsection.name" with section and name
 * lower-case (the subsection keeps its case, as in git); |value| is NULL for a key without
 * '=' (git's "true"). */
typedef void (*RfGitConfigFunc)(const char *file, const char *key, const char *value,
                                gpointer data);

/* Parses git config |text| of |file| and calls |fn| for each entry, in order.  Never fails: a
 * line git would reject (git then refuses the whole file and runs nothing it says) is skipped
 * and parsing goes on at the next line, so what is reported is a superset of what git uses. */
void rf_git_config_parse(const char *file, const char *text, gsize len, RfGitConfigFunc fn,
                         gpointer data);

/*
 * Reads the config file |file| and, depth first as git does, every file it includes
 * (include.path and includeIf.*.path, whatever the condition: any of them may apply), calling
 * |fn| for every entry of every file.  Each include is added to |included| (when not NULL) as
 * the path git would open, whether it exists or not (it could be created later).  A missing |file| or
 * include is skipped, as git skips it.  A file already read is not read again (that ends
 * cycles, which git would refuse anyway).  Every file is read with rf_safe_read_file.
 *
 * FALSE with |error| set when a file is not a regular file, is larger than
 * RF_READ_MAX_GIT_CONFIG, cannot be read, or the includes go deeper than RF_GIT_INCLUDE_DEPTH
 * or number more than RF_GIT_INCLUDE_FILES: ringfence cannot then know what git would do.
 */
gboolean rf_git_config_read(const char *file, RfGitConfigFunc fn, gpointer data,
                            GPtrArray *included, GError **error);

/* "~/x" and "~" expanded against the home directory, else a copy. */
char *rf_git_expand_home(const char *path);

/* The path a one-line git pointer file names (a `.git` file's "gitdir: PATH" with |prefix|
 * "gitdir:", a git directory's commondir with NULL), resolved against |base|, in *|out|; NULL
 * there (and TRUE) when |file| does not exist or names nothing.  FALSE with |error| when it
 * cannot be read safely (rf_safe_read_file, RF_READ_MAX_GIT_POINTER). */
gboolean rf_git_read_pointer(const char *file, const char *prefix, const char *base, char **out,
                             GError **error);

/* Why git would run a program (or write outside the repository) because of |key| = |value| in
 * a repository's config, e.g. "git status runs it (fsmonitor)", or NULL when it would not.
 * Keys as rf_git_config_parse gives them. */
const char *rf_git_key_runs_program(const char *key, const char *value);
