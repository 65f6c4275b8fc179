#!/bin/bash
# permissions-test.sh: permission profiles as agent users write them (default_permissions,
# [permissions.NAME] with filesystem and network entries): parsed, resolved, shown by explain (and
# --json), refused where ringfence cannot honour them, and enforced by a real run on both Linux
# backends.  Usage: permissions-test.sh RINGFENCE [--as-nobody]
# With --as-nobody (only when root), the same claims run as uid 65534 from a staged copy.
set -u
RF=$(readlink -f "${1:?usage: permissions-test.sh RINGFENCE [--as-nobody]}")
MODE=${2:-}
here=$(cd "$(dirname "$0")" && pwd)

if [ "$MODE" = "--as-nobody" ]; then
  . "$here/../lib/as-nobody.sh"
  rerun_as_nobody "$here/permissions-test.sh" "$RF"
fi

pass=0 fail=0 skip=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
has() { grep -q -F -e "$1" <<<"$2"; }
claim() { # claim NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name" "${detail:-}"; fi
}
# expect NAME WANT-STATUS WANT-TEXT COMMAND...: runs COMMAND, checks status and output.
expect() {
  local name=$1 want_rc=$2 want_text=$3; shift 3
  local out rc
  out=$("$@" 2>&1 </dev/null); rc=$?
  if [ "$rc" = "$want_rc" ] && has "$want_text" "$out"; then ok "$name"
  else bad "$name" "exit $rc (want $want_rc), output: $(head -c 600 <<<"$out")"; fi
}

top=$(mktemp -d /var/tmp/rf-perms-XXXXXX)
chmod 755 "$top"
trap 'cd /; rm -rf "$top"' EXIT
ws=$top/ws
mkdir -p "$top/home" "$ws/docs" "$ws/deep/er" "$top/data" "$top/other"
export RINGFENCE_HOME=$top/home HOME=$top/home
unset TMPDIR
cd "$ws" || exit 1
echo PLAIN-OK > plain.txt
echo TOKEN-1 > server.pem
echo TOKEN-2 > deep/er/client.pem
echo TOKEN-3 > .env.local
echo DATA-OK > "$top/data/d"
echo OTHER-SECRET > "$top/other/o"
CFG=$top/home/config.toml
cat > "$CFG" <<EOF
model = "some-model"
default_permissions = "project"

[permissions.project.filesystem]
":minimal" = "read"
":project_roots" = { "." = "write", "**/*.pem" = "none", ".env*" = "none" }
"$top/data" = "read"
glob_scan_max_depth = 4

[permissions.project.network]
enabled = false

[permissions.reader.filesystem]
":root" = "read"
"$top/other" = "none"
EOF

# --- explain ------------------------------------------------------------------------
out=$("$RF" explain --backend bwrap -- true 2>&1); rc=$?
detail="exit $rc: $(head -c 800 <<<"$out")"
claim "explain reads a config with default_permissions and a profile" test "$rc" = 0
claim "explain names the profile and where default_permissions came from" \
  has "default_permissions = \"project\"" "$out"
claim "explain lists the profile's entries with their origins" \
  has "permissions.project.filesystem.\":project_roots\".\"**/*.pem\" = \"none\"  # $CFG:" "$out"
claim "the profile makes the mode workspace-write (it writes the working directory)" \
  has "sandbox mode: workspace-write" "$out"
claim "only the working directory is writable (no /tmp, no \$TMPDIR)" \
  eval 'has "  $ws  (working directory)" "$out" && ! has "  /tmp  (/tmp)" "$out"'
claim "reads are restricted, with the platform defaults, and the data folder is readable" \
  eval 'has "reads: restricted (readable roots, writable roots and the platform" "$out" && has "readable: $top/data" "$out"'
claim "the patterns are expanded and every match is listed" \
  eval 'has "unreadable: $ws/server.pem" "$out" && has "unreadable: $ws/deep/er/client.pem" "$out" && has "unreadable: $ws/.env.local" "$out"'
js=$("$RF" explain --json --backend bwrap -- true 2>&1)
detail="$(head -c 600 <<<"$js")"
claim "explain --json carries the profile and the resolved reads" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
s = json.dumps(d)
assert "\"permission_profile\"" in s and "\"project\"" in s, "profile"
assert "\"deny_read\"" in s and "server.pem" in s, "deny_read"
assert "\"restricted\"" in s, "reads"
' "$js"

out=$("$RF" explain -c default_permissions=reader -- true 2>&1)
claim "-c default_permissions picks another profile: full reads, one folder denied, read-only" \
  eval 'has "reads: full" "$out" && has "unreadable: $top/other" "$out" && has "sandbox mode: read-only" "$out"'
out=$("$RF" explain -c 'default_permissions=":workspace"' -- true 2>&1)
claim "the built-in :workspace is workspace-write with the usual roots" \
  eval 'has "sandbox mode: workspace-write" "$out" && has "  $ws  (working directory)" "$out"'
out=$("$RF" explain -s read-only -- true 2>&1)
claim "-s on the command line wins over default_permissions (and explain says so)" \
  eval 'has "sandbox mode: read-only" "$out" && has "overridden by flag -s" "$out"'
