#!/bin/bash
# nested-repos-test.sh: every git repository below a writable root that exists at launch stays read-only
# (not only the top-level .git), and one the command creates cannot make git on the host run anything
# (its config or hook is disabled after the run); cloning into the workspace keeps working.  bwrap
# backend, and the Landlock backend's guard.  Host-side evidence: files compared, a marker git would
# create on the host checked absent after running git there.
# Usage: nested-repos-test.sh RINGFENCE [--as-nobody]
set -u
RF=$(readlink -f "${1:?usage: nested-repos-test.sh RINGFENCE [--as-nobody]}")
MODE=${2:-}

if [ "$MODE" = "--as-nobody" ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  . "$here/../lib/as-nobody.sh"
  rerun_as_nobody "$here/nested-repos-test.sh" "$RF"
fi

pass=0 fail=0 skip=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
has() { grep -q -e "$1" <<<"$2"; }
claim() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

if ! command -v git >/dev/null; then
  echo "SKIP: git is not installed"
  exit 77
fi
# git on the host, as the user will run it later: no global or system config of the tester's.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t \
  GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
unset TMPDIR
DEADLINE=120

top=$(mktemp -d /var/tmp/rf-nested-XXXXXX)
chmod 755 "$top"
intmp=$(mktemp -d /tmp/rf-nested-XXXXXX) # /tmp is a writable root of every run
trap 'rm -rf "$top" "$intmp"' EXIT
ws=$top/ws
mkdir -p "$ws"
cd "$ws" || exit 1
git init -q . && git commit -q --allow-empty -m top
git init -q nested && git -C nested commit -q --allow-empty -m n
mkdir -p deep/a/b/c/d && git init -q deep/a/b/c/d/repo
git init -q --bare origin.git && git -C nested push -q ../origin.git HEAD:refs/heads/main 2>/dev/null
git -C origin.git symbolic-ref HEAD refs/heads/main
# A submodule's .git file, pointing into the top-level .git.
mkdir -p sub .git/modules/sub && git init -q --bare .git/modules/sub && echo "gitdir: ../.git/modules/sub" > sub/.git
# A nested repository whose hooks live in its working tree.
git init -q husky && git -C husky config core.hooksPath .husky && mkdir husky/.husky
git init -q "$intmp/clone" # someone's repository in /tmp

sum() { find "$@" -type f -print0 2>/dev/null | sort -z | xargs -0 cat 2>/dev/null | md5sum; }
before=$(sum nested/.git deep/a/b/c/d/repo/.git origin.git sub/.git .git/modules/sub husky/.husky "$intmp/clone/.git")

rf() { out=$(timeout -k 5 $DEADLINE "$RF" "$@" 2>&1); rc=$?; }

# --- repositories that exist at launch stay as they are -------------------------------
rf run -s workspace-write -- sh -c '
  for f in nested/.git/config deep/a/b/c/d/repo/.git/config origin.git/config '"$intmp"'/clone/.git/config; do
    if printf "[core]\n\tfsmonitor = touch /tmp/rf-pwned\n" >> "$f" 2>/dev/null; then echo "WROTE $f"; fi
  done
  echo hi > nested/.git/hooks/pre-commit 2>/dev/null && echo "WROTE hook"
  echo hi > origin.git/hooks/post-receive 2>/dev/null && echo "WROTE bare hook"
  echo "gitdir: /tmp/evil" > sub/.git 2>/dev/null && echo "WROTE sub/.git"
  echo hi > husky/.husky/pre-commit 2>/dev/null && echo "WROTE husky"
  rm -rf nested/.git 2>/dev/null; test -d nested/.git || echo "REMOVED nested/.git"
  mv nested nested-moved 2>/dev/null && echo "MOVED nested"
  mv deep/a deep/a-moved 2>/dev/null && echo "MOVED deep/a"
  mv deep/a/b/c deep/c-moved 2>/dev/null && echo "MOVED deep/a/b/c"
  mkdir -p elsewhere && mv elsewhere deep/a/b/c/d/repo/.git 2>/dev/null && echo "REPLACED .git"
  echo done'
if [ "$rc" = 0 ] && has done "$out" && ! has "WROTE\|REMOVED\|MOVED\|REPLACED" "$out"; then
  ok "existing nested repositories (plain, 5 deep, bare, submodule, hooksPath, in /tmp) cannot be rewritten, removed or moved"
else
  bad "existing nested repositories (plain, 5 deep, bare, submodule, hooksPath, in /tmp) cannot be rewritten, removed or moved" "exit $rc: $out"
fi
claim "the nested repositories' files are unchanged on the host" \
  test "$(sum nested/.git deep/a/b/c/d/repo/.git origin.git sub/.git .git/modules/sub husky/.husky "$intmp/clone/.git")" = "$before"
( cd "$intmp/clone" && git status >/dev/null 2>&1 )
claim "git status on the host in the repository in /tmp afterwards runs nothing planted" test ! -e /tmp/rf-pwned
rm -f /tmp/rf-pwned

# --- repositories the command creates ---------------------------------------------------
# Directories that exist at launch (the walk after the run lists only what changed since the
# launch walk, by ctime): one without subdirectories, one with; a repository is made in each as
# the command's very last act.
mkdir -p late-leaf late-mid/sub
rf run -s workspace-write -- sh -c '
  git clone -q origin.git clone && git -C clone commit -q --allow-empty -m inside && echo CLONED
  git clone -q origin.git armed && git -C armed config core.fsmonitor "touch '"$top"'/fsmonitor-ran"
  git init -q hooked && printf "#!/bin/sh\ntouch '"$top"'/hook-ran\n" > hooked/.git/hooks/pre-commit && chmod +x hooked/.git/hooks/pre-commit
  git init -q included && printf "[core]\n\tfsmonitor = touch '"$top"'/include-ran\n" > fsmonitor.inc && git -C included config include.path ../../fsmonitor.inc
  git init -q --bare bare-new.git && printf "#!/bin/sh\ntouch '"$top"'/receive-ran\n" > bare-new.git/hooks/post-receive && chmod +x bare-new.git/hooks/post-receive
  git init -q '"$intmp"'/tmp-armed && git -C '"$intmp"'/tmp-armed config alias.st "!touch '"$top"'/alias-ran"
  echo done
  git init -q late-mid && git -C late-mid config core.fsmonitor "touch '"$top"'/late-mid-ran"
  git init -q late-leaf && git -C late-leaf config core.fsmonitor "touch '"$top"'/late-leaf-ran"'
claim "git clone into the workspace works, and commits inside the clone work" has CLONED "$out"
claim "the run reports the armed repositories it disabled (fsmonitor, hook, include, bare hook, alias in /tmp)" \
  test "$(for r in "$ws/armed" "$ws/hooked" "$ws/included" "$ws/bare-new.git" "$intmp/tmp-armed"; do
            grep -c "created the git repository $r,.*renamed to .*ringfence-disabled" <<<"$out"; done | sort -u)" = 1
