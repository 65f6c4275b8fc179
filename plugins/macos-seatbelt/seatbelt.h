/* seatbelt.h: internals of the Seatbelt backend shared by the plugin and its tests (no GLib). */
#ifndef RF_SEATBELT_H
#define RF_SEATBELT_H

/*
 * Layout of the plugin (plugins/macos-seatbelt/):
 *
 *   sbpl-buf.c         growable string buffer
 *   sbpl-escape.c      regex escaping of paths, shell quoting for display, input validation
 *   sbpl-glob.c        deny-read globs as anchored regexes
 *   sbpl-params.c      the -D KEY=VALUE list handed to sandbox-exec
 *   sbpl-profile.c     policy -> SBPL text + parameters (all security decisions live here)
 *   sbpl-environ.c     the command's environment with the sandbox markers
 *   render.c           the render() sections: sbpl, parameters, command, environment
 *   *.sbpl             fixed profile parts, embedded at build time by embed-sbpl.py
 *   supervise.c        POSIX fork/exec/wait/kill of sandbox-exec (real on macOS, tested on Linux)
 *   plugin.c           the vtable: capabilities, probe, launch
 *
 * Everything but supervise.c and plugin.c is pure, portable C: it builds and
 * is tested on Linux, where no Seatbelt exists.
 */

#include <ringfence/backend.h>

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#define RF_SEATBELT_NAME "seatbelt"
#define RF_SEATBELT_SANDBOX_EXEC "/usr/bin/sandbox-exec"

/* ---- sbpl-buf.c ------------------------------------------------------ */

/* A growable NUL-terminated string.  On allocation failure `failed` is set
 * and later appends are ignored, so callers check once at the end. */
typedef struct {
  char *data;
  size_t len;
  size_t cap;
  int failed;
} rf_sbuf;

