/* confine-filter.h: the proxy's seccomp allowlist (what confine.h step 4 says), built with libseccomp at build time and loaded from the compiled program at run time. */
#pragma once

#include <linux/filter.h>
#include <stddef.h>

/* Builds the allowlist with libseccomp for the native architecture and writes the BPF program
 * to |fd| (seccomp_export_bpf).  For gen-confine-bpf and the test that compares both.  0, or
 * -errno with a message. */
int np_confine_filter_export(int fd, char *err, size_t errlen);

/* The same program as compiled at build time (the generated netproxy-filter-bpf.c). */
struct sock_fprog np_confine_precompiled(void);
