/* rules.c: prefix-rule files (a strict literal subset of Starlark: prefix_rule, host_executable,
 * network_rule calls with keyword arguments, strings and lists), their load-time examples,
 * and matching a command against them.  What a matching rule means for approval is approval.c's. */
#include "util/quote.h"
#include "rules.h"
#include "util/safe-read.h"
#include "starlark.h"

#include <errno.h>
#include <string.h>

/* ---- The rules ---------------------------------------------------------------- */

typedef struct {
  char *first;         /* the program word (one alternative of the pattern's first element) */
  GPtrArray *rest;     /* char** per further pattern element: its alternatives */
  RfDecision decision; /* allow, prompt or forbidden */
  char *justification; /* or NULL */
  char *source;        /* FILE:LINE:COL */
} Rule;

struct _RfRules {
  GPtrArray *rules;             /* Rule*, in file order */
  GHashTable *host_executables; /* name -> GPtrArray of absolute paths */
};

static void rule_free(gpointer data) {
  Rule *rule = data;
  g_free(rule->first);
  g_ptr_array_unref(rule->rest);
  g_free(rule->justification);
  g_free(rule->source);
  g_free(rule);
}

static void strv_free(gpointer data) {
  g_strfreev(data);
}

RfRules *rf_rules_new(void) {
  RfRules *rules = g_new0(RfRules, 1);
  rules->rules = g_ptr_array_new_with_free_func(rule_free);
  rules->host_executables =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  return rules;
}

void rf_rules_free(RfRules *rules) {
  if (!rules)
    return;
  g_ptr_array_unref(rules->rules);
  g_hash_table_unref(rules->host_executables);
  g_free(rules);
}

guint rf_rules_get_size(const RfRules *rules) {
  return rules->rules->len;
}

gboolean rf_rule_decision_from_string(const char *text, RfDecision *decision) {
  if (g_str_equal(text, "allow"))
    *decision = RF_DECISION_ALLOW;
  else if (g_str_equal(text, "prompt"))
    *decision = RF_DECISION_PROMPT;
  else if (g_str_equal(text, "forbidden"))
    *decision = RF_DECISION_FORBIDDEN;
  else
    return FALSE;
  return TRUE;
}

void rf_rule_match_free(RfRuleMatch *match) {
  if (!match)
    return;
  g_free(match->source);
  g_strfreev(match->prefix);
  g_free(match->justification);
  g_free(match->resolved_program);
  g_free(match);
}

/* ---- Matching ----------------------------------------------------------------- */

static gboolean rule_matches(const Rule *rule, const char *program, const char *const *argv) {
  if (!g_str_equal(rule->first, program))
    return FALSE;
  for (guint i = 0; i < rule->rest->len; i++) {
    const char *word = argv[i + 1];
    if (!word)
      return FALSE;
    gboolean any = FALSE;
    for (char **alt = g_ptr_array_index(rule->rest, i); *alt && !any; alt++)
      any = g_str_equal(*alt, word);
    if (!any)
      return FALSE;
  }
  return TRUE;
}

static RfRuleMatch *match_new(const Rule *rule, const char *const *argv, const char *resolved) {
  RfRuleMatch *match = g_new0(RfRuleMatch, 1);
  match->source = g_strdup(rule->source);
  match->prefix = g_new0(char *, rule->rest->len + 2);
  for (guint i = 0; i <= rule->rest->len; i++)
    match->prefix[i] = g_strdup(argv[i]);
  match->decision = rule->decision;
  match->justification = g_strdup(rule->justification);
  match->resolved_program = g_strdup(resolved);
  return match;
}

/* May |path| stand for its basename under |host_executables|? */
static gboolean basename_fallback_allowed(GHashTable *host_executables, const char *path,
                                          const char *name) {
  GPtrArray *paths = g_hash_table_lookup(host_executables, name);
  if (!paths)
    return TRUE;
  for (guint i = 0; i < paths->len; i++)
    if (g_str_equal(g_ptr_array_index(paths, i), path))
      return TRUE;
  return FALSE;
}

