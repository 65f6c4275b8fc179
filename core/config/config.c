/* config.c: config.toml, its profiles, -c overrides and command-line flags, as layers of
 * settings that remember where each value came from, and their effect on an RfPolicy.
 * TOML syntax is toml.c's business; what a policy means is policy.c's and resolve.c's. */
#include <ringfence/ringfence.h>

#include "permissions.h"
#include "shell-environment.h"
#include "toml.h"
#include "approval/rules.h"
#include "util/canonical-path.h"
#include "util/current-dir.h"
#include "util/quote.h"
#include "util/safe-read.h"

#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#ifndef RF_BWRAP_PATH
#define RF_BWRAP_PATH ""
#endif
#define RF_BWRAP_PATH_TEXT RF_BWRAP_PATH

/* ---- The settings ringfence knows ------------------------------------------------ */

typedef enum {
  TYPE_ENUM,
  TYPE_BOOL,
  TYPE_PATH,
  TYPE_PATHS,
  TYPE_NAMES,
  TYPE_APPROVAL,
  TYPE_STRING, /* any non-empty string */
  TYPE_STRINGS, /* a list of strings (patterns) */
  TYPE_ENV,     /* a table of strings, kept as "NAME=VALUE" */
} SettingType;

enum {
  S_SANDBOX_MODE,
  S_WRITABLE_ROOTS,
  S_NETWORK_ACCESS,
  S_EXCLUDE_TMPDIR,
  S_EXCLUDE_SLASH_TMP,
  S_APPROVAL,
  S_LEGACY_LANDLOCK,
  S_BWRAP,
  S_WINDOWS_SANDBOX,
  S_WINDOWS_DESKTOP,
  S_BACKEND,
  S_NETWORK,
  S_PLUGIN_DIR,
  S_BWRAP_PATH,
  S_PROTECTED_NAMES,
  S_READABLE_ROOTS,
  S_PLATFORM_DEFAULTS,
  S_DENY_READ,
  S_ALLOW_DEGRADED,
  S_REQUIRE,
  S_RULES,
  S_DEFAULT_PERMISSIONS,
  S_CODEX_PROJECT_RULES,
  S_ENV_INHERIT,
  S_ENV_IGNORE_DEFAULT_EXCLUDES,
  S_ENV_EXCLUDE,
  S_ENV_SET,
  S_ENV_INCLUDE_ONLY,
  S_ALLOWED_DOMAINS,
  S_DENIED_DOMAINS,
  S_PROXY_URL,
  S_NP_ENABLED,
  S_NP_MODE,
  S_NP_PROXY_URL,
  S_NP_ALLOWED,
  S_NP_DENIED,
  S_NP_LOCAL_BINDING,
  N_SETTINGS
};

static const char *const modes[] = {"read-only", "workspace-write", "danger-full-access", NULL};
static const char *const networks[] = {"off", "on", "proxy", NULL};
static const char *const backends[] = {"auto", "bwrap", "landlock", "seatbelt", "windows", NULL};
static const char *const windows_modes[] = {"unelevated", "elevated", NULL};
static const char *const inherits[] = {"all", "core", "none", NULL};
static const char *const proxy_modes[] = {"full", "limited", NULL};

typedef struct {
  const char *key; /* dotted, from the top of the file */
  SettingType type;
  const char *const *choices; /* TYPE_ENUM */
  const char *default_toml;   /* what applies when nothing sets it, as TOML */
} Spec;

static const Spec specs[N_SETTINGS] = {
    [S_SANDBOX_MODE] = {"sandbox_mode", TYPE_ENUM, modes, "\"read-only\""},
    [S_WRITABLE_ROOTS] = {"sandbox_workspace_write.writable_roots", TYPE_PATHS, NULL, "[]"},
    [S_NETWORK_ACCESS] = {"sandbox_workspace_write.network_access", TYPE_BOOL, NULL, "false"},
    [S_EXCLUDE_TMPDIR] = {"sandbox_workspace_write.exclude_tmpdir_env_var", TYPE_BOOL, NULL,
                          "false"},
    [S_EXCLUDE_SLASH_TMP] = {"sandbox_workspace_write.exclude_slash_tmp", TYPE_BOOL, NULL, "false"},
    [S_APPROVAL] = {"approval_policy", TYPE_APPROVAL, NULL, "(none: run does not ask)"},
    [S_LEGACY_LANDLOCK] = {"features.use_legacy_landlock", TYPE_BOOL, NULL, "false"},
    [S_BWRAP] = {"features.use_linux_sandbox_bwrap", TYPE_BOOL, NULL, "false"},
    [S_WINDOWS_SANDBOX] = {"windows.sandbox", TYPE_ENUM, windows_modes, "\"unelevated\""},
    [S_WINDOWS_DESKTOP] = {"windows.sandbox_private_desktop", TYPE_BOOL, NULL, "true"},
    [S_BACKEND] = {"ringfence.backend", TYPE_ENUM, backends, "\"auto\""},
    [S_NETWORK] = {"ringfence.network", TYPE_ENUM, networks, "\"off\""},
    [S_PLUGIN_DIR] = {"ringfence.plugin_dir", TYPE_PATH, NULL, "(built in)"},
    [S_BWRAP_PATH] = {"ringfence.bwrap", TYPE_PATH, NULL, "(built in: " RF_BWRAP_PATH_TEXT ")"},
    [S_PROTECTED_NAMES] = {"ringfence.protected_names", TYPE_NAMES, NULL, NULL},
    [S_READABLE_ROOTS] = {"ringfence.readable_roots", TYPE_PATHS, NULL,
                          "[] (reads are not "
                          "restricted)"},
    [S_PLATFORM_DEFAULTS] = {"ringfence.platform_defaults", TYPE_BOOL, NULL, "true"},
    [S_DENY_READ] = {"ringfence.deny_read", TYPE_PATHS, NULL, "[]"},
    [S_ALLOW_DEGRADED] = {"ringfence.allow_degraded", TYPE_BOOL, NULL, "false"},
    /* Guarantees required even where no backend of ours can enforce them (--require). */
    [S_REQUIRE] = {"ringfence.require", TYPE_NAMES, NULL, "[]"},
    [S_RULES] = {"ringfence.rules", TYPE_PATHS, NULL, "[]"},
    /* A permission profile (core/config/permissions.c); the [permissions] tables are read apart. */
    [S_DEFAULT_PERMISSIONS] = {"default_permissions", TYPE_STRING, NULL,
                               "(none: sandbox_mode applies)"},
    [S_CODEX_PROJECT_RULES] = {"ringfence.codex_project_rules", TYPE_BOOL, NULL, "false"},
    [S_ENV_INHERIT] = {"shell_environment_policy.inherit", TYPE_ENUM, inherits, "\"all\""},
    [S_ENV_IGNORE_DEFAULT_EXCLUDES] = {"shell_environment_policy.ignore_default_excludes",
                                       TYPE_BOOL, NULL, "true"},
    [S_ENV_EXCLUDE] = {"shell_environment_policy.exclude", TYPE_STRINGS, NULL, "[]"},
    [S_ENV_SET] = {"shell_environment_policy.set", TYPE_ENV, NULL, "{}"},
    [S_ENV_INCLUDE_ONLY] = {"shell_environment_policy.include_only", TYPE_STRINGS, NULL, "[]"},
    /* --network proxy (docs/network.md). */
    [S_ALLOWED_DOMAINS] = {"ringfence.allowed_domains", TYPE_STRINGS, NULL, "[] (nothing)"},
    [S_DENIED_DOMAINS] = {"ringfence.denied_domains", TYPE_STRINGS, NULL, "[]"},
    [S_PROXY_URL] = {"ringfence.proxy_url", TYPE_STRING, NULL, "(none: direct)"},
    /* The keys the other agent CLI's users write for its network proxy (docs/network.md):
     * enabled = true means --network proxy; proxy_url is where that CLI's own proxy listens,
     * read and not used (ringfence's proxy takes a port of its own). */
    [S_NP_ENABLED] = {"network_proxy.enabled", TYPE_BOOL, NULL, "false"},
    [S_NP_MODE] = {"network_proxy.mode", TYPE_ENUM, proxy_modes, "\"full\""},
    [S_NP_PROXY_URL] = {"network_proxy.proxy_url", TYPE_STRING, NULL, "(not used)"},
    [S_NP_ALLOWED] = {"network_proxy.policy.allowed_domains", TYPE_STRINGS, NULL, "[]"},
    [S_NP_DENIED] = {"network_proxy.policy.denied_domains", TYPE_STRINGS, NULL, "[]"},
    [S_NP_LOCAL_BINDING] = {"network_proxy.policy.allow_local_binding", TYPE_BOOL, NULL, "false"},
};

/* Tables whose keys are settings (approval_policy is a setting that may be a table). */
static const char *const setting_tables[] = {"sandbox_workspace_write", "features", "windows",
                                             "ringfence", "shell_environment_policy",
                                             "network_proxy", "network_proxy.policy", NULL};

static const char *const granular_flags[] = {
    "sandbox_approval", "rules", "mcp_elicitations", "request_permissions", "skill_approval", NULL};

static int find_spec(const char *key) {
  for (int i = 0; i < N_SETTINGS; i++)
    if (g_str_equal(specs[i].key, key))
      return i;
  return -1;
}

/* ---- Layers ----------------------------------------------------------------------- */

typedef enum { LAYER_FILE, LAYER_PROFILE, LAYER_OVERRIDE, LAYER_FLAG, N_LAYERS } LayerIndex;

typedef struct {
  gboolean set;
  char *text;       /* TYPE_ENUM, TYPE_PATH */
  gboolean boolean; /* TYPE_BOOL */
  char **list;      /* TYPE_PATHS, TYPE_NAMES */
  RfApprovalPolicy approval;
  char *origin; /* "FILE:LINE", "profile NAME (FILE:LINE)", "-c KEY=VALUE", "flag -s" */
} Setting;

typedef struct {
  Setting s[N_SETTINGS];
  GPtrArray *permissions; /* [permissions.NAME] entries (permissions.h); NULL until one is read */
} Layer;

typedef struct {
  char *name;
  Layer layer;
} Profile;

/* [projects."PATH"] trust_level = "trusted" | "untrusted" */
typedef struct {
  char *path; /* canonical */
  gboolean trusted;
  char *origin; /* FILE:LINE */
} Project;

static void project_free(gpointer data) {
  Project *project = data;
  g_free(project->path);
  g_free(project->origin);
  g_free(project);
}

