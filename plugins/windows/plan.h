/* plan.h: the Windows sandbox as data.  Built from a resolved policy without any OS
 * call, rendered by render(), carried out step by step by launch() on Windows.
 *
 * Owns: which token the child gets, which capability SIDs it carries, every
 * ACE written on a path, the desktop, the job limits, the network mechanism,
 * the command line, and the "setup" plan for elevated mode.  Leaves to the
 * core: config parsing, approvals, and the comparison of required guarantees
 * with capabilities().  Leaves to launch.c and setup.c: the
 * Win32 calls.
 */
#ifndef RF_WIN_PLAN_H
#define RF_WIN_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "ringfence/backend.h"

#define RF_WIN_SID_MAX 128
#define RF_WIN_NAME_MAX 96
#define RF_WIN_RUN_ID_MAX 40
#define RF_WIN_DESKTOP_RANDOM_BYTES 16

/* ---- Access masks (winnt.h values; launch.c static-asserts them) ---- */

#define RF_WIN_FILE_READ_DATA 0x00000001u /* also FILE_LIST_DIRECTORY */
#define RF_WIN_FILE_WRITE_DATA 0x00000002u /* also FILE_ADD_FILE */
#define RF_WIN_FILE_APPEND_DATA 0x00000004u /* also FILE_ADD_SUBDIRECTORY */
#define RF_WIN_FILE_READ_EA 0x00000008u
#define RF_WIN_FILE_WRITE_EA 0x00000010u
#define RF_WIN_FILE_EXECUTE 0x00000020u /* also FILE_TRAVERSE */
#define RF_WIN_FILE_DELETE_CHILD 0x00000040u
#define RF_WIN_FILE_READ_ATTRIBUTES 0x00000080u
#define RF_WIN_FILE_WRITE_ATTRIBUTES 0x00000100u
#define RF_WIN_DELETE 0x00010000u
#define RF_WIN_READ_CONTROL 0x00020000u
#define RF_WIN_WRITE_DAC 0x00040000u
#define RF_WIN_WRITE_OWNER 0x00080000u
#define RF_WIN_SYNCHRONIZE 0x00100000u

/* "Read & execute". */
#define RF_WIN_RIGHTS_READ                                                                   \
  (RF_WIN_FILE_READ_DATA | RF_WIN_FILE_READ_EA | RF_WIN_FILE_EXECUTE |                       \
   RF_WIN_FILE_READ_ATTRIBUTES | RF_WIN_READ_CONTROL | RF_WIN_SYNCHRONIZE)
/* "Modify": read, write, delete the object itself.  Never FILE_DELETE_CHILD
 * (which would let a sandbox delete a protected child whatever its DACL),
 * never WRITE_DAC or WRITE_OWNER (which would let it undo the plan). */
#define RF_WIN_RIGHTS_MODIFY                                                                 \
  (RF_WIN_RIGHTS_READ | RF_WIN_FILE_WRITE_DATA | RF_WIN_FILE_APPEND_DATA |                   \
   RF_WIN_FILE_WRITE_EA | RF_WIN_FILE_WRITE_ATTRIBUTES | RF_WIN_DELETE)
/* On a writable root itself: create entries, but not delete or rename the root. */
#define RF_WIN_RIGHTS_ROOT_SELF (RF_WIN_RIGHTS_MODIFY & ~RF_WIN_DELETE)
/* Denied on a protected path and everything below it. */
#define RF_WIN_RIGHTS_DENY_WRITE                                                             \
  (RF_WIN_FILE_WRITE_DATA | RF_WIN_FILE_APPEND_DATA | RF_WIN_FILE_WRITE_EA |                 \
   RF_WIN_FILE_WRITE_ATTRIBUTES | RF_WIN_FILE_DELETE_CHILD | RF_WIN_DELETE | RF_WIN_WRITE_DAC | \
   RF_WIN_WRITE_OWNER)
/* Denied on a deny-read path and everything below it. */
#define RF_WIN_RIGHTS_DENY_READ                                                              \
  (RF_WIN_FILE_READ_DATA | RF_WIN_FILE_READ_EA | RF_WIN_FILE_EXECUTE | RF_WIN_RIGHTS_DENY_WRITE)

