/* cmd-setup.c: `ringfence setup [--backend NAME] [--remove] [--dry-run]`: runs the one-time host
 * setup a backend's plugin carries (its vtable's setup entry); the core knows no backend's steps. */
#include "cli.h"

#include <stdio.h>

typedef struct {
  gboolean remove;
  gboolean plan_started;
  gboolean progress_started;
  gboolean result_said;
} SetupOutput;

/* The plan under a heading, what was done under another, a result line as the plugin says it. */
static void print_setup_line(gpointer data, const char *section, const char *line) {
  SetupOutput *output = data;
  g_autofree char *printable = rf_cli_printable_line(line);
  if (g_str_equal(section, "result")) {
    printf("%s\n", printable);
    output->result_said = TRUE;
    return;
  }
  if (g_str_equal(section, "progress")) {
    if (!output->progress_started)
      printf("%s\n", output->remove ? "removing:" : "setting up:");
    output->progress_started = TRUE;
  } else {
    if (!output->plan_started)
      printf("%s\n", output->remove ? "removal plan:" : "setup plan:");
    output->plan_started = TRUE;
  }
  printf("  %s\n", printable);
}

int rf_cli_setup(int argc, char **argv) {
  gboolean windows = FALSE, remove = FALSE, dry_run = FALSE;
  g_autofree char *backend_name = NULL;
  GOptionEntry entries[] = {
      {"backend", 0, 0, G_OPTION_ARG_STRING, &backend_name,
       "The backend to set up (default: this platform's own, bwrap on Linux)", "NAME"},
      {"windows", 0, 0, G_OPTION_ARG_NONE, &windows,
       "Same as --backend windows (kept for scripts that use it)", NULL},
      {"remove", 0, 0, G_OPTION_ARG_NONE, &remove, "Remove exactly what setup added", NULL},
      {"dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "Print the plan, change nothing", NULL},
      {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  g_autoptr(GOptionContext) context =
      g_option_context_new("[--backend NAME] [--remove] [--dry-run]");
  g_option_context_set_summary(
      context,
      "One-time host setup a backend needs, carried by the backend's plugin.  windows: the\n"
      "elevated mode's sandbox accounts and firewall (WFP) filters (as administrator).  bwrap:\n"
      "the AppArmor profile that lets bwrap create its user namespace where AppArmor restricts\n"
      "them (Ubuntu 23.10+; as root).  A backend without a setup step has nothing to set up\n"
      "(exit 0).  --remove undoes exactly what setup adds; --dry-run prints the plan only.");
  g_option_context_add_main_entries(context, entries, NULL);
  if (!rf_cli_parse(context, "setup", &argc, &argv))
    return 125;
  if (windows && backend_name && !g_str_equal(backend_name, "windows")) {
    g_autofree char *shown = rf_quote(backend_name, -1);
    g_autofree char *text = g_strdup_printf(
        "setup: --windows means --backend windows, but --backend %s was given too: name one", shown);
    rf_cli_error(text);
    return 125;
  }
  const char *name = windows ? "windows" : backend_name ? backend_name : rf_platform_default_backend();

  g_autoptr(GError) error = NULL;
  g_autoptr(RfLoader) loader = rf_cli_new_loader(NULL, NULL, &error);
  if (!loader) {
    rf_cli_error(error->message);
    return 125;
  }
  RfBackend *backend = rf_loader_get(loader, name);
  if (!backend) {
    g_autofree char *shown = rf_quote(name, -1);
    g_autoptr(GString) installed = g_string_new("");
    GPtrArray *backends = rf_loader_get_backends(loader);
    for (guint i = 0; i < backends->len; i++)
      g_string_append_printf(installed, "%s%s", i ? ", " : "",
                             rf_backend_get_name(g_ptr_array_index(backends, i)));
    g_autofree char *text = g_strdup_printf(
        "setup: no backend named %s is installed (installed: %s); install its plugin or name "
        "another with --backend",
        shown, installed->len ? installed->str : "none");
    rf_cli_error(text);
    return 125;
  }
  /* A backend without a setup step is ready as far as setup goes: success, whether named or
   * implied, so a script may run setup for every backend it uses (docs/man ringfence-setup). */
  if (!rf_backend_has_setup(backend)) {
    printf("backend %s has no setup step: nothing to set up\n", rf_backend_get_name(backend));
    return 0;
  }
  SetupOutput output = {.remove = remove};
  guint flags = (remove ? RF_SETUP_REMOVE : 0) | (dry_run ? RF_SETUP_DRY_RUN : 0);
  if (!rf_backend_setup(backend, flags, print_setup_line, &output, &error)) {
    g_autofree char *text = g_strdup_printf("setup --backend %s%s failed: %s",
                                            rf_backend_get_name(backend),
                                            remove ? " --remove" : "", error->message);
    rf_cli_error(text);
    return 125;
  }
  if (!dry_run && !output.result_said)
    printf("%s\n", remove ? "removed" : "done");
  return 0;
}