/* Matches in |rule_list| (Rule*), exact program first, then the basename fallback. */
static GPtrArray *match_rules(GPtrArray *rule_list, GHashTable *host_executables,
                              const char *const *argv) {
  GPtrArray *matches = g_ptr_array_new_with_free_func((GDestroyNotify)rf_rule_match_free);
  if (!argv || !argv[0])
    return matches;
  for (guint i = 0; i < rule_list->len; i++) {
    const Rule *rule = g_ptr_array_index(rule_list, i);
    if (rule_matches(rule, argv[0], argv))
      g_ptr_array_add(matches, match_new(rule, argv, NULL));
  }
  if (matches->len || argv[0][0] != '/')
    return matches;
  const char *name = strrchr(argv[0], '/') + 1;
  if (!*name || !basename_fallback_allowed(host_executables, argv[0], name))
    return matches;
  for (guint i = 0; i < rule_list->len; i++) {
    const Rule *rule = g_ptr_array_index(rule_list, i);
    if (rule_matches(rule, name, argv))
      g_ptr_array_add(matches, match_new(rule, argv, argv[0]));
  }
  return matches;
}

GPtrArray *rf_rules_match(const RfRules *rules, const char *const *argv) {
  return match_rules(rules->rules, rules->host_executables, argv);
}

/* ---- Shell-style splitting of string examples ------------------------------------ */

char **rf_shlex_split(const char *text, GError **error) {
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func(g_free);
  const char *p = text;
  while (*p) {
    if (g_ascii_isspace(*p)) {
      p++;
      continue;
    }
    if (*p == '#') { /* a comment runs to the end of the line */
      while (*p && *p != '\n')
        p++;
      continue;
    }
    GString *word = g_string_new(NULL);
    while (*p && !g_ascii_isspace(*p)) {
      if (*p == '\'') {
        const char *end = strchr(p + 1, '\'');
        if (!end) {
          g_string_free(word, TRUE);
          g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "unterminated ' quote");
          return NULL;
        }
        g_string_append_len(word, p + 1, end - p - 1);
        p = end + 1;
      } else if (*p == '"') {
        p++;
        while (*p && *p != '"') {
          if (*p == '\\' && p[1] && strchr("$`\"\\\n", p[1])) {
            if (p[1] != '\n')
              g_string_append_c(word, p[1]);
            p += 2;
          } else {
            g_string_append_c(word, *p++);
          }
        }
        if (*p != '"') {
          g_string_free(word, TRUE);
          g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "unterminated \" quote");
          return NULL;
        }
        p++;
      } else if (*p == '\\') {
        if (!p[1]) {
          g_string_free(word, TRUE);
          g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "trailing backslash");
          return NULL;
        }
        if (p[1] != '\n')
          g_string_append_c(word, p[1]);
        p += 2;
      } else {
        g_string_append_c(word, *p++);
      }
    }
    g_ptr_array_add(words, g_string_free(word, FALSE));
  }
  g_ptr_array_add(words, NULL);
  return (char **)g_ptr_array_free(g_steal_pointer(&words), FALSE);
}

/* ---- Calls, as core/approval/starlark.c evaluates them ------------------------- */

typedef struct {
  const char *name; /* file name for messages */
  GError **error;
} Parser;

static gboolean fail_at(Parser *ps, guint line, guint column, const char *format, ...)
    G_GNUC_PRINTF(4, 5);
static gboolean fail_at(Parser *ps, guint line, guint column, const char *format, ...) {
  va_list args;
  va_start(args, format);
  g_autofree char *message = g_strdup_vprintf(format, args);
  va_end(args);
  g_autofree char *file = rf_path_excerpt(ps->name);
  g_set_error(ps->error, RF_ERROR, RF_ERROR_CONFIG, "%s:%u:%u: %s", file, line, column, message);
  return FALSE;
}

typedef RfSlValue Value;
typedef RfSlArgument Argument;
typedef RfSlCall Call;

static const char *const known_functions[] = {"prefix_rule", "host_executable", "network_rule",
                                              NULL};

/* Each function's parameters in the order positional arguments fill them (the other CLI's). */
static const char *const prefix_rule_parameters[] = {
    "pattern", "decision", "match", "not_match", "justification", "canonical_matching", NULL};
static const char *const host_executable_parameters[] = {"name", "paths", NULL};
static const char *const network_rule_parameters[] = {"host", "protocol", "decision",
                                                      "justification", NULL};

