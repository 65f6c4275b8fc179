#!/usr/bin/env python3
"""run-escape.py: the ringfence escape suite.

Attacks `ringfence run -s workspace-write` (network off, the default) in a git
repository, and checks the result from the host side: files outside the
writable roots and protected names unchanged, host listeners saw nothing,
host processes untouched, nothing left running.  Also checks the ordinary work
that must keep working inside the sandbox.

The cases are one table (CASES, below): each row is data, a Case naming its
claim, what runs inside (rf-escape-attack operations or a shell script), the
ringfence options, the host-side evidence to watch, the backends and users it
applies to and why it is skipped elsewhere.  One runner (run_case) does setup,
run, check and cleanup for every row; the few rows that need bespoke host
setup or checks name a small function.

Each case prints PASS, FAIL or SKIP with its claim; a summary follows and the
exit status is 1 if any case failed.  Cases are written as an independent
attacker would: they rely on nothing but the CLI and what the design promises
(the design's "Threat model" and issue 3; see docs/escape-suite.md).

    run-escape.py --ringfence BUILD/core/ringfence --attack BUILD/tests/escape/rf-escape-attack
                  [--unprivileged] [--backend NAME] [--only REGEX] [--list] [--catalogue] [-v] [--keep]

--unprivileged: when run as root, re-execute as uid/gid 65534 (setpriv);
otherwise exit 77 (SKIP) with the reason.

Every attack is harmless if it fully succeeds on an unsandboxed host (see
attack.h), and every host-side object it targets is created by this runner in
its own directory under /var/tmp (or --basedir), which is outside the writable
roots; the few fixed paths it probes (/etc/rf-escape-*, /tmp/.mcp.json, ...)
are removed again if an attack manages to create them.
"""

import argparse
import fcntl
import functools
import hashlib
import os
import pty
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import termios
import time
import traceback
import tty
from dataclasses import dataclass, field
from typing import Callable, Optional

PROTECTED = [".git", ".agents", ".codex", ".ringfence", ".envrc", ".mcp.json", ".vscode", ".idea", ".aws"]
CLEAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
NOBODY = 65534


class Skip(Exception):
    """The case cannot run here; the message says why."""


class Broken(Exception):
    """The sandbox did not run the attack at all: counted as a failure."""


# --------------------------------------------------------------------------
# host-side helpers


def snapshot(root):
    """Everything observable about a tree: type, mode, owner, size, mtime,
    contents, link targets, xattrs.  None when root does not exist."""
    if not os.path.lexists(root):
        return None
    out = {}

    def add(path):
        rel = os.path.relpath(path, root)
        st = os.lstat(path)
        entry = [stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid]
        if stat.S_ISREG(st.st_mode):
            with open(path, "rb") as f:
                entry += [st.st_size, st.st_mtime_ns, hashlib.sha256(f.read()).hexdigest()]
        elif stat.S_ISLNK(st.st_mode):
            entry += [os.readlink(path)]
        elif stat.S_ISDIR(st.st_mode):
            entry += [st.st_mtime_ns]
        try:
            entry += [tuple(sorted(os.listxattr(path, follow_symlinks=False)))]
        except OSError:
            pass
        out[rel] = tuple(entry)

    add(root)
    if os.path.isdir(root) and not os.path.islink(root):
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                add(os.path.join(dirpath, name))
    return out


def diff_snapshots(before, after):
    if before == after:
        return []
    if before is None:
        return ["created (it did not exist before)"]
    if after is None:
        return ["removed"]
    changes = []
    for rel in sorted(set(before) | set(after)):
        if rel not in after:
            changes.append("%s: removed" % rel)
        elif rel not in before:
            changes.append("%s: created" % rel)
        elif before[rel] != after[rel]:
            changes.append("%s: changed" % rel)
    return changes


def host_addresses():
    """Non-loopback local addresses of the host: (v4 list, v6 list)."""
    v4, v6 = set(), []
    try:
        with open("/proc/net/fib_trie") as f:
            lines = f.read().splitlines()
        for i, line in enumerate(lines):
            if "/32 host LOCAL" in line and i > 0:
                addr = lines[i - 1].strip().lstrip("|-+ ").strip()
                if re.match(r"^\d+\.\d+\.\d+\.\d+$", addr) and not addr.startswith("127."):
                    v4.add(addr)
    except OSError:
        pass
    try:
        with open("/proc/net/if_inet6") as f:
            for line in f:
                hexaddr, _idx, _plen, scope, _flags, ifname = line.split()
                if scope != "00" or ifname == "lo":
                    continue  # global scope only: link-local needs an interface name
                addr = ":".join(hexaddr[i:i + 4] for i in range(0, 32, 4))
                v6.append(socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, addr)))
    except OSError:
        pass
    return sorted(v4), v6


def drain_accepts(sock):
    """Connections (or datagrams) that reached a host listener."""
    sock.setblocking(False)
    got = []
    while True:
        try:
            if sock.type == socket.SOCK_STREAM or sock.type == socket.SOCK_SEQPACKET:
                conn, addr = sock.accept()
                conn.settimeout(0.5)
                try:
                    data = conn.recv(200)
                except OSError:
                    data = b""
                conn.close()
                got.append("connection from %r, data %r" % (addr, data))
            else:
                data, addr = sock.recvfrom(200)
                got.append("datagram from %r: %r" % (addr, data))
        except (BlockingIOError, InterruptedError):
            return got
        except OSError as e:
            got.append("error %s" % e)
            return got


def live_procs(keep=lambda pid: True):
    """(pid, state, command line) of each host process |keep| accepts that is not a zombie
    and has not gone meanwhile."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            if not keep(pid):
                continue
            with open("/proc/%s/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            if state in ("Z", "X"):
                continue
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        yield pid, state, cmd


def procs_with(token, exclude=()):
    """Host pids (not zombies) whose command line or environment shows token."""
    return ["pid %s (%s): %s" % (pid, state, cmd[:160])
            for pid, state, cmd in live_procs(lambda pid: int(pid) not in exclude)
            if token in cmd]


def proc_state(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            fields = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
        return fields.get("State", "?").strip(), fields.get("TracerPid", "0").strip()
    except OSError:
        return None, None


# --------------------------------------------------------------------------
# runs


class Result:
    def __init__(self, argv, rc, out, err, elapsed):
        self.argv, self.rc, self.out, self.err, self.elapsed = argv, rc, out, err, elapsed
        self.lines = out.splitlines()

    @property
    def started(self):
        return "RF-ATTACK-START" in self.out

    def with_verdict(self, verdict, op=None):
        prefix = "RF %s " % verdict
        res = []
        for line in self.lines:
            if not line.startswith(prefix):
                continue
            if op is None or line[len(prefix):].split(" ", 1)[0] == op:
                res.append(line)
        return res

    def oks(self, op=None):
        return self.with_verdict("OK", op)

    def errs(self, op=None):
        return self.with_verdict("ERR", op)

    def summary(self):
        return "exit %s; stderr: %s" % (self.rc, (self.err.strip().splitlines() or [""])[-1][:300])


class Values(dict):
    """The names a row's templates may use ({ws}, {victim}, ...).  {tmp}, a directory of the
    case in /tmp (a writable root, removed afterwards), is made on first use."""

    def __init__(self, c, **kw):
        super().__init__(**kw)
        self.c = c

    def __missing__(self, key):
        if key == "tmp":
            self["tmp"] = tmp_dir(self.c)
            os.chmod(self["tmp"], 0o755)
            return self["tmp"]
        raise KeyError("the row names {%s}, which no setup provides" % key)


TEMPLATE_NAME = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def fill(c, template):
    """A row's template with {name}s replaced by the case's values (other braces, as in shell
    scripts, stay); numbers become strings."""
    if not isinstance(template, str):
        return str(template)
    return TEMPLATE_NAME.sub(lambda m: str(c.values[m.group(1)]), template)


class CaseRun:
    """One case being run: its work directory (a fresh git workspace and an outside directory
    with a victim file), its values, what it ran, and what failed."""

    def __init__(self, suite, cid):
        self.suite, self.id = suite, cid
        self.dir = os.path.join(suite.base, cid)
        os.makedirs(self.dir)
        self.ws = os.path.join(self.dir, "ws")
        self.outside = os.path.join(self.dir, "outside")
        self.victim = os.path.join(self.outside, "victim")
        self.token = "rf-escape-" + secrets.token_hex(6)
        shutil.copytree(suite.template, self.ws, symlinks=True)
        os.makedirs(self.outside)
        with open(self.victim, "w") as f:
            f.write("original\n")
        self.values = Values(self, id=cid, dir=self.dir, ws=self.ws, outside=self.outside,
                             victim=self.victim, token=self.token, home=suite.env["HOME"],
                             attack=suite.attack, ringfence=suite.ringfence, runner_pid=os.getpid())
        self.failures, self.notes, self.cleanups, self.results = [], [], [], []
        self.watch = {}  # path -> snapshot taken before the first run
        self.watched = False
        self.check_watch = True
        self.pass_fds = []   # descriptors the runs inherit (set by a row's setup or observer)
        self.run_kw = {}     # stdin, stderr, preexec for the runs (set by an observer)

    # -- bookkeeping
    def fail(self, msg):
        self.failures.append(msg)

    def note(self, msg):
        self.notes.append(msg)

    def cleanup(self, fn):
        self.cleanups.append(fn)

    def watch_path(self, path):
        """Also require path (file or tree) unchanged after the case."""
        self.watch[path] = snapshot(path)

    def _take_watch(self):
        if self.watched:
            return
        self.watched = True
        self.watch_path(self.outside)
        for name in PROTECTED:
            self.watch_path(os.path.join(self.ws, name))

    def finish_watch(self):
        if not self.check_watch:
            return
        for path, before in self.watch.items():
            changes = diff_snapshots(before, snapshot(path))
            if changes:
                more = " (and %d more)" % (len(changes) - 6) if len(changes) > 6 else ""
                self.fail("host side changed: %s: %s%s" % (path, "; ".join(changes[:6]), more))

    # -- running ringfence
    def run(self, argv, opts=(), cwd=None, timeout=60, stdin=subprocess.DEVNULL, fds=(),
            preexec=None, stderr=subprocess.PIPE, env=None, wrap_sh=None):
        """ringfence run -s workspace-write OPTS -- ARGV in cwd (default: the workspace)."""
        self._take_watch()
        cmd = [self.suite.ringfence, "run", "-s", "workspace-write"] + self.suite.backend_opts + \
            list(opts) + ["--"] + list(argv)
        if wrap_sh:
            # wrap_sh: redirections applied by a shell that then execs ringfence
            cmd = ["sh", "-c", 'exec "$@" ' + wrap_sh, "sh"] + cmd
        start = time.monotonic()
        p = subprocess.Popen(cmd, cwd=cwd or self.ws, stdin=stdin, stdout=subprocess.PIPE,
                             stderr=stderr, env=env or self.suite.env, pass_fds=fds,
                             preexec_fn=preexec, start_new_session=preexec is None)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                p.kill()
            out, err = p.communicate()
            self.fail("ringfence did not return within %d s" % timeout)
        res = Result(cmd, p.returncode, out.decode(errors="replace"),
                     (err or b"").decode(errors="replace"), time.monotonic() - start)
        self.results.append(res)
        return res

    def attack(self, *ops, **kw):
        res = self.run([self.suite.attack] + [str(o) for o in ops], **kw)
        if not res.started:
            raise Broken("the attack did not start inside the sandbox: " + res.summary())
        return res

    def sh(self, script, **kw):
        res = self.run(["sh", "-c", "echo RF-ATTACK-START; " + script], **kw)
        if not res.started:
            raise Broken("the command did not start inside the sandbox: " + res.summary())
        return res

    def host_attack(self, *ops):
        """Run rf-escape-attack on the host (victims, IPC objects)."""
        return subprocess.run([self.suite.attack] + [str(o) for o in ops], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=self.suite.env, timeout=30,
                              text=True).stdout

    def expect_none(self, res, ops, what):
        """Every OK line of these ops is an escape."""
        for op in ops:
            for line in res.oks(op):
                self.fail("%s: %s" % (what, line))


def write_file(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def check_absent(c, path):
    if os.path.lexists(path):
        c.fail("%s was created on the host" % path)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
        except OSError:
            pass


def tmp_dir(c):
    """A directory of this case in /tmp (a writable root), removed afterwards."""
    d = tempfile.mkdtemp(prefix=c.token + "-", dir="/tmp")
    c.cleanup(lambda: [shutil.rmtree(p, ignore_errors=True)
                       for p in [d] + [os.path.join("/tmp", n) for n in os.listdir("/tmp")
                                       if n.startswith(c.token)]])
    return d


def git(cwd, *args, env=None, check=True):
    return subprocess.run(["git"] + list(args), cwd=cwd, env=env, check=check,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout


def each(op, paths):
    """op path1 op path2 ...: one operation on each of several paths."""
    return tuple(x for p in paths for x in (op, p))


# --------------------------------------------------------------------------
# a case is a row of data


WORKSPACE_WRITE = ("workspace-write",)


@dataclass
class Case:
    """One claim and how to check it.  Strings may name the case's values as {name}: ws (the
    workspace, a git repository with one commit, also the working directory), outside (a
    directory outside the writable roots) and victim (outside/victim, holding "original"), dir
    (the case's directory), token (a unique string), home, attack and ringfence (the programs),
    runner_pid, tmp (a directory in /tmp, made on first use), mode (the sandbox mode of the
    current run), and whatever the row's setup and observers add."""
    id: str
    claim: str
    kind: str = "attack"                  # or "works": a must-keep-working case
    # what runs inside: rf-escape-attack operations (a tuple of templates, or a function of the
    # case giving them) or a shell script; once per sandbox mode in modes (-s)
    attack: object = ()
    sh: Optional[str] = None
    modes: tuple = WORKSPACE_WRITE
    opts: tuple = ()                      # ringfence run options
    cwd: Optional[str] = None             # default: the workspace
    wrap: Optional[str] = None            # redirections the caller's shell applies (7>>file)
    timeout: int = 60
    must_start: bool = True               # the run counts as broken if the command never started
    # host side, before the runs
    dirs: tuple = ()                      # directories to make
    files: dict = field(default_factory=dict)   # path -> contents
    links: tuple = ()                     # (symlink, target) pairs
    setup: Optional[Callable] = None      # bespoke setup(c): may add values, watch paths, Skip
    watch: tuple = ()                     # more paths (besides outside and the protected names)
                                          # that must be unchanged afterwards
    observe: tuple = ()                   # host-side witnesses: factories observer(c)
    # the expected evidence, after each run
    refused: dict = field(default_factory=dict)  # what a leak is called -> ops whose every OK is one
    works: tuple = ()                     # (op, what) pairs that must report OK
    prints: Optional[tuple] = None        # (marker, what): the output must contain marker
    check: Optional[Callable] = None      # bespoke check(c, res)
    absent: tuple = ()                    # host paths that must not exist after the case
    watch_host: bool = True               # False: the row changes .git on purpose
    # the few rows whose runs are not one command per mode (a signal mid-run, a loop over targets)
    body: Optional[Callable] = None       # body(c) does the runs and checks itself
    # where the claim applies
    backends: tuple = ("bwrap",)
    users: tuple = ("root", "unprivileged")
    why: str = ""                         # why it is skipped for the other users
    skip: Optional[Callable] = None       # skip(c) -> the reason this host cannot run it, or None


def works(cid, claim, **kw):
    return Case(cid, claim, kind="works", **kw)


class Observer:
    """A host-side witness of one case: made before the runs (it may add values), asked after
    each run and once at the end, always closed."""

    def after_run(self, c, res):
        pass

    def check(self, c):
        pass

    def close(self):
        pass


def current_user():
    return "root" if os.geteuid() == 0 else "unprivileged"


def run_case(c, case):
    """Setup, run, check and cleanup of one row (the caller runs c.cleanups)."""
    backend = c.suite.args.backend
    if backend and backend not in case.backends:
        raise Skip("the claim is made for the %s backend%s, not %s"
                   % ("/".join(case.backends), "s" if len(case.backends) > 1 else "", backend))
    if current_user() not in case.users:
        raise Skip(case.why or "not run as %s" % current_user())
    if case.skip:
        reason = case.skip(c)
        if reason:
            raise Skip(reason)
    for d in case.dirs:
        os.makedirs(fill(c, d))
    for path, text in case.files.items():
        write_file(fill(c, path), text)
    for link, target in case.links:
        os.symlink(fill(c, target), fill(c, link))
    if case.setup:
        case.setup(c)
    for path in case.watch:
        c.watch_path(fill(c, path))
    c.check_watch = case.watch_host
    observers = []
    try:
        for make in case.observe:
            observers.append(make(c))
        if case.body:
            case.body(c)
        else:
            for mode in case.modes:
                c.values["mode"] = mode
                res = run_one(c, case, mode)
                for o in observers:
                    o.after_run(c, res)
                judge(c, case, res)
        for o in observers:
            o.check(c)
        for path in case.absent:
            check_absent(c, fill(c, path))
    finally:
        for o in observers:
            o.close()


def run_one(c, case, mode):
    opts = (["-s", mode] if case.modes != WORKSPACE_WRITE else []) + [fill(c, o) for o in case.opts]
    kw = dict(opts=opts, timeout=case.timeout, cwd=fill(c, case.cwd) if case.cwd else None,
              wrap_sh=fill(c, case.wrap) if case.wrap else None, fds=tuple(c.pass_fds), **c.run_kw)
    if case.sh is not None:
        script = fill(c, case.sh)
        return c.sh(script, **kw) if case.must_start else \
            c.run(["sh", "-c", "echo RF-ATTACK-START; " + script], **kw)
    ops = case.attack(c) if callable(case.attack) else [fill(c, a) for a in case.attack]
    return c.attack(*ops, **kw) if case.must_start else \
        c.run([c.suite.attack] + [str(o) for o in ops], **kw)


def judge(c, case, res):
    """The row's expectations, against one run."""
    for what, ops in case.refused.items():
        c.expect_none(res, ops, fill(c, what))
    for op, what in case.works:
        if not res.oks(op):
            c.fail("%s does not work: %s" % (fill(c, what), "; ".join(res.errs(op)) or res.summary()))
    if case.prints:
        marker, what = case.prints
        if marker not in res.out:
            c.fail("%s: %s" % (fill(c, what), res.summary()))
    if case.check:
        case.check(c, res)


# --------------------------------------------------------------------------
# host-side witnesses (observers) and the checks rows share


def _drain_fd(fd):
    """Whatever a host reader (a FIFO's read end, a pty master) got."""
    got = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except (BlockingIOError, InterruptedError):
            break
        except OSError:  # EIO: a pty master whose slave nobody holds
            break
        if not chunk:
            break
        got += chunk
    return got


class HostFifo(Observer):
    """A FIFO outside the writable roots, writable by whoever runs the suite (only the sandbox
    stands in the way), a symlink to it in the workspace, and its host reader, which must get
    nothing.  Values: fifo."""

    what = "a host FIFO outside"

    def __init__(self, c):
        fifo = os.path.join(c.outside, "control.fifo")
        os.mkfifo(fifo, 0o666)
        os.chmod(fifo, 0o666)
        os.symlink(fifo, os.path.join(c.ws, "fifo-link"))
        self.reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        c.values.update(fifo=fifo, targets=[fifo, "fifo-link", "/proc/self/root" + fifo])

    def after_run(self, c, res):
        got = _drain_fd(self.reader)
        if got:
            c.fail("the host side of %s received %r (%s)" % (self.what, got[:80], c.values["mode"]))

    def close(self):
        os.close(self.reader)


class HostPtyOutside(HostFifo):
    """A host pty whose slave is reachable outside /dev: a symlink to its /dev/pts entry in the
    outside dir and, as root, a device node mknod'ed there; the master must get nothing."""

    what = "a host pty outside /dev"

    def __init__(self, c):
        self.master, self.slave = pty.openpty()
        self.reader = self.master
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)
        link = os.path.join(c.outside, "pts-link")
        os.symlink(os.ttyname(self.slave), link)
        targets = [link, "/proc/self/root" + link]
        if os.geteuid() == 0:
            node = os.path.join(c.outside, "pts-node")
            os.mknod(node, 0o666 | stat.S_IFCHR, os.fstat(self.slave).st_rdev)
            os.chmod(node, 0o666)
            targets += [node, "/proc/self/root" + node]
        else:
            c.note("not root: no device node made outside /dev (mknod needs CAP_MKNOD); the symlink "
                   "to the host pty is tried")
        c.values["targets"] = targets

    def close(self):
        os.close(self.master)
        os.close(self.slave)


