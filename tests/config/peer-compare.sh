#!/bin/bash
# peer-compare.sh: the same rules files and commands through the other agent CLI's
# `codex execpolicy check` and `ringfence decide`: the strictest matching rule must agree, and a
# file one refuses the other must refuse too, except the differences docs/config.md lists.
# Usage: peer-compare.sh RINGFENCE [CODEX]   (CODEX defaults to $RF_PEER_CODEX, else `codex` on
# PATH; without it the comparison is skipped, exit 77).
set -u
RF=$(readlink -f "${1:?usage: peer-compare.sh RINGFENCE [CODEX]}")
CODEX=${2:-${RF_PEER_CODEX:-$(command -v codex || true)}}
if [ -z "$CODEX" ] || ! "$CODEX" execpolicy check --help >/dev/null 2>&1; then
  echo "SKIP: the other CLI (codex, with execpolicy check) is not installed; set RF_PEER_CODEX"
  exit 77
fi
pass=0 fail=0
top=$(mktemp -d /var/tmp/rf-peer-XXXXXX)
trap 'rm -rf "$top"' EXIT
export RINGFENCE_HOME=$top/home HOME=$top/home CODEX_HOME=$top/home/.codex
mkdir -p "$CODEX_HOME"

# The strictest decision of the matching rules, or none; "error" when the file is refused.
peer() {
  local out
  out=$("$CODEX" execpolicy check --resolve-host-executables --rules "$1" -- "${@:2}" 2>/dev/null) ||
    { echo error; return; }
  python3 -c 'import json,sys; print(json.load(sys.stdin).get("decision", "none"))' <<<"$out"
}
ours() {
  local out
  out=$("$RF" decide --json --rules "$1" -- "${@:2}" 2>/dev/null) || { echo error; return; }
  python3 -c '
import json, sys
order = {"allow": 0, "prompt": 1, "forbidden": 2}
m = [r["decision"] for r in json.load(sys.stdin)["matched_rules"]]
print(max(m, key=order.get) if m else "none")' <<<"$out"
}
# compare NAME RULES-TEXT WANT-DIFFERENCE COMMAND...: WANT-DIFFERENCE "" (must agree) or the
# documented difference ("theirs/ours").
compare() {
  local name=$1 text=$2 want=$3; shift 3
  printf '%s\n' "$text" >"$top/t.rules"
  local p o
  p=$(peer "$top/t.rules" "$@")
  o=$(ours "$top/t.rules" "$@")
  if { [ -z "$want" ] && [ "$p" = "$o" ]; } || [ "$want" = "$p/$o" ]; then
    echo "PASS: $name: codex $p, ringfence $o${want:+ (documented difference)}"
    pass=$((pass + 1))
  else
    echo "FAIL: $name: codex $p, ringfence $o (want ${want:-agreement})"
    fail=$((fail + 1))
  fi
}

compare "plain rule" 'prefix_rule(pattern = ["git", "push"], decision = "forbidden")' "" git push origin
compare "no match" 'prefix_rule(pattern = ["git", "push"], decision = "forbidden")' "" git status
compare "alternatives" 'prefix_rule(pattern = ["git", ["push", "fetch"]], decision = "prompt")' "" git fetch
compare "strictest wins" 'prefix_rule(["git"], "allow")
prefix_rule(["git", "push"], "prompt")' "" git push
compare "variables and +" 'GIT = "git"
PUSH = [GIT, "push"]
prefix_rule(pattern = PUSH + ["origin"], decision = "forbidden")' "" git push origin main
compare "string +" 'prefix_rule(["gi" + "t"], "prompt")' "" git log
compare "list *" 'prefix_rule(["ls"] * 2, "prompt")' "" ls ls
compare "+=" 'X = ["ls"]
X += ["-l"]
prefix_rule(X, "forbidden")' "" ls -l
compare "positional arguments" 'prefix_rule(["ls"], "forbidden", [["ls"]], [["cat"]], "why")' "" ls
compare "positional then keyword" 'prefix_rule(["ls"], decision = "prompt")' "" ls
compare "; between statements" 'prefix_rule(["a"], "prompt"); prefix_rule(["b"], "forbidden")' "" b
compare "top-level if" 'N = 3
if N > 2 and not False:
    prefix_rule(["rm"], "forbidden")
