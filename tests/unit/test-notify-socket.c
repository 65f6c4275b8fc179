/* test-notify-socket.c: the socket handler's one decision, on real sockets: host sockets and addresses stay out of reach by connect, sendto, sendmsg and sendmmsg, for every socket type, while the sandbox's own sockets work (notify-handler-socket.c). */
#include <CUnit/Basic.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ringfence/backend.h>

#include "notify-child.h"
#include "notify-handler-socket.h"

static char dir[] = "/var/tmp/rf-notify-socket-XXXXXX";
static char host_stream[128], host_dgram[128], own_stream[128], own_dgram[128];
static int udp_port;

static socklen_t unix_address(const char *name, struct sockaddr_un *sun) {
  memset(sun, 0, sizeof(*sun));
  sun->sun_family = AF_UNIX;
  snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", name);
  if (name[0] == '@')
    sun->sun_path[0] = '\0';
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name) + (name[0] != '@'));
}

static int host_socket(const char *name, int type) {
  struct sockaddr_un sun;
  socklen_t len = unix_address(name, &sun);
  int s = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0 || bind(s, (struct sockaddr *)&sun, len) < 0 || (type != SOCK_DGRAM && listen(s, 8) < 0))
    return -1;
  return s;
}

/* Anything that reached a host socket (a connection or a datagram). */
static int host_got(int s, int type) {
  char buf[64];
  int got = 0;
  for (;;) {
    int c = type == SOCK_DGRAM ? (int)recv(s, buf, sizeof(buf), 0) : accept(s, NULL, NULL);
    if (c < 0)
      return got;
    got++;
    if (type != SOCK_DGRAM)
      close(c);
  }
}

static int send_three_ways(int s, const struct sockaddr *to, socklen_t len, int report) {
  const char data[] = "probe";
  report_int(report, result_of(sendto(s, data, 5, MSG_DONTWAIT, to, len)));
  struct iovec iov = {.iov_base = (void *)data, .iov_len = 5};
  struct msghdr msg = {.msg_name = (void *)to, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
  report_int(report, result_of(sendmsg(s, &msg, MSG_DONTWAIT)));
  struct mmsghdr mm = {.msg_hdr = msg};
  report_int(report, result_of(sendmmsg(s, &mm, 1, MSG_DONTWAIT)));
  return 0;
}

/* In the child (the "sandbox"): 3 results per destination. */
static void reach_body(int report) {
  struct sockaddr_un sun;
  socklen_t len;
  /* host stream and seqpacket listener by path: connect */
  len = unix_address(host_stream, &sun);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  report_int(report, result_of(connect(s, (struct sockaddr *)&sun, len)));
  close(s);
  /* host datagram socket by path: three sends */
  len = unix_address(host_dgram, &sun);
  s = socket(AF_UNIX, SOCK_DGRAM, 0);
  send_three_ways(s, (struct sockaddr *)&sun, len, report);
  report_int(report, result_of(connect(s, (struct sockaddr *)&sun, len)));
  close(s);
  /* a host UDP service on loopback */
  struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons((uint16_t)udp_port),
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  s = socket(AF_INET, SOCK_DGRAM, 0);
  send_three_ways(s, (struct sockaddr *)&in, sizeof(in), report);
  close(s);
  /* the sandbox's own sockets: bound here, reachable */
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  len = unix_address(own_stream, &sun);
  report_int(report, result_of(bind(l, (struct sockaddr *)&sun, len)) ||
                         result_of(listen(l, 4)));
  s = socket(AF_UNIX, SOCK_STREAM, 0);
  report_int(report, result_of(connect(s, (struct sockaddr *)&sun, len)));
  close(s);
  close(l);
  int r = socket(AF_UNIX, SOCK_DGRAM, 0);
  len = unix_address(own_dgram, &sun);
  report_int(report, result_of(bind(r, (struct sockaddr *)&sun, len)));
  s = socket(AF_UNIX, SOCK_DGRAM, 0);
  send_three_ways(s, (struct sockaddr *)&sun, len, report);
  char buf[8];
  int received = 0;
  while (recv(r, buf, sizeof(buf), MSG_DONTWAIT) == 5)
    received++;
  report_int(report, received);
  close(s);
  close(r);
}
#define N_REACH 15

static struct sock_fprog socket_program(void) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  rf_notify_socket_add_rules(ctx, 1);
  return notify_child_program(ctx);
}

