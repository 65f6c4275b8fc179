#!/usr/bin/env python3
"""run-escape.py: the ringfence escape suite.

Attacks `ringfence run -s workspace-write` (network off, the default) in a git
repository, and checks the result from the host side: files outside the
writable roots and protected names unchanged, host listeners saw nothing,
host processes untouched, nothing left running.  Also checks the ordinary work
that must keep working inside the sandbox.

Each case prints PASS, FAIL or SKIP with its claim; a summary follows and the
exit status is 1 if any case failed.  Cases are written as an independent
attacker would: they rely on nothing but the CLI and what the design promises
(the design's "Threat model" and issue 3; see docs/escape-suite.md).

    run-escape.py --ringfence BUILD/core/ringfence --attack BUILD/tests/escape/rf-escape-attack
                  [--unprivileged] [--only REGEX] [--list] [--catalogue] [-v] [--keep]

--unprivileged: when run as root, re-execute as uid/gid 65534 (setpriv);
otherwise exit 77 (SKIP) with the reason.

Every attack is harmless if it fully succeeds on an unsandboxed host (see
attack.h), and every host-side object it targets is created by this runner in
its own directory under /var/tmp (or --basedir), which is outside the writable
roots; the few fixed paths it probes (/etc/rf-escape-*, /tmp/.mcp.json, ...)
are removed again if an attack manages to create them.
"""

import argparse
import errno
import fcntl
import hashlib
import os
import pty
import re
import secrets
import select
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