else:
    prefix_rule(["rm"], "allow")' "" rm -rf x
compare "elif" 'if False:
    prefix_rule(["x"], "forbidden")
elif "a" in ["a", "b"]:
    prefix_rule(["x"], "prompt")' "" x
compare "one-line if" 'if True: prefix_rule(["x"], "prompt")' "" x
compare "reassignment" 'X = ["ls"]
X = ["cat"]
prefix_rule(X, "prompt")' "" cat
compare "canonical_matching = False" 'prefix_rule(["git", "push"], canonical_matching = False)' "" git push
compare "host_executable gates an absolute path" 'prefix_rule(["git"], "forbidden")
host_executable(name = "git", paths = ["/usr/bin/git"])' "" /opt/git status
compare "host_executable lets a listed path match" 'prefix_rule(["git"], "forbidden")
host_executable(name = "git", paths = ["/usr/bin/git"])' "" /usr/bin/git status
compare "examples that hold" 'prefix_rule(["git", "push"], match = [["git", "push", "x"]], not_match = ["git pull"])' "" git push
compare "network_rule accepted" 'network_rule(host = "example.com", protocol = "https", decision = "deny")' "" ls
compare "network_rule https_connect" 'network_rule("example.com:443", "https_connect", "prompt")' "" ls
# Both refuse.
compare "example that fails" 'prefix_rule(["git", "push"], match = [["git", "pull"]])' "" git push
compare "empty pattern" 'prefix_rule(pattern = [])' "" ls
compare "bad decision" 'prefix_rule(["ls"], "deny")' "" ls
compare "blank justification" 'prefix_rule(["ls"], justification = " ")' "" ls
compare "int in a pattern" 'prefix_rule(["ls", 1])' "" ls
compare "tuple pattern" 'prefix_rule(pattern = ("ls",))' "" ls
compare "argument twice" 'prefix_rule(["ls"], pattern = ["x"])' "" ls
compare "wildcard host" 'network_rule(host = "*.example.com", protocol = "https", decision = "allow")' "" ls
compare "host with a path" 'network_rule(host = "example.com/x", protocol = "https", decision = "allow")' "" ls
compare "empty host" 'network_rule(host = "", protocol = "https", decision = "allow")' "" ls
compare "unknown protocol" 'network_rule(host = "e.com", protocol = "ftp", decision = "allow")' "" ls
compare "relative host_executable path" 'host_executable(name = "git", paths = ["bin/git"])' "" ls
compare "host_executable with ~" 'host_executable(name = "git", paths = ["~/bin/git"])' "" ls
compare "load()" 'load("x.star", "y")' "" ls
compare "undefined name" 'prefix_rule(X)' "" ls
compare "string + int" 'X = "a" + 1' "" ls
compare "print" 'print("x")' "" ls
# Documented differences: what the other CLI evaluates and ringfence refuses (fail closed).
compare "def (difference)" 'def f():
    return ["ls"]
prefix_rule(f(), "forbidden")' "forbidden/error" ls
compare "for loop (difference)" 'for p in ["ls", "cat"]:
    prefix_rule([p], "forbidden")' "forbidden/error" ls
compare "conditional expression (difference)" 'prefix_rule(["ls"], "forbidden" if True else "allow")' "forbidden/error" ls
compare "dict (difference)" 'D = {"a": ["ls"]}
prefix_rule(["ls"], "forbidden")' "forbidden/error" ls
compare "comprehension (difference)" 'prefix_rule([x for x in ["ls"]], "forbidden")' "forbidden/error" ls

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
