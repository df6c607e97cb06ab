#!/bin/sh
# get-config on N lab devices (default 1000): nethost vs ncclient with a thread pool, side by
# side: wall time, client CPU per device, peak memory (GNU time). Not a ctest test.
# usage: tests/bench/netconf/run.sh BUILD_BIN_DIR [N] [THREADS]
set -eu
BIN=$1 N=${2:-1000} THREADS=${3:-100}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'kill $sim 2>/dev/null; rm -rf "$tmp"' EXIT
ulimit -n "$(ulimit -Hn)"
"$BIN/nethost-sim" --devices "$N" --base 127.3.0.1 --port 2222 --mix cisco_ios=50,juniper_junos=50 \
  --inventory-out "$tmp/lab.yaml" --ready-file "$tmp/ready" >"$tmp/sim.log" 2>&1 &
sim=$!
while [ ! -f "$tmp/ready" ]; do sleep 0.2; done
devices=$(grep -c "groups: \[\(cisco_ios\|juniper_junos\)" "$tmp/lab.yaml")
measure() { # name, command...
  name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$@" >"$tmp/$name.out" 2>&1 || true
  read -r wall user sys rss <"$tmp/time"
  printf "%-10s %8s s  %8.2f ms CPU/device  %8d MB peak  %s\n" "$name" "$wall" \
    "$(echo "($user + $sys) * 1000 / $devices" | bc -l)" "$((rss / 1024))" "$(tail -1 "$tmp/$name.out")"
}
echo "get-config on $devices NETCONF devices (nethost-sim, $N devices)"
measure nethost "$BIN/nethost" run -q -i "$tmp/lab.yaml" "$here/nethost_bench.lua"
measure ncclient /usr/bin/python3 "$here/ncclient_bench.py" "$tmp/lab.yaml" "$THREADS"
