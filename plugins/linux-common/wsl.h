/* wsl.h: whether this Linux runs under WSL1 or WSL2, and which of WSL's ways to Windows are present (docs/wsl.md). */
#pragma once

#include <stddef.h>

/*
 * WSL2 is a real Linux kernel in a VM: both backends work there, and one more way out of a
 * sandbox exists, Windows interop.  A binfmt_misc entry (WSLInterop, or WSLInterop-late on
 * newer WSL) sends every exec of a file starting with "MZ" to WSL's /init, which hands the
 * program to Windows through the unix socket named in $WSL_INTEROP (below /run/WSL) and from
 * there over the VM's vsock: it then runs on Windows, outside every Linux restriction.  Both
 * backends keep that socket and vsock out of reach (docs/wsl.md says how); this file only
 * finds out where we are, for `check` and for refusing WSL1.
 *
 * WSL1 is no Linux kernel at all (a translation layer in Windows): no user namespaces, no
 * Landlock, no seccomp user notifications, so neither backend can confine anything there.
 */

typedef enum {
  RF_WSL_NONE = 0, /* not WSL (as far as the signs tell) */
  RF_WSL_1 = 1,
  RF_WSL_2 = 2,
} rf_wsl_kind;

typedef struct {
  rf_wsl_kind kind;
  char release[128];        /* the kernel release read, "" when unreadable */
  char signs[256];          /* what made the verdict, in words */
  char interop_entry[32];   /* "WSLInterop" or "WSLInterop-late" when registered, else "" */
  int interop_enabled;      /* that entry's first line says "enabled" */
  int run_wsl;              /* <root>/run/WSL is a directory */
  char interop_socket[256]; /* $WSL_INTEROP, "" when unset */
  char distro[64];          /* $WSL_DISTRO_NAME, "" when unset */
} rf_wsl_info;

/* Reads the signs below |root| ("" or NULL: the real root; a fixture directory in tests):
 * ROOT/proc/sys/kernel/osrelease (for the real root, uname(2): the same string),
 * ROOT/proc/sys/fs/binfmt_misc/WSLInterop and WSLInterop-late, ROOT/run/WSL, and
 * WSL_DISTRO_NAME and WSL_INTEROP in |envp| (NULL: this process's environment).
 * A kernel release with "Microsoft" in WSL1's spelling ("4.4.0-19041-Microsoft") and no "WSL2"
 * is WSL1; one with "microsoft" or "WSL2" is WSL2; any other sign alone is WSL2 too (a custom
 * kernel in the WSL2 VM; WSL1 cannot change its release).  Always fills |out|; returns 0. */
int rf_wsl_detect(const char *root, const char *const *envp, rf_wsl_info *out);

/* The root a run reads the signs from: RINGFENCE_TEST_WSL_ROOT (a fixture, for tests of `check`
 * and of the WSL1 refusal) or "" (the real one).  Nothing that confines depends on the verdict:
 * /run/WSL is masked and WSL_INTEROP dropped wherever they exist; the verdict only adds the
 * refusal of WSL1 and what `check` says. */
const char *rf_wsl_root(void);

/* For a probe: when |info| is WSL1, fills |reason| and |remedy| (why not, how to convert to
 * WSL2) and returns 1; else returns 0. */
int rf_wsl1_refusal(const rf_wsl_info *info, char *reason, size_t reason_len, char *remedy,
                    size_t remedy_len);

/* For a probe's detail on WSL2: what was found and what |backend_does| about it, e.g.
 * "WSL2 (kernel 5.15.153.1-microsoft-standard-WSL2; interop WSLInterop enabled, socket
 * /run/WSL/8_interop): kept out: ..."; "" when not WSL2. */
void rf_wsl_describe(const rf_wsl_info *info, const char *backend_does, char *buf, size_t len);
