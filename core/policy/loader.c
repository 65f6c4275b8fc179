/* loader.c: finds backend plugins, loads them with GModule, checks their ABI, probes and selects one. */
#include "loader.h"
#include "util/quote.h"
#include <ringfence/ringfence.h>

#include <errno.h>
#include <fcntl.h>
#include <gmodule.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef RF_BACKEND_DIR
#define RF_BACKEND_DIR "/usr/local/lib/ringfence/backends"
#endif
#ifndef RF_HELPER_DIR
#define RF_HELPER_DIR "/usr/local/libexec/ringfence"
#endif

struct _RfBackend {
  GModule *module;
  const rf_backend *vtable;
  char *path;
  rf_backend_host host;
  RfTrust *trust; /* the loader's */
  gboolean probed;
  rf_backend_probe_report report;
  gboolean have_caps;
  guint64 caps;
};

struct _RfLoader {
  GPtrArray *backends; /* RfBackend*, preference order */
  GPtrArray *failures; /* char*: "FILE: problem" */
  GPtrArray *pending;  /* char*: plugin files found but not opened yet */
  char **dirs;         /* the plugin directories that could be opened, in search order */
  gboolean scanned;    /* their files are in |pending| (or loaded) */
  GHashTable *tried;   /* plugin files opened before the directories were scanned */
  char *helper_dir;
  RfTrust *trust; /* what may be loaded and run (core/policy/trusted-program.c) */
};

/* Plugins are opened when needed: `run --backend bwrap`, or `auto` on a host
 * where the first backend works, open one file instead of all of them (start-up
 * time is paid on every command an agent runs).  The order below is only a
 * hint for which file to open first; each plugin's own `preference` decides. */
static const char *const preference_hint[] = {"bwrap", "landlock", "seatbelt", "windows"};

static char *plugin_name_of(const char *file) {
  g_autofree char *base = g_path_get_basename(file);
  size_t prefix = strlen("rf-backend-"), suffix = strlen("." G_MODULE_SUFFIX);
  size_t len = strlen(base);
  return len > prefix + suffix ? g_strndup(base + prefix, len - prefix - suffix) : g_strdup("");
}

static int hint_rank(const char *file) {
  g_autofree char *name = plugin_name_of(file);
  for (guint i = 0; i < G_N_ELEMENTS(preference_hint); i++)
    if (g_str_equal(name, preference_hint[i]))
      return (int)i;
  return -1;
}

static RfBackend *find_loaded(RfLoader *loader, const char *name);

static gboolean is_plugin_file_name(const char *name);

/* Lists the plugin directories into |pending| (once): everything but opening one plugin by name
 * (rf_loader_get) needs the whole list.  A file already opened by name is not listed again. */
static void scan(RfLoader *loader) {
  if (loader->scanned)
    return;
  loader->scanned = TRUE;
  for (char **dir = loader->dirs; *dir; dir++) {
    g_autoptr(GError) local = NULL;
    g_autoptr(GDir) handle = g_dir_open(*dir, 0, &local);
    if (!handle)
      continue; /* it could be opened a moment ago: gone since, nothing to load from it */
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(handle)))
      if (is_plugin_file_name(name))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    for (guint i = 0; i < names->len; i++) {
      char *file = g_build_filename(*dir, g_ptr_array_index(names, i), NULL);
      if (g_hash_table_contains(loader->tried, file))
        g_free(file);
      else
        g_ptr_array_add(loader->pending, file);
    }
  }
}

static void load_pending_file(RfLoader *loader, guint index) {
  char *file = g_ptr_array_steal_index(loader->pending, index);
  g_autoptr(GError) error = NULL;
  if (!rf_loader_load_file(loader, file, &error))
    g_ptr_array_add(loader->failures, g_strdup(error->message));
  g_free(file);
}

static void load_all(RfLoader *loader) {
  scan(loader);
  while (loader->pending->len > 0)
    load_pending_file(loader, 0);
}

static void host_log(void *ctx, int level, const char *message) {
  RfBackend *backend = ctx;
  if (level >= RF_LOG_WARNING || g_getenv("RINGFENCE_DEBUG"))
    fprintf(stderr, "ringfence: %s: %s\n", backend->vtable ? backend->vtable->name : "backend",
            message);
}

static void backend_free(gpointer data) {
  RfBackend *backend = data;
  /* Modules stay mapped: a child supervised by the backend may still be
   * running code from it when the loader goes away in a library user. */
  g_free(backend->path);
  g_free(backend);
}

