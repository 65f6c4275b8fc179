/* test-netproxy-unit.c: CUnit claims about ringfence-netproxy's decisions and parsers (core/netproxy):
 * domain rules, the private-address classifier, the HTTP and SOCKS5 parsers, the options, the
 * bridge's hand-over checks and the proxy's self-confinement (in a child process). */
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "address.h"
#include "confine.h"
#include "confine-filter.h"
#include "handoff.h"
#include "http.h"
#include "options.h"
#include "resolve.h"
#include "rules.h"
#include "socks5.h"
#include "../lib/rerun-unprivileged.h"

/* ---- domain rules ---- */

static np_rules *rules_of(const char *const *allow, const char *const *deny) {
  np_rules *r = np_rules_new();
  char err[300];
  for (; allow && *allow; allow++)
    CU_ASSERT_EQUAL_FATAL(np_rules_add(r, false, *allow, err, sizeof(err)), 0);
  for (; deny && *deny; deny++)
    CU_ASSERT_EQUAL_FATAL(np_rules_add(r, true, *deny, err, sizeof(err)), 0);
  return r;
}

/* Normalises |host| as a client's would be, then decides. */
static np_match decide(np_rules *r, const char *host) {
  char norm[300], rule[300];
  if (np_host_normalize(host, strlen(host), norm, sizeof(norm)) < 0)
    return (np_match)-1;
  return np_rules_match_host(r, norm, rule, sizeof(rule));
}

static void test_exact_host_matches_itself_only(void) {
  np_rules *r = rules_of((const char *[]){"registry.npmjs.org", NULL}, NULL);
  CU_ASSERT_EQUAL(decide(r, "registry.npmjs.org"), NP_MATCH_ALLOW);
  CU_ASSERT_EQUAL(decide(r, "npmjs.org"), NP_MATCH_NONE);
  CU_ASSERT_EQUAL(decide(r, "x.registry.npmjs.org"), NP_MATCH_NONE);
  CU_ASSERT_EQUAL(decide(r, "registry.npmjs.org.evil.com"), NP_MATCH_NONE);
  CU_ASSERT_EQUAL(decide(r, "evilregistry.npmjs.org"), NP_MATCH_NONE);
  np_rules_free(r);
}

static void test_star_dot_matches_subdomains_not_the_apex(void) {
  np_rules *r = rules_of((const char *[]){"*.github.com", NULL}, NULL);
  CU_ASSERT_EQUAL(decide(r, "api.github.com"), NP_MATCH_ALLOW);
  CU_ASSERT_EQUAL(decide(r, "a.b.github.com"), NP_MATCH_ALLOW);
  CU_ASSERT_EQUAL(decide(r, "github.com"), NP_MATCH_NONE);
  CU_ASSERT_EQUAL(decide(r, "evilgithub.com"), NP_MATCH_NONE);
  CU_ASSERT_EQUAL(decide(r, "github.com.evil.org"), NP_MATCH_NONE);
  np_rules_free(r);
}

static void test_double_star_matches_the_apex_and_subdomains(void) {
  np_rules *r = rules_of((const char *[]){"**.example.com", NULL}, NULL);
  CU_ASSERT_EQUAL(decide(r, "example.com"), NP_MATCH_ALLOW);
  CU_ASSERT_EQUAL(decide(r, "www.example.com"), NP_MATCH_ALLOW);
  CU_ASSERT_EQUAL(decide(r, "notexample.com"), NP_MATCH_NONE);
  np_rules_free(r);
}

static void test_case_trailing_dot_and_idna_are_normalised(void) {
  np_rules *r = rules_of((const char *[]){"Example.COM.", "bücher.example", NULL}, NULL);
  CU_ASSERT_EQUAL(decide(r, "EXAMPLE.com"), NP_MATCH_ALLOW);
  CU_ASSERT_EQUAL(decide(r, "example.com."), NP_MATCH_ALLOW);
  CU_ASSERT_EQUAL(decide(r, "xn--bcher-kva.example"), NP_MATCH_ALLOW);
  CU_ASSERT_EQUAL(decide(r, "BÜCHER.example"), NP_MATCH_ALLOW);
  CU_ASSERT_EQUAL(decide(r, "bucher.example"), NP_MATCH_NONE);
  char norm[300];
  CU_ASSERT_EQUAL(np_host_normalize("Bücher.Example.", strlen("Bücher.Example."), norm, sizeof(norm)), 0);
  CU_ASSERT_STRING_EQUAL(norm, "xn--bcher-kva.example");
  np_rules_free(r);
}

