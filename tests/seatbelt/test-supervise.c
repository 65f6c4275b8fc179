/* test-supervise.c: fork/exec/wait/kill of the launch path, run on Linux with a stand-in for sandbox-exec. */
#include "fixtures.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * supervise.c is what launch() runs on macOS after building the profile.
 * Everything in it but the Seatbelt profile itself is plain POSIX, so it is
 * exercised here with fake-sandbox-exec.sh, which checks the argv shape
 * (-p PROFILE, -DKEY=VALUE..., --, COMMAND) and runs COMMAND unconfined.
 */

#ifndef SEATBELT_FAKE_SANDBOX_EXEC
#error "SEATBELT_FAKE_SANDBOX_EXEC must name tests/seatbelt/fake-sandbox-exec.sh"
#endif

static char workdir[256];

static int setup_suite(void) {
  char *real = NULL;
  snprintf(workdir, sizeof workdir, "/tmp/rf-seatbelt-test-XXXXXX");
  if (!mkdtemp(workdir) || !(real = realpath(workdir, NULL)))
    return -1;
  snprintf(workdir, sizeof workdir, "%s", real);
  free(real);
  return 0;
}

static int teardown_suite(void) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
  return system(cmd) == 0 ? 0 : -1;
}

static const char *const base_env[] = {"PATH=/usr/bin:/bin", "FOO=bar", NULL};

static void make_policy(fixture *f) {
  fixture_policy(f, (fixture_shape){RF_SANDBOX_WORKSPACE_WRITE, RF_READ_FULL, 0, RF_NETWORK_OFF});
  f->roots[0].path = workdir;
  f->roots[0].n_protected = 0;
  f->policy.cwd = workdir;
  f->policy.envp = base_env;
}

/* Spawns |command| the way launch() does (profile, params, fake
 * sandbox-exec), waits up to |timeout_ms| (-1: forever). */
static int run(fixture *f, const char *const *command, rf_backend_child *child,
               int timeout_ms, rf_backend_exit *result) {
  rf_seatbelt_params params = {0};
  char *profile = NULL;
  char err[512] = "";
  int r = rf_seatbelt_profile(&f->policy, &profile, &params, err, sizeof err);
  CU_ASSERT_EQUAL_FATAL(r, 0);
  char **exec_argv = rf_seatbelt_argv(SEATBELT_FAKE_SANDBOX_EXEC, profile, &params, command);
  char **envp = rf_seatbelt_environ(&f->policy);
  memset(child, 0, sizeof *child);
  child->size = sizeof *child;
  r = rf_seatbelt_spawn(&f->policy, exec_argv, command, envp, child, err, sizeof err);
  if (r != 0)
    fprintf(stderr, "\n  spawn: %s\n", err);
  rf_seatbelt_argv_free(exec_argv);
  rf_seatbelt_environ_free(envp);
  rf_seatbelt_params_clear(&params);
  free(profile);
  if (r != 0)
    return r;
  CU_ASSERT_EQUAL(child->wait_fd, -1);
  memset(result, 0, sizeof *result);
  result->size = sizeof *result;
  return rf_seatbelt_child_wait(child, timeout_ms, result);
}

static void test_exit_code_and_environment_come_through(void) {
  fixture f;
  make_policy(&f);
  const char *cmd[] = {"sh", "-c",
                       "test \"$FOO\" = bar && test \"$RINGFENCE_SANDBOX\" = seatbelt && "
                       "test \"$RINGFENCE_SANDBOX_NETWORK_DISABLED\" = 1 && exit 7",
                       NULL};
  rf_backend_child child;
  rf_backend_exit result;
  CU_ASSERT_EQUAL_FATAL(run(&f, cmd, &child, -1, &result), 0);
  CU_ASSERT_EQUAL(result.stage, RF_EXIT_COMMAND);
  CU_ASSERT_EQUAL(result.code, 7);
  CU_ASSERT_EQUAL(result.signal, 0);
  /* A second wait reports the same, without waiting. */
  rf_backend_exit again = {.size = sizeof again};
  CU_ASSERT_EQUAL(rf_seatbelt_child_wait(&child, -1, &again), 0);
  CU_ASSERT_EQUAL(again.code, 7);
  CU_ASSERT_EQUAL(rf_seatbelt_child_signal(&child, SIGTERM), -ESRCH);
  rf_seatbelt_child_release(&child);
}

