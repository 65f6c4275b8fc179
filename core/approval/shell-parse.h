/* shell-parse.h: a POSIX-shell (bash-compatible subset) parser that finds every simple command
 * of a script, for the approval decision; it runs nothing and expands nothing.  What to make of
 * the commands (rules, dangerous, known-safe) is command-expand.c's and approval.c's business. */
#pragma once

#include <glib.h>

/* Bounds (docs/approvals.md): a longer script, a deeper nesting of compound commands,
 * substitutions and nested `sh -c` scripts, or more commands, is "not understood". */
#define RF_SHELL_MAX_INPUT (64 * 1024)
#define RF_SHELL_MAX_DEPTH 32
#define RF_SHELL_MAX_COMMANDS 2048

typedef enum {
  RF_SHELL_UNKNOWN_WORDS = 1 << 0, /* a word is only known when the script runs ($x, $(..), *) */
  RF_SHELL_WRITES = 1 << 1,        /* a redirection writes a file (other than /dev/null) */
  RF_SHELL_ASSIGNS = 1 << 2,       /* NAME=value before the command or alone */
  RF_SHELL_STDIN_PIPED = 1 << 3,   /* its standard input is the previous command of a pipeline */
  RF_SHELL_RUNS_SCRIPT = 1 << 4,   /* (command-expand.c) hands a script to a shell: judged by
                                    * the script's commands, which are listed after it */
} RfShellCommandFlags;

typedef struct {
  char **argv;      /* the words; a word not known literally is its source text ("$t").  May be
                     * empty ({NULL}) for assignments or redirections alone */
  gboolean *word_unknown; /* one per word: TRUE when that word is only known at run time */
  guint flags;      /* RfShellCommandFlags */
  char *stdin_text; /* what a here-document or here-string with known text feeds it, or NULL */
  gboolean stdin_redirected; /* its standard input is a file, a here-document or a here-string */
} RfShellCommand;

typedef struct {
  GPtrArray *commands; /* RfShellCommand*, every simple command found (function bodies,
                        * substitutions, loops and branches included) */
  gboolean understood; /* FALSE: something in it was not understood completely */
  gboolean complete;   /* FALSE: parsing stopped early (a syntax error, a bound, a construct
                        * not supported): commands after that point are not listed */
  char *why;           /* when not understood: the first reason, for people */
} RfShellScript;

/* Parses |length| bytes of |text| (a script as `sh -c` gets it) at nesting |depth| (0 for a
 * top-level script).  Never fails: what it cannot parse makes the script not understood, and
 * the commands found before that point are still listed (a shell runs them before it reaches
 * the error).  Free with rf_shell_script_free. */
RfShellScript *rf_shell_parse(const char *text, gsize length, guint depth);
void rf_shell_script_free(RfShellScript *script);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RfShellScript, rf_shell_script_free)
