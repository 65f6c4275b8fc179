/* landlock-seccomp.c: compiles the shared seccomp groups (plus the Landlock-only ones) into BPF held in memory. */
#include "landlock-seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSCALLS(...) ((const char *const[]){__VA_ARGS__, NULL})

/*
 * Landlock before ABI 3 does not handle truncation: truncate(2) on a path,
 * and open(O_RDONLY | O_TRUNC) (which truncates without asking for write
 * access), would reach any file the user may write.  Without a path to
 * decide on, seccomp denies both everywhere; openat2() hides its flags in
 * memory, so it answers ENOSYS and libc falls back to openat().
 */
static const rf_seccomp_group truncate_group = {
    "@landlock-truncate",
    "truncation by path (Landlock ABI < 3 has no truncate right)",
    SYSCALLS("truncate", "open", "openat", "openat2"),
    "truncate() fails with EACCES; open()/openat() with O_TRUNC on a read-only open fail with "
    "EACCES; openat2() answers ENOSYS"};

const rf_seccomp_group *rf_ll_seccomp_extra_groups(const rf_ll_seccomp_options *opts,
                                                   size_t *n_groups) {
  *n_groups = opts->truncate_rules ? 1 : 0;
  return &truncate_group;
}

static int add_truncate_rules(scmp_filter_ctx ctx, char *err, size_t err_len) {
  int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(truncate), 0);
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 1,
                          SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_TRUNC, O_RDONLY | O_TRUNC));
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0);
  /* open(2) does not exist on every architecture (aarch64): -EDOM/-EFAULT
   * there is fine, openat covers it. */
  if (rc == 0 && seccomp_syscall_resolve_name("open") >= 0) {
    int orc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(open), 1,
                               SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_TRUNC, O_RDONLY | O_TRUNC));
    if (orc < 0 && orc != -EDOM)
      rc = orc;
  }
  if (rc < 0)
    snprintf(err, err_len, "seccomp: cannot add the truncate rules: %s", strerror(-rc));
  return rc;
}

static int read_program(int fd, struct sock_fprog *prog, char *err, size_t err_len);

int rf_ll_seccomp_compile(const rf_ll_seccomp_options *opts, struct sock_fprog *prog, char *err,
                          size_t err_len) {
  if (!opts->truncate_rules) {
    /* The shared program as is: precompiled at build time (gen-bpf), copied without going
     * through a memfd (seven system calls). */
    size_t len = 0;
    const unsigned char *code = rf_seccomp_precompiled(&opts->shared, &len);
    if (code && len > 0 && len % sizeof(struct sock_filter) == 0 &&
        len / sizeof(struct sock_filter) <= 0xffff) {
      struct sock_filter *filter = malloc(len);
      if (!filter) {
        snprintf(err, err_len, "seccomp: out of memory");
        return -ENOMEM;
      }
      memcpy(filter, code, len);
      prog->len = (unsigned short)(len / sizeof(struct sock_filter));
      prog->filter = filter;
      return 0;
    }
    int fd = rf_seccomp_export_memfd(&opts->shared, err, err_len);
    if (fd < 0)
      return fd;
    return read_program(fd, prog, err, err_len);
  }
  scmp_filter_ctx ctx = NULL;
  int rc = rf_seccomp_build(&opts->shared, &ctx, err, err_len);
  if (rc < 0)
    return rc;
  if (opts->truncate_rules && (rc = add_truncate_rules(ctx, err, err_len)) < 0) {
    seccomp_release(ctx);
    return rc;
  }
  int fd = memfd_create("ringfence-landlock-seccomp", MFD_CLOEXEC);
  if (fd < 0) {
    rc = -errno;
    snprintf(err, err_len, "seccomp: memfd_create failed: %s", strerror(errno));
    seccomp_release(ctx);
    return rc;
  }
  rc = seccomp_export_bpf(ctx, fd);
  seccomp_release(ctx);
  if (rc < 0) {
    close(fd);
    snprintf(err, err_len, "seccomp: cannot export the filter: %s", strerror(-rc));
    return rc;
  }
  return read_program(fd, prog, err, err_len);
}

/* Reads the BPF program in |fd| (closed here) into memory. */
static int read_program(int fd, struct sock_fprog *prog, char *err, size_t err_len) {
  int rc = 0;
  struct stat st;
  if (rc == 0 && fstat(fd, &st) < 0)
    rc = -errno;
  if (rc == 0 && (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
                  st.st_size / (off_t)sizeof(struct sock_filter) > 0xffff))
    rc = -EINVAL;
  struct sock_filter *filter = NULL;
  if (rc == 0 && !(filter = malloc((size_t)st.st_size)))
    rc = -ENOMEM;
  if (rc == 0 && pread(fd, filter, (size_t)st.st_size, 0) != st.st_size)
    rc = -EIO;
  close(fd);
  if (rc < 0) {
    free(filter);
    snprintf(err, err_len, "seccomp: cannot read the filter: %s", strerror(-rc));
    return rc;
  }
  prog->len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
  prog->filter = filter;
  return 0;
}