def special_write_attempted(c, res):
    if not res.with_verdict("ERR", "special-write"):
        c.fail("special-write: no attempt ran (%s): %s" % (c.values["mode"], res.summary()))


class NetListeners(Observer):
    """Host TCP or UDP sockets on every address (IPv4, and IPv6 when the host has it) on one
    port; whatever reaches them is a leak.  Values: port."""

    def __init__(self, proto, c, leak="host listener on port {port} got"):
        self.leak = leak
        if proto == "tcp":
            self.s4, self.s6, port = _tcp_listeners()
        else:
            self.s4, self.s6, port = _udp_listeners()
        c.values["port"] = port
        if any(":" in a for a in c.values.get("addrs", [])) and self.s6 is None:
            self.close()
            raise Skip("IPv6 is not available on the host")

    def check(self, c):
        got = drain_accepts(self.s4) + (drain_accepts(self.s6) if self.s6 else [])
        if got:
            c.fail("%s: %s" % (fill(c, self.leak), "; ".join(got)))

    def close(self):
        self.s4.close()
        if self.s6:
            self.s6.close()


def _tcp_listeners():
    l4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    l4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l4.bind(("0.0.0.0", 0))
    port = l4.getsockname()[1]
    l4.listen(16)
    l6 = None
    try:
        l6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        l6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        l6.bind(("::", port))
        l6.listen(16)
    except OSError:
        l6 = None
    return l4, l6, port


def _udp_listeners():
    u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u4.bind(("0.0.0.0", 0))
    port = u4.getsockname()[1]
    u6 = None
    try:
        u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        u6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        u6.bind(("::", port))
    except OSError:
        u6 = None
    return u4, u6, port


def host_has_ipv6_loopback():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


def _unix_listener(path, kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_UNIX, kind)
    s.bind(path)
    if kind != socket.SOCK_DGRAM:
        s.listen(8)
    if path[0] != "\0":
        os.chmod(path, 0o777)
    return s


class UnixListener(Observer):
    """A host unix socket (a pathname, or abstract when it starts with NUL) that must receive
    nothing.  Values: sock (its name for rf-escape-attack: '@name' when abstract)."""

    def __init__(self, path, kind, leak, c):
        path = fill(c, path)
        self.s = _unix_listener(path, kind)
        self.leak = leak
        c.values["sock"] = "@" + path[1:] if path[0] == "\0" else path

    def check(self, c):
        got = drain_accepts(self.s)
        if got:
            c.fail("%s got: %s" % (fill(c, self.leak), "; ".join(got)))

    def close(self):
        self.s.close()


class CallerSocket(Observer):
    """A connected socketpair the caller holds; one end is inherited by ringfence (not passed
    with --pass-fd), the other must receive nothing.  Values: fd."""

    def __init__(self, c):
        self.a, self.b = socket.socketpair()
        c.values["fd"] = self.a.fileno()
        c.pass_fds = [self.a.fileno()]

    def after_run(self, c, res):
        self.a.close()
        self.b.setblocking(False)
        try:
            got = self.b.recv(200)
        except (BlockingIOError, OSError):
            got = b""
        if got:
            c.fail("the caller's socket received data from inside: %s" % got)

    def close(self):
        self.a.close()
        self.b.close()


