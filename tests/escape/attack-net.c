/* attack-net.c: network and socket attacks (host TCP/UDP, DNS, unix sockets, socket families),
 * and the in-sandbox servers and clients of the "must keep working" cases. */
#include "attack.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/vm_sockets.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char probe[] = "RF-ESCAPE-NET-PROBE\n";

static int resolve_numeric(const char *addr, const char *port, int socktype,
                           struct sockaddr_storage *ss, socklen_t *len) {
  struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV, .ai_socktype = socktype};
  struct addrinfo *res = NULL;
  int rc = getaddrinfo(addr, port, &hints, &res);
  if (rc != 0 || !res)
    return -1;
  memcpy(ss, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return 0;
}

/* connect() with a time limit; returns 0, or -1 with errno set. */
static int connect_timeout(int fd, const struct sockaddr *sa, socklen_t len, int ms) {
  int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int rc = connect(fd, sa, len);
  if (rc < 0 && errno == EINPROGRESS) {
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    rc = poll(&p, 1, ms);
    if (rc == 0) {
      errno = ETIMEDOUT;
      rc = -1;
    } else if (rc > 0) {
      int soerr = 0;
      socklen_t l = sizeof(soerr);
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l);
      if (soerr) {
        errno = soerr;
        rc = -1;
      } else {
        rc = 0;
      }
    }
  }
  fcntl(fd, F_SETFL, flags);
  return rc;
}

static int op_tcp_connect(char **a, int n) {
  (void)n;
  struct sockaddr_storage ss;
  socklen_t len;
  if (resolve_numeric(a[0], a[1], SOCK_STREAM, &ss, &len) < 0) {
    rf_err("tcp-connect", EINVAL, "bad address %s", a[0]);
    return 0;
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    rf_err("tcp-connect", errno, "socket for %s", a[0]);
    return 0;
  }
  if (connect_timeout(fd, (struct sockaddr *)&ss, len, 2000) < 0) {
    rf_err("tcp-connect", errno, "%s port %s", a[0], a[1]);
  } else {
    ssize_t w = send(fd, probe, sizeof(probe) - 1, MSG_NOSIGNAL);
    rf_ok("tcp-connect", "%s port %s connected, sent %zd bytes", a[0], a[1], w);
  }
  close(fd);
  return 0;
}

static int op_udp_send(char **a, int n) {
  (void)n;
  struct sockaddr_storage ss;
  socklen_t len;
  if (resolve_numeric(a[0], a[1], SOCK_DGRAM, &ss, &len) < 0) {
    rf_err("udp-send", EINVAL, "bad address %s", a[0]);
    return 0;
  }
  int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    rf_err("udp-send", errno, "socket for %s", a[0]);
    return 0;
  }
  ssize_t w = sendto(fd, probe, sizeof(probe) - 1, 0, (struct sockaddr *)&ss, len);
  rf_result("udp-send", w, "%s port %s", a[0], a[1]);
  close(fd);
  return 0;
}

/* "@name" is an abstract address, anything else a path. */
static socklen_t unix_addr(const char *name, struct sockaddr_un *sun) {
  memset(sun, 0, sizeof(*sun));
  sun->sun_family = AF_UNIX;
  size_t len = strlen(name);
  if (len >= sizeof(sun->sun_path))
    len = sizeof(sun->sun_path) - 1;
  memcpy(sun->sun_path, name, len);
  if (name[0] == '@')
    sun->sun_path[0] = '\0';
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (name[0] == '@' ? 0 : 1));
}

static void unix_connect_type(const char *op, const char *name, int type, int send_probe) {
  struct sockaddr_un sun;
  socklen_t len = unix_addr(name, &sun);
  int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    rf_err(op, errno, "socket");
    return;
  }
  const char *tname = type == SOCK_STREAM ? "stream" : type == SOCK_DGRAM ? "dgram" : "seqpacket";
  if (connect(fd, (struct sockaddr *)&sun, len) < 0) {
    rf_err(op, errno, "%s (%s)", name, tname);
  } else if (send_probe) {
    ssize_t w = send(fd, probe, sizeof(probe) - 1, MSG_NOSIGNAL);
    rf_ok(op, "%s (%s) connected, sent %zd bytes", name, tname, w);
  } else {
    rf_ok(op, "%s (%s) connected", name, tname);
  }
  close(fd);
}

