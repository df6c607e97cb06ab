#!/bin/sh
# A killed or signalled run can be finished (issue 16 item 6): after SIGKILL the .jsonl
# holds only the finished hosts, and --retry-failed runs the hosts with no record there
# (and the failed ones); SIGTERM and SIGHUP behave as Ctrl-C: a record for every host
# (aborted ones included), the summary, exit 143 / 129, and a message that names the signal.
set -u
NH=$1
T=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$T"' EXIT
unset NETHOST_INVENTORY
fail() { echo "FAIL: $*"; [ -f "$T/err" ] && tail -5 "$T/err"; exit 1; }
{ echo "hosts:"; for i in 1 2 3 4 5 6; do echo "  h$i: {address: 127.0.0.$i}"; done; } >"$T/inv.yaml"
# h1 and h2 finish (h2 fails); the others wait until the run is killed, unless FINISH=1.
cat >"$T/pb.lua" <<'LUA'
local async = require("nethost.async")
nethost.run(nethost.inventory, function(h)
  if h.name == "h2" then error("h2 fails") end
  if h.name ~= "h1" and os.getenv("FINISH") ~= "1" then async.sleep(100000) end
  return h.name
end, { concurrency = 6 })
LUA
records() { n=$(grep -c '"host"' "$1" 2>/dev/null); echo "${n:-0}"; }
# start_run OUT: runs the playbook in the background until h1 and h2 are recorded.
start_run() {
  "$NH" run -i "$T/inv.yaml" -o "$1" "$T/pb.lua" >"$T/out" 2>"$T/err" &
  pid=$!
  while [ "$(records "$1")" -lt 2 ]; do
    kill -0 "$pid" 2>/dev/null || fail "the run ended early"
    sleep 0.05
  done
}

start_run "$T/killed.jsonl"
kill -9 "$pid"
wait "$pid"
pid=
[ "$(records "$T/killed.jsonl")" = 2 ] || fail "killed run: $(cat "$T/killed.jsonl")"
FINISH=1 "$NH" run -i "$T/inv.yaml" --retry-failed "$T/killed.jsonl" -o "$T/retry.jsonl" "$T/pb.lua" >"$T/out" 2>"$T/err"
rc=$?
# h2 fails again (exit 2); h3..h6, never recorded, run and succeed; h1 is done.
[ "$rc" = 2 ] || fail "retry after SIGKILL: rc $rc"
[ "$(records "$T/retry.jsonl")" = 5 ] || fail "retry ran $(records "$T/retry.jsonl") hosts, want 5"
grep -q '"host":"h1"' "$T/retry.jsonl" && fail "retry ran h1, which succeeded"
grep -q "running 5 host(s): 1 failed or aborted .*, 4 with no record" "$T/err" || fail "retry message"

for sig in TERM HUP; do
  start_run "$T/$sig.jsonl"
  kill -$sig "$pid"
  wait "$pid"
  rc=$?
  pid=
  want=143; name="terminated (SIGTERM)"
  [ $sig = HUP ] && want=129 name="hung up (SIGHUP)"
  [ "$rc" = $want ] || fail "SIG$sig: rc $rc, want $want"
  [ "$(records "$T/$sig.jsonl")" = 6 ] || fail "SIG$sig: $(records "$T/$sig.jsonl") records"
  [ "$(grep -c '"status":"aborted"' "$T/$sig.jsonl")" = 4 ] || fail "SIG$sig: aborted records"
  grep -q '"summary"' "$T/$sig.jsonl" || fail "SIG$sig: no summary"
  grep -q "nethost: $name: cancelling" "$T/err" || fail "SIG$sig: message"
  grep -q "Ctrl-C" "$T/err" && fail "SIG$sig: the message talks about Ctrl-C"
done
# The aborted hosts of a signalled run are retried.
FINISH=1 "$NH" run -i "$T/inv.yaml" --retry-failed "$T/TERM.jsonl" -o "$T/retry2.jsonl" "$T/pb.lua" >"$T/out" 2>"$T/err"
[ "$(records "$T/retry2.jsonl")" = 5 ] || fail "retry after SIGTERM ran $(records "$T/retry2.jsonl")"
echo "interrupted: ok"
