/* landlock-ruleset.c: turns a ruleset plan into a kernel Landlock ruleset (the only side effects of the rules). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "landlock-abi.h"
#include "landlock-rules.h"

struct rf_ll_net_port_attr {
  uint64_t allowed_access;
  uint64_t port;
};

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
    if (rule->access == 0)
      continue;
    /* O_PATH follows symlinks: /bin -> usr/bin gets its rule on /usr/bin. */
    int fd = open(rule->path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      if (rule->skip_if_missing && (e == ENOENT || e == ENOTDIR || e == EACCES))
        continue;
      snprintf(err, err_len, "cannot open %s (%s) for its Landlock rule: %s", rule->path,
               rule->why, strerror(e));
      close(ruleset);
      return -e;
    }
    struct stat st;
    uint64_t access = rule->access;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
      access &= RF_LL_FS_FILE_RIGHTS; /* directory rights are refused on a file */
    struct rf_ll_path_beneath_attr beneath = {.allowed_access = access, .parent_fd = fd};
    int rc = access ? rf_ll_add_rule(ruleset, RF_LL_RULE_PATH_BENEATH, &beneath, 0) : 0;
    close(fd);
    if (rc < 0) {
      snprintf(err, err_len, "landlock_add_rule for %s (%s) failed: %s", rule->path, rule->why,
               strerror(-rc));
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
