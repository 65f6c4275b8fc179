/* runner.c: rf-windows-runner.exe, elevated mode's helper.  Started by the plugin as the sandbox
 * account (CreateProcessWithLogonW) inside the run's job; creates the AppContainer profile under that
 * account, starts the command in it with exactly the capabilities it was given, waits, and exits with the
 * command's exit code.  It never widens anything: its arguments come from the plugin's plan. */
#include <stdio.h>
#include <stdlib.h>

#include "appcontainer.h"
#include "runner-proto.h"
#include "win32.h"

int main(void) {
  char err[1024] = "";
  char *cmd = rf_win32_utf8(GetCommandLineW());
  rf_win_runner_args args;
  if (cmd == NULL || rf_win_runner_parse(cmd, &args) < 0) {
    fprintf(stderr, "rf-windows-runner: malformed command line (this program is started by ringfence)\n");
    return (int)RF_WIN_RUNNER_EXIT_SETUP;
  }
  const char **caps = calloc(args.n_caps + 1, sizeof *caps);
  wchar_t *child_cmd = rf_win32_wide(args.child_cmdline);
  if (caps == NULL || child_cmd == NULL) {
    fprintf(stderr, "rf-windows-runner: out of memory\n");
    return (int)RF_WIN_RUNNER_EXIT_SETUP;
  }
  for (size_t i = 0; i < args.n_caps; i++)
    caps[i] = args.caps[i];
  /* A console on our standard input (the caller's, passed through): the command gets a pseudo
   * console of its own instead, so it cannot write to the caller's console input. */
  rf_win32_conpty pty;
  memset(&pty, 0, sizeof pty);
  int use_pty = rf_win32_stdin_is_console() && rf_win32_conpty_open(&pty, err, sizeof err) == 0;
  rf_win32_spawn in = {.appcontainer = 1,
                       .ac_name = args.appcontainer_name,
                       .cap_sids = caps,
                       .n_caps = args.n_caps,
                       .application = NULL,
                       .command_line = child_cmd,
                       .env_block = NULL, /* ours, which the plugin set from the policy */
                       .cwd = NULL,
                       .desktop = NULL,
                       .pty = use_pty ? &pty : NULL};
  rf_win32_child_handles ch;
  if (rf_win32_ac_spawn(&in, &ch, err, sizeof err) < 0) {
    fprintf(stderr, "rf-windows-runner: %s\n", err);
    return (int)(ch.exec_error ? RF_WIN_RUNNER_EXIT_EXEC : RF_WIN_RUNNER_EXIT_SETUP);
  }
  /* We are in the run's job already, so the child is too (no breakaway is allowed). */
  if (use_pty && rf_win32_conpty_start(&pty, err, sizeof err) < 0)
    fprintf(stderr, "rf-windows-runner: %s\n", err);
  ResumeThread(ch.thread);
  CloseHandle(ch.thread);
  WaitForSingleObject(ch.process, INFINITE);
  rf_win32_conpty_close(&pty);
  DWORD code = 0;
  GetExitCodeProcess(ch.process, &code);
  CloseHandle(ch.process);
  if (ch.profile_created)
    rf_win32_ac_profile_delete(args.appcontainer_name);
  if (ch.ac_sid != NULL)
    FreeSid(ch.ac_sid);
  free(caps);
  free(child_cmd);
  rf_win_runner_args_clear(&args);
  free(cmd);
  return (int)code;
}
