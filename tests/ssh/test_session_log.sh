#!/bin/sh
# Session logs against nethost-sim (docs/ssh.md, "Session logs"): the inventory's
# ssh.session_log folder gives one 0600 file per host with every command sent and every
# line received, timestamped, the enable secret masked, on exec channels and on the shell;
# ssh.open's session_log names a file; -vv and --log show the same lines; a failed host's
# record carries the end of its transcript, including what arrived before a timeout.
# usage: test_session_log.sh BIN_DIR SOURCE_DIR
BIN=$1
tmp=$(mktemp -d)
. "$(dirname "$0")/../playbooks/lab.sh"
[ -x "$BIN/nethost-sim" ] || { echo "SKIP: nethost-sim not built"; exit 77; }

# Three IOS devices on their own addresses; sw-0003 sends half of its first output, then
# nothing (hang-output). Another test may hold the addresses for a moment: retry.
for try in 1 2 3; do
  start_lab 3 127.1.112.1 --mix cisco_ios=1 --fault hang-output:devices=sw-0003 && break
done
inv=$tmp/lab/lab.yaml
# The per-host transcript folder, relative to the inventory.
sed -i 's/^  ssh:$/  ssh:\n    session_log: slogs/' "$inv"
grep -q '    session_log: slogs' "$inv" || fail "could not add ssh.session_log to $inv"

cat >"$tmp/pb.lua" <<'LUA'
local ssh = require("nethost.ssh")
nethost.run(nethost.inventory, function(h)
  local s <close> = ssh.open(h)
  if h.name == "sw-0003" then
    s:run("show version", { timeout = 2 }) -- half the output, then silence
  end
  s:run("show version")
  local cli = s:shell()
  cli:send("show clock")
  cli:config({ "ntp server 10.9.9.9" })
  -- A session of its own with an explicit transcript file.
  local t <close> = ssh.open(h, { session_log = nethost.vars.dir .. "/own-" .. h.name .. ".txt" })
  t:run("show ip interface brief")
end, {})
LUA
nh run "$tmp/pb.lua" -i "$inv" -e dir="$tmp" -vv --log "$tmp/run.log" -o "$tmp/res.jsonl"
[ "$rc" = 2 ] || fail "expected exit status 2 (sw-0003 fails), got $rc"

f=$tmp/lab/slogs/sw-0001.log
[ -f "$f" ] || fail "no $f"
[ "$(stat -c %a "$f")" = 600 ] || fail "$f is not 0600: $(stat -c %a "$f")"
[ "$(stat -c %a "$tmp/lab/slogs")" = 700 ] || fail "the session_log folder is not 0700"
ts='^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]\{3\}Z'
# exec channel: the command and its output
grep -q "$ts > show version\$" "$f" || fail "no '> show version' in $f"
grep -q "$ts < Cisco IOS Software" "$f" || fail "no show version output in $f"
# shell: the prompt, the command, its output, the config line and the device's echo of it
grep -q "$ts < sw-0001>\$" "$f" || fail "no unprivileged prompt in $f"
grep -q "$ts > show clock\$" "$f" || fail "no shell command in $f"
grep -q "$ts > ntp server 10.9.9.9\$" "$f" || fail "no config line in $f"
grep -q "$ts < sw-0001(config)#" "$f" || fail "no config prompt in $f"
# The enable secret (the lab's is "enable") is masked wherever it would appear: what was
# typed at the Password: prompt too.
grep -A1 'Password:' "$f" | grep -q "$ts > \*\*\*\$" || fail "the enable secret is not masked in $f"
if grep -n "enable" "$f" >&2; then fail "the enable secret appears in $f"; fi
# The file of the explicit session_log option.
g=$tmp/own-sw-0002.txt
[ -f "$g" ] && [ "$(stat -c %a "$g")" = 600 ] || fail "no 0600 $g"
grep -q "$ts > show ip interface brief\$" "$g" || fail "no command in $g"
grep -q "$ts < Vlan\|$ts < Interface" "$g" || fail "no output in $g"

# -vv on stderr and in the --log file: the same lines with the host and the time.
grep -q '^debug [0-9:.]*: \[sw-0002\] > show version$' "$tmp/out" || fail "no -vv transcript on stderr"
grep -q '^debug [0-9:.]*: \[sw-0002\] < sw-0002(config)#' "$tmp/out" || fail "no shell output on stderr"
grep -q 'Z debug \[sw-0001\] > ntp server 10.9.9.9$' "$tmp/run.log" || fail "no transcript in --log"
if grep -q 'enable' "$tmp/run.log" "$tmp/out"; then fail "the enable secret appears in the log"; fi

# The timed-out command keeps its partial output in the transcript: the file, and the
# failed host's record (transcript_tail).
h=$tmp/lab/slogs/sw-0003.log
grep -q "$ts > show version\$" "$h" || fail "no command in $h"
grep -q "$ts < Cisco IOS Software" "$h" || fail "the partial output is not in $h"
grep -q "$ts \* .*timed out" "$h" || fail "the timeout is not in $h"
cat >"$tmp/check.lua" <<'LUA'
local json = require("nethost.json")
local fs = require("nethost.fs")
local recs = {}
for line in assert(fs.read(arg[1])):gmatch("[^\n]+") do
  local r = json.decode(line)
  if r.host then recs[r.host] = r end
end
local bad = assert(recs["sw-0003"], "no record for sw-0003")
assert(bad.status == "failed", "sw-0003: " .. tostring(bad.status))
assert(bad.error.kind == "timeout", "sw-0003: " .. tostring(bad.error.kind))
local tail = assert(bad.transcript_tail, "sw-0003: no transcript_tail")
local text = table.concat(tail, "\n")
assert(#tail >= 3 and #tail <= 20, "transcript_tail has " .. #tail .. " lines")
assert(text:find("> show version", 1, true), "no command in the tail:\n" .. text)
assert(text:find("< Cisco IOS Software", 1, true), "no partial output in the tail:\n" .. text)
assert(text:find("timed out", 1, true), "no timeout note in the tail:\n" .. text)
for _, h in ipairs({ "sw-0001", "sw-0002" }) do
  assert(recs[h] and recs[h].status == "changed", h .. ": " .. tostring(recs[h] and recs[h].status))
  assert(recs[h].transcript_tail == nil, h .. ": a successful host carries no transcript_tail")
end
print("ok")
LUA
"$BIN/nethost" run "$tmp/check.lua" "$tmp/res.jsonl" || fail "results check"
echo "PASS"
