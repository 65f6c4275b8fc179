/* render.c: what launch would run, as sections for `ringfence explain` (sbpl, parameters, command, environment). */
#include "seatbelt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char **rf_seatbelt_argv(const char *sandbox_exec, const char *profile,
                        const rf_seatbelt_params *params, const char *const *argv) {
  size_t n_argv = 0;
  while (argv[n_argv])
    n_argv++;
  size_t n = profile ? 4 + params->n + n_argv : n_argv;
  char **out = calloc(n + 1, sizeof(*out));
  if (!out)
    return NULL;
  size_t i = 0;
  rf_sbuf buf = {0};
  if (profile) {
    if (!(out[i++] = strdup(sandbox_exec)) || !(out[i++] = strdup("-p")) ||
        !(out[i++] = strdup(profile)))
      goto fail;
    for (size_t j = 0; j < params->n; j++) {
      rf_sbuf_appendf(&buf, "-D%s=%s", params->items[j].key, params->items[j].value);
      if (!(out[i++] = rf_sbuf_steal(&buf)))
        goto fail;
    }
    /* Everything after "--" is the command, even if it starts with '-'. */
    if (!(out[i++] = strdup("--")))
      goto fail;
  }
  for (size_t j = 0; j < n_argv; j++)
    if (!(out[i++] = strdup(argv[j])))
      goto fail;
  return out;
fail:
  rf_seatbelt_argv_free(out);
  return NULL;
}

void rf_seatbelt_argv_free(char **argv) {
  for (char **a = argv; a && *a; a++)
    free(*a);
  free(argv);
}

static void emit_lines(const rf_backend_sink *out, const char *section, char *text) {
  for (char *line = text; *line;) {
    char *newline = strchr(line, '\n');
    if (newline)
      *newline = '\0';
    out->emit(out->ctx, section, line);
    if (!newline)
      break;
    line = newline + 1;
  }
}

/* Emits |word| shell-quoted, or gives up quietly on allocation failure
 * (render output is advisory; launch never depends on it). */
static int emit_quoted(const rf_backend_sink *out, const char *section, const char *word) {
  char *quoted = rf_shell_quote(word);
  if (!quoted)
    return -ENOMEM;
  out->emit(out->ctx, section, quoted);
  free(quoted);
  return 0;
}

int rf_seatbelt_render(const rf_backend_host *host, const rf_backend_policy *policy,
                       const char *const *argv, const rf_backend_sink *out, char *err,
                       size_t err_len) {
  (void)host;
  if (!out || !out->emit || !argv || !argv[0]) {
    rf_seatbelt_set_error(err, err_len, "seatbelt: render needs a sink and a command");
    return -EINVAL;
  }
  if (!policy || !RF_HAS_FIELD(policy, run_id)) {
    rf_seatbelt_set_error(err, err_len, "seatbelt: the policy struct is missing or too old");
    return -EINVAL;
  }

  char *profile = NULL;
  rf_seatbelt_params params = {0};
  if (policy->mode == RF_SANDBOX_DANGER_FULL_ACCESS) {
    out->emit(out->ctx, "plan",
              "danger-full-access: no Seatbelt profile, the command runs unconfined");
  } else {
    int r = rf_seatbelt_profile(policy, &profile, &params, err, err_len);
    if (r < 0)
      return r;
    emit_lines(out, "sbpl", profile);
  }

  int r = 0;
  rf_sbuf buf = {0};
  for (size_t i = 0; i < params.n && r == 0; i++) {
    rf_sbuf_appendf(&buf, "-D%s=%s", params.items[i].key, params.items[i].value);
    char *word = rf_sbuf_steal(&buf);
    r = word ? emit_quoted(out, "parameters", word) : -ENOMEM;
    free(word);
  }

  /* The command, one argv element per line; the profile itself is the
   * "sbpl" section above. */
  char **command = r == 0 ? rf_seatbelt_argv(RF_SEATBELT_SANDBOX_EXEC, profile, &params, argv)
                          : NULL;
  if (!command && r == 0)
    r = -ENOMEM;
  for (char **a = command; r == 0 && *a; a++) {
    if (profile && a == command + 2)
      out->emit(out->ctx, "command", "<the profile in section sbpl>");
    else
      r = emit_quoted(out, "command", *a);
  }
  rf_seatbelt_argv_free(command);

  char **envp = r == 0 ? rf_seatbelt_environ(policy) : NULL;
  if (!envp && r == 0)
    r = -ENOMEM;
  for (char **e = envp; r == 0 && *e; e++)
    if (strncmp(*e, "RINGFENCE_SANDBOX", strlen("RINGFENCE_SANDBOX")) == 0)
      r = emit_quoted(out, "environment", *e);
  rf_seatbelt_environ_free(envp);

  free(profile);
  rf_seatbelt_params_clear(&params);
  if (r < 0)
    rf_seatbelt_set_error(err, err_len, "seatbelt: out of memory rendering the plan");
  return r;
}
