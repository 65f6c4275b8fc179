/* ctime-change.c: whether a directory's ctime is sure to change once it was looked at (multigrain timestamps), so a later walk may trust it. */
#include "ctime-change.h"

#include <stdio.h>
#include <string.h>

#ifdef __linux__
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Kernel ABI (include/uapi/linux/mount.h and stat.h, Linux 6.8+), spelled out here because the
 * build machine's headers may predate it. */
#define RF_STATX_MNT_ID_UNIQUE 0x4000U
#define RF_STATMOUNT_FS_TYPE 0x20U
#define RF_SYS_statmount 457 /* the same number on every architecture */
#define RF_STATMOUNT_FIXED 512 /* sizeof(struct statmount): the strings follow it */
#define RF_STATMOUNT_MASK_AT 8
#define RF_STATMOUNT_FS_TYPE_AT 36

struct rf_mnt_id_req {
  uint32_t size;
  uint32_t spare;
  uint64_t mnt_id;
  uint64_t param;
};

gboolean rf_ctime_kernel_is_multigrain(void) {
  static int cached = -1;
  if (cached < 0) {
    struct utsname u;
    unsigned major = 0, minor = 0;
    cached = uname(&u) == 0 && sscanf(u.release, "%u.%u", &major, &minor) == 2 &&
             (major > 6 || (major == 6 && minor >= 13));
  }
  return cached == 1;
}

/* The kernel's name of the filesystem type of |fd|'s mount ("ext4"), in |name|; FALSE when it
 * cannot be told (a kernel before 6.8, a seccomp filter refusing statmount, ...). */
static gboolean fs_type_name(int fd, char *name, size_t size) {
  struct statx sx;
  if (statx(fd, "", AT_EMPTY_PATH, RF_STATX_MNT_ID_UNIQUE, &sx) != 0 ||
      !(sx.stx_mask & RF_STATX_MNT_ID_UNIQUE))
    return FALSE;
  struct rf_mnt_id_req req = {.size = 24, .mnt_id = sx.stx_mnt_id, .param = RF_STATMOUNT_FS_TYPE};
  union {
    char bytes[RF_STATMOUNT_FIXED + 256];
    uint64_t align;
  } buf;
  memset(buf.bytes, 0, sizeof(buf.bytes));
  if (syscall(RF_SYS_statmount, &req, buf.bytes, sizeof(buf.bytes), 0) != 0)
    return FALSE;
  uint32_t total, at;
  uint64_t mask;
  memcpy(&total, buf.bytes, sizeof(total));
  memcpy(&mask, buf.bytes + RF_STATMOUNT_MASK_AT, sizeof(mask));
  memcpy(&at, buf.bytes + RF_STATMOUNT_FS_TYPE_AT, sizeof(at));
  if (!(mask & RF_STATMOUNT_FS_TYPE) || total > sizeof(buf.bytes) ||
      at >= sizeof(buf.bytes) - RF_STATMOUNT_FIXED)
    return FALSE;
  const char *type = buf.bytes + RF_STATMOUNT_FIXED + at;
  size_t len = strnlen(type, sizeof(buf.bytes) - RF_STATMOUNT_FIXED - at);
  if (len == 0 || len >= size || len == sizeof(buf.bytes) - RF_STATMOUNT_FIXED - at)
    return FALSE;
  memcpy(name, type, len + 1);
  return TRUE;
}

gboolean rf_ctime_shows_changes(int fd) {
  if (!rf_ctime_kernel_is_multigrain())
    return FALSE;
  char type[64];
  if (!fs_type_name(fd, type, sizeof(type)))
    return FALSE;
  /* Only what tests/unit/test-ctime-change.c showed on a real kernel.  tmpfs opts in to
   * multigrain timestamps but stamps a directory it links into or removes from with the ctime
   * of the file (coarse, nobody queried it): a hard link named .git would not show.  xfs and
   * btrfs opt in too; not trusted until tested the same way. */
  static const char *const multigrain[] = {"ext4"};
  for (size_t i = 0; i < G_N_ELEMENTS(multigrain); i++)
    if (strcmp(type, multigrain[i]) == 0)
      return TRUE;
  return FALSE;
}
#else
gboolean rf_ctime_kernel_is_multigrain(void) {
  return FALSE;
}

gboolean rf_ctime_shows_changes(int fd) {
  (void)fd;
  return FALSE;
}
#endif
