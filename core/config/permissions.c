/* permissions.c: permission profiles ([permissions.NAME] with filesystem and network entries,
 * chosen by default_permissions) as the agent CLI's users write them: read, merged over the
 * config layers, applied to an RfPolicy.  Layers and other keys are config.c's business. */
#include "permissions.h"

#include "util/quote.h"

#include <pwd.h>
#include <string.h>
#include <unistd.h>

/*
 * The forms read (docs/config.md, "Permission profiles"), as the other CLI (codex-cli 0.171.0)
 * accepts them:
 *
 *   default_permissions = "NAME" | ":read-only" | ":workspace" | ":danger-full-access"
 *   [permissions.NAME.filesystem]
 *   ":root" = "read"                       everything readable (else reads are restricted)
 *   ":minimal" = "read"                    the platform defaults programs need to start
 *   ":project_roots" = "write"             the working directory (":workspace_roots" too)
 *   ":project_roots" = { "." = "write", "secrets" = "none", "docs" = "read" }
 *   (a subpath or path with "none" may be a glob pattern, such as .env* or any-depth .pem files)
 *   ":slash_tmp" = "write"   ":tmpdir" = "write"
 *   "/abs/path" = "read" | "write" | "none"      "~/path" = ...      globs with "none"
 *   glob_scan_max_depth = 3
 *   [permissions.NAME.network]
 *   enabled = true
 *
 * Stricter than that CLI, on purpose: an unknown ":name", an unknown key in a profile or its
 * network table, and an access that cannot be honoured are errors, never ignored.
 */

typedef enum { ENTRY_DEFINED, ENTRY_FS, ENTRY_DEPTH, ENTRY_NETWORK } EntryKind;

typedef struct {
  char *profile;
  EntryKind kind;
  char *base;   /* ENTRY_FS: ":root", ":minimal", ":project_roots", ":tmpdir", ":slash_tmp" or an
                 * absolute path (~ expanded) */
  char *sub;    /* ENTRY_FS: "." or a relative path (may be a glob) */
  char *access; /* ENTRY_FS: "none", "read" or "write" */
  gboolean enabled; /* ENTRY_NETWORK */
  guint depth;      /* ENTRY_DEPTH */
  char *origin;
} PermEntry;

static void entry_free(gpointer data) {
  PermEntry *e = data;
  g_free(e->profile);
  g_free(e->base);
  g_free(e->sub);
  g_free(e->access);
  g_free(e->origin);
  g_free(e);
}

GPtrArray *rf_permissions_layer_new(void) {
  return g_ptr_array_new_with_free_func(entry_free);
}

static const char *const builtins[] = {":read-only", ":workspace", ":danger-full-access", NULL};
static const char *const specials[] = {":root", ":minimal", ":project_roots", ":workspace_roots",
                                       ":tmpdir", ":slash_tmp", NULL};
static const char *const accesses[] = {"none", "read", "write", NULL};

gboolean rf_permissions_is_builtin(const char *name) {
  return g_strv_contains(builtins, name);
}

/* ---- Reading ------------------------------------------------------------------------ */

static gboolean perm_error(const RfPermReader *r, const RfTomlValue *value, const char *key,
                           const char *format, ...) G_GNUC_PRINTF(4, 5);
static gboolean perm_error(const RfPermReader *r, const RfTomlValue *value, const char *key,
                           const char *format, ...) {
  va_list args;
  va_start(args, format);
  g_autofree char *detail = g_strdup_vprintf(format, args);
  va_end(args);
  g_autofree char *full =
      r->profile ? g_strdup_printf("profiles.%s.%s", r->profile, key) : g_strdup(key);
  g_autofree char *shown = rf_quote(full, -1);
  if (r->file) {
    g_autofree char *where = rf_path_excerpt(r->file);
    g_set_error(r->error, RF_ERROR, RF_ERROR_CONFIG, "%s:%u:%u: key %s %s", where,
                rf_toml_value_line(value), rf_toml_value_column(value), shown, detail);
  } else {
    g_autofree char *where = rf_excerpt(r->assignment);
    g_set_error(r->error, RF_ERROR, RF_ERROR_CONFIG, "-c %s: key %s %s", where, shown, detail);
  }
  return FALSE;
}

static char *origin_of(const RfPermReader *r, const RfTomlValue *value) {
  if (!r->file) {
    g_autofree char *assignment = rf_excerpt(r->assignment);
    return g_strdup_printf("-c %s", assignment);
  }
  g_autofree char *file = rf_path_excerpt(r->file);
  return g_strdup_printf("%s:%u", file, rf_toml_value_line(value));
}

