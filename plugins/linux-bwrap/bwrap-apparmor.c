/* bwrap-apparmor.c: reads which AppArmor profiles for bwrap are installed, shipped and loaded
 * (below a root that tests point at a fixture); bwrap-diagnose.c turns that into the remedy. */
#include "bwrap-apparmor.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int exists_below(const char *root, const char *path) {
  char full[4096];
  struct stat st;
  if ((size_t)snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full))
    return 0;
  return stat(full, &st) == 0 && S_ISREG(st.st_mode);
}

/* A profile that lets bwrap make its namespace: ours, Ubuntu's ("bwrap", with its children's
 * "unpriv_bwrap"), or one named after bwrap's path. */
static int is_bwrap_profile(const char *name) {
  size_t n = strlen(name);
  return strcmp(name, RF_AA_RINGFENCE_NAME) == 0 || strcmp(name, "bwrap") == 0 ||
         (n >= 6 && strcmp(name + n - 6, "/bwrap") == 0);
}

static void read_loaded(const char *root, rf_apparmor_state *state) {
  char path[4096];
  if ((size_t)snprintf(path, sizeof(path), "%s%s", root, RF_AA_LOADED_PROFILES) >= sizeof(path))
    return;
  FILE *f = fopen(path, "re");
  if (!f)
    return; /* no AppArmor, or not readable by this user: unknown */
  state->loaded_known = 1;
  char line[512];
  /* Bounded: a host has hundreds of profiles, not millions. */
  for (int lines = 0; lines < 100000 && fgets(line, sizeof(line), f); lines++) {
    char *mode = strstr(line, " (");
    if (!mode)
      continue;
    *mode = '\0';
    size_t len = strlen(line);
    if (is_bwrap_profile(line) && len < sizeof(state->loaded)) {
      memcpy(state->loaded, line, len + 1);
      if (strcmp(line, RF_AA_RINGFENCE_NAME) != 0)
        break; /* another profile for bwrap wins the report: it is why ours is not installed */
    }
  }
  fclose(f);
}

void rf_bwrap_apparmor_read(const char *root, const char *shipped, rf_apparmor_state *state) {
  memset(state, 0, sizeof(*state));
  if (!root)
    root = "";
  state->ubuntu = exists_below(root, RF_AA_PROFILE_INSTALLED_PATH) ? RF_AA_PROFILE_INSTALLED
                  : exists_below(root, RF_AA_PROFILE_SHIPPED)       ? RF_AA_PROFILE_AVAILABLE
                                                                     : RF_AA_PROFILE_ABSENT;
  state->ringfence = exists_below(root, RF_AA_RINGFENCE_INSTALLED_PATH) ? RF_AA_PROFILE_INSTALLED
                     : shipped && exists_below(root, shipped)           ? RF_AA_PROFILE_AVAILABLE
                                                                        : RF_AA_PROFILE_ABSENT;
  read_loaded(root, state);
}
