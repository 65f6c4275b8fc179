/* bwrap-layers.h: what explain prints about the bwrap backend's Landlock layer, and which layers hold each guarantee. */
#pragma once

#include <ringfence/backend.h>

/* Emits the "landlock" section (the layer's ruleset for |policy| with |abi|,
 * or why there is none: |why|) and the "layers" section (for each guarantee,
 * the mechanisms that hold it).  |guard|: the name guard's level
 * (rf_guard_level); |supervised|: the socket supervisor runs. */
void rf_bwrap_render_layers(const rf_backend_policy *policy, int abi, const char *why, int guard,
                            int supervised, const rf_backend_sink *out);
