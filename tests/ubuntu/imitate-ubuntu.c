/* imitate-ubuntu.c: runs a program on an imitation of Ubuntu 24.04's AppArmor userns restriction.
 *
 * Usage: imitate-ubuntu [--apparmor-sysctl] [--uid UID] [--refuse-userns] PROGRAM [ARG]...
 *
 * On Ubuntu 23.10 and later (kernel.apparmor_restrict_unprivileged_userns = 1) an
 * unconfined, unprivileged process may create a user namespace, but AppArmor moves
 * it to the unprivileged_userns profile, which refuses every capability inside it:
 * bwrap gets its namespace and then fails on the first thing that needs one.  This
 * kernel offers no LSM program type (lockdown), so the effect is imitated with a
 * seccomp filter on the program and all it starts:
 *   - clone(2)/unshare(2) with CLONE_NEWUSER succeed (clone3 answers ENOSYS, so that
 *     libc falls back to clone, whose flags the filter can see);
 *   - what needs CAP_SYS_ADMIN or CAP_NET_ADMIN in the namespace fails with EPERM:
 *     the mount family (mount, umount2, pivot_root, fsopen, fsconfig, fsmount,
 *     move_mount, open_tree, fspick, mount_setattr), sethostname, setdomainname,
 *     and the NETLINK_ROUTE socket bwrap opens to bring up loopback.  On Ubuntu the
 *     socket is granted and the kernel refuses RTM_NEWADDR; a filter cannot tell
 *     bwrap's RTM_NEWADDR sendto() from ringfence's own sock_diag request (same
 *     length, flags and address size), so it refuses the socket instead.  The uid_map
 *     write AppArmor refuses when no network namespace is asked for cannot be
 *     imitated: a filter sees write(2)'s descriptor, not its path.
 * --refuse-userns imitates instead a caller confined by a profile without "userns,":
 *   creating the namespace fails with EACCES, as AppArmor answers.
 * --apparmor-sysctl (root only) adds the sysctl Ubuntu has: in a private mount
 *   namespace, /proc/sys/kernel becomes a copy holding
 *   apparmor_restrict_unprivileged_userns = 1 (and is then a mount over part of /proc,
 *   as on no real Ubuntu; bwrap fails before it would matter).
 * --uid UID (root only) then becomes UID (and gid UID, no supplementary groups). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/netlink.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSCTL_DIR "/proc/sys/kernel"
#define STAGING "/run"

static int fail(const char *what) {
  fprintf(stderr, "imitate-ubuntu: %s: %s\n", what, strerror(errno));
  return 125;
}

/* Copies the readable files below |from| (a procfs directory) to |to|, depth-limited;
 * what cannot be read is left out, as a reader without the right would see it. */
static void copy_tree(const char *from, const char *to, int depth) {
  DIR *dir = opendir(from);
  if (!dir)
    return;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    char src[512], dst[512];
    snprintf(src, sizeof(src), "%s/%s", from, e->d_name);
    snprintf(dst, sizeof(dst), "%s/%s", to, e->d_name);
    struct stat st;
    if (lstat(src, &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode)) {
      if (depth > 0 && mkdir(dst, st.st_mode & 07777) == 0)
        copy_tree(src, dst, depth - 1);
      continue;
    }
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
      continue;
    char buf[8192];
    ssize_t n = read(in, buf, sizeof(buf));
    close(in);
    if (n < 0)
      continue;
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0666);
    if (out < 0)
      continue;
    if (write(out, buf, (size_t)n) != n)
      fprintf(stderr, "imitate-ubuntu: short copy of %s\n", src);
    close(out);
  }
  closedir(dir);
}

