/* seccomp-programs.h: the seccomp programs compiled at build time by gen-bpf (see gen-bpf.c). */
#pragma once

#include <stddef.h>

typedef struct {
  const unsigned char *code;
  size_t len;
} rf_bpf_blob;

/* Indexed by network_off | allow_inet << 1 | deny_unix_datagram << 2 | guard_names << 3 |
 * host_pids << 4. */
extern const rf_bpf_blob rf_main_programs[32];
/* Indexed by the guard level (0, 1, 2). */
extern const rf_bpf_blob rf_notify_programs[3];
/* The supervised filter (rf_seccomp_build_supervised) with the bwrap backend's options
 * (allow_inet 1, deny_unix_datagram 0, host_pids 0, guard_names = level > 0), indexed by
 * network_off and the notify level. */
extern const rf_bpf_blob rf_supervised_programs[2][3];
