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

/* Setup: one item; RF_FAKE_SETUP_DENIED refuses as a plugin needing root does. */
static int fake_setup(const rf_backend_host *host, const rf_backend_setup_request *req,
                      const rf_backend_sink *out, char *err, size_t err_len) {
  (void)host;
  int remove = (req->flags & RF_SETUP_REMOVE) != 0;
  out->emit(out->ctx, "plan", remove ? "remove the fake item" : "add the fake item");
  if (req->flags & RF_SETUP_DRY_RUN)
    return 0;
  if (getenv("RF_FAKE_SETUP_DENIED")) {
    snprintf(err, err_len, "the fake setup needs root: run it as root");
    return -EACCES;
  }
  out->emit(out->ctx, "progress", remove ? "fake item removed" : "fake item added");
  return 0;
}

#ifdef FAKE_OLD_VTABLE
/* Built as a plugin from before setup was appended: its size ends at child_release, so the
 * loader must not read the setup pointer that follows (set here to catch it if it does). */
#define FAKE_VTABLE_SIZE RF_BACKEND_MIN_SIZE
#else
#define FAKE_VTABLE_SIZE sizeof(rf_backend)
#endif

static const rf_backend fake_backend = {
    .size = FAKE_VTABLE_SIZE,
    .abi_version = RF_BACKEND_ABI_VERSION,
    .name = FAKE_NAME,
    .summary = "a test double for the loader",
#ifdef FAKE_OLD_VTABLE
    .preference = 50,
#else
    .preference = 5,
#endif
    .capabilities = fake_capabilities,
    .probe = fake_probe,
    .render = fake_render,
    .launch = fake_launch,
    .child_signal = fake_signal,
    .child_wait = fake_wait,
    .child_kill = fake_kill,
    .child_release = fake_release,
    .setup = fake_setup,
};

RF_BACKEND_DEFINE(fake_backend)
