/* test-supervise.c: fork/exec/wait/kill of the launch path, run on Linux with a stand-in for sandbox-exec: one table, one runner. */
#include "fixtures.h"

#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>
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
 * supervise.c is what launch() runs on macOS after building the profile.  Everything in it but
 * the Seatbelt profile itself is plain POSIX, so it is exercised here with fake-sandbox-exec.sh,
 * which checks the argv shape (-p PROFILE, -DKEY=VALUE..., --, COMMAND) and runs COMMAND
 * unconfined.
 *
 * Each claim is a row of launch_cases[]: the command, what to change in the policy or the
 * process before the spawn, and how the command must end.  run_launch_claim() is the only test
 * function: it builds the policy, renders the profile, spawns through the stand-in, waits and
 * checks; rows that go on after the first wait (a second wait, a signal, a kill) name a function.
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

#define MAX_ARGS 6

/* What one run holds besides the policy: the command with the work directory filled in, and
 * whatever a row's prepare() set up for its restore(). */
typedef struct {
  char args[MAX_ARGS][1024];
  const char *argv[MAX_ARGS + 1];
  int fds[3];
  int pass[1];
  struct sigaction saved;
} launch_run;

/* A value a row expects, or nothing (not checked). */
typedef struct {
  int set;
  int value;
} expected;
#define IS(v) {1, (v)}

typedef struct {
  const char *claim;                    /* the CUnit test name */
  const char *command[MAX_ARGS];        /* "%s" in an argument stands for the work directory */
  const char *needs;                    /* a program in /bin or /usr/bin the claim needs */
  void (*prepare)(fixture *f, launch_run *run);  /* before the spawn (policy, fds, signals) */
  void (*restore)(launch_run *run);     /* after the first wait */
  const char *sandbox_exec;             /* instead of fake-sandbox-exec.sh */
  int direct;                           /* no profile, no sandbox-exec (as for danger-full-access) */
  int spawn_error;                      /* the spawn itself fails with this -errno... */
  const char *spawn_message;            /* ...and a message holding this */
  int wait_ms;                          /* the first wait: 0 waits for the exit */
  expected stage, code, signal, exec_errno;
  const char *message;                  /* the exit's message holds this */
  void (*then)(rf_backend_child *child); /* after the first wait: more waits, signals, kills */
} launch_case;

/* ---- prepare and restore */

static void ignore_sigpipe(fixture *f, launch_run *run) {
  (void)f;
  struct sigaction ign = {.sa_handler = SIG_IGN};
  sigaction(SIGPIPE, &ign, &run->saved);
}

static void restore_sigpipe(launch_run *run) {
  sigaction(SIGPIPE, &run->saved, NULL);
}

static void non_executable_script(fixture *f, launch_run *run) {
  (void)f;
  FILE *file = fopen(run->args[0], "w");
  EXPECT_FATAL(file != NULL, "cannot create %s", run->args[0]);
  fputs("#!/bin/sh\nexit 0\n", file);
  fclose(file);
  chmod(run->args[0], 0644);
}

static void missing_working_directory(fixture *f, launch_run *run) {
  (void)run;
  f->policy.cwd = "/nonexistent/ringfence/dir";
}

/* Three descriptors: one without O_CLOEXEC (would leak), one far above the others, one passed
 * with pass_fds; the command exits 0 only if it sees the passed one alone. */
static void three_descriptors(fixture *f, launch_run *run) {
  int leaked = open("/dev/null", O_RDONLY);
  int passed = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int high = fcntl(leaked, F_DUPFD, 200);
  run->fds[0] = leaked, run->fds[1] = passed, run->fds[2] = high;
  EXPECT_FATAL(leaked > 2 && passed > 2 && high >= 200, "three descriptors (%d, %d, %d)", leaked,
               passed, high);
  run->pass[0] = passed;
  f->policy.pass_fds = run->pass;
  f->policy.n_pass_fds = 1;
  snprintf(run->args[2], sizeof run->args[2],
           "test -e /dev/fd/%d && exit 10; test -e /dev/fd/%d && exit 11; "
           "test -e /dev/fd/%d || exit 12; exit 0",
           leaked, high, passed);
}

