/* bwrap-reads.c: looks at the host for the bwrap backend's restricted reads and deny-read (which platform paths exist, which denied paths are directories). */
#include "bwrap-reads.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The same list the Landlock backend grants (landlock-rules.c), /proc aside (the
 * sandbox has its own), plus /nix/store where a Nix store holds the programs. */
const char *const rf_bwrap_platform_read_paths[] = {
    "/usr",  "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/nix/store",
    "/sys/devices/system/cpu", "/sys/fs/cgroup", NULL,
};

#define MAX_LOADER_PATHS 64
#define MAX_LOADER_DEPTH 4

static int under_platform(const char *path) {
  for (const char *const *p = rf_bwrap_platform_read_paths; *p; p++) {
    size_t n = strlen(*p);
    if (strncmp(path, *p, n) == 0 && (path[n] == '\0' || path[n] == '/'))
      return 1;
  }
  return 0;
}

static int add_loader_path(rf_bwrap_reads *reads, const char *dir) {
  char real[PATH_MAX];
  struct stat st;
  if (dir[0] != '/' || !realpath(dir, real) || stat(real, &st) != 0 || !S_ISDIR(st.st_mode) ||
      under_platform(real) || reads->n_loader >= MAX_LOADER_PATHS)
    return 0;
  for (size_t i = 0; i < reads->n_loader; i++)
    if (strcmp(reads->loader_paths[i], real) == 0)
      return 0;
  char *copy = strdup(real);
  if (!copy)
    return -ENOMEM;
  reads->loader_paths[reads->n_loader++] = copy;
  return 0;
}

/* ld.so.conf: directories one per line (or separated by spaces, commas, colons),
 * "include GLOB" lines, "#" comments.  Bounded: a few levels, 64 directories. */
static int read_loader_conf(rf_bwrap_reads *reads, const char *file, int depth) {
  if (depth > MAX_LOADER_DEPTH)
    return 0;
  FILE *f = fopen(file, "re");
  if (!f)
    return 0;
  char line[1024];
  int rc = 0;
  while (rc == 0 && fgets(line, sizeof(line), f)) {
    char *hash = strchr(line, '#');
    if (hash)
      *hash = '\0';
    char *save = NULL;
    char *word = strtok_r(line, " \t\r\n,:", &save);
    if (!word)
      continue;
    if (strcmp(word, "include") == 0) {
      char *pattern;
      while (rc == 0 && (pattern = strtok_r(NULL, " \t\r\n", &save))) {
        char full[PATH_MAX];
        if (pattern[0] == '/')
          snprintf(full, sizeof(full), "%s", pattern);
        else
          snprintf(full, sizeof(full), "/etc/%s", pattern);
        glob_t g;
        if (glob(full, 0, NULL, &g) == 0)
          for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++)
            rc = read_loader_conf(reads, g.gl_pathv[i], depth + 1);
        globfree(&g);
      }
      continue;
    }
    for (; rc == 0 && word; word = strtok_r(NULL, " \t\r\n,:", &save))
      rc = add_loader_path(reads, word);
  }
  fclose(f);
  return rc;
}

int rf_bwrap_reads_probe(const rf_backend_policy *policy, rf_bwrap_reads *reads, char *err,
                         size_t err_len) {
  memset(reads, 0, sizeof(*reads));
  reads->deny_fd = -1;
  size_t n_paths = 0;
  while (rf_bwrap_platform_read_paths[n_paths])
    n_paths++;
  reads->platform_paths = calloc(n_paths + 1, sizeof(char *));
  reads->platform_links = calloc(n_paths + 1, sizeof(char *));
  reads->loader_paths = calloc(MAX_LOADER_PATHS + 1, sizeof(char *));
  reads->deny_kind = calloc(policy->n_deny_read + 1, 1);
  if (!reads->platform_paths || !reads->platform_links || !reads->loader_paths ||
      !reads->deny_kind)
    goto oom;
  for (size_t i = 0; i < policy->n_deny_read; i++) {
    struct stat st;
    /* The path as the sandbox sees it: a symlink is followed (its target is what
     * a read through it would reach; the core canonicalized the path already). */
    if (stat(policy->deny_read[i], &st) == 0)
      reads->deny_kind[i] = S_ISDIR(st.st_mode) ? RF_BWRAP_DENY_DIR : RF_BWRAP_DENY_FILE;
  }
  /* On WSL2, a sandboxed exec of a Windows program goes through the interop binfmt handler,
   * which runs inside the sandbox and reaches Windows only through a socket in this folder:
   * covered wherever it exists, whatever the policy (docs/wsl.md). */
  char wsl_run[PATH_MAX];
  struct stat wsl_st;
  if (realpath(RF_BWRAP_WSL_RUN_DIR, wsl_run) && stat(wsl_run, &wsl_st) == 0 &&
      S_ISDIR(wsl_st.st_mode) && !(reads->wsl_run_dir = strdup(wsl_run)))
    goto oom;
  if (policy->read_access != RF_READ_RESTRICTED || !(policy->flags & RF_POLICY_PLATFORM_DEFAULTS))
    return 0;
  for (size_t i = 0; i < n_paths; i++) {
    const char *path = rf_bwrap_platform_read_paths[i];
    struct stat st;
    if (lstat(path, &st) != 0)
      continue;
    char *link = NULL;
    if (S_ISLNK(st.st_mode)) {
      char target[PATH_MAX];
      ssize_t n = readlink(path, target, sizeof(target) - 1);
      if (n <= 0)
        continue;
      target[n] = '\0';
      if (!(link = strdup(target)))
        goto oom;
    } else if (!S_ISDIR(st.st_mode)) {
      continue;
    }
    char *copy = strdup(path);
    if (!copy) {
      free(link);
      goto oom;
    }
    reads->platform_links[reads->n_platform] = link;
    reads->platform_paths[reads->n_platform++] = copy;
  }
  if (read_loader_conf(reads, "/etc/ld.so.conf", 0) < 0)
    goto oom;
  return 0;
oom:
  rf_bwrap_reads_clear(reads);
  snprintf(err, err_len, "out of memory");
  return -ENOMEM;
}

void rf_bwrap_reads_clear(rf_bwrap_reads *reads) {
  for (size_t i = 0; reads->platform_paths && i < reads->n_platform; i++) {
    free(reads->platform_paths[i]);
    free(reads->platform_links[i]);
  }
  for (size_t i = 0; reads->loader_paths && i < reads->n_loader; i++)
    free(reads->loader_paths[i]);
  free(reads->platform_paths);
  free(reads->platform_links);
  free(reads->loader_paths);
  free(reads->deny_kind);
  free(reads->wsl_run_dir);
  int fd = reads->deny_fd;
  memset(reads, 0, sizeof(*reads));
  reads->deny_fd = fd; /* the caller's to close */
}
