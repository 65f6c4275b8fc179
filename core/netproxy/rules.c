/* rules.c: the allow and deny lists: host name normalisation and pattern matching (see rules.h). */
#include "rules.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#define NP_HOST_MAX 253

typedef enum { PAT_EXACT, PAT_SUBDOMAINS, PAT_APEX_AND_SUBDOMAINS, PAT_ANY, PAT_CIDR } pattern_kind;

typedef struct {
  pattern_kind kind;
  char *name; /* normalised; for SUBDOMAINS / APEX the part after "*." / "**." */
  np_cidr cidr;
  char *text; /* as given, for the log */
} pattern;

struct np_rules {
  GArray *allow; /* of pattern */
  GArray *deny;
};

static void pattern_clear(gpointer p) {
  pattern *pat = p;
  g_free(pat->name);
  g_free(pat->text);
}

np_rules *np_rules_new(void) {
  np_rules *r = g_new0(np_rules, 1);
  r->allow = g_array_new(FALSE, TRUE, sizeof(pattern));
  r->deny = g_array_new(FALSE, TRUE, sizeof(pattern));
  g_array_set_clear_func(r->allow, pattern_clear);
  g_array_set_clear_func(r->deny, pattern_clear);
  return r;
}

void np_rules_free(np_rules *rules) {
  if (!rules)
    return;
  g_array_unref(rules->allow);
  g_array_unref(rules->deny);
  g_free(rules);
}

static bool valid_ascii_name(const char *s) {
  size_t len = strlen(s), label = 0;
  if (len == 0 || len > NP_HOST_MAX)
    return false;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == '-' && (label == 0 || i + 1 == len || s[i + 1] == '.'))
      return false; /* no label starts or ends with a hyphen */
    if (c == '.') {
      if (label == 0)
        return false;
      label = 0;
      continue;
    }
    if (!(g_ascii_isalnum(c) || c == '-' || c == '_'))
      return false;
    if (++label > 63)
      return false;
  }
  return label > 0;
}

int np_host_normalize(const char *in, size_t len, char *out, size_t outlen) {
  if (len == 0 || len > 1024 || memchr(in, '\0', len))
    return -EINVAL;
  np_addr addr;
  if (np_addr_parse(in, len, &addr) == 0) {
    char buf[64];
    np_addr_format(&addr, buf, sizeof(buf));
    if (strlen(buf) >= outlen)
      return -EINVAL;
    strcpy(out, buf);
    return 0;
  }
  g_autofree char *copy = g_strndup(in, len);
  size_t n = strlen(copy);
  if (n > 1 && copy[n - 1] == '.')
    copy[n - 1] = '\0';
  if (!g_utf8_validate(copy, -1, NULL))
    return -EINVAL;
  g_autofree char *ascii = g_hostname_to_ascii(copy);
  if (!ascii)
    return -EINVAL;
  g_autofree char *lower = g_ascii_strdown(ascii, -1);
  /* A name that looks numeric but is no address ("1.2.3", "0x7f.1") would be read
   * as one by some resolvers: refuse it rather than guess. */
  const char *last_dot = strrchr(lower, '.');
  const char *tld = last_dot ? last_dot + 1 : lower;
  if (g_ascii_isdigit(tld[0]) || !valid_ascii_name(lower))
    return -EINVAL;
  if (strlen(lower) >= outlen)
    return -EINVAL;
  strcpy(out, lower);
  return 0;
}

int np_rules_add(np_rules *rules, bool deny, const char *text, char *err, size_t errlen) {
  const char *opt = deny ? "--deny-domain" : "--allow-domain";
  pattern pat = {0};
  char norm[NP_HOST_MAX + 1];
  if (strcmp(text, "*") == 0) {
    pat.kind = PAT_ANY;
  } else if (np_cidr_parse(text, &pat.cidr) == 0) {
    pat.kind = PAT_CIDR;
  } else {
    const char *name = text;
    pat.kind = PAT_EXACT;
    if (g_str_has_prefix(text, "**.")) {
      pat.kind = PAT_APEX_AND_SUBDOMAINS;
      name = text + 3;
    } else if (g_str_has_prefix(text, "*.")) {
      pat.kind = PAT_SUBDOMAINS;
      name = text + 2;
    }
    if (strchr(name, '*') || np_host_normalize(name, strlen(name), norm, sizeof(norm)) < 0 ||
        np_addr_parse(norm, strlen(norm), &pat.cidr.net) == 0) {
      snprintf(err, errlen,
               "%s %s: not a host name, *.NAME, **.NAME, *, an IP address or a network ADDRESS/PREFIX", opt,
               text);
      return -EINVAL;
    }
    pat.name = g_strdup(norm);
  }
  pat.text = g_strdup(text);
  g_array_append_val(deny ? rules->deny : rules->allow, pat);
  return 0;
}

static bool name_matches(const pattern *pat, const char *host) {
  size_t hl = strlen(host), nl;
  switch (pat->kind) {
  case PAT_ANY:
    return true;
  case PAT_EXACT:
    return strcmp(host, pat->name) == 0;
  case PAT_APEX_AND_SUBDOMAINS:
    if (strcmp(host, pat->name) == 0)
      return true;
    /* fall through */
  case PAT_SUBDOMAINS:
    nl = strlen(pat->name);
    return hl > nl + 1 && host[hl - nl - 1] == '.' && strcmp(host + hl - nl, pat->name) == 0;
  case PAT_CIDR:
    return false;
  }
  return false;
}

static const pattern *find(GArray *list, const char *host, const np_addr *addr) {
  for (guint i = 0; i < list->len; i++) {
    const pattern *pat = &g_array_index(list, pattern, i);
    if (addr ? (pat->kind == PAT_CIDR && np_cidr_contains(&pat->cidr, addr)) : name_matches(pat, host))
      return pat;
  }
  return NULL;
}

static np_match decide(const np_rules *rules, const char *host, const np_addr *addr, char *rule, size_t rulelen) {
  const pattern *pat = find(rules->deny, host, addr);
  if (pat) {
    snprintf(rule, rulelen, "deny-domain:%s", pat->text);
    return NP_MATCH_DENY;
  }
  pat = find(rules->allow, host, addr);
  if (pat) {
    snprintf(rule, rulelen, "allow-domain:%s", pat->text);
    return NP_MATCH_ALLOW;
  }
  snprintf(rule, rulelen, "not-allowlisted");
  return NP_MATCH_NONE;
}

np_match np_rules_match_host(const np_rules *rules, const char *host, char *rule, size_t rulelen) {
  np_addr addr;
  if (np_addr_parse(host, strlen(host), &addr) == 0)
    return decide(rules, NULL, &addr, rule, rulelen);
  return decide(rules, host, NULL, rule, rulelen);
}

np_match np_rules_match_addr(const np_rules *rules, const np_addr *addr, char *rule, size_t rulelen) {
  return decide(rules, NULL, addr, rule, rulelen);
}
