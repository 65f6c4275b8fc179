/* repo-walk.c: finding the git repositories below a writable root (at launch, and again after the run). */
#include "repo-walk.h"

#include "capless.h"
#include "ctime-change.h"
#include "util/safe-read.h"

#include <ringfence/ringfence.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

void rf_repo_free(gpointer data) {
  RfRepo *repo = data;
  if (!repo)
    return;
  g_free(repo->dotgit);
  g_free(repo->worktree);
  g_free(repo);
}

/* ---- the record of a walk ------------------------------------------------------------ */

/* One directory as a walk saw it. */
typedef struct {
  dev_t dev;
  ino_t ino;
  struct timespec ctime; /* as the stat taken before it was looked at returned it */
  gboolean leaf;         /* looked at by name only (no subdirectory) */
  GPtrArray *children;   /* names of the subdirectories to enter (shared with the walk's frame);
                          * NULL for a leaf */
  GPtrArray *repos;      /* RfRepo*: the repositories found by looking at it, or NULL: none */
} Seen;

struct _RfWalkRecord {
  gint refs;
  GHashTable *dirs; /* canonical path -> Seen* */
};

static RfRepo *repo_copy(const RfRepo *repo) {
  RfRepo *copy = g_new0(RfRepo, 1);
  copy->dotgit = g_strdup(repo->dotgit);
  copy->worktree = g_strdup(repo->worktree);
  copy->bare = repo->bare;
  copy->uid = repo->uid;
  return copy;
}

static void seen_free(gpointer data) {
  Seen *seen = data;
  if (seen->children)
    g_ptr_array_unref(seen->children);
  if (seen->repos)
    g_ptr_array_unref(seen->repos);
  g_free(seen);
}

RfWalkRecord *rf_walk_record_new(void) {
  RfWalkRecord *record = g_new0(RfWalkRecord, 1);
  record->refs = 1;
  record->dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, seen_free);
  return record;
}

RfWalkRecord *rf_walk_record_ref(RfWalkRecord *record) {
  if (record)
    g_atomic_int_inc(&record->refs);
  return record;
}

void rf_walk_record_unref(RfWalkRecord *record) {
  if (!record || !g_atomic_int_dec_and_test(&record->refs))
    return;
  g_hash_table_unref(record->dirs);
  g_free(record);
}

/* ---- the walk ------------------------------------------------------------------------ */

typedef struct {
  int fd;              /* the directory, open */
  char *path;          /* its canonical path (no link is followed on the way) */
  dev_t dev;
  ino_t ino;
  struct timespec ctime;
  guint uid;           /* its owner */
  gboolean leaf_nlink; /* its filesystem counts subdirectories in st_nlink */
  gboolean ctime_sure; /* its filesystem shows every change in the ctime (ctime-change.h) */
  guint depth;         /* 0: the root */
  GPtrArray *children; /* names of subdirectories still to enter */
  guint next;
} Frame;

typedef struct {
  const char *root;
  const char *const *skip;
  GPtrArray *repos;
  RfWalkStats *stats;
  RfWalkRecord *record;      /* to fill, or NULL */
  const RfWalkRecord *since; /* an earlier walk's, or NULL */
  GError **error;
} Walk;

static void frame_clear(Frame *f) {
  if (f->fd >= 0)
    close(f->fd);
  g_free(f->path);
  if (f->children)
    g_ptr_array_unref(f->children);
}

static char *child_path(const char *dir, const char *name) {
  return g_str_equal(dir, "/") ? g_strconcat("/", name, NULL) : g_strconcat(dir, "/", name, NULL);
}

static gboolean too_much(Walk *w, const char *path, const char *what, guint bound) {
  g_set_error(w->error, RF_ERROR, RF_ERROR_UNSUPPORTED,
              "cannot find every git repository below the writable root %s: %s %s (more than "
              "%u); a repository left unfound would stay writable. Use a smaller working "
              "directory or writable root, leave /tmp or $TMPDIR out "
              "(sandbox_workspace_write.exclude_slash_tmp / exclude_tmpdir_env_var), or stop "
              "protecting .git ([ringfence] protected_names) if no repository there matters",
              w->root, path, what, bound);
  return FALSE;
}

