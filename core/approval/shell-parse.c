/* shell-parse.c: a recursive-descent parser for the POSIX shell language (with the bash
 * extensions agents write) that lists every simple command of a script: in lists, pipelines,
 * subshells, { } groups, loops, conditionals, case branches, function bodies, command and
 * process substitutions (also inside double quotes, assignments, redirections and unquoted
 * here-documents).  It expands nothing: a word whose value is only known when the script runs
 * is kept as its source text and flagged.  Whatever it does not understand completely marks
 * the script "not understood"; a syntax error or a bound also marks it incomplete.  What the
 * commands mean (wrappers, nested shells, rules) is command-expand.c's business. */
#include "shell-parse.h"

#include <string.h>

typedef enum { T_EOF, T_NEWLINE, T_OP, T_WORD } TokType;

typedef struct {
  TokType type;
  char op[4];      /* T_OP: ";", "&&", "<<-", "((" ... (a redirection's fd number left out) */
  gboolean redir;  /* T_OP: a redirection operator */
  gboolean stdin;  /* T_OP: a redirection of fd 0 (no number, 0, or an input operator) */
  GString *lit;    /* T_WORD: the value, quotes removed (meaningless when unknown) */
  gboolean unknown; /* T_WORD: has an expansion or a glob */
  gboolean quoted; /* T_WORD: has quoting */
  gsize start, end; /* T_WORD: source range */
} Tok;

typedef struct {
  RfShellCommand *command; /* NULL for a compound command's redirection */
  char *delimiter;
  gboolean strip_tabs; /* <<- */
  gboolean quoted;     /* the delimiter was quoted: the body is literal */
} Heredoc;

typedef struct {
  const char *s;
  gsize len, pos;
  guint depth;
  RfShellScript *out;
  GPtrArray *heredocs; /* Heredoc*, waiting for the end of the current line */
  gboolean failed;     /* a syntax error or a bound: unwinding */
  gboolean have;       /* |tok| holds the next token */
  Tok tok;
} P;

static void heredoc_free(gpointer data) {
  Heredoc *h = data;
  g_free(h->delimiter);
  g_free(h);
}

static void command_free(gpointer data) {
  RfShellCommand *c = data;
  g_strfreev(c->argv);
  g_free(c->word_unknown);
  g_free(c->stdin_text);
  g_free(c);
}

void rf_shell_script_free(RfShellScript *script) {
  if (!script)
    return;
  g_ptr_array_unref(script->commands);
  g_free(script->why);
  g_free(script);
}

static void not_understood(P *p, const char *format, ...) G_GNUC_PRINTF(2, 3);
static void not_understood(P *p, const char *format, ...) {
  p->out->understood = FALSE;
  if (p->out->why)
    return;
  va_list args;
  va_start(args, format);
  p->out->why = g_strdup_vprintf(format, args);
  va_end(args);
}

/* A syntax error or a bound: the rest of the script is not looked at. */
static void fail(P *p, const char *format, ...) G_GNUC_PRINTF(2, 3);
static void fail(P *p, const char *format, ...) {
  p->failed = TRUE;
  p->out->complete = FALSE;
  p->out->understood = FALSE;
  if (p->out->why)
    return;
  va_list args;
  va_start(args, format);
  g_autofree char *what = g_strdup_vprintf(format, args);
  va_end(args);
  p->out->why = g_strdup_printf("%s (at byte %zu)", what, p->pos);
}

static gboolean enter(P *p) {
  if (p->depth + 1 > RF_SHELL_MAX_DEPTH) {
    fail(p, "nested deeper than %d levels", RF_SHELL_MAX_DEPTH);
    return FALSE;
  }
  p->depth++;
  return TRUE;
}

static void leave(P *p) {
  p->depth--;
}

static RfShellCommand *command_new(P *p) {
  RfShellCommand *c = g_new0(RfShellCommand, 1);
  c->argv = g_new0(char *, 1);
  c->word_unknown = g_new0(gboolean, 1);
  g_ptr_array_add(p->out->commands, c);
  if (p->out->commands->len > RF_SHELL_MAX_COMMANDS)
    fail(p, "more than %d commands", RF_SHELL_MAX_COMMANDS);
  return c;
}

static char peek_char(const P *p, gsize offset) {
  return p->pos + offset < p->len ? p->s[p->pos + offset] : '\0';
}

static gboolean at_end(const P *p) {
  return p->pos >= p->len;
}

/* ---- Words ------------------------------------------------------------------------ */

static void parse_list(P *p);
static void lex_dquote(P *p, GString *lit, gboolean *unknown, gboolean heredoc);
static void lex_dollar(P *p, GString *lit, gboolean *unknown, gboolean in_dquote);
static void lex_backtick(P *p, gboolean *unknown, gboolean in_dquote);
static Tok *peek(P *p);
static void take(P *p);
static gboolean enter(P *p);
static void leave(P *p);

/* Parses |text| as a script of its own (backquotes, here-document bodies, eval strings) into
 * the same list; a syntax error there spoils only what it covers. */
