/* options.c: the options the subcommands share (policy, config, approvals), and turning them
 * with the config into an RfPolicy, an approval policy and rules. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rf_cli_add_policy_options(GOptionContext *context, RfCliOptions *o) {
  GOptionEntry entries[] = {
      {"sandbox", 's', 0, G_OPTION_ARG_STRING, &o->sandbox,
       "Sandbox mode: read-only (default), workspace-write or danger-full-access", "MODE"},
      {"cd", 'C', 0, G_OPTION_ARG_FILENAME, &o->cd, "Run the command in DIR (default: here)",
       "DIR"},
      {"writable-root", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->writable_roots,
       "Also allow writes below DIR (workspace-write; repeatable)", "DIR"},
      {"dangerously-allow-writable-root", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->dangerous_roots,
       "DANGEROUS: allow writes below DIR although it is /, a parent of your home or a system "
       "directory, which ringfence otherwise refuses as a writable root (workspace-write; "
       "repeatable)",
       "DIR"},
      {"network", 0, 0, G_OPTION_ARG_STRING, &o->network,
       "Network: off (default), on, or proxy (only through ringfence's allowlist proxy)",
       "off|on|proxy"},
      {"allow-domain", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->allow_domains,
       "--network proxy: allow HOST (example.com, *.example.com for its subdomains, or an IP "
       "address; repeatable)",
       "HOST"},
      {"deny-domain", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->deny_domains,
       "--network proxy: deny HOST even when allowed (repeatable)", "HOST"},
      {"proxy", 0, 0, G_OPTION_ARG_STRING, &o->proxy_url,
       "--network proxy: send every allowed connection through this upstream proxy "
       "(http://HOST:PORT or socks5h://HOST:PORT)",
       "URL"},
      {"network-log", 0, 0, G_OPTION_ARG_FILENAME, &o->network_log,
       "--network proxy: write the proxy's decisions to FILE as JSON lines instead of stderr",
       "FILE"},
      {"resolve", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->resolve,
       "--network proxy: the proxy answers HOST with ADDRESS, without a lookup (tests; "
       "repeatable)",
       "HOST:ADDRESS"},
      {"backend", 0, 0, G_OPTION_ARG_STRING, &o->backend,
       "Backend: auto (default), bwrap, landlock, seatbelt or windows", "NAME"},
      {"allow-degraded", 0, 0, G_OPTION_ARG_NONE, &o->allow_degraded,
       "Run even if the backend cannot enforce every guarantee (each one dropped is printed)",
       NULL},
      {"pty", 0, 0, G_OPTION_ARG_NONE, &o->pty,
       "Windows: run the command in a pseudo console (ConPTY) of its own even when standard "
       "input is not a console (it gets one automatically when it is)",
       NULL},
      {"require", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->require,
       "Refuse to run unless guarantee NAME is enforced, even on a platform where no backend "
       "can enforce it (repeatable; names: see 'ringfence explain')",
       "NAME"},
      {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  GOptionGroup *group =
      g_option_group_new("policy", "Policy options:", "Show the policy options", NULL, NULL);
  g_option_group_add_entries(group, entries);
  g_option_context_set_main_group(context, group);
}

void rf_cli_add_config_options(GOptionContext *context, RfCliOptions *o) {
  GOptionEntry entries[] = {
      {"config", 0, 0, G_OPTION_ARG_FILENAME, &o->config_file,
       "Read FILE instead of the default config.toml (which may be missing)", "FILE"},
      {"profile", 'p', 0, G_OPTION_ARG_STRING, &o->profile,
       "Use the settings of [profiles.NAME] from the config", "NAME"},
      {"set", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &o->overrides,
       "Override a config key, the value in TOML: -c sandbox_mode=\"workspace-write\" "
       "(repeatable)",
       "KEY=VALUE"},
      {"ask-for-approval", 'a', 0, G_OPTION_ARG_STRING, &o->approval,
       "When to ask a person: untrusted, on-failure, on-request or never", "POLICY"},
      {"rules", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->rules_files,
       "Also read prefix_rule(...) command rules from FILE (repeatable)", "FILE"},
      {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  /* Main entries: `ringfence run --help` lists them beside the policy options. */
  g_option_context_add_main_entries(context, entries, NULL);
}

void rf_cli_options_clear(RfCliOptions *o) {
  g_free(o->config_file);
  g_free(o->profile);
  g_strfreev(o->overrides);
  g_free(o->approval);
  g_strfreev(o->rules_files);
  g_free(o->sandbox);
  g_free(o->cd);
  g_strfreev(o->writable_roots);
  g_strfreev(o->dangerous_roots);
  g_strfreev(o->require);
  g_free(o->network);
  g_strfreev(o->allow_domains);
  g_strfreev(o->deny_domains);
  g_free(o->proxy_url);
  g_free(o->network_log);
  g_strfreev(o->resolve);
  g_free(o->backend);
  g_strfreev(o->pass_fds);
}