/* Names the positional arguments of |call| after |parameters|; refuses repeated ones. */
static gboolean name_arguments(Parser *ps, Call *call, const char *const *parameters) {
  guint n = g_strv_length((char **)parameters);
  for (guint i = 0; i < call->arguments->len; i++) {
    Argument *arg = g_ptr_array_index(call->arguments, i);
    if (arg->name)
      break;
    if (i >= n) {
      g_autofree char *list = g_strjoinv(", ", (char **)parameters);
      return fail_at(ps, arg->line, arg->column,
                     "%s takes at most %u positional arguments (%s)", call->function, n, list);
    }
    arg->name = g_strdup(parameters[i]);
  }
  for (guint i = 0; i < call->arguments->len; i++) {
    Argument *arg = g_ptr_array_index(call->arguments, i);
    for (guint j = 0; j < i; j++) {
      Argument *other = g_ptr_array_index(call->arguments, j);
      if (g_str_equal(other->name, arg->name)) {
        g_autofree char *name = rf_quote(arg->name, -1);
        return fail_at(ps, arg->line, arg->column,
                       "argument %s given twice to %s (first at line %u)", name, call->function,
                       other->line);
      }
    }
  }
  return TRUE;
}

/* ---- From calls to rules -------------------------------------------------------- */

typedef struct {
  guint line, column; /* where the example is written */
  char **words;       /* the command */
  gboolean must_match;
} Example;

typedef struct {
  GPtrArray *rules;   /* Rule* made by this call (one per first-word alternative) */
  char *pattern_text; /* the pattern as written, for messages */
  guint line, column; /* of the call */
  GArray *examples;   /* Example */
} PendingRule;

static void example_clear(gpointer data) {
  Example *example = data;
  g_strfreev(example->words);
}

static void pending_rule_free(gpointer data) {
  PendingRule *pending = data;
  g_ptr_array_unref(pending->rules);
  g_free(pending->pattern_text);
  g_array_unref(pending->examples);
  g_free(pending);
}

static Argument *find_argument(const Call *call, const char *name) {
  for (guint i = 0; i < call->arguments->len; i++) {
    Argument *arg = g_ptr_array_index(call->arguments, i);
    if (g_str_equal(arg->name, name))
      return arg;
  }
  return NULL;
}

static gboolean check_arguments(Parser *ps, const Call *call, const char *const *allowed,
                                const char *const *required) {
  for (guint i = 0; i < call->arguments->len; i++) {
    Argument *arg = g_ptr_array_index(call->arguments, i);
    if (!g_strv_contains(allowed, arg->name)) {
      g_autofree char *list = g_strjoinv(", ", (char **)allowed);
      g_autofree char *name = rf_quote(arg->name, -1);
      return fail_at(ps, arg->line, arg->column, "%s has no argument %s (it takes %s)",
                     call->function, name, list);
    }
  }
  for (; *required; required++)
    if (!find_argument(call, *required))
      return fail_at(ps, call->line, call->column, "%s needs the argument %s = ...", call->function,
                     *required);
  return TRUE;
}

static const char *article(const char *noun) {
  return strchr("aeiou", noun[0]) ? "an" : "a";
}

static gboolean want_string(Parser *ps, const Call *call, const Argument *arg) {
  if (arg->value->type != RF_SL_STRING)
    return fail_at(ps, arg->line, arg->column, "%s argument '%s' must be a string, not %s %s",
                   call->function, arg->name, article(rf_sl_type_name(arg->value->type)),
                   rf_sl_type_name(arg->value->type));
  return TRUE;
}

static gboolean want_list(Parser *ps, const Call *call, const Argument *arg) {
  if (arg->value->type != RF_SL_LIST)
    return fail_at(ps, arg->line, arg->column, "%s argument '%s' must be a list [...], not %s %s",
                   call->function, arg->name, article(rf_sl_type_name(arg->value->type)),
                   rf_sl_type_name(arg->value->type));
  return TRUE;
}

static void append_quoted(GString *out, const char *s) {
  g_string_append_c(out, '"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      g_string_append_c(out, '\\');
    g_string_append_c(out, *s);
  }
  g_string_append_c(out, '"');
}

static void append_value_text(GString *out, const Value *value) {
  if (value->type != RF_SL_LIST) {
    append_quoted(out, value->type == RF_SL_STRING ? value->string : "?");
    return;
  }
  g_string_append_c(out, '[');
  for (guint i = 0; i < value->items->len; i++) {
    if (i)
      g_string_append(out, ", ");
    append_value_text(out, g_ptr_array_index(value->items, i));
  }
  g_string_append_c(out, ']');
}

