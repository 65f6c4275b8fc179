/* git-config.c: reading git config files the way git does, to learn what git on the host would run or read. */
#include "git-config.h"

#include "util/safe-read.h"

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
  /* Canonical only once it exists: realpath reads every component's link, and most files
   * looked for (config.worktree, the XDG config) are missing. */
  g_autofree char *real = canonical(file);
  if (g_hash_table_contains(r->seen, real))
    return TRUE;
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

gboolean rf_git_read_pointer(const char *file, const char *prefix, const char *base, char **out,
                             GError **error) {
  *out = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) local = NULL;
  int rc = rf_safe_read_file(file, "git pointer file", RF_READ_MAX_GIT_POINTER, RF_READ_FOLLOW,
                             &contents, NULL, &local);
  if (rc == -ENOENT || rc == -ENOTDIR)
    return TRUE;
  if (rc < 0) {
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  char *line = contents;
  char *newline = strchr(line, '\n');
  if (newline)
    *newline = '\0';
  g_strchomp(line);
  if (prefix) {
    if (!g_str_has_prefix(line, prefix))
      return TRUE;
    line += strlen(prefix);
    while (*line == ' ' || *line == '\t')
      line++;
  }
  if (*line)
    *out = g_path_is_absolute(line) ? g_strdup(line) : g_build_filename(base, line, NULL);
  return TRUE;
}

/* ---- keys that make git run something ------------------------------------------------- */

typedef struct {
  const char *section; /* lower-case */
  const char *name;    /* lower-case; NULL: any name */
  int subsection;      /* 0: none, 1: required, -1: either */
  const char *why;
} RunningKey;

/* git-config(1): every key whose value git executes (as a shell command, a program name or a
 * hook directory), or that sends git's work outside the repository.  Aliases count: an alias
 * may be "!cmd", and "-c core.pager=cmd log" without one. */
static const RunningKey running_keys[] = {
    {"core", "fsmonitor", 0, "git status and most commands run it (fsmonitor hook)"},
    {"core", "hookspath", 0, "git runs hooks from that directory"},
    {"core", "sshcommand", 0, "fetch and push run it"},
    {"core", "gitproxy", 0, "fetch runs it"},
    {"core", "pager", 0, "commands that page output run it"},
    {"core", "editor", 0, "commit and rebase run it"},
    {"core", "askpass", 0, "git runs it to ask for a password"},
    {"core", "alternaterefscommand", 0, "fetch and push run it"},
    {"core", "worktree", 0, "git writes the working tree there"},
    {"sequence", "editor", 0, "rebase runs it"},
    {"diff", "external", 0, "git diff runs it"},
    {"diff", "command", 1, "git diff runs it (diff driver)"},
    {"diff", "textconv", 1, "git diff and log run it (textconv driver)"},
    {"merge", "driver", 1, "merges run it (merge driver)"},
    {"filter", "clean", 1, "git add and status run it (filter driver)"},
    {"filter", "smudge", 1, "checkout runs it (filter driver)"},
    {"filter", "process", 1, "git add, status and checkout run it (filter driver)"},
    {"credential", "helper", -1, "fetch and push run it (credential helper)"},
    {"gpg", "program", -1, "signing and verifying run it"},
    {"gpg", "defaultkeycommand", 1, "signing runs it"},
    {"interactive", "difffilter", 0, "git add -p runs it"},
    {"remote", "uploadpack", 1, "fetch runs it"},
    {"remote", "receivepack", 1, "push runs it"},
    {"remote", "vcs", 1, "fetch runs git-remote-<vcs>"},
    {"difftool", "cmd", 1, "git difftool runs it"},
    {"difftool", "path", 1, "git difftool runs it"},
    {"mergetool", "cmd", 1, "git mergetool runs it"},
    {"mergetool", "path", 1, "git mergetool runs it"},
    {"man", "cmd", 1, "git help runs it"},
    {"man", "path", 1, "git help runs it"},
    {"browser", "cmd", 1, "git help and instaweb run it"},
    {"browser", "path", 1, "git help and instaweb run it"},
    {"web", "browser", 0, "git help and instaweb run it"},
    {"guitool", "cmd", 1, "git gui runs it"},
    {"tar", "command", 1, "git archive runs it"},
    {"hook", "command", 1, "git runs it as a hook"},
    {"uploadpack", "packobjectshook", 0, "upload-pack runs it"},
    {"init", "templatedir", 0, "git init copies hooks from it"},
    {"protocol", "allow", -1, "it allows transports that run programs (ext::)"},
    {"trace2", "eventtarget", 0, "git writes its trace there"},
    {"trace2", "normaltarget", 0, "git writes its trace there"},
    {"trace2", "perftarget", 0, "git writes its trace there"},
    {"sendemail", "smtpserver", -1, "send-email runs it when it is a path"},
    {"sendemail", "tocmd", -1, "send-email runs it"},
    {"sendemail", "cccmd", -1, "send-email runs it"},
    {"sendemail", "headercmd", -1, "send-email runs it"},
    {"alias", NULL, -1, "the alias can run any command"},
    {"pager", NULL, -1, "the command's output goes through it"},
    {"instaweb", NULL, -1, "git instaweb runs it"},
};

static gboolean is_false(const char *value) {
  static const char *const falses[] = {"false", "no", "off", "0", ""};
  for (guint i = 0; i < G_N_ELEMENTS(falses); i++)
    if (g_ascii_strcasecmp(value, falses[i]) == 0)
      return TRUE;
  return FALSE;
}

const char *rf_git_key_runs_program(const char *key, const char *value) {
  const char *first = strchr(key, '.');
  const char *last = strrchr(key, '.');
  if (!first)
    return NULL;
  g_autofree char *section = g_strndup(key, (gsize)(first - key));
  const char *name = last + 1;
  gboolean has_sub = last > first;
  if (g_str_equal(section, "submodule") && has_sub && g_str_equal(name, "update"))
    return value && value[0] == '!' ? "git submodule update runs it" : NULL;
  if (g_str_equal(section, "core") && g_str_equal(name, "fsmonitor") && !has_sub &&
      (!value || is_false(value) || g_ascii_strcasecmp(value, "true") == 0 ||
       g_ascii_strcasecmp(value, "yes") == 0 || g_ascii_strcasecmp(value, "on") == 0 ||
       g_str_equal(value, "1")))
    return NULL; /* off, or git's own fsmonitor daemon */
  for (guint i = 0; i < G_N_ELEMENTS(running_keys); i++) {
    const RunningKey *k = &running_keys[i];
    if (!g_str_equal(section, k->section))
      continue;
    if ((k->subsection == 0 && has_sub) || (k->subsection == 1 && !has_sub))
      continue;
    if (k->name && !g_str_equal(name, k->name))
      continue;
    return k->why;
  }
  return NULL;
}
