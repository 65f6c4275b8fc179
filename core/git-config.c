/* git-config.c: reading git config files the way git does, to learn what git on the host would run or read. */
#include "git-config.h"

#include "safe-read.h"

#include <ringfence/ringfence.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- the syntax (git's config.c, as documented in git-config(1)) --------------------- */

typedef struct {
  const char *p, *end;
  gboolean eof;
} Cursor;

/* The next character, "\r\n" read as '\n', and '\n' once at the end. */
static int next_char(Cursor *c) {
  if (c->p >= c->end) {
    c->eof = TRUE;
    return '\n';
  }
  int ch = (unsigned char)*c->p++;
  if (ch == '\r' && c->p < c->end && *c->p == '\n')
    ch = *c->p++;
  return ch;
}

static void skip_line(Cursor *c, int ch) {
  while (ch != '\n')
    ch = next_char(c);
}

static gboolean is_key_char(int ch) {
  return g_ascii_isalnum(ch) || ch == '-';
}

/* A value up to the end of its line (or lines, with '\' continuations); NULL when git would
 * reject it (an unterminated quote, an unknown escape). *|ch| is the last character read. */
static char *parse_value(Cursor *c, int *last) {
  GString *value = g_string_new(NULL);
  gboolean quote = FALSE, comment = FALSE;
  guint space = 0;
  for (;;) {
    int ch = next_char(c);
    *last = ch;
    if (ch == '\n') {
      if (quote)
        break;
      return g_string_free(value, FALSE);
    }
    if (comment)
      continue;
    if (g_ascii_isspace(ch) && !quote) {
      if (value->len)
        space++;
      continue;
    }
    if (!quote && (ch == ';' || ch == '#')) {
      comment = TRUE;
      continue;
    }
    for (; space; space--)
      g_string_append_c(value, ' ');
    if (ch == '\\') {
      ch = next_char(c);
      *last = ch;
      switch (ch) {
      case '\n':
        if (c->eof)
          goto bad;
        continue;
      case 't':
        ch = '\t';
        break;
      case 'b':
        ch = '\b';
        break;
      case 'n':
        ch = '\n';
        break;
      case '\\':
      case '"':
        break;
      default:
        goto bad;
      }
      g_string_append_c(value, (char)ch);
      continue;
    }
    if (ch == '"') {
      quote = !quote;
      continue;
    }
    g_string_append_c(value, (char)ch);
  }
bad:
  g_string_free(value, TRUE);
  return NULL;
}

/* "[section]" or "[section "subsection"]" after the '['; FALSE when git would reject it. */
static gboolean parse_section(Cursor *c, GString *section) {
  g_string_truncate(section, 0);
  for (;;) {
    int ch = next_char(c);
    if (c->eof || ch == '\n')
      return FALSE;
    if (ch == ']')
      return section->len > 0;
    if (g_ascii_isspace(ch)) {
      do
        ch = next_char(c);
      while (ch != '\n' && g_ascii_isspace(ch));
      if (ch != '"')
        return FALSE;
      g_string_append_c(section, '.');
      for (;;) {
        ch = next_char(c);
        if (ch == '\n')
          return FALSE;
        if (ch == '"')
          break;
        if (ch == '\\') {
          ch = next_char(c);
          if (ch == '\n')
            return FALSE;
        }
        g_string_append_c(section, (char)ch);
      }
      return next_char(c) == ']';
    }
    if (!is_key_char(ch) && ch != '.')
      return FALSE;
    g_string_append_c(section, g_ascii_tolower((char)ch));
  }
}

void rf_git_config_parse(const char *file, const char *text, gsize len, RfGitConfigFunc fn,
                         gpointer data) {
  Cursor c = {.p = text, .end = text + len};
  if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
    c.p += 3;
  g_autoptr(GString) section = g_string_new(NULL);
  g_autoptr(GString) key = g_string_new(NULL);
  gboolean comment = FALSE;
  for (;;) {
    int ch = next_char(&c);
    if (ch == '\n') {
      if (c.eof)
        return;
      comment = FALSE;
      continue;
    }
    if (comment || g_ascii_isspace(ch))
      continue;
    if (ch == '#' || ch == ';') {
      comment = TRUE;
      continue;
    }
    if (ch == '[') {
      if (!parse_section(&c, section)) {
        g_string_truncate(section, 0);
        comment = TRUE; /* the rest of the line */
      }
      continue;
    }
    if (!g_ascii_isalpha(ch) || section->len == 0) {
      comment = TRUE;
      continue;
    }
    g_string_assign(key, section->str);
    g_string_append_c(key, '.');
    while (is_key_char(ch)) {
      g_string_append_c(key, g_ascii_tolower((char)ch));
      ch = next_char(&c);
    }
    while (ch == ' ' || ch == '\t')
      ch = next_char(&c);
    if (ch == '\n') {
      fn(file, key->str, NULL, data);
      if (c.eof)
        return;
      continue;
    }
    if (ch != '=') {
      skip_line(&c, ch);
      if (c.eof)
        return;
      continue;
    }
    int last = 0;
    g_autofree char *value = parse_value(&c, &last);
    if (value)
      fn(file, key->str, value, data);
    else
      skip_line(&c, last);
    if (c.eof)
      return;
  }
}

