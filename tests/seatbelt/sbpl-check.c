/* sbpl-check.c: parses generated SBPL into a tree and checks its structure, vocabulary, parameters and write rules. */
#include "sbpl-check.h"

#include "apple-vocabulary.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { NODE_LIST, NODE_SYMBOL, NODE_STRING, NODE_REGEX } node_kind;

typedef struct node {
  node_kind kind;
  char *text; /* symbol or string contents */
  struct node **kids;
  size_t n;
  int line;
} node;

typedef struct {
  const char *src;
  size_t pos;
  int line;
  char *err;
  size_t err_len;
  int failed;
  const char *const *keys;
  size_t n_keys;
  int *key_used;
} checker;

__attribute__((format(printf, 3, 4)))
static void fail(checker *c, int line, const char *fmt, ...) {
  if (c->failed)
    return;
  c->failed = 1;
  char message[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  snprintf(c->err, c->err_len, "line %d: %s", line, message);
}

static node *node_new(node_kind kind, int line) {
  node *n = calloc(1, sizeof *n);
  n->kind = kind;
  n->line = line;
  return n;
}

static void node_free(node *n) {
  if (!n)
    return;
  for (size_t i = 0; i < n->n; i++)
    node_free(n->kids[i]);
  free(n->kids);
  free(n->text);
  free(n);
}

static void node_add(node *list, node *kid) {
  list->kids = realloc(list->kids, (list->n + 1) * sizeof(*list->kids));
  list->kids[list->n++] = kid;
}

/* ---- reader ----------------------------------------------------------- */

static void skip_space(checker *c) {
  for (;;) {
    char ch = c->src[c->pos];
    if (ch == '\n') {
      c->line++;
      c->pos++;
    } else if (ch == ' ' || ch == '\t') {
      c->pos++;
    } else if (ch == ';') {
      while (c->src[c->pos] && c->src[c->pos] != '\n')
        c->pos++;
    } else if (ch == '\r' || ch == '\f' || ch == '\v') {
      fail(c, c->line, "unexpected control character 0x%02x", (unsigned char)ch);
      return;
    } else {
      return;
    }
  }
}

static node *read_form(checker *c);

static node *read_string(checker *c, int raw) {
  node *n = node_new(raw ? NODE_REGEX : NODE_STRING, c->line);
  size_t cap = 16, len = 0;
  char *text = malloc(cap);
  for (;;) {
    char ch = c->src[c->pos++];
    if (ch == '\0') {
      fail(c, n->line, "unterminated string");
      break;
    }
    if (ch == '"')
      break;
    if (ch == '\n') {
      fail(c, c->line, "newline inside a string");
      break;
    }
    if (ch == '\\' && !raw) {
      char next = c->src[c->pos++];
      if (next != '"' && next != '\\') {
        fail(c, c->line, "unexpected escape \\%c in a string", next ? next : '0');
        break;
      }
      ch = next;
    }
    if (len + 2 > cap)
      text = realloc(text, cap *= 2);
    text[len++] = ch;
  }
  text[len] = '\0';
  n->text = text;
  return n;
}

static node *read_form(checker *c) {
  skip_space(c);
  char ch = c->src[c->pos];
  if (c->failed || ch == '\0')
    return NULL;
  if (ch == ')') {
    fail(c, c->line, "unbalanced ')'");
    return NULL;
  }
  if (ch == '(') {
    node *list = node_new(NODE_LIST, c->line);
    c->pos++;
    for (;;) {
      skip_space(c);
      if (c->failed) {
        node_free(list);
        return NULL;
      }
      if (c->src[c->pos] == '\0') {
        fail(c, list->line, "form opened here is never closed");
        node_free(list);
        return NULL;
      }
      if (c->src[c->pos] == ')') {
        c->pos++;
        return list;
      }
      node *kid = read_form(c);
      if (!kid) {
        node_free(list);
        return NULL;
      }
      node_add(list, kid);
    }
  }
  if (ch == '"') {
    c->pos++;
    return read_string(c, 0);
  }
  if (ch == '#' && c->src[c->pos + 1] == '"') {
    c->pos += 2;
    return read_string(c, 1);
  }
  node *sym = node_new(NODE_SYMBOL, c->line);
  size_t start = c->pos;
  while (c->src[c->pos] && !isspace((unsigned char)c->src[c->pos]) &&
         !strchr("()\";#", c->src[c->pos]))
    c->pos++;
  if (c->pos == start) {
    fail(c, c->line, "unexpected character '%c'", ch);
    node_free(sym);
    return NULL;
  }
  sym->text = strndup(c->src + start, c->pos - start);
  return sym;
}

/* ---- vocabulary ------------------------------------------------------- */

static const char *const operations[] = {
    "default",         "file-read*",         "file-read-data",     "file-read-metadata",
    "file-write*",     "file-write-data",    "file-write-unlink",  "file-write-create",
    "file-ioctl",      "file-link",          "file-map-executable", "process-exec",
    "process-fork",    "process-info*",      "signal",             "sysctl-read",
    "mach-lookup",     "mach-priv-task-port", "ipc-posix-sem",     "pseudo-tty",
    "network-outbound", "network-inbound",   "network-bind",       "system-socket",
    "sysctl-write",    "ipc-posix-shm-read*", "ipc-posix-shm-read-data", "ipc-posix-shm-write-create",
    "ipc-posix-shm-write-unlink", "user-preference-read", "system-fcntl",
    NULL};

/* Operations that change the file system: an allow of one of these must be
 * confined to writable roots or devices. */
static const char *const write_operations[] = {
    "file-write*", "file-write-data", "file-write-unlink", "file-write-create", "file-link", NULL};

static int in_list(const char *const *list, const char *word) {
  for (; *list; list++)
    if (strcmp(*list, word) == 0)
      return 1;
  return 0;
}

static int is_symbol(const node *n, const char *text) {
  return n && n->kind == NODE_SYMBOL && strcmp(n->text, text) == 0;
}

static int head_is(const node *n, const char *text) {
  return n && n->kind == NODE_LIST && n->n > 0 && is_symbol(n->kids[0], text);
}

/* (param "KEY"): returns the key or NULL. */
static const char *param_key(checker *c, const node *n) {
  if (!head_is(n, "param"))
    return NULL;
  if (n->n != 2 || n->kids[1]->kind != NODE_STRING) {
    fail(c, n->line, "(param ...) takes one string");
    return NULL;
  }
  const char *key = n->kids[1]->text;
  for (size_t i = 0; i < c->n_keys; i++) {
    if (strcmp(c->keys[i], key) == 0) {
      c->key_used[i] = 1;
      return key;
    }
  }
  fail(c, n->line, "(param \"%s\") is not defined by any -D parameter", key);
  return key;
}

static int is_number(const node *n) {
  if (n->kind != NODE_SYMBOL || !*n->text)
    return 0;
  for (const char *p = n->text; *p; p++)
    if (!isdigit((unsigned char)*p))
      return 0;
  return 1;
}

static void check_path_arg(checker *c, const node *filter) {
  if (filter->n != 2) {
    fail(c, filter->line, "(%s ...) takes one path", filter->kids[0]->text);
    return;
  }
  const node *arg = filter->kids[1];
  if (arg->kind == NODE_STRING) {
    if (arg->text[0] != '/' || strstr(arg->text, "/../") || strstr(arg->text, "//"))
      fail(c, arg->line, "path \"%s\" is not absolute and canonical", arg->text);
    return;
  }
  if (!param_key(c, arg))
    fail(c, arg->line, "(%s ...) takes a string or (param ...)", filter->kids[0]->text);
}

static void check_filter(checker *c, const node *f);

static void check_filters(checker *c, const node *list, size_t from) {
  for (size_t i = from; i < list->n && !c->failed; i++)
    check_filter(c, list->kids[i]);
}

static void check_filter(checker *c, const node *f) {
  if (f->kind != NODE_LIST || f->n == 0 || f->kids[0]->kind != NODE_SYMBOL) {
    fail(c, f->line, "expected a filter form");
    return;
  }
  const char *name = f->kids[0]->text;
  if (!apple_vocabulary_filter(name)) {
    fail(c, f->line, "unknown filter '%s': no Apple profile uses it (tests/seatbelt/apple-vocabulary.c)",
         name);
    return;
  }
  if (!strcmp(name, "require-all") || !strcmp(name, "require-any")) {
    if (f->n < 2)
      fail(c, f->line, "(%s) with no filter", name);
    check_filters(c, f, 1);
  } else if (!strcmp(name, "require-not")) {
    if (f->n != 2)
      fail(c, f->line, "(require-not ...) takes exactly one filter");
    check_filters(c, f, 1);
  } else if (!strcmp(name, "subpath") || !strcmp(name, "literal")) {
    check_path_arg(c, f);
  } else if (!strcmp(name, "regex")) {
    if (f->n != 2)
      fail(c, f->line, "(regex ...) takes one regex");
    else if (f->kids[1]->kind == NODE_REGEX) {
      if (f->kids[1]->text[0] != '^')
        fail(c, f->line, "regex #\"%s\" is not anchored with ^", f->kids[1]->text);
    } else if (!param_key(c, f->kids[1]))
      fail(c, f->line, "(regex ...) takes #\"...\" or (param ...)");
  } else if (!strcmp(name, "target")) {
    if (f->n != 2 || !(is_symbol(f->kids[1], "same-sandbox") || is_symbol(f->kids[1], "self")))
      fail(c, f->line, "(target ...) must be same-sandbox or self");
  } else if (!strcmp(name, "sysctl-name") || !strcmp(name, "sysctl-name-prefix") ||
             !strcmp(name, "global-name") || !strcmp(name, "local-name") ||
             !strcmp(name, "extension") || !strcmp(name, "control-name") ||
             !strcmp(name, "ipc-posix-name-prefix")) {
    if (f->n != 2 || f->kids[1]->kind != NODE_STRING || !*f->kids[1]->text)
      fail(c, f->line, "(%s ...) takes one non-empty string", name);
  } else if (!strcmp(name, "xpc-service-name-prefix")) {
    /* Only the empty prefix, in a deny: every XPC service. */
    if (f->n != 2 || f->kids[1]->kind != NODE_STRING || f->kids[1]->text[0])
      fail(c, f->line, "(xpc-service-name-prefix ...) is only emitted as \"\" (all of them)");
  } else if (!strcmp(name, "ipc-posix-name-regex")) {
    if (f->n != 2 || f->kids[1]->kind != NODE_REGEX || f->kids[1]->text[0] != '^')
      fail(c, f->line, "(ipc-posix-name-regex ...) takes one #\"^...\" regex");
  } else if (!strcmp(name, "fcntl-command")) {
    if (f->n < 2)
      fail(c, f->line, "(fcntl-command) with no command");
    for (size_t i = 1; i < f->n; i++)
      if (!is_number(f->kids[i]))
        fail(c, f->line, "(fcntl-command ...) takes numbers");
  } else if (!strcmp(name, "vnode-type") || !strcmp(name, "socket-domain")) {
    if (f->n != 2 || f->kids[1]->kind != NODE_SYMBOL)
      fail(c, f->line, "(%s ...) takes one symbol", name);
  } else if (!strcmp(name, "socket-protocol")) {
    if (f->n != 2 || !is_number(f->kids[1]))
      fail(c, f->line, "(socket-protocol ...) takes one number");
  } else if (!strcmp(name, "remote") || !strcmp(name, "local")) {
    if (f->n < 2 || f->n > 3 ||
        !(is_symbol(f->kids[1], "ip") || is_symbol(f->kids[1], "tcp") ||
          is_symbol(f->kids[1], "udp")) ||
        (f->n == 3 && f->kids[2]->kind != NODE_STRING))
      fail(c, f->line, "(%s ...) takes ip, tcp or udp and an optional address", name);
  } else {
    fail(c, f->line, "unknown filter '%s'", name);
  }
}

/* ---- write confinement ------------------------------------------------ */

static int names_writable_root(const node *f) {
  if (!head_is(f, "subpath") || f->n != 2 || !head_is(f->kids[1], "param"))
    return 0;
  const node *p = f->kids[1];
  if (p->n != 2 || p->kids[1]->kind != NODE_STRING)
    return 0;
  const char *key = p->kids[1]->text;
  const char *prefix = "WRITABLE_ROOT_";
  if (strncmp(key, prefix, strlen(prefix)) != 0)
    return 0;
  const char *digits = key + strlen(prefix);
  if (!*digits)
    return 0;
  for (; *digits; digits++)
    if (!isdigit((unsigned char)*digits))
      return 0;
  return 1;
}

static int names_device(const node *f) {
  if ((head_is(f, "literal") || head_is(f, "regex")) && f->n == 2 &&
      (f->kids[1]->kind == NODE_STRING || f->kids[1]->kind == NODE_REGEX)) {
    const char *text = f->kids[1]->text;
    return strncmp(text, "/dev/", 5) == 0 || strncmp(text, "^/dev/", 6) == 0;
  }
  return 0;
}

/* A filter that can only match inside a writable root or /dev. */
static int confined_filter(const node *f) {
  if (names_writable_root(f) || names_device(f))
    return 1;
  if (head_is(f, "require-all"))
    for (size_t i = 1; i < f->n; i++)
      if (confined_filter(f->kids[i]))
        return 1;
  if (head_is(f, "require-any")) {
    for (size_t i = 1; i < f->n; i++)
      if (!confined_filter(f->kids[i]))
        return 0;
    return f->n > 1;
  }
  return 0;
}

/* ---- rules ------------------------------------------------------------ */

static void check_rule(checker *c, const node *rule, int *seen_deny) {
  int allow = is_symbol(rule->kids[0], "allow");
  if (allow && *seen_deny)
    fail(c, rule->line, "allow after a deny: the denials must come last to win");
  if (!allow)
    *seen_deny = 1;
  size_t i = 1;
  int writes = 0;
  for (; i < rule->n && rule->kids[i]->kind == NODE_SYMBOL; i++) {
    const char *op = rule->kids[i]->text;
    if (!in_list(operations, op))
      fail(c, rule->line, "unknown operation '%s'", op);
    else if (!apple_vocabulary_operation(op))
      fail(c, rule->line,
           "unknown operation '%s': no Apple profile uses it (tests/seatbelt/apple-vocabulary.c)", op);
    if (allow && !strcmp(op, "default"))
      fail(c, rule->line, "(allow default) would undo the whole profile");
    writes |= in_list(write_operations, op);
  }
  if (i == 1)
    fail(c, rule->line, "rule without an operation");
  if (i < rule->n && head_is(rule->kids[i], "with")) {
    const node *with = rule->kids[i];
    if (allow || with->n != 3 || !is_symbol(with->kids[1], "message") ||
        with->kids[2]->kind != NODE_STRING ||
        strncmp(with->kids[2]->text, "ringfence-", 10) != 0)
      fail(c, with->line, "only deny rules carry (with message \"ringfence-...\")");
    i++;
  }
  size_t first_filter = i;
  check_filters(c, rule, first_filter);
  if (allow && writes) {
    if (first_filter == rule->n)
      fail(c, rule->line, "a write is allowed everywhere");
    for (size_t j = first_filter; j < rule->n; j++)
      if (!confined_filter(rule->kids[j]))
        fail(c, rule->kids[j]->line,
             "a write is allowed outside the writable roots and /dev");
  }
}

int sbpl_check(const char *profile, const char *const *keys, size_t n_keys, char *err,
               size_t err_len) {
  checker c = {.src = profile, .line = 1, .err = err, .err_len = err_len, .keys = keys,
               .n_keys = n_keys};
  c.key_used = calloc(n_keys + 1, sizeof(int));
  size_t n_forms = 0;
  int seen_deny = 0;
  for (;;) {
    node *form = read_form(&c);
    if (!form)
      break;
    if (form->kind != NODE_LIST || form->n == 0 || form->kids[0]->kind != NODE_SYMBOL) {
      fail(&c, form->line, "top level holds only (version ...), (allow ...) and (deny ...)");
    } else if (n_forms == 0) {
      if (!head_is(form, "version") || form->n != 2 || !is_symbol(form->kids[1], "1"))
        fail(&c, form->line, "the profile must open with (version 1)");
    } else if (n_forms == 1) {
      if (!head_is(form, "deny") || form->n != 3 || !is_symbol(form->kids[1], "default"))
        fail(&c, form->line, "(deny default (with message ...)) must follow (version 1)");
      else
        check_rule(&c, form, &seen_deny);
      seen_deny = 0; /* the default denial is not a last-match override */
    } else if (head_is(form, "allow") || head_is(form, "deny")) {
      check_rule(&c, form, &seen_deny);
    } else {
      fail(&c, form->line, "unknown top-level form '%s'", form->kids[0]->text);
    }
    n_forms++;
    node_free(form);
    if (c.failed)
      break;
  }
  if (!c.failed && n_forms < 2)
    fail(&c, c.line, "the profile is empty");
  for (size_t i = 0; i < n_keys && !c.failed; i++)
    if (!c.key_used[i])
      fail(&c, c.line, "parameter %s is defined but never referenced", keys[i]);
  free(c.key_used);
  return c.failed ? -1 : 0;
}
