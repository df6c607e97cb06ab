#!/bin/bash
# SSH benchmark: nethost vs an asyncssh script (vs a netmiko script), side by side in the same
# run, on two servers: nethost-sim and an asyncssh-based server (tests/ssh/asyncssh_server.py,
# behaviour "plain"). Workload per device: connect, password auth, host key checked against
# known_hosts, `show version`, parse the version, close.
#
# For each server and concurrency it prints, per client: wall time, client CPU (user + sys of
# the client process, the least of REPEAT runs: the machine is shared), CPU ms per device,
# peak RSS, RSS KB per concurrent session ((peak RSS - the client's baseline) / concurrency;
# the baseline is the same client and inventory with no session: "baseline" argument), the
# server's CPU, and then the ratios asyncssh / nethost.
#
# usage: tests/bench/ssh/run.sh [BUILD_DIR] [N...]       (default: build, N = 2000)
#   CONCURRENCY="100 500"  LABS="sim asyncssh"  REPEAT=3
#   CLIENTS="nethost asyncssh" (add netmiko: NETMIKO_MAX=1000, netmiko only up to this N)
#   NETHOST_BEFORE=/path/to/other/bin/nethost adds a client "before" (another build, e.g. of
#   an older commit) to the same run, and a ratio line before / nethost: before/after figures
#   side by side with asyncssh on the same server in the same run.
set -u
BUILD=${1:-build}
shift || true
NS=${*:-2000}
CONCS=${CONCURRENCY:-100 500}
LABS=${LABS:-sim asyncssh}
REPEAT=${REPEAT:-3}
NETMIKO_MAX=${NETMIKO_MAX:-1000}
CLIENTS=${CLIENTS:-nethost asyncssh}
BEFORE=${NETHOST_BEFORE:-}
[ -n "$BEFORE" ] && CLIENTS="before $CLIENTS"
HERE=$(cd "$(dirname "$0")" && pwd)
NETHOST=$(cd "$BUILD" && pwd)/bin/nethost
SIM=$(cd "$BUILD" && pwd)/bin/nethost-sim
PY=/usr/bin/python3
ulimit -n "$(ulimit -Hn)" 2>/dev/null
TCK=$(getconf CLK_TCK)
DIR=$(mktemp -d /tmp/nethost-bench-ssh.XXXXXX)
SIMPID=
trap '[ -n "$SIMPID" ] && kill $SIMPID 2>/dev/null; rm -rf "$DIR"' EXIT

lab_cpu() { awk -v t="$TCK" '{printf "%.2f", ($14 + $15) / t}' "/proc/$SIMPID/stat"; }
free_port() { "$PY" -c "
import socket
s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }

wait_ready() {
  for _ in $(seq 1200); do [ -e "$DIR/ready" ] && return 0; sleep 0.1; done
  echo "lab did not start"; cat "$DIR/sim.log"; exit 1
}

start_lab() {
  local lab=$1 n=$2
  rm -f "$DIR/ready"
  case $lab in
    sim)
      if ! [ -x "$SIM" ]; then echo "nethost-sim not built ($SIM)"; return 1; fi
      "$SIM" --devices "$n" --base 127.2.0.1 --port 2222 --quiet --inventory-out "$DIR/lab.yaml" \
        --ready-file "$DIR/ready" > "$DIR/sim.log" 2>&1 &
      SIMPID=$! ;;
    asyncssh | fallback)
      # One listener: every device is the same address and port (the server is one
      # process either way).
      local port
      port=$(free_port)
      [ -f "$DIR/hostkey" ] || ssh-keygen -q -t ed25519 -N '' -f "$DIR/hostkey"
      echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$DIR/hostkey.pub")" > "$DIR/lab.known_hosts"
      { printf "defaults:\n  username: admin\n  password: admin\n  port: %d\n" "$port"
        printf "  ssh: {host_key_policy: strict, known_hosts: %s}\nhosts:\n" "$DIR/lab.known_hosts"
        for i in $(seq "$n"); do printf "  d%05d: {address: 127.0.0.1}\n" "$i"; done
      } > "$DIR/lab.yaml"
      if [ "$lab" = asyncssh ]; then
        "$PY" "$HERE/../../ssh/asyncssh_server.py" --port "$port" --listeners 1 \
          --behaviours plain --hostkey "$DIR/hostkey" --ready "$DIR/ready" > "$DIR/sim.log" 2>&1 &
      else
        "$PY" "$HERE/fallback_lab.py" "$port" "$DIR/ready" "$DIR/hostkey" > "$DIR/sim.log" 2>&1 &
      fi
      SIMPID=$! ;;
    *) echo "unknown lab $lab"; exit 1 ;;
  esac
  wait_ready
}

