/* cmd-check.c: `ringfence check`: one line per backend, usable or not and why (text or JSON). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

/* Prints one line (or JSON object) per backend, then why a run from here would be refused
 * (|refused|, or NULL); 0 when one backend is usable and a run would not be refused, else 125. */
static int print_backends(RfLoader *loader, gboolean json, const char *refused) {
  GPtrArray *backends = rf_loader_get_backends(loader);
  GPtrArray *failures = rf_loader_get_failures(loader);
  int usable = 0;
  g_autoptr(GString) out = g_string_new(json ? "{\"backends\":[" : "");
  for (guint i = 0; i < backends->len; i++) {
    RfBackend *backend = g_ptr_array_index(backends, i);
    const rf_backend_probe_report *report = rf_backend_probe(backend);
    usable += report->usable ? 1 : 0;
    /* Hardening no backend of ours can enforce on this backend's platform: not required there
     * (core/policy/platforms.c), said here with what it means. */
    const char *platform = rf_platform_of_backend(rf_backend_get_name(backend));
    guint64 unavailable = rf_platform_unavailable(platform);
    if (json) {
      g_string_append(out, i ? ",{\"name\":" : "{\"name\":");
      rf_json_append_string(out, rf_backend_get_name(backend));
      g_string_append_printf(out, ",\"usable\":%s,\"summary\":", report->usable ? "true" : "false");
      rf_json_append_string(out, rf_backend_get_summary(backend));
      g_string_append(out, ",\"path\":");
      rf_json_append_string(out, rf_backend_get_path(backend));
      g_string_append(out, report->usable ? ",\"detail\":" : ",\"reason\":");
      rf_json_append_string(out, report->usable ? report->detail : report->reason);
      if (!report->usable) {
        g_string_append(out, ",\"remedy\":");
        rf_json_append_string(out, report->remedy);
        /* A stable name of the cause for programs ("apparmor-userns-restricted" ...); null
         * when the plugin names none. */
        g_string_append(out, ",\"cause\":");
        if (report->cause[0])
          rf_json_append_string(out, report->cause);
        else
          g_string_append(out, "null");
      }
      g_string_append(out, ",\"note\":");
      if (report->note[0])
        rf_json_append_string(out, report->note);
      else
        g_string_append(out, "null");
      g_string_append(out, ",\"guarantees\":[");
      guint64 caps = rf_backend_get_capabilities(backend);
      gboolean first = TRUE;
      for (guint bit = 0; bit < RF_CAP_COUNT; bit++) {
        if (caps & (1ull << bit)) {
          g_string_append(out, first ? "" : ",");
          rf_json_append_string(out, rf_guarantee_name(1ull << bit));
          first = FALSE;
        }
      }
      g_string_append(out, "],\"platform\":");
      if (platform)
        rf_json_append_string(out, platform);
      else
        g_string_append(out, "null");
      g_string_append(out, ",\"not_available\":[");
      first = TRUE;
      for (guint bit = 0; bit < RF_CAP_COUNT; bit++) {
        if (unavailable & (1ull << bit)) {
          g_string_append(out, first ? "{\"name\":" : ",{\"name\":");
          rf_json_append_string(out, rf_guarantee_name(1ull << bit));
          g_string_append(out, ",\"means\":");
          rf_json_append_string(out, rf_platform_absence_meaning(platform, 1ull << bit));
          g_string_append(out, "}");
          first = FALSE;
        }
      }
      g_string_append(out, "]}");
    } else {
      g_string_append_printf(out, "%-9s %s  %s\n", rf_backend_get_name(backend),
                             report->usable ? "usable  " : "unusable",
                             report->usable ? report->detail : report->reason);
      if (!report->usable && report->remedy[0])
        g_string_append_printf(out, "%-9s           remedy: %s\n", "", report->remedy);
      if (report->note[0])
        g_string_append_printf(out, "%-9s           note: %s\n", "", report->note);
      for (guint bit = 0; bit < RF_CAP_COUNT; bit++)
        if (unavailable & (1ull << bit))
          g_string_append_printf(out, "%-9s           not available on %s: %s (%s)\n", "",
                                 rf_platform_display_name(platform), rf_guarantee_name(1ull << bit),
                                 rf_platform_absence_meaning(platform, 1ull << bit));
    }
  }
  if (json) {
    g_string_append(out, "],\"refused_plugins\":[");
    for (guint i = 0; i < failures->len; i++) {
      g_string_append(out, i ? "," : "");
      rf_json_append_string(out, g_ptr_array_index(failures, i));
    }
    g_string_append(out, "],\"refused\":");
    if (refused)
      rf_json_append_string(out, refused);
    else
      g_string_append(out, "null");
    g_string_append(out, "}\n");
  } else {
    for (guint i = 0; i < failures->len; i++)
      g_string_append_printf(out, "refused plugin: %s\n", (char *)g_ptr_array_index(failures, i));
    if (refused)
      g_string_append_printf(out, "run here would refuse: %s\n", refused);
  }
  fputs(out->str, stdout);
  return usable > 0 && !refused ? 0 : 125;
}