static const char *type_of(const RfTomlValue *value) {
  return rf_toml_type_name(rf_toml_value_type(value));
}

/* A string without NUL characters, or NULL. */
static const char *plain_string(const RfTomlValue *value) {
  if (rf_toml_value_type(value) != RF_TOML_STRING)
    return NULL;
  const char *text = rf_toml_value_string(value);
  return strlen(text) == rf_toml_value_string_length(value) ? text : NULL;
}

static const char *home_dir(void) {
  const char *home = g_getenv("HOME");
  if (home && g_path_is_absolute(home))
    return home;
  struct passwd *pw = getpwuid(getuid());
  return pw && pw->pw_dir && g_path_is_absolute(pw->pw_dir) ? pw->pw_dir : NULL;
}

/* A relative path below a base: no empty, "." or ".." component (but "." alone). */
static gboolean sub_path_ok(const char *sub) {
  if (g_str_equal(sub, "."))
    return TRUE;
  if (!*sub || sub[0] == '/')
    return FALSE;
  g_auto(GStrv) parts = g_strsplit(sub, "/", -1);
  for (guint i = 0; parts[i]; i++) {
    if (g_str_equal(parts[i], ".") || g_str_equal(parts[i], ".."))
      return FALSE;
    if (!*parts[i] && parts[i + 1]) /* "a//b"; a trailing "/" is fine */
      return FALSE;
  }
  return TRUE;
}

static gboolean add_fs(const RfPermReader *r, GPtrArray *layer, const char *profile,
                       const char *key, const char *base, const char *sub,
                       const RfTomlValue *value) {
  const char *access = plain_string(value);
  if (!access || !g_strv_contains(accesses, access))
    return perm_error(r, value, key, "is %s: expected \"none\", \"read\" or \"write\"",
                      access ? "another string" : type_of(value));
  if (!sub_path_ok(sub))
    return perm_error(r, value, key,
                      "names the subpath '%s': expected a path below the base without '.' or "
                      "'..' components (or \".\" for the base itself)",
                      sub);
  gboolean glob = strpbrk(sub, "*?[") || strpbrk(base, "*?[");
  if (glob && !g_str_equal(access, "none"))
    return perm_error(r, value, key,
                      "is a glob pattern with \"%s\": patterns deny reads only (\"none\"); name "
                      "folders to make readable or writable",
                      access);
  PermEntry *e = g_new0(PermEntry, 1);
  e->profile = g_strdup(profile);
  e->kind = ENTRY_FS;
  e->base = g_strdup(g_str_equal(base, ":workspace_roots") ? ":project_roots" : base);
  size_t len = strlen(sub);
  e->sub = len > 1 && sub[len - 1] == '/' ? g_strndup(sub, len - 1) : g_strdup(sub);
  e->access = g_strdup(access);
  e->origin = origin_of(r, value);
  g_ptr_array_add(layer, e);
  return TRUE;
}

/* One entry of [permissions.NAME.filesystem]: KEY = "access" or KEY = { SUB = "access" }. */
static gboolean read_fs_entry(const RfPermReader *r, GPtrArray *layer, const char *profile,
                              const char *name, const RfTomlValue *value) {
  g_autofree char *key = g_strdup_printf("permissions.%s.filesystem.%s", profile, name);
  if (g_str_equal(name, "glob_scan_max_depth")) {
    if (rf_toml_value_type(value) != RF_TOML_INTEGER || rf_toml_value_integer(value) < 1 ||
        rf_toml_value_integer(value) > 64)
      return perm_error(r, value, key, "must be a whole number from 1 to 64");
    PermEntry *e = g_new0(PermEntry, 1);
    e->profile = g_strdup(profile);
    e->kind = ENTRY_DEPTH;
    e->depth = (guint)rf_toml_value_integer(value);
    e->origin = origin_of(r, value);
    g_ptr_array_add(layer, e);
    return TRUE;
  }
  g_autofree char *base = NULL;
  if (name[0] == ':') {
    if (!g_strv_contains(specials, name))
      return perm_error(r, value, key,
                        "names an unknown special path: expected \":root\", \":minimal\", "
                        "\":project_roots\" (or \":workspace_roots\"), \":tmpdir\" or "
                        "\":slash_tmp\", or an absolute path");
    base = g_strdup(name);
  } else if (g_str_has_prefix(name, "~/") || g_str_equal(name, "~")) {
    const char *home = home_dir();
    if (!home)
      return perm_error(r, value, key,
                        "starts with ~, but the home directory is unknown: write the absolute "
                        "path");
    base = g_build_filename(home, name + 1, NULL);
  } else if (g_path_is_absolute(name)) {
    base = g_canonicalize_filename(name, "/");
  } else {
    return perm_error(r, value, key,
                      "is not a path ringfence can place: filesystem paths must be absolute, "
                      "start with ~/ or be a special name starting with ':'");
  }
  if (rf_toml_value_type(value) != RF_TOML_TABLE)
    return add_fs(r, layer, profile, key, base, ".", value);
  for (guint i = 0; i < rf_toml_table_size(value); i++) {
    const char *sub = rf_toml_table_key_at(value, i);
    if (strlen(sub) != rf_toml_table_key_length_at(value, i))
      return perm_error(r, value, key, "has a subpath with a NUL character");
    g_autofree char *sub_key = g_strdup_printf("%s.%s", key, sub);
    if (!add_fs(r, layer, profile, sub_key, base, sub, rf_toml_table_value_at(value, i)))
      return FALSE;
  }
  return TRUE;
}

