/* starlark.c: the deterministic Starlark subset of rules files: a lexer with indentation, and
 * an evaluator that runs a file once, top to bottom, recording calls of the functions asked
 * for.  No loops, no functions of the file's own, no reads: bounded in size and in work. */
#include "starlark.h"

#include "util/quote.h"

#include <ringfence/ringfence.h>

#include <string.h>

/* ---- Values ------------------------------------------------------------------------- */

RfSlValue *rf_sl_value_ref(RfSlValue *value) {
  if (value)
    value->refs++;
  return value;
}

void rf_sl_value_unref(RfSlValue *value) {
  if (!value || --value->refs > 0)
    return;
  g_free(value->string);
  if (value->items)
    g_ptr_array_unref(value->items);
  g_free(value);
}

const char *rf_sl_type_name(RfSlType type) {
  switch (type) {
  case RF_SL_NONE:
    return "NoneType";
  case RF_SL_BOOL:
    return "bool";
  case RF_SL_INT:
    return "int";
  case RF_SL_STRING:
    return "string";
  case RF_SL_LIST:
    return "list";
  }
  return "?";
}

void rf_sl_call_free(RfSlCall *call) {
  if (!call)
    return;
  g_free(call->function);
  if (call->arguments)
    g_ptr_array_unref(call->arguments);
  g_free(call);
}

static void argument_free(gpointer data) {
  RfSlArgument *arg = data;
  g_free(arg->name);
  rf_sl_value_unref(arg->value);
  g_free(arg);
}

/* ---- Lexer -------------------------------------------------------------------------- */

typedef enum {
  T_EOF,
  T_NEWLINE,
  T_INDENT,
  T_DEDENT,
  T_IDENT,
  T_STRING,
  T_INT,
  T_OP,
} TokenType;

typedef struct {
  TokenType type;
  char *text; /* T_IDENT, T_STRING (decoded) */
  gint64 integer;
  char op[4]; /* T_OP */
  guint line, column;
} Token;

typedef struct {
  const char *name;
  const char *p, *end;
  guint line, column;
  int depth;          /* open ( [ {: newlines inside are insignificant */
  gboolean line_start; /* the next token begins a logical line: measure its indentation */
  gboolean in_line;    /* a token of the current logical line has been given */
  int pending_dedents;
  GArray *indents; /* int columns; [0] == 0 */
  Token tok;
  GError **error;
  gboolean failed;
} Lexer;

static gboolean fail_at(Lexer *lx, guint line, guint column, const char *format, ...)
    G_GNUC_PRINTF(4, 5);
static gboolean fail_at(Lexer *lx, guint line, guint column, const char *format, ...) {
  if (lx->failed)
    return FALSE;
  va_list args;
  va_start(args, format);
  g_autofree char *message = g_strdup_vprintf(format, args);
  va_end(args);
  g_autofree char *file = rf_path_excerpt(lx->name);
  g_set_error(lx->error, RF_ERROR, RF_ERROR_CONFIG, "%s:%u:%u: %s", file, line, column, message);
  lx->failed = TRUE;
  return FALSE;
}

/* Advances one character (columns count characters, not bytes). */
static void advance(Lexer *lx) {
  if (*lx->p == '\n') {
    lx->line++;
    lx->column = 1;
  } else {
    lx->column++;
  }
  lx->p++;
  while (lx->p < lx->end && ((unsigned char)*lx->p & 0xC0) == 0x80)
    lx->p++;
}

static gboolean hex_value(const char *p, const char *end, int digits, gunichar *out) {
  gunichar value = 0;
  if (end - p < digits)
    return FALSE;
  for (int i = 0; i < digits; i++) {
    if (!g_ascii_isxdigit(p[i]))
      return FALSE;
    value = value * 16 + (gunichar)g_ascii_xdigit_value(p[i]);
  }
  *out = value;
  return TRUE;
}

/* The escape at lx->p (a backslash): its character into |out|; FALSE after an error. */
static gboolean lex_escape(Lexer *lx, GString *out) {
  guint line = lx->line, column = lx->column;
  char c = lx->p + 1 < lx->end ? lx->p[1] : '\0';
  gunichar code = 0;
  int skip = 2;
  static const char simple_from[] = "ntrabfv\\'\"";
  static const char simple_to[] = "\n\t\r\a\b\f\v\\'\"";
  const char *simple = c ? strchr(simple_from, c) : NULL;
  if (simple) {
    code = (gunichar)(unsigned char)simple_to[simple - simple_from];
  } else if (c == '\n') {
    advance(lx);
    advance(lx);
    return TRUE; /* a line continuation inside the string */
  } else if (c == 'x' || c == 'u' || c == 'U') {
    int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
    if (!hex_value(lx->p + 2, lx->end, digits, &code))
      goto bad;
    skip = 2 + digits;
  } else if (c >= '0' && c <= '7') {
    skip = 1;
    while (skip < 4 && lx->p + skip < lx->end && lx->p[skip] >= '0' && lx->p[skip] <= '7')
      code = code * 8 + (gunichar)(lx->p[skip++] - '0');
  } else {
    goto bad;
  }
  if (code == 0 || !g_unichar_validate(code))
    return fail_at(lx, line, column,
                   "this escape makes a NUL or invalid character, which a command word cannot "
                   "hold");
  g_string_append_unichar(out, code);
  for (int i = 0; i < skip; i++)
    advance(lx);
  return TRUE;
bad:
  return fail_at(lx, line, column,
                 "invalid escape sequence \\%c (use \\\\ for a backslash, or an r\"...\" string)",
                 c > ' ' && c < 0x7f ? c : ' ');
}

