/* backend.h: the plugin ABI between libringfence and a sandbox backend (plain C, no GLib). */
#ifndef RINGFENCE_BACKEND_H
#define RINGFENCE_BACKEND_H

/*
 * Life cycle of a backend, as seen from the core (core/policy/loader.c):
 *
 *   1. dlopen() the plugin file, look up RF_BACKEND_ENTRY_SYMBOL.
 *   2. Call it with the core's rf_backend_host; it returns a const rf_backend
 *      that lives as long as the module is loaded.
 *   3. Refuse the plugin unless abi_version == RF_BACKEND_ABI_VERSION and
 *      size >= RF_BACKEND_MIN_SIZE.
 *   4. probe() -> can it run here?  capabilities() -> what can it enforce here?
 *   5. render() (pure: prints what launch would do) or launch() + child_*().
 *   6. Or, for `ringfence setup`, setup() when the vtable has it (RF_HAS_FIELD).
 *
 * Rules every plugin follows:
 *   - The policy it receives is fully resolved: absolute canonical paths,
 *     protected paths computed, network mode decided.  A plugin never reads
 *     config, never guesses, never decides approvals.
 *   - Every struct crossing the boundary starts with a uint32_t size (the
 *     sizeof() the producer was compiled with).  Readers only touch fields that
 *     fit inside that size; new fields are only ever appended.
 *   - Fallible calls return 0 or a negative errno, and write a one-line
 *     human message (what failed, on which path, the fix) into the caller's
 *     buffer.  Only the core turns that into a GError.
 *   - No global mutable state: per-run state lives in rf_backend_child.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change.  Appending fields does not bump it. */
#define RF_BACKEND_ABI_VERSION 1u

/* Name of the one symbol every plugin exports. */
#define RF_BACKEND_ENTRY_SYMBOL "rf_backend_entry"

#if defined(_WIN32)
#define RF_BACKEND_EXPORT __declspec(dllexport)
#else
#define RF_BACKEND_EXPORT __attribute__((visibility("default")))
#endif

/* ---- Policy, as resolved by the core -------------------------------- */

typedef enum {
  RF_SANDBOX_READ_ONLY = 0,
  RF_SANDBOX_WORKSPACE_WRITE = 1,
  RF_SANDBOX_DANGER_FULL_ACCESS = 2,
} rf_sandbox_mode;

typedef enum {
  RF_NETWORK_OFF = 0,
  RF_NETWORK_ON = 1,
  RF_NETWORK_PROXY = 2, /* egress only through proxy_port on loopback */
} rf_network_mode;

typedef enum {
  RF_READ_FULL = 0,       /* everything readable by the user stays readable */
  RF_READ_RESTRICTED = 1, /* only readable_roots (+ platform defaults) */
} rf_read_access;

typedef enum {
  RF_WINDOWS_UNELEVATED = 0,
  RF_WINDOWS_ELEVATED = 1,
} rf_windows_mode;

/* Flags in rf_backend_policy.flags. */
#define RF_POLICY_PLATFORM_DEFAULTS (1u << 0) /* restricted reads add what programs need to start */
#define RF_POLICY_WINDOWS_PRIVATE_DESKTOP (1u << 1)
/* Windows: always give the command a pseudo console (ConPTY) of its own (--pty); without it
 * the backend gives one when its standard input is a console. */
#define RF_POLICY_WINDOWS_PTY (1u << 2)

typedef struct rf_backend_root {
  uint32_t size;
  const char *path; /* absolute, canonical, exists */
  /* Absolute paths below `path` that stay read-only and may not be created,
   * replaced, renamed or swapped for a symlink, whether or not they exist. */
  const char *const *protected_paths;
  size_t n_protected;
} rf_backend_root;

/*
 * Guarantees: what a policy requires and what a backend can enforce.  The
 * core computes `required` from the policy and refuses to launch when
 * (required & ~capabilities) != 0, unless the user allowed degraded
 * enforcement (then `degraded` lists what is dropped and the core has said so).
 * Names and help text live in the core (core/policy/guarantees.c).
 */
