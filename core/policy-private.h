/* policy-private.h: the in-memory layout of RfPolicy and RfPlan, shared by the core's own files. */
#pragma once

#include <ringfence/ringfence.h>

struct _RfPolicy {
  rf_sandbox_mode mode;
  rf_network_mode network;
  char *cwd;
  GPtrArray *writable_roots; /* char*, as given */
  gboolean exclude_slash_tmp;
  gboolean exclude_tmpdir_env_var;
  char *tmpdir; /* $TMPDIR when the policy was made, or NULL */
  GPtrArray *protected_names;
  rf_read_access read_access;
  GPtrArray *readable_roots;
  gboolean platform_defaults;
  GPtrArray *deny_read;
  gboolean allow_degraded;
  GArray *pass_fds; /* int */
  char **envp;      /* NULL: the process's environment */
  rf_windows_mode windows_mode;
  gboolean windows_private_desktop;
};

typedef struct {
  char *path;
  GPtrArray *protected_paths; /* char*, NULL-terminated for the ABI */
  char *origin;               /* "working directory", "--writable-root", "/tmp", "$TMPDIR" */
} RfPlanRoot;

struct _RfPlan {
  rf_backend_policy view; /* what plugins see; points into the fields below */
  rf_sandbox_mode mode;
  GArray *roots;          /* RfPlanRoot */
  rf_backend_root *view_roots;
  GPtrArray *readable_roots; /* NULL-terminated */
  GPtrArray *deny_read;      /* NULL-terminated */
  char *cwd;
  GArray *pass_fds;
  GPtrArray *envp; /* NULL-terminated; markers added by rf_plan_check_backend */
  char *run_id;
  gboolean allow_degraded;
  char *backend_name; /* set by rf_plan_check_backend */
};

/* core/protected-paths.c */
GPtrArray *rf_protected_paths_for_root(const char *root, const char *const *names,
                                       GPtrArray *writable_roots);

/* core/guarantees.c */
guint64 rf_guarantees_required(const RfPlan *plan);

/* core/environ.c */
GPtrArray *rf_environ_build(const char *const *base);
void rf_environ_set(GPtrArray *envp, const char *name, const char *value);
const char *rf_environ_get(GPtrArray *envp, const char *name);
