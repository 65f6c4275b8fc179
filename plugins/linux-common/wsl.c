/* wsl.c: reads the signs of WSL1 and WSL2 below a root (the real one or a test fixture); the defences are the backends'. */
#include "wsl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

extern char **environ;

/* The first line of ROOT/REL into |buf| without its newline; 0, or -1 when unreadable. */
static int read_first_line(const char *root, const char *rel, char *buf, size_t len) {
  char path[4096];
  snprintf(path, sizeof(path), "%s%s", root, rel);
  buf[0] = '\0';
  FILE *f = fopen(path, "re");
  if (!f)
    return -1;
  int rc = fgets(buf, (int)len, f) ? 0 : -1;
  fclose(f);
  buf[strcspn(buf, "\n")] = '\0';
  return rc;
}

static const char *env_value(const char *const *envp, const char *name) {
  size_t n = strlen(name);
  for (; envp && *envp; envp++)
    if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
      return *envp + n + 1;
  return NULL;
}

static void add_sign(rf_wsl_info *out, const char *sign) {
  size_t used = strlen(out->signs);
  snprintf(out->signs + used, sizeof(out->signs) - used, "%s%s", used ? ", " : "", sign);
}

/* Whether |s| contains |needle|, ignoring ASCII case. */
static int contains_nocase(const char *s, const char *needle) {
  size_t n = strlen(needle);
  for (; *s; s++)
    if (strncasecmp(s, needle, n) == 0)
      return 1;
  return 0;
}

int rf_wsl_detect(const char *root, const char *const *envp, rf_wsl_info *out) {
  memset(out, 0, sizeof(*out));
  if (!root)
    root = "";
  if (!envp)
    envp = (const char *const *)environ;
  /* The real root: uname(2), the same string as osrelease without opening a sysctl file
   * (a tenth of the cost, paid on every probe). */
  struct utsname uts;
  if (!root[0] && uname(&uts) == 0)
    snprintf(out->release, sizeof(out->release), "%s", uts.release);
  else
    read_first_line(root, "/proc/sys/kernel/osrelease", out->release, sizeof(out->release));
  static const char *const entries[] = {"WSLInterop", "WSLInterop-late"};
  for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]) && !out->interop_entry[0]; i++) {
    char rel[128], state[64];
    snprintf(rel, sizeof(rel), "/proc/sys/fs/binfmt_misc/%s", entries[i]);
    if (read_first_line(root, rel, state, sizeof(state)) < 0)
      continue;
    snprintf(out->interop_entry, sizeof(out->interop_entry), "%s", entries[i]);
    out->interop_enabled = strcmp(state, "enabled") == 0;
  }
  char run_wsl[4096];
  snprintf(run_wsl, sizeof(run_wsl), "%s/run/WSL", root);
  struct stat st;
  out->run_wsl = stat(run_wsl, &st) == 0 && S_ISDIR(st.st_mode);
  const char *value = env_value(envp, "WSL_INTEROP");
  snprintf(out->interop_socket, sizeof(out->interop_socket), "%s", value ? value : "");
  value = env_value(envp, "WSL_DISTRO_NAME");
  snprintf(out->distro, sizeof(out->distro), "%s", value ? value : "");

  /* WSL1 spells it "4.4.0-19041-Microsoft"; WSL2's kernels "5.15.153.1-microsoft-standard-WSL2"
   * (older ones "4.19.104-microsoft-standard"). */
  int wsl1_release = strstr(out->release, "Microsoft") && !strstr(out->release, "microsoft") &&
                     !strstr(out->release, "WSL2");
  if (wsl1_release || contains_nocase(out->release, "microsoft") ||
      strstr(out->release, "WSL2")) {
    char sign[160];
    snprintf(sign, sizeof(sign), "kernel %s", out->release);
    add_sign(out, sign);
  }
  if (out->interop_entry[0]) {
    char sign[96];
    snprintf(sign, sizeof(sign), "binfmt_misc entry %s (%s)", out->interop_entry,
             out->interop_enabled ? "enabled" : "disabled");
    add_sign(out, sign);
  }
  if (out->run_wsl)
    add_sign(out, "/run/WSL");
  if (out->distro[0])
    add_sign(out, "WSL_DISTRO_NAME");
  if (out->interop_socket[0])
    add_sign(out, "WSL_INTEROP");
  if (wsl1_release)
    out->kind = RF_WSL_1;
  else if (out->signs[0])
    out->kind = RF_WSL_2;
  return 0;
}

const char *rf_wsl_root(void) {
  const char *fixture = getenv("RINGFENCE_TEST_WSL_ROOT");
  return fixture ? fixture : "";
}

int rf_wsl1_refusal(const rf_wsl_info *info, char *reason, size_t reason_len, char *remedy,
                    size_t remedy_len) {
  if (info->kind != RF_WSL_1)
    return 0;
  snprintf(reason, reason_len,
           "this is WSL1 (%s), which ringfence does not support: WSL1 translates Linux calls "
           "inside Windows and has no user namespaces, no Landlock and no seccomp user "
           "notifications, so no Linux sandbox can be built here",
           info->signs);
  snprintf(remedy, remedy_len,
           "convert the distribution to WSL2: in Windows, run `wsl --set-version %s 2` "
           "(`wsl -l -v` lists the distributions and their versions; `wsl "
           "--set-default-version 2` makes new ones WSL2), then run ringfence there",
           info->distro[0] ? info->distro : "<distro>");
  return 1;
}

void rf_wsl_describe(const rf_wsl_info *info, const char *backend_does, char *buf, size_t len) {
  buf[0] = '\0';
  if (info->kind != RF_WSL_2)
    return;
  char interop[160];
  if (info->interop_entry[0])
    snprintf(interop, sizeof(interop), "interop %s %s%s%.80s", info->interop_entry,
             info->interop_enabled ? "enabled" : "disabled",
             info->interop_socket[0] ? ", socket " : "", info->interop_socket);
  else
    snprintf(interop, sizeof(interop), "no interop entry in binfmt_misc");
  snprintf(buf, len, "WSL2 (%.100s; %s): interop kept out: %s", info->signs, interop,
           backend_does);
}
