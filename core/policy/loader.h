/* loader.h: what the core's own files need of loader.c beyond the public API (ringfence.h). */
#pragma once

#include <ringfence/ringfence.h>
#include "trusted-program.h"

/* The trust of |backend|'s loader. */
const RfTrust *rf_backend_get_trust(const RfBackend *backend);
