/* plan-layout.h: the in-memory layout of RfPlan: resolve.c makes it; guarantees, describe, sandbox and new-repos read it. */
#pragma once

#include <ringfence/ringfence.h>
#include "netproxy-launch.h"

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
