/* sandbox.c: RfSandbox: starts a command through a backend (or unconfined for danger-full-access) and supervises it. */
#include "environ.h"
#include "loader.h"
#include "netproxy-launch.h"
#include "new-repos.h"
#include "plan-layout.h"
#include "util/quote.h"
#include <ringfence/ringfence.h>

#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct _RfSandbox {
  RfBackend *backend; /* NULL: unconfined (danger-full-access) */
  rf_backend_child child;
  pid_t unconfined_pid;
  gboolean finished;
  RfRepoCheck *repo_check; /* the launch's repositories, to find the ones the command made */
  GPtrArray *warnings;     /* NULL-terminated, for the caller to show */
  RfNetProxy *proxy;       /* --network proxy: this run's proxy, until the run ends */
  rf_backend_policy view;  /* what the backend was given: the plan's, with the proxy route */
  GPtrArray *envp;         /* --network proxy: the command's environment with the proxy's */
};

char *rf_command_resolve(const RfPlan *plan, const char *command, GError **error) {
  if (!command || !*command) {
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "no command given: put it after '--'");
    return NULL;
  }
  g_autofree char *shown = rf_path_excerpt(command); /* bounded: it may be megabytes */
  if (strchr(command, '/')) {
    g_autofree char *path = g_path_is_absolute(command)
                                ? g_strdup(command)
                                : g_build_filename(plan->cwd, command, NULL);
    struct stat st;
    if (stat(path, &st) != 0) {
      g_set_error(error, RF_ERROR, RF_ERROR_NOT_FOUND, "%s: %s", shown, g_strerror(errno));
      return NULL;
    }
    if (S_ISDIR(st.st_mode) || access(path, X_OK) != 0) {
      g_set_error(error, RF_ERROR, RF_ERROR_NOT_EXECUTABLE, "%s: %s", shown,
                  S_ISDIR(st.st_mode) ? "is a directory" : "permission denied");
      return NULL;
    }
    return g_steal_pointer(&path);
  }
  const char *path_env = rf_environ_get(plan->envp, "PATH");
  g_auto(GStrv) dirs = g_strsplit(path_env ? path_env : "/usr/local/bin:/usr/bin:/bin", ":", -1);
  gboolean found_not_executable = FALSE;
  for (char **dir = dirs; *dir; dir++) {
    g_autofree char *candidate =
        g_build_filename(**dir ? *dir : ".", command, NULL);
    if (!g_path_is_absolute(candidate)) {
      char *absolute = g_build_filename(plan->cwd, candidate, NULL);
      g_free(candidate);
      candidate = absolute;
    }
    struct stat st;
    if (stat(candidate, &st) != 0 || S_ISDIR(st.st_mode))
      continue;
    if (access(candidate, X_OK) == 0)
      return g_steal_pointer(&candidate);
    found_not_executable = TRUE;
  }
  if (found_not_executable)
    g_set_error(error, RF_ERROR, RF_ERROR_NOT_EXECUTABLE, "%s: permission denied", shown);
  else
    g_set_error(error, RF_ERROR, RF_ERROR_NOT_FOUND, "%s: command not found", shown);
  return NULL;
}

/* danger-full-access: the user asked for no sandbox; start the command as is. */
static pid_t spawn_unconfined(const RfPlan *plan, const char *const *argv, GError **error) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) < 0) {
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH, "pipe: %s", g_strerror(errno));
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH, "fork: %s", g_strerror(errno));
    close(report[0]);
    close(report[1]);
    return -1;
  }
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++)
      signal(sig, SIG_DFL);
    setpgid(0, 0);
    if (chdir(plan->cwd) == 0)
      execvpe(argv[0], (char *const *)argv, (char *const *)plan->envp->pdata);
    int e = errno;
    if (write(report[1], &e, sizeof(e)) < 0)
      _exit(127);
    _exit(127);
  }
  close(report[1]);
  int child_errno = 0;
  ssize_t got;
  do
    got = read(report[0], &child_errno, sizeof(child_errno));
  while (got < 0 && errno == EINTR);
  close(report[0]);
  if (got == (ssize_t)sizeof(child_errno)) {
    waitpid(pid, NULL, 0);
    g_autofree char *shown = rf_path_excerpt(argv[0]);
    g_set_error(error, RF_ERROR,
                child_errno == ENOENT ? RF_ERROR_NOT_FOUND : RF_ERROR_NOT_EXECUTABLE, "%s: %s",
                shown, g_strerror(child_errno));
    return -1;
  }
  return pid;
}

