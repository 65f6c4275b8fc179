/* landlock-layer.c: the ringfence half of the bwrap backend's Landlock layer: which ABI, and the rules for the writable roots and inherited files. */
#include "landlock-layer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landlock-abi.h"

int rf_ll_layer_abi(const char **why) {
  const char *off = getenv("RINGFENCE_BWRAP_NO_LANDLOCK");
  if (off && *off && strcmp(off, "0") != 0) {
    if (why)
      *why = "RINGFENCE_BWRAP_NO_LANDLOCK is set";
    return 0;
  }
  rf_ll_kernel kernel;
  rf_ll_kernel_query(&kernel);
  if (kernel.abi >= RF_LL_LAYER_MIN_ABI)
    return kernel.abi;
  if (why)
    *why = kernel.abi == 1 ? "this kernel has Landlock ABI 1 only, which would deny every rename "
                             "and link across directories"
           : kernel.abi_errno == EOPNOTSUPP ? "Landlock is built into this kernel but not enabled "
                                              "at boot (lsm=)"
                                            : "this kernel has no Landlock (or a seccomp profile "
                                              "hides it)";
  return 0;
}

int rf_ll_layer_plan(const rf_backend_policy *policy, int abi, rf_ll_plan *plan, char *err,
                     size_t err_len) {
  memset(plan, 0, sizeof(*plan));
  if (abi < RF_LL_LAYER_MIN_ABI) {
    snprintf(err, err_len, "the Landlock layer needs ABI %d or later", RF_LL_LAYER_MIN_ABI);
    return -ENOTSUP;
  }
  plan->abi = abi;
  plan->handled_fs = rf_ll_layer_handled(abi);
  if (policy->mode == RF_SANDBOX_WORKSPACE_WRITE)
    for (size_t i = 0; i < policy->n_writable_roots; i++)
      rf_ll_plan_add_rule(plan, policy->writable_roots[i].path, rf_ll_layer_root_rights(abi),
                          "writable root", 0);
  if (plan->failed) {
    rf_ll_plan_clear(plan);
    snprintf(err, err_len, "out of memory");
    return -ENOMEM;
  }
  return 0;
}
