/* guard-tree.c: decides by device and inode whether an entry or an open file lies at or below a protected path (see guard-tree.h). */
#include "guard-tree.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rf_guard_parse_entry(const char *text, rf_guard_entry *out) {
  memset(out, 0, sizeof(*out));
  if (!text || !text[0] || text[1] != ':')
    return -EINVAL;
  out->kind = text[0];
  int used = 0;
  if (text[0] == 'A' || text[0] == 'P') {
    if (sscanf(text + 2, "%llu:%llu%n", &out->dev, &out->ino, &used) != 2 || text[2 + used])
      return -EINVAL;
    return 0;
  }
  if (text[0] != 'N' && text[0] != 'L')
    return -EINVAL;
  if (sscanf(text + 2, "%llu:%llu:%n", &out->dev, &out->ino, &used) != 2 || used == 0)
    return -EINVAL;
  const char *hex = text + 2 + used;
  size_t len = strlen(hex);
  if (len == 0 || len % 2 || len / 2 >= sizeof(out->name))
    return -EINVAL;
  for (size_t i = 0; i < len / 2; i++) {
    unsigned int byte;
    char pair[3] = {hex[2 * i], hex[2 * i + 1], '\0'};
    char *end;
    byte = (unsigned int)strtoul(pair, &end, 16);
    if (*end || byte == 0 || byte == '/')
      return -EINVAL;
    out->name[i] = (char)byte;
  }
  out->name[len / 2] = '\0';
  return 0;
}

int rf_guard_table_parse(rf_guard_table *table, const char *const *texts, size_t n) {
  memset(table, 0, sizeof(*table));
  if (n == 0)
    return 0;
  table->entries = calloc(n, sizeof(rf_guard_entry));
  if (!table->entries)
    return -ENOMEM;
  for (size_t i = 0; i < n; i++) {
    if (rf_guard_parse_entry(texts[i], &table->entries[i]) < 0) {
      rf_guard_table_clear(table);
      return -EINVAL;
    }
    if (table->entries[i].kind == 'P')
      table->has_objects = 1;
  }
  table->n = n;
  return 0;
}

void rf_guard_table_clear(rf_guard_table *table) {
  free(table->entries);
  memset(table, 0, sizeof(*table));
}

static int same(const rf_guard_entry *e, const struct stat *st) {
  return e->dev == (unsigned long long)st->st_dev && e->ino == (unsigned long long)st->st_ino;
}

int rf_guard_name_protected(const rf_guard_table *table, int parentfd, const char *name) {
  struct stat st;
  int have = 0;
  for (size_t i = 0; i < table->n; i++) {
    const rf_guard_entry *e = &table->entries[i];
    if ((e->kind != 'N' && e->kind != 'L') || strcmp(e->name, name) != 0)
      continue;
    if (!have && fstat(parentfd, &st) != 0)
      return 1; /* cannot tell: refuse */
    have = 1;
    if (same(e, &st))
      return 1;
  }
  return 0;
}

