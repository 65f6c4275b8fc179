/* ringfence.h: the public API of libringfence: policies, backends, sandboxes, exit statuses. */
#ifndef RINGFENCE_H
#define RINGFENCE_H

/*
 * Life cycle (every call is rf_<object>_<verb>):
 *
 *   g_autoptr(RfPolicy) policy = rf_policy_new ();        describe what is allowed
 *   rf_policy_set_mode (policy, RF_SANDBOX_WORKSPACE_WRITE);
 *   rf_policy_add_writable_root (policy, "/srv/cache");
 *   g_autoptr(RfPlan) plan = rf_policy_resolve (policy, &error);   canonical paths, protected paths
 *
 *   g_autoptr(RfLoader) loader = rf_loader_new (NULL, &error);     find backend plugins
 *   RfBackend *backend = rf_loader_select (loader, "auto", plan, &error);
 *   rf_plan_check_backend (plan, backend, &error);                 fail closed
 *
 *   g_autoptr(RfSandbox) sandbox = rf_sandbox_spawn (backend, plan, argv, &error);
 *   int status = rf_sandbox_wait (sandbox, &opts, &error);           124..127, 128+N, or the command's
 */

#include <glib.h>
#include <ringfence/backend.h>

G_BEGIN_DECLS

/* ---- Exit statuses of `ringfence run` and rf_sandbox_wait() -------------- */

typedef enum {
  RF_STATUS_TIMEOUT = 124,        /* --timeout ended the command */
  RF_STATUS_FAILED = 125,         /* ringfence failed before the command started */
  RF_STATUS_NOT_EXECUTABLE = 126, /* the command exists but cannot be executed */
  RF_STATUS_NOT_FOUND = 127,      /* the command was not found */
  RF_STATUS_SIGNAL_BASE = 128,    /* 128 + N: signal N ended the command */
} RfStatus;

/* ---- Errors ---------------------------------------------------------------- */

#define RF_ERROR (rf_error_quark())
GQuark rf_error_quark(void);

typedef enum {
  RF_ERROR_CONFIG,         /* the configuration is wrong: bad value, missing root, contradiction */
  RF_ERROR_UNSUPPORTED,    /* this system cannot: no usable backend, guarantee not enforceable */
  RF_ERROR_PLUGIN,         /* a plugin file is broken or built for another ABI */
  RF_ERROR_LAUNCH,         /* the sandbox failed to start */
  RF_ERROR_NOT_FOUND,      /* the command was not found (exit 127) */
  RF_ERROR_NOT_EXECUTABLE, /* the command is not executable (exit 126) */
} RfErrorCode;

/* Exit status matching an error from this library (125, 126 or 127). */
int rf_error_exit_status(const GError *error);

/* ---- Policy ---------------------------------------------------------------- */

typedef struct _RfPolicy RfPolicy;

/* Defaults: read-only mode, network off, full reads, /tmp and $TMPDIR included,
 * cwd = the process's current directory, the default protected names.  When the current
 * directory cannot be determined (deleted, unreachable), the policy has none and
 * rf_policy_resolve() refuses it unless rf_policy_set_cwd() names one: no directory ("/" or
 * any other) stands in for it. */
RfPolicy *rf_policy_new(void);
/* The process's current directory as getcwd() gives it, or NULL and an RF_ERROR_CONFIG error
 * saying why it cannot be determined and what to do (the message rf_policy_resolve() gives). */
char *rf_get_current_dir(GError **error);
void rf_policy_free(RfPolicy *policy);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RfPolicy, rf_policy_free)

gboolean rf_sandbox_mode_from_string(const char *text, rf_sandbox_mode *mode, GError **error);
const char *rf_sandbox_mode_to_string(rf_sandbox_mode mode);
gboolean rf_network_mode_from_string(const char *text, rf_network_mode *mode, GError **error);
const char *rf_network_mode_to_string(rf_network_mode mode);

void rf_policy_set_mode(RfPolicy *policy, rf_sandbox_mode mode);
rf_sandbox_mode rf_policy_get_mode(const RfPolicy *policy);
void rf_policy_set_network(RfPolicy *policy, rf_network_mode network);
/* Copies |dir|.  Relative paths are taken from the process's current directory (when that
 * cannot be determined, or |dir| is empty, rf_policy_resolve() refuses the policy). */
