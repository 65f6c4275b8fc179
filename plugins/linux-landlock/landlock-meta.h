/* landlock-meta.h: metadata changes (chmod, chown, utimes, xattrs) checked against the writable roots (design in landlock-meta.c). */
#pragma once

#include <linux/seccomp.h>
#include <stddef.h>

typedef enum {
  RF_LL_META_CHMOD = 1,
  RF_LL_META_CHOWN,
  RF_LL_META_UTIME,
  RF_LL_META_UTIMES,
  RF_LL_META_UTIMENSAT,
  RF_LL_META_SETXATTR,
  RF_LL_META_REMOVEXATTR,
} rf_ll_meta_kind;

typedef struct {
  int listener;
  const char *const *writable; /* canonical writable roots */
  size_t n_writable;
  const char *const *protected_paths; /* below them nothing changes either */
  size_t n_protected;
} rf_ll_meta_ctx;

/* Answers one notification of a metadata call: 0 or -errno, the value the
 * caller's call returns. */
int rf_ll_meta_handle(const rf_ll_meta_ctx *ctx, const struct seccomp_notif *req);

/* Drops every capability of the calling thread only (0 or -errno). */
int rf_ll_meta_drop_thread_capabilities(void);
