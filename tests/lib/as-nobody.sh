# as-nobody.sh: sourced by the test scripts' --as-nobody pass: runs their claims again as uid 65534
# from a staged, world-readable copy of the build (stage-for-nobody.sh), as users run ringfence.
#
#   . "$here/../lib/as-nobody.sh"
#   rerun_as_nobody SCRIPT RINGFENCE [ARG]...   the common case: never returns
# or, for a script with more to stage:
#   stage_for_nobody RINGFENCE      (sets $stage, removed on exit; skips with 77 unless root)
#   as_nobody [VAR=VALUE]... COMMAND [ARG]...

stage_for_nobody() {
  if [ "$(id -u)" != 0 ]; then
    echo "SKIP: the unprivileged pass needs root to switch to uid 65534 (run as root, or this pass already is unprivileged)"
    exit 77
  fi
  local lib
  lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  stage=$("$lib/stage-for-nobody.sh" "$1") || exit 1
  trap 'rm -rf "$stage"' EXIT
}

as_nobody() {
  setpriv --reuid=65534 --regid=65534 --clear-groups \
    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp LANG=C.UTF-8 \
    LD_LIBRARY_PATH="$stage/lib" RINGFENCE_BACKEND_DIR="$stage/backends" \
    RINGFENCE_HELPER_DIR="$stage/libexec" "$@"
}

rerun_as_nobody() {
  local script=$1 rf=$2
  shift 2
  stage_for_nobody "$rf"
  local name
  name=$(basename "$script")
  cp "$script" "$stage/$name" && chmod a+rx "$stage/$name" || exit 1
  as_nobody bash "$stage/$name" "$stage/bin/ringfence" "$@"
  exit $?
}