static int op_unix_connect(char **a, int n) {
  (void)n;
  unix_connect_type("unix-connect", a[0], SOCK_STREAM, 1);
  return 0;
}

static int op_unix_dgram(char **a, int n) {
  (void)n;
  struct sockaddr_un sun;
  socklen_t len = unix_addr(a[0], &sun);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    rf_err("unix-dgram", errno, "socket");
    return 0;
  }
  ssize_t w = sendto(fd, probe, sizeof(probe) - 1, 0, (struct sockaddr *)&sun, len);
  rf_result("unix-dgram", w, "%s", a[0]);
  close(fd);
  return 0;
}

/* The same through the other ways to get a unix datagram socket: SOCK_RAW (the
 * kernel makes it a datagram socket), with and without flags, and socketpair(). */
static int op_unix_raw(char **a, int n) {
  (void)n;
  struct sockaddr_un sun;
  socklen_t len = unix_addr(a[0], &sun);
  static const struct {
    const char *label;
    int type;
  } kinds[] = {{"raw", SOCK_RAW},
               {"raw-nonblock", SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC},
               {"dgram", SOCK_DGRAM}};
  for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
    for (int pair = 0; pair < 2; pair++) {
      int fds[2] = {-1, -1};
      int rc = pair ? socketpair(AF_UNIX, kinds[k].type, 0, fds)
                    : (fds[0] = socket(AF_UNIX, kinds[k].type, 0));
      if (rc < 0) {
        rf_err("unix-raw", errno, "%s %s %s", pair ? "socketpair" : "socket", kinds[k].label,
               a[0]);
        continue;
      }
      ssize_t w = sendto(fds[0], probe, sizeof(probe) - 1, MSG_DONTWAIT, (struct sockaddr *)&sun,
                         len);
      rf_result("unix-raw", w, "%s %s sendto %s", pair ? "socketpair" : "socket", kinds[k].label,
                a[0]);
      close(fds[0]);
      if (fds[1] >= 0)
        close(fds[1]);
    }
  }
  return 0;
}

/* A socket made outside the sandbox and passed in (descriptor FD): every way to name a
 * destination with it.  ADDR: a path, "@abstract", or "inet:IPV4:PORT".  Stream and seqpacket
 * sockets connect (then send a probe) and, for TCP, try sendto() with MSG_FASTOPEN; datagram
 * sockets send with sendto(), sendmsg() and sendmmsg(). */
static int op_passed_socket(char **a, int n) {
  (void)n;
  int fd = atoi(a[0]);
  struct sockaddr_storage ss;
  socklen_t len;
  memset(&ss, 0, sizeof(ss));
  if (strncmp(a[1], "inet:", 5) == 0) {
    char host[64];
    snprintf(host, sizeof(host), "%s", a[1] + 5);
    char *colon = strrchr(host, ':');
    if (!colon) {
      rf_err("passed-socket", EINVAL, "address %s", a[1]);
      return 0;
    }
    *colon = '\0';
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons((uint16_t)atoi(colon + 1));
    inet_pton(AF_INET, host, &sin->sin_addr);
    len = sizeof(*sin);
  } else {
    len = unix_addr(a[1], (struct sockaddr_un *)&ss);
  }
  int type = 0;
  socklen_t tlen = sizeof(type);
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0) {
    rf_err("passed-socket", errno, "fd %d is no socket", fd);
    return 0;
  }
  const char *tname = type == SOCK_STREAM ? "stream" : type == SOCK_DGRAM ? "dgram" : "seqpacket";
  if (type != SOCK_DGRAM) {
    if (ss.ss_family == AF_INET) {
      ssize_t w = sendto(fd, probe, sizeof(probe) - 1, MSG_FASTOPEN | MSG_NOSIGNAL,
                         (struct sockaddr *)&ss, len);
      rf_result("passed-socket", w, "%s sendto(MSG_FASTOPEN) %s", tname, a[1]);
      if (w >= 0)
        return 0;
    }
    if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
      rf_err("passed-socket", errno, "%s connect %s", tname, a[1]);
    } else {
      ssize_t w = send(fd, probe, sizeof(probe) - 1, MSG_NOSIGNAL);
      rf_ok("passed-socket", "%s connect %s, sent %zd bytes", tname, a[1], w);
    }
    return 0;
  }
  ssize_t w = sendto(fd, probe, sizeof(probe) - 1, MSG_DONTWAIT, (struct sockaddr *)&ss, len);
  rf_result("passed-socket", w, "%s sendto %s", tname, a[1]);
  struct iovec iov = {.iov_base = (void *)probe, .iov_len = sizeof(probe) - 1};
  struct msghdr msg = {.msg_name = &ss, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
  w = sendmsg(fd, &msg, MSG_DONTWAIT);
  rf_result("passed-socket", w, "%s sendmsg %s", tname, a[1]);
  struct mmsghdr mm = {.msg_hdr = msg};
  int sent = sendmmsg(fd, &mm, 1, MSG_DONTWAIT);
  rf_result("passed-socket", sent, "%s sendmmsg %s", tname, a[1]);
  return 0;
}