def procs_with(token, exclude=()):
    """Host pids (not zombies) whose command line or environment shows token."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) in exclude or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            if state in ("Z", "X"):
                continue
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if token in cmd:
            found.append("pid %s (%s): %s" % (pid, state, cmd[:160]))
    return found


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


class Case:
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
        self.failures, self.notes, self.cleanups, self.results = [], [], [], []
        self.watch = {}  # path -> snapshot taken before the first run
        self.watched = False
        self.check_watch = True

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
        cmd = [self.suite.ringfence, "run", "-s", "workspace-write"] + list(opts) + ["--"] + list(argv)
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


# --------------------------------------------------------------------------
# the cases

CASES = []


def case(cid, claim, kind="attack", root_only=False):
    def register(fn):
        CASES.append((cid, claim, kind, fn, root_only))
        return fn
    return register


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


# ---- filesystem: writes outside the writable roots


@case("fs-dotdot", "a write through '..' from the workspace does not reach a directory outside the writable roots")
def _(c):
    res = c.attack("write", "../outside/victim", "write", "../outside/new", "overwrite", "../outside/victim",
                   "mkdir", "../outside/dir", "write", "../../" + os.path.basename(c.dir) + "/outside/new2")
    c.expect_none(res, ["write", "overwrite", "mkdir"], "write outside through '..'")


@case("fs-absolute", "absolute paths outside the writable roots (/etc, /usr, /var/tmp, $HOME, the outside dir) are read-only")
def _(c):
    targets = [c.victim, os.path.join(c.outside, "new"), "/etc/%s" % c.token, "/usr/%s" % c.token,
               "/var/tmp/%s" % c.token, os.path.join(c.suite.env["HOME"], c.token), "/%s" % c.token]
    ops = []
    for t in targets:
        ops += ["write", t]
    res = c.attack(*ops)
    c.expect_none(res, ["write"], "write outside the writable roots")
    for t in targets[1:]:
        check_absent(c, t)


@case("fs-symlink-planted", "a symlink planted in the workspace does not lead a write to a file or directory outside (or to /etc)")
def _(c):
    res = c.attack("symlink", c.victim, "ln-file", "write", "ln-file", "overwrite", "ln-file",
                   "symlink", c.outside, "ln-dir", "write", "ln-dir/new", "mkdir", "ln-dir/newdir",
                   "symlink", "/etc", "ln-etc", "write", "ln-etc/" + c.token,
                   "symlink", "../outside/victim", "ln-rel", "write", "ln-rel")
    c.expect_none(res, ["write", "overwrite", "mkdir"], "write through a planted symlink")
    check_absent(c, "/etc/" + c.token)
    if not res.oks("symlink"):
        c.note("could not even create the symlinks: " + "; ".join(res.errs("symlink")))


@case("fs-symlink-preexisting", "a symlink that already points out of the workspace does not become a way to write outside")
def _(c):
    os.symlink(c.outside, os.path.join(c.ws, "outlink"))
    os.symlink(c.victim, os.path.join(c.ws, "victimlink"))
    res = c.attack("write", "outlink/victim", "write", "outlink/new", "write", "victimlink",
                   "metadata", "victimlink", "rename", "outlink/victim", "stolen")
    c.expect_none(res, ["write", "chmod", "chown", "utimes", "setxattr", "truncate", "rename"],
                  "write through a pre-existing symlink")


@case("fs-hardlink", "a hard link made inside the workspace to a file outside (or in .git) does not make that file writable")
def _(c):
    res = c.attack("link", c.victim, "hl", "append", "hl", "linkat-fd", c.victim, "hl2", "append", "hl2",
                   "append", "hl2.proc", "link", ".git/config", "hl-config", "append", "hl-config",
                   "link", ".git/HEAD", "hl-head", "append", "hl-head")
    c.expect_none(res, ["link", "linkat-empty-path", "linkat-proc-fd"], "hard link across the boundary")
    c.expect_none(res, ["append"], "write through a hard link")


@case("fs-rename", "rename and RENAME_EXCHANGE cannot move files into, out of or across a read-only directory")
def _(c):
    write_file(os.path.join(c.ws, "mine"), "mine\n")
    res = c.attack("rename", "mine", c.outside + "/moved-in", "exchange", "mine", c.victim,
                   "rename", c.victim, "stolen", "rename", c.outside, c.ws + "/outside-moved",
                   "exchange", ".git/config", "mine")
    c.expect_none(res, ["rename", "exchange"], "rename across the boundary")


@case("fs-proc-magic", "/proc magic links (/proc/self/root, /proc/self/cwd, /proc/1/root, /proc/self/fd) do not lead a write outside")
def _(c):
    res = c.attack("write", "/proc/self/root" + c.victim, "write", "/proc/1/root" + c.victim,
                   "write", "/proc/self/cwd/../outside/victim", "write", "/proc/self/root/etc/" + c.token,
                   "reopen-rw", c.victim, "reopen-rw", ".git/config", "write", "/proc/thread-self/root" + c.victim)
    c.expect_none(res, ["write", "reopen-rw"], "write through a /proc magic link")
    check_absent(c, "/etc/" + c.token)


@case("fs-proc-fd-creat", "reopening a read-only descriptor through /proc/self/fd/N or /dev/fd/N with O_CREAT (as '> /dev/fd/3' does) gives no write access outside or to .git")
def _(c):
    res = c.attack("reopen-creat", c.victim, "reopen-creat", c.outside, "reopen-creat", ".git/config",
                   "reopen-creat", ".git/hooks", "reopen-creat", "/etc/hostname" if os.path.exists("/etc/hostname") else "/etc/passwd")
    c.expect_none(res, ["reopen-creat"], "reopened for writing")


@case("fs-metadata", "metadata of files outside and under .git cannot change (chmod, chown, utimes, setxattr, truncate)")
def _(c):
    res = c.attack("metadata", c.victim, "metadata", c.outside, "metadata", ".git/config", "metadata", ".git")
    c.expect_none(res, ["chmod", "chown", "utimes", "setxattr", "truncate"], "metadata change")


@case("fs-file-handle", "open_by_handle_at cannot reopen a file outside through the writable workspace mount")
def _(c):
    res = c.attack("handle", c.victim, ".", "handle", os.path.join(c.ws, ".git/config"), ".")
    c.expect_none(res, ["open_by_handle_at"], "file handle escape")


@case("fs-mount-tricks", "remount, umount, bind and the new mount API (also inside a fresh user namespace) do not undo read-only binds")
def _(c):
    res = c.attack("mount-tricks", os.path.join(c.ws, ".git/config"), c.victim)
    c.expect_none(res, ["remount-root-rw", "remount-dir-rw", "remount-protected-rw", "umount-protected",
                        "bind-over", "mount-setattr-rw", "open-tree-write", "userns-umount",
                        "userns-remount"], "mount trick")


@case("fs-device-nodes", "no raw disk or memory device can be created or opened")
def _(c):
    res = c.attack("mknod", ".")
    c.expect_none(res, ["mknod-open"], "device node opened")
    if res.oks("mknod"):
        c.note("mknod itself succeeded: " + "; ".join(res.oks("mknod")))


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


def _special_write_case(c, targets, reader, what):
    """special-write on every target, in workspace-write and in read-only mode:
    no open for writing may succeed and the host side must receive nothing."""
    ops = []
    for t in targets:
        ops += ["special-write", t]
    for mode in ("workspace-write", "read-only"):
        res = c.attack(*ops, opts=["-s", mode], timeout=90)
        c.expect_none(res, ["special-write"], "%s opened for writing (%s)" % (what, mode))
        got = _drain_fd(reader)
        if got:
            c.fail("the host side of %s received %r (%s)" % (what, got[:80], mode))
        if not res.with_verdict("ERR", "special-write"):
            c.fail("%s: no attempt ran (%s): %s" % (what, mode, res.summary()))


@case("fs-fifo-outside", "a host FIFO outside the writable roots cannot be opened for writing, in workspace-write and read-only mode: O_WRONLY, O_NONBLOCK, O_RDWR, O_CREAT (the name guard's proxy), openat2, a read-only descriptor reopened through /proc/self/fd and /dev/fd; directly, through a symlink in the workspace and through /proc/self/root; its host reader gets nothing")
def _(c):
    fifo = os.path.join(c.outside, "control.fifo")
    os.mkfifo(fifo, 0o666)
    os.chmod(fifo, 0o666)  # writable by whoever runs the suite: only the sandbox stands in the way
    os.symlink(fifo, os.path.join(c.ws, "fifo-link"))
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        _special_write_case(c, [fifo, "fifo-link", "/proc/self/root" + fifo], reader, "a host FIFO outside")
    finally:
        os.close(reader)


@case("fs-device-outside", "a device node outside the sandbox's /dev (a host pty's slave: mknod'ed in the outside dir as root, and a symlink to its /dev/pts entry) cannot be opened for writing in either mode; the pty's master gets nothing")
def _(c):
    master, slave = pty.openpty()
    try:
        tty.setraw(slave)
        os.set_blocking(master, False)
        targets = []
        link = os.path.join(c.outside, "pts-link")
        os.symlink(os.ttyname(slave), link)
        targets += [link, "/proc/self/root" + link]
        if os.geteuid() == 0:
            node = os.path.join(c.outside, "pts-node")
            os.mknod(node, 0o666 | stat.S_IFCHR, os.fstat(slave).st_rdev)
            os.chmod(node, 0o666)
            targets += [node, "/proc/self/root" + node]
        else:
            c.note("not root: no device node made outside /dev (mknod needs CAP_MKNOD); the symlink "
                   "to the host pty is tried")
        _special_write_case(c, targets, master, "a host pty outside /dev")
    finally:
        os.close(master)
        os.close(slave)


@case("fs-sysctl", "host-global kernel knobs (/proc/sys, /proc/sysrq-trigger, /sys) cannot be written; kernel.core_pattern and kernel.modprobe in particular")
def _(c):
    res = c.attack("proc-sys")
    c.expect_none(res, ["sysctl-open", "sysctl-write"], "host kernel setting writable")


@case("fs-nested-sandbox", "running ringfence (-s danger-full-access, --network on) or bwrap again inside the sandbox widens nothing")
def _(c):
    l4, l6, port = _tcp_listeners()
    try:
        a, rf = c.suite.attack, c.suite.ringfence
        script = ("%s run -s danger-full-access -- %s write %s; "
                  "%s run -s workspace-write --allow-degraded --network on --writable-root %s -- %s write %s tcp-connect 127.0.0.1 %d; "
                  "bwrap --bind / / -- %s write %s; "
                  "bwrap --dev-bind / / --unshare-user --uid 0 -- %s write %s; true") % (
                      rf, a, c.victim, rf, c.outside, a, c.victim, port, a, c.victim, a, c.victim)
        res = c.sh(script)
        got = drain_accepts(l4)
        if got:
            c.fail("a nested sandbox reached the host listener: %s" % got)
        c.expect_none(res, ["write", "tcp-connect"], "nested sandbox")
    finally:
        l4.close()
        if l6:
            l6.close()


# ---- protected names


@case("protect-git-write", "an existing .git cannot be written: config, HEAD, hooks, new files")
def _(c):
    res = c.attack("overwrite", ".git/config", "write", ".git/config", "overwrite", ".git/HEAD",
                   "write", ".git/hooks/pre-commit", "mkdir", ".git/hooks/x", "write", ".git/info/attributes",
                   "unlink", ".git/config", "write", ".git/objects/rf")
    c.expect_none(res, ["write", "overwrite", "mkdir", "unlink"], "write into .git")


@case("protect-git-move", "an existing .git cannot be renamed, removed or swapped for a directory or symlink (mv .git x)")
def _(c):
    os.makedirs(os.path.join(c.ws, "fake.git/hooks"))
    res = c.attack("rename", ".git", "x", "rmdir", ".git", "symlink", "fake.git", "fake-link",
                   "rename", "fake-link", ".git", "rename", "fake.git", ".git", "exchange", ".git", "fake.git",
                   "exchange", ".git", "fake-link")
    c.expect_none(res, ["rename", "rmdir", "exchange"], "moving .git")


def _plant_case(name, paths, setup_git=True):
    def body(c):
        if not setup_git:
            shutil.rmtree(os.path.join(c.ws, ".git"))
        ops = []
        for p in paths:
            ops += ["mkdirs", os.path.dirname(p)] if "/" in p else []
            ops += ["write", p]
        res = c.attack(*ops)
        c.expect_none(res, ["write"], "planted")
        # the watch on every protected name reports it on the host side too
    return body


case("protect-plant-envrc", "a workspace without .envrc cannot be given one (direnv would run it on the host)")(
    _plant_case(".envrc", [".envrc"]))
case("protect-plant-vscode", "a workspace without .vscode cannot be given .vscode/tasks.json")(
    _plant_case(".vscode", [".vscode/tasks.json"]))
case("protect-plant-mcp", "a workspace without .mcp.json cannot be given one")(
    _plant_case(".mcp.json", [".mcp.json"]))
case("protect-plant-idea", "a workspace without .idea cannot be given .idea/workspace.xml")(
    _plant_case(".idea", [".idea/workspace.xml"]))
case("protect-plant-aws", "a workspace without .aws cannot be given .aws/config (a credential_process there runs on the host)")(
    _plant_case(".aws", [".aws/config"]))
case("protect-plant-agents", "a workspace without .agents cannot be given .agents/x")(
    _plant_case(".agents", [".agents/x"]))
case("protect-plant-codex", "a workspace without .codex cannot be given .codex/config.toml")(
    _plant_case(".codex", [".codex/config.toml"]))
case("protect-plant-ringfence", "a workspace without .ringfence cannot be given .ringfence/config.toml")(
    _plant_case(".ringfence", [".ringfence/config.toml"]))
case("protect-plant-git", "a workspace that is not a git repository cannot be given .git/hooks/pre-commit")(
    _plant_case(".git", [".git/hooks/pre-commit"], setup_git=False))


@case("protect-plant-symlink", "an absent protected name cannot be created as a symlink (.envrc -> file, .vscode -> dir)")
def _(c):
    write_file(os.path.join(c.outside, "evil-envrc"), "echo evil\n")
    res = c.attack("symlink", os.path.join(c.outside, "evil-envrc"), ".envrc",
                   "symlink", c.outside, ".vscode", "symlink", c.outside, ".idea")
    c.expect_none(res, ["symlink"], "protected name created as a symlink")


@case("protect-create-variants", "no syscall or path spelling creates an absent protected name: open/openat/creat, mkdir(at), mknod(at), symlink(at), link(at), rename(at/2), O_TMPFILE+linkat, bind(AF_UNIX), openat2, dangling symlinks, ../, dirfds, a thread with its own cwd")
def _(c):
    res = c.attack("create-variants", c.ws)
    c.expect_none(res, ["create"], "protected name created")


@case("protect-swap-race", "swapping a directory for a symlink to the workspace root (renameat2 RENAME_EXCHANGE in a loop) does not let a create land on a protected name")
def _(c):
    res = c.attack("race-create", 1.5)
    c.expect_none(res, ["race-create"], "race won")
    info = " ".join(res.with_verdict("INFO", "race"))
    m = re.search(r"made (\d+) swaps", info)
    if not m or int(m.group(1)) == 0:
        c.note("the swap did not happen, so the race was not exercised: " + info)


@case("protect-existing-vscode", "an existing .vscode stays as it is: no new tasks.json, no overwrite, no rename")
def _(c):
    write_file(os.path.join(c.ws, ".vscode/settings.json"), "{}\n")
    write_file(os.path.join(c.ws, ".envrc"), "export ORIGINAL=1\n")
    res = c.attack("write", ".vscode/tasks.json", "overwrite", ".vscode/settings.json",
                   "rename", ".vscode", "vscode-moved", "overwrite", ".envrc", "unlink", ".envrc",
                   "symlink", "/etc/passwd", "envrc-link", "rename", "envrc-link", ".envrc")
    c.expect_none(res, ["write", "overwrite", "rename", "unlink"], "existing protected name changed")


@case("protect-symlinked-name", "a protected name that is a symlink at launch (dangling, or to a directory outside) cannot be followed, replaced or removed")
def _(c):
    os.symlink("envrc-target", os.path.join(c.ws, ".envrc"))
    os.makedirs(os.path.join(c.dir, "shared-vscode"))
    os.symlink("../shared-vscode", os.path.join(c.ws, ".vscode"))
    c.watch_path(os.path.join(c.ws, "envrc-target"))
    res = c.attack("write", ".envrc", "unlink", ".vscode", "mkdir", ".vscode", "write", ".vscode/tasks.json",
                   "unlink", ".envrc", "write", ".envrc")
    c.expect_none(res, ["write", "unlink", "mkdir"], "symlinked protected name")


@case("protect-hardlinked-name", "an existing protected file stays untouched when the workspace holds another hard link to it")
def _(c):
    envrc = os.path.join(c.ws, ".envrc")
    write_file(envrc, "export ORIGINAL=1\n")
    os.link(envrc, os.path.join(c.ws, "envrc-copy"))
    # Refusing to run (exit 125, naming the extra link) is a correct answer:
    # mounts protect paths, not inodes.  Running and writing is not.
    res = c.run([c.suite.attack, "append", "envrc-copy", "overwrite", "envrc-copy"])
    if not res.started:
        if res.rc != 125 or "hard link" not in res.err:
            raise Broken("neither ran nor refused with a reason: " + res.summary())
        c.note("refused: " + res.err.strip().splitlines()[0][:160])
        return
    if res.oks("append") or res.oks("overwrite"):
        c.note("the other link was writable: " + "; ".join(res.oks()))


@case("protect-hooks-path", "git hooks stay protected when core.hooksPath points into the workspace (husky's .husky): no hook can be planted there")
def _(c):
    git(c.ws, "config", "core.hooksPath", ".husky", env=c.suite.env)
    os.makedirs(os.path.join(c.ws, ".husky"))
    write_file(os.path.join(c.ws, ".husky/pre-commit"), "#!/bin/sh\nexit 0\n")
    os.chmod(os.path.join(c.ws, ".husky/pre-commit"), 0o755)
    c.watch_path(os.path.join(c.ws, ".husky"))
    res = c.attack("overwrite", ".husky/pre-commit", "write", ".husky/post-checkout", "rename", ".husky", "husky-moved")
    c.expect_none(res, ["overwrite", "write", "rename"], "hook planted")


@case("protect-hooks-path-tmp", "git hooks stay protected when core.hooksPath points into another writable root (/tmp)")
def _(c):
    t = tmp_dir(c)
    hooks = os.path.join(t, "hooks")
    os.makedirs(hooks)
    write_file(os.path.join(hooks, "pre-commit"), "#!/bin/sh\nexit 0\n")
    git(c.ws, "config", "core.hooksPath", hooks, env=c.suite.env)
    c.watch_path(hooks)
    res = c.attack("overwrite", hooks + "/pre-commit", "write", hooks + "/post-checkout", "rename", hooks, hooks + ".moved",
                   "rename", t, t + ".moved")
    c.expect_none(res, ["overwrite", "write", "rename"], "hook planted")


@case("protect-git-include", "git configuration included from the workspace (include.path in .git/config) is as protected as .git/config")
def _(c):
    shared = os.path.join(c.ws, ".gitconfig-shared")
    write_file(shared, "[user]\n\tname = shared\n")
    git(c.ws, "config", "include.path", "../.gitconfig-shared", env=c.suite.env)
    c.watch_path(shared)
    res = c.attack("append", ".gitconfig-shared", "unlink", ".gitconfig-shared", "write", ".gitconfig-shared")
    c.expect_none(res, ["append", "unlink", "write"], "included git config changed")


@case("protect-tmp-root", "protected names are enforced at the root of /tmp too (a writable root): /tmp/.mcp.json cannot be created")
def _(c):
    targets = ["/tmp/.mcp.json", "/tmp/.envrc"]
    for t in targets:
        if os.path.lexists(t):
            raise Skip("%s already exists on this host" % t)
    res = c.attack("write", "/tmp/.mcp.json", "write", "/tmp/.envrc")
    c.expect_none(res, ["write"], "protected name created in /tmp")
    for t in targets:
        check_absent(c, t)


def _ancestor_rename(c, parent):
    """parent/proj/ws is the workspace; parent is a writable root (or below one)."""
    proj = os.path.join(parent, "proj")
    ws = os.path.join(proj, "ws")
    shutil.copytree(c.suite.template, ws, symlinks=True)
    c.watch_path(os.path.join(ws, ".git"))
    c.watch_path(os.path.join(ws, ".envrc"))
    return proj, ws


@case("protect-tmp-ancestor-rename", "a workspace below /tmp keeps its .git: renaming its parent directory and planting a new .git at the old path fails")
def _(c):
    proj, ws = _ancestor_rename(c, tmp_dir(c))
    res = c.attack("rename", proj, proj + ".moved", "mkdirs", ws + "/.git/hooks", "write", ws + "/.git/hooks/pre-commit",
                   "write", ws + "/.git/HEAD", "write", ws + "/.envrc", cwd=ws)
    if res.oks("rename"):
        c.fail("renamed the workspace's parent %s away on the host (the protected .git moved with it)" % proj)
        c.cleanup(lambda: shutil.rmtree(proj + ".moved", ignore_errors=True))
    c.expect_none(res, ["write"], "planted at the workspace's original path")


@case("protect-root-ancestor-rename", "a workspace below another writable root (--writable-root) keeps its .git when its parent is renamed")
def _(c):
    extra = os.path.join(c.dir, "extra")
    os.makedirs(extra)
    proj, ws = _ancestor_rename(c, extra)
    res = c.attack("rename", proj, proj + ".moved", "mkdirs", ws + "/.git/hooks", "write", ws + "/.git/hooks/pre-commit",
                   "write", ws + "/.envrc", cwd=ws, opts=["--writable-root", extra])
    if res.oks("rename"):
        c.fail("renamed the workspace's parent %s away on the host (the protected .git moved with it)" % proj)
    c.expect_none(res, ["write"], "planted at the workspace's original path")


@case("protect-gitdir-file", "when .git is a 'gitdir:' file, the real git directory (here in /tmp) is protected too")
def _(c):
    t = tmp_dir(c)
    real = os.path.join(t, "real.git")
    shutil.rmtree(os.path.join(c.ws, ".git"))
    git(c.ws, "init", "-q", "--separate-git-dir", real, env=c.suite.env)
    git(c.ws, "add", "-A", env=c.suite.env)
    git(c.ws, "commit", "-qm", "init", env=c.suite.env)
    c.watch_path(real)
    res = c.attack("overwrite", real + "/config", "write", real + "/hooks/pre-commit", "write", real + "/config",
                   "overwrite", ".git")
    c.expect_none(res, ["write", "overwrite"], "write to the real git dir")


@case("protect-gitdir-parent-rename", "when .git is a 'gitdir:' file, the real git dir cannot be replaced by renaming its parent and planting a new one")
def _(c):
    t = tmp_dir(c)
    real = os.path.join(t, "real.git")
    shutil.rmtree(os.path.join(c.ws, ".git"))
    git(c.ws, "init", "-q", "--separate-git-dir", real, env=c.suite.env)
    c.watch_path(real)
    res = c.attack("rename", t, t + ".moved", "mkdirs", real + "/hooks", "write", real + "/hooks/pre-commit")
    if res.oks("rename"):
        c.fail("renamed the real git dir's parent %s away on the host" % t)
    c.expect_none(res, ["write"], "planted at the real git dir's path")


@case("protect-worktree-commondir", "in a git worktree, the main repository's .git (hooks, config: the common dir) is protected too")
def _(c):
    t = tmp_dir(c)
    main = os.path.join(t, "main")
    shutil.copytree(c.suite.template, main, symlinks=True)
    shutil.rmtree(c.ws)
    git(main, "worktree", "add", "-q", c.ws, env=c.suite.env)
    c.watch_path(os.path.join(main, ".git"))
    res = c.attack("write", main + "/.git/hooks/pre-commit", "overwrite", main + "/.git/config",
                   "write", main + "/.git/config")
    c.expect_none(res, ["write", "overwrite"], "write to the worktree's common git dir")


# ---- descriptors


@case("fd-inherited-file", "a file the caller has open on fd 7 (not --pass-fd) cannot be written from inside")
def _(c):
    log = os.path.join(c.outside, "agent.log")
    write_file(log, "log\n")
    c.watch_path(log)
    res = c.attack("fd-write", 7, wrap_sh='7>>"%s"' % log)
    c.expect_none(res, ["fd-write"], "inherited fd 7 written")


@case("fd-inherited-dir", "a directory the caller has open on fd 8 cannot be used to create files outside")
def _(c):
    res = c.attack("fd-openat", 8, "planted", "fd-openat", 8, "../outside/planted2", wrap_sh='8<"%s"' % c.outside)
    c.expect_none(res, ["fd-openat"], "inherited directory fd used")


@case("fd-inherited-socket", "a connected socket the caller holds (an agent's IPC channel) is not inherited")
def _(c):
    a, b = socket.socketpair()
    try:
        fd = a.fileno()
        res = c.attack("fd-send", fd, fds=(fd,))
        a.close()
        b.setblocking(False)
        try:
            got = b.recv(200)
        except (BlockingIOError, OSError):
            got = b""
        if got:
            c.fail("the caller's socket received data from inside: %s" % got)
        c.expect_none(res, ["fd-send"], "inherited socket used")
    finally:
        b.close()


def _host_targets(c):
    """Host services of every kind a passed-in socket could name: (label, listener, address for
    rf-escape-attack, the family and type of socket to pass in)."""
    t = tmp_dir(c)
    os.chmod(t, 0o755)
    out = []
    for label, path, kind in (("dgram-path", os.path.join(t, "log.sock"), socket.SOCK_DGRAM),
                              ("dgram-abstract", "\0" + c.token + "-dgram", socket.SOCK_DGRAM),
                              ("stream-path", os.path.join(t, "agent.sock"), socket.SOCK_STREAM),
                              ("stream-abstract", "\0" + c.token + "-stream", socket.SOCK_STREAM),
                              ("seqpacket-abstract", "\0" + c.token + "-seq", socket.SOCK_SEQPACKET)):
        s = _unix_listener(path, kind)
        out.append((label, s, "@" + path[1:] if path[0] == "\0" else path, socket.AF_UNIX, kind))
    for label, kind in (("tcp", socket.SOCK_STREAM), ("udp", socket.SOCK_DGRAM)):
        s = socket.socket(socket.AF_INET, kind)
        s.bind(("127.0.0.1", 0))
        if kind == socket.SOCK_STREAM:
            s.listen(8)
        out.append((label, s, "inet:127.0.0.1:%d" % s.getsockname()[1], socket.AF_INET, kind))
    return out


@case("passed-socket-host", "a socket made outside the sandbox and passed in (--pass-fd) reaches no host service: unix datagram, stream and seqpacket sockets to pathname and abstract host sockets, TCP (connect, MSG_FASTOPEN) and UDP to a host loopback listener; sendto, sendmsg and sendmmsg alike")
def _(c):
    targets = _host_targets(c)
    try:
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
        for t in targets:
            t[1].close()


@case("fd-only-stdio", "the command starts with only descriptors 0, 1 and 2 open although the caller had 7, 8 and 9 open")
def _(c):
    res = c.attack("fd-list", wrap_sh='7>>"%s/log" 8<"%s" 9<"%s"' % (c.dir, c.outside, c.victim))
    for line in res.oks("fd-open"):
        c.fail("descriptor open in the command: %s" % line)


@case("fd-host-proc", "the invoking process's descriptors are not reachable through /proc/<host pid>/fd")
def _(c):
    log = os.path.join(c.outside, "runner.log")
    f = open(log, "w")
    try:
        c.watch_path(log)
        res = c.attack("write", "/proc/%d/fd/%d" % (os.getpid(), f.fileno()),
                       "write", "/proc/%d/root%s" % (os.getpid(), c.victim),
                       "write", "/proc/%d/cwd/outside/victim" % os.getpid())
        c.expect_none(res, ["write"], "write through the host's /proc")
    finally:
        f.close()


# ---- network: off means no host traffic at all


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


def _net_case(c, proto, addrs):
    if not addrs:
        raise Skip("the host has no such address")
    listeners = _tcp_listeners() if proto == "tcp" else _udp_listeners()
    s4, s6, port = listeners
    try:
        if any(":" in a for a in addrs) and s6 is None:
            raise Skip("IPv6 is not available on the host")
        # the host can reach its own listener: shows the check is live
        ops = []
        for a in addrs:
            ops += ["tcp-connect" if proto == "tcp" else "udp-send", a, port]
        res = c.attack(*ops)
        got = drain_accepts(s4) + (drain_accepts(s6) if s6 else [])
        if got:
            c.fail("host listener on port %d got: %s" % (port, "; ".join(got)))
        c.expect_none(res, ["tcp-connect"], "connected to the host")
        if proto == "udp":
            # sendto() to a loopback address succeeds on the sandbox's own lo; only
            # what the host socket received counts
            for line in res.oks("udp-send"):
                if not re.search(r" (127\.|::1 )", line):
                    c.fail("datagram left for a host address: %s" % line)
    finally:
        s4.close()
        if s6:
            s6.close()


@case("net-tcp-loopback4", "no TCP connection reaches a host listener on 127.0.0.1")
def _(c):
    _net_case(c, "tcp", ["127.0.0.1"])


@case("net-tcp-loopback6", "no TCP connection reaches a host listener on ::1")
def _(c):
    _net_case(c, "tcp", ["::1"] if socket.has_ipv6 and host_has_ipv6_loopback() else [])


@case("net-tcp-host4", "no TCP connection reaches a host listener on the host's own IPv4 addresses")
def _(c):
    _net_case(c, "tcp", host_addresses()[0])


@case("net-tcp-host6", "no TCP connection reaches a host listener on the host's own global IPv6 addresses")
def _(c):
    _net_case(c, "tcp", host_addresses()[1])


@case("net-udp-loopback", "no UDP datagram reaches a host socket on 127.0.0.1 or ::1")
def _(c):
    _net_case(c, "udp", ["127.0.0.1"] + (["::1"] if host_has_ipv6_loopback() else []))


@case("net-udp-host", "no UDP datagram reaches a host socket on the host's own addresses")
def _(c):
    v4, v6 = host_addresses()
    _net_case(c, "udp", v4 + v6)


def host_has_ipv6_loopback():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


@case("net-dns", "no DNS: names do not resolve, and no query leaves for the resolv.conf nameservers")
def _(c):
    res = c.attack("dns", c.token + ".example.com", "dns", "example.com", "dns-raw", "example.com")
    c.expect_none(res, ["dns", "dns-raw"], "DNS")


@case("net-proxy-netns", "a file opened with O_CREAT is resolved in the sandbox's namespaces: /proc/sys/net shows (and writes) the sandbox's network namespace, not the host's")
def _(c):
    ifaces = [i for i in sorted(os.listdir("/sys/class/net")) if i != "lo"] if os.path.isdir("/sys/class/net") else []
    if not ifaces:
        raise Skip("the host has no network interface besides lo")
    res = c.attack("proxy-netns", ifaces[0])
    if res.oks("netns-creat") and not res.oks("netns-plain"):
        c.fail("an O_CREAT open sees the host's network namespace: %s" % res.oks("netns-creat")[0])
    if res.oks("netns-creat") and res.oks("netns-write"):
        c.fail("a host network sysctl was written through an O_CREAT handle: %s" % res.oks("netns-write")[0])
    c.expect_none(res, ["netns-plain"], "host network namespace visible")


@case("net-netlink", "no netlink socket (route, uevent, audit) can be created")
def _(c):
    res = c.attack("netlink")
    c.expect_none(res, ["netlink-socket", "netlink-uevent", "netlink-audit"], "netlink")


@case("net-packet", "no packet or raw IP socket can be created")
def _(c):
    res = c.attack("packet")
    c.expect_none(res, ["packet-socket", "raw-inet-socket"], "raw socket")


@case("net-vsock", "no vsock socket (the WSL2/VM host bridge) can be created or connected")
def _(c):
    res = c.attack("vsock", 22)
    c.expect_none(res, ["vsock-socket", "vsock-connect"], "vsock")


@case("net-socket-families", "only AF_UNIX, AF_INET and AF_INET6 sockets exist inside, also with high bits set in the family")
def _(c):
    res = c.attack("socket-families")
    for line in res.oks("socket") + res.oks("socketpair"):
        fam = int(line.split("family ")[1].split()[0])
        if fam not in (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6):
            c.fail("socket family allowed: %s" % line)
    c.expect_none(res, ["socket-highbits"], "high-bit family")


def _unix_listener(path, kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_UNIX, kind)
    s.bind(path)
    if kind != socket.SOCK_DGRAM:
        s.listen(8)
    if path[0] != "\0":
        os.chmod(path, 0o777)
    return s


def _unix_case(c, path, kind=socket.SOCK_STREAM, where=""):
    s = _unix_listener(path, kind)
    try:
        name = "@" + path[1:] if path[0] == "\0" else path
        res = c.attack("unix-dgram" if kind == socket.SOCK_DGRAM else "unix-connect", name,
                       "unix-connect-many", "seqpacket", name)
        got = drain_accepts(s)
        if got:
            c.fail("host unix socket %s%s got: %s" % (name, where, "; ".join(got)))
        c.expect_none(res, ["unix-connect", "unix-dgram"], "host unix socket reached")
    finally:
        s.close()


@case("unix-abstract", "a host abstract unix socket (like @/tmp/.X11-unix/X0 or a D-Bus bus) cannot be reached")
def _(c):
    _unix_case(c, "\0" + c.token)


@case("unix-path-tmp", "a host unix socket in /tmp (a writable root: tmux, ssh-agent live there) cannot be connected to")
def _(c):
    t = tmp_dir(c)
    os.chmod(t, 0o755)
    _unix_case(c, os.path.join(t, "agent.sock"), where=" (in /tmp)")


@case("unix-path-tmp-dgram", "a host datagram unix socket in /tmp receives nothing from inside")
def _(c):
    t = tmp_dir(c)
    os.chmod(t, 0o755)
    _unix_case(c, os.path.join(t, "log.sock"), socket.SOCK_DGRAM, where=" (dgram, in /tmp)")


@case("unix-raw-dgram", "a host datagram unix socket (in /tmp, and outside the roots) receives nothing from AF_UNIX SOCK_RAW sockets or socketpairs, the datagram type under another name")
def _(c):
    t = tmp_dir(c)
    os.chmod(t, 0o755)
    d = os.path.join(c.dir, "run")
    os.makedirs(d)
    for path in (os.path.join(t, "raw.sock"), os.path.join(d, "raw.sock")):
        s = _unix_listener(path, socket.SOCK_DGRAM)
        try:
            res = c.attack("unix-raw", path)
            got = drain_accepts(s)
            if got:
                c.fail("host datagram socket %s got: %s" % (path, "; ".join(got)))
            if not res.with_verdict("OK", "unix-raw") + res.with_verdict("ERR", "unix-raw"):
                c.fail("the attack did not try: " + res.summary())
        finally:
            s.close()


@case("unix-path-workspace", "a host unix socket inside the workspace (bound by a host process) cannot be connected to")
def _(c):
    _unix_case(c, os.path.join(c.ws, "host.sock"), where=" (in the workspace)")


@case("unix-path-readonly", "a host unix socket in a read-only location cannot be connected to (a read-only bind does not stop connect)")
def _(c):
    d = os.path.join(c.dir, "run")
    os.makedirs(d)
    _unix_case(c, os.path.join(d, "docker.sock"), where=" (read-only location)")


# ---- the supervisors: hostile input is refused with the kernel's errno, ringfence survives (issue 12)

HOSTILE_INPUT = [
    ("cmsg-len-zero", "EINVAL"), ("cmsg-len-zero-host", "EINVAL"), ("cmsg-len-short", "EINVAL"),
    ("cmsg-len-huge", "EINVAL"), ("cmsg-len-past", "EINVAL"), ("cmsg-second-past", "EINVAL"),
    ("cmsg-254-fds", "EINVAL"), ("cmsg-credentials", "EPERM"), ("controllen-huge", "ENOBUFS"),
    ("iovlen-1025", "EMSGSIZE"), ("iov-len-wrap", "EINVAL"), ("namelen-negative", "EINVAL"),
    ("sendto-unix-128", "EINVAL"), ("sendmmsg-cmsg-zero", "EINVAL"), ("connect-unix-128", "EINVAL"),
    ("bind-unix-128", "EINVAL"), ("utimes-usec-wrap", "EINVAL"),
]


def check_survived(c, res):
    """ringfence returned the command's own exit status (0) after the whole attack ran."""
    if res.rc != 0:
        why = "killed by signal %d" % -res.rc if res.rc < 0 else "exit %d" % res.rc
        c.fail("ringfence did not return the command's exit status 0 (%s): %s" % (why, res.summary()))
    if "RF-ATTACK-END" not in res.out:
        c.fail("the attack did not run to its end inside the sandbox")


