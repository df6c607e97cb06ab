#!/bin/sh
# The lab's handshake capacity: new SSH sessions per second nethost-sim accepts on its one
# thread (nethost as the client, 1,000 devices, every device connected to twice).
# usage: tests/bench/sim/handshake.sh [BUILD_DIR] [DEVICES]
BUILD=${1:-build} N=${2:-1000}
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
ulimit -n "$(ulimit -Hn)"
"$BUILD/bin/nethost-sim" --devices "$N" --base 127.2.0.1 --port 2222 --quiet \
  --inventory-out "$tmp/lab.yaml" --ready-file "$tmp/ready" --stats "$tmp/stats.json" >"$tmp/log" 2>&1 &
pid=$!
while [ ! -e "$tmp/ready" ]; do kill -0 $pid 2>/dev/null || { cat "$tmp/log"; exit 1; }; sleep 0.05; done
# The lab's CPU so far is its start (building every device); only what follows is handshakes.
startup=$(awk -v t="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / t}' "/proc/$pid/stat")
cat >"$tmp/bench.lua" <<'LUA'
local t0 = async.now()
local res = nethost.run(nethost.inventory, function(h)
  for _ = 1, 2 do local s <close> = ssh.open(h) end
end, { concurrency = 200, progress = false, summary = false })
local wall = async.now() - t0
assert(#res:ok() == #res, "some sessions failed")
print(("handshake: %d sessions in %.2f s: %.0f new sessions/s"):format(2 * #res, wall, 2 * #res / wall))
LUA
"$BUILD/bin/nethost" run -i "$tmp/lab.yaml" "$tmp/bench.lua"
kill -TERM $pid; wait $pid
total=$(grep -o '"cpu_seconds": [0-9.]*' "$tmp/stats.json" | cut -d' ' -f2)
awk -v t="$total" -v s="$startup" -v n="$((2 * N))" 'BEGIN {
  printf "handshake: lab CPU %.2f s (start %.2f s, handshakes %.2f s: %.2f ms each, %.0f per lab-CPU-second)\n",
         t, s, t - s, (t - s) * 1000 / n, n / (t - s) }'