static gboolean add_repo(Walk *w, const char *dotgit, const char *worktree, gboolean bare,
                         guint uid) {
  if (w->repos->len >= RF_WALK_MAX_REPOS)
    return too_much(w, dotgit, "is one repository too many", RF_WALK_MAX_REPOS);
  RfRepo *repo = g_new0(RfRepo, 1);
  repo->dotgit = g_strdup(dotgit);
  repo->worktree = g_strdup(worktree);
  repo->bare = bare;
  repo->uid = uid;
  g_ptr_array_add(w->repos, repo);
  return TRUE;
}

/* Would git take the directory |dir| (holding HEAD, objects/, refs/) for a repository?  HEAD
 * must name a ref or hold an object id, as git's own check wants. */
static gboolean head_is_valid(const char *dir) {
  g_autofree char *head = child_path(dir, "HEAD");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  if (rf_safe_read_file(head, "HEAD", 4096, RF_READ_FOLLOW, &text, NULL, &error) < 0)
    return FALSE;
  if (g_str_has_prefix(text, "ref:"))
    return TRUE;
  size_t hex = strspn(text, "0123456789abcdef");
  return hex == 40 || hex == 64;
}

static gboolean is_skipped(Walk *w, const char *path) {
  for (const char *const *s = w->skip; s && *s; s++)
    if (g_str_equal(*s, path))
      return TRUE;
  return FALSE;
}

/* One entry of |f|: records a repository, notes the names a bare repository has, keeps a
 * subdirectory to enter.  FALSE with the walk's error set on a bound. */
typedef struct {
  gboolean head, objects, refs;
} BareSigns;

static gboolean on_entry(Walk *w, Frame *f, const char *name, unsigned char type,
                         BareSigns *signs) {
  if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
    return TRUE;
  if (type == DT_UNKNOWN) {
    struct stat est;
    if (fstatat(f->fd, name, &est, AT_SYMLINK_NOFOLLOW) != 0)
      return TRUE; /* gone */
    type = S_ISDIR(est.st_mode) ? DT_DIR : S_ISLNK(est.st_mode) ? DT_LNK : DT_REG;
  }
  if (name[0] == '.' && g_str_equal(name, ".git")) {
    /* The root's own .git is a protected name, looked at by name. */
    if (f->depth == 0)
      return TRUE;
    g_autofree char *dotgit = child_path(f->path, name);
    return add_repo(w, dotgit, f->path, FALSE, f->uid);
  }
  if (type != DT_DIR) {
    if (g_str_equal(name, "HEAD"))
      signs->head = TRUE;
    return TRUE;
  }
  if (g_str_equal(name, "objects"))
    signs->objects = TRUE;
  else if (g_str_equal(name, "refs"))
    signs->refs = TRUE;
  g_ptr_array_add(f->children, g_strdup(name));
  return TRUE;
}

static gboolean read_failed(Walk *w, Frame *f, int err) {
  g_set_error(w->error, RF_ERROR, RF_ERROR_LAUNCH, "cannot look for git repositories in %s: %s",
              f->path, g_strerror(err));
  return FALSE;
}

#ifdef __linux__
#include <sys/syscall.h>

