/* sbpl-profile.c: a resolved policy -> SBPL profile + -D parameters; every Seatbelt security decision lives here. */
#include "seatbelt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Shape of every profile (Seatbelt applies the LAST rule that matches, so
 * the denials come last; the allows also exclude what is denied, so the
 * profile holds even if that rule were read the other way):
 *
 *   (version 1)
 *   (deny default (with message "ringfence-RUN_ID"))   tag to find denials in the log
 *   base-policy.sbpl                                    processes, sysctl, Mach, /dev, ttys
 *   reads        full: (allow file-read* ...) and        restricted: readable + writable roots,
 *                preferences-policy.sbpl
 *                                                        ancestors' metadata, platform-policy.sbpl
 *   writes       each writable root minus its protected paths
 *   network      off: nothing      on: network-policy.sbpl
 *   denials      protected paths (write, create, link), ancestors of protected
 *                and deny-read paths (unlink/rename), deny-read paths and patterns
 *                (read, exec, write, link), final-denials.sbpl (fcntl 80/110, XPC)
 *
 * No path is ever written into the profile: each one is a -D parameter
 * (param "KEY"), so a path with quotes, parentheses, newlines or anything
 * else cannot change the profile's structure.  The profile text depends
 * only on the policy's shape (modes, how many roots, protected, deny-read
 * paths and ancestors) and its run_id.
 *
 * Deny rules match a path exactly (subpath/literal) and also through a
 * case-insensitive regex (rf_sbpl_path_regex), because ".GIT" names ".git"
 * on a case-insensitive volume.  Allow rules match exactly: a case variant
 * of a writable root is simply not writable.
 */

typedef struct {
  const rf_backend_policy *policy;
  rf_seatbelt_params *params;
  rf_sbuf text;
  char tag[96];
  /* Paths whose ancestors inside writable roots may not be unlinked or
   * renamed: ANCESTOR_n parameters. */
  char **ancestors;
  size_t n_ancestors;
  size_t cap_ancestors;
  char *err;
  size_t err_len;
} profile_builder;

/* ---- checking the policy -------------------------------------------- */

static int check_path(profile_builder *b, const char *what, const char *path) {
  if (!path) {
    rf_seatbelt_set_error(b->err, b->err_len, "seatbelt: %s is missing (NULL)", what);
    return -EINVAL;
  }
  if (!rf_seatbelt_path_valid(path)) {
    rf_seatbelt_set_error(b->err, b->err_len,
                          "seatbelt: %s '%s' is not an absolute canonical path; the core must "
                          "resolve paths before rendering",
                          what, path);
    return -EINVAL;
  }
  return 0;
}

static int check_path_list(profile_builder *b, const char *what, const char *const *paths,
                           size_t n) {
  if (n > 0 && !paths) {
    rf_seatbelt_set_error(b->err, b->err_len, "seatbelt: %zu %s announced but the list is NULL",
                          n, what);
    return -EINVAL;
  }
  for (size_t i = 0; i < n; i++) {
    int r = check_path(b, what, paths[i]);
    if (r < 0)
      return r;
  }
  return 0;
}