/* ---- files and includes ------------------------------------------------------------ */

char *rf_git_expand_home(const char *path) {
  if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
    return g_build_filename(g_get_home_dir(), path + 1, NULL);
  return g_strdup(path);
}

typedef struct {
  RfGitConfigFunc fn;
  gpointer data;
  GPtrArray *included;
  GHashTable *seen; /* canonical paths read */
  guint files;
  guint depth;  /* of the file being parsed */
  GError *error; /* set: stop */
} Reader;

static gboolean read_file(Reader *r, const char *file, const char *includer);

static gboolean is_include_key(const char *key) {
  if (g_str_equal(key, "include.path"))
    return TRUE;
  return g_str_has_prefix(key, "includeif.") && g_str_has_suffix(key, ".path") &&
         strlen(key) > strlen("includeif..path");
}

static char *canonical(const char *path) {
  char *real = realpath(path, NULL);
  if (!real)
    return g_canonicalize_filename(path, NULL);
  char *copy = g_strdup(real);
  free(real);
  return copy;
}

/* Each entry, and an include where it stands, as git reads it. */
static void on_entry(const char *file, const char *key, const char *value, gpointer data) {
  Reader *r = data;
  if (r->error)
    return;
  r->fn(file, key, value, r->data);
  if (!value || !*value || !is_include_key(key))
    return;
  g_autofree char *expanded = rf_git_expand_home(value);
  g_autofree char *base = g_path_get_dirname(file);
  g_autofree char *path =
      g_path_is_absolute(expanded) ? g_strdup(expanded) : g_build_filename(base, expanded, NULL);
  if (r->included)
    g_ptr_array_add(r->included, g_strdup(path));
  if (r->depth + 1 > RF_GIT_INCLUDE_DEPTH && g_file_test(path, G_FILE_TEST_EXISTS)) {
    g_set_error(&r->error, RF_ERROR, RF_ERROR_CONFIG,
                "git config file %s includes %s more than %d levels deep (git itself stops "
                "there)",
                file, path, RF_GIT_INCLUDE_DEPTH);
    return;
  }
  r->depth++;
  read_file(r, path, file);
  r->depth--;
}

static gboolean read_file(Reader *r, const char *file, const char *includer) {
  g_autofree char *real = canonical(file);
  if (g_hash_table_contains(r->seen, real))
    return TRUE;
  g_autofree char *text = NULL;
  gsize len = 0;
  GError *local = NULL;
  int rc = rf_safe_read_file(file, "git config file", RF_READ_MAX_GIT_CONFIG, RF_READ_FOLLOW,
                             &text, &len, &local);
  if (rc == -ENOENT || rc == -ENOTDIR) {
    g_error_free(local);
    return TRUE; /* git skips a missing file too */
  }
  if (rc < 0) {
    if (includer)
      g_prefix_error(&local, "%s includes %s, and ", includer, file);
    r->error = local;
    return FALSE;
  }
  g_hash_table_add(r->seen, g_strdup(real));
  if (++r->files > RF_GIT_INCLUDE_FILES + 1) {
    g_set_error(&r->error, RF_ERROR, RF_ERROR_CONFIG,
                "git config file %s: the includes pull in more than %d files", file,
                RF_GIT_INCLUDE_FILES);
    return FALSE;
  }
  rf_git_config_parse(file, text, len, on_entry, r);
  return r->error == NULL;
}

gboolean rf_git_config_read(const char *file, RfGitConfigFunc fn, gpointer data,
                            GPtrArray *included, GError **error) {
  Reader r = {.fn = fn,
              .data = data,
              .included = included,
              .seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
  gboolean ok = read_file(&r, file, NULL);
  g_hash_table_unref(r.seen);
  if (!ok)
    g_propagate_error(error, r.error);
  return ok;
}
