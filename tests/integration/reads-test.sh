#!/bin/bash
# reads-test.sh: read restrictions on one Linux backend (issue 14 part 2): a secret denied by path
# and by glob cannot be read, listed, copied, hard linked into reach or reached through
# /proc/self/root, symlinks or a bind of a parent; with restricted reads only the readable roots
# and the platform defaults are there, and programs still start (sh, python3, git, cc).
# Every claim checks that the command really ran (a marker it prints) and, where it can, the host.
# Usage: reads-test.sh RINGFENCE BACKEND [--as-nobody]   (BACKEND: bwrap or landlock)
# With --as-nobody (only when root), the same claims run as uid 65534 from a staged copy.
set -u
RF=$(readlink -f "${1:?usage: reads-test.sh RINGFENCE BACKEND [--as-nobody]}")
BACKEND=${2:?usage: reads-test.sh RINGFENCE BACKEND [--as-nobody]}
MODE=${3:-}
here=$(cd "$(dirname "$0")" && pwd)

if [ "$MODE" = "--as-nobody" ]; then
  . "$here/../lib/as-nobody.sh"
  rerun_as_nobody "$here/reads-test.sh" "$RF" "$BACKEND"
fi

pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
has() { grep -q -F -e "$1" <<<"$2"; }
claim() { # claim NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name" "${detail:-}"; fi
}


# Fixtures, not below /tmp (a writable root); /tmp and $TMPDIR are left out of the runs (what other
# tests leave there must not change the outcome).  Each secret holds a token that must never show.
top=$(mktemp -d /var/tmp/rf-reads-XXXXXX)
chmod 755 "$top"
trap 'cd /; rm -rf "$top"' EXIT
ws=$top/ws
out=$top/outside
mkdir -p "$ws/keys" "$ws/private/inner" "$ws/pub" "$ws/deep/er" "$out"
echo PLAIN-OK > "$ws/plain.txt"
echo TOKEN-PATH-1 > "$ws/keys/id_ed25519"          # denied by path (a file)
echo TOKEN-DIR-2 > "$ws/private/inner/notes"        # denied by path (a directory)
echo TOKEN-GLOB-3 > "$ws/server.pem"                # denied by **/*.pem (top level)
echo TOKEN-GLOB-4 > "$ws/deep/er/client.pem"        # denied by **/*.pem (two folders down)
echo TOKEN-GLOB-5 > "$ws/.env.local"                # denied by .env*
echo TOKEN-OUT-6 > "$out/token"                     # denied by path, outside any writable root
echo OUTSIDE-OK > "$out/readable"
cd "$ws" || exit 1
export HOME=$ws TMPDIR=$ws
# From the workspace: ringfence refuses plugins below the working directory (the build tree, when
# meson runs the test from there).
line=$("$RF" check 2>&1 | grep "^$BACKEND ")
case $line in
  "$BACKEND "*usable*) ;;
  *) echo "SKIP: the $BACKEND backend is not usable here: ${line:-not listed by ringfence check}"; exit 77 ;;
esac
echo "uid $(id -u), backend $BACKEND: $line"

TOKENS='TOKEN-'
DENY='ringfence.deny_read=["'$ws'/keys/id_ed25519","'$ws'/private","'$ws'/**/*.pem","'$ws'/.env*","'$out'/token"]'
run() {
  "$RF" run --backend "$BACKEND" -s workspace-write -c sandbox_workspace_write.exclude_slash_tmp=true \
    -c sandbox_workspace_write.exclude_tmpdir_env_var=true "$@"
}
# ran OUTPUT: the command ran (it printed the plain file) and no secret token showed.
clean_run() {
  detail="output: $(head -c 600 <<<"$1")"
  has PLAIN-OK "$1" && ! has "$TOKENS" "$1"
}

# --- deny-read with full reads --------------------------------------------------------------------
o=$(run -c "$DENY" -- sh -c 'cat plain.txt; cat keys/id_ed25519 private/inner/notes server.pem deep/er/client.pem .env.local '"$out"'/token' 2>&1)
claim "denied files (by path, in a denied folder, by **/*.pem, by .env*, outside the roots) cannot be read" clean_run "$o"
claim "files next to the denied ones stay readable" has PLAIN-OK "$o"