#define RF_CAP_WRITE_CONFINED (1ull << 0)       /* writes only inside writable roots */
#define RF_CAP_PROTECTED_SUBPATHS (1ull << 1)   /* read-only subpaths inside a writable root */
#define RF_CAP_RESTRICTED_READ (1ull << 2)      /* reads only below readable roots */
#define RF_CAP_DENY_READ (1ull << 3)            /* deny reads below a readable path */
#define RF_CAP_NETWORK_OFF (1ull << 4)          /* no IP traffic, no DNS */
#define RF_CAP_PRIVATE_LOOPBACK (1ull << 5)     /* loopback TCP/UDP inside the sandbox works */
#define RF_CAP_PROXY_ONLY (1ull << 6)           /* egress only to a loopback proxy port */
#define RF_CAP_HOST_UNIX_SOCKETS (1ull << 7)    /* host unix sockets (pathname, abstract) unreachable */
#define RF_CAP_SANDBOX_UNIX_SOCKETS (1ull << 8) /* unix sockets created inside keep working */
#define RF_CAP_PROCESS_CONTAINMENT (1ull << 9)  /* nothing outlives the run */
#define RF_CAP_HOST_PROCESSES (1ull << 10)      /* no signal/ptrace/memory/limits/scheduling/SysV IPC reach to host processes */
#define RF_CAP_TERMINAL_INJECTION (1ull << 11)  /* no TIOCSTI/TIOCLINUX into the invoking terminal */
#define RF_CAP_KERNEL_SURFACE (1ull << 12)      /* io_uring, nested userns, ... denied */
#define RF_CAP_FD_ISOLATION (1ull << 13)        /* only stdio and --pass-fd descriptors inherited */
#define RF_CAP_PRIVATE_DESKTOP (1ull << 14)     /* Windows: separate desktop for the child */
#define RF_CAP_COUNT 15

typedef struct rf_backend_policy {
  uint32_t size;
  uint32_t mode;        /* rf_sandbox_mode */
  uint32_t network;     /* rf_network_mode */
  uint32_t read_access; /* rf_read_access */
  uint32_t flags;       /* RF_POLICY_* */

  const rf_backend_root *writable_roots; /* empty unless workspace-write */
  size_t n_writable_roots;

  const char *const *readable_roots; /* used when read_access is restricted */
  size_t n_readable_roots;

  const char *const *deny_read; /* absolute paths never readable */
  size_t n_deny_read;

  const char *cwd; /* absolute, canonical: where the command starts */

  const int *pass_fds; /* descriptors inherited besides 0, 1, 2 */
  size_t n_pass_fds;

  const char *const *envp; /* the command's whole environment, NULL-terminated */

  uint64_t required; /* RF_CAP_* the policy needs */
  uint64_t degraded; /* RF_CAP_* the user accepted losing (subset of required) */

  uint16_t proxy_port; /* with RF_NETWORK_PROXY */
  uint16_t reserved16;
  uint32_t windows_mode; /* rf_windows_mode */

  const char *run_id; /* unique per run: [a-z0-9-], for tags and names */

  /* Appended (check RF_HAS_FIELD): the deny-read glob patterns, absolute, each also with its
   * literal prefix canonical when that differs; for a backend that matches patterns itself
   * (Seatbelt, as regexes), so that a file created after launch is covered too.  Their
   * matches at launch are in deny_read as well. */
  const char *const *deny_read_globs;
  size_t n_deny_read_globs;

  /* Appended (check RF_HAS_FIELD): with RF_NETWORK_PROXY on a backend whose sandbox has a
   * network namespace of its own (bwrap), the route out: a unix SOCK_SEQPACKET socket to
   * ringfence's proxy (ringfence-netproxy --accept-fd).  The backend's bridge inside listens
   * on 127.0.0.1:proxy_port and [::1]:proxy_port of the sandbox's loopback and sends each
   * accepted connection over it (SCM_RIGHTS, one per message).  -1 otherwise: then, with
   * RF_NETWORK_PROXY, proxy_port is the proxy's own TCP port on the host's 127.0.0.1, the one
   * destination the command may reach (Landlock, Seatbelt, Windows). */
  int proxy_accept_fd;
  int reserved_proxy;
} rf_backend_policy;

/* ---- Services the core hands in ------------------------------------- */

typedef enum {
  RF_LOG_DEBUG = 0,
  RF_LOG_INFO = 1,
  RF_LOG_WARNING = 2,
} rf_log_level;

