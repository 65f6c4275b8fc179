#!/bin/bash
# cli-config-test.sh: claims about `ringfence explain`, `decide` and `run` driven by an
# agent-style config.toml (profiles, a granular approval policy) and a prefix-rules file.
# Usage: cli-config-test.sh RINGFENCE FIXTURES-DIR
set -u
RF=$(readlink -f "${1:?usage: cli-config-test.sh RINGFENCE FIXTURES-DIR}")
FIX=$(readlink -f "${2:?usage: cli-config-test.sh RINGFENCE FIXTURES-DIR}")
CFG=$FIX/agent-config.toml
RULES=$FIX/project.rules

pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1${2:+ -- $2}"; fail=$((fail + 1)); }
has() { grep -q -F -e "$1" <<<"$2"; }
claim() { # claim NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
# expect NAME WANT-STATUS WANT-TEXT COMMAND...: runs COMMAND, checks status and output.
expect() {
  local name=$1 want_rc=$2 want_text=$3; shift 3
  local out rc
  out=$("$@" 2>&1 </dev/null); rc=$?
  if [ "$rc" = "$want_rc" ] && has "$want_text" "$out"; then ok "$name"
  else bad "$name" "exit $rc (want $want_rc), output: $(head -c 600 <<<"$out")"; fi
}
json() { # json EXPR: evaluates EXPR on the JSON document on stdin (python, d = document)
  python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

top=$(mktemp -d /var/tmp/rf-config-XXXXXX)
chmod 755 "$top"
trap 'rm -rf "$top"' EXIT
mkdir -p "$top/home" "$top/ws"
export RINGFENCE_HOME=$top/home   # no default config sneaks in
cd "$top/ws" || exit 1

# --- explain: where every setting came from ----------------------------------------
out=$("$RF" explain --config "$CFG" -- true 2>&1); rc=$?
claim "explain reads the agent config and exits 0" test "$rc" = 0
claim "the file's profile = \"dev\" is selected, with its line" has "profile: dev ($CFG:7)" "$out"
claim "sandbox_mode comes from the dev profile" \
  has "sandbox_mode = \"workspace-write\"" "$out"
claim "... and explain says so" has "# profile dev ($CFG:29)" "$out"
claim "the granular approval policy is shown with its origin" \
  has "approval_policy = { granular = { sandbox_approval = true, rules = true, mcp_elicitations = false, request_permissions = true, skill_approval = false } }  # profile dev ($CFG:30)" "$out"
claim "a setting from the top level names FILE:LINE" \
  has "sandbox_workspace_write.exclude_tmpdir_env_var = true" "$out"
claim "an unset setting says default" has "ringfence.deny_read = []" "$out"
claim "the agent's own keys (model, [tui], [mcp_servers]) are ignored silently" \
  test -z "$(grep -e 'note:' <<<"$out")"
claim "the resolved policy follows the profile" has "sandbox mode: workspace-write" "$out"

out=$("$RF" explain --config "$CFG" -p ci --json -- true 2>/dev/null)
claim "-p ci selects the ci profile (JSON)" \
  test "$(json "d['config']['profile'], d['config']['profile_origin']" <<<"$out")" = "ci flag -p"
claim "the ci profile's nested table turns the network on" \
  test "$(json "d['network'], d['config']['settings']['sandbox_workspace_write.network_access']['origin']" <<<"$out")" = "on profile ci ($CFG:37)"
claim "the ci profile's approval policy is never" \
  test "$(json "d['config']['settings']['approval_policy']['value']" <<<"$out")" = never

out=$("$RF" explain --config "$CFG" -p ci -c sandbox_workspace_write.network_access=false --json -- true 2>/dev/null)
claim "-c beats the profile, and explain names the -c" \
  test "$(json "d['network'], d['config']['settings']['sandbox_workspace_write.network_access']['origin']" <<<"$out")" = "off -c sandbox_workspace_write.network_access=false"

out=$("$RF" explain --config "$CFG" -c 'sandbox_mode="danger-full-access"' -s read-only --json -- true 2>/dev/null)
claim "a flag beats -c" \
  test "$(json "d['sandbox_mode'], d['config']['settings']['sandbox_mode']['origin']" <<<"$out")" = "read-only flag -s/--sandbox"

out=$("$RF" explain --config "$CFG" -c profile=review --json -- true 2>/dev/null)
claim "-c profile=review selects a profile too" \
  test "$(json "d['config']['profile']" <<<"$out")" = review

TMPDIR=$top/home "$RF" explain --config "$CFG" -- true >"$top/out" 2>&1
claim "exclude_tmpdir_env_var = true keeps \$TMPDIR out of the writable roots" \
  test -z "$(grep -e "$top/home  (\$TMPDIR)" "$top/out")"

out=$("$RF" explain --config "$CFG" --rules "$RULES" -- git push origin main 2>&1)
claim "explain says what run would decide about the command" \
  has "approval for run: prompt (the rule at $RULES:2:1 (prefix \`git push\`) asks for approval" "$out"

# --- errors: 125 with a one-line reason ----------------------------------------------
expect "an unknown profile exits 125 and lists the defined ones" 125 \
  "profile 'nope' (from flag -p) is not defined in $CFG (defined: dev, ci, review, locked)" \
  "$RF" explain --config "$CFG" -p nope -- true
expect "a missing --config file exits 125 and names it" 125 \
  "config file $top/missing.toml cannot be read" "$RF" explain --config "$top/missing.toml" -- true
expect "a missing default config file is fine" 0 "config file: none (looked for $top/home/config.toml)" \
  "$RF" explain -- true
expect "a known key of the wrong type exits 125 naming FILE:LINE:COL and the accepted values" 125 \
  "$FIX/bad-type.toml:4:18: key 'sandbox_workspace_write.network_access' is a string: expected true or false" \
  "$RF" decide --config "$FIX/bad-type.toml" -- ls
expect "a bad -c value exits 125 naming the key and the accepted values" 125 \
  "-c sandbox_mode=\"rw\": key 'sandbox_mode' has the value \"rw\": expected \"read-only\", \"workspace-write\" or \"danger-full-access\"" \
  "$RF" explain --config "$CFG" -c 'sandbox_mode="rw"' -- true
expect "-c without = exits 125" 125 "expected KEY=VALUE" "$RF" decide -c sandbox_mode -- ls
expect "a bad -a exits 125 naming the policies" 125 "untrusted, on-failure, on-request or never" \
  "$RF" decide -a sometimes -- ls
expect "an unknown -c key is noted, not fatal" 0 "note: -c modle=x: ringfence has no setting 'modle'" \
  "$RF" decide -c modle=x -- ls

# --- decide: the profile's granular policy with the rules ------------------------------
d() { "$RF" decide --config "$CFG" --rules "$RULES" "$@" 2>&1 | head -1; }
claim "dev: a prompt rule is a prompt (rules = true)" test "$(d -- git push origin main)" = prompt
claim "dev: a forbidden rule is forbidden" test "$(d -- rm -rf build)" = forbidden
claim "dev: an allow rule allows" test "$(d -- make test)" = allow
claim "dev: an unmatched command runs sandboxed without asking" test "$(d -- python3 x.py)" = allow
claim "dev: a dangerous command is a prompt (sandbox_approval = true)" test "$(d -- git reset --hard)" = prompt
claim "dev: escalation is a prompt" test "$(d --request escalation -- python3 x.py)" = prompt
claim "dev: an MCP elicitation is rejected (mcp_elicitations = false)" test "$(d --request mcp-elicitation)" = reject
claim "dev: a permission request is a prompt (request_permissions = true)" test "$(d --request permission)" = prompt
claim "dev: a skill script is rejected (skill_approval = false)" test "$(d --request skill-script -- ./scripts/x.sh)" = reject
claim "dev: /usr/bin/git push matches the git rule (host_executable lists it)" test "$(d -- /usr/bin/git push)" = prompt
claim "dev: /tmp/git push does not (not a listed git)" test "$(d -- /tmp/git push)" = allow
claim "ci (never): a prompt rule is rejected" test "$(d -p ci -- git push)" = reject
claim "ci (never): escalation is rejected" test "$(d -p ci --request escalation -- python3)" = reject
claim "ci (never): a sandboxed run is allowed" test "$(d -p ci -- python3 x.py)" = allow
claim "review (untrusted): a read-only command is allowed" test "$(d -p review -- ls -la)" = allow
claim "review (untrusted): find -delete is a prompt" test "$(d -p review -- find . -delete)" = prompt
claim "review (untrusted): git status is allowed" test "$(d -p review -- git status)" = allow
claim "review (untrusted): git -c is a prompt" test "$(d -p review -- git -c core.pager=x log)" = prompt
claim "review (untrusted): sh -c with a redirection is a prompt" test "$(d -p review -- sh -c 'ls > out')" = prompt
claim "review (untrusted): a plain sh -c list of safe commands is allowed" test "$(d -p review -- bash -lc 'ls && pwd')" = allow
claim "locked (granular, all off): a prompt rule is rejected" test "$(d -p locked -- git push)" = reject
claim "locked (granular, all off): a dangerous command is rejected" test "$(d -p locked -- git reset --hard)" = reject
claim "-a beats the profile" test "$(d -p ci -a untrusted -- python3 x.py)" = prompt

out=$("$RF" decide --config "$CFG" --rules "$RULES" --json -- git push origin main)
claim "decide --json gives decision, category and the matched rule" \
  test "$(json "d['decision'], d['category'], d['approval_policy'], d['matched_rules'][0]['source'], d['matched_rules'][0]['justification']" <<<"$out")" = "prompt rules granular $RULES:2:1 talks to the remote"
out=$("$RF" decide --config "$CFG" --rules "$RULES" -- rm -rf build)
claim "decide's reason quotes the rule's justification" has "Use \`trash\` instead of rm -rf." "$out"
out=$("$RF" decide -c "ringfence.rules=[\"$RULES\"]" -- rm -fr /)
claim "rules files named in the config are read" test "$(head -1 <<<"$out")" = forbidden

expect "a rules file whose example disagrees is refused, naming the example and the rule" 125 \
  "$FIX/bad-example.rules:4:29: match example \`npm install\` does not match prefix_rule(pattern = [\"npm\", \"publish\"]) at line 1" \
  "$RF" decide --rules "$FIX/bad-example.rules" -- npm publish
expect "decide without a command exits 125" 125 "no command given" "$RF" decide
expect "an unknown --request exits 125" 125 "unknown request kind 'exec'" "$RF" decide --request exec -- ls

# --- run: approvals before anything starts ---------------------------------------------
# danger-full-access needs no backend, so these claims hold wherever ringfence builds.
touch victim
"$RF" run --config "$CFG" --rules "$RULES" -s danger-full-access -- rm -rf victim >"$top/out" 2>&1
rc=$?
claim "run refuses a forbidden command with 125 and runs nothing" test "$rc" = 125 -a -e victim
claim "... saying why" has "not run (forbidden)" "$(cat "$top/out")"
"$RF" run --config "$CFG" -p ci --rules "$RULES" -s danger-full-access -- git push >"$top/out" 2>&1
claim "run refuses a rejected prompt (never) with 125" test $? = 125
"$RF" run --config "$CFG" -p review -s danger-full-access -- touch made-without-terminal </dev/null >"$top/out" 2>&1
rc=$?
claim "without a terminal a prompt is a rejection: 125, nothing run, no waiting" \
  test "$rc" = 125 -a ! -e made-without-terminal
claim "... with a clear message" has "needs approval and there is no terminal to ask on" "$(cat "$top/out")"
out=$("$RF" run --config "$CFG" -p review -s danger-full-access -- echo hello 2>&1)
claim "an allowed command runs (untrusted: echo is read-only)" test "$out" = hello
out=$("$RF" run -s danger-full-access -- sh -c 'echo plain' 2>&1)
claim "without an approval policy or rules, run asks nothing" test "$out" = plain

# On a terminal: the question, then y runs it and n does not.
pty_run() { # pty_run ANSWER COMMAND...: runs COMMAND on a pseudo-terminal, types ANSWER
  python3 - "$@" <<'PY'
import os, pty, sys, time
answer = sys.argv[1].encode() + b"\n"
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
out = b""
deadline = time.time() + 20
while b"[y/N]" not in out and time.time() < deadline:
    try:
        out += os.read(fd, 4096)
    except OSError:
        break
os.write(fd, answer)
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
PY
}
out=$(pty_run y "$RF" run --config "$CFG" -p review -s danger-full-access -- touch approved-by-y)
rc=$?
claim "on a terminal the prompt shows the command and the reason" \
  has "approval needed to run:" "$out"
claim "... and y runs it" test "$rc" = 0 -a -e approved-by-y
out=$(pty_run n "$RF" run --config "$CFG" -p review -s danger-full-access -- touch refused-by-n)
rc=$?
claim "... and n does not (125)" test "$rc" = 125 -a ! -e refused-by-n

# --- --network proxy: ringfence's keys and the ones agent users already write ------------
np=$top/network-proxy.toml
printf '[network_proxy]\nenabled = true\nmode = "limited"\nproxy_url = "http://127.0.0.1:3128"\n[network_proxy.policy]\nallowed_domains = ["*.example.com"]\ndenied_domains = ["bad.example.com"]\n' >"$np"
out=$("$RF" explain --config "$np" -- true 2>&1)
claim "[network_proxy] enabled = true means --network proxy, and explain says why" \
  has "network proxy (network_proxy.enabled)" "$out"
claim "... its allowed_domains are shown with their line" \
  has "network_proxy.policy.allowed_domains = [\"*.example.com\"]" "$out"
out=$("$RF" explain --config "$np" --network off -- true 2>&1); rc=$?
claim "--network off beats it, and its domains are then no error" \
  test "$rc:$(has 'network: off' "$out" && echo off)" = 0:off
pn=$top/permissions-network.toml
printf '[permissions.network]\nenabled = true\nallowed_domains = ["pypi.org"]\n' >"$pn"
out=$("$RF" explain --config "$pn" --allow-domain files.pythonhosted.org -- true 2>&1)
claim "[permissions.network] is read as the network proxy's table" \
  has "network proxy (network_proxy.enabled)" "$out"
claim "... and --allow-domain adds to the config's list, both origins shown" \
  has "flag --allow-domain" "$out"
printf '[network_proxy]\nenabled = true\nmitm = true\n' >"$top/mitm.toml"
expect "a [network_proxy] key ringfence does not read is refused" 125 "network_proxy.mitm" \
  "$RF" explain --config "$top/mitm.toml" -- true
printf '[ringfence]\nnetwork = "proxy"\nallowed_domains = ["a.example"]\nproxy_url = "ftp://x"\n' >"$top/bad-url.toml"
expect "a proxy_url that is not http:// or socks5h:// is refused" 125 "socks5h://" \
  "$RF" explain --config "$top/bad-url.toml" -- true

# With a sandbox backend, the dev profile (workspace-write) drives a real run.
if "$RF" check >/dev/null 2>&1; then
  "$RF" run --config "$CFG" -- sh -c 'echo ok > inside' 2>"$top/out"
  claim "the dev profile's workspace-write lets run write in the workspace" \
    test "$(cat inside 2>/dev/null)" = ok
  "$RF" run --config "$CFG" -p review -- sh -c 'echo x > ro' </dev/null 2>/dev/null
  claim "the review profile (read-only, untrusted) neither asks nor writes" test ! -e ro
else
  echo "SKIP: no usable sandbox backend here; the sandboxed run claims are skipped"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