static void parse_nested_text(P *p, const char *text, gsize length) {
  if (!enter(p))
    return;
  P sub = {.s = text, .len = length, .depth = p->depth, .out = p->out};
  sub.heredocs = g_ptr_array_new_with_free_func(heredoc_free);
  parse_list(&sub);
  if (!sub.failed && peek(&sub)->type != T_EOF)
    fail(&sub, "unexpected `%s`", sub.tok.type == T_OP ? sub.tok.op : "word");
  if (!sub.failed && sub.heredocs->len)
    fail(&sub, "a here-document has no body");
  if (sub.have)
    take(&sub);
  g_ptr_array_unref(sub.heredocs);
  leave(p);
}

/* $( ... ): a script up to the matching parenthesis, parsed in place. */
static void parse_command_substitution(P *p) {
  if (!enter(p))
    return;
  parse_list(p);
  Tok *t = peek(p);
  if (!p->failed && !(t->type == T_OP && g_str_equal(t->op, ")")))
    fail(p, "a command substitution is not closed by `)`");
  else if (!p->failed)
    take(p);
  leave(p);
}

/* Steps over quoted text, escapes and expansions (finding the command substitutions in them)
 * up to the `}` that closes a ${ ... } (|parens| < 0), or until |parens| open parentheses
 * are all closed; |unclosed| names the construct when the text ends first. */
static void skip_to_close(P *p, int parens, const char *unclosed) {
  if (!enter(p))
    return;
  GString *scratch = g_string_new(NULL);
  gboolean unknown = FALSE;
  while (!p->failed && parens != 0) {
    if (at_end(p)) {
      fail(p, "%s", unclosed);
      break;
    }
    char c = p->s[p->pos];
    if (parens < 0 && c == '}') {
      p->pos++;
      break;
    } else if (parens > 0 && (c == '(' || c == ')')) {
      parens += c == '(' ? 1 : -1;
      p->pos++;
    } else if (c == '\\') {
      p->pos += peek_char(p, 1) ? 2 : 1;
    } else if (c == '\'') {
      const char *end = memchr(p->s + p->pos + 1, '\'', p->len - p->pos - 1);
      if (!end) {
        fail(p, "unterminated single quote");
        break;
      }
      p->pos = end - p->s + 1;
    } else if (c == '"') {
      p->pos++;
      lex_dquote(p, scratch, &unknown, FALSE);
    } else if (c == '$') {
      lex_dollar(p, scratch, &unknown, FALSE);
    } else if (c == '`') {
      lex_backtick(p, &unknown, FALSE);
    } else {
      p->pos++;
    }
  }
  g_string_free(scratch, TRUE);
  leave(p);
}

/* Arithmetic: (( )) or $(( )), after its opening parentheses (|open| of them).  Not
 * understood (a name in it is evaluated, and a variable's value can hold `a[$(cmd)]`), but
 * the command substitutions in it are still found. */
static void skip_arithmetic(P *p, int open) {
  not_understood(p, "arithmetic evaluation can run commands hidden in variables");
  skip_to_close(p, open, "arithmetic is not closed by `))`");
}

/* ${ ... } after the "${". */
static void skip_braced(P *p) {
  skip_to_close(p, -1, "`${` is not closed by `}`");
}

static int hex_value(char c) {
  return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

/* $'...' after the "$'": backslash escapes decoded as bash does. */
static void lex_ansi_c(P *p, GString *lit, gboolean *unknown) {
  while (!p->failed) {
    if (at_end(p)) {
      fail(p, "unterminated $'...'");
      return;
    }
    char c = p->s[p->pos++];
    if (c == '\'')
      return;
    if (c != '\\') {
      g_string_append_c(lit, c);
      continue;
    }
    if (at_end(p)) {
      fail(p, "unterminated $'...'");
      return;
    }
    char e = p->s[p->pos++];
    guint32 value = 0;
    int digits = 0;
    switch (e) {
    case 'a': g_string_append_c(lit, '\a'); break;
    case 'b': g_string_append_c(lit, '\b'); break;
    case 'e': case 'E': g_string_append_c(lit, '\033'); break;
    case 'f': g_string_append_c(lit, '\f'); break;
    case 'n': g_string_append_c(lit, '\n'); break;
    case 'r': g_string_append_c(lit, '\r'); break;
    case 't': g_string_append_c(lit, '\t'); break;
    case 'v': g_string_append_c(lit, '\v'); break;
    case '\\': case '\'': case '"': case '?': g_string_append_c(lit, e); break;
    case 'c':
      if (at_end(p)) {
        fail(p, "unterminated $'...'");
        return;
      }
      value = (guchar)p->s[p->pos++] & 0x1f;
      if (value == 0)
        *unknown = TRUE; /* a NUL ends the word early: not what it reads as */
      g_string_append_c(lit, (char)value);
      break;
    case 'x': case 'u': case 'U': {
      int max = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      while (digits < max && hex_value(peek_char(p, 0)) >= 0) {
        value = value * 16 + (guint32)hex_value(p->s[p->pos++]);
        digits++;
      }
      if (!digits) {
        g_string_append_c(lit, '\\');
        g_string_append_c(lit, e);
      } else if (value == 0) {
        *unknown = TRUE;
      } else if (e == 'x') {
        g_string_append_c(lit, (char)value);
      } else if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
        *unknown = TRUE; /* what bash makes of it depends on the locale */
      } else {
        g_string_append_unichar(lit, value);
      }
      break;
    }
    default:
      if (e >= '0' && e <= '7') {
        value = (guint32)(e - '0');
        while (digits < 2 && peek_char(p, 0) >= '0' && peek_char(p, 0) <= '7') {
          value = value * 8 + (guint32)(p->s[p->pos++] - '0');
          digits++;
        }
        if ((value & 0xff) == 0)
          *unknown = TRUE;
        g_string_append_c(lit, (char)(value & 0xff));
      } else {
        g_string_append_c(lit, '\\');
        g_string_append_c(lit, e);
      }
    }
  }
}

