#!/bin/sh
# Benchmark: nethost run --workers 2 against --workers 1 (issue 20 item 3). Prints figures.
#   sh tests/bench/workers/run.sh [BUILD] [HOSTS] [DEVICES] [CORPUS]
#     BUILD    build folder with bin/nethost and bin/nethost-sim (default build/rel)
#     HOSTS    hosts of the CPU-bound run (default 2000)
#     DEVICES  lab devices of the SSH run (default 10000; 0 skips it)
#     CORPUS   an ntc-templates copy (default /work/shared/corpus/ntc-templates)
#   REPEAT=3 (environment): each figure is the best of that many runs, 1 and 2 alternating
#   (the machine's other load makes single runs noisy).
# 1. CPU-bound: each host parses the same large `show interfaces` (74 KB, 100+ interfaces)
#    with the built-in TextFSM: target --workers 2 in <= 0.6x the wall time of 1 on 2 cores.
# 2. DEVICES nethost-sim devices (127.5.0.1 up), `show version` on each, concurrency 200:
#    target --workers 2 in less wall time than 1 (the lab shares the same cores).
set -u
BUILD=${1:-build/rel} HOSTS=${2:-2000} DEVICES=${3:-10000}
CORPUS=${4:-/work/shared/corpus/ntc-templates}
BIN=$BUILD/bin
tmp=$(mktemp -d)
sim_pid=
trap '[ -n "$sim_pid" ] && kill $sim_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
sub() { awk "BEGIN { printf \"%.2f\", $1 - $2 }"; }
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }
# CPU seconds (user + system) of the shell's finished children so far: nethost and the
# workers it reaped.
# (times must run in this shell, not in a $(...) subshell: cpu VAR sets VAR.)
cpu() { times > "$tmp/times"; eval "$1=$(awk 'NR == 2 { n = split($1 " " $2, t, " "); s = 0
  for (i = 1; i <= n; i++) { split(t[i], p, "m"); s += p[1] * 60 + p[2] } printf "%.2f", s }' "$tmp/times")"; }
cores=$(nproc)
REPEAT=${REPEAT:-3}
# best NAME SECONDS: keeps the smallest value seen under NAME.
best() { eval "cur=\${$1:-}"; if [ -z "$cur" ] || awk "BEGIN { exit !($2 < $cur) }"; then eval "$1=$2"; fi; }

cat > "$tmp/parse.lua" <<'LUA'
local fs = require("nethost.fs")
local template = fs.read(nethost.vars.template)
local text = fs.read(nethost.vars.raw)
local hosts = {}
for i = 1, tonumber(nethost.vars.hosts) do hosts[i] = { name = ("h%05d"):format(i) } end
local res = nethost.run(hosts, function(h)
  local recs = textfsm.parse(template, text)
  return #recs
end, { concurrency = 100, progress = false, summary = false })
assert(#res:ok() == #hosts, "some hosts failed")
LUA
raw=$CORPUS/tests/cisco_ios/show_interfaces/cisco_ios_show_interfaces2.raw
tpl=$CORPUS/templates/cisco_ios_show_interfaces.textfsm
echo "workers bench: $cores core(s), $(basename "$BUILD"), best of $REPEAT, load average $(cut -d' ' -f1 /proc/loadavg)"
for _ in $(seq "$REPEAT"); do
  for w in 1 2; do
    cpu c0; t0=$(now)
    "$BIN/nethost" run "$tmp/parse.lua" -q --workers $w -e hosts="$HOSTS" -e raw="$raw" \
      -e template="$tpl" -o "$tmp/parse$w.jsonl" || { echo "parse run failed (--workers $w)"; exit 1; }
    t1=$(now); cpu c1
    best parse$w "$(sub "$t1" "$t0")"
    best pcpu$w "$(sub "$c1" "$c0")"
  done
done
echo "textfsm $HOSTS hosts x 74 KB show interfaces: --workers 1 ${parse1} s (CPU ${pcpu1} s), --workers 2 ${parse2} s (CPU ${pcpu2} s, all processes), wall ratio $(ratio "$parse2" "$parse1") (target <= 0.6); on $cores idle cores the CPU would allow $(awk "BEGIN { printf \"%.2f\", $pcpu2 / $cores / $pcpu1 }")"

[ "$DEVICES" -gt 0 ] || exit 0
ulimit -n "$(ulimit -Hn)" 2>/dev/null
"$BIN/nethost-sim" --devices "$DEVICES" --base 127.5.0.1 --port 2222 --seed 7 \
  --inventory-out "$tmp/lab.yaml" --ready-file "$tmp/ready" > "$tmp/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 600); do [ -f "$tmp/ready" ] && break; sleep 0.1; done
[ -f "$tmp/ready" ] || { cat "$tmp/sim.log"; echo "nethost-sim not ready"; exit 1; }
cat > "$tmp/show.lua" <<'LUA'
local res = nethost.run(nethost.inventory, function(h)
  return ssh.run(h, "show version").stdout:match("Version ([^,%s]+)")
end, { concurrency = 200, progress = false, summary = false })
local s = res:summary()
if s.failed > 0 then io.stderr:write(res:report(), "\n") end
LUA
for _ in $(seq "$REPEAT"); do
  for w in 1 2; do
    cpu c0; t0=$(now)
    "$BIN/nethost" run "$tmp/show.lua" -q --workers $w -i "$tmp/lab.yaml" -o "$tmp/show$w.jsonl"
    t1=$(now); cpu c1
    best show$w "$(sub "$t1" "$t0")"
    best scpu$w "$(sub "$c1" "$c0")"
    eval "ok$w=$(grep -c '"status":"ok"' "$tmp/show$w.jsonl")"
  done
done
echo "lab $DEVICES devices show version (c=200): --workers 1 ${show1} s ($ok1 ok, client CPU ${scpu1} s), --workers 2 ${show2} s ($ok2 ok, client CPU ${scpu2} s), ratio $(ratio "$show2" "$show1") (target < 1)"