/* Runs reach_body under the socket handler with |config|; the report in got[]. */
static int run_reach(rf_notify_socket_config *config, int *got, int *host_stream_s, int *host_dgram_s,
                     int *udp_s) {
  snprintf(host_stream, sizeof(host_stream), "%s/host.sock", dir);
  snprintf(host_dgram, sizeof(host_dgram), "%s/host-dgram.sock", dir);
  snprintf(own_stream, sizeof(own_stream), "%s/own.sock", dir);
  snprintf(own_dgram, sizeof(own_dgram), "%s/own-dgram.sock", dir);
  unlink(host_stream);
  unlink(host_dgram);
  unlink(own_stream);
  unlink(own_dgram);
  *host_stream_s = host_socket(host_stream, SOCK_STREAM);
  *host_dgram_s = host_socket(host_dgram, SOCK_DGRAM);
  *udp_s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  struct sockaddr_in in = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t inlen = sizeof(in);
  if (*host_stream_s < 0 || *host_dgram_s < 0 || *udp_s < 0 ||
      bind(*udp_s, (struct sockaddr *)&in, sizeof(in)) < 0 ||
      getsockname(*udp_s, (struct sockaddr *)&in, &inlen) < 0)
    return -1;
  udp_port = ntohs(in.sin_port);
  struct sock_fprog prog = socket_program();
  notify_child c = {.pid = -1, .channel = -1, .results = -1};
  if (prog.len == 0 || notify_child_start(&c, &prog, reach_body) < 0)
    return -1;
  rf_notify_socket *s = NULL;
  rf_notify_socket_new(config, &s);
  rf_notify_dispatch_config dc = {
      .receive = notify_child_receive,
      .ready = notify_child_ready,
      .max_workers = 4,
      .keep = {config->diag_fd},
      .n_keep = 1,
  };
  char err[256];
  rf_notify_dispatch *d = NULL;
  int rc = rf_notify_dispatch_new(&dc, c.channel, &d, err, sizeof(err));
  if (rc == 0)
    rc = rf_notify_dispatch_add(d, &rf_notify_socket_handler, s);
  if (rc == 0)
    rc = rf_notify_dispatch_start(d, err, sizeof(err));
  notify_child_report(&c, got, N_REACH);
  int status = notify_child_wait(&c);
  rf_notify_dispatch_stop(d);
  rf_notify_socket_free(s);
  free(prog.filter);
  return rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void close_all(int a, int b, int c) {
  close(a);
  close(b);
  close(c);
}

static void test_without_a_private_namespace_only_sockets_bound_inside_are_reached(void) {
  int diag = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  CU_ASSERT_FATAL(diag >= 0);
  rf_notify_socket_config config = {.diag_fd = diag, .private_netns = 0, .network = RF_NETWORK_OFF};
  int got[N_REACH], hs, hd, udp;
  CU_ASSERT_FATAL(run_reach(&config, got, &hs, &hd, &udp) == 0);
  CU_ASSERT_EQUAL(got[0], EACCES); /* connect to the host's stream socket */
  for (int i = 1; i <= 4; i++)     /* sendto/sendmsg/sendmmsg/connect to its datagram socket */
    CU_ASSERT_EQUAL(got[i], EACCES);
  for (int i = 5; i <= 7; i++) /* UDP to a host service, the network off */
    CU_ASSERT_EQUAL(got[i], EACCES);
  CU_ASSERT_EQUAL(got[8], 0);  /* own stream socket: bound, listening */
  CU_ASSERT_EQUAL(got[9], 0);  /* and reached */
  CU_ASSERT_EQUAL(got[10], 0); /* own datagram socket bound */
  for (int i = 11; i <= 13; i++)
    CU_ASSERT_EQUAL(got[i], 0); /* and reached three ways */
  CU_ASSERT_EQUAL(got[14], 3);  /* every datagram arrived */
  CU_ASSERT_EQUAL(host_got(hs, SOCK_STREAM) + host_got(hd, SOCK_DGRAM) + host_got(udp, SOCK_DGRAM), 0);
  close_all(hs, hd, udp);
  close(diag);
}

/* A sock_diag socket in a network namespace of its own (a user namespace
 * with it, so no privilege is needed): the "sandbox's" namespace, which
 * none of this process's sockets live in.  -1 when namespaces are refused. */
static int diag_in_new_netns(void) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) < 0)
    return -1;
  pid_t pid = fork();
  if (pid == 0) {
    int flags = CLONE_NEWNET | (geteuid() == 0 ? 0 : CLONE_NEWUSER);
    int diag = unshare(flags) == 0 ? socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG) : -1;
    char byte = 'D', control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof(control));
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (diag >= 0) {
      msg.msg_control = control;
      msg.msg_controllen = sizeof(control);
      struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
      cm->cmsg_level = SOL_SOCKET;
      cm->cmsg_type = SCM_RIGHTS;
      cm->cmsg_len = CMSG_LEN(sizeof(int));
      memcpy(CMSG_DATA(cm), &diag, sizeof(int));
    }
    _exit(sendmsg(pair[1], &msg, 0) == 1 ? 0 : 1);
  }
  close(pair[1]);
  char byte, control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                       .msg_controllen = sizeof(control)};
  int fd = -1;
  if (recvmsg(pair[0], &msg, MSG_CMSG_CLOEXEC) == 1 && CMSG_FIRSTHDR(&msg))
    memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
  close(pair[0]);
  waitpid(pid, NULL, 0);
  return fd;
}

