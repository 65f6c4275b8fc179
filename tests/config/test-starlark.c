/* tests/config/test-starlark.c: CUnit claims about the Starlark subset of rules files: what
 * agent users write loads and means what the other CLI makes of it; what could run long or
 * read elsewhere is refused at FILE:LINE:COL; the bounds hold. */
#include <ringfence/ringfence.h>

#include <CUnit/Basic.h>
#include <string.h>

static RfRules *load_ok(const char *text) {
  g_autoptr(GError) error = NULL;
  RfRules *rules = rf_rules_new();
  if (!rf_rules_load_data(rules, "t.rules", text, -1, &error))
    g_printerr("\n  unexpected rules error: %s\n", error->message);
  CU_ASSERT_PTR_NULL(error);
  return rules;
}

/* The strictest decision of the rules matching |command| (split on spaces), or "none". */
static const char *decide(RfRules *rules, const char *command) {
  g_auto(GStrv) argv = g_strsplit(command, " ", -1);
  g_autoptr(GPtrArray) matches = rf_rules_match(rules, (const char *const *)argv);
  RfDecision best = RF_DECISION_ALLOW;
  for (guint i = 0; i < matches->len; i++) {
    RfRuleMatch *m = g_ptr_array_index(matches, i);
    if (m->decision == RF_DECISION_FORBIDDEN ||
        (m->decision == RF_DECISION_PROMPT && best == RF_DECISION_ALLOW))
      best = m->decision;
  }
  return matches->len ? rf_decision_to_string(best) : "none";
}

static gboolean expect(RfRules *rules, const char *command, const char *want) {
  const char *got = decide(rules, command);
  if (!g_str_equal(got, want)) {
    g_printerr("\n  `%s`: %s, want %s\n", command, got, want);
    return FALSE;
  }
  return TRUE;
}

static char *load_error(const char *text, gssize len) {
  g_autoptr(GError) error = NULL;
  g_autoptr(RfRules) rules = rf_rules_new();
  CU_ASSERT_FALSE(rf_rules_load_data(rules, "bad.rules", text, len, &error));
  CU_ASSERT_PTR_NOT_NULL_FATAL(error);
  CU_ASSERT_EQUAL(rf_rules_get_size(rules), 0);
  return g_strdup(error->message);
}

static void test_variables_plus_and_positional_arguments_load(void) {
  g_autoptr(RfRules) r = load_ok("GIT = \"git\"\n"
                                 "REMOTE = [\"push\", \"fetch\"]\n"
                                 "PUSH = [GIT, REMOTE]\n"
                                 "prefix_rule(PUSH + [\"origin\"], \"forbidden\"); "
                                 "prefix_rule([\"ls\"], \"allow\")\n"
                                 "WHY = \"talks to \" + 'the remote'\n"
                                 "prefix_rule([GIT, \"pull\"], \"prompt\", [[\"git\", \"pull\"]], "
                                 "[\"git push\"], WHY, False)\n"
                                 "FLAGS = [\"-l\"]\n"
                                 "FLAGS += [\"-a\"]\n"
                                 "prefix_rule(pattern = [\"ls\"] + FLAGS, decision = \"prompt\",)\n"
                                 "network_rule(\"example.com\", \"https\", \"deny\", WHY)\n"
                                 "host_executable(\"git\", [\"/usr/bin/\" + GIT])\n");
  CU_ASSERT_TRUE(expect(r, "git push origin main", "forbidden"));
  CU_ASSERT_TRUE(expect(r, "git fetch origin", "forbidden"));
  CU_ASSERT_TRUE(expect(r, "git pull", "prompt"));
  CU_ASSERT_TRUE(expect(r, "ls", "allow"));
  CU_ASSERT_TRUE(expect(r, "ls -l -a", "prompt"));
  CU_ASSERT_TRUE(expect(r, "/usr/bin/git push origin", "forbidden"));
  CU_ASSERT_TRUE(expect(r, "/opt/git push origin", "none"));
}