/* A pattern element: a string, or a non-empty list of strings (its alternatives). */
static char **pattern_element(Parser *ps, const Value *element) {
  if (element->type == RF_SL_STRING)
    return g_strdupv((char *[]){element->string, NULL});
  if (element->type != RF_SL_LIST) {
    fail_at(ps, element->line, element->column,
            "a pattern element must be a string or a list of strings, not %s %s",
            article(rf_sl_type_name(element->type)), rf_sl_type_name(element->type));
    return NULL;
  }
  if (element->items->len == 0) {
    fail_at(ps, element->line, element->column,
            "a list of alternatives in a pattern cannot be empty");
    return NULL;
  }
  char **alternatives = g_new0(char *, element->items->len + 1);
  for (guint i = 0; i < element->items->len; i++) {
    Value *alt = g_ptr_array_index(element->items, i);
    if (alt->type != RF_SL_STRING) {
      g_strfreev(alternatives);
      fail_at(ps, alt->line, alt->column,
              "a pattern alternative must be a string, not %s %s (alternatives do not nest)",
              article(rf_sl_type_name(alt->type)), rf_sl_type_name(alt->type));
      return NULL;
    }
    alternatives[i] = g_strdup(alt->string);
  }
  return alternatives;
}

static gboolean parse_examples(Parser *ps, const Call *call, const char *name, gboolean must_match,
                               GArray *examples) {
  Argument *arg = find_argument(call, name);
  if (!arg)
    return TRUE;
  if (!want_list(ps, call, arg))
    return FALSE;
  for (guint i = 0; i < arg->value->items->len; i++) {
    Value *item = g_ptr_array_index(arg->value->items, i);
    Example example = {.line = item->line, .column = item->column, .must_match = must_match};
    if (item->type == RF_SL_LIST) {
      example.words = g_new0(char *, item->items->len + 1);
      for (guint j = 0; j < item->items->len; j++) {
        Value *word = g_ptr_array_index(item->items, j);
        if (word->type != RF_SL_STRING) {
          g_strfreev(example.words);
          return fail_at(ps, word->line, word->column,
                         "a %s example is a string or a list of strings", name);
        }
        example.words[j] = g_strdup(word->string);
      }
    } else if (item->type != RF_SL_STRING) {
      return fail_at(ps, item->line, item->column, "a %s example is a string or a list of strings",
                     name);
    } else {
      g_autoptr(GError) split_error = NULL;
      example.words = rf_shlex_split(item->string, &split_error);
      if (!example.words) {
        g_autofree char *shown = rf_quote_with(item->string, -1, '"', RF_QUOTE_MAX_BYTES);
        return fail_at(ps, item->line, item->column, "%s example %s: %s", name, shown,
                       split_error->message);
      }
    }
    if (!example.words[0]) {
      g_strfreev(example.words);
      return fail_at(ps, item->line, item->column, "a %s example cannot be empty", name);
    }
    g_array_append_val(examples, example);
  }
  return TRUE;
}