/* The file holding this code: the ringfence executable, or libringfence for a
 * library user.  The link map's name, not dli_fname: for the executable that
 * is argv[0], which any caller can set; the map names it "" and
 * /proc/self/exe says what it is. */
static char *own_code_file(void) {
  Dl_info info;
  struct link_map *map = NULL;
  if (dladdr1((void *)own_code_file, &info, (void **)&map, RTLD_DL_LINKMAP) && map &&
      map->l_name && g_path_is_absolute(map->l_name))
    return g_strdup(map->l_name);
  return g_file_read_link("/proc/self/exe", NULL);
}

static gboolean check_trusted(const RfTrust *trust, const rf_backend_policy *view,
                              const char *path, const char *what, GError **error) {
  g_autofree char *ok = rf_trust_check_file(
      trust, view, path, what,
      "install ringfence outside every writable root (meson install, or a build directory "
      "outside the workspace, /tmp and $TMPDIR)",
      error);
  return ok != NULL;
}

/* ringfence's own code, its backend plugin and its helpers run unconfined:
 * if the command could rewrite them, a later run would run the command's
 * code outside any sandbox.  Refused on every backend, before launch. */
static gboolean own_files_trusted(const RfBackend *backend, const RfPlan *plan, GError **error) {
  const RfTrust *trust = rf_backend_get_trust(backend);
  const rf_backend_policy *view = rf_plan_get_backend_policy(plan);
  g_autoptr(GError) local = NULL;
  g_autofree char *code = own_code_file();
  gboolean ok = (!code || check_trusted(trust, view, code, "use ringfence's own code", &local)) &&
                check_trusted(trust, view, rf_backend_get_path(backend), "load the backend plugin",
                              &local);
  const char *helper_dir = rf_backend_get_host(backend)->helper_dir;
  g_autoptr(GDir) dir = ok && helper_dir ? g_dir_open(helper_dir, 0, NULL) : NULL;
  for (const char *name; ok && dir && (name = g_dir_read_name(dir));) {
    g_autofree char *path = g_build_filename(helper_dir, name, NULL);
    if (!g_str_has_prefix(name, "ringfence-") || g_file_test(path, G_FILE_TEST_IS_DIR))
      continue; /* a build tree holds object directories there too */
    ok = check_trusted(trust, view, path, "use ringfence's helper", &local);
  }
  if (!ok)
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH, "backend '%s' was not started: %s",
                rf_backend_get_name(backend), local->message);
  return ok;
}

static int backend_wait(RfSandbox *sandbox, int timeout_ms, rf_backend_exit *exit);

static void stop_proxy(RfSandbox *sandbox) {
  g_clear_pointer(&sandbox->proxy, rf_netproxy_stop);
  g_clear_pointer(&sandbox->envp, g_ptr_array_unref);
}

/* --network proxy: the run's proxy, before the sandbox (docs/network.md).  The bwrap
 * sandbox has a network namespace of its own and a bridge inside that hands each connection
 * to the proxy over a socket; elsewhere the proxy listens on the host's 127.0.0.1 and the
 * backend lets the command reach that port only.  The command's proxy variables name the
 * port it connects to.  The proxy starts here and says `ready` while ringfence goes on
 * (proxy_route waits for it): its start-up overlaps the launch's. */