static void test_top_level_if_elif_else_follows_constants(void) {
  g_autoptr(RfRules) r = load_ok("STRICT = True\n"
                                 "LEVEL = 2\n"
                                 "if STRICT and LEVEL >= 2:\n"
                                 "    prefix_rule([\"rm\"], \"forbidden\")\n"
                                 "    if \"x\" in [\"x\", \"y\"]: prefix_rule([\"mv\"], \"prompt\")\n"
                                 "elif LEVEL == 1:\n"
                                 "    prefix_rule([\"rm\"], \"prompt\")\n"
                                 "else:\n"
                                 "    prefix_rule([\"rm\"], \"allow\")\n"
                                 "\n"
                                 "if not STRICT: prefix_rule([\"cp\"], \"forbidden\")\n"
                                 "else: pass\n"
                                 "if LEVEL == 2 or undefined_but_never_read:\n"
                                 "  prefix_rule([\"dd\"], \"forbidden\")\n"
                                 "if 2 * 3 - 1 == 5 and 7 // 2 == 3 and -7 % 3 == 2 and \"ab\" < \"b\":\n"
                                 "\tprefix_rule([\"tar\"], \"prompt\")\n");
  CU_ASSERT_TRUE(expect(r, "rm -rf x", "forbidden"));
  CU_ASSERT_TRUE(expect(r, "mv a b", "prompt"));
  CU_ASSERT_TRUE(expect(r, "cp a b", "none"));
  CU_ASSERT_TRUE(expect(r, "dd if=x", "forbidden"));
  CU_ASSERT_TRUE(expect(r, "tar x", "prompt"));
}

static void test_a_branch_not_taken_is_parsed_but_not_run(void) {
  g_autoptr(RfRules) r = load_ok("if False:\n"
                                 "    prefix_rule([\"ls\"], \"forbidden\")\n"
                                 "    X = MISSING + 1\n");
  CU_ASSERT_EQUAL(rf_rules_get_size(r), 0);
  /* ... but it must still be the subset: a loop there is refused too. */
  g_autofree char *message = load_error("if False:\n    for x in []: pass\n", -1);
  CU_ASSERT_TRUE(g_str_has_prefix(message, "bad.rules:2:5: loops are not supported"));
}

typedef struct {
  const char *text;
  const char *message_prefix;
} Bad;

