/* guard-entries.c: turns a policy's protected paths into the entries the name guard checks, by device and inode (see guard-entries.h). */
#include "guard-entries.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A growing list of entries, without duplicates; |failed| once it could
 * not grow. */
typedef struct {
  char **items;
  size_t n, cap;
  int failed;
} entry_list;

static void add_entry(entry_list *list, char *entry) {
  /* NULL: nothing to describe (a parent that does not exist), as before. */
  if (!entry || list->failed) {
    free(entry);
    return;
  }
  for (size_t i = 0; i < list->n; i++) {
    if (strcmp(list->items[i], entry) == 0) {
      free(entry);
      return;
    }
  }
  if (list->n + 1 >= list->cap) {
    size_t cap = list->cap ? 2 * list->cap : 64;
    char **items = realloc(list->items, cap * sizeof(char *));
    if (!items) {
      list->failed = 1;
      free(entry);
      return;
    }
    list->items = items;
    list->cap = cap;
  }
  list->items[list->n++] = entry;
  list->items[list->n] = NULL;
}

/* "K:DEV:INO:HEXNAME": |path|'s parent directory and last component. */
static char *name_entry(const char *path, char kind) {
  const char *slash = strrchr(path, '/');
  if (!slash || !slash[1])
    return NULL;
  char parent[PATH_MAX];
  size_t len = slash == path ? 1 : (size_t)(slash - path);
  if (len >= sizeof(parent))
    return NULL;
  memcpy(parent, path, len);
  parent[len] = '\0';
  struct stat st;
  if (stat(parent, &st) != 0)
    return NULL;
  const char *name = slash + 1;
  size_t name_len = strlen(name);
  if (name_len > 255)
    return NULL;
  char *entry = malloc(72 + 2 * name_len + 1);
  if (!entry)
    return NULL;
  int used = snprintf(entry, 72, "%c:%llu:%llu:", kind, (unsigned long long)st.st_dev,
                      (unsigned long long)st.st_ino);
  for (size_t k = 0; k < name_len; k++)
    used += sprintf(entry + used, "%02x", (unsigned char)name[k]);
  return entry;
}

/* "K:DEV:INO" of |st|. */
static char *object_entry(const struct stat *st, char kind) {
  char *entry = malloc(64);
  if (entry)
    snprintf(entry, 64, "%c:%llu:%llu", kind, (unsigned long long)st->st_dev,
             (unsigned long long)st->st_ino);
  return entry;
}

static int path_strictly_below(const char *path, const char *root) {
  size_t n = strlen(root);
  if (n == 1 && root[0] == '/')
    return path[0] == '/' && path[1] != '\0';
  return strncmp(path, root, n) == 0 && path[n] == '/';
}

char **rf_guard_entries_for_policy(const rf_backend_policy *policy, int existing) {
  entry_list list = {0};
  for (size_t i = 0; !list.failed && i < policy->n_writable_roots; i++) {
    const rf_backend_root *root = &policy->writable_roots[i];
    for (size_t j = 0; j < root->n_protected; j++) {
      const char *path = root->protected_paths[j];
      struct stat st;
      if (lstat(path, &st) != 0) {
        add_entry(&list, name_entry(path, 'N'));
      } else if (S_ISLNK(st.st_mode)) {
        add_entry(&list, name_entry(path, 'L')); /* no mount can cover a symlink itself */
      } else {
        if (S_ISDIR(st.st_mode))
          add_entry(&list, object_entry(&st, 'A'));
        if (existing) {
          add_entry(&list, name_entry(path, 'N'));
          add_entry(&list, object_entry(&st, 'P'));
        }
      }
      /* Every writable root holding the path: its directories in between. */
      for (size_t k = 0; k < policy->n_writable_roots; k++) {
        const char *outer = policy->writable_roots[k].path;
        if (!path_strictly_below(path, outer))
          continue;
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s", path);
        for (char *slash = strrchr(dir, '/'); slash && slash > dir; slash = strrchr(dir, '/')) {
          *slash = '\0';
          if (!path_strictly_below(dir, outer))
            break;
          struct stat dst;
          if (lstat(dir, &dst) == 0 && S_ISDIR(dst.st_mode))
            add_entry(&list, object_entry(&dst, 'A'));
        }
      }
    }
  }
  if (!list.failed && !list.items && !(list.items = calloc(1, sizeof(char *))))
    list.failed = 1;
  if (list.failed) {
    for (size_t i = 0; i < list.n; i++)
      free(list.items[i]);
    free(list.items);
    return NULL;
  }
  return list.items;
}