static gboolean read_network(const RfPermReader *r, GPtrArray *layer, const char *profile,
                             const char *name, const RfTomlValue *value) {
  g_autofree char *key = g_strdup_printf("permissions.%s.network.%s", profile, name);
  if (!g_str_equal(name, "enabled"))
    return perm_error(r, value, key,
                      "is not supported: ringfence reads only `enabled` in a profile's network "
                      "table (domain rules need a proxy, which ringfence does not run yet); "
                      "remove the key or set enabled = false");
  if (rf_toml_value_type(value) != RF_TOML_BOOLEAN)
    return perm_error(r, value, key, "is %s: expected true or false", type_of(value));
  PermEntry *e = g_new0(PermEntry, 1);
  e->profile = g_strdup(profile);
  e->kind = ENTRY_NETWORK;
  e->enabled = rf_toml_value_boolean(value);
  e->origin = origin_of(r, value);
  g_ptr_array_add(layer, e);
  return TRUE;
}

/* |value| at permissions.PROFILE.PARTS... */
static gboolean read_profile(const RfPermReader *r, GPtrArray *layer, const char *profile,
                             const char *const *parts, const RfTomlValue *value) {
  g_autofree char *key = g_strdup_printf("permissions.%s", profile);
  if (!*profile || profile[0] == ':')
    return perm_error(r, value, key,
                      "is not a profile name ringfence can use: built-in names start with ':' "
                      "and cannot be redefined");
  if (!parts[0]) {
    if (rf_toml_value_type(value) != RF_TOML_TABLE)
      return perm_error(r, value, key, "is %s: expected a table [permissions.%s]",
                        type_of(value), profile);
    PermEntry *defined = g_new0(PermEntry, 1);
    defined->profile = g_strdup(profile);
    defined->kind = ENTRY_DEFINED;
    defined->origin = origin_of(r, value);
    g_ptr_array_add(layer, defined);
    for (guint i = 0; i < rf_toml_table_size(value); i++) {
      const char *name = rf_toml_table_key_at(value, i);
      const char *sub_parts[] = {name, NULL};
      if (!read_profile(r, layer, profile, sub_parts, rf_toml_table_value_at(value, i)))
        return FALSE;
    }
    return TRUE;
  }
  gboolean fs = g_str_equal(parts[0], "filesystem");
  if (!fs && !g_str_equal(parts[0], "network")) {
    g_autofree char *sub_key = g_strdup_printf("%s.%s", key, parts[0]);
    return perm_error(r, value, sub_key,
                      "is not known: a permission profile has `filesystem` and `network` tables "
                      "(ringfence refuses what it does not understand in a profile rather than "
                      "run with less confinement)");
  }
  if (parts[1]) { /* -c permissions.NAME.filesystem.KEY=... */
    if (parts[2]) {
      g_autofree char *joined = g_strjoinv(".", (char **)parts);
      g_autofree char *sub_key = g_strdup_printf("%s.%s", key, joined);
      return perm_error(r, value, sub_key,
                        "is too deep for -c: set the whole entry, e.g. -c "
                        "'permissions.NAME.filesystem={\":project_roots\"={\".\"=\"write\"}}'");
    }
    return fs ? read_fs_entry(r, layer, profile, parts[1], value)
              : read_network(r, layer, profile, parts[1], value);
  }
  g_autofree char *table_key = g_strdup_printf("%s.%s", key, parts[0]);
  if (rf_toml_value_type(value) != RF_TOML_TABLE)
    return perm_error(r, value, table_key, "is %s: expected a table", type_of(value));
  for (guint i = 0; i < rf_toml_table_size(value); i++) {
    const char *name = rf_toml_table_key_at(value, i);
    if (strlen(name) != rf_toml_table_key_length_at(value, i))
      return perm_error(r, value, table_key, "has a key with a NUL character");
    const RfTomlValue *v = rf_toml_table_value_at(value, i);
    if (!(fs ? read_fs_entry(r, layer, profile, name, v) : read_network(r, layer, profile, name, v)))
      return FALSE;
  }
  return TRUE;
}

