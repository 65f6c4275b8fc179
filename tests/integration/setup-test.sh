#!/bin/bash
# setup-test.sh: `ringfence setup [--backend NAME] [--remove] [--dry-run]` calls the backend's own
# setup entry: the Windows plan (refused off Windows), the bwrap backend's AppArmor profile (plan,
# "not needed" on this kernel, root only; installed and removed on a fixture host that restricts
# user namespaces), a backend without setup, an unknown one.  Host-side evidence: the profile file
# in /etc/apparmor.d (or the fixture's) is there or not afterwards.
# Usage: setup-test.sh RINGFENCE SRC INSTALLER [--as-nobody]
# With --as-nobody (only when root), the same claims run as uid 65534 from a staged copy.
set -u
RF=$(readlink -f "${1:?usage: setup-test.sh RINGFENCE SRC INSTALLER [--as-nobody]}")
SRC=${2:?}
INSTALLER=${3:?}
MODE=${4:-}

if [ "$MODE" = "--as-nobody" ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  . "$here/../lib/as-nobody.sh"
  rerun_as_nobody "$here/setup-test.sh" "$RF" "$SRC" "$INSTALLER"
fi

pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
has() { grep -q -e "$1" <<<"$2"; }
claim() { # claim NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
run() { # run ARGS...: sets $out (stdout and stderr) and $rc
  out=$("$RF" "$@" 2>&1); rc=$?
}

uid=$(id -u)
echo "uid $uid"
top=$(mktemp -d /var/tmp/rf-setup-XXXXXX)
chmod 755 "$top"
trap 'rm -rf "$top"' EXIT
cd "$top" || exit 1

# ---- windows: the plugin's plan, on every OS; carrying it out needs Windows ----
run setup --windows --dry-run
claim "setup --windows --dry-run (the old spelling) prints the Windows plan, exit 0" \
  test "$rc:$(has '^setup plan:' "$out" && has 'add wfp-filter' "$out" && has 'add local-user ringfence-offline' "$out" && echo y)" = 0:y
run setup --backend windows --remove --dry-run
claim "setup --backend windows --remove --dry-run prints the removal plan, exit 0" \
  test "$rc:$(has '^removal plan:' "$out" && has 'remove wfp-provider' "$out" && echo y)" = 0:y
run setup --backend windows
claim "setup --backend windows refuses to change this non-Windows machine (125), after its plan" \
  test "$rc:$(has 'cannot run on this one' "$out" && has 'add local-group' "$out" && echo y)" = 125:y
run setup --windows --backend bwrap
claim "--windows with another --backend is refused (125)" test "$rc:$(has 'name one' "$out" && echo y)" = 125:y

# ---- a backend without setup, and one that does not exist ----
run setup --backend landlock
claim "a backend without a setup step says so and exits 0 (named explicitly)" \
  test "$rc:$out" = "0:backend landlock has no setup step: nothing to set up"
run setup --backend landlock --remove
claim "... and with --remove" test "$rc:$out" = "0:backend landlock has no setup step: nothing to set up"
run setup --backend no-such-backend
claim "an unknown backend is refused (125), naming the installed ones" \
  test "$rc:$(has "no backend named 'no-such-backend' is installed" "$out" && has 'bwrap' "$out" && echo y)" = 125:y

# ---- bwrap on this host ----
host_profile=/etc/apparmor.d/ringfence-bwrap
restrict=$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null || echo absent)
existed=no; [ -e "$host_profile" ] && existed=yes
run setup --dry-run
claim "setup --dry-run sets up this platform's default backend (bwrap): the profile plan, exit 0" \
  test "$rc:$(has "add file $host_profile: a copy of" "$out" && has 'load profiles ringfence-bwrap' "$out" && echo y)" = 0:y
if [ "$restrict" != 1 ]; then
  claim "the plan says this kernel needs no profile (apparmor_restrict_unprivileged_userns: $restrict)" \
    has "here: not needed: kernel.apparmor_restrict_unprivileged_userns is $restrict" "$out"
  run setup --backend bwrap
  if [ "$uid" = 0 ]; then
    claim "as root, a real run says it is not needed, exit 0, and changes nothing" \
      test "$rc:$(has '^not needed here: ' "$out" && has 'nothing was changed' "$out" && echo y):$([ -e "$host_profile" ] && echo yes || echo no)" = "0:y:$existed"
  else
    claim "as uid $uid, a real run needs root: clear message, 125, nothing changed" \
      test "$rc:$(has 'needs root' "$out" && has 'sudo ringfence setup --backend bwrap' "$out" && echo y):$([ -e "$host_profile" ] && echo yes || echo no)" = "125:y:$existed"
  fi
else
  echo "note: this kernel restricts user namespaces; the host claims are made on the fixture only"
fi
run setup --backend bwrap --remove --dry-run
claim "setup --backend bwrap --remove --dry-run prints the removal plan, exit 0" \
  test "$rc:$(has '^removal plan:' "$out" && has "apparmor_parser -R $host_profile" "$out" && echo y)" = 0:y
if [ "$uid" != 0 ]; then
  run setup --backend bwrap --remove
  claim "as uid $uid, a real --remove needs root (125)" test "$rc:$(has 'needs root' "$out" && echo y)" = 125:y
fi

# ---- bwrap on a fixture host that restricts user namespaces (apparmor_parser only printed) ----
fx=$top/host
mkdir -p "$fx/proc/sys/kernel" "$fx/sys/kernel/security/apparmor" "$fx/etc/apparmor.d"
echo 1 > "$fx/proc/sys/kernel/apparmor_restrict_unprivileged_userns"
echo "firefox (enforce)" > "$fx/sys/kernel/security/apparmor/profiles"
export RINGFENCE_APPARMOR_ROOT=$fx RINGFENCE_APPARMOR_DRY_RUN=1
[ -r "$SRC/data/apparmor/ringfence-bwrap" ] && export RINGFENCE_APPARMOR_PROFILE=$SRC/data/apparmor/ringfence-bwrap
[ -x "$INSTALLER" ] && export RINGFENCE_APPARMOR_HELPER=$INSTALLER
target=$fx/etc/apparmor.d/ringfence-bwrap
run setup --backend bwrap --dry-run
claim "fixture: the plan says the profile is needed there, and --dry-run writes nothing" \
  test "$rc:$(has 'here: needed' "$out" && echo y):$([ -e "$target" ] && echo present)" = "0:y:"
if [ "$uid" = 0 ]; then
  run setup --backend bwrap
  claim "fixture, root: setup installs and loads the profile (the file is ringfence's copy)" \
    test "$rc:$(has 'apparmor_parser -r -W' "$out" && echo y):$(cmp -s "$RINGFENCE_APPARMOR_PROFILE" "$target" && echo same)" = "0:y:same"
  run setup --backend bwrap --remove
  claim "fixture, root: --remove unloads and deletes it" \
    test "$rc:$(has 'apparmor_parser -R' "$out" && echo y):$([ -e "$target" ] && echo present)" = "0:y:"
  run setup --backend bwrap --remove
  claim "fixture, root: --remove again: not installed, nothing to remove (0)" \
    test "$rc:$(has '^not installed: nothing to remove' "$out" && echo y)" = "0:y"
  echo "# someone else's" > "$target"
  run setup --backend bwrap
  claim "fixture, root: a file of that name ringfence did not write is refused (125) and kept" \
    test "$rc:$(has 'ringfence did not write it' "$out" && echo y):$(cat "$target")" = "125:y:# someone else's"
  run setup --backend bwrap --remove
  claim "fixture, root: ... and not removed either (125)" \
    test "$rc:$(cat "$target")" = "125:# someone else's"
  rm -f "$target"
  echo "bwrap (enforce)" >> "$fx/sys/kernel/security/apparmor/profiles"
  run setup --backend bwrap
  claim "fixture, root: with Ubuntu's profile for bwrap loaded, not needed (0), nothing written" \
    test "$rc:$(has 'not needed here: a profile for bwrap is loaded already (bwrap)' "$out" && echo y):$([ -e "$target" ] && echo present)" = "0:y:"
else
  run setup --backend bwrap
  claim "fixture, uid $uid: a real run needs root (125), nothing written" \
    test "$rc:$(has 'needs root' "$out" && echo y):$([ -e "$target" ] && echo present)" = "125:y:"
fi
unset RINGFENCE_APPARMOR_ROOT RINGFENCE_APPARMOR_DRY_RUN RINGFENCE_APPARMOR_PROFILE RINGFENCE_APPARMOR_HELPER

"$RF" setup --help >/dev/null
claim "'setup --help' works" test $? -eq 0
claim "'setup --help' names --backend" has '--backend=NAME' "$("$RF" setup --help)"

echo "uid $uid: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
