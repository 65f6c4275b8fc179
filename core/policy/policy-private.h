/* policy-private.h: the in-memory layout of RfPolicy and RfPlan, shared by the core's own files. */
#pragma once

#include <ringfence/ringfence.h>

#include "util/quote.h"
#include "netproxy-launch.h"

struct _RfPolicy {
  rf_sandbox_mode mode;
  rf_network_mode network;
  char *cwd;        /* absolute, as getcwd() or -C gave it; NULL: unknown (see cwd_problem) */
  char *cwd_problem; /* why cwd is NULL: a sentence naming the cause and the fix */
  gboolean cwd_given; /* cwd came from rf_policy_set_cwd (-C/--cd), not from getcwd() */
  GPtrArray *writable_roots; /* char*, as given */
  GPtrArray *dangerous_roots; /* char*, as given: writable roots exempt from the root rule */
  gboolean exclude_slash_tmp;
  gboolean exclude_tmpdir_env_var;
  char *tmpdir; /* $TMPDIR when the policy was made, or NULL */
  GPtrArray *protected_names;
  rf_read_access read_access;
  GPtrArray *readable_roots;
  gboolean platform_defaults;
  GPtrArray *deny_read; /* char*: paths or glob patterns, as given */
  guint deny_read_glob_depth; /* 0: RF_DENY_GLOB_DEFAULT_DEPTH */
  gboolean cwd_not_writable; /* workspace-write without the working directory (permission profiles) */
  gboolean allow_degraded;
  guint64 insisted; /* RF_CAP_* required on every platform (--require) */
  GArray *pass_fds; /* int */
  char **envp;      /* NULL: the process's environment */
  rf_windows_mode windows_mode;
  gboolean windows_private_desktop;
  gboolean windows_pty; /* --pty */
  RfNetSettings net;    /* --network proxy: what the proxy is told */
};

typedef struct {
  char *path;
  GPtrArray *protected_paths; /* char*, NULL-terminated for the ABI */
  struct _RfWalkRecord *walk; /* what the repository walk saw there (repo-walk.h), or NULL */
  char *origin;               /* "working directory", "--writable-root", "/tmp", "$TMPDIR" */
  char *danger; /* what the root rule says of it, when --dangerously-allow-writable-root let it
                 * through; else NULL */
} RfPlanRoot;

struct _RfPlan {
  rf_backend_policy view; /* what plugins see; points into the fields below */
  rf_sandbox_mode mode;
  GArray *roots;          /* RfPlanRoot */
  rf_backend_root *view_roots;
  GPtrArray *readable_roots; /* NULL-terminated */
  GPtrArray *deny_read;      /* NULL-terminated: canonical, patterns expanded */
  GPtrArray *deny_read_patterns; /* "PATTERN: N matches" per glob, for explain */
  GPtrArray *deny_read_globs;    /* NULL-terminated: absolute globs for the view */
  char *cwd;
  GArray *pass_fds;
  GPtrArray *envp; /* NULL-terminated; markers added by rf_plan_check_backend */
  char *run_id;
  gboolean allow_degraded;
  guint64 insisted;        /* RF_CAP_* the user requires on every platform (--require) */
  guint64 policy_required; /* what the policy asks for, before the platform is known */
  guint64 unavailable;     /* asked for, not available on the backend's platform: not required */
  const char *platform;    /* the backend's platform (static string), or NULL */
  char *backend_name; /* set by rf_plan_check_backend */
  RfNetSettings net;  /* --network proxy: a copy of the policy's */
};

/* core/policy.c: the process's working directory as getcwd() says it, never a stand-in: NULL
 * when it cannot be determined (deleted, moved out of reach, unsearchable), *problem then a
 * sentence saying why and what to do. */
char *rf_current_dir(char **problem);

/* core/resolve.c: the canonical absolute path of |path| (relative to |base|), or, when it
 * does not exist (yet), the lexically cleaned one. */
char *rf_canonical_maybe_missing(const char *path, const char *base);

/* core/deny-read.c: bounds of the glob expansion (docs/security.md, "Deny-read patterns"). */
#define RF_DENY_GLOB_DEFAULT_DEPTH 16
#define RF_DENY_GLOB_MAX_DIRS 20000
#define RF_DENY_GLOB_MAX_MATCHES 1000
/* Appends to |out| the canonical paths |entry| names: itself (relative to |base|) when it has no
 * glob character, else every existing match; FALSE and RF_ERROR_CONFIG past the bounds. */
gboolean rf_deny_read_expand(const char *entry, const char *base, guint max_depth, GPtrArray *out,
                             GError **error);
/* FALSE and RF_ERROR_UNSUPPORTED when one of |paths| is a regular file with hard links that
 * are not all in |paths|. */
gboolean rf_deny_read_check_links(GPtrArray *paths, GError **error);
/* Appends to |out| the absolute form of the glob |entry| (relative to |base|) and, when its
 * literal folders resolve elsewhere (a symlink, /tmp -> /private/tmp), that form too. */