/* At a "$": a parameter, a substitution, $'...' or $"..." (outside double quotes), or a
 * literal dollar sign. */
static void lex_dollar(P *p, GString *lit, gboolean *unknown, gboolean in_dquote) {
  char next = peek_char(p, 1);
  if (next == '(' && peek_char(p, 2) == '(') {
    p->pos += 3;
    *unknown = TRUE;
    skip_arithmetic(p, 2);
  } else if (next == '(') {
    p->pos += 2;
    *unknown = TRUE;
    parse_command_substitution(p);
  } else if (next == '{') {
    p->pos += 2;
    *unknown = TRUE;
    skip_braced(p);
  } else if (next == '[') { /* $[ ] : old arithmetic */
    p->pos += 2;
    *unknown = TRUE;
    not_understood(p, "arithmetic evaluation can run commands hidden in variables");
    const char *end = memchr(p->s + p->pos, ']', p->len - p->pos);
    if (!end)
      fail(p, "`$[` is not closed by `]`");
    else
      p->pos = end - p->s + 1;
  } else if (next == '\'' && !in_dquote) {
    p->pos += 2;
    lex_ansi_c(p, lit, unknown);
  } else if (next == '"' && !in_dquote) {
    p->pos++; /* $"..." is "..." translated: the caller reads the quotes */
  } else if (g_ascii_isalpha(next) || next == '_') {
    p->pos++;
    while (!at_end(p) && (g_ascii_isalnum(p->s[p->pos]) || p->s[p->pos] == '_'))
      p->pos++;
    *unknown = TRUE;
  } else if (next && strchr("0123456789@*#?-$!", next)) {
    p->pos += 2;
    *unknown = TRUE;
  } else {
    g_string_append_c(lit, '$');
    p->pos++;
  }
}

/* `...`: the text up to the closing backquote, with \` \\ \$ (and \" in double quotes)
 * unescaped, parsed as a script of its own. */
static void lex_backtick(P *p, gboolean *unknown, gboolean in_dquote) {
  p->pos++;
  *unknown = TRUE;
  GString *text = g_string_new(NULL);
  gboolean closed = FALSE;
  while (!at_end(p)) {
    char c = p->s[p->pos++];
    if (c == '`') {
      closed = TRUE;
      break;
    }
    if (c == '\\' && !at_end(p)) {
      char e = p->s[p->pos];
      if (e == '`' || e == '\\' || e == '$' || (in_dquote && e == '"')) {
        g_string_append_c(text, e);
        p->pos++;
        continue;
      }
    }
    g_string_append_c(text, c);
  }
  if (!closed)
    fail(p, "unterminated backquote");
  else
    parse_nested_text(p, text->str, text->len);
  g_string_free(text, TRUE);
}

/* Inside "..." after the opening quote (or a here-document body with |heredoc|, where a
 * double quote is an ordinary character and the text ends at the end). */
static void lex_dquote(P *p, GString *lit, gboolean *unknown, gboolean heredoc) {
  while (!p->failed) {
    if (at_end(p)) {
      if (!heredoc)
        fail(p, "unterminated double quote");
      return;
    }
    char c = p->s[p->pos];
    if (c == '"' && !heredoc) {
      p->pos++;
      return;
    }
    if (c == '\\') {
      char e = peek_char(p, 1);
      if (e == '\n') {
        p->pos += 2;
      } else if (e == '$' || e == '`' || e == '\\' || (e == '"' && !heredoc)) {
        g_string_append_c(lit, e);
        p->pos += 2;
      } else {
        g_string_append_c(lit, '\\');
        p->pos++;
      }
    } else if (c == '$') {
      lex_dollar(p, lit, unknown, TRUE);
    } else if (c == '`') {
      lex_backtick(p, unknown, TRUE);
    } else {
      g_string_append_c(lit, c);
      p->pos++;
    }
  }
}

static gboolean is_meta(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' ||
         c == ')' || c == '<' || c == '>';
}

