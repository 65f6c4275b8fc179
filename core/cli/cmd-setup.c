/* cmd-setup.c: `ringfence setup --windows [--remove]`: the one-time machine setup a backend needs (Windows' elevated mode). */
#include "cli.h"

#include <errno.h>
#include <stdio.h>

/* The plugin's own declarations (plain C, no GLib): symbol names and types. */
#include "../../plugins/windows/setup.h"

static void print_line(void *ctx, const char *section, const char *line) {
  (void)ctx;
  (void)section;
  printf("  %s\n", line);
}

int rf_cli_setup(int argc, char **argv) {
  gboolean windows = FALSE, remove = FALSE, dry_run = FALSE;
  GOptionEntry entries[] = {
      {"windows", 0, 0, G_OPTION_ARG_NONE, &windows,
       "Set up (or with --remove, undo) the Windows elevated mode: sandbox accounts and "
       "firewall filters",
       NULL},
      {"remove", 0, 0, G_OPTION_ARG_NONE, &remove, "Remove exactly what setup added", NULL},
      {"dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "Print the plan, change nothing", NULL},
      {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  g_autoptr(GOptionContext) context = g_option_context_new("--windows [--remove] [--dry-run]");
  g_option_context_set_summary(context,
                               "One-time machine setup a backend needs.  Today only the Windows "
                               "elevated mode has any:\nit adds local sandbox accounts and "
                               "firewall (WFP) filters blocking their traffic.\nNeeds an "
                               "administrator; --remove undoes exactly what was added.");
  g_option_context_add_main_entries(context, entries, NULL);
  if (!rf_cli_parse(context, "setup", &argc, &argv))
    return 125;
  if (!windows) {
    fprintf(stderr, "ringfence setup: say what to set up: --windows (see 'ringfence setup "
                    "--help')\n");
    return 125;
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(RfLoader) loader = rf_cli_new_loader(NULL, NULL, &error);
  RfBackend *backend = loader ? rf_loader_get(loader, "windows") : NULL;
  if (!backend) {
    rf_cli_error(error ? error->message
                       : "the windows backend plugin is not installed (rf-backend-windows)");
    return 125;
  }
  rf_windows_setup_render_fn render =
      (rf_windows_setup_render_fn)rf_backend_lookup_symbol(backend, RF_WINDOWS_SETUP_RENDER_SYMBOL);
  rf_windows_setup_fn apply = (rf_windows_setup_fn)rf_backend_lookup_symbol(
      backend, remove ? RF_WINDOWS_SETUP_REMOVE_SYMBOL : RF_WINDOWS_SETUP_APPLY_SYMBOL);
  if (!render || !apply) {
    rf_cli_error("the installed windows plugin has no setup functions: reinstall ringfence");
    return 125;
  }
  rf_backend_sink sink = {.size = sizeof(sink), .ctx = NULL, .emit = print_line};
  printf("%s plan:\n", remove ? "removal" : "setup");
  render(remove, &sink);
  if (dry_run)
    return 0;
  char message[1024] = "";
  int rc = apply(rf_backend_get_host(backend), &sink, message, sizeof(message));
  if (rc == -ENOSYS) {
    rf_cli_error("setup --windows changes a Windows machine and cannot run on this one; the plan "
                 "above is what it would do (use --dry-run to print it without this error)");
    return 125;
  }
  if (rc != 0) {
    g_autofree char *text = g_strdup_printf(
        "setup --windows%s failed: %s%s", remove ? " --remove" : "",
        message[0] ? message : g_strerror(-rc),
        rc == -EACCES ? " (run it from an administrator prompt)" : "");
    rf_cli_error(text);
    return 125;
  }
  printf("%s\n", remove ? "removed" : "done");
  return 0;
}