static gboolean start_proxy(RfSandbox *sandbox, RfBackend *backend, const RfPlan *plan,
                            GError **error) {
  gboolean bridge = g_str_equal(rf_backend_get_name(backend), "bwrap");
  sandbox->proxy = rf_netproxy_spawn(&plan->net, rf_backend_get_host(backend)->helper_dir,
                                     rf_backend_get_trust(backend), &sandbox->view, bridge, error);
  return sandbox->proxy != NULL;
}

/* Backends that check the route end to end (a health check answered by the proxy) before they
 * let the command go: the bwrap bridge inside the sandbox, the Landlock supervisor outside. */
static gboolean backend_checks_route(RfBackend *backend) {
  const char *name = rf_backend_get_name(backend);
  return g_str_equal(name, "bwrap") || g_str_equal(name, "landlock");
}

/* The route the backend is given: the bridge's port and the accept socket (bwrap), or the
 * port of the listener the core bound for the proxy (Landlock, Seatbelt).  Both exist before
 * the proxy runs.  A backend that checks the route itself is launched while the proxy starts
 * (rf_sandbox_spawn waits for `ready` after the launch); any other only once it is ready. */
static gboolean proxy_route(RfSandbox *sandbox, GError **error) {
  if (!backend_checks_route(sandbox->backend) &&
      !rf_netproxy_wait_ready(sandbox->proxy, error)) {
    stop_proxy(sandbox);
    return FALSE;
  }
  sandbox->view.proxy_port = rf_netproxy_get_port(sandbox->proxy);
  sandbox->view.proxy_accept_fd = rf_netproxy_get_accept_fd(sandbox->proxy);
  sandbox->envp = rf_environ_build(sandbox->view.envp);
  rf_netproxy_set_environ(sandbox->envp, sandbox->view.proxy_port);
  sandbox->view.envp = (const char *const *)sandbox->envp->pdata;
  return TRUE;
}

RfSandbox *rf_sandbox_spawn(RfBackend *backend, const RfPlan *plan, const char *const *argv,
                            GError **error) {
  g_autofree char *resolved = rf_command_resolve(plan, argv ? argv[0] : NULL, error);
  if (!resolved)
    return NULL;
  RfSandbox *sandbox = g_new0(RfSandbox, 1);
  if (plan->mode == RF_SANDBOX_DANGER_FULL_ACCESS) {
    sandbox->unconfined_pid = spawn_unconfined(plan, argv, error);
    if (sandbox->unconfined_pid < 0) {
      g_free(sandbox);
      return NULL;
    }
    return sandbox;
  }
  if (!plan->backend_name || g_strcmp0(plan->backend_name, rf_backend_get_name(backend)) != 0) {
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                "internal error: the plan was not checked against backend '%s' "
                "(call rf_plan_check_backend first)",
                rf_backend_get_name(backend));
    g_free(sandbox);
    return NULL;
  }
  if (!own_files_trusted(backend, plan, error)) {
    g_free(sandbox);
    return NULL;
  }
  sandbox->view = *rf_plan_get_backend_policy(plan);
  if (sandbox->view.network == RF_NETWORK_PROXY && !start_proxy(sandbox, backend, plan, error)) {
    g_free(sandbox);
    return NULL;
  }
  sandbox->backend = backend;
  sandbox->repo_check = rf_repo_check_new(plan); /* before the command can change anything */
  if (sandbox->proxy && !proxy_route(sandbox, error)) {
    rf_repo_check_free(sandbox->repo_check);
    g_free(sandbox);
    return NULL;
  }
  sandbox->child.size = sizeof(sandbox->child);
  sandbox->child.wait_fd = -1;
  char message[1024] = "";
  const rf_backend *vtable = rf_backend_get_vtable(backend);
  int rc = vtable->launch(rf_backend_get_host(backend), &sandbox->view, argv, &sandbox->child,
                          message, sizeof(message));
  if (sandbox->proxy)
    rf_netproxy_release_accept_fd(sandbox->proxy); /* the sandbox has its copy, or failed */
  /* The proxy started beside the sandbox; the command runs only after the route check got the
   * proxy's answer, so if it never becomes ready the command has not run. */
  g_autoptr(GError) not_ready = NULL;
  if (rc == 0 && sandbox->proxy && !rf_netproxy_wait_ready(sandbox->proxy, &not_ready)) {
    vtable->child_kill(&sandbox->child);
    rf_backend_exit ended;
    backend_wait(sandbox, -1, &ended);
    vtable->child_release(&sandbox->child);
    g_propagate_error(error, g_steal_pointer(&not_ready));
    rf_repo_check_free(sandbox->repo_check);
    stop_proxy(sandbox);
    g_free(sandbox);
    return NULL;
  }
  if (rc != 0) {
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH, "backend '%s' could not start the sandbox: %s",
                rf_backend_get_name(backend), message[0] ? message : g_strerror(-rc));
    rf_repo_check_free(sandbox->repo_check);
    stop_proxy(sandbox);
    g_free(sandbox);
    return NULL;
  }
  return sandbox;
}