/* The bwrap backend's case with a socket from outside its namespace (passed
 * in): nothing it names by abstract or inet address is left to the kernel. */
static void test_a_socket_from_outside_the_private_namespace_reaches_no_host_service(void) {
  int diag = diag_in_new_netns();
  if (diag < 0) {
    printf("\n  SKIP: no network namespace can be made here (user namespaces refused)\n");
    return;
  }
  rf_notify_socket_config config = {.diag_fd = diag, .private_netns = 1, .network = RF_NETWORK_OFF};
  int got[N_REACH], hs, hd, udp;
  /* The child's sockets all live in this (the host's) namespace: the host
   * path sockets are not in the "sandbox's" either, and UDP is refused. */
  CU_ASSERT_FATAL(run_reach(&config, got, &hs, &hd, &udp) == 0);
  CU_ASSERT_EQUAL(got[0], EACCES);
  for (int i = 1; i <= 7; i++)
    CU_ASSERT_EQUAL(got[i], EACCES);
  CU_ASSERT_EQUAL(host_got(hs, SOCK_STREAM) + host_got(hd, SOCK_DGRAM) + host_got(udp, SOCK_DGRAM),
                  0);
  close_all(hs, hd, udp);
  close(diag);
}

int main(void) {
  if (!mkdtemp(dir))
    return 1;
  chmod(dir, 0755);
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 1;
  CU_pSuite s = CU_add_suite("socket handler", NULL, NULL);
  CU_add_test(s, "without a private namespace only sockets bound inside are reached, every type and call",
              test_without_a_private_namespace_only_sockets_bound_inside_are_reached);
  CU_add_test(s, "a socket from outside the private namespace reaches no host service",
              test_a_socket_from_outside_the_private_namespace_reaches_no_host_service);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  unlink(host_stream);
  unlink(host_dgram);
  unlink(own_stream);
  unlink(own_dgram);
  rmdir(dir);
  return failed ? 1 : 0;
}