typedef struct rf_backend_host {
  uint32_t size;
  uint32_t abi_version; /* RF_BACKEND_ABI_VERSION of the core */
  void *log_ctx;
  void (*log)(void *log_ctx, int level, const char *message);
  const char *helper_dir; /* directory of ringfence's helper programs, or NULL */

  /* Appended (check RF_HAS_FIELD): the core's one decision of which program a
   * plugin may execute outside the sandbox.  |name| is a bare name ("bwrap":
   * the configured path, else the one fixed at build time, else the first
   * PATH hit) or an absolute path (a helper), checked only.  The file and
   * every step to it must be owned by root or the user, writable by nobody
   * else, and outside every writable root of any mode (|policy|'s too, when
   * given; NULL in probe).  Fills |path| with the canonical file to execute
   * and returns 0; else -ENOENT (none found) or -EPERM (found, not trusted)
   * and a message naming the file, why and the fix. */
  int (*trusted_program)(const struct rf_backend_host *host, const char *name,
                         const rf_backend_policy *policy, char *path, size_t path_len, char *err,
                         size_t err_len);
} rf_backend_host;

/* ---- probe() -------------------------------------------------------- */

typedef struct rf_backend_probe_report {
  uint32_t size;
  int usable;        /* 1: this backend can run here */
  char reason[1024]; /* when not usable: why, quoting the OS/tool message */
  char remedy[512];  /* when not usable: what the user can do */
  char detail[512];  /* when usable: version, path, ABI ... ("bwrap 0.8.0 at /usr/bin/bwrap") */
  int other_os;      /* 1: this backend is for another operating system (not a fault here) */
  /* Appended (check RF_HAS_FIELD): when not usable, a stable name of the cause for programs
   * (`check --json` "cause"), e.g. "apparmor-userns-restricted"; "" when none is known. */
  char cause[48];
  /* Appended (check RF_HAS_FIELD): something about this host that changes what the backend
   * does, usable or not, e.g. what it found of WSL2's Windows interop and how it keeps that
   * out; "" when nothing.  `check` prints it on a line of its own ("note"). */
  char note[512];
} rf_backend_probe_report;

/* ---- render() ------------------------------------------------------- */

/* render() describes, without side effects, what launch() would do.  It
 * emits lines grouped in named sections (e.g. "bwrap-argv", "seccomp",
 * "sbpl", "parameters", "plan"); the core prints them as text or JSON. */
typedef struct rf_backend_sink {
  uint32_t size;
  void *ctx;
  void (*emit)(void *ctx, const char *section, const char *line);
} rf_backend_sink;

/* ---- launch() and the child ----------------------------------------- */

typedef enum {
  RF_EXIT_RUNNING = 0,      /* not finished yet (child_wait timed out) */
  RF_EXIT_COMMAND = 1,      /* the command ran; code/signal are its own */
  RF_EXIT_SETUP_FAILED = 2, /* the sandbox failed before the command started */
  RF_EXIT_EXEC_FAILED = 3,  /* the sandbox was up, but exec failed (exec_errno) */
} rf_exit_stage;

typedef struct rf_backend_exit {
  uint32_t size;
  uint32_t stage;  /* rf_exit_stage */
  int code;        /* exit code when the command exited */
  int signal;      /* signal that ended it, else 0 */
  int exec_errno;  /* with RF_EXIT_EXEC_FAILED */
  char message[1024];
} rf_backend_exit;

typedef struct rf_backend_child {
  uint32_t size;
  long pid;    /* the process the backend supervises (POSIX pid / Windows process id) */
  int wait_fd; /* POSIX: readable when child_wait() will not block (a pidfd), or -1 */
  int reserved;
  void *state; /* the plugin's own per-run state */
} rf_backend_child;

/* ---- setup() (appended) --------------------------------------------- */

/* Flags in rf_backend_setup_request.flags. */
#define RF_SETUP_REMOVE (1u << 0)  /* undo exactly what setup adds (items already gone: skipped) */
#define RF_SETUP_DRY_RUN (1u << 1) /* emit the plan only; change nothing, need no privilege */

typedef struct rf_backend_setup_request {
  uint32_t size;
  uint32_t flags; /* RF_SETUP_* */
} rf_backend_setup_request;

