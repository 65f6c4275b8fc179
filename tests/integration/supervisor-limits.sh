#!/bin/bash
# supervisor-limits.sh: the seccomp supervisors of both Linux backends answer every call, and
# answer it truly, when threads, processes or descriptors run out (issue 13).
# Usage: supervisor-limits.sh RINGFENCE [--as-nobody]
# With --as-nobody (only when root), the same claims run as uid 65534 from a staged copy.
#
# Claims, each checked from the host side, on the bwrap and the Landlock backend:
#  - under an exhausted thread/process limit (RLIMIT_NPROC as a user; a pids cgroup as root,
#    for whom the kernel does not enforce RLIMIT_NPROC), a connect() to a host socket and file
#    creations complete within a deadline, even while the one worker is blocked in a FIFO open;
#    ringfence exits; nothing reported as failed was created, nothing reported as created is
#    missing, the host socket saw nothing;
#  - with ringfence itself started under a small RLIMIT_NOFILE (which the command inherits),
#    every run either is refused before the command starts or works: no EMFILE, ESRCH, EPERM or
#    EFAULT of the supervisor's reaches the command;
#  - a command that fills its own descriptor table gets EMFILE for its opens and nothing else:
#    files reported as failed are absent, files reported as created exist, and an existing file
#    opened with O_TRUNC while the table was full keeps its contents;
#  - connects that block (a listener in the sandbox with a full backlog) hold up no other call:
#    the listener's own chmod and bind are answered, it accepts, every connect completes;
#  - a command interrupted by signals every 0.3 ms while it creates files and directories never
#    sees its own creation (EEXIST on a fresh name after a restart), and whatever it was told
#    failed is absent.
set -u
RF=$(readlink -f "${1:?usage: supervisor-limits.sh RINGFENCE [--as-nobody]}")
MODE=${2:-}

if [ "$MODE" = "--as-nobody" ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  . "$here/../lib/as-nobody.sh"
  rerun_as_nobody "$here/supervisor-limits.sh" "$RF"
fi

pass=0 fail=0 skip=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
skipped() { echo "SKIP: $1 ($2)"; skip=$((skip + 1)); }

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || true)
if [ -z "$PY" ]; then
  echo "SKIP: python3 is needed for the probes"
  exit 77
fi

# Not below /tmp: /tmp is itself a writable root.
top=$(mktemp -d /var/tmp/rf-superv-limits-XXXXXX)
chmod 755 "$top"
cgroup=
listener=
# Processes of a run that were left behind (bwrap's namespace child outlives a launch that fails
# right after bwrap started, e.g. ringfence itself out of descriptors: the start-up window of
# issue 13's signal part).  They are ours: found by the folder in their command line, ended by id.
reap_leftovers() {
  local pid left=0
  for pid in $(grep -lsF "$top/" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3); do
    [ "$pid" = "$$" ] || [ "$pid" = "$listener" ] && continue
    kill -KILL "$pid" 2>/dev/null && left=$((left + 1))
  done
  [ $left -gt 0 ] && echo "NOTE: $left process(es) of a refused run were left behind and ended ($1)"
  return 0
}
cleanup() {
  reap_leftovers "at exit"
  [ -n "$listener" ] && kill "$listener" 2>/dev/null
  if [ -n "$cgroup" ] && [ -d "$cgroup" ]; then
    rmdir "$cgroup" 2>/dev/null
  fi
  rm -rf "$top"
}
trap cleanup EXIT
unset TMPDIR

# The probe that runs inside the sandbox; prints one JSON object with what each call returned.
cat > "$top/probe.py" <<'PY'
import errno, json, os, socket, sys, threading, time

def attempt(f):
    try:
        f()
        return "ok"
    except socket.timeout:
        return "timeout"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))

def connect(path):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
    finally:
        s.close()

def create(name):
    os.close(os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))