/* A string literal: '...', "...", '''...''', """...""", with an optional r prefix. */
static gboolean lex_string(Lexer *lx, gboolean raw) {
  guint line = lx->line, column = lx->column;
  if (raw)
    advance(lx);
  char quote = *lx->p;
  gboolean triple = lx->end - lx->p >= 3 && lx->p[1] == quote && lx->p[2] == quote;
  for (int i = 0; i < (triple ? 3 : 1); i++)
    advance(lx);
  g_autoptr(GString) out = g_string_new(NULL);
  for (;;) {
    if (lx->p >= lx->end || (!triple && *lx->p == '\n'))
      return fail_at(lx, line, column, "unterminated string (close it with %s)",
                     triple ? (quote == '"' ? "\"\"\"" : "'''") : (quote == '"' ? "\"" : "'"));
    if (*lx->p == quote &&
        (!triple || (lx->end - lx->p >= 3 && lx->p[1] == quote && lx->p[2] == quote))) {
      for (int i = 0; i < (triple ? 3 : 1); i++)
        advance(lx);
      break;
    }
    if (out->len > RF_SL_MAX_VALUE_BYTES)
      return fail_at(lx, line, column, "this string is longer than %d bytes",
                     RF_SL_MAX_VALUE_BYTES);
    if (*lx->p == '\\' && !raw) {
      if (!lex_escape(lx, out))
        return FALSE;
      continue;
    }
    if (*lx->p == '\\' && raw && lx->p + 1 < lx->end && lx->p[1] == quote) {
      g_string_append_len(out, lx->p, 2); /* r"\"" keeps both characters */
      advance(lx);
      advance(lx);
      continue;
    }
    const char *start = lx->p;
    advance(lx);
    g_string_append_len(out, start, lx->p - start);
  }
  lx->tok = (Token){.type = T_STRING,
                    .text = g_string_free(g_steal_pointer(&out), FALSE),
                    .line = line,
                    .column = column};
  return TRUE;
}

static const char *const operators[] = {"//=", "**", "//", "==", "!=", "<=", ">=", "+=", "-=",
                                        "*=",  "%=", "<<", ">>", "->", "(",  ")",  "[",  "]",
                                        "{",   "}",  ",",  ":",  ";",  "=",  "+",  "-",  "*",
                                        "/",   "%",  ".",  "<",  ">",  "|",  "&",  "^",  "~",
                                        "@",   NULL};

/* Reads the next token into lx->tok. */
static gboolean next_token(Lexer *lx) {
  g_clear_pointer(&lx->tok.text, g_free);
  if (lx->failed)
    return FALSE;
  if (lx->pending_dedents > 0) {
    lx->pending_dedents--;
    lx->tok = (Token){.type = T_DEDENT, .line = lx->line, .column = lx->column};
    return TRUE;
  }
  if (lx->line_start && lx->depth == 0) {
    /* Indentation of the next line holding a token; blank and comment lines do not count. */
    int width = 0;
    for (;;) {
      if (lx->p >= lx->end) {
        width = 0;
        break;
      }
      char c = *lx->p;
      if (c == ' ' || c == '\r' || c == '\f') {
        width++;
        advance(lx);
      } else if (c == '\t') {
        width = (width / 8 + 1) * 8;
        advance(lx);
      } else if (c == '\n') {
        width = 0;
        advance(lx);
      } else if (c == '#') {
        while (lx->p < lx->end && *lx->p != '\n')
          advance(lx);
      } else {
        break;
      }
    }
    lx->line_start = FALSE;
    int top = g_array_index(lx->indents, int, lx->indents->len - 1);
    if (width > top) {
      g_array_append_val(lx->indents, width);
      lx->tok = (Token){.type = T_INDENT, .line = lx->line, .column = lx->column};
      return TRUE;
    }
    if (width < top) {
      int dedents = 0;
      while (g_array_index(lx->indents, int, lx->indents->len - 1) > width) {
        g_array_set_size(lx->indents, lx->indents->len - 1);
        dedents++;
      }
      if (g_array_index(lx->indents, int, lx->indents->len - 1) != width)
        return fail_at(lx, lx->line, lx->column,
                       "this line's indentation matches no enclosing block");
      lx->pending_dedents = dedents - 1;
      lx->tok = (Token){.type = T_DEDENT, .line = lx->line, .column = lx->column};
      return TRUE;
    }
  }
  for (;;) {
    if (lx->p >= lx->end) {
      if (lx->depth > 0)
        return fail_at(lx, lx->line, lx->column,
                       "unexpected end of file: a (, [ or { is not closed");
      if (lx->in_line) {
        lx->in_line = FALSE;
        lx->line_start = TRUE;
        lx->tok = (Token){.type = T_NEWLINE, .line = lx->line, .column = lx->column};
        return TRUE;
      }
      lx->tok = (Token){.type = T_EOF, .line = lx->line, .column = lx->column};
      return TRUE;
    }
    char c = *lx->p;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
      advance(lx);
      continue;
    }
    if (c == '#') {
      while (lx->p < lx->end && *lx->p != '\n')
        advance(lx);
      continue;
    }
    if (c == '\\' && lx->p + 1 < lx->end && lx->p[1] == '\n') {
      advance(lx);
      advance(lx);
      continue;
    }
    if (c == '\n') {
      guint line = lx->line, column = lx->column;
      advance(lx);
      if (lx->depth > 0)
        continue;
      if (!lx->in_line) { /* only possible after a continuation: nothing to end */
        lx->line_start = TRUE;
        return next_token(lx);
      }
      lx->in_line = FALSE;
      lx->line_start = TRUE;
      lx->tok = (Token){.type = T_NEWLINE, .line = line, .column = column};
      return TRUE;
    }
    break;
  }
  lx->in_line = TRUE;
  char c = *lx->p;
  guint line = lx->line, column = lx->column;
  if (c == '"' || c == '\'')
    return lex_string(lx, FALSE);
  if ((c == 'r' || c == 'R') && lx->p + 1 < lx->end && (lx->p[1] == '"' || lx->p[1] == '\''))
    return lex_string(lx, TRUE);
  if ((c == 'b' || c == 'B') && lx->p + 1 < lx->end && (lx->p[1] == '"' || lx->p[1] == '\''))
    return fail_at(lx, line, column, "byte strings (b\"...\") are not supported: use \"...\"");
  if (g_ascii_isalpha(c) || c == '_') {
    const char *start = lx->p;
    while (lx->p < lx->end && (g_ascii_isalnum(*lx->p) || *lx->p == '_'))
      advance(lx);
    lx->tok = (Token){.type = T_IDENT,
                      .text = g_strndup(start, lx->p - start),
                      .line = line,
                      .column = column};
    return TRUE;
  }
  if (g_ascii_isdigit(c)) {
    const char *start = lx->p;
    while (lx->p < lx->end && (g_ascii_isalnum(*lx->p) || *lx->p == '_' || *lx->p == '.'))
      advance(lx);
    gint64 value = 0;
    for (const char *d = start; d < lx->p; d++) {
      if (!g_ascii_isdigit(*d) || (d == start && *d == '0' && lx->p - start > 1))
        return fail_at(lx, line, column,
                       "only decimal integers such as 3 are supported (no 0x, floats or "
                       "leading zeros)");
      if (value > (G_MAXINT64 - (*d - '0')) / 10)
        return fail_at(lx, line, column, "this integer is too large");
      value = value * 10 + (*d - '0');
    }
    lx->tok = (Token){.type = T_INT, .integer = value, .line = line, .column = column};
    return TRUE;
  }
  for (const char *const *op = operators; *op; op++) {
    size_t n = strlen(*op);
    if ((size_t)(lx->end - lx->p) >= n && memcmp(lx->p, *op, n) == 0) {
      if (strchr("([{", (*op)[0]) && n == 1) {
        if (++lx->depth > RF_SL_MAX_NESTING)
          return fail_at(lx, line, column, "brackets nest deeper than %d", RF_SL_MAX_NESTING);
      } else if (strchr(")]}", (*op)[0]) && n == 1) {
        if (--lx->depth < 0)
          return fail_at(lx, line, column, "unexpected '%c': nothing to close", c);
      }
      lx->tok = (Token){.type = T_OP, .line = line, .column = column};
      g_strlcpy(lx->tok.op, *op, sizeof lx->tok.op);
      for (size_t i = 0; i < n; i++)
        advance(lx);
      return TRUE;
    }
  }
  char shown[8] = {0};
  g_unichar_to_utf8(g_utf8_get_char_validated(lx->p, lx->end - lx->p), shown);
  return fail_at(lx, line, column, "unexpected character '%s'", shown);
}