static void test_command_starts_in_the_working_directory(void) {
  fixture f;
  make_policy(&f);
  char script[512];
  snprintf(script, sizeof script, "test \"$(pwd -P)\" = '%s'", workdir);
  const char *cmd[] = {"sh", "-c", script, NULL};
  rf_backend_child child;
  rf_backend_exit result;
  CU_ASSERT_EQUAL_FATAL(run(&f, cmd, &child, -1, &result), 0);
  CU_ASSERT_EQUAL(result.stage, RF_EXIT_COMMAND);
  CU_ASSERT_EQUAL(result.code, 0);
  rf_seatbelt_child_release(&child);
}

static void test_signal_death_is_reported_as_such(void) {
  fixture f;
  make_policy(&f);
  const char *cmd[] = {"sh", "-c", "kill -TERM $$; sleep 5", NULL};
  rf_backend_child child;
  rf_backend_exit result;
  CU_ASSERT_EQUAL_FATAL(run(&f, cmd, &child, -1, &result), 0);
  CU_ASSERT_EQUAL(result.stage, RF_EXIT_COMMAND);
  CU_ASSERT_EQUAL(result.signal, SIGTERM);
  rf_seatbelt_child_release(&child);
}

static void test_ignored_signals_are_reset_for_the_command(void) {
  fixture f;
  make_policy(&f);
  struct sigaction ign = {.sa_handler = SIG_IGN}, old;
  sigaction(SIGPIPE, &ign, &old);
  const char *cmd[] = {"sh", "-c", "kill -PIPE $$; exit 0", NULL};
  rf_backend_child child;
  rf_backend_exit result;
  int r = run(&f, cmd, &child, -1, &result);
  sigaction(SIGPIPE, &old, NULL);
  CU_ASSERT_EQUAL_FATAL(r, 0);
  CU_ASSERT_EQUAL(result.signal, SIGPIPE);
  rf_seatbelt_child_release(&child);
}

static void test_missing_command_is_exec_failed_enoent(void) {
  fixture f;
  make_policy(&f);
  const char *cmd[] = {"ringfence-no-such-command-xyz", NULL};
  rf_backend_child child;
  rf_backend_exit result;
  CU_ASSERT_EQUAL_FATAL(run(&f, cmd, &child, -1, &result), 0);
  CU_ASSERT_EQUAL(result.stage, RF_EXIT_EXEC_FAILED);
  CU_ASSERT_EQUAL(result.exec_errno, ENOENT);
  CU_ASSERT_PTR_NOT_NULL(strstr(result.message, "ringfence-no-such-command-xyz: command not found"));
  rf_seatbelt_child_release(&child);
}

static void test_non_executable_command_is_exec_failed_eacces(void) {
  fixture f;
  make_policy(&f);
  char path[512];
  snprintf(path, sizeof path, "%s/not-executable", workdir);
  FILE *file = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(file);
  fputs("#!/bin/sh\nexit 0\n", file);
  fclose(file);
  chmod(path, 0644);
  const char *cmd[] = {path, NULL};
  rf_backend_child child;
  rf_backend_exit result;
  CU_ASSERT_EQUAL_FATAL(run(&f, cmd, &child, -1, &result), 0);
  CU_ASSERT_EQUAL(result.stage, RF_EXIT_EXEC_FAILED);
  CU_ASSERT_EQUAL(result.exec_errno, EACCES);
  rf_seatbelt_child_release(&child);
}

static void test_bad_working_directory_is_a_setup_failure(void) {
  fixture f;
  make_policy(&f);
  f.policy.cwd = "/nonexistent/ringfence/dir";
  const char *cmd[] = {"true", NULL};
  rf_backend_child child;
  rf_backend_exit result;
  CU_ASSERT_EQUAL_FATAL(run(&f, cmd, &child, -1, &result), 0);
  CU_ASSERT_EQUAL(result.stage, RF_EXIT_SETUP_FAILED);
  CU_ASSERT_PTR_NOT_NULL(strstr(result.message, "/nonexistent/ringfence/dir"));
  rf_seatbelt_child_release(&child);
}

static void test_missing_sandbox_exec_is_a_setup_failure(void) {
  fixture f;
  make_policy(&f);
  const char *cmd[] = {"true", NULL};
  char *exec_argv[] = {"/nonexistent/sandbox-exec", "-p", "(version 1)", "--", "true", NULL};
  rf_backend_child child = {.size = sizeof child};
  char err[512] = "";
  CU_ASSERT_EQUAL_FATAL(
      rf_seatbelt_spawn(&f.policy, exec_argv, cmd, (char *const *)base_env, &child, err, sizeof err),
      0);
  rf_backend_exit result = {.size = sizeof result};
  CU_ASSERT_EQUAL(rf_seatbelt_child_wait(&child, -1, &result), 0);
  CU_ASSERT_EQUAL(result.stage, RF_EXIT_SETUP_FAILED);
  CU_ASSERT_PTR_NOT_NULL(strstr(result.message, "/nonexistent/sandbox-exec"));
  rf_seatbelt_child_release(&child);
}

