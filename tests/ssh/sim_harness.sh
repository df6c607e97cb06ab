#!/bin/sh
# Runs PLAYBOOK against nethost-sim: DEVICES devices from BASE on PORT, with one device per
# fault kind (the names are learnt from a first, fault-free start: they depend only on the
# seed, the count and the mix). Exit 77 when nethost-sim is not built.
# usage: sim_harness.sh NETHOST SIM DEVICES BASE PORT PLAYBOOK [faults|nofaults]
set -u
. "$(dirname "$0")/../lib/wait_ready.sh"
NETHOST=$1 SIM=$2 DEVICES=$3 BASE=$4 PORT=$5 PLAYBOOK=$6 MODE=${7:-faults}
[ -x "$SIM" ] || { echo "SKIP: $SIM not built"; exit 77; }
DIR=$(mktemp -d /tmp/nethost-sim.XXXXXX)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT INT TERM
start() {
  rm -f "$DIR/ready"
  "$SIM" --devices "$DEVICES" --base "$BASE" --port "$PORT" --quiet \
    --inventory-out "$DIR/lab.yaml" --ready-file "$DIR/ready" "$@" > "$DIR/sim.log" 2>&1 &
  PID=$!
  wait_ready "$DIR/ready" "$PID" "$DIR/sim.log" || exit 1
}
stop() { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; PID=; }
start
if [ "$MODE" = faults ]; then
  # hosts in inventory order; device k gets fault k (the first hosts stay healthy)
  NAMES=$(sed -n 's/^  \([A-Za-z0-9_.-]*\): {address:.*/\1/p' "$DIR/lab.yaml")
  set -- $NAMES
  [ $# -ge 20 ] || { echo "need at least 20 devices"; exit 1; }
  shift 10
  export FAULT_refuse=$1 FAULT_auth=$2 FAULT_hang=$3 FAULT_hang_output=$4 FAULT_drop=$5 \
         FAULT_slow=$6 FAULT_garbage=$7 FAULT_huge=$8 FAULT_hostkey=$9
  stop
  start --fault refuse:devices=$FAULT_refuse --fault auth:devices=$FAULT_auth \
        --fault hang:devices=$FAULT_hang --fault hang-output:devices=$FAULT_hang_output \
        --fault drop:devices=$FAULT_drop --fault slow:devices=$FAULT_slow \
        --fault garbage:devices=$FAULT_garbage --fault huge:devices=$FAULT_huge \
        --host-key-change $FAULT_hostkey
fi
export SIM_INVENTORY=$DIR/lab.yaml SIM_PID=$PID
"$NETHOST" run "$PLAYBOOK"