/* ---- Job object limits (winnt.h values) ---------------------------------- */

#define RF_WIN_JOB_LIMIT_DIE_ON_UNHANDLED_EXCEPTION 0x00000400u
#define RF_WIN_JOB_LIMIT_BREAKAWAY_OK 0x00000800u
#define RF_WIN_JOB_LIMIT_SILENT_BREAKAWAY_OK 0x00001000u
#define RF_WIN_JOB_LIMIT_KILL_ON_JOB_CLOSE 0x00002000u

#define RF_WIN_JOB_UILIMIT_HANDLES 0x00000001u
#define RF_WIN_JOB_UILIMIT_READCLIPBOARD 0x00000002u
#define RF_WIN_JOB_UILIMIT_WRITECLIPBOARD 0x00000004u
#define RF_WIN_JOB_UILIMIT_SYSTEMPARAMETERS 0x00000008u
#define RF_WIN_JOB_UILIMIT_DISPLAYSETTINGS 0x00000010u
#define RF_WIN_JOB_UILIMIT_GLOBALATOMS 0x00000020u
#define RF_WIN_JOB_UILIMIT_DESKTOP 0x00000040u
#define RF_WIN_JOB_UILIMIT_EXITWINDOWS 0x00000080u
#define RF_WIN_JOB_UILIMIT_ALL 0x000000ffu

/* ---- Stable names (setup installs them, launch uses them) ---------------- */

#define RF_WIN_APPCONTAINER_PREFIX "ringfence."
#define RF_WIN_DESKTOP_PREFIX "ringfence-"
#define RF_WIN_GROUP_NAME "ringfence-sandboxes"
#define RF_WIN_ACCOUNT_OFFLINE "ringfence-offline"
#define RF_WIN_ACCOUNT_ONLINE "ringfence-online"
#define RF_WIN_RUNNER_NAME "rf-windows-runner.exe"
#define RF_WIN_CREDENTIALS_DIR "%LOCALAPPDATA%\\ringfence"
#define RF_WIN_CREDENTIALS_FILE "%LOCALAPPDATA%\\ringfence\\sandbox-accounts.dat"
#define RF_WIN_USERLIST_KEY \
  "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\SpecialAccounts\\UserList"

/* Well-known AppContainer network capabilities, granted only with network = on. */
#define RF_WIN_SID_INTERNET_CLIENT "S-1-15-3-1"
#define RF_WIN_SID_INTERNET_CLIENT_SERVER "S-1-15-3-2"
#define RF_WIN_SID_PRIVATE_NETWORK "S-1-15-3-3"

/* What the AppContainer-based modes enforce (both modes: elevated runs the
 * same AppContainer, as a separate account, behind WFP filters).  This is
 * what capabilities() returns. */
#define RF_WIN_CAPS_SANDBOX                                                                  \
  (RF_CAP_WRITE_CONFINED | RF_CAP_PROTECTED_SUBPATHS | RF_CAP_DENY_READ | RF_CAP_NETWORK_OFF | \
   RF_CAP_PROCESS_CONTAINMENT | RF_CAP_HOST_PROCESSES | RF_CAP_FD_ISOLATION |                 \
   RF_CAP_PRIVATE_DESKTOP)

/* ---- Capability names ------------------------------------------------------ */

/*
 * The name of the capability that stands for |kind| ("write", "read",
 * "deny-read") on |path|, malloc'd (NULL: out of memory):
 *
 *   "ringfence/v1/" kind "/" path-with-ASCII-lowercased
 *
 * The plan carries the name; at launch Windows derives the capability SID from
 * it (DeriveCapabilitySidsFromName: S-1-15-3-1024-..., a hash of the name, see
 * capability-sid.c), so ringfence computes no hash of its own and the portable
 * plan shows what the SID stands for.  The SID depends on the path, not on the
 * run, so an ACE written once serves every later run on the same root (no ACE
 * pile-up, no re-walking big trees), and a run only carries the SIDs of its own
 * policy's paths.  ASCII lowercasing matches NTFS's case-insensitive names for
 * the common case (Windows also folds the case of the name it hashes).
 */