void rf_policy_set_cwd(RfPolicy *policy, const char *dir);
/* Copies |dir|.  Relative paths are resolved against the policy's cwd.  Every writable root
 * (this one, the working directory in workspace-write, /tmp, $TMPDIR) must pass one rule, the
 * same on every backend: not /, not a parent of the user's home, not a system directory
 * (docs/security.md); rf_policy_resolve() refuses the policy otherwise. */
void rf_policy_add_writable_root(RfPolicy *policy, const char *dir);
/* Copies |dir|: a writable root (workspace-write) that the rule above does not refuse, for
 * the user who says so explicitly (--dangerously-allow-writable-root).  It lifts the rule for
 * |dir| exactly (after realpath), whichever setting makes it a root; explain marks it. */
void rf_policy_add_dangerous_writable_root(RfPolicy *policy, const char *dir);
void rf_policy_set_exclude_slash_tmp(RfPolicy *policy, gboolean exclude);
void rf_policy_set_exclude_tmpdir_env_var(RfPolicy *policy, gboolean exclude);
/* Replaces the protected names (single path components such as ".git").  Copies. */
void rf_policy_set_protected_names(RfPolicy *policy, const char *const *names);
const char *const *rf_policy_default_protected_names(void);
void rf_policy_set_read_access(RfPolicy *policy, rf_read_access access);
void rf_policy_add_readable_root(RfPolicy *policy, const char *dir);
void rf_policy_set_platform_defaults(RfPolicy *policy, gboolean include);
/* Copies |path|: a path (relative to the policy's cwd) or a glob pattern (`*`, `?`, `[...]` per
 * component, `**` for any number of folders) whose matches are never readable.  Patterns are
 * expanded once, by rf_policy_resolve(), within bounds (docs/security.md): files created later
 * are not covered; too many matches refuse the policy.  A denied file with other hard links is
 * refused too. */
void rf_policy_add_deny_read(RfPolicy *policy, const char *path);
/* How many folders deep each `**` of a deny-read pattern looks (0: the default, 16). */
void rf_policy_set_deny_read_glob_depth(RfPolicy *policy, guint depth);
/* workspace-write only: whether the working directory is a writable root (default TRUE; a
 * permission profile that does not name it makes it FALSE). */
void rf_policy_set_cwd_writable(RfPolicy *policy, gboolean writable);
void rf_policy_set_allow_degraded(RfPolicy *policy, gboolean allow);
/* Guarantees (RF_CAP_* bits) required even on a platform where no backend of ours can enforce
 * them (--require, ringfence.require): without such a backend the run is refused. */
void rf_policy_add_required(RfPolicy *policy, guint64 guarantees);
/* Descriptor inherited by the command besides 0, 1, 2.  Must be open. */
void rf_policy_add_pass_fd(RfPolicy *policy, int fd);
/* The environment the command starts from (copied); NULL: the process's. */
void rf_policy_set_environ(RfPolicy *policy, const char *const *envp);
void rf_policy_set_windows_mode(RfPolicy *policy, rf_windows_mode mode);
void rf_policy_set_windows_private_desktop(RfPolicy *policy, gboolean private_desktop);
/* Windows: a pseudo console (ConPTY) of its own for the command even when standard input is not
 * a console (--pty); elsewhere it changes nothing. */
void rf_policy_set_windows_pty(RfPolicy *policy, gboolean pty);
/* --network proxy (docs/network.md).  Domain patterns for ringfence's proxy: an exact host,
 * *.example.com (its subdomains), or an IP address; deny wins; no allowed domain allows
 * nothing.  Copied. */
