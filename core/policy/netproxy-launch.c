/* netproxy-launch.c: the managed network of one run (--network proxy): what ringfence-netproxy is told, starting it, the command's proxy variables, and its end.
 *
 * The proxy is one process per run, started before the sandbox and ended after it
 * (docs/network.md).  The core talks to it over a stream socket (--control-fd): the proxy
 * writes `ready PORT` or `error MESSAGE` once, and ends when that socket reaches EOF, so it
 * cannot outlive ringfence however ringfence ends (PR_SET_PDEATHSIG too).  The route's port is
 * fixed before the proxy runs (the bridge's, or a listener the core binds), so the launch goes
 * on while the proxy starts; the backend lets the command go only after a health check through
 * that route, and the core waits for `ready` after the launch.  Any failure before `ready`
 * (helper missing or untrusted, an early exit, an error line, no answer within the deadline)
 * refuses the run: the command never ran, no process is left. */
#include "netproxy-launch.h"
#include "environ.h"
#include "trusted-program.h"
#include "util/quote.h"
#include <ringfence/ringfence.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NETPROXY_NAME "ringfence-netproxy"

struct _RfNetProxy {
  pid_t pid;      /* -1 once reaped */
  gboolean bridge; /* --accept-fd (bwrap's bridge), else --listen-tcp */
  gboolean ready;  /* it said `ready` */
  int control_fd; /* ringfence's end: EOF ends the proxy */
  int accept_fd;  /* the sandbox's end of the accept socket, until the backend has it */
  guint16 port;
};

/* ---- Settings ----------------------------------------------------------------------------- */

void rf_net_settings_init(RfNetSettings *s) {
  memset(s, 0, sizeof(*s));
  s->allow = g_ptr_array_new_with_free_func(g_free);
  s->deny = g_ptr_array_new_with_free_func(g_free);
  s->resolve = g_ptr_array_new_with_free_func(g_free);
}

void rf_net_settings_clear(RfNetSettings *s) {
  g_clear_pointer(&s->allow, g_ptr_array_unref);
  g_clear_pointer(&s->deny, g_ptr_array_unref);
  g_clear_pointer(&s->resolve, g_ptr_array_unref);
  g_clear_pointer(&s->upstream, g_free);
  g_clear_pointer(&s->log_file, g_free);
}

static void copy_list(GPtrArray *dst, const GPtrArray *src) {
  for (guint i = 0; i < src->len; i++)
    g_ptr_array_add(dst, g_strdup(g_ptr_array_index(src, i)));
}

void rf_net_settings_copy(RfNetSettings *dst, const RfNetSettings *src) {
  rf_net_settings_init(dst);
  copy_list(dst->allow, src->allow);
  copy_list(dst->deny, src->deny);
  copy_list(dst->resolve, src->resolve);
  dst->upstream = g_strdup(src->upstream);
  dst->log_file = g_strdup(src->log_file);
  dst->limited = src->limited;
  dst->allow_local_binding = src->allow_local_binding;
}

gboolean rf_net_settings_given(const RfNetSettings *s) {
  return s->allow->len || s->deny->len || s->resolve->len || s->upstream || s->log_file ||
         s->limited || s->allow_local_binding;
}

/* A domain pattern: printable ASCII without spaces (IDNA names in their xn-- form), at most
 * 253 bytes plus the wildcard; the proxy decides what it matches. */
static gboolean pattern_ok(const char *p) {
  size_t len = strlen(p);
  if (len == 0 || len > 260)
    return FALSE;
  for (const char *c = p; *c; c++)
    if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
      return FALSE;
  return TRUE;
}

