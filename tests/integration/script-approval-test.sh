#!/bin/bash
# script-approval-test.sh: `ringfence run` refuses commands hidden in a script (issue 16 part 1):
# a dangerous `rm -rf` in a for-loop, in $(...) and in backquotes under approval policy never, and
# a forbidden `git push` behind a here-document, a runner, or a relative program ./git.  Host-side
# evidence: the directory the loop would delete is still there, and the marker the fake git writes
# on the host when it runs is absent; a harmless script runs (so the refusals are decisions).
# Usage: script-approval-test.sh RINGFENCE [--as-nobody]
set -u
RF=$(readlink -f "${1:?usage: script-approval-test.sh RINGFENCE [--as-nobody]}")
MODE=${2:-}

if [ "$MODE" = "--as-nobody" ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  . "$here/../lib/as-nobody.sh"
  rerun_as_nobody "$here/script-approval-test.sh" "$RF"
fi

pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }

top=$(mktemp -d /var/tmp/rf-script-XXXXXX)
chmod 755 "$top"
trap 'rm -rf "$top" ${stage:+"$stage"}' EXIT
mkdir -p "$top/home" "$top/ws/bin" "$top/marks"
export RINGFENCE_HOME=$top/home
cat > "$top/rules" <<'R'
prefix_rule(pattern = ["git", "push"], decision = "forbidden", justification = "review first")
R
# A git that leaves a mark on the host (outside the sandbox's writable roots it could not):
# run unsandboxed by nobody here, so its absence means ringfence never started it.
for g in ws bin; do
  f=$top/ws/git; [ "$g" = bin ] && f=$top/ws/bin/git
  printf '#!/bin/sh\necho "$0 $*" > %s/ran-%s\n' "$top/marks" "$g" > "$f"
  chmod 755 "$f"
done
cd "$top/ws" || exit 1

# run_case NAME WANT-STATUS COMMAND...: ringfence run under approval policy never.
run_case() {
  local name=$1 want=$2; shift 2
  local out rc
  out=$("$RF" run -s danger-full-access -a never --rules "$top/rules" -- "$@" 2>&1 </dev/null)
  rc=$?
  if [ "$rc" = "$want" ]; then ok "$name (exit $rc)"; else bad "$name" "exit $rc (want $want): $out"; fi
}

mkdir -p victim/sub
run_case "rm -rf in a for-loop is rejected under never" 125 \
  bash -lc 'for t in victim; do rm -rf "$t"; done'
run_case "rm -rf in \$(...) is rejected" 125 bash -lc 'echo $(rm -rf victim)'
run_case "rm -rf in backquotes is rejected" 125 bash -lc 'echo `rm -rf victim`'
run_case "rm -rf behind nested shells and a runner is rejected" 125 \
  bash -lc "sh -c 'nice -n 5 rm -rf victim'"
if [ -d victim/sub ]; then ok "the directory is still there"; else bad "victim was deleted"; fi

run_case "a forbidden git push behind a here-document is refused" 125 \
  bash -lc 'PATH=$PWD:$PATH; git push origin main <<EOF
notes
EOF'
run_case "./git push is refused" 125 ./git push
run_case "bin/git push in a script is refused" 125 bash -lc 'bin/git push'
run_case "env X=1 ./git push is refused" 125 env X=1 ./git push
if [ -z "$(ls "$top/marks")" ]; then ok "no fake git ran"; else bad "a git ran: $(cat "$top"/marks/*)"; fi

# The same runs do happen when nothing in them is forbidden or dangerous.
run_case "a harmless script runs" 0 bash -lc 'for t in made; do mkdir "$t"; done'
if [ -d made ]; then ok "its directory was made"; else bad "the harmless script did not run"; fi
run_case "./git status runs" 0 ./git status
if [ -e "$top/marks/ran-ws" ]; then ok "the fake git ran for status"; else bad "./git status did not run"; fi

echo "passed $pass, failed $fail"
[ "$fail" = 0 ]