/* ---- Supervision: signals and the timeout -------------------------------- */

static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
static int signal_pipe[2] = {-1, -1};

static void on_signal(int signum) {
  int saved = errno;
  unsigned char byte = (unsigned char)signum;
  if (write(signal_pipe[1], &byte, 1) < 0) {
    /* the pipe is full: the signal is already pending there */
  }
  errno = saved;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int backend_wait(RfSandbox *sandbox, int timeout_ms, rf_backend_exit *exit) {
  memset(exit, 0, sizeof(*exit));
  exit->size = sizeof(*exit);
  if (!sandbox->backend) {
    int status = 0;
    pid_t got;
    do
      got = waitpid(sandbox->unconfined_pid, &status, timeout_ms < 0 ? 0 : WNOHANG);
    while (got < 0 && errno == EINTR);
    if (got == 0) {
      exit->stage = RF_EXIT_RUNNING;
      return 0;
    }
    if (got < 0)
      return -errno;
    exit->stage = RF_EXIT_COMMAND;
    exit->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    exit->code = WIFSIGNALED(status) ? 128 + exit->signal : WEXITSTATUS(status);
    return 0;
  }
  return rf_backend_get_vtable(sandbox->backend)->child_wait(&sandbox->child, timeout_ms, exit);
}

/* Sends |signum| to the command.  FALSE when the command does not exist yet
 * (the backend is still starting it): the caller keeps the signal and tries
 * again, so that a signal that arrived during start-up is not lost, and the
 * sandbox is never stopped half-built. */
static gboolean deliver(RfSandbox *sandbox, int signum) {
  if (!sandbox->backend) {
    if (kill(-sandbox->unconfined_pid, signum) != 0)
      kill(sandbox->unconfined_pid, signum);
    return TRUE;
  }
  return rf_backend_get_vtable(sandbox->backend)->child_signal(&sandbox->child, signum) != -EAGAIN;
}

/* Signals waiting for the command to exist, in arrival order, each once. */
typedef struct {
  int signals[8];
  guint n;
} pending_signals;

static void deliver_or_keep(RfSandbox *sandbox, pending_signals *pending, int signum) {
  for (guint i = 0; i < pending->n; i++)
    if (pending->signals[i] == signum)
      return; /* already waiting: a signal is not queued twice either */
  if (pending->n == 0 && deliver(sandbox, signum))
    return;
  if (pending->n < G_N_ELEMENTS(pending->signals))
    pending->signals[pending->n++] = signum;
}

static void deliver_pending(RfSandbox *sandbox, pending_signals *pending) {
  guint done = 0;
  while (done < pending->n && deliver(sandbox, pending->signals[done]))
    done++;
  memmove(pending->signals, pending->signals + done, (pending->n - done) * sizeof(int));
  pending->n -= done;
}

static void kill_all(RfSandbox *sandbox) {
  if (!sandbox->backend) {
    kill(-sandbox->unconfined_pid, SIGKILL);
    kill(sandbox->unconfined_pid, SIGKILL);
    return;
  }
  rf_backend_get_vtable(sandbox->backend)->child_kill(&sandbox->child);
}

static int status_of(const rf_backend_exit *exit, GError **error) {
  switch (exit->stage) {
  case RF_EXIT_COMMAND:
    return exit->code;
  case RF_EXIT_EXEC_FAILED:
    g_set_error(error, RF_ERROR,
                exit->exec_errno == ENOENT ? RF_ERROR_NOT_FOUND : RF_ERROR_NOT_EXECUTABLE,
                "the command could not be executed inside the sandbox: %s", exit->message);
    return exit->exec_errno == ENOENT ? RF_STATUS_NOT_FOUND : RF_STATUS_NOT_EXECUTABLE;
  default:
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH, "%s",
                exit->message[0] ? exit->message : "the sandbox failed before the command started");
    return RF_STATUS_FAILED;
  }
}