void rf_policy_add_allowed_domain(RfPolicy *policy, const char *pattern);
void rf_policy_add_denied_domain(RfPolicy *policy, const char *pattern);
/* "HOST:ADDRESS": the proxy answers HOST with ADDRESS without a lookup (tests). */
void rf_policy_add_proxy_resolve(RfPolicy *policy, const char *host_addr);
/* Every allowed connection goes through this proxy (http://HOST:PORT or socks5h://HOST:PORT). */
void rf_policy_set_upstream_proxy(RfPolicy *policy, const char *url);
/* The proxy's decisions as JSON lines in |file| (appended) instead of text lines on stderr. */
void rf_policy_set_network_log(RfPolicy *policy, const char *file);
/* mode = "limited": only GET, HEAD and OPTIONS over plain HTTP; CONNECT and SOCKS refused. */
void rf_policy_set_proxy_limited(RfPolicy *policy, gboolean limited);
void rf_policy_set_allow_local_binding(RfPolicy *policy, gboolean allow);
/* Where the process's environment says $TMPDIR is (NULL if unset); for tests. */
void rf_policy_set_tmpdir(RfPolicy *policy, const char *tmpdir);

/* ---- Plan: a resolved policy ------------------------------------------------ */

typedef struct _RfPlan RfPlan;

/* Resolves |policy|: canonical writable roots (a missing one is an error naming it),
 * protected paths per root (following a `.git` file's gitdir:), required guarantees,
 * the command's environment.  Does not modify |policy|. */
RfPlan *rf_policy_resolve(const RfPolicy *policy, GError **error);
void rf_plan_free(RfPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RfPlan, rf_plan_free)

/* The view handed to plugins.  Owned by |plan|. */
const rf_backend_policy *rf_plan_get_backend_policy(const RfPlan *plan);
/* "PATH: why the root rule would refuse it" for each writable root only
 * --dangerously-allow-writable-root let through; NULL-terminated, free with g_strfreev. */
char **rf_plan_get_dangerous_roots(const RfPlan *plan);
/* Writes a human-readable description, one fact per line. */
void rf_plan_describe(const RfPlan *plan, GString *out);
/* Appends the plan as JSON object members (no braces) to |out|. */
void rf_plan_describe_json(const RfPlan *plan, GString *out);

/* Appends |s| as a JSON string literal (quoted, escaped). */
void rf_json_append_string(GString *out, const char *s);

/* ---- Guarantees -------------------------------------------------------------- */

/* Name ("protected-subpaths") and one-line meaning of a single RF_CAP_* bit. */
const char *rf_guarantee_name(guint64 bit);
const char *rf_guarantee_help(guint64 bit);
/* The RF_CAP_* bit named |name| ("kernel-surface"), or 0 when there is none. */
guint64 rf_guarantee_from_name(const char *name);
/* All guarantee names, comma-separated, for messages. */
const char *rf_guarantee_names(void);

/* What every sandboxed mode promises on every platform, whatever the backend: writes, protected
 * names, reads, deny-read, network off or proxy-only (core/policy/guarantees.c).  The rest is
 * hardening a backend adds where the operating system allows it. */
#define RF_GUARANTEES_PROMISED                                                                   \
  (RF_CAP_WRITE_CONFINED | RF_CAP_PROTECTED_SUBPATHS | RF_CAP_RESTRICTED_READ | RF_CAP_DENY_READ | \
   RF_CAP_NETWORK_OFF | RF_CAP_PROXY_ONLY)

/* ---- Platforms (core/policy/platforms.c) -------------------------------------- */

/* "linux", "macos" or "windows" for a backend name, NULL for one the core does not know. */
const char *rf_platform_of_backend(const char *backend);
/* "Linux", "macOS", "Windows" ("an unknown platform" for NULL). */
const char *rf_platform_display_name(const char *platform);
/* The hardening guarantees no backend of ours can enforce on |platform| (0 when unknown). */
guint64 rf_platform_unavailable(const char *platform);
/* What the absence of |bit| on |platform| means for the user, one sentence ("" if none). */
const char *rf_platform_absence_meaning(const char *platform, guint64 bit);
/* The backend `--backend auto` prefers on the platform ringfence was built for ("bwrap",
 * "seatbelt", "windows"): what `ringfence setup` without --backend sets up. */
const char *rf_platform_default_backend(void);

/* ---- Backends ---------------------------------------------------------------- */

typedef struct _RfLoader RfLoader;
typedef struct _RfBackend RfBackend;

/* Loads every plugin found in |plugin_path| (a G_SEARCHPATH_SEPARATOR list of
 * directories).  NULL: $RINGFENCE_BACKEND_DIR, else the directories of an
 * uninstalled build when running from one, else $libdir/ringfence/backends.
 * Plugins that cannot be loaded are remembered with the reason (see
 * rf_loader_get_failures); the call only fails when no directory can be read. */