gboolean rf_permissions_read(const RfPermReader *r, GPtrArray *layer, const char *const *parts,
                             const RfTomlValue *value) {
  if (parts && parts[0])
    return read_profile(r, layer, parts[0], parts + 1, value);
  if (rf_toml_value_type(value) != RF_TOML_TABLE)
    return perm_error(r, value, "permissions", "is %s: expected tables such as [permissions.dev]",
                      type_of(value));
  for (guint i = 0; i < rf_toml_table_size(value); i++) {
    const char *name = rf_toml_table_key_at(value, i);
    if (strlen(name) != rf_toml_table_key_length_at(value, i))
      return perm_error(r, value, "permissions", "has a profile name with a NUL character");
    const char *none[] = {NULL};
    if (!read_profile(r, layer, name, none, rf_toml_table_value_at(value, i)))
      return FALSE;
  }
  return TRUE;
}

/* ---- Merging ------------------------------------------------------------------------ */

static gboolean same_slot(const PermEntry *a, const PermEntry *b) {
  if (a->kind != b->kind || !g_str_equal(a->profile, b->profile))
    return FALSE;
  if (a->kind != ENTRY_FS)
    return TRUE;
  return g_str_equal(a->base, b->base) && g_str_equal(a->sub, b->sub);
}

/* The entries of |name|, a higher layer's replacing a lower one's for the same key; in the
 * order they were first set.  Borrowed pointers. */
static GPtrArray *effective_entries(GPtrArray *const *layers, guint n_layers, const char *name,
                                    gboolean *defined) {
  GPtrArray *out = g_ptr_array_new();
  *defined = FALSE;
  for (guint l = 0; l < n_layers; l++) {
    for (guint i = 0; layers[l] && i < layers[l]->len; i++) {
      PermEntry *e = g_ptr_array_index(layers[l], i);
      if (!g_str_equal(e->profile, name))
        continue;
      *defined = TRUE;
      if (e->kind == ENTRY_DEFINED)
        continue;
      gboolean replaced = FALSE;
      for (guint j = 0; j < out->len && !replaced; j++)
        if (same_slot(g_ptr_array_index(out, j), e)) {
          out->pdata[j] = e;
          replaced = TRUE;
        }
      if (!replaced)
        g_ptr_array_add(out, e);
    }
  }
  return out;
}

static char *defined_names(GPtrArray *const *layers, guint n_layers) {
  g_autoptr(GPtrArray) names = g_ptr_array_new();
  for (guint l = 0; l < n_layers; l++)
    for (guint i = 0; layers[l] && i < layers[l]->len; i++) {
      PermEntry *e = g_ptr_array_index(layers[l], i);
      gboolean seen = FALSE;
      for (guint j = 0; j < names->len; j++)
        seen = seen || g_str_equal(g_ptr_array_index(names, j), e->profile);
      if (!seen && names->len < 10)
        g_ptr_array_add(names, e->profile);
    }
  GString *out = g_string_new(NULL);
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *shown = rf_excerpt(g_ptr_array_index(names, i));
    g_string_append_printf(out, "%s%s", i ? ", " : "", shown);
  }
  return g_string_free(out, FALSE);
}

/* ---- Applying ----------------------------------------------------------------------- */

/* The path an entry names: relative to the working directory for :project_roots (the policy
 * resolves it), NULL for :tmpdir when $TMPDIR is not set. */
static char *entry_path(const PermEntry *e) {
  const char *base = e->base;
  const char *tmpdir = g_getenv("TMPDIR");
  if (g_str_equal(base, ":project_roots"))
    return g_strdup(e->sub);
  if (g_str_equal(base, ":root"))
    base = "/";
  else if (g_str_equal(base, ":slash_tmp"))
    base = "/tmp";
  else if (g_str_equal(base, ":tmpdir")) {
    if (!tmpdir || !g_path_is_absolute(tmpdir))
      return NULL;
    base = tmpdir;
  }
  return g_str_equal(e->sub, ".") ? g_strdup(base) : g_build_filename(base, e->sub, NULL);
}

