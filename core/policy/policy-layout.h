/* policy-layout.h: the in-memory layout of RfPolicy: policy.c's setters fill it, resolve.c reads it, no other file may. */
#pragma once

#include <ringfence/ringfence.h>
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
