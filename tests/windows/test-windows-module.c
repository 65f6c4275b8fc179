/* test-windows-module.c: the built module loads off Windows, renders, says "not Windows", refuses to launch. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"
#include "test-windows.h"

static void *g_module;

static int open_module(void) {
  if (test_windows_module_path == NULL)
    return 0; /* tests below fail with a clear message */
  g_module = dlopen(test_windows_module_path, RTLD_NOW | RTLD_LOCAL);
  if (g_module == NULL)
    fprintf(stderr, "dlopen %s: %s\n", test_windows_module_path, dlerror());
  return 0;
}

static int close_module(void) {
  if (g_module != NULL)
    dlclose(g_module);
  return 0;
}

static const rf_backend *entry(void) {
  CU_ASSERT_PTR_NOT_NULL_FATAL(g_module);
  rf_backend_entry_fn fn = (rf_backend_entry_fn)dlsym(g_module, RF_BACKEND_ENTRY_SYMBOL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(fn);
  rf_backend_host host = {.size = sizeof host, .abi_version = RF_BACKEND_ABI_VERSION};
  const rf_backend *b = fn(&host);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  return b;
}

static void test_module_exports_one_entry_with_the_current_abi(void) {
  const rf_backend *b = entry();
  CU_ASSERT_EQUAL(b->abi_version, RF_BACKEND_ABI_VERSION);
  CU_ASSERT_TRUE(b->size >= RF_BACKEND_MIN_SIZE);
  CU_ASSERT_STRING_EQUAL(b->name, "windows");
  /* Internal helpers stay hidden: only the entry is exported; setup is a vtable entry. */
  CU_ASSERT_PTR_NULL(dlsym(g_module, "rf_win_plan_build"));
  CU_ASSERT_PTR_NULL(dlsym(g_module, "rf_win_cmdline_quote"));
  CU_ASSERT_PTR_NULL(dlsym(g_module, "rf_windows_setup_render"));
  CU_ASSERT_PTR_NULL(dlsym(g_module, "rf_windows_setup_apply"));
  CU_ASSERT_TRUE(RF_HAS_FIELD(b, setup));
  CU_ASSERT_PTR_NOT_NULL(b->setup);
}

static void test_capabilities_off_windows_are_what_windows_enforces(void) {
  const rf_backend *b = entry();
  uint64_t caps = b->capabilities(NULL);
  CU_ASSERT_EQUAL(caps, RF_WIN_CAPS_SANDBOX);
  CU_ASSERT_TRUE(caps & RF_CAP_NETWORK_OFF);
  CU_ASSERT_TRUE(caps & RF_CAP_WRITE_CONFINED);
  CU_ASSERT_TRUE(caps & RF_CAP_PROTECTED_SUBPATHS);
  CU_ASSERT_TRUE(caps & RF_CAP_PROCESS_CONTAINMENT);
  CU_ASSERT_FALSE(caps & RF_CAP_PROXY_ONLY);
  CU_ASSERT_FALSE(caps & RF_CAP_KERNEL_SURFACE);
}

static void test_probe_off_windows_says_not_windows(void) {
  const rf_backend *b = entry();
  rf_backend_probe_report r;
  memset(&r, 0x55, sizeof r);
  r.size = sizeof r;
  CU_ASSERT_EQUAL(b->probe(NULL, &r), 0);
  CU_ASSERT_EQUAL(r.usable, 0);
  CU_ASSERT_EQUAL(strncmp(r.reason, "not Windows", 11), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(r.remedy, "explain"));
}

static void test_launch_off_windows_is_enosys_with_a_message(void) {
  const rf_backend *b = entry();
  rf_backend_policy p;
  memset(&p, 0, sizeof p);
  p.size = sizeof p;
  p.run_id = "x";
  const char *argv[] = {"cmd", NULL};
  rf_backend_child child = {sizeof child, 0, -1, 0, NULL};
  char err[256] = "";
  CU_ASSERT_EQUAL(b->launch(NULL, &p, argv, &child, err, sizeof err), -ENOSYS);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "not Windows"));
  /* Setup prints its plan, then refuses to change a machine that is not Windows. */
  test_sink_buf buf = {0};
  rf_backend_sink sink = {sizeof sink, &buf, test_sink_emit};
  rf_backend_setup_request req = {sizeof req, 0};
  err[0] = '\0';
  CU_ASSERT_EQUAL(b->setup(NULL, &req, &sink, err, sizeof err), -ENOSYS);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "not Windows"));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf.text, "plan: add local-group ringfence-sandboxes"));
  CU_ASSERT_PTR_NULL(strstr(buf.text, "progress:"));
  test_sink_free(&buf);
}

static void test_render_through_the_module_prints_the_plan(void) {
  const rf_backend *b = entry();
  static const char *const prot[] = {"/w/.git"};
  rf_backend_root root = {sizeof root, "/w", prot, 1};
  rf_backend_policy p;
  memset(&p, 0, sizeof p);
  p.size = sizeof p;
  p.mode = RF_SANDBOX_WORKSPACE_WRITE;
  p.writable_roots = &root;
  p.n_writable_roots = 1;
  p.cwd = "/w";
  p.flags = RF_POLICY_WINDOWS_PRIVATE_DESKTOP;
  p.windows_mode = RF_WINDOWS_ELEVATED;
  p.run_id = "abc";
  const char *argv[] = {"git", "status", NULL};
  test_sink_buf buf = {0};
  rf_backend_sink sink = {sizeof sink, &buf, test_sink_emit};
  char err[256] = "";
  CU_ASSERT_EQUAL_FATAL(b->render(NULL, &p, argv, &sink, err, sizeof err), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(buf.text, "token: logon: local account ringfence-offline"));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf.text, "deny name:ringfence/v1/write//w "));
  test_sink_free(&buf);

  rf_backend_setup_request dry = {sizeof dry, RF_SETUP_DRY_RUN | RF_SETUP_REMOVE};
  CU_ASSERT_EQUAL(b->setup(NULL, &dry, &sink, err, sizeof err), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(buf.text, "plan: remove wfp-filter"));
  test_sink_free(&buf);
}

int test_windows_register_module(void) {
  CU_pSuite s = CU_add_suite("windows module off Windows", open_module, close_module);
  if (s == NULL)
    return 1;
  return !CU_add_test(s, "module exports one entry with the current ABI",
                      test_module_exports_one_entry_with_the_current_abi) ||
         !CU_add_test(s, "capabilities off Windows are what Windows enforces",
                      test_capabilities_off_windows_are_what_windows_enforces) ||
         !CU_add_test(s, "probe off Windows says not Windows", test_probe_off_windows_says_not_windows) ||
         !CU_add_test(s, "launch off Windows is ENOSYS with a message",
                      test_launch_off_windows_is_enosys_with_a_message) ||
         !CU_add_test(s, "render through the module prints the plan",
                      test_render_through_the_module_prints_the_plan);
}
