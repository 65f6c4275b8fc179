/* main.c: the ringfence command: dispatches to run, check, explain and decide. */
#include "cli.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "Usage: ringfence COMMAND [OPTION]... [-- PROGRAM [ARG]...]\n"
    "\n"
    "Runs a program inside the operating system's sandbox under one policy.\n"
    "\n"
    "Commands:\n"
    "  run      run PROGRAM confined:      ringfence run -s workspace-write -- make test\n"
    "  check    which backends work here, and why not\n"
    "  explain  print the resolved policy and what the backend would do, run nothing\n"
    "  decide   may COMMAND run now, must a person approve it, or is it refused?\n"
    "                                      ringfence decide -a untrusted -- git push\n"
    "  setup    one-time host setup a backend needs:  ringfence setup [--backend NAME]\n"
    "\n"
    "'ringfence COMMAND --help' describes each command's options.\n"
    "Exit status of run: the program's own; 128+N when signal N ended it; 124 after\n"
    "--timeout (SIGTERM, then SIGKILL after --kill-after); 125 when ringfence failed\n"
    "before the program started; 126 not executable; 127 not found.\n";

int main(int argc, char **argv) {
  /* Only the character set (GOption converts string options from it); the
   * other categories cost a dozen file reads on every run and are unused. */
  setlocale(LC_CTYPE, "");
  if (argc < 2) {
    fputs(usage, stderr);
    return 125;
  }
  const char *command = argv[1];
  if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
      strcmp(command, "help") == 0) {
    fputs(usage, stdout);
    return 0;
  }
  if (strcmp(command, "--version") == 0) {
    printf("ringfence %s (backend ABI %u)\n", RF_VERSION, RF_BACKEND_ABI_VERSION);
    return 0;
  }
  if (strcmp(command, "run") == 0)
    return rf_cli_run(argc - 1, argv + 1);
  if (strcmp(command, "check") == 0)
    return rf_cli_check(argc - 1, argv + 1);
  if (strcmp(command, "explain") == 0)
    return rf_cli_explain(argc - 1, argv + 1);
  if (strcmp(command, "decide") == 0)
    return rf_cli_decide(argc - 1, argv + 1);
  if (strcmp(command, "setup") == 0)
    return rf_cli_setup(argc - 1, argv + 1);
  if (strcmp(command, "__list-profiles") == 0) /* for the shell completions; not in --help */
    return rf_cli_list_profiles(argc - 1, argv + 1);
  g_autofree char *shown = rf_quote(command, -1);
  fprintf(stderr,
          "ringfence: unknown command %s (use run, check, explain, decide or setup; see 'ringfence "
          "--help')\n",
          shown);
  return 125;
}