/* The sysctl of Ubuntu 23.10+, in a mount namespace of our own. */
static int add_apparmor_sysctl(void) {
  if (unshare(CLONE_NEWNS) != 0)
    return fail("unshare(CLONE_NEWNS) (--apparmor-sysctl needs root)");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    return fail("making / private");
  /* A tmpfs on a directory every system has, private to this namespace, holds the copy. */
  if (mount("imitate-ubuntu", STAGING, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
    return fail("mounting a tmpfs on " STAGING);
  copy_tree(SYSCTL_DIR, STAGING, 2);
  int fd = open(STAGING "/apparmor_restrict_unprivileged_userns",
                O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, "1\n", 2) != 2)
    return fail("writing apparmor_restrict_unprivileged_userns");
  close(fd);
  if (mount(STAGING, SYSCTL_DIR, NULL, MS_BIND | MS_REC, NULL) != 0)
    return fail("binding the copy over " SYSCTL_DIR);
  /* /run itself stays as it was for the program (sockets of the system live there). */
  if (umount2(STAGING, MNT_DETACH) != 0)
    return fail("unmounting the staging tmpfs");
  return 0;
}

static int become(uid_t uid) {
  if (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0)
    return fail("switching user (--uid needs root)");
  return 0;
}

static int add_rule(scmp_filter_ctx ctx, int err, const char *name, unsigned n,
                    const struct scmp_arg_cmp *arg) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR)
    return 0; /* not on this architecture or unknown to this libseccomp: nothing to refuse */
  return n ? seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(err), nr, n, arg)
           : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0);
}

static int load_filter(int refuse_userns) {
  static const char *const need_cap[] = {
      "mount",         "umount2",     "umount",        "pivot_root", "fsopen",
      "fsconfig",      "fsmount",     "move_mount",    "open_tree",  "fspick",
      "mount_setattr", "sethostname", "setdomainname",
  };
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx)
    return -ENOMEM;
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < sizeof(need_cap) / sizeof(need_cap[0]); i++)
    rc = add_rule(ctx, EPERM, need_cap[i], 0, NULL);
  struct scmp_arg_cmp route[] = {SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
                                 SCMP_A2(SCMP_CMP_EQ, NETLINK_ROUTE)};
  if (rc == 0)
    rc = add_rule(ctx, EPERM, "socket", 2, route);
  /* clone3's flags live in memory the filter cannot read: make libc use clone. */
  if (rc == 0)
    rc = add_rule(ctx, ENOSYS, "clone3", 0, NULL);
  if (rc == 0 && refuse_userns) {
    struct scmp_arg_cmp newuser = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
    rc = add_rule(ctx, EACCES, "clone", 1, &newuser);
    if (rc == 0)
      rc = add_rule(ctx, EACCES, "unshare", 1, &newuser);
  }
  if (rc == 0)
    rc = seccomp_load(ctx); /* sets no_new_privs (SCMP_FLTATR_CTL_NNP defaults to on) */
  seccomp_release(ctx);
  return rc;
}

int main(int argc, char **argv) {
  int sysctl = 0, refuse_userns = 0;
  long uid = -1;
  int i = 1;
  for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
    if (strcmp(argv[i], "--apparmor-sysctl") == 0)
      sysctl = 1;
    else if (strcmp(argv[i], "--refuse-userns") == 0)
      refuse_userns = 1;
    else if (strcmp(argv[i], "--uid") == 0 && i + 1 < argc)
      uid = strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    } else
      break;
  }
  if (i >= argc) {
    fprintf(stderr,
            "usage: imitate-ubuntu [--apparmor-sysctl] [--uid UID] [--refuse-userns] PROGRAM "
            "[ARG]...\n");
    return 2;
  }
  if (sysctl && add_apparmor_sysctl() != 0)
    return 125;
  if (uid >= 0 && become((uid_t)uid) != 0)
    return 125;
  int rc = load_filter(refuse_userns);
  if (rc < 0) {
    fprintf(stderr, "imitate-ubuntu: cannot load the seccomp filter: %s\n", strerror(-rc));
    return 125;
  }
  execvp(argv[i], argv + i);
  fprintf(stderr, "imitate-ubuntu: %s: %s\n", argv[i], strerror(errno));
  return 127;
}
