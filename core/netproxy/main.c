/* main.c: ringfence-netproxy, the allowlist proxy of --network proxy: its contract with the core, start-up, confinement and the accept loop.
 *
 * The contract (fixed; extended only by appending options):
 *   ringfence-netproxy --control-fd N [--listen-tcp] [--accept-fd N]
 *       [--allow-domain PAT]... [--deny-domain PAT]... [--upstream URL]
 *       [--mode full|limited] [--resolve HOST:ADDR]... [--log-fd N]
 *       [--log-json-fd N] [--allow-local-binding]
 *       [--header-timeout S] [--idle-timeout S] [--max-clients N]   (appended)
 *       [--listen-fd N]                                             (appended)
 * Unknown options are errors: exit 125 with a message on stderr.
 *   --control-fd N   a stream socket to the core.  Once set up and confined the
 *                    proxy writes ONE line, "ready PORT\n" (its 127.0.0.1 TCP
 *                    port, or 0 without --listen-tcp or --listen-fd) or "error MESSAGE\n" and
 *                    exits 125.  At end of file on it (the run ended, or ringfence
 *                    died) the proxy exits 0 at once, closing everything.
 *   --listen-tcp     listen on 127.0.0.1, an ephemeral port.
 *   --listen-fd N    instead of --listen-tcp: a socket the core already bound and
 *                    listens on (TCP, 127.0.0.1), so the core knows the port, and
 *                    a client may connect, before the proxy runs; "ready PORT"
 *                    then names its port.  Anything else is refused (exit 125).
 *   --accept-fd N    a unix SOCK_SEQPACKET socket; each message (one ignored byte)
 *                    carries one TCP connection as SCM_RIGHTS.  Each is checked
 *                    (connected AF_INET/AF_INET6 SOCK_STREAM TCP socket, not
 *                    listening); anything else, and any extra descriptor, is
 *                    closed.  End of file: no more clients from there.
 *   --allow-domain / --deny-domain PAT: see rules.h (exact, *.x subdomains only,
 *                    **.x apex and subdomains, *, literal address or network).
 *   --upstream URL   http://HOST:PORT or socks5h://HOST:PORT (USER:PASSWORD@
 *                    allowed): every allowed connection goes through it.
 *   --mode limited   only GET, HEAD, OPTIONS over plain HTTP; CONNECT and SOCKS refused.
 *   --resolve HOST:ADDR  fixed answers (tests); the private-address rules still
 *                    apply to ADDR unless that literal is allowlisted.
 *   --log-fd N, --log-json-fd N  one line per connection (log.h).
 *   --allow-local-binding  accepted (it concerns the sandbox side).
 * One port, both protocols: a first byte 0x05 is SOCKS5, anything else HTTP
 * (CONNECT, or a plain request in absolute form).  "RINGFENCE-PING TOKEN\n"
 * (TOKEN printable, <= 64 bytes) is answered "RINGFENCE-PONG TOKEN\n".
 * Blocked: HTTP 403 with X-Ringfence-Blocked: RULE and a one-line body; SOCKS5
 * reply 0x02 (ruleset), 0x04 (unreachable), 0x05 (refused), 0x07 (command).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "confine.h"
#include "handoff.h"
#include "net.h"
#include "proxy.h"

static int control_fd = -1;

static void write_control(const char *line) {
  if (control_fd >= 0) {
    size_t len = strlen(line);
    while (len > 0) {
      ssize_t n = send(control_fd, line, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      line += n;
      len -= (size_t)n;
    }
  }
}

static _Noreturn void fail(const char *msg) {
  char line[1200];
  fprintf(stderr, "ringfence-netproxy: %s\n", msg);
  snprintf(line, sizeof(line), "error %s\n", msg);
  for (char *p = line; p[1]; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  write_control(line);
  _exit(125);
}

/* Closes every descriptor but 0-2 and those the contract names: a parser bug then
 * finds nothing else inherited to use. */
static void close_others(const np_options *o) {
  int keep[] = {o->control_fd, o->accept_fd, o->log_fd, o->log_json_fd, o->listen_fd};
  int max = 2;
  for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
    if (keep[i] > max)
      max = keep[i];
  for (int fd = 3; fd <= max; fd++) {
    bool kept = false;
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
      kept = kept || keep[i] == fd;
    if (!kept)
      close(fd);
  }
  close_range((unsigned)max + 1, ~0u, 0);
}

static int listen_loopback(uint16_t *port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return -errno;
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t sl = sizeof(sin);
  if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 1024) < 0 ||
      getsockname(fd, (struct sockaddr *)&sin, &sl) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  *port = ntohs(sin.sin_port);
  return fd;
}

/* --listen-fd: |fd| must be a listening TCP socket on 127.0.0.1 (what the core made); its port
 * in *port.  0 or -EINVAL with the reason in |err|. */
