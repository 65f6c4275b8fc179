/* seccomp-merge.c: one seccomp program from two, deciding what the kernel decides with both loaded (one filter to attach and run instead of two). */
#include "seccomp-merge.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SECCOMP_RET_ACTION_FULL
#define SECCOMP_RET_ACTION_FULL 0xffff0000U
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif

/* Every return of |prog| is a constant whose action is one of |allowed|. */
static int returns_fit(const struct sock_fprog *prog, const uint32_t *allowed, size_t n,
                       const char *which, char *err, size_t err_len) {
  for (unsigned i = 0; i < prog->len; i++) {
    const struct sock_filter *insn = &prog->filter[i];
    if (BPF_CLASS(insn->code) != BPF_RET)
      continue;
    if (BPF_RVAL(insn->code) != BPF_K) {
      snprintf(err, err_len, "the %s seccomp program returns a computed action (instruction %u)",
               which, i);
      return -EINVAL;
    }
    uint32_t action = insn->k & SECCOMP_RET_ACTION_FULL;
    size_t j = 0;
    while (j < n && allowed[j] != action)
      j++;
    if (j == n) {
      snprintf(err, err_len,
               "the %s seccomp program returns action 0x%08x (instruction %u), which merging "
               "could reorder",
               which, action, i);
      return -EINVAL;
    }
  }
  return 0;
}

int rf_seccomp_merge(const struct sock_fprog *first, const struct sock_fprog *second,
                     struct sock_fprog *out, char *err, size_t err_len) {
  static const uint32_t first_actions[] = {SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_TRAP,
                                           SECCOMP_RET_KILL_THREAD, SECCOMP_RET_KILL_PROCESS};
  static const uint32_t second_actions[] = {SECCOMP_RET_ALLOW, SECCOMP_RET_USER_NOTIF,
                                            SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_THREAD,
                                            SECCOMP_RET_KILL_PROCESS};
  memset(out, 0, sizeof(*out));
  if (!first->len || !second->len || (size_t)first->len + second->len > BPF_MAXINSNS) {
    snprintf(err, err_len, "seccomp programs of %u and %u instructions cannot be merged (at most "
                           "%d in all)",
             first->len, second->len, BPF_MAXINSNS);
    return -EINVAL;
  }
  int rc = returns_fit(first, first_actions, sizeof(first_actions) / sizeof(first_actions[0]),
                       "first", err, err_len);
  if (rc == 0)
    rc = returns_fit(second, second_actions, sizeof(second_actions) / sizeof(second_actions[0]),
                     "second", err, err_len);
  if (rc < 0)
    return rc;
  size_t len = (size_t)first->len + second->len;
  struct sock_filter *merged = malloc(len * sizeof(*merged));
  if (!merged) {
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  memcpy(merged, first->filter, first->len * sizeof(*merged));
  memcpy(merged + first->len, second->filter, second->len * sizeof(*merged));
  for (unsigned i = 0; i < first->len; i++) {
    struct sock_filter *insn = &merged[i];
    if (BPF_CLASS(insn->code) == BPF_RET &&
        (insn->k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW)
      /* to the first instruction of |second| (jumps count from the next one) */
      *insn = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, first->len - i - 1, 0, 0);
  }
  out->filter = merged;
  out->len = (unsigned short)len;
  return 0;
}
