/* command-expand.c: from one command line to every command it runs: through command runners
 * (env, nice, nohup, time, timeout, xargs, exec, command, builtin, sudo, doas, stdbuf, ionice,
 * setsid, chrt, taskset, flock, busybox, noglob, nocorrect, find -exec) and into shell scripts
 * (sh -c, su -c, flock -c, watch, env -S, eval, trap, a shell reading a here-document), using
 * shell-parse.c.  Judging each command is command-safety.c's and approval.c's business. */
#include "command-expand.h"

#include <string.h>

typedef struct {
  RfCommandSet *set;
  guint budget; /* commands still allowed: nested scripts share the parser's bound */
} Ctx;

void rf_command_set_free(RfCommandSet *set) {
  if (!set)
    return;
  g_ptr_array_unref(set->commands);
  g_free(set->why);
  g_free(set);
}

static void shell_command_free(gpointer data) {
  RfShellCommand *c = data;
  g_strfreev(c->argv);
  g_free(c->word_unknown);
  g_free(c->stdin_text);
  g_free(c);
}

static void not_understood(RfCommandSet *set, gboolean complete, const char *format, ...)
    G_GNUC_PRINTF(3, 4);
static void not_understood(RfCommandSet *set, gboolean complete, const char *format, ...) {
  set->understood = FALSE;
  if (!complete)
    set->complete = FALSE;
  if (set->why)
    return;
  va_list args;
  va_start(args, format);
  set->why = g_strdup_vprintf(format, args);
  va_end(args);
}

static gboolean str_in(const char *s, const char *const *list) {
  for (; *list; list++)
    if (g_str_equal(s, *list))
      return TRUE;
  return FALSE;
}

static const char *base_name(const char *program) {
  const char *slash = strrchr(program, '/');
  return slash ? slash + 1 : program;
}

gboolean rf_command_is_shell(const char *program) {
  static const char *const shells[] = {"sh",  "bash", "dash", "zsh", "ksh",
                                       "mksh", "ash", "yash", NULL};
  return str_in(base_name(program), shells);
}

/* ---- Command runners -------------------------------------------------------------- */

/* How a runner's options read: |with_value| take the next word (or an attached value),
 * |stop| mean it runs no command (command -v, sudo -l), |leading| is how many operands come
 * before the command (timeout's duration, flock's file, chrt's priority, taskset's mask). */
typedef struct {
  const char *name;
  const char *short_with_value; /* letters */
  const char *const *long_with_value;
  const char *short_stop;
  guint leading;
  gboolean assignments; /* env: NAME=VALUE words before the command */
} Runner;

static const char *const env_long[] = {"--unset", "--chdir", "--split-string", NULL};
static const char *const nice_long[] = {"--adjustment", NULL};
static const char *const time_long[] = {"--format", "--output", NULL};
static const char *const timeout_long[] = {"--signal", "--kill-after", NULL};
static const char *const xargs_long[] = {"--arg-file", "--delimiter", "--max-lines",
                                         "--max-args", "--max-procs", "--max-chars",
                                         "--process-slot-var", NULL};
static const char *const sudo_long[] = {"--user", "--group", "--close-from", "--chdir",
                                        "--host", "--prompt", "--role", "--type",
                                        "--command-timeout", "--other-user", NULL};
static const char *const stdbuf_long[] = {"--input", "--output", "--error", NULL};
static const char *const ionice_long[] = {"--class", "--classdata", NULL};
static const char *const flock_long[] = {"--timeout", "--wait", "--conflict-exit-code", NULL};
static const char *const none_long[] = {NULL};

static const Runner runners[] = {
    {"env", "uCSP", env_long, "", 0, TRUE},
    {"nice", "n", nice_long, "", 0, FALSE},
    {"nohup", "", none_long, "", 0, FALSE},
    {"time", "fo", time_long, "", 0, FALSE},
    {"timeout", "sk", timeout_long, "", 1, FALSE},
    {"xargs", "adEILnPs", xargs_long, "", 0, FALSE},
    {"exec", "a", none_long, "", 0, FALSE},
    {"command", "", none_long, "vV", 0, FALSE},
    {"builtin", "", none_long, "", 0, FALSE},
    {"sudo", "ugCDhprtTU", sudo_long, "eKklVv", 0, FALSE},
    {"doas", "uC", none_long, "L", 0, FALSE},
    {"stdbuf", "ioe", stdbuf_long, "", 0, FALSE},
    {"ionice", "cn", ionice_long, "pPu", 0, FALSE},
    {"setsid", "", none_long, "", 0, FALSE},
    {"chrt", "TPD", none_long, "p", 1, FALSE},
    {"taskset", "", none_long, "p", 1, FALSE},
    {"flock", "wE", flock_long, "", 1, FALSE},
    {"nocorrect", "", none_long, "", 0, FALSE},
    {"noglob", "", none_long, "", 0, FALSE},
    {"busybox", "", none_long, "", 0, FALSE},
    {"unbuffer", "", none_long, "", 0, FALSE},
};