static gboolean entry_error(GError **error, const PermEntry *e, const char *problem) {
  g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
              "permission profile %s: %s%s%s = \"%s\" (%s) %s", e->profile, e->base,
              g_str_equal(e->sub, ".") ? "" : " ", g_str_equal(e->sub, ".") ? "" : e->sub,
              e->access, e->origin, problem);
  return FALSE;
}

/* |inner| is |outer| or below it (lexically; both as the profile wrote them). */
static gboolean lexically_below(const char *inner, const char *outer) {
  if (g_str_equal(outer, "."))
    return !g_path_is_absolute(inner);
  size_t n = strlen(outer);
  return g_str_has_prefix(inner, outer) && (inner[n] == '\0' || inner[n] == '/');
}

gboolean rf_permissions_apply(GPtrArray *const *layers, guint n_layers, const char *name,
                              const char *origin, gboolean keep_network, RfPolicy *policy,
                              GError **error) {
  if (name[0] == ':') {
    if (!rf_permissions_is_builtin(name)) {
      g_autofree char *shown = rf_quote(name, -1);
      g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                  "default_permissions (%s) names the unknown built-in profile %s: use "
                  "\":read-only\", \":workspace\", \":danger-full-access\" or the name of a "
                  "[permissions.NAME] table",
                  origin, shown);
      return FALSE;
    }
    rf_policy_set_mode(policy, g_str_equal(name, ":workspace")  ? RF_SANDBOX_WORKSPACE_WRITE
                               : g_str_equal(name, ":read-only") ? RF_SANDBOX_READ_ONLY
                                                                 : RF_SANDBOX_DANGER_FULL_ACCESS);
    return TRUE;
  }
  gboolean defined;
  g_autoptr(GPtrArray) entries = effective_entries(layers, n_layers, name, &defined);
  if (!defined) {
    g_autofree char *shown = rf_quote(name, -1);
    g_autofree char *names = defined_names(layers, n_layers);
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                "default_permissions (%s) names the profile %s, but no [permissions.%s] table "
                "defines it (%s%s)",
                origin, shown, name, *names ? "defined: " : "the config defines no permission profiles",
                names);
    return FALSE;
  }
  gboolean root_read = FALSE, minimal = FALSE, any_write = FALSE, cwd_write = FALSE;
  gboolean slash_tmp_write = FALSE, tmpdir_write = FALSE, network = FALSE;
  g_autoptr(GPtrArray) reads = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) writes = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < entries->len; i++) {
    const PermEntry *e = g_ptr_array_index(entries, i);
    if (e->kind == ENTRY_DEPTH) {
      rf_policy_set_deny_read_glob_depth(policy, e->depth);
      continue;
    }
    if (e->kind == ENTRY_NETWORK) {
      network = e->enabled;
      continue;
    }
    gboolean whole = g_str_equal(e->sub, ".");
    gboolean read = g_str_equal(e->access, "read"), write = g_str_equal(e->access, "write");
    if (g_str_equal(e->base, ":minimal")) {
      if (!whole || !read)
        return entry_error(error, e,
                           "cannot be honoured: \":minimal\" (the platform defaults programs "
                           "need to start) can only be \"read\"");
      minimal = TRUE;
      continue;
    }
    if (g_str_equal(e->base, ":root") && whole) {
      if (!read)
        return entry_error(error, e,
                           write ? "would make the whole host writable: use default_permissions "
                                   "= \":danger-full-access\" if that is meant"
                                 : "would deny every read: name what may be read instead");
      root_read = TRUE;
      continue;
    }
    if (whole && write && g_str_equal(e->base, ":project_roots")) {
      cwd_write = any_write = TRUE;
      continue;
    }
    if (whole && write && g_str_equal(e->base, ":slash_tmp")) {
      slash_tmp_write = any_write = TRUE;
      continue;
    }
    if (whole && write && g_str_equal(e->base, ":tmpdir")) {
      tmpdir_write = any_write = TRUE;
      continue;
    }
    g_autofree char *path = entry_path(e);
    if (!path)
      continue; /* :tmpdir without $TMPDIR: nothing to name */
    if (read)
      g_ptr_array_add(reads, g_steal_pointer(&path));
    else if (write) {
      any_write = TRUE;
      g_ptr_array_add(writes, g_steal_pointer(&path));
    } else
      rf_policy_add_deny_read(policy, path);
  }
  /* A read-only folder inside a writable one would need a read-only mount or rule on a path
   * that is not a protected name: not something ringfence does (yet). */
  for (guint i = 0; i < reads->len; i++) {
    const char *r = g_ptr_array_index(reads, i);
    gboolean under = cwd_write && !g_path_is_absolute(r);
    for (guint j = 0; j < writes->len && !under; j++)
      under = lexically_below(r, g_ptr_array_index(writes, j));
    if (under) {
      g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                  "permission profile %s: \"%s\" = \"read\" lies inside a folder the profile "
                  "makes writable; ringfence keeps only the protected names (.git, .codex, ...) "
                  "read-only inside writable roots: drop the entry, or add the name to "
                  "[ringfence] protected_names",
                  name, r);
      return FALSE;
    }
  }
  rf_policy_set_mode(policy, any_write ? RF_SANDBOX_WORKSPACE_WRITE : RF_SANDBOX_READ_ONLY);
  if (any_write) {
    rf_policy_set_cwd_writable(policy, cwd_write);
    rf_policy_set_exclude_slash_tmp(policy, !slash_tmp_write);
    rf_policy_set_exclude_tmpdir_env_var(policy, !tmpdir_write);
    for (guint i = 0; i < writes->len; i++)
      rf_policy_add_writable_root(policy, g_ptr_array_index(writes, i));
  }
  if (!root_read) {
    rf_policy_set_read_access(policy, RF_READ_RESTRICTED);
    rf_policy_set_platform_defaults(policy, minimal);
    for (guint i = 0; i < reads->len; i++)
      rf_policy_add_readable_root(policy, g_ptr_array_index(reads, i));
  }
  if (!keep_network)
    rf_policy_set_network(policy, network ? RF_NETWORK_ON : RF_NETWORK_OFF);
  return TRUE;
}

