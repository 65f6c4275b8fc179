/* capless.h: looking at files with the access the sandboxed command will have (no capabilities). */
#pragma once

#include <glib.h>

/*
 * Calls fn(data) and returns its result.  When the calling thread holds effective
 * capabilities (ringfence run by root), fn runs with the thread's effective capability set
 * emptied (and restored when fn returns; other threads keep theirs): its file access is then
 * what the command's will be (every backend drops all capabilities before the command runs),
 * ACLs and all.  So what root's CAP_DAC_OVERRIDE alone could reach, such as another user's
 * private folder in /tmp, is not taken for something the command could change.  NULL with
 * errno when the set cannot be lowered.
 */
gpointer rf_with_command_access(GThreadFunc fn, gpointer data);