static void test_what_could_run_long_or_read_elsewhere_is_refused_with_its_place(void) {
  static const Bad cases[] = {
      {"load(\"//x.star\", \"y\")\n", "bad.rules:1:1: load() is not supported"},
      {"def f():\n    pass\n", "bad.rules:1:1: functions (def) are not supported"},
      {"for x in [\"a\"]:\n    prefix_rule([x])\n", "bad.rules:1:1: loops are not supported"},
      {"while True:\n    pass\n", "bad.rules:1:1: loops are not supported"},
      {"f = lambda: 1\n", "bad.rules:1:5: lambda is not supported"},
      {"X = [\"a\" for x in [\"a\"]]\n", "bad.rules:1:10: comprehensions"},
      {"X = {\"a\": 1}\n", "bad.rules:1:5: dicts and sets"},
      {"print(\"hi\")\n", "bad.rules:1:1: unknown function 'print'"},
      {"X = len([])\n", "bad.rules:1:5: unknown function 'len'"},
      {"X = \"a\".upper()\n", "bad.rules:1:8: methods and attributes"},
      {"X = [\"a\"][0]\n", "bad.rules:1:10: indexing and slicing"},
      {"X = 1 if True else 2\n", "bad.rules:1:7: conditional expressions"},
      {"X = (\"a\", \"b\")\n", "bad.rules:1:9: tuples are not supported"},
      {"X = \"a\" \"b\"\n", "bad.rules:1:9: two strings side by side"},
      {"X = 1.5\n", "bad.rules:1:5: only decimal integers"},
      {"X = 3 / 2\n", "bad.rules:1:7: / makes a float"},
      {"X = \"a\" + 1\n", "bad.rules:1:9: unsupported operation: string + int"},
      {"prefix_rule(UNDEFINED)\n", "bad.rules:1:13: 'UNDEFINED' is not defined"},
      {"X += [\"a\"]\n", "bad.rules:1:1: X is not defined"},
      {"a, b = 1, 2\n", "bad.rules:1:2: assigning several names at once"},
      {"prefix_rule = 1\n", "bad.rules:1:1: cannot assign to prefix_rule"},
      {"import os\n", "bad.rules:1:1: this word is reserved"},
      {"if True:\nprefix_rule([\"a\"])\n", "bad.rules:2:1: expected an indented block"},
      {"if True:\n    X = 1\n  Y = 2\n", "bad.rules:3:3: this line's indentation matches no"},
      {"else:\n    pass\n", "bad.rules:1:1: 'else' without an if"},
      {"X = 1 < 2 < 3\n", "bad.rules:1:11: comparisons do not chain"},
      {"prefix_rule([\"a\"], decision = \"allow\", [\"x\"])\n",
       "bad.rules:1:40: a positional argument cannot follow a keyword argument"},
      {"prefix_rule([\"a\"], \"allow\", [], [], \"why\", False, 1)\n",
       "bad.rules:1:51: prefix_rule takes at most 6 positional arguments"},
      {"prefix_rule([\"a\"], canonical_matching = \"yes\")\n",
       "bad.rules:1:41: prefix_rule argument 'canonical_matching' must be True or False"},
      {"X = 9223372036854775807 + 1\n", "bad.rules:1:25: integer overflow"},
      {"X = 1 // 0\n", "bad.rules:1:7: division by zero"},
      {"prefix_rule(*[[\"a\"]])\n", "bad.rules:1:13: *args and **kwargs are not supported"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *message = load_error(cases[i].text, -1);
    if (!g_str_has_prefix(message, cases[i].message_prefix)) {
      g_printerr("\n  case %u: '%s' does not start with '%s'\n", i, message,
                 cases[i].message_prefix);
      CU_FAIL("error message");
    }
  }
}

static void test_network_rule_is_checked_like_the_other_cli(void) {
  static const char *const good[] = {"example.com", "EXAMPLE.com", "1.2.3.4",    "[::1]",
                                     "::1",         "example.com:443", " padded.example ",
                                     "localhost",   NULL};
  for (const char *const *h = good; *h; h++) {
    g_autofree char *text = g_strdup_printf(
        "network_rule(host = \"%s\", protocol = \"https\", decision = \"allow\")\n", *h);
    g_autoptr(RfRules) r = load_ok(text);
    CU_ASSERT_EQUAL(rf_rules_get_size(r), 0);
  }
  static const Bad bad[] = {
      {"network_rule(host = \"*.example.com\", protocol = \"https\", decision = \"allow\")\n",
       "bad.rules:1:21: network_rule host \"*.example.com\" must be one specific host"},
      {"network_rule(host = \"*\", protocol = \"https\", decision = \"allow\")\n",
       "bad.rules:1:21: network_rule host \"*\" must be one specific host"},
      {"network_rule(host = \"\", protocol = \"https\", decision = \"allow\")\n",
       "bad.rules:1:21: network_rule host cannot be empty"},
      {"network_rule(host = \"exa mple\", protocol = \"https\", decision = \"allow\")\n",
       "bad.rules:1:21: network_rule host \"exa mple\" cannot contain whitespace"},
      {"network_rule(host = \"https://example.com\", protocol = \"https\", decision = \"allow\")\n",
       "bad.rules:1:21: network_rule host \"https://example.com\" must be a host name or IP"},
      {"network_rule(host = \"e.com\", protocol = \"ftp\", decision = \"allow\")\n",
       "bad.rules:1:41: network_rule protocol \"ftp\" is not one of"},
      {"network_rule(host = \"e.com\", protocol = \"HTTPS\", decision = \"allow\")\n",
       "bad.rules:1:41: network_rule protocol \"HTTPS\" is not one of"},
      {"network_rule(host = \"e.com\", protocol = \"https\", decision = \"ask\")\n",
       "bad.rules:1:61: network_rule decision \"ask\" is not one of"},
      {"network_rule(host = \"e.com\", protocol = \"https\", decision = \"deny\", "
       "justification = \" \")\n",
       "bad.rules:1:85: a justification cannot be empty"},
      {"network_rule(host = \"e.com\", protocol = \"https\", decision = \"deny\", extra = 1)\n",
       "bad.rules:1:77: network_rule has no argument 'extra'"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autofree char *message = load_error(bad[i].text, -1);
    if (!g_str_has_prefix(message, bad[i].message_prefix)) {
      g_printerr("\n  case %u: '%s' does not start with '%s'\n", i, message,
                 bad[i].message_prefix);
      CU_FAIL("error message");
    }
  }
  g_autoptr(RfRules) r = load_ok("network_rule(host = \"e.com\", protocol = \"socks5_udp\", "
                                 "decision = \"forbidden\")\n"
                                 "network_rule(\"e.com\", \"https_connect\", \"prompt\")\n"
                                 "network_rule(\"e.com\", \"http-connect\", \"deny\")\n");
  CU_ASSERT_EQUAL(rf_rules_get_size(r), 0);
}

static void test_bounds_hold(void) {
  /* Doubling a string: 2^40 bytes if nothing stopped it. */
  GString *bomb = g_string_new("X = \"xxxxxxxxxxxxxxxx\"\n");
  for (int i = 0; i < 40; i++)
    g_string_append(bomb, "X = X + X\n");
  g_autofree char *m1 = load_error(bomb->str, -1);
  CU_ASSERT_TRUE(strstr(m1, "the result of + would be larger than") != NULL);
  g_string_free(bomb, TRUE);
  /* Repetition. */
  g_autofree char *m2 = load_error("X = [\"a\"] * 1000000000\n", -1);
  CU_ASSERT_TRUE(g_str_has_prefix(m2, "bad.rules:1:11: the result of * would be larger than"));
  /* Many values, each within bounds: the total work is bounded too. */
  GString *work = g_string_new("X = \"x\" * 200000\n");
  for (int i = 0; i < 200; i++)
    g_string_append_printf(work, "Y%d = X + \"y\"\n", i);
  g_autofree char *m3 = load_error(work->str, -1);
  CU_ASSERT_TRUE(strstr(m3, "MiB of values") != NULL);
  g_string_free(work, TRUE);
  /* Statements. */
  GString *many = g_string_new(NULL);
  for (int i = 0; i < 20001; i++)
    g_string_append(many, "pass\n");
  g_autofree char *m4 = load_error(many->str, -1);
  CU_ASSERT_TRUE(strstr(m4, "more than 20000 statements") != NULL);
  g_string_free(many, TRUE);
  /* Nesting. */
  GString *deep = g_string_new("X = ");
  for (int i = 0; i < 100; i++)
    g_string_append_c(deep, '[');
  for (int i = 0; i < 100; i++)
    g_string_append_c(deep, ']');
  g_string_append_c(deep, '\n');
  g_autofree char *m5 = load_error(deep->str, -1);
  CU_ASSERT_TRUE(strstr(m5, "nest deeper than") != NULL);
  g_string_free(deep, TRUE);
  GString *nots = g_string_new("X = ");
  for (int i = 0; i < 100; i++)
    g_string_append(nots, "not ");
  g_string_append(nots, "True\n");
  g_autofree char *m6 = load_error(nots->str, -1);
  CU_ASSERT_TRUE(strstr(m6, "nests deeper than") != NULL);
  g_string_free(nots, TRUE);
  /* Size: more than 1 MiB of comments. */
  gsize size = 1024 * 1024 + 2;
  char *big = g_malloc(size + 1);
  memset(big, '#', size);
  big[size - 1] = '\n';
  big[size] = '\0';
  g_autofree char *m7 = load_error(big, (gssize)size);
  CU_ASSERT_TRUE(strstr(m7, "more than a rules file may hold") != NULL);
  g_free(big);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 1;
  CU_pSuite s = CU_add_suite("starlark subset", NULL, NULL);
  CU_add_test(s, "variables, + and positional arguments load",
              test_variables_plus_and_positional_arguments_load);
  CU_add_test(s, "top-level if/elif/else follows constants",
              test_top_level_if_elif_else_follows_constants);
  CU_add_test(s, "a branch not taken is parsed but not run",
              test_a_branch_not_taken_is_parsed_but_not_run);
  CU_add_test(s, "what could run long or read elsewhere is refused with its place",
              test_what_could_run_long_or_read_elsewhere_is_refused_with_its_place);
  CU_add_test(s, "network_rule is checked like the other CLI",
              test_network_rule_is_checked_like_the_other_cli);
  CU_add_test(s, "the bounds hold", test_bounds_hold);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
