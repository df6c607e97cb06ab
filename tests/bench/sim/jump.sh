#!/bin/sh
# Devices through the lab as a jump host against the same devices directly: `show version`
# on N devices (default 500) directly, through one lab bastion (sw-0001) and through two
# (sw-0001, sw-0002), with nethost as the client. Prints wall time, nethost's CPU and the
# lab's CPU per pass. The bastion hops use nethost's defaults (10 sessions per connection,
# 10 connections per chain: at most 100 device sessions at once through a chain).
# usage: tests/bench/sim/jump.sh [BUILD_DIR] [DEVICES]
BUILD=${1:-build} N=${2:-500}
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
ulimit -n "$(ulimit -Hn)"
# Two more devices than measured: the bastions are not among the devices measured.
"$BUILD/bin/nethost-sim" --devices "$((N + 2))" --base 127.1.204.1 --port 2222 --quiet \
  --inventory-out "$tmp/lab.yaml" --ready-file "$tmp/ready" >"$tmp/log" 2>&1 &
pid=$!
while [ ! -e "$tmp/ready" ]; do kill -0 $pid 2>/dev/null || { cat "$tmp/log"; exit 1; }; sleep 0.05; done
lab_cpu() { awk -v t="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / t}' "/proc/$pid/stat"; }
sed 's/^    known_hosts: \(.*\)$/    known_hosts: \1\n    jump: [sw-0001]/' "$tmp/lab.yaml" >"$tmp/one.yaml"
sed 's/^    known_hosts: \(.*\)$/    known_hosts: \1\n    jump: [sw-0001, sw-0002]/' "$tmp/lab.yaml" >"$tmp/two.yaml"
cat >"$tmp/bench.lua" <<'LUA'
local label = arg[1]
local hosts = {}
for h in nethost.inventory:each() do
  if h.name ~= "sw-0001" and h.name ~= "sw-0002" then hosts[#hosts + 1] = h end
end
local t0, c0 = async.now(), os.clock()
local res = nethost.run(hosts, function(h)
  return #ssh.run(h, "show version", { timeout = 120 }).stdout
end, { concurrency = 500, timeout = 300, progress = false, summary = false })
local wall, cpu = async.now() - t0, os.clock() - c0
assert(#res:ok() == #res, label .. ": " .. (#res - #res:ok()) .. " devices failed")
print(("jump: %-9s %d devices in %6.2f s wall, nethost CPU %5.2f s (%.1f ms a device)")
      :format(label, #res, wall, cpu, cpu * 1000 / #res))
LUA
for pass in direct:lab one-hop:one two-hops:two; do
  label=${pass%%:*} inv=${pass#*:}
  before=$(lab_cpu)
  "$BUILD/bin/nethost" run -i "$tmp/$inv.yaml" "$tmp/bench.lua" -- "$label" || exit 1
  after=$(lab_cpu)
  awk -v a="$after" -v b="$before" -v l="$label" 'BEGIN { printf "jump: %-9s lab CPU %.2f s\n", l, a - b }'
done