static void lex_word(P *p, Tok *t) {
  t->type = T_WORD;
  t->lit = g_string_new(NULL);
  t->start = p->pos;
  gboolean bracket = FALSE, brace_open = FALSE, brace_pair = FALSE;
  while (!p->failed && !at_end(p)) {
    char c = p->s[p->pos];
    if ((c == '<' || c == '>') && peek_char(p, 1) == '(' && p->pos == t->start) {
      /* <(cmd) >(cmd): process substitution, a /dev/fd path once it runs */
      p->pos += 2;
      t->unknown = TRUE;
      parse_command_substitution(p);
      continue;
    }
    if (is_meta(c))
      break;
    gboolean first = p->pos == t->start;
    switch (c) {
    case '\\':
      if (peek_char(p, 1) == '\n') {
        p->pos += 2;
      } else if (p->pos + 1 < p->len) {
        g_string_append_c(t->lit, p->s[p->pos + 1]);
        t->quoted = TRUE;
        p->pos += 2;
      } else {
        g_string_append_c(t->lit, '\\');
        p->pos++;
      }
      break;
    case '\'': {
      const char *end = memchr(p->s + p->pos + 1, '\'', p->len - p->pos - 1);
      if (!end) {
        fail(p, "unterminated single quote");
        break;
      }
      g_string_append_len(t->lit, p->s + p->pos + 1, end - (p->s + p->pos + 1));
      t->quoted = TRUE;
      p->pos = end - p->s + 1;
      break;
    }
    case '"':
      p->pos++;
      t->quoted = TRUE;
      lex_dquote(p, t->lit, &t->unknown, FALSE);
      break;
    case '$':
      if (peek_char(p, 1) == '\'' || peek_char(p, 1) == '"')
        t->quoted = TRUE;
      lex_dollar(p, t->lit, &t->unknown, FALSE);
      break;
    case '`':
      lex_backtick(p, &t->unknown, FALSE);
      break;
    case '*':
    case '?':
      t->unknown = TRUE; /* a glob: file names, possibly "-rf" */
      g_string_append_c(t->lit, c);
      p->pos++;
      break;
    case '[':
      bracket = TRUE;
      g_string_append_c(t->lit, c);
      p->pos++;
      break;
    case ']':
      if (bracket)
        t->unknown = TRUE;
      g_string_append_c(t->lit, c);
      p->pos++;
      break;
    case '{':
      brace_open = TRUE;
      g_string_append_c(t->lit, c);
      p->pos++;
      break;
    case '}':
      brace_pair = brace_pair || brace_open;
      g_string_append_c(t->lit, c);
      p->pos++;
      break;
    case '~':
    case '=':
      /* ~user at the start of a word or after = or : (assignments); zsh's =cmd */
      if ((c == '~' && (first || p->s[p->pos - 1] == '=' || p->s[p->pos - 1] == ':')) ||
          (c == '=' && first && g_ascii_isalpha(peek_char(p, 1))))
        t->unknown = TRUE;
      g_string_append_c(t->lit, c);
      p->pos++;
      break;
    default:
      g_string_append_c(t->lit, c);
      p->pos++;
    }
  }
  t->end = p->pos;
  /* brace expansion {a,b} {1..3} (bash); "{}" alone stays literal */
  if (brace_pair && !(t->end - t->start == 2 && p->s[t->start] == '{'))
    t->unknown = TRUE;
}

/* ---- Tokens ------------------------------------------------------------------------- */

/* Blanks, line continuations and comments before a token. */
static void skip_blanks(P *p) {
  while (!at_end(p)) {
    char c = p->s[p->pos];
    if (c == ' ' || c == '\t') {
      p->pos++;
    } else if (c == '\\' && peek_char(p, 1) == '\n') {
      p->pos += 2;
    } else if (c == '#') {
      const char *nl = memchr(p->s + p->pos, '\n', p->len - p->pos);
      p->pos = nl ? (gsize)(nl - p->s) : p->len;
    } else {
      break;
    }
  }
}

/* The bodies of the here-documents of the line just ended. */
static void read_heredocs(P *p) {
  for (guint i = 0; i < p->heredocs->len && !p->failed; i++) {
    Heredoc *h = g_ptr_array_index(p->heredocs, i);
    GString *body = g_string_new(NULL);
    gboolean closed = FALSE;
    while (!at_end(p)) {
      const char *line = p->s + p->pos;
      const char *nl = memchr(line, '\n', p->len - p->pos);
      gsize n = nl ? (gsize)(nl - line) : p->len - p->pos;
      p->pos += n + (nl ? 1 : 0);
      if (h->strip_tabs)
        while (n && *line == '\t')
          line++, n--;
      if (n == strlen(h->delimiter) && memcmp(line, h->delimiter, n) == 0) {
        closed = TRUE;
        break;
      }
      g_string_append_len(body, line, n);
      g_string_append_c(body, '\n');
    }
    if (!closed)
      not_understood(p, "the here-document is not ended by a line `%s`", h->delimiter);
    gboolean unknown = !closed;
    if (!h->quoted) {
      /* $ ` and \ work in the body as in double quotes */
      if (enter(p)) {
        P sub = {.s = body->str, .len = body->len, .depth = p->depth, .out = p->out};
        sub.heredocs = g_ptr_array_new_with_free_func(heredoc_free);
        GString *text = g_string_new(NULL);
        lex_dquote(&sub, text, &unknown, TRUE);
        g_ptr_array_unref(sub.heredocs);
        g_string_free(text, TRUE);
        leave(p);
      }
    }
    if (h->command && !unknown) {
      g_free(h->command->stdin_text);
      h->command->stdin_text = g_strdup(body->str);
    }
    g_string_free(body, TRUE);
  }
  g_ptr_array_set_size(p->heredocs, 0);
}

