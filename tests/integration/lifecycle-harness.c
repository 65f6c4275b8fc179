/* lifecycle-harness.c: many sandboxes in a row in one process through libringfence; the process must end as it began.
 *
 * Usage: lifecycle-harness BACKEND RUNS TOKEN
 *
 * A library host (an agent) starts sandbox after sandbox for hours: whatever one run leaves
 * in the host process (a descriptor: pipe, pidfd, memfd, socket; a supervisor thread; an
 * unreaped child) adds up.  After one warm-up round of every kind of run, the harness notes
 * its descriptors (number and target), its thread count and that it has no child, then runs
 * RUNS sandboxes in the working directory: mostly `true`, and in every round of twenty one
 * killed by the timeout's SIGKILL (the command ignores SIGTERM), one ended by the timeout's
 * SIGTERM, and one refused before it starts (command not found).  Every command line carries
 * TOKEN, so that the caller can look for leftover processes.  Then it compares.
 * Prints PASS/FAIL lines; exits 0, 1 on a failure, 77 when BACKEND cannot run here.
 */
#include <ringfence/ringfence.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef enum { RUN_TRUE, RUN_KILLED, RUN_TERMINATED, RUN_REFUSED } run_kind;

static run_kind kind_of(int i) {
  switch (i % 20) {
  case 5:
    return RUN_KILLED;
  case 10:
    return RUN_TERMINATED;
  case 15:
    return RUN_REFUSED;
  default:
    return RUN_TRUE;
  }
}

