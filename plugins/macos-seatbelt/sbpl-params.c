/* sbpl-params.c: the ordered -D KEY=VALUE list a profile references (storage only; naming is sbpl-profile.c's). */
#include "seatbelt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int rf_seatbelt_params_add_owned(rf_seatbelt_params *params, const char *key, char *value) {
  if (!value)
    return -ENOMEM;
  if (params->n == params->cap) {
    size_t cap = params->cap ? params->cap * 2 : 16;
    rf_seatbelt_param *items = realloc(params->items, cap * sizeof(*items));
    if (!items) {
      free(value);
      return -ENOMEM;
    }
    params->items = items;
    params->cap = cap;
  }
  char *key_copy = strdup(key);
  if (!key_copy) {
    free(value);
    return -ENOMEM;
  }
  params->items[params->n].key = key_copy;
  params->items[params->n].value = value;
  params->n++;
  return 0;
}

int rf_seatbelt_params_add(rf_seatbelt_params *params, const char *key, const char *value) {
  return rf_seatbelt_params_add_owned(params, key, strdup(value));
}

const char *rf_seatbelt_params_get(const rf_seatbelt_params *params, const char *key) {
  for (size_t i = 0; i < params->n; i++)
    if (strcmp(params->items[i].key, key) == 0)
      return params->items[i].value;
  return NULL;
}

void rf_seatbelt_params_clear(rf_seatbelt_params *params) {
  for (size_t i = 0; i < params->n; i++) {
    free(params->items[i].key);
    free(params->items[i].value);
  }
  free(params->items);
  *params = (rf_seatbelt_params){0};
}