static void lex(P *p, Tok *t) {
  *t = (Tok){.type = T_EOF};
  if (p->failed)
    return;
  skip_blanks(p);
  if (at_end(p))
    return;
  char c = p->s[p->pos];
  if (c == '\n') {
    p->pos++;
    t->type = T_NEWLINE;
    read_heredocs(p);
    return;
  }
  if ((c == '<' || c == '>') && peek_char(p, 1) == '(') {
    lex_word(p, t);
    return;
  }
  /* An fd number or {name} right before a redirection belongs to it. */
  gsize k = p->pos;
  gboolean fd_zero = FALSE, numbered = FALSE;
  if (g_ascii_isdigit(c)) {
    while (k < p->len && g_ascii_isdigit(p->s[k]))
      k++;
    fd_zero = k - p->pos == 1 && c == '0';
    numbered = TRUE;
  } else if (c == '{') {
    k++;
    while (k < p->len && (g_ascii_isalnum(p->s[k]) || p->s[k] == '_'))
      k++;
    if (k < p->len && p->s[k] == '}' && k > p->pos + 1)
      k++, numbered = TRUE;
    else
      k = p->pos;
  }
  if (numbered && !(k < p->len && (p->s[k] == '<' || p->s[k] == '>')))
    k = p->pos, numbered = FALSE;
  static const char *const ops[] = {";;&", ";;", ";&", ";",  "&&",  "&>>", "&>", "&",
                                    "||",  "|&", "|",  "((", "(",   ")",   "<<<", "<<-",
                                    "<<",  "<&", "<>", "<",  ">>",  ">&",  ">|",  ">",
                                    NULL};
  for (guint i = 0; ops[i]; i++) {
    size_t n = strlen(ops[i]);
    if (k + n <= p->len && memcmp(p->s + k, ops[i], n) == 0) {
      gboolean redir = ops[i][0] == '<' || ops[i][0] == '>' || g_str_has_prefix(ops[i], "&>");
      if (numbered && !redir)
        break;
      t->type = T_OP;
      memcpy(t->op, ops[i], n + 1);
      t->redir = redir;
      t->stdin = redir && ops[i][0] == '<' && (!numbered || fd_zero) && !g_str_equal(ops[i], "<&");
      p->pos = k + n;
      return;
    }
  }
  lex_word(p, t);
}

static Tok *peek(P *p) {
  if (!p->have) {
    Tok t;
    lex(p, &t); /* may parse a substitution, which uses the lookahead itself */
    if (p->have)
      take(p);
    p->tok = t;
    p->have = TRUE;
  }
  return &p->tok;
}

static void take(P *p) {
  if (p->tok.lit)
    g_string_free(p->tok.lit, TRUE);
  p->tok = (Tok){0};
  p->have = FALSE;
}

/* The next token's word value (its source text when not known literally); takes it. */
static char *take_word(P *p, gboolean *unknown) {
  Tok *t = peek(p);
  char *word = t->unknown ? g_strndup(p->s + t->start, t->end - t->start)
                          : g_strndup(t->lit->str, t->lit->len);
  if (unknown)
    *unknown = t->unknown;
  take(p);
  return word;
}

static gboolean is_word(P *p, const char *reserved) {
  Tok *t = peek(p);
  return t->type == T_WORD && !t->quoted && !t->unknown && g_str_equal(t->lit->str, reserved);
}

static gboolean is_op(P *p, const char *op) {
  Tok *t = peek(p);
  return t->type == T_OP && g_str_equal(t->op, op);
}

static void skip_newlines(P *p) {
  while (!p->failed && peek(p)->type == T_NEWLINE)
    take(p);
}

static const char *token_text(P *p) {
  Tok *t = peek(p);
  switch (t->type) {
  case T_EOF:
    return "end of script";
  case T_NEWLINE:
    return "newline";
  case T_OP:
    return t->op;
  default:
    return t->lit->str;
  }
}

static void expect_word(P *p, const char *reserved) {
  if (p->failed)
    return;
  if (is_word(p, reserved))
    take(p);
  else
    fail(p, "expected `%s`, found `%s`", reserved, token_text(p));
}

/* ---- Commands --------------------------------------------------------------------- */

static void parse_command(P *p, gboolean piped);

/* A redirection; |command| gets what it says about writes and standard input (NULL: a
 * compound command's, recorded on an empty command of its own when it writes). */
static void parse_redirect(P *p, RfShellCommand *command) {
  Tok *t = peek(p);
  char op[4];
  memcpy(op, t->op, sizeof(op));
  gboolean stdin = t->stdin;
  take(p);
  t = peek(p);
  if (t->type != T_WORD) {
    fail(p, "the redirection `%s` has no target", op);
    return;
  }
  if (g_str_equal(op, "<<") || g_str_equal(op, "<<-")) {
    if (t->unknown) {
      fail(p, "a here-document delimiter with an expansion");
      return;
    }
    Heredoc *h = g_new0(Heredoc, 1);
    h->command = command;
    h->strip_tabs = op[2] == '-';
    h->quoted = t->quoted;
    h->delimiter = g_strdup(t->lit->str);
    take(p);
    g_ptr_array_add(p->heredocs, h);
    if (command)
      command->stdin_redirected = TRUE;
    return;
  }
  gboolean unknown;
  g_autofree char *target = take_word(p, &unknown);
  if (g_str_equal(op, "<<<")) {
    if (command) {
      command->stdin_redirected = TRUE;
      g_free(command->stdin_text);
      command->stdin_text = unknown ? NULL : g_strconcat(target, "\n", NULL);
    }
    return;
  }
  if (stdin && command)
    command->stdin_redirected = TRUE;
  gboolean dup = (g_str_equal(op, ">&") || g_str_equal(op, "<&")) && !unknown &&
                 (g_str_equal(target, "-") || (target[0] && strspn(target, "0123456789") ==
                                                                strlen(target)));
  gboolean writes = op[0] == '>' || op[0] == '&' || g_str_equal(op, "<>");
  if (writes && !dup && (unknown || !g_str_equal(target, "/dev/null"))) {
    if (!command)
      command = command_new(p);
    command->flags |= RF_SHELL_WRITES;
  }
}

