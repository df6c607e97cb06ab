#!/bin/sh
# Runs PLAYBOOK against nethost-sim's HTTP API: DEVICES devices from BASE, HTTP on PORT.
# Exit 77 (skip, said loudly) when nethost-sim is not built or has no HTTP API yet.
# usage: sim_harness.sh NETHOST SIM DEVICES BASE PORT PLAYBOOK
set -u
. "$(dirname "$0")/../lib/wait_ready.sh"
NETHOST=$1 SIM=$2 DEVICES=$3 BASE=$4 PORT=$5 PLAYBOOK=$6
[ -x "$SIM" ] || { echo "SKIP: $SIM not built"; exit 77; }
"$SIM" --help 2>&1 | grep -q -- "--http" || { echo "SKIP: $SIM has no --http"; exit 77; }
DIR=$(mktemp -d /tmp/nethost-simhttp.XXXXXX)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT INT TERM
"$SIM" --devices "$DEVICES" --base "$BASE" --port "$((PORT + 1))" --http --http-port "$PORT" \
  --quiet --inventory-out "$DIR/lab.yaml" --ready-file "$DIR/ready" > "$DIR/sim.log" 2>&1 &
PID=$!
wait_ready "$DIR/ready" "$PID" "$DIR/sim.log" || exit 1
export SIM_INVENTORY=$DIR/lab.yaml SIM_HTTP_PORT=$PORT
"$NETHOST" run "$PLAYBOOK"
