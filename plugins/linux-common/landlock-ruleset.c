/* landlock-ruleset.c: turns a ruleset plan into a kernel Landlock ruleset (the only side effects of the rules). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

/* Full reads without a rule on /: one rule per entry of /, except the
 * excepted ones (which get only what other rules give them). */
static int add_read_all_but(int ruleset, const rf_ll_plan *plan, char *err, size_t err_len) {
  DIR *dir = opendir("/");
  if (!dir) {
    snprintf(err, err_len, "cannot list / for the Landlock read rules: %s", strerror(errno));
    return -errno;
  }
  struct dirent *entry;
  int rc = 0;
  while (rc == 0 && (entry = readdir(dir))) {
    const char *name = entry->d_name;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
      continue;
    /* A symlink needs no rule: its target is judged where it lies (/bin ->
     * usr/bin).  The entry's type comes with readdir on every common
     * filesystem, so no stat per entry. */
    unsigned char type = entry->d_type;
    if (type == DT_UNKNOWN) {
      struct stat st;
      if (fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      type = S_ISLNK(st.st_mode) ? DT_LNK : S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
    }
    if (type == DT_LNK)
      continue;
    char full[512];
    snprintf(full, sizeof(full), "/%s", name);
    int excepted = 0;
    for (const char *const *e = plan->read_all_but; *e; e++)
      excepted |= strcmp(full, *e) == 0;
    if (!excepted)
      rc = add_path_rule(ruleset, "/", plan->read_all_access, dirfd(dir), name, type == DT_DIR, 1,
                         "read everywhere", err, err_len);
    /* An entry that takes no rule (a socket, a file on an internal
     * filesystem) stays unreadable: a grant skipped fails closed. */
    if (rc == -EBADFD || rc == -EINVAL) {
      rc = 0;
      err[0] = '\0';
    }
  }
  closedir(dir);
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
  for (size_t i = 0; i < plan->n_rules; i++) {
    const rf_ll_rule *rule = &plan->rules[i];
    int rc = add_path_rule(ruleset, rule->path, rule->access, AT_FDCWD, NULL, -1,
                           rule->skip_if_missing, rule->why, err, err_len);
    if (rc < 0) {
      close(ruleset);
      return rc;
    }
  }
  if (plan->read_all_but) {
    int rc = add_read_all_but(ruleset, plan, err, err_len);
    if (rc < 0) {
      close(ruleset);
      return rc;
    }
  }
  if (plan->connect_port) {
    struct rf_ll_net_port_attr port = {.allowed_access = RF_LL_NET_CONNECT_TCP,
                                       .port = plan->connect_port};
    int rc = rf_ll_add_rule(ruleset, RF_LL_RULE_NET_PORT, &port, 0);
    if (rc < 0) {
      snprintf(err, err_len, "landlock_add_rule for TCP port %u failed: %s",
               (unsigned)plan->connect_port, strerror(-rc));
      close(ruleset);
      return rc;
    }
  }
  return ruleset;
}