static int check_policy(profile_builder *b) {
  const rf_backend_policy *p = b->policy;
  if (!p || !RF_HAS_FIELD(p, run_id)) {
    rf_seatbelt_set_error(b->err, b->err_len,
                          "seatbelt: the policy struct is missing or older than this plugin "
                          "(size %u); rebuild the core and the plugin together",
                          p ? p->size : 0u);
    return -EINVAL;
  }
  if (p->mode == RF_SANDBOX_DANGER_FULL_ACCESS) {
    rf_seatbelt_set_error(b->err, b->err_len,
                          "seatbelt: danger-full-access runs without a profile");
    return -EINVAL;
  }
  if (p->mode != RF_SANDBOX_READ_ONLY && p->mode != RF_SANDBOX_WORKSPACE_WRITE) {
    rf_seatbelt_set_error(b->err, b->err_len, "seatbelt: unknown sandbox mode %u", p->mode);
    return -EINVAL;
  }
  if (p->network != RF_NETWORK_OFF && p->network != RF_NETWORK_ON &&
      p->network != RF_NETWORK_PROXY) {
    rf_seatbelt_set_error(b->err, b->err_len, "seatbelt: unknown network mode %u", p->network);
    return -EINVAL;
  }
  if (p->read_access != RF_READ_FULL && p->read_access != RF_READ_RESTRICTED) {
    rf_seatbelt_set_error(b->err, b->err_len, "seatbelt: unknown read access %u",
                          p->read_access);
    return -EINVAL;
  }
  if (!rf_seatbelt_run_id_valid(p->run_id)) {
    rf_seatbelt_set_error(b->err, b->err_len,
                          "seatbelt: run_id '%s' is not 1-64 characters of [a-z0-9-]",
                          p->run_id ? p->run_id : "(null)");
    return -EINVAL;
  }
  if (p->mode == RF_SANDBOX_READ_ONLY && p->n_writable_roots > 0) {
    rf_seatbelt_set_error(b->err, b->err_len,
                          "seatbelt: %zu writable roots in read-only mode; writable roots need "
                          "workspace-write",
                          p->n_writable_roots);
    return -EINVAL;
  }
  if (p->n_writable_roots > 0 && !p->writable_roots) {
    rf_seatbelt_set_error(b->err, b->err_len,
                          "seatbelt: %zu writable roots announced but the list is NULL",
                          p->n_writable_roots);
    return -EINVAL;
  }
  for (size_t i = 0; i < p->n_writable_roots; i++) {
    const rf_backend_root *root = &p->writable_roots[i];
    if (!RF_HAS_FIELD(root, n_protected)) {
      rf_seatbelt_set_error(b->err, b->err_len,
                            "seatbelt: writable root %zu has an unknown struct size %u", i,
                            root->size);
      return -EINVAL;
    }
    int r = check_path(b, "writable root", root->path);
    if (r == 0)
      r = check_path_list(b, "protected path", root->protected_paths, root->n_protected);
    if (r < 0)
      return r;
  }
  int r = check_path_list(b, "readable root", p->readable_roots, p->n_readable_roots);
  if (r == 0)
    r = check_path_list(b, "deny-read path", p->deny_read, p->n_deny_read);
  if (r == 0 && RF_HAS_FIELD(p, n_deny_read_globs) && p->n_deny_read_globs > 0 &&
      !p->deny_read_globs) {
    rf_seatbelt_set_error(b->err, b->err_len,
                          "seatbelt: %zu deny-read patterns announced but the list is NULL",
                          p->n_deny_read_globs);
    r = -EINVAL;
  }
  return r;
}

/* ---- helpers -------------------------------------------------------- */

static int oom(profile_builder *b) {
  rf_seatbelt_set_error(b->err, b->err_len, "seatbelt: out of memory building the profile");
  return -ENOMEM;
}

/* |path| equals |root| or lies below it. */
static int is_within(const char *path, const char *root) {
  size_t len = strlen(root);
  if (len == 1) /* "/" */
    return 1;
  return strncmp(path, root, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

static int within_writable_root(const rf_backend_policy *p, const char *path) {
  for (size_t i = 0; i < p->n_writable_roots; i++)
    if (is_within(path, p->writable_roots[i].path))
      return 1;
  return 0;
}

static int within_read_root(const rf_backend_policy *p, const char *path) {
  for (size_t i = 0; i < p->n_readable_roots; i++)
    if (is_within(path, p->readable_roots[i]))
      return 1;
  return within_writable_root(p, path);
}

static int list_contains(char **list, size_t n, const char *path) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(list[i], path) == 0)
      return 1;
  return 0;
}

static int list_add(char ***list, size_t *n, size_t *cap, const char *path, size_t len) {
  if (*n == *cap) {
    size_t new_cap = *cap ? *cap * 2 : 8;
    char **items = realloc(*list, new_cap * sizeof(*items));
    if (!items)
      return -ENOMEM;
    *list = items;
    *cap = new_cap;
  }
  char *copy = strndup(path, len);
  if (!copy)
    return -ENOMEM;
  (*list)[(*n)++] = copy;
  return 0;
}

static void list_free(char **list, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(list[i]);
  free(list);
}

/*
 * Renaming a directory moves everything below it.  So for a protected or
 * deny-read path, each ancestor that lies inside a writable root (and could
 * therefore be renamed or removed) gets a file-write-unlink denial: the
 * protected .git cannot be moved aside with its parent and replaced, and a
 * deny-read file cannot be moved somewhere readable.
 */
static int collect_ancestors(profile_builder *b, const char *path) {
  const rf_backend_policy *p = b->policy;
  for (size_t len = strlen(path); len > 1;) {
    while (len > 1 && path[len - 1] != '/')
      len--;
    if (len > 1)
      len--; /* drop the '/' */
    if (len <= 1)
      break;
    char *ancestor = strndup(path, len);
    if (!ancestor)
      return -ENOMEM;
    int add = within_writable_root(p, ancestor) &&
              !list_contains(b->ancestors, b->n_ancestors, ancestor);
    int r = add ? list_add(&b->ancestors, &b->n_ancestors, &b->cap_ancestors, ancestor, len) : 0;
    free(ancestor);
    if (r < 0)
      return r;
  }
  return 0;
}

