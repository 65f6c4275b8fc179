/* tests/fuzz/gitconfig-fuzz.c: libFuzzer target for core/policy/git-config.c: rf_git_config_parse on arbitrary
 * bytes (a workspace's .git/config is hostile input read by ringfence unconfined, often as root). */
#include "fuzz.h"
#include "policy/git-config.h"

#include <stdio.h>
#include <string.h>

/* Every key is SECTION[.SUBSECTION].NAME: a section of [a-z0-9.-] (lower-case), a NAME of
 * [a-z0-9-] starting with a letter.  (A NUL byte in a subsection ends the key early, as it
 * does for git, whose callbacks take C strings: then only the section is checked.) */
static void check_entry(const char *file, const char *key, const char *value, gpointer data) {
  (void)file;
  if (value)
    RF_FUZZ_CHECK(strlen(value) <= 1u << 30); /* a NUL-terminated string */
  size_t *count = data;
  (*count)++;
  const char *dot = strchr(key, '.');
  RF_FUZZ_CHECK(dot != NULL);
  for (const char *p = key; *p && p < dot; p++)
    RF_FUZZ_CHECK(g_ascii_islower(*p) || g_ascii_isdigit(*p) || *p == '-' || *p == '.');
  const char *last = strrchr(key, '.');
  if (last[1] && g_ascii_islower(last[1]))
    for (const char *p = last + 1; *p; p++)
      RF_FUZZ_CHECK(g_ascii_islower(*p) || g_ascii_isdigit(*p) || *p == '-' || *p == '.');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t count = 0;
  rf_git_config_parse("fuzz", (const char *)data, size, check_entry, &count);
  RF_FUZZ_CHECK(count <= size);
  return 0;
}

void rf_fuzz_seeds(rf_fuzz_emit emit) {
  static const char *const texts[] = {
      "[core]\n\trepositoryformatversion = 0\n\tbare = false\n",
      "[core]hooksPath=.x\n[include] path = a\n",
      "[includeIf \"gitdir:~/w/\"]\n  path = \"w.inc\" ; c\n",
      "[a \"q\\\"x\\\\\"]\nk = a\\tb\\nc\\\\d\\\"e \\\n  more # c\n",
      "[s]\r\nk = \"open\n[bad\nk\n9k=1\n\xef\xbb\xbf",
      "\xef\xbb\xbf[s]\nflag\nk=\\",
      "[s \"\n[s \"x\"\n[s \"x\"]\n[.]\n[]\n",
  };
  for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
    char name[32];
    snprintf(name, sizeof(name), "config-%02zu", i);
    emit(name, texts[i], strlen(texts[i]));
  }
}
