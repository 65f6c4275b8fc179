/* setup.h: extra symbols the windows plugin exports for `ringfence setup --windows`.
 *
 * The core looks them up with g_module_symbol() next to rf_backend_entry:
 *
 *   rf_windows_setup_render  prints the setup (or removal) plan; works on every OS.
 *   rf_windows_setup_apply   installs exactly what the plan lists (Windows, administrator).
 *   rf_windows_setup_remove  removes exactly what the plan lists (Windows, administrator);
 *                            items already gone are skipped, so it may be run twice.
 *
 * apply/remove return 0 or a negative errno with a one-line message in err;
 * off Windows they return -ENOSYS.  |progress| (may be NULL) receives one
 * line per item done, in section "setup".
 */
#ifndef RF_WINDOWS_SETUP_H
#define RF_WINDOWS_SETUP_H

#include <stddef.h>

#include "ringfence/backend.h"

#define RF_WINDOWS_SETUP_RENDER_SYMBOL "rf_windows_setup_render"
#define RF_WINDOWS_SETUP_APPLY_SYMBOL "rf_windows_setup_apply"
#define RF_WINDOWS_SETUP_REMOVE_SYMBOL "rf_windows_setup_remove"

typedef void (*rf_windows_setup_render_fn)(int remove, const rf_backend_sink *out);
typedef int (*rf_windows_setup_fn)(const rf_backend_host *host, const rf_backend_sink *progress, char *err,
                                   size_t err_len);

RF_BACKEND_EXPORT void rf_windows_setup_render(int remove, const rf_backend_sink *out);
RF_BACKEND_EXPORT int rf_windows_setup_apply(const rf_backend_host *host, const rf_backend_sink *progress,
                                             char *err, size_t err_len);
RF_BACKEND_EXPORT int rf_windows_setup_remove(const rf_backend_host *host, const rf_backend_sink *progress,
                                              char *err, size_t err_len);

#endif /* RF_WINDOWS_SETUP_H */