RfLoader *rf_loader_new(const char *plugin_path, GError **error);
void rf_loader_free(RfLoader *loader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RfLoader, rf_loader_free)

/* What ringfence trusts to load and run outside the sandbox (plugins, bwrap, helpers, its own
 * code): nothing below a place a sandboxed command may write, in any mode, and only files owned
 * by root or the user that nobody else may write (core/policy/trusted-program.c).  A new loader
 * starts with the working directory, /tmp and $TMPDIR; the policy's writable roots count at
 * launch.  Call these before the first plugin is loaded (rf_loader_get, _select, _get_backends).
 *
 * rf_loader_trust_plan() adds |plan|'s working directory and writable roots;
 * rf_loader_add_untrusted_root() one more directory (relative to |base|, NULL: the working
 * directory), e.g. a configured writable root the current mode does not use;
 * rf_loader_set_bwrap() names the bwrap to run (absolute; NULL: the one fixed at build time,
 * else the first PATH hit). */
void rf_loader_trust_plan(RfLoader *loader, const RfPlan *plan);
void rf_loader_add_untrusted_root(RfLoader *loader, const char *dir, const char *base);
void rf_loader_set_bwrap(RfLoader *loader, const char *path);

/* Loads one plugin file; on failure the error names the file and the problem. */
RfBackend *rf_loader_load_file(RfLoader *loader, const char *path, GError **error);
/* Backends in preference order.  Owned by |loader|. */
GPtrArray *rf_loader_get_backends(RfLoader *loader);
/* Plugin files that were refused: "FILE: problem" strings.  Owned by |loader|. */
GPtrArray *rf_loader_get_failures(RfLoader *loader);
RfBackend *rf_loader_get(RfLoader *loader, const char *name);
/* "auto": the first usable backend by preference; with |plan|, the first that
 * can enforce all of it is preferred over one that cannot.  A name: that
 * backend, or an error saying why it cannot run here and what to do.  When
 * auto passes over a preferred backend, |fallback_note| (if not NULL) gets
 * a sentence saying which and why (free with g_free). */
RfBackend *rf_loader_select(RfLoader *loader, const char *name, const RfPlan *plan,
                            char **fallback_note, GError **error);

const char *rf_backend_get_name(const RfBackend *backend);
const char *rf_backend_get_summary(const RfBackend *backend);
const char *rf_backend_get_path(const RfBackend *backend);
guint64 rf_backend_get_capabilities(const RfBackend *backend);
/* Cached after the first call.  Owned by |backend|. */
const rf_backend_probe_report *rf_backend_probe(RfBackend *backend);
const rf_backend *rf_backend_get_vtable(const RfBackend *backend);
const rf_backend_host *rf_backend_get_host(const RfBackend *backend);
/* A further symbol the plugin exports (e.g. the Windows setup functions), or NULL. */
gpointer rf_backend_lookup_symbol(const RfBackend *backend, const char *name);

/* Renders what launching would do: a list of (section, line) pairs appended to
 * |sections| as a GPtrArray of GPtrArray of strings, the first string of each
 * inner array being the section name. */
gboolean rf_backend_render(RfBackend *backend, const RfPlan *plan, const char *const *argv,
                           GPtrArray **sections, GError **error);

/* One-time host setup (`ringfence setup`): whether |backend|'s vtable has a setup entry (a
 * plugin built before it was appended has none), and the call.  |flags| are RF_SETUP_REMOVE and
 * RF_SETUP_DRY_RUN; each line the plugin emits (sections "plan", "progress", "result", see
 * backend.h) reaches |emit|.  FALSE with RF_ERROR_UNSUPPORTED "backend NAME has no setup step"
 * when it has none, or when the setup is for another OS; else the plugin's message. */
typedef void (*RfSetupEmit)(gpointer data, const char *section, const char *line);
gboolean rf_backend_has_setup(const RfBackend *backend);
gboolean rf_backend_setup(RfBackend *backend, guint flags, RfSetupEmit emit, gpointer data,
                          GError **error);

/* Fails closed: an error with one line per required guarantee |backend| cannot
 * enforce, unless the policy allows degraded enforcement, in which case the
 * plan records them (rf_plan_get_degraded) and the call succeeds. */
