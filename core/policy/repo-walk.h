/* repo-walk.h: finding the git repositories below a writable root (at launch, and again after the run). */
#pragma once

#include <glib.h>

/* Bounds of one walk (all writable roots of a run share them; see docs/security.md, "Nested
 * repositories").  Past any of them the run is refused: a repository left unfound would be
 * left writable. */
#define RF_WALK_MAX_DIRS 200000 /* directories listed */
#define RF_WALK_MAX_DEPTH 256   /* levels below the root (one descriptor each) */
#define RF_WALK_MAX_REPOS 1000  /* repositories found (each is a read-only mount or more) */

typedef struct {
  char *dotgit;   /* the `.git` entry (any type), or a bare repository's directory */
  char *worktree; /* the directory holding `.git`; for a bare repository, the same as dotgit */
  gboolean bare;
  guint uid; /* owner of worktree (git uses no repository owned by someone else) */
} RfRepo;

void rf_repo_free(gpointer repo);

typedef struct {
  guint dirs;       /* directories listed (or found unchanged, see |since| below) */
  guint unchanged;  /* of those, directories not listed again: unchanged since |since| */
  guint unreadable; /* directories that could not be listed (permissions): only their .git looked at */
  guint skipped_mounts; /* read-only mounts not entered */
} RfWalkStats;

/* What a walk saw of each directory it looked at: its identity (device, inode), its ctime, and
 * what it found there (the subdirectories to enter, the repositories).  Reference counted. */
typedef struct _RfWalkRecord RfWalkRecord;
RfWalkRecord *rf_walk_record_new(void);
RfWalkRecord *rf_walk_record_ref(RfWalkRecord *record);
void rf_walk_record_unref(RfWalkRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RfWalkRecord, rf_walk_record_unref)

/*
 * Appends to |repos| (RfRepo*, free with rf_repo_free) every git repository strictly below the
 * canonical directory |root|: each entry named `.git` (file, directory, symlink, anything), not
 * entered; and each directory git would take for a bare repository (HEAD naming a ref or an
 * object id, objects/ and refs/), not entered.  Symbolic links are not followed.  Mounts below
 * |root| are entered (the sandbox writes there too) unless mounted read-only.  Directories named
 * in |skip| (canonical; other writable roots, walked on their own) are not entered.  A directory
 * the user cannot list is only checked for a `.git` entry.  |stats| (may be NULL) adds up.
 *
 * |record| (may be NULL) is filled with what this walk saw.  |since| (may be NULL) is such a
 * record from an earlier walk of the same root: a directory whose device, inode and ctime are
 * still those it recorded is not listed again, its recorded findings are taken instead, where
 * its filesystem guarantees that any change after a stat shows in the ctime
 * (rf_ctime_shows_changes); elsewhere, and for a directory git could take for a bare
 * repository (its HEAD may be rewritten in place), it is listed as always.  The result is the
 * one a full walk would give.
 *
 * FALSE with |error| set when a bound above is passed or a directory cannot be read for another
 * reason than permissions.
 */
gboolean rf_repo_walk(const char *root, const char *const *skip, GPtrArray *repos,
                      RfWalkStats *stats, RfWalkRecord *record, const RfWalkRecord *since,
                      GError **error);