static PendingRule *make_prefix_rule(Parser *ps, const Call *call) {
  static const char *const required[] = {"pattern", NULL};
  if (!check_arguments(ps, call, prefix_rule_parameters, required))
    return NULL;
  /* canonical_matching: a bool the other CLI takes; matching here is the same either way. */
  Argument *canonical = find_argument(call, "canonical_matching");
  if (canonical && canonical->value->type != RF_SL_BOOL) {
    fail_at(ps, canonical->line, canonical->column,
            "prefix_rule argument 'canonical_matching' must be True or False, not %s %s",
            article(rf_sl_type_name(canonical->value->type)),
            rf_sl_type_name(canonical->value->type));
    return NULL;
  }
  Argument *pattern = find_argument(call, "pattern");
  Argument *decision_arg = find_argument(call, "decision");
  Argument *justification = find_argument(call, "justification");
  if (!want_list(ps, call, pattern))
    return NULL;
  if (pattern->value->items->len == 0) {
    fail_at(ps, pattern->value->line, pattern->value->column, "a pattern cannot be empty");
    return NULL;
  }
  RfDecision decision = RF_DECISION_ALLOW;
  if (decision_arg) {
    if (!want_string(ps, call, decision_arg))
      return NULL;
    if (!rf_rule_decision_from_string(decision_arg->value->string, &decision)) {
      g_autofree char *shown =
          rf_quote_with(decision_arg->value->string, -1, '"', RF_QUOTE_MAX_BYTES);
      fail_at(ps, decision_arg->value->line, decision_arg->value->column,
              "decision %s is not one of \"allow\", \"prompt\", \"forbidden\"", shown);
      return NULL;
    }
  }
  if (justification) {
    if (!want_string(ps, call, justification))
      return NULL;
    g_autofree char *trimmed = g_strstrip(g_strdup(justification->value->string));
    if (!*trimmed) {
      fail_at(ps, justification->value->line, justification->value->column,
              "a justification cannot be empty (drop it, or say why the rule exists)");
      return NULL;
    }
  }

  g_autoptr(GPtrArray) rest = g_ptr_array_new_with_free_func(strv_free);
  g_auto(GStrv) heads = pattern_element(ps, g_ptr_array_index(pattern->value->items, 0));
  if (!heads)
    return NULL;
  for (guint i = 1; i < pattern->value->items->len; i++) {
    char **alternatives = pattern_element(ps, g_ptr_array_index(pattern->value->items, i));
    if (!alternatives)
      return NULL;
    g_ptr_array_add(rest, alternatives);
  }

  PendingRule *pending = g_new0(PendingRule, 1);
  pending->rules = g_ptr_array_new_with_free_func(rule_free);
  pending->line = call->line;
  pending->column = call->column;
  pending->examples = g_array_new(FALSE, TRUE, sizeof(Example));
  g_array_set_clear_func(pending->examples, example_clear);
  GString *text = g_string_new(NULL);
  append_value_text(text, pattern->value);
  pending->pattern_text = g_string_free(text, FALSE);
  for (char **head = heads; *head; head++) {
    Rule *rule = g_new0(Rule, 1);
    rule->first = g_strdup(*head);
    rule->rest = g_ptr_array_new_with_free_func(strv_free);
    for (guint i = 0; i < rest->len; i++)
      g_ptr_array_add(rule->rest, g_strdupv(g_ptr_array_index(rest, i)));
    rule->decision = decision;
    rule->justification = justification ? g_strdup(justification->value->string) : NULL;
    rule->source = g_strdup_printf("%s:%u:%u", ps->name, call->line, call->column);
    g_ptr_array_add(pending->rules, rule);
  }
  if (!parse_examples(ps, call, "match", TRUE, pending->examples) ||
      !parse_examples(ps, call, "not_match", FALSE, pending->examples)) {
    pending_rule_free(pending);
    return NULL;
  }
  return pending;
}

static gboolean make_host_executable(Parser *ps, const Call *call, GHashTable *host_executables) {
  if (!check_arguments(ps, call, host_executable_parameters, host_executable_parameters))
    return FALSE;
  Argument *name = find_argument(call, "name");
  Argument *paths = find_argument(call, "paths");
  if (!want_string(ps, call, name) || !want_list(ps, call, paths))
    return FALSE;
  const char *n = name->value->string;
  g_autofree char *shown_name = rf_quote_with(n, -1, '"', RF_QUOTE_MAX_BYTES);
  if (!*n || strchr(n, '/') || g_str_equal(n, ".") || g_str_equal(n, ".."))
    return fail_at(ps, name->value->line, name->value->column,
                   "host_executable name %s must be a bare program name such as \"git\"",
                   shown_name);
  GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < paths->value->items->len; i++) {
    Value *item = g_ptr_array_index(paths->value->items, i);
    if (item->type != RF_SL_STRING) {
      g_ptr_array_unref(list);
      return fail_at(ps, item->line, item->column, "host_executable paths must be strings");
    }
    g_autofree char *path = g_strdup(item->string);
    if (!g_path_is_absolute(path)) {
      g_ptr_array_unref(list);
      g_autofree char *shown = rf_quote_with(item->string, -1, '"', RF_QUOTE_MAX_PATH_BYTES);
      return fail_at(ps, item->line, item->column,
                     "host_executable path %s must be absolute%s", shown,
                     path[0] == '~' ? " (~ is not expanded: write the home directory out)" : "");
    }
    if (!g_str_equal(strrchr(path, '/') + 1, n)) {
      g_ptr_array_unref(list);
      g_autofree char *shown = rf_quote_with(item->string, -1, '"', RF_QUOTE_MAX_PATH_BYTES);
      return fail_at(ps, item->line, item->column,
                     "host_executable path %s must end in the program name %s", shown, shown_name);
    }
    gboolean seen = FALSE;
    for (guint j = 0; j < list->len && !seen; j++)
      seen = g_str_equal(g_ptr_array_index(list, j), path);
    if (!seen)
      g_ptr_array_add(list, g_steal_pointer(&path));
  }
  g_hash_table_replace(host_executables, g_strdup(n), list);
  return TRUE;
}

