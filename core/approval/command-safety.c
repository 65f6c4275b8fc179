/* command-safety.c: classifies a command line as known-safe (only reads), dangerous (may
 * destroy data or escalate privileges), or neither; shell scripts and command runners are
 * looked into through command-expand.c.  What to do with the answer (allow, prompt, reject)
 * is approval.c's business. */
#include "command-safety.h"
#include "command-expand.h"

#include <string.h>

const char *rf_command_basename(const char *program) {
  const char *slash = strrchr(program, '/');
  return slash ? slash + 1 : program;
}

static gboolean str_in(const char *s, const char *const *list) {
  for (; *list; list++)
    if (g_str_equal(s, *list))
      return TRUE;
  return FALSE;
}

/* "-xyz" (a cluster of short options, not "--long" and not "-") containing |letter|. */
static gboolean short_cluster_has(const char *arg, char letter) {
  return arg[0] == '-' && arg[1] && arg[1] != '-' && strchr(arg + 1, letter) != NULL;
}

/* |arg| is --name or --name=value. */
static gboolean is_long_option(const char *arg, const char *name) {
  size_t n = strlen(name);
  return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static gboolean set_reason(char **out, char *text) {
  if (out)
    *out = text;
  else
    g_free(text);
  return FALSE;
}

/* ---- Known-safe commands --------------------------------------------------- */

/* Read-only whatever their arguments: they print, compare or compute. */
static const char *const always_safe[] = {
    ":",         "[",      "test",
    "basename",  "cat",    "cd",       "cmp",      "cut",   "df",     "diff",    "dirname",
    "du",        "echo",   "egrep",    "expr",     "false", "fgrep",  "grep",    "groups",
    "head",      "id",     "ls",       "md5sum",   "nl",    "numfmt", "paste",   "printenv",
    "printf",    "pwd",    "readlink", "realpath", "rev",   "seq",    "sha1sum", "sha256sum",
    "sha512sum", "stat",   "tac",      "tail",     "tr",    "true",   "uname",   "wc",
    "which",     "whoami", NULL,
};

/* A short reason why |argv| (for a tool with an output-file option) is not read-only. */
static gboolean check_output_option(const char *const *argv, const char *tool, char letter,
                                    const char *long_name, char **why_not) {
  for (guint i = 1; argv[i]; i++) {
    if (g_str_equal(argv[i], "--"))
      break;
    if (short_cluster_has(argv[i], letter) || (long_name && is_long_option(argv[i], long_name)))
      return set_reason(why_not, g_strdup_printf("%s %s writes to a file", tool, argv[i]));
  }
  return TRUE;
}

static gboolean find_is_safe(const char *const *argv, char **why_not) {
  static const char *const runs[] = {"-exec", "-execdir", "-ok", "-okdir", NULL};
  static const char *const writes[] = {"-fls", "-fprint", "-fprint0", "-fprintf", NULL};
  for (guint i = 1; argv[i]; i++) {
    if (str_in(argv[i], runs))
      return set_reason(why_not, g_strdup_printf("find %s runs other programs", argv[i]));
    if (g_str_equal(argv[i], "-delete"))
      return set_reason(why_not, g_strdup("find -delete deletes files"));
    if (str_in(argv[i], writes))
      return set_reason(why_not, g_strdup_printf("find %s writes to a file", argv[i]));
  }
  return TRUE;
}

static gboolean rg_is_safe(const char *const *argv, char **why_not) {
  for (guint i = 1; argv[i]; i++) {
    const char *a = argv[i];
    if (g_str_equal(a, "--"))
      break;
    if (is_long_option(a, "--pre") || is_long_option(a, "--hostname-bin"))
      return set_reason(why_not, g_strdup_printf("rg %s runs another program", a));
    if (g_str_equal(a, "--search-zip") || short_cluster_has(a, 'z'))
      return set_reason(why_not,
                        g_strdup_printf("rg %s runs decompression programs on the files", a));
  }
  return TRUE;
}

/* sed -n ADDRp [FILE]...: print a line or a range, nothing else. */
static gboolean sed_is_safe(const char *const *argv, char **why_not) {
  g_autofree char *not_print = g_strdup("sed is read-only only as `sed -n Np` or `sed -n M,Np`");
  if (!argv[1] || !g_str_equal(argv[1], "-n") || !argv[2])
    return set_reason(why_not, g_steal_pointer(&not_print));
  const char *s = argv[2];
  size_t len = strlen(s);
  if (len < 2 || s[len - 1] != 'p')
    return set_reason(why_not, g_steal_pointer(&not_print));
  int parts = 0;
  for (size_t i = 0; i + 1 < len;) {
    if (s[i] == '$') {
      i++;
    } else if (g_ascii_isdigit(s[i])) {
      while (i + 1 < len && g_ascii_isdigit(s[i]))
        i++;
    } else {
      return set_reason(why_not, g_steal_pointer(&not_print));
    }
    parts++;
    if (i + 1 < len) {
      if (s[i] != ',' || parts > 1 || i + 2 >= len)
        return set_reason(why_not, g_steal_pointer(&not_print));
      i++;
    }
  }
  for (guint i = 3; argv[i]; i++)
    if (argv[i][0] == '-')
      return set_reason(why_not, g_steal_pointer(&not_print));
  return TRUE;
}

/* git: global options first; -c and --config-env can make any subcommand run programs. */
static gboolean git_skip_global_options(const char *const *argv, guint *index, char **why_not) {
  static const char *const with_value[] = {"-C", "--git-dir", "--work-tree", "--namespace", NULL};
  static const char *const flags[] = {"--no-pager",
                                      "-P",
                                      "--no-optional-locks",
                                      "--bare",
                                      "--literal-pathspecs",
                                      "--no-replace-objects",
                                      "--paginate",
                                      "-p",
                                      NULL};
  guint i = 1;
  while (argv[i] && argv[i][0] == '-') {
    const char *a = argv[i];
    if (g_str_equal(a, "-c") || is_long_option(a, "--config-env") || g_str_has_prefix(a, "-c"))
      return set_reason(why_not, g_strdup("git -c/--config-env can set options that run programs"));
    if (g_str_has_prefix(a, "--exec-path="))
      return set_reason(why_not, g_strdup("git --exec-path= runs git programs from elsewhere"));
    if (str_in(a, with_value)) {
      if (!argv[i + 1])
        break;
      i += 2;
      continue;
    }
    if (g_str_has_prefix(a, "--git-dir=") || g_str_has_prefix(a, "--work-tree=") ||
        g_str_has_prefix(a, "--namespace=") || str_in(a, flags)) {
      i++;
      continue;
    }
    break; /* --version, --help, or an option the caller judges */
  }
  *index = i;
  return TRUE;
}

static gboolean git_is_safe(const char *const *argv, char **why_not) {
  static const char *const read_only[] = {
      "status",        "log",          "diff",     "show",         "rev-parse",
      "ls-files",      "ls-tree",      "cat-file", "blame",        "describe",
      "rev-list",      "merge-base",   "shortlog", "grep",         "show-ref",
      "count-objects", "for-each-ref", "name-rev", "check-ignore", NULL,
  };
  static const char *const branch_writes[] = {
      "-d",
      "-D",
      "--delete",
      "-m",
      "-M",
      "--move",
      "-c",
      "-C",
      "--copy",
      "-f",
      "--force",
      "--unset-upstream",
      "--edit-description",
      "-u",
      "-t",
      "--track",
      "--no-track",
      NULL,
  };
  static const char *const tag_writes[] = {"-a", "--annotate", "-s",     "--sign",   "-u",
                                           "-f", "--force",    "-d",     "--delete", "-m",
                                           "-F", "-e",         "--edit", NULL};
  guint i;
  if (!git_skip_global_options(argv, &i, why_not))
    return FALSE;
  const char *sub = argv[i];
  if (!sub)
    return TRUE; /* bare `git`: prints usage */
  if (g_str_equal(sub, "--version") || g_str_equal(sub, "--help") || g_str_equal(sub, "-h"))
    return argv[i + 1] == NULL || set_reason(why_not, g_strdup("git with more arguments"));
  if (sub[0] == '-')
    return set_reason(why_not, g_strdup_printf("git option %s is not known to be read-only", sub));
  const char *const *rest = argv + i + 1;
  if (str_in(sub, read_only)) {
    for (guint j = 0; rest[j]; j++) {
      const char *a = rest[j];
      if (g_str_equal(a, "--"))
        break;
      if (is_long_option(a, "--output"))
        return set_reason(why_not, g_strdup_printf("git %s --output writes to a file", sub));
      if (g_str_equal(a, "--ext-diff"))
        return set_reason(why_not, g_strdup_printf("git %s --ext-diff runs a diff program", sub));
      if (g_str_equal(sub, "grep") &&
          (is_long_option(a, "--open-files-in-pager") || g_str_has_prefix(a, "-O")))
        return set_reason(why_not, g_strdup("git grep -O runs a pager program"));
    }
    return TRUE;
  }
  if (g_str_equal(sub, "branch") || g_str_equal(sub, "tag")) {
    gboolean listing = FALSE, positional = FALSE;
    const char *const *writes = g_str_equal(sub, "branch") ? branch_writes : tag_writes;
    for (guint j = 0; rest[j]; j++) {
      const char *a = rest[j];
      if (str_in(a, writes) || g_str_has_prefix(a, "--set-upstream") ||
          g_str_has_prefix(a, "--track=") || g_str_has_prefix(a, "--message") ||
          g_str_has_prefix(a, "--file=") || g_str_has_prefix(a, "--local-user"))
        return set_reason(why_not, g_strdup_printf("git %s %s changes the repository", sub, a));
      if (g_str_equal(a, "-l") || g_str_equal(a, "--list"))
        listing = TRUE;
      else if (a[0] != '-')
        positional = TRUE;
    }
    if (positional && !listing)
      return set_reason(why_not, g_strdup_printf("git %s NAME creates a %s", sub, sub));
    return TRUE;
  }
  if (g_str_equal(sub, "remote")) {
    if (!rest[0] || ((g_str_equal(rest[0], "-v") || g_str_equal(rest[0], "--verbose")) && !rest[1]))
      return TRUE;
    if (g_str_equal(rest[0], "get-url"))
      return TRUE;
    return set_reason(why_not, g_strdup("git remote with arguments may change remotes or use "
                                        "the network"));
  }
  if (g_str_equal(sub, "stash") || g_str_equal(sub, "worktree")) {
    if (rest[0] && (g_str_equal(rest[0], "list") ||
                    (g_str_equal(sub, "stash") && g_str_equal(rest[0], "show"))))
      return TRUE;
    return set_reason(why_not, g_strdup_printf("git %s changes the repository", sub));
  }
  if (g_str_equal(sub, "config")) {
    static const char *const reads[] = {
        "--get", "--get-all", "--get-regexp", "--get-urlmatch", "--list", "-l", NULL};
    static const char *const writes_cfg[] = {
        "--add", "--unset", "--unset-all", "--replace-all", "--rename-section", "--remove-section",
        "-e",    "--edit",  NULL};
    gboolean reading = rest[0] && (g_str_equal(rest[0], "get") || g_str_equal(rest[0], "list"));
    for (guint j = 0; rest[j]; j++) {
      if (str_in(rest[j], writes_cfg))
        return set_reason(why_not,
                          g_strdup_printf("git config %s writes the configuration", rest[j]));
      if (str_in(rest[j], reads))
        reading = TRUE;
    }
    return reading || set_reason(why_not, g_strdup("git config without --get or --list may "
                                                   "write the configuration"));
  }
  return set_reason(why_not, g_strdup_printf("git %s may change the repository or use the "
                                             "network (only read-only git subcommands are "
                                             "known-safe)",
                                             sub));
}

gboolean rf_command_is_known_safe(const char *const *argv, char **why_not) {
  if (why_not)
    *why_not = NULL;
  if (!argv || !argv[0])
    return set_reason(why_not, g_strdup("empty command"));
  if (strchr(argv[0], '/') && argv[0][0] != '/')
    return set_reason(why_not, g_strdup_printf("%s is a program below the working directory, "
                                               "not the system's %s",
                                               argv[0], rf_command_basename(argv[0])));
  const char *name = rf_command_basename(argv[0]);
  if (g_str_equal(name, "zsh"))
    name = "bash";
  if (str_in(name, always_safe))
    return TRUE;
  if (g_str_equal(name, "find"))
    return find_is_safe(argv, why_not);
  if (g_str_equal(name, "rg"))
    return rg_is_safe(argv, why_not);
  if (g_str_equal(name, "sed"))
    return sed_is_safe(argv, why_not);
  if (g_str_equal(name, "git"))
    return git_is_safe(argv, why_not);
  if (g_str_equal(name, "uniq")) {
    /* uniq [OPTION]... [INPUT [OUTPUT]]: a second file name is written. */
    guint files = 0;
    gboolean options = TRUE;
    for (guint i = 1; argv[i]; i++) {
      if (options && g_str_equal(argv[i], "--"))
        options = FALSE;
      else if (!options || argv[i][0] != '-' || !argv[i][1])
        files++;
      else if (g_str_equal(argv[i], "-f") || g_str_equal(argv[i], "-s") ||
               g_str_equal(argv[i], "-w"))
        i += argv[i + 1] ? 1 : 0; /* options with a value */
    }
    return files < 2 || set_reason(why_not, g_strdup("uniq INPUT OUTPUT writes OUTPUT"));
  }
  if (g_str_equal(name, "base64"))
    return check_output_option(argv, "base64", 'o', "--output", why_not);
  if (g_str_equal(name, "sort")) {
    for (guint i = 1; argv[i]; i++)
      if (is_long_option(argv[i], "--compress-program"))
        return set_reason(why_not, g_strdup("sort --compress-program runs another program"));
    return check_output_option(argv, "sort", 'o', "--output", why_not);
  }
  if (g_str_equal(name, "tree"))
    return check_output_option(argv, "tree", 'o', NULL, why_not);
  if (g_str_equal(name, "date")) {
    for (guint i = 1; argv[i]; i++)
      if (short_cluster_has(argv[i], 's') || is_long_option(argv[i], "--set"))
        return set_reason(why_not, g_strdup_printf("date %s sets the clock", argv[i]));
    return TRUE;
  }
  if (rf_command_is_shell(argv[0])) {
    g_autoptr(RfCommandSet) set = rf_command_expand(argv);
    if (!set->script)
      return set_reason(why_not, g_strdup_printf("%s without -c runs a script file or reads one", name));
    if (!set->understood)
      return set_reason(why_not, g_strdup_printf("the %s script is not understood completely: %s",
                                                 name, set->why));
    for (guint i = 1; i < set->commands->len; i++) {
      const RfShellCommand *c = g_ptr_array_index(set->commands, i);
      if (c->flags & RF_SHELL_WRITES)
        return set_reason(why_not, g_strdup("a redirection in the script writes a file"));
      if (c->flags & RF_SHELL_ASSIGNS)
        return set_reason(why_not, g_strdup("an assignment in the script changes what later "
                                            "commands do"));
      if (c->flags & RF_SHELL_RUNS_SCRIPT)
        continue; /* its script's commands follow in the list */
      if (!c->argv[0] || !rf_command_is_known_safe((const char *const *)c->argv, why_not))
        return FALSE;
    }
    return TRUE;
  }
  return set_reason(why_not,
                    g_strdup_printf("%s is not on the list of known read-only commands", name));
}

/* ---- Dangerous commands ---------------------------------------------------- */

/* Programs that run their arguments as a command; dangerous() looks through them. */
static guint skip_command_runner(const char *const *argv, guint j) {
  const char *name = rf_command_basename(argv[j]);
  static const char *const runners[] = {"env",     "nice",   "nohup",   "time",   "timeout",
                                        "stdbuf",  "ionice", "command", "exec",   "xargs",
                                        "builtin", "chrt",   "taskset", "setsid", NULL};
  if (!str_in(name, runners))
    return j;
  guint i = j + 1;
  gboolean numeric_arg =
      g_str_equal(name, "timeout") || g_str_equal(name, "chrt") || g_str_equal(name, "taskset");
  static const char *const value_opts[] = {
      "-n",           "-u",      "-s",      "-k",         "-c",          "-p",
      "-o",           "-e",      "-i",      "-L",         "-P",          "-I",
      "-a",           "-d",      "-E",      "-C",         "--signal",    "--kill-after",
      "--adjustment", "--unset", "--chdir", "--max-args", "--max-procs", NULL};
  while (argv[i]) {
    const char *a = argv[i];
    if (g_str_equal(a, "--")) {
      i++;
      break;
    }
    if (a[0] == '-') {
      i += (str_in(a, value_opts) && argv[i + 1]) ? 2 : 1;
      continue;
    }
    if (g_str_equal(name, "env") && strchr(a, '=')) {
      i++;
      continue;
    }
    if (numeric_arg && (g_ascii_isdigit(a[0]) || a[0] == '.')) {
      i++;
      numeric_arg = FALSE;
      continue;
    }
    break;
  }
  return argv[i] ? i : j;
}

static gboolean options_before_dashdash_have(const char *const *argv, char letter,
                                             const char *long_name) {
  for (guint i = 1; argv[i]; i++) {
    if (g_str_equal(argv[i], "--"))
      return FALSE;
    if (short_cluster_has(argv[i], letter) || (long_name && g_str_equal(argv[i], long_name)))
      return TRUE;
  }
  return FALSE;
}

static gboolean git_is_dangerous(const char *const *argv, char **why) {
  guint i;
  if (!git_skip_global_options(argv, &i, NULL))
    i = 1;
  /* -c and friends are skipped; find the subcommand. */
  while (argv[i] && argv[i][0] == '-')
    i += (g_str_equal(argv[i], "-c") && argv[i + 1]) ? 2 : 1;
  const char *sub = argv[i];
  if (!sub)
    return FALSE;
  const char *const *rest = argv + i; /* rest[0] is the subcommand, like argv[0] */
  if (g_str_equal(sub, "reset") || g_str_equal(sub, "rm")) {
    if (why)
      *why = g_strdup_printf("git %s discards changes", sub);
    return TRUE;
  }
  if (g_str_equal(sub, "clean") && options_before_dashdash_have(rest, 'f', "--force")) {
    if (why)
      *why = g_strdup("git clean -f deletes untracked files");
    return TRUE;
  }
  if (g_str_equal(sub, "push")) {
    for (guint j = 1; rest[j]; j++) {
      const char *a = rest[j];
      if (g_str_equal(a, "-f") || g_str_equal(a, "--force") ||
          g_str_has_prefix(a, "--force-with-lease") || g_str_equal(a, "--mirror") ||
          g_str_equal(a, "--delete") || g_str_equal(a, "-d") || short_cluster_has(a, 'f') ||
          (a[0] == '+' && a[1]) || (a[0] == ':' && a[1])) {
        if (why)
          *why = g_strdup_printf("git push %s overwrites or deletes remote history", a);
        return TRUE;
      }
    }
  }
  if (g_str_equal(sub, "branch")) {
    for (guint j = 1; rest[j]; j++) {
      if (g_str_equal(rest[j], "-D") || (g_str_equal(rest[j], "--delete") &&
                                         options_before_dashdash_have(rest, 'f', "--force"))) {
        if (why)
          *why = g_strdup("git branch -D deletes a branch even if it is not merged");
        return TRUE;
      }
    }
  }
  if (g_str_equal(sub, "checkout")) {
    for (guint j = 1; rest[j]; j++) {
      if (g_str_equal(rest[j], "-f") || g_str_equal(rest[j], "--force") ||
          (g_str_equal(rest[j], "--") && rest[j + 1])) {
        if (why)
          *why = g_strdup_printf("git checkout %s discards changes in the working tree", rest[j]);
        return TRUE;
      }
    }
  }
  if (g_str_equal(sub, "restore")) {
    gboolean staged_only = FALSE, worktree = FALSE;
    for (guint j = 1; rest[j]; j++) {
      if (g_str_equal(rest[j], "--staged") || g_str_equal(rest[j], "-S"))
        staged_only = TRUE;
      if (g_str_equal(rest[j], "--worktree") || g_str_equal(rest[j], "-W"))
        worktree = TRUE;
    }
    if (!staged_only || worktree) {
      if (why)
        *why = g_strdup("git restore discards changes in the working tree");
      return TRUE;
    }
  }
  if (g_str_equal(sub, "stash") && rest[1] &&
      (g_str_equal(rest[1], "drop") || g_str_equal(rest[1], "clear"))) {
    if (why)
      *why = g_strdup_printf("git stash %s deletes stashed changes", rest[1]);
    return TRUE;
  }
  return FALSE;
}

static gboolean dangerous_at(const char *const *argv, char **why) {
  const char *name = rf_command_basename(argv[0]);
  static const char *const privilege[] = {"sudo", "doas", "su", "pkexec", "run0", NULL};
  static const char *const disks[] = {"mkfs",  "mke2fs", "mkswap", "wipefs",     "shred",
                                      "fdisk", "sfdisk", "parted", "blkdiscard", NULL};
  static const char *const power[] = {"shutdown", "reboot", "halt", "poweroff", NULL};
  if (str_in(name, privilege)) {
    if (why)
      *why = g_strdup_printf("%s runs a command with more privileges", name);
    return TRUE;
  }
  if (g_str_equal(name, "rm") || g_str_equal(name, "rmdir")) {
    if (options_before_dashdash_have(argv, 'f', "--force")) {
      if (why)
        *why = g_strdup("rm -f deletes files without asking");
      return TRUE;
    }
    return FALSE;
  }
  if (g_str_equal(name, "git"))
    return git_is_dangerous(argv, why);
  if (g_str_equal(name, "dd")) {
    for (guint i = 1; argv[i]; i++) {
      if (g_str_has_prefix(argv[i], "of=")) {
        if (why)
          *why = g_strdup("dd of= overwrites its target");
        return TRUE;
      }
    }
    return FALSE;
  }
  if (str_in(name, disks) || g_str_has_prefix(name, "mkfs.")) {
    if (why)
      *why = g_strdup_printf("%s overwrites disks or files beyond recovery", name);
    return TRUE;
  }
  if (str_in(name, power)) {
    if (why)
      *why = g_strdup_printf("%s stops the machine", name);
    return TRUE;
  }
  return FALSE;
}

gboolean rf_command_is_dangerous(const char *const *argv, char **why) {
  if (why)
    *why = NULL;
  if (!argv || !argv[0])
    return FALSE;
  if (rf_command_is_shell(argv[0])) {
    g_autoptr(RfCommandSet) set = rf_command_expand(argv);
    for (guint i = 1; i < set->commands->len; i++) {
      const RfShellCommand *c = g_ptr_array_index(set->commands, i);
      if (c->argv[0] && !(c->flags & RF_SHELL_RUNS_SCRIPT) &&
          rf_command_is_dangerous((const char *const *)c->argv, why))
        return TRUE;
    }
    return FALSE;
  }
  /* Look through env, nice, timeout, xargs ... (and sudo, which is dangerous itself). */
  guint j = 0;
  for (guint hops = 0; hops < 8; hops++) {
    if (dangerous_at(argv + j, why))
      return TRUE;
    guint next = skip_command_runner(argv, j);
    if (next == j)
      break;
    j = next;
  }
  return FALSE;
}
