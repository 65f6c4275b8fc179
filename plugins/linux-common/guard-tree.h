/* guard-tree.h: which directory entries and open files lie at or below a protected path, decided by device and inode, never by a path string.
 *
 * Both Linux backends send every call that could change something below a
 * protected path to ringfence-fs-proxy (fs-proxy.h), which asks this file
 * before it acts; the Landlock backend's metadata handler asks it too.  The
 * protected paths travel as entries computed once at launch (ringfence side:
 * rf_guard_entries_for_policy) and parsed in the proxy:
 *
 *   N:DEV:INO:HEXNAME  a name that may not be created, written, removed or
 *                      replaced: parent directory (DEV, INO), last component
 *   L:DEV:INO:HEXNAME  the same, for a protected path that is a symlink
 *   A:DEV:INO          a directory that holds a protected path (or is one):
 *                      it may not be renamed, exchanged or removed
 *   P:DEV:INO          an existing protected object (a .git directory or file,
 *                      .envrc ...): nothing at or below it may change
 *
 * "Below" is decided by walking the resolved object's ancestry (fstatat of
 * "..", "../..", ... relative to its directory descriptor: no descriptor is
 * opened) and comparing (st_dev, st_ino): a symlink, a ".." component, a
 * /proc/self/cwd path, a bind mount of the same tree or a descriptor opened
 * earlier all end at the same inodes.  Whatever cannot be told (a failed
 * stat, an unreachable parent) counts as protected, except a shortage of our
 * own (descriptors, memory): then the functions below return -EMFILE,
 * -ENFILE or -ENOMEM, for the caller to answer "try again" (a refusal would
 * not be true).
 *
 * The bwrap backend passes only N, L and A entries (its mounts keep existing
 * protected paths read-only); without P entries no ancestry is walked.
 */
#pragma once

#include <stddef.h>
#include <sys/stat.h>

typedef struct {
  char kind; /* 'N', 'L', 'A' or 'P' */
  unsigned long long dev, ino;
  char name[256]; /* N and L */
} rf_guard_entry;

typedef struct {
  rf_guard_entry *entries;
  size_t n;
  int has_objects; /* some P entry: ancestry walks are needed */
} rf_guard_table;

/* Parses one entry: 0, or -EINVAL (the entry is then not used). */
int rf_guard_parse_entry(const char *text, rf_guard_entry *out);

/* Builds |table| from |n| entry strings (unparsable ones are an error: a
 * protected path must never be dropped silently).  0 or -EINVAL/-ENOMEM. */
int rf_guard_table_parse(rf_guard_table *table, const char *const *texts, size_t n);
void rf_guard_table_clear(rf_guard_table *table);

/* 1 when (parentfd, name) is an N or L entry's (or parentfd cannot be
 * stat'ed), else 0. */
int rf_guard_name_protected(const rf_guard_table *table, int parentfd, const char *name);

/* 1 when the entry (parentfd, name) is a directory named by an A entry. */
int rf_guard_pinned(const rf_guard_table *table, int parentfd, const char *name);

/* 1 when |st| is a P entry's object. */
int rf_guard_object_protected(const rf_guard_table *table, const struct stat *st);

/* 1 when the directory |dirfd| (any descriptor of a directory, O_PATH too)
 * is a protected object or lies below one, or when its ancestry cannot be
 * walked; else 0; -errno on a shortage of our own (above). */
int rf_guard_dir_below(const rf_guard_table *table, int dirfd);

/* 1 when changing the entry (parentfd, name) (creating, opening for
 * writing, truncating, removing, renaming, linking, binding) must be
 * refused: a protected name, a parent at or below a protected object, or an
 * existing entry that is a protected object (a hard link's other name
 * included).  "." and "" are judged as the parent itself, ".." as its
 * parent.  -errno on a shortage of our own. */
int rf_guard_entry_refused(const rf_guard_table *table, int parentfd, const char *name);

/* 1 when the open file |fd| is a protected object or lies below one.  A
 * directory's ancestry is walked from it; another file is found again by
 * the path the kernel reports for it (|fd_dir|: a descriptor of this
 * process's /proc/self/fd, or -1 for /proc/thread-self/fd) and must be the
 * same inode there.  A file without a name (unlinked, nlink 0), a socket or a
 * pipe is below nothing: 0.  -errno on a shortage of our own. */
int rf_guard_fd_refused(const rf_guard_table *table, int fd, int fd_dir);