/* ---- Describing --------------------------------------------------------------------- */

static char *entry_key(const PermEntry *e) {
  switch (e->kind) {
  case ENTRY_DEPTH:
    return g_strdup_printf("permissions.%s.filesystem.glob_scan_max_depth", e->profile);
  case ENTRY_NETWORK:
    return g_strdup_printf("permissions.%s.network.enabled", e->profile);
  default:
    return g_str_equal(e->sub, ".")
               ? g_strdup_printf("permissions.%s.filesystem.\"%s\"", e->profile, e->base)
               : g_strdup_printf("permissions.%s.filesystem.\"%s\".\"%s\"", e->profile, e->base,
                                 e->sub);
  }
}

static char *entry_value(const PermEntry *e) {
  switch (e->kind) {
  case ENTRY_DEPTH:
    return g_strdup_printf("%u", e->depth);
  case ENTRY_NETWORK:
    return g_strdup(e->enabled ? "true" : "false");
  default:
    return g_strdup_printf("\"%s\"", e->access);
  }
}

void rf_permissions_describe(GPtrArray *const *layers, guint n_layers, const char *name,
                             GString *out) {
  gboolean defined;
  g_autoptr(GPtrArray) entries = effective_entries(layers, n_layers, name, &defined);
  for (guint i = 0; i < entries->len; i++) {
    const PermEntry *e = g_ptr_array_index(entries, i);
    g_autofree char *key = entry_key(e);
    g_autofree char *value = entry_value(e);
    g_string_append_printf(out, "  %s = %s  # %s\n", key, value, e->origin);
  }
}

void rf_permissions_describe_json(GPtrArray *const *layers, guint n_layers, const char *name,
                                  GString *out) {
  gboolean defined;
  g_autoptr(GPtrArray) entries = effective_entries(layers, n_layers, name, &defined);
  g_string_append_c(out, '[');
  for (guint i = 0; i < entries->len; i++) {
    const PermEntry *e = g_ptr_array_index(entries, i);
    g_autofree char *key = entry_key(e);
    g_autofree char *value = entry_value(e);
    g_string_append(out, i ? ",{\"key\":" : "{\"key\":");
    rf_json_append_string(out, key);
    g_string_append(out, ",\"value\":");
    g_string_append(out, value); /* already JSON: a quoted access word, a number or a boolean */
    g_string_append(out, ",\"origin\":");
    rf_json_append_string(out, e->origin);
    g_string_append_c(out, '}');
  }
  g_string_append_c(out, ']');
}
