/* unix-supervisor.c: the bwrap backend's notification supervisor: its filter, its handlers (sockets, and the name guard when a protected name is missing) and how its listener leaves the sandbox (design in unix-supervisor.h). */
#include "unix-supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guard-entries.h"
#include "notify-decode.h"
#include "notify-dispatch.h"
#include "notify-handler-fsguard.h"
#include "notify-handler-socket.h"
#include "notify-pool.h"
#include "seccomp-groups.h"

/*
 * The notification life cycle, the workers and the descriptor tables are the
 * dispatcher's (notify-dispatch.h); the decisions the handlers'.  What is
 * this backend's: up to RF_NOTIFY_POOL_MAX workers; a thread's new call waits
 * up to RF_SAME_CALLER_WAIT_MS for an earlier one still being taken back (a
 * call blocked in the proxy, a FIFO without a reader, made nothing that
 * would have to be taken back); the workers keep stdio (the proxies'
 * stderr) and the Landlock layer the proxies enforce.
 */
#define RF_SAME_CALLER_WAIT_MS 200

struct rf_unix_supervisor {
  rf_notify_dispatch *dispatch;
  rf_notify_socket *sockets;
  rf_notify_fsguard *guard; /* NULL: no name guard */
  int channel_fd;           /* the dispatcher's (same number in its table) */
  int diag_fd;              /* received from init; lives in the supervisor threads' tables */
  pthread_mutex_t lock;
  pthread_cond_t wake; /* launcher_pid was set */
  pid_t launcher_pid;  /* bwrap, whose child is the sandbox's pid 1; -1: gave up */
};

/* ---- the filter --------------------------------------------------------- */

#ifdef RF_HAVE_PRECOMPILED_BPF
#include "seccomp-programs.h"
#endif

int rf_unix_supervisor_filter_memfd(int guard_names, char *err, size_t err_len) {
#ifdef RF_HAVE_PRECOMPILED_BPF
  const rf_bpf_blob *blob = &rf_notify_programs[guard_names < 0 ? 0 : guard_names > 2 ? 2 : guard_names];
  return rf_seccomp_memfd_from_blob(blob->code, blob->len, err, err_len);
#else
  return rf_unix_supervisor_compile_filter(guard_names, err, err_len);
#endif
}

int rf_unix_supervisor_add_rules(scmp_filter_ctx ctx, int guard_names) {
  /* The handlers' rules, in this order (the programs' layout): the socket
   * calls (a socket file is a name too: with names guarded, bind() goes
   * through the proxy), then the guard's removing and creating calls. */
  int rc = rf_notify_socket_add_rules(ctx, guard_names != 0);
  if (rc == 0 && guard_names)
    rc = rf_notify_fsguard_add_rules(ctx, guard_names);
  return rc;
}

int rf_unix_supervisor_compile_filter(int guard_names, char *err, size_t err_len) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) {
    snprintf(err, err_len, "seccomp: cannot allocate the notify filter");
    return -ENOMEM;
  }
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc == 0)
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc == 0)
    rc = rf_unix_supervisor_add_rules(ctx, guard_names);
  int fd = -1;
  if (rc == 0) {
    fd = memfd_create("ringfence-notify", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    rc = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
  }
  seccomp_release(ctx);
  if (rc == 0 && (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0 ||
                  lseek(fd, 0, SEEK_SET) != 0))
    rc = -errno;
  if (rc < 0) {
    snprintf(err, err_len, "seccomp: cannot build the connect notify filter: %s", strerror(-rc));
    if (fd >= 0)
      close(fd);
    return rc;
  }
  return fd;
}

/* The sandbox's pid 1 (ringfence-sandbox-init) is the launcher's only child. */
static pid_t sandbox_init_pid(rf_unix_supervisor *sv) {
  pthread_mutex_lock(&sv->lock);
  while (sv->launcher_pid == 0)
    pthread_cond_wait(&sv->wake, &sv->lock);
  pid_t launcher = sv->launcher_pid;
  pthread_mutex_unlock(&sv->lock);
  if (launcher <= 0)
    return -1;
  char path[64], text[32];
  snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)launcher, (int)launcher);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n;
  do
    n = read(fd, text, sizeof(text) - 1);
  while (n < 0 && errno == EINTR);
  close(fd);
  if (n <= 0)
    return -1;
  text[n] = '\0';
  char *end = NULL;
  long pid = strtol(text, &end, 10);
  return end != text && pid > 0 ? (pid_t)pid : -1;
}

/* Reads "LISTENER DIAG\n" from the channel and copies both descriptors out
 * of the sandbox's init (see offer_supervision in sandbox-init.c for why
 * nothing is sent with SCM_RIGHTS); send_ack() answers later. */
static int receive_fds(rf_unix_supervisor *sv, int *listener, int *diag) {
  /* Init writes the line at once and then waits for our answer, so reading
   * more than one byte at a time takes nothing that follows it. */
  char line[64];
  size_t used = 0;
  while (used + 1 < sizeof(line) && !memchr(line, '\n', used)) {
    ssize_t n = read(sv->channel_fd, line + used, sizeof(line) - 1 - used);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    used += (size_t)n;
  }
  int remote_listener, remote_diag;
  if (rf_decode_fd_pair(line, used, &remote_listener, &remote_diag) < 0)
    return -1;
  pid_t init = sandbox_init_pid(sv);
  int pidfd = init > 0 ? (int)syscall(SYS_pidfd_open, init, 0) : -1;
  if (pidfd < 0)
    return -1;
  *listener = (int)syscall(SYS_pidfd_getfd, pidfd, remote_listener, 0);
  *diag = (int)syscall(SYS_pidfd_getfd, pidfd, remote_diag, 0);
  close(pidfd);
  return *listener < 0 || *diag < 0 ? -1 : 0;
}

