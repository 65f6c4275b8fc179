/* wsl-environ.h: the WSL interop variables a sandboxed command never gets (made in wsl-environ.c). */
#pragma once

#include <glib.h>

/* Removes $WSL_INTEROP and the other WSL* variables naming a socket below /run/WSL
 * (docs/wsl.md). */
void rf_environ_drop_wsl_interop(GPtrArray *envp);
