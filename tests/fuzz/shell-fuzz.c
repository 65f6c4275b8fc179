/* tests/fuzz/shell-fuzz.c: libFuzzer target for core/approval/shell-parse.c and core/approval/command-expand.c:
 * arbitrary bytes as the script of `bash -c` (a script an agent hands ringfence is hostile
 * input, parsed unconfined before anything runs). */
#include "approval/command-expand.h"
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

static void check_commands(GPtrArray *commands) {
  for (guint i = 0; i < commands->len; i++) {
    const RfShellCommand *c = g_ptr_array_index(commands, i);
    RF_FUZZ_CHECK(c->argv != NULL && c->word_unknown != NULL);
    gboolean unknown = FALSE;
    for (guint j = 0; c->argv[j]; j++)
      unknown = unknown || c->word_unknown[j];
    RF_FUZZ_CHECK(!unknown || (c->flags & RF_SHELL_UNKNOWN_WORDS));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* The parser on the raw bytes (it takes a length, NULs included). */
  RfShellScript *parsed = rf_shell_parse((const char *)data, size, 0);
  RF_FUZZ_CHECK(parsed->commands->len <= RF_SHELL_MAX_COMMANDS + 1);
  RF_FUZZ_CHECK(parsed->complete || !parsed->understood);
  RF_FUZZ_CHECK(parsed->understood || parsed->why != NULL);
  check_commands(parsed->commands);
  rf_shell_script_free(parsed);
  /* The whole expansion, as the approval decision runs it, on the bytes as a C string. */
  char *script = g_strndup((const char *)data, size);
  const char *argv[] = {"bash", "-lc", script, NULL};
  RfCommandSet *set = rf_command_expand(argv);
  RF_FUZZ_CHECK(set->commands->len >= 1);
  RF_FUZZ_CHECK(set->complete || !set->understood);
  RF_FUZZ_CHECK(set->understood || set->why != NULL);
  check_commands(set->commands);
  rf_command_set_free(set);
  g_free(script);
  return 0;
}

void rf_fuzz_seeds(rf_fuzz_emit emit) {
  static const char *const texts[] = {
      "for t in a b; do rm -rf \"$t\"; done",
      "echo $(rm -rf x) `rm -rf y` \"$(id)\" <(ls) >(cat)",
      "git push origin main <<EOF\nhello $(whoami)\nEOF\nls",
      "cat <<-'E1' <<E2\n\tliteral $(x)\n\tE1\n`y`\nE2\n",
      "f() { rm -rf /; }; case $x in (a|b) git push;; *) ls;& esac",
      "if [[ $x -eq 1 && -v a[0] ]]; then (( y++ )); elif :; then :; else echo $((1+$(id))); fi",
      "x=(a $(b) c) y=${z:-$(pwd)} env -i -u A B=1 nice -n 5 timeout -k 1 5 xargs -0 sh -c 'eval \"git push\"'",
      "echo $'\\x41\\101\\u00e9\\cA\\0' \"a\\\"b\" 'c' \\d \\\n e # comment",
      "sudo -u root bash -ic \"sh -c 'trap \\\"git push\\\" EXIT'\"",
      "while read l; do echo \"$l\"; done < f | { until false; do break; done; } &> /dev/null &",
      "echo ${a:-${b:-${c:-$(d)}}} ${#x} $@ $* $1 $$ {a,b} ~/x *.c [ab]",
      "bash <<'EOF'\nsh <<< 'git push'\nEOF\n",
      "ls; )", "echo 'open", "echo \"$(", "cat <<EOF", "function f", "case x in", "[[ a",
  };
  for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
    char name[32];
    snprintf(name, sizeof(name), "script-%02zu", i);
    emit(name, texts[i], strlen(texts[i]));
  }
}
