/* prompt.c: asking the person at the terminal before `run` starts a command that needs
 * approval; never waits when there is no terminal to ask on. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Control characters (C0, DEL, C1) shown as \xHH, so that a command cannot repaint the
 * terminal and make the question say something else. */
char *rf_cli_terminal_safe(const char *text) {
  GString *out = g_string_new(NULL);
  for (const char *p = text; *p;) {
    gunichar c = g_utf8_get_char_validated(p, -1);
    if (c == (gunichar)-1 || c == (gunichar)-2) {
      g_string_append_printf(out, "\\x%02x", (unsigned char)*p);
      p++;
      continue;
    }
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029)
      g_string_append_printf(out, "\\x%02x", c);
    else
      g_string_append_unichar(out, c);
    p = g_utf8_next_char(p);
  }
  return g_string_free(out, FALSE);
}

char *rf_cli_command_text(const char *const *argv) {
  return rf_command_display(argv);
}

gboolean rf_cli_ask_approval(const char *const *argv, const RfApprovalResult *result) {
  g_autofree char *command = rf_cli_command_text(argv);
  g_autofree char *shown_command = rf_cli_terminal_safe(command);
  g_autofree char *shown_reason = rf_cli_terminal_safe(result->reason);
  if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
    fprintf(stderr,
            "ringfence: not run: `%s` needs approval and there is no terminal to ask on "
            "(stdin and stderr must both be a terminal)\n"
            "ringfence:   why: %s\n"
            "ringfence:   to run it without asking, allow it with a rule "
            "(prefix_rule(pattern = [...], decision = \"allow\") in a --rules file) or choose "
            "another approval policy (-a)\n",
            shown_command, shown_reason);
    return FALSE;
  }
  fprintf(stderr,
          "\nringfence: approval needed to run:\n"
          "    %s\n"
          "  why: %s\n"
          "  [y] run it this once    [n] do not run it (the default)\n",
          shown_command, shown_reason);
  for (int attempt = 0; attempt < 3; attempt++) {
    fputs("Run it? [y/N] ", stderr);
    fflush(stderr);
    g_autofree char *line = NULL;
    size_t size = 0;
    if (getline(&line, &size, stdin) < 0) {
      fputs("\nringfence: not run: no answer\n", stderr);
      return FALSE; /* end of input: no */
    }
    g_strstrip(line);
    if (g_ascii_strcasecmp(line, "y") == 0 || g_ascii_strcasecmp(line, "yes") == 0)
      return TRUE;
    if (!*line || g_ascii_strcasecmp(line, "n") == 0 || g_ascii_strcasecmp(line, "no") == 0)
      break;
    fputs("Please answer y or n.\n", stderr);
  }
  fputs("ringfence: not run: not approved\n", stderr);
  return FALSE;
}
