#!/bin/sh
# SSH soak driver: starts tests/ssh/asyncssh_server.py (LISTENERS listeners from PORT, one
# behaviour each), then runs tests/soak/ssh_soak.lua through nethost: SESSIONS sessions at
# CONCURRENCY, asserting that none hangs. Prints sessions, hangs, wall and CPU (nethost's
# and the server's). Exit 77 when python3-asyncssh is missing.
#
# usage: ssh_soak.sh NETHOST [SESSIONS [CONCURRENCY [PORT [LISTENERS]]]]
# env:   SOAK_SS=1   poll `ss -tanp` every 0.5 s beside the run (load that made the lost
#                    wakeup of issue 15 several times more frequent)
#        SOAK_SHELL_EVERY=N  every Nth session uses a PTY shell (default 10)
#        SOAK_TIMEOUT=S      the per-session deadline (default 30)
#        SOAK_BEHAVIOURS=a,b the server behaviours, one per listener in turn (default: all)
#
# A hang is a session that did not end by its deadline although the server had answered
# well before it (the server's --log; see ssh_soak.lua). nethost runs with
# NETHOST_SSH_TRACE=1, so for each session that reached its deadline the driver prints
# nethost's trace of the connection (its last libssh2 calls and state).
set -u
NETHOST=$1 SESSIONS=${2:-100000} CONC=${3:-500} PORT=${4:-23400} LISTENERS=${5:-40}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
$PY -c "import asyncssh" 2>/dev/null || { echo "SKIP: python3-asyncssh missing"; exit 77; }
BEHAVIOURS=${SOAK_BEHAVIOURS:-plain,tiny,globalreq,extinfo,window,eofclose,drop,disconnect,slowbanner,trickle,halfclose}
DIR=$(mktemp -d /tmp/nethost-soak.XXXXXX)
SRV= SS=
cleanup() {
  [ -n "$SS" ] && kill "$SS" 2>/dev/null
  [ -n "$SRV" ] && kill "$SRV" 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ssh-keygen -q -t ed25519 -N '' -f "$DIR/hostkey" || exit 1
i=0
while [ $i -lt "$LISTENERS" ]; do
  echo "[127.0.0.1]:$((PORT + i)) $(cut -d' ' -f1,2 "$DIR/hostkey.pub")"
  i=$((i + 1))
done > "$DIR/known_hosts"
$PY "$HERE/../ssh/asyncssh_server.py" --port "$PORT" --listeners "$LISTENERS" \
  --hostkey "$DIR/hostkey" --ready "$DIR/ready" --behaviours "$BEHAVIOURS" \
  --log "$DIR/sessions.log" > "$DIR/server.log" 2>&1 &
SRV=$!
i=0
while ! [ -e "$DIR/ready" ]; do
  i=$((i + 1))
  if [ $i -gt 600 ] || ! kill -0 "$SRV" 2>/dev/null; then cat "$DIR/server.log"; exit 1; fi
  sleep 0.05
done
if [ "${SOAK_SS:-0}" = 1 ]; then
  ( while :; do ss -tanp > /dev/null 2>&1; sleep 0.5; done ) &
  SS=$!
fi
NETHOST_SSH_TRACE=1 "$NETHOST" run "$HERE/ssh_soak.lua" -e port="$PORT" \
  -e listeners="$LISTENERS" -e behaviours="$BEHAVIOURS" -e sessions="$SESSIONS" \
  -e concurrency="$CONC" -e known_hosts="$DIR/known_hosts" -e timeout="${SOAK_TIMEOUT:-30}" \
  -e shell_every="${SOAK_SHELL_EVERY:-10}" -e server_log="$DIR/sessions.log" \
  2> "$DIR/nethost.err"
RC=$?
# nethost's own stderr without the traces (progress lines, errors), then the first traces.
grep -v '^  ' "$DIR/nethost.err" | grep -v '^nethost ssh trace' >&2
grep -A60 '^nethost ssh trace' "$DIR/nethost.err" | grep -E '^(nethost ssh trace|  )' | head -300
# The server's CPU (utime + stime, clock ticks) so a server-bound wall time is visible.
TICKS=$(getconf CLK_TCK)
awk -v t="$TICKS" '{ printf "soak: server CPU %.1f s\n", ($14 + $15) / t }' "/proc/$SRV/stat"
exit $RC
