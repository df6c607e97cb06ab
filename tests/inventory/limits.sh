#!/bin/sh
# Inventory reads have limits and yield to signals (issue 16 item 7): a device or a FIFO is
# refused (never read, never waited on), a file over the input cap is refused (the cap is
# NETHOST_MAX_INPUT), host ranges are counted before any host is made, and a signal during
# a long load ends the process at once.
set -u
NH=$1
T=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT
unset NETHOST_INVENTORY NETHOST_MAX_INPUT
fail() { echo "FAIL: $*"; [ -f "$T/err" ] && tail -5 "$T/err"; exit 1; }

# A device: refused at once (before: read /dev/zero until the OOM killer).
timeout -s KILL 120 "$NH" inventory -i /dev/zero >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] && grep -q "/dev/zero: not a regular file" "$T/err" || fail "/dev/zero (rc $rc)"
# A FIFO nobody writes to: refused, not waited on (timeout only guards a hang).
mkfifo "$T/fifo"
timeout -s KILL 120 "$NH" inventory -i "$T/fifo" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] && grep -q "fifo: not a regular file" "$T/err" || fail "FIFO (rc $rc)"
# A vars file can be neither.
mkdir -p "$T/inv/group_vars"
printf 'all:\n  hosts:\n    r1:\n' >"$T/inv/hosts.yaml"
ln -s /dev/zero "$T/inv/group_vars/all.yaml"
timeout -s KILL 120 "$NH" inventory -i "$T/inv/hosts.yaml" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] && grep -q "all.yaml: not a regular file" "$T/err" || fail "group_vars on a device (rc $rc)"

# The size cap, documented and overridable.
{ echo "hosts:"; i=0; while [ $i -lt 100 ]; do echo "  h$i: {address: 127.0.0.1}"; i=$((i+1)); done; } >"$T/small.yaml"
NETHOST_MAX_INPUT=1K "$NH" inventory -i "$T/small.yaml" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] && grep -q "small.yaml: larger than 1024 bytes, the limit .*NETHOST_MAX_INPUT" "$T/err" ||
  fail "NETHOST_MAX_INPUT=1K (rc $rc)"
NETHOST_MAX_INPUT=1M "$NH" inventory -i "$T/small.yaml" >"$T/out" 2>"$T/err" || fail "1M cap"
[ "$(wc -l <"$T/out")" = 100 ] || fail "100 hosts under a 1M cap"

# Ranges: counted before expanding; the message names the pattern and the file:line.
printf '[all]\nok[1:3]\nsw[0:99999][0:99999]\n' >"$T/ranges.ini"
"$NH" inventory -i "$T/ranges.ini" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] && grep -q "ranges.ini:3:.*'sw\[0:99999\]\[0:99999\]' would make" "$T/err" ||
  fail "ranges (rc $rc)"

# A signal during a long load ends the process then, not when the load is over (the
# runtime's handler would print "cancelling" after the load).
awk 'BEGIN { print "hosts:"; for (i = 0; i < 400000; i++) printf "  host-%07d: {address: 127.0.0.1, data: {site: lon, role: access, pair: p-%d}}\n", i, i }' >"$T/big.yaml"
cat >"$T/load.lua" <<LUA
io.stderr:write("LOAD-START\n")
io.stderr:flush()
inventory.load("$T/big.yaml")
io.stderr:write("LOAD-DONE\n")
LUA
"$NH" run "$T/load.lua" >"$T/out" 2>"$T/err" &
pid=$!
# The signal goes once the load is under way: once the process no longer catches SIGTERM
# (bit 15 of SigCgt in /proc/PID/status), which the load sets for its length. Sent at
# LOAD-START, it could come just before, when the runtime's handler still takes it.
term_caught() {
  awk '/^SigCgt:/ { v = 0; h = tolower($2)
    for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
    exit (int(v / 16384) % 2 == 1) ? 0 : 1 }' "/proc/$pid/status" 2>/dev/null
}
while ! grep -q LOAD-START "$T/err" 2>/dev/null || term_caught; do
  kill -0 "$pid" 2>/dev/null || fail "the loader exited early"
  grep -q LOAD-DONE "$T/err" && fail "SIGTERM was caught for the whole load (a signal would wait for its end)"
  sleep 0.02
done
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
grep -q "cancelling" "$T/err" && fail "the signal waited for the end of the load"
grep -q LOAD-DONE "$T/err" && { echo "SKIP: the load finished before the signal"; exit 77; }
[ "$rc" = 143 ] || fail "SIGTERM during a load: rc $rc"
echo "inventory limits: ok"