static void test_deny_wins_over_allow(void) {
  np_rules *r = rules_of((const char *[]){"*.example.com", "*", NULL}, (const char *[]){"evil.example.com", NULL});
  char rule[300];
  CU_ASSERT_EQUAL(np_rules_match_host(r, "evil.example.com", rule, sizeof(rule)), NP_MATCH_DENY);
  CU_ASSERT_STRING_EQUAL(rule, "deny-domain:evil.example.com");
  CU_ASSERT_EQUAL(np_rules_match_host(r, "good.example.com", rule, sizeof(rule)), NP_MATCH_ALLOW);
  CU_ASSERT_STRING_EQUAL(rule, "allow-domain:*.example.com");
  np_rules_free(r);
}

static void test_an_empty_allowlist_allows_nothing(void) {
  np_rules *r = rules_of(NULL, NULL);
  char rule[300];
  CU_ASSERT_EQUAL(np_rules_match_host(r, "example.com", rule, sizeof(rule)), NP_MATCH_NONE);
  CU_ASSERT_STRING_EQUAL(rule, "not-allowlisted");
  CU_ASSERT_EQUAL(np_rules_match_host(r, "8.8.8.8", rule, sizeof(rule)), NP_MATCH_NONE);
  np_rules_free(r);
}

static void test_names_never_match_literal_addresses(void) {
  np_rules *r = rules_of((const char *[]){"*", "**.example.com", NULL}, NULL);
  CU_ASSERT_EQUAL(decide(r, "93.184.216.34"), NP_MATCH_NONE);
  CU_ASSERT_EQUAL(decide(r, "[2606:2800:220:1::]"), NP_MATCH_NONE);
  np_rules_free(r);
  r = rules_of((const char *[]){"10.1.2.3", "fd00::/8", NULL}, (const char *[]){"10.1.2.0/24", NULL});
  CU_ASSERT_EQUAL(decide(r, "10.1.2.3"), NP_MATCH_DENY); /* deny wins for networks too */
  CU_ASSERT_EQUAL(decide(r, "fd12::1"), NP_MATCH_ALLOW);
  CU_ASSERT_EQUAL(decide(r, "[fd12::1]"), NP_MATCH_ALLOW);
  np_rules_free(r);
}

static void test_numeric_looking_names_and_garbage_are_refused(void) {
  char norm[300];
  const char *bad[] = {"127.1", "0x7f.0.0.1", "2130706433", "a..b", "-", "a b.com", "x.com/", "a@b.com", ""};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
    CU_ASSERT_EQUAL(np_host_normalize(bad[i], strlen(bad[i]), norm, sizeof(norm)), -EINVAL);
  np_rules *r = np_rules_new();
  char err[300];
  CU_ASSERT_EQUAL(np_rules_add(r, false, "a.*.com", err, sizeof(err)), -EINVAL);
  CU_ASSERT(strstr(err, "--allow-domain a.*.com") != NULL);
  CU_ASSERT_EQUAL(np_rules_add(r, true, "10.0.0.0/33", err, sizeof(err)), -EINVAL);
  CU_ASSERT_EQUAL(np_rules_add(r, false, "*.", err, sizeof(err)), -EINVAL);
  np_rules_free(r);
}

static void test_an_allowlisted_literal_lets_its_address_through(void) {
  np_rules *r = rules_of((const char *[]){"127.0.0.1", "10.0.0.0/8", NULL}, NULL);
  np_addr a;
  char rule[300];
  CU_ASSERT_EQUAL(np_addr_parse("127.0.0.1", 9, &a), 0);
  CU_ASSERT_EQUAL(np_rules_match_addr(r, &a, rule, sizeof(rule)), NP_MATCH_ALLOW);
  CU_ASSERT_EQUAL(np_addr_parse("::ffff:127.0.0.1", 16, &a), 0); /* the mapped form is the same host */
  CU_ASSERT_EQUAL(np_rules_match_addr(r, &a, rule, sizeof(rule)), NP_MATCH_ALLOW);
  CU_ASSERT_EQUAL(np_addr_parse("127.0.0.2", 9, &a), 0);
  CU_ASSERT_EQUAL(np_rules_match_addr(r, &a, rule, sizeof(rule)), NP_MATCH_NONE);
  CU_ASSERT_EQUAL(np_addr_parse("10.200.1.1", 10, &a), 0);
  CU_ASSERT_EQUAL(np_rules_match_addr(r, &a, rule, sizeof(rule)), NP_MATCH_ALLOW);
  np_rules_free(r);
}

/* ---- private addresses ---- */

static bool private(const char *text) {
  np_addr a;
  CU_ASSERT_EQUAL_FATAL(np_addr_parse(text, strlen(text), &a), 0);
  return np_addr_is_private(&a, NULL);
}

