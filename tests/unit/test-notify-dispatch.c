/* test-notify-dispatch.c: the notification dispatcher answers every call of a real seccomp listener as its handler says, refuses what no handler takes, and takes back what a call made for a caller that is gone (notify-dispatch.c). */
#include <CUnit/Basic.h>
#include <pthread.h>

#include "notify-child.h"

/* ---- a handler that answers by the syscall ----------------------------------------- */

/* Memory, not descriptors: each worker works in a descriptor table of its own. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int entered, proceed, taken_back;

static int test_handles(void *state, int nr) {
  (void)state;
  return nr == __NR_getpgid || nr == __NR_getsid || nr == __NR_getppid || nr == __NR_setpgid;
}

static int test_on_receiver(void *state, int nr) {
  (void)state;
  return nr == __NR_getsid;
}

static int test_handle(void *state, rf_notify_call *call) {
  (void)state;
  switch (call->req->data.nr) {
  case __NR_getpgid:
    /* the argument, read from the notification, plus a value of ours */
    call->value = 4000 + (long long)call->req->data.args[0];
    return call->target->proc >= 0 ? 0 : -EIO; /* attached before the handler runs */
  case __NR_getsid:
    return call->slot == RF_NOTIFY_RECEIVER ? -EXDEV : -EIO;
  case __NR_getppid:
    return RF_NOTIFY_CONTINUE;
  default: { /* setpgid: "makes" something, and waits until the caller is gone */
    call->made = 1;
    pthread_mutex_lock(&lock);
    entered = 1;
    pthread_cond_broadcast(&cond);
    while (!proceed)
      pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return 0;
  }
  }
}

static void test_take_back(void *state, rf_notify_call *call) {
  (void)state;
  taken_back += call->made;
}

static const rf_notify_handler test_handler = {
    .name = "test",
    .handles = test_handles,
    .on_receiver = test_on_receiver,
    .handle = test_handle,
    .take_back = test_take_back,
};

static struct sock_fprog notify_program(void) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  int nrs[] = {SCMP_SYS(getpgid), SCMP_SYS(getsid), SCMP_SYS(getppid), SCMP_SYS(setpgid),
               SCMP_SYS(getpriority)};
  for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
    seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nrs[i], 0);
  return notify_child_program(ctx);
}

static rf_notify_dispatch *start_dispatcher(notify_child *c) {
  rf_notify_dispatch_config config = {
      .receive = notify_child_receive,
      .ready = notify_child_ready,
      .max_workers = 4,
  };
  char err[256];
  rf_notify_dispatch *d = NULL;
  if (rf_notify_dispatch_new(&config, c->channel, &d, err, sizeof(err)) < 0)
    return NULL;
  if (rf_notify_dispatch_add(d, &test_handler, NULL) < 0 ||
      rf_notify_dispatch_start(d, err, sizeof(err)) < 0) {
    rf_notify_dispatch_stop(d);
    return NULL;
  }
  return d;
}

static void answers_body(int report) {
  report_int(report, (int)syscall(SYS_getpgid, 7));
  report_int(report, result_of(syscall(SYS_getsid, 0)));
  report_int(report, (int)syscall(SYS_getppid) == (int)getppid() ? 1 : 0);
  report_int(report, result_of(syscall(SYS_getpriority, 0, 0)));
}

static void test_each_call_gets_what_its_handler_answers(void) {
  struct sock_fprog prog = notify_program();
  CU_ASSERT_FATAL(prog.len > 0);
  notify_child c = {.pid = -1, .channel = -1, .results = -1};
  CU_ASSERT_FATAL(notify_child_start(&c, &prog, answers_body) == 0);
  rf_notify_dispatch *d = start_dispatcher(&c);
  CU_ASSERT_FATAL(d != NULL);
  int got[4];
  notify_child_report(&c, got, 4);
  CU_ASSERT_EQUAL(got[0], 4007);   /* a worker's value */
  CU_ASSERT_EQUAL(got[1], EXDEV);  /* answered on the receiving thread */
  CU_ASSERT_EQUAL(got[2], 1);      /* "continue": the kernel's own getppid */
  CU_ASSERT_EQUAL(got[3], ENOSYS); /* notified, but no handler takes it: refused, not hung */
  int status = notify_child_wait(&c);
  CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  rf_notify_dispatch_stop(d);
  free(prog.filter);
}

static void taken_back_body(int report) {
  (void)report;
  syscall(SYS_setpgid, 0, 0); /* killed while the handler works on it */
}

static void test_what_a_call_made_is_taken_back_when_its_caller_is_gone(void) {
  struct sock_fprog prog = notify_program();
  entered = proceed = taken_back = 0;
  notify_child c = {.pid = -1, .channel = -1, .results = -1};
  CU_ASSERT_FATAL(notify_child_start(&c, &prog, taken_back_body) == 0);
  rf_notify_dispatch *d = start_dispatcher(&c);
  CU_ASSERT_FATAL(d != NULL);
  pthread_mutex_lock(&lock);
  while (!entered)
    pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
  kill(c.pid, SIGKILL);
  int status = notify_child_wait(&c);
  CU_ASSERT(WIFSIGNALED(status));
  pthread_mutex_lock(&lock);
  proceed = 1;
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
  rf_notify_dispatch_stop(d); /* waits for the worker */
  CU_ASSERT_EQUAL(taken_back, 1);
  free(prog.filter);
}

static void test_a_dispatcher_stopped_before_any_listener_ends(void) {
  int pair[2];
  CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
  notify_child c = {.channel = pair[0]};
  rf_notify_dispatch *d = start_dispatcher(&c);
  CU_ASSERT_FATAL(d != NULL);
  rf_notify_dispatch_stop(d); /* must not wait for a listener that never comes */
  close(pair[1]);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 1;
  CU_pSuite s = CU_add_suite("notification dispatcher", NULL, NULL);
  CU_add_test(s, "each call gets what its handler answers (value, errno, continue, no handler)",
              test_each_call_gets_what_its_handler_answers);
  CU_add_test(s, "what a call made is taken back when its caller is gone",
              test_what_a_call_made_is_taken_back_when_its_caller_is_gone);
  CU_add_test(s, "a dispatcher stopped before any listener arrives ends",
              test_a_dispatcher_stopped_before_any_listener_ends);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