void rf_loader_free(RfLoader *loader) {
  if (!loader)
    return;
  g_ptr_array_unref(loader->backends);
  g_ptr_array_unref(loader->failures);
  g_ptr_array_unref(loader->pending);
  g_strfreev(loader->dirs);
  g_hash_table_unref(loader->tried);
  g_free(loader->helper_dir);
  rf_trust_free(loader->trust);
  g_free(loader);
}

/* Running from an uninstalled build tree?  Then use the plugins built with us. */
static gboolean running_from_build_tree(void) {
#ifdef RF_BUILD_ROOT
  g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
  return exe && g_str_has_prefix(exe, RF_BUILD_ROOT "/");
#else
  return FALSE;
#endif
}

static char *default_plugin_path(void) {
  const char *env = g_getenv("RINGFENCE_BACKEND_DIR");
  if (env && *env)
    return g_strdup(env);
#ifdef RF_UNINSTALLED_BACKEND_DIRS
  if (running_from_build_tree())
    return g_strdup(RF_UNINSTALLED_BACKEND_DIRS);
#endif
  return g_strdup(RF_BACKEND_DIR);
}

static char *default_helper_dir(void) {
  const char *env = g_getenv("RINGFENCE_HELPER_DIR");
  if (env && *env)
    return g_strdup(env);
#ifdef RF_UNINSTALLED_HELPER_DIR
  if (running_from_build_tree())
    return g_strdup(RF_UNINSTALLED_HELPER_DIR);
#endif
  return g_strdup(RF_HELPER_DIR);
}

static gint compare_preference(gconstpointer a, gconstpointer b) {
  const RfBackend *ba = *(RfBackend *const *)a, *bb = *(RfBackend *const *)b;
  if (ba->vtable->preference != bb->vtable->preference)
    return ba->vtable->preference < bb->vtable->preference ? -1 : 1;
  return strcmp(ba->vtable->name, bb->vtable->name);
}

static gboolean is_plugin_file_name(const char *name) {
  return g_str_has_prefix(name, "rf-backend-") && g_str_has_suffix(name, "." G_MODULE_SUFFIX);
}

RfLoader *rf_loader_new(const char *plugin_path, GError **error) {
  g_autoptr(RfLoader) loader = g_new0(RfLoader, 1);
  loader->backends = g_ptr_array_new_with_free_func(backend_free);
  loader->failures = g_ptr_array_new_with_free_func(g_free);
  loader->pending = g_ptr_array_new_with_free_func(g_free);
  loader->tried = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  loader->helper_dir = default_helper_dir();
  loader->trust = rf_trust_new();
  g_autofree char *path = plugin_path ? g_strdup(plugin_path) : default_plugin_path();
  g_auto(GStrv) dirs = g_strsplit(path, G_SEARCHPATH_SEPARATOR_S, -1);
  /* The directories are only opened here (to refuse a path none of which can be read); they are
   * listed when something needs the list: `run --backend NAME` and the default backend open
   * rf-backend-NAME.so directly (rf_loader_get), which saves listing four directories in a build
   * tree (one installed). */
  GPtrArray *readable_dirs = g_ptr_array_new();
  g_autoptr(GString) problems = g_string_new(NULL);
  for (char **dir = dirs; *dir; dir++) {
    if (!**dir)
      continue;
    int fd = open(*dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      g_string_append_printf(problems, "%scannot open the directory %s: %s",
                             problems->len ? "; " : "", *dir, g_strerror(errno));
      continue;
    }
    close(fd);
    g_ptr_array_add(readable_dirs, g_strdup(*dir));
  }
  guint readable = readable_dirs->len;
  g_ptr_array_add(readable_dirs, NULL);
  loader->dirs = (char **)g_ptr_array_free(readable_dirs, FALSE);
  if (readable == 0) {
    g_set_error(error, RF_ERROR, RF_ERROR_PLUGIN,
                "no backend plugin directory could be read (%s): set RINGFENCE_BACKEND_DIR to "
                "the directory holding rf-backend-*.%s",
                problems->len ? problems->str : path, G_MODULE_SUFFIX);
    return NULL;
  }
  return g_steal_pointer(&loader);
}

