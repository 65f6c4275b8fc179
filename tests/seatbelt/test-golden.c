/* test-golden.c: render output pinned for every mode x read access x platform defaults x network, each golden checked. */
#include "fixtures.h"
#include "sbpl-check.h"

#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Golden files live in tests/seatbelt/golden/, one per combination, named
 * MODE_READ_PLATFORM_NETWORK.txt, plus danger-full-access.txt.  To
 * regenerate them after an intended change:
 *
 *   RF_SEATBELT_UPDATE_GOLDENS=1 meson test -C BUILD seatbelt
 *   (or tests/seatbelt/update-goldens.sh BUILD)
 *
 * and review the diff: it is the change in what a Mac would enforce.
 */

#ifndef SEATBELT_GOLDEN_DIR
#error "SEATBELT_GOLDEN_DIR must name tests/seatbelt/golden"
#endif

static int updating(void) {
  const char *v = getenv("RF_SEATBELT_UPDATE_GOLDENS");
  return v && *v && strcmp(v, "0") != 0;
}

static const char *const argv_fixture[] = {"git", "status", "--short", NULL};

static char *render_text(const rf_backend_policy *policy) {
  capture cap;
  const rf_backend_sink *sink = capture_sink(&cap);
  char err[512] = "";
  int r = rf_seatbelt_render(NULL, policy, argv_fixture, sink, err, sizeof err);
  if (r != 0)
    fprintf(stderr, "\n  render failed: %s\n", err);
  CU_ASSERT_EQUAL(r, 0);
  CU_ASSERT_EQUAL(cap.lines_with_newline, 0);
  return cap.text;
}

static void compare_or_update(const char *name, const char *text) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", SEATBELT_GOLDEN_DIR, name);
  if (updating()) {
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
    return;
  }
  char *golden = read_text_file(path);
  if (!golden) {
    fprintf(stderr, "\n  %s is missing: regenerate with RF_SEATBELT_UPDATE_GOLDENS=1\n", path);
    CU_FAIL("golden file missing");
    return;
  }
  if (strcmp(golden, text) != 0) {
    /* Point at the first differing line. */
    int line = 1;
    size_t i = 0;
    for (; golden[i] && golden[i] == text[i]; i++)
      if (golden[i] == '\n')
        line++;
    fprintf(stderr,
            "\n  %s differs from the rendering at line %d; if the change is intended, "
            "regenerate with RF_SEATBELT_UPDATE_GOLDENS=1 and review the diff\n",
            path, line);
    CU_FAIL("rendering differs from its golden file");
  }
  free(golden);
}

static const char *mode_name(int mode) {
  return mode == RF_SANDBOX_READ_ONLY ? "read-only" : "workspace-write";
}

static void test_every_combination_matches_its_golden_file(void) {
  for (int mode = 0; mode < 2; mode++)
    for (int read = 0; read < 2; read++)
      for (int platform = 0; platform < 2; platform++)
        for (int network = 0; network < 2; network++) {
          fixture f;
          fixture_policy(&f, (fixture_shape){(rf_sandbox_mode)mode, (rf_read_access)read,
                                             platform, (rf_network_mode)network});
          char name[256];
          snprintf(name, sizeof name, "%s_%s_%s_%s.txt", mode_name(mode),
                   read ? "restricted-read" : "full-read",
                   platform ? "platform-defaults" : "no-platform-defaults",
                   network ? "network-on" : "network-off");
          char *text = render_text(&f.policy);
          compare_or_update(name, text);
          free(text);
        }
  fixture f;
  fixture_policy(&f, (fixture_shape){RF_SANDBOX_DANGER_FULL_ACCESS, RF_READ_FULL, 0,
                                     RF_NETWORK_ON});
  char *text = render_text(&f.policy);
  compare_or_update("danger-full-access.txt", text);
  free(text);
}

/* The golden format: "[section]" lines, then that section's lines.  Returns
 * the sbpl section and fills |keys| with the -D keys of "parameters". */
static char *split_golden(const char *text, char ***keys, size_t *n_keys) {
  size_t cap = strlen(text) + 1;
  char *sbpl = calloc(1, cap);
  size_t sbpl_len = 0;
  *keys = calloc(512, sizeof(**keys));
  *n_keys = 0;
  char section[64] = "";
  for (const char *line = text; *line;) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    if (len > 2 && line[0] == '[' && line[len - 1] == ']') {
      snprintf(section, sizeof section, "%.*s", (int)(len - 2), line + 1);
    } else if (!strcmp(section, "sbpl")) {
      memcpy(sbpl + sbpl_len, line, len);
      sbpl_len += len;
      sbpl[sbpl_len++] = '\n';
    } else if (!strcmp(section, "parameters") && *n_keys < 511) {
      /* -DKEY=..., '-DKEY=...' or $'-DKEY=...' */
      const char *d = strstr(line, "-D");
      const char *eq = d ? strchr(d, '=') : NULL;
      if (d && eq && d < line + 3)
        (*keys)[(*n_keys)++] = strndup(d + 2, (size_t)(eq - d - 2));
    }
    line = end ? end + 1 : line + len;
  }
  return sbpl;
}

static void test_checker_passes_every_golden_file_on_disk(void) {
  DIR *dir = opendir(SEATBELT_GOLDEN_DIR);
  CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
  int checked = 0;
  struct dirent *entry;
  while ((entry = readdir(dir))) {
    size_t len = strlen(entry->d_name);
    if (len < 5 || strcmp(entry->d_name + len - 4, ".txt") != 0)
      continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", SEATBELT_GOLDEN_DIR, entry->d_name);
    char *text = read_text_file(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    char **keys;
    size_t n_keys;
    char *sbpl = split_golden(text, &keys, &n_keys);
    if (strcmp(entry->d_name, "danger-full-access.txt") == 0) {
      CU_ASSERT_EQUAL(sbpl[0], '\0'); /* no profile at all */
      CU_ASSERT_PTR_NOT_NULL(strstr(text, "[plan]\n"));
    } else {
      char err[512] = "";
      int r = sbpl_check(sbpl, (const char *const *)keys, n_keys, err, sizeof err);
      if (r != 0)
        fprintf(stderr, "\n  %s: %s\n", entry->d_name, err);
      CU_ASSERT_EQUAL(r, 0);
      CU_ASSERT_TRUE(n_keys > 0);
      checked++;
    }
    for (size_t i = 0; i < n_keys; i++)
      free(keys[i]);
    free(keys);
    free(sbpl);
    free(text);
  }
  closedir(dir);
  CU_ASSERT_EQUAL(checked, 16);
}

void add_golden_tests(void) {
  CU_pSuite s = CU_add_suite("seatbelt-golden", NULL, NULL);
  CU_add_test(s, "every combination matches its golden file",
              test_every_combination_matches_its_golden_file);
  CU_add_test(s, "the checker passes every golden file on disk",
              test_checker_passes_every_golden_file_on_disk);
}