static void parse_redirects_after(P *p) {
  RfShellCommand *pseudo = NULL;
  while (!p->failed && peek(p)->type == T_OP && p->tok.redir) {
    if (!pseudo)
      pseudo = command_new(p); /* holds what the redirections of a compound command do */
    parse_redirect(p, pseudo);
  }
}

/* NAME=, NAME+= (and NAME[...]=, not understood) at the start of |t|'s source. */
static gboolean is_assignment(P *p, const Tok *t) {
  const char *w = p->s + t->start;
  gsize n = t->end - t->start, i = 0;
  if (!n || !(g_ascii_isalpha(w[0]) || w[0] == '_'))
    return FALSE;
  while (i < n && (g_ascii_isalnum(w[i]) || w[i] == '_'))
    i++;
  if (i < n && w[i] == '[') {
    const char *close = memchr(w + i, ']', n - i);
    if (close && (gsize)(close - w) + 1 < n &&
        (close[1] == '=' || (close[1] == '+' && (gsize)(close - w) + 2 < n && close[2] == '='))) {
      not_understood(p, "an array element assignment evaluates its subscript, which can run "
                        "commands");
      return TRUE;
    }
    return FALSE;
  }
  return i < n && (w[i] == '=' || (w[i] == '+' && i + 1 < n && w[i + 1] == '='));
}

static void parse_simple(P *p, gboolean piped) {
  RfShellCommand *command = command_new(p);
  if (piped)
    command->flags |= RF_SHELL_STDIN_PIPED;
  GPtrArray *words = g_ptr_array_new();
  GArray *unknowns = g_array_new(FALSE, TRUE, sizeof(gboolean));
  while (!p->failed) {
    Tok *t = peek(p);
    if (t->type == T_OP && t->redir) {
      parse_redirect(p, command);
      continue;
    }
    if (t->type != T_WORD)
      break;
    if (words->len == 0 && is_assignment(p, t)) {
      command->flags |= RF_SHELL_ASSIGNS;
      gboolean array = t->end > t->start && p->s[t->end - 1] == '=' && peek_char(p, 0) == '(' &&
                       p->pos == t->end;
      take(p);
      if (array && is_op(p, "(")) { /* NAME=(a b c) */
        take(p);
        for (;;) {
          skip_newlines(p);
          if (p->failed || is_op(p, ")"))
            break;
          if (peek(p)->type != T_WORD) {
            fail(p, "unexpected `%s` in an array assignment", token_text(p));
            break;
          }
          take(p);
        }
        if (!p->failed)
          take(p);
      }
      continue;
    }
    gboolean unknown;
    char *word = take_word(p, &unknown);
    if (unknown)
      command->flags |= RF_SHELL_UNKNOWN_WORDS;
    g_ptr_array_add(words, word);
    g_array_append_val(unknowns, unknown);
    if (words->len == 1 && is_op(p, "(")) {
      /* NAME () BODY: a function; its body's commands count, the definition runs nothing */
      take(p);
      if (!is_op(p, ")")) {
        fail(p, "expected `)` after `%s (`", word);
        break;
      }
      take(p);
      skip_newlines(p);
      if (!p->failed)
        parse_command(p, FALSE);
      g_ptr_array_set_size(words, 0);
      g_array_set_size(unknowns, 0);
      command->flags &= ~(guint)RF_SHELL_UNKNOWN_WORDS;
      g_free(word);
      break;
    }
  }
  g_ptr_array_add(words, NULL);
  g_strfreev(command->argv);
  command->argv = (char **)g_ptr_array_free(words, FALSE);
  gboolean end = FALSE;
  g_array_append_val(unknowns, end);
  g_free(command->word_unknown);
  command->word_unknown = (gboolean *)g_array_free(unknowns, FALSE);
}

static void parse_if(P *p) {
  take(p); /* if */
  parse_list(p);
  expect_word(p, "then");
  parse_list(p);
  while (!p->failed && is_word(p, "elif")) {
    take(p);
    parse_list(p);
    expect_word(p, "then");
    parse_list(p);
  }
  if (!p->failed && is_word(p, "else")) {
    take(p);
    parse_list(p);
  }
  expect_word(p, "fi");
}

static void parse_do_group(P *p) {
  skip_newlines(p);
  if (!p->failed && is_word(p, "{")) { /* bash: for x in a; { ...; } */
    parse_command(p, FALSE);
    return;
  }
  expect_word(p, "do");
  parse_list(p);
  expect_word(p, "done");
}