static void test_every_private_range_is_refused(void) {
  const char *priv[] = {
      "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254", "127.0.0.1",
      "127.255.255.254", "169.254.169.254", "169.254.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
      "192.0.0.170", "192.0.2.1", "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1",
      "239.255.255.250", "240.0.0.1", "255.255.255.255",
      "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "fec0::1", "ff02::1", "ff05::1:3",
      "100::1", "2001:db8::1", "64:ff9b:1::1", "2001::1",
      /* IPv6 forms that embed a private IPv4 address */
      "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "::127.0.0.1", "::10.1.1.1",
      "::ffff:0:127.0.0.1", "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1", "2002:a9fe:a9fe::",
      "2002:c0a8:0101::1",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(priv); i++) {
    if (!private(priv[i]))
      fprintf(stderr, "not classified private: %s\n", priv[i]);
    CU_ASSERT(private(priv[i]));
  }
}

static void test_public_addresses_are_not_private(void) {
  const char *pub[] = {"8.8.8.8", "1.1.1.1", "93.184.216.34", "100.63.255.255", "100.128.0.0", "172.15.255.255",
                       "172.32.0.0", "192.167.1.1", "169.253.1.1", "11.0.0.1", "223.255.255.254",
                       "2606:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808",
                       "2002:808:808::1"};
  for (size_t i = 0; i < G_N_ELEMENTS(pub); i++) {
    if (private(pub[i]))
      fprintf(stderr, "classified private: %s\n", pub[i]);
    CU_ASSERT(!private(pub[i]));
  }
}

static void test_cidr_parsing_and_matching(void) {
  np_cidr c;
  np_addr a;
  CU_ASSERT_EQUAL(np_cidr_parse("10.0.0.0/8", &c), 0);
  CU_ASSERT_EQUAL(np_addr_parse("10.9.9.9", 8, &a), 0);
  CU_ASSERT(np_cidr_contains(&c, &a));
  CU_ASSERT_EQUAL(np_addr_parse("11.0.0.0", 8, &a), 0);
  CU_ASSERT(!np_cidr_contains(&c, &a));
  CU_ASSERT_EQUAL(np_cidr_parse("[fd00::]/8", &c), 0);
  CU_ASSERT_EQUAL(np_cidr_parse("10.0.0.0/", &c), -EINVAL);
  CU_ASSERT_EQUAL(np_cidr_parse("10.0.0.0/-1", &c), -EINVAL);
  CU_ASSERT_EQUAL(np_cidr_parse("::/129", &c), -EINVAL);
  CU_ASSERT_EQUAL(np_cidr_parse("example.com/8", &c), -EINVAL);
  CU_ASSERT_EQUAL(np_addr_parse("1.2.3.4.5", 9, &a), -EINVAL);
}

/* ---- HTTP ---- */

static np_http_request *parse_all(const char *text, ssize_t *rc) {
  np_http_request *r = g_new0(np_http_request, 1);
  np_http_request_init(r);
  *rc = np_http_request_feed(r, text, strlen(text));
  return r;
}

static void test_connect_gives_host_and_port_and_stops_at_the_headers(void) {
  const char *req = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01";
  ssize_t rc;
  np_http_request *r = parse_all(req, &rc);
  CU_ASSERT_TRUE(r->headers_done);
  CU_ASSERT_EQUAL(rc, (ssize_t)(strlen(req) - 3)); /* the TLS bytes are the tunnel's */
  np_http_target t;
  char err[200];
  CU_ASSERT_EQUAL(np_http_request_target(r, &t, err, sizeof(err)), 0);
  CU_ASSERT_TRUE(t.is_connect);
  CU_ASSERT_STRING_EQUAL(t.host, "example.com");
  CU_ASSERT_EQUAL(t.port, 443);
  g_free(r);
}

