/* apple-vocabulary.c: SBPL names taken from Apple's shipped profiles, so that a typo in a name we
 * emit fails here, not on a Mac. */
#include "apple-vocabulary.h"

#include <string.h>

/*
 * Each name below appears in the text of profiles Apple ships with macOS
 * (the .sb files in /System/Library/Sandbox/Profiles and /usr/share/sandbox, and the
 * profiles built into system daemons; their text is public, e.g. in the
 * per-release sandbox profile diffs of blacktop/ipsw-diffs).  Seatbelt
 * compiles an unknown operation or filter into an error only when the
 * profile is applied, on the Mac, where the command then fails to start; the
 * golden test (test-golden.c) and every profile test run each name we emit
 * through this list instead.  Add a name only together with the Apple
 * profile that uses it.
 */

static const char *const operations[] = {
    "default",                    /* every profile: (deny default) */
    "file-read*",                 /* system.sb, bsd.sb */
    "file-read-metadata",         /* system.sb */
    "file-read-data",             /* system.sb */
    "file-write*",                /* bsd.sb, application.sb */
    "file-write-data",            /* system.sb (/dev/null, /dev/zero) */
    "file-write-create",          /* application.sb */
    "file-write-unlink",          /* application.sb */
    "file-ioctl",                 /* system.sb (/dev/dtracehelper), bsd.sb */
    "file-link",                  /* application.sb */
    "file-map-executable",        /* system.sb, dyld-support.sb */
    "process-exec",               /* bsd.sb */
    "process-fork",               /* bsd.sb */
    "process-info*",              /* system.sb */
    "signal",                     /* system.sb: (allow signal (target self)) */
    "sysctl-read",                /* system.sb */
    "sysctl-write",               /* daemon profiles (kern.grade_cputype in several) */
    "mach-lookup",                /* system.sb */
    "mach-priv-task-port",        /* daemon profiles */
    "ipc-posix-sem",              /* application.sb */
    "ipc-posix-shm-read*",        /* system.sb (apple.shm.notification_center) */
    "ipc-posix-shm-read-data",    /* system.sb, application.sb */
    "ipc-posix-shm-write-create", /* application.sb */
    "ipc-posix-shm-write-unlink", /* application.sb */
    "user-preference-read",       /* application.sb */
    "pseudo-tty",                 /* bsd.sb */
    "network-outbound",           /* system.sb (syslog socket), application.sb */
    "network-inbound",            /* application.sb */
    "network-bind",               /* application.sb */
    "system-socket",              /* system.sb (AF_SYSTEM, AF_ROUTE) */
    "system-fcntl", /* daemon profiles: (deny system-fcntl) (allow system-fcntl (fcntl-command ...))
                     */
    NULL};

static const char *const filters[] = {
    "require-all",             /* everywhere */
    "require-any",             /* everywhere */
    "require-not",             /* everywhere */
    "literal",                 /* everywhere */
    "subpath",                 /* everywhere */
    "regex",                   /* everywhere */
    "param",                   /* application.sb: (param "HOME_DIR") */
    "with",                    /* (with message ...), (with report) */
    "target",                  /* system.sb: (target self); same-sandbox in daemon profiles */
    "sysctl-name",             /* system.sb */
    "sysctl-name-prefix",      /* system.sb */
    "global-name",             /* system.sb */
    "local-name",              /* application.sb (cfprefsd agent) */
    "xpc-service-name-prefix", /* application.sb */
    "extension",               /* application.sb: (extension "com.apple.sandbox.pty") */
    "control-name",            /* system.sb: (control-name "com.apple.netsrc") */
    "socket-domain",           /* system.sb: (socket-domain AF_SYSTEM) */
    "socket-protocol",         /* system.sb */
    "vnode-type",              /* system.sb */
    "remote",                  /* application.sb: (remote ip), (remote unix-socket ...) */
    "local",                   /* application.sb: (local ip) */
    "fcntl-command",           /* daemon profiles: (fcntl-command F_GETFL ...) */
    "ipc-posix-name-regex",    /* system.sb: (ipc-posix-name-regex #"^apple\.shm\.cfprefsd\.") */
    "ipc-posix-name-prefix",   /* application.sb: (ipc-posix-name-prefix "apple.cfprefs.") */
    NULL};

static int in(const char *const *list, const char *name) {
  for (; *list; list++)
    if (strcmp(*list, name) == 0)
      return 1;
  return 0;
}

int apple_vocabulary_operation(const char *name) {
  return in(operations, name);
}

int apple_vocabulary_filter(const char *name) {
  return in(filters, name);
}
