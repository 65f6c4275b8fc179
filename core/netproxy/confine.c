/* confine.c: the proxy's self-confinement, in the order confine.h lists. */
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "confine-filter.h"
#include "landlock-abi.h"

static int limits(size_t max_fds, unsigned long long max_file_size, char *err, size_t errlen) {
  struct rlimit zero = {0, 0}, files, fsize = {max_file_size, max_file_size};
  if (getrlimit(RLIMIT_NOFILE, &files) < 0)
    return -errno;
  rlim_t want = (rlim_t)max_fds;
  if (files.rlim_max != RLIM_INFINITY && files.rlim_max < want)
    want = files.rlim_max;
  files.rlim_cur = files.rlim_max = want;
  if (setrlimit(RLIMIT_FSIZE, &fsize) < 0 || setrlimit(RLIMIT_CORE, &zero) < 0 ||
      setrlimit(RLIMIT_NOFILE, &files) < 0) {
    int e = errno;
    snprintf(err, errlen, "cannot set the proxy's resource limits: %s", strerror(e));
    return -e;
  }
  return 0;
}

static int landlock(int *abi_out, char *err, size_t errlen) {
  rf_ll_kernel k;
  rf_ll_kernel_query(&k);
  *abi_out = k.abi;
  if (k.abi <= 0)
    return 0;
  struct rf_ll_ruleset_attr attr = {
      .handled_access_fs = rf_ll_fs_rights_for_abi(k.abi) & ~(RF_LL_FS_READ_FILE | RF_LL_FS_READ_DIR),
      .handled_access_net = rf_ll_net_rights_for_abi(k.abi) & RF_LL_NET_BIND_TCP,
      .scoped = rf_ll_scopes_for_abi(k.abi),
  };
  size_t size = k.abi >= 6 ? sizeof(attr) : k.abi >= 4 ? offsetof(struct rf_ll_ruleset_attr, scoped)
                                                       : offsetof(struct rf_ll_ruleset_attr, handled_access_net);
  int fd = rf_ll_create_ruleset(&attr, size, 0);
  if (fd < 0) {
    snprintf(err, errlen, "cannot create the proxy's Landlock ruleset: %s", strerror(-fd));
    return fd;
  }
  int rc = rf_ll_restrict_self(fd, 0);
  close(fd);
  if (rc < 0) {
    snprintf(err, errlen, "cannot enforce the proxy's Landlock ruleset: %s", strerror(-rc));
    return rc;
  }
  return 0;
}

/* The allowlist (confine-filter.c), compiled at build time for the native architecture
 * (gen-confine-bpf.c): libseccomp's work is not paid on every start, and the proxy does not
 * link it.  TSYNC: every thread, though none exists yet. */
static int seccomp_filter(char *err, size_t errlen) {
  struct sock_fprog prog = np_confine_precompiled();
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0) {
    int e = errno;
    snprintf(err, errlen, "cannot load the proxy's seccomp filter: %s", strerror(e));
    return -e;
  }
  return 0;
}

int np_confine(size_t max_fds, unsigned long long max_file_size, np_confinement *out, char *err, size_t errlen) {
  memset(out, 0, sizeof(*out));
  int rc = limits(max_fds, max_file_size, err, errlen);
  if (rc < 0)
    return rc;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
    int e = errno;
    snprintf(err, errlen, "cannot set no_new_privs / not dumpable on the proxy: %s", strerror(e));
    return -e;
  }
  rc = landlock(&out->landlock_abi, err, errlen);
  if (rc < 0)
    return rc;
  return seccomp_filter(err, errlen);
}