o=$(run -c "$DENY" -- sh -c 'cat plain.txt; ls -la private private/inner 2>&1; find private keys 2>&1; grep -r TOKEN . '"$out"' 2>&1; tar cf - . 2>/dev/null | strings' 2>&1)
claim "a denied folder cannot be listed, and grep -r, find and tar find no token" clean_run "$o"
claim "a denied folder's entries stay hidden from listing" eval '! has notes "$o"'

run -c "$DENY" -- sh -c 'cat plain.txt; cp keys/id_ed25519 pub/c1; cp server.pem pub/c2; cp -r private pub/c3; cat '"$out"'/token > pub/c4; dd if=deep/er/client.pem of=pub/c5 2>/dev/null' >/dev/null 2>&1
o=$(cat pub/c1 pub/c2 pub/c4 pub/c5 2>/dev/null; find pub/c3 -type f -exec cat {} + 2>/dev/null; echo PLAIN-OK)
claim "copies made inside (cp, cp -r, redirection, dd) hold no token on the host" clean_run "$o"

run -c "$DENY" -- sh -c 'ln keys/id_ed25519 pub/h1; ln server.pem pub/h2; ln '"$out"'/token pub/h3; ln private/inner/notes pub/h4' >/dev/null 2>&1
claim "hard links of denied files into a readable folder cannot be made (none on the host)" \
  test ! -e pub/h1 -a ! -e pub/h2 -a ! -e pub/h3 -a ! -e pub/h4
o=$(run -c "$DENY" -- sh -c 'cat plain.txt; ln server.pem h5 2>/dev/null && cat h5; ln keys/id_ed25519 keys/h6 2>/dev/null && cat keys/h6; rm -f h5 keys/h6' 2>&1)
claim "a hard link made next to a denied file cannot be read either" clean_run "$o"

o=$(run -c "$DENY" -- sh -c 'cat plain.txt; cat /proc/self/root'"$ws"'/server.pem /proc/self/root'"$ws"'/keys/id_ed25519 /proc/self/cwd/private/inner/notes /proc/self/root'"$out"'/token; cd keys && cat /proc/self/cwd/id_ed25519' 2>&1)
claim "/proc/self/root and /proc/self/cwd do not reach a denied file" clean_run "$o"

o=$(run -c "$DENY" -- sh -c 'cat plain.txt; ln -s '"$ws"'/server.pem pub/s1; ln -s ../private pub/s2; ln -s '"$out"' pub/s3; cat pub/s1 pub/s2/inner/notes pub/s3/token; rm -f pub/s1 pub/s2 pub/s3' 2>&1)
claim "symlinks made inside do not reach a denied file" clean_run "$o"
ln -s "$ws/keys" "$ws/pub/pre-link"
o=$(run -c "$DENY" -- sh -c 'cat plain.txt; cat pub/pre-link/id_ed25519' 2>&1)
claim "a symlink that existed before the run does not reach a denied file" clean_run "$o"
rm -f "$ws/pub/pre-link"

