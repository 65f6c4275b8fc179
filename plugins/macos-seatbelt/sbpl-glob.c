/* sbpl-glob.c: deny-read glob patterns as anchored, case-folded regexes Seatbelt matches itself. */
#include "seatbelt.h"

#include <stdlib.h>
#include <string.h>

/*
 * The core expands a deny-read glob once, when the policy is resolved; a file
 * created later that matches is not among the expansions.  Seatbelt matches
 * regexes against every path an operation names, so the profile also denies
 * the pattern itself: a file the command creates afterwards is covered too.
 *
 * Translation, component by component (the same syntax the core expands):
 *   `*`      -> [^/]*          any run inside one component (a leading dot too)
 *   `?`      -> [^/]           one character
 *   `[...]`  -> [...]          a class; `[!...]` negated; letters in both cases
 *   `**`     -> (/[^/]+)*      as a whole component: any number of folders, none included
 *   other    -> itself, regex metacharacters escaped, letters in both cases (APFS
 *               and HFS+ volumes are case-insensitive by default)
 * anchored with ^ and closed with (/|$): what the glob names and everything below it.
 */

static int is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void append_char(rf_sbuf *buf, char c) {
  if (is_letter(c)) {
    char pair[5] = {'[', (char)(c | 0x20), (char)((c | 0x20) & ~0x20), ']', '\0'};
    rf_sbuf_append(buf, pair);
  } else if (strchr(".[\\()*+?{|^$", c)) {
    char escaped[3] = {'\\', c, '\0'};
    rf_sbuf_append(buf, escaped);
  } else {
    rf_sbuf_append_len(buf, &c, 1);
  }
}

/* [...] starting at |p| (on the '['); returns the character after ']' or NULL. */
static const char *append_class(rf_sbuf *buf, const char *p, char *err, size_t err_len) {
  const char *q = p + 1;
  int negated = *q == '!';
  if (negated)
    q++;
  const char *start = q;
  if (*q == ']') /* a leading ']' is a member */
    q++;
  while (*q && *q != ']')
    q++;
  if (*q != ']' || q == start) {
    rf_seatbelt_set_error(err, err_len, "an unclosed or empty [ class");
    return NULL;
  }
  rf_sbuf_append(buf, negated ? "[^" : "[");
  for (const char *c = start; c < q; c++) {
    if (*c == '/' || *c == '\\' || *c == '[' || (unsigned char)*c < 0x20) {
      rf_seatbelt_set_error(err, err_len,
                            "a [ class holding '%c' (only letters, digits and punctuation other "
                            "than / \\ [ are supported)",
                            *c >= 0x20 ? *c : '?');
      return NULL;
    }
    if (c[1] == '-' && c + 2 < q && is_letter(c[0]) && is_letter(c[2])) {
      /* a-f: both cases of the range */
      char range[7] = {(char)(c[0] | 0x20),
                       '-',
                       (char)(c[2] | 0x20),
                       (char)((c[0] | 0x20) & ~0x20),
                       '-',
                       (char)((c[2] | 0x20) & ~0x20),
                       '\0'};
      rf_sbuf_append(buf, range);
      c += 2;
    } else if (is_letter(*c)) {
      char both[3] = {(char)(*c | 0x20), (char)((*c | 0x20) & ~0x20), '\0'};
      rf_sbuf_append(buf, both);
    } else if (*c == '^') {
      rf_sbuf_append(buf, "\\^");
    } else {
      rf_sbuf_append_len(buf, c, 1);
    }
  }
  if (negated)
    rf_sbuf_append(buf, "/"); /* a class never matches the separator */
  rf_sbuf_append(buf, "]");
  return q + 1;
}

char *rf_sbpl_glob_regex(const char *glob, char *err, size_t err_len) {
  if (!glob || glob[0] != '/') {
    rf_seatbelt_set_error(err, err_len, "not an absolute pattern");
    return NULL;
  }
  rf_sbuf buf = {0};
  rf_sbuf_append(&buf, "^");
  const char *p = glob;
  while (*p) {
    /* p is on a '/': one component follows. */
    const char *end = strchr(p + 1, '/');
    size_t len = end ? (size_t)(end - p - 1) : strlen(p + 1);
    if (len == 0) { /* "//" or a trailing '/' */
      p++;
      continue;
    }
    if (len == 2 && p[1] == '*' && p[2] == '*') {
      rf_sbuf_append(&buf, "(/[^/]+)*");
      p += 3;
      continue;
    }
    if ((len == 1 && p[1] == '.') || (len == 2 && p[1] == '.' && p[2] == '.')) {
      rf_seatbelt_set_error(err, err_len, "a '.' or '..' component");
      free(rf_sbuf_steal(&buf));
      return NULL;
    }
    rf_sbuf_append(&buf, "/");
    const char *stop = p + 1 + len;
    for (const char *c = p + 1; c < stop;) {
      if (*c == '*') {
        rf_sbuf_append(&buf, "[^/]*");
        c++;
      } else if (*c == '?') {
        rf_sbuf_append(&buf, "[^/]");
        c++;
      } else if (*c == '[') {
        const char *next = append_class(&buf, c, err, err_len);
        if (!next || next > stop) {
          if (next)
            rf_seatbelt_set_error(err, err_len, "a [ class that spans a '/'");
          free(rf_sbuf_steal(&buf));
          return NULL;
        }
        c = next;
      } else if ((unsigned char)*c < 0x20 || *c == 0x7f) {
        rf_seatbelt_set_error(err, err_len, "a control character");
        free(rf_sbuf_steal(&buf));
        return NULL;
      } else {
        append_char(&buf, *c);
        c++;
      }
    }
    p = stop;
  }
  rf_sbuf_append(&buf, "(/|$)");
  char *regex = rf_sbuf_steal(&buf);
  if (!regex)
    rf_seatbelt_set_error(err, err_len, "out of memory");
  return regex;
}
