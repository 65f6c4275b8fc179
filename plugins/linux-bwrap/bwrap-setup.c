/* bwrap-setup.c: `ringfence setup --backend bwrap`: plans, and as root carries out through the
 * package's installer script, the AppArmor profile for bwrap (see bwrap-setup.h). */
#include "read-int.h"
#include "bwrap-setup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bwrap-apparmor.h"

extern char **environ;

#define RESTRICT_SYSCTL "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"
#define INSTALLER_NAME "apparmor-profile"

typedef enum {
  NEEDED,         /* install: restricted, nothing for bwrap loaded, no foreign file */
  NOT_RESTRICTED, /* install: the kernel does not restrict user namespaces */
  OTHER_PROFILE,  /* install: another profile for bwrap is loaded */
  UNKNOWN_LOADED, /* install: the loaded profiles cannot be read */
  OURS_INSTALLED, /* install: update and reload ours; remove: unload and delete ours */
  NOT_OURS,       /* a file of that name that ringfence did not write: left alone */
  ABSENT,         /* remove: nothing installed */
} verdict;

typedef struct {
  const char *root;    /* "" for the host */
  const char *shipped; /* the profile the package ships */
  char target[4096];   /* root + /etc/apparmor.d/ringfence-bwrap */
  int restrict_value;  /* the sysctl, -1 when absent */
  rf_apparmor_state state;
  verdict verdict;
} setup_state;

static void emit(const rf_backend_sink *out, const char *section, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void emit(const rf_backend_sink *out, const char *section, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  out->emit(out->ctx, section, line);
}

static const char *env_or(const char *name, const char *fallback) {
  const char *value = getenv(name);
  return value && *value ? value : fallback;
}

static int read_int_below(const char *root, const char *path) {
  char full[4096];
  if ((size_t)snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full))
    return -1;
  return rf_read_int_file(full);
}

/* Ours: the installer writes the profile as shipped, whose first line is its own header. */
static int is_ours(const char *path) {
  FILE *f = fopen(path, "re");
  if (!f)
    return 0;
  char line[128] = "";
  int ours = fgets(line, sizeof(line), f) != NULL &&
             strncmp(line, "# " RF_AA_RINGFENCE_NAME ": ", strlen("# " RF_AA_RINGFENCE_NAME ": ")) == 0;
  fclose(f);
  return ours;
}

static void read_state(setup_state *s, int remove) {
  s->root = env_or("RINGFENCE_APPARMOR_ROOT", "");
  s->shipped = env_or("RINGFENCE_APPARMOR_PROFILE", RF_AA_RINGFENCE_SHIPPED);
  snprintf(s->target, sizeof(s->target), "%s%s", s->root, RF_AA_RINGFENCE_INSTALLED_PATH);
  s->restrict_value = read_int_below(s->root, RESTRICT_SYSCTL);
  rf_bwrap_apparmor_read(s->root, NULL, &s->state);
  struct stat st;
  int present = lstat(s->target, &st) == 0;
  int ours = present && S_ISREG(st.st_mode) && is_ours(s->target);
  const char *loaded = s->state.loaded;
  int other = loaded[0] && strcmp(loaded, RF_AA_RINGFENCE_NAME) != 0;
  if (present && !ours)
    s->verdict = NOT_OURS;
  else if (remove)
    s->verdict = ours ? OURS_INSTALLED : ABSENT;
  else if (ours)
    s->verdict = OURS_INSTALLED;
  else if (s->restrict_value != 1)
    s->verdict = NOT_RESTRICTED;
  else if (!s->state.loaded_known)
    s->verdict = UNKNOWN_LOADED;
  else if (other)
    s->verdict = OTHER_PROFILE;
  else
    s->verdict = NEEDED;
}

/* "0", "1" or "absent" */
static const char *restrict_text(const setup_state *s, char *buf, size_t len) {
  if (s->restrict_value < 0)
    return "absent";
  snprintf(buf, len, "%d", s->restrict_value);
  return buf;
}

