/* unix-diag.h: asks sock_diag which unix socket is bound to a file or an abstract name (both Linux supervisors). */
#pragma once

#include <stdint.h>

#include "notify-decode.h"

/* Dumps the unix sockets of |diag_fd|'s network namespace in the states of
 * the bit set |states| (1u << TCP_LISTEN, or ~0u for all) and matches them
 * against |q| (rf_decode_unix_diag).  0 or -errno.  Thread-safe: one dump
 * at a time in the process. */
int rf_unix_diag_lookup(int diag_fd, uint32_t states, const rf_diag_query *q, rf_diag_match *m);
