/* cmdline.h: argv <-> Windows command line (C runtime rules) and cmd.exe lines for batch files.
 *
 * Pure C, no OS calls: the same code runs in the DLL and in the Linux tests.
 * Strings are UTF-8; every character these rules care about is ASCII, so the
 * launcher converts the result to UTF-16 afterwards without changing meaning.
 */
#ifndef RF_WIN_CMDLINE_H
#define RF_WIN_CMDLINE_H

#include <stddef.h>

/* Which parser the child uses to split its command line. */
typedef enum {
  RF_WIN_PARSE_UCRT = 0,   /* UCRT and msvcrt since VS2008: "" inside quotes is a literal quote */
  RF_WIN_PARSE_LEGACY = 1, /* msvcrt before VS2008 and CommandLineToArgvW: "" also ends the quotes */
} rf_win_parse_rules;

/*
 * Builds the command line that makes a C-runtime program see exactly |argv|
 * (NULL-terminated).  argv[0] follows the program-name rule (quotes, no
 * escapes) so it may not contain '"'; other arguments may hold anything.
 * The result never contains "" inside a quoted argument, so both parse rules
 * above give |argv| back.  On success *out is malloc'd (caller frees) and 0 is
 * returned; else -EINVAL and a message in err.
 */
int rf_win_cmdline_quote(const char *const *argv, char **out, char *err, size_t err_len);

/* Quotes one non-program argument onto |buf| (the rule used above). */
int rf_win_cmdline_quote_arg(const char *arg, char **buf, size_t *len, size_t *cap);

/*
 * Splits |cmdline| the way the chosen C runtime does before main().  Returns
 * a malloc'd NULL-terminated vector (free with rf_win_argv_free), or NULL
 * when out of memory.  Used by the tests and by the elevated-mode runner.
 */
char **rf_win_cmdline_parse(const char *cmdline, rf_win_parse_rules rules);
void rf_win_argv_free(char **argv);

/*
 * 1 when |path| names a batch file, which CreateProcess would hand to cmd.exe
 * with cmd's own parsing: extension .bat or .cmd in any case, after Windows
 * drops trailing dots and spaces.  A "::$DATA" stream suffix counts too.
 */
int rf_win_is_batch_file(const char *path);

/*
 * Builds the command line that runs batch file argv[0] with its arguments
 * through |cmd_exe| (an absolute path to cmd.exe):
 *
 *   "<cmd_exe>" /d /e:on /v:off /s /c ""<bat>" "<arg1>" ... "<argN>""
 *
 * /d skips AutoRun, /v:off keeps '!' literal, /s strips exactly the outer
 * quotes.  Every argument is quoted, and cmd.exe treats & | < > ^ ( ) as
 * text inside quotes.  What cmd.exe cannot take literally inside quotes is
 * refused (-EINVAL, naming the argument and character): '%' (expanded even
 * inside quotes), '"' (cmd has no escape for it inside quotes), and control
 * characters such as CR and LF (which end the command).
 */
int rf_win_cmdline_for_batch(const char *cmd_exe, const char *const *argv, char **out, char *err,
                             size_t err_len);

#endif /* RF_WIN_CMDLINE_H */
