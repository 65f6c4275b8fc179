#!/bin/bash
# completion-test.sh: the bash completion, sourced into a plain bash, offers the subcommands, the
# sandbox modes after -s, the backends after --backend, the network modes, every option of
# `ringfence CMD --help`, and after -p exactly the profiles of the user's config (two [profiles.*]
# tables and a NAME.config.toml file).  With --as-nobody (as root) it runs again as uid/gid 65534.
# fish's completion is checked the same way when fish is installed (complete -C).
# Usage: completion-test.sh BUILD/core/ringfence SRC/completions [--as-nobody]
set -u
rf=$(readlink -f "$1")
comp=$(readlink -f "$2")
here=$(cd "$(dirname "$0")" && pwd)
if [ "${3:-}" = --as-nobody ]; then
  . "$here/../lib/as-nobody.sh"
  stage_for_nobody "$rf"
  cp "$0" "$stage/completion-test.sh"
  mkdir "$stage/completions" && cp "$comp"/* "$stage/completions/"
  chmod -R a+rX "$stage"
  as_nobody bash "$stage/completion-test.sh" "$stage/bin/ringfence" "$stage/completions"
  exit $?
fi
[ -f "$comp/ringfence.bash" ] || { echo "FAIL: $comp/ringfence.bash does not exist"; exit 1; }
home=$(mktemp -d /var/tmp/rf-completion-XXXXXX)
trap 'rm -rf "$home"' EXIT
mkdir -p "$home/cfg"
cat > "$home/cfg/config.toml" <<'TOML'
sandbox_mode = "workspace-write"
[profiles.ci]
approval_policy = "never"
[profiles.netwide]
sandbox_workspace_write = { network_access = true }
TOML
printf 'sandbox_mode = "read-only"\n' > "$home/cfg/review.config.toml"
printf '[profiles.other]\n' > "$home/other.toml"
export RINGFENCE_HOME="$home/cfg"
echo "as uid $(id -u); ringfence $rf; config $RINGFENCE_HOME/config.toml"

failures=0
# complete WORDS... EXPECTED: the COMPREPLY (sorted, space-separated) for the last word of WORDS.
check() {
  local expected=${!#} words=("${@:1:$#-1}")
  local got
  got=$(bash --norc --noprofile -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _ringfence; printf "%s\n" "${COMPREPLY[@]}" | sort -u | tr "\n" " "' \
    _ "$comp/ringfence.bash" "$rf" "${words[@]}")
  got=${got% }
  if [ "$got" = "$expected" ]; then
    echo "ok: ringfence ${words[*]}<TAB> -> $got"
  else
    echo "FAIL: ringfence ${words[*]}<TAB>: expected '$expected', got '$got'"
    failures=$((failures + 1))
  fi
}
check "" "--help --version check decide explain run setup"
check "ex" "explain"
check run -s "" "danger-full-access read-only workspace-write"
check run --sandbox w "workspace-write"
check explain --backend "" "auto bwrap landlock seatbelt windows"
check run --backend l "landlock"
check setup --backend "" "bwrap landlock seatbelt windows"
check setup --r "--remove"
check run -p "" "ci netwide review"
check run --profile n "netwide"
check explain -s read-only -p "" "ci netwide review"
check run --config "$home/other.toml" -p "" "other"
check decide -a "" "never on-failure on-request untrusted"
check decide --request e "escalation"
check run --timeout "" ""
# The network modes and the options come from `ringfence CMD --help`: compare with it.
modes=$("$rf" run --help | sed -n 's/^ *--network=\([a-z|]*|[a-z|]*\) .*/\1/p' | tr '|' '\n' | sort | tr '\n' ' ')
check run --network "" "${modes% }"
check run --network = "" "${modes% }"
for cmd in run check explain decide setup; do
  opts=$("$rf" $cmd --help | grep -oE '^ +(-[A-Za-z], )?--[A-Za-z0-9-]+' | grep -oE -- '--[A-Za-z0-9-]+' | sort)
  extra=""; case $cmd in run | explain | decide) extra="--" ;; esac
  check $cmd -- "$(printf '%s\n' $opts $extra | sort -u | tr '\n' ' ' | sed 's/ $//')"
done
check run --wri "--writable-root"

# fish, when installed: the same questions through `complete -C`.
if command -v fish >/dev/null 2>&1; then
  fish_check() {
    local line=$1 expected=$2 got
    got=$(HOME="$home" XDG_CONFIG_HOME="$home/fish-cfg" XDG_DATA_HOME="$home/fish-data" fish --no-config -c \
      'source $argv[1]; complete -C $argv[2]' "$comp/ringfence.fish" "ringfence $line" 2>&1 \
      | cut -f1 | sort -u | tr '\n' ' ')
    got=${got% }
    if [ "$got" = "$expected" ]; then echo "ok: fish: ringfence $line<TAB> -> $got"
    else echo "FAIL: fish: ringfence $line<TAB>: expected '$expected', got '$got'"; failures=$((failures + 1)); fi
  }
  # fish runs `ringfence` from PATH: the one under test.
  mkdir -p "$home/bin" && ln -s "$rf" "$home/bin/ringfence"
  PATH="$home/bin:$PATH"
  fish_check "" "check decide explain run setup"
  fish_check "run -s " "danger-full-access read-only workspace-write"
  fish_check "run --backend " "auto bwrap landlock seatbelt windows"
  fish_check "setup --backend " "bwrap landlock seatbelt windows"
  fish_check "run -p " "ci netwide review"
  fish_check "run --wri" "--writable-root"
else
  echo "note: fish is not installed; its completion is not checked"
fi
# zsh, when installed: _ringfence with the completion system's builtins replaced by stand-ins
# that print what would be offered (compadd, _describe, _files ...), so no terminal is needed.
if command -v zsh >/dev/null 2>&1; then
  cat > "$home/zsh-harness" <<'ZSH'
compadd() { if [[ $1 == -a ]]; then print -l -- ${(P)2}; else print -l -- "${@[${@[(i)--]}+1,-1]}"; fi }
_describe() { print -l -- ${(P)4%%:*}; }
_files() { print -- "@files $*"; }
_command_names() { print -- "@commands"; }
_normal() { print -- "@normal $words"; }
compset() { :; }
eval "$(sed '$d' "$1")"
words=("${@:2}"); CURRENT=$#words
_ringfence | sort -u | tr '\n' ' '
ZSH
  zsh_check() {
    local expected=${!#} got
    got=$(zsh -f "$home/zsh-harness" "$comp/_ringfence" "$rf" "${@:1:$#-1}" 2>&1)
    got=${got% }
    if [ "$got" = "$expected" ]; then echo "ok: zsh: ringfence ${*:1:$#-1}<TAB> -> $got"
    else echo "FAIL: zsh: ringfence ${*:1:$#-1}<TAB>: expected '$expected', got '$got'"; failures=$((failures + 1)); fi
  }
  zsh_check "" "check decide explain run setup"
  zsh_check run -s "" "danger-full-access read-only workspace-write"
  zsh_check explain --backend "" "auto bwrap landlock seatbelt windows"
  zsh_check setup --backend "" "bwrap landlock seatbelt windows"
  zsh_check run -p "" "ci netwide review"
  zsh_check run --network "" "${modes% }"
  zsh_check check --j "--config --help --json --profile --set -c -h -p"
  zsh_check run -C "" "@files -/"
else
  echo "note: zsh is not installed; its completion is not checked"
fi
if [ "$failures" != 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "all completion checks passed"