gboolean rf_net_settings_check(const RfNetSettings *s, GError **error) {
  const GPtrArray *lists[] = {s->allow, s->deny};
  const char *flags[] = {"--allow-domain", "--deny-domain"};
  for (guint l = 0; l < G_N_ELEMENTS(lists); l++)
    for (guint i = 0; i < lists[l]->len; i++) {
      const char *p = g_ptr_array_index(lists[l], i);
      if (!pattern_ok(p)) {
        g_autofree char *shown = rf_quote(p, -1);
        g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                    "%s %s is not a domain pattern: use a host name (example.com), "
                    "*.example.com for its subdomains, or an IP address, in ASCII (an "
                    "international name in its xn-- form)",
                    flags[l], shown);
        return FALSE;
      }
    }
  for (guint i = 0; i < s->resolve->len; i++) {
    const char *entry = g_ptr_array_index(s->resolve, i);
    const char *colon = strchr(entry, ':');
    if (!colon || colon == entry || !colon[1] || !pattern_ok(entry)) {
      g_autofree char *shown = rf_quote(entry, -1);
      g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                  "--resolve %s is not HOST:ADDRESS (e.g. --resolve pypi.test:127.0.0.1)", shown);
      return FALSE;
    }
  }
  if (s->upstream && !g_str_has_prefix(s->upstream, "http://") &&
      !g_str_has_prefix(s->upstream, "socks5h://")) {
    g_autofree char *shown = rf_quote(s->upstream, -1);
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                "--proxy %s is not a proxy URL ringfence can use: give http://HOST:PORT or "
                "socks5h://HOST:PORT",
                shown);
    return FALSE;
  }
  return TRUE;
}

/* ---- The command's environment ------------------------------------------------------------ */

void rf_netproxy_set_environ(GPtrArray *envp, guint16 port) {
  g_autofree char *http = g_strdup_printf("http://127.0.0.1:%u", port);
  g_autofree char *socks = g_strdup_printf("socks5h://127.0.0.1:%u", port);
  const char *no_proxy = "localhost,127.0.0.1,::1";
  /* The common names, both cases (curl reads http_proxy in lowercase only). */
  const char *http_names[] = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
                              /* npm's proxy and https-proxy settings */
                              "npm_config_proxy", "npm_config_https_proxy",
                              /* pip's --proxy */
                              "PIP_PROXY",
                              /* cargo's http.proxy (it also reads the names above) */
                              "CARGO_HTTP_PROXY"};
  for (guint i = 0; i < G_N_ELEMENTS(http_names); i++)
    rf_environ_set(envp, http_names[i], http);
  rf_environ_set(envp, "ALL_PROXY", socks);
  rf_environ_set(envp, "all_proxy", socks);
  rf_environ_set(envp, "NO_PROXY", no_proxy);
  rf_environ_set(envp, "no_proxy", no_proxy);
  rf_environ_set(envp, "npm_config_noproxy", no_proxy);
}

/* ---- Starting and ending the proxy ---------------------------------------------------------- */

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits up to |seconds| for |pid| to end; TRUE when it was reaped.  A pidfd says when at once
 * (this wait is on every run's way out); without one, a short sleep between tries. */
static gboolean reap_within(pid_t pid, double seconds, int *status) {
  double deadline = now_seconds() + seconds;
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  gboolean reaped = FALSE;
  for (;;) {
    pid_t got = waitpid(pid, status, WNOHANG);
    if (got == pid || (got < 0 && errno != EINTR)) {
      reaped = TRUE;
      break;
    }
    double left = deadline - now_seconds();
    if (left <= 0)
      break;
    if (pidfd >= 0) {
      struct pollfd p = {.fd = pidfd, .events = POLLIN};
      poll(&p, 1, (int)(left * 1000) + 1);
    } else {
      struct timespec pause = {.tv_sec = 0, .tv_nsec = 1000 * 1000};
      nanosleep(&pause, NULL);
    }
  }
  if (pidfd >= 0)
    close(pidfd);
  return reaped;
}

static void kill_and_reap(pid_t pid) {
  int status;
  kill(pid, SIGKILL);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
}

/* In the child, between fork and exec (async-signal-safe calls only): |fds[i]| becomes
 * descriptor 3 + i, everything else above 2 is closed, stdin and stdout are /dev/null. */
static void __attribute__((noreturn))
exec_child(const char *path, char **argv, const int *fds, int n_fds, int null_fd) {
  /* Every signal arrives blocked (see spawn): the parent's handlers must never run here, in
   * its memory.  Default dispositions first (this process's own table), then unblocked. */
  for (int sig = 1; sig < NSIG; sig++)
    signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  /* Its own process group: ^C at the terminal is the command's, not the proxy's. */
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  int high[8];
  for (int i = 0; i < n_fds; i++)
    if ((high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 64)) < 0)
      _exit(125);
  int null_high = fcntl(null_fd, F_DUPFD_CLOEXEC, 64);
  if (null_high < 0 || dup2(null_high, 0) < 0 || dup2(null_high, 1) < 0)
    _exit(125);
  for (int i = 0; i < n_fds; i++)
    if (dup2(high[i], 3 + i) < 0)
      _exit(125);
  syscall(SYS_close_range, 3 + n_fds, ~0u, 0);
  char *const no_env[] = {NULL};
  execve(path, argv, no_env);
  _exit(127);
}