/* Where the lexer is, to look one token ahead and come back.  Valid within a logical line
 * only (a mark never crosses indentation). */
typedef struct {
  const char *p;
  guint line, column;
  int depth;
  gboolean line_start, in_line;
} LexerMark;

static LexerMark lexer_mark(const Lexer *lx) {
  return (LexerMark){lx->p, lx->line, lx->column, lx->depth, lx->line_start, lx->in_line};
}

/* Back to |mark|, with |tok| (taken over) as the current token again. */
static void lexer_rewind(Lexer *lx, const LexerMark *mark, Token *tok) {
  g_clear_pointer(&lx->tok.text, g_free);
  lx->p = mark->p;
  lx->line = mark->line;
  lx->column = mark->column;
  lx->depth = mark->depth;
  lx->line_start = mark->line_start;
  lx->in_line = mark->in_line;
  lx->tok = *tok;
}

/* ---- Evaluator ---------------------------------------------------------------------- */

typedef struct {
  Lexer lx;
  GHashTable *globals; /* name -> RfSlValue* */
  const char *const *functions;
  GPtrArray *calls; /* RfSlCall* */
  guint statements;
  int nesting, blocks;
  gsize work;
} Eval;

#define TOK(ev) (&(ev)->lx.tok)

static gboolean is_op(const Eval *ev, const char *op) {
  return ev->lx.tok.type == T_OP && g_str_equal(ev->lx.tok.op, op);
}

static gboolean is_word(const Eval *ev, const char *word) {
  return ev->lx.tok.type == T_IDENT && g_str_equal(ev->lx.tok.text, word);
}

/* What |t| is, for messages; |buf| holds an operator's text (no static storage: the library
 * may load rules on several threads). */
typedef struct {
  char text[16];
} Described;

static const char *describe_into(const Token *t, Described *buf) {
  switch (t->type) {
  case T_EOF:
    return "the end of the file";
  case T_NEWLINE:
    return "the end of the line";
  case T_INDENT:
    return "an indented line";
  case T_DEDENT:
    return "the end of the block";
  case T_IDENT:
    return "a name";
  case T_STRING:
    return "a string";
  case T_INT:
    return "an integer";
  case T_OP:
    g_snprintf(buf->text, sizeof buf->text, "'%s'", t->op);
    return buf->text;
  }
  return "?";
}

#define describe(t) describe_into((t), &(Described){{0}})

static gboolean fail(Eval *ev, guint line, guint column, const char *format, ...)
    G_GNUC_PRINTF(4, 5);
static gboolean fail(Eval *ev, guint line, guint column, const char *format, ...) {
  va_list args;
  va_start(args, format);
  g_autofree char *message = g_strdup_vprintf(format, args);
  va_end(args);
  return fail_at(&ev->lx, line, column, "%s", message);
}

static gboolean expect_op(Eval *ev, const char *op, const char *context) {
  if (!is_op(ev, op))
    return fail(ev, TOK(ev)->line, TOK(ev)->column, "expected '%s' %s, found %s", op, context,
                describe(TOK(ev)));
  return next_token(&ev->lx);
}

/* Words Starlark keeps for itself that this subset refuses, and why. */
static const char *refused_word(const char *word) {
  static const struct {
    const char *word, *why;
  } words[] = {
      {"def", "functions (def) are not supported: a rules file is evaluated once, top to bottom"},
      {"lambda", "lambda is not supported: a rules file has no functions of its own"},
      {"for", "loops are not supported: write each rule out (a list of alternatives such as "
              "[\"push\", \"fetch\"] covers most needs)"},
      {"while", "loops are not supported: write each rule out"},
      {"return", "return is not supported: a rules file has no functions"},
      {"break", "break is not supported: a rules file has no loops"},
      {"continue", "continue is not supported: a rules file has no loops"},
      {"load", "load() is not supported: a rules file cannot read other files (name each file "
               "instead)"},
  };
  static const char *const reserved[] = {"as",    "assert", "async",  "await",    "class",
                                         "del",   "except", "finally", "from",    "global",
                                         "import", "is",    "nonlocal", "raise",  "try",
                                         "with",  "yield",  NULL};
  for (guint i = 0; i < G_N_ELEMENTS(words); i++)
    if (g_str_equal(words[i].word, word))
      return words[i].why;
  if (g_strv_contains(reserved, word))
    return "this word is reserved in Starlark and not supported in a rules file";
  return NULL;
}

static gboolean charge(Eval *ev, gsize bytes, guint line, guint column) {
  ev->work += bytes + 32;
  if (ev->work > RF_SL_MAX_WORK_BYTES)
    return fail(ev, line, column,
                "this file makes more than %d MiB of values: a rules file must stay small",
                RF_SL_MAX_WORK_BYTES / (1024 * 1024));
  return TRUE;
}

