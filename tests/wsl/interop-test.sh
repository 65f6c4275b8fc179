#!/bin/bash
# interop-test.sh: WSL2's way out, for real: a binfmt_misc handler for the "MZ" magic (F flag, like
# WSL's WSLInterop) whose interpreter hands the .exe to a "Windows side" listening on a unix socket
# below /run/WSL, as WSL's /init does through $WSL_INTEROP.  A .exe run outside the sandbox gets
# through (the control); run inside, on both Linux backends, network off and on, the handler still
# runs (inside the sandbox, as the command's child) but the host side sees nothing and writes no
# marker.  Also: $WSL_INTEROP is not passed, /run/WSL is masked under bwrap, and the sandbox cannot
# register, disable or remove binfmt_misc entries.
# Usage: interop-test.sh RINGFENCE FAKE-INTEROP [--as-nobody]
# Needs root (registering a handler); with --as-nobody the sandboxed runs are made by uid 65534.
set -u
RF=$(readlink -f "${1:?usage: interop-test.sh RINGFENCE FAKE-INTEROP [--as-nobody]}")
FAKE=$(readlink -f "${2:?usage: interop-test.sh RINGFENCE FAKE-INTEROP [--as-nobody]}")
MODE=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
bm=/proc/sys/fs/binfmt_misc

if [ "$(id -u)" != 0 ]; then
  echo "SKIP: registering a binfmt_misc handler needs root (running as uid $(id -u))"
  exit 77
fi