static void render_plan(const setup_state *s, int remove, const rf_backend_sink *out) {
  char value[16];
  if (remove) {
    emit(out, "plan", "unload profiles %s and %s-sandbox: apparmor_parser -R %s",
         RF_AA_RINGFENCE_NAME, RF_AA_RINGFENCE_NAME, s->target);
    emit(out, "plan",
         "remove file %s (only if ringfence wrote it: first line '# %s: ...') and its compiled "
         "cache in %s/var/cache/apparmor/*/",
         s->target, RF_AA_RINGFENCE_NAME, s->root);
  } else {
    emit(out, "plan",
         "add file %s: a copy of %s, the AppArmor profile letting bwrap create its user "
         "namespace (what bwrap starts gets no capability)",
         s->target, s->shipped);
    emit(out, "plan", "load profiles %s and %s-sandbox: apparmor_parser -r -W %s",
         RF_AA_RINGFENCE_NAME, RF_AA_RINGFENCE_NAME, s->target);
    emit(out, "plan",
         "only where it is needed: kernel.apparmor_restrict_unprivileged_userns = 1, no other "
         "profile for bwrap loaded, no file of that name that ringfence did not write");
  }
  switch (s->verdict) {
  case NEEDED:
    emit(out, "plan",
         "here: needed (kernel.apparmor_restrict_unprivileged_userns = 1, no profile for bwrap "
         "loaded): it would be installed and loaded");
    break;
  case NOT_RESTRICTED:
    emit(out, "plan",
         "here: not needed: kernel.apparmor_restrict_unprivileged_userns is %s, so AppArmor does "
         "not restrict unprivileged user namespaces on this kernel",
         restrict_text(s, value, sizeof(value)));
    break;
  case OTHER_PROFILE:
    emit(out, "plan", "here: not needed: a profile for bwrap is loaded already (%s)",
         s->state.loaded);
    break;
  case UNKNOWN_LOADED:
    emit(out, "plan",
         "here: cannot read %s%s (securityfs not mounted?): it would not be installed",
         s->root, RF_AA_LOADED_PROFILES);
    break;
  case OURS_INSTALLED:
    emit(out, "plan", remove ? "here: installed (ours): it would be unloaded and removed"
                             : "here: installed already (ours): it would be updated and reloaded");
    break;
  case NOT_OURS:
    emit(out, "plan", "here: %s exists and ringfence did not write it: it would be left alone",
         s->target);
    break;
  case ABSENT:
    emit(out, "plan", "here: not installed: nothing to remove");
    break;
  }
}

/* The installer the core trusts: $RINGFENCE_APPARMOR_HELPER, else the helper directory's, else
 * the one fixed at build time.  0 and |path| filled, or -errno with the core's message. */
static int find_installer(const rf_backend_host *host, char *path, size_t path_len, char *err,
                          size_t err_len) {
  char candidate[4096];
  const char *env = getenv("RINGFENCE_APPARMOR_HELPER");
  const char *dir = host && RF_HAS_FIELD(host, helper_dir) ? host->helper_dir : NULL;
  int in_dir = 0;
  if (!(env && *env) && dir &&
      (size_t)snprintf(candidate, sizeof(candidate), "%s/%s", dir, INSTALLER_NAME) <
          sizeof(candidate))
    in_dir = access(candidate, F_OK) == 0;
  if (env && *env)
    snprintf(candidate, sizeof(candidate), "%s", env);
  else if (!in_dir)
    snprintf(candidate, sizeof(candidate), "%s", RF_AA_RINGFENCE_INSTALLER);
  if (!host || !RF_HAS_FIELD(host, trusted_program) || !host->trusted_program) {
    snprintf(err, err_len,
             "this ringfence core cannot say which %s to trust: install the core and its plugins "
             "from the same release",
             INSTALLER_NAME);
    return -EPERM;
  }
  return host->trusted_program(host, candidate, NULL, path, path_len, err, err_len);
}

/* Runs the installer with |action| (posix_spawn: its standard output and error a pipe, nothing
 * else inherited, default signal dispositions, nothing blocked); each line it prints becomes a
 * "progress" line (without its "apparmor-profile: " prefix).  Returns its exit status, or -errno. */
