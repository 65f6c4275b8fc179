/* landlock-abi.c: which Landlock rights, scopes and flags each ABI has, their names, and the raw syscalls. */
#include "landlock-abi.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The three Landlock syscalls have the same numbers on every architecture. */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SYS_landlock_add_rule
#define SYS_landlock_add_rule 445
#endif
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif

int rf_ll_create_ruleset(const struct rf_ll_ruleset_attr *attr, size_t size, uint32_t flags) {
  long rc = syscall(SYS_landlock_create_ruleset, attr, size, flags);
  return rc < 0 ? -errno : (int)rc;
}

int rf_ll_add_rule(int ruleset_fd, int type, const void *attr, uint32_t flags) {
  long rc = syscall(SYS_landlock_add_rule, ruleset_fd, type, attr, flags);
  return rc < 0 ? -errno : 0;
}

int rf_ll_restrict_self(int ruleset_fd, uint32_t flags) {
  long rc = syscall(SYS_landlock_restrict_self, ruleset_fd, flags);
  return rc < 0 ? -errno : 0;
}

void rf_ll_kernel_query(rf_ll_kernel *kernel) {
  static rf_ll_kernel known; /* written once, before |asked| is set */
  static int asked;
  if (__atomic_load_n(&asked, __ATOMIC_ACQUIRE)) {
    *kernel = known;
    return;
  }
  memset(kernel, 0, sizeof(*kernel));
  int abi = rf_ll_create_ruleset(NULL, 0, RF_LL_CREATE_RULESET_VERSION);
  if (abi < 0) {
    kernel->abi_errno = -abi;
    return;
  }
  kernel->abi = abi;
  /* Kernels before the errata interface answer EINVAL: nothing is known
   * to be fixed, which is what errata == 0 says. */
  int errata = rf_ll_create_ruleset(NULL, 0, RF_LL_CREATE_RULESET_ERRATA);
  if (errata >= 0) {
    kernel->has_errata = 1;
    kernel->errata = (uint32_t)errata;
  }
  if (!__atomic_load_n(&asked, __ATOMIC_ACQUIRE)) {
    known = *kernel; /* two threads asking at once write the same answer */
    __atomic_store_n(&asked, 1, __ATOMIC_RELEASE);
  }
}

uint64_t rf_ll_fs_rights_for_abi(int abi) {
  if (abi < 1)
    return 0;
  uint64_t rights = (RF_LL_FS_MAKE_SYM << 1) - 1; /* ABI 1: EXECUTE .. MAKE_SYM */
  if (abi >= 2)
    rights |= RF_LL_FS_REFER;
  if (abi >= 3)
    rights |= RF_LL_FS_TRUNCATE;
  if (abi >= 5)
    rights |= RF_LL_FS_IOCTL_DEV;
  if (abi >= 9)
    rights |= RF_LL_FS_RESOLVE_UNIX;
  return rights;
}

uint64_t rf_ll_net_rights_for_abi(int abi) {
  return abi >= 4 ? RF_LL_NET_BIND_TCP | RF_LL_NET_CONNECT_TCP : 0;
}

uint64_t rf_ll_scopes_for_abi(int abi) {
  return abi >= 6 ? RF_LL_SCOPE_ABSTRACT_UNIX_SOCKET | RF_LL_SCOPE_SIGNAL : 0;
}

/*
 * Logging (ABI 7): ringfence is a launcher of programs it does not trust, the
 * case LOG_SAME_EXEC_OFF is meant for (its own few steps between
 * restrict_self and execve never touch a denied object).  Denials of the
 * command itself are logged only when asked (RINGFENCE_LANDLOCK_AUDIT=1):
 * builds probe many paths and would flood the audit log.
 */
uint32_t rf_ll_restrict_flags_for_abi(int abi, int audit_after_exec) {
  if (abi < 7)
    return 0;
  uint32_t flags = RF_LL_RESTRICT_SELF_LOG_SAME_EXEC_OFF;
  if (audit_after_exec)
    flags |= RF_LL_RESTRICT_SELF_LOG_NEW_EXEC_ON;
  return flags;
}

typedef struct {
  uint64_t bit;
  const char *name;
} named_bit;