gboolean rf_plan_check_backend(RfPlan *plan, const RfBackend *backend, GError **error);
guint64 rf_plan_get_degraded(const RfPlan *plan);
/* After rf_plan_check_backend: the platform of the backend ("macos"; NULL when unknown) and the
 * guarantees the policy asked for that are not available there, so not required (each with
 * rf_platform_absence_meaning). */
const char *rf_plan_get_platform(const RfPlan *plan);
guint64 rf_plan_get_unavailable(const RfPlan *plan);
/* Guarantees the user insisted on (--require, ringfence.require). */
guint64 rf_plan_get_insisted(const RfPlan *plan);

/* ---- Sandboxes ------------------------------------------------------------- */

typedef struct _RfSandbox RfSandbox;

/* Finds |argv[0]| as the sandbox will (PATH of the plan's environment):
 * NOT_FOUND / NOT_EXECUTABLE errors when it cannot run.  Returns the path. */
char *rf_command_resolve(const RfPlan *plan, const char *command, GError **error);

/* Starts |argv| confined by |backend| as |plan| says.  The backend must have
 * passed rf_plan_check_backend.  Does not take ownership of anything. */
RfSandbox *rf_sandbox_spawn(RfBackend *backend, const RfPlan *plan, const char *const *argv,
                            GError **error);

/* forward_signals: SIGINT, SIGTERM, SIGHUP and SIGQUIT that reach this process
 * while rf_sandbox_wait runs are relayed to the command; one that arrives
 * before the command exists is kept and delivered as soon as it does.  To
 * relay those that arrive while the sandbox starts too, block them
 * (pthread_sigmask) before rf_sandbox_spawn: rf_sandbox_wait unblocks them
 * once its handlers are in place, and restores the caller's mask and
 * handlers before it returns.
 *
 * timeout_seconds: at that deadline the command gets SIGTERM; if it is still
 * running kill_after_seconds later, the whole sandbox is SIGKILLed
 * (kill_after_seconds <= 0: SIGKILL at the deadline).  Either way every
 * process of the sandbox has ended when rf_sandbox_wait returns 124. */
typedef struct {
  double timeout_seconds;    /* <= 0: none */
  gboolean forward_signals;  /* relay SIGINT, SIGTERM, SIGHUP, SIGQUIT to the command */
  double kill_after_seconds; /* grace between the timeout's SIGTERM and SIGKILL; <= 0: none */
} RfWaitOptions;

/* Waits for the command: returns its exit code, 128+N for a signal death, 124
 * after a timeout (every process of the sandbox ended), 126/127 when exec
 * failed inside, 125 with |error| set when the sandbox failed before the
 * command started. */
int rf_sandbox_wait(RfSandbox *sandbox, const RfWaitOptions *options, GError **error);
/* After rf_sandbox_wait: what the user must be told (NULL-terminated, owned by |sandbox|).  A
 * git repository the command created whose config or hooks would make git on the host run a
 * program has that file renamed to NAME.ringfence-disabled by rf_sandbox_wait, and each such
 * file gets a sentence here (docs/security.md, "Nested repositories"). */
const char *const *rf_sandbox_get_warnings(RfSandbox *sandbox);
void rf_sandbox_free(RfSandbox *sandbox);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RfSandbox, rf_sandbox_free)

/* ---- Approvals: may this command run now, or must a person approve it? ----
 *
 *   g_autoptr(RfRules) rules = rf_rules_new();
 *   rf_rules_load_file(rules, "project.rules", &error);        prefix_rule(...) files
 *   RfApprovalPolicy policy;
 *   rf_approval_policy_from_string("on-request", &policy, &error);
 *   RfApprovalRequest request = {.kind = RF_REQUEST_RUN, .argv = argv,
 *                                .policy = &policy, .rules = rules};
 *   g_auto(RfApprovalResult) result = {0};
 *   rf_approval_decide(&request, &result, &error);              result.decision, .reason
 *
 * Nothing here runs or inspects files: a decision depends only on the request.  docs/config.md
 * has the table of decisions by policy and request kind.
 */