def check_errnos(c, res, expected):
    for op, want in expected:
        oks, errs = res.oks(op), res.errs(op)
        if oks:
            c.fail("%s succeeded (the kernel answers %s): %s" % (op, want, oks[0]))
        elif not errs:
            c.fail("%s did not report (the supervisor died?)" % op)
        elif errs[0].split()[3] != want:
            c.fail("%s got %s, the kernel's answer is %s: %s" % (op, errs[0].split()[3], want, errs[0]))


@case("supervisor-hostile-input", "malformed sendmsg/sendto/sendmmsg/connect/bind/utimes arguments (cmsg_len 0, lengths past their buffers, 254 descriptors, forged credentials, 1025 iovecs, a 128-byte unix address, tv_usec out of range) get the kernel's errno; ringfence survives with the command's exit status; a host socket named as destination gets nothing")
def _(c):
    t = tmp_dir(c)
    os.chmod(t, 0o755)
    path = os.path.join(t, "log.sock")
    s = _unix_listener(path, socket.SOCK_DGRAM)
    stamp = os.path.join(c.ws, "stamp")
    write_file(stamp, "x\n")
    os.utime(stamp, (1000000000, 1000000000))
    try:
        res = c.attack("hostile-send", path, "hostile-connect", path, "utimes-usec-wrap", "stamp")
        got = drain_accepts(s)
    finally:
        s.close()
    if got:
        c.fail("the host datagram socket %s got: %s" % (path, "; ".join(got)))
    check_survived(c, res)
    check_errnos(c, res, HOSTILE_INPUT)
    if os.stat(stamp).st_mtime_ns != 1000000000 * 10**9:
        c.fail("utimes with tv_usec out of range changed %s" % stamp)
    if not res.oks("send-rights"):
        c.fail("an ordinary SCM_RIGHTS message no longer works: %s" % (res.errs("send-rights") or ["no report"])[0])


