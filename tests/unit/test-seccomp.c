/* test-seccomp.c: the seccomp programs built into the plugins are exactly what libseccomp compiles now. */
#include <CUnit/Basic.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "seccomp-groups.h"
#include "unix-supervisor.h"

static unsigned char *slurp(int fd, size_t *len) {
  off_t size = lseek(fd, 0, SEEK_END);
  unsigned char *bytes = malloc((size_t)size);
  CU_ASSERT_FATAL(bytes && pread(fd, bytes, (size_t)size, 0) == size);
  *len = (size_t)size;
  close(fd);
  return bytes;
}

static void test_precompiled_programs_match_a_fresh_compile(void) {
  char err[256];
  for (int bits = 0; bits < 32; bits++) {
    rf_seccomp_options opts = {bits & 1, (bits >> 1) & 1, (bits >> 2) & 1, (bits >> 3) & 1,
                               (bits >> 4) & 1};
    size_t a_len, b_len;
    unsigned char *a = slurp(rf_seccomp_export_memfd(&opts, err, sizeof(err)), &a_len);
    unsigned char *b = slurp(rf_seccomp_compile_memfd(&opts, err, sizeof(err)), &b_len);
    CU_ASSERT_EQUAL(a_len, b_len);
    CU_ASSERT(a_len == b_len && memcmp(a, b, a_len) == 0);
    free(a);
    free(b);
  }
  for (int bits = 0; bits < 6; bits++) {
    int network_off = bits / 3, level = bits % 3;
    rf_seccomp_options opts = {.network_off = network_off, .allow_inet_sockets = 1,
                               .guard_names = level > 0};
    size_t a_len, b_len;
    unsigned char *a = slurp(rf_seccomp_export_supervised_memfd(&opts, level, err, sizeof(err)),
                             &a_len);
    unsigned char *b = slurp(rf_seccomp_compile_supervised_memfd(&opts, level, err, sizeof(err)),
                             &b_len);
    CU_ASSERT(a_len == b_len && memcmp(a, b, a_len) == 0);
    free(a);
    free(b);
  }
  for (int guard = 0; guard < 3; guard++) {
    size_t a_len, b_len;
    unsigned char *a = slurp(rf_unix_supervisor_filter_memfd(guard, err, sizeof(err)), &a_len);
    unsigned char *b = slurp(rf_unix_supervisor_compile_filter(guard, err, sizeof(err)), &b_len);
    CU_ASSERT(a_len == b_len && memcmp(a, b, a_len) == 0);
    free(a);
    free(b);
  }
}

/* ---- one supervised filter decides like the two separate ones ------------------- */

/* Classic BPF as the kernel runs a seccomp program (the instructions
 * libseccomp emits); *steps receives how many ran.  An unknown instruction
 * fails the test. */
static uint32_t run_bpf(const struct sock_filter *f, size_t n, const struct seccomp_data *d,
                        unsigned *steps) {
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
  const unsigned char *data = (const unsigned char *)d;
  *steps = 0;
  for (size_t pc = 0; pc < n; pc++) {
    const struct sock_filter *i = &f[pc];
    (*steps)++;
    uint32_t src = BPF_SRC(i->code) == BPF_X ? x : i->k;
    switch (BPF_CLASS(i->code)) {
    case BPF_LD:
      if (BPF_MODE(i->code) == BPF_ABS && BPF_SIZE(i->code) == BPF_W &&
          i->k + 4 <= sizeof(*d) && i->k % 4 == 0)
        memcpy(&a, data + i->k, 4);
      else if (BPF_MODE(i->code) == BPF_IMM)
        a = i->k;
      else if (BPF_MODE(i->code) == BPF_MEM && i->k < BPF_MEMWORDS)
        a = mem[i->k];
      else
        goto bad;
      break;
    case BPF_LDX:
      if (BPF_MODE(i->code) == BPF_IMM)
        x = i->k;
      else if (BPF_MODE(i->code) == BPF_MEM && i->k < BPF_MEMWORDS)
        x = mem[i->k];
      else
        goto bad;
      break;
    case BPF_ST:
    case BPF_STX:
      if (i->k >= BPF_MEMWORDS)
        goto bad;
      mem[i->k] = BPF_CLASS(i->code) == BPF_ST ? a : x;
      break;
    case BPF_ALU:
      switch (BPF_OP(i->code)) {
      case BPF_AND: a &= src; break;
      case BPF_OR: a |= src; break;
      case BPF_ADD: a += src; break;
      case BPF_SUB: a -= src; break;
      default: goto bad;
      }
      break;
    case BPF_JMP: {
      int taken;
      switch (BPF_OP(i->code)) {
      case BPF_JA: pc += i->k; continue;
      case BPF_JEQ: taken = a == src; break;
      case BPF_JGT: taken = a > src; break;
      case BPF_JGE: taken = a >= src; break;
      case BPF_JSET: taken = (a & src) != 0; break;
      default: goto bad;
      }
      pc += taken ? i->jt : i->jf;
      break;
    }
    case BPF_RET:
      return BPF_RVAL(i->code) == BPF_A ? a : i->k;
    case BPF_MISC:
      if (BPF_MISCOP(i->code) == BPF_TAX)
        x = a;
      else
        a = x;
      break;
    default:
      goto bad;
    }
  }
bad:
  CU_FAIL("an instruction the test's interpreter does not know, or no return");
  return 0xdead;
}