int rf_guard_pinned(const rf_guard_table *table, int parentfd, const char *name) {
  struct stat st;
  int have = 0;
  for (size_t i = 0; i < table->n; i++) {
    const rf_guard_entry *e = &table->entries[i];
    if (e->kind != 'A')
      continue;
    if (!have) {
      if (fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
        return 0;
      have = 1;
    }
    if (same(e, &st))
      return 1;
  }
  return 0;
}

int rf_guard_object_protected(const rf_guard_table *table, const struct stat *st) {
  for (size_t i = 0; i < table->n; i++)
    if (table->entries[i].kind == 'P' && same(&table->entries[i], st))
      return 1;
  return 0;
}

/* Our own shortage (descriptors, memory): -errno, for the caller to say
 * "try again" rather than a refusal it would not make with room to spare.
 * Anything else that stops a check: refused (1). */
static int cannot_tell(int err) {
  return err == EMFILE || err == ENFILE || err == ENOMEM ? -err : 1;
}

/* Walks the ancestry of |dirfd| (from its parent when |from_parent|) with
 * fstatat on "..", "../..", ... relative to it: no descriptor is opened, so
 * a small RLIMIT_NOFILE does not turn a check into a refusal. */
static int walk_up(const rf_guard_table *table, int dirfd, int from_parent) {
  char up[PATH_MAX];
  size_t len = 0;
  struct stat st;
  if (from_parent) {
    memcpy(up, "..", 3);
    len = 2;
  } else {
    up[0] = '\0';
  }
  if (fstatat(dirfd, up, &st, len ? 0 : AT_EMPTY_PATH) != 0)
    return cannot_tell(errno);
  if (!S_ISDIR(st.st_mode))
    return 1;
  for (;;) {
    if (rf_guard_object_protected(table, &st))
      return 1;
    if (len + 4 >= sizeof(up))
      return 1; /* deeper than any path the kernel resolves: cannot tell */
    if (len)
      up[len++] = '/';
    memcpy(up + len, "..", 3);
    len += 2;
    struct stat pst;
    if (fstatat(dirfd, up, &pst, 0) != 0)
      return cannot_tell(errno);
    if (pst.st_dev == st.st_dev && pst.st_ino == st.st_ino)
      return 0; /* the root: its ".." is itself */
    st = pst;
  }
}

int rf_guard_dir_below(const rf_guard_table *table, int dirfd) {
  if (!table->has_objects)
    return 0;
  return walk_up(table, dirfd, 0);
}

int rf_guard_entry_refused(const rf_guard_table *table, int parentfd, const char *name) {
  int self = name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
  if (!self && rf_guard_name_protected(table, parentfd, name))
    return 1;
  if (!table->has_objects)
    return 0;
  int below = walk_up(table, parentfd, strcmp(name, "..") == 0);
  if (below != 0 || self)
    return below;
  struct stat st;
  if (fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT ? 0 : cannot_tell(errno); /* a new name below an unprotected parent */
  return rf_guard_object_protected(table, &st);
}

int rf_guard_fd_refused(const rf_guard_table *table, int fd, int fd_dir) {
  if (!table->has_objects)
    return 0;
  struct stat st;
  if (fstat(fd, &st) != 0)
    return cannot_tell(errno);
  if (rf_guard_object_protected(table, &st))
    return 1;
  if (S_ISDIR(st.st_mode))
    return walk_up(table, fd, 0);
  if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode) && !S_ISFIFO(st.st_mode) &&
      !S_ISSOCK(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
    return 1;
  /* Found again by the name the kernel reports, which must still be this
   * inode (a rename in between: try again; a few times, then refuse). */
  for (int attempt = 0; attempt < 4; attempt++) {
    char link[64], path[PATH_MAX];
    ssize_t n;
    if (fd_dir >= 0) {
      snprintf(link, sizeof(link), "%d", fd);
      n = readlinkat(fd_dir, link, path, sizeof(path) - 1);
    } else {
      snprintf(link, sizeof(link), "/proc/thread-self/fd/%d", fd);
      n = readlink(link, path, sizeof(path) - 1);
    }
    if (n <= 0)
      return n < 0 ? cannot_tell(errno) : 1;
    path[n] = '\0';
    if (path[0] != '/')
      return 0; /* socket:[N], pipe:[N], anon_inode:...: in no directory */
    if (st.st_nlink == 0)
      return 0; /* unlinked: no name anywhere to protect */
    char *slash = strrchr(path, '/');
    const char *name = slash + 1;
    int parent;
    if (slash == path)
      parent = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    else {
      *slash = '\0';
      parent = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    if (parent < 0) {
      if (cannot_tell(errno) < 0)
        return -errno;
      if (fstat(fd, &st) == 0 && st.st_nlink == 0)
        return 0;
      continue;
    }
    struct stat here;
    if (fstatat(parent, name, &here, AT_SYMLINK_NOFOLLOW) != 0 || here.st_dev != st.st_dev ||
        here.st_ino != st.st_ino) {
      close(parent);
      if (fstat(fd, &st) == 0 && st.st_nlink == 0)
        return 0;
      continue;
    }
    int refused = walk_up(table, parent, 0);
    close(parent);
    return refused;
  }
  return 1;
}