# A mount namespace of our own: /run/WSL is made on a private tmpfs over /run (nothing is left in
# the host's /run), /tmp is a private tmpfs (a protected name left there by another test would make
# the Landlock backend refuse), and binfmt_misc is mounted here if the host has not.
if [ -z "${RF_WSL_PRIVATE_NS:-}" ]; then
  command -v unshare >/dev/null || { echo "SKIP: unshare(1) is missing"; exit 77; }
  export RF_WSL_PRIVATE_NS=1
  script=$0
  case "$here/" in
    /tmp/*)
      # A checkout below /tmp would vanish under the new /tmp: run a copy.
      copy=$(mktemp -d /var/tmp/rf-wsl-tests-XXXXXX)
      cp -r "$here/.." "$copy/tests"
      export RF_WSL_COPY="$copy"
      script=$copy/tests/wsl/interop-test.sh
      ;;
  esac
  exec unshare --mount --propagation private sh -c \
    'mount -t tmpfs -o mode=755 rf-test-run /run && mount -t tmpfs -o mode=1777 rf-test-tmp /tmp && exec bash "$0" "$@"' \
    "$script" "$@"
fi

if [ ! -e "$bm/register" ] && ! mount -t binfmt_misc binfmt_misc "$bm" 2>/tmp/bm-err; then
  echo "SKIP: binfmt_misc cannot be mounted here: $(cat /tmp/bm-err)"
  exit 77
fi
if [ ! -w "$bm/register" ]; then
  echo "SKIP: $bm/register is not writable here"
  exit 77
fi

pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
claim() { # claim NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
has() { grep -q -e "$1" <<<"$2"; }

# Entries a killed earlier run left behind (its pid gone) would send .exe files to a dead
# interpreter: remove them.
for old in "$bm"/rf-test-interop-*; do
  [ -e "$old" ] || continue
  pid=${old##*-}
  kill -0 "$pid" 2>/dev/null || echo -1 > "$old"
done

# Everything outside /tmp (a writable root of every run), world-readable for uid 65534.
. "$here/../lib/as-nobody.sh"
stage_for_nobody "$RF"
entry=rf-test-interop-$$
listener=
cleanup() {
  [ -e "$bm/$entry" ] && echo -1 > "$bm/$entry"
  [ -n "$listener" ] && kill "$listener" 2>/dev/null
  rm -rf "$stage" ${RF_WSL_COPY:+"$RF_WSL_COPY"}
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cp "$FAKE" "$stage/bin/fake-interop"
chmod 755 "$stage/bin/fake-interop"
RFS=$stage/bin/ringfence
export LD_LIBRARY_PATH="$stage/lib" RINGFENCE_BACKEND_DIR="$stage/backends" \
  RINGFENCE_HELPER_DIR="$stage/libexec"
unset TMPDIR

user=root
as_user() { "$@"; }
if [ "$MODE" = "--as-nobody" ]; then
  user=65534
  as_user() { as_nobody "$@"; }
fi

# The "Windows side": WSL's socket layout, /run/WSL/<session>_interop.
mkdir -m 755 /run/WSL
sock=/run/WSL/$$_interop
host=$stage/host
mkdir -m 700 "$host"
log=$host/requests
marker=$host/windows-ran
"$stage/bin/fake-interop" --serve "$sock" "$log" "$marker" &
listener=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { bad "the host side listens on $sock"; exit 1; }

# The handler, registered the way WSL registers its own (magic MZ at offset 0, F: the interpreter
# is opened now, in this mount namespace, and used from any other).
if ! echo ":$entry:M::MZ::$stage/bin/fake-interop:F" > "$bm/register" 2>"$host/reg-err"; then
  echo "SKIP: binfmt_misc refuses a new entry here: $(cat "$host/reg-err")"
  exit 77
fi
echo "uid $user; handler $bm/$entry ($(head -1 "$bm/$entry")); host socket $sock"

ws=$stage/ws
mkdir -p "$ws"
[ "$user" = 65534 ] && chown 65534:65534 "$ws"
exe=$ws/tool.exe
printf 'MZ\n%s\nthis is not a Windows program, only its magic\n' "$sock" > "$exe"
chmod 755 "$exe"
reset_host() { rm -f "$log" "$marker"; }
host_untouched() { test ! -e "$log" -a ! -e "$marker"; }

# --- the control: outside the sandbox the .exe reaches the host side --------------------------
out=$(as_user env WSL_INTEROP="$sock" "$exe" 2>&1)
if has "request accepted" "$out" && [ -s "$log" ] && [ -e "$marker" ]; then
  ok "control: outside the sandbox the .exe reaches the host side through the handler"
else
  bad "control: outside the sandbox the .exe reaches the host side through the handler" "$out"
  echo "the handler does not work here, so the sandboxed runs would prove nothing"
  exit 1
fi
reset_host

# --- inside: on both backends, network off and on --------------------------------------------
for backend in bwrap landlock; do
  line=$(as_user "$RFS" check 2>/dev/null | grep "^$backend ")
  if ! has "usable" "$line" || has "unusable" "$line"; then
    bad "$backend is usable here" "$line"
    continue
  fi
  for net in off on; do
    what="$backend, network $net"
    out=$(cd / && as_user env WSL_INTEROP="$sock" WSL_DISTRO_NAME=rf-test \
      "$RFS" run --backend "$backend" -s workspace-write --network "$net" -C "$ws" -- ./tool.exe 2>&1)
    rc=$?
    if ! has "fake-interop: running" "$out"; then
      bad "$what: the handler runs inside the sandbox (else nothing was tested)" "rc $rc: $out"
      continue
    fi
    claim "$what: the .exe gets nothing through the interop handler (no request, no marker on the host)" \
      host_untouched
    host_untouched || echo "$out" | sed 's/^/    /'
    reset_host
    claim "$what: WSL_INTEROP is not passed" has "WSL_INTEROP unset" "$out"
    claim "$what: WSL_DISTRO_NAME is passed (it names nothing reachable)" \
      has "^rf-test$" "$(cd / && as_user env WSL_DISTRO_NAME=rf-test "$RFS" run --backend "$backend" \
        --network "$net" -C "$ws" -- sh -c 'echo "$WSL_DISTRO_NAME"' 2>&1)"
    claim "$what: no vsock socket can be created" \
      has "socket(AF_VSOCK): Address family not supported" "$out"
    if [ "$backend" = bwrap ]; then
      claim "$what: /run/WSL is masked (nothing listed)" has "opendir /run/WSL: Permission denied" "$out"
    fi
  done

  # The sandbox cannot change binfmt_misc: register its own handler, disable or remove ours.
  reg=":rf-test-evil-$$:E::evil::/bin/sh:"
  out=$(cd / && as_user "$RFS" run --backend "$backend" -s workspace-write -C "$ws" -- sh -c \
    "echo '$reg' > $bm/register; echo 0 > $bm/$entry; echo -1 > $bm/$entry; echo 0 > $bm/status" 2>&1)
  claim "$backend: the sandbox cannot register, disable or remove binfmt_misc entries" \
    sh -c "test ! -e '$bm/rf-test-evil-$$' && test \"\$(head -1 '$bm/$entry')\" = enabled && test \"\$(cat '$bm/status')\" = enabled"
  [ -e "$bm/rf-test-evil-$$" ] && echo -1 > "$bm/rf-test-evil-$$"
  echo 1 > "$bm/status"
done

# The control again: the handler is still live (the runs above were not vacuous).
out=$(as_user env WSL_INTEROP="$sock" "$exe" 2>&1)
claim "control after: the .exe outside still reaches the host side" \
  sh -c "test -s '$log' && test -e '$marker'"
reset_host

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
