#!/bin/bash
# cli-test.sh: integration claims about `ringfence run/check/explain`, run against the real bwrap.
# Usage: cli-test.sh RINGFENCE [--as-nobody]
# With --as-nobody (only when root), the same claims run as uid 65534 from a staged copy.
set -u
RF=$(readlink -f "${1:?usage: cli-test.sh RINGFENCE [--as-nobody]}")
MODE=${2:-}

if [ "$MODE" = "--as-nobody" ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  . "$here/../lib/as-nobody.sh"
  rerun_as_nobody "$here/cli-test.sh" "$RF"
fi

pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
has() { # has PATTERN TEXT: grep without a subshell's quoting troubles
  grep -q -e "$1" <<<"$2"
}
claim() { # claim NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}

# Not below /tmp: /tmp is itself a writable root, so a sibling there would be writable.
top=$(mktemp -d /var/tmp/rf-cli-XXXXXX)
chmod 755 "$top"
trap 'rm -rf "$top"' EXIT
ws=$top/ws
sibling=$top/sibling
mkdir -p "$ws" "$sibling"
cd "$ws" || exit 1
git init -q . 2>/dev/null || mkdir -p .git/hooks
mkdir -p .git/hooks
echo '[core]' > .git/config
echo '#!/bin/sh' > .git/hooks/pre-commit
config_sum=$(cat .git/config .git/hooks/* | md5sum)
echo "uid $(id -u): workspace $ws"

# --- writes -----------------------------------------------------------------
"$RF" run -s workspace-write -- sh -c 'echo ok > inside' 2>/dev/null
claim "a write inside the workspace works" test "$(cat inside 2>/dev/null)" = ok

marker=ringfence-test-$$-$RANDOM
"$RF" run -s workspace-write -- sh -c "echo x > /etc/$marker" 2>/dev/null
rc=$?
claim "a write to /etc fails and leaves nothing" test $rc -ne 0 -a ! -e "/etc/$marker"

"$RF" run -s workspace-write -- sh -c "echo x > ../sibling/f; echo x > $sibling/g" 2>/dev/null
claim "a write to a sibling folder of the workspace fails and leaves nothing" \
  test ! -e "$sibling/f" -a ! -e "$sibling/g"

"$RF" run -s workspace-write -- sh -c 'echo evil >> .git/config; echo evil > .git/hooks/pre-commit; echo evil > .git/hooks/post-checkout; rm -f .git/hooks/pre-commit' 2>/dev/null
claim ".git/config and .git/hooks stay untouched" \
  test "$(cat .git/config .git/hooks/* | md5sum)" = "$config_sum" -a ! -e .git/hooks/post-checkout

"$RF" run -- sh -c 'echo x > ro-mode' 2>/dev/null
claim "read-only mode refuses a write in the working directory" test ! -e ro-mode

# --- network ----------------------------------------------------------------
port_file=$top/port
python3 - "$port_file" <<'PY' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(8)
try:
    c, _ = s.accept(); print("LISTENER-GOT-CONNECTION", flush=True)
except Exception:
    pass
PY
listener=$!
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
port=$(cat "$port_file")
out=$("$RF" run -s workspace-write -- python3 -c "
import socket
s = socket.socket(); s.settimeout(2)
try:
    s.connect(('127.0.0.1', $port)); print('CONNECTED')
except OSError as e:
    print('refused', e)" 2>&1)
claim "a TCP connect to a listener on the host's 127.0.0.1 fails" \
  test "$(has CONNECTED "$out" && echo yes)" != yes
kill $listener 2>/dev/null; wait $listener 2>/dev/null

# --- exit statuses ----------------------------------------------------------
"$RF" run -- sh -c 'exit 7'; claim "the command's exit code 7 is returned" test $? -eq 7
"$RF" run -- sh -c 'kill -TERM $$'; claim "death by SIGTERM exits 143" test $? -eq 143
"$RF" run -- sh -c 'kill -KILL $$'; claim "death by SIGKILL exits 137" test $? -eq 137
"$RF" run -- no-such-command-$$ 2>/dev/null; claim "a missing command exits 127" test $? -eq 127
echo 'echo hi' > "$top/not-executable"; chmod 644 "$top/not-executable"
"$RF" run -- "$top/not-executable" 2>/dev/null; claim "a non-executable file exits 126" test $? -eq 126
"$RF" run --no-such-option -- true 2>/dev/null; claim "an unknown option exits 125" test $? -eq 125
msg=$("$RF" run -s sideways -- true 2>&1); rc=$?
claim "a bad --sandbox value exits 125 and names the accepted values" \
  test "$rc:$(has workspace-write "$msg" && echo named)" = 125:named
msg=$("$RF" run -s workspace-write --writable-root "$top/does-not-exist" -- true 2>&1); rc=$?
claim "a missing writable root exits 125 and names it" \
  test "$rc:$(has does-not-exist "$msg" && echo named)" = 125:named
msg=$("$RF" run --allow-domain example.com -- true 2>&1); rc=$?
claim "--allow-domain without --network proxy exits 125 and says so" \
  test "$rc:$(has 'network proxy' "$msg" && echo named)" = 125:named
msg=$("$RF" run --network proxy --proxy ftp://x -- true 2>&1); rc=$?
claim "a --proxy URL that is not http:// or socks5h:// exits 125 and names the forms" \
  test "$rc:$(has 'socks5h://' "$msg" && echo named)" = 125:named
"$RF" run --timeout abc -- true 2>/dev/null; claim "a bad --timeout exits 125" test $? -eq 125

for sig in INT TERM HUP QUIT; do
  "$RF" run -- sleep 30 & pid=$!
  sleep 0.7
  kill -$sig $pid
  wait $pid; rc=$?
  num=$(kill -l $sig)
  claim "SIGNAL $sig sent to ringfence reaches the command (exit $((128 + num)))" test $rc -eq $((128 + num))
done

"$RF" run -- sh -c 'trap "exit 42" TERM; sleep 30 & wait' & pid=$!
sleep 0.7; kill -TERM $pid; wait $pid
claim "a command that handles SIGTERM decides its own exit status" test $? -eq 42

tag=rf-timeout-$$-$RANDOM
sleeper=$top/sleeper-$tag
printf '#!/bin/sh\nsleep "$1"\n' > "$sleeper"; chmod 755 "$sleeper"
"$RF" run -s workspace-write --timeout 1 -- sh -c "setsid $sleeper 300 & ($sleeper 301 &) ; $sleeper 302" 2>/dev/null
rc=$?
sleep 0.3
claim "--timeout exits 124" test $rc -eq 124
claim "--timeout leaves no process behind" test -z "$(pgrep -f "sleeper-$tag")"

"$RF" run -s workspace-write -- sh -c "setsid sh -c '$sleeper 300' >/dev/null 2>&1 < /dev/null &" 2>/dev/null
sleep 0.3
claim "a daemonised process does not survive ringfence's return" test -z "$(pgrep -f "sleeper-$tag")"

# --- plumbing -----------------------------------------------------------------
claim "stdin reaches the command" test "$(echo piped | "$RF" run -- cat)" = piped
claim "stdout and stderr reach the caller" \
  test "$("$RF" run -- sh -c 'echo out; echo err >&2' 2>&1 | sort | tr '\n' ' ')" = "err out "
if command -v script >/dev/null; then
  out=$(script -qec "$RF run -- sh -c 'test -t 0 && test -t 1 && echo TTY-OK'" /dev/null 2>&1)
  claim "a terminal passes through" has TTY-OK "$out"
else
  echo "SKIP: a terminal passes through (script(1) is not installed)"
fi
claim "RINGFENCE_SANDBOX names the backend inside" \
  test "$("$RF" run -- sh -c 'echo $RINGFENCE_SANDBOX')" = bwrap
claim "RINGFENCE_SANDBOX_NETWORK_DISABLED=1 is set when the network is off" \
  test "$("$RF" run -- sh -c 'echo $RINGFENCE_SANDBOX_NETWORK_DISABLED')" = 1
exec 7>"$top/fd7"
"$RF" run -- sh -c 'echo leak >&7' 2>/dev/null
claim "an inherited descriptor does not reach the command" test ! -s "$top/fd7"
"$RF" run --pass-fd 7 -- sh -c 'echo passed >&7' 2>/dev/null
claim "--pass-fd 7 lets the command use descriptor 7" test "$(cat "$top/fd7")" = passed
exec 7>&-
"$RF" run --pass-fd 9 -- true 2>/dev/null; claim "--pass-fd of a closed descriptor exits 125" test $? -eq 125

# --- check and explain ----------------------------------------------------------
out=$("$RF" check); rc=$?
claim "check reports bwrap usable" test "$rc:$(has '^bwrap *usable' "$out" && echo yes)" = 0:yes
claim "check --json is valid JSON" sh -c "'$RF' check --json | python3 -m json.tool >/dev/null"
out=$("$RF" explain -s workspace-write -- make test)
claim "explain prints the bwrap argv with the workspace bound read-write" \
  has "--bind $ws $ws" "$(tr '\n' ' ' <<<"$out" | sed 's/  */ /g')"
claim "explain lists the seccomp groups" has '@io-uring' "$out"
claim "explain --json is valid JSON" \
  sh -c "'$RF' explain --json -s workspace-write -- true | python3 -m json.tool >/dev/null"
claim "explain runs nothing" sh -c "'$RF' explain -s workspace-write -- touch explained >/dev/null && test ! -e explained"
# setup: tests/integration/setup-test.sh
for sub in run check explain decide setup; do
  "$RF" $sub --help >/dev/null; claim "'$sub --help' works" test $? -eq 0
done

# The listener hand-off fails closed: when the supervisor does not answer (here it reads the
# listener's number and hangs up), ringfence-sandbox-init exits 125 and the command never runs,
# although init loads the main filter while it waits.
init="${RINGFENCE_HELPER_DIR:-$(dirname "$RF")/../plugins/linux-common}/ringfence-sandbox-init"
if [ -x "$init" ]; then
  out=$(python3 - "$init" "$ws/handoff-marker" <<'PY'
import os, socket, struct, subprocess, sys
init, marker = sys.argv[1], sys.argv[2]
ours, theirs = socket.socketpair()
prog = os.memfd_create("allow")
os.write(prog, struct.pack("HBBI", 0x06, 0, 0, 0x7FFF0000))  # return SECCOMP_RET_ALLOW
main = os.dup(prog)
p = subprocess.Popen([init, "--notify-fd", str(prog), "--supervise-fd", str(theirs.fileno()),
                      "--seccomp-fd", str(main), "--", "touch", marker],
                     pass_fds=(prog, theirs.fileno(), main), stderr=subprocess.PIPE)
os.close(main)
theirs.close()
os.close(prog)
offered = ours.recv(64).decode()
ours.close()
rc = p.wait()
print(rc, "offered" if offered.endswith("\n") else "nothing-offered",
      "ran" if os.path.exists(marker) else "did-not-run",
      "said-so" if b"did not take the listener" in p.stderr.read() else "silent")
PY
)
  claim "init without the supervisor's answer exits 125 and never runs the command" \
    test "$out" = "125 offered did-not-run said-so"
else
  echo "SKIP: $init is not there (the hand-off claim needs the build's helper)"
fi

echo "uid $(id -u): $pass passed, $fail failed"
[ $fail -eq 0 ]
