/* rf-win-smoke.c: smoke driver run under wine by windows-wine-smoke.sh.  LoadLibrary's the plugin DLL, gets
 * rf_backend_entry, renders a plan, probes, and launches a danger-full-access command (job + process +
 * wait, no AppContainer) and an AppContainer one (reported, not required: wine may lack AppContainers). */
#include <windows.h>

#include <stdio.h>
#include <string.h>

#include "ringfence/backend.h"

static int g_lines, g_kill_on_close;

static void emit(void *ctx, const char *section, const char *line) {
  (void)ctx;
  g_lines++;
  if (strcmp(section, "job") == 0 && strcmp(line, "set JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE") == 0)
    g_kill_on_close = 1;
  printf("  %s: %s\n", section, line);
}

static void launch_one(const rf_backend *b, rf_backend_policy *p, const char *what) {
  const char *argv[] = {"cmd.exe", "/c", "exit 7", NULL};
  rf_backend_child child;
  memset(&child, 0, sizeof child);
  child.size = sizeof child;
  char err[1024] = "";
  int r = b->launch(NULL, p, argv, &child, err, sizeof err);
  if (r != 0) {
    printf("smoke: launch %s failed: %d %s\n", what, r, err);
    return;
  }
  rf_backend_exit ex;
  memset(&ex, 0, sizeof ex);
  ex.size = sizeof ex;
  r = b->child_wait(&child, 60000, &ex);
  printf("smoke: launch %s ran: wait=%d stage=%u code=%d\n", what, r, ex.stage, ex.code);
  b->child_release(&child);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: rf-win-smoke PATH\\rf-backend-windows.dll\n");
    return 2;
  }
  HMODULE m = LoadLibraryA(argv[1]);
  if (m == NULL) {
    printf("smoke: LoadLibrary failed: %lu\n", (unsigned long)GetLastError());
    return 1;
  }
  rf_backend_entry_fn entry = (rf_backend_entry_fn)(void *)GetProcAddress(m, RF_BACKEND_ENTRY_SYMBOL);
  if (entry == NULL) {
    printf("smoke: no %s export\n", RF_BACKEND_ENTRY_SYMBOL);
    return 1;
  }
  rf_backend_host host = {.size = sizeof host, .abi_version = RF_BACKEND_ABI_VERSION};
  const rf_backend *b = entry(&host);
  if (b == NULL || b->abi_version != RF_BACKEND_ABI_VERSION || strcmp(b->name, "windows") != 0) {
    printf("smoke: bad vtable\n");
    return 1;
  }
  printf("smoke: loaded %s (abi %u), capabilities 0x%llx\n", b->name, b->abi_version,
         (unsigned long long)b->capabilities(&host));

  char tmp[MAX_PATH];
  GetTempPathA(sizeof tmp, tmp);
  size_t n = strlen(tmp);
  if (n > 0 && tmp[n - 1] == '\\')
    tmp[n - 1] = '\0';
  char prot[MAX_PATH + 8];
  snprintf(prot, sizeof prot, "%s\\.git", tmp);
  const char *protected_paths[] = {prot};
  rf_backend_root root = {sizeof root, tmp, protected_paths, 1};
  rf_backend_policy p;
  memset(&p, 0, sizeof p);
  p.size = sizeof p;
  p.mode = RF_SANDBOX_WORKSPACE_WRITE;
  p.network = RF_NETWORK_OFF;
  p.flags = RF_POLICY_WINDOWS_PRIVATE_DESKTOP;
  p.writable_roots = &root;
  p.n_writable_roots = 1;
  p.cwd = tmp;
  p.required = RF_CAP_WRITE_CONFINED | RF_CAP_NETWORK_OFF;
  p.windows_mode = RF_WINDOWS_UNELEVATED;
  p.run_id = "smoke-1";
  const char *argv_r[] = {"cmd.exe", "/c", "echo", "a b", NULL};
  rf_backend_sink sink = {sizeof sink, NULL, emit};
  char err[1024] = "";
  int r = b->render(&host, &p, argv_r, &sink, err, sizeof err);
  if (r != 0 || g_lines < 20 || !g_kill_on_close) {
    printf("smoke: render failed: %d %s (%d lines)\n", r, err, g_lines);
    return 1;
  }
  printf("smoke: render ok (%d lines)\n", g_lines);

  rf_backend_probe_report rep;
  memset(&rep, 0, sizeof rep);
  rep.size = sizeof rep;
  r = b->probe(&host, &rep);
  printf("smoke: probe ok rc=%d usable=%d detail=[%s] reason=[%s]\n", r, rep.usable, rep.detail, rep.reason);
  if (r != 0)
    return 1;

  /* Containment only: job object, suspended create, assign, resume, wait. */
  rf_backend_policy full = p;
  full.mode = RF_SANDBOX_DANGER_FULL_ACCESS;
  full.writable_roots = NULL;
  full.n_writable_roots = 0;
  full.flags = 0;
  full.required = RF_CAP_PROCESS_CONTAINMENT;
  full.run_id = "smoke-2";
  launch_one(b, &full, "danger-full-access");
  /* The full sandbox: needs AppContainers, which wine may not implement. */
  p.run_id = "smoke-3";
  launch_one(b, &p, "workspace-write");
  FreeLibrary(m);
  return 0;
}