mode, results = sys.argv[1], {}
if mode == "nproc":
    # One call that blocks its worker (a FIFO opened for writing, no reader yet), then every
    # thread the limit allows, then calls that need a worker of their own.
    hostsock = sys.argv[2]
    results["mkfifo"] = attempt(lambda: os.mkfifo("fifo"))
    blocked = threading.Thread(target=lambda: results.__setitem__(
        "fifo-open", attempt(lambda: os.close(os.open("fifo", os.O_WRONLY | os.O_CREAT)))))
    blocked.start()
    time.sleep(0.5)
    release, threads = threading.Event(), 0
    while threads < 20000:
        try:
            threading.Thread(target=release.wait, daemon=True).start()
        except RuntimeError:
            break
        threads += 1
    results["threads"] = threads
    results["connect"] = attempt(lambda: connect(hostsock))
    results["create"] = attempt(lambda: create("made-under-nproc"))
    results["mkdir"] = attempt(lambda: os.mkdir("dir-under-nproc"))
    results["connect-again"] = attempt(lambda: connect(hostsock))
    release.set()
    reader = os.open("fifo", os.O_RDONLY | os.O_NONBLOCK)
    blocked.join(10)
    os.close(reader)
    results["fifo-released"] = not blocked.is_alive()
elif mode == "small":
    hostsock = sys.argv[2]
    def write():
        fd = os.open("small-file", os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o644)
        os.write(fd, b"hi")
        os.close(fd)
    results["create"] = attempt(write)
    results["chmod"] = attempt(lambda: os.chmod("small-file", 0o600))
    results["connect"] = attempt(lambda: connect(hostsock))
elif mode == "backlog":
    srv = socket.socket(socket.AF_UNIX)
    srv.bind("srv.sock")
    srv.listen(0)
    open("f", "w").close()
    def client(k):
        results["connect-%d" % k] = attempt(lambda: connect("srv.sock"))
    ts = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(3)]
    for t in ts:
        t.start()
    time.sleep(0.5)  # two of them now wait for the backlog
    results["chmod"] = attempt(lambda: os.chmod("f", 0o600))
    other = socket.socket(socket.AF_UNIX)
    results["bind"] = attempt(lambda: other.bind("other.sock"))
    srv.settimeout(10)  # a connect that failed never arrives: no wait for it
    for k in range(3):
        results["accept-%d" % k] = attempt(lambda: srv.accept()[0].close())
    for t in ts:
        t.join(10)
    # Many connects at once to a listener inside: each is checked with sock_diag, and none
    # may be taken for a host socket.
    busy = socket.socket(socket.AF_UNIX)
    busy.bind("busy.sock")
    busy.listen(512)
    def accept_all():
        busy.settimeout(20)
        try:
            while True:
                busy.accept()[0].close()
        except OSError:
            pass
    threading.Thread(target=accept_all, daemon=True).start()
    lock, refused = threading.Lock(), {}
    def hammer():
        for _ in range(25):
            r = attempt(lambda: connect("busy.sock"))
            if r != "ok":
                with lock:
                    refused[r] = refused.get(r, 0) + 1
    hs = [threading.Thread(target=hammer) for _ in range(8)]
    for t in hs:
        t.start()
    for t in hs:
        t.join(30)
    results["parallel-connects"] = "ok" if not refused else "refused %s" % refused
elif mode == "signals":
    # Two phases, each at most 3 s.  mkdir, which Python does not restart, under a signal every
    # 0.3 ms: most calls are interrupted, many of them while the supervisor acts, which is
    # where an answer the kernel accepted could still reach the caller as EINTR.  Then
    # os.open(O_CREAT | O_EXCL), which Python restarts after EINTR, under a signal every 2 ms:
    # a creation taken back too late shows as EEXIST from the restart.  Each timer stops
    # itself at its deadline, so a call slower than the period still completes.
    import signal
    def phase(period, make, prefix):
        deadline = time.monotonic() + 3
        def tick(*_):
            if time.monotonic() > deadline:
                signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, tick)
        signal.setitimer(signal.ITIMER_REAL, period, period)
        for i in range(int(sys.argv[2])):
            if time.monotonic() > deadline:
                break
            name = "%s-%d" % (prefix, i)
            results[name] = attempt(lambda: make(name))
            # Told it failed, the command must not find it (checked here, at once: a take-back
            # after the caller has moved on would leave nothing on the host to see).
            if results[name] == "EINTR" and os.path.lexists(name):
                results[name] = "EINTR, yet present"
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
    phase(0.0003, os.mkdir, "d")
    phase(0.002, create, "i")
