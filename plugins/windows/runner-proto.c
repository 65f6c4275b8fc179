/* runner-proto.c: builds and parses the runner command line (see runner-proto.h); pure C. */
#include "runner-proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int only_chars(const char *s, const char *allowed) {
  return s[0] != '\0' && strspn(s, allowed) == strlen(s);
}

int rf_win_runner_cmdline(const char *runner_path, const rf_win_plan *plan, char **out, char *err,
                          size_t err_len) {
  *out = NULL;
  if (runner_path == NULL || strchr(runner_path, '"') != NULL || plan->command_line == NULL ||
      !only_chars(plan->appcontainer_name, "abcdefghijklmnopqrstuvwxyz0123456789.-")) {
    if (err && err_len)
      snprintf(err, err_len, "windows: cannot build the runner command line (bad runner path or names)");
    return -EINVAL;
  }
  size_t n = strlen(runner_path) + strlen(plan->appcontainer_name) + strlen(plan->command_line) + 8 +
             plan->n_caps * RF_WIN_SID_MAX;
  char *s = malloc(n);
  if (s == NULL)
    return -ENOMEM;
  size_t len = (size_t)snprintf(s, n, "\"%s\" %s ", runner_path, plan->appcontainer_name);
  if (plan->n_caps == 0)
    len += (size_t)snprintf(s + len, n - len, "-");
  for (size_t i = 0; i < plan->n_caps; i++) {
    /* Named capabilities get their SID at launch (rf_win32_plan_derive_sids): never pass on
     * one that was not derived. */
    if (plan->caps[i].sid[0] == '\0' || !only_chars(plan->caps[i].sid, "S0123456789-")) {
      free(s);
      if (err && err_len)
        snprintf(err, err_len, "windows: capability %s has %s", plan->caps[i].name ? plan->caps[i].name : plan->caps[i].kind,
                 plan->caps[i].sid[0] ? "a malformed SID" : "no SID yet (not derived)");
      return -EINVAL;
    }
    len += (size_t)snprintf(s + len, n - len, "%s%s", i ? "," : "", plan->caps[i].sid);
  }
  snprintf(s + len, n - len, " %s", plan->command_line);
  *out = s;
  return 0;
}

void rf_win_runner_args_clear(rf_win_runner_args *args) {
  free(args->caps);
  memset(args, 0, sizeof *args);
}

/* Copies the next space/tab-delimited token; returns the position after it or NULL. */
static const char *next_token(const char *p, char *out, size_t out_len) {
  while (*p == ' ' || *p == '\t')
    p++;
  size_t n = strcspn(p, " \t");
  if (n == 0 || n >= out_len)
    return NULL;
  memcpy(out, p, n);
  out[n] = '\0';
  return p + n;
}

int rf_win_runner_parse(const char *cmdline, rf_win_runner_args *args) {
  memset(args, 0, sizeof *args);
  const char *p = cmdline;
  /* argv[0]: quotes toggle, whitespace outside quotes ends it. */
  int inquote = 0;
  for (; *p != '\0'; p++) {
    if (*p == '"')
      inquote = !inquote;
    else if (!inquote && (*p == ' ' || *p == '\t'))
      break;
  }
  char caps[4096];
  p = next_token(p, args->appcontainer_name, sizeof args->appcontainer_name);
  if (p == NULL || !only_chars(args->appcontainer_name, "abcdefghijklmnopqrstuvwxyz0123456789.-"))
    return -EINVAL;
  p = next_token(p, caps, sizeof caps);
  if (p == NULL || *p != ' ' || p[1] == '\0')
    return -EINVAL;
  args->child_cmdline = p + 1;
  if (strcmp(caps, "-") == 0)
    return 0;
  if (!only_chars(caps, "S0123456789-,"))
    return -EINVAL;
  size_t n = 1;
  for (const char *c = caps; *c; c++)
    n += *c == ',';
  args->caps = calloc(n, sizeof *args->caps);
  if (args->caps == NULL)
    return -ENOMEM;
  for (const char *c = caps; *c;) {
    size_t len = strcspn(c, ",");
    if (len == 0 || len >= RF_WIN_SID_MAX) {
      rf_win_runner_args_clear(args);
      return -EINVAL;
    }
    memcpy(args->caps[args->n_caps], c, len);
    args->caps[args->n_caps++][len] = '\0';
    c += len;
    if (*c == ',')
      c++;
  }
  return 0;
}
