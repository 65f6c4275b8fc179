/* fake-plugin.c: a test backend with chosen capabilities and probe result, for loader and fail-closed tests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ringfence/backend.h>

#ifndef FAKE_NAME
#define FAKE_NAME "fake"
#endif

static uint64_t fake_capabilities(const rf_backend_host *host) {
  (void)host;
  const char *env = getenv("RF_FAKE_CAPS");
  return env ? strtoull(env, NULL, 0) : RF_CAP_WRITE_CONFINED;
}

static int fake_probe(const rf_backend_host *host, rf_backend_probe_report *report) {
  (void)host;
  report->usable = getenv("RF_FAKE_UNUSABLE") == NULL;
  if (!report->usable) {
    snprintf(report->reason, sizeof(report->reason), "the fake says no");
    snprintf(report->remedy, sizeof(report->remedy), "unset RF_FAKE_UNUSABLE");
  }
  return 0;
}

static int fake_render(const rf_backend_host *host, const rf_backend_policy *policy,
                       const char *const *argv, const rf_backend_sink *out, char *err,
                       size_t err_len) {
  (void)host;
  (void)err;
  (void)err_len;
  out->emit(out->ctx, "plan", policy->cwd);
  out->emit(out->ctx, "plan", argv[0]);
  return 0;
}

static int fake_launch(const rf_backend_host *host, const rf_backend_policy *policy,
                       const char *const *argv, rf_backend_child *child, char *err,
                       size_t err_len) {
  (void)host;
  (void)policy;
  (void)argv;
  (void)child;
  snprintf(err, err_len, "the fake cannot launch");
  return -ENOSYS;
}

static int fake_signal(rf_backend_child *child, int signum) {
  (void)child;
  (void)signum;
  return 0;
}

static int fake_wait(rf_backend_child *child, int timeout_ms, rf_backend_exit *exit) {
  (void)child;
  (void)timeout_ms;
  exit->stage = RF_EXIT_COMMAND;
  return 0;
}

static int fake_kill(rf_backend_child *child) {
  (void)child;
  return 0;
}

static void fake_release(rf_backend_child *child) {
  (void)child;
}

static const rf_backend fake_backend = {
    .size = sizeof(rf_backend),
    .abi_version = RF_BACKEND_ABI_VERSION,
    .name = FAKE_NAME,
    .summary = "a test double for the loader",
    .preference = 5,
    .capabilities = fake_capabilities,
    .probe = fake_probe,
    .render = fake_render,
    .launch = fake_launch,
    .child_signal = fake_signal,
    .child_wait = fake_wait,
    .child_kill = fake_kill,
    .child_release = fake_release,
};

RF_BACKEND_DEFINE(fake_backend)