/* Connect (no data) to each named socket with the type the host listed. */
static int op_unix_connect_many(char **a, int n) {
  for (int i = 0; i + 1 < n; i += 2) {
    int type = strcmp(a[i], "dgram") == 0       ? SOCK_DGRAM
               : strcmp(a[i], "seqpacket") == 0 ? SOCK_SEQPACKET
                                                : SOCK_STREAM;
    unix_connect_type("unix-connect-host", a[i + 1], type, 0);
  }
  return 0;
}

static int op_dns(char **a, int n) {
  (void)n;
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
  struct addrinfo *res = NULL;
  int rc = getaddrinfo(a[0], "80", &hints, &res);
  if (rc != 0) {
    printf("RF ERR dns %s %s: %s\n", rc == EAI_SYSTEM ? rf_errname(errno) : "EAI", a[0],
           gai_strerror(rc));
    return 0;
  }
  char text[INET6_ADDRSTRLEN] = "?";
  if (res->ai_family == AF_INET)
    inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, text, sizeof(text));
  else if (res->ai_family == AF_INET6)
    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, text, sizeof(text));
  rf_ok("dns", "%s resolved to %s", a[0], text);
  freeaddrinfo(res);
  return 0;
}

/* A raw DNS query for NAME to every nameserver in /etc/resolv.conf. */
static int op_dns_raw(char **a, int n) {
  (void)n;
  FILE *f = fopen("/etc/resolv.conf", "re");
  if (!f) {
    rf_err("dns-raw", errno, "/etc/resolv.conf");
    return 0;
  }
  unsigned char q[512];
  size_t qlen = 0;
  const unsigned char header[] = {0x52, 0x46, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  memcpy(q, header, sizeof(header));
  qlen = sizeof(header);
  char name[256];
  snprintf(name, sizeof(name), "%s", a[0]);
  for (char *label = strtok(name, "."); label && qlen < 400; label = strtok(NULL, ".")) {
    size_t l = strlen(label);
    q[qlen++] = (unsigned char)l;
    memcpy(q + qlen, label, l);
    qlen += l;
  }
  const unsigned char tail[] = {0, 0, 1, 0, 1};
  memcpy(q + qlen, tail, sizeof(tail));
  qlen += sizeof(tail);
  char line[512];
  int servers = 0;
  while (fgets(line, sizeof(line), f)) {
    char server[256];
    if (sscanf(line, " nameserver %255s", server) != 1)
      continue;
    servers++;
    struct sockaddr_storage ss;
    socklen_t len;
    if (resolve_numeric(server, "53", SOCK_DGRAM, &ss, &len) < 0) {
      rf_err("dns-raw", EINVAL, "nameserver %s", server);
      continue;
    }
    int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      rf_err("dns-raw", errno, "socket for %s", server);
      continue;
    }
    ssize_t w = sendto(fd, q, qlen, 0, (struct sockaddr *)&ss, len);
    if (w < 0) {
      rf_err("dns-raw", errno, "query to %s", server);
    } else {
      struct pollfd p = {.fd = fd, .events = POLLIN};
      int ready = poll(&p, 1, 1500);
      rf_ok("dns-raw", "query to %s sent (%s)", server,
            ready > 0 ? "and it answered" : "no answer within 1.5 s");
    }
    close(fd);
  }
  fclose(f);
  if (!servers)
    rf_info("dns-raw", "no nameserver in /etc/resolv.conf");
  return 0;
}