static void test_absolute_form_is_rebuilt_in_origin_form_with_our_host(void) {
  const char *req = "POST http://Example.com:8080/a/b?q=1#frag HTTP/1.1\r\nHost: other.example\r\n"
                    "Proxy-Authorization: Basic eDp5\r\nConnection: keep-alive, X-Secret\r\nX-Secret: 1\r\n"
                    "Content-Length: 5\r\nUser-Agent: t\r\n\r\nhello"
                    "GET http://smuggled.example/ HTTP/1.1\r\n\r\n";
  ssize_t rc;
  np_http_request *r = parse_all(req, &rc);
  CU_ASSERT_TRUE(r->headers_done);
  CU_ASSERT_FALSE(r->message_done);
  size_t hl = r->header_len;
  CU_ASSERT_EQUAL((size_t)rc, hl);
  ssize_t body = np_http_request_feed(r, req + hl, strlen(req) - hl);
  CU_ASSERT_EQUAL(body, 5); /* the request ends after its body: the smuggled one is not part of it */
  CU_ASSERT_TRUE(r->message_done);
  np_http_target t;
  char err[200], out[4096];
  CU_ASSERT_EQUAL(np_http_request_target(r, &t, err, sizeof(err)), 0);
  CU_ASSERT_STRING_EQUAL(t.host, "Example.com");
  CU_ASSERT_EQUAL(t.port, 8080);
  CU_ASSERT_STRING_EQUAL(t.path, "/a/b?q=1");
  snprintf(t.host, sizeof(t.host), "example.com");
  ssize_t n = np_http_request_build(r, &t, false, out, sizeof(out));
  CU_ASSERT_FATAL(n > 0);
  out[n] = '\0';
  CU_ASSERT(g_str_has_prefix(out, "POST /a/b?q=1 HTTP/1.1\r\nHost: example.com:8080\r\n"));
  CU_ASSERT(strstr(out, "other.example") == NULL);
  CU_ASSERT(strstr(out, "Proxy-Authorization") == NULL);
  CU_ASSERT(strstr(out, "X-Secret") == NULL);
  CU_ASSERT(strstr(out, "keep-alive") == NULL);
  CU_ASSERT(strstr(out, "Content-Length: 5\r\n") != NULL);
  CU_ASSERT(g_str_has_suffix(out, "User-Agent: t\r\nConnection: close\r\n\r\n"));
  n = np_http_request_build(r, &t, true, out, sizeof(out));
  out[n] = '\0';
  CU_ASSERT(g_str_has_prefix(out, "POST http://example.com:8080/a/b?q=1 HTTP/1.1\r\n"));
  g_free(r);
}

static void test_requests_fed_byte_by_byte_parse_the_same(void) {
  const char *req = "GET http://a.example/x HTTP/1.1\r\nHost: a.example\r\nAccept: */*\r\n\r\n";
  np_http_request *r = g_new0(np_http_request, 1);
  np_http_request_init(r);
  size_t total = 0;
  for (size_t i = 0; i < strlen(req); i++) {
    ssize_t n = np_http_request_feed(r, req + i, 1);
    CU_ASSERT(n == 0 || n == 1);
    total += (size_t)(n > 0 ? n : 0);
    if (r->message_done)
      break;
  }
  CU_ASSERT_TRUE(r->headers_done);
  CU_ASSERT_TRUE(r->message_done);
  CU_ASSERT_EQUAL(r->header_len, strlen(req));
  CU_ASSERT_EQUAL(r->n_headers, 2);
  g_free(r);
}

static void test_non_proxy_and_malformed_requests_are_refused(void) {
  const char *bad_target[] = {"GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n",
                              "GET https://a.example/ HTTP/1.1\r\n\r\n", "CONNECT a.example HTTP/1.1\r\n\r\n",
                              "GET ftp://a.example/ HTTP/1.1\r\n\r\n"};
  for (size_t i = 0; i < G_N_ELEMENTS(bad_target); i++) {
    ssize_t rc;
    np_http_request *r = parse_all(bad_target[i], &rc);
    np_http_target t;
    char err[200];
    if (rc >= 0 && r->headers_done)
      CU_ASSERT_EQUAL(np_http_request_target(r, &t, err, sizeof(err)), -EPROTO);
    g_free(r);
  }
  const char *bad[] = {"\x16\x03\x01\x02\x00", "GET http://a/ HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                       "GET http://a/ HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    ssize_t rc;
    np_http_request *r = parse_all(bad[i], &rc);
    CU_ASSERT_EQUAL(rc, -EPROTO);
    g_free(r);
  }
}

static void test_oversized_headers_are_refused(void) {
  GString *s = g_string_new("GET http://a.example/ HTTP/1.1\r\n");
  for (int i = 0; i < 200; i++)
    g_string_append_printf(s, "X-%d: v\r\n", i);
  g_string_append(s, "\r\n");
  ssize_t rc;
  np_http_request *r = parse_all(s->str, &rc);
  CU_ASSERT_EQUAL(rc, -E2BIG);
  g_free(r);
  g_string_assign(s, "GET http://a.example/ HTTP/1.1\r\nX: ");
  for (int i = 0; i < NP_HTTP_HEADER_BLOCK_MAX; i++)
    g_string_append_c(s, 'v');
  r = parse_all(s->str, &rc);
  CU_ASSERT_EQUAL(rc, -E2BIG);
  g_free(r);
  g_string_free(s, TRUE);
}

