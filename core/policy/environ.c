/* environ.c: the command's environment as a NULL-terminated GPtrArray (copy, get, set). */
#include "environ.h"

#include <string.h>

GPtrArray *rf_environ_build(const char *const *base) {
  GPtrArray *envp = g_ptr_array_new_with_free_func(g_free);
  for (; base && *base; base++)
    if (strchr(*base, '='))
      g_ptr_array_add(envp, g_strdup(*base));
  g_ptr_array_add(envp, NULL);
  return envp;
}

static gint find(GPtrArray *envp, const char *name) {
  size_t len = strlen(name);
  for (guint i = 0; i + 1 < envp->len; i++) {
    const char *entry = g_ptr_array_index(envp, i);
    if (strncmp(entry, name, len) == 0 && entry[len] == '=')
      return (gint)i;
  }
  return -1;
}

const char *rf_environ_get(GPtrArray *envp, const char *name) {
  gint i = find(envp, name);
  return i < 0 ? NULL : (const char *)g_ptr_array_index(envp, i) + strlen(name) + 1;
}

void rf_environ_set(GPtrArray *envp, const char *name, const char *value) {
  char *entry = g_strconcat(name, "=", value, NULL);
  gint i = find(envp, name);
  if (i >= 0) {
    g_free(envp->pdata[i]);
    envp->pdata[i] = entry;
    return;
  }
  g_ptr_array_insert(envp, (gint)envp->len - 1, entry);
}
