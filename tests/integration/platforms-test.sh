#!/bin/bash
# platforms-test.sh: what a plan requires fits the platform of its backend (issue 17): a plain
# workspace-write run is accepted on macOS and on Windows (unelevated and elevated) with the
# hardening no backend of ours can enforce there shown as "not available", with its meaning, by
# check, explain and --json; --require and ringfence.require insist on it; Linux is unchanged.
# Usage: platforms-test.sh RINGFENCE [--as-nobody]
set -u
RF=$(readlink -f "${1:?usage: platforms-test.sh RINGFENCE [--as-nobody]}")
MODE=${2:-}
here=$(cd "$(dirname "$0")" && pwd)

if [ "$MODE" = "--as-nobody" ]; then
  . "$here/../lib/as-nobody.sh"
  rerun_as_nobody "$here/platforms-test.sh" "$RF"
fi

pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
has() { grep -q -F -e "$1" <<<"$2"; }
claim() { # claim NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}

# A workspace outside /tmp, without protected names, with no config of the user's.
top=$(mktemp -d /var/tmp/rf-platforms-XXXXXX)
chmod 755 "$top"
trap 'cd /; rm -rf "$top"' EXIT
mkdir -p "$top/ws" "$top/home"
cd "$top/ws" || exit 1
unset TMPDIR
export HOME=$top/home RINGFENCE_HOME=$top/rf-home
echo "uid $(id -u): workspace $top/ws"
NOTMP=(-c sandbox_workspace_write.exclude_slash_tmp=true)
WW=(explain -s workspace-write "${NOTMP[@]}")

# --- a plain workspace-write run is accepted on macOS and Windows --------------------------
declare -A absent=([seatbelt]="process-containment terminal-injection kernel-surface"
                   [windows]="host-unix-sockets terminal-injection kernel-surface")
declare -A shown=([seatbelt]=macOS [windows]=Windows)
for target in seatbelt windows:unelevated windows:elevated; do
  backend=${target%%:*}
  extra=()
  [ "$backend" = windows ] && extra=(-c "windows.sandbox=\"${target#*:}\"")
  out=$("$RF" "${WW[@]}" --backend "$backend" "${extra[@]}" -- make 2>&1); rc=$?
  claim "$target: explain accepts a plain workspace-write run (exit 0, nothing refused)" \
    test "$rc" -eq 0
  claim "$target: no 'would refuse' in the plan" eval '! has "would refuse" "$out"'
  claim "$target: the platform is named" has "platform: ${shown[$backend]} (backend $backend)" "$out"
  for g in ${absent[$backend]}; do
    claim "$target: $g is shown as not available on ${shown[$backend]}" \
      grep -q -E "^  $g +not available on ${shown[$backend]} " <<<"$out"
  done
  claim "$target: each absence says what it means" \
    test "$(grep -c '  what it means: ' <<<"$out")" -eq 3
  claim "$target: the mode's promises stay required and enforced" \
    grep -q -E '^  write-confined +enforced ' <<<"$out"
  claim "$target: network off stays required and enforced" \
    grep -q -E '^  network-off +enforced ' <<<"$out"

  json=$("$RF" "${WW[@]}" --backend "$backend" "${extra[@]}" --json -- make 2>/dev/null); rc=$?
  claim "$target: --json exit 0" test "$rc" -eq 0
  verdict=$(DOC=$json python3 - "$backend" "${absent[$backend]}" 2>&1 <<'EOF'
import json, os, sys
doc = json.loads(os.environ["DOC"])
backend, absent = sys.argv[1], sys.argv[2].split()
want = {"seatbelt": "macos", "windows": "windows"}[backend]
assert doc["platform"] == want, doc["platform"]
assert doc["refused"] is None, doc["refused"]
g = doc["guarantees"]
for name in absent:
    e = g[name]
    assert e["required"] is False and e["available"] is False, (name, e)
    assert len(e["not_available_means"]) > 40, (name, e)
    assert name not in doc["required_guarantees"], name
for name in ("write-confined", "network-off", "fd-isolation", "host-processes"):
    assert g[name]["required"] is True and g[name]["available"] is True, (name, g[name])
print("ok")
EOF
)
  claim "$target: --json has platform, available:false and the meaning (${verdict})" \
    test "$verdict" = ok
done

# --- Windows: per-user tools, the desktop, the console ----------------------------------------
for m in unelevated elevated; do
  out=$(env 'USERPROFILE=C:\Users\dev' 'LOCALAPPDATA=C:\Users\dev\AppData\Local' \
    "$RF" "${WW[@]}" --backend windows -c "windows.sandbox=\"$m\"" -- python 2>&1); rc=$?
  claim "windows $m: full reads grant %USERPROFILE% so per-user tools start (exit $rc)" \
    eval 'test $rc -eq 0 && has "per-user folder %USERPROFILE% C:\\Users\\dev: read grant" "$out"'
  claim "windows $m: network off stays enforced next to full reads" \
    eval 'grep -q -E "^  network-off +enforced " <<<"$out" && has "neither gives way to the other" "$out"'
done
out=$("$RF" "${WW[@]}" --backend windows -c windows.sandbox_private_desktop=false -- make 2>&1); rc=$?
claim "windows: sandbox_private_desktop = false is accepted and reported as off" \
  eval 'test $rc -eq 0 && grep -q -E "^  desktop-isolation +off \(sandbox_private_desktop = false\)" <<<"$out"'
out=$(SSH_CONNECTION="10.0.0.2 5000 10.0.0.1 22" "$RF" "${WW[@]}" --backend windows -- make 2>&1); rc=$?
claim "windows: in an SSH session the private desktop is skipped with a note, run accepted" \
  eval 'test $rc -eq 0 && has "private desktop skipped: this is an SSH session (SSH_CONNECTION is set)" "$out"'
out=$("$RF" "${WW[@]}" --backend windows --pty -- make 2>&1)
claim "windows: --pty puts a ConPTY in the plan" has "ConPTY (--pty): the command gets a pseudo console" "$out"
out=$("$RF" "${WW[@]}" --backend windows -- make 2>&1)
claim "windows: without --pty the plan says ConPTY comes when stdin is a console" \
  has "ConPTY when standard input is a console (decided at launch)" "$out"
# Issue 19: the plan names each path capability; Windows derives the SID at launch, so a plan
# rendered here shows the name and no SID computed by ringfence.
ws_lower=$(pwd | tr 'A-Z' 'a-z')
claim "windows: the plan shows the capability name a writable root's SID is derived from" \
  eval 'has "capability name:ringfence/v1/write/$ws_lower write $(pwd)" "$out" && has "allow name:ringfence/v1/write/$ws_lower self=" "$out" && has "DeriveCapabilitySidsFromName" "$out"'
claim "windows: ... and no SID computed here" eval '! grep -q -E "S-1-15-3-1024-[0-9]" <<<"$out"'

# --- insisting: --require and ringfence.require -------------------------------------------
out=$("$RF" "${WW[@]}" --backend seatbelt --require kernel-surface -- make 2>&1); rc=$?
claim "--require kernel-surface on macOS refuses (125)" test "$rc" -eq 125
claim "--require: the refusal names the guarantee and why it is required" \
  eval 'has "not enforced: kernel-surface" "$out" && has "required by --require or ringfence.require" "$out"'
out=$("$RF" "${WW[@]}" --backend windows -c 'ringfence.require=["terminal-injection"]' -- make 2>&1)
rc=$?
claim "ringfence.require = [\"terminal-injection\"] on Windows refuses (125)" test "$rc" -eq 125
claim "ringfence.require: the refusal names terminal-injection" \
  has "not enforced: terminal-injection" "$out"
json=$("$RF" "${WW[@]}" --backend seatbelt --require process-containment --json -- make 2>/dev/null)
claim "--json marks an insisted guarantee required and insisted" \
  has '"process-containment":{"required":true,"enforced":false,"available":false,"insisted":true}' "$json"
out=$("$RF" "${WW[@]}" --backend seatbelt --require no-such-thing -- make 2>&1); rc=$?
claim "--require of an unknown name is refused (125) listing the names" \
  eval 'test $rc -eq 125 && has "is no guarantee: use one of write-confined" "$out"'
out=$("$RF" "${WW[@]}" --backend seatbelt --require kernel-surface --allow-degraded -- make 2>&1); rc=$?
claim "--require with --allow-degraded: accepted, shown as degraded" \
  eval 'test $rc -eq 0 && grep -q -E "^  kernel-surface +NOT ENFORCED \(degraded\)" <<<"$out"'

# --- the promises are required on every platform --------------------------------------------
out=$("$RF" "${WW[@]}" --backend windows -c 'ringfence.readable_roots=["/usr"]' -- make 2>&1); rc=$?
claim "restricted reads on Windows (a promise AppContainers cannot keep) still refuse (125)" \
  eval 'test $rc -eq 125 && has "not enforced: restricted-read" "$out"'

# --- Linux: nothing changes -----------------------------------------------------------------
for backend in bwrap landlock; do
  json=$("$RF" "${WW[@]}" --backend "$backend" --json -- true 2>/dev/null)
  verdict=$(python3 -c '
import json, sys
doc = json.load(sys.stdin)
assert doc["platform"] == "linux", doc["platform"]
for name in ("process-containment", "terminal-injection", "kernel-surface", "host-unix-sockets",
             "host-processes", "fd-isolation"):
    assert name in doc["required_guarantees"], name
    assert doc["guarantees"][name]["available"] is True, name
print("ok")' <<<"$json" 2>&1)
  claim "$backend: every hardening guarantee stays required on Linux ($verdict)" test "$verdict" = ok
done
# The mode's promises stay required on Linux too (restricted reads here).
json=$("$RF" "${WW[@]}" --backend bwrap -c 'ringfence.readable_roots=["/usr"]' --json -- true 2>/dev/null)
claim "bwrap: restricted reads stay required on Linux (a promise)" \
  has '"restricted-read":{"required":true' "$json"

# --- writable roots through symlinks: one rule on every backend -------------------------------
# Granted as the directory they resolve to; refused when a link on the way lies inside a writable
# root (a sandboxed command could swap it before the next run).  Host-side evidence only.
mkdir -p "$top/target-out" "$top/target-in/sub"
ln -s "$top/target-out" "$top/link-out"        # outside every writable root
ln -s "$top/target-in" "$top/ws/link-in"       # inside the workspace, a writable root
RUNBACKENDS=(bwrap)
"$RF" check 2>/dev/null | grep -q '^landlock *usable' && RUNBACKENDS+=(landlock)
for backend in "${RUNBACKENDS[@]}"; do
  rm -f "$top/target-out/f" "$top/target-in/sub/f"
  "$RF" run -s workspace-write "${NOTMP[@]}" --backend "$backend" --writable-root "$top/link-out" \
    -- sh -c "echo ok > '$top/link-out/f'" >/dev/null 2>&1
  rc=$?
  claim "$backend: a root through a link outside the writable roots is granted as its target (rc $rc)" \
    eval 'test $rc -eq 0 && test "$(cat "$top/target-out/f" 2>/dev/null)" = ok'
  out=$("$RF" run -s workspace-write "${NOTMP[@]}" --backend "$backend" --writable-root link-in/sub \
    -- sh -c "echo bad > '$top/target-in/sub/f'" 2>&1)
  rc=$?
  claim "$backend: a root through a link inside a writable root is refused (125), nothing run" \
    eval 'test $rc -eq 125 && test ! -e "$top/target-in/sub/f"'
  claim "$backend: the refusal names the link and the directory to name instead" \
    eval 'has "goes through the symlink" "$out" && has "$top/target-in/sub" "$out"'
done
rm -f "$top/ws/link-in"

# --- check ------------------------------------------------------------------------------------
out=$("$RF" check 2>&1)
for g in process-containment terminal-injection kernel-surface; do
  claim "check: not available on macOS: $g, with its meaning" \
    grep -q -E "not available on macOS: $g \(.{40,}\)" <<<"$out"
done
for g in host-unix-sockets terminal-injection kernel-surface; do
  claim "check: not available on Windows: $g, with its meaning" \
    grep -q -E "not available on Windows: $g \(.{40,}\)" <<<"$out"
done
claim "check: nothing is 'not available on Linux'" eval '! has "not available on Linux" "$out"'
json=$("$RF" check --json 2>/dev/null)
verdict=$(python3 -c '
import json, sys
doc = json.load(sys.stdin)
b = {x["name"]: x for x in doc["backends"]}
assert [x["name"] for x in b["seatbelt"]["not_available"]] == ["process-containment", "terminal-injection", "kernel-surface"], b["seatbelt"]
assert b["seatbelt"]["platform"] == "macos"
assert [x["name"] for x in b["windows"]["not_available"]] == ["host-unix-sockets", "terminal-injection", "kernel-surface"], b["windows"]
assert all(len(x["means"]) > 40 for x in b["windows"]["not_available"])
assert b["bwrap"]["not_available"] == [] and b["bwrap"]["platform"] == "linux"
print("ok")' <<<"$json" 2>&1)
claim "check --json: platform and not_available per backend ($verdict)" test "$verdict" = ok

echo "platforms: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