static RfSlValue *value_new(Eval *ev, RfSlType type, guint line, guint column) {
  RfSlValue *value = g_new0(RfSlValue, 1);
  value->refs = 1;
  value->type = type;
  value->line = line;
  value->column = column;
  if (type == RF_SL_LIST)
    value->items = g_ptr_array_new_with_free_func((GDestroyNotify)rf_sl_value_unref);
  (void)ev;
  return value;
}

/* A placeholder for what is parsed but not evaluated (a branch not taken). */
static RfSlValue *dead_value(Eval *ev) {
  return value_new(ev, RF_SL_NONE, 0, 0);
}

static gboolean truthy(const RfSlValue *v) {
  switch (v->type) {
  case RF_SL_NONE:
    return FALSE;
  case RF_SL_BOOL:
    return v->boolean;
  case RF_SL_INT:
    return v->integer != 0;
  case RF_SL_STRING:
    return v->string[0] != '\0';
  case RF_SL_LIST:
    return v->items->len > 0;
  }
  return FALSE;
}

static gboolean equal(const RfSlValue *a, const RfSlValue *b) {
  if (a->type != b->type)
    return FALSE;
  switch (a->type) {
  case RF_SL_NONE:
    return TRUE;
  case RF_SL_BOOL:
    return a->boolean == b->boolean;
  case RF_SL_INT:
    return a->integer == b->integer;
  case RF_SL_STRING:
    return g_str_equal(a->string, b->string);
  case RF_SL_LIST:
    if (a->items->len != b->items->len)
      return FALSE;
    for (guint i = 0; i < a->items->len; i++)
      if (!equal(g_ptr_array_index(a->items, i), g_ptr_array_index(b->items, i)))
        return FALSE;
    return TRUE;
  }
  return FALSE;
}

static RfSlValue *make_bool(Eval *ev, gboolean b, const Token *at) {
  RfSlValue *v = value_new(ev, RF_SL_BOOL, at->line, at->column);
  v->boolean = b;
  return v;
}

static RfSlValue *make_int(Eval *ev, gint64 i, guint line, guint column) {
  RfSlValue *v = value_new(ev, RF_SL_INT, line, column);
  v->integer = i;
  return v;
}

/* a OP b for + - * // %; NULL after an error. */
static RfSlValue *binary(Eval *ev, const char *op, RfSlValue *a, RfSlValue *b, guint line,
                         guint column) {
  if (a->type == RF_SL_INT && b->type == RF_SL_INT) {
    gint64 r = 0;
    gboolean overflow = FALSE;
    if (g_str_equal(op, "+"))
      overflow = __builtin_add_overflow(a->integer, b->integer, &r);
    else if (g_str_equal(op, "-"))
      overflow = __builtin_sub_overflow(a->integer, b->integer, &r);
    else if (g_str_equal(op, "*"))
      overflow = __builtin_mul_overflow(a->integer, b->integer, &r);
    else {
      if (b->integer == 0) {
        fail(ev, line, column, "division by zero");
        return NULL;
      }
      if (a->integer == G_MININT64 && b->integer == -1) {
        fail(ev, line, column, "integer overflow");
        return NULL;
      }
      /* Starlark's // and % round toward negative infinity. */
      gint64 q = a->integer / b->integer, m = a->integer % b->integer;
      if (m != 0 && ((m < 0) != (b->integer < 0))) {
        q--;
        m += b->integer;
      }
      r = g_str_equal(op, "//") ? q : m;
    }
    if (overflow) {
      fail(ev, line, column, "integer overflow");
      return NULL;
    }
    return make_int(ev, r, line, column);
  }
  if (g_str_equal(op, "+") && a->type == b->type &&
      (a->type == RF_SL_STRING || a->type == RF_SL_LIST)) {
    gsize size = a->type == RF_SL_STRING ? strlen(a->string) + strlen(b->string)
                                         : (a->items->len + b->items->len) * sizeof(void *);
    if (size > RF_SL_MAX_VALUE_BYTES) {
      fail(ev, line, column, "the result of + would be larger than %d bytes",
           RF_SL_MAX_VALUE_BYTES);
      return NULL;
    }
    if (!charge(ev, size, line, column))
      return NULL;
    RfSlValue *r = value_new(ev, a->type, line, column);
    if (a->type == RF_SL_STRING) {
      r->string = g_strconcat(a->string, b->string, NULL);
    } else {
      for (guint i = 0; i < a->items->len; i++)
        g_ptr_array_add(r->items, rf_sl_value_ref(g_ptr_array_index(a->items, i)));
      for (guint i = 0; i < b->items->len; i++)
        g_ptr_array_add(r->items, rf_sl_value_ref(g_ptr_array_index(b->items, i)));
    }
    return r;
  }
  if (g_str_equal(op, "*") && (a->type == RF_SL_INT) != (b->type == RF_SL_INT) &&
      (a->type == RF_SL_STRING || a->type == RF_SL_LIST || b->type == RF_SL_STRING ||
       b->type == RF_SL_LIST)) {
    RfSlValue *seq = a->type == RF_SL_INT ? b : a;
    gint64 n = MAX(0, (a->type == RF_SL_INT ? a : b)->integer);
    gsize unit = seq->type == RF_SL_STRING ? strlen(seq->string) : seq->items->len * sizeof(void *);
    if (unit > 0 && (guint64)n > RF_SL_MAX_VALUE_BYTES / unit) {
      fail(ev, line, column, "the result of * would be larger than %d bytes",
           RF_SL_MAX_VALUE_BYTES);
      return NULL;
    }
    if (!charge(ev, unit * (gsize)n, line, column))
      return NULL;
    RfSlValue *r = value_new(ev, seq->type, line, column);
    if (seq->type == RF_SL_STRING) {
      GString *s = g_string_new(NULL);
      for (gint64 i = 0; i < n; i++)
        g_string_append(s, seq->string);
      r->string = g_string_free(s, FALSE);
    } else {
      for (gint64 i = 0; i < n; i++)
        for (guint j = 0; j < seq->items->len; j++)
          g_ptr_array_add(r->items, rf_sl_value_ref(g_ptr_array_index(seq->items, j)));
    }
    return r;
  }
  fail(ev, line, column, "unsupported operation: %s %s %s", rf_sl_type_name(a->type), op,
       rf_sl_type_name(b->type));
  return NULL;
}

static RfSlValue *parse_expr(Eval *ev, gboolean live);