/* The host's trusted_program(): the backend's loader decides. */
static int host_trusted_program(const rf_backend_host *host, const char *name,
                                const rf_backend_policy *policy, char *path, size_t path_len,
                                char *err, size_t err_len) {
  const RfBackend *backend =
      (const RfBackend *)(const void *)((const char *)host - offsetof(RfBackend, host));
  g_autoptr(GError) error = NULL;
  g_autofree char *found = rf_trust_find_program(backend->trust, policy, name, &error);
  if (!found) {
    g_strlcpy(err, error->message, err_len);
    return g_error_matches(error, RF_ERROR, RF_ERROR_NOT_FOUND) ? -ENOENT : -EPERM;
  }
  if (g_strlcpy(path, found, path_len) >= path_len) {
    g_snprintf(err, err_len, "%s: path too long", found);
    return -ENAMETOOLONG;
  }
  return 0;
}

void rf_loader_add_untrusted_root(RfLoader *loader, const char *dir, const char *base) {
  rf_trust_add_root(loader->trust, dir, base);
}

void rf_loader_trust_plan(RfLoader *loader, const RfPlan *plan) {
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  rf_trust_add_workdir(loader->trust, view->cwd);
  for (size_t i = 0; i < view->n_writable_roots; i++)
    rf_trust_add_canonical_root(loader->trust, view->writable_roots[i].path);
}

void rf_loader_set_bwrap(RfLoader *loader, const char *path) {
  rf_trust_set_bwrap(loader->trust, path);
}

RfBackend *rf_loader_load_file(RfLoader *loader, const char *path, GError **error) {
  /* A plugin runs unconfined in ringfence: one a sandbox could have written is refused. */
  g_autoptr(GError) untrusted = NULL;
  g_autofree char *trusted = rf_trust_check_file(
      loader->trust, NULL, path, "load the backend plugin",
      "install ringfence's plugins outside every writable root (or point RINGFENCE_BACKEND_DIR / "
      "ringfence.plugin_dir at such a copy)",
      &untrusted);
  if (!trusted) {
    g_set_error(error, RF_ERROR, RF_ERROR_PLUGIN, "%s: refused: %s", path, untrusted->message);
    return NULL;
  }
  GModule *module = g_module_open(trusted, G_MODULE_BIND_LOCAL | G_MODULE_BIND_LAZY);
  if (!module) {
    g_set_error(error, RF_ERROR, RF_ERROR_PLUGIN, "%s: refused: cannot be loaded: %s", path,
                g_module_error());
    return NULL;
  }
  gpointer symbol = NULL;
  if (!g_module_symbol(module, RF_BACKEND_ENTRY_SYMBOL, &symbol) || !symbol) {
    g_set_error(error, RF_ERROR, RF_ERROR_PLUGIN,
                "%s: refused: not a ringfence backend (it exports no '%s' symbol)", path,
                RF_BACKEND_ENTRY_SYMBOL);
    g_module_close(module);
    return NULL;
  }
  RfBackend *backend = g_new0(RfBackend, 1);
  backend->module = module;
  backend->path = g_strdup(path);
  backend->trust = loader->trust;
  backend->host = (rf_backend_host){
      .size = sizeof(rf_backend_host),
      .abi_version = RF_BACKEND_ABI_VERSION,
      .log_ctx = backend,
      .log = host_log,
      .helper_dir = loader->helper_dir,
      .trusted_program = host_trusted_program,
  };
  const rf_backend *vtable = ((rf_backend_entry_fn)symbol)(&backend->host);
  const char *problem = NULL;
  g_autofree char *problem_owned = NULL;
  if (!vtable)
    problem = "its entry point returned no backend";
  else if (vtable->size < offsetof(rf_backend, abi_version) + sizeof(vtable->abi_version))
    problem = "its descriptor is truncated (size field too small)";
  else if (vtable->abi_version != RF_BACKEND_ABI_VERSION)
    problem = problem_owned = g_strdup_printf(
        "built for backend ABI %u, but this ringfence speaks ABI %u: rebuild the plugin "
        "against this version of ringfence",
        vtable->abi_version, RF_BACKEND_ABI_VERSION);
  else if (vtable->size < RF_BACKEND_MIN_SIZE)
    problem = problem_owned =
        g_strdup_printf("its descriptor is %u bytes, ABI %u needs at least %u", vtable->size,
                        RF_BACKEND_ABI_VERSION, (unsigned)RF_BACKEND_MIN_SIZE);
  else if (!vtable->name || !*vtable->name || !vtable->summary || !vtable->capabilities ||
           !vtable->probe || !vtable->render || !vtable->launch || !vtable->child_signal ||
           !vtable->child_wait || !vtable->child_kill || !vtable->child_release)
    problem = "its descriptor leaves a required field empty";
  else if (find_loaded(loader, vtable->name))
    problem = problem_owned =
        g_strdup_printf("a backend named '%s' is already loaded from %s", vtable->name,
                        find_loaded(loader, vtable->name)->path);
  if (problem) {
    g_set_error(error, RF_ERROR, RF_ERROR_PLUGIN, "%s: refused: %s", path, problem);
    g_module_close(module);
    g_free(backend->path);
    g_free(backend);
    return NULL;
  }
  backend->vtable = vtable;
  g_module_make_resident(module);
  g_ptr_array_add(loader->backends, backend);
  g_ptr_array_sort(loader->backends, compare_preference);
  return backend;
}