static gint compare_entries(gconstpointer a, gconstpointer b) {
  return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

/* "N -> target" for every open descriptor, sorted. */
static GPtrArray *descriptors(void) {
  GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
  DIR *dir = opendir("/proc/self/fd");
  if (!dir)
    return list;
  int own = dirfd(dir);
  for (struct dirent *e; (e = readdir(dir));) {
    if (e->d_name[0] == '.' || atoi(e->d_name) == own)
      continue;
    g_autofree char *path = g_strdup_printf("/proc/self/fd/%s", e->d_name);
    g_autofree char *target = g_file_read_link(path, NULL);
    g_ptr_array_add(list, g_strdup_printf("%s -> %s", e->d_name, target ? target : "?"));
  }
  closedir(dir);
  g_ptr_array_sort(list, compare_entries);
  return list;
}

static int thread_count(void) {
  g_autofree char *status = NULL;
  if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
    return -1;
  const char *line = strstr(status, "\nThreads:");
  return line ? atoi(line + strlen("\nThreads:")) : -1;
}

/* The thread count once the last run's threads have left it: pthread_join returns a moment
 * before a joined thread leaves the count, so a count taken right after a run can be one too
 * high (the baseline then looked like a thread had gone: "2 before, 1 after").  The same count
 * read 10 times in a row 10 ms apart, within 2 s; a thread that stays counts. */
static int settled_thread_count(void) {
  int last = thread_count(), same = 0;
  for (int i = 0; i < 200 && same < 10; i++) {
    g_usleep(10000);
    int now = thread_count();
    same = now == last ? same + 1 : 0;
    last = now;
  }
  return last;
}

/* One sandbox; returns the exit status rf_sandbox_wait gave, or the refusal's. */
static int run_one(RfBackend *backend, run_kind kind, const char *token, char **why) {
  g_autoptr(GError) error = NULL;
  g_autoptr(RfPolicy) policy = rf_policy_new();
  rf_policy_set_mode(policy, RF_SANDBOX_WORKSPACE_WRITE);
  rf_policy_set_exclude_slash_tmp(policy, TRUE); /* what others leave in /tmp is not ours */
  g_autoptr(RfPlan) plan = rf_policy_resolve(policy, &error);
  if (!plan || !rf_plan_check_backend(plan, backend, &error)) {
    *why = g_strdup(error->message);
    return -1;
  }
  g_autofree char *missing = g_strdup_printf("ringfence-no-such-command-%s", token);
  const char *true_argv[] = {"true", token, NULL};
  const char *killed_argv[] = {"sh", "-c", "trap '' TERM; sleep 1000; :", token, NULL};
  const char *terminated_argv[] = {"sleep", "1000", token, NULL};
  const char *refused_argv[] = {missing, NULL};
  const char *const *argv = kind == RUN_KILLED       ? killed_argv
                            : kind == RUN_TERMINATED ? terminated_argv
                            : kind == RUN_REFUSED    ? refused_argv
                                                     : true_argv;
  RfWaitOptions wait = {.forward_signals = TRUE};
  if (kind == RUN_KILLED || kind == RUN_TERMINATED) {
    wait.timeout_seconds = 0.05;
    wait.kill_after_seconds = kind == RUN_KILLED ? 0.05 : 10;
  }
  g_autoptr(RfSandbox) sandbox = rf_sandbox_spawn(backend, plan, argv, &error);
  if (!sandbox) {
    *why = g_strdup(error->message);
    return rf_error_exit_status(error);
  }
  int status = rf_sandbox_wait(sandbox, &wait, &error);
  if (error && status != RF_STATUS_TIMEOUT)
    *why = g_strdup(error->message);
  return status;
}

static int expected_status(run_kind kind) {
  switch (kind) {
  case RUN_KILLED:
  case RUN_TERMINATED:
    return RF_STATUS_TIMEOUT;
  case RUN_REFUSED:
    return RF_STATUS_NOT_FOUND;
  default:
    return 0;
  }
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: lifecycle-harness BACKEND RUNS TOKEN\n");
    return 2;
  }
  const char *name = argv[1], *token = argv[3];
  int runs = atoi(argv[2]);
  g_autoptr(GError) error = NULL;
  g_autoptr(RfLoader) loader = rf_loader_new(NULL, &error);
  g_autoptr(RfPolicy) policy = rf_policy_new();
  rf_policy_set_mode(policy, RF_SANDBOX_WORKSPACE_WRITE);
  rf_policy_set_exclude_slash_tmp(policy, TRUE); /* what others leave in /tmp is not ours */
  g_autoptr(RfPlan) plan = loader ? rf_policy_resolve(policy, &error) : NULL;
  if (plan)
    rf_loader_trust_plan(loader, plan);
  RfBackend *backend = plan ? rf_loader_select(loader, name, plan, NULL, &error) : NULL;
  if (!backend) {
    printf("SKIP: backend %s cannot run here: %s\n", name, error ? error->message : "?");
    return 77;
  }
  int failures = 0;
  /* Warm-up: whatever a first run sets up once for the process is not a leak. */
  for (int i = 0; i < 20; i++) {
    g_autofree char *why = NULL;
    run_one(backend, kind_of(i), token, &why);
  }
  g_autoptr(GPtrArray) fds_before = descriptors();
  int threads_before = settled_thread_count();
  int wrong = 0;
  for (int i = 0; i < runs; i++) {
    g_autofree char *why = NULL;
    run_kind kind = kind_of(i);
    int status = run_one(backend, kind, token, &why);
    if (status != expected_status(kind) && wrong++ < 5)
      printf("FAIL: %s run %d (kind %d) exited %d, expected %d: %s\n", name, i, (int)kind, status,
             expected_status(kind), why ? why : "");
  }
  if (wrong) {
    printf("FAIL: %s: %d of %d in-process runs ended with the wrong status\n", name, wrong, runs);
    failures++;
  } else {
    printf("PASS: %s: %d in-process runs in a row, each with the expected status\n", name, runs);
  }
  g_autoptr(GPtrArray) fds_after = descriptors();
  gboolean same = fds_before->len == fds_after->len;
  for (guint i = 0; same && i < fds_after->len; i++)
    same = g_str_equal(fds_before->pdata[i], fds_after->pdata[i]);
  if (same) {
    printf("PASS: %s: the host process holds the same %u descriptors after %d runs\n", name,
           fds_after->len, runs);
  } else {
    failures++;
    printf("FAIL: %s: descriptors before %d runs: %u, after: %u\n", name, runs, fds_before->len,
           fds_after->len);
    for (guint i = 0; i < fds_after->len && i < 40; i++)
      printf("  after: %s\n", (const char *)fds_after->pdata[i]);
  }
  /* pthread_join returns once the kernel has cleared the thread's id, a moment before the
   * thread leaves the count: a leaked thread never does. */
  int threads_after = thread_count();
  for (int i = 0; i < 200 && threads_after != threads_before; i++) {
    g_usleep(10000);
    threads_after = thread_count();
  }
  if (threads_after == threads_before) {
    printf("PASS: %s: %d thread(s) before and after (every supervisor thread ended)\n", name,
           threads_after);
  } else {
    failures++;
    printf("FAIL: %s: %d thread(s) before the runs, %d after\n", name, threads_before,
           threads_after);
  }
  int status;
  pid_t child = waitpid(-1, &status, WNOHANG);
  if (child < 0 && errno == ECHILD) {
    printf("PASS: %s: no child process left, running or unreaped\n", name);
  } else {
    failures++;
    printf("FAIL: %s: a child process is left (waitpid gave %d)\n", name, (int)child);
  }
  return failures ? 1 : 0;
}
