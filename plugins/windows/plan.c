/* plan.c: builds and renders the Windows plan (see plan.h); pure C, no OS calls. */
#include "plan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

static void set_err(char *err, size_t err_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t err_len, const char *fmt, ...) {
  if (err == NULL || err_len == 0)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, err_len, fmt, ap);
  va_end(ap);
}

static void emit(const rf_backend_sink *out, const char *section, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void emit(const rf_backend_sink *out, const char *section, const char *fmt, ...) {
  char line[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (out != NULL && out->emit != NULL)
    out->emit(out->ctx, section, line);
}

/* ---- Capability names ------------------------------------------------------- */

char *rf_win_capability_name(const char *kind, const char *path) {
  static const char prefix[] = "ringfence/v1/";
  size_t nk = strlen(kind), np = strlen(path);
  char *name = malloc(sizeof prefix - 1 + nk + 1 + np + 1);
  if (name == NULL)
    return NULL;
  char *w = name;
  memcpy(w, prefix, sizeof prefix - 1);
  w += sizeof prefix - 1;
  memcpy(w, kind, nk);
  w += nk;
  *w++ = '/';
  for (size_t i = 0; i < np; i++) {
    char c = path[i];
    *w++ = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  *w = '\0';
  return name;
}

/* ---- Guarantee names --------------------------------------------------------- */

static const char *const k_guarantee_names[RF_CAP_COUNT] = {
    "write-confined",      "protected-subpaths", "restricted-read",  "deny-read",
    "network-off",         "private-loopback",   "proxy-only",       "host-unix-sockets",
    "sandbox-unix-sockets", "process-containment", "host-processes", "terminal-injection",
    "kernel-surface",      "fd-isolation",       "private-desktop",
};

const char *rf_win_guarantee_name(uint64_t bit) {
  for (int i = 0; i < RF_CAP_COUNT; i++)
    if (bit == (1ull << i))
      return k_guarantee_names[i];
  return NULL;
}

/* Why a guarantee is not enforced by the Windows backend (for render). */
static const char *not_enforced_reason(uint64_t bit) {
  switch (bit) {
  case RF_CAP_RESTRICTED_READ:
    return "an AppContainer still reads what Windows grants ALL APPLICATION PACKAGES (system "
           "folders), so reads are not limited to the readable roots";
  case RF_CAP_PRIVATE_LOOPBACK:
    return "an AppContainer without network capabilities cannot use loopback either";
  case RF_CAP_PROXY_ONLY:
    return "loopback to a proxy port is blocked for the AppContainer like every other address";
  case RF_CAP_HOST_UNIX_SOCKETS:
    return "AF_UNIX socket files and named pipes follow their own DACLs, not verified here";
  case RF_CAP_SANDBOX_UNIX_SOCKETS:
    return "not verified for AppContainers";
  case RF_CAP_TERMINAL_INJECTION:
    return "with a pseudo console (--pty, or standard input a console) the command cannot reach "
           "yours; otherwise a child sharing the invoking console could write its input";
  case RF_CAP_KERNEL_SURFACE:
    return "no syscall filter on Windows";
  case RF_CAP_PRIVATE_DESKTOP:
    return "sandbox_private_desktop = false";
  default:
    return "not provided in this mode";
  }
}

/* ---- Building ---------------------------------------------------------------- */

static int valid_run_id(const char *id) {
  size_t n = id ? strlen(id) : 0;
  if (n == 0 || n > RF_WIN_RUN_ID_MAX)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
      return 0;
  return 1;
}

static int ascii_ieq_n(const char *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z')
      x = (char)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z')
      y = (char)(y - 'A' + 'a');
    if (x != y)
      return 0;
  }
  return 1;
}

/* 1 when |path| is |root| or below it (either separator; ASCII case-insensitive like NTFS). */
static int path_within(const char *path, const char *root) {
  size_t n = strlen(root);
  while (n > 1 && (root[n - 1] == '\\' || root[n - 1] == '/'))
    n--;
  if (strlen(path) < n || !ascii_ieq_n(path, root, n))
    return 0;
  return path[n] == '\0' || path[n] == '\\' || path[n] == '/';
}

/* The value of |name| in |envp| (names compare case-insensitively, as on Windows), or NULL. */
static const char *env_get(const char *const *envp, const char *name) {
  size_t n = strlen(name);
  for (size_t i = 0; envp != NULL && envp[i] != NULL; i++)
    if (strlen(envp[i]) > n && envp[i][n] == '=' && ascii_ieq_n(envp[i], name, n))
      return envp[i] + n + 1;
  return NULL;
}

static rf_win_acl_step *add_step(rf_win_plan *plan, size_t *cap) {
  if (plan->n_acl == *cap) {
    size_t ncap = *cap ? *cap * 2 : 16;
    rf_win_acl_step *n = realloc(plan->acl, ncap * sizeof *n);
    if (n == NULL)
      return NULL;
    plan->acl = n;
    *cap = ncap;
  }
  rf_win_acl_step *s = &plan->acl[plan->n_acl++];
  memset(s, 0, sizeof *s);
  return s;
}

static rf_win_capability *add_cap(rf_win_plan *plan, size_t *cap, const char *kind, const char *path) {
  if (plan->n_caps == *cap) {
    size_t ncap = *cap ? *cap * 2 : 8;
    rf_win_capability *n = realloc(plan->caps, ncap * sizeof *n);
    if (n == NULL)
      return NULL;
    plan->caps = n;
    *cap = ncap;
  }
  rf_win_capability *c = &plan->caps[plan->n_caps++];
  memset(c, 0, sizeof *c);
  c->kind = kind;
  c->path = path;
  if (path != NULL && (c->name = rf_win_capability_name(kind, path)) == NULL) {
    plan->n_caps--;
    return NULL;
  }
  return c;
}

/* Appends an allow step for the capability SID and, in elevated mode, the
 * same grant for the sandbox group (the account's own access check). */
static int grant(rf_win_plan *plan, size_t *acl_cap, const char *path, const char *cap_name, uint32_t self,
                 uint32_t inherited, int low_label, const char *why) {
  rf_win_acl_step *s = add_step(plan, acl_cap);
  if (s == NULL)
    return -ENOMEM;
  s->path = path;
  s->trustee = RF_WIN_TRUSTEE_CAPABILITY;
  s->cap_name = cap_name;
  s->rights_self = self;
  s->rights_inherited = inherited;
  s->low_label = low_label;
  s->why = why;
  if (plan->windows_mode == RF_WINDOWS_ELEVATED) {
    rf_win_acl_step *g = add_step(plan, acl_cap);
    if (g == NULL)
      return -ENOMEM;
    g->path = path;
    g->trustee = RF_WIN_TRUSTEE_SANDBOX_GROUP;
    g->rights_self = self;
    g->rights_inherited = inherited;
    g->why = "elevated: the sandbox account's own access check";
  }
  return 0;
}

static int deny(rf_win_plan *plan, size_t *acl_cap, const char *path, const char *cap_name, uint32_t rights,
                int placeholder, const char *why) {
  rf_win_acl_step *s = add_step(plan, acl_cap);
  if (s == NULL)
    return -ENOMEM;
  s->path = path;
  s->deny = 1;
  s->trustee = RF_WIN_TRUSTEE_CAPABILITY;
  s->cap_name = cap_name;
  s->rights_self = rights;
  s->rights_inherited = rights;
  s->placeholder = placeholder;
  s->skip_missing = !placeholder;
  s->why = why;
  return 0;
}

static int build_acl(rf_win_plan *plan, const rf_backend_policy *p) {
  size_t acl_cap = 0, caps_cap = 0;

  /* Writable roots: modify below, create-but-not-delete on the root itself,
   * Low label so a Low-integrity AppContainer may write there at all; then
   * every protected path is denied writes, delete and DACL changes for the
   * same SID.  Explicit deny on the protected path outranks the inherited
   * allow from the root, and its inheritable deny outranks it below. */
  for (size_t i = 0; i < p->n_writable_roots; i++) {
    rf_backend_root root = {0};
    const rf_backend_root *src = &p->writable_roots[i];
    memcpy(&root, src, src->size < sizeof root ? src->size : sizeof root);
    if (root.path == NULL)
      continue;
    rf_win_capability *c = add_cap(plan, &caps_cap, "write", root.path);
    if (c == NULL)
      return -ENOMEM;
    if (grant(plan, &acl_cap, root.path, c->name, RF_WIN_RIGHTS_ROOT_SELF, RF_WIN_RIGHTS_MODIFY, 1,
              "writable root") < 0)
      return -ENOMEM;
    for (size_t j = 0; j < root.n_protected; j++) {
      if (root.protected_paths[j] == NULL)
        continue;
      if (deny(plan, &acl_cap, root.protected_paths[j], c->name, RF_WIN_RIGHTS_DENY_WRITE, 1,
               "protected path (read-only; an empty directory holds the name when it does not exist)") <
          0)
        return -ENOMEM;
    }
  }

  /* Reads: the cwd (unless a writable root already covers it), and the
   * readable roots when reads are restricted. */
  int cwd_covered = 0;
  for (size_t i = 0; p->cwd && i < p->n_writable_roots; i++)
    if (p->writable_roots[i].path && path_within(p->cwd, p->writable_roots[i].path))
      cwd_covered = 1;
  if (p->cwd != NULL && !cwd_covered) {
    rf_win_capability *c = add_cap(plan, &caps_cap, "read", p->cwd);
    if (c == NULL || grant(plan, &acl_cap, p->cwd, c->name, RF_WIN_RIGHTS_READ, RF_WIN_RIGHTS_READ, 0,
                           "working directory (read)") < 0)
      return -ENOMEM;
  }
  if (p->read_access == RF_READ_RESTRICTED) {
    for (size_t i = 0; i < p->n_readable_roots; i++) {
      const char *r = p->readable_roots[i];
      if (r == NULL || (p->cwd && !cwd_covered && strcmp(r, p->cwd) == 0))
        continue;
      rf_win_capability *c = add_cap(plan, &caps_cap, "read", r);
      if (c == NULL ||
          grant(plan, &acl_cap, r, c->name, RF_WIN_RIGHTS_READ, RF_WIN_RIGHTS_READ, 0, "readable root") < 0)
        return -ENOMEM;
    }
  }

  /* Full reads stay full reads: an AppContainer (and, elevated, the sandbox account) can read
   * none of the user's own folders, so tools installed per user (Python, Node, Git, Rust under
   * %LOCALAPPDATA%, %APPDATA%, %USERPROFILE%) would not even start.  Each per-user folder gets
   * a read grant for a capability SID the child carries; deny-read paths inside stay denied
   * (their explicit deny outranks the inherited allow). */
  if (p->read_access == RF_READ_FULL) {
    static const struct {
      const char *var, *why;
    } user_dirs[RF_WIN_USER_DIRS_MAX] = {
        {"USERPROFILE", "full reads: %USERPROFILE% (tools installed per user start)"},
        {"LOCALAPPDATA", "full reads: %LOCALAPPDATA% (tools installed per user start)"},
        {"APPDATA", "full reads: %APPDATA% (tools installed per user start)"},
    };
    for (size_t i = 0; i < RF_WIN_USER_DIRS_MAX; i++) {
      const char *dir = env_get(p->envp, user_dirs[i].var);
      if (dir == NULL || dir[0] == '\0')
        continue;
      int covered = 0;
      for (size_t j = 0; j < plan->n_user_dirs; j++)
        covered |= path_within(dir, plan->user_dirs[j]);
      for (size_t j = 0; j < p->n_writable_roots; j++)
        covered |= p->writable_roots[j].path && path_within(dir, p->writable_roots[j].path);
      if (covered)
        continue;
      rf_win_capability *c = add_cap(plan, &caps_cap, "read", dir);
      if (c == NULL || grant(plan, &acl_cap, dir, c->name, RF_WIN_RIGHTS_READ, RF_WIN_RIGHTS_READ, 0,
                             user_dirs[i].why) < 0)
        return -ENOMEM;
      plan->user_dirs[plan->n_user_dirs] = dir;
      plan->user_dir_vars[plan->n_user_dirs++] = user_dirs[i].var;
    }
  }

  /* Deny-read paths: a per-path SID the child carries, denied read and write. */
  for (size_t i = 0; i < p->n_deny_read; i++) {
    const char *d = p->deny_read[i];
    if (d == NULL)
      continue;
    rf_win_capability *c = add_cap(plan, &caps_cap, "deny-read", d);
    if (c == NULL || deny(plan, &acl_cap, d, c->name, RF_WIN_RIGHTS_DENY_READ, 0, "deny-read path") < 0)
      return -ENOMEM;
  }

  /* Network capabilities exist only for network = on. */
  if (p->network == RF_NETWORK_ON) {
    static const struct {
      const char *sid, *kind;
    } net[] = {
        {RF_WIN_SID_INTERNET_CLIENT, "internetClient"},
        {RF_WIN_SID_INTERNET_CLIENT_SERVER, "internetClientServer"},
        {RF_WIN_SID_PRIVATE_NETWORK, "privateNetworkClientServer"},
    };
    for (size_t i = 0; i < sizeof net / sizeof net[0]; i++) {
      rf_win_capability *c = add_cap(plan, &caps_cap, net[i].kind, NULL);
      if (c == NULL)
        return -ENOMEM;
      snprintf(c->sid, sizeof c->sid, "%s", net[i].sid);
    }
  }
  return 0;
}

int rf_win_plan_build(const rf_win_plan_input *in, rf_win_plan *plan, char *err, size_t err_len) {
  memset(plan, 0, sizeof *plan);
  if (in == NULL || in->policy == NULL) {
    set_err(err, err_len, "windows: no policy");
    return -EINVAL;
  }
  /* Read only the fields the producer had; the rest stays zero. */
  rf_backend_policy p;
  memset(&p, 0, sizeof p);
  memcpy(&p, in->policy, in->policy->size < sizeof p ? in->policy->size : sizeof p);

  if (p.mode > RF_SANDBOX_DANGER_FULL_ACCESS || p.network > RF_NETWORK_PROXY ||
      p.windows_mode > RF_WINDOWS_ELEVATED) {
    set_err(err, err_len, "windows: policy has an unknown mode (sandbox %u, network %u, windows %u)",
            p.mode, p.network, p.windows_mode);
    return -EINVAL;
  }
  if (!valid_run_id(p.run_id)) {
    set_err(err, err_len,
            "windows: run_id \"%s\" is not 1-%d characters of [a-z0-9-]; it names the AppContainer "
            "profile and the desktop",
            p.run_id ? p.run_id : "(null)", RF_WIN_RUN_ID_MAX);
    return -EINVAL;
  }
  if (p.n_pass_fds > 0) {
    set_err(err, err_len,
            "windows: --pass-fd is not supported by the windows backend (descriptors are POSIX); "
            "drop --pass-fd");
    return -ENOTSUP;
  }
  if (p.mode != RF_SANDBOX_WORKSPACE_WRITE && p.n_writable_roots > 0) {
    set_err(err, err_len, "windows: writable roots given outside workspace-write");
    return -EINVAL;
  }

  plan->windows_mode = p.windows_mode;
  plan->sandbox_mode = p.mode;
  plan->read_access = p.read_access;
  plan->network = p.network;
  plan->run_id = p.run_id;
  plan->cwd = p.cwd;
  plan->required = p.required;
  plan->inherit_env = p.envp == NULL;
  for (size_t i = 0; p.envp != NULL && p.envp[i] != NULL; i++)
    plan->n_env++;
  plan->token = p.mode == RF_SANDBOX_DANGER_FULL_ACCESS ? RF_WIN_TOKEN_CALLER : RF_WIN_TOKEN_APPCONTAINER;
  snprintf(plan->appcontainer_name, sizeof plan->appcontainer_name, "%s%s", RF_WIN_APPCONTAINER_PREFIX,
           p.run_id);
  if (plan->token == RF_WIN_TOKEN_APPCONTAINER && p.windows_mode == RF_WINDOWS_ELEVATED)
    plan->account = p.network == RF_NETWORK_ON ? RF_WIN_ACCOUNT_ONLINE : RF_WIN_ACCOUNT_OFFLINE;

  plan->private_desktop = (p.flags & RF_POLICY_WINDOWS_PRIVATE_DESKTOP) != 0;
  plan->console = (p.flags & RF_POLICY_WINDOWS_PTY) ? RF_WIN_CONSOLE_PTY : RF_WIN_CONSOLE_AUTO;
  /* An SSH session (OpenSSH's server runs it in a non-interactive window station) can create
   * no desktop; it has no interactive one either, so there is nothing to keep the command
   * away from: the private desktop is skipped, and render says so. */
  static const char *const ssh_vars[] = {"SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"};
  for (size_t i = 0; i < sizeof ssh_vars / sizeof ssh_vars[0] && plan->ssh_var == NULL; i++)
    if (env_get(p.envp, ssh_vars[i]) != NULL)
      plan->ssh_var = ssh_vars[i];
  if (plan->private_desktop && plan->ssh_var != NULL)
    plan->private_desktop = 0;
  if (plan->private_desktop) {
    char hex[2 * RF_WIN_DESKTOP_RANDOM_BYTES + 1];
    if (in->random != NULL) {
      for (int i = 0; i < RF_WIN_DESKTOP_RANDOM_BYTES; i++)
        snprintf(hex + 2 * i, 3, "%02x", in->random[i]);
    } else {
      snprintf(hex, sizeof hex, "<random>");
    }
    snprintf(plan->desktop_name, sizeof plan->desktop_name, "%s%s-%s", RF_WIN_DESKTOP_PREFIX, p.run_id,
             hex);
  } else {
    snprintf(plan->desktop_name, sizeof plan->desktop_name, "Default");
  }

  /* No breakaway flag is ever set: children stay in the job. */
  plan->job_limits = RF_WIN_JOB_LIMIT_KILL_ON_JOB_CLOSE | RF_WIN_JOB_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
  plan->job_ui_limits = RF_WIN_JOB_UILIMIT_ALL;

  if (plan->token == RF_WIN_TOKEN_APPCONTAINER) {
    int r = build_acl(plan, &p);
    if (r < 0) {
      rf_win_plan_clear(plan);
      set_err(err, err_len, "windows: out of memory building the ACL plan");
      return r;
    }
  }

  /* Command line. */
  if (in->argv == NULL || in->argv[0] == NULL) {
    rf_win_plan_clear(plan);
    set_err(err, err_len, "windows: no command to run");
    return -EINVAL;
  }
  plan->cmd_exe = in->cmd_exe ? in->cmd_exe : "%SystemRoot%\\System32\\cmd.exe";
  plan->batch = rf_win_is_batch_file(in->argv[0]);
  int r = plan->batch ? rf_win_cmdline_for_batch(plan->cmd_exe, in->argv, &plan->command_line, err, err_len)
                      : rf_win_cmdline_quote(in->argv, &plan->command_line, err, err_len);
  if (r < 0) {
    rf_win_plan_clear(plan);
    return r;
  }

  /* Guarantees. */
  if (plan->token == RF_WIN_TOKEN_CALLER) {
    plan->enforced = RF_CAP_PROCESS_CONTAINMENT;
    if (plan->private_desktop)
      plan->enforced |= RF_CAP_PRIVATE_DESKTOP;
  } else {
    plan->enforced = RF_WIN_CAPS_SANDBOX;
    if (!plan->private_desktop && plan->ssh_var == NULL)
      plan->enforced &= ~RF_CAP_PRIVATE_DESKTOP;
    if (p.network == RF_NETWORK_ON)
      plan->enforced &= ~RF_CAP_NETWORK_OFF;
  }
  plan->missing = p.required & ~plan->enforced & ~p.degraded;
  plan->dropped = p.required & ~plan->enforced & p.degraded;
  return 0;
}

void rf_win_plan_clear(rf_win_plan *plan) {
  free(plan->acl);
  for (size_t i = 0; plan->caps != NULL && i < plan->n_caps; i++)
    free(plan->caps[i].name);
  free(plan->caps);
  free(plan->command_line);
  memset(plan, 0, sizeof *plan);
}

void rf_win_plan_missing_message(const rf_win_plan *plan, char *err, size_t err_len) {
  char names[512] = "";
  size_t used = 0;
  for (int i = 0; i < RF_CAP_COUNT; i++) {
    if (!(plan->missing & (1ull << i)))
      continue;
    int n = snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", k_guarantee_names[i]);
    if (n < 0 || (size_t)n >= sizeof names - used)
      break;
    used += (size_t)n;
  }
  set_err(err, err_len,
          "windows: the policy requires guarantees this mode does not enforce: %s; change the "
          "policy or pass --allow-degraded",
          names);
}

/* ---- Rendering ----------------------------------------------------------------- */

static const char *sandbox_mode_name(uint32_t m) {
  return m == RF_SANDBOX_READ_ONLY ? "read-only" : m == RF_SANDBOX_WORKSPACE_WRITE ? "workspace-write"
                                                                                      : "danger-full-access";
}

static const char *network_name(uint32_t n) {
  return n == RF_NETWORK_OFF ? "off" : n == RF_NETWORK_ON ? "on" : "proxy";
}

static void rights_text(uint32_t r, char *buf, size_t len) {
  if (r == 0)
    snprintf(buf, len, "none");
  else if (r == RF_WIN_RIGHTS_MODIFY)
    snprintf(buf, len, "modify(no delete-child, no write-dac/owner)");
  else if (r == RF_WIN_RIGHTS_ROOT_SELF)
    snprintf(buf, len, "modify-without-delete");
  else if (r == RF_WIN_RIGHTS_READ)
    snprintf(buf, len, "read+execute");
  else if (r == RF_WIN_RIGHTS_DENY_WRITE)
    snprintf(buf, len, "write,append,write-ea,write-attributes,delete,delete-child,write-dac,write-owner");
  else if (r == RF_WIN_RIGHTS_DENY_READ)
    snprintf(buf, len, "read,execute + all write rights");
  else
    snprintf(buf, len, "0x%08x", r);
}

static void render_token(const rf_win_plan *plan, const rf_backend_sink *out) {
  if (plan->token == RF_WIN_TOKEN_CALLER) {
    emit(out, "token", "caller's own token (danger-full-access: no AppContainer, no ACL changes)");
    return;
  }
  if (plan->account != NULL) {
    emit(out, "token",
         "logon: local account %s (CreateProcessWithLogonW, password from the DPAPI store %s written "
         "by `ringfence setup --windows`)",
         plan->account, RF_WIN_CREDENTIALS_FILE);
    emit(out, "token",
         "runner: %s (in the ringfence helper directory) runs as %s and creates the AppContainer "
         "child below; the runner is in the job too",
         RF_WIN_RUNNER_NAME, plan->account);
  }
  emit(out, "token",
       "AppContainer (LowBox) token: profile %s, created for this run and deleted after it; its SID is "
       "derived by Windows from the profile name",
       plan->appcontainer_name);
  emit(out, "token",
       "integrity Low (implied by AppContainer); no privileges beyond those Windows leaves a LowBox "
       "token; writes need a grant to the AppContainer or one of its capabilities");
  if (plan->n_caps == 0)
    emit(out, "token", "capabilities: none");
  int named = 0;
  for (size_t i = 0; i < plan->n_caps; i++) {
    const rf_win_capability *c = &plan->caps[i];
    if (c->name != NULL && c->sid[0] == '\0')
      emit(out, "token", "capability " RF_WIN_CAPABILITY_NAME_TAG "%s %s %s", c->name, c->kind,
           c->path);
    else if (c->name != NULL) /* on Windows, render shows the SID Windows derived as well */
      emit(out, "token", "capability %s " RF_WIN_CAPABILITY_NAME_TAG "%s %s %s", c->sid, c->name,
           c->kind, c->path);
    else if (c->path != NULL)
      emit(out, "token", "capability %s %s %s", c->sid, c->kind, c->path);
    else
      emit(out, "token", "capability %s %s", c->sid, c->kind);
    named |= c->name != NULL;
  }
  if (named)
    emit(out, "token",
         "a capability shown as " RF_WIN_CAPABILITY_NAME_TAG "NAME gets the SID Windows derives "
         "from NAME at launch (DeriveCapabilitySidsFromName, S-1-15-3-1024-...): the same name "
         "gives the same SID on every run and machine");
}

static void render_acl(const rf_win_plan *plan, const rf_backend_sink *out) {
  if (plan->token == RF_WIN_TOKEN_CALLER) {
    emit(out, "acl", "none");
    return;
  }
  if (plan->n_acl == 0)
    emit(out, "acl", "none: no writable path (writes only where Windows grants ALL APPLICATION "
                     "PACKAGES, plus the run's own AppContainer profile folder)");
  for (size_t i = 0; i < plan->n_acl; i++) {
    const rf_win_acl_step *s = &plan->acl[i];
    char self[128], inh[128];
    rights_text(s->rights_self, self, sizeof self);
    rights_text(s->rights_inherited, inh, sizeof inh);
    int by_name = s->trustee == RF_WIN_TRUSTEE_CAPABILITY && s->sid[0] == '\0' && s->cap_name;
    const char *who = s->trustee == RF_WIN_TRUSTEE_SANDBOX_GROUP ? RF_WIN_GROUP_NAME
                      : by_name                                  ? s->cap_name
                                                                 : s->sid;
    emit(out, "acl", "%s %s%s self=%s inherited=%s%s%s %s  # %s", s->deny ? "deny" : "allow",
         by_name ? RF_WIN_CAPABILITY_NAME_TAG : "", who, self,
         inh, s->low_label ? " label=Low(inherited)" : "", s->placeholder ? " placeholder-if-missing" : "",
         s->path, s->why);
  }
  emit(out, "acl",
       "ACEs use stable per-path capability SIDs and stay after the run (later runs reuse "
       "them); see docs/windows.md to remove them");
}

static void render_job(const rf_win_plan *plan, const rf_backend_sink *out) {
  static const struct {
    uint32_t bit;
    const char *name;
  } limits[] = {
      {RF_WIN_JOB_LIMIT_KILL_ON_JOB_CLOSE, "JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE"},
      {RF_WIN_JOB_LIMIT_DIE_ON_UNHANDLED_EXCEPTION, "JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION"},
      {RF_WIN_JOB_LIMIT_BREAKAWAY_OK, "JOB_OBJECT_LIMIT_BREAKAWAY_OK"},
      {RF_WIN_JOB_LIMIT_SILENT_BREAKAWAY_OK, "JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK"},
  },
    ui[] = {
        {RF_WIN_JOB_UILIMIT_HANDLES, "JOB_OBJECT_UILIMIT_HANDLES"},
        {RF_WIN_JOB_UILIMIT_READCLIPBOARD, "JOB_OBJECT_UILIMIT_READCLIPBOARD"},
        {RF_WIN_JOB_UILIMIT_WRITECLIPBOARD, "JOB_OBJECT_UILIMIT_WRITECLIPBOARD"},
        {RF_WIN_JOB_UILIMIT_SYSTEMPARAMETERS, "JOB_OBJECT_UILIMIT_SYSTEMPARAMETERS"},
        {RF_WIN_JOB_UILIMIT_DISPLAYSETTINGS, "JOB_OBJECT_UILIMIT_DISPLAYSETTINGS"},
        {RF_WIN_JOB_UILIMIT_GLOBALATOMS, "JOB_OBJECT_UILIMIT_GLOBALATOMS"},
        {RF_WIN_JOB_UILIMIT_DESKTOP, "JOB_OBJECT_UILIMIT_DESKTOP"},
        {RF_WIN_JOB_UILIMIT_EXITWINDOWS, "JOB_OBJECT_UILIMIT_EXITWINDOWS"},
    };
  emit(out, "job", "one job object per run; the process is created suspended, assigned, then resumed");
  for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
    emit(out, "job", "%s %s", (plan->job_limits & limits[i].bit) ? "set" : "not-set", limits[i].name);
  for (size_t i = 0; i < sizeof ui / sizeof ui[0]; i++)
    emit(out, "job", "%s %s", (plan->job_ui_limits & ui[i].bit) ? "set" : "not-set", ui[i].name);
  emit(out, "job", "when the command exits, the rest of the job is terminated; closing the job kills "
                   "anything left");
}

static void render_network(const rf_win_plan *plan, const rf_backend_sink *out) {
  if (plan->token == RF_WIN_TOKEN_CALLER) {
    emit(out, "network", "not restricted (danger-full-access)");
    return;
  }
  if (plan->network == RF_NETWORK_ON) {
    emit(out, "network",
         "allowed: AppContainer capabilities internetClient, internetClientServer, "
         "privateNetworkClientServer");
    if (plan->account != NULL)
      emit(out, "network", "account %s is not covered by the ringfence WFP block filters", plan->account);
    return;
  }
  emit(out, "network",
       "denied (enforced): AppContainer token without internetClient, internetClientServer or "
       "privateNetworkClientServer; Windows network isolation drops its IPv4/IPv6 traffic, loopback "
       "included");
  if (plan->network == RF_NETWORK_PROXY)
    emit(out, "network", "proxy: the loopback proxy is unreachable too (proxy-only is not enforceable)");
  if (plan->account != NULL)
    emit(out, "network",
         "denied (enforced, second layer): persistent WFP filters installed by setup block every "
         "connect and accept of account %s at FWPM_LAYER_ALE_AUTH_CONNECT_V4/V6 and "
         "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4/V6 (condition FWPM_CONDITION_ALE_USER_ID)",
         plan->account);
}

void rf_win_plan_render(const rf_win_plan *plan, const rf_backend_sink *out) {
  emit(out, "parameters", "[windows] sandbox = \"%s\"",
       plan->windows_mode == RF_WINDOWS_ELEVATED ? "elevated" : "unelevated");
  emit(out, "parameters", "[windows] sandbox_private_desktop = %s", plan->private_desktop ? "true" : "false");
  emit(out, "parameters", "sandbox_mode = %s", sandbox_mode_name(plan->sandbox_mode));
  emit(out, "parameters", "network = %s", network_name(plan->network));
  emit(out, "parameters", "run_id = %s", plan->run_id);

  render_token(plan, out);
  render_acl(plan, out);

  if (plan->private_desktop) {
    emit(out, "desktop", "private desktop WinSta0\\%s, created for this run, closed after it",
         plan->desktop_name);
    emit(out, "desktop",
         "desktop DACL: the invoking user (full), the sandbox (%s: read objects, create windows and "
         "menus, write objects); nobody else",
         plan->token == RF_WIN_TOKEN_CALLER ? "caller"
         : plan->account                    ? "AppContainer SID and sandbox account"
                                            : "AppContainer SID");
  } else if (plan->ssh_var != NULL) {
    emit(out, "desktop",
         "private desktop skipped: this is an SSH session (%s is set), where no desktop can be "
         "created; the session's window station is not interactive, so no window or input of the "
         "user's is reachable from it; the job's UI limits still apply",
         plan->ssh_var);
  } else {
    emit(out, "desktop",
         "default desktop WinSta0\\Default (sandbox_private_desktop = false): the child shares the "
         "user's desktop, its windows and input; the job's UI limits still apply");
  }

  if (plan->token == RF_WIN_TOKEN_APPCONTAINER && plan->read_access == RF_READ_RESTRICTED) {
    emit(out, "reads",
         "restricted: the working directory, writable and readable roots, and what Windows lets "
         "AppContainers read (system folders)");
  } else if (plan->token == RF_WIN_TOKEN_APPCONTAINER) {
    emit(out, "reads", "%s",
         plan->n_user_dirs
             ? "full: what Windows lets AppContainers read (system folders), the working directory "
               "and writable roots, and the per-user folders below, so that tools installed per user "
               "start"
             : "full: what Windows lets AppContainers read (system folders), the working directory "
               "and writable roots (no per-user folder in the environment)");
    for (size_t i = 0; i < plan->n_user_dirs; i++)
      emit(out, "reads", "per-user folder %%%s%% %s: read grant (capability SID above)%s",
           plan->user_dir_vars[i], plan->user_dirs[i],
           plan->account ? " and for the sandbox account" : "");
    if (plan->network == RF_NETWORK_OFF)
      emit(out, "reads",
           "full reads and network off together in this mode: reads are granted by ACEs, the "
           "network is cut by the AppContainer%s, so neither gives way to the other",
           plan->account ? " and WFP" : "");
  }

  if (plan->console == RF_WIN_CONSOLE_PTY && plan->account != NULL)
    emit(out, "console",
         "ConPTY when standard input is a console: in elevated mode the runner (as the sandbox "
         "account) makes it and --pty cannot force one when standard input is a file or pipe");
  else if (plan->console == RF_WIN_CONSOLE_PTY)
    emit(out, "console",
         "ConPTY (--pty): the command gets a pseudo console of its own; ringfence copies your "
         "input to it and its output to you, so it cannot write to your console's input buffer");
  else
    emit(out, "console",
         "ConPTY when standard input is a console (decided at launch): a pseudo console of its "
         "own, as with --pty; otherwise the standard handles are passed as they are");

  render_job(plan, out);
  render_network(plan, out);

  if (plan->batch)
    emit(out, "command", "batch file: run through %s with every argument quoted for cmd.exe", plan->cmd_exe);
  emit(out, "command", "command line: %s", plan->command_line);
  emit(out, "command", "cwd: %s", plan->cwd ? plan->cwd : "(inherited)");
  if (plan->inherit_env)
    emit(out, "command", "environment: inherited");
  else
    emit(out, "command", "environment: %lu variables from the policy", (unsigned long)plan->n_env);
  emit(out, "command", "inherited handles: standard input, output and error only");

  for (int i = 0; i < RF_CAP_COUNT; i++) {
    uint64_t bit = 1ull << i;
    if (plan->enforced & bit)
      emit(out, "guarantees", "enforced: %s", k_guarantee_names[i]);
  }
  for (int i = 0; i < RF_CAP_COUNT; i++) {
    uint64_t bit = 1ull << i;
    if (plan->enforced & bit)
      continue;
    const char *state = (plan->missing & bit)   ? "REFUSED (required, not enforced)"
                        : (plan->dropped & bit) ? "degraded (required, accepted by --allow-degraded)"
                                                : "not enforced";
    emit(out, "guarantees", "%s: %s: %s", state, k_guarantee_names[i], not_enforced_reason(bit));
  }
  if (plan->token == RF_WIN_TOKEN_APPCONTAINER)
    emit(out, "guarantees",
         "note: reads outside the working directory, writable and readable roots are limited to "
         "what Windows lets AppContainers read");
}

/* ---- Setup plan -------------------------------------------------------------------- */

static const rf_win_setup_item k_setup_items[] = {
    {RF_WIN_SETUP_GROUP, RF_WIN_GROUP_NAME, NULL, NULL,
     "local group of the sandbox accounts; ringfence grants it access to writable roots per run"},
    {RF_WIN_SETUP_ACCOUNT, RF_WIN_ACCOUNT_OFFLINE, RF_WIN_ACCOUNT_OFFLINE, NULL,
     "local user (member of Users and " RF_WIN_GROUP_NAME "), random 32-character password, "
     "password never expires; runs commands with network off or proxy"},
    {RF_WIN_SETUP_ACCOUNT, RF_WIN_ACCOUNT_ONLINE, RF_WIN_ACCOUNT_ONLINE, NULL,
     "local user (member of Users and " RF_WIN_GROUP_NAME "), random 32-character password, "
     "password never expires; runs commands with network on"},
    {RF_WIN_SETUP_HIDE_ACCOUNT, RF_WIN_USERLIST_KEY "\\" RF_WIN_ACCOUNT_OFFLINE, RF_WIN_ACCOUNT_OFFLINE, NULL,
     "REG_DWORD 0: hide the account from the sign-in screen"},
    {RF_WIN_SETUP_HIDE_ACCOUNT, RF_WIN_USERLIST_KEY "\\" RF_WIN_ACCOUNT_ONLINE, RF_WIN_ACCOUNT_ONLINE, NULL,
     "REG_DWORD 0: hide the account from the sign-in screen"},
    {RF_WIN_SETUP_WFP_PROVIDER, "{2a7bf985-e29b-4115-bdb9-244353cf2782}", NULL, NULL,
     "persistent WFP provider \"ringfence\""},
    {RF_WIN_SETUP_WFP_SUBLAYER, "{98c4b991-7a19-44a4-be46-a1bbe18ec7a7}", NULL, NULL,
     "persistent WFP sublayer \"ringfence sandbox accounts\", weight 0xffff"},
    {RF_WIN_SETUP_WFP_FILTER, "{1f772292-c766-4b81-8c42-10e5d9bb51dc}", RF_WIN_ACCOUNT_OFFLINE,
     "FWPM_LAYER_ALE_AUTH_CONNECT_V4", "persistent block filter: outbound IPv4 of the account"},
    {RF_WIN_SETUP_WFP_FILTER, "{f475c3ac-6104-4a71-86ec-7e59ff0b0064}", RF_WIN_ACCOUNT_OFFLINE,
     "FWPM_LAYER_ALE_AUTH_CONNECT_V6", "persistent block filter: outbound IPv6 of the account"},
    {RF_WIN_SETUP_WFP_FILTER, "{a6a4574c-02a7-47c0-affc-ad6335f9dab1}", RF_WIN_ACCOUNT_OFFLINE,
     "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4", "persistent block filter: inbound IPv4 to the account"},
    {RF_WIN_SETUP_WFP_FILTER, "{f3cd433c-6d65-4797-bb96-69437b14d1e6}", RF_WIN_ACCOUNT_OFFLINE,
     "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6", "persistent block filter: inbound IPv6 to the account"},
    {RF_WIN_SETUP_CREDENTIALS, RF_WIN_CREDENTIALS_FILE, NULL, NULL,
     "both passwords, encrypted with DPAPI for the user who ran setup (only that user can read them)"},
    {RF_WIN_SETUP_PROFILE, "C:\\Users\\" RF_WIN_ACCOUNT_OFFLINE, RF_WIN_ACCOUNT_OFFLINE, NULL,
     "user profile Windows creates at the account's first run (removed with the account)"},
    {RF_WIN_SETUP_PROFILE, "C:\\Users\\" RF_WIN_ACCOUNT_ONLINE, RF_WIN_ACCOUNT_ONLINE, NULL,
     "user profile Windows creates at the account's first run (removed with the account)"},
};

const char *rf_win_wfp_layer_guid(const char *layer) {
  static const struct {
    const char *name, *guid;
  } layers[] = {
      {"FWPM_LAYER_ALE_AUTH_CONNECT_V4", "{c38d57d1-05a7-4c33-904f-7fbceee60e82}"},
      {"FWPM_LAYER_ALE_AUTH_CONNECT_V6", "{4a72393b-319f-44bc-84c3-ba54dcb3b6b4}"},
      {"FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4", "{e1cd9fe7-f4b5-4273-96c0-592e487b8650}"},
      {"FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6", "{a3b42c97-9f04-4672-b87e-cee9c483257f}"},
  };
  for (size_t i = 0; layer != NULL && i < sizeof layers / sizeof layers[0]; i++)
    if (strcmp(layer, layers[i].name) == 0)
      return layers[i].guid;
  return NULL;
}

const rf_win_setup_item *rf_win_setup_items(size_t *n) {
  *n = sizeof k_setup_items / sizeof k_setup_items[0];
  return k_setup_items;
}

static const char *setup_kind_name(uint32_t kind) {
  switch (kind) {
  case RF_WIN_SETUP_GROUP:
    return "local-group";
  case RF_WIN_SETUP_ACCOUNT:
    return "local-user";
  case RF_WIN_SETUP_HIDE_ACCOUNT:
    return "registry-value";
  case RF_WIN_SETUP_WFP_PROVIDER:
    return "wfp-provider";
  case RF_WIN_SETUP_WFP_SUBLAYER:
    return "wfp-sublayer";
  case RF_WIN_SETUP_WFP_FILTER:
    return "wfp-filter";
  case RF_WIN_SETUP_CREDENTIALS:
    return "file";
  case RF_WIN_SETUP_PROFILE:
    return "user-profile";
  default:
    return "?";
  }
}

void rf_win_setup_render(int remove, const rf_backend_sink *out) {
  size_t n;
  const rf_win_setup_item *items = rf_win_setup_items(&n);
  emit(out, "plan", "%s (needs an administrator; run as the user who will run ringfence):",
       remove ? "ringfence setup --backend windows --remove deletes"
              : "ringfence setup --backend windows adds");
  for (size_t k = 0; k < n; k++) {
    const rf_win_setup_item *it = &items[remove ? n - 1 - k : k];
    if (it->kind == RF_WIN_SETUP_WFP_FILTER)
      emit(out, "plan", "%s %s %s layer=%s user=%s: %s", remove ? "remove" : "add", setup_kind_name(it->kind),
           it->name, it->layer, it->account, it->detail);
    else
      emit(out, "plan", "%s %s %s: %s", remove ? "remove" : "add", setup_kind_name(it->kind), it->name,
           it->detail);
  }
}
