/* loader.c: finds backend plugins, loads them with GModule, checks their ABI, probes and selects one. */
#include "policy-private.h"

#include <gmodule.h>
#include <stdio.h>
#include <string.h>
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
  gboolean probed;
  rf_backend_probe_report report;
  gboolean have_caps;
  guint64 caps;
};

struct _RfLoader {
  GPtrArray *backends; /* RfBackend*, preference order */
  GPtrArray *failures; /* char*: "FILE: problem" */
  char *helper_dir;
};

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
  g_free(loader->helper_dir);
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
  loader->helper_dir = default_helper_dir();
  g_autofree char *path = plugin_path ? g_strdup(plugin_path) : default_plugin_path();
  g_auto(GStrv) dirs = g_strsplit(path, G_SEARCHPATH_SEPARATOR_S, -1);
  guint readable = 0;
  g_autoptr(GString) problems = g_string_new(NULL);
  for (char **dir = dirs; *dir; dir++) {
    if (!**dir)
      continue;
    g_autoptr(GError) local = NULL;
    g_autoptr(GDir) handle = g_dir_open(*dir, 0, &local);
    if (!handle) {
      g_string_append_printf(problems, "%s%s", problems->len ? "; " : "", local->message);
      continue;
    }
    readable++;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(handle)))
      if (is_plugin_file_name(name))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    for (guint i = 0; i < names->len; i++) {
      g_autofree char *file = g_build_filename(*dir, g_ptr_array_index(names, i), NULL);
      g_autoptr(GError) load_error = NULL;
      if (!rf_loader_load_file(loader, file, &load_error))
        g_ptr_array_add(loader->failures, g_strdup(load_error->message));
    }
  }
  if (readable == 0) {
    g_set_error(error, RF_ERROR, RF_ERROR_PLUGIN,
                "no backend plugin directory could be read (%s): set RINGFENCE_BACKEND_DIR to "
                "the directory holding rf-backend-*.%s",
                problems->len ? problems->str : path, G_MODULE_SUFFIX);
    return NULL;
  }
  return g_steal_pointer(&loader);
}

RfBackend *rf_loader_load_file(RfLoader *loader, const char *path, GError **error) {
  GModule *module = g_module_open(path, G_MODULE_BIND_LOCAL | G_MODULE_BIND_LAZY);
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
  backend->host = (rf_backend_host){
      .size = sizeof(rf_backend_host),
      .abi_version = RF_BACKEND_ABI_VERSION,
      .log_ctx = backend,
      .log = host_log,
      .helper_dir = loader->helper_dir,
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
  else if (rf_loader_get(loader, vtable->name))
    problem = problem_owned =
        g_strdup_printf("a backend named '%s' is already loaded from %s", vtable->name,
                        rf_loader_get(loader, vtable->name)->path);
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
  return loader->backends;
}

GPtrArray *rf_loader_get_failures(RfLoader *loader) {
  return loader->failures;
}

RfBackend *rf_loader_get(RfLoader *loader, const char *name) {
  for (guint i = 0; i < loader->backends->len; i++) {
    RfBackend *backend = g_ptr_array_index(loader->backends, i);
    if (g_str_equal(backend->vtable->name, name))
      return backend;
  }
  return NULL;
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
      g_set_error(error, RF_ERROR, RF_ERROR_UNSUPPORTED,
                  "no backend named '%s' is installed (available: %s%s%s)", name,
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

  guint64 required = plan ? rf_plan_get_backend_policy(plan)->required : 0;
  RfBackend *first_usable = NULL, *chosen = NULL;
  g_autoptr(GString) passed_over = g_string_new(NULL);
  for (guint i = 0; i < loader->backends->len; i++) {
    RfBackend *backend = g_ptr_array_index(loader->backends, i);
    const rf_backend_probe_report *report = rf_backend_probe(backend);
    if (!report->usable) {
      /* Backends of another OS report "not <OS>"; only name the ones that
       * could have run here (preference below 100 means "native here"). */
      if (backend->vtable->preference < 100) {
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