GPtrArray *rf_loader_get_backends(RfLoader *loader) {
  load_all(loader);
  return loader->backends;
}

GPtrArray *rf_loader_get_failures(RfLoader *loader) {
  load_all(loader);
  return loader->failures;
}

static RfBackend *find_loaded(RfLoader *loader, const char *name) {
  for (guint i = 0; i < loader->backends->len; i++) {
    RfBackend *backend = g_ptr_array_index(loader->backends, i);
    if (g_str_equal(backend->vtable->name, name))
      return backend;
  }
  return NULL;
}

RfBackend *rf_loader_get(RfLoader *loader, const char *name) {
  RfBackend *backend = find_loaded(loader, name);
  if (backend)
    return backend;
  if (!loader->scanned) {
    /* The file named after it, in the first directory that has one (what the list would give
     * first), without listing the directories. */
    for (char **dir = loader->dirs; *name && !strchr(name, '/') && *dir; dir++) {
      g_autofree char *file_name = g_strdup_printf("rf-backend-%s." G_MODULE_SUFFIX, name);
      g_autofree char *file = g_build_filename(*dir, file_name, NULL);
      struct stat st;
      if (lstat(file, &st) != 0)
        continue;
      g_hash_table_add(loader->tried, g_strdup(file));
      g_autoptr(GError) error = NULL;
      if (!rf_loader_load_file(loader, file, &error))
        g_ptr_array_add(loader->failures, g_strdup(error->message));
      if ((backend = find_loaded(loader, name)))
        return backend;
      break;
    }
  }
  scan(loader);
  /* The file named after it first; a plugin may name itself otherwise. */
  for (guint i = 0; i < loader->pending->len; i++) {
    g_autofree char *file_name = plugin_name_of(g_ptr_array_index(loader->pending, i));
    if (g_str_equal(file_name, name)) {
      load_pending_file(loader, i);
      if ((backend = find_loaded(loader, name)))
        return backend;
      break;
    }
  }
  load_all(loader);
  return find_loaded(loader, name);
}

/* Opens pending plugins in hint order until |backend| is known to come first
 * by preference among everything that could still be loaded.  Unknown
 * plugin names force loading everything (their preference is unknown). */
static void load_for_auto(RfLoader *loader, guint up_to_rank) {
  scan(loader);
  for (guint i = 0; i < loader->pending->len; i++) {
    if (hint_rank(g_ptr_array_index(loader->pending, i)) < 0) {
      load_all(loader);
      return;
    }
  }
  for (guint rank = 0; rank <= up_to_rank && rank < G_N_ELEMENTS(preference_hint); rank++) {
    for (guint i = 0; i < loader->pending->len; i++) {
      if (hint_rank(g_ptr_array_index(loader->pending, i)) == (int)rank) {
        load_pending_file(loader, i);
        break;
      }
    }
  }
}

const char *rf_backend_get_name(const RfBackend *backend) {
  return backend->vtable->name;
}

const char *rf_backend_get_summary(const RfBackend *backend) {
  return backend->vtable->summary;
}

const char *rf_backend_get_path(const RfBackend *backend) {
  return backend->path;
}

const rf_backend *rf_backend_get_vtable(const RfBackend *backend) {
  return backend->vtable;
}

gpointer rf_backend_lookup_symbol(const RfBackend *backend, const char *name) {
  gpointer symbol = NULL;
  return g_module_symbol(backend->module, name, &symbol) ? symbol : NULL;
}