/*
 * What setup() emits, by section (the core prints them in this order of arrival):
 *   "plan"     the items it adds (or with RF_SETUP_REMOVE removes), one per line, the same
 *              with or without RF_SETUP_DRY_RUN and on every OS (a plan for another OS is
 *              still printed, as render() is);
 *   "progress" one line per item done (never with RF_SETUP_DRY_RUN);
 *   "result"   at most one line when the outcome is not plainly "done", e.g. "not needed on
 *              this host: ... ; nothing was changed".
 * Returns 0, or a negative errno and a one-line message in err naming the problem and the fix:
 * -EACCES needs an administrator / root, -ENOSYS this OS is not the one the setup is for.
 * Nothing half-done: a refusal comes before the first change.
 */

/* ---- The vtable ----------------------------------------------------- */

typedef struct rf_backend {
  uint32_t size;
  uint32_t abi_version; /* RF_BACKEND_ABI_VERSION the plugin was built with */
  const char *name;     /* "bwrap", "landlock", "seatbelt", "windows" */
  const char *summary;  /* one line */
  int preference;       /* lower is tried first by --backend auto */

  /* What it can enforce on this host (may depend on the kernel). */
  uint64_t (*capabilities)(const rf_backend_host *host);

  /* Can it run here?  Fills report; returns 0 (even when not usable). */
  int (*probe)(const rf_backend_host *host, rf_backend_probe_report *report);

  /* Pure and portable: describe what launch() would do. */
  int (*render)(const rf_backend_host *host, const rf_backend_policy *policy,
                const char *const *argv, const rf_backend_sink *out, char *err, size_t err_len);

  /* Start argv confined.  On success fills child and returns 0. */
  int (*launch)(const rf_backend_host *host, const rf_backend_policy *policy,
                const char *const *argv, rf_backend_child *child, char *err, size_t err_len);

  /* Deliver a signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT) to the command.
   * -EAGAIN: the command does not exist yet; the core keeps the signal and
   * calls again (a plugin must not stop a half-built sandbox instead). */
  int (*child_signal)(rf_backend_child *child, int signum);

  /* Wait up to timeout_ms (-1: forever, 0: poll).  Fills exit; exit->stage
   * is RF_EXIT_RUNNING when the time ran out. */
  int (*child_wait)(rf_backend_child *child, int timeout_ms, rf_backend_exit *exit);

  /* Kill every process of the sandbox (timeout, or the core giving up). */
  int (*child_kill)(rf_backend_child *child);

  /* Release what launch() allocated.  The child must have been waited for. */
  void (*child_release)(rf_backend_child *child);

  /* Appended (check RF_HAS_FIELD; absent or NULL: the backend has no setup step): the one-time
   * host setup `ringfence setup --backend NAME [--remove] [--dry-run]` runs, e.g. Windows'
   * sandbox accounts and WFP filters, or the AppArmor profile bwrap needs on Ubuntu.  See
   * "setup() (appended)" above for what it emits and returns. */
  int (*setup)(const rf_backend_host *host, const rf_backend_setup_request *req,
               const rf_backend_sink *out, char *err, size_t err_len);
} rf_backend;

/* Size of the first ABI-1 vtable: the loader refuses anything smaller.  A vtable of that size
 * (built before setup was appended) still loads: it has no setup step. */
#define RF_BACKEND_MIN_SIZE (offsetof(rf_backend, child_release) + sizeof(void (*)(void)))

typedef const rf_backend *(*rf_backend_entry_fn)(const rf_backend_host *host);

/* Reads a field of a size-prefixed struct only if the producer had it. */
#define RF_HAS_FIELD(ptr, field) \
  ((ptr)->size >= offsetof(__typeof__(*(ptr)), field) + sizeof((ptr)->field))

/* Declares the entry symbol.  Use once per plugin:
 *   RF_BACKEND_DEFINE(my_backend_vtable)  */
#define RF_BACKEND_DEFINE(vtable)                                                        \
  RF_BACKEND_EXPORT const rf_backend *rf_backend_entry(const rf_backend_host *host);     \
  RF_BACKEND_EXPORT const rf_backend *rf_backend_entry(const rf_backend_host *host) {    \
    (void)host;                                                                          \
    return &(vtable);                                                                    \
  }

#ifdef __cplusplus
}
#endif

#endif /* RINGFENCE_BACKEND_H */