static void test_upstream_connect_answers_are_parsed(void) {
  size_t hl = 0;
  const char *ok = "HTTP/1.1 200 Connection established\r\nVia: x\r\n\r\nTLS";
  CU_ASSERT_EQUAL(np_http_response_status(ok, strlen(ok), &hl), 200);
  CU_ASSERT_EQUAL(hl, strlen(ok) - 3);
  CU_ASSERT_EQUAL(np_http_response_status("HTTP/1.1 407 Auth\r\n", 19, &hl), 0);
  CU_ASSERT_EQUAL(np_http_response_status("SSH-2.0-x\r\n\r\n", 13, &hl), -EPROTO);
}

/* ---- SOCKS5 ---- */

static void test_socks_greeting(void) {
  int no_auth;
  CU_ASSERT_EQUAL(np_socks5_parse_greeting((const uint8_t *)"\x05\x01\x00", 3, &no_auth), 3);
  CU_ASSERT_TRUE(no_auth);
  CU_ASSERT_EQUAL(np_socks5_parse_greeting((const uint8_t *)"\x05\x01\x02", 3, &no_auth), 3);
  CU_ASSERT_FALSE(no_auth);
  CU_ASSERT_EQUAL(np_socks5_parse_greeting((const uint8_t *)"\x05\x02\x02", 3, &no_auth), 0);
  CU_ASSERT_EQUAL(np_socks5_parse_greeting((const uint8_t *)"\x05\x00", 2, &no_auth), -EPROTO);
  CU_ASSERT_EQUAL(np_socks5_parse_greeting((const uint8_t *)"\x04\x01\x00", 3, &no_auth), -EPROTO);
}