struct _RfConfig {
  char *file;       /* the file read, or NULL */
  char *looked_for; /* the default path, when none was read */
  Layer file_layer, override_layer, flag_layer;
  GPtrArray *profiles;                                       /* Profile*, in file order */
  char *profile_choice[N_LAYERS], *profile_origin[N_LAYERS]; /* profile = "..." per layer */
  /* After rf_config_resolve: */
  gboolean resolved;
  char *profile, *profile_from;
  char *profile_file; /* NAME.config.toml, when the profile came from one */
  const Layer *stack[N_LAYERS];    /* NULL where a layer is absent */
  Setting effective[N_SETTINGS];   /* copies; set == FALSE: the default */
  int effective_layer[N_SETTINGS]; /* -1: the default */
  char *backend;
  char *backend_from;
  GPtrArray *projects;    /* Project* */
  char *workdir;          /* rf_config_set_workdir, or NULL: the current directory */
  GPtrArray *rules_files; /* NULL-terminated */
  GPtrArray *rules_origins; /* char*, one per rules file: where it came from */
  GPtrArray *rules_skipped; /* char*: folders of rules not read, and why */
  GPtrArray *all_writable_roots; /* NULL-terminated: the config's and the flags', any mode */
  GPtrArray *warnings;    /* NULL-terminated */
};

static void setting_clear(Setting *s) {
  g_free(s->text);
  g_strfreev(s->list);
  g_free(s->origin);
  *s = (Setting){0};
}

static void setting_copy(Setting *to, const Setting *from) {
  setting_clear(to);
  *to = *from;
  to->text = g_strdup(from->text);
  to->list = g_strdupv(from->list);
  to->origin = g_strdup(from->origin);
}

static void layer_clear(Layer *layer) {
  for (int i = 0; i < N_SETTINGS; i++)
    setting_clear(&layer->s[i]);
  g_clear_pointer(&layer->permissions, g_ptr_array_unref);
}

static void profile_free(gpointer data) {
  Profile *profile = data;
  g_free(profile->name);
  layer_clear(&profile->layer);
  g_free(profile);
}

RfConfig *rf_config_new(void) {
  RfConfig *config = g_new0(RfConfig, 1);
  config->profiles = g_ptr_array_new_with_free_func(profile_free);
  config->rules_files = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(config->rules_files, NULL);
  config->rules_origins = g_ptr_array_new_with_free_func(g_free);
  config->rules_skipped = g_ptr_array_new_with_free_func(g_free);
  config->projects = g_ptr_array_new_with_free_func(project_free);
  config->all_writable_roots = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(config->all_writable_roots, NULL);
  config->warnings = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(config->warnings, NULL);
  for (int i = 0; i < N_SETTINGS; i++)
    config->effective_layer[i] = -1;
  return config;
}

void rf_config_free(RfConfig *config) {
  if (!config)
    return;
  g_free(config->file);
  g_free(config->looked_for);
  layer_clear(&config->file_layer);
  layer_clear(&config->override_layer);
  layer_clear(&config->flag_layer);
  g_ptr_array_unref(config->profiles);
  for (int i = 0; i < N_LAYERS; i++) {
    g_free(config->profile_choice[i]);
    g_free(config->profile_origin[i]);
  }
  g_free(config->profile);
  g_free(config->profile_from);
  g_free(config->profile_file);
  for (int i = 0; i < N_SETTINGS; i++)
    setting_clear(&config->effective[i]);
  g_free(config->backend);
  g_free(config->backend_from);
  g_ptr_array_unref(config->rules_files);
  g_ptr_array_unref(config->rules_origins);
  g_ptr_array_unref(config->rules_skipped);
  g_ptr_array_unref(config->projects);
  g_free(config->workdir);
  g_ptr_array_unref(config->all_writable_roots);
  g_ptr_array_unref(config->warnings);
  g_free(config);
}

static void warn(RfConfig *config, char *message) {
  g_ptr_array_insert(config->warnings, (gint)config->warnings->len - 1, message);
}

char *rf_config_default_path(void) {
  const char *home = g_getenv("RINGFENCE_HOME");
  if (home && *home)
    return g_build_filename(home, "config.toml", NULL);
  const char *xdg = g_getenv("XDG_CONFIG_HOME");
  if (xdg && *xdg && g_path_is_absolute(xdg))
    return g_build_filename(xdg, "ringfence", "config.toml", NULL);
  return g_build_filename(g_get_home_dir(), ".config", "ringfence", "config.toml", NULL);
}

/* ---- Reading values ------------------------------------------------------------ */

typedef struct {
  RfConfig *config;
  Layer *layer;
  LayerIndex layer_index;
  const char *file;       /* reading a file: its name */
  const char *assignment; /* reading -c: KEY=VALUE as given */
  const char *profile;    /* reading [profiles.NAME]: NAME */
  gboolean profile_file;  /* reading NAME.config.toml, a profile of its own */
  GError **error;
} Reader;

/* "profiles.NAME." when reading a profile, else "". */
static char *shown_key(const Reader *r, const char *key) {
  return r->profile ? g_strdup_printf("profiles.%s.%s", r->profile, key) : g_strdup(key);
}

static gboolean key_error(const Reader *r, const RfTomlValue *value, const char *key,
                          const char *format, ...) G_GNUC_PRINTF(4, 5);
static gboolean key_error(const Reader *r, const RfTomlValue *value, const char *key,
                          const char *format, ...) {
  va_list args;
  va_start(args, format);
  g_autofree char *detail = g_strdup_vprintf(format, args);
  va_end(args);
  g_autofree char *full = shown_key(r, key);
  g_autofree char *shown = rf_quote(full, -1);
  g_autofree char *where = r->file ? rf_path_excerpt(r->file) : rf_excerpt(r->assignment);
  if (r->file)
    g_set_error(r->error, RF_ERROR, RF_ERROR_CONFIG, "%s:%u:%u: key %s %s", where,
                rf_toml_value_line(value), rf_toml_value_column(value), shown, detail);
  else
    g_set_error(r->error, RF_ERROR, RF_ERROR_CONFIG, "-c %s: key %s %s", where, shown, detail);
  return FALSE;
}

static char *origin_of(const Reader *r, const RfTomlValue *value) {
  if (!r->file) {
    g_autofree char *assignment = rf_excerpt(r->assignment);
    return g_strdup_printf("-c %s", assignment);
  }
  g_autofree char *file = rf_path_excerpt(r->file);
  if (r->profile) {
    g_autofree char *profile = rf_excerpt(r->profile);
    return g_strdup_printf("profile %s (%s:%u)", profile, file, rf_toml_value_line(value));
  }
  return g_strdup_printf("%s:%u", file, rf_toml_value_line(value));
}

/* "\"a\", \"b\" or \"c\"" */
static char *choices_text(const char *const *choices) {
  GString *out = g_string_new(NULL);
  for (guint i = 0; choices[i]; i++) {
    if (i)
      g_string_append(out, choices[i + 1] ? ", " : " or ");
    g_string_append_printf(out, "\"%s\"", choices[i]);
  }
  return g_string_free(out, FALSE);
}

static const char *type_of(const RfTomlValue *value) {
  return rf_toml_type_name(rf_toml_value_type(value));
}

static const char *article(const char *noun) {
  return strchr("aeiou", noun[0]) ? "an" : "a";
}

/* A string value without NUL characters, or NULL after an error. */
static const char *string_of(const Reader *r, const RfTomlValue *value, const char *key,
                             const char *expected) {
  if (rf_toml_value_type(value) != RF_TOML_STRING) {
    key_error(r, value, key, "is %s %s: expected %s", article(type_of(value)), type_of(value),
              expected);
    return NULL;
  }
  const char *text = rf_toml_value_string(value);
  if (strlen(text) != rf_toml_value_string_length(value)) {
    key_error(r, value, key, "contains a NUL character: expected %s", expected);
    return NULL;
  }
  return text;
}

/* The home directory ~ stands for: $HOME when absolute, else the user database's; NULL when
 * neither is known (g_get_home_dir() would answer "/" or "", and "~/cache" would then make
 * /cache a writable root). */
static const char *home_for_tilde(void) {
  const char *home = g_getenv("HOME");
  if (home && g_path_is_absolute(home))
    return home;
  struct passwd *pw = getpwuid(getuid());
  return pw && pw->pw_dir && g_path_is_absolute(pw->pw_dir) ? pw->pw_dir : NULL;
}

/* An absolute path, or ~/...; expanded. */
static char *path_of(const Reader *r, const RfTomlValue *value, const char *key,
                     const char *expected) {
  const char *text = string_of(r, value, key, expected);
  if (!text)
    return NULL;
  if (g_str_has_prefix(text, "~/") || g_str_equal(text, "~")) {
    const char *home = home_for_tilde();
    if (!home) {
      key_error(r, value, key,
                "starts with ~, but the home directory is unknown ($HOME is not an absolute path "
                "and the user database has none): write the absolute path");
      return NULL;
    }
    return g_build_filename(home, text + 1, NULL);
  }
  if (!g_path_is_absolute(text)) {
    g_autofree char *shown = rf_quote_with(text, -1, '"', RF_QUOTE_MAX_BYTES);
    key_error(r, value, key, "has the value %s: expected %s", shown, expected);
    return NULL;
  }
  return g_strdup(text);
}

static gboolean read_list(const Reader *r, const RfTomlValue *value, const char *key,
                          gboolean paths, char ***out) {
  const char *expected = paths ? "a list of absolute paths (or ~/...), such as [\"/srv/cache\"]"
                               : "a list of single names, such as [\".git\", \".env\"]";
  if (rf_toml_value_type(value) != RF_TOML_ARRAY)
    return key_error(r, value, key, "is %s %s: expected %s", article(type_of(value)),
                     type_of(value), expected);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < rf_toml_array_length(value); i++) {
    const RfTomlValue *item = rf_toml_array_get(value, i);
    if (paths) {
      char *path = path_of(r, item, key, expected);
      if (!path)
        return FALSE;
      g_ptr_array_add(list, path);
      continue;
    }
    const char *name = string_of(r, item, key, expected);
    if (!name)
      return FALSE;
    if (!*name || strchr(name, '/') || g_str_equal(name, ".") || g_str_equal(name, "..")) {
      g_autofree char *shown = rf_quote_with(name, -1, '"', RF_QUOTE_MAX_BYTES);
      return key_error(r, item, key,
                       "has the element %s: expected %s (no slashes, not . "
                       "or ..)",
                       shown, expected);
    }
    g_ptr_array_add(list, g_strdup(name));
  }
  g_ptr_array_add(list, NULL);
  *out = (char **)g_ptr_array_free(g_steal_pointer(&list), FALSE);
  return TRUE;
}

