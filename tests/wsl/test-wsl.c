/* test-wsl.c: WSL detection from fixture roots (WSL1, WSL2, a custom WSL2 kernel, plain Linux), the WSL1 refusal's words, and the /run/WSL mask on bwrap's command line. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bwrap-argv.h"
#include "bwrap-reads.h"
#include "strv.h"
#include "wsl.h"

static char fixtures[4096]; /* tests/wsl/fixtures, from argv[1] */

static void detect(const char *name, const char *const *envp, rf_wsl_info *info) {
  char root[4200];
  snprintf(root, sizeof(root), "%s/%s", fixtures, name);
  CU_ASSERT_EQUAL(rf_wsl_detect(root, envp, info), 0);
}

static const char *const no_env[] = {"PATH=/usr/bin:/bin", NULL};

static void test_wsl1_is_told_by_its_kernel_release(void) {
  static const char *const env[] = {"WSL_DISTRO_NAME=Ubuntu-20.04",
                                    "WSL_INTEROP=/run/WSL/1_interop", NULL};
  rf_wsl_info info;
  detect("wsl1", env, &info);
  CU_ASSERT_EQUAL(info.kind, RF_WSL_1);
  CU_ASSERT_STRING_EQUAL(info.release, "4.4.0-19041-Microsoft");
  CU_ASSERT_STRING_EQUAL(info.interop_entry, "WSLInterop");
  CU_ASSERT_TRUE(info.interop_enabled);
  CU_ASSERT_TRUE(info.run_wsl);
  CU_ASSERT_STRING_EQUAL(info.distro, "Ubuntu-20.04");
  CU_ASSERT_STRING_EQUAL(info.interop_socket, "/run/WSL/1_interop");
  CU_ASSERT_PTR_NOT_NULL(strstr(info.signs, "kernel 4.4.0-19041-Microsoft"));
  /* The same release without the environment: still WSL1. */
  detect("wsl1", no_env, &info);
  CU_ASSERT_EQUAL(info.kind, RF_WSL_1);
}

static void test_wsl1_refusal_names_the_conversion_command(void) {
  static const char *const env[] = {"WSL_DISTRO_NAME=Ubuntu-20.04", NULL};
  rf_wsl_info info;
  char reason[1024], remedy[512];
  detect("wsl1", env, &info);
  CU_ASSERT_EQUAL(rf_wsl1_refusal(&info, reason, sizeof(reason), remedy, sizeof(remedy)), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(reason, "WSL1"));
  CU_ASSERT_PTR_NOT_NULL(strstr(reason, "does not support"));
  CU_ASSERT_PTR_NOT_NULL(strstr(reason, "no user namespaces, no Landlock"));
  CU_ASSERT_PTR_NOT_NULL(strstr(remedy, "wsl --set-version Ubuntu-20.04 2"));
  /* Without the distribution's name, a placeholder the user fills in. */
  detect("wsl1", no_env, &info);
  rf_wsl1_refusal(&info, reason, sizeof(reason), remedy, sizeof(remedy));
  CU_ASSERT_PTR_NOT_NULL(strstr(remedy, "wsl --set-version <distro> 2"));
  /* Nothing refused elsewhere. */
  detect("wsl2", no_env, &info);
  CU_ASSERT_EQUAL(rf_wsl1_refusal(&info, reason, sizeof(reason), remedy, sizeof(remedy)), 0);
  detect("linux", no_env, &info);
  CU_ASSERT_EQUAL(rf_wsl1_refusal(&info, reason, sizeof(reason), remedy, sizeof(remedy)), 0);
}

static void test_wsl2_shows_its_interop(void) {
  static const char *const env[] = {"WSL_DISTRO_NAME=Debian", "WSL_INTEROP=/run/WSL/8_interop",
                                    NULL};
  rf_wsl_info info;
  detect("wsl2", env, &info);
  CU_ASSERT_EQUAL(info.kind, RF_WSL_2);
  CU_ASSERT_STRING_EQUAL(info.release, "5.15.153.1-microsoft-standard-WSL2");
  CU_ASSERT_STRING_EQUAL(info.interop_entry, "WSLInterop-late");
  CU_ASSERT_TRUE(info.interop_enabled);
  CU_ASSERT_TRUE(info.run_wsl);
  char note[512];
  rf_wsl_describe(&info, "/run/WSL masked", note, sizeof(note));
  CU_ASSERT_PTR_NOT_NULL(strstr(note, "WSL2"));
  CU_ASSERT_PTR_NOT_NULL(strstr(note, "interop WSLInterop-late enabled, socket /run/WSL/8_interop"));
  CU_ASSERT_PTR_NOT_NULL(strstr(note, "kept out: /run/WSL masked"));
}

