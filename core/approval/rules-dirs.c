/* rules-dirs.c: the rules files of a rules/ folder (every *.rules regular file in it, in byte
 * order of their names), as the config directory and trusted projects hold them. */
#include "util/quote.h"
#include "rules.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static gint compare_names(gconstpointer a, gconstpointer b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int rf_rules_dir_files(const char *dir, GPtrArray *out, GError **error) {
  struct stat st;
  if (stat(dir, &st) < 0) {
    if (errno == ENOENT || errno == ENOTDIR || errno == ENAMETOOLONG)
      return 0; /* no folder (none can have so long a name): no rules from it */
    int saved = errno;
    g_autofree char *shown = rf_quote_path(dir);
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "rules folder %s: %s", shown,
                g_strerror(saved));
    return -saved;
  }
  if (!S_ISDIR(st.st_mode)) {
    g_autofree char *shown = rf_quote_path(dir);
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                "rules folder %s is not a directory (move the file away, or into it)", shown);
    return -ENOTDIR;
  }
  g_autoptr(GError) open_error = NULL;
  g_autoptr(GDir) d = g_dir_open(dir, 0, &open_error);
  if (!d) {
    g_autofree char *shown = rf_quote_path(dir);
    g_set_error(error, RF_ERROR, RF_ERROR_CONFIG, "rules folder %s cannot be read: %s", shown,
                open_error->message);
    return -EACCES;
  }
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(d))) {
    if (!g_str_has_suffix(name, ".rules") || name[0] == '.')
      continue;
    if (names->len >= RF_RULES_DIR_MAX_FILES) {
      g_autofree char *shown = rf_quote_path(dir);
      g_set_error(error, RF_ERROR, RF_ERROR_CONFIG,
                  "rules folder %s holds more than %d rules files", shown,
                  RF_RULES_DIR_MAX_FILES);
      return -E2BIG;
    }
    g_ptr_array_add(names, g_strdup(name));
  }
  g_ptr_array_sort(names, compare_names);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add(out, g_build_filename(dir, g_ptr_array_index(names, i), NULL));
  return 0;
}