/* What the kernel answers when two filters are loaded: the action of
 * higher precedence (lower as a signed number: KILL_PROCESS, KILL_THREAD,
 * TRAP, ERRNO, USER_NOTIF, TRACE, LOG, ALLOW), the later-loaded filter's on a
 * tie (the main filter was loaded after the notify filter). */
static uint32_t combine(uint32_t main_ret, uint32_t notify_ret) {
  int32_t m = (int32_t)(main_ret & SECCOMP_RET_ACTION_FULL);
  int32_t n = (int32_t)(notify_ret & SECCOMP_RET_ACTION_FULL);
  return n < m ? notify_ret : main_ret;
}

typedef struct {
  struct sock_filter *code;
  size_t len;
} program;

static program load_program(int fd) {
  size_t len = 0;
  unsigned char *bytes = slurp(fd, &len);
  return (program){(struct sock_filter *)bytes, len / sizeof(struct sock_filter)};
}

/* Values the rules compare, and their neighbours, for any argument. */
static uint64_t probe_value(unsigned k) {
  static const uint64_t fixed[] = {
      0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 15, 16, 0x0f, 0x80, 0x800,
      O_CREAT, O_CREAT | O_RDWR, O_CREAT | O_WRONLY | O_TRUNC, O_RDONLY | O_CLOEXEC, O_TMPFILE,
      TIOCSTI, TIOCLINUX, TIOCSTI | 0x100000000ull, TIOCGWINSZ,
      CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWIPC,
      CLONE_NEWUTS, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD, 0x11,
      0x0400000, 0x0040000, 0x80000000u, 0xffffffffu, 0x7fffffffu, 0x100000000ull,
      0x100000001ull, 0xffffffff00000000ull, ~0ull, 63, 64, 65, 0x80000001u,
  };
  size_t n_fixed = sizeof(fixed) / sizeof(fixed[0]);
  if (k < n_fixed)
    return fixed[k];
  return k - n_fixed; /* 0..63: every socket family, type and small number */
}
#define N_PROBES (46 + 64)