out=$("$RF" explain -c 'permissions.project.filesystem={":minimal"="read", ":project_roots"="read"}' -- true 2>&1)
claim "-c replaces a profile's table entry by entry (now read-only)" has "sandbox mode: read-only" "$out"

# --- refusals -------------------------------------------------------------------------
printf 'default_permissions = "p"\n[permissions.p.filesystem]\n":home" = "read"\n' > "$top/bad.toml"
expect "an unknown special name is an error naming the key, the file and the line" 125 \
  "$top/bad.toml:3:" "$RF" explain --config "$top/bad.toml" -- true
expect "an unknown special name via -c is an error too" 125 "unknown special path" \
  "$RF" explain -c 'permissions.project.filesystem={":cwd"="write"}' -- true
expect "an unknown key in a profile's network table is refused (domain rules need a proxy)" 125 \
  "network.allowed_domains" "$RF" explain -c 'permissions.project.network={allowed_domains=["x.org"]}' -- true
expect "an unknown table in a profile is refused" 125 "permissions.project.workspace_roots" \
  "$RF" explain -c 'permissions.project.workspace_roots={}' -- true
expect "\"read\" on a glob pattern is refused" 125 "patterns deny reads only" \
  "$RF" explain -c 'permissions.project.filesystem={":project_roots"={"*.txt"="read"}}' -- true
expect "a subpath with .. is refused" 125 "without '.' or '..'" \
  "$RF" explain -c 'permissions.project.filesystem={":project_roots"={"../x"="write"}}' -- true
expect "a relative path is refused" 125 "must be absolute" \
  "$RF" explain -c 'permissions.project.filesystem={"etc"="read"}' -- true
expect "an access other than none, read or write is refused" 125 'expected "none", "read" or "write"' \
  "$RF" explain -c 'permissions.project.filesystem={"/etc"="rw"}' -- true
expect "\":root\" = \"write\" is refused (that is danger-full-access)" 125 "danger-full-access" \
  "$RF" explain -c 'permissions.project.filesystem={":root"="write"}' -- true
expect "a read-only folder inside a writable one is refused" 125 "inside a folder the profile makes writable" \
  "$RF" explain -c 'permissions.project.filesystem={":project_roots"={"."="write","docs"="read"}}' -- true
expect "an undefined profile is refused, naming the defined ones" 125 "defined: project" \
  "$RF" explain -c default_permissions=nope -- true
expect "an unknown built-in profile is refused" 125 "unknown built-in profile" \
  "$RF" explain -c 'default_permissions=":bogus"' -- true
expect "default_permissions with sandbox_mode in the config is a contradiction, refused" 125 \
  "do not compose" "$RF" explain -c sandbox_mode=workspace-write -- true
expect "glob_scan_max_depth = 0 is refused" 125 "from 1 to 64" \
  "$RF" explain -c 'permissions.project.filesystem={glob_scan_max_depth=0}' -- true

# --- runs on both Linux backends ------------------------------------------------------------
for backend in bwrap landlock; do
  line=$("$RF" check 2>&1 | grep "^$backend ")
  case $line in
    "$backend "*usable*) ;;
    *) echo "SKIP: $backend runs (not usable here: $line)"; skip=$((skip + 1)); continue ;;
  esac
  rm -f "$ws/written"
  o=$("$RF" run --backend "$backend" -- sh -c 'cat plain.txt '"$top"'/data/d; cat server.pem deep/er/client.pem .env.local; echo w > written; ls '"$top"'/other 2>&1; cat /etc/hostname >/dev/null && echo ETC-OK' 2>&1)
  detail="output: $(head -c 600 <<<"$o")"
  claim "$backend: the profile runs: the working directory and data folder are read, the working directory written" \
    eval 'has PLAIN-OK "$o" && has DATA-OK "$o" && has ETC-OK "$o" && test -s "$ws/written"'
  claim "$backend: the profile's \"none\" patterns are unreadable" eval '! has TOKEN- "$o"'
  claim "$backend: what the profile does not name is not readable (restricted reads)" \
    eval '! has OTHER-SECRET "$o"'
  o=$("$RF" run --backend "$backend" -c default_permissions=reader -- sh -c 'cat plain.txt; cat '"$top"'/other/o; echo w > written2' 2>&1)
  detail="output: $(head -c 600 <<<"$o")"
  claim "$backend: a read-only profile with full reads denies its \"none\" folder and writes nothing" \
    eval 'has PLAIN-OK "$o" && ! has OTHER-SECRET "$o" && test ! -e "$ws/written2"'
  # :workspace makes /tmp writable too, and what other tests leave there (a .git) makes the
  # Landlock backend refuse for protected-subpaths, which is another claim's business.
  if [ "$backend" = bwrap ]; then
    rm -f "$ws/written3"
    "$RF" run --backend "$backend" -c 'default_permissions=":workspace"' -- sh -c 'echo w > written3' >/dev/null 2>&1
    claim "$backend: default_permissions = \":workspace\" writes the working directory (it used to run read-only)" \
      test -s "$ws/written3"
  fi
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
