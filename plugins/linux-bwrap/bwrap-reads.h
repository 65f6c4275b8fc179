/* bwrap-reads.h: what restricted reads and deny-read look like on this host for the bwrap command line (platform defaults present, kinds of denied paths). */
#pragma once

#include <ringfence/backend.h>

/*
 * Restricted reads (docs/security.md, "Read restrictions"): the sandbox's root
 * is bwrap's empty tmpfs, with read-only binds of the readable roots and,
 * with platform defaults, of rf_bwrap_platform_read_paths that exist here (a
 * symlink such as /bin -> usr/bin is recreated as the same symlink).
 * Deny-read: an empty, unreadable mount over each denied path that exists
 * (a mode-000 empty file over a file, a mode-000 read-only tmpfs over a
 * directory), mounted after every bind above it.
 */

/* Platform defaults: what programs need to start.  /dev and /proc are the
 * sandbox's own in every mode. */
extern const char *const rf_bwrap_platform_read_paths[];

typedef enum {
  RF_BWRAP_DENY_MISSING = 0, /* nothing to hide: skipped (see docs/security.md) */
  RF_BWRAP_DENY_FILE = 1,    /* anything but a directory */
  RF_BWRAP_DENY_DIR = 2,
} rf_bwrap_deny_kind;

typedef struct {
  /* With restricted reads and platform defaults: paths that exist here, and
   * for each a symlink target (recreated as --symlink) or NULL (bound). */
  char **platform_paths;
  char **platform_links;
  size_t n_platform;
  /* Directories of the dynamic loader's search path (/etc/ld.so.conf and its
   * includes) outside the platform paths, bound read-only when they exist. */
  char **loader_paths;
  size_t n_loader;
  /* One per policy->deny_read entry. */
  unsigned char *deny_kind;
  int deny_fd; /* an empty memfd for --ro-bind-data (launch), or -1 (render: shown as FD) */
  /* WSL's interop sockets (RF_BWRAP_WSL_RUN_DIR, canonical) when that directory exists here,
   * else NULL: masked like a denied directory in every mode (docs/wsl.md). */
  char *wsl_run_dir;
} rf_bwrap_reads;

/* Where WSL keeps the interop sockets that $WSL_INTEROP names. */
#define RF_BWRAP_WSL_RUN_DIR "/run/WSL"

/* Looks at the host (lstat, readlink, /etc/ld.so.conf).  Returns 0 or
 * -ENOMEM with a message. */
int rf_bwrap_reads_probe(const rf_backend_policy *policy, rf_bwrap_reads *reads, char *err,
                         size_t err_len);
void rf_bwrap_reads_clear(rf_bwrap_reads *reads);