static int add_param(profile_builder *b, const char *key, const char *value) {
  return rf_seatbelt_params_add(b->params, key, value) < 0 ? oom(b) : 0;
}

static int add_regex_param(profile_builder *b, const char *key, const char *path,
                           rf_regex_kind kind) {
  char re_key[112];
  snprintf(re_key, sizeof re_key, "%s_RE", key);
  return rf_seatbelt_params_add_owned(b->params, re_key, rf_sbpl_path_regex(path, kind)) < 0
             ? oom(b)
             : 0;
}

static void emit(profile_builder *b, const char *text) {
  rf_sbuf_append(&b->text, text);
}

static void emit_fixed(profile_builder *b, const char *file, const char *text) {
  rf_sbuf_appendf(&b->text, "\n;; ---- %s (fixed part, embedded from the plugin)\n", file);
  rf_sbuf_append(&b->text, text);
}

/* ---- sections ------------------------------------------------------- */

static int emit_header(profile_builder *b) {
  const rf_backend_policy *p = b->policy;
  snprintf(b->tag, sizeof b->tag, "ringfence-%s", p->run_id);
  rf_sbuf_appendf(&b->text,
                  ";; ringfence Seatbelt profile for run %s (generated by plugins/macos-seatbelt).\n"
                  ";; Paths are -D parameters, referenced as (param \"KEY\"): never profile text.\n"
                  ";; Seatbelt applies the last rule that matches: denials come last.\n"
                  "(version 1)\n"
                  "(deny default (with message \"%s\"))\n",
                  p->run_id, b->tag);
  emit_fixed(b, "base-policy.sbpl", rf_sbpl_base_policy);
  return 0;
}

static int emit_reads(profile_builder *b) {
  const rf_backend_policy *p = b->policy;
  char key[96];
  if (p->read_access == RF_READ_FULL) {
    emit(b, "\n;; ---- reads: everything the user can read (deny-read paths excepted, below)\n"
            "(allow file-read* process-exec file-map-executable)\n");
    emit_fixed(b, "preferences-policy.sbpl", rf_sbpl_preferences_policy);
    return 0;
  }

  emit(b, "\n;; ---- reads: only the readable roots and the writable roots\n");
  size_t n_roots = p->n_readable_roots + p->n_writable_roots;
  if (n_roots > 0) {
    emit(b, "(allow file-read* process-exec file-map-executable");
    for (size_t i = 0; i < p->n_readable_roots; i++) {
      snprintf(key, sizeof key, "READABLE_ROOT_%zu", i);
      if (add_param(b, key, p->readable_roots[i]) < 0)
        return -ENOMEM;
      rf_sbuf_appendf(&b->text, "\n  (subpath (param \"%s\"))", key);
    }
    /* WRITABLE_ROOT_n parameters are defined by emit_writes(). */
    for (size_t i = 0; i < p->n_writable_roots; i++)
      rf_sbuf_appendf(&b->text, "\n  (subpath (param \"WRITABLE_ROOT_%zu\"))", i);
    emit(b, ")\n");
  } else {
    emit(b, ";; (no readable roots: nothing but what follows is readable)\n");
  }

  /* Programs stat every directory on the way to their files (realpath,
   * getcwd, git's repository discovery): metadata only, no listing. */
  char **ancestors = NULL;
  size_t n = 0, cap = 0;
  int r = 0;
  for (size_t i = 0; i < n_roots && r == 0; i++) {
    const char *root = i < p->n_readable_roots ? p->readable_roots[i]
                                               : p->writable_roots[i - p->n_readable_roots].path;
    for (size_t len = strlen(root); r == 0 && len > 1;) {
      while (len > 1 && root[len - 1] != '/')
        len--;
      if (len > 1)
        len--;
      if (len <= 1)
        break;
      char *ancestor = strndup(root, len);
      if (!ancestor) {
        r = -ENOMEM;
        break;
      }
      if (!within_read_root(p, ancestor) && !list_contains(ancestors, n, ancestor))
        r = list_add(&ancestors, &n, &cap, ancestor, len);
      free(ancestor);
    }
  }
  emit(b, "(allow file-read-metadata\n  (literal \"/\")");
  for (size_t i = 0; i < n && r == 0; i++) {
    snprintf(key, sizeof key, "READ_ANCESTOR_%zu", i);
    r = add_param(b, key, ancestors[i]);
    rf_sbuf_appendf(&b->text, "\n  (literal (param \"%s\"))", key);
  }
  emit(b, ")\n");
  list_free(ancestors, n);
  if (r < 0)
    return oom(b);

  if (p->flags & RF_POLICY_PLATFORM_DEFAULTS)
    emit_fixed(b, "platform-policy.sbpl", rf_sbpl_platform_policy);
  else
    emit(b, ";; (no platform defaults: the policy did not ask for them)\n");
  return 0;
}