static gboolean read_approval(const Reader *r, const RfTomlValue *value, const char *key,
                              RfApprovalPolicy *policy) {
  static const char *const simple[] = {"untrusted", "on-failure", "on-request", "never", NULL};
  const char *expected = "\"untrusted\", \"on-failure\", \"on-request\", \"never\", "
                         "{ granular = { ... } } or { reject = { ... } }";
  if (rf_toml_value_type(value) == RF_TOML_STRING) {
    const char *text = string_of(r, value, key, expected);
    if (!text)
      return FALSE;
    if (g_strv_contains(simple, text))
      return rf_approval_policy_from_string(text, policy, NULL);
    if (g_str_equal(text, "granular"))
      return key_error(r, value, key,
                       "is \"granular\" without its flags: expected approval_policy = { granular "
                       "= { sandbox_approval = true, rules = true, mcp_elicitations = false } }");
    g_autofree char *shown = rf_quote_with(text, -1, '"', RF_QUOTE_MAX_BYTES);
    return key_error(r, value, key, "has the value %s: expected %s", shown, expected);
  }
  if (rf_toml_value_type(value) != RF_TOML_TABLE)
    return key_error(r, value, key, "is %s %s: expected %s", article(type_of(value)),
                     type_of(value), expected);
  if (rf_toml_table_size(value) != 1)
    return key_error(r, value, key,
                     "must hold exactly one of granular = { ... } or reject = { ... }: expected "
                     "%s",
                     expected);
  const char *kind = rf_toml_table_key_at(value, 0);
  const RfTomlValue *flags = rf_toml_table_value_at(value, 0);
  gboolean reject = g_str_equal(kind, "reject");
  if (!reject && !g_str_equal(kind, "granular")) {
    g_autofree char *sub = g_strdup_printf("%s.%s", key, kind);
    return key_error(r, flags, sub, "is not known: expected %s", expected);
  }
  g_autofree char *table_key = g_strdup_printf("%s.%s", key, kind);
  if (rf_toml_value_type(flags) != RF_TOML_TABLE)
    return key_error(r, flags, table_key,
                     "is %s %s: expected a table of flags such as { "
                     "sandbox_approval = true, rules = false }",
                     article(type_of(flags)), type_of(flags));
  /* granular: true shows the prompts of a category.  reject (the older form): true rejects
   * them; what it does not name is shown. */
  gboolean values[5];
  for (int i = 0; i < 5; i++)
    values[i] = reject;
  for (guint i = 0; i < rf_toml_table_size(flags); i++) {
    const char *flag = rf_toml_table_key_at(flags, i);
    const RfTomlValue *v = rf_toml_table_value_at(flags, i);
    g_autofree char *flag_key = g_strdup_printf("%s.%s", table_key, flag);
    int index = -1;
    for (int j = 0; granular_flags[j]; j++)
      if (g_str_equal(granular_flags[j], flag))
        index = j;
    if (index < 0) {
      g_autofree char *known = choices_text(granular_flags);
      return key_error(r, v, flag_key, "is not a flag of %s: expected %s", kind, known);
    }
    if (rf_toml_value_type(v) != RF_TOML_BOOLEAN)
      return key_error(r, v, flag_key, "is %s %s: expected true or false", article(type_of(v)),
                       type_of(v));
    values[index] = reject ? !rf_toml_value_boolean(v) : rf_toml_value_boolean(v);
  }
  *policy = (RfApprovalPolicy){.mode = RF_APPROVAL_GRANULAR,
                               .sandbox_approval = values[0],
                               .rules = values[1],
                               .mcp_elicitations = values[2],
                               .request_permissions = values[3],
                               .skill_approval = values[4]};
  return TRUE;
}

/* A list of strings (patterns such as "AWS_*"), or a table NAME = "value" (as NAME=value). */
static gboolean read_strings(const Reader *r, const RfTomlValue *value, const char *key,
                             gboolean table, char ***out) {
  const char *expected = table ? "a table of strings, such as { CI = \"1\" }"
                               : "a list of strings, such as [\"AWS_*\", \"*_TOKEN\"]";
  RfTomlType type = rf_toml_value_type(value);
  if (type != (table ? RF_TOML_TABLE : RF_TOML_ARRAY))
    return key_error(r, value, key, "is %s %s: expected %s", article(type_of(value)),
                     type_of(value), expected);
  g_autoptr(GStrvBuilder) list = g_strv_builder_new();
  guint n = table ? rf_toml_table_size(value) : rf_toml_array_length(value);
  for (guint i = 0; i < n; i++) {
    const RfTomlValue *item = table ? rf_toml_table_value_at(value, i) : rf_toml_array_get(value, i);
    g_autofree char *item_key =
        table ? g_strdup_printf("%s.%s", key, rf_toml_table_key_at(value, i)) : g_strdup(key);
    const char *text = string_of(r, item, item_key, expected);
    if (!text)
      return FALSE;
    if (!table) {
      g_strv_builder_add(list, text);
      continue;
    }
    const char *name = rf_toml_table_key_at(value, i);
    if (!*name || strchr(name, '=') || strlen(name) != rf_toml_table_key_length_at(value, i))
      return key_error(r, item, item_key,
                       "is not a name an environment variable can have (no '=', no NUL, not "
                       "empty)");
    g_autofree char *entry = g_strdup_printf("%s=%s", name, text);
    g_strv_builder_add(list, entry);
  }
  *out = g_strv_builder_end(list);
  return TRUE;
}

static gboolean read_setting(const Reader *r, int index, const RfTomlValue *value) {
  const Spec *spec = &specs[index];
  Setting s = {.set = TRUE};
  switch (spec->type) {
  case TYPE_ENUM: {
    g_autofree char *expected = choices_text(spec->choices);
    const char *text = string_of(r, value, spec->key, expected);
    if (!text)
      return FALSE;
    if (!g_strv_contains(spec->choices, text)) {
      g_autofree char *shown = rf_quote_with(text, -1, '"', RF_QUOTE_MAX_BYTES);
      return key_error(r, value, spec->key, "has the value %s: expected %s", shown, expected);
    }
    s.text = g_strdup(text);
    break;
  }
  case TYPE_BOOL:
    if (rf_toml_value_type(value) != RF_TOML_BOOLEAN)
      return key_error(r, value, spec->key, "is %s %s: expected true or false",
                       article(type_of(value)), type_of(value));
    s.boolean = rf_toml_value_boolean(value);
    break;
  case TYPE_PATH:
    s.text = path_of(r, value, spec->key, "an absolute path (or ~/...)");
    if (!s.text)
      return FALSE;
    break;
  case TYPE_STRING: {
    const char *text = string_of(r, value, spec->key, "a name such as \":workspace\"");
    if (!text)
      return FALSE;
    if (!*text)
      return key_error(r, value, spec->key, "is empty: expected a name such as \":workspace\"");
    s.text = g_strdup(text);
    break;
  }
  case TYPE_PATHS:
  case TYPE_NAMES:
    if (!read_list(r, value, spec->key, spec->type == TYPE_PATHS, &s.list))
      return FALSE;
    break;
  case TYPE_APPROVAL:
    if (!read_approval(r, value, spec->key, &s.approval))
      return FALSE;
    break;
  case TYPE_STRINGS:
  case TYPE_ENV:
    if (!read_strings(r, value, spec->key, spec->type == TYPE_ENV, &s.list))
      return FALSE;
    break;
  }
  s.origin = origin_of(r, value);
  Setting *slot = &r->layer->s[index];
  setting_clear(slot);
  *slot = s;
  return TRUE;
}

static gboolean read_entry(const Reader *r, const char *key, const RfTomlValue *value);

static gboolean read_table(const Reader *r, const char *prefix, const RfTomlValue *table) {
  for (guint i = 0; i < rf_toml_table_size(table); i++) {
    const char *name = rf_toml_table_key_at(table, i);
    if (strlen(name) != rf_toml_table_key_length_at(table, i))
      continue; /* a key with a NUL in it is no key of ours */
    g_autofree char *key = prefix ? g_strdup_printf("%s.%s", prefix, name) : g_strdup(name);
    if (!read_entry(r, key, rf_toml_table_value_at(table, i)))
      return FALSE;
  }
  return TRUE;
}

static gboolean read_profiles(const Reader *r, const RfTomlValue *value) {
  if (rf_toml_value_type(value) != RF_TOML_TABLE)
    return key_error(r, value, "profiles", "is %s %s: expected tables such as [profiles.ci]",
                     article(type_of(value)), type_of(value));
  for (guint i = 0; i < rf_toml_table_size(value); i++) {
    const char *name = rf_toml_table_key_at(value, i);
    const RfTomlValue *table = rf_toml_table_value_at(value, i);
    g_autofree char *key = g_strdup_printf("profiles.%s", name);
    if (strlen(name) != rf_toml_table_key_length_at(value, i) || !*name)
      return key_error(r, table, "profiles",
                       "has a profile name ringfence cannot use: expected "
                       "a name such as \"ci\"");
    if (rf_toml_value_type(table) != RF_TOML_TABLE)
      return key_error(r, table, key, "is %s %s: expected a table of settings",
                       article(type_of(table)), type_of(table));
    Profile *profile = g_new0(Profile, 1);
    profile->name = g_strdup(name);
    g_ptr_array_add(r->config->profiles, profile);
    Reader pr = *r;
    pr.layer = &profile->layer;
    pr.layer_index = LAYER_PROFILE;
    pr.profile = profile->name;
    if (!read_table(&pr, NULL, table))
      return FALSE;
  }
  return TRUE;
}

/* [permissions.network]: the other agent CLI's network proxy table (not a permission profile
 * named "network", a name it reserves too), read as the [network_proxy] settings it means. */
static gboolean read_permissions_network(const Reader *r, const char *name,
                                         const RfTomlValue *value) {
  static const struct {
    const char *name;
    int index;
  } keys[] = {{"enabled", S_NP_ENABLED},
              {"mode", S_NP_MODE},
              {"proxy_url", S_NP_PROXY_URL},
              {"allowed_domains", S_NP_ALLOWED},
              {"denied_domains", S_NP_DENIED},
              {"allow_local_binding", S_NP_LOCAL_BINDING}};
  if (!name) {
    if (rf_toml_value_type(value) != RF_TOML_TABLE)
      return key_error(r, value, "permissions.network", "is %s %s: expected a table",
                       article(type_of(value)), type_of(value));
    for (guint i = 0; i < rf_toml_table_size(value); i++)
      if (!read_permissions_network(r, rf_toml_table_key_at(value, i),
                                    rf_toml_table_value_at(value, i)))
        return FALSE;
    return TRUE;
  }
  for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
    if (g_str_equal(name, keys[i].name))
      return read_setting(r, keys[i].index, value);
  g_autofree char *key = g_strdup_printf("permissions.network.%s", name);
  return key_error(r, value, key,
                   "is not a setting ringfence reads (it reads enabled, mode, allowed_domains, "
                   "denied_domains, allow_local_binding and proxy_url there), and it concerns the "
                   "network: ringfence refuses it rather than run with other access than you "
                   "asked for (remove it; docs/network.md)");
}

