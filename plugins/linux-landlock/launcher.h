/* launcher.h: starting a command under Landlock + seccomp without namespaces, and containing its process tree.
 *
 * Processes of one run:
 *
 *   ringfence ── fork ──> supervisor (subreaper, not confined, own process group)
 *                             └── vfork-like clone ──> command (confined, own session)
 *                                              └── whatever it starts
 *
 * Everything is prepared in ringfence before the first fork (the Landlock
 * ruleset fd, the seccomp programs as BPF in memory, the exec candidates, the
 * sorted descriptor list), so that both forked processes only make system
 * calls: ringfence may be a multi-threaded library host.
 *
 * The command process, in this order (rf_ll_launch_child in launcher.c):
 *   1. default signal dispositions, empty mask;
 *   2. setsid(): no controlling terminal, its own process group;
 *   3. dies with the supervisor (PR_SET_PDEATHSIG);
 *   4. chdir(cwd);
 *   5. no_new_privs;
 *   6. landlock_restrict_self(ruleset);
 *   7. drops every capability (bounding set, ambient, effective, permitted,
 *      inheritable): root inside is an ordinary uid 0;
 *   8. keeps only 0, 1, 2, the --pass-fd descriptors and the report pipe
 *      (close-on-exec);
 *   9. optionally installs the connect()/bind() notify filter and hands its
 *      listener to ringfence's socket supervisor;
 *  10. loads the seccomp program;
 *  11. execve() over the PATH candidates; on failure reports errno and exits.
 *
 * The supervisor is a child subreaper: whatever the command leaves behind
 * (daemonised, double-forked, setsid) is re-parented to it.  When the command
 * ends, or on request (SIGUSR1, or ringfence's death), it kills every
 * remaining descendant, reaps them, reports the command's wait status and
 * exits.  It forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT to the command's
 * process group.
 *
 * Report pipe records (fixed size, atomic): see rf_ll_record.
 */
#pragma once

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum {
  RF_LL_RECORD_PID = 'P',    /* value: the command's pid */
  RF_LL_RECORD_SETUP = 'F',  /* step failed with errno value */
  RF_LL_RECORD_EXEC = 'E',   /* execve failed with errno value */
  RF_LL_RECORD_STATUS = 'X', /* value: the command's wait status */
} rf_ll_record_kind;

typedef struct {
  int32_t kind;
  int32_t value;
  int32_t step; /* rf_ll_step, with RF_LL_RECORD_SETUP */
  int32_t reserved;
} rf_ll_record;

typedef enum {
  RF_LL_STEP_NONE = 0,
  RF_LL_STEP_SUPERVISOR,
  RF_LL_STEP_FORK,
  RF_LL_STEP_SESSION,
  RF_LL_STEP_CWD,
  RF_LL_STEP_NO_NEW_PRIVS,
  RF_LL_STEP_LANDLOCK,
  RF_LL_STEP_CAPABILITIES,
  RF_LL_STEP_DESCRIPTORS,
  RF_LL_STEP_NOTIFY,
  RF_LL_STEP_SECCOMP,
} rf_ll_step;

/* The step's name in messages ("applying the Landlock ruleset"). */
const char *rf_ll_step_name(int step);

typedef struct {
  /* Confinement */
  int ruleset_fd;          /* owned by the caller; the child closes its copy */
  uint32_t restrict_flags; /* landlock_restrict_self() flags */
  struct sock_fprog seccomp;
  struct sock_fprog notify; /* .len 0: no notify filter */
  int notify_channel;       /* with notify: where the listener goes, else -1 */
  int ringfence_channel;    /* ringfence's end of it, closed in the supervisor first: the
                             * command waits on the channel for ringfence's answer, and must
                             * see end-of-file if ringfence dies meanwhile; else -1 */

  /* What to run */
  const char *cwd;
  char **exec_paths;     /* candidates for execve, NULL-terminated */
  char **shell_argv;     /* "/bin/sh", <slot>, argv[1..]: for ENOEXEC */
  char *const *argv;
  char *const *envp;

  /* Descriptors */
  const int *pass_fds;
  size_t n_pass_fds;
  int *keep_sorted; /* pass_fds + report + notify_channel, ascending */
  size_t n_keep;

  char *child_stack; /* the command process's stack until execve */
  size_t child_stack_size;
} rf_ll_launch;

/* Fills exec_paths and shell_argv from argv[0] and PATH in envp (execvpe's
 * rules: a name with a slash is used as is, relative to cwd).  0 or -ENOMEM. */
int rf_ll_launch_prepare_exec(rf_ll_launch *launch);
/* Sorts keep_sorted from pass_fds and the extra descriptors, and allocates
 * the command process's stack.  0 or -ENOMEM. */
int rf_ll_launch_prepare_fds(rf_ll_launch *launch, int report_fd);
void rf_ll_launch_clear(rf_ll_launch *launch);

/* Forks the supervisor, which forks the command.  |report_fd| is the write
 * end of the report pipe (close-on-exec).  Returns the supervisor's pid or
 * -errno. */
pid_t rf_ll_launch_start(const rf_ll_launch *launch, int report_fd);
