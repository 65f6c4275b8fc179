/* test-seccomp-merge.c: plugins/linux-common/seccomp-merge.c: the one filter a Landlock run loads decides every system call as the kernel decided with its two programs loaded, checked with a BPF interpreter on every program pair the backend can load. */
#include <CUnit/Basic.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landlock-seccomp.h"
#include "landlock-unix.h"
#include "seccomp-merge.h"

/* ---- a classic BPF interpreter, as the kernel runs a seccomp program ----------------- */

typedef struct {
  int32_t nr;
  uint32_t arch;
  uint64_t ip;
  uint64_t args[6];
} Data;

#define BAD 0xdeadbeefU /* the interpreter met something it does not know: fails the test */

static uint32_t load_word(const Data *d, uint32_t k) {
  uint32_t word;
  if (k > sizeof(*d) - 4 || k % 4)
    return BAD;
  memcpy(&word, (const char *)d + k, 4);
  return word;
}

static uint32_t run(const struct sock_fprog *prog, const Data *d) {
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
  for (unsigned pc = 0; pc < prog->len; pc++) {
    const struct sock_filter *f = &prog->filter[pc];
    uint32_t src = BPF_SRC(f->code) == BPF_X ? x : f->k;
    switch (BPF_CLASS(f->code)) {
    case BPF_LD:
      if (BPF_MODE(f->code) == BPF_ABS && BPF_SIZE(f->code) == BPF_W)
        a = load_word(d, f->k);
      else if (BPF_MODE(f->code) == BPF_IMM)
        a = f->k;
      else if (BPF_MODE(f->code) == BPF_MEM && f->k < BPF_MEMWORDS)
        a = mem[f->k];
      else
        return BAD;
      break;
    case BPF_LDX:
      if (BPF_MODE(f->code) == BPF_IMM)
        x = f->k;
      else if (BPF_MODE(f->code) == BPF_MEM && f->k < BPF_MEMWORDS)
        x = mem[f->k];
      else
        return BAD;
      break;
    case BPF_ST:
    case BPF_STX:
      if (f->k >= BPF_MEMWORDS)
        return BAD;
      mem[f->k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
      break;
    case BPF_ALU:
      switch (BPF_OP(f->code)) {
      case BPF_AND: a &= src; break;
      case BPF_OR: a |= src; break;
      case BPF_ADD: a += src; break;
      case BPF_SUB: a -= src; break;
      case BPF_LSH: a = src < 32 ? a << src : 0; break;
      case BPF_RSH: a = src < 32 ? a >> src : 0; break;
      case BPF_NEG: a = -a; break;
      default: return BAD;
      }
      break;
    case BPF_JMP: {
      int taken;
      switch (BPF_OP(f->code)) {
      case BPF_JA: pc += f->k; continue;
      case BPF_JEQ: taken = a == src; break;
      case BPF_JGT: taken = a > src; break;
      case BPF_JGE: taken = a >= src; break;
      case BPF_JSET: taken = (a & src) != 0; break;
      default: return BAD;
      }
      pc += taken ? f->jt : f->jf;
      break;
    }
    case BPF_RET:
      return BPF_RVAL(f->code) == BPF_K ? f->k : BAD;
    case BPF_MISC:
      if (BPF_MISCOP(f->code) == BPF_TAX)
        x = a;
      else
        a = x;
      break;
    default:
      return BAD;
    }
  }
  return BAD; /* fell off the end */
}

/* What the kernel answers with |first| loaded last and |second| before it (seccomp_run_filters:
 * the lowest action as a signed number wins; on a tie the filter loaded last). */
static uint32_t kernel_answer(uint32_t first, uint32_t second) {
  return (int32_t)(second & SECCOMP_RET_ACTION_FULL) < (int32_t)(first & SECCOMP_RET_ACTION_FULL)
             ? second
             : first;
}

/* ---- the program pairs of a Landlock run ---------------------------------------------- */

static const uint64_t patterns[] = {
    0, ~0ULL, 1, 2, 3, 4, 8, 10, 16, 17, 0x40, 0x80, 0x100, 0x200, 0x400, 0x800, 0x1000,
    0x10000, 0x20000, 0x40000, 0x80000, 0x10000000, 0x80000000ULL, 0x100000000ULL,
    0xffffffffULL, 0x41, 0x241, 0x242, 0x441, 0x10000000 | 0x200, 0x80001, 0x800 | 1,
    0xffffff9c /* AT_FDCWD */, 0x5401 /* TCGETS */, 0x5412 /* TIOCSTI */, 0x541c,
    0x7fffffffffffffffULL, 1ULL << 40};

typedef struct {
  unsigned checked, differ, unknown;
} Tally;

static void compare_all(const struct sock_fprog *first, const struct sock_fprog *second,
                        const struct sock_fprog *merged, Tally *t) {
  const uint32_t arches[] = {SCMP_ARCH_NATIVE ? seccomp_arch_native() : 0, AUDIT_ARCH_I386,
                             AUDIT_ARCH_AARCH64, 0};
  for (size_t a = 0; a < sizeof(arches) / sizeof(arches[0]); a++)
    for (int nr = -1; nr < 600; nr++)
      for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++)
        for (int where = -1; where < 6; where++) {
          /* the pattern in every argument (where -1), or in one with 0 in the others */
          Data d = {.nr = nr, .arch = arches[a], .ip = 0x400000};
          for (int i = 0; i < 6; i++)
            d.args[i] = where < 0 || where == i ? patterns[p] : 0;
          if (nr == 599)
            d.nr = (int32_t)(0x40000000U | (uint32_t)(p % 64)); /* x32 numbers */
          uint32_t f = run(first, &d), s = run(second, &d), m = run(merged, &d);
          t->checked++;
          if (f == BAD || s == BAD || m == BAD) {
            t->unknown++;
            continue;
          }
          if (m != kernel_answer(f, s)) {
            if (t->differ++ < 5)
              printf("\n  nr %d arch %08x args[%d] = %#llx: first %08x second %08x merged %08x ",
                     d.nr, d.arch, where, (unsigned long long)patterns[p], f, s, m);
          }
        }
}