claim "the clean clone is left alone (no warning, config in place)" \
  test -f clone/.git/config -a "$(grep -c "repository $ws/clone," <<<"$out")" = 0
( cd armed && git status >/dev/null 2>&1 )
claim "git status on the host in a repository given core.fsmonitor inside runs nothing" test ! -e "$top/fsmonitor-ran"
( cd hooked && git commit -q --allow-empty -m x >/dev/null 2>&1 )
claim "git commit on the host in a repository given a pre-commit hook inside runs nothing" test ! -e "$top/hook-ran"
( cd included && git status >/dev/null 2>&1 )
claim "core.fsmonitor set through an included workspace file does not run on the host" test ! -e "$top/include-ran"
git -C clone push -q ../bare-new.git HEAD:refs/heads/x >/dev/null 2>&1
claim "a push on the host into a bare repository created inside runs no hook" test ! -e "$top/receive-ran"
( cd "$intmp/tmp-armed" && git st >/dev/null 2>&1 )
claim "an alias planted in a repository created in /tmp does not run on the host" test ! -e "$top/alias-ran"
( cd late-leaf && git status >/dev/null 2>&1 ); ( cd late-mid && git status >/dev/null 2>&1 )
claim "repositories made as the command's last act in directories that existed at launch run nothing on the host" \
  test ! -e "$top/late-leaf-ran" -a ! -e "$top/late-mid-ran"