/* Ordered from least to most strict: when several answers apply, the highest wins. */
typedef enum {
  RF_DECISION_ALLOW = 0,     /* run without asking (sandboxed, unless the request escalates) */
  RF_DECISION_PROMPT = 1,    /* ask a person first */
  RF_DECISION_REJECT = 2,    /* would need a person, but the policy says not to ask: refuse */
  RF_DECISION_FORBIDDEN = 3, /* a rule forbids it outright */
} RfDecision;

/* "allow", "prompt", "reject", "forbidden". */
const char *rf_decision_to_string(RfDecision decision);

typedef enum {
  RF_APPROVAL_UNTRUSTED = 0,  /* only known-safe read-only commands run without asking */
  RF_APPROVAL_ON_FAILURE = 1, /* run sandboxed; ask only to retry unsandboxed after a denial */
  RF_APPROVAL_ON_REQUEST = 2, /* run sandboxed; the caller may request escalation (a prompt) */
  RF_APPROVAL_NEVER = 3,      /* never ask: what would need approval is rejected */
  RF_APPROVAL_GRANULAR = 4,   /* like on-request, each prompt category on or auto-rejected */
} RfApprovalMode;

/* An approval policy.  The booleans only count with RF_APPROVAL_GRANULAR: TRUE shows
 * prompts of that category, FALSE rejects them without asking. */
typedef struct {
  RfApprovalMode mode;
  gboolean sandbox_approval;    /* escalations, retries and commands the heuristics question */
  gboolean rules;               /* prompts a prefix_rule(decision="prompt") asks for */
  gboolean mcp_elicitations;    /* an MCP server asks the user for input */
  gboolean request_permissions; /* the agent asks for more permissions */
  gboolean skill_approval;      /* a skill wants to run one of its scripts */
} RfApprovalPolicy;

/* "untrusted", "on-failure", "on-request", "never"; "granular" is refused here (it needs
 * its flags: build the struct, or see the config's approval_policy table). */
gboolean rf_approval_policy_from_string(const char *text, RfApprovalPolicy *policy,
                                        GError **error);
const char *rf_approval_mode_to_string(RfApprovalMode mode);
/* "on-request", or "granular (sandbox_approval=true, rules=false, ...)".  Free with g_free. */
char *rf_approval_policy_describe(const RfApprovalPolicy *policy);

/* What is being asked. */
typedef enum {
  RF_REQUEST_RUN = 0,             /* run argv in the sandbox */
  RF_REQUEST_ESCALATION = 1,      /* run argv outside the sandbox (or with more access) */
  RF_REQUEST_RULE = 2,            /* the caller's own rule wants a person to approve argv */
  RF_REQUEST_MCP_ELICITATION = 3, /* an MCP server asks the user something; argv optional */
  RF_REQUEST_PERMISSION = 4,      /* the agent asks for more permissions; argv optional */
  RF_REQUEST_SKILL_SCRIPT = 5,    /* a skill wants to run the script argv */
} RfRequestKind;

/* "run", "escalation", "rule", "mcp-elicitation", "permission", "skill-script". */
gboolean rf_request_kind_from_string(const char *text, RfRequestKind *kind, GError **error);
const char *rf_request_kind_to_string(RfRequestKind kind);

/* ---- Prefix rules ------------------------------------------------------------ */

typedef struct _RfRules RfRules;

RfRules *rf_rules_new(void);
void rf_rules_free(RfRules *rules);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RfRules, rf_rules_free)

/* Reads a rules file: prefix_rule(pattern=[...], decision=, justification=, match=[...],
 * not_match=[...]) and host_executable(name=, paths=[...]) calls (network_rule(...) is
 * checked and ignored).  Errors read "FILE:LINE:COL: problem".  Every match/not_match
 * example is checked once the file is read; a file whose example disagrees with its rule
 * is refused whole.  On error |rules| is left as it was. */
gboolean rf_rules_load_file(RfRules *rules, const char *path, GError **error);
/* The same for text in memory; |name| stands for the file name in errors. */
gboolean rf_rules_load_data(RfRules *rules, const char *name, const char *data, gssize length,
                            GError **error);
/* Number of prefix rules (a rule whose first pattern word has alternatives counts once
 * per alternative). */
guint rf_rules_get_size(const RfRules *rules);