static const Runner *runner_for(const char *program) {
  const char *name = base_name(program);
  for (guint i = 0; i < G_N_ELEMENTS(runners); i++)
    if (g_str_equal(name, runners[i].name))
      return &runners[i];
  return NULL;
}

/* What a runner runs.  Returns the index of the inner command in |argv|, 0 when there is
 * none; *script gets a shell script it hands a shell instead (env -S, flock -c). */
static guint runner_inner(const Runner *r, const char *const *argv, const gboolean *unknown,
                          char **script, RfCommandSet *set) {
  guint i = 1;
  gboolean nice = g_str_equal(r->name, "nice");
  while (argv[i]) {
    const char *a = argv[i];
    if (unknown[i] && a[0] != '-' && !r->assignments)
      break; /* the command itself, not known */
    if (g_str_equal(a, "--")) {
      i++;
      break;
    }
    if (r->assignments && g_str_equal(a, "-")) { /* env -: env -i */
      i++;
      continue;
    }
    if (a[0] != '-' || !a[1]) {
      if (r->assignments && strchr(a, '=') && a[0] != '=') {
        i++;
        continue;
      }
      break;
    }
    if (unknown[i]) {
      not_understood(set, TRUE, "`%s %s`: an option only known when the script runs", r->name,
                     a);
      i++;
      continue;
    }
    if (a[1] == '-') { /* --long[=value] */
      const char *eq = strchr(a, '=');
      g_autofree char *name = eq ? g_strndup(a, eq - a) : g_strdup(a);
      gboolean takes = str_in(name, r->long_with_value);
      if (g_str_equal(r->name, "env") && g_str_equal(name, "--split-string")) {
        const char *value = eq ? eq + 1 : argv[i + 1];
        if (value)
          *script = g_strdup(value);
        return 0;
      }
      if (g_str_equal(r->name, "flock") && g_str_equal(name, "--command")) {
        const char *value = eq ? eq + 1 : argv[i + 1];
        if (value)
          *script = g_strdup(value);
        return 0;
      }
      i += (takes && !eq && argv[i + 1]) ? 2 : 1;
      continue;
    }
    if (nice && g_ascii_isdigit(a[1])) { /* nice -10 */
      i++;
      continue;
    }
    gboolean took_next = FALSE;
    for (const char *c = a + 1; *c; c++) {
      if (strchr(r->short_stop, *c))
        return 0;
      if ((g_str_equal(r->name, "env") && *c == 'S') ||
          (g_str_equal(r->name, "flock") && *c == 'c')) {
        const char *value = c[1] ? c + 1 : argv[i + 1];
        if (value)
          *script = g_strdup(value);
        return 0;
      }
      if (strchr(r->short_with_value, *c)) {
        if (!c[1] && argv[i + 1])
          took_next = TRUE;
        break; /* the rest of the word is the value */
      }
    }
    i += took_next ? 2 : 1;
  }
  for (guint lead = 0; lead < r->leading && argv[i]; lead++)
    i++;
  if (g_str_equal(r->name, "flock") && argv[i] &&
      (g_str_equal(argv[i], "-c") || g_str_equal(argv[i], "--command"))) {
    if (argv[i + 1])
      *script = g_strdup(argv[i + 1]); /* flock FILE -c SCRIPT */
    return 0;
  }
  return argv[i] ? i : 0;
}

