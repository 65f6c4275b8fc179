/* permissions.h: permission profiles as agent users write them (default_permissions and
 * [permissions.NAME]): reading them from TOML, merging the config layers, applying one to an
 * RfPolicy, describing it.  Where the keys come from (files, -c, layers) is config.c's. */
#pragma once

#include <ringfence/ringfence.h>

#include "toml.h"

/* Where a value is read from, for messages and origins. */
typedef struct {
  const char *file;       /* reading a file: its name, else NULL */
  const char *assignment; /* reading -c: KEY=VALUE as given */
  const char *profile;    /* inside [profiles.NAME]: NAME, else NULL */
  GError **error;
} RfPermReader;

/* One layer's entries (a GPtrArray of entries, free with g_ptr_array_unref). */
GPtrArray *rf_permissions_layer_new(void);

/* Reads the value of `permissions` (|parts| empty) or of `permissions.PARTS...` (-c with a
 * dotted key) into |layer|.  FALSE with an RF_ERROR_CONFIG error naming the key, the file and
 * line (or the -c assignment) and what is expected. */
gboolean rf_permissions_read(const RfPermReader *r, GPtrArray *layer, const char *const *parts,
                             const RfTomlValue *value);

/* The built-in names default_permissions takes besides a [permissions.NAME] table. */
gboolean rf_permissions_is_builtin(const char *name);

/* Applies profile |name| (a built-in ":read-only", ":workspace", ":danger-full-access", or a
 * [permissions.NAME] table, merged over |layers| from lowest to highest, NULL ones skipped) to
 * |policy|: mode, writable roots, reads, deny-read, network (unless |keep_network|).
 * |origin| says where default_permissions was set.  FALSE and RF_ERROR_CONFIG for a name that
 * is not defined, an entry ringfence cannot honour, or a contradiction. */
gboolean rf_permissions_apply(GPtrArray *const *layers, guint n_layers, const char *name,
                              const char *origin, gboolean keep_network, RfPolicy *policy,
                              GError **error);

/* The effective entries of profile |name| as TOML-like lines with their origins ("  KEY = VALUE
 * # ORIGIN\n"), or as a JSON array of {"key","value","origin"} objects. */
void rf_permissions_describe(GPtrArray *const *layers, guint n_layers, const char *name,
                             GString *out);
void rf_permissions_describe_json(GPtrArray *const *layers, guint n_layers, const char *name,
                                  GString *out);
