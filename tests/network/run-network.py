#!/usr/bin/env python3
"""run-network.py: `ringfence run --network proxy` end to end (issue 15), with real clients inside a
real sandbox (bwrap and Landlock) against servers this runner starts on the host's loopback: curl
through HTTP_PROXY (plain HTTP, HTTPS via CONNECT to a local TLS server), `python3 -m pip download`
from a local simple index, `git clone` over dumb HTTP, names mapped with --resolve (no internet
here).  Every claim is checked on the host side too: what the servers saw, which files exist, which
processes are left.  Also the ways around the proxy (a direct connection, UDP, a raw socket to a
public address, a program resolving names itself) and the fail-closed cases (the proxy helper
missing, untrusted, exiting before `ready`, reporting an error, dying before the route check): 125
and nothing ran.

Usage: run-network.py --ringfence BUILD/core/ringfence [--unprivileged] [--only REGEX] [-v]
--unprivileged: when run as root, re-execute as uid/gid 65534 (setpriv); otherwise SKIP (77).
"""
import argparse
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import socket
import socketserver
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile

NOBODY = 65534
CLEAN_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else shutil.which("python3")
RUN_TIMEOUT = 300  # a loaded machine is slow, not broken


# ---- Servers on the host's loopback ------------------------------------------------------------

class Recorder:
    """What the host-side servers saw."""

    def __init__(self):
        self.lock = threading.Lock()
        self.paths = []
        self.datagrams = []
        self.raw = []

    def add(self, kind, item):
        with self.lock:
            getattr(self, kind).append(item)

    def saw(self, kind, needle):
        with self.lock:
            return any(needle in x for x in getattr(self, kind))


def make_handler(root, recorder, tag):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=root, **kw)

        def log_message(self, fmt, *args):
            pass

        def do_GET(self):
            recorder.add("paths", tag + " " + self.path)
            return super().do_GET()

        def do_HEAD(self):
            recorder.add("paths", tag + " HEAD " + self.path)
            return super().do_HEAD()
    return Handler


class ThreadingServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(server):
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    return server


def udp_listener(recorder):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))

    def loop():
        while True:
            try:
                data, _ = s.recvfrom(4096)
            except OSError:
                return
            recorder.add("datagrams", data.decode(errors="replace"))
    threading.Thread(target=loop, daemon=True).start()
    return s