o=$(run -c "$DENY" -- sh -c 'cat plain.txt; mkdir -p pub/m; mount --bind '"$ws"' pub/m 2>&1; cat pub/m/server.pem; unshare -Urm sh -c "mount --bind '"$ws"' '"$ws"'/pub/m && cat '"$ws"'/pub/m/server.pem '"$ws"'/pub/m/keys/id_ed25519" 2>&1; python3 -c "
import os
fd = os.open(\"'"$ws"'\", os.O_PATH)
for p in (\"server.pem\", \"keys/id_ed25519\"):
    try: print(open(\"/proc/self/fd/%d/%s\" % (fd, p)).read())
    except OSError as e: print(\"refused\", e.errno)
"' 2>&1)
claim "a bind of a parent (mount, a new user namespace, an O_PATH descriptor of the parent) does not reach a denied file" clean_run "$o"

o=$(run -c "$DENY" -- sh -c 'cat plain.txt; mv server.pem pub/moved.pem; mv keys pub/keys2; cat pub/moved.pem pub/keys2/id_ed25519' 2>&1)
claim "renaming a denied file or its folder into a readable folder does not make it readable" clean_run "$o"
claim "a denied file cannot be renamed into a readable folder (it is still in place on the host)" \
  test ! -e pub/moved.pem -a -e server.pem
# Not claimed: renaming a folder above a denied file (keys -> pub/keys2) works under bwrap (the
# mount moves with it, so the file stays unreadable in this run); docs/security.md says so.
[ -e pub/moved.pem ] && mv pub/moved.pem server.pem
[ -e pub/keys2 ] && mv pub/keys2 keys

# --- glob bounds ---------------------------------------------------------------------------------
mkdir -p "$top/many"
for i in $(seq 1 1001); do : > "$top/many/f$i.pem"; done
rm -f "$ws/ran"
run -c 'ringfence.deny_read=["'$top'/many/*.pem"]' -- sh -c 'echo x > ran' >/dev/null 2>"$top/err"
rc=$?
detail="rc $rc: $(head -c 300 "$top/err")"
claim "a pattern matching more than 1,000 paths is refused with 125 before the command starts" \
  test "$rc" = 125 -a ! -e "$ws/ran"
claim "the refusal names the pattern and says it is refused, not truncated" \
  has "matches too many paths" "$(cat "$top/err")"
rm -rf "$top/many"

# --- restricted reads ----------------------------------------------------------------------------
RESTRICT=(-c "ringfence.readable_roots=[\"$ws\"]")
o=$(run "${RESTRICT[@]}" -- sh -c 'cat plain.txt; cat '"$out"'/readable; ls '"$top"' 2>&1; cat /root/.profile /var/log/dpkg.log 2>&1 | head -3' 2>&1)
claim "with restricted reads, a file outside the readable roots cannot be read" \
  eval 'has PLAIN-OK "$o" && ! has OUTSIDE-OK "$o"'
o=$(run "${RESTRICT[@]}" -- sh -c 'cat plain.txt; echo "print(6*7)" > t.py && python3 t.py; git --version && git hash-object plain.txt; printf "#include <stdio.h>\nint main(void){puts(\"hello-cc\");return 0;}\n" > h.c && cc -o h h.c && ./h; rm -f t.py h h.c' 2>&1)
claim "with restricted reads, sh, python3, git and cc (compile and run) still work" \
  eval 'has PLAIN-OK "$o" && has 42 "$o" && has "git version" "$o" && has hello-cc "$o"'
detail="output: $(head -c 800 <<<"$o")"
[ "$fail" -gt 0 ] && echo "$detail"
# The platform defaults that exist here, and the dynamic loader /bin/sh names (PT_INTERP).
plat=()
for p in /usr /bin /sbin /lib /lib32 /lib64 /libx32 /etc /nix/store /sys/devices/system/cpu; do
  [ -e "$p" ] && plat+=("$p")
done
interp=$(python3 -c '
import struct, sys
d = open("/bin/sh", "rb").read()
phoff, = struct.unpack_from("<Q", d, 0x20); phsz, phn = struct.unpack_from("<HH", d, 0x36)
for i in range(phn):
    t, _, off, _, _, sz = struct.unpack_from("<IIQQQQ", d, phoff + i * phsz)
    if t == 3: print(d[off:off + sz].rstrip(b"\0").decode())
' 2>/dev/null)
o=$(run "${RESTRICT[@]}" -- sh -c 'for p in "$@"; do ls "$p" >/dev/null 2>&1 && echo "LISTED $p"; done; test -r "'"$interp"'" && echo LOADER-OK; echo PLAIN-OK' sh "${plat[@]}" 2>&1)
missing=
for p in "${plat[@]}"; do has "LISTED $p" "$o" || missing="$missing $p"; done
detail="not listable inside:${missing:-} loader ${interp:-?}; output: $(head -c 300 <<<"$o")"
claim "with restricted reads, every platform default that exists here (${plat[*]}) and the loader ${interp:-?} are there" \
  eval 'test -z "$missing" && has LOADER-OK "$o"'
o=$(run "${RESTRICT[@]}" -c "$DENY" -- sh -c 'cat plain.txt; cat server.pem keys/id_ed25519 private/inner/notes; ls private' 2>&1)
claim "restricted reads and deny-read together: the readable root is there, the secrets are not" clean_run "$o"
o=$(run -c 'ringfence.readable_roots=["'$ws'"]' -c ringfence.platform_defaults=false -- /bin/true 2>&1)
rc=$?
detail="rc $rc: $o"
claim "without platform defaults, /bin/true cannot even start (nothing else is there)" test "$rc" != 0

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