/* find ... -exec CMD ... ; (and -execdir, -ok, -okdir): the first such command. */
static guint find_exec_inner(const char *const *argv, guint *end) {
  for (guint i = 1; argv[i]; i++) {
    if (str_in(argv[i], (const char *const[]){"-exec", "-execdir", "-ok", "-okdir", NULL}) &&
        argv[i + 1]) {
      guint j = i + 1;
      while (argv[j] && !g_str_equal(argv[j], ";") && !g_str_equal(argv[j], "+"))
        j++;
      *end = j;
      return i + 1;
    }
  }
  return 0;
}

/* ---- Shells ------------------------------------------------------------------------ */

typedef enum {
  SHELL_NONE,   /* not a shell, or a shell running a script file */
  SHELL_SCRIPT, /* -c SCRIPT */
  SHELL_STDIN,  /* reads its script from standard input */
  SHELL_HIDDEN, /* runs a script we cannot see */
} ShellKind;

static ShellKind shell_invocation(const char *const *argv, const gboolean *unknown,
                                  const char **script, gboolean *interactive) {
  static const char *const long_with_value[] = {"--rcfile", "--init-file", NULL};
  gboolean command = FALSE, from_stdin = FALSE;
  *interactive = FALSE;
  guint i = 1;
  while (argv[i]) {
    const char *a = argv[i];
    if (unknown[i])
      return SHELL_HIDDEN;
    if (g_str_equal(a, "--") || g_str_equal(a, "-")) {
      i++;
      break;
    }
    if ((a[0] != '-' && a[0] != '+') || !a[1])
      break;
    if (a[0] == '-' && a[1] == '-') {
      if (g_str_equal(a, "--help") || g_str_equal(a, "--version"))
        return SHELL_NONE;
      i += (str_in(a, long_with_value) && argv[i + 1]) ? 2 : 1;
      continue;
    }
    gboolean value = FALSE;
    for (const char *c = a + 1; *c; c++) {
      if (*c == 'c')
        command = TRUE;
      else if (*c == 'i')
        *interactive = TRUE;
      else if (*c == 's')
        from_stdin = TRUE;
      else if (*c == 'o' || *c == 'O')
        value = TRUE;
    }
    i += (value && argv[i + 1]) ? 2 : 1;
  }
  if (command) {
    if (!argv[i])
      return SHELL_NONE; /* the shell refuses to start */
    if (unknown[i])
      return SHELL_HIDDEN;
    *script = argv[i];
    return SHELL_SCRIPT;
  }
  if (from_stdin || !argv[i])
    return SHELL_STDIN;
  return SHELL_NONE;
}

/* ---- Expanding ----------------------------------------------------------------------- */

static void expand(Ctx *ctx, const RfShellCommand *command, guint depth, gboolean top);

static void expand_script(Ctx *ctx, const char *script, guint depth, const char *what) {
  RfCommandSet *set = ctx->set;
  set->script = TRUE;
  if (depth >= RF_SHELL_MAX_DEPTH) {
    not_understood(set, FALSE, "%s: scripts nested deeper than %d levels", what,
                   RF_SHELL_MAX_DEPTH);
    return;
  }
  g_autoptr(RfShellScript) parsed = rf_shell_parse(script, strlen(script), depth + 1);
  if (!parsed->understood)
    not_understood(set, parsed->complete, "%s: %s", what, parsed->why);
  for (guint i = 0; i < parsed->commands->len; i++) {
    const RfShellCommand *c = g_ptr_array_index(parsed->commands, i);
    expand(ctx, c, depth + 1, FALSE);
  }
}

static RfShellCommand *copy_command(const RfShellCommand *c, guint from, guint to) {
  RfShellCommand *copy = g_new0(RfShellCommand, 1);
  guint n = to - from;
  copy->argv = g_new0(char *, n + 1);
  copy->word_unknown = g_new0(gboolean, n + 1);
  for (guint i = 0; i < n; i++) {
    copy->argv[i] = g_strdup(c->argv[from + i]);
    copy->word_unknown[i] = c->word_unknown[from + i];
    if (copy->word_unknown[i])
      copy->flags |= RF_SHELL_UNKNOWN_WORDS;
  }
  copy->flags |= c->flags & ~(guint)RF_SHELL_UNKNOWN_WORDS;
  copy->stdin_redirected = c->stdin_redirected;
  copy->stdin_text = g_strdup(c->stdin_text);
  return copy;
}