static int run_installer(const char *path, const char *action, const rf_backend_sink *out,
                         char *last, size_t last_len, char *err, size_t err_len) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    snprintf(err, err_len, "cannot make a pipe for %s: %s", path, strerror(errno));
    return -errno;
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  char *argv[] = {(char *)path, (char *)action, NULL};
  pid_t pid;
  int rc = posix_spawn(&pid, path, &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    snprintf(err, err_len, "cannot run %s: %s", path, strerror(rc));
    return -rc;
  }
  FILE *f = fdopen(fds[0], "re");
  if (f) {
    char line[1024];
    /* Our own script prints a line or two; bounded all the same. */
    for (int n = 0; n < 200 && fgets(line, sizeof(line), f); n++) {
      line[strcspn(line, "\n")] = '\0';
      const char *text = line;
      if (strncmp(text, INSTALLER_NAME ": ", strlen(INSTALLER_NAME ": ")) == 0)
        text += strlen(INSTALLER_NAME ": ");
      out->emit(out->ctx, "progress", text);
      snprintf(last, last_len, "%s", text);
    }
    fclose(f);
  } else {
    close(fds[0]);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) {
      snprintf(err, err_len, "cannot wait for %s: %s", path, strerror(errno));
      return -errno;
    }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int rf_bwrap_setup(const rf_backend_host *host, const rf_backend_setup_request *req,
                   const rf_backend_sink *out, char *err, size_t err_len) {
  int remove = (req->flags & RF_SETUP_REMOVE) != 0;
  setup_state s;
  read_state(&s, remove);
  render_plan(&s, remove, out);
  if (req->flags & RF_SETUP_DRY_RUN)
    return 0;
  if (geteuid() != 0) {
    snprintf(err, err_len,
             "bwrap: this setup writes /etc/apparmor.d and loads AppArmor profiles, which needs "
             "root: run 'sudo ringfence setup --backend bwrap%s' (--dry-run shows the plan as any "
             "user)",
             remove ? " --remove" : "");
    return -EACCES;
  }
  char value[16];
  switch (s.verdict) {
  case NOT_RESTRICTED:
    emit(out, "result",
         "not needed here: AppArmor does not restrict unprivileged user namespaces on this kernel "
         "(kernel.apparmor_restrict_unprivileged_userns is %s); nothing was changed",
         restrict_text(&s, value, sizeof(value)));
    return 0;
  case OTHER_PROFILE:
    emit(out, "result", "not needed here: a profile for bwrap is loaded already (%s); nothing was "
                        "changed",
         s.state.loaded);
    return 0;
  case ABSENT:
    emit(out, "result", "not installed: nothing to remove");
    return 0;
  case UNKNOWN_LOADED:
    snprintf(err, err_len,
             "bwrap: cannot read %s%s, so whether a profile for bwrap is loaded is unknown: mount "
             "securityfs (mount -t securityfs securityfs /sys/kernel/security) and run setup again",
             s.root, RF_AA_LOADED_PROFILES);
    return -ENOENT;
  case NOT_OURS:
    snprintf(err, err_len,
             "bwrap: %s exists and ringfence did not write it (its first line is not '# %s: "
             "...'); setup leaves it alone: %s",
             s.target, RF_AA_RINGFENCE_NAME,
             remove ? "delete it yourself if it is no longer wanted"
                    : "move it away to let setup install ringfence's");
    return -EEXIST;
  case NEEDED:
  case OURS_INSTALLED:
    break;
  }
  if (!remove && access(s.shipped, R_OK) != 0) {
    snprintf(err, err_len,
             "bwrap: the profile ringfence ships is missing (%s): reinstall ringfence-backend-bwrap",
             s.shipped);
    return -ENOENT;
  }
  char installer[4096];
  int rc = find_installer(host, installer, sizeof(installer), err, err_len);
  if (rc != 0)
    return rc;
  char last[1024] = "";
  rc = run_installer(installer, remove ? "remove" : "install", out, last, sizeof(last), err,
                     err_len);
  if (rc < 0)
    return rc;
  struct stat st;
  int present = lstat(s.target, &st) == 0;
  if (rc != 0 || present == remove || (!remove && !is_ours(s.target))) {
    snprintf(err, err_len, "bwrap: %s %s did not %s %s%s%s", installer,
             remove ? "remove" : "install", remove ? "remove" : "install", s.target,
             last[0] ? ": " : "", last);
    return -EIO;
  }
  return 0;
}
