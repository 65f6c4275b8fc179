/* seccomp-merge.h: one seccomp program from two, deciding what the kernel decides with both loaded (one filter to attach and run instead of two). */
#pragma once

#include <linux/filter.h>
#include <stddef.h>

/*
 * Writes to |out| (caller frees out->filter) |first| followed by |second|, each "allow" of
 * |first| turned into a jump to |second|: |first| decides, and where it allows, |second| does.
 *
 * The kernel, with |second| loaded and then |first|, runs both and takes the most restrictive
 * action (for equal ones, the data of |first|, loaded last).  The two agree when, wherever
 * |first| refuses, |second| answers nothing more restrictive.  So only these are merged:
 * |first| returns allow, an errno, a trap or a kill; |second| returns allow, a user
 * notification, an errno or a kill, where its kills are for what |first| kills too (a foreign
 * architecture: both programs check it first).  That last part is not decidable here;
 * tests/unit/test-seccomp-merge.c checks it, with a BPF interpreter, on every program pair the
 * Landlock backend loads.  Every return must be a constant (BPF_RET | BPF_K).
 *
 * 0, or -EINVAL with a message when a program does not fit the above (load both then), or
 * -ENOMEM.
 */
int rf_seccomp_merge(const struct sock_fprog *first, const struct sock_fprog *second,
                     struct sock_fprog *out, char *err, size_t err_len);
