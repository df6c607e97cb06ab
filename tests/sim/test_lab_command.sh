#!/bin/sh
# `nethost lab` as docs/lab.md shows it: start in the background, a second start refused,
# a playbook against the lab's inventory, stop printing the lab's statistics, `lab run`
# passing the playbook's exit status through, and nethost-sim started directly.
# usage: test_lab_command.sh BIN_DIR
BIN=$1
tmp=$(mktemp -d)
. "$(dirname "$0")/../playbooks/lab.sh"
dir=$tmp/nhlab
# Every lab here lives on 127.1.99.x, away from the README's default addresses.
sim_opts="-- --base 127.1.99.1 --seed 3"
stop_cmd_lab() { "$BIN/nethost" lab stop --dir "$dir" >/dev/null 2>&1; }
trap 'stop_cmd_lab; cleanup' EXIT INT TERM

cat >"$tmp/count.lua" <<'LUA'
local n = 0
for rec in nethost.run(nethost.inventory, function(h)
  if nethost.vars.fail and h.name == "sw-0001" then error("failing on purpose") end
  return ssh.run(h, "show clock").exit_status
end):each() do
  if rec.status == "ok" then n = n + 1 end
end
print("answered " .. n)
LUA
printf 'os.exit(3)\n' >"$tmp/exit.lua"

"$BIN/nethost" lab start --devices 12 --dir "$dir" $sim_opts >"$tmp/out" 2>&1 || fail "lab start"
grep -q "lab: 12 devices up (pid [0-9]*); inventory $dir/lab.yaml" "$tmp/out" || fail "start message"
[ -f "$dir/lab.yaml" ] && [ -f "$dir/lab.known_hosts" ] || fail "inventory and known_hosts"
"$BIN/nethost" lab start --devices 12 --dir "$dir" $sim_opts >"$tmp/out" 2>&1 &&
  fail "a second start in the same folder succeeded"
grep -q "already running in $dir" "$tmp/out" || fail "second start message"
nh run -i "$dir/lab.yaml" "$tmp/count.lua"
[ "$rc" = 0 ] && grep -q "answered 12" "$tmp/out" || fail "playbook against the lab (rc $rc)"
"$BIN/nethost" lab stop --dir "$dir" >"$tmp/out" 2>&1 || fail "lab stop"
grep -q "lab: stopped; devices=12 connections=12 sessions=12 .* cpu=" "$tmp/out" ||
  fail "stop prints the lab's statistics"
grep -q '"devices": 12,' "$dir/stats.json" && grep -q '"sw-0012": {' "$dir/stats.json" ||
  fail "stats.json"
"$BIN/nethost" lab stop --dir "$dir" >"$tmp/out" 2>&1
grep -q "not running in $dir" "$tmp/out" || fail "stop without a lab"

# lab run: start, run, stop, and the playbook's status is the command's.
"$BIN/nethost" lab run --devices 5 --dir "$dir" --sim '--base 127.1.99.1' "$tmp/count.lua" \
  >"$tmp/out" 2>&1 || fail "lab run"
grep -q "answered 5" "$tmp/out" && grep -q "lab: stopped" "$tmp/out" || fail "lab run output"
"$BIN/nethost" lab run --devices 5 --dir "$dir" --sim '--base 127.1.99.1' "$tmp/count.lua" \
  -e fail=1 >"$tmp/out" 2>&1
[ $? = 2 ] || fail "lab run does not pass the playbook's exit status"
grep -q "lab: stopped" "$tmp/out" || fail "lab run did not stop the lab after a failing playbook"
[ -f "$dir/sim.pid" ] && fail "lab run left a pid file"
# A playbook that leaves with os.exit skips every cleanup: the lab notices its run is gone.
"$BIN/nethost" lab run --devices 5 --dir "$dir" --sim '--base 127.1.99.1' "$tmp/exit.lua" \
  >"$tmp/out" 2>&1
[ $? = 3 ] || fail "lab run: os.exit status"
pid=$(cat "$dir/sim.pid")
for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "the lab outlived a run that called os.exit"
grep -q "nethost-sim: stats: devices=5" "$dir/sim.log" || fail "the watchdog stop skipped the stats"
rm -f "$dir/sim.pid"

# A lab that cannot start says why.
"$BIN/nethost" lab start --devices 5 --dir "$dir" -- --mix nonsense=1 >"$tmp/out" 2>&1 &&
  fail "a bad simulator option started"
grep -q "did not start" "$tmp/out" && grep -q "nonsense" "$tmp/out" || fail "bad option message"

# nethost-sim directly, as docs/lab.md shows it.
mkdir -p "$tmp/direct"
"$BIN/nethost-sim" --devices 4 --base 127.1.99.1 --port 2222 --inventory-out "$tmp/direct/lab.yaml" \
  --ready-file "$tmp/direct/ready" --stats "$tmp/direct/stats.json" >"$tmp/direct/log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -f "$tmp/direct/ready" ] && break; sleep 0.1; done
grep -q "nethost-sim: ready: 4 devices" "$tmp/direct/log" || fail "direct start: no ready line"
nh run -i "$tmp/direct/lab.yaml" "$tmp/count.lua"
grep -q "answered 4" "$tmp/out" || fail "direct lab"
kill -INT $pid
wait $pid || fail "nethost-sim exited non-zero on SIGINT"
grep -q "nethost-sim: stats: devices=4 connections=4" "$tmp/direct/log" || fail "SIGINT stats line"
grep -q '"cpu_seconds": [0-9]' "$tmp/direct/stats.json" || fail "stats file has no CPU time"
echo "lab command: ok"