static void test_the_merged_filter_decides_as_the_two(void) {
  Tally t = {0};
  unsigned pairs = 0;
  /* What seccomp_options_for() in plugins/linux-landlock/plugin.c can ask for, and each
   * variant of the notify filter (bind/connect below ABI 9; the guard). */
  for (int bits = 0; bits < 16; bits++) {
    rf_ll_seccomp_options opts = {.shared = {.network_off = bits & 1,
                                             .deny_unix_datagram = (bits >> 1) & 1,
                                             .allow_inet_sockets = (bits >> 3) & 1, /* proxy */
                                             .host_pids = 1},
                                  .truncate_rules = (bits >> 2) & 1};
    struct sock_fprog main_prog = {0};
    char err[256];
    CU_ASSERT_EQUAL_FATAL(rf_ll_seccomp_compile(&opts, &main_prog, err, sizeof(err)), 0);
    for (int variant = 0; variant < 4; variant++) {
      struct sock_fprog notify = {0}, merged = {0};
      CU_ASSERT_EQUAL_FATAL(
          rf_ll_unix_notify_compile(variant & 1, variant & 2, &notify, err, sizeof(err)), 0);
      int rc = rf_seccomp_merge(&main_prog, &notify, &merged, err, sizeof(err));
      if (rc != 0)
        printf("\n  not merged: %s ", err);
      CU_ASSERT_EQUAL(rc, 0);
      if (rc == 0) {
        CU_ASSERT_EQUAL(merged.len, main_prog.len + notify.len);
        compare_all(&main_prog, &notify, &merged, &t);
        pairs++;
      }
      free(notify.filter);
      free(merged.filter);
    }
    free(main_prog.filter);
  }
  printf("\n  %u program pairs, %u system calls decided, %u differently, %u not understood ",
         pairs, t.checked, t.differ, t.unknown);
  CU_ASSERT_EQUAL(pairs, 64);
  CU_ASSERT_EQUAL(t.differ, 0);
  CU_ASSERT_EQUAL(t.unknown, 0);
}

/* A program that could be reordered is left alone: the caller loads both. */
static void test_programs_that_could_be_reordered_are_not_merged(void) {
  struct sock_filter log_all[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG)};
  struct sock_filter allow_all[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  struct sock_filter trap_all[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP)};
  struct sock_filter computed[] = {BPF_STMT(BPF_RET | BPF_A, 0)};
  struct sock_fprog log_p = {1, log_all}, allow_p = {1, allow_all}, trap_p = {1, trap_all},
                    computed_p = {1, computed}, out;
  char err[256];
  /* first logs: merged, the second's notification would be lost */
  CU_ASSERT_EQUAL(rf_seccomp_merge(&log_p, &allow_p, &out, err, sizeof(err)), -EINVAL);
  /* second traps: more restrictive than the first's errno would be */
  CU_ASSERT_EQUAL(rf_seccomp_merge(&allow_p, &trap_p, &out, err, sizeof(err)), -EINVAL);
  CU_ASSERT_EQUAL(rf_seccomp_merge(&computed_p, &allow_p, &out, err, sizeof(err)), -EINVAL);
  CU_ASSERT_EQUAL(rf_seccomp_merge(&allow_p, &allow_p, &out, err, sizeof(err)), 0);
  CU_ASSERT_EQUAL(out.len, 2);
  free(out.filter);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 1;
  CU_pSuite suite = CU_add_suite("seccomp-merge", NULL, NULL);
  CU_add_test(suite, "the merged filter decides every call as the two filters did",
              test_the_merged_filter_decides_as_the_two);
  CU_add_test(suite, "programs that could be reordered are not merged",
              test_programs_that_could_be_reordered_are_not_merged);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