static void close_descriptors(launch_run *run) {
  for (int i = 0; i < 3; i++)
    if (run->fds[i] >= 0)
      close(run->fds[i]);
}

static void closed_pass_fd(fixture *f, launch_run *run) {
  run->pass[0] = 987;
  f->policy.pass_fds = run->pass;
  f->policy.n_pass_fds = 1;
}

static void danger_full_access(fixture *f, launch_run *run) {
  (void)run;
  f->policy.mode = RF_SANDBOX_DANGER_FULL_ACCESS;
  f->policy.writable_roots = NULL;
  f->policy.n_writable_roots = 0;
}

/* ---- after the first wait */

/* A second wait reports the same, without waiting; the child is gone. */
static void waits_again_the_same(rf_backend_child *child) {
  rf_backend_exit again = {.size = sizeof again};
  EXPECT(rf_seatbelt_child_wait(child, -1, &again) == 0, "a second wait succeeds");
  EXPECT(again.code == 7, "a second wait reports exit 7 (got %d)", again.code);
  EXPECT(rf_seatbelt_child_signal(child, SIGTERM) == -ESRCH, "signalling an exited child is -ESRCH");
}

static void polls_running_then_kill_ends_it(rf_backend_child *child) {
  rf_backend_exit polled = {.size = sizeof polled};
  EXPECT(rf_seatbelt_child_wait(child, 0, &polled) == 0, "a poll succeeds");
  EXPECT(polled.stage == RF_EXIT_RUNNING, "a poll reports it running (stage %d)", polled.stage);
  EXPECT(rf_seatbelt_child_kill(child) == 0, "kill succeeds");
  rf_backend_exit done = {.size = sizeof done};
  EXPECT(rf_seatbelt_child_wait(child, -1, &done) == 0, "the wait after kill succeeds");
  EXPECT(done.stage == RF_EXIT_COMMAND, "the command ended (stage %d)", done.stage);
  EXPECT(done.signal == SIGKILL, "by SIGKILL (signal %d)", done.signal);
}

