/* command-expand.h: every command a command line runs, for the approval decision: the command
 * itself, what its wrappers run (env, nice, nohup, time, timeout, xargs, exec, command,
 * builtin, sudo, ...), and every simple command of the scripts it hands a shell (sh -c, eval,
 * trap, a here-document fed to a shell), recursively within the parser's bounds. */
#pragma once

#include "shell-parse.h"

typedef struct {
  GPtrArray *commands; /* RfShellCommand*: each command to judge; an empty argv stands for
                        * assignments or redirections alone (see its flags) */
  gboolean script;     /* a shell script was looked into */
  gboolean understood; /* FALSE: not understood completely; |why| says what */
  gboolean complete;   /* FALSE: something it runs was not seen at all (a script only known
                        * when it runs, one read from a pipe, or parsing stopped early) */
  char *why;
} RfCommandSet;

/* Never fails; a command line that is not a shell wrapper gives itself and its unwrapped
 * inner commands.  Free with rf_command_set_free. */
RfCommandSet *rf_command_expand(const char *const *argv);
void rf_command_set_free(RfCommandSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RfCommandSet, rf_command_set_free)

/* The shells whose `-c SCRIPT` is looked into: sh, bash, dash, zsh, ksh, mksh, ash, yash. */
gboolean rf_command_is_shell(const char *program);