static void parse_for(P *p) {
  take(p); /* for, select */
  if (is_op(p, "((")) {
    take(p);
    skip_arithmetic(p, 2);
    skip_newlines(p);
    if (is_op(p, ";"))
      take(p);
    parse_do_group(p);
    return;
  }
  if (peek(p)->type != T_WORD) {
    fail(p, "expected a variable name after `for`");
    return;
  }
  take(p);
  skip_newlines(p);
  if (!p->failed && is_word(p, "in")) {
    take(p);
    while (!p->failed && peek(p)->type == T_WORD)
      take(p); /* the values; their substitutions were found while reading them */
  }
  if (!p->failed && is_op(p, ";"))
    take(p);
  parse_do_group(p);
}

static void parse_while(P *p) {
  take(p); /* while, until */
  parse_list(p);
  parse_do_group(p);
}

static void parse_case(P *p) {
  take(p); /* case */
  if (peek(p)->type != T_WORD) {
    fail(p, "expected a word after `case`");
    return;
  }
  take(p);
  skip_newlines(p);
  expect_word(p, "in");
  while (!p->failed) {
    skip_newlines(p);
    if (is_word(p, "esac")) {
      take(p);
      return;
    }
    if (is_op(p, "("))
      take(p);
    for (;;) {
      if (peek(p)->type != T_WORD) {
        fail(p, "expected a pattern in `case`, found `%s`", token_text(p));
        return;
      }
      take(p);
      if (!is_op(p, "|"))
        break;
      take(p);
    }
    if (!is_op(p, ")")) {
      fail(p, "expected `)` after a `case` pattern, found `%s`", token_text(p));
      return;
    }
    take(p);
    parse_list(p);
    if (p->failed)
      return;
    if (is_op(p, ";;") || is_op(p, ";&") || is_op(p, ";;&")) {
      take(p);
      continue;
    }
    expect_word(p, "esac");
    return;
  }
}

/* [[ ... ]]: its words are not a command, but its substitutions run, and -eq & co. evaluate
 * their operands as arithmetic. */
static void parse_double_bracket(P *p) {
  take(p); /* [[ */
  static const char *const arithmetic[] = {"-eq", "-ne", "-lt", "-le", "-gt", "-ge", NULL};
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GArray) literal = g_array_new(FALSE, FALSE, sizeof(gboolean));
  while (!p->failed) {
    Tok *t = peek(p);
    if (t->type == T_EOF) {
      fail(p, "`[[` is not closed by `]]`");
      return;
    }
    if (t->type == T_NEWLINE || t->type == T_OP) {
      take(p);
      continue;
    }
    if (is_word(p, "]]")) {
      take(p);
      break;
    }
    gboolean unknown, quoted = t->quoted;
    char *word = take_word(p, &unknown);
    gboolean plain = !unknown && !quoted;
    g_ptr_array_add(words, word);
    g_array_append_val(literal, plain);
  }
  for (guint i = 0; i < words->len && !p->failed; i++) {
    const char *w = g_ptr_array_index(words, i);
    if (!g_array_index(literal, gboolean, i))
      continue;
    gboolean arith = FALSE;
    for (guint j = 0; arithmetic[j]; j++)
      arith = arith || g_str_equal(w, arithmetic[j]);
    if (arith) {
      for (int d = -1; d <= 1; d += 2) {
        if ((int)i + d < 0 || (guint)((int)i + d) >= words->len)
          continue;
        const char *operand = g_ptr_array_index(words, (guint)((int)i + d));
        const char *digits = operand + (operand[0] == '-' || operand[0] == '+');
        if (!*digits || strspn(digits, "0123456789") != strlen(digits))
          not_understood(p, "`[[ %s %s ]]` evaluates its operands as arithmetic, which can run "
                            "commands hidden in variables", d < 0 ? operand : w,
                         d < 0 ? w : operand);
      }
    }
    if (g_str_equal(w, "-v") && i + 1 < words->len &&
        strchr(g_ptr_array_index(words, i + 1), '['))
      not_understood(p, "`[[ -v NAME[...] ]]` evaluates the subscript, which can run commands");
  }
  parse_redirects_after(p);
}

