/* landlock-abi.h: the Landlock kernel interface as both Linux backends use it: constants, ABI and errata, rights by ABI, names. */
#pragma once

/*
 * Distribution headers lag the kernel (Debian 12's <linux/landlock.h> knows
 * ABI 1 only), so this file defines the whole uapi it needs under its own
 * RF_LL_ names and never includes <linux/landlock.h>.  Values are the
 * kernel's (include/uapi/linux/landlock.h); the ABI that introduced each one
 * is noted beside it.
 */

#include <stddef.h>
#include <stdint.h>

#define RF_LL_NEWEST_KNOWN_ABI 9

/* landlock_create_ruleset() flags */
#define RF_LL_CREATE_RULESET_VERSION (1u << 0)
#define RF_LL_CREATE_RULESET_ERRATA (1u << 1) /* answered by kernels with the errata interface */

/* Filesystem rights */
#define RF_LL_FS_EXECUTE (1ull << 0)
#define RF_LL_FS_WRITE_FILE (1ull << 1)
#define RF_LL_FS_READ_FILE (1ull << 2)
#define RF_LL_FS_READ_DIR (1ull << 3)
#define RF_LL_FS_REMOVE_DIR (1ull << 4)
#define RF_LL_FS_REMOVE_FILE (1ull << 5)
#define RF_LL_FS_MAKE_CHAR (1ull << 6)
#define RF_LL_FS_MAKE_DIR (1ull << 7)
#define RF_LL_FS_MAKE_REG (1ull << 8)
#define RF_LL_FS_MAKE_SOCK (1ull << 9)
#define RF_LL_FS_MAKE_FIFO (1ull << 10)
#define RF_LL_FS_MAKE_BLOCK (1ull << 11)
#define RF_LL_FS_MAKE_SYM (1ull << 12)
#define RF_LL_FS_REFER (1ull << 13)        /* ABI 2 */
#define RF_LL_FS_TRUNCATE (1ull << 14)     /* ABI 3 */
#define RF_LL_FS_IOCTL_DEV (1ull << 15)    /* ABI 5 */
#define RF_LL_FS_RESOLVE_UNIX (1ull << 16) /* ABI 9: connect/sendmsg to pathname unix sockets */

/* Network rights (ABI 4) */
#define RF_LL_NET_BIND_TCP (1ull << 0)
#define RF_LL_NET_CONNECT_TCP (1ull << 1)

/* Scopes (ABI 6) */
#define RF_LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ull << 0)
#define RF_LL_SCOPE_SIGNAL (1ull << 1)

/* landlock_restrict_self() flags */
#define RF_LL_RESTRICT_SELF_LOG_SAME_EXEC_OFF (1u << 0)  /* ABI 7 */
#define RF_LL_RESTRICT_SELF_LOG_NEW_EXEC_ON (1u << 1)    /* ABI 7 */
#define RF_LL_RESTRICT_SELF_LOG_SUBDOMAINS_OFF (1u << 2) /* ABI 7 */
#define RF_LL_RESTRICT_SELF_TSYNC (1u << 3)              /* ABI 8: not needed, see launcher.c */

/* Rule types */
#define RF_LL_RULE_PATH_BENEATH 1
#define RF_LL_RULE_NET_PORT 2 /* ABI 4 */

/* Errata (bit N-1 set: erratum N is fixed in the running kernel) */
#define RF_LL_ERRATUM_TCP_SOCKET_IDENTIFICATION (1u << 0) /* ABI 4+ */
#define RF_LL_ERRATUM_SCOPED_SIGNAL_HANDLING (1u << 1)    /* ABI 6+ */
#define RF_LL_ERRATUM_DISCONNECTED_DIRECTORIES (1u << 2)  /* ABI 1+ */

struct rf_ll_ruleset_attr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net; /* ABI 4 */
  uint64_t scoped;             /* ABI 6 */
};

struct rf_ll_path_beneath_attr {
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__((packed));

/* Groups of filesystem rights this plugin grants. */
#define RF_LL_FS_READ (RF_LL_FS_EXECUTE | RF_LL_FS_READ_FILE | RF_LL_FS_READ_DIR)
/* Everything a workspace needs, and no device creation: mknod of a block
 * device would be a way to the raw disk. */
#define RF_LL_FS_WRITE                                                                          \
  (RF_LL_FS_WRITE_FILE | RF_LL_FS_REMOVE_DIR | RF_LL_FS_REMOVE_FILE | RF_LL_FS_MAKE_DIR |      \
   RF_LL_FS_MAKE_REG | RF_LL_FS_MAKE_SOCK | RF_LL_FS_MAKE_FIFO | RF_LL_FS_MAKE_SYM |           \
   RF_LL_FS_REFER | RF_LL_FS_TRUNCATE)
/* Rights that make sense on a file (not a directory) in a rule. */
#define RF_LL_FS_FILE_RIGHTS                                                                    \
  (RF_LL_FS_EXECUTE | RF_LL_FS_WRITE_FILE | RF_LL_FS_READ_FILE | RF_LL_FS_TRUNCATE |           \
   RF_LL_FS_IOCTL_DEV | RF_LL_FS_RESOLVE_UNIX)

/* What the running kernel offers. */
typedef struct {
  int abi;         /* 0: Landlock unavailable */
  int abi_errno;   /* why unavailable (ENOSYS: not built, EOPNOTSUPP: disabled at boot) */
  int has_errata;  /* the kernel answers the errata query */
  uint32_t errata; /* fixed errata bitmask */
} rf_ll_kernel;

/* Asks the running kernel (two landlock_create_ruleset queries), once per process: probe,
 * capabilities, render and launch all want it, and the answer cannot change while the kernel
 * runs.  A failed query (the answer may be a transient one, EINTR or ENOMEM) is not kept. */
void rf_ll_kernel_query(rf_ll_kernel *kernel);

/* Every filesystem / network right / scope the given ABI handles. */
uint64_t rf_ll_fs_rights_for_abi(int abi);
uint64_t rf_ll_net_rights_for_abi(int abi);
uint64_t rf_ll_scopes_for_abi(int abi);
/* restrict_self() flags the plugin uses with that ABI. */
uint32_t rf_ll_restrict_flags_for_abi(int abi, int audit_after_exec);

/* Writes the names of the rights in |fs| ("read_file read_dir ...") into buf. */
void rf_ll_fs_rights_name(uint64_t fs, char *buf, size_t len);
void rf_ll_net_rights_name(uint64_t net, char *buf, size_t len);
void rf_ll_scopes_name(uint64_t scopes, char *buf, size_t len);
void rf_ll_restrict_flags_name(uint32_t flags, char *buf, size_t len);
/* "1 tcp-socket-identification, 2 scoped-signal-handling, 3 ..." or "none". */
void rf_ll_errata_name(uint32_t errata, int abi, char *buf, size_t len);

/* Syscall wrappers: 0/fd or -errno. */
int rf_ll_create_ruleset(const struct rf_ll_ruleset_attr *attr, size_t size, uint32_t flags);
int rf_ll_add_rule(int ruleset_fd, int type, const void *attr, uint32_t flags);
int rf_ll_restrict_self(int ruleset_fd, uint32_t flags); /* async-signal-safe */
