/* repo-walk.c: finding the git repositories below a writable root (at launch, and again after the run). */
#include "repo-walk.h"

#include "capless.h"
#include "safe-read.h"

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

typedef struct {
  int fd;              /* the directory, open */
  char *path;          /* its canonical path (no link is followed on the way) */
  dev_t dev;
  guint uid;           /* its owner */
  gboolean leaf_nlink; /* its filesystem counts subdirectories in st_nlink */
  guint depth;         /* 0: the root */
  GPtrArray *children; /* names of subdirectories still to enter */
  guint next;
} Frame;

typedef struct {
  const char *root;
  const char *const *skip;
  GPtrArray *repos;
  RfWalkStats *stats;
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

/* Lists |f|: records its repositories, keeps its subdirectories in f->children. */
static gboolean list_dir(Walk *w, Frame *f) {
  if (++w->stats->dirs > RF_WALK_MAX_DIRS)
    return too_much(w, f->path, "holds too many directories", RF_WALK_MAX_DIRS);
  f->children = g_ptr_array_new_with_free_func(g_free);
  BareSigns signs = {0};
  if (!read_entries(w, f, &signs))
    return FALSE;
  if (f->depth > 0 && signs.head && signs.objects && signs.refs && head_is_valid(f->path)) {
    /* A bare repository (a clone's origin, /tmp/x.git): the whole of it, not entered. */
    g_ptr_array_set_size(f->children, 0);
    return add_repo(w, f->path, f->path, TRUE, f->uid);
  }
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
      g_autofree char *dotgit = g_strconcat(name, "/.git", NULL);
      if (fstatat(parent->fd, dotgit, &git_st, AT_SYMLINK_NOFOLLOW) == 0) {
        g_autofree char *full = child_path(path, ".git");
        return add_repo(w, full, path, FALSE, st.st_uid);
      }
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
  *child = (Frame){.fd = fd, .path = g_steal_pointer(&path), .dev = st.st_dev,
                   .uid = st.st_uid, .depth = parent->depth + 1,
                   .leaf_nlink = st.st_dev == parent->dev ? parent->leaf_nlink
                                                          : counts_subdirectories(fd)};
  *enter = TRUE;
  return TRUE;
}

static gboolean walk(const char *root, const char *const *skip, GPtrArray *repos,
                     RfWalkStats *stats, GError **error) {
  RfWalkStats local = {0};
  Walk w = {.root = root, .skip = skip, .repos = repos, .stats = stats ? stats : &local,
            .error = error};
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
  Frame top = {.fd = fd, .path = g_strdup(root), .dev = st.st_dev, .uid = st.st_uid, .depth = 0,
               .leaf_nlink = counts_subdirectories(fd)};
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
  call->ok = walk(a->root, a->skip, a->repos, a->stats, a->error);
  return call;
}

/* With the command's access: ringfence run by root would otherwise find, and then ask bwrap to
 * protect, repositories in other users' private folders (in /tmp, say) that neither the command
 * nor bwrap in its user namespace can reach; bwrap then fails ("Can't find source path"). */
gboolean rf_repo_walk(const char *root, const char *const *skip, GPtrArray *repos,
                      RfWalkStats *stats, GError **error) {
  WalkCall call = {.args = {.root = root, .skip = skip, .repos = repos, .stats = stats,
                            .error = error}};
  if (!rf_with_command_access(walk_call, &call)) {
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                "cannot look for git repositories below %s with the command's access (the "
                "effective capabilities could not be dropped: %s)",
                root, g_strerror(errno));
    return FALSE;
  }
  return call.ok;
}
