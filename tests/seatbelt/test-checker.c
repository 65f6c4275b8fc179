/* test-checker.c: the SBPL structure checker rejects what it must, so a passing golden means something. */
#include "fixtures.h"
#include "sbpl-check.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#define HEAD "(version 1)\n(deny default (with message \"ringfence-t\"))\n"

static void expect(const char *profile, const char *const *keys, size_t n_keys, const char *needle) {
  char err[512] = "";
  int r = sbpl_check(profile, keys, n_keys, err, sizeof err);
  if (!needle) {
    if (r != 0)
      fprintf(stderr, "\n  unexpected: %s\n", err);
    CU_ASSERT_EQUAL(r, 0);
    return;
  }
  CU_ASSERT_EQUAL(r, -1);
  if (!strstr(err, needle))
    fprintf(stderr, "\n  message '%s' lacks '%s'\n", err, needle);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
}

static void test_checker_accepts_a_minimal_profile(void) {
  const char *keys[] = {"WRITABLE_ROOT_0", "P_RE"};
  expect(HEAD "(allow file-write* (require-all (subpath (param \"WRITABLE_ROOT_0\"))"
              " (require-not (regex (param \"P_RE\")))))\n",
         keys, 2, NULL);
}

static void test_checker_rejects_broken_structure(void) {
  expect(HEAD "(allow process-fork", NULL, 0, "never closed");
  expect(HEAD "(allow process-fork))", NULL, 0, "unbalanced");
  expect(HEAD "(allow sysctl-read (sysctl-name \"kern.x))\n", NULL, 0, "newline inside a string");
  expect(HEAD "(allow sysctl-read (sysctl-name \"a\\qb\"))", NULL, 0, "escape");
  expect(HEAD "process-fork", NULL, 0, "top level");
  expect("(deny default)\n(version 1)\n", NULL, 0, "(version 1)");
  expect("(version 1)\n(allow process-fork)\n", NULL, 0, "deny default");
  expect("", NULL, 0, "empty");
}

static void test_checker_rejects_unknown_vocabulary(void) {
  expect(HEAD "(allow file-read-everything)", NULL, 0, "unknown operation");
  expect(HEAD "(allow file-read* (home-subpath \"/x\"))", NULL, 0, "unknown filter");
  expect(HEAD "(allow signal (target others))", NULL, 0, "same-sandbox");
  expect(HEAD "(allow file-read* (regex #\"/no/anchor\"))", NULL, 0, "anchored");
  expect(HEAD "(allow file-read* (literal \"relative\"))", NULL, 0, "absolute");
  expect(HEAD "(define x 1)", NULL, 0, "unknown top-level");
  expect(HEAD "(allow (with report) process-fork)", NULL, 0, "operation");
}

static void test_checker_ties_params_to_definitions(void) {
  const char *keys[] = {"A", "B"};
  expect(HEAD "(allow file-read* (subpath (param \"A\")) (subpath (param \"C\")))", keys, 1,
         "\"C\") is not defined");
  expect(HEAD "(allow file-read* (subpath (param \"A\")))", keys, 2, "B is defined but never");
  expect(HEAD "(allow file-read* (subpath (param A)))", keys, 1, "one string");
}

static void test_checker_rejects_writes_outside_roots(void) {
  const char *keys[] = {"READABLE_ROOT_0", "WRITABLE_ROOT_0"};
  expect(HEAD "(allow file-write*)", NULL, 0, "allowed everywhere");
  expect(HEAD "(allow file-write* (subpath \"/Users\"))", NULL, 0, "outside the writable roots");
  expect(HEAD "(allow file-write-data (subpath (param \"READABLE_ROOT_0\")))", keys, 1,
         "outside the writable roots");
  expect(HEAD "(allow file-link (require-any (subpath (param \"WRITABLE_ROOT_0\")) (literal \"/etc/x\")))",
         keys + 1, 1, "outside the writable roots");
  expect(HEAD "(allow file-write* (require-not (subpath (param \"WRITABLE_ROOT_0\"))))", keys + 1,
         1, "outside the writable roots");
  expect(HEAD "(allow file-write-data (literal \"/dev/null\"))", NULL, 0, NULL);
}

static void test_checker_wants_denials_last(void) {
  expect(HEAD "(deny file-write* (subpath \"/x\"))\n(allow process-fork)\n", NULL, 0,
         "denials must come last");
  expect(HEAD "(allow file-read* (with message \"ringfence-t\"))", NULL, 0, "only deny rules");
}

void add_checker_tests(void) {
  CU_pSuite s = CU_add_suite("seatbelt-checker", NULL, NULL);
  CU_add_test(s, "checker accepts a minimal profile", test_checker_accepts_a_minimal_profile);
  CU_add_test(s, "checker rejects broken structure", test_checker_rejects_broken_structure);
  CU_add_test(s, "checker rejects unknown vocabulary", test_checker_rejects_unknown_vocabulary);
  CU_add_test(s, "checker ties params to -D definitions", test_checker_ties_params_to_definitions);
  CU_add_test(s, "checker rejects writes outside writable roots",
              test_checker_rejects_writes_outside_roots);
  CU_add_test(s, "checker wants denials last", test_checker_wants_denials_last);
}
