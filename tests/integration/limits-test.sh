#!/bin/bash
# limits-test.sh: claims that ringfence's own limits are not the user's: a command line the kernel
# accepts runs whole (10,000 arguments, an argv near ARG_MAX), 500 writable roots all work, and
# what no backend can take fails before anything starts, saying which limit was hit.
# Usage: limits-test.sh RINGFENCE BACKEND [--as-nobody]   (BACKEND: bwrap or landlock)
# With --as-nobody (only when root), the same claims run as uid 65534 from a staged copy.
set -u
RF=$(readlink -f "${1:?usage: limits-test.sh RINGFENCE BACKEND [--as-nobody]}")
BACKEND=${2:?usage: limits-test.sh RINGFENCE BACKEND [--as-nobody]}
MODE=${3:-}

if [ "$MODE" = "--as-nobody" ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  . "$here/../lib/as-nobody.sh"
  rerun_as_nobody "$here/limits-test.sh" "$RF" "$BACKEND"
fi

pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
has() { grep -q -e "$1" <<<"$2"; }

# Not below /tmp (a writable root, so everything there is writable anyway); /tmp and $TMPDIR are
# left out of the policy so that nothing another test left there (a protected name the Landlock
# backend refuses) changes the outcome.
top=$(mktemp -d /var/tmp/rf-limits-XXXXXX)
chmod 755 "$top"
trap 'rm -rf "$top"' EXIT
ws=$top/ws
mkdir -p "$ws"
cd "$ws" || exit 1
run() {
  "$RF" run --backend "$BACKEND" -s workspace-write -c sandbox_workspace_write.exclude_slash_tmp=true \
    -c sandbox_workspace_write.exclude_tmpdir_env_var=true "$@"
}
# From the workspace: ringfence refuses plugins below the working directory (a writable root).
line=$("$RF" check 2>&1 | grep "^$BACKEND ")
if ! has "^$BACKEND *usable" "$line"; then
  echo "SKIP: the $BACKEND backend is not usable here: ${line:-not listed by ringfence check}"
  exit 77
fi
echo "uid $(id -u), backend $BACKEND: workspace $ws"

# --- the command line ---------------------------------------------------------------------------
# Each argument back on its own line, with its count: what the command got, exactly.
echo_back='printf "%s\n" "$@" | md5sum | cut -d" " -f1; echo $#'

args=()
for i in $(seq 10000); do
  case $((i % 5)) in
    0) args+=("") ;;                 # empty arguments count too
    1) args+=("arg $i with spaces") ;;
    2) args+=("--bind") ;;           # looks like a bwrap option: must stay the command's
    *) args+=("$i") ;;
  esac
done
want="$(printf '%s\n' "${args[@]}" | md5sum | cut -d' ' -f1) 10000"
out=$(run -- sh -c "$echo_back" sh "${args[@]}" 2>"$top/err" | tr '\n' ' ' | sed 's/ $//')
if [ "$out" = "$want" ]; then ok "10,000 arguments reach the command exactly (count and checksum)"
else bad "10,000 arguments reach the command exactly (count and checksum)" "got '$out', want '$want'; $(tail -c 300 "$top/err")"; fi

# An argv of ARG_MAX/4 bytes; an argv, and an environment, as large as the kernel lets ringfence
# itself be started with (found by trying: the host's execve of ringfence is the judge), less half a KiB.
python3 - "$RF" "$BACKEND" <<'PY' >"$top/argmax" 2>&1
import errno, hashlib, os, subprocess, sys
rf, backend = sys.argv[1], sys.argv[2]
echo_args = 'printf "%s\\n" "$@" | md5sum | cut -d" " -f1; echo $#'
echo_env = 'env | grep "^RF_BIG_" | LC_ALL=C sort | md5sum | cut -d" " -f1; env | grep -c "^RF_BIG_"'
def base(script):
    return [rf, "run", "--backend", backend, "-s", "workspace-write",
            "-c", "sandbox_workspace_write.exclude_slash_tmp=true",
            "-c", "sandbox_workspace_write.exclude_tmpdir_env_var=true", "--", "sh", "-c", script, "sh"]
