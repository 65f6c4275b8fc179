/* landlock-ruleset.c: turns a ruleset plan into a kernel Landlock ruleset (the only side effects of the rules). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "landlock-abi.h"
#include "landlock-plan.h"

struct rf_ll_net_port_attr {
  uint64_t allowed_access;
  uint64_t port;
};

/* |is_dir|: 1 or 0 when the caller knows (from readdir), -1 to ask fstat. */
static int add_path_rule(int ruleset, const char *path, uint64_t access, int dirfd,
                         const char *name, int is_dir, int skip_if_missing, const char *why,
                         char *err, size_t err_len) {
  /* O_PATH follows symlinks: /bin -> usr/bin gets its rule on /usr/bin. */
  int fd = openat(dirfd, name ? name : path, O_PATH | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (skip_if_missing && (e == ENOENT || e == ENOTDIR || e == EACCES || e == ELOOP))
      return 0;
    snprintf(err, err_len, "cannot open %s%s%s (%s) for its Landlock rule: %s", path,
             name ? "/" : "", name ? name : "", why, strerror(e));
    return -e;
  }
  if (is_dir < 0) {
    struct stat st;
    is_dir = fstat(fd, &st) != 0 || S_ISDIR(st.st_mode);
  }
  if (!is_dir)
    access &= RF_LL_FS_FILE_RIGHTS; /* directory rights are refused on a file */
  struct rf_ll_path_beneath_attr beneath = {.allowed_access = access, .parent_fd = fd};
  int rc = access ? rf_ll_add_rule(ruleset, RF_LL_RULE_PATH_BENEATH, &beneath, 0) : 0;
  close(fd);
  if (rc < 0)
    snprintf(err, err_len, "landlock_add_rule for %s%s%s (%s) failed: %s", path, name ? "/" : "",
             name ? name : "", why, strerror(-rc));
  return rc;
}

/*
 * Deny-read below a rule (docs/landlock.md, "Deny-read"): Landlock rights
 * only add up the tree, so a rule on a folder cannot leave one file below it
 * out.  A rule whose folder holds a deny-read path is therefore built around
 * it: the folder keeps its other rights, and its read rights go to each of
 * its entries instead, except the one leading to the denied path, which is
 * treated the same way one level down, until the denied path itself, which
 * gets no rule.  Listing (read_dir) stays on the folders along the way when
 * every denied path below is a file (listing a folder reads no file); a
 * denied directory takes it away from its ancestors too (its rule would
 * cover the directory itself).  Entries created in those folders after the
 * ruleset is built have no read right: they may be created, written, renamed
 * and removed, not read or run.
 */
typedef struct {
  const rf_ll_plan *plan;
  unsigned char *deny_is_dir; /* per deny-read path: a directory (or 0: file, missing) */
  size_t budget;              /* rules left for splitting (RF_LL_MAX_SPLIT_RULES) */
  const char *rule_why;
} split_ctx;