/* [permissions] tables, or -c permissions.PARTS=VALUE (core/config/permissions.c). */
static gboolean read_permissions(const Reader *r, const char *const *parts,
                                 const RfTomlValue *value) {
  if (parts && parts[0] && g_str_equal(parts[0], "network"))
    return parts[1] && parts[2] ? key_error(r, value, "permissions.network", "is too deep for -c")
                                : read_permissions_network(r, parts[1], value);
  if (!parts && rf_toml_value_type(value) == RF_TOML_TABLE &&
      rf_toml_table_get(value, "network")) {
    /* Each profile apart, [permissions.network] to the settings. */
    for (guint i = 0; i < rf_toml_table_size(value); i++) {
      const char *one[] = {rf_toml_table_key_at(value, i), NULL};
      if (strlen(one[0]) != rf_toml_table_key_length_at(value, i))
        return key_error(r, value, "permissions", "has a profile name with a NUL character");
      if (!read_permissions(r, one, rf_toml_table_value_at(value, i)))
        return FALSE;
    }
    return TRUE;
  }
  if (!r->layer->permissions)
    r->layer->permissions = rf_permissions_layer_new();
  RfPermReader pr = {.file = r->file,
                     .assignment = r->assignment,
                     .profile = r->profile,
                     .error = r->error};
  return rf_permissions_read(&pr, r->layer->permissions, parts, value);
}

/* [projects."PATH"] tables: which project directories the user trusts (the key agent users
 * write).  Other keys of a project table belong to the agent and are ignored. */
static gboolean read_projects(const Reader *r, const RfTomlValue *value) {
  if (rf_toml_value_type(value) != RF_TOML_TABLE)
    return key_error(r, value, "projects",
                     "is %s %s: expected tables such as [projects.\"/home/me/src\"]",
                     article(type_of(value)), type_of(value));
  for (guint i = 0; i < rf_toml_table_size(value); i++) {
    const char *path = rf_toml_table_key_at(value, i);
    const RfTomlValue *table = rf_toml_table_value_at(value, i);
    g_autofree char *key = g_strdup_printf("projects.%s", path);
    if (rf_toml_value_type(table) != RF_TOML_TABLE)
      return key_error(r, table, key, "is %s %s: expected a table such as { trust_level = "
                       "\"trusted\" }", article(type_of(table)), type_of(table));
    const RfTomlValue *level = rf_toml_table_get(table, "trust_level");
    if (!level)
      continue;
    g_autofree char *level_key = g_strdup_printf("%s.trust_level", key);
    const char *text = string_of(r, level, level_key, "\"trusted\" or \"untrusted\"");
    if (!text)
      return FALSE;
    if (!g_str_equal(text, "trusted") && !g_str_equal(text, "untrusted")) {
      g_autofree char *shown = rf_quote_with(text, -1, '"', RF_QUOTE_MAX_BYTES);
      return key_error(r, level, level_key, "has the value %s: expected \"trusted\" or "
                       "\"untrusted\"", shown);
    }
    g_autofree char *expanded = NULL;
    if (strlen(path) != rf_toml_table_key_length_at(value, i))
      return key_error(r, table, "projects", "has a project path with a NUL character");
    if (g_str_has_prefix(path, "~/") || g_str_equal(path, "~")) {
      const char *home = home_for_tilde();
      if (home)
        expanded = g_build_filename(home, path + 1, NULL);
    } else if (g_path_is_absolute(path)) {
      expanded = g_strdup(path);
    }
    if (!expanded)
      return key_error(r, table, key, "names a project by a path that is not absolute: "
                       "write [projects.\"/absolute/path\"]");
    Project *project = g_new0(Project, 1);
    project->path = rf_canonical_maybe_missing(expanded, NULL);
    project->trusted = g_str_equal(text, "trusted");
    project->origin = origin_of(r, level);
    g_ptr_array_add(r->config->projects, project);
  }
  return TRUE;
}

/* Why an unknown |key| (dotted, from the top of its layer) would change what commands may do,
 * or NULL when it concerns only the agent (model, MCP servers, UI) and may be ignored. */
static const char *unknown_key_changes_access(const char *key) {
  g_auto(GStrv) parts = g_strsplit(key, ".", 3);
  const char *first = parts[0], *second = parts[1];
  if (g_str_has_prefix(first, "sandbox") || g_str_has_prefix(first, "network"))
    return "its name says it concerns the sandbox or the network";
  if (g_str_equal(first, "ringfence"))
    return "it is in ringfence's own table (a typo?)";
  if (g_str_equal(first, "shell_environment_policy"))
    return "it would change what the command's environment holds";
  if (second && g_strv_contains(setting_tables, first) &&
      (g_str_has_prefix(second, "sandbox") || g_str_has_prefix(second, "network")))
    return "its name says it concerns the sandbox or the network";
  return NULL;
}

static gboolean read_entry(const Reader *r, const char *key, const RfTomlValue *value) {
  int index = find_spec(key);
  if (index >= 0)
    return read_setting(r, index, value);
  gboolean top = !r->profile && !r->profile_file; /* the file's top level, or -c */
  if (top && g_str_equal(key, "profile")) {
    const char *name = string_of(r, value, key, "a profile name such as \"ci\"");
    if (!name)
      return FALSE;
    g_free(r->config->profile_choice[r->layer_index]);
    g_free(r->config->profile_origin[r->layer_index]);
    r->config->profile_choice[r->layer_index] = g_strdup(name);
    r->config->profile_origin[r->layer_index] = origin_of(r, value);
    return TRUE;
  }
  if (top && r->file && g_str_equal(key, "profiles"))
    return read_profiles(r, value);
  if (g_str_equal(key, "permissions"))
    return read_permissions(r, NULL, value);
  if (top && r->file && g_str_equal(key, "projects"))
    return read_projects(r, value);
  if (g_strv_contains(setting_tables, key)) {
    if (rf_toml_value_type(value) != RF_TOML_TABLE)
      return key_error(r, value, key, "is %s %s: expected a table ([%s])", article(type_of(value)),
                       type_of(value), key);
    return read_table(r, key, value);
  }
  const char *why = unknown_key_changes_access(key);
  if (why)
    return key_error(r, value, key,
                     "is not a setting ringfence reads, and %s: ringfence refuses it rather than "
                     "run with other access than you asked for (remove it; docs/config.md lists "
                     "the keys ringfence reads)",
                     why);
  if (!r->file) {
    if (g_str_has_prefix(key, "approval_policy."))
      return key_error(r, value, key,
                       "cannot be set alone: set approval_policy whole, e.g. -c "
                       "'approval_policy={ granular = { sandbox_approval = true, rules = false, "
                       "mcp_elicitations = false } }'");
    g_autofree char *assignment = rf_excerpt(r->assignment);
    g_autofree char *shown = rf_quote(key, -1);
    warn(r->config, g_str_has_prefix(key, "profiles.")
                        ? g_strdup_printf("-c %s: profiles cannot be changed with -c, ignored "
                                          "(-c keys already take precedence over profiles)",
                                          assignment)
                        : g_strdup_printf("-c %s: ringfence has no setting %s, ignored",
                                          assignment, shown));
  }
  return TRUE; /* keys of other programs sharing the file */
}

/* ---- Loading ------------------------------------------------------------------- */

gboolean rf_config_load_data(RfConfig *config, const char *name, const char *data, gssize length,
                             GError **error) {
  g_return_val_if_fail(!config->file && !config->resolved, FALSE);
  g_autoptr(GError) toml_error = NULL;
  g_autoptr(RfTomlValue) root =
      rf_toml_parse(data, length < 0 ? strlen(data) : (gsize)length, &toml_error);
  if (!root) {
    g_autofree char *file = rf_path_excerpt(name);
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s:%s", file, toml_error->message);
    return FALSE;
  }
  config->file = g_strdup(name);
  Reader r = {.config = config,
              .layer = &config->file_layer,
              .layer_index = LAYER_FILE,
              .file = config->file,
              .error = error};
  return read_table(&r, NULL, root);
}

gboolean rf_config_load_file(RfConfig *config, const char *path, GError **error) {
  g_autofree char *default_path = path ? NULL : rf_config_default_path();
  const char *file = path ? path : default_path;
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) read_error = NULL;
  /* A FIFO, a device or a huge file would hang ringfence or exhaust its memory: regular
   * files only, bounded (safe-read.h).  A symlink is followed (dotfile managers use them). */
  int rc = rf_safe_read_file(file, "config file", RF_READ_MAX_USER_FILE, RF_READ_FOLLOW,
                             &contents, &length, &read_error);
  if (rc < 0) {
    gboolean missing = rc == -ENOENT || rc == -ENOTDIR;
    if (!path && missing) {
      g_free(config->looked_for);
      config->looked_for = g_strdup(file);
      return TRUE; /* no default config: defaults apply */
    }
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s%s", read_error->message,
                path && missing ? " (check the --config path)"
                : rc == -EINVAL || rc == -EFBIG
                    ? " (write the configuration to a regular file and name that)"
                    : "");
    return FALSE;
  }
  return rf_config_load_data(config, file, contents, (gssize)length, error);
}

/* TOML for a bare word given to -c, so that -c sandbox_mode=workspace-write works. */
static char *quote_as_toml_string(const char *text) {
  GString *out = g_string_new("\"");
  for (const char *p = text; *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_printf(out, "\\%c", *p);
    else if ((unsigned char)*p < 0x20 || *p == 0x7f)
      g_string_append_printf(out, "\\u%04x", (unsigned char)*p);
    else
      g_string_append_c(out, *p);
  }
  g_string_append_c(out, '"');
  return g_string_free(out, FALSE);
}

