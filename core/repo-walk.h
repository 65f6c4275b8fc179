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
  guint dirs;       /* directories listed */
  guint unreadable; /* directories that could not be listed (permissions): only their .git looked at */
  guint skipped_mounts; /* read-only mounts not entered */
} RfWalkStats;

/*
 * Appends to |repos| (RfRepo*, free with rf_repo_free) every git repository strictly below the
 * canonical directory |root|: each entry named `.git` (file, directory, symlink, anything), not
 * entered; and each directory git would take for a bare repository (HEAD naming a ref or an
 * object id, objects/ and refs/), not entered.  Symbolic links are not followed.  Mounts below
 * |root| are entered (the sandbox writes there too) unless mounted read-only.  Directories named
 * in |skip| (canonical; other writable roots, walked on their own) are not entered.  A directory
 * the user cannot list is only checked for a `.git` entry.  |stats| (may be NULL) adds up.
 *
 * FALSE with |error| set when a bound above is passed or a directory cannot be read for another
 * reason than permissions.
 */
gboolean rf_repo_walk(const char *root, const char *const *skip, GPtrArray *repos,
                      RfWalkStats *stats, GError **error);