/* |path| is |base| or below it ("/" is above everything). */
static int at_or_below(const char *path, const char *base) {
  size_t n = strlen(base);
  if (n == 1 && base[0] == '/')
    return path[0] == '/';
  return strncmp(path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Read rights of a rule at |path| that must be moved down to the entries:
 * 0 when no deny-read path lies strictly below it. */
static uint64_t rights_to_split(const split_ctx *ctx, const char *path, uint64_t access) {
  uint64_t split = 0;
  for (size_t i = 0; i < ctx->plan->n_deny_read; i++) {
    const char *deny = ctx->plan->deny_read[i];
    if (strcmp(deny, path) == 0 || !at_or_below(deny, path))
      continue;
    split |= RF_LL_FS_READ_FILE | RF_LL_FS_EXECUTE;
    if (ctx->deny_is_dir[i])
      split |= RF_LL_FS_READ_DIR;
  }
  return access & split;
}

static int is_denied(const split_ctx *ctx, const char *path) {
  for (size_t i = 0; i < ctx->plan->n_deny_read; i++)
    if (strcmp(ctx->plan->deny_read[i], path) == 0)
      return 1;
  return 0;
}

static int split_rule(split_ctx *ctx, int ruleset, const char *dir, uint64_t access,
                      const char *const *except, char *err, size_t err_len);

/* One entry of a folder being split: its rule, or a further split. */
static int split_entry(split_ctx *ctx, int ruleset, const char *dir, int dfd, const char *name,
                       int is_dir, uint64_t access, char *err, size_t err_len) {
  char full[4096];
  if ((size_t)snprintf(full, sizeof(full), "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, name) >=
      sizeof(full))
    return 0; /* longer than a path: no rule, so no read (fails closed) */
  if (is_denied(ctx, full))
    return 0;
  uint64_t down = is_dir ? rights_to_split(ctx, full, access) : 0;
  if (ctx->budget == 0) {
    snprintf(err, err_len,
             "building the Landlock rules around the deny-read paths takes more than %d rules "
             "(one per entry of every folder above a denied path; stopped in %s): deny fewer "
             "paths, or paths in smaller folders, or use the bwrap backend",
             RF_LL_MAX_SPLIT_RULES, dir);
    return -E2BIG;
  }
  ctx->budget--;
  int rc = add_path_rule(ruleset, dir, access & ~down, dfd, name, is_dir, 1, ctx->rule_why, err,
                         err_len);
  /* An entry that takes no rule (a socket, a file on an internal
   * filesystem) stays unreadable: a grant skipped fails closed. */
  if (rc == -EBADFD || rc == -EINVAL) {
    rc = 0;
    err[0] = '\0';
  }
  if (rc == 0 && down)
    rc = split_rule(ctx, ruleset, full, down, NULL, err, err_len);
  return rc;
}

/* |access| on every entry of |dir| but |except| and the deny-read paths, split further along
 * the way to those. */
static int split_rule(split_ctx *ctx, int ruleset, const char *dir, uint64_t access,
                      const char *const *except, char *err, size_t err_len) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (!d) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    /* A folder ringfence cannot list is one the command cannot read either: no
     * rule on its entries leaves them unreadable (fails closed). */
    if (e == EACCES || e == ENOENT || e == ENOTDIR)
      return 0;
    snprintf(err, err_len, "cannot list %s for the Landlock read rules: %s", dir, strerror(e));
    return -e;
  }
  struct dirent *entry;
  int rc = 0;
  while (rc == 0 && (entry = readdir(d))) {
    const char *name = entry->d_name;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
      continue;
    /* A symlink needs no rule: its target is judged where it lies (/bin ->
     * usr/bin).  The entry's type comes with readdir on every common
     * filesystem, so no stat per entry. */
    unsigned char type = entry->d_type;
    if (type == DT_UNKNOWN) {
      struct stat st;
      if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      type = S_ISLNK(st.st_mode) ? DT_LNK : S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
    }
    if (type == DT_LNK)
      continue;
    /* |except| names entries of / ("/dev"). */
    int excepted = 0;
    for (const char *const *e = except; e && *e; e++)
      excepted |= strcmp(dir, "/") == 0 && strcmp(*e + 1, name) == 0;
    if (!excepted)
      rc = split_entry(ctx, ruleset, dir, dirfd(d), name, type == DT_DIR, access, err, err_len);
  }
  closedir(d);
  return rc;
}

/* A rule of the plan: as it is, or built around the deny-read paths below it. */
static int add_plan_rule(split_ctx *ctx, int ruleset, const rf_ll_rule *rule, char *err,
                         size_t err_len) {
  uint64_t access = rule->access;
  if (is_denied(ctx, rule->path))
    access &= ~RF_LL_FS_READ; /* the rule's other rights (writes) stay */
  uint64_t down = rights_to_split(ctx, rule->path, access);
  int rc = add_path_rule(ruleset, rule->path, access & ~down, AT_FDCWD, NULL, -1,
                         rule->skip_if_missing, rule->why, err, err_len);
  if (rc == 0 && down) {
    ctx->rule_why = rule->why;
    rc = split_rule(ctx, ruleset, rule->path, down, NULL, err, err_len);
  }
  return rc;
}

int rf_ll_ruleset_create(const rf_ll_plan *plan, char *err, size_t err_len) {
  struct rf_ll_ruleset_attr attr = {
      .handled_access_fs = plan->handled_fs,
      .handled_access_net = plan->handled_net,
      .scoped = plan->scoped,
  };
  /* The struct is always passed whole: older kernels accept trailing
   * fields as long as they are zero, which they are below their ABI. */
  int ruleset = rf_ll_create_ruleset(&attr, sizeof(attr), 0);
  if (ruleset < 0) {
    snprintf(err, err_len, "landlock_create_ruleset failed: %s", strerror(-ruleset));
    return ruleset;
  }
  split_ctx ctx = {.plan = plan, .budget = RF_LL_MAX_SPLIT_RULES, .rule_why = "read"};
  ctx.deny_is_dir = calloc(plan->n_deny_read + 1, 1);
  if (!ctx.deny_is_dir) {
    close(ruleset);
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  for (size_t i = 0; i < plan->n_deny_read; i++) {
    struct stat st;
    ctx.deny_is_dir[i] = stat(plan->deny_read[i], &st) == 0 && S_ISDIR(st.st_mode);
  }
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < plan->n_rules; i++)
    rc = add_plan_rule(&ctx, ruleset, &plan->rules[i], err, err_len);
  /* Full reads without a rule on /: one rule per entry of /, except the
   * excepted ones (which get only what other rules give them), built around
   * the deny-read paths like any other rule. */
  if (rc == 0 && plan->read_all_but) {
    ctx.rule_why = "read everywhere";
    rc = split_rule(&ctx, ruleset, "/", plan->read_all_access, plan->read_all_but, err, err_len);
  }
  free(ctx.deny_is_dir);
  if (rc < 0) {
    close(ruleset);
    return rc;
  }
  if (plan->connect_port) {
    struct rf_ll_net_port_attr port = {.allowed_access = RF_LL_NET_CONNECT_TCP,
                                       .port = plan->connect_port};
    rc = rf_ll_add_rule(ruleset, RF_LL_RULE_NET_PORT, &port, 0);
    if (rc < 0) {
      snprintf(err, err_len, "landlock_add_rule for TCP port %u failed: %s",
               (unsigned)plan->connect_port, strerror(-rc));
      close(ruleset);
      return rc;
    }
  }
  return ruleset;
}