/* What bash builtins do with names and arithmetic that can run code hidden in a value. */
static void check_builtin(RfCommandSet *set, const RfShellCommand *c) {
  static const char *const takes_names[] = {
      "printf", "read",   "unset", "declare", "typeset", "local", "export", "readonly",
      "mapfile", "readarray", "getopts", "wait",  "test",    "[",     NULL};
  const char *name = c->argv[0];
  if (g_str_equal(name, "let")) {
    not_understood(set, TRUE, "`let` evaluates arithmetic, which can run commands hidden in "
                              "variables");
    return;
  }
  if (g_str_equal(name, "alias")) {
    for (guint i = 1; c->argv[i]; i++)
      if (strchr(c->argv[i], '='))
        not_understood(set, TRUE, "`alias` changes what later commands mean");
    return;
  }
  if (!str_in(name, takes_names))
    return;
  gboolean declaration = str_in(name, (const char *const[]){"declare", "typeset", "local",
                                                             "export", "readonly", NULL});
  for (guint i = 1; c->argv[i]; i++) {
    const char *a = c->argv[i];
    if (declaration && a[0] == '-' && strchr(a, 'i')) {
      not_understood(set, TRUE, "`%s -i` makes assignments arithmetic, which can run commands "
                                "hidden in values", name);
      return;
    }
    if (strchr(a, '[') && !g_str_equal(a, "[") && !g_str_equal(name, "printf") &&
        !g_str_equal(name, "test") && !g_str_equal(name, "[")) {
      not_understood(set, TRUE, "`%s %s`: a subscript in a variable name is evaluated, which "
                                "can run commands", name, a);
      return;
    }
  }
  /* printf -v NAME[...], test -v NAME[...] */
  for (guint i = 1; c->argv[i] && c->argv[i + 1]; i++)
    if (g_str_equal(c->argv[i], "-v") && strchr(c->argv[i + 1], '['))
      not_understood(set, TRUE, "`%s -v %s`: a subscript in a variable name is evaluated, which "
                                "can run commands", name, c->argv[i + 1]);
}

