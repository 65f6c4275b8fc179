/* cmdline.c: argv quoting for the C runtime, its parser (for tests and the runner), batch files. */
#include "cmdline.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_err(char *err, size_t err_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t err_len, const char *fmt, ...) {
  if (err == NULL || err_len == 0)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, err_len, fmt, ap);
  va_end(ap);
}

/* A growing string; all appends fail (return -ENOMEM) once allocation fails. */
static int buf_put(char **buf, size_t *len, size_t *cap, const char *s, size_t n) {
  if (*len + n + 1 > *cap) {
    size_t ncap = *cap ? *cap : 64;
    while (*len + n + 1 > ncap)
      ncap *= 2;
    char *nb = realloc(*buf, ncap);
    if (nb == NULL)
      return -ENOMEM;
    *buf = nb;
    *cap = ncap;
  }
  memcpy(*buf + *len, s, n);
  *len += n;
  (*buf)[*len] = '\0';
  return 0;
}

static int buf_putc(char **buf, size_t *len, size_t *cap, char c, size_t times) {
  for (size_t i = 0; i < times; i++)
    if (buf_put(buf, len, cap, &c, 1) < 0)
      return -ENOMEM;
  return 0;
}

int rf_win_cmdline_quote_arg(const char *arg, char **buf, size_t *len, size_t *cap) {
  /* Plain words go as they are: no separator and no quote to misread. */
  if (arg[0] != '\0' && strpbrk(arg, " \t\n\v\"") == NULL)
    return buf_put(buf, len, cap, arg, strlen(arg));

  if (buf_putc(buf, len, cap, '"', 1) < 0)
    return -ENOMEM;
  for (const char *p = arg;;) {
    size_t slashes = 0;
    while (*p == '\\') {
      slashes++;
      p++;
    }
    if (*p == '\0') {
      /* Backslashes before the closing quote: double them, so the quote closes. */
      if (buf_putc(buf, len, cap, '\\', 2 * slashes) < 0)
        return -ENOMEM;
      break;
    }
    if (*p == '"') {
      /* 2n+1 backslashes then a quote read back as n backslashes and a literal quote. */
      if (buf_putc(buf, len, cap, '\\', 2 * slashes + 1) < 0 || buf_putc(buf, len, cap, '"', 1) < 0)
        return -ENOMEM;
    } else {
      /* Backslashes not followed by a quote are literal. */
      if (buf_putc(buf, len, cap, '\\', slashes) < 0 || buf_putc(buf, len, cap, *p, 1) < 0)
        return -ENOMEM;
    }
    p++;
  }
  return buf_putc(buf, len, cap, '"', 1);
}

int rf_win_cmdline_quote(const char *const *argv, char **out, char *err, size_t err_len) {
  *out = NULL;
  if (argv == NULL || argv[0] == NULL || argv[0][0] == '\0') {
    set_err(err, err_len, "windows: no program to run (argv[0] is empty)");
    return -EINVAL;
  }
  if (strchr(argv[0], '"') != NULL) {
    set_err(err, err_len,
            "windows: program name %s contains '\"', which a Windows command line cannot carry in "
            "the program name; rename or move the program",
            argv[0]);
    return -EINVAL;
  }
  char *buf = NULL;
  size_t len = 0, cap = 0;
  int r = 0;
  /* The program name has its own rule: quotes group, backslashes are literal. */
  if (strpbrk(argv[0], " \t") != NULL)
    r = buf_putc(&buf, &len, &cap, '"', 1) || buf_put(&buf, &len, &cap, argv[0], strlen(argv[0])) ||
        buf_putc(&buf, &len, &cap, '"', 1);
  else
    r = buf_put(&buf, &len, &cap, argv[0], strlen(argv[0]));
  for (size_t i = 1; r == 0 && argv[i] != NULL; i++) {
    r = buf_putc(&buf, &len, &cap, ' ', 1);
    if (r == 0)
      r = rf_win_cmdline_quote_arg(argv[i], &buf, &len, &cap);
  }
  if (r != 0) {
    free(buf);
    set_err(err, err_len, "windows: out of memory building the command line");
    return -ENOMEM;
  }
  *out = buf;
  return 0;
}

