/* sbpl-check.h: a strict structural checker for the SBPL profiles the Seatbelt backend generates (tests only). */
#ifndef SBPL_CHECK_H
#define SBPL_CHECK_H

#include <stddef.h>

/*
 * Checks |profile| against the subset of SBPL the backend may emit:
 *   - forms are balanced, strings terminated, nothing outside a form;
 *   - it opens with (version 1) then (deny default (with message "ringfence-...")),
 *     and nothing allows default;
 *   - only known operations, filters and modifiers, each with arguments of
 *     the right kind;
 *   - every (param "KEY") is one of |keys|, and every key is referenced;
 *   - every rule allowing a write names a writable root (param
 *     "WRITABLE_ROOT_n") or a device under /dev, nothing else;
 *   - every deny rule comes after every allow rule.
 * Returns 0, or -1 with the first problem (and its line) in |err|.
 */
int sbpl_check(const char *profile, const char *const *keys, size_t n_keys, char *err,
               size_t err_len);

#endif
