/* cmd-list-profiles.c: `ringfence __list-profiles [--config FILE]`, the hidden command the shell
 * completions call for the names -p/--profile takes (one per line); not in --help. */
#include "cli.h"

#include <stdio.h>

int rf_cli_list_profiles(int argc, char **argv) {
  char *config_file = NULL;
  GOptionEntry entries[] = {
      {"config", 0, 0, G_OPTION_ARG_FILENAME, &config_file,
       "Read FILE instead of the default config.toml", "FILE"},
      {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  g_autoptr(GOptionContext) context = g_option_context_new("");
  g_option_context_set_summary(context,
                               "Prints the profile names -p/--profile accepts, one per line, for "
                               "shell completion:\nthe [profiles.NAME] tables of the config and "
                               "the NAME.config.toml files next to it.");
  g_option_context_add_main_entries(context, entries, NULL);
  if (!rf_cli_parse(context, "__list-profiles", &argc, &argv)) {
    g_free(config_file);
    return 125;
  }
  g_autofree char *file = config_file;
  g_autoptr(GError) error = NULL;
  g_autoptr(RfConfig) config = rf_config_new();
  if (!rf_config_load_file(config, file, &error)) {
    rf_cli_error(error->message);
    return 125;
  }
  g_auto(GStrv) names = rf_config_list_profiles(config);
  for (char **name = names; *name; name++)
    printf("%s\n", *name);
  return 0;
}
