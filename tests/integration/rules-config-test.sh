#!/bin/bash
# rules-config-test.sh: claims about rules files as agent users write them (the Starlark subset,
# the config's rules/ folder, trusted and untrusted projects) and the config keys they write
# today (shell_environment_policy, NAME.config.toml profiles, keys that would change access,
# the sandbox markers), run against the real CLI and sandbox (issue 16).
# Usage: rules-config-test.sh RINGFENCE [--as-nobody]
# With --as-nobody (only when root), the same claims run as uid 65534 from a staged copy.
set -u
RF=$(readlink -f "${1:?usage: rules-config-test.sh RINGFENCE [--as-nobody]}")
MODE=${2:-}

if [ "$MODE" = "--as-nobody" ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  . "$here/../lib/as-nobody.sh"
  rerun_as_nobody "$here/rules-config-test.sh" "$RF"
fi

pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
has() { grep -q -F -e "$1" <<<"$2"; }
claim() { # claim NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
expect() { # expect NAME WANT-STATUS WANT-TEXT COMMAND...
  local name=$1 want_rc=$2 want_text=$3; shift 3
  local out rc
  out=$("$@" 2>&1 </dev/null); rc=$?
  if [ "$rc" = "$want_rc" ] && has "$want_text" "$out"; then ok "$name"
  else bad "$name" "exit $rc (want $want_rc), output: $(head -c 600 <<<"$out")"; fi
}

# Not below /tmp: /tmp is itself a writable root.
top=$(mktemp -d /var/tmp/rf-rules-XXXXXX)
chmod 755 "$top"
trap 'rm -rf "$top"' EXIT
home=$top/home ws=$top/ws
mkdir -p "$home/rules" "$ws/.ringfence/rules" "$ws/.codex/rules"
export RINGFENCE_HOME=$home
cd "$ws" || exit 1
d() { "$RF" decide "$@" 2>&1 | head -1; }

# --- the Starlark subset ---------------------------------------------------------------
cat >"$top/agent.rules" <<'EOF'
# as agent users write them: variables, + on lists, positional arguments, ';', top-level if
GIT = "git"
REMOTE = [GIT, ["push", "fetch"]]
STRICT = True
prefix_rule(REMOTE + ["--force"], "forbidden"); prefix_rule(REMOTE, "prompt")
X = 1 if STRICT else 2
EOF
expect "a conditional expression is refused at FILE:LINE:COL, exit 125" 125 \
  "$top/agent.rules:6:7: conditional expressions" "$RF" decide --rules "$top/agent.rules" -- ls
sed -i '6d' "$top/agent.rules"
cat >>"$top/agent.rules" <<'EOF'
if STRICT:
    prefix_rule(pattern = ["rm"], decision = "forbidden", justification = "use trash")
else:
    prefix_rule(pattern = ["rm"], decision = "allow")
host_executable(name = GIT, paths = ["/usr/bin/" + GIT])
network_rule("example.com", "https", "deny")
EOF
claim "variables and + make the forbidden rule" test "$(d --rules "$top/agent.rules" -- git push --force)" = forbidden
claim "positional arguments make the prompt rule" test "$(d --rules "$top/agent.rules" -a on-request -- git fetch origin)" = prompt
claim "the taken if branch counts" test "$(d --rules "$top/agent.rules" -- rm -r x)" = forbidden
claim "host_executable from a variable lets /usr/bin/git match" \
  test "$(d --rules "$top/agent.rules" -- /usr/bin/git push --force)" = forbidden
claim "... and no other git" test "$(d --rules "$top/agent.rules" -- /opt/git fetch origin)" = allow

for bad_rules in 'load("x.star", "y")' 'def f():' 'for x in ["a"]:' 'X = ["a" for y in []]' \
  'network_rule(host = "*.example.com", protocol = "https", decision = "allow")' \
  'host_executable(name = "git", paths = ["~/bin/git"])'; do
  printf 'prefix_rule(["ls"])\n%s\n' "$bad_rules" >"$top/bad.rules"
  case $bad_rules in *:) printf '    pass\n' >>"$top/bad.rules" ;; esac
  touch_target=$top/not-made
  "$RF" run --rules "$top/bad.rules" -s danger-full-access -- touch "$touch_target" >"$top/out" 2>&1
  rc=$?
  claim "a rules file with \`$bad_rules\` stops the run (125, nothing started) at FILE:2:COL" \
    test "$rc" = 125 -a ! -e "$touch_target"
  claim "... naming the place" has "$top/bad.rules:2:" "$(cat "$top/out")"
done

# --- where rules files come from ---------------------------------------------------------
printf 'prefix_rule(["touch", "from-config-folder"], "forbidden")\n' >"$home/rules/user.rules"
printf 'prefix_rule(["touch"], "allow")\nprefix_rule(["touch", "from-project"], "forbidden")\n' \
  >"$ws/.ringfence/rules/project.rules"
printf 'prefix_rule(["touch", "from-codex-folder"], "forbidden")\n' >"$ws/.codex/rules/codex.rules"
: >"$home/config.toml"
claim "the config's rules/ folder is read" test "$(d -- touch from-config-folder)" = forbidden
claim "an untrusted project's .ringfence/rules is not read (its forbidden rule does not count)" \
  test "$(d -- touch from-project)" = allow
claim "... nor its allow rule (untrusted: touch is a prompt)" test "$(d -a untrusted -- touch x)" = prompt
out=$("$RF" explain -- true 2>&1)
claim "explain says the untrusted project's rules were not read and how to trust it" \
  has "$ws/.ringfence/rules: not read, the project is not trusted (trust it with [projects.\"$ws\"] trust_level = \"trusted\")" "$out"
"$RF" run -a untrusted -s danger-full-access -- touch made-untrusted </dev/null >/dev/null 2>&1
claim "run: the untrusted project's allow rule does not let touch run unasked (nothing made)" \
  test ! -e made-untrusted

printf '[projects."%s"]\ntrust_level = "untrusted"\n' "$ws" >"$home/config.toml"
claim "trust_level = \"untrusted\" reads nothing either" test "$(d -- touch from-project)" = allow
printf '[projects."%s"]\ntrust_level = "trusted"\n' "$ws" >"$home/config.toml"
claim "a trusted project's .ringfence/rules is read" test "$(d -- touch from-project)" = forbidden
claim "... and its allow rule counts" test "$(d -a untrusted -- touch x)" = allow
claim "... from a subdirectory too" test "$(mkdir -p sub && cd sub && d -- touch from-project)" = forbidden
(cd "$top" && "$RF" run -C "$ws" -s danger-full-access -- touch from-project >/dev/null 2>&1)
claim "run -C names the project as the working directory does (forbidden: 125, nothing made)" \
  test $? = 125 -a ! -e "$ws/from-project"
claim ".codex/rules is not read unless the config says so" test "$(d -- touch from-codex-folder)" = allow
printf '[projects."%s"]\ntrust_level = "trusted"\n[ringfence]\ncodex_project_rules = true\n' "$ws" \
  >"$home/config.toml"
claim "... and is with ringfence.codex_project_rules = true" test "$(d -- touch from-codex-folder)" = forbidden
out=$("$RF" explain --json -- true 2>/dev/null)
claim "explain --json lists the rules files in the order they are read" \
  test "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(f["path"].split("/")[-1] for f in d["config"]["rules_files"]))' <<<"$out")" = "codex.rules project.rules user.rules"
printf 'prefix_rule(["touch"],\n' >"$ws/.ringfence/rules/broken.rules"
"$RF" run -s danger-full-access -- touch made-with-broken >"$top/out" 2>&1
rc=$?
claim "a trusted project's rules file that fails to parse stops the run (fail closed)" \
  test "$rc" = 125 -a ! -e made-with-broken
claim "... naming FILE:LINE:COL" has "$ws/.ringfence/rules/broken.rules:2:1: unexpected end of file" "$(cat "$top/out")"
rm -f "$ws/.ringfence/rules/broken.rules"
printf '[projects."%s"]\ntrust_level = "trusted"\n[ringfence]\nprotected_names = [".git"]\n' "$ws" \
  >"$home/config.toml"
expect "a trusted project's rules are refused while .ringfence is not protected" 125 \
  "are not read while '.ringfence' is not a protected name" "$RF" decide -- ls

# --- keys that would change access are errors -----------------------------------------------
for key in 'network_access = true' 'sandbox_permissions = ["disk-full-read-access"]' \
  '[ringfence]
colour = "blue"' '[features]
network_proxy = true'; do
  printf '%s\n' "$key" >"$home/config.toml"
  rm -f made-with-unknown-key
  "$RF" run -s danger-full-access -- touch made-with-unknown-key >"$top/out" 2>&1
  rc=$?
  claim "\`${key%%$'\n'*}\` stops the run (125, nothing started)" test "$rc" = 125 -a ! -e made-with-unknown-key
  claim "... naming the file and the key" has "$home/config.toml:" "$(cat "$top/out")"
done
printf 'model = "m"\n[mcp_servers.x]\ncommand = "y"\n[tui]\nnotifications = true\n' >"$home/config.toml"
expect "agent-only keys (model, mcp_servers, tui) are ignored" 0 "allow" "$RF" decide -- ls

# --- profiles as NAME.config.toml -----------------------------------------------------------
printf 'sandbox_mode = "read-only"\n' >"$home/config.toml"
printf 'sandbox_mode = "danger-full-access"\n' >"$home/fast.config.toml"
out=$("$RF" explain -p fast --json -- true 2>/dev/null)
claim "-p fast layers fast.config.toml over config.toml" \
  test "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["sandbox_mode"])' <<<"$out")" = danger-full-access
out=$("$RF" explain -p fast -- true 2>&1)
claim "explain says danger-full-access has the network on" \
  has "network on (sandbox_mode = \"danger-full-access\": no sandbox)" "$out"
printf '[profiles.fast]\nsandbox_mode = "read-only"\n' >>"$home/config.toml"
expect "the same profile in both forms is an error" 125 "profile 'fast' is defined twice" \
  "$RF" explain -p fast -- true
rm -f "$home/fast.config.toml"

# --- in the sandbox: the environment and the markers --------------------------------------
: >"$home/config.toml"
if "$RF" check >/dev/null 2>&1; then
  # -a never: these scripts expand variables, so they are not understood completely and would
  # be a prompt (docs/approvals.md); under never they run sandboxed, nothing in them matching.
  export RF_TEST_API_KEY=secret-key RF_TEST_PLAIN=plain
  out=$("$RF" run -a never -- sh -c 'echo "key=${RF_TEST_API_KEY:-absent} plain=${RF_TEST_PLAIN:-absent} codex=${CODEX_SANDBOX_NETWORK_DISABLED:-unset} ours=${RINGFENCE_SANDBOX_NETWORK_DISABLED:-unset} cs=${CODEX_SANDBOX:-unset}"' 2>&1)
  claim "without shell_environment_policy the whole environment goes in (as before)" \
    has "key=secret-key plain=plain" "$out"
  claim "CODEX_SANDBOX_NETWORK_DISABLED=1 is set next to ours with the network off (CODEX_SANDBOX only under seatbelt)" \
    has "codex=1 ours=1 cs=unset" "$out"
  printf '[shell_environment_policy]\nignore_default_excludes = false\n' >"$home/config.toml"
  out=$("$RF" run -a never -- sh -c 'echo "key=${RF_TEST_API_KEY:-absent} plain=${RF_TEST_PLAIN:-absent}"' 2>&1)
  claim "ignore_default_excludes = false keeps *KEY* out of the sandbox" has "key=absent plain=plain" "$out"
  printf '[shell_environment_policy]\ninherit = "none"\nset = { ONLY = "1" }\n' >"$home/config.toml"
  out=$("$RF" run -- /usr/bin/env 2>&1 | grep -v -e '^RINGFENCE_' -e '^CODEX_SANDBOX' | sort | tr '\n' ' ')
  claim "inherit = \"none\" gives only what set names" test "$out" = "ONLY=1 "
  printf 'sandbox_mode = "workspace-write"\n[sandbox_workspace_write]\nnetwork_access = true\n' >"$home/config.toml"
  out=$("$RF" run -a never -- sh -c 'echo "codex=${CODEX_SANDBOX_NETWORK_DISABLED:-unset}"' 2>&1)
  claim "with the network on, CODEX_SANDBOX_NETWORK_DISABLED is not set" has "codex=unset" "$out"
  printf 'sandbox_mode = "workspace-write"\n' >"$home/config.toml"
  rm -rf .aws
  "$RF" run -- sh -c 'mkdir -p .aws && echo "[default]" > .aws/config' >/dev/null 2>&1
  claim ".aws is protected: a workspace-write command cannot plant .aws/config" test ! -e .aws/config
else
  echo "SKIP: no usable sandbox backend here ($("$RF" check 2>&1 | tail -1)); the sandboxed claims are skipped"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