gboolean rf_config_add_override(RfConfig *config, const char *assignment, GError **error) {
  g_return_val_if_fail(!config->resolved, FALSE);
  const char *equals = strchr(assignment, '=');
  g_autofree char *shown = rf_excerpt(assignment);
  if (!equals || equals == assignment) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                "-c %s: expected KEY=VALUE, such as -c sandbox_mode=\"workspace-write\" or -c "
                "sandbox_workspace_write.network_access=true",
                shown);
    return FALSE;
  }
  g_autofree char *key_text = g_strstrip(g_strndup(assignment, equals - assignment));
  g_autofree char *value_text = g_strstrip(g_strdup(equals + 1));
  g_autoptr(GError) toml_error = NULL;
  g_auto(GStrv) parts = rf_toml_parse_key(key_text, &toml_error);
  g_autofree char *shown_key_text = rf_quote(key_text, -1);
  if (!parts) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "-c %s: the key %s is not a TOML key: %s",
                shown, shown_key_text, toml_error->message);
    return FALSE;
  }
  if (!*value_text) {
    g_autofree char *bare_key = rf_excerpt(key_text);
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                "-c %s: no value after '=' (strings need quotes in TOML: -c %s=\"...\")", shown,
                bare_key);
    return FALSE;
  }
  g_autoptr(RfTomlValue) value = rf_toml_parse_value(value_text, &toml_error);
  if (!value && !strchr("[{\"'", value_text[0]) && !strpbrk(value_text, "\n\r")) {
    /* Not TOML, but a bare word: take it as a string. */
    g_autofree char *quoted = quote_as_toml_string(value_text);
    value = rf_toml_parse_value(quoted, NULL);
  }
  if (!value) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "-c %s: the value is not TOML: %s", shown,
                toml_error->message);
    return FALSE;
  }
  g_autofree char *key = g_strjoinv(".", parts);
  Reader r = {.config = config,
              .layer = &config->override_layer,
              .layer_index = LAYER_OVERRIDE,
              .assignment = assignment,
              .error = error};
  /* Profile names and paths may hold dots: the parts, not the joined key. */
  if (g_str_equal(parts[0], "permissions"))
    return read_permissions(&r, (const char *const *)parts + 1, value);
  return read_entry(&r, key, value);
}

void rf_config_set_profile(RfConfig *config, const char *name) {
  g_free(config->profile_choice[LAYER_FLAG]);
  g_free(config->profile_origin[LAYER_FLAG]);
  config->profile_choice[LAYER_FLAG] = g_strdup(name);
  config->profile_origin[LAYER_FLAG] = g_strdup("flag -p");
}

gboolean rf_config_set_flag(RfConfig *config, const char *key, const char *value, const char *flag,
                            GError **error) {
  g_return_val_if_fail(!config->resolved, FALSE);
  int index = find_spec(key);
  g_return_val_if_fail(index >= 0, FALSE);
  const Spec *spec = &specs[index];
  Setting *s = &config->flag_layer.s[index];
  switch (spec->type) {
  case TYPE_ENUM:
    if (!g_strv_contains(spec->choices, value)) {
      g_autofree char *expected = choices_text(spec->choices);
      g_autofree char *shown = rf_quote(value, -1);
      g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s %s is not a valid value: expected %s",
                  flag, shown, expected);
      return FALSE;
    }
    g_free(s->text);
    s->text = g_strdup(value);
    break;
  case TYPE_BOOL:
    if (!g_str_equal(value, "true") && !g_str_equal(value, "false")) {
      g_autofree char *shown = rf_quote(value, -1);
      g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s %s: expected true or false", flag, shown);
      return FALSE;
    }
    s->boolean = g_str_equal(value, "true");
    break;
  case TYPE_PATH:
  case TYPE_STRING:
    g_free(s->text);
    s->text = g_strdup(value);
    break;
  case TYPE_PATHS:
  case TYPE_NAMES:
  case TYPE_STRINGS:
  case TYPE_ENV: {
    guint n = s->list ? g_strv_length(s->list) : 0;
    s->list = g_renew(char *, s->list, n + 2);
    s->list[n] = g_strdup(value);
    s->list[n + 1] = NULL;
    break;
  }
  case TYPE_APPROVAL:
    if (!rf_approval_policy_from_string(value, &s->approval, error)) {
      g_prefix_error(error, "%s: ", flag);
      return FALSE;
    }
    break;
  }
  s->set = TRUE;
  g_free(s->origin);
  s->origin = g_strdup_printf("flag %s", flag);
  return TRUE;
}

/* ---- Resolving ------------------------------------------------------------------ */

static const char *mode_text(const RfConfig *config) {
  const Setting *s = &config->effective[S_SANDBOX_MODE];
  return s->set ? s->text : "read-only";
}

static gboolean workspace_write(const RfConfig *config) {
  return g_str_equal(mode_text(config), "workspace-write");
}

/* The other CLI's newer form of a profile: NAME.config.toml next to config.toml, layered on
 * top of it.  1: loaded (and selected); 0: there is no such file; -1: an error. */
static int load_profile_file(RfConfig *config, const char *name, const char *origin,
                             GError **error) {
  const char *base_file = config->file ? config->file : config->looked_for;
  gboolean plain = *name && name[0] != '.';
  for (const char *c = name; *c && plain; c++)
    plain = g_ascii_isalnum(*c) || strchr("-_.", *c);
  if (!base_file || !g_path_is_absolute(base_file) || !plain || strlen(name) > 200)
    return 0; /* (a longer NAME.config.toml cannot be a file name) */
  g_autofree char *dir = g_path_get_dirname(base_file);
  g_autofree char *file_name = g_strdup_printf("%s.config.toml", name);
  g_autofree char *path = g_build_filename(dir, file_name, NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) read_error = NULL;
  int rc = rf_safe_read_file(path, "profile file", RF_READ_MAX_USER_FILE, RF_READ_FOLLOW,
                             &contents, &length, &read_error);
  if (rc == -ENOENT || rc == -ENOTDIR || rc == -ENAMETOOLONG)
    return 0;
  if (rc < 0) {
    g_propagate_error(error, g_steal_pointer(&read_error));
    return -1;
  }
  g_autoptr(GError) toml_error = NULL;
  g_autoptr(RfTomlValue) root = rf_toml_parse(contents, length, &toml_error);
  if (!root) {
    g_autofree char *file = rf_path_excerpt(path);
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s:%s", file, toml_error->message);
    return -1;
  }
  Profile *profile = g_new0(Profile, 1);
  profile->name = g_strdup(name);
  g_ptr_array_add(config->profiles, profile);
  config->profile_file = g_strdup(path);
  Reader r = {.config = config,
              .layer = &profile->layer,
              .layer_index = LAYER_PROFILE,
              .file = config->profile_file,
              .profile_file = TRUE,
              .error = error};
  if (!read_table(&r, NULL, root))
    return -1;
  config->profile = g_strdup(name);
  config->profile_from = g_strdup_printf("%s; %s", origin, path);
  config->stack[LAYER_PROFILE] = &profile->layer;
  return 1;
}

static gboolean choose_profile(RfConfig *config, GError **error) {
  int from = -1;
  for (int i = N_LAYERS - 1; i >= 0 && from < 0; i--)
    if (config->profile_choice[i])
      from = i;
  if (from < 0)
    return TRUE;
  const char *name = config->profile_choice[from];
  for (guint i = 0; i < config->profiles->len; i++) {
    Profile *profile = g_ptr_array_index(config->profiles, i);
    if (g_str_equal(profile->name, name)) {
      const char *base_file = config->file ? config->file : config->looked_for;
      g_autofree char *dir = base_file ? g_path_get_dirname(base_file) : NULL;
      g_autofree char *file_name = g_strdup_printf("%s.config.toml", name);
      g_autofree char *other = dir ? g_build_filename(dir, file_name, NULL) : NULL;
      if (other && g_path_is_absolute(other) && g_file_test(other, G_FILE_TEST_EXISTS)) {
        g_autofree char *shown = rf_quote(name, -1);
        g_autofree char *shown_other = rf_path_excerpt(other);
        g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                    "profile %s is defined twice: as [profiles.%s] in %s and as %s (keep one)",
                    shown, name, config->file, shown_other);
        return FALSE;
      }
      config->profile = g_strdup(name);
      config->profile_from = g_strdup(config->profile_origin[from]);
      config->stack[LAYER_PROFILE] = &profile->layer;
      return TRUE;
    }
  }
  g_autofree char *shown = rf_quote(name, -1);
  int loaded = load_profile_file(config, name, config->profile_origin[from], error);
  if (loaded != 0)
    return loaded > 0;
  if (!config->file) {
    g_autofree char *looked_for = rf_path_excerpt(config->looked_for ? config->looked_for : "-");
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                "profile %s (from %s) is not defined: no config file was read (looked for %s; "
                "name one with --config FILE)",
                shown, config->profile_origin[from], looked_for);
    return FALSE;
  }
  /* The names the file defines: the first ten, each bounded like any value shown. */
  g_autoptr(GString) defined = g_string_new(NULL);
  for (guint i = 0; i < config->profiles->len && i < 10; i++) {
    Profile *profile = g_ptr_array_index(config->profiles, i);
    g_autofree char *profile_name = rf_excerpt(profile->name);
    g_string_append_printf(defined, "%s%s", i ? ", " : "", profile_name);
  }
  if (config->profiles->len > 10)
    g_string_append_printf(defined, " and %u more", config->profiles->len - 10);
  g_autofree char *file = rf_path_excerpt(config->file);
  g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
              "profile %s (from %s) is not defined in %s (%s%s), and there is no "
              "NAME.config.toml of that name next to it",
              shown, config->profile_origin[from], file,
              defined->len ? "defined: " : "it defines no [profiles.NAME] tables", defined->str);
  return FALSE;
}

/* The highest layer setting |index|, below |below|; -1 for none. */
static int winner_below(const RfConfig *config, int index, int below) {
  for (int layer = below - 1; layer >= 0; layer--)
    if (config->stack[layer] && config->stack[layer]->s[index].set)
      return layer;
  return -1;
}

static void resolve_backend(RfConfig *config, GError **error) {
  const Setting *legacy = &config->effective[S_LEGACY_LANDLOCK];
  const Setting *bwrap = &config->effective[S_BWRAP];
  if (legacy->set && legacy->boolean && bwrap->set && bwrap->boolean) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                "features.use_legacy_landlock (%s) and features.use_linux_sandbox_bwrap (%s) are "
                "both true: set only one (or choose with ringfence.backend)",
                legacy->origin, bwrap->origin);
    return;
  }
  int feature = -1; /* the features.* flag that picks a backend */
  if (legacy->set && legacy->boolean)
    feature = S_LEGACY_LANDLOCK;
  else if (bwrap->set && bwrap->boolean)
    feature = S_BWRAP;
  int feature_layer = feature >= 0 ? config->effective_layer[feature] : -1;
  const Setting *backend = &config->effective[S_BACKEND];
  if (backend->set && config->effective_layer[S_BACKEND] >= feature_layer) {
    config->backend = g_strdup(backend->text);
    config->backend_from = g_strdup_printf("%s, %s", specs[S_BACKEND].key, backend->origin);
  } else if (feature >= 0) {
    config->backend = g_strdup(feature == S_LEGACY_LANDLOCK ? "landlock" : "bwrap");
    config->backend_from =
        g_strdup_printf("%s, %s", specs[feature].key, config->effective[feature].origin);
  } else {
    config->backend = g_strdup("auto");
    config->backend_from = g_strdup("default");
  }
}

static void add_rules_file(RfConfig *config, char *path, char *origin) {
  g_ptr_array_insert(config->rules_files, (gint)config->rules_files->len - 1, path);
  g_ptr_array_add(config->rules_origins, origin);
}

