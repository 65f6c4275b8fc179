/* test-plugin.c: the vtable as the core's loader sees it: ABI, capabilities, probe and launch on a non-Mac. */
#include "fixtures.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <string.h>

/* Exported by plugin.c through RF_BACKEND_DEFINE. */
const rf_backend *rf_backend_entry(const rf_backend_host *host);

static const rf_backend *backend(void) {
  return rf_backend_entry(NULL);
}

static void test_vtable_is_complete_and_abi_current(void) {
  const rf_backend *b = backend();
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  CU_ASSERT_EQUAL(b->abi_version, RF_BACKEND_ABI_VERSION);
  CU_ASSERT_TRUE(b->size >= RF_BACKEND_MIN_SIZE);
  CU_ASSERT_STRING_EQUAL(b->name, "seatbelt");
  CU_ASSERT_PTR_NOT_NULL(b->summary);
  CU_ASSERT_PTR_NOT_NULL(b->capabilities);
  CU_ASSERT_PTR_NOT_NULL(b->probe);
  CU_ASSERT_PTR_NOT_NULL(b->render);
  CU_ASSERT_PTR_NOT_NULL(b->launch);
  CU_ASSERT_PTR_NOT_NULL(b->child_signal);
  CU_ASSERT_PTR_NOT_NULL(b->child_wait);
  CU_ASSERT_PTR_NOT_NULL(b->child_kill);
  CU_ASSERT_PTR_NOT_NULL(b->child_release);
}

/* The claimed guarantees, bit by bit (docs/seatbelt.md explains each).  A
 * change here is a change in what ringfence promises on macOS. */
static void test_capabilities_claim_only_what_the_profile_enforces(void) {
  uint64_t caps = backend()->capabilities(NULL);
  CU_ASSERT_EQUAL(caps, RF_CAP_WRITE_CONFINED | RF_CAP_PROTECTED_SUBPATHS |
                            RF_CAP_RESTRICTED_READ | RF_CAP_DENY_READ | RF_CAP_NETWORK_OFF |
                            RF_CAP_HOST_UNIX_SOCKETS | RF_CAP_HOST_PROCESSES |
                            RF_CAP_FD_ISOLATION | RF_CAP_PRIVATE_DESKTOP | RF_CAP_PROXY_ONLY);
  CU_ASSERT_FALSE(caps & RF_CAP_PROCESS_CONTAINMENT);
  CU_ASSERT_FALSE(caps & RF_CAP_TERMINAL_INJECTION);
  CU_ASSERT_FALSE(caps & RF_CAP_KERNEL_SURFACE);
  CU_ASSERT_FALSE(caps & RF_CAP_PRIVATE_LOOPBACK);
  CU_ASSERT_FALSE(caps & RF_CAP_SANDBOX_UNIX_SOCKETS);
  /* --network proxy: outbound to the proxy's localhost port alone (test-profile.c). */
  CU_ASSERT_TRUE(caps & RF_CAP_PROXY_ONLY);
}

static void test_probe_says_not_macos_elsewhere(void) {
  rf_backend_probe_report report;
  memset(&report, 0x55, sizeof report);
  report.size = sizeof report;
  CU_ASSERT_EQUAL(backend()->probe(NULL, &report), 0);
#ifdef __APPLE__
  CU_PASS("probe on macOS depends on the host");
#else
  CU_ASSERT_EQUAL(report.usable, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(report.reason, "not macOS"));
  CU_ASSERT_PTR_NOT_NULL(strstr(report.remedy, "bwrap"));
  CU_ASSERT_STRING_EQUAL(report.detail, "");
#endif
}

static void test_probe_respects_an_older_report_struct(void) {
  rf_backend_probe_report report;
  memset(&report, 0x55, sizeof report);
  report.size = (uint32_t)(offsetof(rf_backend_probe_report, reason) + sizeof report.reason);
  CU_ASSERT_EQUAL(backend()->probe(NULL, &report), 0);
  CU_ASSERT_EQUAL((unsigned char)report.remedy[0], 0x55); /* untouched */
}

static void test_launch_refuses_clearly_off_macos(void) {
#ifdef __APPLE__
  CU_PASS("launch is real on macOS");
#else
  fixture f;
  fixture_policy(&f, (fixture_shape){RF_SANDBOX_WORKSPACE_WRITE, RF_READ_FULL, 0, RF_NETWORK_OFF});
  const char *argv[] = {"true", NULL};
  rf_backend_child child = {.size = sizeof child};
  char err[512] = "";
  CU_ASSERT_EQUAL(backend()->launch(NULL, &f.policy, argv, &child, err, sizeof err), -ENOSYS);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "only on macOS"));
  CU_ASSERT_PTR_NULL(child.state);
#endif
}

static void test_render_works_on_every_os(void) {
  fixture f;
  fixture_policy(&f, (fixture_shape){RF_SANDBOX_WORKSPACE_WRITE, RF_READ_FULL, 0, RF_NETWORK_OFF});
  const char *argv[] = {"true", NULL};
  capture cap;
  const rf_backend_sink *sink = capture_sink(&cap);
  char err[512] = "";
  CU_ASSERT_EQUAL(backend()->render(NULL, &f.policy, argv, sink, err, sizeof err), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "[sbpl]\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "[parameters]\n-DWRITABLE_ROOT_0=/Users/dev/project\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "[command]\n/usr/bin/sandbox-exec\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "[environment]\nRINGFENCE_SANDBOX=seatbelt\n"
                                          "RINGFENCE_SANDBOX_NETWORK_DISABLED=1\n"));
  capture_free(&cap);

  /* --network proxy: rendered, and no network-disabled marker (this network works). */
  f.policy.network = RF_NETWORK_PROXY;
  f.policy.proxy_port = 3128;
  sink = capture_sink(&cap);
  CU_ASSERT_EQUAL(backend()->render(NULL, &f.policy, argv, sink, err, sizeof err), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(cap.text, "(remote ip \"localhost:3128\")"));
  CU_ASSERT_PTR_NULL(strstr(cap.text, "RINGFENCE_SANDBOX_NETWORK_DISABLED"));
  capture_free(&cap);

  CU_ASSERT_EQUAL(backend()->render(NULL, &f.policy, NULL, sink, err, sizeof err), -EINVAL);
}

void add_plugin_tests(void) {
  CU_pSuite s = CU_add_suite("seatbelt-plugin", NULL, NULL);
  CU_add_test(s, "vtable is complete and its ABI current", test_vtable_is_complete_and_abi_current);
  CU_add_test(s, "capabilities claim only what the profile enforces",
              test_capabilities_claim_only_what_the_profile_enforces);
  CU_add_test(s, "probe says 'not macOS' elsewhere", test_probe_says_not_macos_elsewhere);
  CU_add_test(s, "probe respects an older report struct", test_probe_respects_an_older_report_struct);
  CU_add_test(s, "launch refuses clearly off macOS", test_launch_refuses_clearly_off_macos);
  CU_add_test(s, "render works on every OS", test_render_works_on_every_os);
}
