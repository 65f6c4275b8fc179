#!/bin/bash
# ubuntu-test.sh: ringfence on an imitation of Ubuntu 24.04 (AppArmor restricting unprivileged user
# namespaces: the namespace is made, every capability in it refused), with the real bwrap: check
# names the cause and the remedy that applies, auto falls back to Landlock saying why in one line
# and runs confined, --backend bwrap refuses (125), and a git repository is fully enforced.
# Usage: ubuntu-test.sh RINGFENCE [--as-nobody]   (RF_IMITATE_UBUNTU: the imitate-ubuntu helper)
# Needs root (the imitation's sysctl lives in a mount namespace); --as-nobody runs every ringfence
# as uid 65534 from a staged copy.  Every claim is checked from the host side.
set -u
RF=$(readlink -f "${1:?usage: ubuntu-test.sh RINGFENCE [--as-nobody]}")
MODE=${2:-}
here=$(cd "$(dirname "$0")" && pwd)

# Until issue 14 part 1 (Landlock keeps protected names such as .git read-only) has landed, the
# Landlock backend refuses a git repository and the last claim cannot hold.  It is an explicit
# expected failure while (and only while) the landlock backend does not declare
# protected-subpaths; once it does, the claim is strict.
XFAIL_PART1_REASON="expected to fail until issue 14 part 1 (Landlock enforcing protected-subpaths) lands"

if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the imitation needs root (its AppArmor sysctl lives in a private mount namespace; the"
  echo "      unprivileged pass switches to uid 65534 itself)"
  exit 77
fi
IMITATE=${RF_IMITATE_UBUNTU:-}
if [ -z "$IMITATE" ] || [ ! -x "$IMITATE" ]; then
  echo "SKIP: RF_IMITATE_UBUNTU does not name the imitate-ubuntu helper (meson test sets it)"
  exit 77
fi
BWRAP=$(command -v bwrap || true)
if [ -z "$BWRAP" ]; then
  echo "SKIP: no bwrap installed: the claims are about what the real bwrap hits"
  exit 77
fi

# /tmp is a writable root of every run; a protected name there (left by someone else) would make
# the Landlock backend refuse for a reason that is no part of these claims: a private /tmp.
if [ -z "${RF_UB_PRIVATE_TMP:-}" ] && command -v unshare >/dev/null; then
  export RF_UB_PRIVATE_TMP=1
  exec unshare --mount --propagation private \
    sh -c 'mount -t tmpfs -o mode=1777 ringfence-test-tmp /tmp && exec bash "$0" "$@"' "$0" "$@"
fi

top=$(mktemp -d /var/tmp/rf-ubuntu-XXXXXX)
chmod 755 "$top"
stage=
cleanup() { rm -rf "$top" ${stage:+"$stage"}; }
trap cleanup EXIT

if [ "$MODE" = "--as-nobody" ]; then
  uid=65534
  stage=$("$here/../lib/stage-for-nobody.sh" "$RF") || exit 1
  cp "$IMITATE" "$stage/bin/imitate-ubuntu" && chmod a+rx "$stage/bin/imitate-ubuntu"
  IMITATE=$stage/bin/imitate-ubuntu
  RF=$stage/bin/ringfence
  AS=(--uid "$uid")
  ENV=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp LANG=C.UTF-8 LD_LIBRARY_PATH="$stage/lib"
       RINGFENCE_BACKEND_DIR="$stage/backends" RINGFENCE_HELPER_DIR="$stage/libexec")
else
  uid=0
  AS=()
  ENV=(env -u RINGFENCE_PROBE_THOROUGH)
fi

pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
claim() { # claim NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
has() { grep -q -F -e "$1" "$2"; }

# ringfence on the imitation of Ubuntu 24.04 (the filter and the sysctl); ubuntu_filter_only: the
# same filter without the sysctl (a filter or another module, not AppArmor); ubuntu_confined: a
# caller whose AppArmor profile lacks 'userns,' (the namespace itself refused).
ubuntu() { "$IMITATE" --apparmor-sysctl "${AS[@]}" "${ENV[@]}" TMPDIR="$ws" "$RF" "$@"; }
ubuntu_filter_only() { "$IMITATE" "${AS[@]}" "${ENV[@]}" TMPDIR="$ws" "$RF" "$@"; }
ubuntu_confined() { "$IMITATE" --apparmor-sysctl --refuse-userns "${AS[@]}" "${ENV[@]}" TMPDIR="$ws" "$RF" "$@"; }

ws=$top/ws
out=$top/outside
git_ws=$top/repo
mkdir -p "$ws" "$out" "$git_ws/.git"
echo original > "$out/victim"
printf '[core]\n\trepositoryformatversion = 0\n' > "$git_ws/.git/config"
chown -R "$uid:$uid" "$ws" "$out" "$git_ws"
cd "$ws" || exit 1
echo "uid $uid; bwrap $("$BWRAP" --version 2>/dev/null); the imitation: tests/ubuntu/imitate-ubuntu.c"

# The imitation itself: the namespace is made, then what needs a capability in it is refused.
"$IMITATE" --apparmor-sysctl "${AS[@]}" "$BWRAP" --unshare-user --unshare-net --ro-bind / / true 2>"$top/bwrap-err"
claim "(imitation) bwrap gets its user namespace and is refused loopback inside it, as on Ubuntu" \
  has "loopback: Failed to create NETLINK_ROUTE socket: Operation not permitted" "$top/bwrap-err"
"$IMITATE" --apparmor-sysctl "${AS[@]}" cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns >"$top/sysctl" 2>&1
claim "(imitation) kernel.apparmor_restrict_unprivileged_userns reads 1, as on Ubuntu 24.04" \
  test "$(cat "$top/sysctl")" = 1

# --- check ---------------------------------------------------------------------------------------
ubuntu check >"$top/check" 2>&1
st=$?
ubuntu check --json >"$top/check.json" 2>"$top/check-json-err"
cause=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
b = {x["name"]: x for x in d["backends"]}
print(b["bwrap"].get("cause"), b["bwrap"]["usable"], b["landlock"]["usable"])' "$top/check.json" 2>&1)
if [ "$uid" != 0 ]; then
  claim "check names the cause: AppArmor restricting unprivileged user namespaces (exit 0: landlock works)" \
    sh -c "test $st = 0 && grep -q '^bwrap *unusable  AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1): bwrap may create one but is refused what needs a capability inside it; bwrap said: bwrap: loopback:' '$top/check'"
  claim "check gives the remedies, the one that applies here first: Landlock needs nothing, then Ubuntu's profile (not shipped here: apt install apparmor-profiles), the sysctl last and system-wide" \
    sh -c "grep -q \"remedy: the landlock backend needs nothing (--backend auto falls back to it). To use bwrap, install Ubuntu's profile for it: 'sudo apt install apparmor-profiles', copy /usr/share/apparmor/extra-profiles/bwrap-userns-restrict to /etc/apparmor.d/\" '$top/check' && grep -q \"Last resort, for the whole system: 'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0' lifts the restriction for every program\" '$top/check'"
  claim "check --json carries the cause (bwrap: apparmor-userns-restricted, unusable; landlock usable)" \
    test "$cause" = "apparmor-userns-restricted False True"
else
  # AppArmor's restriction is for processes without CAP_SYS_ADMIN: root is never restricted, so
  # the same refusals as root are a filter's (a container's), and check must not blame AppArmor.
  claim "as root, check names a filter, not AppArmor (which never restricts root), and the landlock remedy" \
    sh -c "test $st = 0 && grep -q '^bwrap *unusable  a user namespace can be created here but what needs a capability inside it is refused, and not by AppArmor.s restriction (which never restricts root)' '$top/check' && grep -q 'remedy: use the landlock backend, which needs nothing' '$top/check' && ! grep -q 'apparmor_parser' '$top/check'"
  claim "check --json carries the cause (bwrap: userns-capabilities-refused, unusable; landlock usable)" \
    test "$cause" = "userns-capabilities-refused False True"
fi

# --- run --backend auto: Landlock, one line saying why, confined ---------------------------------
rm -f "$ws/inside"
got=$(ubuntu run -s workspace-write -- /bin/sh -c "echo \$RINGFENCE_SANDBOX; echo in > '$ws/inside'; { echo x >> '$out/victim'; echo x > '$out/new'; } 2>/dev/null" 2>"$top/auto-err")
st=$?
lines=$(wc -l <"$top/auto-err")
claim "run --backend auto falls back to Landlock with exactly one line on stderr saying why" \
  sh -c "test '$got' = landlock -a $st -ne 125 -a $lines = 1 && grep -q \"^ringfence: using backend 'landlock' because bwrap is not usable (\" '$top/auto-err'"
if [ "$uid" != 0 ]; then
  claim "that line names the cause (AppArmor) and the remedy" \
    sh -c "has() { grep -q -F -e \"\$1\" '$top/auto-err'; }; has 'AppArmor restricts unprivileged user namespaces' && has 'bwrap-userns-restrict'"
fi
claim "the fallback run is confined: the write inside lands, the writes outside do not" \
  sh -c "test \"\$(cat '$ws/inside' 2>/dev/null)\" = in -a \"\$(cat '$out/victim')\" = original -a ! -e '$out/new'"

ubuntu_filter_only run -s workspace-write -- /bin/sh -c 'echo $RINGFENCE_SANDBOX' >"$top/filter-out" 2>"$top/filter-err"
st=$?
claim "without the sysctl (a filter alone refuses what bwrap needs), auto still falls back, in one line" \
  sh -c "test \"\$(cat '$top/filter-out')\" = landlock -a $st = 0 -a \$(wc -l <'$top/filter-err') = 1 && grep -q 'what needs a capability inside it is refused, and not by AppArmor' '$top/filter-err'"

# --- run --backend bwrap: refused before anything runs --------------------------------------------
rm -f "$ws/bwrap-ran"
ubuntu run --backend bwrap -s workspace-write -- /bin/sh -c "touch '$ws/bwrap-ran'" 2>"$top/bwrap-run-err"
st=$?
if [ "$uid" != 0 ]; then want="AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1)"
else want="a user namespace can be created here but what needs a capability inside it is refused"; fi
claim "run --backend bwrap exits 125 with the classifier's message and runs nothing" \
  sh -c "test $st = 125 -a ! -e '$ws/bwrap-ran' && grep -q -F \"ringfence: backend 'bwrap' cannot run here: $want\" '$top/bwrap-run-err'"

if [ "$uid" != 0 ]; then
  ubuntu_confined check --json >"$top/confined.json" 2>/dev/null
  cause=$(python3 -c 'import json,sys
print([x for x in json.load(open(sys.argv[1]))["backends"] if x["name"] == "bwrap"][0].get("cause"))' "$top/confined.json" 2>&1)
  claim "a caller confined without 'userns,' (namespace refused, EACCES): still AppArmor's restriction" \
    test "$cause" = apparmor-userns-restricted
fi

# --- a git repository: fully enforced, with no flag ----------------------------------------------
cd "$git_ws" || exit 1
before=$(sha256sum .git/config)
ubuntu run -s workspace-write -- /bin/sh -c '{ echo x >> .git/config; echo y > .git/planted; mkdir .git/hooks-new; } 2>/dev/null; echo work > done' >"$top/git-out" 2>"$top/git-err"
st=$?
enforced=0
if [ $st = 0 ] && [ "$(cat ./done 2>/dev/null)" = work ] && [ "$before" = "$(sha256sum .git/config)" ] &&
   [ ! -e .git/planted ] && [ ! -e .git/hooks-new ]; then
  enforced=1
fi
name="in a git repository the run falls back to Landlock and is fully enforced: it runs (exit 0), a write to .git fails, .git is unchanged"
landlock_holds=$(python3 -c 'import json,sys
b = [x for x in json.load(open(sys.argv[1]))["backends"] if x["name"] == "landlock"][0]
print("protected-subpaths" in b["guarantees"])' "$top/check.json" 2>&1)
if [ "$enforced" = 1 ]; then
  ok "$name"
elif [ "$landlock_holds" != True ]; then
  echo "XFAIL: $name -- $XFAIL_PART1_REASON (now: exit $st; $({ grep -m1 "not enforced" "$top/git-err" || tail -n 1 "$top/git-err"; } | head -c 300))"
else
  bad "$name" "exit $st; $(head -c 300 "$top/git-err" | tr '\n' ' ')"
fi
claim "whatever the outcome, .git is never written" \
  sh -c "test '$before' = \"\$(sha256sum .git/config)\" -a ! -e .git/planted -a ! -e .git/hooks-new"
cd / || exit 1

echo "ubuntu imitation (uid $uid): $pass passed, $fail failed"
[ $fail -eq 0 ]
