# Sourced by the playbook tests: start_lab N BASE [SIM OPTIONS] starts nethost-sim with N
# devices from BASE in $tmp/lab (inventory $tmp/lab/lab.yaml) and stops it on exit.
# Needs: $BIN (the build's bin folder), $tmp (a scratch folder).
set -u
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/out" ] && tail -40 "$tmp/out" >&2; [ -f "$tmp/lab/sim.log" ] && tail -30 "$tmp/lab/sim.log" >&2; exit 1; }
sim_pid=
# stop_lab stops the lab; its exit status is left in $sim_rc (0 for a clean exit).
sim_rc=0
stop_lab() {
  if [ -n "$sim_pid" ]; then
    kill -TERM "$sim_pid" 2>/dev/null
    wait "$sim_pid" 2>/dev/null
    sim_rc=$?
    sim_pid=
  fi
}
cleanup() { stop_lab; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
start_lab() {
  n=$1 base=$2; shift 2
  mkdir -p "$tmp/lab"
  rm -f "$tmp/lab/ready"
  ulimit -n "$(ulimit -Hn)" 2>/dev/null
  "$BIN/nethost-sim" --devices "$n" --base "$base" --port 2222 --seed 7 \
    --inventory-out "$tmp/lab/lab.yaml" --ready-file "$tmp/lab/ready" \
    --stats "$tmp/lab/stats.json" "$@" >"$tmp/lab/sim.log" 2>&1 &
  sim_pid=$!
  for _ in $(seq 300); do
    [ -f "$tmp/lab/ready" ] && return 0
    kill -0 "$sim_pid" 2>/dev/null || { cat "$tmp/lab/sim.log" >&2; fail "nethost-sim exited"; }
    sleep 0.1
  done
  fail "nethost-sim not ready after 30 s"
}
# need_python: $PY is Debian's python3 (the one with the checkers' modules); the test is
# skipped, loudly, without it.
need_python() {
  PY=/usr/bin/python3
  [ -x "$PY" ] || { echo "SKIP: no /usr/bin/python3"; exit 77; }
}
# nh ARGS...: runs nethost, output in $tmp/out, exit status in $rc.
nh() { "$BIN/nethost" "$@" >"$tmp/out" 2>&1; rc=$?; }