typedef struct {
  const char *path;
  char **argv;
  const int *fds;
  int n_fds;
  int null_fd;
} spawn_args;

static int spawn_entry(void *data) {
  const spawn_args *a = data;
  exec_child(a->path, a->argv, a->fds, a->n_fds, a->null_fd);
}

/* Starts |a| as a child sharing ringfence's memory until its execve (CLONE_VM | CLONE_VFORK, as
 * posix_spawn does): no page tables to copy and no copy-on-write faults afterwards, on the way
 * of every --network proxy run.  The child runs exec_child only (system calls, its own stack),
 * with every signal blocked until it has reset their dispositions.  Its pid, or -1 with errno. */
static pid_t spawn(const spawn_args *a) {
  const size_t stack_size = 64 * 1024;
  char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED)
    return -1;
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = clone(spawn_entry, stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, (void *)a);
  int e = errno;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  munmap(stack, stack_size);
  errno = e;
  return pid;
}

/* Reads the proxy's one line within the deadline: 1 with it in |line|, 0 at EOF, -1 when the
 * time ran out. */
static int read_ready_line(int fd, char *line, size_t cap) {
  size_t len = 0;
  double deadline = now_seconds() + RF_NETPROXY_READY_SECONDS;
  line[0] = '\0';
  while (len + 1 < cap) {
    double left = deadline - now_seconds();
    if (left <= 0)
      return -1;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int rc = poll(&p, 1, (int)(left * 1000) + 1);
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc == 0)
      return -1;
    /* The proxy writes one line on this socket and nothing after it: read what is there. */
    ssize_t n = read(fd, line + len, cap - 1 - len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n <= 0)
      return len > 0 ? 1 : 0;
    len += (size_t)n;
    line[len] = '\0';
    char *nl = strchr(line, '\n');
    if (nl) {
      *nl = '\0';
      return 1;
    }
  }
  return 1;
}

/* The proxy's listener on the host's 127.0.0.1, an ephemeral port, made here so that the port is
 * known at once (the launch need not wait for the proxy) and handed over with --listen-fd.
 * The descriptor, or -1 with |error| set. */
static int listen_loopback(guint16 *port, GError **error) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(sin);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 1024) < 0 ||
      getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                "the network proxy was not started: cannot listen on 127.0.0.1: %s (is the "
                "loopback interface up?)",
                g_strerror(e));
    return -1;
  }
  *port = ntohs(sin.sin_port);
  return fd;
}

static void add_list(GPtrArray *argv, const char *flag, const GPtrArray *values) {
  for (guint i = 0; i < values->len; i++) {
    g_ptr_array_add(argv, g_strdup(flag));
    g_ptr_array_add(argv, g_strdup(g_ptr_array_index(values, i)));
  }
}

