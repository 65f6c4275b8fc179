/* tests/fuzz/rules-fuzz.c: libFuzzer target for the rules-file reader (core/approval/starlark.c and
 * core/approval/rules.c): arbitrary bytes either load or fail with "FILE:LINE:COL: message" (or the
 * whole-file messages: UTF-8, NUL, size), and a refused file adds no rule. */
#include "fuzz.h"

#include <ringfence/ringfence.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  RfRules *rules = rf_rules_new();
  GError *error = NULL;
  gboolean ok = rf_rules_load_data(rules, "f.rules", (const char *)data, (gssize)size, &error);
  if (!ok) {
    RF_FUZZ_CHECK(error != NULL && g_str_has_prefix(error->message, "f.rules:"));
    RF_FUZZ_CHECK(rf_rules_get_size(rules) == 0);
    g_error_free(error);
  } else {
    RF_FUZZ_CHECK(error == NULL);
    const char *argv[] = {"git", "push", "origin", NULL};
    GPtrArray *matches = rf_rules_match(rules, argv);
    g_ptr_array_unref(matches);
  }
  rf_rules_free(rules);
  return 0;
}

void rf_fuzz_seeds(rf_fuzz_emit emit) {
  static const char *const texts[] = {
      "GIT = \"git\"\nPUSH = [GIT, [\"push\", \"fetch\"]]\n"
      "prefix_rule(PUSH + [\"origin\"], \"forbidden\"); prefix_rule([\"ls\"], \"allow\")\n",
      "N = 3\nif N > 2 and not False:\n    prefix_rule(pattern = [\"rm\"], decision = \"prompt\")\n"
      "elif N == 1: pass\nelse:\n\tprefix_rule([\"rm\"])\n",
      "prefix_rule(\n    pattern = [\"git\", [\"push\", \"fetch\"]],\n    decision = \"prompt\",\n"
      "    justification = '''talks\nto the remote''',\n"
      "    match = [[\"git\", \"push\", \"origin\"], \"git fetch --all\"],\n"
      "    not_match = [[\"git\", \"status\"], \"git\"],\n)\n",
      "host_executable(name = \"git\", paths = [\"/usr/bin/\" + \"git\"])\n"
      "network_rule(\"example.com:443\", \"https\", \"deny\", justification = r\"x\\y\")\n",
      "X = \"ab\" * 3\nX += \"\\x41\\u00e9\\101\"\nY = -7 // 2 % 3\nif X < \"b\" or 1 in [1]:\n  pass\n",
      "X = [[[[\"a\"]]]]\nprefix_rule(X[0])\nload(\"x\")\ndef f(): pass\n",
  };
  for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
    char name[32];
    g_snprintf(name, sizeof(name), "rules-%02zu", i);
    emit(name, texts[i], strlen(texts[i]));
  }
}
