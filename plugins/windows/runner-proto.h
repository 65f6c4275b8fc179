/* runner-proto.h: the command line between the plugin and rf-windows-runner.exe (elevated mode).
 *
 *   "<runner.exe>" <appcontainer-name> <sid>,<sid>,...|- <child command line, verbatim>
 *
 * The runner runs as the sandbox account, creates the AppContainer profile
 * under that account and starts the child with exactly these capabilities.
 * Names are [a-z0-9.-] and SIDs [S0-9-], so neither needs quoting; the child
 * command line is passed through untouched (it was quoted by rf-win-cmdline).
 */
#ifndef RF_WIN_RUNNER_PROTO_H
#define RF_WIN_RUNNER_PROTO_H

#include <stddef.h>

#include "plan.h"

/* Exit codes of the runner when it could not start the child (stderr says why). */
#define RF_WIN_RUNNER_EXIT_SETUP 0x52460001u /* profile, token or attribute setup failed */
#define RF_WIN_RUNNER_EXIT_EXEC 0x52460002u  /* CreateProcess of the command failed */

/* Builds the runner command line for |plan| (malloc'd in *out). 0 or -errno with err. */
int rf_win_runner_cmdline(const char *runner_path, const rf_win_plan *plan, char **out, char *err,
                          size_t err_len);

typedef struct rf_win_runner_args {
  char appcontainer_name[RF_WIN_NAME_MAX];
  char (*caps)[RF_WIN_SID_MAX]; /* malloc'd */
  size_t n_caps;
  const char *child_cmdline; /* points into the parsed string */
} rf_win_runner_args;

/* Parses the runner's own command line; 0 or -EINVAL.  Free with rf_win_runner_args_clear. */
int rf_win_runner_parse(const char *cmdline, rf_win_runner_args *args);
void rf_win_runner_args_clear(rf_win_runner_args *args);

#endif /* RF_WIN_RUNNER_PROTO_H */
