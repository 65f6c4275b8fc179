/* sbpl-escape.c: turning untrusted strings into regexes and display words, and validating input; never into SBPL text. */
#include "seatbelt.h"

#include <stdio.h>
#include <string.h>

/*
 * Paths reach sandbox-exec only as -D parameter values, so no path byte is
 * ever parsed as SBPL.  What still needs care:
 *   - deny rules also match a case-folded regex of the path (see seatbelt.h),
 *     and a path is full of regex metacharacters ('.', '+', '(', '[' ...);
 *   - explain prints the parameters, one per line, so a newline inside a path
 *     must not split a line or forge a new one.
 */

/* The characters POSIX EREs treat as special outside a bracket expression.
 * ']' and '}' are ordinary there and stay unescaped. */
static int is_ere_special(char c) {
  return c != '\0' && strchr(".[\\()*+?{|^$", c) != NULL;
}

static int is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char *rf_sbpl_path_regex(const char *path, rf_regex_kind kind) {
  rf_sbuf buf = {0};
  size_t len = strlen(path);
  /* "/" as a subtree is "^(/|$)": everything. */
  if (kind == RF_REGEX_SUBTREE && len > 0 && path[len - 1] == '/')
    len--;
  rf_sbuf_append(&buf, "^");
  for (size_t i = 0; i < len; i++) {
    char c = path[i];
    if (is_ascii_letter(c)) {
      char lower = (char)(c | 0x20);
      char upper = (char)(lower & ~0x20);
      char pair[5] = {'[', lower, upper, ']', '\0'};
      rf_sbuf_append(&buf, pair);
    } else if (is_ere_special(c)) {
      char pair[3] = {'\\', c, '\0'};
      rf_sbuf_append(&buf, pair);
    } else {
      rf_sbuf_append_len(&buf, &c, 1);
    }
  }
  rf_sbuf_append(&buf, kind == RF_REGEX_SUBTREE ? "(/|$)" : "$");
  return rf_sbuf_steal(&buf);
}

static int is_plain_word_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != '\0' && strchr("_@%+=:,./-", c) != NULL);
}

char *rf_shell_quote(const char *text) {
  rf_sbuf buf = {0};
  int plain = *text != '\0';
  int control = 0;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    if (!is_plain_word_char(*p))
      plain = 0;
    if (*p < 0x20 || *p == 0x7f)
      control = 1;
  }
  if (plain) {
    rf_sbuf_append(&buf, text);
  } else if (!control) {
    rf_sbuf_append(&buf, "'");
    for (const char *p = text; *p; p++) {
      if (*p == '\'')
        rf_sbuf_append(&buf, "'\\''");
      else
        rf_sbuf_append_len(&buf, p, 1);
    }
    rf_sbuf_append(&buf, "'");
  } else {
    rf_sbuf_append(&buf, "$'");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
      switch (*p) {
      case '\n':
        rf_sbuf_append(&buf, "\\n");
        break;
      case '\t':
        rf_sbuf_append(&buf, "\\t");
        break;
      case '\r':
        rf_sbuf_append(&buf, "\\r");
        break;
      case '\\':
        rf_sbuf_append(&buf, "\\\\");
        break;
      case '\'':
        rf_sbuf_append(&buf, "\\'");
        break;
      default:
        if (*p < 0x20 || *p == 0x7f)
          rf_sbuf_appendf(&buf, "\\x%02x", *p);
        else
          rf_sbuf_append_len(&buf, (const char *)p, 1);
      }
    }
    rf_sbuf_append(&buf, "'");
  }
  return rf_sbuf_steal(&buf);
}

int rf_seatbelt_run_id_valid(const char *run_id) {
  if (!run_id)
    return 0;
  size_t len = strlen(run_id);
  if (len == 0 || len > 64)
    return 0;
  for (const char *p = run_id; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
      return 0;
  return 1;
}

int rf_seatbelt_path_valid(const char *path) {
  if (!path || path[0] != '/')
    return 0;
  if (path[1] == '\0')
    return 1;
  const char *component = path + 1;
  for (;;) {
    const char *slash = strchr(component, '/');
    size_t len = slash ? (size_t)(slash - component) : strlen(component);
    if (len == 0) /* "//" or a trailing '/' */
      return 0;
    if ((len == 1 && component[0] == '.') ||
        (len == 2 && component[0] == '.' && component[1] == '.'))
      return 0;
    if (!slash)
      return 1;
    component = slash + 1;
  }
}

void rf_seatbelt_set_error(char *err, size_t err_len, const char *fmt, ...) {
  if (!err || err_len == 0)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, err_len, fmt, ap);
  va_end(ap);
}