static void test_socks_requests(void) {
  np_socks5_request req;
  uint8_t code;
  const uint8_t name[] = {5, 1, 0, 3, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm', 0x01, 0xbb};
  CU_ASSERT_EQUAL(np_socks5_parse_request(name, sizeof(name), &req, &code), (int)sizeof(name));
  CU_ASSERT_STRING_EQUAL(req.host, "example.com");
  CU_ASSERT_EQUAL(req.port, 443);
  CU_ASSERT_EQUAL(req.command, 1);
  for (size_t i = 0; i < sizeof(name); i++)
    CU_ASSERT_EQUAL(np_socks5_parse_request(name, i, &req, &code), 0);
  const uint8_t v4[] = {5, 1, 0, 1, 169, 254, 169, 254, 0, 80};
  CU_ASSERT_EQUAL(np_socks5_parse_request(v4, sizeof(v4), &req, &code), 10);
  CU_ASSERT_STRING_EQUAL(req.host, "169.254.169.254");
  const uint8_t v6[] = {5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1, 0, 80};
  CU_ASSERT_EQUAL(np_socks5_parse_request(v6, sizeof(v6), &req, &code), 22);
  CU_ASSERT_STRING_EQUAL(req.host, "::ffff:127.0.0.1");
  const uint8_t nul[] = {5, 1, 0, 3, 3, 'a', 0, 'b', 0, 80};
  CU_ASSERT_EQUAL(np_socks5_parse_request(nul, sizeof(nul), &req, &code), -EPROTO);
  const uint8_t atyp[] = {5, 1, 0, 9, 0, 0};
  CU_ASSERT_EQUAL(np_socks5_parse_request(atyp, sizeof(atyp), &req, &code), -EPROTO);
  CU_ASSERT_EQUAL(code, NP_SOCKS_ADDRESS_NOT_SUPPORTED);
  const uint8_t port0[] = {5, 1, 0, 1, 1, 2, 3, 4, 0, 0};
  CU_ASSERT_EQUAL(np_socks5_parse_request(port0, sizeof(port0), &req, &code), -EPROTO);
  uint8_t out[300];
  CU_ASSERT_EQUAL(np_socks5_build_request("example.com", 443, out, sizeof(out)), (int)sizeof(name));
  CU_ASSERT(memcmp(out, name, sizeof(name)) == 0);
  uint8_t rep[10];
  CU_ASSERT_EQUAL(np_socks5_reply(NP_SOCKS_NOT_ALLOWED, rep), 10);
  CU_ASSERT_EQUAL(np_socks5_parse_reply(rep, 10, &code), 10);
  CU_ASSERT_EQUAL(code, NP_SOCKS_NOT_ALLOWED);
  CU_ASSERT_EQUAL(np_socks5_parse_reply(rep, 9, &code), 0);
}

/* ---- options and fixed answers ---- */

static int parse(const char *const *argv, np_options *o, char *err) {
  int argc = 0;
  while (argv[argc])
    argc++;
  return np_options_parse(argc, (char **)argv, o, err, 300);
}

static void test_options(void) {
  np_options o;
  char err[300];
  CU_ASSERT_EQUAL(parse((const char *[]){"--control-fd", "2", "--listen-tcp", "--allow-domain", "a", "--allow-domain",
                                         "b", "--deny-domain", "c", "--mode", "limited", "--resolve", "a:1.2.3.4",
                                         "--allow-local-binding", NULL},
                        &o, err),
                  0);
  CU_ASSERT_EQUAL(o.control_fd, 2);
  CU_ASSERT_TRUE(o.listen_tcp);
  CU_ASSERT_TRUE(o.limited);
  CU_ASSERT_STRING_EQUAL(o.allow[1], "b");
  CU_ASSERT_PTR_NULL(o.allow[2]);
  CU_ASSERT_STRING_EQUAL(o.deny[0], "c");
  np_options_clear(&o);
  CU_ASSERT_EQUAL(parse((const char *[]){"--control-fd", "2", "--listen-tcp", "--frobnicate", NULL}, &o, err), -EINVAL);
  CU_ASSERT(strstr(err, "--frobnicate") != NULL);
  CU_ASSERT_EQUAL(parse((const char *[]){"--listen-tcp", NULL}, &o, err), -EINVAL);
  CU_ASSERT(strstr(err, "--control-fd") != NULL);
  CU_ASSERT_EQUAL(parse((const char *[]){"--control-fd", "2", NULL}, &o, err), -EINVAL);
  CU_ASSERT_EQUAL(parse((const char *[]){"--control-fd", "987654", "--listen-tcp", NULL}, &o, err), -EINVAL);
  CU_ASSERT_EQUAL(parse((const char *[]){"--control-fd", "2", "--listen-tcp", "--mode", "open", NULL}, &o, err),
                  -EINVAL);
  CU_ASSERT_EQUAL(parse((const char *[]){"--control-fd", "2", "--listen-tcp", "--log-fd", NULL}, &o, err), -EINVAL);
}

static void test_fixed_answers_replace_lookups(void) {
  np_resolver *res = np_resolver_new();
  char err[300];
  np_addr out[NP_RESOLVE_MAX], want;
  CU_ASSERT_EQUAL(np_resolver_add_fixed(res, "Rebind.Test:93.184.216.34", err, sizeof(err)), 0);
  CU_ASSERT_EQUAL(np_resolver_add_fixed(res, "rebind.test:[::ffff:127.0.0.1]", err, sizeof(err)), 0);
  CU_ASSERT_EQUAL(np_resolver_add_fixed(res, "bad", err, sizeof(err)), -EINVAL);
  CU_ASSERT_EQUAL(np_resolver_add_fixed(res, "1.2.3.4:5.6.7.8", err, sizeof(err)), -EINVAL);
  CU_ASSERT_EQUAL(np_resolve(res, "rebind.test", out, NP_RESOLVE_MAX, err, sizeof(err)), 2);
  np_addr_parse("::ffff:127.0.0.1", 16, &want);
  CU_ASSERT(memcmp(&out[1], &want, sizeof(want)) == 0);
  CU_ASSERT(np_addr_is_private(&out[1], NULL));
  CU_ASSERT_EQUAL(np_resolve(res, "10.0.0.1", out, NP_RESOLVE_MAX, err, sizeof(err)), 1);
  CU_ASSERT_EQUAL(np_resolve(res, "localhost", out, NP_RESOLVE_MAX, err, sizeof(err)) > 0, 1);
  np_resolver_free(res);
}

/* ---- the bridge's hand-over ---- */

static void test_only_connected_tcp_sockets_are_accepted(void) {
  int sp[2];
  char why[200];
  CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
  CU_ASSERT_EQUAL(np_handoff_check(sp[0], why, sizeof(why)), -EINVAL);
  int devnull = open("/dev/null", O_RDONLY);
  CU_ASSERT_EQUAL(np_handoff_check(devnull, why, sizeof(why)), -EINVAL);
  int udp = socket(AF_INET, SOCK_DGRAM, 0);
  CU_ASSERT_EQUAL(np_handoff_check(udp, why, sizeof(why)), -EINVAL);
  int lst = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t sl = sizeof(sin);
  CU_ASSERT_EQUAL_FATAL(bind(lst, (struct sockaddr *)&sin, sizeof(sin)), 0);
  CU_ASSERT_EQUAL_FATAL(listen(lst, 4), 0);
  CU_ASSERT_EQUAL(np_handoff_check(lst, why, sizeof(why)), -EINVAL);
  CU_ASSERT(strstr(why, "listening") != NULL);
  int unconnected = socket(AF_INET, SOCK_STREAM, 0);
  CU_ASSERT_EQUAL(np_handoff_check(unconnected, why, sizeof(why)), -EINVAL);
  getsockname(lst, (struct sockaddr *)&sin, &sl);
  int cli = socket(AF_INET, SOCK_STREAM, 0);
  CU_ASSERT_EQUAL_FATAL(connect(cli, (struct sockaddr *)&sin, sizeof(sin)), 0);
  int acc = accept(lst, NULL, NULL);
  CU_ASSERT_EQUAL(np_handoff_check(acc, why, sizeof(why)), 0);
  CU_ASSERT_EQUAL(np_handoff_check(cli, why, sizeof(why)), 0);

  /* Over a SOCK_SEQPACKET socket: one good descriptor; then two at once (both closed). */
  int sq[2];
  CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sq), 0);
  char byte = 'x';
  struct iovec iov = {&byte, 1};
  union {
    char buf[CMSG_SPACE(2 * sizeof(int))];
    struct cmsghdr align;
  } cm;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf, .msg_controllen = CMSG_SPACE(sizeof(int))};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &acc, sizeof(int));
  CU_ASSERT_EQUAL(sendmsg(sq[0], &msg, 0), 1);
  int got = -1;
  CU_ASSERT_EQUAL(np_handoff_receive(sq[1], &got, why, sizeof(why)), 1);
  CU_ASSERT(got >= 0);
  close(got);
  int two[2] = {acc, devnull};
  msg.msg_controllen = CMSG_SPACE(2 * sizeof(int));
  c = CMSG_FIRSTHDR(&msg);
  c->cmsg_len = CMSG_LEN(2 * sizeof(int));
  memcpy(CMSG_DATA(c), two, sizeof(two));
  CU_ASSERT_EQUAL(sendmsg(sq[0], &msg, 0), 1);
  CU_ASSERT_EQUAL(np_handoff_receive(sq[1], &got, why, sizeof(why)), 0);
  CU_ASSERT(strstr(why, "2 descriptors") != NULL);
  msg.msg_controllen = CMSG_SPACE(sizeof(int));
  c = CMSG_FIRSTHDR(&msg);
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &sp[0], sizeof(int));
  CU_ASSERT_EQUAL(sendmsg(sq[0], &msg, 0), 1);
  CU_ASSERT_EQUAL(np_handoff_receive(sq[1], &got, why, sizeof(why)), 0);
  CU_ASSERT(strstr(why, "IPv4 or IPv6") != NULL);
  CU_ASSERT_EQUAL(np_handoff_receive(sq[1], &got, why, sizeof(why)), -EAGAIN);
  close(sq[0]);
  CU_ASSERT_EQUAL(np_handoff_receive(sq[1], &got, why, sizeof(why)), -EPIPE);
  close(sq[1]);
  close(sp[0]);
  close(sp[1]);
  close(devnull);
  close(udp);
  close(lst);
  close(unconnected);
  close(cli);
  close(acc);
}

