#!/bin/sh
# man-test.sh: every man page the build made renders with no warning from `man --warnings`, each command
# `ringfence --help` lists has its page, and every option `ringfence CMD --help` prints appears in that
# page (so the pages cannot drift from the CLI), and every key of docs/config.md's key table appears in
# ringfence.toml(5).  Usage: man-test.sh BUILD/core/ringfence BUILD/docs/man [SRC/docs/config.md]
set -u
rf=$1
mandir=$2
if [ ! -f "$mandir/ringfence.1" ]; then
  echo "SKIP: the man pages were not built (scdoc is missing: apt-get install scdoc, or configure"
  echo "      with -Dman=enabled to make that an error)"
  exit 77
fi
if ! command -v man >/dev/null 2>&1; then
  echo "SKIP: man (man-db) is not installed, so the pages cannot be checked for warnings"
  exit 77
fi
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# 1. No warnings (groff's and man's) when rendering.
for page in "$mandir"/*.[1-8]; do
  warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
  if [ -n "$warnings" ]; then
    fail "$(basename "$page"): man --warnings printed:"
    printf '%s\n' "$warnings" | sed 's/^/      /'
  else
    echo "ok: $(basename "$page") renders without warnings"
  fi
done

# 2. Each command of `ringfence --help` has a page, and ringfence(1) names it.
commands=$("$rf" --help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
[ -n "$commands" ] || fail "no commands found in 'ringfence --help' (did its format change?)"
for cmd in $commands; do
  page="$mandir/ringfence-$cmd.1"
  if [ ! -f "$page" ]; then
    fail "'ringfence --help' lists the command $cmd, but there is no page ringfence-$cmd.1 (add docs/man/ringfence-$cmd.1.scd)"
    continue
  fi
  grep -qF "\\fB$cmd\\fR" "$mandir/ringfence.1" || fail "ringfence.1 does not name the command $cmd"
  # 3. Every option of `ringfence CMD --help`, long and short, bold in the page.
  opts=$("$rf" "$cmd" --help | grep -oE '^  +(-[A-Za-z], )?--[A-Za-z0-9-]+' | tr -d ',' | tr -s ' ' '\n' | grep .)
  [ -n "$opts" ] || fail "no options found in 'ringfence $cmd --help' (did its format change?)"
  missing=""
  for opt in $opts; do
    grep -qF -- "\\fB$opt\\fR" "$page" || missing="$missing $opt"
  done
  if [ -n "$missing" ]; then
    fail "ringfence-$cmd.1 lacks options 'ringfence $cmd --help' prints:$missing (document them in docs/man/ringfence-$cmd.1.scd)"
  else
    echo "ok: ringfence-$cmd.1 documents all $(echo $opts | wc -w) options of 'ringfence $cmd --help'"
  fi
done
# 4. Every key docs/config.md's key table names (the backticked words of its first column that are
# not [tables]) is in bold in ringfence.toml(5).
config_md=${3:-}
if [ -n "$config_md" ] && [ -f "$config_md" ]; then
  keys=$(sed -n '/^| key | type | default | meaning |$/,/^$/p' "$config_md" | sed -n 's/^| \([^|]*\) |.*/\1/p' \
    | grep -oE '`[^`]+`' | tr -d '`' | grep -v '^\[' | grep -v '^key$' | sort -u)
  [ -n "$keys" ] || fail "no keys found in the key table of $config_md (did its format change?)"
  missing=""
  for key in $keys; do
    grep -qF -- "\\fB$key\\fR" "$mandir/ringfence.toml.5" || missing="$missing $key"
  done
  if [ -n "$missing" ]; then
    fail "ringfence.toml.5 lacks keys docs/config.md lists:$missing (document them in docs/man/ringfence.toml.5.scd)"
  else
    echo "ok: ringfence.toml.5 names all $(echo $keys | wc -w) keys of docs/config.md's key table"
  fi
fi
[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all man page checks passed"