static const char *family_name(int family) {
  switch (family) {
  case AF_UNIX: return "AF_UNIX";
  case AF_INET: return "AF_INET";
  case AF_INET6: return "AF_INET6";
  case AF_NETLINK: return "AF_NETLINK";
  case AF_PACKET: return "AF_PACKET";
  case AF_VSOCK: return "AF_VSOCK";
  case AF_ALG: return "AF_ALG";
  case AF_KEY: return "AF_KEY";
  case AF_BLUETOOTH: return "AF_BLUETOOTH";
  case AF_XDP: return "AF_XDP";
  case AF_TIPC: return "AF_TIPC";
  case AF_RDS: return "AF_RDS";
  case AF_CAN: return "AF_CAN";
  case AF_PPPOX: return "AF_PPPOX";
  case AF_IB: return "AF_IB";
  case AF_QIPCRTR: return "AF_QIPCRTR";
  case AF_SMC: return "AF_SMC";
  case AF_MCTP: return "AF_MCTP";
  default: return "AF_?";
  }
}

/* socket() and socketpair() for every family below 64 and the usual types,
 * plus families with high bits set (the kernel reads an int). */
static int op_socket_families(char **a, int n) {
  (void)a;
  (void)n;
  const int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET};
  int denied = 0;
  for (int family = 0; family < 64; family++) {
    int any = 0;
    for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
      long fd = syscall(SYS_socket, (long)family, (long)(types[t] | SOCK_CLOEXEC), 0L);
      if (fd >= 0) {
        rf_ok("socket", "family %d %s type %d", family, family_name(family), types[t]);
        close((int)fd);
        any = 1;
      }
      int sv[2];
      if (syscall(SYS_socketpair, (long)family, (long)(types[t] | SOCK_CLOEXEC), 0L, sv) == 0) {
        rf_ok("socketpair", "family %d %s type %d", family, family_name(family), types[t]);
        close(sv[0]);
        close(sv[1]);
      }
    }
    if (!any)
      denied++;
  }
  rf_info("socket-families", "%d of 64 families gave no socket of any type", denied);
  const long high[] = {AF_NETLINK, AF_PACKET, AF_VSOCK, AF_ALG, AF_XDP};
  for (size_t i = 0; i < sizeof(high) / sizeof(high[0]); i++) {
    long family = high[i] | (1L << 32) | (1L << 40);
    long fd = syscall(SYS_socket, family, (long)(SOCK_RAW | SOCK_CLOEXEC), 0L);
    if (fd < 0)
      fd = syscall(SYS_socket, family, (long)(SOCK_DGRAM | SOCK_CLOEXEC), 0L);
    if (fd < 0)
      fd = syscall(SYS_socket, family, (long)(SOCK_STREAM | SOCK_CLOEXEC), 0L);
    if (fd >= 0) {
      rf_ok("socket-highbits", "family %#lx (%s with high bits)", family, family_name((int)high[i]));
      close((int)fd);
    } else {
      rf_err("socket-highbits", errno, "family %#lx (%s with high bits)", family,
             family_name((int)high[i]));
    }
  }
  return 0;
}

/* vsock to the host (CID 2): the WSL2 and VM host bridge. */
static int op_vsock(char **a, int n) {
  (void)n;
  int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    rf_err("vsock-socket", errno, "socket(AF_VSOCK)");
    return 0;
  }
  rf_ok("vsock-socket", "socket(AF_VSOCK) created");
  struct sockaddr_vm svm = {.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_HOST,
                            .svm_port = (unsigned)atoi(a[0])};
  int rc = connect_timeout(fd, (struct sockaddr *)&svm, sizeof(svm), 1000);
  rf_result("vsock-connect", rc, "CID 2 port %s", a[0]);
  close(fd);
  return 0;
}

/* A netlink route socket, and the interfaces it can see. */
static int op_netlink(char **a, int n) {
  (void)a;
  (void)n;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) {
    rf_err("netlink-socket", errno, "socket(AF_NETLINK, NETLINK_ROUTE)");
  } else {
    struct {
      struct nlmsghdr nh;
      struct rtgenmsg g;
    } req = {.nh = {.nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK,
                    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1},
             .g = {.rtgen_family = AF_UNSPEC}};
    int links = 0;
    if (send(fd, &req, sizeof(req), 0) > 0) {
      char buf[16384];
      for (int done = 0; !done;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 1000) <= 0)
          break;
        ssize_t got = recv(fd, buf, sizeof(buf), 0);
        if (got <= 0)
          break;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)got);
             h = NLMSG_NEXT(h, got)) {
          if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
            done = 1;
            break;
          }
          if (h->nlmsg_type == RTM_NEWLINK)
            links++;
        }
      }
    }
    rf_ok("netlink-socket", "NETLINK_ROUTE socket created; it lists %d interfaces", links);
    close(fd);
  }
  int ufd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
  rf_result("netlink-uevent", ufd, "socket(AF_NETLINK, NETLINK_KOBJECT_UEVENT)");
  if (ufd >= 0)
    close(ufd);
  int afd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  rf_result("netlink-audit", afd, "socket(AF_NETLINK, NETLINK_AUDIT)");
  if (afd >= 0)
    close(afd);
  return 0;
}