class Victim(Observer):
    """A host process (same user as the sandbox) holding a secret; afterwards it must be alive,
    neither stopped nor traced, have received no signal and hold its secret unchanged.
    Values: victim_pid, victim_addr (of the secret)."""

    def __init__(self, c, settle=0.0):
        self.settle = settle
        self.out = os.path.join(c.dir, "victim.info")
        env = dict(c.suite.env, RF_SECRET="RF-SECRET-" + c.token)
        self.proc = subprocess.Popen([c.suite.attack, "victim", c.token, self.out], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        for _ in range(200):
            if os.path.exists(self.out):
                break
            time.sleep(0.01)
        pid, addr = open(self.out).read().split()
        self.pid, self.addr = int(pid), addr
        c.values.update(victim_pid=self.pid, victim_addr=addr)

    def check(self, c):
        time.sleep(self.settle)
        if self.proc.poll() is not None:
            c.fail("the host victim (pid %d) died: %s" % (self.pid, self.proc.returncode))
            return
        state, tracer = proc_state(self.pid)
        if state and state[0] in "tT":
            c.fail("the host victim is stopped (%s)" % state)
        if tracer not in (None, "0"):
            c.fail("the host victim is traced by %s" % tracer)
        sig = self.out + ".signals"
        if os.path.exists(sig):
            c.fail("the host victim received: %s" % open(sig).read().strip().replace("\n", "; "))
        self.proc.terminate()
        self.proc.wait(10)
        mem = open(self.out + ".memory").read() if os.path.exists(self.out + ".memory") else ""
        if mem != "RF-SECRET-" + c.token:
            c.fail("the host victim's memory changed: %r" % mem)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _sched_state(pid):
    """A host process's limits, nice value, affinity, scheduling class and I/O priority."""
    import ctypes
    with open("/proc/%d/stat" % pid) as f:
        st = f.read()
    st = st[st.rindex(")") + 2:].split()
    with open("/proc/%d/limits" % pid) as f:
        limits = f.read()
    ioprio = None
    nr = {"x86_64": 252, "aarch64": 31}.get(os.uname().machine)
    if nr:
        ioprio = ctypes.CDLL(None, use_errno=True).syscall(nr, 1, pid)
    return {"nice": st[16], "policy": st[38], "affinity": sorted(os.sched_getaffinity(pid)),
            "ioprio": ioprio, "limits": limits}


class VictimSched(Observer):
    """The victim's scheduling state (after Victim in observe), unchanged by the run."""

    def __init__(self, c):
        self.pid = c.values["victim_pid"]
        self.before = _sched_state(self.pid)

    def after_run(self, c, res):
        after = _sched_state(self.pid)
        for key in self.before:
            if self.before[key] != after[key]:
                c.fail("the host victim's %s changed: %r -> %r" % (key, self.before[key], after[key]))


class Terminal(Observer):
    """A pty standing for the invoking terminal.  as_stdio: it is ringfence's stdin and stderr
    and its controlling terminal (TIOCSCTTY); otherwise it is only the controlling terminal
    (opened after setsid) and a line was typed on it beforehand.  watch_input: whatever reaches
    its input queue from inside is injected input.  Values: typed."""

    def __init__(self, c, as_stdio, raw=True, watch_input=True):
        self.master, self.slave = pty.openpty()
        self.watch_input = watch_input
        if raw:
            tty.setraw(self.slave)
        slave = self.slave
        if as_stdio:
            def ctty():
                os.setsid()
                fcntl.ioctl(0, termios.TIOCSCTTY, 0)
            c.run_kw = dict(stdin=slave, stderr=slave, preexec=ctty)
            self.typed = ""
        else:
            def ctty():
                os.setsid()
                fd = os.open(os.ttyname(slave), os.O_RDWR)  # becomes the controlling terminal
                os.close(fd)
            c.run_kw = dict(preexec=ctty)
            self.typed = "typed-" + c.token[-6:] + "\r"
            os.write(self.master, self.typed.encode())
        c.values["typed"] = self.typed

    def after_run(self, c, res):
        if not self.watch_input:
            return
        os.set_blocking(self.slave, False)
        left = b""
        try:
            while True:
                chunk = os.read(self.slave, 4096)
                if not chunk:
                    break
                left += chunk
        except (BlockingIOError, OSError):
            pass
        if self.typed and self.typed.strip() in res.out:
            c.fail("read what the user typed on the invoking terminal: %s" % res.oks("tty-read"))
        extra = left.replace(self.typed.encode(), b"", 1) if self.typed else left
        if extra:
            c.fail("the invoking terminal received injected input: %r" % extra[:100])

    def close(self):
        os.close(self.master)
        os.close(self.slave)


def procs_in_mntns(ns):
    """Host pids (not zombies) in mount namespace ns (e.g. 'mnt:[4026532000]')."""
    return ["pid %s (%s): %s" % (pid, state, cmd[:160])
            for pid, state, cmd in live_procs(lambda pid: os.readlink("/proc/%s/ns/mnt" % pid) == ns)]


def _check_gone(c, hb, when):
    """Nothing of the case left running: no process showing its token, none in the sandbox's
    mount namespace (recorded in HB.ns by 'linger'), and the heartbeat file HB stopped."""
    ns = None
    if os.path.exists(hb + ".ns"):
        ns = open(hb + ".ns").read().strip()
    deadline = time.monotonic() + 3
    left = procs_with(c.token)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = procs_with(c.token)
    if left:
        c.fail("still running 3 s %s: %s" % (when, "; ".join(left)))
        for l in left:
            try:
                os.kill(int(l.split()[1]), signal.SIGKILL)
            except OSError:
                pass
    if ns:
        inside = procs_in_mntns(ns)
        while inside and time.monotonic() < deadline + 1:
            time.sleep(0.1)
            inside = procs_in_mntns(ns)
        if inside:
            c.fail("processes still in the sandbox's mount namespace %s %s: %s" % (ns, when, "; ".join(inside)))
    else:
        c.note("the sandbox's mount namespace was not recorded, so helpers were not checked")
    if os.path.exists(hb):
        before = open(hb).read()
        time.sleep(0.6)
        after = open(hb).read() if os.path.exists(hb) else before
        if before != after:
            c.fail("a sandboxed process still writes its heartbeat %s (%r -> %r)" % (when, before, after))


def nothing_left(when):
    """check: the heartbeat of 'linger' ({ws}/heartbeat) stopped and nothing is left running."""
    return lambda c, res: _check_gone(c, os.path.join(c.ws, "heartbeat"), when)


def note_unless(op, text):
    """check: a note (not a failure) when op never reported OK."""
    def check(c, res):
        if not res.oks(op):
            c.note(text + "; ".join(res.errs(op)))
    return check


def tried(op):
    """check: the attack reported on op at all (OK or ERR), so the claim was exercised."""
    def check(c, res):
        if not res.with_verdict("OK", op) + res.with_verdict("ERR", op):
            c.fail("the attack did not try: " + res.summary())
    return check


def all_of(*checks):
    def check(c, res):
        for fn in checks:
            fn(c, res)
    return check


# --------------------------------------------------------------------------
# the bespoke parts of some rows: setup(c), check(c, res), body(c)

ETC_FILE = "/etc/hostname" if os.path.exists("/etc/hostname") else "/etc/passwd"
USR_FILE = "/usr/include/stdio.h" if os.path.exists("/usr/include/stdio.h") else "/etc/hostname"


def remove_git(c):
    shutil.rmtree(os.path.join(c.ws, ".git"))


def plant(name, path, claim, has_git=True):
    """protect-plant-NAME: a workspace without NAME cannot be given PATH."""
    ops = (("mkdirs", os.path.dirname(path)) if "/" in path else ()) + ("write", path)
    return Case("protect-plant-" + name, claim, attack=ops, setup=None if has_git else remove_git,
                refused={"planted": ("write",)})  # the watch on every protected name sees it too


def swap_race_ran(c, res):
    info = " ".join(res.with_verdict("INFO", "race"))
    m = re.search(r"made (\d+) swaps", info)
    if not m or int(m.group(1)) == 0:
        c.note("the swap did not happen, so the race was not exercised: " + info)


def hardlink_envrc(c):
    os.link(os.path.join(c.ws, ".envrc"), os.path.join(c.ws, "envrc-copy"))


def hardlinked_name_held(c, res):
    # Refusing to run (exit 125, naming the extra link) is a correct answer: mounts protect paths,
    # not inodes.  Running and writing is not (the watch on .envrc sees it).
    if not res.started:
        if res.rc != 125 or "hard link" not in res.err:
            raise Broken("neither ran nor refused with a reason: " + res.summary())
        c.note("refused: " + res.err.strip().splitlines()[0][:160])
        return
    if res.oks("append") or res.oks("overwrite"):
        c.note("the other link was writable: " + "; ".join(res.oks()))


def husky_hooks(c):
    git(c.ws, "config", "core.hooksPath", ".husky", env=c.suite.env)
    os.chmod(os.path.join(c.ws, ".husky/pre-commit"), 0o755)


def hooks_in_tmp(c):
    hooks = os.path.join(c.values["tmp"], "hooks")
    write_file(os.path.join(hooks, "pre-commit"), "#!/bin/sh\nexit 0\n")
    git(c.ws, "config", "core.hooksPath", hooks, env=c.suite.env)
    c.values["hooks"] = hooks


def include_shared_config(c):
    git(c.ws, "config", "include.path", "../.gitconfig-shared", env=c.suite.env)


def tmp_names_exist(c):
    for t in ("/tmp/.mcp.json", "/tmp/.envrc"):
        if os.path.lexists(t):
            return "%s already exists on this host" % t
    return None


def workspace_below(parent_key):
    """setup: {PARENT}/proj/ws is the workspace (PARENT a writable root, or below one).
    Values: proj, proj_ws."""
    def setup(c):
        proj = os.path.join(c.values[parent_key], "proj")
        ws = os.path.join(proj, "ws")
        shutil.copytree(c.suite.template, ws, symlinks=True)
        c.watch_path(os.path.join(ws, ".git"))
        c.watch_path(os.path.join(ws, ".envrc"))
        c.values.update(proj=proj, proj_ws=ws)
    return setup


def extra_root(c):
    extra = os.path.join(c.dir, "extra")
    os.makedirs(extra)
    c.values["extra"] = extra


def parent_not_renamed(c, res):
    proj = c.values["proj"]
    if res.oks("rename"):
        c.fail("renamed the workspace's parent %s away on the host (the protected .git moved with it)" % proj)
        c.cleanup(lambda: shutil.rmtree(proj + ".moved", ignore_errors=True))


def separate_git_dir(commit):
    """setup: .git is a 'gitdir:' file naming {tmp}/real.git.  Values: real."""
    def setup(c):
        real = os.path.join(c.values["tmp"], "real.git")
        shutil.rmtree(os.path.join(c.ws, ".git"))
        git(c.ws, "init", "-q", "--separate-git-dir", real, env=c.suite.env)
        if commit:
            git(c.ws, "add", "-A", env=c.suite.env)
            git(c.ws, "commit", "-qm", "init", env=c.suite.env)
        c.watch_path(real)
        c.values["real"] = real
    return setup


def real_git_parent_not_renamed(c, res):
    if res.oks("rename"):
        c.fail("renamed the real git dir's parent %s away on the host" % c.values["tmp"])


def worktree_of_main(c):
    main = os.path.join(c.values["tmp"], "main")
    shutil.copytree(c.suite.template, main, symlinks=True)
    shutil.rmtree(c.ws)
    git(main, "worktree", "add", "-q", c.ws, env=c.suite.env)
    c.watch_path(os.path.join(main, ".git"))
    c.values["main"] = main


def passed_sockets(c):
    """passed-socket-host: one run per kind of host service, each with a fresh socket of the
    matching family and type passed in with --pass-fd."""
    t = c.values["tmp"]
    targets = []
    try:
        for label, path, kind in (("dgram-path", os.path.join(t, "log.sock"), socket.SOCK_DGRAM),
                                  ("dgram-abstract", "\0" + c.token + "-dgram", socket.SOCK_DGRAM),
                                  ("stream-path", os.path.join(t, "agent.sock"), socket.SOCK_STREAM),
                                  ("stream-abstract", "\0" + c.token + "-stream", socket.SOCK_STREAM),
                                  ("seqpacket-abstract", "\0" + c.token + "-seq", socket.SOCK_SEQPACKET)):
            s = _unix_listener(path, kind)
            targets.append((label, s, "@" + path[1:] if path[0] == "\0" else path, socket.AF_UNIX, kind))
        for label, kind in (("tcp", socket.SOCK_STREAM), ("udp", socket.SOCK_DGRAM)):
            s = socket.socket(socket.AF_INET, kind)
            s.bind(("127.0.0.1", 0))
            if kind == socket.SOCK_STREAM:
                s.listen(8)
            targets.append((label, s, "inet:127.0.0.1:%d" % s.getsockname()[1], socket.AF_INET, kind))
        for label, listener, addr, family, kind in targets:
            passed = socket.socket(family, kind)
            try:
                fd = passed.fileno()
                res = c.attack("passed-socket", fd, addr, opts=["--pass-fd", str(fd)], fds=(fd,))
            finally:
                passed.close()
            time.sleep(0.2)
            got = drain_accepts(listener)
            if got:
                c.fail("host %s service %s reached through a passed-in socket: %s"
                       % (label, addr, "; ".join(got)))
            c.expect_none(res, ["passed-socket"], "host %s service reached" % label)
            if not res.with_verdict("OK", "passed-socket") + res.with_verdict("ERR", "passed-socket"):
                c.fail("the attack did not try %s: %s" % (label, res.summary()))
    finally:
        for target in targets:
            target[1].close()


def open_runner_log(c):
    f = open(os.path.join(c.outside, "runner.log"), "w")
    c.cleanup(f.close)
    c.values["log_fd"] = f.fileno()


def net_addrs(addrs):
    """setup: the addresses a net-* row aims at (Skip when the host has none).  Values: addrs."""
    def setup(c):
        found = addrs()
        if not found:
            raise Skip("the host has no such address")
        c.values["addrs"] = found
    return setup


def net_case(cid, claim, proto, addrs):
    """net-*: connect (TCP) or send (UDP) from inside to a host listener on each of addrs."""
    op = "tcp-connect" if proto == "tcp" else "udp-send"
    return Case(cid, claim, setup=net_addrs(addrs), observe=(functools.partial(NetListeners, proto),),
                attack=lambda c: [x for a in c.values["addrs"] for x in (op, a, c.values["port"])],
                refused={"connected to the host": ("tcp-connect",)},
                check=udp_stayed_inside if proto == "udp" else None)


def udp_stayed_inside(c, res):
    # sendto() to a loopback address succeeds on the sandbox's own lo; only what the host
    # socket received counts
    for line in res.oks("udp-send"):
        if not re.search(r" (127\.|::1 )", line):
            c.fail("datagram left for a host address: %s" % line)


def loopback6():
    return ["::1"] if socket.has_ipv6 and host_has_ipv6_loopback() else []


def loopbacks():
    return ["127.0.0.1"] + (["::1"] if host_has_ipv6_loopback() else [])


def host_interface(c):
    ifaces = [i for i in sorted(os.listdir("/sys/class/net")) if i != "lo"] if os.path.isdir("/sys/class/net") else []
    if not ifaces:
        raise Skip("the host has no network interface besides lo")
    c.values["iface"] = ifaces[0]


def host_netns_hidden(c, res):
    if res.oks("netns-creat") and not res.oks("netns-plain"):
        c.fail("an O_CREAT open sees the host's network namespace: %s" % res.oks("netns-creat")[0])
    if res.oks("netns-creat") and res.oks("netns-write"):
        c.fail("a host network sysctl was written through an O_CREAT handle: %s" % res.oks("netns-write")[0])


def only_inet_and_unix(c, res):
    for line in res.oks("socket") + res.oks("socketpair"):
        fam = int(line.split("family ")[1].split()[0])
        if fam not in (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6):
            c.fail("socket family allowed: %s" % line)


def unix_case(cid, claim, path, kind=socket.SOCK_STREAM, where="", dirs=()):
    """unix-*: connect (or send datagrams) from inside to a host unix socket at path."""
    return Case(cid, claim, dirs=dirs,
                observe=(functools.partial(UnixListener, path, kind, "host unix socket {sock}" + where),),
                attack=("unix-dgram" if kind == socket.SOCK_DGRAM else "unix-connect", "{sock}",
                        "unix-connect-many", "seqpacket", "{sock}"),
                refused={"host unix socket reached": ("unix-connect", "unix-dgram")})


def raw_dgram_sockets(c):
    """unix-raw-dgram: one run per host datagram socket, in /tmp and outside the roots."""
    d = os.path.join(c.dir, "run")
    os.makedirs(d)
    for path in (os.path.join(c.values["tmp"], "raw.sock"), os.path.join(d, "raw.sock")):
        s = _unix_listener(path, socket.SOCK_DGRAM)
        try:
            res = c.attack("unix-raw", path)
            got = drain_accepts(s)
            if got:
                c.fail("host datagram socket %s got: %s" % (path, "; ".join(got)))
            tried("unix-raw")(c, res)
        finally:
            s.close()


# the supervisors: hostile input is refused with the kernel's errno, ringfence survives (issue 12)
HOSTILE_INPUT = [
    ("cmsg-len-zero", "EINVAL"), ("cmsg-len-zero-host", "EINVAL"), ("cmsg-len-short", "EINVAL"),
    ("cmsg-len-huge", "EINVAL"), ("cmsg-len-past", "EINVAL"), ("cmsg-second-past", "EINVAL"),
    ("cmsg-254-fds", "EINVAL"), ("cmsg-credentials", "EPERM"), ("controllen-huge", "ENOBUFS"),
    ("iovlen-1025", "EMSGSIZE"), ("iov-len-wrap", "EINVAL"), ("namelen-negative", "EINVAL"),
    ("sendto-unix-128", "EINVAL"), ("sendmmsg-cmsg-zero", "EINVAL"), ("connect-unix-128", "EINVAL"),
    ("bind-unix-128", "EINVAL"), ("utimes-usec-wrap", "EINVAL"),
]


def old_stamp(c):
    os.utime(os.path.join(c.ws, "stamp"), (1000000000, 1000000000))


def hostile_input_refused(c, res):
    # ringfence returned the command's own exit status (0) after the whole attack ran
    if res.rc != 0:
        why = "killed by signal %d" % -res.rc if res.rc < 0 else "exit %d" % res.rc
        c.fail("ringfence did not return the command's exit status 0 (%s): %s" % (why, res.summary()))
    if "RF-ATTACK-END" not in res.out:
        c.fail("the attack did not run to its end inside the sandbox")
    for op, want in HOSTILE_INPUT:
        oks, errs = res.oks(op), res.errs(op)
        if oks:
            c.fail("%s succeeded (the kernel answers %s): %s" % (op, want, oks[0]))
        elif not errs:
            c.fail("%s did not report (the supervisor died?)" % op)
        elif errs[0].split()[3] != want:
            c.fail("%s got %s, the kernel's answer is %s: %s" % (op, errs[0].split()[3], want, errs[0]))
    stamp = os.path.join(c.ws, "stamp")
    if os.stat(stamp).st_mtime_ns != 1000000000 * 10**9:
        c.fail("utimes with tv_usec out of range changed %s" % stamp)
    if not res.oks("send-rights"):
        c.fail("an ordinary SCM_RIGHTS message no longer works: %s" % (res.errs("send-rights") or ["no report"])[0])


def host_unix_services(c):
    socks = []
    try:
        with open("/proc/net/unix") as f:
            next(f)
            for line in f:
                parts = line.split()
                if len(parts) < 8:
                    continue
                flags, typ, path = int(parts[3], 16), int(parts[4], 16), parts[7]
                if "rf-escape" in path:
                    continue
                if typ in (1, 5) and flags & 0x10000:
                    socks += ["seqpacket" if typ == 5 else "stream", path]
                elif typ == 2 and path.startswith("/"):
                    socks += ["dgram", path]
    except OSError as e:
        raise Skip("cannot read /proc/net/unix: %s" % e)
    socks = socks[:200]
    if not socks:
        raise Skip("the host has no listening unix sockets to try")
    c.note("tried %d host sockets: %s" % (len(socks) // 2, " ".join(socks[1::2])[:400]))
    c.values["host_sockets"] = socks


def sysv_msg_queue(c):
    key = str(0x52460000 + secrets.randbelow(0xffff))
    c.host_attack("msg-create", key)
    c.cleanup(lambda: c.host_attack("msg-count", key))
    c.values["key"] = key


def sysv_shm_segment(c):
    key = str(0x52470000 + secrets.randbelow(0xffff))
    c.host_attack("shm-create", key)
    c.values["key"] = key


def posix_mq(c):
    c.host_attack("mq-create", "/" + c.token)


def host_queue_empty(count_op, name):
    def check(c, res):
        out = c.host_attack(count_op, fill(c, name))
        m = re.search(r"%s (\d+) messages" % count_op, out)
        if m and int(m.group(1)) > 0:
            c.fail("the host queue got %s messages" % m.group(1))
    return check


def host_shm_unwritten(c, res):
    out = c.host_attack("shm-read", c.values["key"])
    if "RF-ESCAPE" in out:
        c.fail("the host segment was written: %s" % out.strip())


def note_if_ok(op, text):
    """check: a note (not a failure) when op reported OK."""
    def check(c, res):
        if res.oks(op):
            c.note(text + "; ".join(res.oks(op)))
    return check


def kill_note(c, res):
    if res.oks("kill"):
        c.note("kill() returned success inside: " + res.oks("kill")[0] + " (that pid is something in the sandbox)")


def sched_ops(c):
    # who 0 with PRIO_USER means every process of the uid: as root, on a broken sandbox, that
    # would renice every root process of the machine, so only the unprivileged pass asks.
    return ["sched", c.values["victim_pid"]] + (["user"] if os.geteuid() != 0 else [])


def secret_unread(c, res):
    if "RF-SECRET-" + c.token in res.out:
        c.fail("read the host victim's secret from inside")


def secret_invisible(c, res):
    if "RF-SECRET-" + c.token in res.out or res.oks("proc-scan"):
        c.fail("a host process's environment or command line is visible: %s" %
               "; ".join(l for l in res.lines if c.token in l)[:400])


def reversed_token(c):
    # the token goes in reversed, so that the sandbox's own command lines do not match
    c.values["token_reversed"] = c.token[::-1]


def linger_reported(c, res):
    if not res.oks("linger"):
        c.note("the linger step reported: " + " ".join(res.lines[-3:]))


def _start_and_wait_heartbeat(c, opts=()):
    hb = os.path.join(c.ws, "heartbeat")
    c._take_watch()
    cmd = [c.suite.ringfence, "run", "-s", "workspace-write"] + c.suite.backend_opts + list(opts) + [
        "--", c.suite.attack, "linger", c.token, hb, "stay"]
    p = subprocess.Popen(cmd, cwd=c.ws, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=c.suite.env)
    deadline = time.monotonic() + 30  # generous: a loaded machine starts it late
    while not os.path.exists(hb):
        if time.monotonic() > deadline or p.poll() is not None:
            break
        time.sleep(0.05)
    if not os.path.exists(hb):
        p.kill()
        p.communicate()
        raise Broken("the sandboxed daemon never started")
    return p, hb


def ringfence_killed(c):
    p, hb = _start_and_wait_heartbeat(c)
    os.kill(p.pid, signal.SIGKILL)
    p.communicate()
    _check_gone(c, hb, "after ringfence was killed")


def ringfence_terminated(c):
    p, hb = _start_and_wait_heartbeat(c)
    os.kill(p.pid, signal.SIGTERM)
    try:
        p.communicate(timeout=12)
    except subprocess.TimeoutExpired:
        c.fail("ringfence did not return within 12 s of SIGTERM")
        p.kill()
        p.communicate()
    _check_gone(c, hb, "after ringfence returned from SIGTERM")


def exit_124(c, res):
    if res.rc != 124:
        c.fail("exit status %s, not 124" % res.rc)


def pid1_not_injected(c, res):
    if "RF-PID1-INJECTED" in res.out:
        c.fail("code injected into pid 1 through /proc/1/mem ran there, outside the seccomp filters")
    elif res.oks("pid1-mem-write"):
        c.fail("wrote code into pid 1 through /proc/1/mem: %s" % res.oks("pid1-mem-write")[0])
    elif res.oks("pid1-mem-open"):
        c.fail("opened /proc/1/mem of pid 1 for writing")


def x86_64_only(info_op):
    def check(c, res):
        lines = res.with_verdict("INFO", info_op) if info_op else res.lines
        if any("SKIP" in l for l in lines):
            raise Skip("x86-64 only")
    return check


def legacy_tiocsti_note(c, res):
    try:
        legacy = open("/proc/sys/dev/tty/legacy_tiocsti").read().strip()
    except OSError:
        legacy = None
    if legacy == "0":
        c.note("this kernel has dev.tty.legacy_tiocsti=0, so TIOCSTI is refused by the kernel anyway")


TERMINAL_IOCTLS = ("tiocsti", "tiocsti-highbits", "tioclinux", "tioclinux-highbits")

SURFACES = [
    ("@io-uring", "io_uring_setup/enter/register are refused"),
    ("@namespaces", "unshare, setns and clone3 with namespace flags are refused by the filter (not merely failing in the kernel)"),
    ("@mount", "mount, umount, pivot_root, chroot and the new mount API are refused"),
    ("@debug", "ptrace, process_vm_*, pidfd_getfd, kcmp, perf_event_open are refused"),
    ("@kernel-module", "module loading and removal are refused"),
    ("@system", "reboot, kexec, swap, acct, quotactl, syslog, bpf, userfaultfd, fanotify, file handles are refused"),
    ("@clock", "clock setting (and adjtimex) is refused"),
    ("@keyring", "the kernel keyring (add_key, request_key, keyctl) is refused"),
    ("@raw-io", "iopl and ioperm are refused"),
    ("@numa", "NUMA policy calls (mbind, set/get_mempolicy, migrate_pages, move_pages) are refused, as container runtimes do"),
    ("@obsolete", "obsolete syscalls (uselib, ustat, sysfs) are refused"),
    ("@personality", "personality() with flags container runtimes refuse (READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE) is refused"),
]


def surface_refused(c, res):
    """Every syscall of the group fails with EPERM, ENOSYS or EACCES: refused before the kernel."""
    for line in res.lines:
        m = re.match(r"RF (OK|ERR|SIG) surface (\S+ )?(.*)", line)
        if not m:
            continue
        if m.group(1) == "OK":
            c.fail("reachable and succeeded: %s" % line[len("RF OK surface "):])
        elif m.group(1) == "ERR":
            err = m.group(2).strip()
            if err not in ("EPERM", "ENOSYS", "EACCES"):
                c.fail("reaches the kernel (%s): %s" % (err, m.group(3)))


def setarch_behaves(c, res):
    if "RF-NO-SETARCH" in res.out:
        raise Skip("setarch (util-linux) is not installed")
    if "RF-PER-LINUX-OK" not in res.out:
        c.fail("setarch with plain PER_LINUX failed: " + res.summary())
    if "RF-NO-RANDOMIZE-REFUSED" not in res.out:
        c.fail("setarch -R (ADDR_NO_RANDOMIZE) was not refused: " + res.summary())


def other_abis_refused(c, res):
    for line in res.lines:
        if line.startswith("RF OK abi"):
            c.fail("other-ABI syscall succeeded: %s" % line)
        elif line.startswith("RF ERR abi") and not re.search(r" (ENOSYS|EPERM)$", line):
            c.fail("other-ABI syscall reached the kernel: %s" % line)


def no_privileges(c, res):
    for line in res.with_verdict("INFO", "status"):
        key, _, val = line.split(" ", 3)[3].partition(":")
        val = val.strip()
        if key.startswith("Cap") and int(val, 16) != 0:
            c.fail("%s is %s" % (key, val))
        if key == "NoNewPrivs" and val != "1":
            c.fail("no_new_privs is not set")
        if key == "Seccomp" and val != "2":
            c.fail("no seccomp filter (Seccomp: %s)" % val)


def writes_seen_on_host(c, res):
    for p in ["renamed", "sub/dir/f", "link-inside"]:
        if not os.path.lexists(os.path.join(c.ws, p)):
            c.fail("%s was not created in the workspace" % p)
    if not os.path.exists(c.values["tmp"] + "/f"):
        c.fail("writing to /tmp did not reach the host's /tmp")
    if res.errs():
        c.fail("; ".join(res.errs()))


def missing_tools(*tools):
    """skip: when one of tools is not on the suite's PATH."""
    def skip(c):
        missing = [t for t in tools if not shutil.which(t, path=CLEAN_PATH)]
        return "%s is not installed" % " or ".join(tools) if missing else None
    return skip


def built_and_ran(c, res):
    if res.rc != 0 or "hello from the sandbox" not in res.out:
        c.fail("make/cc failed: %s" % res.summary())


PYTHON_SCRIPT = ("import json, sqlite3, multiprocessing as mp\n"
                 "open('py-out.json','w').write(json.dumps({'ok': 1}))\n"
                 "db = sqlite3.connect('t.db'); db.execute('create table t(x)'); db.commit()\n"
                 "def sq(x): return x*x\n"
                 "if __name__ == '__main__':\n"
                 "    with mp.Pool(2) as p: print('mp', sum(p.map(sq, range(10))))\n"
                 "    q = mp.Queue(); l = mp.Lock(); q.put(1); print('q', q.get())\n")


def find_python(c):
    c.values["python"] = shutil.which("python3", path=CLEAN_PATH)


def python_worked(c, res):
    if res.rc != 0 or "mp 285" not in res.out or "q 1" not in res.out:
        c.fail("python3 failed: %s; %s" % (res.summary(), res.err.strip()[-400:]))
    if not os.path.exists(os.path.join(c.ws, "py-out.json")):
        c.fail("python3 did not write its file")


def git_read_worked(c, res):
    if res.rc != 0:
        c.fail("git failed: %s" % res.summary())
    if "README" not in res.out or "init" not in res.out:
        c.fail("git output is missing the expected lines: %r" % res.out[-300:])


def record_head(c):
    c.values["head"] = git(c.ws, "rev-parse", "HEAD", env=c.suite.env).strip()


def commit_refused(c, res):
    after = git(c.ws, "rev-parse", "HEAD", env=c.suite.env).strip()
    if after != c.values["head"]:
        c.fail("git commit succeeded: HEAD moved to %s" % after)
    if res.rc == 0:
        c.fail("git commit exited 0")
    msg = res.err.lower()
    if not any(k in msg for k in ("read-only file system", "sandbox", "ringfence", "protected")):
        c.fail("the error does not say the write was refused: %r" % res.err.strip()[-300:])


def commit_made(c, res):
    after = git(c.ws, "rev-parse", "HEAD", env=c.suite.env).strip()
    if res.rc != 0 or after == c.values["head"]:
        c.fail("git commit failed: %s" % res.summary())


def everything_read(c, res):
    for line in res.errs("read"):
        c.fail("cannot read: %s" % line)


def shm_private(c, res):
    if "shm" not in res.out.split("RF-ATTACK-START", 1)[-1]:
        c.fail("/dev/shm does not work inside: %s" % res.summary())


def unix_pair(cid, claim, name):
    """ok-unix-*: a unix socket at name between two sandboxed processes."""
    return works(cid, claim, sh="{attack} unix-serve %s & {attack} unix-client %s; wait" % (name, name),
                 works=(("unix-client", "a unix socket at %s between two sandboxed processes" % name),))


def passed_file_written(c, res):
    if "RF-ESCAPE-PAYLOAD" not in open(os.path.join(c.dir, "passed.log")).read():
        c.fail("nothing arrived in the passed file")


def sandbox_environment(c, res):
    if not re.search(r"SB=\S+ NET=1", res.out):
        c.fail("environment: %r" % res.out.strip().splitlines()[-1:])


def dev_stdio_worked(c, res):
    if "STDIO-OK" not in res.out:
        c.fail("writing to /dev/stdout|stderr|fd/N fails: %s" % res.err.strip().replace("\n", "; ")[:300])


def stdio_outside(c):
    """ok-dev-stdio-outside: per mode, stdout, stderr and fd 5 are files outside the roots that
    the caller opened, then stdout is a named FIFO there."""
    logs = os.path.join(c.dir, "logs")
    os.makedirs(logs)
    fifo = os.path.join(logs, "out.fifo")
    os.mkfifo(fifo, 0o600)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        for mode in ("workspace-write", "read-only"):
            out, err, extra = (os.path.join(logs, "%s.%s" % (n, mode)) for n in ("out", "err", "fd5"))
            script = "echo RF-ATTACK-START; echo one > /dev/stdout; echo two >> /dev/stderr; echo three > /dev/fd/5"
            res = c.run(["sh", "-c", script], opts=["-s", mode, "--pass-fd", "5"],
                        wrap_sh='>"%s" 2>"%s" 5>"%s"' % (out, err, extra))
            got = [open(p).read().strip() for p in (out, err, extra)]
            if got != ["one", "two", "three"]:
                c.fail("%s: reopening inherited files outside failed: got %r (exit %s)" % (mode, got, res.rc))
            res = c.run(["sh", "-c", "echo fifo-line > /dev/stdout"], opts=["-s", mode],
                        wrap_sh='>"%s"' % fifo)
            data = _drain_fd(reader)
            if b"fifo-line" not in data:
                c.fail("%s: '> /dev/stdout' into an inherited named FIFO failed: got %r (%s)" % (mode, data, res.summary()))
    finally:
        os.close(reader)


def true_peer_credentials(c, res):
    for line in res.oks("peercred"):
        m = re.search(r"client pid (-?\d+) \(really (\d+)\) uid (\d+) \(really (\d+)\) gid (\d+) \(really (\d+)\)", line)
        if m and (m.group(3) != m.group(4) or m.group(5) != m.group(6)):
            c.fail("wrong peer credentials: %s" % line)
        if m and m.group(1) != m.group(2):
            c.note("the peer pid is %s, not the client's %s (the connect is made by another process)" % (m.group(1), m.group(2)))


def unix_on_other_filesystems(c):
    """ok-unix-other-fs: a workspace on a fresh tmpfs and on an overlayfs, each with a unix
    socket pair inside."""
    tried_any = 0
    for fstype in ("tmpfs", "overlay"):
        mnt = os.path.join(c.dir, fstype)
        os.makedirs(mnt)
        if fstype == "tmpfs":
            cmd = ["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", mnt]
        else:
            for d in ("lower", "upper", "work"):
                os.makedirs(os.path.join(c.dir, d))
            cmd = ["mount", "-t", "overlay", "overlay", "-o", "lowerdir=%s,upperdir=%s,workdir=%s" % tuple(
                os.path.join(c.dir, d) for d in ("lower", "upper", "work")), mnt]
        if subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
            c.note("cannot mount %s here" % fstype)
            continue
        tried_any += 1
        c.cleanup((lambda m: lambda: subprocess.run(["umount", "-l", m], stderr=subprocess.DEVNULL))(mnt))
        ws = os.path.join(mnt, "ws")
        shutil.copytree(c.suite.template, ws, symlinks=True)
        a = c.suite.attack
        sock = os.path.join(ws, "app.sock")
        res = c.sh("%s unix-serve %s & %s unix-client %s; wait" % (a, sock, a, sock), cwd=ws)
        if not res.oks("unix-client"):
            c.fail("a unix socket in a workspace on %s does not work: %s" % (fstype, "; ".join(res.errs()) or res.summary()))
    if not tried_any:
        raise Skip("cannot mount tmpfs or overlayfs here")


# --------------------------------------------------------------------------
# the table: every case of the suite, in the order it runs

BOTH_MODES = ("workspace-write", "read-only")

CASES = [
    # ---- filesystem: writes outside the writable roots
    Case("fs-dotdot", "a write through '..' from the workspace does not reach a directory outside the writable roots",
         attack=("write", "../outside/victim", "write", "../outside/new", "overwrite", "../outside/victim",
                 "mkdir", "../outside/dir", "write", "../../{id}/outside/new2"),
         refused={"write outside through '..'": ("write", "overwrite", "mkdir")}),
    Case("fs-absolute", "absolute paths outside the writable roots (/etc, /usr, /var/tmp, $HOME, the outside dir) are read-only",
         attack=each("write", ["{victim}", "{outside}/new", "/etc/{token}", "/usr/{token}", "/var/tmp/{token}",
                               "{home}/{token}", "/{token}"]),
         refused={"write outside the writable roots": ("write",)},
         absent=("{outside}/new", "/etc/{token}", "/usr/{token}", "/var/tmp/{token}", "{home}/{token}", "/{token}")),
    Case("fs-symlink-planted", "a symlink planted in the workspace does not lead a write to a file or directory outside (or to /etc)",
         attack=("symlink", "{victim}", "ln-file", "write", "ln-file", "overwrite", "ln-file",
                 "symlink", "{outside}", "ln-dir", "write", "ln-dir/new", "mkdir", "ln-dir/newdir",
                 "symlink", "/etc", "ln-etc", "write", "ln-etc/{token}",
                 "symlink", "../outside/victim", "ln-rel", "write", "ln-rel"),
         refused={"write through a planted symlink": ("write", "overwrite", "mkdir")},
         absent=("/etc/{token}",), check=note_unless("symlink", "could not even create the symlinks: ")),
    Case("fs-symlink-preexisting", "a symlink that already points out of the workspace does not become a way to write outside",
         links=(("{ws}/outlink", "{outside}"), ("{ws}/victimlink", "{victim}")),
         attack=("write", "outlink/victim", "write", "outlink/new", "write", "victimlink",
                 "metadata", "victimlink", "rename", "outlink/victim", "stolen"),
         refused={"write through a pre-existing symlink": ("write", "chmod", "chown", "utimes", "setxattr",
                                                           "truncate", "rename")}),
    Case("fs-hardlink", "a hard link made inside the workspace to a file outside (or in .git) does not make that file writable",
         attack=("link", "{victim}", "hl", "append", "hl", "linkat-fd", "{victim}", "hl2", "append", "hl2",
                 "append", "hl2.proc", "link", ".git/config", "hl-config", "append", "hl-config",
                 "link", ".git/HEAD", "hl-head", "append", "hl-head"),
         refused={"hard link across the boundary": ("link", "linkat-empty-path", "linkat-proc-fd"),
                  "write through a hard link": ("append",)}),
    Case("fs-rename", "rename and RENAME_EXCHANGE cannot move files into, out of or across a read-only directory",
         files={"{ws}/mine": "mine\n"},
         attack=("rename", "mine", "{outside}/moved-in", "exchange", "mine", "{victim}",
                 "rename", "{victim}", "stolen", "rename", "{outside}", "{ws}/outside-moved",
                 "exchange", ".git/config", "mine"),
         refused={"rename across the boundary": ("rename", "exchange")}),
    Case("fs-proc-magic", "/proc magic links (/proc/self/root, /proc/self/cwd, /proc/1/root, /proc/self/fd) do not lead a write outside",
         attack=("write", "/proc/self/root{victim}", "write", "/proc/1/root{victim}",
                 "write", "/proc/self/cwd/../outside/victim", "write", "/proc/self/root/etc/{token}",
                 "reopen-rw", "{victim}", "reopen-rw", ".git/config", "write", "/proc/thread-self/root{victim}"),
         refused={"write through a /proc magic link": ("write", "reopen-rw")}, absent=("/etc/{token}",)),
    Case("fs-proc-fd-creat", "reopening a read-only descriptor through /proc/self/fd/N or /dev/fd/N with O_CREAT (as '> /dev/fd/3' does) gives no write access outside or to .git",
         attack=each("reopen-creat", ["{victim}", "{outside}", ".git/config", ".git/hooks", ETC_FILE]),
         refused={"reopened for writing": ("reopen-creat",)}),
    Case("fs-metadata", "metadata of files outside and under .git cannot change (chmod, chown, utimes, setxattr, truncate)",
         attack=each("metadata", ["{victim}", "{outside}", ".git/config", ".git"]),
         refused={"metadata change": ("chmod", "chown", "utimes", "setxattr", "truncate")}),
    Case("fs-file-handle", "open_by_handle_at cannot reopen a file outside through the writable workspace mount",
         attack=("handle", "{victim}", ".", "handle", "{ws}/.git/config", "."),
         refused={"file handle escape": ("open_by_handle_at",)}),
    Case("fs-mount-tricks", "remount, umount, bind and the new mount API (also inside a fresh user namespace) do not undo read-only binds",
         attack=("mount-tricks", "{ws}/.git/config", "{victim}"),
         refused={"mount trick": ("remount-root-rw", "remount-dir-rw", "remount-protected-rw", "umount-protected",
                                  "bind-over", "mount-setattr-rw", "open-tree-write", "userns-umount",
                                  "userns-remount")}),
    Case("fs-device-nodes", "no raw disk or memory device can be created or opened",
         attack=("mknod", "."), refused={"device node opened": ("mknod-open",)},
         check=note_if_ok("mknod", "mknod itself succeeded: ")),
    Case("fs-fifo-outside", "a host FIFO outside the writable roots cannot be opened for writing, in workspace-write and read-only mode: O_WRONLY, O_NONBLOCK, O_RDWR, O_CREAT (the name guard's proxy), openat2, a read-only descriptor reopened through /proc/self/fd and /dev/fd; directly, through a symlink in the workspace and through /proc/self/root; its host reader gets nothing",
         observe=(HostFifo,), attack=lambda c: each("special-write", c.values["targets"]), modes=BOTH_MODES,
         timeout=90, refused={"a host FIFO outside opened for writing ({mode})": ("special-write",)},
         check=special_write_attempted),
    Case("fs-device-outside", "a device node outside the sandbox's /dev (a host pty's slave: mknod'ed in the outside dir as root, and a symlink to its /dev/pts entry) cannot be opened for writing in either mode; the pty's master gets nothing",
         observe=(HostPtyOutside,), attack=lambda c: each("special-write", c.values["targets"]), modes=BOTH_MODES,
         timeout=90, refused={"a host pty outside /dev opened for writing ({mode})": ("special-write",)},
         check=special_write_attempted),
    Case("fs-sysctl", "host-global kernel knobs (/proc/sys, /proc/sysrq-trigger, /sys) cannot be written; kernel.core_pattern and kernel.modprobe in particular",
         attack=("proc-sys",), refused={"host kernel setting writable": ("sysctl-open", "sysctl-write")}),
    Case("fs-nested-sandbox", "running ringfence (-s danger-full-access, --network on) or bwrap again inside the sandbox widens nothing",
         observe=(functools.partial(NetListeners, "tcp", leak="a nested sandbox reached the host listener"),),
         sh="{ringfence} run -s danger-full-access -- {attack} write {victim}; "
            "{ringfence} run -s workspace-write --allow-degraded --network on --writable-root {outside} -- "
            "{attack} write {victim} tcp-connect 127.0.0.1 {port}; "
            "bwrap --bind / / -- {attack} write {victim}; "
            "bwrap --dev-bind / / --unshare-user --uid 0 -- {attack} write {victim}; true",
         refused={"nested sandbox": ("write", "tcp-connect")}),

    # ---- protected names
    Case("protect-git-write", "an existing .git cannot be written: config, HEAD, hooks, new files",
         attack=("overwrite", ".git/config", "write", ".git/config", "overwrite", ".git/HEAD",
                 "write", ".git/hooks/pre-commit", "mkdir", ".git/hooks/x", "write", ".git/info/attributes",
                 "unlink", ".git/config", "write", ".git/objects/rf"),
         refused={"write into .git": ("write", "overwrite", "mkdir", "unlink")}),
    Case("protect-git-move", "an existing .git cannot be renamed, removed or swapped for a directory or symlink (mv .git x)",
         dirs=("{ws}/fake.git/hooks",),
         attack=("rename", ".git", "x", "rmdir", ".git", "symlink", "fake.git", "fake-link",
                 "rename", "fake-link", ".git", "rename", "fake.git", ".git", "exchange", ".git", "fake.git",
                 "exchange", ".git", "fake-link"),
         refused={"moving .git": ("rename", "rmdir", "exchange")}),
    plant("envrc", ".envrc", "a workspace without .envrc cannot be given one (direnv would run it on the host)"),
    plant("vscode", ".vscode/tasks.json", "a workspace without .vscode cannot be given .vscode/tasks.json"),
    plant("mcp", ".mcp.json", "a workspace without .mcp.json cannot be given one"),
    plant("idea", ".idea/workspace.xml", "a workspace without .idea cannot be given .idea/workspace.xml"),
    plant("aws", ".aws/config", "a workspace without .aws cannot be given .aws/config (a credential_process there runs on the host)"),
    plant("agents", ".agents/x", "a workspace without .agents cannot be given .agents/x"),
    plant("codex", ".codex/config.toml", "a workspace without .codex cannot be given .codex/config.toml"),
    plant("ringfence", ".ringfence/config.toml", "a workspace without .ringfence cannot be given .ringfence/config.toml"),
    plant("git", ".git/hooks/pre-commit", "a workspace that is not a git repository cannot be given .git/hooks/pre-commit",
          has_git=False),
    Case("protect-plant-symlink", "an absent protected name cannot be created as a symlink (.envrc -> file, .vscode -> dir)",
         files={"{outside}/evil-envrc": "echo evil\n"},
         attack=("symlink", "{outside}/evil-envrc", ".envrc", "symlink", "{outside}", ".vscode",
                 "symlink", "{outside}", ".idea"),
         refused={"protected name created as a symlink": ("symlink",)}),
    Case("protect-create-variants", "no syscall or path spelling creates an absent protected name: open/openat/creat, mkdir(at), mknod(at), symlink(at), link(at), rename(at/2), O_TMPFILE+linkat, bind(AF_UNIX), openat2, dangling symlinks, ../, dirfds, a thread with its own cwd",
         attack=("create-variants", "{ws}"), refused={"protected name created": ("create",)}),
    Case("protect-swap-race", "swapping a directory for a symlink to the workspace root (renameat2 RENAME_EXCHANGE in a loop) does not let a create land on a protected name",
         attack=("race-create", 1.5), refused={"race won": ("race-create",)}, check=swap_race_ran),
    Case("protect-existing-vscode", "an existing .vscode stays as it is: no new tasks.json, no overwrite, no rename",
         files={"{ws}/.vscode/settings.json": "{}\n", "{ws}/.envrc": "export ORIGINAL=1\n"},
         attack=("write", ".vscode/tasks.json", "overwrite", ".vscode/settings.json",
                 "rename", ".vscode", "vscode-moved", "overwrite", ".envrc", "unlink", ".envrc",
                 "symlink", "/etc/passwd", "envrc-link", "rename", "envrc-link", ".envrc"),
         refused={"existing protected name changed": ("write", "overwrite", "rename", "unlink")}),
    Case("protect-symlinked-name", "a protected name that is a symlink at launch (dangling, or to a directory outside) cannot be followed, replaced or removed",
         dirs=("{dir}/shared-vscode",), links=(("{ws}/.envrc", "envrc-target"), ("{ws}/.vscode", "../shared-vscode")),
         watch=("{ws}/envrc-target",),
         attack=("write", ".envrc", "unlink", ".vscode", "mkdir", ".vscode", "write", ".vscode/tasks.json",
                 "unlink", ".envrc", "write", ".envrc"),
         refused={"symlinked protected name": ("write", "unlink", "mkdir")}),
    Case("protect-hardlinked-name", "an existing protected file stays untouched when the workspace holds another hard link to it",
         files={"{ws}/.envrc": "export ORIGINAL=1\n"}, setup=hardlink_envrc,
         attack=("append", "envrc-copy", "overwrite", "envrc-copy"), must_start=False, check=hardlinked_name_held),
    Case("protect-hooks-path", "git hooks stay protected when core.hooksPath points into the workspace (husky's .husky): no hook can be planted there",
         files={"{ws}/.husky/pre-commit": "#!/bin/sh\nexit 0\n"}, setup=husky_hooks, watch=("{ws}/.husky",),
         attack=("overwrite", ".husky/pre-commit", "write", ".husky/post-checkout", "rename", ".husky", "husky-moved"),
         refused={"hook planted": ("overwrite", "write", "rename")}),
    Case("protect-hooks-path-tmp", "git hooks stay protected when core.hooksPath points into another writable root (/tmp)",
         setup=hooks_in_tmp, watch=("{hooks}",),
         attack=("overwrite", "{hooks}/pre-commit", "write", "{hooks}/post-checkout", "rename", "{hooks}", "{hooks}.moved",
                 "rename", "{tmp}", "{tmp}.moved"),
         refused={"hook planted": ("overwrite", "write", "rename")}),
    Case("protect-git-include", "git configuration included from the workspace (include.path in .git/config) is as protected as .git/config",
         files={"{ws}/.gitconfig-shared": "[user]\n\tname = shared\n"}, setup=include_shared_config,
         watch=("{ws}/.gitconfig-shared",),
         attack=("append", ".gitconfig-shared", "unlink", ".gitconfig-shared", "write", ".gitconfig-shared"),
         refused={"included git config changed": ("append", "unlink", "write")}),
    Case("protect-tmp-root", "protected names are enforced at the root of /tmp too (a writable root): /tmp/.mcp.json cannot be created",
         skip=tmp_names_exist, attack=("write", "/tmp/.mcp.json", "write", "/tmp/.envrc"),
         refused={"protected name created in /tmp": ("write",)}, absent=("/tmp/.mcp.json", "/tmp/.envrc")),
    Case("protect-tmp-ancestor-rename", "a workspace below /tmp keeps its .git: renaming its parent directory and planting a new .git at the old path fails",
         setup=workspace_below("tmp"), cwd="{proj_ws}",
         attack=("rename", "{proj}", "{proj}.moved", "mkdirs", "{proj_ws}/.git/hooks", "write", "{proj_ws}/.git/hooks/pre-commit",
                 "write", "{proj_ws}/.git/HEAD", "write", "{proj_ws}/.envrc"),
         check=parent_not_renamed, refused={"planted at the workspace's original path": ("write",)}),
    Case("protect-root-ancestor-rename", "a workspace below another writable root (--writable-root) keeps its .git when its parent is renamed",
         setup=lambda c: (extra_root(c), workspace_below("extra")(c)), cwd="{proj_ws}", opts=("--writable-root", "{extra}"),
         attack=("rename", "{proj}", "{proj}.moved", "mkdirs", "{proj_ws}/.git/hooks", "write", "{proj_ws}/.git/hooks/pre-commit",
                 "write", "{proj_ws}/.envrc"),
         check=parent_not_renamed, refused={"planted at the workspace's original path": ("write",)}),
    Case("protect-gitdir-file", "when .git is a 'gitdir:' file, the real git directory (here in /tmp) is protected too",
         setup=separate_git_dir(commit=True),
         attack=("overwrite", "{real}/config", "write", "{real}/hooks/pre-commit", "write", "{real}/config",
                 "overwrite", ".git"),
         refused={"write to the real git dir": ("write", "overwrite")}),
    Case("protect-gitdir-parent-rename", "when .git is a 'gitdir:' file, the real git dir cannot be replaced by renaming its parent and planting a new one",
         setup=separate_git_dir(commit=False),
         attack=("rename", "{tmp}", "{tmp}.moved", "mkdirs", "{real}/hooks", "write", "{real}/hooks/pre-commit"),
         check=real_git_parent_not_renamed, refused={"planted at the real git dir's path": ("write",)}),
    Case("protect-worktree-commondir", "in a git worktree, the main repository's .git (hooks, config: the common dir) is protected too",
         setup=worktree_of_main,
         attack=("write", "{main}/.git/hooks/pre-commit", "overwrite", "{main}/.git/config", "write", "{main}/.git/config"),
         refused={"write to the worktree's common git dir": ("write", "overwrite")}),

    # ---- descriptors
    Case("fd-inherited-file", "a file the caller has open on fd 7 (not --pass-fd) cannot be written from inside",
         files={"{outside}/agent.log": "log\n"}, watch=("{outside}/agent.log",), wrap='7>>"{outside}/agent.log"',
         attack=("fd-write", 7), refused={"inherited fd 7 written": ("fd-write",)}),
    Case("fd-inherited-dir", "a directory the caller has open on fd 8 cannot be used to create files outside",
         wrap='8<"{outside}"', attack=("fd-openat", 8, "planted", "fd-openat", 8, "../outside/planted2"),
         refused={"inherited directory fd used": ("fd-openat",)}),
    Case("fd-inherited-socket", "a connected socket the caller holds (an agent's IPC channel) is not inherited",
         observe=(CallerSocket,), attack=("fd-send", "{fd}"), refused={"inherited socket used": ("fd-send",)}),
    Case("passed-socket-host", "a socket made outside the sandbox and passed in (--pass-fd) reaches no host service: unix datagram, stream and seqpacket sockets to pathname and abstract host sockets, TCP (connect, MSG_FASTOPEN) and UDP to a host loopback listener; sendto, sendmsg and sendmmsg alike",
         body=passed_sockets),
    Case("fd-only-stdio", "the command starts with only descriptors 0, 1 and 2 open although the caller had 7, 8 and 9 open",
         wrap='7>>"{dir}/log" 8<"{outside}" 9<"{victim}"', attack=("fd-list",),
         refused={"descriptor open in the command": ("fd-open",)}),
    Case("fd-host-proc", "the invoking process's descriptors are not reachable through /proc/<host pid>/fd",
         setup=open_runner_log, watch=("{outside}/runner.log",),
         attack=("write", "/proc/{runner_pid}/fd/{log_fd}", "write", "/proc/{runner_pid}/root{victim}",
                 "write", "/proc/{runner_pid}/cwd/outside/victim"),
         refused={"write through the host's /proc": ("write",)}),

    # ---- network: off means no host traffic at all
    net_case("net-tcp-loopback4", "no TCP connection reaches a host listener on 127.0.0.1", "tcp", lambda: ["127.0.0.1"]),
    net_case("net-tcp-loopback6", "no TCP connection reaches a host listener on ::1", "tcp", loopback6),
    net_case("net-tcp-host4", "no TCP connection reaches a host listener on the host's own IPv4 addresses", "tcp",
             lambda: host_addresses()[0]),
    net_case("net-tcp-host6", "no TCP connection reaches a host listener on the host's own global IPv6 addresses", "tcp",
             lambda: host_addresses()[1]),
    net_case("net-udp-loopback", "no UDP datagram reaches a host socket on 127.0.0.1 or ::1", "udp", loopbacks),
    net_case("net-udp-host", "no UDP datagram reaches a host socket on the host's own addresses", "udp",
             lambda: host_addresses()[0] + host_addresses()[1]),
    Case("net-dns", "no DNS: names do not resolve, and no query leaves for the resolv.conf nameservers",
         attack=("dns", "{token}.example.com", "dns", "example.com", "dns-raw", "example.com"),
         refused={"DNS": ("dns", "dns-raw")}),
    Case("net-proxy-netns", "a file opened with O_CREAT is resolved in the sandbox's namespaces: /proc/sys/net shows (and writes) the sandbox's network namespace, not the host's",
         setup=host_interface, attack=("proxy-netns", "{iface}"), check=host_netns_hidden,
         refused={"host network namespace visible": ("netns-plain",)}),
    Case("net-netlink", "no netlink socket (route, uevent, audit) can be created",
         attack=("netlink",), refused={"netlink": ("netlink-socket", "netlink-uevent", "netlink-audit")}),
    Case("net-packet", "no packet or raw IP socket can be created",
         attack=("packet",), refused={"raw socket": ("packet-socket", "raw-inet-socket")}),
    Case("net-vsock", "no vsock socket (the WSL2/VM host bridge) can be created or connected",
         attack=("vsock", 22), refused={"vsock": ("vsock-socket", "vsock-connect")}),
    Case("net-socket-families", "only AF_UNIX, AF_INET and AF_INET6 sockets exist inside, also with high bits set in the family",
         attack=("socket-families",), check=only_inet_and_unix, refused={"high-bit family": ("socket-highbits",)}),
    unix_case("unix-abstract", "a host abstract unix socket (like @/tmp/.X11-unix/X0 or a D-Bus bus) cannot be reached",
              "\0{token}"),
    unix_case("unix-path-tmp", "a host unix socket in /tmp (a writable root: tmux, ssh-agent live there) cannot be connected to",
              "{tmp}/agent.sock", where=" (in /tmp)"),
    unix_case("unix-path-tmp-dgram", "a host datagram unix socket in /tmp receives nothing from inside",
              "{tmp}/log.sock", socket.SOCK_DGRAM, where=" (dgram, in /tmp)"),
    Case("unix-raw-dgram", "a host datagram unix socket (in /tmp, and outside the roots) receives nothing from AF_UNIX SOCK_RAW sockets or socketpairs, the datagram type under another name",
         body=raw_dgram_sockets),
    unix_case("unix-path-workspace", "a host unix socket inside the workspace (bound by a host process) cannot be connected to",
              "{ws}/host.sock", where=" (in the workspace)"),
    unix_case("unix-path-readonly", "a host unix socket in a read-only location cannot be connected to (a read-only bind does not stop connect)",
              "{dir}/run/docker.sock", where=" (read-only location)", dirs=("{dir}/run",)),
    Case("supervisor-hostile-input", "malformed sendmsg/sendto/sendmmsg/connect/bind/utimes arguments (cmsg_len 0, lengths past their buffers, 254 descriptors, forged credentials, 1025 iovecs, a 128-byte unix address, tv_usec out of range) get the kernel's errno; ringfence survives with the command's exit status; a host socket named as destination gets nothing",
         files={"{ws}/stamp": "x\n"}, setup=old_stamp,
         observe=(functools.partial(UnixListener, "{tmp}/log.sock", socket.SOCK_DGRAM, "the host datagram socket {sock}"),),
         attack=("hostile-send", "{sock}", "hostile-connect", "{sock}", "utimes-usec-wrap", "stamp"),
         check=hostile_input_refused),
    Case("unix-host-services", "none of the host's own listening unix sockets (from /proc/net/unix) accepts a connection from inside",
         setup=host_unix_services, attack=lambda c: ["unix-connect-many"] + c.values["host_sockets"],
         refused={"host service reachable": ("unix-connect-host",)}),
    Case("ipc-sysv-msg", "a host SysV message queue cannot be written (private IPC namespace)",
         setup=sysv_msg_queue, attack=("msg-send", "{key}"), check=host_queue_empty("msg-count", "{key}"),
         refused={"SysV message sent": ("msg-send",)}),
    Case("ipc-sysv-shm", "a host SysV shared memory segment cannot be written",
         setup=sysv_shm_segment, attack=("shm-write", "{key}"), check=host_shm_unwritten,
         refused={"SysV shm written": ("shm-write",)}),
    Case("ipc-posix-mq", "a host POSIX message queue cannot be written",
         setup=posix_mq, attack=("mq-send", "/{token}"), check=host_queue_empty("mq-count", "/{token}"),
         refused={"POSIX mq written": ("mq-send",)}),

    # ---- processes
    Case("proc-kill", "a host process (same user) cannot be killed by its pid",
         observe=(functools.partial(Victim, settle=0.1),), attack=("kill", "{victim_pid}"), check=kill_note),
    Case("proc-signal", "no signal reaches a host process: kill, kill(-pgrp), kill(-1), tgkill, pidfd_send_signal, F_SETOWN",
         observe=(functools.partial(Victim, settle=0.2),), attack=("signal", "{victim_pid}")),
    Case("proc-sched", "a host process's limits, nice value, affinity, scheduling class and I/O priority cannot be changed (prlimit, setpriority, sched_setaffinity/setscheduler, ioprio_set; also PRIO_USER/IOPRIO_WHO_USER 0 when not root)",
         observe=(Victim, VictimSched), attack=sched_ops, check=tried("sched")),
    Case("proc-ptrace", "a host process cannot be traced (PTRACE_ATTACH, PTRACE_SEIZE)",
         observe=(Victim,), attack=("ptrace", "{victim_pid}"),
         refused={"ptrace of a host pid": ("ptrace-seize", "ptrace-attach")}),
    Case("proc-memory", "a host process's memory can be neither read nor written (process_vm_readv/writev, /proc/PID/mem)",
         observe=(Victim,), attack=("vm-read", "{victim_pid}", "{victim_addr}", "vm-write", "{victim_pid}", "{victim_addr}"),
         check=secret_unread, refused={"wrote host memory": ("process_vm_writev", "proc-mem-write")}),
    Case("proc-visibility", "host processes are invisible: /proc/<host pid> and a scan of /proc show no trace of a host secret",
         observe=(Victim,), setup=reversed_token, attack=("proc-peek", "{victim_pid}", "proc-scan", "{token_reversed}"),
         check=secret_invisible),
    Case("proc-linger-background", "a background child (cmd &) does not outlive ringfence's return",
         attack=("linger", "{token}", "{ws}/heartbeat", "background"),
         check=all_of(nothing_left("after ringfence returned"), linger_reported)),
    Case("proc-linger-daemon", "a double-forked, setsid, signal-ignoring daemon does not outlive ringfence's return",
         attack=("linger", "{token}", "{ws}/heartbeat", "daemon"),
         check=all_of(nothing_left("after ringfence returned"), linger_reported)),
    Case("proc-ringfence-killed", "when ringfence itself is SIGKILLed, every process it started dies with it",
         body=ringfence_killed),
    Case("proc-ringfence-terminated", "when ringfence gets SIGTERM (an agent cancelling), it returns and leaves nothing running",
         body=ringfence_terminated),
    Case("proc-timeout", "--timeout ends the command and every process it left, and exits 124",
         attack=("linger", "{token}", "{ws}/heartbeat", "stay"), opts=("--timeout", "1"), timeout=30, must_start=False,
         check=all_of(exit_124, nothing_left("after --timeout"))),
    Case("proc-pid1-inject", "no process in the sandbox escapes the seccomp filters through another's memory: pid 1 cannot be driven through /proc/1/mem to create a protected name or reach a host unix socket, and no unfiltered process has writable memory",
         observe=(functools.partial(UnixListener, "{tmp}/agent.sock", socket.SOCK_STREAM, "pid 1 reached the host unix socket {sock}"),),
         attack=("unfiltered", "pid1-inject", "{ws}/.envrc", "{sock}"), timeout=30,
         check=all_of(pid1_not_injected, x86_64_only("pid1-inject")),
         refused={"unfiltered process": ("unfiltered-mem",)}),
    Case("tty-inject", "no input can be injected into the invoking terminal (TIOCSTI plain and with high bits, TIOCLINUX, after TIOCSCTTY)",
         observe=(functools.partial(Terminal, as_stdio=True),), attack=("tty-inject", "id>{outside}/pwned\n"),
         refused={"terminal ioctl": TERMINAL_IOCTLS}, check=legacy_tiocsti_note),
    Case("tty-grab", "a command whose stdio is not the terminal gets no handle on the invoking (controlling) terminal: /dev/tty, also through open(O_CREAT); no keystrokes read, nothing injected, no resize",
         observe=(functools.partial(Terminal, as_stdio=False),), attack=("tty-grab", "id>{outside}/pwned\n"),
         refused={"terminal handle": ("dev-tty", "dev-tty-creat"), "terminal ioctl": TERMINAL_IOCTLS + ("tiocswinsz",)}),

    # ---- kernel attack surface
] + [
    Case("kernel-" + group[1:], "kernel surface %s: %s" % (group, claim), attack=("surface", group), check=surface_refused)
    for group, claim in SURFACES
] + [
    Case("kernel-personality-query", "personality() still answers a query (0xffffffff) and accepts plain PER_LINUX (setarch)",
         sh="setarch -h >/dev/null 2>&1 || { echo RF-NO-SETARCH; exit 0; }; "
            "setarch $(uname -m) sh -c 'echo RF-PER-LINUX-OK'; "
            "setarch $(uname -m) -R true && echo RF-NO-RANDOMIZE-ALLOWED || echo RF-NO-RANDOMIZE-REFUSED",
         check=setarch_behaves),
    Case("kernel-userns", "no nested user namespace: unshare, clone (also with high flag bits), glibc clone, clone3",
         attack=("userns",),
         refused={"user namespace": ("unshare-user", "clone-newuser", "glibc-clone-newuser", "clone3-newuser")}),
    Case("kernel-abi", "the i386 (int 0x80, socketcall) and x32 entry points do not get around the filter",
         attack=("abi",), check=all_of(other_abis_refused, x86_64_only(None))),
    Case("kernel-caps", "the command runs with no capabilities, no_new_privs and a seccomp filter (also as root)",
         attack=("status",), check=no_privileges),

    # ---- must keep working
    works("ok-write-workspace", "writing in the workspace and in /tmp works and is seen on the host",
          attack=("write", "made-inside", "mkdirs", "sub/dir", "write", "sub/dir/f", "write", "{tmp}/f",
                  "rename", "made-inside", "renamed", "symlink", "renamed", "link-inside"),
          check=writes_seen_on_host),
    works("ok-build", "make and cc build and run a program in the workspace",
          skip=missing_tools("cc", "make"),
          files={"{ws}/hello.c": '#include <stdio.h>\nint main(void){puts("hello from the sandbox");return 0;}\n',
                 "{ws}/Makefile": "hello: hello.c\n\tcc -O2 -o $@ $<\n"},
          sh="make -s && ./hello", check=built_and_ran),
    works("ok-python", "python3 runs, imports the standard library, writes files, and multiprocessing works",
          skip=missing_tools("python3"), setup=find_python, files={"{ws}/t.py": PYTHON_SCRIPT},
          sh="{python} t.py", check=python_worked),
    works("ok-git-read", "git status, diff, log and a new branch's worth of reads work in the workspace",
          files={"{ws}/README": "changed\n"},
          sh="git status --short && git diff --stat && git log --oneline -1 && git rev-parse HEAD && git show HEAD:README",
          check=git_read_worked),
    works("ok-git-commit-refused", "git commit is refused (.git is protected), with an error that says the write was refused",
          setup=record_head, sh="git add -A && git commit -qm sandboxed --allow-empty", check=commit_refused),
    works("ok-git-commit-allowed", "naming .git as a writable root (--writable-root $PWD/.git) allows git commit",
          watch_host=False, setup=record_head, files={"{ws}/new": "x\n"},
          sh="git add -A && git commit -qm sandboxed", opts=("--writable-root", "{ws}/.git"), check=commit_made),
    works("ok-read", "files outside the writable roots stay readable (the outside dir, /etc/passwd, /usr)",
          attack=each("read", ["{victim}", "/etc/passwd", USR_FILE, ".git/config"]), check=everything_read),
    works("ok-dev", "/dev/null, /dev/zero, /dev/urandom, /dev/full work",
          sh="echo x > /dev/null && head -c 16 /dev/zero | od -An -tx1 | grep -q '00 00' && "
             "test $(head -c 32 /dev/urandom | wc -c) = 32 && ! echo x > /dev/full 2>/dev/null && echo DEV-OK",
          prints=("DEV-OK", "device nodes do not behave")),
    works("ok-dev-tty", "/dev/tty opens and writes when ringfence runs on a terminal",
          observe=(functools.partial(Terminal, as_stdio=True, raw=False, watch_input=False),),
          attack=("dev-tty",), works=(("dev-tty", "/dev/tty"),)),
    works("ok-dev-shm", "/dev/shm works inside and is private: a file written there is not in the host's /dev/shm",
          sh="echo shm > /dev/shm/{token} && cat /dev/shm/{token}", check=shm_private, absent=("/dev/shm/{token}",)),
    works("ok-loopback-tcp4", "a server on 127.0.0.1 inside and a client inside (separate processes) talk over TCP",
          attack=("tcp-pair", "127.0.0.1"), works=(("tcp-pair", "TCP over 127.0.0.1"),)),
    works("ok-loopback-tcp6", "a server on ::1 inside and a client inside talk over TCP",
          attack=("tcp-pair", "::1"), works=(("tcp-pair", "TCP over ::1"),)),
    works("ok-loopback-udp", "UDP between two processes inside over 127.0.0.1 works",
          attack=("udp-pair", "127.0.0.1"), works=(("udp-pair", "UDP over 127.0.0.1"),)),
    works("ok-localhost", "'localhost' resolves inside (test suites connect to it)",
          attack=("dns", "localhost"), works=(("dns", "resolving localhost"),)),
    unix_pair("ok-unix-workspace", "a unix socket bound in the workspace by one sandboxed process is reachable from another",
              "{ws}/app.sock"),
    unix_pair("ok-unix-tmp", "a unix socket bound in /tmp by one sandboxed process is reachable from another",
              "{tmp}/app.sock"),
    unix_pair("ok-unix-abstract", "an abstract unix socket bound inside is reachable from another process inside",
              "@{token}"),
    works("ok-socketpair", "socketpair(AF_UNIX) works", attack=("socketpair",), works=(("socketpair", "socketpair"),)),
    works("ok-pass-fd", "--pass-fd 7 hands the caller's fd 7 to the command, and writes to it arrive",
          files={"{dir}/passed.log": ""}, opts=("--pass-fd", "7"), wrap='7>>"{dir}/passed.log"',
          attack=("fd-write", 7), works=(("fd-write", "--pass-fd 7"),), check=passed_file_written),
    works("ok-environment", "RINGFENCE_SANDBOX and RINGFENCE_SANDBOX_NETWORK_DISABLED=1 are set inside",
          sh='echo "SB=$RINGFENCE_SANDBOX NET=$RINGFENCE_SANDBOX_NETWORK_DISABLED"', check=sandbox_environment),
    works("ok-threads", "a second thread (not the process's first) can create a file and connect to a unix socket inside",
          attack=("threads", "from-thread", "{ws}/thread.sock"),
          works=(("thread-create", "creating a file from a second thread"),
                 ("thread-connect", "connect() from a second thread"))),
    works("ok-dev-stdio", "'> /dev/stdout', '> /dev/stderr', '> /dev/fd/3' and 'tee /dev/stderr' work in shell scripts",
          sh="exec 3>&1; echo A > /dev/stdout && echo B > /dev/stderr && echo C > /dev/fd/3 && "
             "echo D | tee /dev/stderr >/dev/null && echo STDIO-OK",
          check=dev_stdio_worked),
    works("ok-dev-stdio-outside", "'> /dev/stdout', '>> /dev/stderr' and '> /dev/fd/5' work when they are files (and a named FIFO) outside the writable roots that the caller opened, in both modes",
          body=stdio_outside),
    works("ok-pty-inside", "a pty made inside (/dev/ptmx) works: what the slave writes, the master reads",
          skip=missing_tools("python3"),
          sh="python3 -c 'import os, pty; m, s = pty.openpty(); os.write(s, b\"pty-ok\\n\"); print(os.read(m, 64))'",
          prints=("pty-ok", "a pty inside does not work")),
    works("ok-tmpfile-link", "an O_TMPFILE file can be given a name with linkat(/proc/self/fd/N) (the open(2) idiom)",
          attack=("tmpfile-link", "linked"), works=(("tmpfile-link", "O_TMPFILE + linkat"),)),
    works("ok-unix-dgram", "unix datagram sockets between processes inside work: socketpair(SOCK_DGRAM) and a socket bound in the workspace",
          attack=("dgram-pair", "{ws}/dgram.sock"),
          works=(("dgram-socketpair", "socketpair(AF_UNIX, SOCK_DGRAM)"),
                 ("dgram-bound", "a datagram socket bound inside"))),
    works("ok-peercred", "SO_PEERCRED on an in-sandbox unix connection gives the client's uid and gid (peer authentication)",
          attack=("peercred", "{ws}/peer.sock"), works=(("peercred", "SO_PEERCRED"),), check=true_peer_credentials),
    works("ok-blocked-connect", "while one process blocks in connect() (a full backlog), another can still create files",
          attack=("stall-connect", "{ws}/stall.sock"), timeout=12,
          works=(("stall-connect", "creating a file during a blocked connect()"),)),
    works("ok-blocked-fifo", "while one process blocks opening a FIFO for writing ('echo x > fifo'), another can still create files and then read it",
          attack=("stall-fifo",), timeout=12, works=(("stall-fifo", "creating a file while a FIFO open waits"),)),
    works("ok-unix-other-fs", "in-sandbox unix sockets also work in workspaces on tmpfs and overlayfs (root only: mounts them)",
          users=("root",), why="needs root to mount tmpfs and overlayfs", body=unix_on_other_filesystems),
]


# --------------------------------------------------------------------------
# the suite


def tag(case):
    return "" if case.kind == "attack" else " [must keep working]"


class Suite:
    def __init__(self, args):
        self.args = args
        self.ringfence = os.path.abspath(args.ringfence)
        self.attack = os.path.abspath(args.attack)
        self.backend_opts = ["--backend", args.backend] if args.backend else []
        parent = args.basedir or "/var/tmp"
        self.base = tempfile.mkdtemp(prefix="ringfence-escape-", dir=parent)
        os.chmod(self.base, 0o755)
        home = os.path.join(self.base, "home")
        os.makedirs(home)
        self.env = {
            "PATH": CLEAN_PATH, "HOME": home, "LANG": "C.UTF-8", "USER": str(os.getuid()),
            "GIT_AUTHOR_NAME": "escape", "GIT_AUTHOR_EMAIL": "escape@example.invalid",
            "GIT_COMMITTER_NAME": "escape", "GIT_COMMITTER_EMAIL": "escape@example.invalid",
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        self.template = os.path.join(self.base, "template")
        os.makedirs(self.template)
        write_file(os.path.join(self.template, "README"), "escape suite workspace\n")
        git(self.template, "init", "-q", env=self.env)
        git(self.template, "add", "-A", env=self.env)
        git(self.template, "commit", "-qm", "init", env=self.env)

    def run(self, selected):
        who = "uid %d (%s)" % (os.getuid(), "root" if os.getuid() == 0 else "unprivileged")
        print("ringfence escape suite as %s; workdirs in %s" % (who, self.base))
        counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
        failed = []
        for case in selected:
            c = CaseRun(self, case.id)
            verdict, detail = "PASS", []
            try:
                run_case(c, case)
                c.finish_watch()
                if c.failures:
                    verdict = "FAIL"
            except Skip as e:
                verdict, detail = "SKIP", [str(e)]
            except Broken as e:
                verdict = "FAIL"
                c.fail(str(e))
            except Exception:
                verdict = "FAIL"
                c.fail("the case itself crashed:\n" + traceback.format_exc())
            finally:
                for fn_ in c.cleanups:
                    try:
                        fn_()
                    except Exception:
                        pass
            if verdict == "FAIL":
                detail = c.failures
                failed.append(case.id)
            if verdict != "SKIP":
                detail = detail + ["note: " + n for n in c.notes]
            counts[verdict] += 1
            print("%-4s %-28s %s%s" % (verdict, case.id, case.claim, tag(case)))
            for d in detail:
                for line in str(d).splitlines():
                    print("       " + line)
            if self.args.verbose or (verdict == "FAIL" and self.args.show_output):
                for r in c.results:
                    print("       $ " + " ".join(r.argv[r.argv.index("--") + 1:] if "--" in r.argv else r.argv)[:300])
                    print("       exit %s in %.2fs" % (r.rc, r.elapsed))
                    for line in (r.out + r.err).splitlines()[:60]:
                        print("       | " + line)
            sys.stdout.flush()
        print()
        print("summary (%s): %d passed, %d failed, %d skipped" % (who, counts["PASS"], counts["FAIL"], counts["SKIP"]))
        if failed:
            print("failed: " + " ".join(failed))
        if not self.args.keep:
            shutil.rmtree(self.base, ignore_errors=True)
        else:
            print("kept %s" % self.base)
        return 1 if failed else 0


def reexec_unprivileged(args):
    """Run this same suite as uid/gid 65534."""
    if os.geteuid() != 0:
        print("SKIP: --unprivileged switches to uid %d and so needs root; as uid %d, run the suite "
              "without --unprivileged instead (it is already unprivileged)" % (NOBODY, os.geteuid()))
        return 77
    setpriv = shutil.which("setpriv", path=CLEAN_PATH)
    if not setpriv:
        print("SKIP: setpriv (util-linux) is not installed, so the suite cannot switch to uid %d" % NOBODY)
        return 77
    drop = [setpriv, "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"]
    env = {"PATH": CLEAN_PATH, "LANG": "C.UTF-8", "HOME": "/"}

    def usable(*cmd):
        return subprocess.run(drop + list(cmd), env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0

    py = None
    for cand in [sys.executable, "/usr/bin/python3", "/usr/local/bin/python3"]:
        if cand and os.path.exists(cand) and usable(cand, "-c", "pass"):
            py = cand
            break
    if not py:
        print("SKIP: no python3 that uid %d can run (the build's python lives in a private home?)" % NOBODY)
        return 77
    me = os.path.abspath(__file__)
    for path in [me, args.ringfence, args.attack]:
        if not usable("test", "-r", os.path.abspath(path)):
            print("SKIP: uid %d cannot read %s (a build directory below a private home?); build in a "
                  "world-readable directory to run the unprivileged pass" % (NOBODY, os.path.abspath(path)))
            return 77
    if not usable(os.path.abspath(args.ringfence), "--help"):
        print("SKIP: uid %d cannot run %s" % (NOBODY, args.ringfence))
        return 77
    parent = args.basedir or "/var/tmp"
    if not usable("test", "-w", parent):
        print("SKIP: uid %d cannot write %s for its work directories" % (NOBODY, parent))
        return 77
    argv = [py, me, "--ringfence", os.path.abspath(args.ringfence), "--attack", os.path.abspath(args.attack)]
    for flag in ["verbose", "keep", "show_output"]:
        if getattr(args, flag):
            argv.append("--" + flag.replace("_", "-"))
    if args.only:
        argv += ["--only", args.only]
    if args.backend:
        argv += ["--backend", args.backend]
    if args.basedir:
        argv += ["--basedir", args.basedir]
    print("running the suite again as uid/gid %d via %s" % (NOBODY, " ".join(drop)))
    sys.stdout.flush()
    return subprocess.run(drop + argv, env=env).returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ringfence", required=False, help="the ringfence CLI to attack")
    ap.add_argument("--attack", required=False, help="the rf-escape-attack program")
    ap.add_argument("--unprivileged", action="store_true", help="as root: run as uid/gid 65534")
    ap.add_argument("--only", help="run only cases whose id matches this regular expression")
    ap.add_argument("--backend", help="run every case with ringfence --backend NAME (default: ringfence's "
                    "own choice); cases whose claim is not made for NAME are skipped")
    ap.add_argument("--basedir", help="where to make work directories (default /var/tmp; must be "
                    "outside every writable root)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--catalogue", action="store_true", help="print the cases as a Markdown table")
    ap.add_argument("-v", "--verbose", action="store_true", help="show every sandboxed command and its output")
    ap.add_argument("--show-output", action="store_true", help="show the output of failed cases")
    ap.add_argument("--keep", action="store_true", help="keep the work directories")
    args = ap.parse_args()
    selected = [c for c in CASES if not args.only or re.search(args.only, c.id)]
    if args.list:
        for case in selected:
            print("%-28s %s%s" % (case.id, case.claim, tag(case)))
        return 0
    if args.catalogue:
        print("| case | claim | kind |\n|---|---|---|")
        for case in selected:
            print("| `%s` | %s | %s |" % (case.id, case.claim, "attack" if case.kind == "attack" else "must keep working"))
        return 0
    if not args.ringfence or not args.attack:
        ap.error("--ringfence and --attack are required")
    if args.unprivileged:
        return reexec_unprivileged(args)
    base_parent = os.path.realpath(args.basedir or "/var/tmp")
    if base_parent == "/tmp" or base_parent.startswith("/tmp/") or (
            os.environ.get("TMPDIR") and base_parent.startswith(os.path.realpath(os.environ["TMPDIR"]))):
        ap.error("--basedir must be outside the writable roots (/tmp, $TMPDIR)")
    return Suite(args).run(selected)


if __name__ == "__main__":
    sys.exit(main())
