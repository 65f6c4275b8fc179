/* fixtures.c: the golden policy, the capturing sink and small helpers for the Seatbelt tests. */
#include "fixtures.h"
#include "sbpl-check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const project_protected[] = {
    "/Users/dev/project/.git",
    "/Users/dev/project/.envrc",
    "/Users/dev/project/.vscode",
    "/Users/dev/main/.git/worktrees/project",
};
static const char *const readable[] = {
    "/Users/dev/project",
    "/Users/dev/Library/Mobile Documents/it's \"odd\"",
};
static const char *const deny_read[] = {
    "/Users/dev/.ssh",
    "/Users/dev/project/secrets",
};
static const char *const deny_read_globs[] = {
    "/Users/dev/project/**/*.pem",
    "/Users/dev/.aws/cred[!s]?",
};
static const char *const envp[] = {
    "PATH=/usr/bin:/bin:/usr/sbin:/sbin",
    "HOME=/Users/dev",
    "RINGFENCE_SANDBOX=seatbelt",
    NULL,
};

void fixture_policy(fixture *f, fixture_shape shape) {
  memset(f, 0, sizeof *f);
  f->roots[0] = (rf_backend_root){sizeof(rf_backend_root), "/Users/dev/project",
                                  project_protected, 4};
  f->roots[1] = (rf_backend_root){sizeof(rf_backend_root), "/private/tmp", NULL, 0};
  f->roots[2] = (rf_backend_root){sizeof(rf_backend_root),
                                  "/private/var/folders/xy/abcd1234/T", NULL, 0};
  rf_backend_policy *p = &f->policy;
  p->size = sizeof *p;
  p->mode = shape.mode;
  p->network = shape.network;
  p->read_access = shape.read;
  p->flags = shape.platform_defaults ? RF_POLICY_PLATFORM_DEFAULTS : 0;
  if (shape.mode == RF_SANDBOX_WORKSPACE_WRITE) {
    p->writable_roots = f->roots;
    p->n_writable_roots = 3;
  }
  p->readable_roots = readable;
  p->n_readable_roots = 2;
  p->deny_read = deny_read;
  p->n_deny_read = 2;
  p->deny_read_globs = deny_read_globs;
  p->n_deny_read_globs = 2;
  p->cwd = "/Users/dev/project";
  p->envp = envp;
  p->run_id = "golden-0001";
}

static void capture_emit(void *ctx, const char *section, const char *line) {
  capture *cap = ctx;
  if (strchr(line, '\n'))
    cap->lines_with_newline++;
  size_t need = strlen(section) + strlen(line) + 8;
  if (cap->len + need + 1 > cap->cap) {
    cap->cap = (cap->cap + need) * 2;
    cap->text = realloc(cap->text, cap->cap);
  }
  if (strcmp(cap->section, section) != 0) {
    snprintf(cap->section, sizeof cap->section, "%s", section);
    cap->len += (size_t)sprintf(cap->text + cap->len, "[%s]\n", section);
  }
  cap->len += (size_t)sprintf(cap->text + cap->len, "%s\n", line);
}

const rf_backend_sink *capture_sink(capture *cap) {
  static rf_backend_sink sink;
  memset(cap, 0, sizeof *cap);
  cap->cap = 4096;
  cap->text = calloc(1, cap->cap);
  sink = (rf_backend_sink){sizeof sink, cap, capture_emit};
  return &sink;
}

void capture_free(capture *cap) {
  free(cap->text);
  memset(cap, 0, sizeof *cap);
}

char *profile_of(const rf_backend_policy *policy, rf_seatbelt_params *params, char *err,
                 size_t err_len) {
  char *profile = NULL;
  if (rf_seatbelt_profile(policy, &profile, params, err, err_len) < 0)
    return NULL;
  return profile;
}

int check_profile(const char *profile, const rf_seatbelt_params *params, char *err,
                  size_t err_len) {
  const char **keys = calloc(params->n + 1, sizeof(*keys));
  for (size_t i = 0; i < params->n; i++)
    keys[i] = params->items[i].key;
  int r = sbpl_check(profile, keys, params->n, err, err_len);
  free(keys);
  return r;
}

char *read_text_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 4096, len = 0;
  char *text = malloc(cap);
  size_t n;
  while ((n = fread(text + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (len + 1 == cap)
      text = realloc(text, cap *= 2);
  }
  fclose(f);
  text[len] = '\0';
  return text;
}
