#!/bin/bash
# guard-test.sh: protected paths under the Landlock backend (issue 14, part 1).  A git repository
# (with .envrc, a nested repository and a vendored one) is the workspace; every attack runs inside
# `ringfence run --backend landlock -s workspace-write` and is then checked from the host side: the
# protected trees keep every entry, inode, mode, link count, size and mtime, and their files their
# content.  Each attack command ends by leaving a marker in the workspace, so a run that did not
# happen (the refusal of a git repository before this change) fails the claim instead of passing it.
# Also: git reads work inside, git commit fails with EROFS, builds work.
# Usage: guard-test.sh RINGFENCE [--as-nobody]
set -u
RF=$(readlink -f "${1:?usage: guard-test.sh RINGFENCE [--as-nobody]}")
MODE=${2:-}
here=$(cd "$(dirname "$0")" && pwd)

# /tmp is a writable root of every run; what others leave there must not decide these claims.
if [ "$(id -u)" = 0 ] && [ -z "${RF_LL_PRIVATE_TMP:-}" ] && command -v unshare >/dev/null; then
  export RF_LL_PRIVATE_TMP=1
  exec unshare --mount --propagation private \
    sh -c 'mount -t tmpfs -o mode=1777 ringfence-test-tmp /tmp && exec bash "$0" "$@"' "$0" "$@"
fi

if [ "$MODE" = "--as-nobody" ]; then
  . "$here/../lib/as-nobody.sh"
  rerun_as_nobody "$here/guard-test.sh" "$RF"
fi

pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
claim() { # claim NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}

abi_line=$("$RF" check 2>/dev/null | grep '^landlock')
if ! grep -q 'landlock *usable' <<<"$abi_line"; then
  echo "SKIP: Landlock is not usable here: $abi_line"
  exit 77
fi
for tool in git python3; do
  if ! command -v $tool >/dev/null; then
    echo "SKIP: $tool is needed for these claims"
    exit 77
  fi
done
echo "uid $(id -u); $abi_line"

top=$(mktemp -d /var/tmp/rf-guard-XXXXXX)
chmod 755 "$top"
trap 'rm -rf "$top"' EXIT
ws=$top/ws
mkdir -p "$ws"
cd "$ws" || exit 1
export TMPDIR=$ws HOME=$top GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.org
git init -q . && echo one > tracked && git add tracked && git commit -qm one || exit 1
echo 'export SECRET=1' > .envrc
mkdir -p sub lib/vendor
(cd sub && git init -q . && echo s > s && git add s && git commit -qm s) || exit 1
(cd lib/vendor && git init -q .) || exit 1
echo keep > plain

# Everything protected, as the host sees it.
snapshot() {
  (cd "$ws" && find .git .envrc sub/.git lib/vendor/.git -printf '%p %i %m %n %s %T@ %y %l\n' | sort
   cat .git/config .git/HEAD .envrc sub/.git/config | md5sum)
}
before=$(snapshot)
held() { # held MARKER: the run happened (its marker exists) and nothing protected changed
  local now
  now=$(snapshot)
  if [ ! -e "$ws/$1" ]; then echo "  (the command did not run: no marker $1)"; return 1; fi
  rm -f "$ws/$1"
  local was=$before
  before=$now # each claim on its own: a failed one does not fail those after it
  if [ "$now" != "$was" ]; then diff <(echo "$was") <(echo "$now") | head -5; return 1; fi
}
held_and() { # held_and MARKER COMMAND...: held, and the command's own check
  held "$1" || return 1
  shift
  "$@"
}
run() { "$RF" run --backend landlock -s workspace-write "$@"; }

# --- the refusal is gone: a git repository runs, confined -------------------------------------------
err=$(run -- sh -c 'touch ran' 2>&1)
rc=$?
claim "a git workspace runs under Landlock with no flag: exit 0, no guarantee reported missing" \
  sh -c "test $rc -eq 0 -a -e ran && ! grep -q 'not enforced' <<'EOF'
$err
EOF"
rm -f ran

# --- writes to existing protected files, by every flag ------------------------------------------------
run -- sh -c 'echo x >> .git/config; echo x > .git/HEAD; echo x > .envrc; true > .git/new; touch .git/new2 sub/.git/new; touch m1' 2>/dev/null
claim "appends, truncating writes and new files in .git, .envrc and a nested .git fail" held m1
run -- python3 -c '
import os
for path, flags in ((".git/config", os.O_WRONLY), (".git/config", os.O_RDWR), (".git/config", os.O_RDONLY | os.O_TRUNC),
                    (".envrc", os.O_WRONLY | os.O_CREAT), (".git/config", os.O_WRONLY | os.O_CREAT | os.O_APPEND),
                    ("lib/vendor/.git/config", os.O_WRONLY | os.O_TRUNC), (".git", os.O_RDWR | os.O_CREAT)):
    try:
        fd = os.open(path, flags, 0o644); os.write(fd, b"x"); os.close(fd)
    except OSError: pass
for path in (".git/config", ".envrc"):
    try: os.truncate(path, 0)
    except OSError: pass
open("m2", "w").close()' 2>/dev/null
claim "O_WRONLY, O_RDWR, O_TRUNC, O_CREAT of an existing protected file and truncate() fail" held m2

err=$(run -- python3 -c '
import os
try:
    os.open(".git/config", os.O_WRONLY)
except OSError as e:
    print(e.errno == 30)' 2>&1)
claim "the refusal is EROFS" test "$err" = True

# --- creating, removing, renaming -----------------------------------------------------------------
run -- sh -c 'mkdir .git/hooks2; mkfifo .git/fifo; ln -s x .git/sl; rm -f .git/config; rm -rf .git sub/.git; rmdir .git/refs/tags;
  mv .git .git-moved; mv .git/config .git/c2; echo y > decoy; mv decoy .git/config; mv .envrc env2; mv decoy .envrc; touch m3' 2>/dev/null
claim "mkdir, mkfifo, symlink, rm, rm -rf, rmdir and mv in or of a protected path fail" held m3
run -- sh -c 'mv sub sub2; mv lib lib2; mkdir -p e && mv e lib/vendor; rm -rf lib; touch m4' 2>/dev/null
claim "a directory holding a nested .git cannot be renamed, replaced or removed" \
  held_and m4 sh -c "test -d '$ws/sub/.git' -a ! -e '$ws/sub2' -a ! -e '$ws/lib2'"
run -- python3 -c '
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
os.mkdir("swap")
# renameat2(AT_FDCWD, "swap", AT_FDCWD, ".git", RENAME_EXCHANGE); 316 is x86-64, 276 aarch64
nr = {"x86_64": 316, "aarch64": 276}.get(os.uname().machine)
if nr: libc.syscall(nr, -100, b"swap", -100, b".git", 2); libc.syscall(nr, -100, b"swap", -100, b"sub", 2)
open("m5", "w").close()' 2>/dev/null
claim "renameat2(RENAME_EXCHANGE) with .git or a directory holding one fails" \
  held_and m5 sh -c "test -d '$ws/swap' -a -d '$ws/.git/objects'"
rmdir "$ws/swap" 2>/dev/null
# With its parent a writable root too, only the guard keeps the workspace (which holds .git) in place.
run --writable-root "$top" -- sh -c "cd .. && mv '$ws' '$top/ws-moved'; rmdir '$ws'; rm -rf '$ws'; cd '$ws' && touch m6" 2>/dev/null
claim "the workspace root cannot be renamed or removed, also when its parent is a writable root" \
  held_and m6 sh -c "test ! -e '$top/ws-moved'"

# --- other names for protected files ------------------------------------------------------------------
run -- sh -c 'ln .git/config hl; echo x >> hl; ln .envrc hl2; echo x >> hl2; ln -P .git/HEAD hl3; touch m7' 2>/dev/null
claim "hard links to protected files cannot be made (nor written through)" \
  held_and m7 sh -c "! test '$ws/hl' -ef '$ws/.git/config' && ! test '$ws/hl2' -ef '$ws/.envrc' && ! test '$ws/hl3' -ef '$ws/.git/HEAD'"
run -- sh -c "ln -s .git/config sl; echo x >> sl; ln -s .git gl; echo x > gl/config; touch gl/new; echo x > sub/../.git/config;
  echo x > /proc/self/cwd/.git/config; echo x > /proc/self/root$ws/.git/config; echo x >> ././/.git/./config; touch m8" 2>/dev/null
claim "symlinks into .git, '..', /proc/self/cwd and /proc/self/root paths do not write" held m8
rm -f "$ws/sl" "$ws/gl"
run -- python3 -c '
import os
fd = os.open(".git/config", os.O_PATH)
for flags in (os.O_WRONLY, os.O_RDWR | os.O_TRUNC, os.O_WRONLY | os.O_CREAT):
    try: os.close(os.open("/proc/self/fd/%d" % fd, flags))
    except OSError: pass
rfd = os.open(".git/config", os.O_RDONLY)
try: os.link("/proc/self/fd/%d" % rfd, "viafd", follow_symlinks=True)
except OSError: pass
d = os.open(".git", os.O_RDONLY | os.O_DIRECTORY)
for name in ("config", "new-in-dirfd"):
    try: os.close(os.open(name, os.O_WRONLY | os.O_CREAT, dir_fd=d))
    except OSError: pass
try: os.mkdir("mk", dir_fd=d)
except OSError: pass
os.chdir(".git")
try: os.close(os.open("config", os.O_WRONLY))
except OSError: pass
os.chdir("..")
open("m9", "w").close()' 2>/dev/null
claim "O_PATH and read-only descriptors reopened through /proc/self/fd, linked, or used as dirfd/cwd do not write" \
  held_and m9 sh -c "test ! -e '$ws/viafd'"
run -- python3 -c '
import os
fd = os.open(".git/config", os.O_RDONLY)
for f in (lambda: os.fchmod(fd, 0o777), lambda: os.utime(fd, (1, 1)), lambda: os.fchown(fd, os.getuid(), os.getgid()),
          lambda: os.setxattr(fd, "user.rf", b"1"), lambda: os.removexattr(fd, "user.rf"), lambda: os.ftruncate(fd, 0),
          lambda: os.chmod(".git/config", 0o777), lambda: os.chmod(".git", 0o777), lambda: os.utime(".envrc", (1, 1)),
          lambda: os.setxattr(".git/HEAD", "user.rf", b"1"), lambda: os.chmod("sub/../.git/config", 0o600)):
    try: f()
    except OSError: pass
open("m10", "w").close()' 2>/dev/null
claim "chmod, chown, utimes, xattrs and ftruncate by path and by descriptor do not change protected files" held m10
run -- python3 -c '
import socket
for path in (".git/sock", "sub/.git/sock", ".envrc"):
    s = socket.socket(socket.AF_UNIX)
    try: s.bind(path)
    except OSError: pass
open("m11", "w").close()' 2>/dev/null
claim "bind() of a unix socket inside .git (or onto a protected name) fails" held m11

# --- races: the path swapped between the check and the act --------------------------------------------
run -- python3 -c '
import os, threading, time
open("target-ok", "w").close()
stop = time.time() + 3
def swap():
    while time.time() < stop:
        for dest in ("target-ok", ".git/config"):
            try: os.symlink(dest, "lnk.tmp"); os.replace("lnk.tmp", "lnk")
            except OSError: pass
threading.Thread(target=swap, daemon=True).start()
wrote = 0
while time.time() < stop:
    try:
        fd = os.open("lnk", os.O_WRONLY | os.O_APPEND); os.write(fd, b"x"); os.close(fd); wrote += 1
    except OSError: pass
print(wrote)
open("m12", "w").close()' >"$top/race-out" 2>/dev/null
claim "a symlink swapped between .git/config and a harmless file while writing through it: .git unchanged" \
  held_and m12 sh -c "test \"\$(cat '$top/race-out')\" -gt 0 && test -s '$ws/target-ok'"
rm -f "$ws/lnk" "$ws/lnk.tmp" "$ws/target-ok"

# --- git and builds keep working ----------------------------------------------------------------------
echo two >> tracked
out=$(run -- sh -c 'git status --porcelain && git diff --stat && git log --oneline | wc -l' 2>&1)
claim "git status, git diff and git log work inside (reads of .git)" \
  sh -c "grep -q '^ M tracked' <<'EOF' && grep -q '1 file changed' <<'EOF2'
$out
EOF
$out
EOF2"
before=$(snapshot)
out=$(run -- sh -c 'git commit -qam two; echo "rc=$?"' 2>&1)
claim "git commit fails with a clear EROFS (Read-only file system) and changes nothing" \
  sh -c "grep -q 'Read-only file system' <<'EOF' && grep -q 'rc=[1-9]' <<'EOF2' && test \"\$(git -C '$ws' rev-list --count HEAD)\" = 1
$out
EOF
$out
EOF2"
git checkout -q tracked
before=$(snapshot)
mkdir -p "$ws/build"
printf 'int f%d(void) { return %d; }\n' 1 1 > "$ws/build/a.c"
printf 'int f1(void);\nint main(void) { return f1() - 1; }\n' > "$ws/build/main.c"
printf 'prog: a.o main.o\n\tcc -o $@ a.o main.o\n%%.o: %%.c\n\tcc -c -o $@ $<\n' > "$ws/build/Makefile"
if command -v cc >/dev/null && command -v make >/dev/null; then
  run -- sh -c 'cd build && make -s && ./prog && python3 -c "open(\"py-out\", \"w\").write(\"ok\")" && touch ../m13' >/dev/null 2>&1
  claim "cc, make and python write their files in the workspace" \
    held_and m13 sh -c "test -x '$ws/build/prog' -a \"\$(cat '$ws/build/py-out')\" = ok"
else
  echo "SKIP: cc or make missing: the build claim is not run"
fi

echo "landlock guard suite (uid $(id -u)): $pass passed, $fail failed"
[ $fail -eq 0 ]
