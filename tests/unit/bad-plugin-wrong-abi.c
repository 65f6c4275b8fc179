/* bad-plugin-wrong-abi.c: a test plugin that claims a future backend ABI, so the loader must refuse it. */
#include <ringfence/backend.h>

static const rf_backend wrong_abi = {
    .size = sizeof(rf_backend),
    .abi_version = RF_BACKEND_ABI_VERSION + 41,
    .name = "wrong-abi",
    .summary = "built for another ABI",
};

RF_BACKEND_DEFINE(wrong_abi)
