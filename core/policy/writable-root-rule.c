/* writable-root-rule.c: the one rule for what may be a writable root (not /, not a parent of the user's home, not a system directory), decided here for every backend; resolve.c applies it. */
#include "writable-root-rule.h"

#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

/*
 * A writable root is refused when it is (after realpath):
 *
 *   1. /: every file of the host, ringfence's own included;
 *   2. a parent of the user's home ($HOME, or the user database's when $HOME is unset): every
 *      dotfile, SSH key and shell start-up file of the user, and usually other users' homes
 *      (/home).  The home itself is allowed: it holds only the user's own files, some people
 *      keep a project there (a dotfiles repository), and where $HOME is a scratch directory
 *      (HOME=/tmp in CI and for system users) refusing it would refuse /tmp;
 *   3. a system tree or anything below one: /usr, /etc, /bin, /sbin, /lib*, /boot, /dev, /proc,
 *      /sys (macOS: /System, /private/etc, /usr), /nix/store.  Writing there changes the
 *      programs and configuration of every user of the machine, and no project lives there;
 *   4. a directory that holds other people's or the system's data, itself only, not what lies
 *      below it: /home, /Users, /var, /var/lib, /var/cache, /var/log, /var/spool, /var/mail,
 *      /opt, /srv, /mnt, /media, /run, /run/user, /snap, /nix, /Volumes, /Applications, /Library,
 *      /private, /private/var.  A project often lives below them (/srv/app, /var/lib/jenkins/
 *      workspace/x, /opt/proj, /mnt/data/repo, /var/tmp/x) and stays allowed.
 *
 * The lists compare paths after realpath; one alias is also caught by what it is: a directory
 * that is / itself (same device and inode, a bind mount of / elsewhere).  Other bind mounts of
 * listed directories are not recognised.
 *
 * /tmp, /var/tmp and $TMPDIR (also /private/tmp and /private/var/folders/... on macOS) are not
 * in the lists: they are the default roots.  --dangerously-allow-writable-root DIR lifts the
 * rule for DIR exactly; ringfence's trust of its own files (trusted-program.c) still refuses a
 * root that holds ringfence itself, so / can never run.
 */

static const char *const system_trees[] = {
    "/usr", "/etc",  "/bin",    "/sbin",         "/lib",        "/lib32",     "/lib64",
    "/libx32", "/boot", "/dev", "/proc",         "/sys",        "/System",    "/private/etc",
    "/nix/store", NULL,
};

static const char *const shared_parents[] = {
    "/home",     "/Users", "/var",  "/var/lib", "/var/cache",   "/var/log",     "/var/spool",
    "/var/mail", "/opt",   "/srv",  "/mnt",     "/media",       "/run",         "/run/user",
    "/snap",     "/nix",   "/Volumes", "/Applications", "/Library", "/private", "/private/var",
    NULL,
};

static gboolean below_or_equal(const char *path, const char *dir) {
  size_t len = strlen(dir);
  return strncmp(path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/* |dir| strictly above |path|. */
static gboolean strictly_above(const char *dir, const char *path) {
  if (g_str_equal(dir, "/"))
    return path[0] == '/' && path[1] != '\0';
  size_t len = strlen(dir);
  return strncmp(path, dir, len) == 0 && path[len] == '/' && path[len + 1] != '\0';
}

static void add_home(GPtrArray *homes, const char *home) {
  if (!home || !g_path_is_absolute(home))
    return;
  char *real = realpath(home, NULL);
  char *canonical = real ? g_strdup(real) : g_canonicalize_filename(home, "/");
  free(real);
  for (guint i = 0; i < homes->len; i++) {
    if (g_str_equal(g_ptr_array_index(homes, i), canonical)) {
      g_free(canonical);
      return;
    }
  }
  g_ptr_array_add(homes, canonical);
}

/* $HOME; the user database only when $HOME is unset or relative: the first getpwuid() of a
 * process loads the NSS modules, 85-150 us here, on every run. */
char **rf_home_directories(void) {
  GPtrArray *homes = g_ptr_array_new();
  const char *home = g_getenv("HOME");
  if (home && g_path_is_absolute(home)) {
    add_home(homes, home);
  } else {
    struct passwd *pw = getpwuid(getuid());
    if (pw)
      add_home(homes, pw->pw_dir);
  }
  g_ptr_array_add(homes, NULL);
  return (char **)g_ptr_array_free(homes, FALSE);
}

char *rf_writable_root_refusal(const char *root, const char *const *homes) {
  if (g_str_equal(root, "/"))
    return g_strdup("is /, the whole host: every file of every user and of the system");
  struct stat st_root, st_slash;
  if (stat(root, &st_root) == 0 && stat("/", &st_slash) == 0 && st_root.st_dev == st_slash.st_dev &&
      st_root.st_ino == st_slash.st_ino)
    return g_strdup("is / under another name (a bind mount of /), the whole host: every file of "
                    "every user and of the system");
  for (const char *const *home = homes; home && *home; home++)
    if (strictly_above(root, *home))
      return g_strdup_printf("is a parent of your home directory %s: the command could rewrite "
                             "your dotfiles, SSH keys and shell start-up files",
                             *home);
  for (const char *const *dir = system_trees; *dir; dir++)
    if (below_or_equal(root, *dir))
      return g_strdup_printf("is %s%s, a system directory: the programs and configuration of "
                             "every user of this machine",
                             g_str_equal(root, *dir) ? "" : "inside ", *dir);
  for (const char *const *dir = shared_parents; *dir; dir++)
    if (g_str_equal(root, *dir))
      return g_strdup_printf("is %s, which holds the data of other users or of the system (a "
                             "directory below it may be a writable root)",
                             *dir);
  return NULL;
}