@case("unix-host-services", "none of the host's own listening unix sockets (from /proc/net/unix) accepts a connection from inside")
def _(c):
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
    res = c.attack("unix-connect-many", *socks)
    c.expect_none(res, ["unix-connect-host"], "host service reachable")


@case("ipc-sysv-msg", "a host SysV message queue cannot be written (private IPC namespace)")
def _(c):
    key = str(0x52460000 + secrets.randbelow(0xffff))
    c.host_attack("msg-create", key)
    c.cleanup(lambda: c.host_attack("msg-count", key))
    res = c.attack("msg-send", key)
    out = c.host_attack("msg-count", key)
    m = re.search(r"msg-count (\d+) messages", out)
    if m and int(m.group(1)) > 0:
        c.fail("the host queue got %s messages" % m.group(1))
    c.expect_none(res, ["msg-send"], "SysV message sent")


@case("ipc-sysv-shm", "a host SysV shared memory segment cannot be written")
def _(c):
    key = str(0x52470000 + secrets.randbelow(0xffff))
    c.host_attack("shm-create", key)
    res = c.attack("shm-write", key)
    out = c.host_attack("shm-read", key)
    if "RF-ESCAPE" in out:
        c.fail("the host segment was written: %s" % out.strip())
    c.expect_none(res, ["shm-write"], "SysV shm written")