RfConfig *rf_cli_load_config(const RfCliOptions *o, GError **error) {
  g_autoptr(RfConfig) config = rf_config_new();
  if (!rf_config_load_file(config, o->config_file, error))
    return NULL;
  for (char **assignment = o->overrides; assignment && *assignment; assignment++)
    if (!rf_config_add_override(config, *assignment, error))
      return NULL;
  if (o->profile)
    rf_config_set_profile(config, o->profile);
  /* Flags sit above everything the config says. */
  struct {
    const char *key, *value, *flag;
  } flags[] = {
      {"sandbox_mode", o->sandbox, "-s/--sandbox"},
      {"ringfence.network", o->network, "--network"},
      {"ringfence.backend", o->backend, "--backend"},
      {"ringfence.proxy_url", o->proxy_url, "--proxy"},
      {"ringfence.allow_degraded", o->allow_degraded ? "true" : NULL, "--allow-degraded"},
      {"approval_policy", o->approval, "-a/--ask-for-approval"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(flags); i++)
    if (flags[i].value &&
        !rf_config_set_flag(config, flags[i].key, flags[i].value, flags[i].flag, error))
      return NULL;
  for (char **root = o->writable_roots; root && *root; root++)
    if (!rf_config_set_flag(config, "sandbox_workspace_write.writable_roots", *root,
                            "--writable-root", error))
      return NULL;
  for (char **name = o->allow_domains; name && *name; name++)
    if (!rf_config_set_flag(config, "ringfence.allowed_domains", *name, "--allow-domain", error))
      return NULL;
  for (char **name = o->deny_domains; name && *name; name++)
    if (!rf_config_set_flag(config, "ringfence.denied_domains", *name, "--deny-domain", error))
      return NULL;
  for (char **name = o->require; name && *name; name++)
    if (!rf_config_set_flag(config, "ringfence.require", *name, "--require", error))
      return NULL;
  for (char **file = o->rules_files; file && *file; file++)
    if (!rf_config_set_flag(config, "ringfence.rules", *file, "--rules", error))
      return NULL;
  if (o->cd)
    rf_config_set_workdir(config, o->cd);
  if (!rf_config_resolve(config, error))
    return NULL;
  for (const char *const *note = rf_config_get_warnings(config); *note; note++)
    fprintf(stderr, "ringfence: note: %s\n", *note);
  return g_steal_pointer(&config);
}

RfPolicy *rf_cli_build_policy(const RfCliOptions *o, const RfConfig *config, GError **error) {
  g_autoptr(RfPolicy) policy = rf_policy_new();
  if (!rf_config_apply(config, policy, error))
    return NULL;
  if (o->cd)
    rf_policy_set_cwd(policy, o->cd);
  if (o->pty)
    rf_policy_set_windows_pty(policy, TRUE);
  if (o->network_log)
    rf_policy_set_network_log(policy, o->network_log);
  for (char **entry = o->resolve; entry && *entry; entry++)
    rf_policy_add_proxy_resolve(policy, *entry);
  for (char **root = o->dangerous_roots; root && *root; root++)
    rf_policy_add_dangerous_writable_root(policy, *root);
  for (char **fd = o->pass_fds; fd && *fd; fd++) {
    char *end = NULL;
    errno = 0;
    long value = strtol(*fd, &end, 10);
    if (errno || !**fd || *end || value < 0 || value > 1 << 20) {
      g_autofree char *shown = rf_quote(*fd, -1);
      g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                  "--pass-fd %s is not a descriptor number (use e.g. --pass-fd 3)", shown);
      return NULL;
    }
    rf_policy_add_pass_fd(policy, (int)value);
  }
  return g_steal_pointer(&policy);
}

gboolean rf_cli_load_approvals(const RfConfig *config, RfApprovalPolicy *policy,
                               gboolean *policy_set, RfRules **rules, GError **error) {
  *policy_set = rf_config_get_approval_policy(config, policy);
  *rules = NULL;
  const char *const *files = rf_config_get_rules_files(config);
  if (files[0]) {
    g_autoptr(RfRules) loaded = rf_rules_new();
    for (; *files; files++)
      if (!rf_rules_load_file(loaded, *files, error))
        return FALSE;
    *rules = g_steal_pointer(&loaded);
  }
  return TRUE;
}

/* Longest line of a message ringfence prints, and what is kept of a longer one. */
#define MESSAGE_LINE_MAX 1024
#define MESSAGE_HEAD 512
#define MESSAGE_TAIL 400