static void expand(Ctx *ctx, const RfShellCommand *command, guint depth, gboolean top) {
  RfCommandSet *set = ctx->set;
  if (!command->argv[0]) {
    /* assignments or redirections alone: nothing to match, but not read-only either */
    if (command->flags & (RF_SHELL_WRITES | RF_SHELL_ASSIGNS) && ctx->budget) {
      ctx->budget--;
      g_ptr_array_add(set->commands, copy_command(command, 0, 0));
    }
    return;
  }
  guint length = g_strv_length(command->argv);
  RfShellCommand *current = copy_command(command, 0, length);
  for (guint hops = 0; current; hops++) {
    if (ctx->budget == 0 || hops > RF_SHELL_MAX_DEPTH) {
      not_understood(set, FALSE, "more than %d commands or wrappers", RF_SHELL_MAX_COMMANDS);
      shell_command_free(current);
      return;
    }
    ctx->budget--;
    g_ptr_array_add(set->commands, current);
    RfShellCommand *c = current;
    current = NULL;
    const char *const *argv = (const char *const *)c->argv;
    if (c->word_unknown[0])
      break; /* the program is only known when it runs: judged by its words as written */
    const char *name = base_name(argv[0]);
    gboolean interactive = FALSE;
    const char *script = NULL;
    if (rf_command_is_shell(argv[0])) {
      ShellKind kind = shell_invocation(argv, c->word_unknown, &script, &interactive);
      if (kind == SHELL_SCRIPT || kind == SHELL_HIDDEN || (kind == SHELL_STDIN && !top))
        c->flags |= RF_SHELL_RUNS_SCRIPT;
      switch (kind) {
      case SHELL_SCRIPT:
        if (interactive)
          not_understood(set, TRUE, "`%s -i` expands aliases from the user's startup files",
                         name);
        expand_script(ctx, script, depth, name);
        break;
      case SHELL_STDIN:
        if (c->stdin_text)
          expand_script(ctx, c->stdin_text, depth, name);
        else if (!top && !c->stdin_redirected)
          not_understood(set, FALSE, "`%s` reads its script from a pipe or the terminal",
                         name);
        break;
      case SHELL_HIDDEN:
        not_understood(set, FALSE, "the script `%s` runs is only known when it runs", name);
        break;
      case SHELL_NONE:
        break;
      }
      return;
    }
    if (g_str_equal(name, "eval") || g_str_equal(name, "trap") || g_str_equal(name, "watch") ||
        g_str_equal(name, "su")) {
      guint from = 1;
      if (g_str_equal(name, "trap")) {
        while (argv[from] && argv[from][0] == '-' && !g_str_equal(argv[from], "-")) {
          if (g_str_equal(argv[from], "--")) {
            from++;
            break;
          }
          if (!c->word_unknown[from])
            return; /* trap -l, trap -p */
          from++;
        }
        if (!argv[from] || !argv[from + 1] || g_str_equal(argv[from], "-"))
          return;
        length = from + 1;
      } else if (g_str_equal(name, "watch")) {
        while (argv[from] && argv[from][0] == '-') {
          gboolean value = g_str_equal(argv[from], "-n") || g_str_equal(argv[from], "-q") ||
                           g_str_equal(argv[from], "--interval");
          from += value && argv[from + 1] ? 2 : 1;
        }
        length = g_strv_length((char **)argv);
      } else if (g_str_equal(name, "su")) {
        guint i;
        for (i = 1; argv[i]; i++)
          if (g_str_equal(argv[i], "-c") || g_str_equal(argv[i], "--command"))
            break;
        if (!argv[i] || !argv[i + 1])
          return;
        from = i + 1;
        length = from + 1;
      } else {
        length = g_strv_length((char **)argv);
        not_understood(set, TRUE, "eval runs a string as a script");
      }
      c->flags |= RF_SHELL_RUNS_SCRIPT;
      GString *text = g_string_new(NULL);
      gboolean hidden = FALSE;
      for (guint i = from; i < length && argv[i]; i++) {
        hidden = hidden || c->word_unknown[i];
        g_string_append_printf(text, "%s%s", text->len ? " " : "", argv[i]);
      }
      if (hidden)
        not_understood(set, FALSE, "the script `%s` runs is only known when it runs", name);
      else if (text->len)
        expand_script(ctx, text->str, depth, name);
      g_string_free(text, TRUE);
      return;
    }
    check_builtin(set, c);
    guint end = 0, inner = 0;
    if (g_str_equal(name, "find") && (inner = find_exec_inner(argv, &end))) {
      current = copy_command(c, inner, end);
      current->flags &= ~(guint)(RF_SHELL_WRITES | RF_SHELL_ASSIGNS);
      continue;
    }
    const Runner *runner = runner_for(argv[0]);
    if (!runner)
      return;
    g_autofree char *inner_script = NULL;
    inner = runner_inner(runner, argv, c->word_unknown, &inner_script, set);
    if (inner_script) {
      c->flags |= RF_SHELL_RUNS_SCRIPT;
      expand_script(ctx, inner_script, depth, name);
      return;
    }
    if (!inner)
      return;
    if (g_str_equal(runner->name, "xargs"))
      not_understood(set, TRUE, "xargs appends words read from its input to `%s`", argv[inner]);
    current = copy_command(c, inner, g_strv_length((char **)argv));
    current->flags &= ~(guint)(RF_SHELL_WRITES | RF_SHELL_ASSIGNS);
    if (g_str_equal(runner->name, "xargs") || g_str_equal(runner->name, "env"))
      current->stdin_redirected = TRUE; /* a shell under them does not read our script */
  }
}

RfCommandSet *rf_command_expand(const char *const *argv) {
  RfCommandSet *set = g_new0(RfCommandSet, 1);
  set->commands = g_ptr_array_new_with_free_func(shell_command_free);
  set->understood = TRUE;
  set->complete = TRUE;
  if (!argv || !argv[0])
    return set;
  guint n = g_strv_length((char **)argv);
  RfShellCommand top = {.argv = (char **)argv, .word_unknown = g_new0(gboolean, n + 1)};
  Ctx ctx = {.set = set, .budget = RF_SHELL_MAX_COMMANDS};
  expand(&ctx, &top, 0, TRUE);
  g_free(top.word_unknown);
  for (guint i = 0; i < set->commands->len && set->understood; i++) {
    const RfShellCommand *c = g_ptr_array_index(set->commands, i);
    if (c->flags & RF_SHELL_UNKNOWN_WORDS) {
      g_autofree char *shown = g_strjoinv(" ", c->argv);
      not_understood(set, TRUE, "`%s`: a word is only known when the script runs", shown);
    }
  }
  return set;
}