static void parse_command(P *p, gboolean piped) {
  if (!enter(p))
    return;
  Tok *t = peek(p);
  if (t->type == T_WORD && !t->quoted && !t->unknown) {
    const char *w = t->lit->str;
    if (g_str_equal(w, "{")) {
      take(p);
      parse_list(p);
      expect_word(p, "}");
      parse_redirects_after(p);
    } else if (g_str_equal(w, "if")) {
      parse_if(p);
      parse_redirects_after(p);
    } else if (g_str_equal(w, "for") || g_str_equal(w, "select")) {
      parse_for(p);
      parse_redirects_after(p);
    } else if (g_str_equal(w, "while") || g_str_equal(w, "until")) {
      parse_while(p);
      parse_redirects_after(p);
    } else if (g_str_equal(w, "case")) {
      parse_case(p);
      parse_redirects_after(p);
    } else if (g_str_equal(w, "[[")) {
      parse_double_bracket(p);
    } else if (g_str_equal(w, "function")) {
      take(p);
      if (peek(p)->type != T_WORD) {
        fail(p, "expected a name after `function`");
      } else {
        take(p);
        if (is_op(p, "(")) {
          take(p);
          if (is_op(p, ")"))
            take(p);
          else
            fail(p, "expected `)` in a function definition");
        }
        skip_newlines(p);
        if (!p->failed)
          parse_command(p, FALSE);
      }
    } else if (g_str_equal(w, "coproc")) {
      fail(p, "coproc is not supported");
    } else if (g_str_equal(w, "then") || g_str_equal(w, "else") || g_str_equal(w, "elif") ||
               g_str_equal(w, "fi") || g_str_equal(w, "do") || g_str_equal(w, "done") ||
               g_str_equal(w, "esac") || g_str_equal(w, "}") || g_str_equal(w, "in") ||
               g_str_equal(w, "]]")) {
      fail(p, "unexpected `%s`", w);
    } else {
      parse_simple(p, piped);
    }
  } else if (t->type == T_WORD || (t->type == T_OP && t->redir)) {
    parse_simple(p, piped);
  } else if (t->type == T_OP && g_str_equal(t->op, "(")) {
    take(p);
    parse_list(p);
    if (!p->failed && is_op(p, ")"))
      take(p);
    else
      fail(p, "a subshell is not closed by `)`");
    parse_redirects_after(p);
  } else if (t->type == T_OP && g_str_equal(t->op, "((")) {
    take(p);
    skip_arithmetic(p, 2);
    parse_redirects_after(p);
  } else {
    fail(p, "unexpected `%s`", token_text(p));
  }
  leave(p);
}

static void parse_pipeline(P *p) {
  for (;;) {
    if (is_word(p, "time")) {
      gsize k = p->pos;
      while (k < p->len && (p->s[k] == ' ' || p->s[k] == '\t'))
        k++;
      if (k < p->len && p->s[k] == '-' && !(k + 2 <= p->len && p->s[k + 1] == 'p' &&
                                           (k + 2 == p->len || is_meta(p->s[k + 2]))))
        break; /* time -f FMT ...: the time program, a command runner */
      take(p);
      if (is_word(p, "-p"))
        take(p);
      else if (is_word(p, "--"))
        take(p);
    } else if (is_word(p, "!")) {
      take(p);
    } else {
      break;
    }
  }
  Tok *t = peek(p);
  if (t->type == T_EOF || t->type == T_NEWLINE ||
      (t->type == T_OP && (g_str_equal(t->op, ";") || g_str_equal(t->op, "&"))))
    return; /* `time` alone */
  gboolean piped = FALSE;
  while (!p->failed) {
    parse_command(p, piped);
    if (p->failed || !(is_op(p, "|") || is_op(p, "|&")))
      break;
    take(p);
    skip_newlines(p);
    piped = TRUE;
  }
}

static void parse_and_or(P *p) {
  parse_pipeline(p);
  while (!p->failed && (is_op(p, "&&") || is_op(p, "||"))) {
    take(p);
    skip_newlines(p);
    parse_pipeline(p);
  }
}

static gboolean at_list_end(P *p) {
  Tok *t = peek(p);
  if (t->type == T_EOF)
    return TRUE;
  if (t->type == T_OP)
    return g_str_equal(t->op, ")") || g_str_equal(t->op, ";;") || g_str_equal(t->op, ";&") ||
           g_str_equal(t->op, ";;&");
  static const char *const closers[] = {"then", "else", "elif", "fi", "do", "done", "esac", "}",
                                        NULL};
  for (guint i = 0; closers[i]; i++)
    if (is_word(p, closers[i]))
      return TRUE;
  return FALSE;
}

static void parse_list(P *p) {
  while (!p->failed) {
    skip_newlines(p);
    if (p->failed || at_list_end(p))
      return;
    parse_and_or(p);
    if (p->failed)
      return;
    if (is_op(p, ";") || is_op(p, "&")) {
      take(p);
      continue;
    }
    if (peek(p)->type == T_NEWLINE)
      continue;
    return;
  }
}

RfShellScript *rf_shell_parse(const char *text, gsize length, guint depth) {
  RfShellScript *out = g_new0(RfShellScript, 1);
  out->commands = g_ptr_array_new_with_free_func(command_free);
  out->understood = TRUE;
  out->complete = TRUE;
  P p = {.s = text, .len = length, .depth = depth, .out = out};
  if (length > RF_SHELL_MAX_INPUT) {
    fail(&p, "the script is longer than %d bytes", RF_SHELL_MAX_INPUT);
    return out;
  }
  if (memchr(text, '\0', length)) {
    fail(&p, "the script holds a NUL byte");
    return out;
  }
  if (depth > RF_SHELL_MAX_DEPTH) {
    fail(&p, "nested deeper than %d levels", RF_SHELL_MAX_DEPTH);
    return out;
  }
  p.heredocs = g_ptr_array_new_with_free_func(heredoc_free);
  parse_list(&p);
  if (!p.failed && peek(&p)->type != T_EOF)
    fail(&p, "unexpected `%s`", token_text(&p));
  if (!p.failed && p.heredocs->len)
    fail(&p, "a here-document has no body (the script ends on its line)");
  if (p.have)
    take(&p);
  g_ptr_array_unref(p.heredocs);
  return out;
}