/* [a, b, ...] */
static RfSlValue *parse_list(Eval *ev, gboolean live) {
  guint line = TOK(ev)->line, column = TOK(ev)->column;
  if (!next_token(&ev->lx))
    return NULL;
  RfSlValue *list = value_new(ev, RF_SL_LIST, line, column);
  while (!is_op(ev, "]")) {
    RfSlValue *item = parse_expr(ev, live);
    if (!item)
      goto fail;
    if (live)
      g_ptr_array_add(list->items, item);
    else
      rf_sl_value_unref(item);
    if (list->items->len * sizeof(void *) > RF_SL_MAX_VALUE_BYTES) {
      fail(ev, line, column, "this list has more than %zu items",
           RF_SL_MAX_VALUE_BYTES / sizeof(void *));
      goto fail;
    }
    if (is_word(ev, "for")) {
      fail(ev, TOK(ev)->line, TOK(ev)->column,
           "comprehensions ([... for ... in ...]) are not supported: write the list out");
      goto fail;
    }
    if (is_op(ev, ",")) {
      if (!next_token(&ev->lx))
        goto fail;
    } else if (!is_op(ev, "]")) {
      fail(ev, TOK(ev)->line, TOK(ev)->column, "expected ',' or ']' in the list, found %s",
           describe(TOK(ev)));
      goto fail;
    }
  }
  if (!next_token(&ev->lx) || (live && !charge(ev, list->items->len * sizeof(void *), line,
                                                column)))
    goto fail;
  return list;
fail:
  rf_sl_value_unref(list);
  return NULL;
}

static gboolean is_function(const Eval *ev, const char *name) {
  return g_strv_contains(ev->functions, name);
}

/* NAME(args...): one of the functions asked for; the call is recorded when live. */
static RfSlValue *parse_call(Eval *ev, gboolean live, char *function, guint line, guint column) {
  g_autofree char *name = function;
  if (!next_token(&ev->lx)) /* the ( */
    return NULL;
  RfSlCall *call = g_new0(RfSlCall, 1);
  call->function = g_strdup(name);
  call->line = line;
  call->column = column;
  call->arguments = g_ptr_array_new_with_free_func(argument_free);
  gboolean keywords = FALSE;
  while (!is_op(ev, ")")) {
    if (is_op(ev, "*") || is_op(ev, "**")) {
      fail(ev, TOK(ev)->line, TOK(ev)->column, "*args and **kwargs are not supported");
      goto fail;
    }
    RfSlArgument *arg = g_new0(RfSlArgument, 1);
    g_ptr_array_add(call->arguments, arg);
    arg->line = TOK(ev)->line;
    arg->column = TOK(ev)->column;
    if (TOK(ev)->type == T_IDENT) {
      /* NAME = value is a keyword argument: look one token ahead. */
      Token ident = *TOK(ev);
      ident.text = g_strdup(TOK(ev)->text);
      LexerMark mark = lexer_mark(&ev->lx);
      if (!next_token(&ev->lx)) {
        g_free(ident.text);
        goto fail;
      }
      if (is_op(ev, "=")) {
        arg->name = ident.text;
        keywords = TRUE;
        if (!next_token(&ev->lx))
          goto fail;
        arg->line = TOK(ev)->line; /* messages point at the value as written in the call */
        arg->column = TOK(ev)->column;
      } else {
        lexer_rewind(&ev->lx, &mark, &ident);
      }
    }
    if (!arg->name && keywords) {
      fail(ev, arg->line, arg->column, "a positional argument cannot follow a keyword argument");
      goto fail;
    }
    arg->value = parse_expr(ev, live);
    if (!arg->value)
      goto fail;
    if (is_op(ev, ",")) {
      if (!next_token(&ev->lx))
        goto fail;
    } else if (!is_op(ev, ")")) {
      fail(ev, TOK(ev)->line, TOK(ev)->column, "expected ',' or ')' in the call to %s, found %s",
           name, describe(TOK(ev)));
      goto fail;
    }
  }
  if (!next_token(&ev->lx))
    goto fail;
  if (live)
    g_ptr_array_add(ev->calls, call);
  else
    rf_sl_call_free(call);
  return value_new(ev, RF_SL_NONE, line, column);
fail:
  rf_sl_call_free(call);
  return NULL;
}

static RfSlValue *parse_primary(Eval *ev, gboolean live) {
  Token *t = TOK(ev);
  guint line = t->line, column = t->column;
  RfSlValue *value = NULL;
  if (t->type == T_STRING) {
    value = value_new(ev, RF_SL_STRING, line, column);
    value->string = g_steal_pointer(&t->text);
    if (live && !charge(ev, strlen(value->string), line, column))
      goto fail;
    if (!next_token(&ev->lx))
      goto fail;
    if (TOK(ev)->type == T_STRING) {
      fail(ev, TOK(ev)->line, TOK(ev)->column,
           "two strings side by side: join them with + (Starlark has no implicit "
           "concatenation)");
      goto fail;
    }
  } else if (t->type == T_INT) {
    value = make_int(ev, t->integer, line, column);
    if (!next_token(&ev->lx))
      goto fail;
  } else if (is_op(ev, "[")) {
    value = parse_list(ev, live);
    if (!value)
      return NULL;
  } else if (is_op(ev, "(")) {
    if (!next_token(&ev->lx))
      return NULL;
    value = parse_expr(ev, live);
    if (!value)
      return NULL;
    if (is_op(ev, ",")) {
      fail(ev, TOK(ev)->line, TOK(ev)->column,
           "tuples are not supported: use a list [...]");
      goto fail;
    }
    if (!expect_op(ev, ")", "to close the parenthesis"))
      goto fail;
  } else if (is_op(ev, "{")) {
    fail(ev, line, column, "dicts and sets ({...}) are not supported in a rules file");
    return NULL;
  } else if (t->type == T_IDENT) {
    const char *word = t->text;
    const char *why = refused_word(word);
    if (why) {
      fail(ev, line, column, "%s", why);
      return NULL;
    }
    if (g_str_equal(word, "True") || g_str_equal(word, "False")) {
      value = make_bool(ev, g_str_equal(word, "True"), t);
    } else if (g_str_equal(word, "None")) {
      value = value_new(ev, RF_SL_NONE, line, column);
    } else if (g_strv_contains((const char *const[]){"if", "elif", "else", "pass", "and", "or",
                                                     "not", "in", NULL},
                               word)) {
      fail(ev, line, column, "expected a value, found '%s'", word);
      return NULL;
    } else {
      char *name = g_steal_pointer(&t->text);
      if (!next_token(&ev->lx)) {
        g_free(name);
        return NULL;
      }
      if (is_op(ev, "(")) {
        if (!is_function(ev, name)) {
          g_autofree char *shown = rf_quote(name, -1);
          g_autofree char *known = g_strjoinv(", ", (char **)ev->functions);
          g_free(name);
          fail(ev, line, column, "unknown function %s: a rules file may call only %s", shown,
               known);
          return NULL;
        }
        value = parse_call(ev, live, name, line, column);
        if (!value)
          return NULL;
      } else if (!live) {
        g_free(name);
        value = dead_value(ev);
      } else {
        RfSlValue *found = g_hash_table_lookup(ev->globals, name);
        if (!found) {
          g_autofree char *shown = rf_quote(name, -1);
          fail(ev, line, column, "%s is not defined (assign it above its first use: %s = ...)",
               shown, name);
          g_free(name);
          return NULL;
        }
        g_free(name);
        value = rf_sl_value_ref(found);
      }
      goto suffix;
    }
    if (!next_token(&ev->lx))
      goto fail;
  } else {
    fail(ev, line, column, "expected a value, found %s", describe(t));
    return NULL;
  }
suffix:
  if (is_op(ev, ".")) {
    fail(ev, TOK(ev)->line, TOK(ev)->column,
         "methods and attributes (.name) are not supported in a rules file");
    goto fail;
  }
  if (is_op(ev, "[")) {
    fail(ev, TOK(ev)->line, TOK(ev)->column,
         "indexing and slicing ([...] after a value) are not supported in a rules file");
    goto fail;
  }
  if (is_op(ev, "(")) {
    fail(ev, TOK(ev)->line, TOK(ev)->column, "only the rule functions can be called");
    goto fail;
  }
  return value;
fail:
  rf_sl_value_unref(value);
  return NULL;
}