/* ---- self-confinement (in a child: it cannot be undone) ---- */

static void test_confinement_denies_exec_writes_and_unix_sockets_but_lookups_work(void) {
  char dir[] = "/var/tmp/np-unit-XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  g_autofree char *victim = g_build_filename(dir, "written", NULL);
  pid_t pid = fork();
  CU_ASSERT_FATAL(pid >= 0);
  if (pid == 0) {
    np_confinement conf;
    char err[300];
    int fails = 0;
    if (np_confine(256, 0, &conf, err, sizeof(err)) < 0) {
      fprintf(stderr, "%s\n", err);
      _exit(100);
    }
    char *argv[] = {"/bin/true", NULL};
    execv("/bin/true", argv);
    if (errno != EPERM && errno != EACCES)
      fails |= 1;
    if (open(victim, O_WRONLY | O_CREAT, 0600) >= 0 || creat(victim, 0600) >= 0)
      fails |= 2;
    if (socket(AF_UNIX, SOCK_STREAM, 0) >= 0 || socket(AF_NETLINK, SOCK_RAW, 0) >= 0)
      fails |= 4;
    if (ptrace(PTRACE_TRACEME, 0, 0, 0) == 0 || fork() >= 0)
      fails |= 8;
    if (open("/etc/hosts", O_RDONLY) < 0) /* reading still works: the resolver reads /etc */
      fails |= 16;
    struct addrinfo *ai = NULL, hints = {.ai_socktype = SOCK_STREAM};
    if (getaddrinfo("localhost", NULL, &hints, &ai) != 0)
      fails |= 32;
    int tcp = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (tcp < 0)
      fails |= 64;
    else if (conf.landlock_abi >= 4 && bind(tcp, (struct sockaddr *)&sin, sizeof(sin)) == 0)
      fails |= 128;
    _exit(fails);
  }
  int status = 0;
  CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
  CU_ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status))
    fprintf(stderr, "confinement failures (bits): %d\n", WEXITSTATUS(status));
  CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
  struct stat st;
  CU_ASSERT_EQUAL(stat(victim, &st), -1); /* host-side evidence: nothing was created */
  rmdir(dir);
}