/* network_rule(host, protocol, decision, justification) is checked as the other CLI checks it,
 * then ignored: the network is on or off as a whole in ringfence. */
static gboolean check_network_rule(Parser *ps, const Call *call) {
  static const char *const required[] = {"host", "protocol", "decision", NULL};
  if (!check_arguments(ps, call, network_rule_parameters, required))
    return FALSE;
  for (guint i = 0; i < call->arguments->len; i++)
    if (!want_string(ps, call, g_ptr_array_index(call->arguments, i)))
      return FALSE;
  Argument *host = find_argument(call, "host");
  Argument *protocol = find_argument(call, "protocol");
  Argument *decision = find_argument(call, "decision");
  Argument *justification = find_argument(call, "justification");
  g_autofree char *trimmed = g_strstrip(g_strdup(host->value->string));
  g_autofree char *shown = rf_quote_with(host->value->string, -1, '"', RF_QUOTE_MAX_BYTES);
  if (!*trimmed)
    return fail_at(ps, host->line, host->column, "network_rule host cannot be empty");
  for (const char *c = trimmed; *c; c++)
    if (g_ascii_isspace(*c))
      return fail_at(ps, host->line, host->column,
                     "network_rule host %s cannot contain whitespace", shown);
  if (strchr(trimmed, '*'))
    return fail_at(ps, host->line, host->column,
                   "network_rule host %s must be one specific host: wildcards are not allowed",
                   shown);
  if (strpbrk(trimmed, "/?#"))
    return fail_at(ps, host->line, host->column,
                   "network_rule host %s must be a host name or IP address, without a scheme, "
                   "path, query or fragment",
                   shown);
  static const char *const protocols[] = {"http",       "https",      "https_connect",
                                          "http-connect", "socks5_tcp", "socks5_udp", NULL};
  if (!g_strv_contains(protocols, protocol->value->string)) {
    g_autofree char *p = rf_quote_with(protocol->value->string, -1, '"', RF_QUOTE_MAX_BYTES);
    return fail_at(ps, protocol->line, protocol->column,
                   "network_rule protocol %s is not one of \"http\", \"https\", "
                   "\"socks5_tcp\", \"socks5_udp\"",
                   p);
  }
  static const char *const decisions[] = {"allow", "prompt", "forbidden", "deny", NULL};
  if (!g_strv_contains(decisions, decision->value->string)) {
    g_autofree char *d = rf_quote_with(decision->value->string, -1, '"', RF_QUOTE_MAX_BYTES);
    return fail_at(ps, decision->line, decision->column,
                   "network_rule decision %s is not one of \"allow\", \"prompt\", "
                   "\"forbidden\", \"deny\"",
                   d);
  }
  if (justification) {
    g_autofree char *j = g_strstrip(g_strdup(justification->value->string));
    if (!*j)
      return fail_at(ps, justification->line, justification->column,
                     "a justification cannot be empty (drop it, or say why the rule exists)");
  }
  return TRUE;
}

static char *words_text(char **words) {
  GString *out = g_string_new(NULL);
  for (char **w = words; *w; w++) {
    if (w != words)
      g_string_append_c(out, ' ');
    g_autofree char *quoted = g_shell_quote(*w);
    gboolean plain = TRUE;
    for (const char *c = *w; *c && plain; c++)
      plain = g_ascii_isalnum(*c) || strchr("-_./=:,+@%", *c);
    g_string_append(out, plain && **w ? *w : quoted);
  }
  return g_string_free(out, FALSE);
}