static gboolean enter(Eval *ev) {
  if (++ev->nesting > RF_SL_MAX_NESTING)
    return fail(ev, TOK(ev)->line, TOK(ev)->column, "this expression nests deeper than %d",
                RF_SL_MAX_NESTING);
  return TRUE;
}

static RfSlValue *parse_unary(Eval *ev, gboolean live) {
  if (is_op(ev, "-") || is_op(ev, "+")) {
    Token at = *TOK(ev);
    at.text = NULL;
    gboolean minus = is_op(ev, "-");
    if (!enter(ev) || !next_token(&ev->lx))
      return NULL;
    RfSlValue *v = parse_unary(ev, live);
    ev->nesting--;
    if (!v || !live)
      return v;
    if (v->type != RF_SL_INT || (minus && v->integer == G_MININT64)) {
      fail(ev, at.line, at.column, "unary %s needs an integer, not a %s", minus ? "-" : "+",
           rf_sl_type_name(v->type));
      rf_sl_value_unref(v);
      return NULL;
    }
    RfSlValue *r = make_int(ev, minus ? -v->integer : v->integer, at.line, at.column);
    rf_sl_value_unref(v);
    return r;
  }
  if (is_op(ev, "~")) {
    fail(ev, TOK(ev)->line, TOK(ev)->column, "bitwise operators are not supported");
    return NULL;
  }
  return parse_primary(ev, live);
}

static RfSlValue *parse_term(Eval *ev, gboolean live) {
  RfSlValue *a = parse_unary(ev, live);
  while (a && (is_op(ev, "*") || is_op(ev, "//") || is_op(ev, "%") || is_op(ev, "/"))) {
    Token at = *TOK(ev);
    if (is_op(ev, "/")) {
      fail(ev, at.line, at.column, "/ makes a float, which rules files do not have: use //");
      rf_sl_value_unref(a);
      return NULL;
    }
    if (!next_token(&ev->lx)) {
      rf_sl_value_unref(a);
      return NULL;
    }
    RfSlValue *b = parse_unary(ev, live);
    RfSlValue *r = b && live ? binary(ev, at.op, a, b, at.line, at.column) : b;
    if (r && r == b && !live)
      r = rf_sl_value_ref(b);
    rf_sl_value_unref(a);
    rf_sl_value_unref(b);
    a = r;
  }
  return a;
}

static RfSlValue *parse_arith(Eval *ev, gboolean live) {
  RfSlValue *a = parse_term(ev, live);
  while (a && (is_op(ev, "+") || is_op(ev, "-"))) {
    Token at = *TOK(ev);
    if (!next_token(&ev->lx)) {
      rf_sl_value_unref(a);
      return NULL;
    }
    RfSlValue *b = parse_term(ev, live);
    RfSlValue *r = b && live ? binary(ev, at.op, a, b, at.line, at.column) : b;
    if (r && r == b && !live)
      r = rf_sl_value_ref(b);
    rf_sl_value_unref(a);
    rf_sl_value_unref(b);
    a = r;
  }
  if (a && (is_op(ev, "|") || is_op(ev, "&") || is_op(ev, "^") || is_op(ev, "<<") ||
            is_op(ev, ">>") || is_op(ev, "**") || is_op(ev, "@"))) {
    fail(ev, TOK(ev)->line, TOK(ev)->column, "the operator %s is not supported in a rules file",
         TOK(ev)->op);
    rf_sl_value_unref(a);
    return NULL;
  }
  return a;
}

/* a < b and friends; FALSE with an error for types that do not compare. */
static gboolean compare(Eval *ev, const char *op, const RfSlValue *a, const RfSlValue *b,
                        const Token *at, gboolean *result) {
  if (g_str_equal(op, "==") || g_str_equal(op, "!=")) {
    *result = equal(a, b) == g_str_equal(op, "==");
    return TRUE;
  }
  if (g_str_equal(op, "in") || g_str_equal(op, "not in")) {
    gboolean found = FALSE;
    if (b->type == RF_SL_LIST) {
      for (guint i = 0; i < b->items->len && !found; i++)
        found = equal(a, g_ptr_array_index(b->items, i));
    } else if (b->type == RF_SL_STRING && a->type == RF_SL_STRING) {
      found = strstr(b->string, a->string) != NULL;
    } else {
      return fail(ev, at->line, at->column, "'%s' needs a list or two strings, not %s and %s", op,
                  rf_sl_type_name(a->type), rf_sl_type_name(b->type));
    }
    *result = found == g_str_equal(op, "in");
    return TRUE;
  }
  int order;
  if (a->type == RF_SL_INT && b->type == RF_SL_INT)
    order = a->integer < b->integer ? -1 : a->integer > b->integer;
  else if (a->type == RF_SL_STRING && b->type == RF_SL_STRING)
    order = strcmp(a->string, b->string);
  else
    return fail(ev, at->line, at->column, "'%s' compares two integers or two strings, not %s and %s",
                op, rf_sl_type_name(a->type), rf_sl_type_name(b->type));
  *result = g_str_equal(op, "<")    ? order < 0
            : g_str_equal(op, "<=") ? order <= 0
            : g_str_equal(op, ">")  ? order > 0
                                    : order >= 0;
  return TRUE;
}