static void sigint_ends_it(rf_backend_child *child) {
  EXPECT(rf_seatbelt_child_signal(child, SIGINT) == 0, "SIGINT is sent");
  rf_backend_exit done = {.size = sizeof done};
  EXPECT(rf_seatbelt_child_wait(child, 5000, &done) == 0, "the wait after SIGINT succeeds");
  EXPECT(done.signal == SIGINT, "the command died of SIGINT (signal %d)", done.signal);
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

/* The background job whose pid the command wrote to bg.pid is gone within 2 s. */
static void background_job_gone(rf_backend_child *child) {
  (void)child;
  char pidfile[512];
  snprintf(pidfile, sizeof pidfile, "%s/bg.pid", workdir);
  char *text = read_text_file(pidfile);
  EXPECT_FATAL(text != NULL, "the command wrote %s", pidfile);
  pid_t bg = (pid_t)atoi(text);
  free(text);
  EXPECT_FATAL(bg > 0, "%s holds a pid", pidfile);
  int gone = 0;
  for (int i = 0; i < 200 && !gone; i++) {
    gone = process_gone(bg);
    if (!gone) {
      struct timespec ts = {0, 10 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
  EXPECT(gone, "the background job %d died with the command", (int)bg);
  if (!gone)
    kill(bg, SIGKILL);
}

/* ---- the table */

static const launch_case launch_cases[] = {
    {.claim = "exit code and environment come through",
     .command = {"sh", "-c",
                 "test \"$FOO\" = bar && test \"$RINGFENCE_SANDBOX\" = seatbelt && "
                 "test \"$RINGFENCE_SANDBOX_NETWORK_DISABLED\" = 1 && exit 7"},
     .stage = IS(RF_EXIT_COMMAND), .code = IS(7), .signal = IS(0),
     .then = waits_again_the_same},
    {.claim = "command starts in the working directory",
     .command = {"sh", "-c", "test \"$(pwd -P)\" = '%s'"},
     .stage = IS(RF_EXIT_COMMAND), .code = IS(0)},
    {.claim = "signal death is reported as such",
     .command = {"sh", "-c", "kill -TERM $$; sleep 5"},
     .stage = IS(RF_EXIT_COMMAND), .signal = IS(SIGTERM)},
    {.claim = "ignored signals are reset for the command",
     .command = {"sh", "-c", "kill -PIPE $$; exit 0"},
     .prepare = ignore_sigpipe, .restore = restore_sigpipe,
     .signal = IS(SIGPIPE)},
    {.claim = "missing command is exec-failed ENOENT",
     .command = {"ringfence-no-such-command-xyz"},
     .stage = IS(RF_EXIT_EXEC_FAILED), .exec_errno = IS(ENOENT),
     .message = "ringfence-no-such-command-xyz: command not found"},
    {.claim = "non-executable command is exec-failed EACCES",
     .command = {"%s/not-executable"},
     .prepare = non_executable_script,
     .stage = IS(RF_EXIT_EXEC_FAILED), .exec_errno = IS(EACCES)},
    {.claim = "bad working directory is a setup failure",
     .command = {"true"},
     .prepare = missing_working_directory,
     .stage = IS(RF_EXIT_SETUP_FAILED), .message = "/nonexistent/ringfence/dir"},
    {.claim = "missing sandbox-exec is a setup failure",
     .command = {"true"},
     .sandbox_exec = "/nonexistent/sandbox-exec",
     .stage = IS(RF_EXIT_SETUP_FAILED), .message = "/nonexistent/sandbox-exec"},
    /* Only 0, 1, 2 and pass_fds reach the command. */
    {.claim = "only stdio and passed descriptors are inherited",
     .command = {"sh", "-c", "(the script is written by three_descriptors)"},
     .prepare = three_descriptors, .restore = close_descriptors,
     .stage = IS(RF_EXIT_COMMAND), .code = IS(0)},
    {.claim = "a closed pass fd is refused before forking",
     .command = {"true"},
     .prepare = closed_pass_fd,
     .spawn_error = -EBADF, .spawn_message = "987"},
    {.claim = "wait times out and kill ends it",
     .command = {"sleep", "30"},
     .wait_ms = 50,
     .stage = IS(RF_EXIT_RUNNING),
     .then = polls_running_then_kill_ends_it},
    {.claim = "a signal reaches the command",
     .command = {"sleep", "30"},
     .wait_ms = 20,
     .then = sigint_ends_it},
    {.claim = "background jobs die with the command",
     .command = {"sh", "-c", "sleep 30 & echo $! > '%s/bg.pid'; exit 0"},
     .code = IS(0),
     .then = background_job_gone},
    /* After setsid() the command leads its own process group (ps -o sid is not portable to
     * macOS; pgid is). */
    {.claim = "command runs in its own session",
     .command = {"sh", "-c", "test \"$(ps -o pgid= -p $$ | tr -d ' ')\" = \"$$\""},
     .needs = "ps",
     .code = IS(0)},
    {.claim = "danger-full-access runs the command directly",
     .command = {"sh", "-c", "test -z \"$RINGFENCE_SANDBOX\" && exit 3"},
     .prepare = danger_full_access, .direct = 1,
     .code = IS(3)},
};

enum { N_LAUNCH_CASES = sizeof launch_cases / sizeof launch_cases[0] };

/* ---- the runner */

static int installed(const char *program) {
  char path[256];
  snprintf(path, sizeof path, "/bin/%s", program);
  if (access(path, X_OK) == 0)
    return 1;
  snprintf(path, sizeof path, "/usr/bin/%s", program);
  return access(path, X_OK) == 0;
}

static void expect_value(int line, const char *what, expected want, int got) {
  if (want.set)
    expect_at(__FILE__, line, 0, got == want.value, "%s is %d (got %d)", what, want.value, got);
}

/* The test of every claim: spawns the row's command the way launch() does (profile, params,
 * sandbox-exec; none of them when direct), waits and checks how it ended. */
static void run_launch_claim(void) {
  const char *claim = CU_get_current_test()->pName;
  const launch_case *row = NULL;
  for (int i = 0; i < N_LAUNCH_CASES && !row; i++)
    if (strcmp(launch_cases[i].claim, claim) == 0)
      row = &launch_cases[i];
  EXPECT_FATAL(row != NULL, "the table has a row for '%s'", claim);
  if (row->needs && !installed(row->needs)) {
    CU_PASS("a program the claim needs is not installed");
    return;
  }

  fixture f;
  fixture_policy(&f, (fixture_shape){RF_SANDBOX_WORKSPACE_WRITE, RF_READ_FULL, 0, RF_NETWORK_OFF});
  f.roots[0].path = workdir;
  f.roots[0].n_protected = 0;
  f.policy.cwd = workdir;
  f.policy.envp = base_env;
  launch_run run;
  memset(&run, 0, sizeof run);
  run.fds[0] = run.fds[1] = run.fds[2] = -1;
  for (int i = 0; i < MAX_ARGS && row->command[i]; i++) {
    const char *arg = row->command[i], *at = strstr(arg, "%s");
    if (at)
      snprintf(run.args[i], sizeof run.args[i], "%.*s%s%s", (int)(at - arg), arg, workdir, at + 2);
    else
      snprintf(run.args[i], sizeof run.args[i], "%s", arg);
    run.argv[i] = run.args[i];
  }
  if (row->prepare)
    row->prepare(&f, &run);

  char err[512] = "";
  char **exec_argv = NULL;
  if (!row->direct) {
    rf_seatbelt_params params = {0};
    char *profile = NULL;
    int r = rf_seatbelt_profile(&f.policy, &profile, &params, err, sizeof err);
    EXPECT_FATAL(r == 0, "the policy renders: %s", err);
    exec_argv = rf_seatbelt_argv(row->sandbox_exec ? row->sandbox_exec : SEATBELT_FAKE_SANDBOX_EXEC,
                                 profile, &params, run.argv);
    rf_seatbelt_params_clear(&params);
    free(profile);
  }
  char **envp = rf_seatbelt_environ(&f.policy);
  rf_backend_child child;
  memset(&child, 0, sizeof child);
  child.size = sizeof child;
  int r = rf_seatbelt_spawn(&f.policy, exec_argv, run.argv, envp, &child, err, sizeof err);
  rf_seatbelt_argv_free(exec_argv);
  rf_seatbelt_environ_free(envp);
  if (row->spawn_error) {
    EXPECT(r == row->spawn_error, "the spawn fails with %d (got %d)", row->spawn_error, r);
    EXPECT(strstr(err, row->spawn_message) != NULL, "the message '%s' names '%s'", err,
           row->spawn_message);
    if (row->restore)
      row->restore(&run);
    return;
  }
  if (r != 0 && row->restore)
    row->restore(&run);
  EXPECT_FATAL(r == 0, "the spawn succeeds: %s", err);
  if (!row->direct)
    EXPECT(child.wait_fd == -1, "no wait descriptor (got %d)", child.wait_fd);

  rf_backend_exit result;
  memset(&result, 0, sizeof result);
  result.size = sizeof result;
  r = rf_seatbelt_child_wait(&child, row->wait_ms ? row->wait_ms : -1, &result);
  if (row->restore)
    row->restore(&run);
  EXPECT_FATAL(r == 0, "the wait succeeds (%d)", r);
  expect_value(__LINE__, "the stage", row->stage, (int)result.stage);
  expect_value(__LINE__, "the exit code", row->code, result.code);
  expect_value(__LINE__, "the signal", row->signal, result.signal);
  expect_value(__LINE__, "the exec errno", row->exec_errno, result.exec_errno);
  if (row->message)
    EXPECT(strstr(result.message, row->message) != NULL, "the message '%s' holds '%s'",
           result.message, row->message);
  if (row->then)
    row->then(&child);
  rf_seatbelt_child_release(&child);
}

void add_supervise_tests(void) {
  CU_pSuite s = CU_add_suite("seatbelt-supervise", setup_suite, teardown_suite);
  for (int i = 0; i < N_LAUNCH_CASES; i++)
    CU_add_test(s, launch_cases[i].claim, run_launch_claim);
}