/* Only 0, 1, 2 and pass_fds reach the command. */
static void test_only_stdio_and_passed_descriptors_are_inherited(void) {
  fixture f;
  make_policy(&f);
  int leaked = open("/dev/null", O_RDONLY); /* no O_CLOEXEC: would leak */
  int passed = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int high = fcntl(leaked, F_DUPFD, 200); /* far above the others */
  CU_ASSERT_TRUE_FATAL(leaked > 2 && passed > 2 && high >= 200);
  int pass[] = {passed};
  f.policy.pass_fds = pass;
  f.policy.n_pass_fds = 1;
  char script[512];
  snprintf(script, sizeof script,
           "test -e /dev/fd/%d && exit 10; test -e /dev/fd/%d && exit 11; "
           "test -e /dev/fd/%d || exit 12; exit 0",
           leaked, high, passed);
  const char *cmd[] = {"sh", "-c", script, NULL};
  rf_backend_child child;
  rf_backend_exit result;
  CU_ASSERT_EQUAL_FATAL(run(&f, cmd, &child, -1, &result), 0);
  CU_ASSERT_EQUAL(result.stage, RF_EXIT_COMMAND);
  CU_ASSERT_EQUAL(result.code, 0);
  rf_seatbelt_child_release(&child);
  close(leaked);
  close(passed);
  close(high);
}

static void test_a_closed_pass_fd_is_refused_before_forking(void) {
  fixture f;
  make_policy(&f);
  int pass[] = {987};
  f.policy.pass_fds = pass;
  f.policy.n_pass_fds = 1;
  const char *cmd[] = {"true", NULL};
  rf_backend_child child = {.size = sizeof child};
  char err[512] = "";
  CU_ASSERT_EQUAL(rf_seatbelt_spawn(&f.policy, NULL, cmd, (char *const *)base_env, &child, err,
                                    sizeof err),
                  -EBADF);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "987"));
}

static void test_wait_times_out_and_kill_ends_it(void) {
  fixture f;
  make_policy(&f);
  const char *cmd[] = {"sleep", "30", NULL};
  rf_backend_child child;
  rf_backend_exit result;
  CU_ASSERT_EQUAL_FATAL(run(&f, cmd, &child, 50, &result), 0);
  CU_ASSERT_EQUAL(result.stage, RF_EXIT_RUNNING);
  rf_backend_exit polled = {.size = sizeof polled};
  CU_ASSERT_EQUAL(rf_seatbelt_child_wait(&child, 0, &polled), 0);
  CU_ASSERT_EQUAL(polled.stage, RF_EXIT_RUNNING);
  CU_ASSERT_EQUAL(rf_seatbelt_child_kill(&child), 0);
  rf_backend_exit done = {.size = sizeof done};
  CU_ASSERT_EQUAL(rf_seatbelt_child_wait(&child, -1, &done), 0);
  CU_ASSERT_EQUAL(done.stage, RF_EXIT_COMMAND);
  CU_ASSERT_EQUAL(done.signal, SIGKILL);
  rf_seatbelt_child_release(&child);
}

static void test_signal_reaches_the_command(void) {
  fixture f;
  make_policy(&f);
  const char *cmd[] = {"sleep", "30", NULL};
  rf_backend_child child;
  rf_backend_exit result;
  CU_ASSERT_EQUAL_FATAL(run(&f, cmd, &child, 20, &result), 0);
  CU_ASSERT_EQUAL(rf_seatbelt_child_signal(&child, SIGINT), 0);
  rf_backend_exit done = {.size = sizeof done};
  CU_ASSERT_EQUAL(rf_seatbelt_child_wait(&child, 5000, &done), 0);
  CU_ASSERT_EQUAL(done.signal, SIGINT);
  rf_seatbelt_child_release(&child);
}

/* Is |pid| gone (or, on Linux, a zombie its new parent has not reaped yet)? */
static int process_gone(pid_t pid) {
#ifndef __linux__
  return kill(pid, 0) < 0 && errno == ESRCH;
#endif
  char path[64], state = '?';
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return 1;
  int n = fscanf(f, "%*d (%*[^)]) %c", &state);
  fclose(f);
  return n == 1 && (state == 'Z' || state == 'X');
}