static RfSlValue *parse_comparison(Eval *ev, gboolean live) {
  RfSlValue *a = parse_arith(ev, live);
  if (!a)
    return NULL;
  static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">=", NULL};
  const char *op = NULL;
  Token at = *TOK(ev);
  at.text = NULL;
  if (TOK(ev)->type == T_OP && g_strv_contains(ops, TOK(ev)->op))
    op = TOK(ev)->op;
  else if (is_word(ev, "in"))
    op = "in";
  else if (is_word(ev, "not"))
    op = "not in";
  if (!op)
    return a;
  const char *op_static = g_intern_string(op);
  if (!next_token(&ev->lx) ||
      (g_str_equal(op_static, "not in") && !is_word(ev, "in") &&
       !fail(ev, TOK(ev)->line, TOK(ev)->column, "expected 'in' after 'not'")) ||
      (g_str_equal(op_static, "not in") && !next_token(&ev->lx))) {
    rf_sl_value_unref(a);
    return NULL;
  }
  RfSlValue *b = parse_arith(ev, live);
  if (!b) {
    rf_sl_value_unref(a);
    return NULL;
  }
  RfSlValue *r = NULL;
  gboolean result = FALSE;
  if (!live)
    r = dead_value(ev);
  else if (compare(ev, op_static, a, b, &at, &result))
    r = make_bool(ev, result, &at);
  rf_sl_value_unref(a);
  rf_sl_value_unref(b);
  if (r && TOK(ev)->type == T_OP && g_strv_contains(ops, TOK(ev)->op)) {
    fail(ev, TOK(ev)->line, TOK(ev)->column,
         "comparisons do not chain in Starlark: join them with and");
    rf_sl_value_unref(r);
    return NULL;
  }
  return r;
}

static RfSlValue *parse_not(Eval *ev, gboolean live) {
  if (!is_word(ev, "not"))
    return parse_comparison(ev, live);
  Token at = *TOK(ev);
  at.text = NULL;
  if (!enter(ev) || !next_token(&ev->lx))
    return NULL;
  RfSlValue *v = parse_not(ev, live);
  ev->nesting--;
  if (!v)
    return NULL;
  RfSlValue *r = live ? make_bool(ev, !truthy(v), &at) : dead_value(ev);
  rf_sl_value_unref(v);
  return r;
}

/* a and b / a or b: the second is evaluated only when needed; the value is an operand's. */
static RfSlValue *parse_logic(Eval *ev, gboolean live, gboolean is_or) {
  RfSlValue *a = is_or ? parse_logic(ev, live, FALSE) : parse_not(ev, live);
  while (a && is_word(ev, is_or ? "or" : "and")) {
    if (!next_token(&ev->lx)) {
      rf_sl_value_unref(a);
      return NULL;
    }
    gboolean need = live && (truthy(a) != is_or);
    RfSlValue *b = is_or ? parse_logic(ev, need, FALSE) : parse_not(ev, need);
    if (!b) {
      rf_sl_value_unref(a);
      return NULL;
    }
    if (need) {
      rf_sl_value_unref(a);
      a = b;
    } else {
      rf_sl_value_unref(b);
    }
  }
  return a;
}

static RfSlValue *parse_expr(Eval *ev, gboolean live) {
  if (!enter(ev))
    return NULL;
  if (is_word(ev, "lambda")) {
    fail(ev, TOK(ev)->line, TOK(ev)->column, "%s", refused_word("lambda"));
    return NULL;
  }
  RfSlValue *v = parse_logic(ev, live, TRUE);
  ev->nesting--;
  if (v && is_word(ev, "if")) {
    fail(ev, TOK(ev)->line, TOK(ev)->column,
         "conditional expressions (A if C else B) are not supported: use an if statement");
    rf_sl_value_unref(v);
    return NULL;
  }
  return v;
}

/* ---- Statements ----------------------------------------------------------------------- */

static gboolean parse_statement(Eval *ev, gboolean live);

static gboolean count_statement(Eval *ev) {
  if (++ev->statements > RF_SL_MAX_STATEMENTS)
    return fail(ev, TOK(ev)->line, TOK(ev)->column, "this file has more than %d statements",
                RF_SL_MAX_STATEMENTS);
  return TRUE;
}

static void set_global(Eval *ev, const char *name, RfSlValue *value) {
  g_hash_table_replace(ev->globals, g_strdup(name), value);
}

/* pass | NAME = expr | NAME += expr | expr */
static gboolean parse_small(Eval *ev, gboolean live) {
  if (!count_statement(ev))
    return FALSE;
  if (is_word(ev, "pass"))
    return next_token(&ev->lx);
  if (TOK(ev)->type == T_IDENT && !refused_word(TOK(ev)->text)) {
    /* An assignment?  Look one token ahead, then come back if not. */
    Token name = *TOK(ev);
    name.text = g_strdup(TOK(ev)->text);
    LexerMark mark = lexer_mark(&ev->lx);
    if (!next_token(&ev->lx)) {
      g_free(name.text);
      return FALSE;
    }
    static const char *const augmented[] = {"+=", "-=", "*=", "//=", "%=", NULL};
    gboolean plain = is_op(ev, "=");
    gboolean aug = TOK(ev)->type == T_OP && g_strv_contains(augmented, TOK(ev)->op);
    if (is_op(ev, ",")) {
      g_free(name.text);
      return fail(ev, TOK(ev)->line, TOK(ev)->column,
                  "assigning several names at once is not supported: one name per assignment");
    }
    if (plain || aug) {
      g_autofree char *target = name.text;
      char op[4] = {0};
      if (aug)
        g_strlcpy(op, TOK(ev)->op, strlen(TOK(ev)->op));
      static const char *const constants[] = {"True", "False", "None", "if", "elif", "else",
                                              "pass", "and", "or", "not", "in", NULL};
      if (g_strv_contains(constants, target) || is_function(ev, target))
        return fail(ev, name.line, name.column, "cannot assign to %s", target);
      if (!next_token(&ev->lx))
        return FALSE;
      RfSlValue *value = parse_expr(ev, live);
      if (!value)
        return FALSE;
      if (!live) {
        rf_sl_value_unref(value);
        return TRUE;
      }
      if (aug) {
        RfSlValue *old = g_hash_table_lookup(ev->globals, target);
        if (!old) {
          rf_sl_value_unref(value);
          return fail(ev, name.line, name.column, "%s is not defined (assign it first: %s = ...)",
                      target, target);
        }
        RfSlValue *sum = binary(ev, op, old, value, name.line, name.column);
        rf_sl_value_unref(value);
        if (!sum)
          return FALSE;
        value = sum;
      }
      set_global(ev, target, value);
      return TRUE;
    }
    /* Not an assignment: back to the name. */
    lexer_rewind(&ev->lx, &mark, &name);
  }
  RfSlValue *value = parse_expr(ev, live);
  if (!value)
    return FALSE;
  rf_sl_value_unref(value);
  if (is_op(ev, "="))
    return fail(ev, TOK(ev)->line, TOK(ev)->column, "only a name can be assigned to");
  return TRUE;
}

