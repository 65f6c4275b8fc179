#!/usr/bin/env python3
"""lifecycle-test.py: ringfence's life cycle on both Linux backends: signals at any moment, --timeout, 1,000 runs in a row.

Claims, each judged from the host side, on the bwrap and the Landlock backend:

  startup   ringfence killed (SIGKILL) or signalled (SIGTERM, SIGINT, SIGHUP) at many moments of
            its start-up leaves no process of that run (found by a token unique to the run in
            the command line or the environment) and nothing holding its stdout; a SIGTERM,
            SIGINT or SIGHUP either ends it with 128+N or reaches the command (its trap ran).
            bwrap's outer process killed from outside during start-up: the same.
  timeout   --timeout sends SIGTERM first: a command that traps it cleans up (a file its trap
            writes exists afterwards); one that ignores it is killed after --kill-after; both
            exit 124 and leave nothing.  Durations are decimal numbers with an optional unit;
            1e99, inf, nan, 0x10, negative, empty and too large values are refused with 125
            before anything starts.
  leak      RUNS ringfence runs in a row (mostly `true`, some refused with 125 or 127, some
            ended by --timeout) leave no process, nothing holding the stdout, stderr or an
            inherited descriptor, no memfd, no new file in the runs' $TMPDIR and none named
            after ringfence in /tmp, /dev/shm or /run/user/UID; then RUNS sandboxes in one process through libringfence
            (lifecycle-harness) leave that process with the descriptors, threads and children
            it had.

Usage: lifecycle-test.py RINGFENCE HARNESS [--part startup,timeout,leak] [--runs N] [--unprivileged]
With --unprivileged (as root) it runs again as uid/gid 65534.  Exit 0, 1 on a failure, 77 skip.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

NOBODY = 65534
CLEAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# How long the sandbox may take to disappear after ringfence is gone (a loaded machine is
# slow; a leftover never disappears).
SETTLE_SECONDS = 15.0
TOKEN_ENV = "RF_LIFECYCLE_TOKEN"
# workspace-write with the run's directory and the private $TMPDIR as writable roots, not /tmp:
# what other programs leave in /tmp (an unreadable nested .git) is no part of these claims.
WS = ["-s", "workspace-write", "-c", "sandbox_workspace_write.exclude_slash_tmp=true"]


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, claim):
        print("PASS: %s" % claim, flush=True)
        self.passed += 1

    def bad(self, claim, detail=""):
        print("FAIL: %s%s" % (claim, (" -- " + detail) if detail else ""), flush=True)
        self.failed += 1

    def claim(self, name, condition, detail=""):
        if condition:
            self.ok(name)
        else:
            self.bad(name, detail)


# ---- host-side evidence ---------------------------------------------------------------------

def read_proc(pid, name):
    try:
        with open("/proc/%s/%s" % (pid, name), "rb") as f:
            return f.read()
    except OSError:
        return b""


def cwd_of(pid):
    try:
        return os.readlink("/proc/%s/cwd" % pid)
    except OSError:
        return ""


def processes_with(token):
    """Pids of live processes whose command line, environment or working directory holds
    |token| (each run works in a directory named after its token: bwrap and init get the
    command line and environment through a memfd, not on their own command line)."""
    needle = token.encode()
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        if (needle in read_proc(pid, "cmdline") or needle in read_proc(pid, "environ")
                or token in cwd_of(pid)):
            found.append(int(pid))
    return found


def describe(pid):
    """What a leftover process is and where it is blocked: for the failure message."""
    cmd = read_proc(pid, "cmdline").replace(b"\0", b" ").decode(errors="replace")[:160]
    wchan = read_proc(pid, "wchan").decode(errors="replace")
    status = read_proc(pid, "status").decode(errors="replace")
    ppid = next((l.split()[1] for l in status.splitlines() if l.startswith("PPid:")), "?")
    fds = []
    try:
        for fd in sorted(os.listdir("/proc/%d/fd" % pid), key=int):
            try:
                fds.append("%s:%s" % (fd, os.readlink("/proc/%d/fd/%s" % (pid, fd))))
            except OSError:
                pass
    except OSError:
        pass
    return "pid %d ppid %s wchan %s fds [%s] cmd %s" % (pid, ppid, wchan or "-", " ".join(fds), cmd)


def memfds_of(pids):
    held = []
    for pid in pids:
        try:
            for fd in os.listdir("/proc/%d/fd" % pid):
                target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
                if target.startswith("/memfd:"):
                    held.append("%d:%s" % (pid, target))
        except OSError:
            pass
    return held


def settle(token, deadline=SETTLE_SECONDS):
    """Waits until no process holds |token|; returns the ones still there at the deadline."""
    end = time.monotonic() + deadline
    while True:
        left = processes_with(token)
        if not left or time.monotonic() > end:
            return left
        time.sleep(0.005)


def kill_leftovers(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def wait_eof(fd, deadline=SETTLE_SECONDS):
    """True when the pipe |fd| (nonblocking read end) reaches end-of-file: no writer is left."""
    import select
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                if os.read(fd, 65536) == b"":
                    return True
            except BlockingIOError:
                pass
    return False


class Env:
    def __init__(self, args, work):
        self.rf = args.ringfence
        self.work = work
        self.ws = os.path.join(work, "ws")
        self.tmpdir = os.path.join(work, "tmp")
        os.makedirs(self.ws)
        os.makedirs(self.tmpdir)
        self.base_env = {"PATH": CLEAN_PATH, "LANG": "C.UTF-8", "HOME": os.environ.get("HOME", "/"),
                         "TMPDIR": self.tmpdir}
        for keep in ["LD_LIBRARY_PATH", "RINGFENCE_BACKEND_DIR", "RINGFENCE_HELPER_DIR"]:
            if keep in os.environ:
                self.base_env[keep] = os.environ[keep]
        self.serial = 0

    def token(self, what=""):
        """A number unique to this run ("0.7319<pid><serial>"): `sleep 1000 TOKEN` takes it as
        an argument, so that every process of the run shows it in its command line."""
        self.serial += 1
        return "0.7319%d%05d" % (os.getpid(), self.serial)

    def rundir(self, token):
        """The run's working directory (a writable root in workspace-write), named after it."""
        path = os.path.join(self.ws, "run-" + token)
        os.makedirs(path, exist_ok=True)
        return path

    def env(self, token):
        e = dict(self.base_env)
        e[TOKEN_ENV] = token
        return e

    def run(self, args, token, timeout=60, **kw):
        return subprocess.run([self.rf, "run"] + args, cwd=self.rundir(token), env=self.env(token),
                              stdin=subprocess.DEVNULL, timeout=timeout, **kw)