int rf_cli_check(int argc, char **argv) {
  gboolean json = FALSE;
  RfCliOptions options = {0};
  GOptionEntry entries[] = {
      {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON for programs", NULL},
      {"config", 0, 0, G_OPTION_ARG_FILENAME, &options.config_file,
       "Read FILE instead of the default config.toml (its ringfence.bwrap, plugin_dir and "
       "writable roots count)",
       "FILE"},
      {"profile", 'p', 0, G_OPTION_ARG_STRING, &options.profile,
       "Use the settings of [profiles.NAME] from the config", "NAME"},
      {"set", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &options.overrides,
       "Override a config key, the value in TOML (repeatable)", "KEY=VALUE"},
      {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  g_autoptr(GOptionContext) context = g_option_context_new("- which backends work here");
  g_option_context_set_summary(context,
                               "Probes every installed backend and says whether it can run here "
                               "and, if not, why and what to do.\nExit status: 0 when at least "
                               "one backend is usable and a run from here would not be refused,\n125 otherwise.");
  g_option_context_add_main_entries(context, entries, NULL);
  int status = 125;
  g_autoptr(GError) error = NULL;
  g_autoptr(RfConfig) config = NULL;
  g_autoptr(RfLoader) loader = NULL;
  g_autoptr(GError) refusal = NULL;
  g_autoptr(RfPolicy) policy = NULL;
  g_autoptr(RfPlan) plan = NULL;
  if (!rf_cli_parse(context, "check", &argc, &argv))
    goto out;
  if (argc > 1) {
    g_autofree char *shown = rf_quote(argv[1], -1);
    fprintf(stderr, "ringfence check: unexpected argument %s (see 'ringfence check --help')\n",
            shown);
    goto out;
  }
  /* The config says which bwrap and plugins to use, and which roots may be writable. */
  config = rf_cli_load_config(&options, &error);
  if (!config) {
    rf_cli_error(error->message);
    goto out;
  }
  /* The policy a plain `run` from here would use: refused (a working directory that no longer
   * exists, a writable root the core refuses), check says so in the same words. */
  policy = rf_cli_build_policy(&options, config, &refusal);
  plan = policy ? rf_policy_resolve(policy, &refusal) : NULL;
  /* The probe is the one `run --backend auto` makes (same signs, bwrap itself asked when one
   * says it could fail), so check and the automatic choice never disagree. */
  loader = rf_cli_new_loader(config, plan, &error);
  if (!loader) {
    rf_cli_error(error->message);
    goto out;
  }
  status = print_backends(loader, json, refusal ? refusal->message : NULL);
out:
  rf_cli_options_clear(&options);
  return status;
}
