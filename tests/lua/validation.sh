#!/bin/sh
# Bad values are refused, not silently accepted (issue 16 item 9): numeric options of
# nethost.run and ssh.run (0, -1, NaN, -inf, "abc") raise naming the option; a playbook's exit
# status outside 0-255 is refused; host names with control characters are escaped.
NH=$1
. "$(dirname "$0")/../lib/cli_test.sh"
cat >"$T/opts.lua" <<'LUA'
local bad = { 0, -1, 0/0, -math.huge, "abc" }
for _, v in ipairs(bad) do
  local ok, e = pcall(nethost.run, { "h1" }, function() end, { timeout = v, summary = false })
  assert(not ok and tostring(e):find("timeout must be a positive"), "nethost.run timeout " .. tostring(v) .. ": " .. tostring(e))
  for _, k in ipairs({ "timeout", "connect_timeout", "max_output" }) do
    ok, e = pcall(ssh.run, { host = "127.0.0.1", port = 1 }, "show clock", { [k] = v })
    assert(not ok and tostring(e):find("option '" .. k .. "' must be a positive number", 1, true),
           "ssh.run " .. k .. " = " .. tostring(v) .. ": " .. tostring(e))
  end
end
print("options ok")
LUA
"$NH" run "$T/opts.lua" >"$T/out" 2>"$T/err" || fail "options"
grep -q "options ok" "$T/out" || fail "options output"
for code in 256 300 -1; do
  echo "return $code" >"$T/exit.lua"
  "$NH" run "$T/exit.lua" >"$T/out" 2>"$T/err"
  rc=$?
  [ "$rc" = 1 ] && grep -q "returned $code; an exit status is 0-255" "$T/err" || fail "return $code: rc $rc"
done
echo "return 3" >"$T/exit.lua"
"$NH" run "$T/exit.lua" >/dev/null 2>&1
[ $? = 3 ] || fail "return 3"
# A host name that would forge a log line and recolour the terminal.
printf 'hosts:\n  "sw1\\n[sw2] fake line \\e[31m": {address: 127.0.0.1}\n' >"$T/inv.yaml"
cat >"$T/names.lua" <<'LUA'
nethost.run(nethost.inventory, function(h) log.warn("hello"); error("boom") end)
LUA
"$NH" run -i "$T/inv.yaml" "$T/names.lua" >"$T/out" 2>"$T/err"
grep -q "fake line" "$T/err" || fail "the host's log line is missing"
grep -q "^\[sw2\] fake line" "$T/err" && fail "a host name forged a log line"
grep -q "$(printf '\033')" "$T/err" && fail "a host name put an escape sequence on the terminal"
grep -qF '[sw1\x0a[sw2] fake line \x1b[31m] hello' "$T/err" || fail "escaped name in the log line"
echo "validation: ok"