@case("ipc-posix-mq", "a host POSIX message queue cannot be written")
def _(c):
    name = "/" + c.token
    c.host_attack("mq-create", name)
    res = c.attack("mq-send", name)
    out = c.host_attack("mq-count", name)
    m = re.search(r"mq-count (\d+) messages", out)
    if m and int(m.group(1)) > 0:
        c.fail("the host queue got %s messages" % m.group(1))
    c.expect_none(res, ["mq-send"], "POSIX mq written")


# ---- processes


class Victim:
    """A host process (same user as the sandbox) holding a secret."""

    def __init__(self, c):
        self.c = c
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
        c.cleanup(self.stop)

    def check(self):
        c = self.c
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

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@case("proc-kill", "a host process (same user) cannot be killed by its pid")
def _(c):
    v = Victim(c)
    res = c.attack("kill", v.pid)
    time.sleep(0.1)
    v.check()
    if res.oks("kill"):
        c.note("kill() returned success inside: " + res.oks("kill")[0] + " (that pid is something in the sandbox)")


@case("proc-signal", "no signal reaches a host process: kill, kill(-pgrp), kill(-1), tgkill, pidfd_send_signal, F_SETOWN")
def _(c):
    v = Victim(c)
    c.attack("signal", v.pid)
    time.sleep(0.2)
    v.check()


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


@case("proc-sched", "a host process's limits, nice value, affinity, scheduling class and I/O priority cannot be changed (prlimit, setpriority, sched_setaffinity/setscheduler, ioprio_set; also PRIO_USER/IOPRIO_WHO_USER 0 when not root)")
def _(c):
    v = Victim(c)
    before = _sched_state(v.pid)
    # who 0 with PRIO_USER means every process of the uid: as root, on a broken sandbox, that
    # would renice every root process of the machine, so only the unprivileged pass asks.
    res = c.attack("sched", v.pid, *(["user"] if os.geteuid() != 0 else []))
    after = _sched_state(v.pid)
    for key in before:
        if before[key] != after[key]:
            c.fail("the host victim's %s changed: %r -> %r" % (key, before[key], after[key]))
    if not res.with_verdict("OK", "sched") + res.with_verdict("ERR", "sched"):
        c.fail("the attack did not try: " + res.summary())
    v.check()