char *rf_win_capability_name(const char *kind, const char *path);

/* How render shows a capability known by its name ("name:" + the name). */
#define RF_WIN_CAPABILITY_NAME_TAG "name:"

/* ---- The plan --------------------------------------------------------------- */

typedef enum {
  RF_WIN_TOKEN_APPCONTAINER = 0, /* LowBox token: the sandbox */
  RF_WIN_TOKEN_CALLER = 1,       /* danger-full-access: the caller's own token, in a job */
} rf_win_token_kind;

typedef enum {
  RF_WIN_TRUSTEE_CAPABILITY = 0, /* the capability SID in `sid` */
  RF_WIN_TRUSTEE_SANDBOX_GROUP = 1, /* elevated: local group RF_WIN_GROUP_NAME */
} rf_win_trustee;

typedef struct rf_win_acl_step {
  const char *path; /* borrowed from the policy */
  int deny;         /* 1: access-denied ACE, 0: access-allowed ACE */
  uint32_t trustee; /* rf_win_trustee */
  /* With RF_WIN_TRUSTEE_CAPABILITY: the capability's name (borrowed from its rf_win_capability)
   * and its SID, "" until launch derives it (rf_win32_plan_derive_sids). */
  const char *cap_name;
  char sid[RF_WIN_SID_MAX];
  uint32_t rights_self;      /* on the object itself */
  uint32_t rights_inherited; /* inherited by every file and directory below; 0: none */
  int low_label;   /* also give the path an inheritable Low mandatory label (AppContainers run at Low) */
  int placeholder; /* create an empty directory first if the path does not exist */
  int skip_missing; /* a missing path is skipped (nothing to protect yet) */
  const char *why;
} rf_win_acl_step;

typedef struct rf_win_capability {
  /* Well-known capabilities (network): their published SID.  Path capabilities: "" until
   * launch derives it from |name| (rf_win32_plan_derive_sids). */
  char sid[RF_WIN_SID_MAX];
  char *name;       /* path capabilities: rf_win_capability_name() (owned); else NULL */
  const char *kind; /* "write", "read", "deny-read", "internetClient", ... */
  const char *path; /* for path capabilities, borrowed; else NULL */
} rf_win_capability;

/* How the command gets a console. */
typedef enum {
  RF_WIN_CONSOLE_AUTO = 0, /* a pseudo console (ConPTY) when standard input is a console, decided
                            * at launch; else the standard handles as they are */
  RF_WIN_CONSOLE_PTY = 1,  /* --pty: always a pseudo console of its own */
} rf_win_console;

#define RF_WIN_USER_DIRS_MAX 3

typedef struct rf_win_plan {
  uint32_t windows_mode; /* rf_windows_mode */
  uint32_t sandbox_mode; /* rf_sandbox_mode */
  uint32_t read_access;  /* rf_read_access */
  uint32_t network;      /* rf_network_mode */
  uint32_t token;        /* rf_win_token_kind */
  const char *run_id;    /* borrowed */
  const char *cwd;       /* borrowed */
  size_t n_env;          /* variables in policy envp (0 with envp NULL: inherit) */
  int inherit_env;

  char appcontainer_name[RF_WIN_NAME_MAX]; /* "ringfence.<run_id>" */
  const char *account; /* elevated: RF_WIN_ACCOUNT_OFFLINE / _ONLINE; else NULL */

  int private_desktop;
  char desktop_name[RF_WIN_NAME_MAX]; /* "ringfence-<run_id>-<32 hex>" or "Default" */
  /* The SSH_* variable that says this is an SSH session, where no desktop can be created: the
   * private desktop is skipped (the session has no interactive desktop to protect), or NULL. */
  const char *ssh_var;

  /* Full reads: the per-user folders granted read so that tools installed per user start
   * (borrowed from the policy's environment; names of the variables alongside). */
  const char *user_dirs[RF_WIN_USER_DIRS_MAX];
  const char *user_dir_vars[RF_WIN_USER_DIRS_MAX];
  size_t n_user_dirs;

  uint32_t console; /* rf_win_console */

  rf_win_acl_step *acl;
  size_t n_acl;
  rf_win_capability *caps;
  size_t n_caps;

  uint32_t job_limits;    /* RF_WIN_JOB_LIMIT_* set */
  uint32_t job_ui_limits; /* RF_WIN_JOB_UILIMIT_* set */

  int batch;          /* argv[0] is a .bat/.cmd file, run through cmd_exe */
  const char *cmd_exe; /* borrowed from the input */
  char *command_line; /* the full lpCommandLine, UTF-8 (owned) */

  uint64_t required; /* from the policy */
  uint64_t enforced; /* what this plan enforces */
  uint64_t missing;  /* required & ~enforced & ~degraded: launch refuses when non-zero */
  uint64_t dropped;  /* required & ~enforced & degraded: accepted by the user */
} rf_win_plan;

