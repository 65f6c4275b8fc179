/* wsl-environ.c: the WSL interop variables a sandboxed command never gets (docs/wsl.md); detecting WSL is the Linux plugins'. */
#include "wsl-environ.h"

#include <string.h>

/* $WSL_INTEROP names the unix socket (below /run/WSL) through which WSL's interop handler
 * starts a Windows program on the Windows side, outside every Linux restriction.  Inside a
 * sandbox that socket is masked (bwrap) or refused (Landlock), so the variable is only a
 * pointer at a way out: dropped, with any other WSL* variable whose value names a path below
 * /run/WSL.  WSL_DISTRO_NAME and WSLENV stay: they name nothing reachable, and tools read them
 * to know they run on WSL.  Nothing is dropped on other systems (the names do not occur). */
static gboolean points_at_interop(const char *entry) {
  if (strncmp(entry, "WSL_INTEROP=", 12) == 0)
    return TRUE;
  return strncmp(entry, "WSL", 3) == 0 && strstr(entry, "/run/WSL") != NULL;
}

void rf_environ_drop_wsl_interop(GPtrArray *envp) {
  for (guint i = 0; i + 1 < envp->len;) {
    if (points_at_interop(g_ptr_array_index(envp, i)))
      g_ptr_array_remove_index(envp, i);
    else
      i++;
  }
}