/* One rule that matched a command. */
typedef struct {
  char *source;           /* "FILE:LINE:COL" of the prefix_rule call */
  char **prefix;          /* the command words the pattern matched (NULL-terminated) */
  RfDecision decision;    /* allow, prompt or forbidden */
  char *justification;    /* or NULL */
  char *resolved_program; /* the absolute program path when it matched a basename rule */
} RfRuleMatch;

void rf_rule_match_free(RfRuleMatch *match);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RfRuleMatch, rf_rule_match_free)

/* Every rule whose pattern is a prefix of |argv|, in file order (RfRuleMatch*, freed with
 * the array).  An absolute program (/usr/bin/git) matches rules for its basename (git)
 * when no rule names the path itself, unless host_executable(name="git", ...) lists paths
 * and this is not one of them. */
GPtrArray *rf_rules_match(const RfRules *rules, const char *const *argv);

/* ---- Deciding ---------------------------------------------------------------- */

typedef struct {
  RfRequestKind kind;
  const char *const *argv;        /* the command (NULL-terminated); needed except for
                                   * mcp-elicitation and permission requests */
  const RfApprovalPolicy *policy; /* NULL: on-request */
  const RfRules *rules;           /* NULL: no rules */
  const char *cwd;                /* where the command runs: a relative program (./git,
                                   * bin/git) is resolved against it before rules are matched;
                                   * NULL: the process's current directory */
} RfApprovalRequest;

typedef struct {
  RfDecision decision;
  char *reason;              /* one line saying why, for people and logs */
  const char *category;      /* the prompt category concerned ("sandbox_approval", "rules",
                              * "mcp_elicitations", "request_permissions", "skill_approval"),
                              * or NULL when no prompt was involved; static */
  gboolean sandboxed;        /* when allowed: whether the command runs in the sandbox */
  GPtrArray *matched_rules;  /* RfRuleMatch*: every rule that matched (never NULL after a
                              * successful call) */
} RfApprovalResult;

/* Frees what a result holds and zeroes it; the struct itself is the caller's. */
void rf_approval_result_clear(RfApprovalResult *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RfApprovalResult, rf_approval_result_clear)

/* Decides |request|.  The command, what command runners in it run (env, nice, timeout, xargs,
 * sudo, ...) and every simple command of the scripts it hands a shell (`bash -lc "..."`,
 * nested, with loops, substitutions and here-documents) are judged one by one, the strictest
 * answer winning; a script not understood completely is never allowed by a rule or the
 * read-only list (docs/approvals.md).
 * Fails (RF_ERROR_CONFIG) only on a malformed request, such as a run without a command.
 * |result| must be zeroed or cleared. */
/* |argv| as one line a person can read and a shell would parse back: plain
 * words as they are, others single-quoted.  Free with g_free. */
char *rf_command_display(const char *const *argv);

gboolean rf_approval_decide(const RfApprovalRequest *request, RfApprovalResult *result,
                            GError **error);

/* ---- Config: config.toml, profiles, -c overrides, and where each setting came from ----
 *
 *   g_autoptr(RfConfig) config = rf_config_new();
 *   rf_config_load_file(config, NULL, &error);            the default file; may be missing
 *   rf_config_add_override(config, "sandbox_mode=\"workspace-write\"", &error);    -c
 *   rf_config_set_profile(config, "ci");                   -p
 *   rf_config_set_flag(config, "sandbox_mode", "read-only", "-s", &error);          flags
 *   rf_config_resolve(config, &error);                     profile chosen, checks done
 *   rf_config_apply(config, policy, &error);               onto an RfPolicy
 *
 * Precedence, highest first: flags, -c overrides, the selected profile, the file,
 * defaults.  Keys ringfence does not know are ignored; a known key with a wrong type or
 * value is an error "FILE:LINE:COL: key 'KEY' ...: expected ...".  docs/config.md lists
 * the keys.
 */

typedef struct _RfConfig RfConfig;

RfConfig *rf_config_new(void);
void rf_config_free(RfConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RfConfig, rf_config_free)

/* $RINGFENCE_HOME/config.toml, else $XDG_CONFIG_HOME/ringfence/config.toml, else
 * ~/.config/ringfence/config.toml.  Free with g_free. */
char *rf_config_default_path(void);