@case("proc-ptrace", "a host process cannot be traced (PTRACE_ATTACH, PTRACE_SEIZE)")
def _(c):
    v = Victim(c)
    res = c.attack("ptrace", v.pid)
    v.check()
    c.expect_none(res, ["ptrace-seize", "ptrace-attach"], "ptrace of a host pid")


@case("proc-memory", "a host process's memory can be neither read nor written (process_vm_readv/writev, /proc/PID/mem)")
def _(c):
    v = Victim(c)
    res = c.attack("vm-read", v.pid, v.addr, "vm-write", v.pid, v.addr)
    if "RF-SECRET-" + c.token in res.out:
        c.fail("read the host victim's secret from inside")
    v.check()
    c.expect_none(res, ["process_vm_writev", "proc-mem-write"], "wrote host memory")


@case("proc-visibility", "host processes are invisible: /proc/<host pid> and a scan of /proc show no trace of a host secret")
def _(c):
    v = Victim(c)
    # the token goes in reversed, so that the sandbox's own command lines do not match
    res = c.attack("proc-peek", v.pid, "proc-scan", c.token[::-1])
    if "RF-SECRET-" + c.token in res.out or res.oks("proc-scan"):
        c.fail("a host process's environment or command line is visible: %s" %
               "; ".join(l for l in res.lines if c.token in l)[:400])
    v.check()


def _linger(c, mode):
    hb = os.path.join(c.ws, "heartbeat")
    res = c.attack("linger", c.token, hb, mode)
    _check_gone(c, hb, "after ringfence returned")
    if not res.oks("linger"):
        c.note("the linger step reported: " + " ".join(res.lines[-3:]))