static int op_packet(char **a, int n) {
  (void)a;
  (void)n;
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(0x0003 /* ETH_P_ALL */));
  rf_result("packet-socket", fd, "socket(AF_PACKET, SOCK_RAW, ETH_P_ALL)");
  if (fd >= 0)
    close(fd);
  fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
  rf_result("raw-inet-socket", fd, "socket(AF_INET, SOCK_RAW, ICMP)");
  if (fd >= 0)
    close(fd);
  return 0;
}

/* ---- in-sandbox servers and clients (must keep working) ---- */

static int exchange_client(int fd, const char *op, const char *what) {
  const char ping[] = "ping";
  char buf[16] = "";
  if (send(fd, ping, 4, MSG_NOSIGNAL) != 4) {
    rf_err(op, errno, "send to %s", what);
    return -1;
  }
  struct pollfd p = {.fd = fd, .events = POLLIN};
  if (poll(&p, 1, 5000) <= 0) {
    rf_err(op, ETIMEDOUT, "no answer from %s", what);
    return -1;
  }
  ssize_t got = recv(fd, buf, sizeof(buf) - 1, 0);
  if (got != 4 || memcmp(buf, "pong", 4) != 0) {
    rf_err(op, got < 0 ? errno : EPROTO, "bad answer from %s", what);
    return -1;
  }
  rf_ok(op, "ping/pong with %s", what);
  return 0;
}

static void serve_one(int lfd, int type) {
  char buf[16];
  if (type == SOCK_DGRAM) {
    struct sockaddr_storage peer;
    socklen_t plen = sizeof(peer);
    ssize_t got = recvfrom(lfd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);
    if (got > 0)
      sendto(lfd, "pong", 4, 0, (struct sockaddr *)&peer, plen);
    return;
  }
  int cfd = accept(lfd, NULL, NULL);
  if (cfd < 0)
    return;
  ssize_t got = recv(cfd, buf, sizeof(buf), 0);
  if (got > 0)
    send(cfd, "pong", 4, MSG_NOSIGNAL);
  close(cfd);
}

/* A server process and a separate client process over loopback TCP or UDP. */
static int loopback_pair(const char *op, const char *addr, int type) {
  struct sockaddr_storage ss;
  socklen_t len;
  if (resolve_numeric(addr, "0", type, &ss, &len) < 0) {
    rf_err(op, EINVAL, "bad address %s", addr);
    return 0;
  }
  int lfd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
  if (lfd < 0) {
    rf_err(op, errno, "socket for %s", addr);
    return 0;
  }
  if (bind(lfd, (struct sockaddr *)&ss, len) < 0 || (type == SOCK_STREAM && listen(lfd, 4) < 0)) {
    rf_err(op, errno, "bind/listen on %s", addr);
    close(lfd);
    return 0;
  }
  len = sizeof(ss);
  getsockname(lfd, (struct sockaddr *)&ss, &len);
  fflush(stdout);
  pid_t server = fork();
  if (server == 0) {
    serve_one(lfd, type);
    _exit(0);
  }
  close(lfd);
  int fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
  char what[128];
  snprintf(what, sizeof(what), "a server process on %s port %d", addr,
           ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                         : ((struct sockaddr_in6 *)&ss)->sin6_port));
  if (fd < 0 || connect_timeout(fd, (struct sockaddr *)&ss, len, 3000) < 0)
    rf_err(op, errno, "connect to %s", what);
  else
    exchange_client(fd, op, what);
  if (fd >= 0)
    close(fd);
  kill(server, SIGKILL);
  waitpid(server, NULL, 0);
  return 0;
}

static int op_tcp_pair(char **a, int n) {
  (void)n;
  return loopback_pair("tcp-pair", a[0], SOCK_STREAM);
}

static int op_udp_pair(char **a, int n) {
  (void)n;
  return loopback_pair("udp-pair", a[0], SOCK_DGRAM);
}