typedef struct rf_win_plan_input {
  const rf_backend_policy *policy;
  const char *const *argv;
  /* RF_WIN_DESKTOP_RANDOM_BYTES of randomness for the desktop name, or NULL
   * (render: the name shows "<random>" where launch puts 32 hex digits). */
  const uint8_t *random;
  /* Absolute path of cmd.exe for batch files; NULL: "%SystemRoot%\System32\cmd.exe". */
  const char *cmd_exe;
} rf_win_plan_input;

/* Fills |plan| (zero it first).  Returns 0, or -EINVAL / -ENOTSUP / -ENOMEM
 * with a message naming the field and the fix.  A plan with missing != 0 is
 * still built (render shows it); launch refuses it. */
int rf_win_plan_build(const rf_win_plan_input *in, rf_win_plan *plan, char *err, size_t err_len);

/* Frees what build allocated; the plan may be built again afterwards. */
void rf_win_plan_clear(rf_win_plan *plan);

/* Emits the plan in sections "parameters", "token", "acl", "desktop", "job",
 * "network", "command", "guarantees". */
void rf_win_plan_render(const rf_win_plan *plan, const rf_backend_sink *out);

/* Writes the message launch() returns when plan->missing != 0. */
void rf_win_plan_missing_message(const rf_win_plan *plan, char *err, size_t err_len);

/* "write-confined", ... for an RF_CAP_* bit; NULL for an unknown bit. */
const char *rf_win_guarantee_name(uint64_t bit);

/* ---- Setup plan (elevated mode) ---------------------------------------------- */

typedef enum {
  RF_WIN_SETUP_GROUP = 0,
  RF_WIN_SETUP_ACCOUNT,
  RF_WIN_SETUP_HIDE_ACCOUNT,
  RF_WIN_SETUP_WFP_PROVIDER,
  RF_WIN_SETUP_WFP_SUBLAYER,
  RF_WIN_SETUP_WFP_FILTER,
  RF_WIN_SETUP_CREDENTIALS,
  RF_WIN_SETUP_PROFILE,
} rf_win_setup_kind;

typedef struct rf_win_setup_item {
  uint32_t kind;       /* rf_win_setup_kind */
  const char *name;    /* account/group name, GUID, registry value, file */
  const char *account; /* the account the item concerns, or NULL */
  const char *layer;   /* WFP layer for filters, else NULL */
  const char *detail;  /* one line: what it is for */
} rf_win_setup_item;

/* The exact list `ringfence setup --windows` adds, in install order
 * (--remove walks it backwards).  Static storage. */
const rf_win_setup_item *rf_win_setup_items(size_t *n);

/* The WFP GUIDs the setup uses, as text (mingw-w64's fwpmu.h does not define
 * them; values from Microsoft's fwpmu.h): the GUID of a layer named in an
 * item's `layer`, or NULL for an unknown name. */
const char *rf_win_wfp_layer_guid(const char *layer);
#define RF_WIN_WFP_CONDITION_ALE_USER_ID "{af043a0a-b34d-4f86-979c-c90371af6e66}"
#define RF_WIN_WFP_FLAG_PERSISTENT 0x00000001u /* FWPM_{PROVIDER,SUBLAYER,FILTER}_FLAG_PERSISTENT */

/* Emits the setup plan (section "plan") for install (remove = 0) or removal. */
void rf_win_setup_render(int remove, const rf_backend_sink *out);

#endif /* RF_WIN_PLAN_H */