# measure CMD... -> "wall cpu rss_kb" of one run (user + sys of the client process)
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$DIR/time" "$@" 2> "$DIR/err" > /dev/null
  read -r wall user sys rss < "$DIR/time"
  echo "$wall $(echo "$user + $sys" | bc -l) $rss"
}

# run NAME N CONC CMD... -> one row; records CPU for the ratios
declare -A CPU RSSPS
run() {
  local name=$1 n=$2 conc=$3; shift 3
  local best_cpu= best_wall= max_rss=0 before after base wall cpu rss
  base=0
  [ "$name" = netmiko ] || read -r _ _ base < <(measure "$@" baseline)
  before=$(lab_cpu)
  for _ in $(seq "$REPEAT"); do
    read -r wall cpu rss < <(measure "$@")
    if [ -z "$best_cpu" ] || [ "$(echo "$cpu < $best_cpu" | bc -l)" = 1 ]; then
      best_cpu=$cpu best_wall=$wall
    fi
    [ "$rss" -gt "$max_rss" ] && max_rss=$rss
  done
  after=$(lab_cpu)
  CPU[$name]=$best_cpu
  RSSPS[$name]=$(echo "($max_rss - $base) / $conc" | bc -l)
  printf "%-9s %6d %5d %8.2f %8.2f %10.3f %8.1f %8.1f %9.1f %9.2f   %s\n" "$name" "$n" "$conc" \
    "$best_wall" "$best_cpu" "$(echo "$best_cpu * 1000 / $n" | bc -l)" \
    "$(echo "$max_rss / 1024" | bc -l)" "$(echo "$base / 1024" | bc -l)" "${RSSPS[$name]}" \
    "$(echo "($after - $before) / $REPEAT" | bc -l)" \
    "$(grep -E '^(nethost|asyncssh|netmiko):' "$DIR/err" | tail -1)"
}

echo "CPU = user + sys of the client process, least of $REPEAT runs;" \
  "RSS KB/sess = (peak RSS - baseline RSS) / concurrency"
printf "%-9s %6s %5s %8s %8s %10s %8s %8s %9s %9s\n" client N conc wall_s cpu_s cpu_ms/dev \
  rss_MB base_MB KB/sess lab_cpu_s
for lab in $LABS; do
  for n in $NS; do
    start_lab "$lab" "$n" || continue
    echo "--- server: $lab, $n devices"
    for conc in $CONCS; do
      for c in $CLIENTS; do
        case $c in
          nethost) run nethost "$n" "$conc" "$NETHOST" run "$HERE/nethost_bench.lua" -- \
            "$DIR/lab.yaml" "$conc" ;;
          before) run before "$n" "$conc" "$BEFORE" run "$HERE/nethost_bench.lua" -- \
            "$DIR/lab.yaml" "$conc" ;;
          asyncssh) run asyncssh "$n" "$conc" "$PY" "$HERE/asyncssh_bench.py" "$DIR/lab.yaml" "$conc" ;;
          netmiko) [ "$n" -le "$NETMIKO_MAX" ] &&
            run netmiko "$n" "$conc" "$PY" "$HERE/netmiko_bench.py" "$DIR/lab.yaml" "$conc" ;;
        esac
      done
      if [ -n "${CPU[asyncssh]:-}" ] && [ -n "${CPU[nethost]:-}" ]; then
        printf "ratio %s N=%d conc=%d: CPU asyncssh/nethost %.1fx; RSS per session asyncssh/nethost %.1fx\n" \
          "$lab" "$n" "$conc" "$(echo "${CPU[asyncssh]} / ${CPU[nethost]}" | bc -l)" \
          "$(echo "${RSSPS[asyncssh]} / ${RSSPS[nethost]}" | bc -l)"
      fi
      if [ -n "${CPU[before]:-}" ] && [ -n "${CPU[nethost]:-}" ]; then
        printf "ratio %s N=%d conc=%d: CPU before/nethost %.2fx%s\n" "$lab" "$n" "$conc" \
          "$(echo "${CPU[before]} / ${CPU[nethost]}" | bc -l)" \
          "$([ -n "${CPU[asyncssh]:-}" ] && printf "; CPU asyncssh/before %.1fx" \
            "$(echo "${CPU[asyncssh]} / ${CPU[before]}" | bc -l)")"
      fi
      unset CPU RSSPS
      declare -A CPU RSSPS
    done
    kill "$SIMPID"
    wait "$SIMPID" 2> /dev/null
    SIMPID=
  done
done