/* unix-serve NAME: bind (path or @abstract), accept one client, answer, exit. */
static int op_unix_serve(char **a, int n) {
  (void)n;
  struct sockaddr_un sun;
  socklen_t len = unix_addr(a[0], &sun);
  int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, len) < 0 || listen(lfd, 4) < 0) {
    rf_err("unix-serve", errno, "bind/listen %s", a[0]);
    return 0;
  }
  rf_ok("unix-serve", "listening on %s", a[0]);
  struct pollfd p = {.fd = lfd, .events = POLLIN};
  if (poll(&p, 1, 10000) > 0) {
    serve_one(lfd, SOCK_STREAM);
    rf_ok("unix-serve", "served one client on %s", a[0]);
  } else {
    rf_err("unix-serve", ETIMEDOUT, "no client on %s", a[0]);
  }
  close(lfd);
  if (a[0][0] != '@')
    unlink(a[0]);
  return 0;
}

/* unix-client NAME: connect (retrying for up to 5 s while the server starts). */
static int op_unix_client(char **a, int n) {
  (void)n;
  struct sockaddr_un sun;
  socklen_t len = unix_addr(a[0], &sun);
  for (int tries = 0; tries < 100; tries++) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      rf_err("unix-client", errno, "socket");
      return 0;
    }
    if (connect(fd, (struct sockaddr *)&sun, len) == 0) {
      exchange_client(fd, "unix-client", a[0]);
      close(fd);
      return 0;
    }
    int saved = errno;
    close(fd);
    if (tries == 99) {
      rf_err("unix-client", saved, "connect %s", a[0]);
      return 0;
    }
    usleep(50000);
  }
  return 0;
}

static int op_socketpair(char **a, int n) {
  (void)a;
  (void)n;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
    rf_err("socketpair", errno, "AF_UNIX stream");
    return 0;
  }
  char buf[4];
  int ok = write(sv[0], "ping", 4) == 4 && read(sv[1], buf, 4) == 4 && !memcmp(buf, "ping", 4);
  if (ok)
    rf_ok("socketpair", "AF_UNIX stream pair carries data");
  else
    rf_err("socketpair", EIO, "AF_UNIX stream pair lost data");
  close(sv[0]);
  close(sv[1]);
  return 0;
}

const rf_op rf_net_ops[] = {
    {"tcp-connect", 2, op_tcp_connect, "ADDR PORT  connect and send a probe"},
    {"udp-send", 2, op_udp_send, "ADDR PORT  send a datagram"},
    {"unix-connect", 1, op_unix_connect, "PATH|@ABSTRACT  connect (stream) and send a probe"},
    {"unix-dgram", 1, op_unix_dgram, "PATH|@ABSTRACT  send a datagram"},
    {"unix-raw", 1, op_unix_raw, "PATH|@ABSTRACT  send from SOCK_RAW and SOCK_DGRAM sockets and pairs"},
    {"unix-connect-many", -1, op_unix_connect_many, "TYPE PATH...  connect to each, no data"},
    {"passed-socket", 2, op_passed_socket, "FD PATH|@ABSTRACT|inet:IP:PORT  reach it with a socket made outside"},
    {"dns", 1, op_dns, "NAME  getaddrinfo"},
    {"dns-raw", 1, op_dns_raw, "NAME  raw UDP query to each resolv.conf nameserver"},
    {"socket-families", 0, op_socket_families, "  socket()/socketpair() for families 0..63"},
    {"vsock", 1, op_vsock, "PORT  AF_VSOCK connect to the host (CID 2)"},
    {"netlink", 0, op_netlink, "  NETLINK_ROUTE / KOBJECT_UEVENT / AUDIT sockets"},
    {"packet", 0, op_packet, "  AF_PACKET and raw IP sockets"},
    {"tcp-pair", 1, op_tcp_pair, "ADDR  server process + client process over TCP on ADDR"},
    {"udp-pair", 1, op_udp_pair, "ADDR  server process + client process over UDP on ADDR"},
    {"unix-serve", 1, op_unix_serve, "PATH|@ABSTRACT  serve one ping/pong client"},
    {"unix-client", 1, op_unix_client, "PATH|@ABSTRACT  ping/pong client (retries 5 s)"},
    {"socketpair", 0, op_socketpair, "  AF_UNIX socketpair works"},
    {NULL, 0, NULL, NULL},
};