/* Checks the examples of |pending| against its own rules. */
static gboolean check_examples(Parser *ps, PendingRule *pending, GHashTable *host_executables) {
  for (guint i = 0; i < pending->examples->len; i++) {
    Example *example = &g_array_index(pending->examples, Example, i);
    g_autoptr(GPtrArray) matches =
        match_rules(pending->rules, host_executables, (const char *const *)example->words);
    gboolean matched = matches->len > 0;
    if (matched != example->must_match) {
      g_autofree char *command = words_text(example->words);
      return fail_at(ps, example->line, example->column,
                     "%s example `%s` %s prefix_rule(pattern = %s) at line %u; fix the example "
                     "or the pattern",
                     example->must_match ? "match" : "not_match", command,
                     example->must_match ? "does not match" : "matches", pending->pattern_text,
                     pending->line);
    }
  }
  return TRUE;
}

static void host_executables_copy(gpointer key, gpointer value, gpointer user_data) {
  GPtrArray *paths = value;
  GPtrArray *copy = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < paths->len; i++)
    g_ptr_array_add(copy, g_strdup(g_ptr_array_index(paths, i)));
  g_hash_table_replace(user_data, g_strdup(key), copy);
}

gboolean rf_rules_load_data(RfRules *rules, const char *name, const char *data, gssize length,
                            GError **error) {
  size_t len = length < 0 ? strlen(data) : (size_t)length;
  const char *bad = NULL;
  if (!g_utf8_validate_len(data, len, &bad)) {
    guint line = 1, column = 1;
    for (const char *p = data; p < bad; p++) {
      if (*p == '\n') {
        line++;
        column = 1;
      } else if (((unsigned char)*p & 0xC0) != 0x80) {
        column++;
      }
    }
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s:%u:%u: the file is not valid UTF-8 text",
                name, line, column);
    return FALSE;
  }
  if (memchr(data, '\0', len)) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s: the file contains a NUL byte", name);
    return FALSE;
  }
  Parser ps = {.name = name, .error = error};
  g_autoptr(GPtrArray) calls = rf_starlark_eval(name, data, len, known_functions, error);
  if (!calls)
    return FALSE;
  /* Everything goes into scratch space first: a refused file changes nothing. */
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func(pending_rule_free);
  g_autoptr(GHashTable) host_executables =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  g_hash_table_foreach(rules->host_executables, host_executables_copy, host_executables);
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < calls->len; i++) {
    Call *call = g_ptr_array_index(calls, i);
    if (g_str_equal(call->function, "prefix_rule")) {
      ok = name_arguments(&ps, call, prefix_rule_parameters);
      PendingRule *rule = ok ? make_prefix_rule(&ps, call) : NULL;
      if (rule)
        g_ptr_array_add(pending, rule);
      else
        ok = FALSE;
    } else if (g_str_equal(call->function, "host_executable")) {
      ok = name_arguments(&ps, call, host_executable_parameters) &&
           make_host_executable(&ps, call, host_executables);
    } else {
      ok = name_arguments(&ps, call, network_rule_parameters) && check_network_rule(&ps, call);
    }
  }
  /* Examples are checked once the whole file is known (host_executable may come later). */
  for (guint i = 0; ok && i < pending->len; i++)
    ok = check_examples(&ps, g_ptr_array_index(pending, i), host_executables);
  if (!ok)
    return FALSE;
  for (guint i = 0; i < pending->len; i++) {
    PendingRule *rule = g_ptr_array_index(pending, i);
    for (guint j = 0; j < rule->rules->len; j++)
      g_ptr_array_add(rules->rules, g_ptr_array_steal_index(rule->rules, j--));
  }
  g_hash_table_remove_all(rules->host_executables);
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init(&iter, host_executables);
  while (g_hash_table_iter_next(&iter, &key, &value)) {
    g_hash_table_iter_steal(&iter);
    g_hash_table_replace(rules->host_executables, key, value);
  }
  return TRUE;
}

gboolean rf_rules_load_file(RfRules *rules, const char *path, GError **error) {
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) read_error = NULL;
  /* Regular files only, bounded: see safe-read.h. */
  int rc = rf_safe_read_file(path, "rules file", RF_READ_MAX_USER_FILE, RF_READ_FOLLOW,
                             &contents, &length, &read_error);
  if (rc < 0) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "%s%s", read_error->message,
                rc == -EINVAL || rc == -EFBIG
                    ? " (write the rules to a regular file and name that)"
                    : "");
    return FALSE;
  }
  return rf_rules_load_data(rules, path, contents, (gssize)length, error);
}
