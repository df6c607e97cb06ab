#!/bin/sh
# The CLI as a user meets it: exit codes, error messages, vars and arguments, Ctrl-C.
# usage: cli.sh NETHOST SOURCE_DIR
set -u
NETHOST=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect CODE PATTERN -- ARGS: runs nethost, checks the exit code and that the combined output
# matches PATTERN (grep -E).
expect() {
  code=$1 pattern=$2; shift 3
  "$NETHOST" "$@" >"$tmp/out" 2>&1
  rc=$?
  [ "$rc" = "$code" ] || { cat "$tmp/out"; fail "nethost $*: exit $rc, expected $code"; }
  grep -Eq -- "$pattern" "$tmp/out" || { cat "$tmp/out"; fail "nethost $*: no '$pattern'"; }
}

expect 0 '^nethost [0-9]+\.[0-9]+' -- version
expect 0 'run PLAYBOOK' -- --help
expect 0 '--inventory' -- help run
expect 1 "unknown command 'frobnicate'" -- frobnicate
expect 1 'which playbook' -- run
expect 1 'unknown option --bogus' -- run x.lua --bogus
expect 1 'cannot open' -- run "$tmp/missing.lua"

# A syntax error: file:line: message, exit 1.
printf 'local x = 1\nlocal y = = 2\n' >"$tmp/syntax.lua"
expect 1 "syntax.lua:2: unexpected symbol" -- run "$tmp/syntax.lua"

# A runtime error: file:line: message and a traceback naming the function, exit 1.
cat >"$tmp/runtime.lua" <<'LUA'
local function inner() local t = nil; return t.field end
local function outer() local v = inner(); return v end
async.sleep(0)
outer()
LUA
expect 1 "runtime.lua:1: attempt to index a nil value" -- run "$tmp/runtime.lua"
grep -q "stack traceback" "$tmp/out" || fail "no traceback"
grep -q "in .*'outer'" "$tmp/out" || fail "traceback does not name outer"
grep -q "cli.lua" "$tmp/out" && fail "traceback shows nethost's internals"

# An error object raised by the playbook prints its one-line form.
echo 'error(nethost.error("auth", "authentication failed", {host = "sw-9"}))' >"$tmp/obj.lua"
expect 1 "sw-9.*authentication failed" -- run "$tmp/obj.lua"

# Vars, arguments after --, positional arguments, and the exit code a playbook returns.
cat >"$tmp/args.lua" <<'LUA'
print("vars", nethost.vars.site, nethost.vars.empty == "", nethost.check)
print("arg", arg[0] ~= nil, arg[1], arg[2], select("#", ...))
return tonumber(nethost.vars.code or "0")
LUA
expect 0 'vars	lon	true	false' -- run "$tmp/args.lua" -e site=lon -e empty= -- one two
grep -q 'arg	true	one	two	2' "$tmp/out" || { cat "$tmp/out"; fail "arg table"; }
expect 3 'vars	lon	true	true' -- run "$tmp/args.lua" -e site=lon -e empty= -e code=3 --check
expect 1 'expected KEY=VALUE' -- run "$tmp/args.lua" -e novalue
# -e @FILE (Ansible's form) sets every key of a YAML mapping; later -e pairs win.
printf 'site: par\ncode: 4\nempty: ""\n' >"$tmp/vars.yml"
expect 4 'vars	par	true	false' -- run "$tmp/args.lua" -e @"$tmp/vars.yml"
expect 0 'vars	ber	true	false' -- run "$tmp/args.lua" -e @"$tmp/vars.yml" -e site=ber -e code=0
printf -- '- a\n- b\n' >"$tmp/list.yml"
expect 1 'must hold a mapping' -- run "$tmp/args.lua" -e @"$tmp/list.yml"
expect 1 'vars.yml' -- run "$tmp/args.lua" -e @"$tmp/missing-vars.yml"
# --retries N reaches nethost.run: a connect failure is retried N times; --diff is an option.
cat >"$tmp/retries.lua" <<'LUA'
local res = nethost.run({ { name = "h", host = "127.0.0.1", port = 1 } }, function(h)
  ssh.open(h)
end, { retry_delay = 0.01, progress = false, summary = false })
print("attempts", res:get("h").attempts, nethost.options.diff)
LUA
expect 2 'attempts	3	true' -- run "$tmp/retries.lua" --retries 2 --diff
expect 2 'attempts	1	nil' -- run "$tmp/retries.lua"
expect 1 'expected a number of retries' -- run "$tmp/retries.lua" --retries x

# Ctrl-C: the first cancels every task (cleanup runs) and exits 130.
cat >"$tmp/sigint.lua" <<'LUA'
local t = async.spawn(function()
  local ok, e = pcall(async.sleep, 60)
  print("worker cleanup", e and e.kind)
  error(e, 0)
end)
print("started")
local ok, e = pcall(t.wait, t)
print("main cleanup", e and e.kind)
LUA
"$NETHOST" run "$tmp/sigint.lua" >"$tmp/out" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q started "$tmp/out" && break; sleep 0.1; done
kill -INT $pid
wait $pid
rc=$?
[ "$rc" = 130 ] || { cat "$tmp/out"; fail "Ctrl-C: exit $rc, expected 130"; }
grep -q "worker cleanup	cancelled" "$tmp/out" || { cat "$tmp/out"; fail "worker cleanup did not run"; }

# A deadlock (waiting for something that can never happen) ends with an error, not a hang.
echo 'local q = async.queue(); q:get()' >"$tmp/deadlock.lua"
expect 1 "never happen" -- run "$tmp/deadlock.lua"
echo "cli: all checks passed"