static int emit_writes(profile_builder *b) {
  const rf_backend_policy *p = b->policy;
  char key[96];
  if (p->n_writable_roots == 0) {
    emit(b, "\n;; ---- writes: none outside the devices in the base policy\n");
    return 0;
  }
  emit(b, "\n;; ---- writes: each writable root, minus its protected paths\n");
  for (size_t i = 0; i < p->n_writable_roots; i++) {
    const rf_backend_root *root = &p->writable_roots[i];
    snprintf(key, sizeof key, "WRITABLE_ROOT_%zu", i);
    if (add_param(b, key, root->path) < 0)
      return -ENOMEM;
    if (root->n_protected == 0) {
      rf_sbuf_appendf(&b->text, "(allow file-write* file-link (subpath (param \"%s\")))\n", key);
      continue;
    }
    rf_sbuf_appendf(&b->text,
                    "(allow file-write* file-link\n"
                    "  (require-all\n"
                    "    (subpath (param \"%s\"))",
                    key);
    for (size_t j = 0; j < root->n_protected; j++) {
      snprintf(key, sizeof key, "WRITABLE_ROOT_%zu_PROTECTED_%zu", i, j);
      if (add_param(b, key, root->protected_paths[j]) < 0 ||
          add_regex_param(b, key, root->protected_paths[j], RF_REGEX_SUBTREE) < 0)
        return -ENOMEM;
      rf_sbuf_appendf(&b->text,
                      "\n    (require-not (subpath (param \"%s\")))"
                      "\n    (require-not (regex (param \"%s_RE\")))",
                      key, key);
      if (collect_ancestors(b, root->protected_paths[j]) < 0)
        return oom(b);
    }
    emit(b, "))\n");
  }
  return 0;
}

static int emit_network(profile_builder *b) {
  if (b->policy->network == RF_NETWORK_ON) {
    emit_fixed(b, "network-policy.sbpl", rf_sbpl_network_policy);
    return 0;
  }
  if (b->policy->network == RF_NETWORK_PROXY) {
    /* --network proxy (docs/network.md): ringfence's proxy listens on 127.0.0.1:PORT; the
     * command may connect there and nowhere else.  No DNS service: names are the proxy's to
     * resolve.  Certificate trust evaluation stays, for TLS through CONNECT. */
    emit(b, "\n;; ---- network: proxy.  Outbound only to ringfence's proxy on the loopback\n"
            ";; (port chosen when the proxy starts; 0 when only rendered); no DNS, no bind,\n"
            ";; no inbound: (deny default) refuses the rest.\n");
    rf_sbuf_appendf(&b->text, "(allow network-outbound (remote ip \"localhost:%u\"))\n",
                    (unsigned)b->policy->proxy_port);
    emit(b, "(allow mach-lookup\n"
            "  (global-name \"com.apple.trustd\")\n"
            "  (global-name \"com.apple.trustd.agent\")\n"
            "  (global-name \"com.apple.SecurityServer\"))\n");
    return 0;
  }
  emit(b, "\n;; ---- network: off.  No rule: (deny default) refuses every socket connect,\n"
          ";; bind and accept (IP and unix-domain alike) and the DNS services.\n");
  return 0;
}