RfNetProxy *rf_netproxy_spawn(const RfNetSettings *settings, const char *helper_dir,
                              const RfTrust *trust, const rf_backend_policy *view, gboolean bridge,
                              GError **error) {
  if (!helper_dir) {
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                "--network proxy needs ringfence's helper " NETPROXY_NAME
                ", and this ringfence has no helper directory: reinstall ringfence");
    return NULL;
  }
  g_autofree char *path = g_build_filename(helper_dir, NETPROXY_NAME, NULL);
  if (access(path, F_OK) != 0) {
    g_autofree char *shown = rf_quote_path(path);
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                "--network proxy needs ringfence's proxy helper, and %s is missing: reinstall "
                "ringfence (meson install), or use --network off or --network on",
                shown);
    return NULL;
  }
  g_autoptr(GError) local = NULL;
  g_autofree char *trusted = rf_trust_check_file(
      trust, view, path, "start the network proxy",
      "install ringfence outside every writable root (meson install, or a build directory "
      "outside the workspace, /tmp and $TMPDIR)",
      &local);
  if (!trusted) {
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH, "the network proxy was not started: %s",
                local->message);
    return NULL;
  }

  int control[2] = {-1, -1}, accept_pair[2] = {-1, -1}, log_fd = -1, null_fd = -1;
  int listen_fd = -1;
  guint16 port = 0;
  RfNetProxy *proxy = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
  int fds[4];
  int n_fds = 0;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, control) < 0 ||
      (bridge && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, accept_pair) < 0) ||
      (null_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                "the network proxy was not started: cannot create its sockets: %s",
                g_strerror(errno));
    goto fail;
  }
  if (settings->log_file) {
    log_fd = open(settings->log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
    if (log_fd < 0) {
      g_autofree char *shown = rf_quote_path(settings->log_file);
      g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                  "--network-log %s cannot be opened for writing: %s: name a file you can "
                  "write",
                  shown, g_strerror(errno));
      goto fail;
    }
  }
  if (!bridge) {
    listen_fd = listen_loopback(&port, error);
    if (listen_fd < 0)
      goto fail;
  }
  g_ptr_array_add(argv, g_strdup(NETPROXY_NAME));
  fds[n_fds] = control[1];
  g_ptr_array_add(argv, g_strdup("--control-fd"));
  g_ptr_array_add(argv, g_strdup_printf("%d", 3 + n_fds++));
  if (bridge) {
    fds[n_fds] = accept_pair[1];
    g_ptr_array_add(argv, g_strdup("--accept-fd"));
    g_ptr_array_add(argv, g_strdup_printf("%d", 3 + n_fds++));
  } else {
    fds[n_fds] = listen_fd;
    g_ptr_array_add(argv, g_strdup("--listen-fd"));
    g_ptr_array_add(argv, g_strdup_printf("%d", 3 + n_fds++));
  }
  if (log_fd >= 0) {
    fds[n_fds] = log_fd;
    g_ptr_array_add(argv, g_strdup("--log-json-fd"));
    g_ptr_array_add(argv, g_strdup_printf("%d", 3 + n_fds++));
  } else {
    g_ptr_array_add(argv, g_strdup("--log-fd"));
    g_ptr_array_add(argv, g_strdup("2"));
  }
  g_ptr_array_add(argv, g_strdup("--mode"));
  g_ptr_array_add(argv, g_strdup(settings->limited ? "limited" : "full"));
  add_list(argv, "--allow-domain", settings->allow);
  add_list(argv, "--deny-domain", settings->deny);
  add_list(argv, "--resolve", settings->resolve);
  if (settings->upstream) {
    g_ptr_array_add(argv, g_strdup("--upstream"));
    g_ptr_array_add(argv, g_strdup(settings->upstream));
  }
  if (settings->allow_local_binding)
    g_ptr_array_add(argv, g_strdup("--allow-local-binding"));
  g_ptr_array_add(argv, NULL);

  spawn_args child = {.path = trusted, .argv = (char **)argv->pdata, .fds = fds, .n_fds = n_fds,
                      .null_fd = null_fd};
  pid_t pid = spawn(&child);
  if (pid < 0) {
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH, "the network proxy was not started: clone: %s",
                g_strerror(errno));
    goto fail;
  }
  close(control[1]);
  control[1] = -1;
  if (accept_pair[1] >= 0) {
    close(accept_pair[1]);
    accept_pair[1] = -1;
  }
  proxy = g_new0(RfNetProxy, 1);
  proxy->pid = pid;
  proxy->control_fd = control[0];
  proxy->accept_fd = accept_pair[0];
  proxy->bridge = bridge;
  proxy->port = bridge ? RF_NETPROXY_BRIDGE_PORT : port;
  control[0] = accept_pair[0] = -1;