void rf_sbuf_append(rf_sbuf *buf, const char *text);
void rf_sbuf_append_len(rf_sbuf *buf, const char *text, size_t len);
void rf_sbuf_appendf(rf_sbuf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the heap string (caller frees) and resets |buf|; NULL if an
 * allocation failed. */
char *rf_sbuf_steal(rf_sbuf *buf);
void rf_sbuf_clear(rf_sbuf *buf);

/* ---- sbpl-escape.c --------------------------------------------------- */

typedef enum {
  RF_REGEX_EXACT = 0,   /* ^PATH$ */
  RF_REGEX_SUBTREE = 1, /* ^PATH(/|$): the path and everything below it */
} rf_regex_kind;

/*
 * A POSIX extended regular expression matching |path| (or its subtree)
 * whatever the case of its ASCII letters: every ERE special character is
 * escaped, every ASCII letter becomes a [xX] class, other bytes (UTF-8,
 * control characters) stay literal.  Used for deny rules only: macOS volumes
 * are case-insensitive by default, so ".GIT" names the same directory as
 * ".git" and a deny that matched only the exact spelling could be walked
 * around.  Heap string, NULL on allocation failure.
 */
char *rf_sbpl_path_regex(const char *path, rf_regex_kind kind);

/* sbpl-glob.c: an absolute deny-read glob (`*`, `?`, `[...]` within one component, `**` as a
 * whole component for any number of folders, none included) as an anchored, case-folded
 * regex matching what the glob names and everything below it; NULL (and |err|) when the
 * pattern is not absolute or uses what the translation does not support. */
char *rf_sbpl_glob_regex(const char *glob, char *err, size_t err_len);

/* |text| quoted as one POSIX shell word, for display only (explain): plain
 * words stay as they are, others are single-quoted, and words containing a
 * control character use bash's $'...' so each stays on one line. */
char *rf_shell_quote(const char *text);

/* 1 when |run_id| is 1 to 64 characters of [a-z0-9-]. */
int rf_seatbelt_run_id_valid(const char *run_id);

/* 1 when |path| is absolute and canonical in form: starts with '/', no
 * empty, "." or ".." component, no trailing '/' (except "/" itself). */
int rf_seatbelt_path_valid(const char *path);

/* snprintf into a caller's error buffer, tolerating NULL / 0. */
void rf_seatbelt_set_error(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- sbpl-params.c --------------------------------------------------- */

/* One -D parameter: KEY is [A-Z0-9_], VALUE any string (a path or a regex).
 * Values never appear in the profile text; the profile names them with
 * (param "KEY") and sandbox-exec substitutes them at compile time. */
typedef struct {
  char *key;
  char *value;
} rf_seatbelt_param;

typedef struct {
  rf_seatbelt_param *items;
  size_t n;
  size_t cap;
} rf_seatbelt_params;

/* Copies |value|.  Returns 0 or -ENOMEM. */
int rf_seatbelt_params_add(rf_seatbelt_params *params, const char *key, const char *value);
/* Takes ownership of |value| (freed on failure too).  Returns 0 or -ENOMEM. */
int rf_seatbelt_params_add_owned(rf_seatbelt_params *params, const char *key, char *value);
const char *rf_seatbelt_params_get(const rf_seatbelt_params *params, const char *key);
void rf_seatbelt_params_clear(rf_seatbelt_params *params);

/* ---- sbpl-profile.c -------------------------------------------------- */

/*
 * The SBPL profile for |policy|, and the parameters it references.
 *
 * On success returns 0, stores the heap profile in *profile_out (caller
 * frees) and appends the parameters to |params| (caller clears).  On failure
 * returns -EINVAL (policy malformed: relative path, bad run_id, writable
 * roots in read-only mode, ...), -ENOTSUP (network proxy: not wired up yet)
 * or -ENOMEM, with a one-line message in |err|.
 *
 * Not for RF_SANDBOX_DANGER_FULL_ACCESS: that mode runs without a profile.
 */
int rf_seatbelt_profile(const rf_backend_policy *policy, char **profile_out,
                        rf_seatbelt_params *params, char *err, size_t err_len);

/* The fixed parts, from the .sbpl files (generated sbpl-embedded.c). */
extern const char rf_sbpl_base_policy[];
extern const char rf_sbpl_network_policy[];
extern const char rf_sbpl_platform_policy[];
extern const char rf_sbpl_preferences_policy[];
extern const char rf_sbpl_final_denials[];

/* ---- sbpl-environ.c -------------------------------------------------- */

/* A copy of policy->envp with RINGFENCE_SANDBOX=seatbelt, and
 * RINGFENCE_SANDBOX_NETWORK_DISABLED=1 exactly when the network is off (in a
 * sandboxed mode).  NULL-terminated; free with rf_seatbelt_environ_free(). */
char **rf_seatbelt_environ(const rf_backend_policy *policy);
void rf_seatbelt_environ_free(char **envp);

/* ---- render.c -------------------------------------------------------- */

/* The sandbox-exec argv: /usr/bin/sandbox-exec -p PROFILE -DKEY=VALUE ...
 * -- ARGV...  (or just ARGV in danger-full-access, when profile is NULL).
 * NULL-terminated heap array of heap strings; free with
 * rf_seatbelt_argv_free(). */
char **rf_seatbelt_argv(const char *sandbox_exec, const char *profile,
                        const rf_seatbelt_params *params, const char *const *argv);
void rf_seatbelt_argv_free(char **argv);

int rf_seatbelt_render(const rf_backend_host *host, const rf_backend_policy *policy,
                       const char *const *argv, const rf_backend_sink *out, char *err,
                       size_t err_len);

/* ---- supervise.c (POSIX) --------------------------------------------- */

/*
 * Starts |exec_argv| (exec_argv[0] absolute) in a new session, in
 * policy->cwd, with |envp|, only descriptors 0-2 and policy->pass_fds open,
 * default signal dispositions and an empty signal mask.  |command| is the
 * user's command (argv[0] is looked up in envp's PATH first so that a
 * missing or non-executable command is reported as such, 127/126, rather
 * than as sandbox-exec's own failure).
 *
 * Returns 0 with child filled (its failures before exec are reported by
 * rf_seatbelt_child_wait), or a negative errno with |err| set.
 */
int rf_seatbelt_spawn(const rf_backend_policy *policy, char *const *exec_argv,
                      const char *const *command, char *const *envp, rf_backend_child *child,
                      char *err, size_t err_len);
int rf_seatbelt_child_signal(rf_backend_child *child, int signum);
int rf_seatbelt_child_wait(rf_backend_child *child, int timeout_ms, rf_backend_exit *exit_info);
int rf_seatbelt_child_kill(rf_backend_child *child);
void rf_seatbelt_child_release(rf_backend_child *child);

#endif /* RF_SEATBELT_H */
