#!/bin/bash
# startup-files-test.sh: no file ringfence reads at start-up (git files of the workspace, the git,
# ringfence and rules configs) can hang it, swallow the command's input or exhaust its memory; what
# git would read through includes is protected.  Each case runs under a deadline.
# Usage: startup-files-test.sh RINGFENCE [--as-nobody]
# With --as-nobody (only when root), the same claims run as uid 65534 from a staged copy.
set -u
RF=$(readlink -f "${1:?usage: startup-files-test.sh RINGFENCE [--as-nobody]}")
MODE=${2:-}

if [ "$MODE" = "--as-nobody" ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  . "$here/../lib/as-nobody.sh"
  rerun_as_nobody "$here/startup-files-test.sh" "$RF"
fi

pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
has() { grep -q -e "$1" <<<"$2"; }

# Not below /tmp: /tmp is itself a writable root.
top=$(mktemp -d /var/tmp/rf-startup-XXXXXX)
chmod 755 "$top"
trap 'rm -rf "$top"' EXIT
home=$top/home # the global git config lives here; never the invoking user's
mkdir -p "$home"
DEADLINE=${RF_TEST_DEADLINE:-60} # generous: the machine may be loaded; a hang is what is caught

# fresh NAME: a new repository $top/NAME (cd into it); its .git/config is a plain file.
fresh() {
  ws=$top/$1
  rm -rf "$ws"
  mkdir -p "$ws/.git/hooks" "$ws/.git/objects" "$ws/.git/refs"
  echo 'ref: refs/heads/main' > "$ws/.git/HEAD"
  printf '[core]\n\trepositoryformatversion = 0\n' > "$ws/.git/config"
  cd "$ws" || exit 1
}

# rf ARGS...: ringfence under the deadline, HOME=$home; sets $rc and $out (stdout+stderr).
rf() {
  out=$(HOME=$home XDG_CONFIG_HOME= RINGFENCE_HOME=$home/rf timeout -k 5 $DEADLINE "$RF" "$@" 2>&1 </dev/null)
  rc=$?
}

# refused NAME WORD...: ringfence refused (125, not killed by the deadline) naming each WORD.
refused() {
  local name=$1; shift
  local missing=
  for word in "$@"; do has "$word" "$out" || missing="$missing '$word'"; done
  if [ "$rc" = 125 ] && [ -z "$missing" ]; then ok "$name"
  else bad "$name" "exit $rc (124/137: it hung), missing$missing in: $(head -c 600 <<<"$out")"; fi
}

# ran NAME EXPECTED: the command ran and printed EXPECTED.
ran() {
  if [ "$rc" = 0 ] && [ "$out" = "$2" ]; then ok "$1"
  else bad "$1" "exit $rc, output: $(head -c 600 <<<"$out")"; fi
}

run_ws() { rf run -s workspace-write -- "$@"; }

# --- .git/config and what it includes --------------------------------------------
fresh fifo-config
rm .git/config && mkfifo .git/config
run_ws true
refused "a FIFO as .git/config is refused (125) naming it, not waited on" "$ws/.git/config" FIFO

fresh fifo-include
printf '[include]\n\tpath = shared.inc\n' > .git/config
mkfifo .git/shared.inc
run_ws true
refused "a FIFO included by .git/config is refused (125) naming it" "$ws/.git/shared.inc" FIFO

fresh dev-zero
rm .git/config && ln -s /dev/zero .git/config
run_ws true
refused "a symlink to /dev/zero as .git/config is refused (125), not read until memory runs out" \
  "$ws/.git/config" "character device"

fresh dev-zero-include
printf '[includeIf "gitdir:/elsewhere/"]\n\tpath = /dev/zero\n' > .git/config
run_ws true
refused "an includeIf of /dev/zero is refused (125), whatever its condition" /dev/zero "character device"

fresh huge
truncate -s 64M .git/config
run_ws true
refused "a 64 MiB .git/config is refused (125) as larger than the bound" "$ws/.git/config" "larger than"

fresh huge-include
printf '[include]\n\tpath = ../big.inc\n' > .git/config
head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' '#' > big.inc
run_ws true
refused "an included 5 MiB file is refused (125) as larger than the bound" "big.inc" "larger than"

fresh stdin-include
printf '[include]\n\tpath = /dev/stdin\n' > .git/config
# Piped input: ringfence refuses without reading it, so the next reader still gets it.
got=$(printf 'hello\n' | { HOME=$home timeout -k 5 $DEADLINE "$RF" run -s workspace-write -- cat >/dev/null 2>&1; echo "rc=$?"; cat; })
if [ "$got" = "$(printf 'rc=125\nhello')" ]; then
  ok "include.path=/dev/stdin is refused (125) and the piped input is left unread"
else
  bad "include.path=/dev/stdin is refused (125) and the piped input is left unread" "$got"
fi

fresh cycle
printf '[include]\n\tpath = ../a.inc\n' > .git/config
printf '[include]\n\tpath = b.inc\n' > a.inc
printf '[include]\n\tpath = a.inc\n[core]\n\thooksPath = .cycle-hooks\n' > b.inc
mkdir .cycle-hooks
run_ws sh -c 'echo x >> a.inc; echo x >> b.inc; echo x > .cycle-hooks/pre-commit; echo ran'
if [ "$rc" = 0 ] && has ran "$out" && [ "$(cat a.inc b.inc | grep -c x)" = 0 ] && [ ! -e .cycle-hooks/pre-commit ]; then
  ok "an include cycle ends: the command runs and every file of the cycle stays read-only"
else
  bad "an include cycle ends: the command runs and every file of the cycle stays read-only" "exit $rc: $out"
fi

fresh deep
printf '[include]\n\tpath = ../inc1\n' > .git/config
for i in $(seq 1 99); do printf '[include]\n\tpath = inc%d\n' $((i + 1)) > "inc$i"; done
printf '[core]\n\tfsmonitor = touch /tmp/rf-never\n' > inc100
run_ws true
refused "a 100-deep include chain is refused (125) naming where it stops" "levels deep" inc1

fresh ten-deep
printf '[include]\n\tpath = ../inc1\n' > .git/config
for i in $(seq 1 9); do printf '[include]\n\tpath = inc%d\n' $((i + 1)) > "inc$i"; done
printf '[core]\n\tbare = false\n' > inc10
run_ws sh -c 'echo "[core] fsmonitor = evil" >> inc10; cat inc10'
if [ "$rc" = 0 ] && ! grep -q evil inc10; then
  ok "a 10-deep include chain (git's own limit) runs and its deepest file stays read-only"
else
  bad "a 10-deep include chain (git's own limit) runs and its deepest file stays read-only" "exit $rc: $out"
fi

fresh same-line
printf '[core]hooksPath = .samehooks\n' > .git/config
printf '[include]\n\tpath = ../hooks.inc\n' >> .git/config
printf '[CORE]\n\tHOOKSPATH = ".inchooks"\n' > hooks.inc
mkdir .samehooks .inchooks
run_ws sh -c 'echo evil > .samehooks/pre-commit; echo evil > .inchooks/pre-commit; echo ran'
if [ "$rc" = 0 ] && [ ! -e .samehooks/pre-commit ] && [ ! -e .inchooks/pre-commit ]; then
  ok "core.hooksPath written on its section's line, or set in an included file, is protected"
else
  bad "core.hooksPath written on its section's line, or set in an included file, is protected" "exit $rc: $out"
fi

# --- .git itself, gitdir and commondir ----------------------------------------------
fresh git-fifo
rm -rf .git && mkfifo .git
run_ws sh -c 'echo ran'
if [ "$rc" = 0 ] && [ "$out" = ran ] && [ -p .git ]; then
  ok ".git as a FIFO (git ignores it) is not opened: the command runs and .git stays a FIFO"
else
  bad ".git as a FIFO (git ignores it) is not opened: the command runs and .git stays a FIFO" "exit $rc: $out"
fi

fresh gitfile-fifo
mkfifo "$top/gitdir-fifo"
rm -rf .git && echo "gitdir: $top/gitdir-fifo" > .git
run_ws sh -c 'echo ran'
ran "a .git file whose gitdir is a FIFO (git cannot use it) is not opened: the command runs" ran

fresh dotgit-file-fifo
rm -rf .git && mkfifo "$top/dotgit-fifo" && ln -s "$top/dotgit-fifo" .git
run_ws true
# bwrap cannot put a mount point on a link to a FIFO outside the sandbox's tree (it refuses,
# as it did before): what matters here is that ringfence opens nothing and ends at once.
if [ "$rc" = 0 ] || [ "$rc" = 125 ]; then
  ok "a .git symlink to a FIFO is not opened: ringfence ends at once (exit $rc)"
else
  bad "a .git symlink to a FIFO is not opened: ringfence ends at once" "exit $rc: $out"
fi

fresh commondir
mkdir -p "$top/common.git/worktrees/wt"
printf '[core]\n' > "$top/common.git/config"
rm -rf .git && echo "gitdir: $top/common.git/worktrees/wt" > .git
mkfifo "$top/common.git/worktrees/wt/commondir"
run_ws true
refused "a FIFO as a worktree's commondir is refused (125) naming it" commondir FIFO

fresh big-gitfile
rm -rf .git && { printf 'gitdir: '; head -c 20000 /dev/zero | tr '\0' a; } > .git
run_ws true
refused "a .git file larger than git's 16 KiB is refused (125)" "$ws/.git" "larger than"

# --- the user's own git, ringfence and rules configs ------------------------------------
fresh global
mkfifo "$home/.gitconfig"
run_ws true
refused "a FIFO as ~/.gitconfig is refused (125) naming it" "$home/.gitconfig" FIFO
rm -f "$home/.gitconfig"
mkdir -p "$home/.config/git" && ln -s /dev/zero "$home/.config/git/config"
run_ws true
refused "/dev/zero as ~/.config/git/config is refused (125)" "$home/.config/git/config" "character device"
rm -rf "$home/.config"

mkdir -p "$home/rf" && mkfifo "$home/rf/config.toml"
rf run -- true
refused "a FIFO as the default config.toml is refused (125) naming it" "$home/rf/config.toml" FIFO
rm -f "$home/rf/config.toml"
ln -s /dev/zero "$top/zero.toml"
rf run --config "$top/zero.toml" -- true
refused "--config naming /dev/zero is refused (125)" "$top/zero.toml" "character device"
truncate -s 100M "$top/huge.toml"
rf run --config "$top/huge.toml" -- true
refused "--config naming a 100 MiB file is refused (125)" "larger than"
mkfifo "$top/rules.fifo"
printf '[ringfence]\nrules = ["%s"]\n' "$top/rules.fifo" > "$top/with-rules.toml"
rf decide --config "$top/with-rules.toml" -- true
refused "a FIFO as a rules file is refused (125) naming it" "$top/rules.fifo" FIFO
rf run --config /dev/stdin -- true
refused "--config /dev/stdin is refused (125), not read from the command's input" /dev/stdin

# Ordinary files keep working.
fresh plain
printf '[include]\n\tpath = ../plain.inc\n' > .git/config
printf '[user]\n\tname = x\n' > plain.inc
printf '[core]\n\tpager = less\n' > "$home/.gitconfig"
run_ws sh -c 'echo ran'
ran "ordinary git configs with includes run as before" ran
rm -f "$home/.gitconfig"

echo "uid $(id -u): $pass passed, $fail failed"
[ $fail -eq 0 ]
