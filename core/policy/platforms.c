/* platforms.c: which operating system each backend runs on, which guarantees some backend of
 * ours can enforce there, and what the absence of the others means for the user. */
#include <ringfence/ringfence.h>

#include <string.h>

/*
 * A guarantee the policy asks for is required on a platform when one of our backends for that
 * platform can enforce it (on Linux: all of them, between bwrap and Landlock, so a backend or
 * kernel that lacks one is still refused).  Where no backend of ours can, it is "not available
 * on <platform>": shown by check, explain and --json with the meaning below, not refused,
 * unless the user insists (--require, ringfence.require).  The mode's own promises
 * (RF_GUARANTEES_PROMISED) are required everywhere regardless of this table.
 */
typedef struct {
  const char *id;      /* "linux", "macos", "windows" */
  const char *display; /* "Linux", "macOS", "Windows" */
  guint64 unavailable; /* RF_CAP_* no backend of ours can enforce there */
} RfPlatform;

typedef struct {
  const char *platform;
  guint64 bit;
  const char *meaning;
} RfAbsence;

static const RfPlatform platforms[] = {
    {"linux", "Linux", 0},
    {"macos", "macOS",
     RF_CAP_PROCESS_CONTAINMENT | RF_CAP_TERMINAL_INJECTION | RF_CAP_KERNEL_SURFACE},
    {"windows", "Windows",
     RF_CAP_HOST_UNIX_SOCKETS | RF_CAP_TERMINAL_INJECTION | RF_CAP_KERNEL_SURFACE},
};

static const struct {
  const char *backend;
  const char *platform;
} backend_platforms[] = {
    {"bwrap", "linux"},
    {"landlock", "linux"},
    {"seatbelt", "macos"},
    {"windows", "windows"},
};

static const RfAbsence absences[] = {
    {"macos", RF_CAP_PROCESS_CONTAINMENT,
     "a process the command moves to its own process group or session (a daemon) can keep "
     "running after ringfence returns; it stays under the same Seatbelt profile, and ringfence "
     "ends the command's own process group when the command exits"},
    {"macos", RF_CAP_TERMINAL_INJECTION,
     "a command that runs as root on your terminal could push input into it (TIOCSTI) that "
     "your shell reads after it exits; for other users the new session ringfence starts stops "
     "it; run with stdin not a terminal (</dev/null) where that matters"},
    {"macos", RF_CAP_KERNEL_SURFACE,
     "macOS has no system-call filter like seccomp: every kernel interface an ordinary process "
     "may call stays reachable, limited only by the Seatbelt operations the profile denies"},
    {"windows", RF_CAP_HOST_UNIX_SOCKETS,
     "AF_UNIX socket files and named pipes of the host are reachable as far as their own DACLs "
     "allow: most grant nothing to an AppContainer (unelevated); the sandbox account (elevated) "
     "reaches those open to Everyone or Authenticated Users"},
    {"windows", RF_CAP_TERMINAL_INJECTION,
     "a command that shares your console can write to its input buffer (WriteConsoleInput), "
     "which the shell reads after it exits; with --pty (automatic when stdin is a console) it "
     "gets a pseudo console of its own instead"},
    {"windows", RF_CAP_KERNEL_SURFACE,
     "Windows has no system-call filter for ordinary programs: win32k and every other kernel "
     "interface stay reachable, limited only by the token and the job object"},
};

static const RfPlatform *find_platform(const char *id) {
  for (guint i = 0; id && i < G_N_ELEMENTS(platforms); i++)
    if (g_str_equal(platforms[i].id, id))
      return &platforms[i];
  return NULL;
}

const char *rf_platform_of_backend(const char *backend) {
  for (guint i = 0; backend && i < G_N_ELEMENTS(backend_platforms); i++)
    if (g_str_equal(backend_platforms[i].backend, backend))
      return backend_platforms[i].platform;
  return NULL;
}

const char *rf_platform_display_name(const char *platform) {
  const RfPlatform *p = find_platform(platform);
  return p ? p->display : "an unknown platform";
}

guint64 rf_platform_unavailable(const char *platform) {
  const RfPlatform *p = find_platform(platform);
  /* An unknown backend (a third-party plugin) gets no exemption: fail closed. */
  return p ? p->unavailable & ~(guint64)RF_GUARANTEES_PROMISED : 0;
}

const char *rf_platform_absence_meaning(const char *platform, guint64 bit) {
  for (guint i = 0; platform && i < G_N_ELEMENTS(absences); i++)
    if (absences[i].bit == bit && g_str_equal(absences[i].platform, platform))
      return absences[i].meaning;
  return "";
}

const char *rf_platform_default_backend(void) {
#if defined(_WIN32)
  return "windows";
#elif defined(__APPLE__)
  return "seatbelt";
#else
  return "bwrap";
#endif
}