static gboolean protected_name(const RfConfig *config, const char *name) {
  const Setting *names = &config->effective[S_PROTECTED_NAMES];
  return g_strv_contains(names->set ? (const char *const *)names->list
                                    : rf_policy_default_protected_names(),
                         name);
}

/* The deepest [projects."PATH"] entry that is |dir| or holds it, or NULL. */
static const Project *project_of(const RfConfig *config, const char *dir) {
  const Project *best = NULL;
  for (guint i = 0; i < config->projects->len; i++) {
    const Project *p = g_ptr_array_index(config->projects, i);
    size_t n = strlen(p->path);
    gboolean holds = g_str_equal(p->path, "/") ||
                     (strncmp(dir, p->path, n) == 0 && (dir[n] == '\0' || dir[n] == '/'));
    if (holds && (!best || strlen(best->path) <= n))
      best = p;
  }
  return best;
}

/* The rules files, in the order they are read (a later host_executable replaces an earlier
 * one for the same name, so the user's own files come last):
 *   1. a trusted project's .codex/rules/ (with ringfence.codex_project_rules = true), then
 *      its .ringfence/rules/;
 *   2. the rules/ folder next to the config file;
 *   3. [ringfence] rules, then --rules.
 * An untrusted project's folders are not read at all: a command sandboxed in that project may
 * have written them, so they could loosen nothing safely. */
static gboolean collect_rules_files(RfConfig *config, GError **error) {
  g_autofree char *problem = NULL;
  g_autofree char *dir = config->workdir ? rf_canonical_maybe_missing(config->workdir, NULL)
                                         : rf_current_dir(&problem);
  const Project *project = dir ? project_of(config, dir) : NULL;
  const char *root = project ? project->path : dir;
  struct {
    const char *name;
    gboolean wanted;
  } folders[] = {{".codex", config->effective[S_CODEX_PROJECT_RULES].set &&
                                config->effective[S_CODEX_PROJECT_RULES].boolean},
                 {".ringfence", TRUE}};
  for (guint i = 0; root && i < G_N_ELEMENTS(folders); i++) {
    if (!folders[i].wanted)
      continue;
    g_autofree char *folder = g_build_filename(root, folders[i].name, "rules", NULL);
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    gboolean trusted = project && project->trusted;
    /* Only a trusted project's folder must be readable: an untrusted one is not read anyway,
     * and what lies in a workspace must not stop runs there. */
    g_autoptr(GError) list_error = NULL;
    if (rf_rules_dir_files(folder, files, &list_error) < 0) {
      if (trusted) {
        g_propagate_error(error, g_steal_pointer(&list_error));
        return FALSE;
      }
      continue;
    }
    if (!files->len)
      continue;
    if (!trusted) {
      g_ptr_array_add(
          config->rules_skipped,
          g_strdup_printf("%s: not read, the project is not trusted%s%s%s (trust it with "
                          "[projects.\"%s\"] trust_level = \"trusted\")",
                          folder, project ? " (" : "", project ? project->origin : "",
                          project ? ")" : "", root));
      continue;
    }
    if (!protected_name(config, folders[i].name)) {
      g_autofree char *shown = rf_quote_path(folder);
      g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                  "the rules in %s are not read while '%s' is not a protected name: a "
                  "sandboxed command could write them (put '%s' back into ringfence."
                  "protected_names)",
                  shown, folders[i].name, folders[i].name);
      return FALSE;
    }
    for (guint j = 0; j < files->len; j++)
      add_rules_file(config, g_strdup(g_ptr_array_index(files, j)),
                     g_strdup_printf("project %s, trusted at %s", root, project->origin));
  }
  const char *config_file = config->file ? config->file : config->looked_for;
  if (config_file && g_path_is_absolute(config_file)) {
    g_autofree char *base = g_path_get_dirname(config_file);
    g_autofree char *folder = g_build_filename(base, "rules", NULL);
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    if (rf_rules_dir_files(folder, files, error) < 0)
      return FALSE;
    for (guint j = 0; j < files->len; j++)
      add_rules_file(config, g_strdup(g_ptr_array_index(files, j)),
                     g_strdup_printf("the config's rules folder %s", folder));
  }
  const Setting *rules = &config->effective[S_RULES];
  for (char **file = rules->list; file && *file; file++)
    add_rules_file(config, g_strdup(*file), g_strdup(rules->origin));
  return TRUE;
}

void rf_config_set_workdir(RfConfig *config, const char *dir) {
  g_free(config->workdir);
  config->workdir = g_strdup(dir);
}

gboolean rf_config_resolve(RfConfig *config, GError **error) {
  g_return_val_if_fail(!config->resolved, FALSE);
  config->stack[LAYER_FILE] = &config->file_layer;
  config->stack[LAYER_OVERRIDE] = &config->override_layer;
  config->stack[LAYER_FLAG] = &config->flag_layer;
  if (!choose_profile(config, error))
    return FALSE;
  for (int i = 0; i < N_SETTINGS; i++) {
    int layer = winner_below(config, i, N_LAYERS);
    config->effective_layer[i] = layer;
    if (layer < 0)
      continue;
    setting_copy(&config->effective[i], &config->stack[layer]->s[i]);
    /* A list flag (--writable-root, --rules) adds to what the config says. */
    int lower = layer == LAYER_FLAG ? winner_below(config, i, LAYER_FLAG) : -1;
    if (lower >= 0 && (specs[i].type == TYPE_PATHS || specs[i].type == TYPE_NAMES ||
                       i == S_ALLOWED_DOMAINS || i == S_DENIED_DOMAINS)) {
      const Setting *base = &config->stack[lower]->s[i];
      Setting *s = &config->effective[i];
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
      g_strv_builder_addv(builder, (const char **)base->list);
      g_strv_builder_addv(builder, (const char **)s->list);
      g_strfreev(s->list);
      s->list = g_strv_builder_end(builder);
      char *origin = g_strdup_printf("%s + %s", base->origin, s->origin);
      g_free(s->origin);
      s->origin = origin;
    }
  }
  g_autoptr(GError) backend_error = NULL;
  resolve_backend(config, &backend_error);
  if (backend_error) {
    g_propagate_error(error, g_steal_pointer(&backend_error));
    return FALSE;
  }
  if (!collect_rules_files(config, error))
    return FALSE;
  /* Writable roots whatever the mode: nothing ringfence runs may lie below them. */
  int lower = winner_below(config, S_WRITABLE_ROOTS, LAYER_FLAG);
  char **lists[] = {lower >= 0 ? config->stack[lower]->s[S_WRITABLE_ROOTS].list : NULL,
                    config->flag_layer.s[S_WRITABLE_ROOTS].list};
  for (guint l = 0; l < G_N_ELEMENTS(lists); l++)
    for (char **root = lists[l]; root && *root; root++)
      g_ptr_array_insert(config->all_writable_roots, (gint)config->all_writable_roots->len - 1,
                         g_strdup(*root));
  config->resolved = TRUE;
  return TRUE;
}

/* Network: ringfence.network, or sandbox_workspace_write.network_access in workspace-write;
 * the one set by the higher layer wins, ringfence.network on a tie. */
static rf_network_mode effective_network(const RfConfig *config, const char **origin) {
  int network_layer = config->effective_layer[S_NETWORK];
  int access_layer = workspace_write(config) ? config->effective_layer[S_NETWORK_ACCESS] : -1;
  /* [network_proxy] enabled = true: the proxy, unless a higher layer says otherwise. */
  int proxy_layer = config->effective[S_NP_ENABLED].set && config->effective[S_NP_ENABLED].boolean
                        ? config->effective_layer[S_NP_ENABLED]
                        : -1;
  if (proxy_layer >= 0 && proxy_layer > network_layer && proxy_layer >= access_layer) {
    *origin = "network_proxy.enabled";
    return RF_NETWORK_PROXY;
  }
  if (network_layer >= 0 && network_layer >= access_layer) {
    rf_network_mode mode = RF_NETWORK_OFF;
    rf_network_mode_from_string(config->effective[S_NETWORK].text, &mode, NULL);
    *origin = "ringfence.network";
    return mode;
  }
  if (access_layer >= 0) {
    *origin = "sandbox_workspace_write.network_access";
    return config->effective[S_NETWORK_ACCESS].boolean ? RF_NETWORK_ON : RF_NETWORK_OFF;
  }
  *origin = "default";
  return RF_NETWORK_OFF;
}

/* The [permissions] entries of every layer in effect, lowest first (NULL where none). */
static void permission_layers(const RfConfig *config, GPtrArray *layers[N_LAYERS]) {
  for (int i = 0; i < N_LAYERS; i++)
    layers[i] = config->stack[i] ? config->stack[i]->permissions : NULL;
}

/* default_permissions counts unless -s/--sandbox names a mode (the flag wins); sandbox_mode set
 * in the config too is a contradiction, an error (see rf_config_apply). */
static gboolean permissions_in_effect(const RfConfig *config) {
  return config->effective[S_DEFAULT_PERMISSIONS].set &&
         config->effective_layer[S_SANDBOX_MODE] != LAYER_FLAG;
}

/* The network as a person should read it: danger-full-access has no sandbox, so it is on. */
static rf_network_mode shown_network(const RfConfig *config, const char **origin) {
  if (g_str_equal(mode_text(config), "danger-full-access")) {
    *origin = "sandbox_mode = \"danger-full-access\": no sandbox";
    return RF_NETWORK_ON;
  }
  return effective_network(config, origin);
}