/* ---- The C runtime's parser ------------------------------------------ */

typedef struct {
  char **v;
  size_t n, cap;
} argv_vec;

static int vec_push(argv_vec *vec, char *s) {
  if (vec->n + 2 > vec->cap) {
    size_t ncap = vec->cap ? vec->cap * 2 : 8;
    char **nv = realloc(vec->v, ncap * sizeof *nv);
    if (nv == NULL)
      return -ENOMEM;
    vec->v = nv;
    vec->cap = ncap;
  }
  vec->v[vec->n++] = s;
  vec->v[vec->n] = NULL;
  return 0;
}

void rf_win_argv_free(char **argv) {
  if (argv == NULL)
    return;
  for (size_t i = 0; argv[i] != NULL; i++)
    free(argv[i]);
  free(argv);
}

char **rf_win_cmdline_parse(const char *cmdline, rf_win_parse_rules rules) {
  argv_vec vec = {0};
  const char *p = cmdline;
  char *arg = NULL;
  size_t len = 0, cap = 0;

  if (vec_push(&vec, NULL) < 0) /* reserve; replaced below */
    return NULL;
  vec.n = 0;

  /* argv[0]: every quote toggles grouping; nothing is escaped. */
  int inquote = 0;
  if (buf_put(&arg, &len, &cap, "", 0) < 0)
    goto oom;
  for (; *p != '\0'; p++) {
    if (*p == '"') {
      inquote = !inquote;
      continue;
    }
    if (!inquote && (*p == ' ' || *p == '\t'))
      break;
    if (buf_putc(&arg, &len, &cap, *p, 1) < 0)
      goto oom;
  }
  if (vec_push(&vec, arg) < 0)
    goto oom;
  arg = NULL;

  for (;;) {
    while (*p == ' ' || *p == '\t')
      p++;
    if (*p == '\0')
      break;
    len = cap = 0;
    if (buf_put(&arg, &len, &cap, "", 0) < 0)
      goto oom;
    inquote = 0;
    for (;;) {
      int copy = 1;
      size_t slashes = 0;
      while (*p == '\\') {
        p++;
        slashes++;
      }
      if (*p == '"') {
        if (slashes % 2 == 0) {
          if (inquote && p[1] == '"') {
            p++; /* "" inside quotes: one literal quote */
            if (rules == RF_WIN_PARSE_LEGACY)
              inquote = 0; /* ... which also ended the quoted part */
          } else {
            copy = 0;
            inquote = !inquote;
          }
        }
        slashes /= 2;
      }
      if (buf_putc(&arg, &len, &cap, '\\', slashes) < 0)
        goto oom;
      if (*p == '\0' || (!inquote && (*p == ' ' || *p == '\t')))
        break;
      if (copy && buf_putc(&arg, &len, &cap, *p, 1) < 0)
        goto oom;
      p++;
    }
    if (vec_push(&vec, arg) < 0)
      goto oom;
    arg = NULL;
  }
  return vec.v;

oom:
  free(arg);
  rf_win_argv_free(vec.v);
  return NULL;
}

/* ---- Batch files --------------------------------------------------------- */

static int ascii_ieq_suffix(const char *s, size_t n, const char *suffix) {
  size_t m = strlen(suffix);
  if (n < m)
    return 0;
  for (size_t i = 0; i < m; i++) {
    char a = s[n - m + i], b = suffix[i];
    if (a >= 'A' && a <= 'Z')
      a = (char)(a - 'A' + 'a');
    if (a != b)
      return 0;
  }
  return 1;
}

