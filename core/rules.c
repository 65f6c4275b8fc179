/* rules.c: prefix-rule files (a strict literal subset of Starlark: prefix_rule, host_executable,
 * network_rule calls with keyword arguments, strings and lists), their load-time examples,
 * and matching a command against them.  What a matching rule means for approval is approval.c's. */
#include "quote.h"
#include "rules.h"
#include "safe-read.h"

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

/* ---- The Starlark subset: lexer ------------------------------------------------- */

typedef enum {
  TOK_EOF,
  TOK_NEWLINE,
  TOK_IDENT,
  TOK_STRING,
  TOK_LPAREN,
  TOK_RPAREN,
  TOK_LBRACKET,
  TOK_RBRACKET,
  TOK_COMMA,
  TOK_EQUALS,
} TokenType;

typedef struct {
  TokenType type;
  char *text; /* identifier or the decoded string */
  guint line, column;
} Token;

typedef struct {
  const char *name; /* file name for messages */
  const char *p, *end;
  guint line, column;
  int depth; /* open ( and [: newlines inside are insignificant */
  gboolean at_line_start;
  Token token; /* the current token */
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

/* Advances one byte, keeping line and column (columns count characters). */
static void advance(Parser *ps) {
  if (*ps->p == '\n') {
    ps->line++;
    ps->column = 1;
  } else if (((unsigned char)*ps->p & 0xC0) != 0x80) {
    ps->column++;
  }
  ps->p++;
  /* A continuation byte belongs to the character already counted. */
  while (ps->p < ps->end && ((unsigned char)*ps->p & 0xC0) == 0x80)
    ps->p++;
}

static gboolean hex_value(const char *p, const char *end, int digits, gunichar *out) {
  gunichar value = 0;
  if (end - p < digits)
    return FALSE;
  for (int i = 0; i < digits; i++) {
    if (!g_ascii_isxdigit(p[i]))
      return FALSE;
    value = value * 16 + g_ascii_xdigit_value(p[i]);
  }
  *out = value;
  return TRUE;
}

/* A string literal: '...', "...", '''...''', """...""", with an optional r prefix. */
static gboolean lex_string(Parser *ps, gboolean raw) {
  guint line = ps->line, column = ps->column;
  if (raw)
    advance(ps);
  char quote = *ps->p;
  gboolean triple = ps->end - ps->p >= 3 && ps->p[1] == quote && ps->p[2] == quote;
  for (int i = 0; i < (triple ? 3 : 1); i++)
    advance(ps);
  GString *out = g_string_new(NULL);
  for (;;) {
    if (ps->p >= ps->end || (!triple && *ps->p == '\n')) {
      g_string_free(out, TRUE);
      return fail_at(ps, line, column, "unterminated string (close it with %s)",
                     triple ? (quote == '"' ? "\"\"\"" : "'''") : (quote == '"' ? "\"" : "'"));
    }
    if (*ps->p == quote &&
        (!triple || (ps->end - ps->p >= 3 && ps->p[1] == quote && ps->p[2] == quote))) {
      for (int i = 0; i < (triple ? 3 : 1); i++)
        advance(ps);
      break;
    }
    if (*ps->p == '\\' && !raw) {
      guint eline = ps->line, ecolumn = ps->column;
      char c = ps->p + 1 < ps->end ? ps->p[1] : '\0';
      gunichar code = 0;
      int skip = 2;
      switch (c) {
      case 'n':
        code = '\n';
        break;
      case 't':
        code = '\t';
        break;
      case 'r':
        code = '\r';
        break;
      case 'a':
        code = '\a';
        break;
      case 'b':
        code = '\b';
        break;
      case 'f':
        code = '\f';
        break;
      case 'v':
        code = '\v';
        break;
      case '\\':
        code = '\\';
        break;
      case '\'':
        code = '\'';
        break;
      case '"':
        code = '"';
        break;
      case '\n':
        code = 0;
        break; /* line continuation */
      case 'x':
        if (!hex_value(ps->p + 2, ps->end, 2, &code))
          goto bad_escape;
        skip = 4;
        break;
      case 'u':
        if (!hex_value(ps->p + 2, ps->end, 4, &code))
          goto bad_escape;
        skip = 6;
        break;
      case 'U':
        if (!hex_value(ps->p + 2, ps->end, 8, &code))
          goto bad_escape;
        skip = 10;
        break;
      default:
        if (c >= '0' && c <= '7') {
          skip = 1;
          while (skip < 4 && ps->p + skip < ps->end && ps->p[skip] >= '0' && ps->p[skip] <= '7')
            code = code * 8 + (gunichar)(ps->p[skip++] - '0');
          break;
        }
        goto bad_escape;
      }
      if (c != '\n' && (code == 0 || !g_unichar_validate(code))) {
        g_string_free(out, TRUE);
        return fail_at(ps, eline, ecolumn,
                       "this escape makes a NUL or invalid character, which "
                       "a command word cannot hold");
      }
      if (c != '\n')
        g_string_append_unichar(out, code);
      for (int i = 0; i < skip; i++)
        advance(ps);
      continue;
    bad_escape:
      g_string_free(out, TRUE);
      return fail_at(ps, eline, ecolumn,
                     "invalid escape sequence \\%c (use \\\\ for a backslash, or an r\"...\" "
                     "string)",
                     c ? c : ' ');
    }
    const char *start = ps->p;
    advance(ps);
    g_string_append_len(out, start, ps->p - start);
  }
  ps->token = (Token){
      .type = TOK_STRING, .text = g_string_free(out, FALSE), .line = line, .column = column};
  return TRUE;
}

/* Reads the next token into ps->token. */
static gboolean next_token(Parser *ps) {
  g_clear_pointer(&ps->token.text, g_free);
  for (;;) {
    if (ps->p >= ps->end) {
      ps->token = (Token){.type = TOK_EOF, .line = ps->line, .column = ps->column};
      if (ps->depth > 0)
        return fail_at(ps, ps->line, ps->column,
                       "unexpected end of file: a ( or [ is not "
                       "closed");
      return TRUE;
    }
    char c = *ps->p;
    if (c == ' ' || c == '\t' || c == '\r') {
      if (ps->at_line_start && ps->depth == 0) {
        /* Indentation is only allowed on blank or comment lines. */
        const char *q = ps->p;
        while (q < ps->end && (*q == ' ' || *q == '\t' || *q == '\r'))
          q++;
        if (q < ps->end && *q != '\n' && *q != '#')
          return fail_at(ps, ps->line, ps->column + (guint)(q - ps->p),
                         "unexpected indentation: a statement starts in column 1");
      }
      advance(ps);
      continue;
    }
    if (c == '#') {
      while (ps->p < ps->end && *ps->p != '\n')
        advance(ps);
      continue;
    }
    if (c == '\\' && ps->p + 1 < ps->end && ps->p[1] == '\n') {
      advance(ps);
      advance(ps);
      continue;
    }
    if (c == '\n') {
      guint line = ps->line, column = ps->column;
      advance(ps);
      if (ps->depth > 0 || ps->at_line_start)
        continue;
      ps->at_line_start = TRUE;
      ps->token = (Token){.type = TOK_NEWLINE, .line = line, .column = column};
      return TRUE;
    }
    ps->at_line_start = FALSE;
    guint line = ps->line, column = ps->column;
    if (c == '"' || c == '\'')
      return lex_string(ps, FALSE);
    if ((c == 'r' || c == 'R') && ps->p + 1 < ps->end && (ps->p[1] == '"' || ps->p[1] == '\''))
      return lex_string(ps, TRUE);
    if (g_ascii_isalpha(c) || c == '_') {
      const char *start = ps->p;
      while (ps->p < ps->end && (g_ascii_isalnum(*ps->p) || *ps->p == '_'))
        advance(ps);
      ps->token = (Token){.type = TOK_IDENT,
                          .text = g_strndup(start, ps->p - start),
                          .line = line,
                          .column = column};
      return TRUE;
    }
    TokenType type;
    switch (c) {
    case '(':
      type = TOK_LPAREN;
      ps->depth++;
      break;
    case '[':
      type = TOK_LBRACKET;
      ps->depth++;
      break;
    case ')':
      type = TOK_RPAREN;
      ps->depth--;
      break;
    case ']':
      type = TOK_RBRACKET;
      ps->depth--;
      break;
    case ',':
      type = TOK_COMMA;
      break;
    case '=':
      type = TOK_EQUALS;
      break;
    default: {
      g_autofree char *shown = g_utf8_make_valid(ps->p, MIN(4, ps->end - ps->p));
      gunichar ch = g_utf8_get_char(shown);
      char buf[8] = {0};
      g_unichar_to_utf8(ch, buf);
      return fail_at(ps, line, column,
                     "unexpected '%s': a rules file holds only calls such as prefix_rule(...) "
                     "with string and list arguments",
                     buf);
    }
    }
    if (ps->depth < 0)
      return fail_at(ps, line, column, "unexpected '%c': nothing to close", c);
    advance(ps);
    ps->token = (Token){.type = type, .line = line, .column = column};
    return TRUE;
  }
}

/* ---- The Starlark subset: values and calls -------------------------------------- */

typedef struct Value Value;
struct Value {
  gboolean is_list;
  char *string;     /* when !is_list */
  GPtrArray *items; /* Value*, when is_list */
  guint line, column;
};

static void value_free(gpointer data) {
  Value *value = data;
  if (!value)
    return;
  g_free(value->string);
  if (value->items)
    g_ptr_array_unref(value->items);
  g_free(value);
}

static const char *token_description(const Token *token) {
  switch (token->type) {
  case TOK_EOF:
    return "the end of the file";
  case TOK_NEWLINE:
    return "the end of the line";
  case TOK_IDENT:
    return "a name";
  case TOK_STRING:
    return "a string";
  case TOK_LPAREN:
    return "'('";
  case TOK_RPAREN:
    return "')'";
  case TOK_LBRACKET:
    return "'['";
  case TOK_RBRACKET:
    return "']'";
  case TOK_COMMA:
    return "','";
  case TOK_EQUALS:
    return "'='";
  }
  return "?";
}

static Value *parse_value(Parser *ps) {
  Token *t = &ps->token;
  if (t->type == TOK_STRING) {
    Value *value = g_new0(Value, 1);
    value->string = g_steal_pointer(&t->text);
    value->line = t->line;
    value->column = t->column;
    return next_token(ps) ? value : (value_free(value), NULL);
  }
  if (t->type == TOK_LBRACKET) {
    Value *list = g_new0(Value, 1);
    list->is_list = TRUE;
    list->items = g_ptr_array_new_with_free_func(value_free);
    list->line = t->line;
    list->column = t->column;
    if (!next_token(ps))
      goto fail;
    while (t->type != TOK_RBRACKET) {
      Value *item = parse_value(ps);
      if (!item)
        goto fail;
      g_ptr_array_add(list->items, item);
      if (t->type == TOK_COMMA) {
        if (!next_token(ps))
          goto fail;
      } else if (t->type != TOK_RBRACKET) {
        fail_at(ps, t->line, t->column, "expected ',' or ']' in the list, found %s",
                token_description(t));
        goto fail;
      }
    }
    if (!next_token(ps))
      goto fail;
    return list;
  fail:
    value_free(list);
    return NULL;
  }
  g_autofree char *ident = t->type == TOK_IDENT ? rf_quote(t->text, -1) : NULL;
  if (t->type == TOK_IDENT)
    fail_at(ps, t->line, t->column,
            "%s is not accepted here: only string literals (\"...\") and lists ([...]) are; "
            "rules files have no variables, numbers or booleans",
            ident);
  else
    fail_at(ps, t->line, t->column, "expected a string or a list, found %s", token_description(t));
  return NULL;
}

typedef struct {
  char *name;
  Value *value;
  guint line, column; /* of the keyword */
} Argument;

static void argument_free(gpointer data) {
  Argument *arg = data;
  g_free(arg->name);
  value_free(arg->value);
  g_free(arg);
}

typedef struct {
  char *function;
  guint line, column;
  GPtrArray *arguments; /* Argument* */
} Call;

static void call_free(Call *call) {
  g_free(call->function);
  if (call->arguments)
    g_ptr_array_unref(call->arguments);
}

static const char *const known_functions[] = {"prefix_rule", "host_executable", "network_rule",
                                              NULL};

static gboolean parse_call(Parser *ps, Call *call) {
  Token *t = &ps->token;
  if (t->type != TOK_IDENT)
    return fail_at(ps, t->line, t->column, "expected a call such as prefix_rule(...), found %s",
                   token_description(t));
  call->function = g_steal_pointer(&t->text);
  call->line = t->line;
  call->column = t->column;
  call->arguments = g_ptr_array_new_with_free_func(argument_free);
  if (!next_token(ps))
    return FALSE;
  if (t->type == TOK_EQUALS)
    return fail_at(ps, call->line, call->column,
                   "assignments such as '%s = ...' are not supported: a rules file holds only "
                   "prefix_rule(...), host_executable(...) and network_rule(...) calls",
                   call->function);
  if (!g_strv_contains(known_functions, call->function)) {
    g_autofree char *function = rf_quote(call->function, -1);
    return fail_at(ps, call->line, call->column,
                   "unknown function %s: a rules file may call only prefix_rule, "
                   "host_executable and network_rule",
                   function);
  }
  if (t->type != TOK_LPAREN)
    return fail_at(ps, t->line, t->column, "expected '(' after %s, found %s", call->function,
                   token_description(t));
  if (!next_token(ps))
    return FALSE;
  while (t->type != TOK_RPAREN) {
    if (t->type != TOK_IDENT)
      return fail_at(ps, t->line, t->column,
                     "expected a keyword argument (name = value), found %s%s", token_description(t),
                     t->type == TOK_STRING || t->type == TOK_LBRACKET
                         ? ": arguments must be named, as in prefix_rule(pattern = [...])"
                         : "");
    Argument *arg = g_new0(Argument, 1);
    arg->name = g_steal_pointer(&t->text);
    arg->line = t->line;
    arg->column = t->column;
    g_ptr_array_add(call->arguments, arg);
    for (guint i = 0; i + 1 < call->arguments->len; i++) {
      Argument *other = g_ptr_array_index(call->arguments, i);
      if (g_str_equal(other->name, arg->name)) {
        g_autofree char *name = rf_quote(arg->name, -1);
        return fail_at(ps, arg->line, arg->column, "argument %s given twice to %s (first at line %u)",
                       name, call->function, other->line);
      }
    }
    if (!next_token(ps))
      return FALSE;
    if (t->type != TOK_EQUALS) {
      g_autofree char *name = rf_quote(arg->name, -1);
      return fail_at(ps, t->line, t->column, "expected '=' after %s, found %s", name,
                     token_description(t));
    }
    if (!next_token(ps))
      return FALSE;
    arg->value = parse_value(ps);
    if (!arg->value)
      return FALSE;
    if (t->type == TOK_COMMA) {
      if (!next_token(ps))
        return FALSE;
    } else if (t->type != TOK_RPAREN) {
      return fail_at(ps, t->line, t->column, "expected ',' or ')' in the call to %s, found %s",
                     call->function, token_description(t));
    }
  }
  if (!next_token(ps))
    return FALSE;
  if (t->type != TOK_NEWLINE && t->type != TOK_EOF)
    return fail_at(ps, t->line, t->column,
                   "expected the end of the line after the call to %s, found %s", call->function,
                   token_description(t));
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

static gboolean want_string(Parser *ps, const Call *call, const Argument *arg) {
  if (arg->value->is_list)
    return fail_at(ps, arg->value->line, arg->value->column,
                   "%s argument '%s' must be a string, not a list", call->function, arg->name);
  return TRUE;
}

static gboolean want_list(Parser *ps, const Call *call, const Argument *arg) {
  if (!arg->value->is_list)
    return fail_at(ps, arg->value->line, arg->value->column,
                   "%s argument '%s' must be a list [...], not a string", call->function,
                   arg->name);
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
  if (!value->is_list) {
    append_quoted(out, value->string);
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
  if (!element->is_list)
    return g_strdupv((char *[]){element->string, NULL});
  if (element->items->len == 0) {
    fail_at(ps, element->line, element->column,
            "a list of alternatives in a pattern cannot be empty");
    return NULL;
  }
  char **alternatives = g_new0(char *, element->items->len + 1);
  for (guint i = 0; i < element->items->len; i++) {
    Value *alt = g_ptr_array_index(element->items, i);
    if (alt->is_list) {
      g_strfreev(alternatives);
      fail_at(ps, alt->line, alt->column,
              "a pattern alternative must be a string (alternatives do not nest)");
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
    if (item->is_list) {
      example.words = g_new0(char *, item->items->len + 1);
      for (guint j = 0; j < item->items->len; j++) {
        Value *word = g_ptr_array_index(item->items, j);
        if (word->is_list) {
          g_strfreev(example.words);
          return fail_at(ps, word->line, word->column,
                         "a %s example is a string or a list of strings", name);
        }
        example.words[j] = g_strdup(word->string);
      }
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
  static const char *const allowed[] = {"pattern", "decision",  "justification",
                                        "match",   "not_match", NULL};
  static const char *const required[] = {"pattern", NULL};
  if (!check_arguments(ps, call, allowed, required))
    return NULL;
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

static char *expand_home(const char *path) {
  if (g_str_has_prefix(path, "~/"))
    return g_build_filename(g_get_home_dir(), path + 2, NULL);
  return g_strdup(path);
}

static gboolean make_host_executable(Parser *ps, const Call *call, GHashTable *host_executables) {
  static const char *const allowed[] = {"name", "paths", NULL};
  if (!check_arguments(ps, call, allowed, allowed))
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
    if (item->is_list) {
      g_ptr_array_unref(list);
      return fail_at(ps, item->line, item->column, "host_executable paths must be strings");
    }
    g_autofree char *path = expand_home(item->string);
    if (!g_path_is_absolute(path)) {
      g_ptr_array_unref(list);
      g_autofree char *shown = rf_quote_with(item->string, -1, '"', RF_QUOTE_MAX_PATH_BYTES);
      return fail_at(ps, item->line, item->column,
                     "host_executable path %s must be absolute or start with ~/", shown);
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

/* network_rule(host=, protocol=, decision=, justification=) is checked and ignored: the
 * network is on or off as a whole in ringfence. */
static gboolean check_network_rule(Parser *ps, const Call *call) {
  static const char *const allowed[] = {"host", "protocol", "decision", "justification", NULL};
  static const char *const required[] = {"host", "protocol", "decision", NULL};
  if (!check_arguments(ps, call, allowed, required))
    return FALSE;
  for (guint i = 0; i < call->arguments->len; i++)
    if (!want_string(ps, call, g_ptr_array_index(call->arguments, i)))
      return FALSE;
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
  Parser ps = {.name = name,
               .p = data,
               .end = data + len,
               .line = 1,
               .column = 1,
               .at_line_start = TRUE,
               .error = error};
  /* Everything goes into scratch space first: a refused file changes nothing. */
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func(pending_rule_free);
  g_autoptr(GHashTable) host_executables =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  g_hash_table_foreach(rules->host_executables, host_executables_copy, host_executables);
  gboolean ok = next_token(&ps);
  while (ok && ps.token.type != TOK_EOF) {
    if (ps.token.type == TOK_NEWLINE) {
      ok = next_token(&ps);
      continue;
    }
    Call call = {0};
    ok = parse_call(&ps, &call);
    if (ok) {
      if (g_str_equal(call.function, "prefix_rule")) {
        PendingRule *rule = make_prefix_rule(&ps, &call);
        if (rule)
          g_ptr_array_add(pending, rule);
        else
          ok = FALSE;
      } else if (g_str_equal(call.function, "host_executable")) {
        ok = make_host_executable(&ps, &call, host_executables);
      } else {
        ok = check_network_rule(&ps, &call);
      }
    }
    call_free(&call);
  }
  g_clear_pointer(&ps.token.text, g_free);
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