static void test_a_custom_wsl2_kernel_is_told_by_the_other_signs(void) {
  rf_wsl_info info;
  detect("wsl2-custom-kernel", no_env, &info);
  CU_ASSERT_EQUAL(info.kind, RF_WSL_2);
  CU_ASSERT_STRING_EQUAL(info.interop_entry, "WSLInterop");
  CU_ASSERT_FALSE(info.interop_enabled);
  CU_ASSERT_FALSE(info.run_wsl);
  CU_ASSERT_PTR_NOT_NULL(strstr(info.signs, "binfmt_misc entry WSLInterop (disabled)"));
  CU_ASSERT_PTR_NULL(strstr(info.signs, "kernel"));
}

static void test_plain_linux_is_not_wsl(void) {
  rf_wsl_info info;
  detect("linux", no_env, &info);
  CU_ASSERT_EQUAL(info.kind, RF_WSL_NONE);
  CU_ASSERT_STRING_EQUAL(info.release, "6.1.0-28-amd64");
  CU_ASSERT_STRING_EQUAL(info.signs, "");
  char note[512];
  rf_wsl_describe(&info, "x", note, sizeof(note));
  CU_ASSERT_STRING_EQUAL(note, "");
  /* A fixture without a release is not read from this machine's uname(2). */
  detect("no-such-fixture", no_env, &info);
  CU_ASSERT_EQUAL(info.kind, RF_WSL_NONE);
  CU_ASSERT_STRING_EQUAL(info.release, "");
  /* WSL's variables alone (a shell that inherited them) count as WSL2: a custom kernel. */
  static const char *const env[] = {"WSL_DISTRO_NAME=Debian", NULL};
  detect("linux", env, &info);
  CU_ASSERT_EQUAL(info.kind, RF_WSL_2);
}

static void test_bwrap_masks_run_wsl_where_it_exists(void) {
  static const char *const protected[] = {NULL};
  rf_backend_root root = {.size = sizeof(rf_backend_root), .path = "/work/ws",
                          .protected_paths = protected};
  static const char *const env[] = {NULL};
  rf_backend_policy p = {.size = sizeof(rf_backend_policy),
                         .mode = RF_SANDBOX_WORKSPACE_WRITE,
                         .network = RF_NETWORK_OFF,
                         .writable_roots = &root,
                         .n_writable_roots = 1,
                         .cwd = "/work/ws",
                         .envp = env};
  unsigned char kinds[1] = {0};
  rf_bwrap_reads reads = {.deny_kind = kinds, .deny_fd = -1, .wsl_run_dir = "/run/WSL"};
  rf_bwrap_fds fds = {.bwrap = "/usr/bin/bwrap", .init = "/init", .json_status_fd = 3,
                      .init_status_fd = 4, .seccomp_fd = 5, .notify_fd = -1,
                      .supervise_fd = -1, .landlock_fd = -1, .command_fd = -1,
                      .lifeline_fd = -1, .reads = &reads};
  const char *const argv[] = {"true", NULL};
  rf_strv args;
  rf_strv_init(&args);
  char err[512] = "";
  CU_ASSERT_EQUAL_FATAL(rf_bwrap_build_argv(&p, argv, &fds, &args, err, sizeof(err)), 0);
  char *line = rf_strv_join_quoted((const char *const *)args.items);
  CU_ASSERT_PTR_NOT_NULL(strstr(line, "--perms 0000 --tmpfs /run/WSL"));
  CU_ASSERT_PTR_NOT_NULL(strstr(line, "--remount-ro /run/WSL"));
  free(line);
  rf_strv_clear(&args);
  /* Not there: nothing mounted. */
  reads.wsl_run_dir = NULL;
  rf_strv_init(&args);
  CU_ASSERT_EQUAL_FATAL(rf_bwrap_build_argv(&p, argv, &fds, &args, err, sizeof(err)), 0);
  line = rf_strv_join_quoted((const char *const *)args.items);
  CU_ASSERT_PTR_NULL(strstr(line, "/run/WSL"));
  free(line);
  rf_strv_clear(&args);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test-wsl FIXTURES-DIR\n");
    return 2;
  }
  snprintf(fixtures, sizeof(fixtures), "%s", argv[1]);
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 1;
  CU_pSuite detection = CU_add_suite("WSL detection from fixture roots", NULL, NULL);
  CU_add_test(detection, "WSL1 is told by its kernel release (4.4.0-...-Microsoft)",
              test_wsl1_is_told_by_its_kernel_release);
  CU_add_test(detection, "the WSL1 refusal says it is unsupported and names wsl --set-version",
              test_wsl1_refusal_names_the_conversion_command);
  CU_add_test(detection, "WSL2 shows its interop entry and socket", test_wsl2_shows_its_interop);
  CU_add_test(detection, "a custom WSL2 kernel is told by the interop entry",
              test_a_custom_wsl2_kernel_is_told_by_the_other_signs);
  CU_add_test(detection, "plain Linux is not WSL", test_plain_linux_is_not_wsl);
  CU_pSuite bwrap = CU_add_suite("bwrap on WSL2", NULL, NULL);
  CU_add_test(bwrap, "/run/WSL is covered by an empty mode-0000 tmpfs where it exists",
              test_bwrap_masks_run_wsl_where_it_exists);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