def usable_backends(env, res, wanted):
    out = []
    for backend in wanted:
        token = env.token("probe")
        p = env.run(["--backend", backend, *WS, "--", "true", token], token,
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if p.returncode == 0:
            out.append(backend)
        else:
            print("SKIP: backend %s cannot run here (%s): its claims are not checked"
                  % (backend, p.stderr.decode(errors="replace").strip().splitlines()[-1:]), flush=True)
    return out


# ---- start-up: signals at many moments ----------------------------------------------------

# Dense where start-up happens (ringfence plus bwrap take a few ms here), then coarser up to
# 40 ms, when the command runs; a loaded machine moves the window, the spread still covers it.
OFFSETS_MS = [i * 0.2 for i in range(50)] + list(range(10, 41, 2))


def startup_case(env, backend, sig, offset_ms):
    """One run killed or signalled |offset_ms| after it started.  Returns a failure or None."""
    token = env.token("s")
    marker = os.path.join(env.rundir(token), "trapped")
    if sig == signal.SIGKILL:
        command = ["sleep", "1000", token]
    else:
        # The trap proves the command got the signal; the sleep carries the token.
        command = ["sh", "-c", 'trap "echo got > %s; exit 7" TERM INT HUP; sleep 1000 %s & wait'
                   % (marker, token), token]
    r, w = os.pipe()
    os.set_blocking(r, False)
    p = subprocess.Popen([env.rf, "run", "--backend", backend, *WS, "--"] + command,
                         cwd=env.rundir(token), env=env.env(token), stdin=subprocess.DEVNULL, stdout=w,
                         stderr=w)
    os.close(w)
    time.sleep(offset_ms / 1000.0)
    p.send_signal(sig)
    try:
        rc = p.wait(timeout=SETTLE_SECONDS)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        rc = "hung"
    failure = None
    left = settle(token)
    if left:
        failure = "left %d process(es): %s; memfds %s" % (
            len(left), "; ".join(describe(pid) for pid in left), memfds_of(left) or "none")
        kill_leftovers(left)
    elif not wait_eof(r):
        failure = "something still holds ringfence's stdout"
    elif sig != signal.SIGKILL:
        trapped = os.path.exists(marker)
        if not (rc in (-sig, 128 + sig) or (rc == 7 and trapped)):
            failure = "exit status %s (trap ran: %s): expected 128+%d or the command's trap" % (
                rc, trapped, sig)
    os.close(r)
    if os.path.exists(marker):
        os.unlink(marker)
    return failure


def children_of(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def outer_bwrap_case(env, delay_ms):
    """bwrap's outer process killed from outside |delay_ms| after it appeared: ringfence must
    still leave nothing (its namespace child may not have been released yet)."""
    token = env.token()
    r, w = os.pipe()
    os.set_blocking(r, False)
    p = subprocess.Popen([env.rf, "run", "--backend", "bwrap", *WS, "--",
                          "sleep", "1000", token], cwd=env.rundir(token), env=env.env(token),
                         stdin=subprocess.DEVNULL, stdout=w, stderr=w)
    os.close(w)
    outer, end = None, time.monotonic() + 5
    while outer is None and time.monotonic() < end and p.poll() is None:
        for kid in children_of(p.pid):
            if b"bwrap" in read_proc(kid, "cmdline"):
                outer = kid
    if outer:
        time.sleep(delay_ms / 1000.0)
        try:
            os.kill(outer, signal.SIGKILL)
        except OSError:
            pass
    failure = None
    try:
        rc = p.wait(timeout=SETTLE_SECONDS)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        failure = "ringfence did not return"
    left = settle(token)
    if left:
        failure = "left %d process(es): %s" % (len(left), "; ".join(describe(pid) for pid in left))
        kill_leftovers(left)
    elif not wait_eof(r):
        failure = "something still holds ringfence's stdout"
    os.close(r)
    return failure


def part_startup(env, res, backends):
    if "bwrap" in backends:
        delays = [i * 0.05 for i in range(40)]
        failures = []
        for delay in delays:
            failure = outer_bwrap_case(env, delay)
            if failure:
                failures.append("%.2f ms after it appeared: %s" % (delay, failure))
        res.claim("bwrap: its outer process killed from outside at %d moments of start-up: "
                  "ringfence returns and leaves no process" % len(delays), not failures,
                  "%d failed; %s" % (len(failures), " | ".join(failures[:3])))
    for backend in backends:
        for sig in [signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP]:
            offsets = OFFSETS_MS if sig in (signal.SIGKILL, signal.SIGTERM) else OFFSETS_MS[::3]
            failures = []
            for offset in offsets:
                failure = startup_case(env, backend, sig, offset)
                if failure:
                    failures.append("at %.1f ms: %s" % (offset, failure))
            claim = ("%s: %s at %d moments of start-up (0-40 ms) leaves no process and nothing "
                     "holding stdout%s" % (backend, sig.name, len(offsets),
                                           "" if sig == signal.SIGKILL else
                                           ", and exits 128+%d or reaches the command" % sig))
            res.claim(claim, not failures, "%d failed; %s" % (len(failures), " | ".join(failures[:3])))


# ---- --timeout and --kill-after -------------------------------------------------------------

def part_timeout(env, res, backends):
    for backend in backends:
        # A command that traps SIGTERM cleans up before the grace period ends.
        token = env.token("t")
        cleaned = os.path.join(env.rundir(token), "cleaned")
        started = os.path.join(env.rundir(token), "started")
        script = ('trap "sleep 0.2; echo done > %s; exit 3" TERM; echo up > %s; sleep 1000 %s & wait'
                  % (cleaned, started, token))
        p = env.run(["--backend", backend, *WS, "--timeout", "1.5",
                     "--kill-after", "20", "--", "sh", "-c", script], token,
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        left = settle(token)
        kill_leftovers(left)
        res.claim("%s: at the --timeout deadline the command gets SIGTERM and its trap cleans up "
                  "(exit 124, nothing left)" % backend,
                  p.returncode == 124 and os.path.exists(cleaned) and not left,
                  "exit %d, started %s, cleaned %s, left %s: %s" % (
                      p.returncode, os.path.exists(started), os.path.exists(cleaned), left,
                      p.stderr.decode(errors="replace").strip()))

        # A command that ignores SIGTERM is killed after the grace period, with what it started.
        token = env.token("i")
        started = os.path.join(env.rundir(token), "started")
        script = 'trap "" TERM; echo up > %s; sleep 1000 %s & while :; do sleep 0.05; done' % (
            started, token)
        t0 = time.monotonic()
        p = env.run(["--backend", backend, *WS, "--timeout", "1",
                     "--kill-after", "0.5", "--", "sh", "-c", script], token,
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        took = time.monotonic() - t0
        left = settle(token)
        kill_leftovers(left)
        res.claim("%s: a command that ignores the timeout's SIGTERM is killed after --kill-after "
                  "(exit 124, nothing left)" % backend,
                  p.returncode == 124 and os.path.exists(started) and not left,
                  "exit %d after %.1f s, started %s, left %s: %s" % (
                      p.returncode, took, os.path.exists(started), left,
                      p.stderr.decode(errors="replace").strip()))

        # --kill-after 0: SIGKILL at the deadline, no trap runs.
        token = env.token("k")
        cleaned = os.path.join(env.rundir(token), "cleaned")
        started = os.path.join(env.rundir(token), "started")
        script = 'trap "echo done > %s; exit 3" TERM; echo up > %s; sleep 1000 %s & wait' % (
            cleaned, started, token)
        p = env.run(["--backend", backend, *WS, "--timeout", "1",
                     "--kill-after", "0", "--", "sh", "-c", script], token,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        left = settle(token)
        kill_leftovers(left)
        res.claim("%s: --kill-after 0 SIGKILLs the sandbox at the deadline (exit 124, no trap, "
                  "nothing left)" % backend,
                  p.returncode == 124 and os.path.exists(started) and not os.path.exists(cleaned)
                  and not left,
                  "exit %d, cleaned %s, left %s" % (p.returncode, os.path.exists(cleaned), left))

    # Durations: what is accepted and what is refused before anything starts.
    backend = backends[0] if backends else "bwrap"
    bad = ["1e99", "1e3", "inf", "INF", "infinity", "nan", "0x10", "-1", "+1", "", " 1", "1 ",
           "0", "0.0", "1.5.2", "1ms", "1sec", "2147483648", "99999999999999999999999", "24856d",
           "35791395m", ".", "s"]
    wrong = []
    for value in bad:
        token = env.token("p")
        ran = os.path.join(env.rundir(token), "ran")
        p = env.run(["--backend", backend, *WS, "--timeout", value, "--", "sh",
                     "-c", "echo x > " + ran],
                    token, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = p.stderr.decode(errors="replace")
        if p.returncode != 125 or os.path.exists(ran) or "--timeout" not in err:
            wrong.append("%r: exit %d, ran %s, %s" % (value, p.returncode, os.path.exists(ran),
                                                       err.strip()[:120]))
    res.claim("--timeout refuses %d malformed or too large durations (1e99, inf, nan, 0x10, "
              "negative, empty, 0, 2^31 s ...) with 125 before anything starts" % len(bad),
              not wrong, "; ".join(wrong[:4]))
    wrong = []
    for value in ["inf", "-1", "1e9", "0x1", "", "2147483648", "nan"]:
        token = env.token("q")
        p = env.run(["--backend", backend, "--timeout", "5", "--kill-after", value, "--", "true"],
                    token, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if p.returncode != 125 or b"--kill-after" not in p.stderr:
            wrong.append("%r: exit %d" % (value, p.returncode))
    token = env.token("q")
    p = env.run(["--backend", backend, "--kill-after", "5", "--", "true"], token,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if p.returncode != 125:
        wrong.append("--kill-after without --timeout: exit %d" % p.returncode)
    res.claim("--kill-after refuses malformed durations, and comes only with --timeout (125)",
              not wrong, "; ".join(wrong))
    wrong = []
    for value in ["30", "0.5", ".5", "5.", "2s", "1m", "1.5h", "1d", "2147483647", "24855d"]:
        token = env.token("g")
        p = env.run(["--backend", backend, "--timeout", value, "--kill-after", value, "--", "true"],
                    token, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if p.returncode != 0:
            wrong.append("%r: exit %d %s" % (value, p.returncode, p.stderr.decode(errors="replace")[:100]))
    res.claim("--timeout and --kill-after take decimal seconds with an optional s, m, h or d, up to "
              "2^31-1 seconds", not wrong, "; ".join(wrong))


# ---- 1,000 runs in a row ---------------------------------------------------------------------

def temp_places(env):
    places = ["/tmp", "/dev/shm", "/run/user/%d" % os.getuid(), env.tmpdir]
    return [p for p in places if os.path.isdir(p)]


def snapshot(places):
    names = set()
    for place in places:
        try:
            for name in os.listdir(place):
                names.add(os.path.join(place, name))
        except OSError:
            pass
    return names


class Drain(threading.Thread):
    """Reads a pipe until end-of-file (so that runs never block on a full pipe)."""

    def __init__(self, fd):
        super().__init__(daemon=True)
        self.fd = fd
        self.eof = threading.Event()
        self.tail = b""

    def run(self):
        while True:
            data = os.read(self.fd, 65536)
            if not data:
                self.eof.set()
                return
            self.tail = (self.tail + data)[-2000:]


def leak_kind(i):
    """Most runs succeed; every 50th is refused (125), ends by --timeout, or is not found."""
    return {10: "refused-policy", 20: "refused-timeout", 30: "timeout-kill", 40: "timeout-term",
            45: "not-found"}.get(i % 50, "true")


def part_leak(env, res, backends, runs, harness):
    places = temp_places(env)
    for backend in backends:
        before = snapshot(places)
        prefix = env.token("L")
        out_r, out_w = os.pipe()
        extra_r, extra_w = os.pipe()  # inherited by every ringfence, never passed on
        drain, extra_drain = Drain(out_r), Drain(extra_r)
        drain.start()
        extra_drain.start()
        wrong = []
        t0 = time.monotonic()
        for i in range(runs):
            token = "%s%04d" % (prefix, i)
            kind = leak_kind(i)
            common = ["--backend", backend, *WS]
            if kind == "refused-policy":
                argv, want = common + ["--writable-root", "/nonexistent-" + token, "--", "true", token], 125
            elif kind == "refused-timeout":
                argv, want = common + ["--timeout", "1e99", "--", "true", token], 125
            elif kind == "timeout-kill":
                argv, want = common + ["--timeout", "0.05", "--kill-after", "0.05", "--", "sh", "-c",
                                       "trap '' TERM; sleep 1000", token], 124
            elif kind == "timeout-term":
                argv, want = common + ["--timeout", "0.05", "--", "sleep", "1000", token], 124
            elif kind == "not-found":
                argv, want = common + ["--", "no-such-command-" + token], 127
            else:
                argv, want = common + ["--", "true", token], 0
            p = subprocess.run([env.rf, "run"] + argv, cwd=env.rundir(prefix), env=env.env(prefix),
                               stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w,
                               pass_fds=(extra_w,), timeout=120)
            if p.returncode != want:
                wrong.append("run %d (%s): exit %d, expected %d" % (i, kind, p.returncode, want))
        took = time.monotonic() - t0
        os.close(out_w)
        os.close(extra_w)
        res.claim("%s: %d runs in a row (true; refused with 125; --timeout; not found), each with "
                  "its exit status (%.1f s)" % (backend, runs, took), not wrong,
                  "%d wrong: %s; last output: %s" % (len(wrong), "; ".join(wrong[:3]),
                                                      drain.tail.decode(errors="replace")[-300:]))
        left = settle(prefix)
        res.claim("%s: no process of the %d runs is left (command line or environment)" % (backend, runs),
                  not left, "; ".join(describe(pid) for pid in left[:3]) +
                  " memfds: %s" % (memfds_of(left) or "none"))
        kill_leftovers(left)
        res.claim("%s: nothing holds the runs' stdout and stderr, or the descriptor every "
                  "ringfence inherited" % backend,
                  drain.eof.wait(SETTLE_SECONDS) and extra_drain.eof.wait(SETTLE_SECONDS))
        os.close(out_r)
        os.close(extra_r)
        # $TMPDIR is the runs' own: nothing may appear there.  /tmp, /dev/shm and /run/user are
        # shared with every other program of the machine (other test suites run beside this
        # one on a developer's machine): there an entry counts when it is still there a moment
        # later and its name is ringfence's (ringfence names no path there; a file made through
        # $TMPDIR would land in the private one).
        new = snapshot(places) - before
        if new:
            time.sleep(2)
            new = {path for path in new if os.path.lexists(path)}
        ours = {path for path in new if path.startswith(env.tmpdir + "/") or any(
            word in os.path.basename(path).lower()
            for word in ("ringfence", "bwrap", "seccomp", "landlock", "sandbox", prefix))}
        for path in sorted(new - ours)[:5]:
            print("NOTE: %s appeared in a shared directory during the runs (another program's?)" % path)
        res.claim("%s: no new file in %s after the runs" % (backend, ", ".join(places)), not ours,
                  " ".join(sorted(ours)[:10]))

        token = env.token("H")
        p = subprocess.run([harness, backend, str(runs), token], cwd=env.rundir(token),
                           env=env.env(token),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=900)
        output = p.stdout.decode(errors="replace")
        sys.stdout.write(output)
        if p.returncode == 77:
            continue
        res.claim("%s: %d sandboxes in one process through libringfence leave its descriptors, "
                  "threads and children as they were" % (backend, runs), p.returncode == 0,
                  "harness exit %d" % p.returncode)
        left = settle(token)
        kill_leftovers(left)
        res.claim("%s: no process of the in-process runs is left" % backend, not left,
                  "; ".join(describe(pid) for pid in left[:3]))


# ---- running as uid 65534 --------------------------------------------------------------------

def reexec_unprivileged(args):
    if os.geteuid() != 0:
        print("SKIP: --unprivileged switches to uid %d and so needs root; as uid %d, run without "
              "--unprivileged instead (it is already unprivileged)" % (NOBODY, os.geteuid()))
        return 77
    setpriv = shutil.which("setpriv", path=CLEAN_PATH)
    if not setpriv:
        print("SKIP: setpriv (util-linux) is not installed, so the test cannot switch to uid %d" % NOBODY)
        return 77
    drop = [setpriv, "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"]
    env = {"PATH": CLEAN_PATH, "LANG": "C.UTF-8", "HOME": "/"}

    def usable(*cmd):
        return subprocess.run(drop + list(cmd), env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0

    py = next((c for c in [sys.executable, "/usr/bin/python3", "/usr/local/bin/python3"]
               if c and os.path.exists(c) and usable(c, "-c", "pass")), None)
    if not py:
        print("SKIP: no python3 that uid %d can run" % NOBODY)
        return 77
    me = os.path.abspath(__file__)
    for path in [me, args.ringfence, args.harness]:
        if not usable("test", "-r", path):
            print("SKIP: uid %d cannot read %s (a build directory below a private home?)" % (NOBODY, path))
            return 77
    if not usable("test", "-w", "/var/tmp"):
        print("SKIP: uid %d cannot write /var/tmp for its work directory" % NOBODY)
        return 77
    argv = [py, me, args.ringfence, args.harness, "--part", args.part, "--runs", str(args.runs),
            "--backends", args.backends]
    print("running again as uid/gid %d via %s" % (NOBODY, " ".join(drop)), flush=True)
    return subprocess.run(drop + argv, env=env).returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ringfence")
    ap.add_argument("harness")
    ap.add_argument("--part", default="startup,timeout,leak")
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--backends", default="bwrap,landlock")
    ap.add_argument("--unprivileged", action="store_true")
    args = ap.parse_args()
    args.ringfence = os.path.abspath(args.ringfence)
    args.harness = os.path.abspath(args.harness)
    if args.unprivileged:
        return reexec_unprivileged(args)
    # Each ringfence starts with the default dispositions, as from a shell: an inherited SIG_IGN
    # (a background job's SIGINT) would hide what is tested, and Python's own SIGINT handler
    # would swallow a signal that reaches a child before it has exec'd ringfence.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)
    # Not below /tmp: /tmp is a writable root, and ringfence refuses helpers a sandbox could replace.
    work = tempfile.mkdtemp(prefix="rf-life-", dir="/var/tmp")
    os.chmod(work, 0o755)
    res = Results()
    try:
        env = Env(args, work)
        print("uid %d: work directory %s" % (os.getuid(), work), flush=True)
        backends = usable_backends(env, res, args.backends.split(","))
        if not backends:
            print("SKIP: no Linux backend can run here")
            return 77
        parts = args.part.split(",")
        if "startup" in parts:
            part_startup(env, res, backends)
        if "timeout" in parts:
            part_timeout(env, res, backends)
        if "leak" in parts:
            part_leak(env, res, backends, args.runs, args.harness)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