struct dirent64_raw {
  guint64 d_ino;
  gint64 d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

/* getdents64 on the directory's own descriptor: no second descriptor, no DIR. */
static gboolean read_entries(Walk *w, Frame *f, BareSigns *signs) {
  char buf[32768] __attribute__((aligned(8)));
  for (;;) {
    long n = syscall(SYS_getdents64, f->fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return read_failed(w, f, errno);
    if (n == 0)
      return TRUE;
    for (long off = 0; off < n;) {
      struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);
      off += d->d_reclen;
      if (!on_entry(w, f, d->d_name, d->d_type, signs))
        return FALSE;
    }
  }
}
#else
static gboolean read_entries(Walk *w, Frame *f, BareSigns *signs) {
  int copy = dup(f->fd);
  DIR *dir = copy >= 0 ? fdopendir(copy) : NULL;
  if (!dir) {
    int saved = errno;
    if (copy >= 0)
      close(copy);
    return read_failed(w, f, saved);
  }
  gboolean ok = TRUE;
  for (;;) {
    errno = 0;
    struct dirent *d = readdir(dir);
    if (!d) {
      if (errno)
        ok = read_failed(w, f, errno);
      break;
    }
    if (!on_entry(w, f, d->d_name, d->d_type, signs)) {
      ok = FALSE;
      break;
    }
  }
  closedir(dir);
  return ok;
}
#endif

/* The directory at |path|, stat |st|, as |w->since| recorded it when it is unchanged since
 * (same device, inode and ctime, on a filesystem where that says nothing changed), else NULL. */
static const Seen *unchanged(Walk *w, const char *path, gboolean ctime_sure,
                             const struct stat *st, gboolean leaf) {
  if (!w->since || !ctime_sure)
    return NULL;
  const Seen *seen = g_hash_table_lookup(w->since->dirs, path);
  if (!seen || seen->leaf != leaf || seen->dev != st->st_dev || seen->ino != st->st_ino ||
      seen->ctime.tv_sec != st->st_ctim.tv_sec || seen->ctime.tv_nsec != st->st_ctim.tv_nsec)
    return NULL;
  return seen;
}

/* Takes what |seen| found (the directory has not changed): its repositories. */
static gboolean take_seen(Walk *w, const Seen *seen) {
  w->stats->unchanged++;
  for (guint i = 0; seen->repos && i < seen->repos->len; i++) {
    const RfRepo *repo = g_ptr_array_index(seen->repos, i);
    if (!add_repo(w, repo->dotgit, repo->worktree, repo->bare, repo->uid))
      return FALSE;
  }
  return TRUE;
}

/* Notes in |w->record| what looking at the directory |path| (stat |st|, taken before) found:
 * |children| (NULL for a leaf) and the repositories added to the walk's list from |first| on;
 * only where its ctime can be trusted later (|ctime_sure|). */
static void record_seen(Walk *w, gboolean ctime_sure, const char *path, const struct stat *st,
                        gboolean leaf, GPtrArray *children, guint first) {
  if (!w->record || !ctime_sure) /* a later walk could not use it */
    return;
  Seen *seen = g_new0(Seen, 1);
  seen->dev = st->st_dev;
  seen->ino = st->st_ino;
  seen->ctime = st->st_ctim;
  seen->leaf = leaf;
  seen->children = children ? g_ptr_array_ref(children) : NULL; /* not changed after listing */
  if (first < w->repos->len) {
    seen->repos = g_ptr_array_new_with_free_func(rf_repo_free);
    for (guint i = first; i < w->repos->len; i++)
      g_ptr_array_add(seen->repos, repo_copy(g_ptr_array_index(w->repos, i)));
  }
  g_hash_table_replace(w->record->dirs, g_strdup(path), seen);
}

/* Lists |f|: records its repositories, keeps its subdirectories in f->children. */
static gboolean list_dir(Walk *w, Frame *f) {
  if (++w->stats->dirs > RF_WALK_MAX_DIRS)
    return too_much(w, f->path, "holds too many directories", RF_WALK_MAX_DIRS);
  struct stat st = {.st_dev = f->dev, .st_ino = f->ino, .st_ctim = f->ctime};
  const Seen *seen = unchanged(w, f->path, f->ctime_sure, &st, FALSE);
  if (seen) {
    f->children = g_ptr_array_ref(seen->children); /* only read */
    return take_seen(w, seen);
  }
  f->children = g_ptr_array_new_with_free_func(g_free);
  guint first = w->repos->len;
  BareSigns signs = {0};
  if (!read_entries(w, f, &signs))
    return FALSE;
  if (f->depth > 0 && signs.head && signs.objects && signs.refs) {
    /* Not recorded: git takes it for a bare repository or not by what HEAD holds, which can be
     * rewritten in place (the directory's ctime unchanged).  Listed again every time. */
    if (head_is_valid(f->path)) {
      /* A bare repository (a clone's origin, /tmp/x.git): the whole of it, not entered. */
      g_ptr_array_set_size(f->children, 0);
      return add_repo(w, f->path, f->path, TRUE, f->uid);
    }
    return TRUE;
  }
  record_seen(w, f->ctime_sure, f->path, &st, FALSE, f->children, first);
  return TRUE;
}

#ifdef __linux__
#include <linux/magic.h>
#include <sys/vfs.h>
#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC 0x58465342
#endif
#endif

/* Does the filesystem of |fd| keep "st_nlink of a directory = 2 + its subdirectories" (so a
 * directory with st_nlink 2 has none and need not be opened)?  Only those known to (the ones
 * GNU find trusts for its leaf optimisation); elsewhere every directory is opened. */
static gboolean counts_subdirectories(int fd) {
#ifdef __linux__
  struct statfs sfs;
  if (fstatfs(fd, &sfs) != 0)
    return FALSE;
  switch ((unsigned long)sfs.f_type) {
  case EXT4_SUPER_MAGIC: /* ext2 and ext3 too */
  case TMPFS_MAGIC:
  case XFS_SUPER_MAGIC:
    return TRUE;
  default:
    return FALSE;
  }
#else
  (void)fd;
  return FALSE;
#endif
}

/* Opens the subdirectory |name| of |parent| into |child|; FALSE with *|enter| = FALSE when it
 * is not to be entered (gone, a link now, a read-only mount, another root, unreadable). */
static gboolean open_child(Walk *w, Frame *parent, const char *name, Frame *child,
                           gboolean *enter) {
  *enter = FALSE;
  g_autofree char *path = child_path(parent->path, name);
  if (is_skipped(w, path))
    return TRUE;
  if (parent->leaf_nlink) {
    /* A directory without subdirectories (st_nlink 2) on the same filesystem holds no bare
     * repository and no .git directory: only a .git file or link can be there.  Two lookups
     * instead of opening and listing it (most directories of a tree are such leaves). */
    struct stat st, git_st;
    if (fstatat(parent->fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
      return TRUE; /* gone, or no longer a directory */
    if (st.st_nlink == 2 && st.st_dev == parent->dev) {
      if (++w->stats->dirs > RF_WALK_MAX_DIRS)
        return too_much(w, path, "is one directory too many", RF_WALK_MAX_DIRS);
      const Seen *seen = unchanged(w, path, parent->ctime_sure, &st, TRUE);
      if (seen)
        return take_seen(w, seen);
      guint first = w->repos->len;
      g_autofree char *dotgit = g_strconcat(name, "/.git", NULL);
      if (fstatat(parent->fd, dotgit, &git_st, AT_SYMLINK_NOFOLLOW) == 0) {
        g_autofree char *full = child_path(path, ".git");
        if (!add_repo(w, full, path, FALSE, st.st_uid))
          return FALSE;
      }
      record_seen(w, parent->ctime_sure, path, &st, TRUE, NULL, first);
      return TRUE;
    }
  }
  int fd = openat(parent->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    int saved = errno;
    if (saved == ENOENT || saved == ELOOP || saved == ENOTDIR)
      return TRUE; /* gone, or no longer a directory */
    if (saved == EACCES || saved == EPERM) {
      /* Not listable by this user (nor by the command, which runs as the same user): a .git
       * directly in it is still looked at (search permission may be there). */
      w->stats->unreadable++;
      g_autofree char *dotgit = g_strconcat(name, "/.git", NULL);
      struct stat st, dst;
      if (fstatat(parent->fd, dotgit, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        g_autofree char *full = child_path(path, ".git");
        guint uid = fstatat(parent->fd, name, &dst, AT_SYMLINK_NOFOLLOW) == 0 ? dst.st_uid : 0;
        return add_repo(w, full, path, FALSE, uid);
      }
      return TRUE;
    }
    if (saved == EMFILE || saved == ENFILE)
      g_set_error(w->error, RF_ERROR, RF_ERROR_LAUNCH,
                  "cannot look for git repositories in %s: %s (the walk keeps one descriptor "
                  "per level; raise the limit with ulimit -n)",
                  path, g_strerror(saved));
    else
      g_set_error(w->error, RF_ERROR, RF_ERROR_LAUNCH,
                  "cannot look for git repositories in %s: %s", path, g_strerror(saved));
    return FALSE;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return TRUE;
  }
  if (st.st_dev != parent->dev) {
    /* Another mount: the sandbox writes there too, unless it is mounted read-only. */
    struct statvfs vfs;
    if (fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) {
      w->stats->skipped_mounts++;
      close(fd);
      return TRUE;
    }
  }
  if (parent->depth + 1 > RF_WALK_MAX_DEPTH) {
    close(fd);
    return too_much(w, path, "lies too many levels deep", RF_WALK_MAX_DEPTH);
  }
  gboolean same_fs = st.st_dev == parent->dev;
  *child = (Frame){.fd = fd, .path = g_steal_pointer(&path), .dev = st.st_dev,
                   .ino = st.st_ino, .ctime = st.st_ctim, .uid = st.st_uid,
                   .depth = parent->depth + 1,
                   .leaf_nlink = same_fs ? parent->leaf_nlink : counts_subdirectories(fd),
                   .ctime_sure = same_fs ? parent->ctime_sure
                                         : (w->since || w->record) && rf_ctime_shows_changes(fd)};
  *enter = TRUE;
  return TRUE;
}

static gboolean walk(const char *root, const char *const *skip, GPtrArray *repos,
                     RfWalkStats *stats, RfWalkRecord *record, const RfWalkRecord *since,
                     GError **error) {
  RfWalkStats local = {0};
  Walk w = {.root = root, .skip = skip, .repos = repos, .stats = stats ? stats : &local,
            .record = record, .since = since, .error = error};
  int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
  struct stat st;
  if (fd < 0 && (errno == EACCES || errno == EPERM)) {
    /* A root the command cannot list: only its .git can matter (as for a directory below). */
    w.stats->unreadable++;
    g_autofree char *dotgit = g_build_filename(root, ".git", NULL);
    struct stat git_st;
    if (lstat(dotgit, &git_st) == 0 && stat(root, &st) == 0) {
      RfRepo *repo = g_new0(RfRepo, 1);
      repo->dotgit = g_steal_pointer(&dotgit);
      repo->worktree = g_strdup(root);
      repo->uid = st.st_uid;
      g_ptr_array_add(repos, repo);
    }
    return TRUE;
  }
  if (fd < 0 || fstat(fd, &st) != 0) {
    int saved = errno;
    if (fd >= 0)
      close(fd);
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                "cannot look for git repositories below the writable root %s: %s", root,
                g_strerror(saved));
    return FALSE;
  }
  GArray *stack = g_array_new(FALSE, TRUE, sizeof(Frame));
  g_array_set_clear_func(stack, (GDestroyNotify)frame_clear);
  Frame top = {.fd = fd, .path = g_strdup(root), .dev = st.st_dev, .ino = st.st_ino,
               .ctime = st.st_ctim, .uid = st.st_uid, .depth = 0,
               .leaf_nlink = counts_subdirectories(fd),
               .ctime_sure = (since || record) && rf_ctime_shows_changes(fd)};
  g_array_append_val(stack, top);
  gboolean ok = list_dir(&w, &g_array_index(stack, Frame, 0));
  while (ok && stack->len > 0) {
    Frame *f = &g_array_index(stack, Frame, stack->len - 1);
    if (f->next >= f->children->len) {
      g_array_remove_index(stack, stack->len - 1);
      continue;
    }
    const char *name = g_ptr_array_index(f->children, f->next++);
    Frame child = {.fd = -1};
    gboolean enter = FALSE;
    ok = open_child(&w, f, name, &child, &enter);
    if (!ok || !enter)
      continue;
    g_array_append_val(stack, child); /* |f| may move */
    ok = list_dir(&w, &g_array_index(stack, Frame, stack->len - 1));
  }
  g_array_unref(stack);
  return ok;
}

typedef struct {
  Walk args; /* what rf_repo_walk was given (stats may be NULL) */
  gboolean ok;
} WalkCall;

static gpointer walk_call(gpointer data) {
  WalkCall *call = data;
  const Walk *a = &call->args;
  call->ok = walk(a->root, a->skip, a->repos, a->stats, a->record, a->since, a->error);
  return call;
}

/* With the command's access: ringfence run by root would otherwise find, and then ask bwrap to
 * protect, repositories in other users' private folders (in /tmp, say) that neither the command
 * nor bwrap in its user namespace can reach; bwrap then fails ("Can't find source path"). */
gboolean rf_repo_walk(const char *root, const char *const *skip, GPtrArray *repos,
                      RfWalkStats *stats, RfWalkRecord *record, const RfWalkRecord *since,
                      GError **error) {
  WalkCall call = {.args = {.root = root, .skip = skip, .repos = repos, .stats = stats,
                            .record = record, .since = since, .error = error}};
  if (!rf_with_command_access(walk_call, &call)) {
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                "cannot look for git repositories below %s with the command's access (the "
                "effective capabilities could not be dropped: %s)",
                root, g_strerror(errno));
    return FALSE;
  }
  return call.ok;
}