const RfTrust *rf_backend_get_trust(const RfBackend *backend) {
  return backend->trust;
}

const rf_backend_host *rf_backend_get_host(const RfBackend *backend) {
  return &backend->host;
}

guint64 rf_backend_get_capabilities(const RfBackend *backend) {
  RfBackend *mutable_backend = (RfBackend *)backend;
  if (!backend->have_caps) {
    mutable_backend->caps = backend->vtable->capabilities(&backend->host);
    mutable_backend->have_caps = TRUE;
  }
  return backend->caps;
}

const rf_backend_probe_report *rf_backend_probe(RfBackend *backend) {
  if (!backend->probed) {
    memset(&backend->report, 0, sizeof(backend->report));
    backend->report.size = sizeof(backend->report);
    if (backend->vtable->probe(&backend->host, &backend->report) != 0 &&
        !backend->report.reason[0]) {
      backend->report.usable = 0;
      g_strlcpy(backend->report.reason, "its probe failed without saying why",
                sizeof(backend->report.reason));
    }
    backend->probed = TRUE;
  }
  return &backend->report;
}

static char *describe_unusable(RfBackend *backend) {
  const rf_backend_probe_report *report = rf_backend_probe(backend);
  return g_strdup_printf("%s%s%s", report->reason, report->remedy[0] ? ". Remedy: " : "",
                         report->remedy);
}

RfBackend *rf_loader_select(RfLoader *loader, const char *name, const RfPlan *plan,
                            char **fallback_note, GError **error) {
  if (fallback_note)
    *fallback_note = NULL;
  if (g_strcmp0(name, "auto") != 0) {
    RfBackend *backend = rf_loader_get(loader, name);
    if (!backend) {
      g_autoptr(GString) known = g_string_new(NULL);
      for (guint i = 0; i < loader->backends->len; i++)
        g_string_append_printf(known, "%s%s", i ? ", " : "",
                               rf_backend_get_name(g_ptr_array_index(loader->backends, i)));
      g_autofree char *shown = rf_quote(name, -1);
      g_set_error(error, RF_ERROR, RF_ERROR_UNSUPPORTED,
                  "no backend named %s is installed (available: %s%s%s)", shown,
                  known->len ? known->str : "none", loader->failures->len ? "; refused: " : "",
                  loader->failures->len ? (char *)g_ptr_array_index(loader->failures, 0) : "");
      return NULL;
    }
    if (!rf_backend_probe(backend)->usable) {
      g_autofree char *why = describe_unusable(backend);
      g_set_error(error, RF_ERROR, RF_ERROR_UNSUPPORTED, "backend '%s' cannot run here: %s", name,
                  why);
      return NULL;
    }
    return backend;
  }

  scan(loader);
  guint64 required = plan ? rf_plan_get_backend_policy(plan)->required : 0;
  /* Open plugins one rank at a time; stop as soon as one can do it all
   * and nothing unopened could be preferred to it. */
  for (guint rank = 0; rank < G_N_ELEMENTS(preference_hint) && loader->pending->len > 0; rank++) {
    load_for_auto(loader, rank);
    gboolean all_known = TRUE;
    for (guint i = 0; i < loader->backends->len; i++) {
      RfBackend *b = g_ptr_array_index(loader->backends, i);
      if (hint_rank(b->path) < 0)
        all_known = FALSE;
    }
    if (!all_known)
      break;
    gboolean found = FALSE;
    for (guint i = 0; i < loader->backends->len && !found; i++) {
      RfBackend *b = g_ptr_array_index(loader->backends, i);
      found = rf_backend_probe(b)->usable &&
              (required & ~rf_backend_get_capabilities(b)) == 0;
    }
    if (found)
      break;
  }
  /* Whatever was not needed stays closed; the choice below only considers
   * what is loaded, which is enough: every unopened plugin ranks later. */
  if (loader->backends->len == 0)
    load_all(loader);
  RfBackend *first_usable = NULL, *chosen = NULL;
  g_autoptr(GString) passed_over = g_string_new(NULL);
  for (guint i = 0; i < loader->backends->len; i++) {
    RfBackend *backend = g_ptr_array_index(loader->backends, i);
    const rf_backend_probe_report *report = rf_backend_probe(backend);
    if (!report->usable) {
      /* Backends of another OS say so (other_os); only name the ones that
       * could have run here. */
      if (!(RF_HAS_FIELD(report, other_os) && report->other_os)) {
        g_autofree char *why = describe_unusable(backend);
        g_string_append_printf(passed_over, "%s%s is not usable (%s)",
                               passed_over->len ? "; " : "", backend->vtable->name, why);
      }
      continue;
    }
    if (!first_usable)
      first_usable = backend;
    if ((required & ~rf_backend_get_capabilities(backend)) == 0) {
      chosen = backend;
      break;
    }
  }
  if (!chosen)
    chosen = first_usable;
  if (!chosen) {
    g_autoptr(GString) reasons = g_string_new(NULL);
    for (guint i = 0; i < loader->backends->len; i++) {
      RfBackend *backend = g_ptr_array_index(loader->backends, i);
      g_autofree char *why = describe_unusable(backend);
      g_string_append_printf(reasons, "\n  %s: %s", backend->vtable->name, why);
    }
    for (guint i = 0; i < loader->failures->len; i++)
      g_string_append_printf(reasons, "\n  %s", (char *)g_ptr_array_index(loader->failures, i));
    g_set_error(error, RF_ERROR, RF_ERROR_UNSUPPORTED, "no sandbox backend can run here:%s",
                reasons->len ? reasons->str : " no backend plugins were found");
    return NULL;
  }
  if (fallback_note && passed_over->len)
    *fallback_note = g_strdup_printf("using backend '%s' because %s", chosen->vtable->name,
                                     passed_over->str);
  return chosen;
}

