#!/bin/bash
# policy-test.sh: the policy never widens by accident, on both Linux backends: a working directory
# that is gone is refused (never /), one core rule decides what a writable root may be, a huge
# config value is quoted short, and check and the automatic choice agree on bwrap.
# Usage: policy-test.sh RINGFENCE [--as-nobody]
# With --as-nobody (only when root), the same claims run as uid 65534 from a staged copy.
set -u
RF=$(readlink -f "${1:?usage: policy-test.sh RINGFENCE [--as-nobody]}")
MODE=${2:-}
here=$(cd "$(dirname "$0")" && pwd)

# As uid 65534, from the staged copy: the environment the claims run in.
nobody_env() {
  echo setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/local/bin:/usr/bin:/bin \
    HOME=/tmp LANG=C.UTF-8 LD_LIBRARY_PATH="$1/lib" RINGFENCE_BACKEND_DIR="$1/backends" \
    RINGFENCE_HELPER_DIR="$1/libexec"
}
if [ "$MODE" = "--as-nobody" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "SKIP: the unprivileged pass needs root to switch to uid 65534 (run as root, or this pass already is unprivileged)"
    exit 77
  fi
  stage=$("$here/../lib/stage-for-nobody.sh" "$RF") || exit 1
  trap 'rm -rf "$stage"' EXIT
  $(nobody_env "$stage") RF_MASKED_BY_ROOT=1 bash "$stage/policy-test.sh" "$stage/bin/ringfence"
  rc=$?
  # The masked-/proc claims need a mount namespace: root makes it and switches to uid 65534
  # inside.  An unprivileged user's own `unshare -Urm` would not do: it maps every host file to
  # the overflow uid, and ringfence rightly trusts no program owned by that.
  RF_STAGE=$stage bash "$here/policy-test.sh" "$stage/bin/ringfence" --masked-proc-as-nobody
  exit $((rc || $?))
fi

pass=0 fail=0 skip=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
skipped() { echo "SKIP: $1 ($2)"; skip=$((skip + 1)); }
has() { grep -q -F -e "$1" <<<"$2"; }
claim() { # claim NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}

# Fixtures: not below /tmp (a writable root of every run).  Everything is owned by the user
# running the test, so only ringfence stands between a command and these files.
top=$(mktemp -d /var/tmp/rf-policy-XXXXXX)
chmod 755 "$top"
trap 'cd /; rm -rf "$top"' EXIT
ws=$top/ws
out=$top/outside
mkdir -p "$ws" "$out" "$top/home/user"
cd "$ws" || exit 1
unset TMPDIR
export HOME=$top/home/user # its parent, $top/home, must never be a writable root
export RINGFENCE_HOME=$top/rf-home # no config of the user's sneaks in
uid=$(id -u)
echo "uid $uid: workspace $ws, HOME $HOME"
# /tmp is left out of the runs: a protected name someone left there (/tmp/.git) makes the
# landlock backend refuse, which is not what these claims are about.
NOTMP=(-c sandbox_workspace_write.exclude_slash_tmp=true)
BACKENDS=(bwrap landlock)
if [ "$MODE" != --masked-proc-as-nobody ] && ! "$RF" check 2>/dev/null | grep -q '^landlock *usable'; then
  skipped "landlock claims" "Landlock is not usable here"
  BACKENDS=(bwrap)
fi
# A file only a command that escaped could have written: in /etc as root, else in $out.
victim_dir=$out
[ "$uid" = 0 ] && victim_dir=/etc
marker=rf-policy-probe-$$-$RANDOM
trap 'cd /; rm -rf "$top"; rm -f "/etc/$marker"' EXIT

# --- check and the automatic choice agree on bwrap -----------------------------------------
# Part of /proc covered by a mount (as containers mask /proc/kcore, /proc/sys ...): user
# namespaces still work, but the kernel gives bwrap's new user namespace no proc mount.  check
# must call bwrap unusable, and `run` (auto) must then pick Landlock, saying why; --backend bwrap
# refuses (125) with the reason check gives.  $AS runs ringfence as the user under test.
masked_proc_claims() {
  local who=$1 setup out
  for setup in "mount -t tmpfs rf-mask /proc/sys" \
               "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys" \
               "mount --bind /dev/null /proc/timer_list"; do
    out=$(cd "$ws" && unshare -m --propagation private sh -c "$setup && {
      $AS '$RF' check; echo \"check-rc=\$?\";
      $AS '$RF' check --json; echo;
      $AS '$RF' run -- sh -c 'echo sandbox=\$RINGFENCE_SANDBOX'; echo \"auto-rc=\$?\";
      $AS '$RF' run --backend bwrap -- true; echo \"bwrap-rc=\$?\"; }" 2>&1)
    local name="$who, /proc masked ($setup)"
    claim "$name: check calls bwrap unusable and says why" \
      has "part of /proc is hidden by a mount" "$(grep '^bwrap ' <<<"$out")"
    local json
    json=$(grep '^{' <<<"$out" | python3 -c "import json,sys; d=json.load(sys.stdin); print(' '.join('%s=%s' % (b['name'], b['usable']) for b in d['backends'] if b['name'] in ('bwrap','landlock')))" 2>/dev/null)
    claim "$name: check --json agrees (bwrap unusable, landlock usable)" \
      test "$(tr ' ' '\n' <<<"$json" | sort | tr '\n' ' ')" = "bwrap=False landlock=True "
    claim "$name: run (auto) picks landlock, as check implies, and says why" \
      test "$(has "sandbox=landlock" "$out" && has "auto-rc=0" "$out" &&
              has "using backend 'landlock' because bwrap is not usable (part of /proc is hidden" "$out" && echo yes)" = yes
    claim "$name: run --backend bwrap refuses (125) with check's reason" \
      test "$(has "bwrap-rc=125" "$out" && has "backend 'bwrap' cannot run here: part of /proc is hidden" "$out" && echo yes)" = yes
    has "auto-rc=0" "$out" || echo "$out" | head -20
  done
}

# A bind mount of / elsewhere is / under another name: refused like /.
bind_root_claim() {
  local who=$1 out
  mkdir -p "$top/bind-root"
  out=$(cd "$ws" && unshare -m --propagation private sh -c "mount --bind / '$top/bind-root' &&
    $AS '$RF' run -s workspace-write ${NOTMP[*]} --writable-root '$top/bind-root' -- sh -c 'echo x > $top/bind-root/etc/$marker'; echo rc=\$?" 2>&1)
  claim "$who: a bind mount of / as a writable root is refused (125), naming it, nothing written" \
    test "$(has "rc=125" "$out" && has "is / under another name" "$out" && echo yes)" = yes -a ! -e "/etc/$marker"
}

if [ "$MODE" = "--masked-proc-as-nobody" ]; then
  AS=$(nobody_env "$RF_STAGE") bind_root_claim "uid 65534"
  AS=$(nobody_env "$RF_STAGE") masked_proc_claims "uid 65534"
  echo "masked /proc as uid 65534: $pass passed, $fail failed, $skip skipped"
  [ $fail -eq 0 ]
  exit $?
fi

# --- a working directory that is gone ------------------------------------------------------
gone_msg="the working directory no longer exists"
for be in "${BACKENDS[@]}"; do
  for mode in workspace-write read-only; do
    mkdir "$top/gone"
    cd "$top/gone" && rmdir "$top/gone"
    err=$("$RF" run --backend "$be" -s "$mode" "${NOTMP[@]}" -- \
      sh -c "echo x > $victim_dir/$marker; echo ran > $out/ran" 2>&1 >/dev/null)
    rc=$?
    cd "$ws"
    claim "$be, $mode, deleted working directory: exit 125, says why, the command never runs" \
      test "$rc:$(has "$gone_msg" "$err" && echo said)" = 125:said -a ! -e "$victim_dir/$marker" -a ! -e "$out/ran"
    [ "$rc:$(has "$gone_msg" "$err" && echo said)" = 125:said ] || echo "  exit $rc: $err"
    rm -f "$out/ran"
  done
done
mkdir "$top/gone"; cd "$top/gone" && rmdir "$top/gone"
run_err=$("$RF" run -s workspace-write -- true 2>&1)
explain_err=$("$RF" explain -s workspace-write -- true 2>&1 >/dev/null); explain_rc=$?
check_out=$("$RF" check 2>&1); check_rc=$?
decide_err=$("$RF" decide -- ls 2>&1 >/dev/null); decide_rc=$?
rel_err=$("$RF" run -C . -- true 2>&1); rel_rc=$?
abs_out=$("$RF" run -C "$ws" -- pwd 2>&1); abs_rc=$?
cd "$ws"
line=$(head -n1 <<<"$run_err")
claim "explain in a deleted working directory refuses (125) with run's words" \
  test "$explain_rc:$explain_err" = "125:$line"
claim "check there says run would refuse, in the same words (125)" \
  test "$check_rc:$(has "run here would refuse: ${line#ringfence: }" "$check_out" && echo said)" = 125:said
claim "decide there refuses too (125), in the same words" test "$decide_rc:$decide_err" = "125:$line"
claim "-C . from a deleted working directory is refused (125), not taken from /" \
  test "$rel_rc:$(has 'give an absolute path' "$rel_err" && echo said)" = 125:said
claim "-C with an absolute path from a deleted working directory runs there" \
  test "$abs_rc:$abs_out" = "0:$ws"
err=$("$RF" run -C '' -- true 2>&1); rc=$?
claim "-C '' is refused (125), naming the problem" test "$rc:$(has "names no directory" "$err" && echo said)" = 125:said
err=$("$RF" run -C "$top/nowhere" -- true 2>&1); rc=$?
claim "-C naming a missing directory is refused (125), naming it" \
  test "$rc:$(has "$top/nowhere" "$err" && echo said)" = 125:said

# --- what a writable root may be: one rule, in the core, for every backend -----------------
# refused NAME WANT-IN-MESSAGE VICTIM-FILE RINGFENCE-ARGS...: exit 125, the message names the
# rule and the flag, and VICTIM-FILE (what the command tries to write) stays absent.
refused() {
  local name=$1 want=$2 victim=$3; shift 3
  local err rc
  err=$("$RF" run "$@" -- sh -c "echo x > '$victim'" 2>&1 >/dev/null); rc=$?
  if [ "$rc" = 125 ] && [ ! -e "$victim" ] && has "$want" "$err" &&
     has "dangerously-allow-writable-root" "$err"; then ok "$name"
  else bad "$name" "exit $rc, victim $( [ -e "$victim" ] && echo WRITTEN || echo absent): $err"; rm -f "$victim"; fi
}
for be in "${BACKENDS[@]}"; do
  W=(--backend "$be" -s workspace-write "${NOTMP[@]}")
  refused "$be: --writable-root / is refused" "is /, the whole host" "$victim_dir/$marker" "${W[@]}" --writable-root /
  refused "$be: -C / in workspace-write is refused" "working directory '/'" "$victim_dir/$marker" "${W[@]}" -C /
  refused "$be: --writable-root HOME's parent is refused" "parent of your home directory" "$top/home/$marker" "${W[@]}" --writable-root "$top/home"
  refused "$be: -C HOME's parent in workspace-write is refused" "parent of your home directory" "$top/home/$marker" "${W[@]}" -C "$top/home"
  refused "$be: --writable-root /etc is refused" "a system directory" "/etc/$marker" "${W[@]}" --writable-root /etc
  refused "$be: --writable-root /home is refused" "is /home" "/home/$marker" "${W[@]}" --writable-root /home
  TMPDIR=$top/home refused "$be: \$TMPDIR=HOME's parent is refused" "\$TMPDIR '$top/home'" "$top/home/$marker" "${W[@]}"
  refused "$be: config writable_roots = [HOME's parent] is refused" "parent of your home directory" "$top/home/$marker" \
    "${W[@]}" -c "sandbox_workspace_write.writable_roots=[\"$top/home\"]"
  ln -sfn / "$ws/to-slash"
  refused "$be: a writable root that is a symlink to / is refused" "is /, the whole host" "$victim_dir/$marker" "${W[@]}" --writable-root "$ws/to-slash"
  rm -f "$ws/to-slash"

  "$RF" run "${W[@]}" --writable-root "$HOME" -- sh -c "echo x > '$HOME/own'" 2>/dev/null; rc=$?
  claim "$be: HOME itself may be a writable root" test "$rc:$(cat "$HOME/own" 2>/dev/null)" = 0:x
  rm -f "$HOME/own"
  err=$("$RF" run "${W[@]}" --dangerously-allow-writable-root "$top/home" -- sh -c "echo x > '$top/home/$marker'" 2>&1); rc=$?
  claim "$be: --dangerously-allow-writable-root HOME's parent runs, writes there, and warns" \
    test "$rc:$(cat "$top/home/$marker" 2>/dev/null):$(has "WARNING: --dangerously-allow-writable-root: $top/home" "$err" && echo warned)" = "0:x:warned"
  rm -f "$top/home/$marker"
  "$RF" run "${W[@]}" --dangerously-allow-writable-root "$top/home" --writable-root /etc -- sh -c "echo x > /etc/$marker" 2>/dev/null; rc=$?
  claim "$be: the dangerous flag for one root does not let another through" test "$rc" = 125 -a ! -e "/etc/$marker"
done
expl=$("$RF" explain -s workspace-write "${NOTMP[@]}" --dangerously-allow-writable-root "$top/home" -- true 2>/dev/null)
claim "explain marks a root let through by the dangerous flag" \
  has "DANGEROUS: $top/home is a parent of your home directory" "$expl"
json_root=$("$RF" explain --json -s workspace-write "${NOTMP[@]}" --dangerously-allow-writable-root "$top/home" -- true 2>/dev/null |
  python3 -c "import json,sys; d=json.load(sys.stdin); print([r['dangerous'] is not None for r in d['writable_roots'] if r['path']=='$top/home'])")
claim "explain --json says which root is dangerous" test "$json_root" = "[True]"
err=$("$RF" explain -s workspace-write "${NOTMP[@]}" --writable-root "$top/home" -- true 2>&1 >/dev/null); rc=$?
claim "explain refuses HOME's parent (125) with run's words" \
  test "$rc:$(has "parent of your home directory" "$err" && has "dangerously-allow-writable-root $top/home" "$err" && echo said)" = 125:said
chk=$("$RF" check -c 'sandbox_mode="workspace-write"' -c "sandbox_workspace_write.writable_roots=[\"$top/home\"]" 2>&1); rc=$?
claim "check with a config naming HOME's parent says run would refuse it (125)" \
  test "$rc:$(has "run here would refuse: writable root '$top/home'" "$chk" && echo said)" = 125:said
cd /
"$RF" run -- true 2>/dev/null; rc=$?
cd "$ws"
claim "read-only mode in / still runs (the working directory is no writable root there)" test "$rc" = 0

# --- what an error message quotes is bounded and escaped ---------------------------------------
# short MAX NAME WANT RINGFENCE-ARGS...: exit 125, stderr under MAX bytes, naming WANT, no raw
# control character (ESC, BEL) from the input.
short() {
  local max=$1 name=$2 want=$3; shift 3
  "$RF" "$@" >/dev/null 2>"$top/err" </dev/null; local rc=$?
  local size; size=$(wc -c <"$top/err")
  if [ "$rc" = 125 ] && [ "$size" -lt "$max" ] && grep -q -F -e "$want" "$top/err" &&
     ! grep -q "$(printf '[\033\007]')" "$top/err"; then ok "$name"
  else bad "$name" "exit $rc, $size bytes: $(head -c 300 "$top/err")"; fi
}
ten_mib=$(head -c 10485760 /dev/zero | tr '\0' a)
printf 'sandbox_mode = "%s"\n' "$ten_mib" >"$top/big-value.toml"
printf '[sandbox_workspace_write]\nwritable_roots = ["/%s"]\n' "$ten_mib" >"$top/big-root.toml"
printf '[ringfence]\nprotected_names = ["a/%s"]\n' "$ten_mib" >"$top/big-name.toml"
# Twice 7 MiB: config files are read up to 16 MiB (core/util/safe-read.h).
printf 'a = 1\n"%s" = 2\n"%s" = 3\n' "${ten_mib:0:7340032}" "${ten_mib:0:7340032}" >"$top/big-key.toml"
printf 'profile = "%s"\n' "$ten_mib" >"$top/big-profile.toml"
printf 'sandbox_mode = "\\u001b]0;pwned\\u0007\\u001b[2J"\n' >"$top/control.toml"
unset ten_mib
short 1024 "a 10 MiB config value: exit 125, a message under 1 KiB naming the key and the length" \
  "(10485760 bytes)" run --config "$top/big-value.toml" -- true
short 1024 "explain says the same, as short" "key 'sandbox_mode'" explain --config "$top/big-value.toml" -- true
short 1024 "check says the same, as short" "key 'sandbox_mode'" check --config "$top/big-value.toml"
short 1024 "a 10 MiB writable root in the config: a message under 1 KiB" "bytes)" \
  run -s workspace-write --config "$top/big-root.toml" -- true
short 1024 "a 10 MiB protected name: a message under 1 KiB" "(10485762 bytes)" \
  run -s workspace-write --config "$top/big-name.toml" -- true
short 1024 "a 7 MiB TOML key defined twice: a message under 1 KiB" "defined twice" \
  run --config "$top/big-key.toml" -- true
short 1024 "a 10 MiB profile name: a message under 1 KiB" "(10485760 bytes)" \
  run --config "$top/big-profile.toml" -- true
short 1024 "control characters in a config value are shown escaped, never sent to the terminal" \
  '\x1B]0;pwned\x07' run --config "$top/control.toml" -- true
arg=$(head -c 100000 /dev/zero | tr '\0' b)
short 1024 "a 100 KB -c value: a message under 1 KiB" "(100000 bytes)" run -c "sandbox_mode=\"$arg\"" -- true
short 1024 "a 100 KB -s value: a message under 1 KiB" "(100000 bytes)" run -s "$arg" -- true
short 1024 "a 100 KB --backend name: a message under 1 KiB" "(100000 bytes)" run --backend "$arg" -- true
short 1024 "a 100 KB -p name: a message under 1 KiB" "(100000 bytes)" run -p "$arg" -- true
short 1024 "a 100 KB --pass-fd: a message under 1 KiB" "(100000 bytes)" run --pass-fd "$arg" -- true
short 1024 "a 100 KB --timeout: a message under 1 KiB" "(100000 bytes)" run --timeout "$arg" -- true
short 1024 "a 100 KB -C: a message under 1 KiB" "(100001 bytes)" run -C "/$arg" -- true
short 1100 "a 100 KB unknown option: a message of about 1 KiB" "bytes not shown" run "--$arg" -- true
short 1024 "a 100 KB subcommand: a message under 1 KiB" "(100000 bytes)" "$arg"
short 1024 "a 100 KB --request: a message under 1 KiB" "(100000 bytes)" decide --request "$arg" -- ls
short 1024 "a -C with control characters: shown escaped" '\x1B[2J' run -C "$(printf '/x\033[2Jy')" -- true
unset arg

if [ "$uid" = 0 ]; then
  AS= bind_root_claim "uid 0"
  AS= masked_proc_claims "uid 0"
elif [ -n "${RF_MASKED_BY_ROOT:-}" ]; then
  echo "NOTE: the masked-/proc claims for uid 65534 run next, by root, inside a mount namespace"
else
  skipped "masked-/proc claims" "they need root to make the mount namespace (unshare -Urm maps host files to the overflow uid, which ringfence does not trust)"
fi

echo "uid $uid: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