static int emit_denials(profile_builder *b) {
  const rf_backend_policy *p = b->policy;
  char key[96];
  int any_protected = 0;
  for (size_t i = 0; i < p->n_writable_roots; i++)
    any_protected |= p->writable_roots[i].n_protected > 0;

  emit(b, "\n;; ---- denials (last, so they win over every allow above)\n");
  if (any_protected) {
    emit(b, ";; Protected paths: not written, created, replaced or hard-linked, in any letter case.\n");
    rf_sbuf_appendf(&b->text, "(deny file-write* file-link (with message \"%s\")", b->tag);
    for (size_t i = 0; i < p->n_writable_roots; i++) {
      for (size_t j = 0; j < p->writable_roots[i].n_protected; j++) {
        snprintf(key, sizeof key, "WRITABLE_ROOT_%zu_PROTECTED_%zu", i, j);
        rf_sbuf_appendf(&b->text,
                        "\n  (subpath (param \"%s\"))"
                        "\n  (regex (param \"%s_RE\"))",
                        key, key);
      }
    }
    emit(b, ")\n");
  }

  for (size_t i = 0; i < p->n_deny_read; i++)
    if (collect_ancestors(b, p->deny_read[i]) < 0)
      return oom(b);
  if (b->n_ancestors > 0) {
    emit(b, ";; Their ancestors inside writable roots: not removed or renamed, so nothing\n"
            ";; protected or unreadable can be moved out of the way or out of reach.\n");
    rf_sbuf_appendf(&b->text, "(deny file-write-unlink (with message \"%s\")", b->tag);
    for (size_t i = 0; i < b->n_ancestors; i++) {
      snprintf(key, sizeof key, "ANCESTOR_%zu", i);
      if (add_param(b, key, b->ancestors[i]) < 0 ||
          add_regex_param(b, key, b->ancestors[i], RF_REGEX_EXACT) < 0)
        return -ENOMEM;
      rf_sbuf_appendf(&b->text,
                      "\n  (literal (param \"%s\"))"
                      "\n  (regex (param \"%s_RE\"))",
                      key, key);
    }
    emit(b, ")\n");
  }

  size_t n_globs = RF_HAS_FIELD(p, n_deny_read_globs) ? p->n_deny_read_globs : 0;
  if (p->n_deny_read > 0 || n_globs > 0) {
    emit(b, ";; Deny-read paths and patterns: not read, executed, written, created, hard-linked,\n"
            ";; moved or removed (a denied file inside a writable root stays as it is).  A\n"
            ";; pattern is matched as an anchored regex, so a file created later is covered.\n");
    rf_sbuf_appendf(&b->text,
                    "(deny file-read* file-write* file-link process-exec (with message \"%s\")",
                    b->tag);
    for (size_t i = 0; i < p->n_deny_read; i++) {
      snprintf(key, sizeof key, "DENY_READ_%zu", i);
      if (add_param(b, key, p->deny_read[i]) < 0 ||
          add_regex_param(b, key, p->deny_read[i], RF_REGEX_SUBTREE) < 0)
        return -ENOMEM;
      rf_sbuf_appendf(&b->text,
                      "\n  (subpath (param \"%s\"))"
                      "\n  (regex (param \"%s_RE\"))",
                      key, key);
    }
    for (size_t i = 0; i < n_globs; i++) {
      char why[160] = "";
      char *regex = rf_sbpl_glob_regex(p->deny_read_globs[i], why, sizeof why);
      if (!regex) {
        rf_seatbelt_set_error(b->err, b->err_len,
                              "seatbelt: deny-read pattern '%s' cannot be matched by Seatbelt "
                              "(%s); write it with *, ?, [...] and ** only, or name the paths",
                              p->deny_read_globs[i], why);
        return -EINVAL;
      }
      snprintf(key, sizeof key, "DENY_GLOB_%zu_RE", i);
      if (rf_seatbelt_params_add_owned(b->params, key, regex) < 0)
        return oom(b);
      rf_sbuf_appendf(&b->text, "\n  (regex (param \"%s\"))", key);
    }
    emit(b, ")\n");
  }
  emit_fixed(b, "final-denials.sbpl", rf_sbpl_final_denials);
  return 0;
}

/* ---- entry point ---------------------------------------------------- */

int rf_seatbelt_profile(const rf_backend_policy *policy, char **profile_out,
                        rf_seatbelt_params *params, char *err, size_t err_len) {
  profile_builder b = {.policy = policy, .params = params, .err = err, .err_len = err_len};
  *profile_out = NULL;
  size_t first_param = params->n;

  /* The confinement order, one step per line (reviewed as a whole). */
  int r = check_policy(&b);
  if (r == 0)
    r = emit_header(&b);
  if (r == 0)
    r = emit_reads(&b);
  if (r == 0)
    r = emit_writes(&b);
  if (r == 0)
    r = emit_network(&b);
  if (r == 0)
    r = emit_denials(&b);

  list_free(b.ancestors, b.n_ancestors);
  char *text = rf_sbuf_steal(&b.text);
  if (r == 0 && !text)
    r = oom(&b);
  if (r < 0) {
    free(text);
    /* Leave |params| as the caller gave it. */
    while (params->n > first_param) {
      params->n--;
      free(params->items[params->n].key);
      free(params->items[params->n].value);
    }
    return r;
  }
  *profile_out = text;
  return 0;
}