def args_of(total):  # arguments of ~1000 bytes (the kernel caps one at 128 KiB)
    return [("%07d" % i) + "x" * 993 for i in range(total // 1001)]
def env_of(total):
    return {"RF_BIG_%07d" % i: "y" * 985 for i in range(total // 1001)}
def largest(make):  # the largest total ringfence itself can be started with
    lo, hi = os.sysconf("SC_ARG_MAX") // 4, 4 * os.sysconf("SC_ARG_MAX")
    while hi - lo > 1001:
        mid = (lo + hi) // 2
        argv, env = make(mid)
        try:
            subprocess.run([rf, "--version"] + argv, env=env, capture_output=True)
            lo = mid
        except OSError as e:
            if e.errno != errno.E2BIG:
                raise
            hi = mid
    return lo
def with_args(total):
    return args_of(total), dict(os.environ)
def with_env(total):
    env = dict(os.environ)
    env.update(env_of(total))
    return [], env
margin = 512 + sum(len(a) + 9 for a in base(echo_env))  # room for ringfence's own options
cases = [("ARG_MAX/4", os.sysconf("SC_ARG_MAX") // 4, with_args, echo_args),
         ("kernel-argv", largest(with_args) - margin, with_args, echo_args),
         ("kernel-env", largest(with_env) - margin, with_env, echo_env)]
for label, total, make, script in cases:
    argv, env = make(total)
    if make is with_args:
        want = hashlib.md5(("\n".join(argv) + "\n").encode()).hexdigest() + " %d" % len(argv)
    else:
        mine = sorted("%s=%s" % kv for kv in env_of(total).items())
        want = hashlib.md5(("\n".join(mine) + "\n").encode()).hexdigest() + " %d" % len(mine)
    r = subprocess.run(base(script) + argv, env=env, capture_output=True, text=True)
    got = " ".join(r.stdout.split())
    print(label, total, "ok" if got == want and r.returncode == 0 else
          "FAILED got=%r want=%r rc=%d %s" % (got, want, r.returncode, r.stderr[-300:]))
PY
for label in ARG_MAX/4 kernel-argv kernel-env; do
  res=$(grep "^$label " "$top/argmax")
  size=$(cut -d' ' -f2 <<<"$res")
  case $label in
    ARG_MAX/4) name="an argv of $size bytes (ARG_MAX/4) reaches the command exactly" ;;
    kernel-argv) name="an argv of $size bytes (the kernel's limit for ringfence itself, less half a KiB) reaches the command exactly" ;;
    kernel-env) name="an environment of $size bytes (the kernel's limit for ringfence itself, less half a KiB) reaches the command exactly" ;;
  esac
  if has " ok$" "$res"; then ok "$name"; else bad "$name" "$(cat "$top/argmax")"; fi
done

out=$(run -- sh -c 'ls -l /proc/$$/fd/' 2>&1)
if has 'ringfence-command\|memfd' "$out"; then bad "the command-line memfd does not reach the command" "$out"
else ok "the command-line memfd does not reach the command"; fi

# --- 500 writable roots ---------------------------------------------------------------------------
roots=$top/roots
mkdir -p "$roots"
root_args=()
for i in $(seq 500); do
  mkdir "$roots/r$i"
  root_args+=(--writable-root "$roots/r$i")
done
run "${root_args[@]}" -- sh -c "for i in \$(seq 500); do echo \$i > $roots/r\$i/written; done
  echo x > $roots/outside; echo x > $top/outside; exit 0" >/dev/null 2>"$top/err"
written=$(cat "$roots"/r*/written 2>/dev/null | wc -l)
if [ "$written" = 500 ]; then ok "500 writable roots: each is writable"
else bad "500 writable roots: each is writable" "$written of 500 written; $(tail -c 300 "$top/err")"; fi
if [ ! -e "$roots/outside" ] && [ ! -e "$top/outside" ]; then
  ok "500 writable roots: their parent and a sibling of the workspace stay unwritable"
else bad "500 writable roots: their parent and a sibling of the workspace stay unwritable"; fi

if true; then
  # Protected names still hold in the many-roots case: an existing .git stays read-only (bwrap:
  # bound read-only; Landlock: the guard), a missing .envrc may not be created (the guard).
  mkdir -p "$roots/r250/.git"
  echo '[core]' > "$roots/r250/.git/config"
  run "${root_args[@]}" -- sh -c "echo evil >> $roots/r250/.git/config; echo evil > $roots/r251/.envrc" \
    >/dev/null 2>&1
  if [ "$(cat "$roots/r250/.git/config")" = '[core]' ] && [ ! -e "$roots/r251/.envrc" ]; then
    ok "500 writable roots: an existing .git stays read-only, a missing .envrc is not created"
  else bad "500 writable roots: an existing .git stays read-only, a missing .envrc is not created"; fi
  rm -rf "$roots/r250/.git"
fi

# --- beyond what the backend takes ----------------------------------------------------------------
for i in $(seq 501 3100); do
  mkdir "$roots/r$i"
  root_args+=(--writable-root "$roots/r$i")
done
out=$(run "${root_args[@]}" -- sh -c "echo ran > $ws/ran-3100" 2>&1); rc=$?
if [ "$BACKEND" = bwrap ]; then
  # 3,100 roots are 9,300 arguments of bind mounts: bwrap takes 9,000 in all.
  if [ $rc = 125 ] && [ ! -e "$ws/ran-3100" ] && has '9000 arguments' "$out" && has 'room for [0-9]* such mounts' "$out"; then
    ok "3,100 writable roots: refused (125) before starting, naming bwrap's limit and how many fit"
  else bad "3,100 writable roots: refused (125) before starting, naming bwrap's limit and how many fit" "rc $rc: $out"; fi
else
  if [ $rc = 0 ] && [ "$(cat "$ws/ran-3100" 2>/dev/null)" = ran ]; then
    ok "3,100 writable roots run (Landlock has no such limit)"
  else bad "3,100 writable roots run (Landlock has no such limit)" "rc $rc: $(tail -c 300 <<<"$out")"; fi
fi

echo "uid $(id -u), backend $BACKEND: $pass passed, $fail failed"
[ $fail -eq 0 ]