static void test_background_jobs_die_with_the_command(void) {
  fixture f;
  make_policy(&f);
  char pidfile[512], script[1024];
  snprintf(pidfile, sizeof pidfile, "%s/bg.pid", workdir);
  snprintf(script, sizeof script, "sleep 30 & echo $! > '%s'; exit 0", pidfile);
  const char *cmd[] = {"sh", "-c", script, NULL};
  rf_backend_child child;
  rf_backend_exit result;
  CU_ASSERT_EQUAL_FATAL(run(&f, cmd, &child, -1, &result), 0);
  CU_ASSERT_EQUAL(result.code, 0);
  char *text = read_text_file(pidfile);
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  pid_t bg = (pid_t)atoi(text);
  free(text);
  CU_ASSERT_TRUE_FATAL(bg > 0);
  int gone = 0;
  for (int i = 0; i < 200 && !gone; i++) {
    gone = process_gone(bg);
    if (!gone) {
      struct timespec ts = {0, 10 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
  CU_ASSERT_TRUE(gone);
  if (!gone)
    kill(bg, SIGKILL);
  rf_seatbelt_child_release(&child);
}

static void test_command_runs_in_its_own_session(void) {
  fixture f;
  make_policy(&f);
  /* After setsid() the command leads its own process group (ps -o sid is
   * not portable to macOS; pgid is). */
  const char *cmd[] = {"sh", "-c", "test \"$(ps -o pgid= -p $$ | tr -d ' ')\" = \"$$\"", NULL};
  if (access("/bin/ps", X_OK) != 0 && access("/usr/bin/ps", X_OK) != 0) {
    CU_PASS("ps not installed");
    return;
  }
  rf_backend_child child;
  rf_backend_exit result;
  CU_ASSERT_EQUAL_FATAL(run(&f, cmd, &child, -1, &result), 0);
  CU_ASSERT_EQUAL(result.code, 0);
  rf_seatbelt_child_release(&child);
}

static void test_danger_full_access_runs_the_command_directly(void) {
  fixture f;
  make_policy(&f);
  f.policy.mode = RF_SANDBOX_DANGER_FULL_ACCESS;
  f.policy.writable_roots = NULL;
  f.policy.n_writable_roots = 0;
  const char *cmd[] = {"sh", "-c", "test -z \"$RINGFENCE_SANDBOX\" && exit 3", NULL};
  char **envp = rf_seatbelt_environ(&f.policy);
  rf_backend_child child = {.size = sizeof child};
  char err[512] = "";
  CU_ASSERT_EQUAL_FATAL(rf_seatbelt_spawn(&f.policy, NULL, cmd, envp, &child, err, sizeof err), 0);
  rf_backend_exit result = {.size = sizeof result};
  CU_ASSERT_EQUAL(rf_seatbelt_child_wait(&child, -1, &result), 0);
  CU_ASSERT_EQUAL(result.code, 3);
  rf_seatbelt_child_release(&child);
  rf_seatbelt_environ_free(envp);
}

void add_supervise_tests(void) {
  CU_pSuite s = CU_add_suite("seatbelt-supervise", setup_suite, teardown_suite);
  CU_add_test(s, "exit code and environment come through",
              test_exit_code_and_environment_come_through);
  CU_add_test(s, "command starts in the working directory",
              test_command_starts_in_the_working_directory);
  CU_add_test(s, "signal death is reported as such", test_signal_death_is_reported_as_such);
  CU_add_test(s, "ignored signals are reset for the command",
              test_ignored_signals_are_reset_for_the_command);
  CU_add_test(s, "missing command is exec-failed ENOENT", test_missing_command_is_exec_failed_enoent);
  CU_add_test(s, "non-executable command is exec-failed EACCES",
              test_non_executable_command_is_exec_failed_eacces);
  CU_add_test(s, "bad working directory is a setup failure",
              test_bad_working_directory_is_a_setup_failure);
  CU_add_test(s, "missing sandbox-exec is a setup failure",
              test_missing_sandbox_exec_is_a_setup_failure);
  CU_add_test(s, "only stdio and passed descriptors are inherited",
              test_only_stdio_and_passed_descriptors_are_inherited);
  CU_add_test(s, "a closed pass fd is refused before forking",
              test_a_closed_pass_fd_is_refused_before_forking);
  CU_add_test(s, "wait times out and kill ends it", test_wait_times_out_and_kill_ends_it);
  CU_add_test(s, "a signal reaches the command", test_signal_reaches_the_command);
  CU_add_test(s, "background jobs die with the command", test_background_jobs_die_with_the_command);
  CU_add_test(s, "command runs in its own session", test_command_runs_in_its_own_session);
  CU_add_test(s, "danger-full-access runs the command directly",
              test_danger_full_access_runs_the_command_directly);
}