gboolean rf_config_apply(const RfConfig *config, RfPolicy *policy, GError **error) {
  g_return_val_if_fail(config->resolved, FALSE);
  const Setting *e = config->effective;
  const char *network_origin;
  rf_policy_set_network(policy, effective_network(config, &network_origin));
  if (permissions_in_effect(config)) {
    /* A permission profile decides the mode, the writable roots, reads and the network
     * (ringfence.network, when set, still wins); the sandbox_workspace_write keys are not used
     * with it, as in the agent CLI.  With sandbox_mode also set the two would disagree. */
    const Setting *dp = &e[S_DEFAULT_PERMISSIONS];
    if (e[S_SANDBOX_MODE].set) {
      g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                  "default_permissions (%s) and sandbox_mode (%s) are both set, and they do not "
                  "compose: keep one (-s/--sandbox on the command line overrides "
                  "default_permissions for one run)",
                  dp->origin, e[S_SANDBOX_MODE].origin);
      return FALSE;
    }
    GPtrArray *layers[N_LAYERS];
    permission_layers(config, layers);
    /* ringfence.network, when set, wins over the profile's network; so does the network proxy
     * ([network_proxy] or [permissions.network] enabled), which is narrower than "on". */
    gboolean keep_network = e[S_NETWORK].set || g_str_equal(network_origin, "network_proxy.enabled");
    if (!rf_permissions_apply(layers, N_LAYERS, dp->text, dp->origin, keep_network, policy,
                              error))
      return FALSE;
  } else {
    rf_sandbox_mode mode = RF_SANDBOX_READ_ONLY;
    if (!rf_sandbox_mode_from_string(mode_text(config), &mode, error))
      return FALSE;
    rf_policy_set_mode(policy, mode);
    /* Writable roots from the config count in workspace-write only (elsewhere they are
     * ignored, as agents do); a --writable-root flag always counts, so a wrong mode is an
     * error naming it. */
    if (mode == RF_SANDBOX_WORKSPACE_WRITE) {
      int lower = winner_below(config, S_WRITABLE_ROOTS, LAYER_FLAG);
      for (char **root = lower >= 0 ? config->stack[lower]->s[S_WRITABLE_ROOTS].list : NULL;
           root && *root; root++)
        rf_policy_add_writable_root(policy, *root);
    }
    if (e[S_EXCLUDE_SLASH_TMP].set)
      rf_policy_set_exclude_slash_tmp(policy, e[S_EXCLUDE_SLASH_TMP].boolean);
    if (e[S_EXCLUDE_TMPDIR].set)
      rf_policy_set_exclude_tmpdir_env_var(policy, e[S_EXCLUDE_TMPDIR].boolean);
  }
  for (char **root = config->flag_layer.s[S_WRITABLE_ROOTS].list; root && *root; root++)
    rf_policy_add_writable_root(policy, *root);
  if (e[S_PROTECTED_NAMES].set)
    rf_policy_set_protected_names(policy, (const char *const *)e[S_PROTECTED_NAMES].list);
  if (e[S_READABLE_ROOTS].set && e[S_READABLE_ROOTS].list[0]) {
    rf_policy_set_read_access(policy, RF_READ_RESTRICTED);
    for (char **root = e[S_READABLE_ROOTS].list; *root; root++)
      rf_policy_add_readable_root(policy, *root);
    rf_policy_set_platform_defaults(
        policy, e[S_PLATFORM_DEFAULTS].set ? e[S_PLATFORM_DEFAULTS].boolean : TRUE);
  }
  for (char **path = e[S_DENY_READ].list; path && *path; path++)
    rf_policy_add_deny_read(policy, *path);
  if (e[S_ALLOW_DEGRADED].set)
    rf_policy_set_allow_degraded(policy, e[S_ALLOW_DEGRADED].boolean);
  for (char **name = e[S_REQUIRE].list; name && *name; name++) {
    guint64 bit = rf_guarantee_from_name(*name);
    if (!bit) {
      g_autofree char *shown = rf_quote(*name, -1);
      g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                  "ringfence.require (%s) names %s, which is no guarantee: use one of %s",
                  e[S_REQUIRE].origin, shown, rf_guarantee_names());
      return FALSE;
    }
    rf_policy_add_required(policy, bit);
  }
  /* The proxy's settings: all of them with --network proxy; otherwise only those given as
   * flags, which rf_policy_resolve refuses (a config that also serves runs with the network
   * off or on is not an error). */
  gboolean proxy = effective_network(config, &network_origin) == RF_NETWORK_PROXY;
  const Setting *f = config->flag_layer.s;
  const Setting *domains = proxy ? e : f;
  for (char **name = domains[S_ALLOWED_DOMAINS].list; name && *name; name++)
    rf_policy_add_allowed_domain(policy, *name);
  for (char **name = domains[S_DENIED_DOMAINS].list; name && *name; name++)
    rf_policy_add_denied_domain(policy, *name);
  if (domains[S_PROXY_URL].set && domains[S_PROXY_URL].text)
    rf_policy_set_upstream_proxy(policy, domains[S_PROXY_URL].text);
  if (proxy) {
    for (char **name = e[S_NP_ALLOWED].list; name && *name; name++)
      rf_policy_add_allowed_domain(policy, *name);
    for (char **name = e[S_NP_DENIED].list; name && *name; name++)
      rf_policy_add_denied_domain(policy, *name);
    if (e[S_NP_MODE].set && g_str_equal(e[S_NP_MODE].text, "limited"))
      rf_policy_set_proxy_limited(policy, TRUE);
    if (e[S_NP_LOCAL_BINDING].set && e[S_NP_LOCAL_BINDING].boolean)
      rf_policy_set_allow_local_binding(policy, TRUE);
  }
  if (e[S_WINDOWS_SANDBOX].set)
    rf_policy_set_windows_mode(policy, g_str_equal(e[S_WINDOWS_SANDBOX].text, "elevated")
                                           ? RF_WINDOWS_ELEVATED
                                           : RF_WINDOWS_UNELEVATED);
  if (e[S_WINDOWS_DESKTOP].set)
    rf_policy_set_windows_private_desktop(policy, e[S_WINDOWS_DESKTOP].boolean);
  gboolean env_policy = FALSE;
  for (int i = S_ENV_INHERIT; i <= S_ENV_INCLUDE_ONLY; i++)
    env_policy = env_policy || e[i].set;
  if (env_policy) {
    g_auto(GStrv) base = g_get_environ();
    g_auto(GStrv) env = rf_shell_environment(
        (const char *const *)base, e[S_ENV_INHERIT].set ? e[S_ENV_INHERIT].text : "all",
        e[S_ENV_IGNORE_DEFAULT_EXCLUDES].set ? e[S_ENV_IGNORE_DEFAULT_EXCLUDES].boolean : TRUE,
        (const char *const *)e[S_ENV_EXCLUDE].list, (const char *const *)e[S_ENV_SET].list,
        (const char *const *)e[S_ENV_INCLUDE_ONLY].list);
    rf_policy_set_environ(policy, (const char *const *)env);
  }
  return TRUE;
}

/* ---- Getters --------------------------------------------------------------------- */

gboolean rf_config_get_approval_policy(const RfConfig *config, RfApprovalPolicy *policy) {
  const Setting *s = &config->effective[S_APPROVAL];
  *policy = s->set ? s->approval : (RfApprovalPolicy){.mode = RF_APPROVAL_ON_REQUEST};
  return s->set;
}

const char *rf_config_get_backend(const RfConfig *config) {
  return config->backend ? config->backend : "auto";
}

const char *rf_config_get_plugin_dir(const RfConfig *config) {
  return config->effective[S_PLUGIN_DIR].set ? config->effective[S_PLUGIN_DIR].text : NULL;
}

const char *rf_config_get_bwrap(const RfConfig *config) {
  return config->effective[S_BWRAP_PATH].set ? config->effective[S_BWRAP_PATH].text : NULL;
}

const char *const *rf_config_get_writable_roots(const RfConfig *config) {
  return (const char *const *)config->all_writable_roots->pdata;
}

const char *const *rf_config_get_rules_files(const RfConfig *config) {
  return (const char *const *)config->rules_files->pdata;
}

const char *rf_config_get_file(const RfConfig *config) {
  return config->file;
}

const char *rf_config_get_profile(const RfConfig *config) {
  return config->profile;
}

/* A profile name a shell can take as one word: no whitespace, quotes, backslash or control
 * character (completion lists only these; -p takes any name). */
static gboolean shell_word(const char *name) {
  if (!*name || strlen(name) > 200 || !g_utf8_validate(name, -1, NULL))
    return FALSE;
  for (const unsigned char *c = (const unsigned char *)name; *c; c++)
    if (*c <= ' ' || *c == 0x7f || strchr("\"'\\`$", *c))
      return FALSE;
  return TRUE;
}

static void add_unique(GPtrArray *names, const char *name) {
  for (guint i = 0; i < names->len; i++)
    if (g_str_equal(g_ptr_array_index(names, i), name))
      return;
  g_ptr_array_add(names, g_strdup(name));
}