elif mode == "fill":
    # Creates f-0 .. f-(n-1) from several threads, keeping every descriptor, so the table fills;
    # then opens existing files with O_TRUNC while it is full.
    n, nthreads = int(sys.argv[2]), int(sys.argv[3])
    lock, kept = threading.Lock(), []
    def work(k):
        for i in range(k, n, nthreads):
            name = "f-%d" % i
            try:
                fd = os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                r = "ok"
                kept.append(fd)
            except OSError as e:
                r = errno.errorcode.get(e.errno, str(e.errno))
            with lock:
                results[name] = r
    ts = [threading.Thread(target=work, args=(k,)) for k in range(nthreads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for k in range(4):
        name = "keep-%d" % k
        try:
            kept.append(os.open(name, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o644))
            results[name] = "ok"
        except OSError as e:
            results[name] = errno.errorcode.get(e.errno, str(e.errno))
sys.stdout.write(json.dumps(results) + "\n")
sys.stdout.flush()
PY

# The host-side checks; prints "ok" or what is wrong.
cat > "$top/check.py" <<'PY'
import json, os, stat, sys
mode, ws, out = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    r = json.loads(open(out).read().strip().splitlines()[-1])
except Exception as e:
    print("no result from the probe (%s)" % e); sys.exit(0)
wrong = []
def consistent(name, key):
    there = os.path.lexists(os.path.join(ws, name))
    if (r.get(key) == "ok") != there:
        wrong.append("%s: reported %s, %s on the host" % (name, r.get(key), "present" if there else "absent"))
if mode == "nproc":
    for key in ("connect", "connect-again"):
        if r.get(key) not in ("EACCES", "EAGAIN"):
            wrong.append("%s to the host socket: %s (want EACCES or EAGAIN)" % (key, r.get(key)))
    for key in ("create", "mkdir"):
        if r.get(key) not in ("ok", "EAGAIN"):
            wrong.append("%s: %s (want ok or EAGAIN)" % (key, r.get(key)))
    consistent("made-under-nproc", "create")
    consistent("dir-under-nproc", "mkdir")
    if r.get("fifo-released") is not True:
        wrong.append("the FIFO writer never finished")
elif mode == "small":
    if r.get("create") != "ok" or r.get("chmod") != "ok" or r.get("connect") != "EACCES":
        wrong.append("create %s, chmod %s, connect %s (want ok, ok, EACCES)" %
                     (r.get("create"), r.get("chmod"), r.get("connect")))
    else:
        st = os.stat(os.path.join(ws, "small-file"))
        if open(os.path.join(ws, "small-file"), "rb").read() != b"hi" or stat.S_IMODE(st.st_mode) != 0o600:
            wrong.append("small-file is not what the command wrote (contents, mode 600)")
elif mode == "backlog":
    for key in ("chmod", "bind", "connect-0", "connect-1", "connect-2", "accept-0", "accept-1",
                "accept-2", "parallel-connects"):
        if r.get(key) != "ok":
            wrong.append("%s: %s (want ok)" % (key, r.get(key)))
elif mode == "signals":
    seen = {}
    for name, v in r.items():
        seen[v] = seen.get(v, 0) + 1
        consistent(name, name)
        if v not in ("ok", "EINTR"):
            wrong.append("%s: %s (a fresh name; only ok or EINTR are true answers)" % (name, v))
    if not seen.get("ok"):
        wrong.append("nothing was created (results %s)" % seen)
elif mode == "fill":
    seen = {}
    for name, v in r.items():
        seen[v] = seen.get(v, 0) + 1
        if name.startswith("f-"):
            consistent(name, name)
        if v not in ("ok", "EMFILE"):
            wrong.append("%s: %s (only the command's own EMFILE may fail it)" % (name, v))
    for k in range(4):
        name = "keep-%d" % k
        data = open(os.path.join(ws, name), "rb").read()
        if r.get(name) == "EMFILE" and data != b"precious\n":
            wrong.append("%s: the open failed with EMFILE, but the file was truncated" % name)
    if seen.get("ok", 0) == 0 or seen.get("EMFILE", 0) == 0:
        wrong.append("the table never filled (results %s)" % seen)
print("ok" if not wrong else "; ".join(wrong[:6]))
PY
chmod a+r "$top/probe.py" "$top/check.py"

# A host socket nothing in the sandbox may reach; the listener reports any connection.
hostsock=$top/host.sock
"$PY" - "$hostsock" "$top/host-log" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
s.listen(64)
s.settimeout(600)
while True:
    try:
        c, _ = s.accept()
    except OSError:
        break
    open(sys.argv[2], "a").write("connection\n")
    c.close()
PY
listener=$!
for _ in $(seq 50); do [ -S "$hostsock" ] && break; sleep 0.1; done

backends=()
checks=$(cd "$top" && "$RF" check 2>/dev/null)
if grep -q '^bwrap *usable' <<<"$checks"; then backends+=(bwrap); else
  skipped "the bwrap backend" "not usable here: $(grep '^bwrap' <<<"$checks")"; fi
if grep -q '^landlock *usable' <<<"$checks"; then backends+=(landlock); else
  skipped "the Landlock backend" "not usable here: $(grep '^landlock' <<<"$checks")"; fi
echo "uid $(id -u): backends ${backends[*]:-none}"

# A protected name in /tmp (left by someone else) makes the Landlock backend refuse; that one
# guarantee is not what these claims are about.
run_flags() {
  if [ "$1" = landlock ]; then echo "--backend landlock --allow-degraded"; else echo "--backend bwrap"; fi
}

# A pids cgroup for the root pass: the kernel does not enforce RLIMIT_NPROC on root.
make_pids_cgroup() {
  local base
  for base in /sys/fs/cgroup/pids /sys/fs/cgroup; do
    [ -w "$base" ] && [ -e "$base/cgroup.procs" ] || continue
    [ "$base" = /sys/fs/cgroup ] && ! grep -qw pids "$base/cgroup.subtree_control" 2>/dev/null && continue
    local dir="$base/rf-limits-$$"
    if mkdir "$dir" 2>/dev/null && [ -e "$dir/pids.max" ]; then
      echo "$dir"
      return 0
    fi
    rmdir "$dir" 2>/dev/null
  done
  return 1
}

limit_desc=
if [ "$(id -u)" = 0 ]; then
  cgroup=$(make_pids_cgroup) || cgroup=
  limit_desc="a pids cgroup (pids.max 150)"
else
  limit_desc="RLIMIT_NPROC"
fi

for be in "${backends[@]}"; do
  flags=$(run_flags "$be")

  # --- threads and processes run out ---------------------------------------------------------
  ws=$top/ws-nproc-$be
  mkdir -p "$ws"
  if [ "$(id -u)" = 0 ] && [ -z "$cgroup" ]; then
    skipped "$be: calls complete when no thread can be started (root)" \
      "no writable pids cgroup (v1 /sys/fs/cgroup/pids or v2 with the pids controller) to limit root"
  else
    start=$(date +%s)
    if [ "$(id -u)" = 0 ]; then
      echo 150 > "$cgroup/pids.max"
      (cd "$ws" && sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$cgroup" \
        timeout -k 5 30 "$RF" run $flags -s workspace-write -- \
        "$PY" "$top/probe.py" nproc "$hostsock" > "$top/out-nproc-$be" 2> "$top/err-nproc-$be")
      rc=$?
    else
      # RLIMIT_NPROC counts every task of the user: leave room for ringfence and the sandbox,
      # and let the probe take the rest.
      used=$(ps -L -u "$(id -u)" --no-headers 2>/dev/null | wc -l)
      (cd "$ws" && ulimit -u $((used + 120)) && exec timeout -k 5 30 "$RF" run $flags \
        -s workspace-write -- "$PY" "$top/probe.py" nproc "$hostsock" \
        > "$top/out-nproc-$be" 2> "$top/err-nproc-$be")
      rc=$?
    fi
    took=$(($(date +%s) - start))
    verdict=$("$PY" "$top/check.py" nproc "$ws" "$top/out-nproc-$be")
    name="$be: with threads exhausted ($limit_desc) and the one worker blocked in a FIFO open, connect() and creations complete, truthfully, and ringfence exits"
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
      bad "$name" "ringfence still waiting after 30 s (exit $rc); probe said: $(tail -c 300 "$top/out-nproc-$be")"
    elif [ $rc -ne 0 ]; then
      bad "$name" "exit $rc: $(tail -c 300 "$top/err-nproc-$be")"
    elif [ "$verdict" != ok ]; then
      bad "$name" "$verdict; probe said: $(tail -c 300 "$top/out-nproc-$be")"
    elif [ -s "$top/host-log" ]; then
      bad "$name" "the host socket was reached"
    else
      ok "$name (${took}s, $(tail -1 "$top/out-nproc-$be" | tr -d '{}"' | cut -c1-160))"
    fi
  fi

  # --- ringfence itself under a small RLIMIT_NOFILE -------------------------------------------
  failures=() refused=0 worked=0
  for S in 12 13 14 15 16 17 18 20 24 32; do
    ws=$top/ws-small-$be-$S
    mkdir -p "$ws"
    (cd "$ws" && exec timeout -k 5 30 prlimit --nofile=$S:$S "$RF" run $flags -s workspace-write -- \
      "$PY" "$top/probe.py" small "$hostsock" > "$top/out-small" 2> "$top/err-small")
    rc=$?
    if [ $rc -eq 125 ] && [ ! -e "$ws/small-file" ]; then
      refused=$((refused + 1)) # refused before the command started, nothing done
      continue
    fi
    verdict=$("$PY" "$top/check.py" small "$ws" "$top/out-small")
    if [ $rc -ne 0 ] || [ "$verdict" != ok ]; then
      failures+=("nofile $S: exit $rc, $verdict $(tail -c 200 "$top/err-small" | tr '\n' ' ')")
    else
      worked=$((worked + 1))
    fi
  done
  reap_leftovers "$be under a small RLIMIT_NOFILE"
  name="$be: ringfence under RLIMIT_NOFILE 12..32 either refuses before the command starts or answers every call truly"
  if [ ${#failures[@]} -eq 0 ] && [ $worked -gt 0 ]; then
    ok "$name ($worked worked, $refused refused)"
  else
    bad "$name" "${failures[*]:-no limit let the command run}"
  fi

  # --- a connect that blocks -----------------------------------------------------------------
  ws=$top/ws-backlog-$be
  mkdir -p "$ws"
  (cd "$ws" && exec timeout -k 5 30 "$RF" run $flags -s workspace-write -- \
    "$PY" "$top/probe.py" backlog > "$top/out-backlog" 2> "$top/err-backlog")
  rc=$?
  verdict=$("$PY" "$top/check.py" backlog "$ws" "$top/out-backlog")
  name="$be: connects blocked on a full backlog hold up no other call (the listener's chmod and bind are answered, it accepts, all connect), and 200 connects from 8 threads to a listener inside are none refused as a host socket"
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    bad "$name" "ringfence still waiting after 30 s (exit $rc)"
  elif [ $rc -ne 0 ] || [ "$verdict" != ok ]; then
    bad "$name" "exit $rc: $verdict $(tail -c 200 "$top/err-backlog" | tr '\n' ' ')"
  else
    ok "$name"
  fi

  # --- signals while calls are answered -------------------------------------------------------
  ws=$top/ws-signals-$be
  mkdir -p "$ws"
  (cd "$ws" && exec timeout -k 5 30 "$RF" run $flags -s workspace-write -- \
    "$PY" "$top/probe.py" signals 2000 > "$top/out-signals" 2> "$top/err-signals")
  rc=$?
  verdict=$("$PY" "$top/check.py" signals "$ws" "$top/out-signals")
  name="$be: creations interrupted by a signal every 0.3 ms are either done and reported, or reported failed and absent (no EEXIST from the call's own retry)"
  if [ $rc -ne 0 ] || [ "$verdict" != ok ]; then
    bad "$name" "exit $rc: $verdict $(tail -c 200 "$top/err-signals" | tr '\n' ' ')"
  else
    ok "$name"
  fi

  # --- the command fills its own descriptor table ---------------------------------------------
  for S in 48 256; do
    ws=$top/ws-fill-$be-$S
    mkdir -p "$ws"
    for k in 0 1 2 3; do echo precious > "$ws/keep-$k"; done
    (cd "$ws" && exec timeout -k 5 30 prlimit --nofile=$S:$S "$RF" run $flags -s workspace-write -- \
      "$PY" "$top/probe.py" fill $((S + 64)) 8 > "$top/out-fill" 2> "$top/err-fill")
    rc=$?
    verdict=$("$PY" "$top/check.py" fill "$ws" "$top/out-fill")
    name="$be: a command filling its descriptor table (limit $S, 8 threads) gets only its own EMFILE, and the host agrees with every answer"
    if [ $rc -ne 0 ] || [ "$verdict" != ok ]; then
      bad "$name" "exit $rc: $verdict $(tail -c 200 "$top/err-fill" | tr '\n' ' ')"
    else
      ok "$name"
    fi
  done
done

echo "supervisor limits (uid $(id -u)): $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