static void check_same_decisions(const rf_seccomp_options *opts, int level) {
  char err[256] = "";
  program main_p = load_program(rf_seccomp_compile_memfd(opts, err, sizeof(err)));
  program notify_p = load_program(rf_unix_supervisor_compile_filter(level, err, sizeof(err)));
  program merged = load_program(rf_seccomp_compile_supervised_memfd(opts, level, err, sizeof(err)));
  unsigned mismatches = 0, notified = 0, denied = 0;
  unsigned long long checked = 0;
  uint32_t arches[] = {AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64};
  srand(42);
  for (size_t a = 0; a < sizeof(arches) / sizeof(arches[0]); a++) {
    for (int nr = 0; nr < 470; nr++) {
      for (unsigned variant = 0; variant < 1 + 6 * N_PROBES + 300; variant++) {
        struct seccomp_data d = {.nr = nr, .arch = arches[a]};
        if (variant > 0 && variant <= 6 * N_PROBES)
          d.args[(variant - 1) / N_PROBES] = probe_value((variant - 1) % N_PROBES);
        else if (variant > 0)
          for (int i = 0; i < 6; i++)
            d.args[i] = probe_value((unsigned)rand() % N_PROBES);
        unsigned s1, s2, s3;
        uint32_t want = combine(run_bpf(main_p.code, main_p.len, &d, &s1),
                                run_bpf(notify_p.code, notify_p.len, &d, &s2));
        uint32_t got = run_bpf(merged.code, merged.len, &d, &s3);
        checked++;
        notified += (want & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF;
        denied += (want & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO;
        if (got != want && mismatches++ < 5)
          fprintf(stderr, "level %d arch %#x nr %d args %llx %llx %llx: want %#x, got %#x\n", level,
                  arches[a], nr, (unsigned long long)d.args[0], (unsigned long long)d.args[1],
                  (unsigned long long)d.args[2], want, got);
      }
      if (arches[a] != AUDIT_ARCH_X86_64)
        break; /* another ABI: killed whatever the number */
    }
  }
  CU_ASSERT_EQUAL(mismatches, 0);
  CU_ASSERT(notified > 0 && denied > 0); /* the probes reach both kinds of rules */
  CU_ASSERT(checked > 100000);
  free(main_p.code);
  free(notify_p.code);
  free(merged.code);
}

static void test_one_supervised_filter_decides_like_two(void) {
  for (int network_off = 0; network_off < 2; network_off++)
    for (int level = 0; level < 3; level++) {
      rf_seccomp_options opts = {.network_off = network_off, .allow_inet_sockets = 1,
                                 .guard_names = level > 0};
      check_same_decisions(&opts, level);
    }
  /* Options no backend uses with it today, compiled at run time. */
  rf_seccomp_options other = {.network_off = 1, .deny_unix_datagram = 1, .guard_names = 1,
                              .host_pids = 1};
  check_same_decisions(&other, 2);
}

/* The hot syscalls that carry rules are tested first: an openat() without
 * O_CREAT, an ioctl and a fork take a few instructions, not a walk past
 * every syscall the filter names (the kernel's cache skips the filter for
 * syscalls without rules). */
static void test_hot_syscalls_take_a_short_path(void) {
  char err[256] = "";
  rf_seccomp_options opts = {.network_off = 1, .allow_inet_sockets = 1, .guard_names = 1};
  program merged = load_program(rf_seccomp_export_supervised_memfd(&opts, 1, err, sizeof(err)));
  static const struct {
    int nr;
    uint64_t arg0, arg1, arg2;
  } hot[] = {
      {257 /* openat */, (uint64_t)-100, 0x1000, O_RDONLY | O_CLOEXEC},
      {16 /* ioctl */, 1, TIOCGWINSZ, 0},
      {56 /* clone */, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD, 0, 0},
  };
  for (size_t i = 0; i < sizeof(hot) / sizeof(hot[0]); i++) {
    struct seccomp_data d = {.nr = hot[i].nr, .arch = AUDIT_ARCH_X86_64,
                             .args = {hot[i].arg0, hot[i].arg1, hot[i].arg2}};
    unsigned steps = 0;
    CU_ASSERT_EQUAL(run_bpf(merged.code, merged.len, &d, &steps), SECCOMP_RET_ALLOW);
    if (steps > 40)
      fprintf(stderr, "syscall %d: %u instructions\n", hot[i].nr, steps);
    CU_ASSERT(steps <= 40);
  }
  free(merged.code);
}

static void test_filters_differ_by_option(void) {
  char err[256];
  rf_seccomp_options open_net = {0, 1, 0, 0, 0}, closed = {1, 1, 1, 0, 0};
  size_t a_len, b_len;
  unsigned char *a = slurp(rf_seccomp_export_memfd(&open_net, err, sizeof(err)), &a_len);
  unsigned char *b = slurp(rf_seccomp_export_memfd(&closed, err, sizeof(err)), &b_len);
  CU_ASSERT(b_len > a_len); /* the network and datagram rules add instructions */
  free(a);
  free(b);
  /* Without pid and IPC namespaces: @sysv-ipc and @other-processes. */
  rf_seccomp_options host_pids = closed;
  host_pids.host_pids = 1;
  a = slurp(rf_seccomp_export_memfd(&closed, err, sizeof(err)), &a_len);
  b = slurp(rf_seccomp_export_memfd(&host_pids, err, sizeof(err)), &b_len);
  CU_ASSERT(b_len > a_len);
  free(a);
  free(b);
  size_t n_without = 0, n_with = 0;
  rf_seccomp_groups(&closed, &n_without);
  const rf_seccomp_group *groups = rf_seccomp_groups(&host_pids, &n_with);
  CU_ASSERT_EQUAL(n_with, n_without + 2);
  CU_ASSERT_STRING_EQUAL(groups[n_with - 2].name, "@sysv-ipc");
  CU_ASSERT_STRING_EQUAL(groups[n_with - 1].name, "@other-processes");
}

int main(void) {
  CU_initialize_registry();
  CU_pSuite suite = CU_add_suite("seccomp programs", NULL, NULL);
  CU_add_test(suite, "the precompiled programs match a fresh libseccomp compile",
              test_precompiled_programs_match_a_fresh_compile);
  CU_add_test(suite, "network-off, datagram and host-pid options add rules", test_filters_differ_by_option);
  CU_add_test(suite, "one supervised filter answers every syscall as the main and notify filters together did",
              test_one_supervised_filter_decides_like_two);
  CU_add_test(suite, "openat, ioctl and clone take a short path through the filter",
              test_hot_syscalls_take_a_short_path);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
