/* landlock-seccomp.h: the seccomp program of a Landlock run: the shared groups plus what Landlock alone leaves open. */
#pragma once

#include <linux/filter.h>
#include <stddef.h>

#include "seccomp-groups.h"

typedef struct {
  rf_seccomp_options shared; /* the groups both Linux backends share */
  int truncate_rules;        /* Landlock ABI < 3 has no TRUNCATE right */
} rf_ll_seccomp_options;

/* Groups this plugin adds on top of the shared ones, for explain. */
const rf_seccomp_group *rf_ll_seccomp_extra_groups(const rf_ll_seccomp_options *opts,
                                                   size_t *n_groups);

/* Compiles the program for the native architecture into memory (caller
 * frees prog->filter).  Returns 0 or -errno with a message. */
int rf_ll_seccomp_compile(const rf_ll_seccomp_options *opts, struct sock_fprog *prog, char *err,
                          size_t err_len);