fail:
  for (guint i = 0; i < 2; i++) {
    if (control[i] >= 0)
      close(control[i]);
    if (accept_pair[i] >= 0)
      close(accept_pair[i]);
  }
  if (log_fd >= 0)
    close(log_fd);
  /* The proxy's copy is the only one left: when it ends, a connection to the port is refused
   * at once instead of waiting in a backlog no one reads. */
  if (listen_fd >= 0)
    close(listen_fd);
  if (null_fd >= 0)
    close(null_fd);
  return proxy;
}

gboolean rf_netproxy_wait_ready(RfNetProxy *proxy, GError **error) {
  if (proxy->ready)
    return TRUE;
  char line[512];
  int got = read_ready_line(proxy->control_fd, line, sizeof(line));
  unsigned long port = 0;
  char *end = NULL;
  if (got == 1 && g_str_has_prefix(line, "ready ")) {
    errno = 0;
    port = strtoul(line + 6, &end, 10);
  }
  /* Its port is the one the core bound (--listen-fd), or 0 behind the bridge (--accept-fd). */
  if (got == 1 && end && !*end && end != line + 6 && !errno &&
      port == (proxy->bridge ? 0 : proxy->port)) {
    proxy->ready = TRUE;
    return TRUE;
  }
  /* Not ready: the proxy is ended whatever it said, and its words are the reason. */
  if (got == 1 && g_str_has_prefix(line, "error ")) {
    g_autofree char *said = rf_quote(line + 6, -1);
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                "the network proxy could not start: %s; nothing was run (fix that, or use "
                "--network off or --network on)",
                said);
  } else if (got == 1) {
    g_autofree char *said = rf_quote(line, -1);
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                "the network proxy said %s instead of 'ready PORT': " NETPROXY_NAME
                " does not match this ringfence; reinstall ringfence",
                said);
  } else if (got == 0) {
    int status = 0;
    if (!reap_within(proxy->pid, 5, &status)) {
      kill_and_reap(proxy->pid);
      status = 0;
    }
    proxy->pid = -1;
    g_autofree char *how = WIFSIGNALED(status)
                               ? g_strdup_printf("was killed by signal %d", WTERMSIG(status))
                               : g_strdup_printf("exited with status %d", WEXITSTATUS(status));
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                "the network proxy %s before it was ready (its messages are above); nothing "
                "was run: fix its cause, or use --network off or --network on",
                how);
  } else {
    g_set_error(error, RF_ERROR, RF_ERROR_LAUNCH,
                "the network proxy did not say it was ready within %d seconds; nothing was "
                "run: try again when the machine is less loaded, or use --network off or "
                "--network on",
                RF_NETPROXY_READY_SECONDS);
  }
  if (proxy->pid > 0)
    kill_and_reap(proxy->pid);
  proxy->pid = -1;
  return FALSE;
}

guint16 rf_netproxy_get_port(const RfNetProxy *proxy) {
  return proxy->port;
}

int rf_netproxy_get_accept_fd(const RfNetProxy *proxy) {
  return proxy->accept_fd;
}

void rf_netproxy_release_accept_fd(RfNetProxy *proxy) {
  if (proxy->accept_fd >= 0)
    close(proxy->accept_fd);
  proxy->accept_fd = -1;
}

void rf_netproxy_end(RfNetProxy *proxy) {
  if (!proxy)
    return;
  rf_netproxy_release_accept_fd(proxy);
  if (proxy->control_fd >= 0)
    close(proxy->control_fd);
  proxy->control_fd = -1;
}

void rf_netproxy_stop(RfNetProxy *proxy) {
  if (!proxy)
    return;
  rf_netproxy_end(proxy);
  int status;
  if (proxy->pid > 0 && !reap_within(proxy->pid, 5, &status))
    kill_and_reap(proxy->pid);
  g_free(proxy);
}
