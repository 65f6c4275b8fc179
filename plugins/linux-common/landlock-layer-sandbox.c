/* landlock-layer-sandbox.c: the in-sandbox half of the bwrap backend's Landlock layer: /dev rules, then enforcement (init and fs-proxy). */
#include "landlock-layer.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "landlock-abi.h"

/* Write-type rights that apply to a file (not a directory) in a rule. */
#define LAYER_FILE_RIGHTS RF_LL_FS_WRITE_FILE

/*
 * The sandbox's /dev (bwrap --dev: a private tmpfs) holds binds of the host's
 * null, zero, full, random, urandom and tty, a devpts instance of its own
 * (ptmx is pts/ptmx: new ptys, none of the host's) and a private shm
 * directory.  /dev/console, which bwrap binds to the terminal on stdout, is
 * that inherited file's rule.  Nothing else of /dev: new entries in its
 * tmpfs are not needed.
 */
const rf_ll_layer_dev rf_ll_layer_dev_rules[] = {
    {"/dev/null", LAYER_FILE_RIGHTS, "device"},
    {"/dev/zero", LAYER_FILE_RIGHTS, "device"},
    {"/dev/full", LAYER_FILE_RIGHTS, "device"},
    {"/dev/random", LAYER_FILE_RIGHTS, "device"},
    {"/dev/urandom", LAYER_FILE_RIGHTS, "device"},
    {"/dev/tty", LAYER_FILE_RIGHTS, "the controlling terminal"},
    {"/dev/pts", LAYER_FILE_RIGHTS, "the sandbox's own ptys (devpts instance)"},
    {"/dev/shm", 0, "the sandbox's private shared memory (same rights as a writable root)"},
    {NULL, 0, NULL},
};

static uint64_t dev_rule_access(const rf_ll_layer_dev *dev, int abi) {
  uint64_t access = dev->access ? dev->access : rf_ll_layer_root_rights(abi);
  return access & rf_ll_layer_handled(abi);
}

/* Not truncate: with it handled, every open (reads and exec included) walks
 * the file's path up to learn whether a later ftruncate may be allowed (+16%
 * on a stat+open loop), and it adds nothing this layer is for: truncating
 * needs a descriptor open for writing (write_file decides) or truncate(2)
 * of a regular file by path, which the read-only mounts refuse outside the
 * writable roots (a FIFO or device cannot be truncated). */
uint64_t rf_ll_layer_handled(int abi) {
  uint64_t write = RF_LL_FS_WRITE_FILE | RF_LL_FS_REMOVE_DIR | RF_LL_FS_REMOVE_FILE |
                   RF_LL_FS_MAKE_CHAR | RF_LL_FS_MAKE_DIR | RF_LL_FS_MAKE_REG |
                   RF_LL_FS_MAKE_SOCK | RF_LL_FS_MAKE_FIFO | RF_LL_FS_MAKE_BLOCK |
                   RF_LL_FS_MAKE_SYM | RF_LL_FS_REFER;
  return abi >= RF_LL_LAYER_MIN_ABI ? write & rf_ll_fs_rights_for_abi(abi) : 0;
}

uint64_t rf_ll_layer_root_rights(int abi) {
  return rf_ll_layer_handled(abi) & ~(RF_LL_FS_MAKE_CHAR | RF_LL_FS_MAKE_BLOCK);
}

int rf_ll_layer_enforce(int ruleset_fd, int abi, int audit) {
  /* restrict_self needs no_new_privs (or CAP_SYS_ADMIN): both callers have
   * set it already; setting it again is harmless. */
  int rc = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 ? 0 : -errno;
  uint32_t flags = abi >= 7 && !audit ? RF_LL_RESTRICT_SELF_LOG_SAME_EXEC_OFF : 0;
  if (rc == 0)
    rc = rf_ll_restrict_self(ruleset_fd, flags);
  close(ruleset_fd);
  return rc;
}

int rf_ll_layer_enter(int ruleset_fd, int abi, int audit, const char **failed_path) {
  *failed_path = NULL;
  for (const rf_ll_layer_dev *dev = rf_ll_layer_dev_rules; dev->path; dev++) {
    int fd = open(dev->path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT)
        continue;
      *failed_path = dev->path;
      close(ruleset_fd);
      return -errno;
    }
    struct stat st;
    uint64_t access = dev_rule_access(dev, abi);
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
      access &= LAYER_FILE_RIGHTS;
    struct rf_ll_path_beneath_attr beneath = {.allowed_access = access, .parent_fd = fd};
    int rc = access ? rf_ll_add_rule(ruleset_fd, RF_LL_RULE_PATH_BENEATH, &beneath, 0) : 0;
    close(fd);
    if (rc < 0) {
      *failed_path = dev->path;
      close(ruleset_fd);
      return rc;
    }
  }
  /* The init's own steps until the command's exec touch nothing denied:
   * log the command's denials (a new exec) only when asked. */
  int rc = rf_ll_restrict_self(ruleset_fd, rf_ll_restrict_flags_for_abi(abi, audit));
  close(ruleset_fd);
  if (rc < 0)
    *failed_path = "landlock_restrict_self";
  return rc;
}