/* Milliseconds until |deadline| for poll(), at most a minute (so that any
 * deadline fits an int), at least 1 while it is in the future. */
static int ms_until(double deadline) {
  double left = deadline - now_seconds();
  if (left <= 0)
    return 0;
  return left > 60.0 ? 60000 : (int)(left * 1000) + 1;
}

static int min_timeout(int a, int b) {
  if (a < 0)
    return b;
  if (b < 0)
    return a;
  return a < b ? a : b;
}

int rf_sandbox_wait(RfSandbox *sandbox, const RfWaitOptions *options, GError **error) {
  RfWaitOptions defaults = {0};
  if (!options)
    options = &defaults;
  struct sigaction old_actions[G_N_ELEMENTS(forwarded_signals)];
  sigset_t forwarded, old_mask;
  sigemptyset(&forwarded);
  for (guint i = 0; i < G_N_ELEMENTS(forwarded_signals); i++)
    sigaddset(&forwarded, forwarded_signals[i]);
  gboolean forwarding = options->forward_signals && signal_pipe[0] < 0 &&
                        pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) == 0;
  if (forwarding) {
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (guint i = 0; i < G_N_ELEMENTS(forwarded_signals); i++)
      sigaction(forwarded_signals[i], &sa, &old_actions[i]);
    /* Signals the caller blocked while the sandbox started are taken now
     * (see RfWaitOptions): the handler records them for the command. */
    pthread_sigmask(SIG_UNBLOCK, &forwarded, &old_mask);
  }
  int wait_fd = sandbox->backend ? sandbox->child.wait_fd : -1;
  double deadline = options->timeout_seconds > 0 ? now_seconds() + options->timeout_seconds : 0;
  double kill_deadline = 0; /* after the timeout's SIGTERM: when the grace ends */
  gboolean timed_out = FALSE, killed = FALSE;
  pending_signals pending = {.n = 0};
  rf_backend_exit exit = {0};
  int result = RF_STATUS_FAILED;
  for (;;) {
    int rc = backend_wait(sandbox, 0, &exit);
    if (rc < 0) {
      g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH, "waiting for the sandbox failed: %s",
                  g_strerror(-rc));
      kill_all(sandbox);
      backend_wait(sandbox, -1, &exit);
      break;
    }
    if (exit.stage != RF_EXIT_RUNNING) {
      result = timed_out ? RF_STATUS_TIMEOUT : status_of(&exit, error);
      break;
    }
    int timeout_ms = -1;
    if (deadline > 0 && !timed_out && ms_until(deadline) == 0) {
      /* The deadline: SIGTERM, so that the command can clean up, and
       * SIGKILL for the whole sandbox after the grace period. */
      timed_out = TRUE;
      if (options->kill_after_seconds > 0) {
        deliver_or_keep(sandbox, &pending, SIGTERM);
        kill_deadline = now_seconds() + options->kill_after_seconds;
      } else {
        kill_all(sandbox);
        killed = TRUE;
      }
    }
    if (timed_out && !killed && ms_until(kill_deadline) == 0) {
      kill_all(sandbox);
      killed = TRUE;
    }
    if (deadline > 0 && !timed_out)
      timeout_ms = ms_until(deadline);
    else if (timed_out && !killed)
      timeout_ms = ms_until(kill_deadline);
    else if (killed)
      timeout_ms = 50;
    deliver_pending(sandbox, &pending);
    if (pending.n > 0)
      timeout_ms = min_timeout(timeout_ms, 5); /* until the command exists */
    struct pollfd fds[2];
    nfds_t n = 0;
    if (forwarding)
      fds[n++] = (struct pollfd){.fd = signal_pipe[0], .events = POLLIN};
    if (wait_fd >= 0)
      fds[n++] = (struct pollfd){.fd = wait_fd, .events = POLLIN};
    else
      timeout_ms = min_timeout(timeout_ms, 20); /* no pollable handle: poll the child */
    if (sandbox->backend == NULL)
      timeout_ms = min_timeout(timeout_ms, 20);
    int prc = poll(fds, n, timeout_ms);
    if (prc > 0 && forwarding && (fds[0].revents & POLLIN)) {
      unsigned char sig;
      while (read(signal_pipe[0], &sig, 1) == 1)
        deliver_or_keep(sandbox, &pending, sig);
    }
  }
  if (forwarding) {
    /* Back as the caller had them: a forwarded signal that arrives from now
     * on is the caller's again (pending, if it blocks it). */
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(forwarded_signals); i++)
      sigaction(forwarded_signals[i], &old_actions[i], NULL);
    close(signal_pipe[0]);
    close(signal_pipe[1]);
    signal_pipe[0] = signal_pipe[1] = -1;
  }
  if (timed_out && error && !*error) {
    if (killed && options->kill_after_seconds > 0)
      g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                  "the command ran longer than %g seconds and was still running %g seconds "
                  "after SIGTERM: the whole sandbox was killed",
                  options->timeout_seconds, options->kill_after_seconds);
    else if (killed)
      g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                  "the command ran longer than %g seconds: the whole sandbox was killed",
                  options->timeout_seconds);
    else
      g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                  "the command ran longer than %g seconds: it was sent SIGTERM and ended "
                  "(with every process of the sandbox)",
                  options->timeout_seconds);
  }
  sandbox->finished = TRUE;
  /* The sandbox is gone: so is its way out.  The proxy ends every connection and exits by
   * itself now, while ringfence walks the repositories and releases the backend; it is
   * reaped in rf_sandbox_free, by then usually without a wait (its exit is ~0.3 ms here). */
  rf_netproxy_end(sandbox->proxy);
  /* Everything in the sandbox is gone: repositories it created must not arm git on the host. */
  if (!sandbox->warnings) {
    sandbox->warnings = g_ptr_array_new_with_free_func(g_free);
    rf_repo_check_run(sandbox->repo_check, sandbox->warnings);
    g_ptr_array_add(sandbox->warnings, NULL);
  }
  return result;
}

const char *const *rf_sandbox_get_warnings(RfSandbox *sandbox) {
  static const char *const none[] = {NULL};
  return sandbox && sandbox->warnings ? (const char *const *)sandbox->warnings->pdata : none;
}

void rf_sandbox_free(RfSandbox *sandbox) {
  if (!sandbox)
    return;
  if (!sandbox->finished) {
    kill_all(sandbox);
    rf_backend_exit exit;
    backend_wait(sandbox, -1, &exit);
  }
  if (sandbox->backend)
    rf_backend_get_vtable(sandbox->backend)->child_release(&sandbox->child);
  rf_repo_check_free(sandbox->repo_check);
  stop_proxy(sandbox);
  if (sandbox->warnings)
    g_ptr_array_unref(sandbox->warnings);
  g_free(sandbox);
}
