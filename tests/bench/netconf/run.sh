#!/bin/sh
# get-config on N lab devices (default 1000): nethost vs ncclient with a thread pool, side by
# side: wall time, client CPU per device, peak memory (GNU time). Not a ctest test.
# THREADS may be a comma list (ncclient runs once per pool size). scrapli_netconf is not
# packaged in Debian, so it is not compared. Figures: docs/netconf.md.
# usage: tests/bench/netconf/run.sh BUILD_BIN_DIR [N] [THREADS] [NETHOST_CONCURRENCY]
set -eu
BIN=$1 N=${2:-1000} THREADS=${3:-100} CONC=${4:-500}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'kill $sim 2>/dev/null; rm -rf "$tmp"' EXIT
ulimit -n "$(ulimit -Hn)"
"$BIN/nethost-sim" --devices "$N" --base 127.3.0.1 --port 2222 --mix cisco_ios=50,juniper_junos=50 --quiet \
  --inventory-out "$tmp/lab.yaml" --ready-file "$tmp/ready" >"$tmp/sim.log" 2>&1 &
sim=$!
while [ ! -f "$tmp/ready" ]; do sleep 0.2; done
devices=$(grep -c "groups: \[\(cisco_ios\|juniper_junos\)" "$tmp/lab.yaml")
measure() { # name, command...
  name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$@" >"$tmp/$(echo "$name" | tr / _).out" 2>&1 || true
  read -r wall user sys rss <"$tmp/time"
  printf "%-10s %8s s  %8.2f ms CPU/device  %8d MB peak  %s\n" "$name" "$wall" \
    "$(echo "($user + $sys) * 1000 / $devices" | bc -l)" "$((rss / 1024))" "$(tail -1 "$tmp/$(echo "$name" | tr / _).out")"
}
echo "get-config on $devices NETCONF devices (nethost-sim, $N devices, $(grep -o 'netconf: {port: [0-9]*}' "$tmp/lab.yaml"))"
measure "nethost/$CONC" "$BIN/nethost" run -q -i "$tmp/lab.yaml" -e concurrency="$CONC" "$here/nethost_bench.lua"
for t in $(echo "$THREADS" | tr , ' '); do
  measure "ncclient/$t" /usr/bin/python3 "$here/ncclient_bench.py" "$tmp/lab.yaml" "$t"
done
