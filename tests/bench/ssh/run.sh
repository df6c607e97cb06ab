#!/bin/bash
# SSH benchmark: nethost vs an asyncssh script vs a netmiko script, in the same run, against
# the same nethost-sim lab. Workload per device: connect, auth, show version, parse the
# version, close. Prints wall time, client CPU, CPU ms per device, peak RSS, lab CPU, ratios.
#
# usage: tests/bench/ssh/run.sh [BUILD_DIR] [N...]       (default: build, N = 1000 10000)
#   CONCURRENCY=1000  NETMIKO_MAX=1000 (netmiko only up to this N; 0 = never)
#   CLIENTS="nethost asyncssh netmiko"
set -u
BUILD=${1:-build}
shift || true
NS=${*:-1000 10000}
CONC=${CONCURRENCY:-1000}
NETMIKO_MAX=${NETMIKO_MAX:-1000}
CLIENTS=${CLIENTS:-nethost asyncssh netmiko}
HERE=$(cd "$(dirname "$0")" && pwd)
NETHOST=$(cd "$BUILD" && pwd)/bin/nethost
SIM=$(cd "$BUILD" && pwd)/bin/nethost-sim
PY=/usr/bin/python3
LAB=${LAB:-sim}
if [ "$LAB" = sim ] && ! [ -x "$SIM" ]; then
  echo "nethost-sim not built ($SIM): using the asyncssh stand-in lab (LAB=fallback)"
  LAB=fallback
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null
TCK=$(getconf CLK_TCK)
DIR=$(mktemp -d /tmp/nethost-bench-ssh.XXXXXX)
SIMPID=
trap '[ -n "$SIMPID" ] && kill $SIMPID 2>/dev/null; rm -rf "$DIR"' EXIT

lab_cpu() { awk -v t="$TCK" '{printf "%.2f", ($14 + $15) / t}' "/proc/$SIMPID/stat"; }

start_lab() {
  local n=$1
  rm -f "$DIR/ready"
  if [ "$LAB" = fallback ]; then
    LABPORT=$("$PY" -c "
import socket
s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
    [ -f "$DIR/hostkey" ] || ssh-keygen -q -t ed25519 -N '' -f "$DIR/hostkey"
    echo "[127.0.0.1]:$LABPORT $(cut -d' ' -f1,2 "$DIR/hostkey.pub")" > "$DIR/lab.known_hosts"
    { printf "defaults:\n  username: admin\n  password: admin\n  port: %d\n" "$LABPORT"
      printf "  ssh: {host_key_policy: strict, known_hosts: %s}\nhosts:\n" "$DIR/lab.known_hosts"
      for i in $(seq "$n"); do printf "  d%05d: {address: 127.0.0.1}\n" "$i"; done
    } > "$DIR/lab.yaml"
    "$PY" "$HERE/fallback_lab.py" "$LABPORT" "$DIR/ready" "$DIR/hostkey" > "$DIR/sim.log" 2>&1 &
    SIMPID=$!
    for _ in $(seq 100); do [ -e "$DIR/ready" ] && return 0; sleep 0.1; done
    echo "lab did not start"; cat "$DIR/sim.log"; exit 1
  fi
  "$SIM" --devices "$n" --base 127.2.0.1 --port 2222 --quiet --inventory-out "$DIR/lab.yaml" \
    --ready-file "$DIR/ready" > "$DIR/sim.log" 2>&1 &
  SIMPID=$!
  for _ in $(seq 1200); do [ -e "$DIR/ready" ] && return 0; sleep 0.1; done
  echo "lab did not start"; cat "$DIR/sim.log"; exit 1
}

# run NAME CMD... -> prints one row and records wall/cpu for ratios
declare -A WALL CPU
run() {
  local name=$1 n=$2; shift 2
  local before after
  before=$(lab_cpu)
  /usr/bin/time -f "%e %U %S %M" -o "$DIR/time" "$@" 2> "$DIR/err" > /dev/null
  after=$(lab_cpu)
  read -r wall user sys rss < "$DIR/time"
  local cpu
  cpu=$(echo "$user + $sys" | bc -l)
  WALL[$name]=$wall
  CPU[$name]=$cpu
  printf "%-9s %6d %8.2f %9.2f %10.3f %9.1f %10.1f %9.2f   %s\n" "$name" "$n" "$wall" "$cpu" \
    "$(echo "$cpu * 1000 / $n" | bc -l)" "$(echo "$rss / 1024" | bc -l)" \
    "$(echo "$rss / $CONC" | bc -l)" "$(echo "$after - $before" | bc -l)" \
    "$(grep -E '^(nethost|asyncssh|netmiko):' "$DIR/err" | tail -1)"
}

echo "concurrency $CONC; CPU = user + sys of the client process; RSS KB/conc = peak RSS / concurrency"
printf "%-9s %6s %8s %9s %10s %9s %10s %9s\n" client N wall_s cpu_s cpu_ms/dev rss_MB \
  rss_KB/conc lab_cpu_s
for n in $NS; do
  start_lab "$n"
  for c in $CLIENTS; do
    case $c in
      nethost) run nethost "$n" "$NETHOST" run "$HERE/nethost_bench.lua" -- "$DIR/lab.yaml" "$CONC" ;;
      asyncssh) run asyncssh "$n" "$PY" "$HERE/asyncssh_bench.py" "$DIR/lab.yaml" "$CONC" ;;
      netmiko) [ "$n" -le "$NETMIKO_MAX" ] && run netmiko "$n" "$PY" "$HERE/netmiko_bench.py" "$DIR/lab.yaml" "$CONC" ;;
    esac
  done
  if [ -n "${WALL[asyncssh]:-}" ] && [ -n "${WALL[nethost]:-}" ]; then
    printf "N=%d: asyncssh/nethost: wall %.1fx, CPU %.1fx" "$n" \
      "$(echo "${WALL[asyncssh]} / ${WALL[nethost]}" | bc -l)" \
      "$(echo "${CPU[asyncssh]} / ${CPU[nethost]}" | bc -l)"
    if [ -n "${WALL[netmiko]:-}" ]; then
      printf "; netmiko/nethost: wall %.1fx, CPU %.1fx" \
        "$(echo "${WALL[netmiko]} / ${WALL[nethost]}" | bc -l)" \
        "$(echo "${CPU[netmiko]} / ${CPU[nethost]}" | bc -l)"
    fi
    echo
  fi
  unset WALL CPU; declare -A WALL CPU
  kill "$SIMPID"; wait "$SIMPID" 2>/dev/null; SIMPID=
done
