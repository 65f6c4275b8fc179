#!/usr/bin/env python3
"""netproxy-test.py: ringfence-netproxy against real curl and servers this test starts on host loopback.

Usage: netproxy-test.py PROXY_BINARY [--unprivileged]

Every case starts the built proxy with --listen-tcp (or --accept-fd, the test playing the bridge),
maps names with --resolve (no internet here), and asserts host-side evidence: what the loopback
servers saw (a denied request never reaches them), the proxy's answer, its log lines, and that the
process is gone when its control socket closes.  --unprivileged re-runs the whole suite as uid 65534
(needs root; skipped otherwise).  Deadlines are generous: the machine may be loaded.
"""
import http.server
import json
import os
import shutil
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

PROXY = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
CURL = shutil.which('curl')
OPENSSL = shutil.which('openssl')
DEADLINE = 60  # seconds: generous, never asserted as a speed


class Proxy:
    """One ringfence-netproxy process, its control socket and its two logs."""

    def __init__(self, *args, listen=True, accept_sock=None, expect_ready=True, listen_sock=None):
        self.ctl, theirs = socket.socketpair()
        self.log_r, log_w = os.pipe()
        self.json_r, json_w = os.pipe()
        argv = [PROXY, '--control-fd', str(theirs.fileno()), '--log-fd', str(log_w), '--log-json-fd', str(json_w)]
        fds = [theirs.fileno(), log_w, json_w]
        if listen_sock is not None:
            argv += ['--listen-fd', str(listen_sock.fileno())]
            fds.append(listen_sock.fileno())
        elif listen:
            argv.append('--listen-tcp')
        if accept_sock is not None:
            argv += ['--accept-fd', str(accept_sock.fileno())]
            fds.append(accept_sock.fileno())
        argv += list(args)
        self.proc = subprocess.Popen(argv, pass_fds=fds, stderr=subprocess.PIPE)
        theirs.close()
        os.close(log_w)
        os.close(json_w)
        self.text, self.json = [], []
        for fd, sink in ((self.log_r, self.text), (self.json_r, self.json)):
            threading.Thread(target=self._drain, args=(fd, sink), daemon=True).start()
        self.ctl.settimeout(DEADLINE)
        line = b''
        while not line.endswith(b'\n'):
            chunk = self.ctl.recv(1)
            if not chunk:
                break
            line += chunk
        self.ready = line.decode(errors='replace').strip()
        if expect_ready:
            assert self.ready.startswith('ready '), 'proxy did not start: %r, %s' % (self.ready, self.stderr())
            self.port = int(self.ready.split()[1])

    @staticmethod
    def _drain(fd, sink):
        buf = b''
        while True:
            data = os.read(fd, 65536)
            if not data:
                break
            buf += data
            while b'\n' in buf:
                line, buf = buf.split(b'\n', 1)
                sink.append(line.decode(errors='replace'))
        os.close(fd)

    def url(self, scheme='http'):
        return '%s://127.0.0.1:%d' % (scheme, self.port)

    def stderr(self):
        try:
            return self.proc.stderr.read().decode(errors='replace') if self.proc.poll() is not None else ''
        except Exception:
            return ''

    def wait_log(self, pred, what):
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            for line in list(self.json):
                entry = json.loads(line)
                if pred(entry):
                    return entry
            time.sleep(0.05)
        raise AssertionError('no log line for %s; log: %s' % (what, self.text))

    def stop(self):
        self.ctl.close()
        try:
            rc = self.proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError('the proxy outlived its control socket')
        self.proc.stderr.close()
        return rc


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every request with the Host it saw; records method, path and Host."""
    protocol_version = 'HTTP/1.1'

    def _answer(self):
        body = ('%s %s host=%s\n' % (self.command, self.path, self.headers.get('Host'))).encode()
        length = int(self.headers.get('Content-Length') or 0)
        data = self.rfile.read(length) if length else b''
        self.server.seen.append((self.command, self.path, self.headers.get('Host'), data))
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    do_GET = do_POST = do_HEAD = do_OPTIONS = _answer

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, tls=None):
        super().__init__(('127.0.0.1', 0), Recorder)
        self.seen = []
        self.connections = 0
        if tls:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def get_request(self):
        conn = super().get_request()
        self.connections += 1
        return conn

    @property
    def port(self):
        return self.server_address[1]


class Echo(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            while True:
                data = self.request.recv(65536)
                if not data:
                    return
                self.request.sendall(data)

    def __init__(self):
        super().__init__(('127.0.0.1', 0), Echo.Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


def curl(proxy_url, url, *extra):
    out = subprocess.run([CURL, '-sS', '-i', '--max-time', str(DEADLINE), '--proxy', proxy_url, *extra, url],
                         capture_output=True, timeout=DEADLINE + 10)
    return out.returncode, out.stdout.decode(errors='replace').replace('\r', ''), out.stderr.decode(errors='replace')


def status_of(text):
    # The last status line (CONNECT's 200 comes first for HTTPS).
    lines = [l for l in text.split('\n') if l.startswith('HTTP/')]
    return int(lines[-1].split()[1]) if lines else None


def raw(port, data, read_until_close=True):
    s = socket.create_connection(('127.0.0.1', port), timeout=DEADLINE)
    s.sendall(data)
    out = b''
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
        if not read_until_close:
            break
    s.close()
    return out


# ---------------------------------------------------------------- cases

def case_http_allowed_denied_wildcard_deny_wins(ctx):
    srv = ctx['http']
    p = Proxy('--allow-domain', 'allowed.test', '--allow-domain', '*.wild.test', '--allow-domain', '127.0.0.1',
              '--deny-domain', 'evil.wild.test',
              '--resolve', 'allowed.test:127.0.0.1', '--resolve', 'denied.test:127.0.0.1',
              '--resolve', 'a.wild.test:127.0.0.1', '--resolve', 'wild.test:127.0.0.1',
              '--resolve', 'evil.wild.test:127.0.0.1')
    try:
        rc, out, err = curl(p.url(), 'http://allowed.test:%d/ok' % srv.port, '-H', 'Host: other.test')
        assert status_of(out) == 200, out + err
        assert ('GET', '/ok', 'allowed.test:%d' % srv.port) in [s[:3] for s in srv.seen], srv.seen
        assert 'other.test' not in str(srv.seen), 'the client chose the Host header the server saw'
        before = len(srv.seen)
        for name, rule in (('denied.test', 'not-allowlisted'), ('wild.test', 'not-allowlisted'),
                           ('evil.wild.test', 'deny-domain:evil.wild.test')):
            rc, out, err = curl(p.url(), 'http://%s:%d/no' % (name, srv.port))
            assert status_of(out) == 403, out
            assert 'X-Ringfence-Blocked: %s' % rule in out, out
            if rule == 'not-allowlisted':
                assert '--allow-domain %s' % name in out, out
        assert len(srv.seen) == before, 'a denied request reached the server: %s' % srv.seen[before:]
        rc, out, err = curl(p.url(), 'http://a.wild.test:%d/w' % srv.port)
        assert status_of(out) == 200, out
        assert len(srv.seen) == before + 1
        e = p.wait_log(lambda e: e['host'] == 'evil.wild.test', 'deny wins')
        assert e['decision'] == 'deny' and e['rule'] == 'deny-domain:evil.wild.test', e
        e = p.wait_log(lambda e: e['host'] == 'allowed.test', 'allowed')
        assert e['decision'] == 'allow' and e['rule'] == 'allow-domain:allowed.test' and e['bytes_down'] > 0, e
        assert e['method'] == 'GET' and e['port'] == srv.port and e['bytes_up'] > 0, e
        assert any('deny GET denied.test:%d rule=not-allowlisted' % srv.port in l and
                   '--allow-domain denied.test' in l for l in p.text), p.text
    finally:
        assert p.stop() == 0


def case_https_connect_and_socks5h(ctx):
    tls_srv = ctx['https']
    p = Proxy('--allow-domain', 'secure.test', '--allow-domain', '127.0.0.1', '--resolve', 'secure.test:127.0.0.1')
    try:
        rc, out, err = curl(p.url(), 'https://secure.test:%d/tls' % tls_srv.port, '--cacert', ctx['cert'])
        assert rc == 0 and status_of(out) == 200 and 'host=secure.test' in out, out + err
        rc, out, err = curl(p.url('socks5h'), 'https://secure.test:%d/socks' % tls_srv.port, '--cacert', ctx['cert'])
        assert rc == 0 and status_of(out) == 200, out + err
        assert ('GET', '/socks') in [s[:2] for s in tls_srv.seen]
        e = p.wait_log(lambda e: e['method'] == 'CONNECT', 'CONNECT')
        assert e['decision'] == 'allow' and e['port'] == tls_srv.port and e['bytes_up'] > 0 and e['bytes_down'] > 0
        e = p.wait_log(lambda e: e['method'] == 'SOCKS5', 'SOCKS5')
        assert e['host'] == 'secure.test' and e['decision'] == 'allow', e
        # SOCKS5 refusal codes: not allowed (0x02) for a name outside the list.
        rc, out, err = curl(p.url('socks5h'), 'http://denied.test:%d/' % tls_srv.port)
        assert rc != 0 and ('connection not allowed by ruleset' in err.lower() or '(2)' in err), err
    finally:
        assert p.stop() == 0


def case_private_addresses_stay_out(ctx):
    srv = ctx['http']
    p = Proxy('--allow-domain', '*', '--resolve', 'loop.test:127.0.0.1', '--resolve', 'meta.test:169.254.169.254',
              '--resolve', 'mapped.test:::ffff:127.0.0.1', '--resolve', 'nat64.test:64:ff9b::7f00:1',
              '--resolve', 'rebind.test:93.184.216.34', '--resolve', 'rebind.test:127.0.0.1')
    try:
        before = len(srv.seen)
        for host, rule in (('loop.test', 'private-address:127.0.0.1'),
                           ('meta.test', 'private-address:169.254.169.254'),
                           ('mapped.test', 'private-address:::ffff:127.0.0.1'),
                           ('nat64.test', 'private-address:64:ff9b::7f00:1'),
                           ('rebind.test', 'private-address:127.0.0.1')):
            rc, out, err = curl(p.url(), 'http://%s:%d/p' % (host, srv.port))
            assert status_of(out) == 403 and 'X-Ringfence-Blocked: %s' % rule in out, (host, out)
        # Literals: * never matches an address, whatever its form.
        for lit in ('127.0.0.1', '169.254.169.254', '[::ffff:127.0.0.1]', '[::1]'):
            rc, out, err = curl(p.url(), 'http://%s:%d/l' % (lit, srv.port))
            assert status_of(out) == 403 and 'X-Ringfence-Blocked: not-allowlisted' in out, (lit, out)
        rc, out, err = curl(p.url('socks5h'), 'http://meta.test:%d/s' % srv.port)
        assert rc != 0, out
        assert len(srv.seen) == before and srv.connections == ctx['http_connections'](), \
            'the loopback server was reached: %s' % srv.seen[before:]
        # A real lookup under the proxy's seccomp filter: localhost resolves (to loopback, refused).
        rc, out, err = curl(p.url(), 'http://localhost:%d/' % srv.port)
        assert status_of(out) == 403 and 'private-address:' in out, out
    finally:
        assert p.stop() == 0
    # Allowlisting the literal lets that address through, by name and directly.
    p = Proxy('--allow-domain', 'loop.test', '--allow-domain', '127.0.0.1', '--resolve', 'loop.test:127.0.0.1')
    try:
        for url in ('http://loop.test:%d/a' % srv.port, 'http://127.0.0.1:%d/b' % srv.port):
            rc, out, err = curl(p.url(), url)
            assert status_of(out) == 200, out
    finally:
        assert p.stop() == 0


def case_upstream_proxy(ctx):
    srv = ctx['http']
    up = Proxy('--allow-domain', '*.test', '--allow-domain', '127.0.0.1', '--resolve', 'far.test:127.0.0.1',
               '--resolve', 'other.test:127.0.0.1')
    try:
        for scheme in ('http', 'socks5h'):
            p = Proxy('--allow-domain', 'far.test', '--upstream', '%s://127.0.0.1:%d' % (scheme, up.port))
            try:
                for client_scheme in ('http', 'socks5h'):
                    rc, out, err = curl(p.url(client_scheme), 'http://far.test:%d/%s-%s' % (srv.port, scheme,
                                                                                             client_scheme))
                    assert status_of(out) == 200, (scheme, client_scheme, out, err)
                rc, out, err = curl(p.url(), 'https://far.test:%d/' % ctx['https'].port, '--cacert', ctx['cert'])
                assert rc == 0 and status_of(out) == 200, out + err
                n = len(up.json)
                rc, out, err = curl(p.url(), 'http://other.test:%d/x' % srv.port)
                assert status_of(out) == 403, out  # the allowlist applies before the upstream
                time.sleep(0.2)
                assert not any('other.test' in l for l in up.json[n:]), 'a denied name reached the upstream'
            finally:
                assert p.stop() == 0
        seen = [s[1] for s in srv.seen]
        for path in ('/http-http', '/http-socks5h', '/socks5h-http', '/socks5h-socks5h'):
            assert path in seen, (path, seen)
        assert sum(1 for l in up.json if json.loads(l)['host'] == 'far.test') >= 6, up.json
    finally:
        assert up.stop() == 0


class AuthUpstream(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """A tiny upstream proxy demanding USER:PASSWORD (HTTP Basic, or SOCKS5 RFC 1929) that connects
    every accepted request to the echo server and records what it was asked for."""
    daemon_threads = True
    allow_reuse_address = True

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            srv, s = self.server, self.request
            s.settimeout(DEADLINE)
            first = s.recv(1, socket.MSG_PEEK)
            if first == b'\x05':
                greet = s.recv(2)
                methods = s.recv(greet[1])
                if 2 not in methods:
                    s.sendall(b'\x05\xff')
                    return
                s.sendall(b'\x05\x02')
                ver, ulen = s.recv(2)
                user = s.recv(ulen)
                plen = s.recv(1)[0]
                password = s.recv(plen)
                ok = (user, password) == (b'user', b'p@ss')
                s.sendall(b'\x01' + (b'\x00' if ok else b'\x01'))
                if not ok:
                    return
                head = s.recv(5)
                name = s.recv(head[4])
                port = struct.unpack('>H', s.recv(2))[0]
                srv.asked.append(('socks5', name.decode(), port))
                s.sendall(b'\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00')
            else:
                req = b''
                while b'\r\n\r\n' not in req:
                    req += s.recv(1)
                lines = req.decode().split('\r\n')
                auth = [l for l in lines if l.lower().startswith('proxy-authorization:')]
                import base64
                want = 'Basic ' + base64.b64encode(b'user:p@ss').decode()
                if not auth or auth[0].split(':', 1)[1].strip() != want:
                    s.sendall(b'HTTP/1.1 407 Proxy Authentication Required\r\n\r\n')
                    return
                srv.asked.append(('http', lines[0].split()[1]))
                s.sendall(b'HTTP/1.1 200 Connection established\r\n\r\n')
            target = socket.create_connection(srv.target, timeout=DEADLINE)
            s.settimeout(None)
            def pump(a, b):
                while True:
                    data = a.recv(65536)
                    if not data:
                        b.shutdown(socket.SHUT_WR)
                        return
                    b.sendall(data)
            t = threading.Thread(target=pump, args=(target, s), daemon=True)
            t.start()
            pump(s, target)
            t.join(DEADLINE)
            target.close()

    def __init__(self, target):
        super().__init__(('127.0.0.1', 0), AuthUpstream.Handler)
        self.asked = []
        self.target = target
        threading.Thread(target=self.serve_forever, daemon=True).start()


def case_upstream_with_credentials(ctx):
    up = AuthUpstream(ctx['echo'].server_address)
    for scheme in ('http', 'socks5h'):
        for password, good in (('p%40ss', True), ('wrong', False)):
            p = Proxy('--allow-domain', 'far.test',
                      '--upstream', '%s://user:%s@127.0.0.1:%d' % (scheme, password, up.server_address[1]))
            try:
                s = socket.create_connection(('127.0.0.1', p.port), timeout=DEADLINE)
                s.sendall(b'CONNECT far.test:4443 HTTP/1.1\r\n\r\n')
                head = b''
                while b'\r\n\r\n' not in head:
                    chunk = s.recv(1)
                    if not chunk:
                        break
                    head += chunk
                if good:
                    assert head.startswith(b'HTTP/1.1 200'), (scheme, head)
                    s.sendall(b'through the upstream\n')
                    got = b''
                    while len(got) < 21:
                        got += s.recv(100)
                    assert got == b'through the upstream\n', got
                else:
                    assert head.startswith(b'HTTP/1.1 502') and b'upstream-failed' in head, (scheme, head)
                s.close()
            finally:
                assert p.stop() == 0
    assert ('http', 'far.test:4443') in up.asked and ('socks5', 'far.test', 4443) in up.asked, up.asked
    assert len(up.asked) == 2, up.asked  # the wrong password reached no target
    up.shutdown()


def case_limited_mode(ctx):
    srv = ctx['http']
    p = Proxy('--mode', 'limited', '--allow-domain', 'lim.test', '--allow-domain', '127.0.0.1',
              '--resolve', 'lim.test:127.0.0.1')
    try:
        for method in ('GET', 'HEAD', 'OPTIONS'):
            rc, out, err = curl(p.url(), 'http://lim.test:%d/m' % srv.port, '-X', method, *(['-I'] if method == 'HEAD' else []))
            assert status_of(out) == 200, (method, out)
        before = len(srv.seen)
        rc, out, err = curl(p.url(), 'http://lim.test:%d/post' % srv.port, '-d', 'x=1')
        assert status_of(out) == 403 and 'X-Ringfence-Blocked: limited-mode' in out, out
        rc, out, err = curl(p.url(), 'https://lim.test:%d/' % ctx['https'].port, '--cacert', ctx['cert'])
        assert rc != 0 and 'X-Ringfence-Blocked: limited-mode' in out, out + err
        rc, out, err = curl(p.url('socks5h'), 'http://lim.test:%d/s' % srv.port)
        assert rc != 0, out
        assert len(srv.seen) == before, srv.seen[before:]
    finally:
        assert p.stop() == 0


def case_200_concurrent_tunnels(ctx):
    echo = ctx['echo']
    p = Proxy('--allow-domain', 'echo.test', '--allow-domain', '127.0.0.1', '--resolve', 'echo.test:127.0.0.1')
    socks = []
    try:
        for i in range(200):
            s = socket.create_connection(('127.0.0.1', p.port), timeout=DEADLINE)
            s.sendall(b'CONNECT echo.test:%d HTTP/1.1\r\nHost: echo.test\r\n\r\n' % echo.server_address[1])
            socks.append(s)
        for s in socks:
            head = b''
            while b'\r\n\r\n' not in head:
                chunk = s.recv(1)
                assert chunk, 'tunnel closed early'
                head += chunk
            assert head.startswith(b'HTTP/1.1 200'), head
        for i, s in enumerate(socks):  # all 200 open at once, each still relaying
            msg = b'tunnel %d\n' % i
            s.sendall(msg)
            got = b''
            while len(got) < len(msg):
                got += s.recv(100)
            assert got == msg, (got, msg)
        for s in socks:
            s.shutdown(socket.SHUT_WR)  # half-close: the echo server ends, so does the tunnel
            assert s.recv(10) == b''
        # One line per tunnel, each written once the tunnel has ended.
        end = time.monotonic() + DEADLINE
        while sum(1 for l in list(p.json) if json.loads(l)['method'] == 'CONNECT') < 200:
            assert time.monotonic() < end, 'not one log line per tunnel: %d' % len(p.json)
            time.sleep(0.05)
        assert all(json.loads(l)['bytes_up'] == json.loads(l)['bytes_down'] > 0 for l in list(p.json)), p.json[:3]
    finally:
        for s in socks:
            s.close()
        assert p.stop() == 0


def case_slowloris_is_cut_off(ctx):
    srv = ctx['http']
    p = Proxy('--header-timeout', '3', '--allow-domain', 'a.test', '--allow-domain', '127.0.0.1',
              '--resolve', 'a.test:127.0.0.1')
    try:
        slow = socket.create_connection(('127.0.0.1', p.port), timeout=DEADLINE)
        request = b'GET http://a.test:%d/slow HTTP/1.1\r\n' % srv.port + b'X-Pad: ' + b'a' * 400 + b'\r\n\r\n'
        cut = False
        for i, byte in enumerate(request):
            try:
                slow.sendall(bytes([byte]))
            except OSError:
                cut = True
                break
            if i == 2:  # meanwhile another client is served
                rc, out, err = curl(p.url(), 'http://a.test:%d/fast' % srv.port)
                assert status_of(out) == 200, out
            slow.settimeout(0.3)
            try:
                data = slow.recv(4096)
                cut = True  # an answer (408) or end of file before the request was complete
                assert data == b'' or data.startswith(b'HTTP/1.1 408'), data
                break
            except socket.timeout:
                pass
        slow.close()
        assert cut, 'a client sending one byte at a time was never cut off'
        assert '/slow' not in [s[1] for s in srv.seen]
        p.wait_log(lambda e: e['rule'] == 'request-timeout', 'the cut-off')
    finally:
        assert p.stop() == 0


def case_health_check_and_bad_input(ctx):
    p = Proxy()
    try:
        # Confined before it said ready: the kernel's view of the running process.
        status = open('/proc/%d/status' % p.proc.pid).read()
        assert '\nNoNewPrivs:\t1\n' in status and '\nSeccomp:\t2\n' in status, status
        limits = open('/proc/%d/limits' % p.proc.pid).read()
        assert any(l.startswith('Max file size') and l.split()[3] == '0' for l in limits.splitlines()), limits
        assert any(l.startswith('Max core file size') and l.split()[4] == '0' for l in limits.splitlines()), limits
        fds = os.listdir('/proc/%d/fd' % p.proc.pid) if os.geteuid() == 0 else None
        if fds is not None:  # 0-2, control, two logs, the listener: nothing inherited beyond the contract
            assert len(fds) <= 7, fds
        assert raw(p.port, b'RINGFENCE-PING tok-123_ABC\n') == b'RINGFENCE-PONG tok-123_ABC\n'
        assert raw(p.port, b'RINGFENCE-PING ' + b'x' * 65 + b'\n') == b''
        assert raw(p.port, b'RINGFENCE-PING bad token\n') == b''
        out = raw(p.port, b'GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n')
        assert out.startswith(b'HTTP/1.1 400'), out
        out = raw(p.port, b'GET http://a.test/ HTTP/1.1\r\nX: a\x00b\r\n\r\n')
        assert out.startswith(b'HTTP/1.1 400'), out
        out = raw(p.port, b'GET http://a.test/ HTTP/1.1\r\n' + b'X-Big: ' + b'v' * 20000 + b'\r\n\r\n')
        assert out.startswith(b'HTTP/1.1 431'), out[:100]
        # SOCKS: only "no authentication" is offered; BIND is not supported.
        assert raw(p.port, b'\x05\x01\x02') == b'\x05\xff'
        out = raw(p.port, b'\x05\x01\x00\x05\x02\x00\x01\x7f\x00\x00\x01\x00\x50')
        assert out[:2] == b'\x05\x00' and out[2:4] == b'\x05\x07', out
        out = raw(p.port, b'\x05\x01\x00\x05\x01\x00\x03\x06x.test\x00\x50')
        assert out[2:4] == b'\x05\x02', out  # empty allowlist: not allowed by the ruleset
    finally:
        assert p.stop() == 0


def case_control_eof_ends_everything(ctx):
    echo = ctx['echo']
    p = Proxy('--allow-domain', '127.0.0.1')
    s = socket.create_connection(('127.0.0.1', p.port), timeout=DEADLINE)
    s.sendall(b'CONNECT 127.0.0.1:%d HTTP/1.1\r\n\r\n' % echo.server_address[1])
    assert s.recv(100).startswith(b'HTTP/1.1 200')
    pid = p.proc.pid
    assert p.stop() == 0
    assert s.recv(100) == b'', 'a tunnel outlived the proxy'
    s.close()
    assert not os.path.exists('/proc/%d' % pid) or open('/proc/%d/stat' % pid).read().split()[2] == 'Z'
    # A bad command line: error on the control socket, exit 125.
    bad = Proxy('--frobnicate', expect_ready=False)
    assert bad.ready.startswith('error ') and '--frobnicate' in bad.ready, bad.ready
    assert bad.stop() == 125
    bad = Proxy('--allow-domain', 'a.*.com', expect_ready=False)
    assert bad.ready.startswith('error ') and bad.stop() == 125


def case_listen_fd(ctx):
    # The core binds the port and hands it over: `ready` names that port, and a client that
    # connected before the proxy ran is served (the listener's backlog kept it).
    echo = ctx['echo']
    l = socket.socket()
    l.bind(('127.0.0.1', 0))
    l.listen(16)
    port = l.getsockname()[1]
    early = socket.create_connection(('127.0.0.1', port), timeout=DEADLINE)
    early.sendall(b'RINGFENCE-PING early\n')
    p = Proxy('--allow-domain', '127.0.0.1', listen_sock=l)
    l.close()
    try:
        assert p.port == port, (p.ready, port)
        assert early.recv(100) == b'RINGFENCE-PONG early\n'
        early.close()
        s = socket.create_connection(('127.0.0.1', port), timeout=DEADLINE)
        s.sendall(b'CONNECT 127.0.0.1:%d HTTP/1.1\r\n\r\n' % echo.server_address[1])
        assert s.recv(100).startswith(b'HTTP/1.1 200')
        s.close()
    finally:
        assert p.stop() == 0
    # The proxy's copy was the last: once it ended, the port refuses at once.
    try:
        socket.create_connection(('127.0.0.1', port), timeout=DEADLINE).close()
        assert False, 'the port still accepts after the proxy ended'
    except ConnectionRefusedError:
        pass
    # Anything but a TCP listener on 127.0.0.1 is refused with a message naming it, exit 125.
    wrong = []
    unbound = socket.socket()
    wrong.append(('a socket that is not listening', unbound))
    anywhere = socket.socket()
    anywhere.bind(('0.0.0.0', 0))
    anywhere.listen(1)
    wrong.append(('a listener on every address', anywhere))
    a, b = socket.socketpair()
    wrong.append(('a unix socket', a))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(('127.0.0.1', 0))
    wrong.append(('a UDP socket', udp))
    for what, sock in wrong:
        bad = Proxy(listen_sock=sock, expect_ready=False)
        assert bad.ready.startswith('error ') and '--listen-fd' in bad.ready, (what, bad.ready)
        assert bad.stop() == 125, what
    both = socket.socket()
    both.bind(('127.0.0.1', 0))
    both.listen(1)
    bad = Proxy('--listen-tcp', listen_sock=both, expect_ready=False)
    assert bad.ready.startswith('error ') and 'exclude' in bad.ready, bad.ready
    assert bad.stop() == 125
    for sock in (unbound, anywhere, a, b, udp, both):
        sock.close()


def send_fds(sock, fds):
    sock.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack('%di' % len(fds), *fds))])


def case_accept_fd_handoff(ctx):
    srv = ctx['http']
    bridge, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    p = Proxy('--allow-domain', 'h.test', '--allow-domain', '127.0.0.1', '--resolve', 'h.test:127.0.0.1',
              listen=False, accept_sock=theirs)
    theirs.close()
    try:
        assert p.ready == 'ready 0', p.ready
        listener = socket.socket()
        listener.bind(('127.0.0.1', 0))
        listener.listen(8)

        def handed_over():
            client = socket.create_connection(listener.getsockname(), timeout=DEADLINE)
            accepted, _ = listener.accept()
            send_fds(bridge, [accepted.fileno()])
            accepted.close()
            return client

        # Hostile hand-overs, each closed by the proxy (the peer of what we sent sees end of file).
        a, b = socket.socketpair()
        send_fds(bridge, [a.fileno()])
        a.close()
        b.settimeout(DEADLINE)
        assert b.recv(10) == b'', 'a unix socket handed over was kept'
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        send_fds(bridge, [udp.fileno(), listener.fileno()])
        lst2 = socket.socket()
        lst2.bind(('127.0.0.1', 0))
        lst2.listen(1)
        send_fds(bridge, [lst2.fileno()])
        devnull = os.open('/dev/null', os.O_RDONLY)
        send_fds(bridge, [devnull])
        os.close(devnull)
        c1 = socket.create_connection(listener.getsockname())
        acc1, _ = listener.accept()
        r, w = os.pipe()
        send_fds(bridge, [acc1.fileno(), r])  # a good one with an extra: both closed
        acc1.close()
        os.close(r)
        c1.settimeout(DEADLINE)
        assert c1.recv(10) == b'', 'a connection sent with an extra descriptor was served'
        end = time.monotonic() + DEADLINE  # the proxy closes the extra one just after the connection
        while True:
            try:
                os.write(w, b'x')
            except BrokenPipeError:
                break
            assert time.monotonic() < end, 'the extra descriptor (a pipe) was kept open'
            time.sleep(0.05)
        os.close(w)
        c1.close()
        p.wait_log(lambda e: e['method'] == 'HANDOFF' and 'IPv4 or IPv6' in e['rule'], 'a unix socket refused')
        p.wait_log(lambda e: e['method'] == 'HANDOFF' and '2 descriptors' in e['rule'], 'two descriptors')
        p.wait_log(lambda e: e['method'] == 'HANDOFF' and 'listening' in e['rule'], 'a listening socket')
        p.wait_log(lambda e: e['method'] == 'HANDOFF' and 'not a socket' in e['rule'], '/dev/null')
        # Still serving: a good connection, then the health check through the same route.
        client = handed_over()
        client.sendall(b'GET http://h.test:%d/handoff HTTP/1.1\r\nHost: h.test\r\n\r\n' % srv.port)
        out = b''
        while True:
            chunk = client.recv(65536)
            if not chunk:
                break
            out += chunk
        assert out.startswith(b'HTTP/1.1 200') or out.startswith(b'HTTP/1.0 200'), out
        assert '/handoff' in [s[1] for s in srv.seen]
        client = handed_over()
        client.sendall(b'RINGFENCE-PING via-bridge\n')
        assert client.recv(100) == b'RINGFENCE-PONG via-bridge\n'
        bridge.close()  # end of file on --accept-fd: no more clients, not an error
        time.sleep(0.3)
        assert p.proc.poll() is None, 'end of file on --accept-fd ended the proxy'
        listener.close()
        udp.close()
        lst2.close()
    finally:
        assert p.stop() == 0


CASES = [case_http_allowed_denied_wildcard_deny_wins, case_https_connect_and_socks5h,
         case_private_addresses_stay_out, case_upstream_proxy, case_upstream_with_credentials, case_limited_mode, case_200_concurrent_tunnels,
         case_slowloris_is_cut_off, case_health_check_and_bad_input, case_control_eof_ends_everything,
         case_accept_fd_handoff, case_listen_fd]


def main():
    if not PROXY or not os.access(PROXY, os.X_OK):
        print('FAIL: ringfence-netproxy not found at %s' % PROXY)
        return 1
    if '--unprivileged' in sys.argv:
        if os.geteuid() != 0:
            print('skipped: --unprivileged re-runs the suite as uid 65534 and needs root')
            return 77
        os.execvp('setpriv', ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups',
                              sys.executable, os.path.abspath(__file__), PROXY])
    for tool, name in ((CURL, 'curl'), (OPENSSL, 'openssl')):
        if not tool:
            print('skipped: %s is not installed (Debian: apt-get install %s)' % (name, name))
            return 77
    tmp = tempfile.mkdtemp(prefix='rf-netproxy-test-', dir='/var/tmp')
    try:
        cert, key = os.path.join(tmp, 'cert.pem'), os.path.join(tmp, 'key.pem')
        subprocess.run([OPENSSL, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
                        '-nodes', '-days', '2', '-subj', '/CN=secure.test', '-keyout', key, '-out', cert,
                        '-addext', 'subjectAltName=DNS:secure.test,DNS:far.test,DNS:lim.test'],
                       check=True, capture_output=True)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert, key)
        http_srv = Server()
        ctx = {'http': http_srv, 'https': Server(tls), 'cert': cert, 'echo': Echo(),
               'http_connections': lambda: http_srv.connections}
        failed = 0
        print('as uid %d' % os.geteuid())
        for case in CASES:
            ctx['http_connections'] = (lambda n=http_srv.connections: n)
            try:
                case(ctx)
                print('ok   %s' % case.__name__)
            except Exception as e:  # report every case, then fail
                failed += 1
                import traceback
                traceback.print_exc()
                print('FAIL %s: %s' % (case.__name__, e))
        return 1 if failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