/* Tells init the supervisor is ready: the command starts. */
static int send_ack(rf_unix_supervisor *sv) {
  char ack = 'A';
  return write(sv->channel_fd, &ack, 1) == 1 ? 0 : -1;
}

void rf_unix_supervisor_set_launcher(rf_unix_supervisor *sv, int pid) {
  pthread_mutex_lock(&sv->lock);
  sv->launcher_pid = pid;
  pthread_cond_broadcast(&sv->wake);
  pthread_mutex_unlock(&sv->lock);
}


/* The dispatcher's hooks: the listener and sock_diag socket come from init. */
static int receive_hook(void *ctx, rf_notify_dispatch *d, int channel_fd, int *listener) {
  rf_unix_supervisor *sv = ctx;
  (void)channel_fd;
  int diag = -1;
  if (receive_fds(sv, listener, &diag) < 0) {
    if (*listener >= 0)
      close(*listener);
    if (diag >= 0)
      close(diag);
    *listener = -1;
    return -1;
  }
  sv->diag_fd = diag;
  rf_notify_socket_set_diag(sv->sockets, diag);
  return rf_notify_dispatch_keep(d, diag);
}

static int ready_hook(void *ctx, int channel_fd) {
  (void)channel_fd;
  return send_ack(ctx);
}

static void free_parts(rf_unix_supervisor *sv) {
  rf_notify_socket_free(sv->sockets);
  rf_notify_fsguard_free(sv->guard);
  pthread_mutex_destroy(&sv->lock);
  pthread_cond_destroy(&sv->wake);
  free(sv);
}

int rf_unix_supervisor_start(int channel_fd, const rf_unix_supervisor_config *config,
                             rf_unix_supervisor **out, char *err, size_t err_len) {
  rf_unix_supervisor *sv = calloc(1, sizeof(*sv));
  if (!sv) {
    close(channel_fd);
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  sv->diag_fd = -1;
  sv->channel_fd = channel_fd;
  pthread_mutex_init(&sv->lock, NULL);
  pthread_cond_init(&sv->wake, NULL);
  int rc = 0;
  if (config && config->fs_proxy) {
    rf_notify_fsguard_config guard = {
        .fs_proxy = config->fs_proxy,
        .missing_protected = config->missing_protected,
        .landlock_fd = config->landlock_fd,
        .landlock_abi = config->landlock_abi,
    };
    rc = rf_notify_fsguard_new(&guard, &sv->guard, err, err_len);
  }
  /* The sandbox has a network namespace of its own: every socket bound in
   * it is the sandbox's, and its abstract and inet names are private. */
  rf_notify_socket_config sockets = {
      .diag_fd = -1,
      .private_netns = 1,
      .network = config ? config->network : 0, /* for sockets from outside it */
      .proxy_port = config ? config->proxy_port : 0,
      .guard = sv->guard,
  };
  if (rc == 0 && rf_notify_socket_new(&sockets, &sv->sockets) < 0) {
    snprintf(err, err_len, "out of memory");
    rc = -ENOMEM;
  }
  if (rc < 0) {
    close(channel_fd);
    free_parts(sv);
    return rc;
  }
  rf_notify_dispatch_config dc = {
      .ctx = sv,
      .receive = receive_hook,
      .ready = ready_hook,
      .max_workers = RF_NOTIFY_POOL_MAX,
      .same_caller_wait_ms = RF_SAME_CALLER_WAIT_MS,
      .keep_stdio = 1, /* the proxies' stderr */
  };
  int landlock_fd = rf_notify_fsguard_landlock_fd(sv->guard);
  if (landlock_fd >= 0)
    dc.keep[dc.n_keep++] = landlock_fd;
  rc = rf_notify_dispatch_new(&dc, channel_fd, &sv->dispatch, err, err_len);
  if (rc == 0)
    rc = rf_notify_dispatch_add(sv->dispatch, &rf_notify_socket_handler, sv->sockets);
  if (rc == 0 && sv->guard)
    rc = rf_notify_dispatch_add(sv->dispatch, &rf_notify_fsguard_handler, sv->guard);
  if (rc == 0)
    rc = rf_notify_dispatch_start(sv->dispatch, err, err_len);
  if (rc < 0) {
    rf_notify_dispatch_stop(sv->dispatch);
    free_parts(sv);
    return rc;
  }
  *out = sv;
  return 0;
}

void rf_unix_supervisor_stop(rf_unix_supervisor *sv) {
  if (!sv)
    return;
  pthread_mutex_lock(&sv->lock);
  if (sv->launcher_pid == 0)
    sv->launcher_pid = -1;
  pthread_cond_broadcast(&sv->wake);
  pthread_mutex_unlock(&sv->lock);
  /* The sandbox is gone: the thread and every worker end (a proxy still
   * blocked is killed first); the listener and sock_diag descriptors lived
   * in their own tables. */
  rf_notify_dispatch_stop(sv->dispatch);
  free_parts(sv);
}

int rf_guard_level(char **entries) {
  int level = 0;
  for (size_t i = 0; entries && entries[i]; i++)
    level = entries[i][0] == 'L' ? 2 : (level ? level : 1);
  return level;
}

void rf_strv_free_array(char **array) {
  for (size_t i = 0; array && array[i]; i++)
    free(array[i]);
  free(array);
}

/* One list of entries for both backends (guard-entries.c): the bwrap
 * backend's mounts hold what exists, so only the names, symlinks and
 * pinned directories. */
char **rf_missing_protected_entries(const rf_backend_policy *policy) {
  return rf_guard_entries_for_policy(policy, 0);
}
