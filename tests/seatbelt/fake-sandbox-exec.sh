#!/bin/sh
# fake-sandbox-exec.sh: stands in for /usr/bin/sandbox-exec in the Linux tests of supervise.c.
# Checks the argv shape the plugin builds (-p PROFILE, -DKEY=VALUE..., --, COMMAND...)
# and runs COMMAND with no sandbox at all.
fail() { echo "fake-sandbox-exec: $*" >&2; exit 64; }
[ "$1" = "-p" ] || fail "expected -p first, got '$1'"
case "$2" in "") fail "empty profile" ;; esac
shift 2
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; break ;;
    -D?*=*) shift ;;
    *) fail "unexpected argument '$1' before --" ;;
  esac
done
[ $# -gt 0 ] || fail "no command after --"
exec "$@"