static gint compare_names(gconstpointer a, gconstpointer b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char **rf_config_list_profiles(const RfConfig *config) {
  GPtrArray *names = g_ptr_array_new();
  for (guint i = 0; i < config->profiles->len; i++) {
    const Profile *profile = g_ptr_array_index(config->profiles, i);
    if (shell_word(profile->name))
      add_unique(names, profile->name);
  }
  /* NAME.config.toml next to the file (or where the default file would be). */
  const char *base_file = config->file ? config->file : config->looked_for;
  g_autofree char *dir = base_file && g_path_is_absolute(base_file) ? g_path_get_dirname(base_file)
                                                                     : NULL;
  g_autoptr(GDir) listing = dir ? g_dir_open(dir, 0, NULL) : NULL;
  const char *entry;
  guint seen = 0;
  while (listing && (entry = g_dir_read_name(listing)) != NULL && seen++ < 4096) {
    if (entry[0] == '.' || !g_str_has_suffix(entry, ".config.toml"))
      continue;
    g_autofree char *name = g_strndup(entry, strlen(entry) - strlen(".config.toml"));
    gboolean plain = *name != '\0';
    for (const char *c = name; *c && plain; c++)
      plain = g_ascii_isalnum(*c) || strchr("-_.", *c);
    if (plain)
      add_unique(names, name);
  }
  g_ptr_array_sort(names, compare_names);
  g_ptr_array_add(names, NULL);
  return (char **)g_ptr_array_free(names, FALSE);
}

const char *const *rf_config_get_warnings(const RfConfig *config) {
  return (const char *const *)config->warnings->pdata;
}

/* ---- Describing ----------------------------------------------------------------- */

static void append_toml_string(GString *out, const char *s) {
  g_string_append_c(out, '"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      g_string_append_printf(out, "\\%c", *s);
    else if ((unsigned char)*s < 0x20 || *s == 0x7f)
      g_string_append_printf(out, "\\u%04x", (unsigned char)*s);
    else
      g_string_append_c(out, *s);
  }
  g_string_append_c(out, '"');
}

static void append_approval_toml(GString *out, const RfApprovalPolicy *p) {
  if (p->mode != RF_APPROVAL_GRANULAR) {
    append_toml_string(out, rf_approval_mode_to_string(p->mode));
    return;
  }
  gboolean values[] = {p->sandbox_approval, p->rules, p->mcp_elicitations, p->request_permissions,
                       p->skill_approval};
  g_string_append(out, "{ granular = { ");
  for (int i = 0; granular_flags[i]; i++)
    g_string_append_printf(out, "%s%s = %s", i ? ", " : "", granular_flags[i],
                           values[i] ? "true" : "false");
  g_string_append(out, " } }");
}

static void append_value_toml(GString *out, int index, const Setting *s) {
  switch (specs[index].type) {
  case TYPE_ENUM:
  case TYPE_PATH:
  case TYPE_STRING:
    append_toml_string(out, s->text);
    break;
  case TYPE_BOOL:
    g_string_append(out, s->boolean ? "true" : "false");
    break;
  case TYPE_PATHS:
  case TYPE_NAMES:
  case TYPE_STRINGS:
    g_string_append_c(out, '[');
    for (guint i = 0; s->list && s->list[i]; i++) {
      if (i)
        g_string_append(out, ", ");
      append_toml_string(out, s->list[i]);
    }
    g_string_append_c(out, ']');
    break;
  case TYPE_ENV:
    g_string_append(out, "{ ");
    for (guint i = 0; s->list && s->list[i]; i++) {
      const char *eq = strchr(s->list[i], '=');
      g_autofree char *name = g_strndup(s->list[i], eq - s->list[i]);
      g_string_append(out, i ? ", " : "");
      append_toml_string(out, name);
      g_string_append(out, " = ");
      append_toml_string(out, eq + 1);
    }
    g_string_append(out, s->list && s->list[0] ? " }" : "}");
    break;
  case TYPE_APPROVAL:
    append_approval_toml(out, &s->approval);
    break;
  }
}

/* Why a setting that is set does not count, or NULL. */
static const char *unused_because(const RfConfig *config, int index) {
  const char *network_origin = NULL;
  switch (index) {
  case S_DEFAULT_PERMISSIONS:
    return permissions_in_effect(config) ? NULL : "overridden by flag -s";
  case S_WRITABLE_ROOTS:
    if (permissions_in_effect(config) && config->effective_layer[index] != LAYER_FLAG)
      return "not used with default_permissions";
    if (!workspace_write(config) && config->effective_layer[index] != LAYER_FLAG)
      return "not used: sandbox_mode is not workspace-write";
    return NULL;
  case S_NETWORK_ACCESS:
  case S_EXCLUDE_TMPDIR:
  case S_EXCLUDE_SLASH_TMP:
    if (permissions_in_effect(config))
      return "not used with default_permissions";
    if (!workspace_write(config))
      return "not used: sandbox_mode is not workspace-write";
    if (index == S_NETWORK_ACCESS) {
      effective_network(config, &network_origin);
      if (!g_str_equal(network_origin, specs[S_NETWORK_ACCESS].key))
        return "overridden by ringfence.network";
    }
    return NULL;
  case S_NETWORK:
    effective_network(config, &network_origin);
    return g_str_equal(network_origin, specs[S_NETWORK].key) ? NULL
                                                             : "overridden by "
                                                               "sandbox_workspace_write."
                                                               "network_access (a higher "
                                                               "layer)";
  case S_LEGACY_LANDLOCK:
  case S_BWRAP:
  case S_BACKEND:
    return g_str_has_prefix(config->backend_from ? config->backend_from : "", specs[index].key)
               ? NULL
               : (index == S_BACKEND ? "overridden by a features.* flag of a higher layer"
                  : config->effective[index].boolean ? "overridden by ringfence.backend"
                                                     : NULL);
  case S_PLATFORM_DEFAULTS: {
    const Setting *readable = &config->effective[S_READABLE_ROOTS];
    return readable->set && readable->list[0] ? NULL : "not used: reads are not restricted";
  }
  default:
    return NULL;
  }
}

void rf_config_describe(const RfConfig *config, GString *out) {
  if (config->file)
    g_string_append_printf(out, "config file: %s\n", config->file);
  else
    g_string_append_printf(out, "config file: none (looked for %s)\n",
                           config->looked_for ? config->looked_for : "none: not read");
  if (config->profile)
    g_string_append_printf(out, "profile: %s (%s)\n", config->profile, config->profile_from);
  else
    g_string_append(out, "profile: none\n");
  g_string_append(out, "settings (effective value  # where it came from):\n");
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) comments = g_ptr_array_new_with_free_func(g_free);
  gsize width = 0;
  for (int i = 0; i < N_SETTINGS; i++) {
    const Setting *s = &config->effective[i];
    GString *line = g_string_new(NULL);
    g_string_append_printf(line, "%s = ", specs[i].key);
    if (s->set)
      append_value_toml(line, i, s);
    else if (i == S_PROTECTED_NAMES) {
      Setting defaults = {.list = (char **)rf_policy_default_protected_names()};
      append_value_toml(line, i, &defaults);
    } else
      g_string_append(line, specs[i].default_toml);
    const char *unused = s->set ? unused_because(config, i) : NULL;
    g_ptr_array_add(comments,
                    g_strdup_printf("%s%s%s%s", s->set ? s->origin : "default", unused ? " (" : "",
                                    unused ? unused : "", unused ? ")" : ""));
    width = MAX(width, line->len);
    g_ptr_array_add(lines, g_string_free(line, FALSE));
  }
  width = MIN(width, 64);
  for (guint i = 0; i < lines->len; i++) {
    const char *line = g_ptr_array_index(lines, i);
    g_string_append_printf(out, "  %-*s  # %s\n", (int)width, line,
                           (char *)g_ptr_array_index(comments, i));
  }
  if (permissions_in_effect(config)) {
    const char *name = config->effective[S_DEFAULT_PERMISSIONS].text;
    GPtrArray *layers[N_LAYERS];
    permission_layers(config, layers);
    if (rf_permissions_is_builtin(name))
      g_string_append_printf(out, "permission profile %s: built in\n", name);
    else {
      g_string_append_printf(out, "permission profile %s (effective entries  # where each came from):\n", name);
      rf_permissions_describe(layers, N_LAYERS, name, out);
    }
  }
  const char *network_origin;
  rf_network_mode network = shown_network(config, &network_origin);
  g_string_append_printf(out, "effective: backend %s (%s), network %s (%s)\n",
                         rf_config_get_backend(config),
                         config->backend_from ? config->backend_from : "default",
                         rf_network_mode_to_string(network), network_origin);
  g_string_append_printf(out, "rules files:%s\n", config->rules_origins->len ? "" : " none");
  for (guint i = 0; i < config->rules_origins->len; i++)
    g_string_append_printf(out, "  %s  # %s\n", (char *)g_ptr_array_index(config->rules_files, i),
                           (char *)g_ptr_array_index(config->rules_origins, i));
  for (guint i = 0; i < config->rules_skipped->len; i++)
    g_string_append_printf(out, "  %s\n", (char *)g_ptr_array_index(config->rules_skipped, i));
}

static void append_json_value(GString *out, int index, const Setting *s) {
  switch (specs[index].type) {
  case TYPE_ENUM:
  case TYPE_PATH:
  case TYPE_STRING:
    rf_json_append_string(out, s->text);
    break;
  case TYPE_BOOL:
    g_string_append(out, s->boolean ? "true" : "false");
    break;
  case TYPE_PATHS:
  case TYPE_NAMES:
  case TYPE_STRINGS:
    g_string_append_c(out, '[');
    for (guint i = 0; s->list && s->list[i]; i++) {
      if (i)
        g_string_append_c(out, ',');
      rf_json_append_string(out, s->list[i]);
    }
    g_string_append_c(out, ']');
    break;
  case TYPE_ENV:
    g_string_append_c(out, '{');
    for (guint i = 0; s->list && s->list[i]; i++) {
      const char *eq = strchr(s->list[i], '=');
      g_autofree char *name = g_strndup(s->list[i], eq - s->list[i]);
      if (i)
        g_string_append_c(out, ',');
      rf_json_append_string(out, name);
      g_string_append_c(out, ':');
      rf_json_append_string(out, eq + 1);
    }
    g_string_append_c(out, '}');
    break;
  case TYPE_APPROVAL:
    if (s->approval.mode != RF_APPROVAL_GRANULAR) {
      rf_json_append_string(out, rf_approval_mode_to_string(s->approval.mode));
    } else {
      const RfApprovalPolicy *p = &s->approval;
      gboolean values[] = {p->sandbox_approval, p->rules, p->mcp_elicitations,
                           p->request_permissions, p->skill_approval};
      g_string_append(out, "{\"granular\":{");
      for (int i = 0; granular_flags[i]; i++)
        g_string_append_printf(out, "%s\"%s\":%s", i ? "," : "", granular_flags[i],
                               values[i] ? "true" : "false");
      g_string_append(out, "}}");
    }
    break;
  }
}

void rf_config_describe_json(const RfConfig *config, GString *out) {
  g_string_append(out, "\"file\":");
  if (config->file)
    rf_json_append_string(out, config->file);
  else
    g_string_append(out, "null");
  g_string_append(out, ",\"profile\":");
  if (config->profile) {
    rf_json_append_string(out, config->profile);
    g_string_append(out, ",\"profile_origin\":");
    rf_json_append_string(out, config->profile_from);
  } else {
    g_string_append(out, "null,\"profile_origin\":null");
  }
  g_string_append(out, ",\"backend\":");
  rf_json_append_string(out, rf_config_get_backend(config));
  g_string_append(out, ",\"permission_profile\":");
  if (permissions_in_effect(config)) {
    const char *name = config->effective[S_DEFAULT_PERMISSIONS].text;
    GPtrArray *layers[N_LAYERS];
    permission_layers(config, layers);
    g_string_append(out, "{\"name\":");
    rf_json_append_string(out, name);
    g_string_append(out, ",\"entries\":");
    rf_permissions_describe_json(layers, N_LAYERS, name, out);
    g_string_append_c(out, '}');
  } else {
    g_string_append(out, "null");
  }
  g_string_append(out, ",\"settings\":{");
  for (int i = 0; i < N_SETTINGS; i++) {
    const Setting *s = &config->effective[i];
    if (i)
      g_string_append_c(out, ',');
    rf_json_append_string(out, specs[i].key);
    g_string_append(out, ":{\"value\":");
    if (s->set)
      append_json_value(out, i, s);
    else
      g_string_append(out, "null");
    g_string_append(out, ",\"origin\":");
    rf_json_append_string(out, s->set ? s->origin : "default");
    const char *unused = s->set ? unused_because(config, i) : NULL;
    g_string_append(out, ",\"unused\":");
    if (unused)
      rf_json_append_string(out, unused);
    else
      g_string_append(out, "null");
    g_string_append_c(out, '}');
  }
  g_string_append(out, "},\"rules_files\":[");
  for (guint i = 0; i < config->rules_origins->len; i++) {
    g_string_append(out, i ? ",{\"path\":" : "{\"path\":");
    rf_json_append_string(out, g_ptr_array_index(config->rules_files, i));
    g_string_append(out, ",\"origin\":");
    rf_json_append_string(out, g_ptr_array_index(config->rules_origins, i));
    g_string_append_c(out, '}');
  }
  g_string_append(out, "],\"rules_not_read\":[");
  for (guint i = 0; i < config->rules_skipped->len; i++) {
    if (i)
      g_string_append_c(out, ',');
    rf_json_append_string(out, g_ptr_array_index(config->rules_skipped, i));
  }
  g_string_append_c(out, ']');
}