/* small { ; small } [;] NEWLINE */
static gboolean parse_simple_line(Eval *ev, gboolean live) {
  if (!parse_small(ev, live))
    return FALSE;
  while (is_op(ev, ";")) {
    if (!next_token(&ev->lx))
      return FALSE;
    if (TOK(ev)->type == T_NEWLINE || TOK(ev)->type == T_EOF)
      break;
    if (!parse_small(ev, live))
      return FALSE;
  }
  if (TOK(ev)->type == T_EOF)
    return TRUE;
  if (TOK(ev)->type != T_NEWLINE)
    return fail(ev, TOK(ev)->line, TOK(ev)->column,
                "expected the end of the statement (a new line or ';'), found %s",
                describe(TOK(ev)));
  return next_token(&ev->lx);
}

static gboolean parse_suite(Eval *ev, gboolean live) {
  if (++ev->blocks > RF_SL_MAX_BLOCK_DEPTH)
    return fail(ev, TOK(ev)->line, TOK(ev)->column, "if blocks nest deeper than %d",
                RF_SL_MAX_BLOCK_DEPTH);
  gboolean ok;
  if (TOK(ev)->type == T_NEWLINE) {
    if (!next_token(&ev->lx))
      return FALSE;
    if (TOK(ev)->type != T_INDENT)
      return fail(ev, TOK(ev)->line, TOK(ev)->column,
                  "expected an indented block after ':', found %s", describe(TOK(ev)));
    ok = next_token(&ev->lx);
    while (ok && TOK(ev)->type != T_DEDENT && TOK(ev)->type != T_EOF)
      ok = parse_statement(ev, live);
    if (ok && TOK(ev)->type == T_DEDENT)
      ok = next_token(&ev->lx);
  } else {
    ok = parse_simple_line(ev, live);
  }
  ev->blocks--;
  return ok;
}

static gboolean parse_condition(Eval *ev, gboolean live, gboolean *taken) {
  if (!next_token(&ev->lx)) /* if / elif */
    return FALSE;
  RfSlValue *cond = parse_expr(ev, live);
  if (!cond)
    return FALSE;
  *taken = live && truthy(cond);
  rf_sl_value_unref(cond);
  return expect_op(ev, ":", "after the condition");
}

static gboolean parse_if(Eval *ev, gboolean live) {
  if (!count_statement(ev))
    return FALSE;
  gboolean taken = FALSE, done = FALSE;
  if (!parse_condition(ev, live, &taken) || !parse_suite(ev, taken))
    return FALSE;
  done = taken;
  while (is_word(ev, "elif")) {
    if (!parse_condition(ev, live && !done, &taken) || !parse_suite(ev, taken))
      return FALSE;
    done = done || taken;
  }
  if (is_word(ev, "else")) {
    if (!next_token(&ev->lx) || !expect_op(ev, ":", "after else") ||
        !parse_suite(ev, live && !done))
      return FALSE;
  }
  return TRUE;
}

static gboolean parse_statement(Eval *ev, gboolean live) {
  Token *t = TOK(ev);
  if (t->type == T_INDENT)
    return fail(ev, t->line, t->column, "unexpected indentation");
  if (t->type == T_NEWLINE)
    return next_token(&ev->lx);
  if (t->type == T_IDENT) {
    if (g_str_equal(t->text, "if"))
      return parse_if(ev, live);
    if (g_str_equal(t->text, "elif") || g_str_equal(t->text, "else"))
      return fail(ev, t->line, t->column, "'%s' without an if above it at the same indentation",
                  t->text);
    const char *why = refused_word(t->text);
    if (why)
      return fail(ev, t->line, t->column, "%s", why);
  }
  return parse_simple_line(ev, live);
}

GPtrArray *rf_starlark_eval(const char *name, const char *data, gsize length,
                            const char *const *functions, GError **error) {
  if (length > RF_SL_MAX_FILE_BYTES) {
    g_autofree char *file = rf_path_excerpt(name);
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                "%s: the file is %" G_GSIZE_FORMAT " bytes, more than a rules file may hold (%d)",
                file, length, RF_SL_MAX_FILE_BYTES);
    return NULL;
  }
  Eval ev = {.lx = {.name = name,
                    .p = data,
                    .end = data + length,
                    .line = 1,
                    .column = 1,
                    .line_start = TRUE,
                    .error = error},
             .functions = functions};
  ev.lx.indents = g_array_new(FALSE, TRUE, sizeof(int));
  int zero = 0;
  g_array_append_val(ev.lx.indents, zero);
  ev.globals = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify)rf_sl_value_unref);
  ev.calls = g_ptr_array_new_with_free_func((GDestroyNotify)rf_sl_call_free);
  gboolean ok = next_token(&ev.lx);
  while (ok && TOK(&ev)->type != T_EOF)
    ok = parse_statement(&ev, TRUE);
  g_clear_pointer(&ev.lx.tok.text, g_free);
  g_array_unref(ev.lx.indents);
  g_hash_table_unref(ev.globals);
  if (!ok) {
    g_ptr_array_unref(ev.calls);
    return NULL;
  }
  return ev.calls;
}