static const named_bit fs_names[] = {
    {RF_LL_FS_EXECUTE, "execute"},         {RF_LL_FS_WRITE_FILE, "write_file"},
    {RF_LL_FS_READ_FILE, "read_file"},     {RF_LL_FS_READ_DIR, "read_dir"},
    {RF_LL_FS_REMOVE_DIR, "remove_dir"},   {RF_LL_FS_REMOVE_FILE, "remove_file"},
    {RF_LL_FS_MAKE_CHAR, "make_char"},     {RF_LL_FS_MAKE_DIR, "make_dir"},
    {RF_LL_FS_MAKE_REG, "make_reg"},       {RF_LL_FS_MAKE_SOCK, "make_sock"},
    {RF_LL_FS_MAKE_FIFO, "make_fifo"},     {RF_LL_FS_MAKE_BLOCK, "make_block"},
    {RF_LL_FS_MAKE_SYM, "make_sym"},       {RF_LL_FS_REFER, "refer"},
    {RF_LL_FS_TRUNCATE, "truncate"},       {RF_LL_FS_IOCTL_DEV, "ioctl_dev"},
    {RF_LL_FS_RESOLVE_UNIX, "resolve_unix"},
};

static const named_bit net_names[] = {
    {RF_LL_NET_BIND_TCP, "bind_tcp"},
    {RF_LL_NET_CONNECT_TCP, "connect_tcp"},
};

static const named_bit scope_names[] = {
    {RF_LL_SCOPE_ABSTRACT_UNIX_SOCKET, "abstract_unix_socket"},
    {RF_LL_SCOPE_SIGNAL, "signal"},
};

static const named_bit flag_names[] = {
    {RF_LL_RESTRICT_SELF_LOG_SAME_EXEC_OFF, "log_same_exec_off"},
    {RF_LL_RESTRICT_SELF_LOG_NEW_EXEC_ON, "log_new_exec_on"},
    {RF_LL_RESTRICT_SELF_LOG_SUBDOMAINS_OFF, "log_subdomains_off"},
    {RF_LL_RESTRICT_SELF_TSYNC, "tsync"},
};

static void names(const named_bit *table, size_t n, uint64_t bits, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    if (!(bits & table[i].bit))
      continue;
    int w = snprintf(buf + used, len - used, "%s%s", used ? " " : "", table[i].name);
    if (w < 0 || (size_t)w >= len - used)
      return;
    used += (size_t)w;
    bits &= ~table[i].bit;
  }
  if (bits)
    snprintf(buf + used, len - used, "%s0x%llx", used ? " " : "", (unsigned long long)bits);
  else if (used == 0)
    snprintf(buf, len, "none");
}

#define N(table) (sizeof(table) / sizeof(table[0]))

void rf_ll_fs_rights_name(uint64_t fs, char *buf, size_t len) {
  names(fs_names, N(fs_names), fs, buf, len);
}

void rf_ll_net_rights_name(uint64_t net, char *buf, size_t len) {
  names(net_names, N(net_names), net, buf, len);
}

void rf_ll_scopes_name(uint64_t scopes, char *buf, size_t len) {
  names(scope_names, N(scope_names), scopes, buf, len);
}

void rf_ll_restrict_flags_name(uint32_t flags, char *buf, size_t len) {
  names(flag_names, N(flag_names), flags, buf, len);
}

static const struct {
  uint32_t bit;
  int since_abi;
  const char *name;
} errata_table[] = {
    {RF_LL_ERRATUM_TCP_SOCKET_IDENTIFICATION, 4, "1 tcp-socket-identification"},
    {RF_LL_ERRATUM_SCOPED_SIGNAL_HANDLING, 6, "2 scoped-signal-handling"},
    {RF_LL_ERRATUM_DISCONNECTED_DIRECTORIES, 1, "3 disconnected-directory-handling"},
};

/* Lists the errata that apply to |abi|, each as fixed or not. */
void rf_ll_errata_name(uint32_t errata, int abi, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < N(errata_table); i++) {
    if (abi < errata_table[i].since_abi)
      continue;
    int w = snprintf(buf + used, len - used, "%s%s %s", used ? ", " : "", errata_table[i].name,
                     (errata & errata_table[i].bit) ? "fixed" : "NOT fixed");
    if (w < 0 || (size_t)w >= len - used)
      return;
    used += (size_t)w;
  }
  uint32_t unknown = errata;
  for (size_t i = 0; i < N(errata_table); i++)
    unknown &= ~errata_table[i].bit;
  if (unknown)
    snprintf(buf + used, len - used, "%sfurther fixed: 0x%x", used ? ", " : "", unknown);
  else if (used == 0)
    snprintf(buf, len, "none apply");
}