def procs_in_mntns(ns):
    """Host pids (not zombies) in mount namespace ns (e.g. 'mnt:[4026532000]')."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            if os.readlink("/proc/%s/ns/mnt" % pid) != ns:
                continue
            with open("/proc/%s/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            if state in ("Z", "X"):
                continue
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append("pid %s (%s): %s" % (pid, state, cmd[:160]))
    return found


def _check_gone(c, hb, when):
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


@case("proc-linger-background", "a background child (cmd &) does not outlive ringfence's return")
def _(c):
    _linger(c, "background")


@case("proc-linger-daemon", "a double-forked, setsid, signal-ignoring daemon does not outlive ringfence's return")
def _(c):
    _linger(c, "daemon")


def _start_and_wait_heartbeat(c, opts=()):
    hb = os.path.join(c.ws, "heartbeat")
    c._take_watch()
    cmd = [c.suite.ringfence, "run", "-s", "workspace-write"] + list(opts) + [
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


@case("proc-ringfence-killed", "when ringfence itself is SIGKILLed, every process it started dies with it")
def _(c):
    p, hb = _start_and_wait_heartbeat(c)
    os.kill(p.pid, signal.SIGKILL)
    p.communicate()
    _check_gone(c, hb, "after ringfence was killed")


@case("proc-ringfence-terminated", "when ringfence gets SIGTERM (an agent cancelling), it returns and leaves nothing running")
def _(c):
    p, hb = _start_and_wait_heartbeat(c)
    os.kill(p.pid, signal.SIGTERM)
    try:
        p.communicate(timeout=12)
    except subprocess.TimeoutExpired:
        c.fail("ringfence did not return within 12 s of SIGTERM")
        p.kill()
        p.communicate()
    _check_gone(c, hb, "after ringfence returned from SIGTERM")


@case("proc-timeout", "--timeout ends the command and every process it left, and exits 124")
def _(c):
    hb = os.path.join(c.ws, "heartbeat")
    res = c.run([c.suite.attack, "linger", c.token, hb, "stay"], opts=["--timeout", "1"], timeout=30)
    if res.rc != 124:
        c.fail("exit status %s, not 124" % res.rc)
    _check_gone(c, hb, "after --timeout")


@case("proc-pid1-inject", "no process in the sandbox escapes the seccomp filters through another's memory: pid 1 cannot be driven through /proc/1/mem to create a protected name or reach a host unix socket, and no unfiltered process has writable memory")
def _(c):
    t = tmp_dir(c)
    os.chmod(t, 0o755)
    sock_path = os.path.join(t, "agent.sock")
    s = _unix_listener(sock_path)
    try:
        res = c.attack("unfiltered", "pid1-inject", os.path.join(c.ws, ".envrc"), sock_path, timeout=30)
        got = drain_accepts(s)
    finally:
        s.close()
    if "RF-PID1-INJECTED" in res.out:
        c.fail("code injected into pid 1 through /proc/1/mem ran there, outside the seccomp filters")
    elif res.oks("pid1-mem-write"):
        c.fail("wrote code into pid 1 through /proc/1/mem: %s" % res.oks("pid1-mem-write")[0])
    elif res.oks("pid1-mem-open"):
        c.fail("opened /proc/1/mem of pid 1 for writing")
    if got:
        c.fail("pid 1 reached the host unix socket %s: %s" % (sock_path, "; ".join(got)))
    c.expect_none(res, ["unfiltered-mem"], "unfiltered process")
    if any("SKIP" in l for l in res.with_verdict("INFO", "pid1-inject")):
        raise Skip("x86-64 only")


@case("tty-inject", "no input can be injected into the invoking terminal (TIOCSTI plain and with high bits, TIOCLINUX, after TIOCSCTTY)")
def _(c):
    master, slave = pty.openpty()
    try:
        tty.setraw(slave)
        legacy = None
        try:
            legacy = open("/proc/sys/dev/tty/legacy_tiocsti").read().strip()
        except OSError:
            pass

        def ctty():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        res = c.attack("tty-inject", "id>%s/pwned\n" % c.outside, stdin=slave, stderr=slave, preexec=ctty)
        os.set_blocking(slave, False)
        injected = b""
        try:
            while True:
                chunk = os.read(slave, 4096)
                if not chunk:
                    break
                injected += chunk
        except (BlockingIOError, OSError):
            pass
        if injected:
            c.fail("the invoking terminal received injected input: %r" % injected[:100])
        c.expect_none(res, ["tiocsti", "tiocsti-highbits", "tioclinux", "tioclinux-highbits"], "terminal ioctl")
        if legacy == "0":
            c.note("this kernel has dev.tty.legacy_tiocsti=0, so TIOCSTI is refused by the kernel anyway")
    finally:
        os.close(master)
        os.close(slave)


@case("tty-grab", "a command whose stdio is not the terminal gets no handle on the invoking (controlling) terminal: /dev/tty, also through open(O_CREAT); no keystrokes read, nothing injected, no resize")
def _(c):
    master, slave = pty.openpty()
    try:
        tty.setraw(slave)
        typed = "typed-" + c.token[-6:] + "\r"
        os.write(master, typed.encode())

        def ctty():
            os.setsid()
            fd = os.open(os.ttyname(slave), os.O_RDWR)  # becomes the controlling terminal
            os.close(fd)

        res = c.attack("tty-grab", "id>%s/pwned\n" % c.outside, preexec=ctty)
        os.set_blocking(slave, False)
        left = b""
        try:
            while True:
                chunk = os.read(slave, 4096)
                if not chunk:
                    break
                left += chunk
        except (BlockingIOError, OSError):
            pass
        if typed.strip() in res.out:
            c.fail("read what the user typed on the invoking terminal: %s" % res.oks("tty-read"))
        extra = left.replace(typed.encode(), b"", 1)
        if extra:
            c.fail("the invoking terminal received injected input: %r" % extra[:100])
        c.expect_none(res, ["dev-tty", "dev-tty-creat"], "terminal handle")
        c.expect_none(res, ["tiocsti", "tiocsti-highbits", "tioclinux", "tioclinux-highbits", "tiocswinsz"],
                      "terminal ioctl")
    finally:
        os.close(master)
        os.close(slave)


# ---- kernel attack surface


def _surface(c, group):
    res = c.attack("surface", group)
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


for _group, _claim in [
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
]:
    case("kernel-" + _group[1:], "kernel surface %s: %s" % (_group, _claim))(
        (lambda g: lambda c: _surface(c, g))(_group))


@case("kernel-personality-query", "personality() still answers a query (0xffffffff) and accepts plain PER_LINUX (setarch)")
def _(c):
    res = c.sh("setarch -h >/dev/null 2>&1 || { echo RF-NO-SETARCH; exit 0; }; "
               "setarch $(uname -m) sh -c 'echo RF-PER-LINUX-OK'; "
               "setarch $(uname -m) -R true && echo RF-NO-RANDOMIZE-ALLOWED || echo RF-NO-RANDOMIZE-REFUSED")
    if "RF-NO-SETARCH" in res.out:
        raise Skip("setarch (util-linux) is not installed")
    if "RF-PER-LINUX-OK" not in res.out:
        c.fail("setarch with plain PER_LINUX failed: " + res.summary())
    if "RF-NO-RANDOMIZE-REFUSED" not in res.out:
        c.fail("setarch -R (ADDR_NO_RANDOMIZE) was not refused: " + res.summary())


@case("kernel-userns", "no nested user namespace: unshare, clone (also with high flag bits), glibc clone, clone3")
def _(c):
    res = c.attack("userns")
    c.expect_none(res, ["unshare-user", "clone-newuser", "glibc-clone-newuser", "clone3-newuser"], "user namespace")


@case("kernel-abi", "the i386 (int 0x80, socketcall) and x32 entry points do not get around the filter")
def _(c):
    res = c.attack("abi")
    for line in res.lines:
        if line.startswith("RF OK abi"):
            c.fail("other-ABI syscall succeeded: %s" % line)
        elif line.startswith("RF ERR abi") and not re.search(r" (ENOSYS|EPERM)$", line):
            c.fail("other-ABI syscall reached the kernel: %s" % line)
    if any("SKIP" in l for l in res.lines):
        raise Skip("x86-64 only")


@case("kernel-caps", "the command runs with no capabilities, no_new_privs and a seccomp filter (also as root)")
def _(c):
    res = c.attack("status")
    for line in res.with_verdict("INFO", "status"):
        key, _, val = line.split(" ", 3)[3].partition(":")
        val = val.strip()
        if key.startswith("Cap") and int(val, 16) != 0:
            c.fail("%s is %s" % (key, val))
        if key == "NoNewPrivs" and val != "1":
            c.fail("no_new_privs is not set")
        if key == "Seccomp" and val != "2":
            c.fail("no seccomp filter (Seccomp: %s)" % val)


# ---- must keep working


def _works(c, res, op, what):
    if not res.oks(op):
        c.fail("%s does not work: %s" % (what, "; ".join(res.errs(op)) or res.summary()))


@case("ok-write-workspace", "writing in the workspace and in /tmp works and is seen on the host", kind="works")
def _(c):
    t = tmp_dir(c)
    res = c.attack("write", "made-inside", "mkdirs", "sub/dir", "write", "sub/dir/f", "write", t + "/f",
                   "rename", "made-inside", "renamed", "symlink", "renamed", "link-inside")
    for p in ["renamed", "sub/dir/f", "link-inside"]:
        if not os.path.lexists(os.path.join(c.ws, p)):
            c.fail("%s was not created in the workspace" % p)
    if not os.path.exists(t + "/f"):
        c.fail("writing to /tmp did not reach the host's /tmp")
    if res.errs():
        c.fail("; ".join(res.errs()))


@case("ok-build", "make and cc build and run a program in the workspace", kind="works")
def _(c):
    if not shutil.which("cc", path=CLEAN_PATH) or not shutil.which("make", path=CLEAN_PATH):
        raise Skip("cc or make is not installed")
    write_file(os.path.join(c.ws, "hello.c"), '#include <stdio.h>\nint main(void){puts("hello from the sandbox");return 0;}\n')
    write_file(os.path.join(c.ws, "Makefile"), "hello: hello.c\n\tcc -O2 -o $@ $<\n")
    res = c.sh("make -s && ./hello")
    if res.rc != 0 or "hello from the sandbox" not in res.out:
        c.fail("make/cc failed: %s" % res.summary())


@case("ok-python", "python3 runs, imports the standard library, writes files, and multiprocessing works", kind="works")
def _(c):
    py = shutil.which("python3", path=CLEAN_PATH)
    if not py:
        raise Skip("python3 is not installed")
    script = ("import json, sqlite3, multiprocessing as mp\n"
              "open('py-out.json','w').write(json.dumps({'ok': 1}))\n"
              "db = sqlite3.connect('t.db'); db.execute('create table t(x)'); db.commit()\n"
              "def sq(x): return x*x\n"
              "if __name__ == '__main__':\n"
              "    with mp.Pool(2) as p: print('mp', sum(p.map(sq, range(10))))\n"
              "    q = mp.Queue(); l = mp.Lock(); q.put(1); print('q', q.get())\n")
    write_file(os.path.join(c.ws, "t.py"), script)
    res = c.sh("%s t.py" % py)
    if res.rc != 0 or "mp 285" not in res.out or "q 1" not in res.out:
        c.fail("python3 failed: %s; %s" % (res.summary(), res.err.strip()[-400:]))
    if not os.path.exists(os.path.join(c.ws, "py-out.json")):
        c.fail("python3 did not write its file")


@case("ok-git-read", "git status, diff, log and a new branch's worth of reads work in the workspace", kind="works")
def _(c):
    write_file(os.path.join(c.ws, "README"), "changed\n")
    res = c.sh("git status --short && git diff --stat && git log --oneline -1 && git rev-parse HEAD && git show HEAD:README")
    if res.rc != 0:
        c.fail("git failed: %s" % res.summary())
    if "README" not in res.out or "init" not in res.out:
        c.fail("git output is missing the expected lines: %r" % res.out[-300:])


@case("ok-git-commit-refused", "git commit is refused (.git is protected), with an error that says the write was refused", kind="works")
def _(c):
    head = git(c.ws, "rev-parse", "HEAD", env=c.suite.env).strip()
    res = c.sh("git add -A && git commit -qm sandboxed --allow-empty")
    after = git(c.ws, "rev-parse", "HEAD", env=c.suite.env).strip()
    if after != head:
        c.fail("git commit succeeded: HEAD moved to %s" % after)
    if res.rc == 0:
        c.fail("git commit exited 0")
    msg = res.err.lower()
    if not any(k in msg for k in ("read-only file system", "sandbox", "ringfence", "protected")):
        c.fail("the error does not say the write was refused: %r" % res.err.strip()[-300:])


@case("ok-git-commit-allowed", "naming .git as a writable root (--writable-root $PWD/.git) allows git commit", kind="works")
def _(c):
    c.check_watch = False
    head = git(c.ws, "rev-parse", "HEAD", env=c.suite.env).strip()
    write_file(os.path.join(c.ws, "new"), "x\n")
    res = c.sh("git add -A && git commit -qm sandboxed", opts=["--writable-root", os.path.join(c.ws, ".git")])
    after = git(c.ws, "rev-parse", "HEAD", env=c.suite.env).strip()
    if res.rc != 0 or after == head:
        c.fail("git commit failed: %s" % res.summary())


@case("ok-read", "files outside the writable roots stay readable (the outside dir, /etc/passwd, /usr)", kind="works")
def _(c):
    res = c.attack("read", c.victim, "read", "/etc/passwd", "read", "/usr/include/stdio.h"
                   if os.path.exists("/usr/include/stdio.h") else "/etc/hostname", "read", ".git/config")
    for line in res.errs("read"):
        c.fail("cannot read: %s" % line)


@case("ok-dev", "/dev/null, /dev/zero, /dev/urandom, /dev/full work", kind="works")
def _(c):
    res = c.sh("echo x > /dev/null && head -c 16 /dev/zero | od -An -tx1 | grep -q '00 00' && "
               "test $(head -c 32 /dev/urandom | wc -c) = 32 && ! echo x > /dev/full 2>/dev/null && echo DEV-OK")
    if "DEV-OK" not in res.out:
        c.fail("device nodes do not behave: %s" % res.summary())


@case("ok-dev-tty", "/dev/tty opens and writes when ringfence runs on a terminal", kind="works")
def _(c):
    master, slave = pty.openpty()
    try:
        def ctty():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        res = c.attack("dev-tty", stdin=slave, stderr=slave, preexec=ctty)
        _works(c, res, "dev-tty", "/dev/tty")
    finally:
        os.close(master)
        os.close(slave)


@case("ok-dev-shm", "/dev/shm works inside and is private: a file written there is not in the host's /dev/shm", kind="works")
def _(c):
    name = "/dev/shm/" + c.token
    res = c.sh("echo shm > %s && cat %s" % (name, name))
    if "shm" not in res.out.split("RF-ATTACK-START", 1)[-1]:
        c.fail("/dev/shm does not work inside: %s" % res.summary())
    check_absent(c, name)


@case("ok-loopback-tcp4", "a server on 127.0.0.1 inside and a client inside (separate processes) talk over TCP", kind="works")
def _(c):
    _works(c, c.attack("tcp-pair", "127.0.0.1"), "tcp-pair", "TCP over 127.0.0.1")


@case("ok-loopback-tcp6", "a server on ::1 inside and a client inside talk over TCP", kind="works")
def _(c):
    _works(c, c.attack("tcp-pair", "::1"), "tcp-pair", "TCP over ::1")


@case("ok-loopback-udp", "UDP between two processes inside over 127.0.0.1 works", kind="works")
def _(c):
    _works(c, c.attack("udp-pair", "127.0.0.1"), "udp-pair", "UDP over 127.0.0.1")


@case("ok-localhost", "'localhost' resolves inside (test suites connect to it)", kind="works")
def _(c):
    _works(c, c.attack("dns", "localhost"), "dns", "resolving localhost")


def _unix_pair(c, name):
    a = c.suite.attack
    res = c.sh("%s unix-serve %s & %s unix-client %s; wait" % (a, name, a, name))
    _works(c, res, "unix-client", "a unix socket at %s between two sandboxed processes" % name)


@case("ok-unix-workspace", "a unix socket bound in the workspace by one sandboxed process is reachable from another", kind="works")
def _(c):
    _unix_pair(c, os.path.join(c.ws, "app.sock"))


@case("ok-unix-tmp", "a unix socket bound in /tmp by one sandboxed process is reachable from another", kind="works")
def _(c):
    t = tmp_dir(c)
    _unix_pair(c, os.path.join(t, "app.sock"))


@case("ok-unix-abstract", "an abstract unix socket bound inside is reachable from another process inside", kind="works")
def _(c):
    _unix_pair(c, "@" + c.token)


@case("ok-socketpair", "socketpair(AF_UNIX) works", kind="works")
def _(c):
    _works(c, c.attack("socketpair"), "socketpair", "socketpair")


@case("ok-pass-fd", "--pass-fd 7 hands the caller's fd 7 to the command, and writes to it arrive", kind="works")
def _(c):
    log = os.path.join(c.dir, "passed.log")
    write_file(log, "")
    res = c.attack("fd-write", 7, opts=["--pass-fd", "7"], wrap_sh='7>>"%s"' % log)
    _works(c, res, "fd-write", "--pass-fd 7")
    if "RF-ESCAPE-PAYLOAD" not in open(log).read():
        c.fail("nothing arrived in the passed file")


@case("ok-environment", "RINGFENCE_SANDBOX and RINGFENCE_SANDBOX_NETWORK_DISABLED=1 are set inside", kind="works")
def _(c):
    res = c.sh('echo "SB=$RINGFENCE_SANDBOX NET=$RINGFENCE_SANDBOX_NETWORK_DISABLED"')
    if not re.search(r"SB=\S+ NET=1", res.out):
        c.fail("environment: %r" % res.out.strip().splitlines()[-1:])


@case("ok-threads", "a second thread (not the process's first) can create a file and connect to a unix socket inside", kind="works")
def _(c):
    res = c.attack("threads", "from-thread", os.path.join(c.ws, "thread.sock"))
    _works(c, res, "thread-create", "creating a file from a second thread")
    _works(c, res, "thread-connect", "connect() from a second thread")


@case("ok-dev-stdio", "'> /dev/stdout', '> /dev/stderr', '> /dev/fd/3' and 'tee /dev/stderr' work in shell scripts", kind="works")
def _(c):
    res = c.sh("exec 3>&1; echo A > /dev/stdout && echo B > /dev/stderr && echo C > /dev/fd/3 && "
               "echo D | tee /dev/stderr >/dev/null && echo STDIO-OK")
    if "STDIO-OK" not in res.out:
        c.fail("writing to /dev/stdout|stderr|fd/N fails: %s" % res.err.strip().replace("\n", "; ")[:300])


@case("ok-dev-stdio-outside", "'> /dev/stdout', '>> /dev/stderr' and '> /dev/fd/5' work when they are files (and a named FIFO) outside the writable roots that the caller opened, in both modes", kind="works")
def _(c):
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


@case("ok-pty-inside", "a pty made inside (/dev/ptmx) works: what the slave writes, the master reads", kind="works")
def _(c):
    if not shutil.which("python3", path=CLEAN_PATH):
        raise Skip("python3 is not installed")
    res = c.sh("python3 -c 'import os, pty; m, s = pty.openpty(); os.write(s, b\"pty-ok\\n\"); print(os.read(m, 64))'")
    if "pty-ok" not in res.out:
        c.fail("a pty inside does not work: %s" % res.summary())


@case("ok-tmpfile-link", "an O_TMPFILE file can be given a name with linkat(/proc/self/fd/N) (the open(2) idiom)", kind="works")
def _(c):
    res = c.attack("tmpfile-link", "linked")
    _works(c, res, "tmpfile-link", "O_TMPFILE + linkat")


@case("ok-unix-dgram", "unix datagram sockets between processes inside work: socketpair(SOCK_DGRAM) and a socket bound in the workspace", kind="works")
def _(c):
    res = c.attack("dgram-pair", os.path.join(c.ws, "dgram.sock"))
    _works(c, res, "dgram-socketpair", "socketpair(AF_UNIX, SOCK_DGRAM)")
    _works(c, res, "dgram-bound", "a datagram socket bound inside")


@case("ok-peercred", "SO_PEERCRED on an in-sandbox unix connection gives the client's uid and gid (peer authentication)", kind="works")
def _(c):
    res = c.attack("peercred", os.path.join(c.ws, "peer.sock"))
    _works(c, res, "peercred", "SO_PEERCRED")
    for line in res.oks("peercred"):
        m = re.search(r"client pid (-?\d+) \(really (\d+)\) uid (\d+) \(really (\d+)\) gid (\d+) \(really (\d+)\)", line)
        if m and (m.group(3) != m.group(4) or m.group(5) != m.group(6)):
            c.fail("wrong peer credentials: %s" % line)
        if m and m.group(1) != m.group(2):
            c.note("the peer pid is %s, not the client's %s (the connect is made by another process)" % (m.group(1), m.group(2)))


@case("ok-blocked-connect", "while one process blocks in connect() (a full backlog), another can still create files", kind="works")
def _(c):
    res = c.attack("stall-connect", os.path.join(c.ws, "stall.sock"), timeout=12)
    _works(c, res, "stall-connect", "creating a file during a blocked connect()")


@case("ok-blocked-fifo", "while one process blocks opening a FIFO for writing ('echo x > fifo'), another can still create files and then read it", kind="works")
def _(c):
    res = c.attack("stall-fifo", timeout=12)
    _works(c, res, "stall-fifo", "creating a file while a FIFO open waits")


@case("ok-unix-other-fs", "in-sandbox unix sockets also work in workspaces on tmpfs and overlayfs (root only: mounts them)", kind="works")
def _(c):
    if os.geteuid() != 0:
        raise Skip("needs root to mount tmpfs and overlayfs")
    tried = 0
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
        tried += 1
        c.cleanup((lambda m: lambda: subprocess.run(["umount", "-l", m], stderr=subprocess.DEVNULL))(mnt))
        ws = os.path.join(mnt, "ws")
        shutil.copytree(c.suite.template, ws, symlinks=True)
        a = c.suite.attack
        sock = os.path.join(ws, "app.sock")
        res = c.sh("%s unix-serve %s & %s unix-client %s; wait" % (a, sock, a, sock), cwd=ws)
        if not res.oks("unix-client"):
            c.fail("a unix socket in a workspace on %s does not work: %s" % (fstype, "; ".join(res.errs()) or res.summary()))
    if not tried:
        raise Skip("cannot mount tmpfs or overlayfs here")


# --------------------------------------------------------------------------
# the suite


class Suite:
    def __init__(self, args):
        self.args = args
        self.ringfence = os.path.abspath(args.ringfence)
        self.attack = os.path.abspath(args.attack)
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
        for cid, claim, kind, fn, root_only in selected:
            c = Case(self, cid)
            verdict, detail = "PASS", []
            try:
                fn(c)
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
                failed.append(cid)
            if verdict != "SKIP":
                detail = detail + ["note: " + n for n in c.notes]
            counts[verdict] += 1
            tag = "" if kind == "attack" else " [must keep working]"
            print("%-4s %-28s %s%s" % (verdict, cid, claim, tag))
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
    ap.add_argument("--basedir", help="where to make work directories (default /var/tmp; must be "
                    "outside every writable root)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--catalogue", action="store_true", help="print the cases as a Markdown table")
    ap.add_argument("-v", "--verbose", action="store_true", help="show every sandboxed command and its output")
    ap.add_argument("--show-output", action="store_true", help="show the output of failed cases")
    ap.add_argument("--keep", action="store_true", help="keep the work directories")
    args = ap.parse_args()
    selected = [c for c in CASES if not args.only or re.search(args.only, c[0])]
    if args.list:
        for cid, claim, kind, _fn, _r in selected:
            print("%-28s %s%s" % (cid, claim, "" if kind == "attack" else " [must keep working]"))
        return 0
    if args.catalogue:
        print("| case | claim | kind |\n|---|---|---|")
        for cid, claim, kind, _fn, _r in selected:
            print("| `%s` | %s | %s |" % (cid, claim, "attack" if kind == "attack" else "must keep working"))
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