def tcp_listener(recorder):
    """A bare TCP listener: anything that connects is recorded (the direct-connection claims)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)

    def loop():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            c.settimeout(2)
            try:
                data = c.recv(4096)
            except OSError:
                data = b""
            recorder.add("raw", "connected " + data.decode(errors="replace"))
            c.close()
    threading.Thread(target=loop, daemon=True).start()
    return s


# ---- Fixtures ----------------------------------------------------------------------------------

def run_quiet(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=True,
                          **kw)


def build_wheel(dist):
    name, version = "rfdemo", "1.0"
    info = "%s-%s.dist-info" % (name, version)
    files = {
        "%s/__init__.py" % name: b"VALUE = 'from the local index'\n",
        "%s/METADATA" % info: ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)).encode(),
        "%s/WHEEL" % info: b"Wheel-Version: 1.0\nGenerator: ringfence-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path, data in files.items():
            z.writestr(path, data)
            import base64
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
        record.append("%s/RECORD,," % info)
        z.writestr("%s/RECORD" % info, "\n".join(record) + "\n")
    wheel = "%s-%s-py3-none-any.whl" % (name, version)
    os.makedirs(os.path.join(dist, "packages"), exist_ok=True)
    with open(os.path.join(dist, "packages", wheel), "wb") as f:
        f.write(buf.getvalue())
    sha = hashlib.sha256(buf.getvalue()).hexdigest()
    os.makedirs(os.path.join(dist, "simple", name), exist_ok=True)
    with open(os.path.join(dist, "simple", "index.html"), "w") as f:
        f.write('<html><body><a href="%s/">%s</a></body></html>\n' % (name, name))
    with open(os.path.join(dist, "simple", name, "index.html"), "w") as f:
        f.write('<html><body><a href="../../packages/%s#sha256=%s">%s</a></body></html>\n'
                % (wheel, sha, wheel))
    return wheel


def build_git_repo(root, scratch):
    env = dict(os.environ, HOME=scratch, GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.test",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.test")
    work = os.path.join(scratch, "git-work")
    bare = os.path.join(root, "repo.git")
    run_quiet(["git", "init", "-q", "-b", "main", work], env=env)
    with open(os.path.join(work, "README"), "w") as f:
        f.write("cloned through ringfence's proxy\n")
    run_quiet(["git", "-C", work, "add", "README"], env=env)
    run_quiet(["git", "-C", work, "commit", "-q", "-m", "first"], env=env)
    run_quiet(["git", "clone", "-q", "--bare", work, bare], env=env)
    run_quiet(["git", "-C", bare, "update-server-info"], env=env)


def make_cert(scratch):
    key = os.path.join(scratch, "tls.key")
    cert = os.path.join(scratch, "tls.crt")
    run_quiet(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
               "-out", cert, "-days", "2", "-subj", "/CN=secure.test",
               "-addext", "subjectAltName=DNS:secure.test"])
    os.chmod(cert, 0o644)
    return key, cert


# ---- The suite -----------------------------------------------------------------------------------

class Suite:
    def __init__(self, args):
        self.args = args
        self.rf = os.path.abspath(args.ringfence)
        self.build = os.path.dirname(os.path.dirname(self.rf))
        self.results = []
        self.marker = "rfnet-%s.test" % uuid.uuid4().hex[:12]
        # Not below /tmp: a writable root of every workspace-write run, and ringfence refuses
        # helpers a sandbox could replace.
        self.base = tempfile.mkdtemp(prefix="rf-network-", dir="/var/tmp")
        os.chmod(self.base, 0o755)
        self.www = os.path.join(self.base, "www")
        os.makedirs(self.www)
        with open(os.path.join(self.www, "index.html"), "w") as f:
            f.write("hello-ringfence\n")
        with open(os.path.join(self.www, "secret.txt"), "w") as f:
            f.write("tls-body-ok\n")
        self.scratch = os.path.join(self.base, "scratch")
        os.makedirs(self.scratch)
        self.wheel = build_wheel(self.www)
        build_git_repo(self.www, self.scratch)
        key, self.cert = make_cert(self.scratch)
        self.rec = Recorder()
        self.http = serve(ThreadingServer(("127.0.0.1", 0), make_handler(self.www, self.rec, "http")))
        self.http_port = self.http.server_address[1]
        tls = ThreadingServer(("127.0.0.1", 0), make_handler(self.www, self.rec, "tls"))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, key)
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
        self.tls = serve(tls)
        self.tls_port = self.tls.server_address[1]
        self.udp = udp_listener(self.rec)
        self.udp_port = self.udp.getsockname()[1]
        self.raw = tcp_listener(self.rec)
        self.raw_port = self.raw.getsockname()[1]
        self.helper_dir = self.find_helper_dir()

    def find_helper_dir(self):
        d = os.environ.get("RINGFENCE_HELPER_DIR") or os.path.join(self.build, "plugins", "linux-common")
        return d

    def cleanup(self):
        for s in (self.http, self.tls):
            s.shutdown()
            s.server_close()
        self.udp.close()
        self.raw.close()
        if not self.args.keep:
            shutil.rmtree(self.base, ignore_errors=True)

    # -- running ringfence --

    def ringfence(self, backend, command, extra=(), env=None, workdir=None):
        workdir = workdir or self.fresh_dir("work")
        argv = [self.rf, "run", "--backend", backend, "-s", "workspace-write", "-C", workdir,
                "--network", "proxy", "--resolve", self.marker + ":127.0.0.1"]
        argv += list(extra) + ["--"] + command
        e = dict(os.environ if env is None else env)
        e.pop("TMPDIR", None)
        e["HOME"] = workdir
        e["PATH"] = CLEAN_PATH
        for name in list(e):
            if name.lower().endswith("_proxy"):
                del e[name]
        t0 = time.time()
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, cwd="/",
                           timeout=RUN_TIMEOUT)
        r.elapsed = time.time() - t0
        r.out = r.stdout.decode(errors="replace")
        r.err = r.stderr.decode(errors="replace")
        r.workdir = workdir
        if self.args.verbose:
            print("   $ %s\n   exit %d in %.2fs" % (" ".join(argv), r.returncode, r.elapsed))
            for line in (r.out + r.err).splitlines()[:40]:
                print("   | " + line)
        return r

    def fresh_dir(self, name):
        return tempfile.mkdtemp(prefix=name + "-", dir=self.base)

    def names(self, *pairs, loopback=True):
        """--resolve each name to the host's 127.0.0.1, where the test servers live; the proxy
        refuses private addresses unless the literal is allowlisted, so with |loopback| that
        literal is allowed too."""
        out = []
        for host in pairs:
            out += ["--resolve", host + ":127.0.0.1"]
        if loopback:
            out += ["--allow-domain", "127.0.0.1"]
        return out

    def leftovers(self):
        """Processes of this suite still alive: a proxy (its --resolve names our marker) or a
        bridge (a ringfence-sandbox-init given --proxy-accept-fd)."""
        left = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    cmd = f.read().split(b"\0")
                st = os.stat("/proc/%s" % pid)
            except OSError:
                continue
            if st.st_uid != os.getuid():
                continue
            text = b" ".join(cmd).decode(errors="replace")
            if self.marker in text or ("ringfence-sandbox-init" in text and "--proxy-accept-fd" in text):
                left.append("%s: %s" % (pid, text[:200]))
        return left

    def no_leftovers(self, settle=10.0):
        deadline = time.time() + settle
        while True:
            left = self.leftovers()
            if not left or time.time() > deadline:
                return left
            time.sleep(0.1)

    # -- claims --

    def claim(self, name, ok, detail=""):
        self.results.append((name, bool(ok), detail))
        print("%s: %s%s" % ("PASS" if ok else "FAIL", name, "" if ok else " -- " + detail))
        sys.stdout.flush()

    def skip(self, name, why):
        self.results.append((name, None, why))
        print("SKIP: %s (%s)" % (name, why))

    def wanted(self, name):
        return not self.args.only or re.search(self.args.only, name)

    def backends(self):
        out = []
        # From /: the working directory is a writable root, and ringfence refuses plugins below it.
        env = {k: v for k, v in os.environ.items() if k != "TMPDIR"}
        env["PATH"] = CLEAN_PATH
        check = subprocess.run([self.rf, "check"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=env, cwd="/").stdout.decode(errors="replace")
        for b in ("bwrap", "landlock"):
            line = next((l for l in check.splitlines() if l.startswith(b + " ")),
                        "`ringfence check` says: " + check.strip()[:300])
            if re.match(r"%s\s+usable" % b, line):
                out.append(b)
            else:
                self.skip(b + ": every claim", "backend not usable here: " + line.strip()[:200])
        return out

    def run_backend(self, b):
        hp, tp = self.http_port, self.tls_port
        site = "site.test"

        def t(name):
            return self.wanted(b + ": " + name)

        if t("curl plain HTTP through the proxy"):
            r = self.ringfence(b, ["curl", "-sS", "--max-time", "60", "http://%s:%d/index.html?%s" % (site, hp, b)],
                               ["--allow-domain", site] + self.names(site))
            self.claim(b + ": curl plain HTTP through the proxy",
                       r.returncode == 0 and r.out == "hello-ringfence\n" and
                       self.rec.saw("paths", "http /index.html?" + b),
                       "exit %d, out %r, err %r" % (r.returncode, r.out[:200], r.err[-400:]))

        if t("curl HTTPS through CONNECT"):
            r = self.ringfence(b, ["curl", "-sS", "--max-time", "60", "--cacert", self.cert,
                                   "https://secure.test:%d/secret.txt?%s" % (tp, b)],
                               ["--allow-domain", "secure.test"] + self.names("secure.test"))
            self.claim(b + ": curl HTTPS through CONNECT",
                       r.returncode == 0 and r.out == "tls-body-ok\n" and
                       self.rec.saw("paths", "tls /secret.txt?" + b),
                       "exit %d, out %r, err %r" % (r.returncode, r.out[:200], r.err[-400:]))

        if t("a host not allowed gets 403 naming the rule, the server sees nothing"):
            path = "/denied-%s" % b
            r = self.ringfence(b, ["curl", "-sS", "-D", "-", "-o", "/dev/null", "--max-time", "60",
                                   "http://blocked.test:%d%s" % (hp, path)],
                               ["--allow-domain", site] + self.names(site, "blocked.test"))
            self.claim(b + ": a host not allowed gets 403 naming the rule, the server sees nothing",
                       r.out.startswith("HTTP/1.1 403") and "x-ringfence-blocked" in r.out.lower()
                       and not self.rec.saw("paths", path),
                       "exit %d, out %r, err %r" % (r.returncode, r.out[:300], r.err[-300:]))

        if t("deny wins over a wildcard allow"):
            ok_path, bad_path = "/wild-ok-%s" % b, "/wild-bad-%s" % b
            r = self.ringfence(b, ["sh", "-c",
                                   "curl -sS -o /dev/null -w '%%{http_code}\\n' http://a.wild.test:%d%s; "
                                   "curl -sS -o /dev/null -w '%%{http_code}\\n' http://bad.wild.test:%d%s"
                                   % (hp, ok_path, hp, bad_path)],
                               ["--allow-domain", "*.wild.test", "--deny-domain", "bad.wild.test"] +
                               self.names("a.wild.test", "bad.wild.test"))
            codes = r.out.split()
            self.claim(b + ": deny wins over a wildcard allow",
                       codes[:2] == ["404", "403"] and self.rec.saw("paths", ok_path) and
                       not self.rec.saw("paths", bad_path),
                       "codes %r, err %r" % (codes, r.err[-300:]))

        have_pip = subprocess.run([PY, "-m", "pip", "--version"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL).returncode == 0
        if t("python3 -m pip download from a local index") and not have_pip:
            self.skip(b + ": python3 -m pip download from a local index",
                      "%s has no pip module (Debian: python3-pip)" % PY)
        elif t("python3 -m pip download from a local index"):
            work = self.fresh_dir("pip")
            r = self.ringfence(b, [PY, "-m", "pip", "download", "--no-cache-dir", "--no-deps",
                                   "--disable-pip-version-check", "--trusted-host", "pypi.test", "--index-url",
                                   "http://pypi.test:%d/simple/" % hp, "-d", "dl", "rfdemo"],
                               ["--allow-domain", "pypi.test"] + self.names("pypi.test"), workdir=work)
            got = os.path.join(work, "dl", self.wheel)
            self.claim(b + ": python3 -m pip download from a local index",
                       r.returncode == 0 and os.path.exists(got) and
                       self.rec.saw("paths", "/packages/" + self.wheel),
                       "exit %d, err %r" % (r.returncode, (r.out + r.err)[-600:]))

        if t("git clone over HTTP"):
            work = self.fresh_dir("git")
            r = self.ringfence(b, ["git", "clone", "-q", "http://git.test:%d/repo.git" % hp, "clone"],
                               ["--allow-domain", "git.test"] + self.names("git.test"), workdir=work)
            readme = os.path.join(work, "clone", "README")
            self.claim(b + ": git clone over HTTP",
                       r.returncode == 0 and os.path.exists(readme) and
                       self.rec.saw("paths", "/repo.git/info/refs"),
                       "exit %d, err %r" % (r.returncode, (r.out + r.err)[-600:]))

        if t("a direct connection to the host's loopback fails, the server sees nothing"):
            code = ("import socket,sys\n"
                    "s=socket.socket()\ns.settimeout(10)\n"
                    "try:\n s.connect(('127.0.0.1',%d)); s.sendall(b'direct-%s'); print('connected')\n"
                    "except OSError as e: print('refused', e)\n" % (self.raw_port, b))
            r = self.ringfence(b, [PY, "-c", code], ["--allow-domain", site])
            time.sleep(0.5)
            self.claim(b + ": a direct connection to the host's loopback fails, the server sees nothing",
                       r.out.startswith("refused") and not self.rec.saw("raw", "direct-" + b) and
                       not self.rec.raw,
                       "out %r, server saw %r" % (r.out, self.rec.raw))

        if t("a raw socket to a public address fails"):
            code = ("import socket\n"
                    "for fam,addr in ((socket.AF_INET,('192.0.2.1',80)),(socket.AF_INET6,('2001:db8::1',80,0,0))):\n"
                    " s=socket.socket(fam)\n s.settimeout(10)\n"
                    " try:\n  s.connect(addr); print('connected')\n"
                    " except OSError as e: print('refused', e.errno)\n")
            r = self.ringfence(b, [PY, "-c", code], ["--allow-domain", site])
            lines = r.out.split("\n")
            self.claim(b + ": a raw socket to a public address fails",
                       r.returncode == 0 and "connected" not in r.out and lines[0].startswith("refused")
                       and lines[1].startswith("refused"),
                       "exit %d, out %r, err %r" % (r.returncode, r.out, r.err[-300:]))

        if b == "landlock" and t("only the proxy's own address and port: its port elsewhere is refused"):
            # No namespace: the connect supervisor decides by address and type, not by port alone.
            code = ("import os,socket,errno\n"
                    "port=int(os.environ['HTTP_PROXY'].rsplit(':',1)[1])\n"
                    "def tcp(fam,addr):\n"
                    " s=socket.socket(fam); s.settimeout(10)\n"
                    " try: s.connect(addr); return 'connected'\n"
                    " except OSError as e: return errno.errorcode.get(e.errno,str(e.errno))\n"
                    "u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                    "try: u.sendto(b'x',('127.0.0.1',port)); r='sent'\n"
                    "except OSError as e: r=errno.errorcode.get(e.errno,str(e.errno))\n"
                    "print(tcp(socket.AF_INET,('127.0.0.1',port)), tcp(socket.AF_INET,('127.0.0.2',port)),"
                    " tcp(socket.AF_INET6,('::1',port)), tcp(socket.AF_INET,('192.0.2.1',port)), r)\n")
            r = self.ringfence(b, [PY, "-c", code], ["--allow-domain", site])
            self.claim(b + ": only the proxy's own address and port: its port elsewhere is refused",
                       r.out.split() == ["connected", "EACCES", "EACCES", "EACCES", "EACCES"],
                       "got %r, err %r" % (r.out, r.err[-300:]))

        if t("UDP (a DNS query) reaches nothing, the host listener sees nothing"):
            code = ("import socket\n"
                    "q=b'\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x07example\\x03com\\x00\\x00\\x01\\x00\\x01'\n"
                    "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                    "for dst in (('127.0.0.1',%d),('127.0.0.53',53),('192.0.2.1',53)):\n"
                    " try: s.sendto(q+b'udp-%s',dst); print('sent')\n"
                    " except OSError as e: print('refused', e.errno)\n"
                    "c=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                    "try: c.connect(('127.0.0.1',%d)); c.send(b'udp-%s'); print('sent')\n"
                    "except OSError as e: print('refused', e.errno)\n" % (self.udp_port, b, self.udp_port, b))
            r = self.ringfence(b, [PY, "-c", code], ["--allow-domain", site])
            time.sleep(0.5)
            # bwrap: the datagrams stay in the sandbox's own namespace (sent, to nobody);
            # Landlock: refused.  Either way the host's listener sees nothing.
            self.claim(b + ": UDP (a DNS query) reaches nothing, the host listener sees nothing",
                       r.returncode == 0 and not self.rec.saw("datagrams", "udp-" + b) and
                       (b == "bwrap" or "sent" not in r.out),
                       "out %r, host saw %r" % (r.out, self.rec.datagrams))

        if t("a program that resolves names itself fails clearly"):
            r = self.ringfence(b, [PY, "-c", "import socket; socket.getaddrinfo('%s', 80)" % site],
                               ["--allow-domain", site] + self.names(site))
            self.claim(b + ": a program that resolves names itself fails clearly",
                       r.returncode != 0 and "gaierror" in r.err,
                       "exit %d, err %r" % (r.returncode, r.err[-300:]))

        if t("environment: proxy variables set, network-disabled marker not set"):
            r = self.ringfence(b, ["env"], ["--allow-domain", site])
            env = dict(l.split("=", 1) for l in r.out.splitlines() if "=" in l)
            port = env.get("HTTP_PROXY", "").rsplit(":", 1)[-1]
            want = {"HTTP_PROXY": "http://127.0.0.1:" + port, "http_proxy": "http://127.0.0.1:" + port,
                    "HTTPS_PROXY": "http://127.0.0.1:" + port, "https_proxy": "http://127.0.0.1:" + port,
                    "ALL_PROXY": "socks5h://127.0.0.1:" + port, "all_proxy": "socks5h://127.0.0.1:" + port,
                    "NO_PROXY": "localhost,127.0.0.1,::1", "no_proxy": "localhost,127.0.0.1,::1"}
            wrong = {k: env.get(k) for k, v in want.items() if env.get(k) != v}
            self.claim(b + ": environment: proxy variables set, network-disabled marker not set",
                       r.returncode == 0 and port.isdigit() and not wrong and
                       "RINGFENCE_SANDBOX_NETWORK_DISABLED" not in env,
                       "wrong %r" % wrong)

        if t("the command holds no descriptor of the route"):
            r = self.ringfence(b, [PY, "-c", "import os; print(sorted(int(x) for x in os.listdir('/proc/self/fd')))"],
                               ["--allow-domain", site])
            fds = json.loads(r.out) if r.returncode == 0 else None
            self.claim(b + ": the command holds no descriptor of the route",
                       fds is not None and set(fds) <= {0, 1, 2, 3},
                       "fds %r err %r" % (fds, r.err[-200:]))

        if t("--network-log writes JSON lines"):
            log = os.path.join(self.fresh_dir("log"), "net.jsonl")
            r = self.ringfence(b, ["sh", "-c", "curl -sS -o /dev/null http://%s:%d/logged; "
                                   "curl -sS -o /dev/null http://nolog.test:%d/x" % (site, hp, hp)],
                               ["--allow-domain", site, "--network-log", log] + self.names(site, "nolog.test"))
            lines = []
            try:
                with open(log) as f:
                    lines = [json.loads(l) for l in f if l.strip()]
            except (OSError, ValueError) as e:
                lines = [str(e)]
            hosts = {(d.get("host"), d.get("decision")) for d in lines if isinstance(d, dict)}
            self.claim(b + ": --network-log writes JSON lines",
                       (site, "allow") in hosts and ("nolog.test", "deny") in hosts and
                       "ringfence-netproxy" not in r.err,
                       "lines %r" % lines[:4])

        # The proxy as the way out (the escape cases of issue 15): the host's private side stays
        # out of reach through it unless the user allowlists that literal address.
        if t("escape via the proxy: a name mapped to loopback is refused"):
            path = "/sneaky-%s" % b
            r = self.ringfence(b, ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "60",
                                   "http://sneaky.test:%d%s" % (hp, path)],
                               ["--allow-domain", "sneaky.test"] + self.names("sneaky.test", loopback=False))
            self.claim(b + ": escape via the proxy: a name mapped to loopback is refused",
                       r.out != "200" and not self.rec.saw("paths", path),
                       "code %r, err %r" % (r.out, r.err[-300:]))
        if t("escape via the proxy: loopback, mapped and metadata literals are refused"):
            lit = ["/lit4-%s" % b, "/lit6-%s" % b]
            cmd = ("curl -sS --noproxy '' -o /dev/null -w '%%{http_code} ' --max-time 60 http://127.0.0.1:%d%s; "
                   "curl -sS --noproxy '' -o /dev/null -w '%%{http_code} ' --max-time 60 'http://[::ffff:127.0.0.1]:%d%s'; "
                   "curl -sS --noproxy '' -o /dev/null -w '%%{http_code} ' --max-time 60 http://169.254.169.254/latest/meta-data/; "
                   "curl -sS --noproxy '' -p -o /dev/null -w '%%{http_code} ' --max-time 60 http://127.0.0.1:%d/tunnel-%s; "
                   "curl -sS --noproxy '' -x \"$ALL_PROXY\" -o /dev/null -w '%%{http_code} ' --max-time 30 http://sneaky.test:%d/socks-%s; "
                   "curl -sS -o /dev/null -w '%%{http_code} ' --max-time 60 http://meta.test/latest/meta-data/; true"
                   % (hp, lit[0], hp, lit[1], self.raw_port, b, hp, b))
            r = self.ringfence(b, ["sh", "-c", cmd],
                               ["--allow-domain", site, "--allow-domain", "sneaky.test",
                                "--allow-domain", "meta.test", "--resolve", "meta.test:169.254.169.254"] +
                               self.names("sneaky.test", loopback=False))
            time.sleep(0.5)
            codes = r.out.split()
            # Refused by the proxy (403), never tried: the metadata address by name as well.
            self.claim(b + ": escape via the proxy: loopback, mapped and metadata literals are refused",
                       len(codes) == 6 and codes[0] == codes[1] == codes[2] == codes[5] == "403" and
                       "200" not in codes and
                       not any(self.rec.saw("paths", p) for p in lit + ["/socks-" + b]) and
                       not self.rec.saw("raw", "tunnel-" + b),
                       "codes %r, err %r, server saw %r" % (codes, r.err[-300:], self.rec.paths[-3:]))

        if t("ringfence killed: the proxy and the bridge go too"):
            # SIGKILL leaves ringfence no time to stop anything: the proxy ends on its control
            # socket's end of file, the sandbox on its lifeline.
            work = self.fresh_dir("kill")
            argv = [self.rf, "run", "--backend", b, "-s", "workspace-write", "-C", work,
                    "--network", "proxy", "--resolve", self.marker + ":127.0.0.1",
                    "--allow-domain", site, "--", "sh", "-c", "touch started; sleep 60"]
            env = {k: v for k, v in os.environ.items() if k != "TMPDIR" and not k.lower().endswith("_proxy")}
            env["PATH"] = CLEAN_PATH
            p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd="/")
            deadline = time.time() + 60
            while not os.path.exists(os.path.join(work, "started")) and time.time() < deadline:
                time.sleep(0.05)
            running = self.leftovers()
            p.kill()
            p.wait()
            left = self.no_leftovers(15)
            self.claim(b + ": ringfence killed: the proxy and the bridge go too",
                       os.path.exists(os.path.join(work, "started")) and running and not left,
                       "running before %r, left after %r" % (running, left))

        if t("nothing is left after the runs"):
            left = self.no_leftovers()
            self.claim(b + ": nothing is left after the runs (proxy, bridge)", not left, "%r" % left)

    # -- fail closed --

    def stage_helpers(self, netproxy_script=None, mode=0o755, keep_real=False):
        """A helper folder with the real sandbox-init and fs-proxy and the given netproxy."""
        d = self.fresh_dir("helpers")
        os.chmod(d, 0o755)
        for name in ("ringfence-sandbox-init", "ringfence-fs-proxy"):
            shutil.copy2(os.path.join(self.helper_dir, name), os.path.join(d, name))
        if keep_real:
            shutil.copy2(os.path.join(self.helper_dir, "ringfence-netproxy"), os.path.join(d, "ringfence-netproxy"))
        elif netproxy_script is not None:
            p = os.path.join(d, "ringfence-netproxy")
            with open(p, "w") as f:
                f.write(netproxy_script)
        if os.path.exists(os.path.join(d, "ringfence-netproxy")):
            os.chmod(os.path.join(d, "ringfence-netproxy"), mode)
        return d

    def fail_closed(self, backends):
        fake_error = ("#!%s\nimport sys,os\na=sys.argv\nfd=int(a[a.index('--control-fd')+1])\n"
                      "os.write(fd,b'error cannot listen on 127.0.0.1: Address already in use\\n')\nsys.exit(125)\n" % PY)
        fake_exit = "#!/bin/sh\nexit 3\n"
        # Says ready with the port it was given (--listen-fd: the core's listener; 0 behind the
        # bridge), then dies without answering anything: only the route check can tell.
        fake_ready_then_die = ("#!%s\nimport sys,os,socket\na=sys.argv\nfd=int(a[a.index('--control-fd')+1])\n"
                               "port=0\nif '--listen-fd' in a:\n"
                               "    port=socket.socket(fileno=int(a[a.index('--listen-fd')+1])).getsockname()[1]\n"
                               "os.write(fd,b'ready %%d\\n' %% port)\nos._exit(0)\n" % PY)
        fake_ready_then_hang = ("#!%s\nimport sys,os,socket\na=sys.argv\nfd=int(a[a.index('--control-fd')+1])\n"
                                "port=0\nif '--listen-fd' in a:\n"
                                "    l=socket.socket(fileno=int(a[a.index('--listen-fd')+1])); port=l.getsockname()[1]\n"
                                "os.write(fd,b'ready %%d\\n' %% port)\n"
                                "while os.read(fd, 100): pass\n" % PY)
        cases = [
            ("the proxy helper is missing", None, 0o755, "is missing"),
            ("the proxy helper is writable by others (untrusted)", "real", 0o777, "not started"),
            ("the proxy exits before it is ready", fake_exit, 0o755, "before it was ready"),
            ("the proxy cannot bind its port (error line)", fake_error, 0o755, "Address already in use"),
        ]
        for b in backends:
            for name, script, mode, expect in cases:
                full = b + ": fail closed: " + name
                if not self.wanted(full):
                    continue
                d = self.stage_helpers(None if script in (None, "real") else script, mode,
                                       keep_real=(script == "real"))
                work = self.fresh_dir("fc")
                env = dict(os.environ, RINGFENCE_HELPER_DIR=d)
                r = self.ringfence(b, ["touch", "ran"], ["--allow-domain", "site.test"], env=env, workdir=work)
                self.claim(full, r.returncode == 125 and not os.path.exists(os.path.join(work, "ran")) and
                           expect in r.err and not self.no_leftovers(5),
                           "exit %d, err %r" % (r.returncode, r.err[-400:]))
            if b == "bwrap" or b == "landlock":
                full = b + ": fail closed: the proxy dies after ready (route check)"
                if self.wanted(full):
                    d = self.stage_helpers(fake_ready_then_die)
                    work = self.fresh_dir("fc")
                    env = dict(os.environ, RINGFENCE_HELPER_DIR=d)
                    r = self.ringfence(b, ["touch", "ran"], ["--allow-domain", "site.test"], env=env, workdir=work)
                    # The bridge inside (bwrap) and the supervisor outside (Landlock) check the
                    # route before they let the command go: it never runs.
                    self.claim(full, r.returncode == 125 and not os.path.exists(os.path.join(work, "ran"))
                               and "route" in r.err and not self.no_leftovers(5),
                               "exit %d, err %r" % (r.returncode, r.err[-400:]))
            full = b + ": fail closed: the proxy hangs after ready, and --timeout still ends the run at once"
            if self.wanted(full):
                # Says ready, keeps the port, answers nothing, ends at the control socket's EOF.
                # The route check waits up to 30 s for the proxy; a kill (here --timeout) must
                # end it at once, not after that deadline.
                d = self.stage_helpers(fake_ready_then_hang)
                work = self.fresh_dir("fc")
                env = dict(os.environ, RINGFENCE_HELPER_DIR=d)
                r = self.ringfence(b, ["touch", "ran"], ["--allow-domain", "site.test", "--timeout", "1",
                                                         "--kill-after", "1"], env=env, workdir=work)
                self.claim(full, r.returncode in (124, 125) and r.elapsed < 20 and
                           not os.path.exists(os.path.join(work, "ran")) and not self.no_leftovers(5),
                           "exit %d in %.1f s, err %r" % (r.returncode, r.elapsed, r.err[-300:]))
        full = "refused: --allow-domain without --network proxy"
        if self.wanted(full):
            r = subprocess.run([self.rf, "run", "--allow-domain", "x.test", "--", "true"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd="/",
                               env={k: v for k, v in os.environ.items() if k != "TMPDIR"})
            self.claim(full, r.returncode == 125 and b"--network proxy" in r.stderr, r.stderr.decode()[-300:])

    def main(self):
        who = "uid %d" % os.getuid()
        print("network suite as %s; helpers in %s" % (who, self.helper_dir))
        if not os.path.exists(os.path.join(self.helper_dir, "ringfence-netproxy")):
            print("SKIP: ringfence-netproxy is not built in %s (core/netproxy)" % self.helper_dir)
            return 77
        for tool in ("curl", "git", "openssl"):
            if not shutil.which(tool, path=CLEAN_PATH):
                print("SKIP: %s is not installed" % tool)
                return 77
        backends = self.backends()
        for b in backends:
            self.run_backend(b)
        self.fail_closed(backends)
        passed = sum(1 for r in self.results if r[1] is True)
        failed = [r[0] for r in self.results if r[1] is False]
        skipped = sum(1 for r in self.results if r[1] is None)
        print("\nsummary (%s): %d passed, %d failed, %d skipped" % (who, passed, len(failed), skipped))
        if failed:
            print("failed:\n  " + "\n  ".join(failed))
        return 1 if failed else (0 if passed else 77)


def reexec_unprivileged(args):
    if os.geteuid() != 0:
        print("SKIP: --unprivileged switches to uid %d and needs root; as uid %d run without it"
              % (NOBODY, os.geteuid()))
        return 77
    setpriv = shutil.which("setpriv", path=CLEAN_PATH)
    if not setpriv:
        print("SKIP: setpriv (util-linux) is not installed")
        return 77
    drop = [setpriv, "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"]
    env = {"PATH": CLEAN_PATH, "LANG": "C.UTF-8", "HOME": "/"}
    me = os.path.abspath(__file__)
    for path in (me, os.path.abspath(args.ringfence)):
        if subprocess.run(drop + ["test", "-r", path], env=env).returncode != 0:
            print("SKIP: uid %d cannot read %s (build in a world-readable directory)" % (NOBODY, path))
            return 77
    argv = [PY, me, "--ringfence", os.path.abspath(args.ringfence)]
    if args.verbose:
        argv.append("-v")
    if args.only:
        argv += ["--only", args.only]
    print("running the suite again as uid/gid %d" % NOBODY)
    sys.stdout.flush()
    return subprocess.run(drop + argv, env=env).returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ringfence", required=True)
    ap.add_argument("--unprivileged", action="store_true")
    ap.add_argument("--only")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.unprivileged:
        return reexec_unprivileged(args)
    suite = Suite(args)
    try:
        return suite.main()
    finally:
        suite.cleanup()


if __name__ == "__main__":
    sys.exit(main())