typedef struct {
  GPtrArray *sections;
} RenderSink;

static void sink_emit(void *ctx, const char *section, const char *line) {
  RenderSink *sink = ctx;
  GPtrArray *target = NULL;
  for (guint i = 0; i < sink->sections->len; i++) {
    GPtrArray *candidate = g_ptr_array_index(sink->sections, i);
    if (g_str_equal(g_ptr_array_index(candidate, 0), section))
      target = candidate;
  }
  if (!target) {
    target = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(target, g_strdup(section));
    g_ptr_array_add(sink->sections, target);
  }
  g_ptr_array_add(target, g_strdup(line));
}

gboolean rf_backend_render(RfBackend *backend, const RfPlan *plan, const char *const *argv,
                           GPtrArray **sections, GError **error) {
  RenderSink sink = {.sections = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref)};
  rf_backend_sink out = {.size = sizeof(out), .ctx = &sink, .emit = sink_emit};
  char message[1024] = "";
  int rc = backend->vtable->render(&backend->host, rf_plan_get_backend_policy(plan), argv, &out,
                                   message, sizeof(message));
  if (rc != 0) {
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH, "backend '%s' cannot render this policy: %s",
                backend->vtable->name, message[0] ? message : g_strerror(-rc));
    g_ptr_array_unref(sink.sections);
    return FALSE;
  }
  *sections = sink.sections;
  return TRUE;
}

gboolean rf_backend_has_setup(const RfBackend *backend) {
  const rf_backend *vtable = backend->vtable;
  return RF_HAS_FIELD(vtable, setup) && vtable->setup != NULL;
}

typedef struct {
  RfSetupEmit emit;
  gpointer data;
} SetupSink;

static void setup_sink_emit(void *ctx, const char *section, const char *line) {
  SetupSink *sink = ctx;
  if (section && line)
    sink->emit(sink->data, section, line);
}

gboolean rf_backend_setup(RfBackend *backend, guint flags, RfSetupEmit emit, gpointer data,
                          GError **error) {
  if (!rf_backend_has_setup(backend)) {
    g_set_error(error, RF_ERROR, RF_ERROR_UNSUPPORTED, "backend %s has no setup step",
                backend->vtable->name);
    return FALSE;
  }
  SetupSink sink = {.emit = emit, .data = data};
  rf_backend_sink out = {.size = sizeof(out), .ctx = &sink, .emit = setup_sink_emit};
  rf_backend_setup_request request = {.size = sizeof(request),
                                      .flags = flags & (RF_SETUP_REMOVE | RF_SETUP_DRY_RUN)};
  char message[1024] = "";
  int rc = backend->vtable->setup(&backend->host, &request, &out, message, sizeof(message));
  if (rc != 0) {
    g_set_error(error, RF_ERROR, rc == -ENOSYS ? RF_ERROR_UNSUPPORTED : RF_ERROR_LAUNCH,
                "%s", message[0] ? message : g_strerror(-rc));
    return FALSE;
  }
  return TRUE;
}