static int adopt_listener(int fd, uint16_t *port, char *err, size_t errlen) {
  struct sockaddr_in sin;
  socklen_t sl = sizeof(sin);
  int type = 0, listening = 0, protocol = 0;
  socklen_t tl = sizeof(type), ll = sizeof(listening), pl = sizeof(protocol);
  if (getsockname(fd, (struct sockaddr *)&sin, &sl) < 0 || sl != sizeof(sin) ||
      sin.sin_family != AF_INET || sin.sin_addr.s_addr != htonl(INADDR_LOOPBACK) ||
      getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_STREAM ||
      getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &pl) < 0 || protocol != IPPROTO_TCP ||
      getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ll) < 0 || !listening) {
    snprintf(err, errlen, "--listen-fd %d is not a TCP socket listening on 127.0.0.1", fd);
    return -EINVAL;
  }
  if (np_set_nonblock(fd) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
    snprintf(err, errlen, "--listen-fd %d: %s", fd, strerror(errno));
    return -EINVAL;
  }
  *port = ntohs(sin.sin_port);
  return 0;
}

static bool is_regular_file(int fd) {
  struct stat st;
  return fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  signal(SIGXFSZ, SIG_IGN);
  np_options opts;
  char err[1024];
  /* The control fd first, so that even a bad command line is reported on it. */
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp(argv[i], "--control-fd") == 0 && fcntl(atoi(argv[i + 1]), F_GETFD) >= 0)
      control_fd = atoi(argv[i + 1]);
  if (np_options_parse(argc - 1, argv + 1, &opts, err, sizeof(err)) < 0)
    fail(err);
  control_fd = opts.control_fd;
  close_others(&opts);

  np_proxy px = {.opts = &opts, .rules = np_rules_new(), .resolver = np_resolver_new()};
  for (char **p = opts.allow; *p; p++)
    if (np_rules_add(px.rules, false, *p, err, sizeof(err)) < 0)
      fail(err);
  for (char **p = opts.deny; *p; p++)
    if (np_rules_add(px.rules, true, *p, err, sizeof(err)) < 0)
      fail(err);
  for (char **p = opts.resolve; *p; p++)
    if (np_resolver_add_fixed(px.resolver, *p, err, sizeof(err)) < 0)
      fail(err);
  static np_upstream upstream;
  if (opts.upstream) {
    if (np_upstream_init(&upstream, opts.upstream, px.resolver, err, sizeof(err)) < 0)
      fail(err);
    px.upstream = &upstream;
  } else {
    /* Loads the resolver's modules (NSS) before the filter: later lookups only read. */
    struct addrinfo *ai = NULL;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    if (getaddrinfo("localhost", "80", &hints, &ai) == 0)
      freeaddrinfo(ai);
  }
  px.log = np_log_new(opts.log_fd, opts.log_json_fd);

  uint16_t port = 0;
  int listener = -1;
  if (opts.listen_fd >= 0) {
    if (adopt_listener(opts.listen_fd, &port, err, sizeof(err)) < 0)
      fail(err);
    listener = opts.listen_fd;
  } else if (opts.listen_tcp) {
    listener = listen_loopback(&port);
    if (listener < 0) {
      snprintf(err, sizeof(err), "cannot listen on 127.0.0.1: %s", strerror(-listener));
      fail(err);
    }
  }
  np_confinement conf;
  size_t max_fds = (size_t)opts.max_clients * 7 + 64; /* client, server, two pipes, a lookup */
  unsigned long long max_file = is_regular_file(opts.log_fd) || is_regular_file(opts.log_json_fd) ? 1ull << 30 : 0;
  if (np_confine(max_fds, max_file, &conf, err, sizeof(err)) < 0)
    fail(err);
  char ready[64];
  snprintf(ready, sizeof(ready), "ready %u\n", port);
  write_control(ready);

  int accept_fd = opts.accept_fd;
  for (;;) {
    struct pollfd p[3] = {{.fd = control_fd, .events = POLLIN}, {.fd = listener, .events = POLLIN},
                          {.fd = accept_fd, .events = POLLIN}};
    int n = poll(p, 3, -1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      _exit(125);
    if (p[0].revents) {
      char buf[256];
      ssize_t r = recv(control_fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
        _exit(0); /* the run is over: every connection ends with us */
    }
    if (p[1].revents & POLLIN) {
      int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd >= 0) {
        np_client_start(&px, fd);
      } else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        struct timespec pause = {0, 50 * 1000 * 1000}; /* out of descriptors: let connections end */
        nanosleep(&pause, NULL);
      }
    }
    if (p[2].revents) {
      int fd = -1;
      char why[200];
      int rc = np_handoff_receive(accept_fd, &fd, why, sizeof(why));
      if (rc == 1) {
        np_client_start(&px, fd);
      } else if (rc == 0) {
        np_log_entry e = {.host = "-", .method = "HANDOFF", .rule = why};
        np_log_write(px.log, &e);
      } else if (rc != -EAGAIN) {
        close(accept_fd); /* end of file, or the bridge's socket broke: no more clients from there */
        accept_fd = -1; /* poll ignores -1; the proxy runs on until the core closes the control socket */
      }
    }
  }
}
