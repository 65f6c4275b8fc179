/* landlock-plan.h: a Landlock ruleset plan (which path gets which rights), shared by both Linux backends, and its creation. */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct {
  char *path;          /* absolute; owned */
  uint64_t access;     /* RF_LL_FS_* allowed below path (masked by the ABI) */
  const char *why;     /* "read everywhere", "writable root", "device", ... */
  int skip_if_missing; /* platform defaults and devices may not exist here */
} rf_ll_rule;

typedef struct {
  int abi;                 /* the ABI the plan is for */
  uint64_t handled_fs;     /* denied unless a rule allows */
  uint64_t handled_net;    /* ABI 4: denied unless a port rule allows */
  uint64_t scoped;         /* ABI 6: abstract unix sockets, signals */
  uint32_t restrict_flags; /* landlock_restrict_self() flags */
  uint16_t connect_port;   /* proxy mode: the one TCP port connect() may reach, or 0 */
  /* Full reads: read_all_access on every entry of / and of the parents of
   * these paths, but not on these (NULL-terminated; NULL: no such rules). */
  const char *const *read_all_but;
  uint64_t read_all_access;
  /* Deny-read paths (absolute, canonical; borrowed from the policy): no rule
   * grants read rights at or below them.  A rule whose path lies above one is
   * built around it when the ruleset is created (landlock-ruleset.c): its
   * read rights go to the siblings along the way down instead.  NULL: none. */
  const char *const *deny_read;
  size_t n_deny_read;
  rf_ll_rule *rules;
  size_t n_rules;
  size_t cap_rules;
  int failed; /* allocation failure */
} rf_ll_plan;

/* Adds (or widens) the rule of |path|; sets plan->failed on allocation failure. */
void rf_ll_plan_add_rule(rf_ll_plan *plan, const char *path, uint64_t access, const char *why,
                         int skip_if_missing);
void rf_ll_plan_clear(rf_ll_plan *plan);

/* One rule per inherited descriptor (0, 1, 2 and |pass_fds|) that
 * is a file the kernel judges by its path (a regular file, a device, a named
 * FIFO), as "/proc/self/fd/N", with the access it was opened with (masked by
 * plan->handled_fs): `> /dev/stderr` and `> /dev/fd/3` reopen it by that
 * path.  Anonymous pipes and sockets need none. */
void rf_ll_plan_add_inherited(rf_ll_plan *plan, const int *pass_fds, size_t n_pass_fds);

/* Side effects: creates the kernel ruleset for |plan| (opens each path
 * O_PATH and adds its rule; lists the directories along each deny-read
 * path).  Returns the ruleset fd (close-on-exec) or -errno with a message
 * naming the path; -E2BIG when building around the deny-read paths would
 * take more than RF_LL_MAX_SPLIT_RULES rules. */
#define RF_LL_MAX_SPLIT_RULES 20000
int rf_ll_ruleset_create(const rf_ll_plan *plan, char *err, size_t err_len);