/* Reads a config file.  |path| NULL: the default path, where a missing file is fine; a
 * given |path| must exist.  Only one file is read per config. */
gboolean rf_config_load_file(RfConfig *config, const char *path, GError **error);
/* The same for text in memory; |name| stands for the file name in errors and origins. */
gboolean rf_config_load_data(RfConfig *config, const char *name, const char *data,
                             gssize length, GError **error);

/* A `-c KEY=VALUE` override: KEY a dotted key (sandbox_workspace_write.network_access),
 * VALUE a TOML value (true, "x", ["a"], { ... }); a bare word counts as a string. */
gboolean rf_config_add_override(RfConfig *config, const char *assignment, GError **error);

/* Selects the profile (`-p NAME`), over the file's own `profile = "NAME"`.  Copies. */
void rf_config_set_profile(RfConfig *config, const char *name);

/* A command-line flag, above everything else.  |key| is a setting ("sandbox_mode",
 * "ringfence.network", ...), |value| its text ("true"/"false" for booleans; list settings
 * such as writable roots gain |value| on top of what the config says), |flag| names the
 * flag in origins and errors ("-s"). */
gboolean rf_config_set_flag(RfConfig *config, const char *key, const char *value,
                            const char *flag, GError **error);

/* The directory whose project's rules count ([projects."PATH"] trust_level = "trusted":
 * PATH/.ringfence/rules/); by default the current directory.  Copies. */
void rf_config_set_workdir(RfConfig *config, const char *dir);

/* Chooses the profile (an unknown one is an error naming the defined ones) and checks
 * settings against each other.  Call once, after loading and before the getters. */
gboolean rf_config_resolve(RfConfig *config, GError **error);

/* Sets |policy| from the effective settings: mode, network, writable roots, tmp
 * exclusions, protected names, reads, deny-read, degraded enforcement, Windows mode. */
gboolean rf_config_apply(const RfConfig *config, RfPolicy *policy, GError **error);

/* The approval policy; FALSE when none is configured (|policy| is then on-request). */
gboolean rf_config_get_approval_policy(const RfConfig *config, RfApprovalPolicy *policy);
/* "auto", "bwrap", "landlock", "seatbelt" or "windows".  Owned by |config|. */
const char *rf_config_get_backend(const RfConfig *config);
/* The plugin directory, or NULL for the default.  Owned by |config|. */
const char *rf_config_get_plugin_dir(const RfConfig *config);
/* ringfence.bwrap: the bwrap to run, or NULL for the built-in choice.  Owned by |config|. */
const char *rf_config_get_bwrap(const RfConfig *config);
/* Every writable root the config and the flags name, whatever the sandbox mode, as written
 * (relative ones to the working directory), NULL-terminated.  Owned by |config|. */
const char *const *rf_config_get_writable_roots(const RfConfig *config);
/* Rules files to read, NULL-terminated (maybe empty).  Owned by |config|. */
const char *const *rf_config_get_rules_files(const RfConfig *config);
/* The file read, or NULL.  Owned by |config|. */
const char *rf_config_get_file(const RfConfig *config);
/* The selected profile, or NULL.  Owned by |config|. */
const char *rf_config_get_profile(const RfConfig *config);
/* The profiles a user can choose with -p, for shell completion: the [profiles.NAME] tables of
 * the file read and the NAME.config.toml files next to it (or next to where the default file
 * would be), sorted, each once; names a shell cannot take as one word (whitespace, quotes,
 * control characters) are left out.  Call after rf_config_load_file; free with g_strfreev. */
char **rf_config_list_profiles(const RfConfig *config);
/* Notes worth showing (an unknown -c key, ignored): NULL-terminated, owned by |config|. */
const char *const *rf_config_get_warnings(const RfConfig *config);

/* Appends every setting, its effective value and where it came from ("default",
 * "FILE:LINE", "profile NAME (FILE:LINE)", "-c KEY=VALUE", "flag -s"), one per line, as
 * TOML with the origin in a comment. */
void rf_config_describe(const RfConfig *config, GString *out);
/* Appends the same as JSON object members (no braces): "file", "profile", "settings". */
void rf_config_describe_json(const RfConfig *config, GString *out);

G_END_DECLS

#endif /* RINGFENCE_H */