char *rf_cli_printable_line(const char *line) {
  g_autofree char *safe = rf_cli_terminal_safe(line);
  size_t len = strlen(safe);
  if (len <= MESSAGE_LINE_MAX)
    return g_steal_pointer(&safe);
  /* Every site that quotes user input bounds it (core/util/quote.c); this is the backstop for text
   * no site bounded (a GLib message naming a huge option or file).  The tail stays: it holds
   * the fix. */
  size_t head = MESSAGE_HEAD, tail = len - MESSAGE_TAIL;
  while (head > 0 && ((unsigned char)safe[head] & 0xC0) == 0x80)
    head--;
  while (tail < len && ((unsigned char)safe[tail] & 0xC0) == 0x80)
    tail++;
  return g_strdup_printf("%.*s [... %zu bytes not shown ...] %s", (int)head, safe, tail - head,
                         safe + tail);
}

void rf_cli_error(const char *message) {
  g_auto(GStrv) lines = g_strsplit(message, "\n", -1);
  for (char **line = lines; *line; line++) {
    g_autofree char *shown = rf_cli_printable_line(*line);
    fprintf(stderr, "%s%s\n", line == lines ? "ringfence: " : "", shown);
  }
}

gboolean rf_cli_parse(GOptionContext *context, const char *subcommand, int *argc, char ***argv) {
  g_autoptr(GError) error = NULL;
  g_option_context_set_strict_posix(context, TRUE);
  if (!g_option_context_parse(context, argc, argv, &error)) {
    g_autofree char *shown = rf_cli_printable_line(error->message); /* GLib quotes it whole */
    fprintf(stderr, "ringfence %s: %s (see 'ringfence %s --help')\n", subcommand, shown,
            subcommand);
    return FALSE;
  }
  return TRUE;
}

RfLoader *rf_cli_new_loader(const RfConfig *config, const RfPlan *plan, GError **error) {
  g_autoptr(RfLoader) loader =
      rf_loader_new(config ? rf_config_get_plugin_dir(config) : NULL, error);
  if (!loader)
    return NULL;
  if (plan)
    rf_loader_trust_plan(loader, plan);
  if (config) {
    const char *base = plan ? rf_plan_get_backend_policy(plan)->cwd : NULL;
    for (const char *const *root = rf_config_get_writable_roots(config); *root; root++)
      rf_loader_add_untrusted_root(loader, *root, base);
    rf_loader_set_bwrap(loader, rf_config_get_bwrap(config));
  }
  return g_steal_pointer(&loader);
}

RfBackend *rf_cli_select_backend(RfLoader **loader, const RfConfig *config, RfPlan *plan,
                                 gboolean quiet, GError **error) {
  *loader = rf_cli_new_loader(config, plan, error);
  if (!*loader)
    return NULL;
  g_autofree char *note = NULL;
  RfBackend *backend =
      rf_loader_select(*loader, rf_config_get_backend(config), plan, &note, error);
  if (!backend)
    return NULL;
  if (note && !quiet)
    fprintf(stderr, "ringfence: %s\n", note);
  return backend;
}

gboolean rf_cli_prepare(const RfCliOptions *options, const RfConfig *config, gboolean quiet,
                        RfLoader **loader, RfPlan **plan, RfBackend **backend, GError **error) {
  *loader = NULL;
  *plan = NULL;
  *backend = NULL;
  g_autoptr(RfPolicy) policy = rf_cli_build_policy(options, config, error);
  if (!policy)
    return FALSE;
  *plan = rf_policy_resolve(policy, error);
  if (!*plan)
    return FALSE;
  if (rf_policy_get_mode(policy) == RF_SANDBOX_DANGER_FULL_ACCESS)
    return TRUE; /* no sandbox, no backend */
  g_auto(GStrv) dangerous = rf_plan_get_dangerous_roots(*plan);
  for (char **line = dangerous; *line && !quiet; line++)
    fprintf(stderr, "ringfence: WARNING: --dangerously-allow-writable-root: %s\n", *line);
  *backend = rf_cli_select_backend(loader, config, *plan, quiet, error);
  if (!*backend)
    return FALSE;
  if (!rf_plan_check_backend(*plan, *backend, error))
    return FALSE;
  guint64 degraded = rf_plan_get_degraded(*plan);
  if (degraded && !quiet) {
    fprintf(stderr,
            "ringfence: WARNING: --allow-degraded: backend '%s' does not enforce, for this run:\n",
            rf_backend_get_name(*backend));
    for (guint bit = 0; bit < RF_CAP_COUNT; bit++)
      if (degraded & (1ull << bit))
        fprintf(stderr, "ringfence:   not enforced: %s (%s)\n", rf_guarantee_name(1ull << bit),
                rf_guarantee_help(1ull << bit));
  }
  return TRUE;
}

char **rf_cli_command(int argc, char **argv) {
  int i = 1;
  if (i < argc && g_str_equal(argv[i], "--"))
    i++;
  return argv + i;
}