void rf_deny_read_glob_forms(const char *entry, const char *base, GPtrArray *out);

/* core/writable-root-rule.c: the canonical home directory of the user ($HOME, else the user
 * database's), as a NULL-terminated list; free with g_strfreev. */
char **rf_home_directories(void);
/* NULL when the canonical |root| may be a writable root, else why not ("is /, the whole host:
 * ..."), to follow the root's name in a sentence.  |homes| as rf_home_directories() gives. */
char *rf_writable_root_refusal(const char *root, const char *const *homes);

/* core/protected-paths.c: what the system and global git configs say, read once for every
 * root of a resolution (by the first root that protects .git). */
typedef struct _RfGitGlobals RfGitGlobals;
RfGitGlobals *rf_git_globals_new(void);
void rf_git_globals_free(RfGitGlobals *globals);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RfGitGlobals, rf_git_globals_free)
/* The protected paths of |root|, or NULL with an error when a file git reads there cannot be
 * read safely (a FIFO, a device, too large: see safe-read.h).  |walk| (may be NULL) is filled
 * with what the walk for nested repositories saw, for the walk after the run (new-repos.h). */
GPtrArray *rf_protected_paths_for_root(const char *root, const char *const *names,
                                       GPtrArray *writable_roots, RfGitGlobals *globals,
                                       struct _RfWalkRecord *walk, GError **error);

/* core/root-symlinks.c: FALSE and RF_ERROR_CONFIG when the writable root |given| (relative to
 * |base|), which came from |origin|, goes through a symlink inside one of the canonical
 * |roots| (char*): a sandboxed command could swap it before the next run. */
gboolean rf_root_symlinks_check(const char *given, const char *origin, const char *base,
                                GPtrArray *roots, GError **error);

/* core/guarantees.c */
guint64 rf_guarantees_required(const RfPlan *plan);

/* core/environ.c */
GPtrArray *rf_environ_build(const char *const *base);
void rf_environ_set(GPtrArray *envp, const char *name, const char *value);
const char *rf_environ_get(GPtrArray *envp, const char *name);
/* Removes $WSL_INTEROP and the other WSL* variables naming a socket below /run/WSL
 * (core/wsl-environ.c). */
void rf_environ_drop_wsl_interop(GPtrArray *envp);

/* core/trusted-program.c: which files ringfence may execute or load unconfined. */
typedef struct _RfTrust RfTrust;
/* Starts with the working directory (unless the writable-root rule refuses it), /tmp and
 * $TMPDIR. */
RfTrust *rf_trust_new(void);
void rf_trust_free(RfTrust *trust);
/* Nothing below |dir| (relative to |base|, NULL: the working directory) is trusted. */
void rf_trust_add_root(RfTrust *trust, const char *dir, const char *base);
/* The same for a directory already canonical (a plan's). */
void rf_trust_add_canonical_root(RfTrust *trust, const char *dir);
/* The same for a working directory (canonical, as getcwd() gives it), which does not count
 * when the writable-root rule refuses it as a root (/, a system directory, ...). */
void rf_trust_add_workdir(RfTrust *trust, const char *dir);
void rf_trust_set_bwrap(RfTrust *trust, const char *path);
const char *rf_trust_get_bwrap(const RfTrust *trust);
const char *const *rf_trust_get_roots(const RfTrust *trust);
/* The canonical path of |path| when it is trusted (|policy|'s writable roots count too when
 * given), else NULL and an error naming the file, why, |what| it is and |fix|. */
char *rf_trust_check_file(const RfTrust *trust, const rf_backend_policy *policy,
                          const char *path, const char *what, const char *fix, GError **error);
/* The program to run for |name|: for "bwrap" the configured path, else the one fixed at build
 * time (-Dbwrap), else the first hit on PATH; an absolute |name| is only checked.  A candidate
 * that is not trusted is refused (RF_ERROR_UNSUPPORTED), never skipped; none at all is
 * RF_ERROR_NOT_FOUND. */
char *rf_trust_find_program(const RfTrust *trust, const rf_backend_policy *policy,
                            const char *name, GError **error);
/* core/loader.c: the trust of |backend|'s loader. */
const RfTrust *rf_backend_get_trust(const RfBackend *backend);

/* core/shell-environment.c: the environment shell_environment_policy makes of |base|:
 * |inherit| "all", "core" (HOME, LANG, LC_ALL, LC_CTYPE, LOGNAME, PATH, SHELL, TEMP, TMP,
 * TMPDIR, USER) or "none"; without |ignore_default_excludes|, no name matching *KEY*, *SECRET*
 * or *TOKEN*; no name matching |exclude|; then |set| ("NAME=VALUE") on top; then, when
 * |include_only| is not empty, only names matching it.  Patterns: * and ?, case-insensitive.
 * Free with g_strfreev. */
char **rf_shell_environment(const char *const *base, const char *inherit,
                            gboolean ignore_default_excludes, const char *const *exclude,
                            const char *const *set, const char *const *include_only);
