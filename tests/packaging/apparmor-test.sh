#!/bin/bash
# apparmor-test.sh: the AppArmor profile for bwrap parses (apparmor_parser -Q -K: parse only, no
# kernel), and the script that installs it (through the Debian maintainer scripts) installs it only
# where AppArmor restricts unprivileged user namespaces and no profile for bwrap is loaded, and
# removes only its own copy, checked on a fixture for /proc, /sys and /etc.  With --as-nobody (as
# root) it runs again as uid/gid 65534.
# Usage: apparmor-test.sh SRC BUILD/data/apparmor/apparmor-profile [--as-nobody]
set -u
src=$(cd "$1" && pwd)
helper=$(readlink -f "$2")
profile=$src/data/apparmor/ringfence-bwrap
if [ "${3:-}" = --as-nobody ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "SKIP: the unprivileged pass needs root to switch to uid 65534 (run as root, or this pass already is unprivileged)"
    exit 77
  fi
  . "$(dirname "$0")/../lib/as-nobody.sh"
  # What the pass needs is the source's profile and scripts and the configured helper: staged in a
  # world-readable folder outside every writable root.
  stage=$(mktemp -d /var/tmp/rf-aa-stage-XXXXXX)
  trap 'rm -rf "$stage"' EXIT
  mkdir -p "$stage/src/data/apparmor" "$stage/src/debian" "$stage/src/tests/packaging"
  cp "$profile" "$stage/src/data/apparmor/"
  cp "$src"/debian/ringfence-backend-bwrap.* "$stage/src/debian/" 2>/dev/null || true
  cp "$0" "$stage/src/tests/packaging/apparmor-test.sh"
  cp "$helper" "$stage/apparmor-profile"
  chmod -R a+rX "$stage"
  as_nobody PATH=/usr/sbin:/usr/bin:/sbin:/bin bash "$stage/src/tests/packaging/apparmor-test.sh" \
    "$stage/src" "$stage/apparmor-profile"
  exit $?
fi
echo "as uid $(id -u)"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
work=$(mktemp -d /var/tmp/rf-apparmor-test-XXXXXX)
trap 'rm -rf "$work"' EXIT

# 1. The profile parses.  AppArmor 4 (Ubuntu 23.10+, where the profile is used) knows every rule;
# an older parser (Debian 12 has 3.0.8) predates the userns and mqueue rules and the 4.0 ABI, so
# the lines marked "# abi 4.0" are dropped and the 3.0 ABI named to parse all the rest.
if command -v apparmor_parser >/dev/null 2>&1; then
  version=$(apparmor_parser --version 2>/dev/null | sed -n 's/.*version \([0-9]*\)\..*/\1/p' | head -n 1)
  if [ "${version:-0}" -ge 4 ]; then
    cp "$profile" "$work/parse-me"
    what="as shipped (apparmor_parser $version.x)"
  else
    sed -e '/# abi 4\.0$/d' -e 's|^abi <abi/4\.0>,$|abi <abi/3.0>,|' "$profile" > "$work/parse-me"
    what="without its AppArmor 4 rules (apparmor_parser ${version:-?}.x predates them)"
    grep -q '^  allow userns,  # abi 4\.0$' "$profile" || fail "the bwrap profile lost its 'allow userns,' rule"
  fi
  if out=$(apparmor_parser -Q -K "$work/parse-me" 2>&1); then
    ok "the profile parses $what"
  else
    fail "apparmor_parser -Q -K refused the profile $what: $out"
  fi
  # The parser does check: a misspelt rule is refused.
  sed 's/allow network,/allow netwrk,/' "$work/parse-me" > "$work/broken"
  if apparmor_parser -Q -K "$work/broken" >/dev/null 2>&1; then
    fail "apparmor_parser accepted a misspelt rule: the parse check proves nothing"
  else
    ok "a misspelt rule is refused (the parse check is real)"
  fi
else
  echo "note: apparmor_parser is not installed (apt-get install apparmor): the profile was not parsed"
fi
grep -q '^profile ringfence-bwrap /usr/bin/bwrap ' "$profile" || fail "the profile does not attach to /usr/bin/bwrap"
grep -q '^# ringfence-bwrap: ' "$profile" || fail "the profile's first line is not its '# ringfence-bwrap:' header (the scripts recognise their copy by it)"

# 2. The maintainer scripts on a fixture host.
postinst=$src/debian/ringfence-backend-bwrap.postinst
prerm=$src/debian/ringfence-backend-bwrap.prerm
postrm=$src/debian/ringfence-backend-bwrap.postrm
if [ ! -f "$postinst" ]; then
  echo "note: no debian/ in $src: the maintainer scripts were not checked"
  [ "$failures" = 0 ] && exit 0 || exit 1
fi
host() { # a fresh fixture host: restrict value ("absent": no such file), loaded profiles
  rm -rf "$work/root"
  mkdir -p "$work/root/proc/sys/kernel" "$work/root/sys/kernel/security/apparmor" "$work/root/etc/apparmor.d"
  [ "$1" = absent ] || echo "$1" > "$work/root/proc/sys/kernel/apparmor_restrict_unprivileged_userns"
  printf '%s' "$2" > "$work/root/sys/kernel/security/apparmor/profiles"
}
run() { # run a maintainer script against the fixture: run SCRIPT ARG
  env RINGFENCE_APPARMOR_ROOT="$work/root" RINGFENCE_APPARMOR_DRY_RUN=1 \
    RINGFENCE_APPARMOR_PROFILE="$profile" RINGFENCE_APPARMOR_HELPER="$helper" sh "$1" "$2" 2>&1
}
installed="$work/root/etc/apparmor.d/ringfence-bwrap"
unrelated='/usr/bin/man (enforce)
unprivileged_userns (enforce)
'

host 1 "$unrelated"
out=$(run "$postinst" configure)
if cmp -s "$profile" "$installed" && echo "$out" | grep -q "would run: apparmor_parser -r -W $installed"; then
  ok "restricted host, no bwrap profile loaded: postinst installs the profile and loads it"
else fail "restricted host: postinst did not install and load the profile: $out"; fi
out=$(run "$postinst" configure)
if echo "$out" | grep -q "would run: apparmor_parser -r -W $installed" && cmp -s "$profile" "$installed"; then
  ok "postinst again (an upgrade): our copy stays and is reloaded"
else fail "postinst again: $out"; fi
echo "# ringfence-bwrap: an older version" > "$installed"
run "$postinst" configure >/dev/null
cmp -s "$profile" "$installed" && ok "an older copy of ours is replaced by the shipped one" \
  || fail "an older copy of ours was not updated"
out=$(run "$prerm" upgrade)
[ -f "$installed" ] && ok "prerm upgrade leaves the profile (the new postinst updates it)" \
  || fail "prerm upgrade removed the profile: $out"
out=$(run "$prerm" remove)
if [ ! -e "$installed" ] && echo "$out" | grep -q "would run: apparmor_parser -R $installed"; then
  ok "prerm remove unloads the profile and deletes it"
else fail "prerm remove: $out"; fi

host 0 "$unrelated"
out=$(run "$postinst" configure)
[ ! -e "$installed" ] && ! echo "$out" | grep -q "would run" \
  && ok "restriction off (sysctl 0): nothing installed, nothing loaded" \
  || fail "restriction off: the postinst installed or loaded: $out"

host absent ""
out=$(run "$postinst" configure)
[ ! -e "$installed" ] && ok "no AppArmor (no sysctl file): nothing installed" || fail "no AppArmor: $out"

host 1 'bwrap (enforce)
unpriv_bwrap (enforce)
'
out=$(run "$postinst" configure)
if [ ! -e "$installed" ] && echo "$out" | grep -q "a profile for bwrap is loaded already (bwrap)"; then
  ok "Ubuntu's bwrap profile loaded already: ours is not installed, and the script says why"
else fail "with Ubuntu's profile loaded: $out"; fi

host 1 "$unrelated"
echo "profile mine /usr/bin/bwrap { userns, }" > "$installed"
run "$postinst" configure >/dev/null
run "$prerm" remove >/dev/null
run "$postrm" purge >/dev/null
grep -q "profile mine" "$installed" 2>/dev/null \
  && ok "a file of the same name that is not ours is never replaced or removed" \
  || fail "a foreign $installed was replaced or removed"

host 1 "$unrelated"
run "$postinst" configure >/dev/null
mkdir -p "$work/root/var/cache/apparmor/abc123"
touch "$work/root/var/cache/apparmor/abc123/ringfence-bwrap"
run "$postrm" purge >/dev/null
[ ! -e "$installed" ] && [ ! -e "$work/root/var/cache/apparmor/abc123/ringfence-bwrap" ] \
  && ok "postrm purge removes a copy of ours left behind, and its cache" \
  || fail "postrm purge left our profile or its cache"

if [ "$failures" != 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "all AppArmor packaging checks passed"
