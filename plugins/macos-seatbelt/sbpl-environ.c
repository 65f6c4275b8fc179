/* sbpl-environ.c: the command's environment, with the markers the design promises inside the sandbox. */
#include "seatbelt.h"

#include <stdlib.h>
#include <string.h>

/*
 * The core already sets RINGFENCE_SANDBOX and, with the network off,
 * RINGFENCE_SANDBOX_NETWORK_DISABLED=1.  The plugin sets them again so the
 * markers hold whoever calls it, and drops a stale NETWORK_DISABLED marker
 * (inherited from an outer ringfence) when the network is on.
 */

static int is_var(const char *entry, const char *name) {
  size_t len = strlen(name);
  return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

char **rf_seatbelt_environ(const rf_backend_policy *policy) {
  size_t n = 0;
  for (const char *const *e = policy->envp; e && *e; e++)
    n++;
  char **envp = calloc(n + 3, sizeof(*envp));
  if (!envp)
    return NULL;
  int sandboxed = policy->mode != RF_SANDBOX_DANGER_FULL_ACCESS;
  int network_off = sandboxed && policy->network == RF_NETWORK_OFF;
  size_t out = 0;
  for (const char *const *e = policy->envp; e && *e; e++) {
    /* danger-full-access is not a sandbox of ours: its environment is left alone. */
    if (sandboxed &&
        (is_var(*e, "RINGFENCE_SANDBOX") || is_var(*e, "RINGFENCE_SANDBOX_NETWORK_DISABLED")))
      continue;
    if (!(envp[out++] = strdup(*e)))
      goto fail;
  }
  if (sandboxed && !(envp[out++] = strdup("RINGFENCE_SANDBOX=" RF_SEATBELT_NAME)))
    goto fail;
  if (network_off && !(envp[out++] = strdup("RINGFENCE_SANDBOX_NETWORK_DISABLED=1")))
    goto fail;
  return envp;
fail:
  rf_seatbelt_environ_free(envp);
  return NULL;
}

void rf_seatbelt_environ_free(char **envp) {
  for (char **e = envp; e && *e; e++)
    free(*e);
  free(envp);
}