int rf_win_is_batch_file(const char *path) {
  size_t n = strlen(path);
  /* "x.bat::$DATA" names the default stream of x.bat. */
  if (ascii_ieq_suffix(path, n, "::$data"))
    n -= strlen("::$data");
  /* Windows drops trailing dots and spaces from a file name: "x.bat. " is x.bat. */
  while (n > 0 && (path[n - 1] == '.' || path[n - 1] == ' '))
    n--;
  return ascii_ieq_suffix(path, n, ".bat") || ascii_ieq_suffix(path, n, ".cmd");
}

/* Why cmd.exe cannot carry |c| literally inside double quotes, or NULL. */
static const char *cmd_unsafe_reason(unsigned char c) {
  if (c == '%')
    return "cmd.exe expands %VARIABLES% even inside quotes";
  if (c == '"')
    return "cmd.exe has no escape for '\"' inside a quoted argument";
  if (c == '\r' || c == '\n')
    return "a line break ends the cmd.exe command";
  if (c < 0x20 && c != '\t')
    return "cmd.exe does not pass control characters through reliably";
  return NULL;
}

static int check_cmd_safe(const char *what, size_t index, const char *s, char *err, size_t err_len) {
  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
    const char *why = cmd_unsafe_reason(*p);
    if (why != NULL) {
      set_err(err, err_len,
              "windows: refusing to run a batch file: %s %lu contains byte 0x%02x and %s; "
              "run the batch file's commands directly or pass the value through an environment "
              "variable",
              what, (unsigned long)index, *p, why);
      return -EINVAL;
    }
  }
  return 0;
}

/* After the quoted cmd.exe path: no AutoRun, extensions on, no delayed '!'
 * expansion, strip exactly the outer quotes of what follows /c. */
static const char k_cmd_switches[] = "\" /d /e:on /v:off /s /c \"";

int rf_win_cmdline_for_batch(const char *cmd_exe, const char *const *argv, char **out, char *err,
                             size_t err_len) {
  *out = NULL;
  if (argv == NULL || argv[0] == NULL || argv[0][0] == '\0') {
    set_err(err, err_len, "windows: no batch file to run (argv[0] is empty)");
    return -EINVAL;
  }
  if (cmd_exe == NULL || cmd_exe[0] == '\0' || strchr(cmd_exe, '"') != NULL) {
    set_err(err, err_len, "windows: no usable path to cmd.exe to run the batch file");
    return -EINVAL;
  }
  for (size_t i = 0; argv[i] != NULL; i++) {
    int r = check_cmd_safe(i == 0 ? "the batch file path, argument" : "argument", i, argv[i], err,
                           err_len);
    if (r < 0)
      return r;
  }

  char *buf = NULL;
  size_t len = 0, cap = 0;
  int r = buf_putc(&buf, &len, &cap, '"', 1) || buf_put(&buf, &len, &cap, cmd_exe, strlen(cmd_exe)) ||
          buf_put(&buf, &len, &cap, k_cmd_switches, strlen(k_cmd_switches));
  for (size_t i = 0; r == 0 && argv[i] != NULL; i++) {
    if (i > 0)
      r = buf_putc(&buf, &len, &cap, ' ', 1);
    /* Inside quotes cmd.exe takes & | < > ^ ( ) as text.  A trailing run of
     * backslashes is doubled so that a C-runtime program the batch file
     * starts with "%~1"-style quoting still sees the closing quote. */
    size_t n = strlen(argv[i]), trailing = 0;
    while (trailing < n && argv[i][n - 1 - trailing] == '\\')
      trailing++;
    if (r == 0)
      r = buf_putc(&buf, &len, &cap, '"', 1) || buf_put(&buf, &len, &cap, argv[i], n) ||
          buf_putc(&buf, &len, &cap, '\\', trailing) || buf_putc(&buf, &len, &cap, '"', 1);
  }
  if (r == 0)
    r = buf_putc(&buf, &len, &cap, '"', 1);
  if (r != 0) {
    free(buf);
    set_err(err, err_len, "windows: out of memory building the batch command line");
    return -ENOMEM;
  }
  *out = buf;
  return 0;
}