/* The program the proxy loads is the one libseccomp builds from confine-filter.c today: a rule
 * changed without the generated copy following would be caught here. */
static void test_precompiled_filter_is_current(void) {
  char err[256] = "";
  int fd = memfd_create("filter", MFD_CLOEXEC);
  CU_ASSERT_FATAL(fd >= 0);
  CU_ASSERT_EQUAL_FATAL(np_confine_filter_export(fd, err, sizeof(err)), 0);
  off_t size = lseek(fd, 0, SEEK_END);
  struct sock_fprog prog = np_confine_precompiled();
  CU_ASSERT_TRUE(prog.len > 20); /* an allowlist, not an empty program */
  CU_ASSERT_EQUAL_FATAL((size_t)size, prog.len * sizeof(struct sock_filter));
  unsigned char *now = g_malloc((size_t)size);
  CU_ASSERT_EQUAL_FATAL(pread(fd, now, (size_t)size, 0), size);
  CU_ASSERT_EQUAL(memcmp(now, prog.filter, (size_t)size), 0);
  g_free(now);
  close(fd);
}

int main(int argc, char **argv) {
  int skip = rf_test_rerun_unprivileged(argc, argv);
  if (skip >= 0)
    return skip;
  if (CU_initialize_registry() != CUE_SUCCESS)
    return CU_get_error();
  CU_pSuite s = CU_add_suite("ringfence-netproxy: domain rules", NULL, NULL);
  CU_add_test(s, "an exact host matches itself only", test_exact_host_matches_itself_only);
  CU_add_test(s, "*.x matches subdomains, not the apex", test_star_dot_matches_subdomains_not_the_apex);
  CU_add_test(s, "**.x matches the apex and subdomains", test_double_star_matches_the_apex_and_subdomains);
  CU_add_test(s, "case, a trailing dot and IDNA are normalised", test_case_trailing_dot_and_idna_are_normalised);
  CU_add_test(s, "deny wins over allow", test_deny_wins_over_allow);
  CU_add_test(s, "an empty allowlist allows nothing", test_an_empty_allowlist_allows_nothing);
  CU_add_test(s, "name patterns never match literal addresses", test_names_never_match_literal_addresses);
  CU_add_test(s, "numeric-looking names and garbage are refused", test_numeric_looking_names_and_garbage_are_refused);
  CU_add_test(s, "an allowlisted literal lets its address through", test_an_allowlisted_literal_lets_its_address_through);
  s = CU_add_suite("ringfence-netproxy: private addresses", NULL, NULL);
  CU_add_test(s, "every private range and embedded form is private", test_every_private_range_is_refused);
  CU_add_test(s, "public addresses are not", test_public_addresses_are_not_private);
  CU_add_test(s, "networks parse and match", test_cidr_parsing_and_matching);
  s = CU_add_suite("ringfence-netproxy: parsers", NULL, NULL);
  CU_add_test(s, "CONNECT gives host and port and stops at the headers",
              test_connect_gives_host_and_port_and_stops_at_the_headers);
  CU_add_test(s, "absolute form is rebuilt in origin form with our Host",
              test_absolute_form_is_rebuilt_in_origin_form_with_our_host);
  CU_add_test(s, "a request fed byte by byte parses the same", test_requests_fed_byte_by_byte_parse_the_same);
  CU_add_test(s, "non-proxy and malformed requests are refused", test_non_proxy_and_malformed_requests_are_refused);
  CU_add_test(s, "oversized headers are refused", test_oversized_headers_are_refused);
  CU_add_test(s, "an upstream's answer to CONNECT is parsed", test_upstream_connect_answers_are_parsed);
  CU_add_test(s, "SOCKS5 greeting", test_socks_greeting);
  CU_add_test(s, "SOCKS5 requests, replies and every short prefix", test_socks_requests);
  s = CU_add_suite("ringfence-netproxy: start-up", NULL, NULL);
  CU_add_test(s, "options: the contract, unknown options refused", test_options);
  CU_add_test(s, "fixed answers replace lookups, all kept", test_fixed_answers_replace_lookups);
  CU_add_test(s, "only connected TCP sockets are accepted from the bridge",
              test_only_connected_tcp_sockets_are_accepted);
  CU_add_test(s, "the compiled seccomp program is the one the rules give today",
              test_precompiled_filter_is_current);
  CU_add_test(s, "confined: no exec, no writes, no unix sockets; lookups still work",
              test_confinement_denies_exec_writes_and_unix_sockets_but_lookups_work);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
