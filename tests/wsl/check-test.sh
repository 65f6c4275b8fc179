#!/bin/bash
# check-test.sh: what `check` and `run` say and do on WSL1, WSL2 and plain Linux, the signs read from
# fixture roots (RINGFENCE_TEST_WSL_ROOT), and the WSL interop variables a sandboxed command never
# gets.  Usage: check-test.sh RINGFENCE FIXTURES-DIR [--as-nobody]
# With --as-nobody (only when root), the same claims run as uid 65534 from a staged copy.
set -u
RF=$(readlink -f "${1:?usage: check-test.sh RINGFENCE FIXTURES-DIR [--as-nobody]}")
FIX=$(readlink -f "${2:?usage: check-test.sh RINGFENCE FIXTURES-DIR [--as-nobody]}")
MODE=${3:-}
here=$(cd "$(dirname "$0")" && pwd)

if [ "$MODE" = "--as-nobody" ]; then
  . "$here/../lib/as-nobody.sh"
  stage_for_nobody "$RF"
  cp "$here/check-test.sh" "$stage/wsl-check-test.sh"
  cp -r "$FIX" "$stage/fixtures"
  chmod -R a+rX "$stage"
  as_nobody bash "$stage/wsl-check-test.sh" "$stage/bin/ringfence" "$stage/fixtures"
  exit $?
fi

pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
claim() { # claim NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
has() { grep -q -e "$1" <<<"$2"; }
unset TMPDIR WSL_INTEROP WSL_DISTRO_NAME
echo "uid $(id -u)"

top=$(mktemp -d /var/tmp/rf-wsl-check-XXXXXX)
chmod 755 "$top"
trap 'rm -rf "$top"' EXIT
cd "$top" || exit 1

on() { # on FIXTURE COMMAND...: ringfence with the signs of FIXTURE
  local fixture=$1; shift
  RINGFENCE_TEST_WSL_ROOT="$FIX/$fixture" WSL_DISTRO_NAME=Ubuntu-22.04 "$@"
}

# --- WSL1: refused with the way to WSL2 --------------------------------------------------------
out=$(on wsl1 "$RF" check 2>&1); rc=$?
claim "WSL1: check exits 125" test "$rc" = 125
for backend in bwrap landlock; do
  line=$(grep "^$backend " <<<"$out")
  claim "WSL1: check calls $backend unusable because this is WSL1, which is not supported" \
    has "unusable  this is WSL1 (kernel 4.4.0-19041-Microsoft.*does not support" "$line"
done
claim "WSL1: the remedy names the conversion command with the distribution's name" \
  has "remedy: convert the distribution to WSL2: in Windows, run \`wsl --set-version Ubuntu-22.04 2\`" "$out"
json=$(on wsl1 "$RF" check --json 2>/dev/null)
claim "WSL1: check --json gives the cause wsl1 for both Linux backends" \
  test "$(grep -o '"cause":"wsl1"' <<<"$json" | wc -l)" = 2
out=$(on wsl1 "$RF" run -- touch "$top/ran" 2>&1); rc=$?
claim "WSL1: run exits 125 and the command does not start" test "$rc" = 125 -a ! -e "$top/ran"
claim "WSL1: run says WSL1 is not supported and how to convert" \
  sh -c "grep -q 'this is WSL1' <<'EOF'
$out
EOF
grep -q 'wsl --set-version Ubuntu-22.04 2' <<'EOF'
$out
EOF"
out=$(on wsl1 "$RF" run --backend landlock -- touch "$top/ran" 2>&1); rc=$?
claim "WSL1: run --backend landlock exits 125, nothing started" test "$rc" = 125 -a ! -e "$top/ran"

# --- WSL2: usable, and check says what it found and does ------------------------------------------
out=$(on wsl2 "$RF" check 2>&1); rc=$?
claim "WSL2: check exits 0" test "$rc" = 0
claim "WSL2: bwrap's note: interop found, /run/WSL masked, WSL_INTEROP not passed, vsock denied" \
  has "note: WSL2 (kernel 5.15.153.1-microsoft-standard-WSL2.*interop WSLInterop-late enabled): interop kept out: /run/WSL masked, WSL_INTEROP not passed, vsock denied" "$out"
claim "WSL2: landlock's note: the sockets in /run/WSL refused" \
  has "note: WSL2 .*interop kept out: connecting to the sockets in /run/WSL refused" "$out"
json=$(on wsl2 "$RF" check --json 2>/dev/null)
claim "WSL2: check --json carries the note" has '"note":"WSL2 (' "$json"
out=$(on wsl2-custom-kernel "$RF" check 2>&1)
claim "WSL2 with a custom kernel: told by the interop entry" \
  has "note: WSL2 (binfmt_misc entry WSLInterop (disabled)" "$out"

# --- plain Linux: nothing said ---------------------------------------------------------------------
out=$(RINGFENCE_TEST_WSL_ROOT="$FIX/linux" "$RF" check 2>&1); rc=$?
claim "plain Linux: check exits 0 and has no note" sh -c "test $rc = 0 && ! grep -q 'note:' <<'EOF'
$out
EOF"
json=$(RINGFENCE_TEST_WSL_ROOT="$FIX/linux" "$RF" check --json 2>/dev/null)
claim "plain Linux: check --json has note null" has '"note":null' "$json"

# --- the environment: the interop variables stay out of every sandbox ---------------------------
for backend in bwrap landlock; do
  inside=$(WSL_INTEROP=/run/WSL/8_interop WSL_DISTRO_NAME=Debian WSLENV=WT_SESSION:: \
    WSL_OTHER=/run/WSL/9_interop "$RF" run --backend "$backend" -- env 2>&1)
  claim "$backend: WSL_INTEROP and other WSL* variables naming /run/WSL are not passed" \
    sh -c "! grep -q '^WSL_INTEROP=\|^WSL_OTHER=' <<'EOF'
$inside
EOF"
  claim "$backend: WSL_DISTRO_NAME and WSLENV are passed" \
    sh -c "grep -q '^WSL_DISTRO_NAME=Debian$' <<'EOF'
$inside
EOF
grep -q '^WSLENV=WT_SESSION::$' <<'EOF'
$inside
EOF"
done
inside=$(WSL_INTEROP=/run/WSL/8_interop "$RF" run -s danger-full-access -- env 2>&1)
claim "danger-full-access (no sandbox) keeps WSL_INTEROP" has "^WSL_INTEROP=/run/WSL/8_interop$" "$inside"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