claim "the disabled files are kept for the user to look at" \
  test -f armed/.git/config.ringfence-disabled -a -f hooked/.git/hooks/pre-commit.ringfence-disabled

# --- bounds: never leave a repository unfound ------------------------------------------
deepdir=$top/deepws
mkdir -p "$deepdir" && (cd "$deepdir" && mkdir -p "$(printf 'd/%.0s' $(seq 1 260))")
rf run -s workspace-write -C "$deepdir" -- true
claim "a tree deeper than the walk's bound is refused (125) naming it" \
  test "$rc:$(has 'too many levels deep' "$out" && echo named)" = 125:named
many=$top/many
mkdir -p "$many" && (cd "$many" && for i in $(seq 1 1001); do mkdir r$i && : > r$i/.git; done)
rf run -s workspace-write -C "$many" -- true
claim "more repositories than the bound are refused (125) naming the bound" \
  test "$rc:$(has 'one repository too many' "$out" && echo named)" = 125:named

# --- other users' repositories in /tmp, seen by root --------------------------------
# Root's own access reaches into another user's private folder, but the command's (no
# capabilities) and bwrap's (capabilities only over root's own files, in its user namespace)
# do not: such a repository needs no protection, and asking bwrap to bind it failed the run.
if [ "$(id -u)" = 0 ]; then
  private=$(mktemp -d /tmp/rf-nested-private-XXXXXX)
  git init -q "$private/repo" && chown -R 65534:65534 "$private" && chmod 700 "$private"
  mkdir -p "$intmp/theirs" && git init -q "$intmp/theirs/r" && chmod -R a+rwX "$intmp/theirs/r/.git"
  chown -R 65534:65534 "$intmp/theirs"
  rf run -s workspace-write -- sh -c 'echo ran; echo x >> '"$intmp"'/theirs/r/.git/config'
  claim "root: another user's private folder in /tmp holding a repository does not stop the run" \
    has ran "$out"
  claim "root: another user's repository the command could write (mode a+rw) stays read-only" \
    test "$(grep -c '^x' "$intmp/theirs/r/.git/config")" = 0
  rm -rf "$private"
fi

# --- Landlock: the guard keeps a nested repository read-only (issue 14) -------------------
if "$RF" check 2>/dev/null | grep -q '^landlock *usable'; then
  plain=$top/plain
  mkdir -p "$plain/lib" && git init -q "$plain/lib/vendored"
  LL=(run --backend landlock -s workspace-write -C "$plain" -c sandbox_workspace_write.exclude_slash_tmp=true)
  rf "${LL[@]}" -- sh -c 'echo x >> lib/vendored/.git/config; mv lib/vendored lib/moved; echo ran'
  claim "Landlock runs in a workspace holding a nested repository (no flag), refusing its writes" \
    test "$rc:$(has ran "$out" && echo ran):$(has 'Read-only file system' "$out" && echo erofs)" = 0:ran:erofs
  claim "... and the nested config is unchanged, the repository not moved" \
    test "$(grep -c '^x' "$plain/lib/vendored/.git/config"):$(test -d "$plain/lib/vendored/.git" && echo there)" = 0:there
  rf "${LL[@]}" -c 'ringfence.protected_names=[".envrc"]' -- sh -c 'echo ran'
  claim "Landlock runs there when the user stops protecting .git (protected_names)" \
    test "$rc:$(has ran "$out" && echo ran)" = 0:ran
  empty=$top/empty && mkdir -p "$empty"
  rf run --backend landlock -s workspace-write -C "$empty" -c sandbox_workspace_write.exclude_slash_tmp=true \
    -- sh -c 'git init -q made && git -C made config core.fsmonitor "touch '"$top"'/ll-ran" && echo made'
  ( cd "$empty/made" 2>/dev/null && git status >/dev/null 2>&1 )
  claim "Landlock: a repository the command creates is disabled after the run too" \
    test "$rc:$(has made "$out" && echo made):$(test -e "$top/ll-ran" || echo clean)" = 0:made:clean
else
  echo "SKIP: Landlock claims (Landlock is not usable here)"
  skip=$((skip + 1))
fi

echo "uid $(id -u): $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
