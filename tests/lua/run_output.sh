#!/bin/sh
# nethost.run's result files: JSONL streamed per host, complete after Ctrl-C mid-run;
# .json and .csv; --retry-failed runs only what failed.
# usage: run_output.sh NETHOST
set -u
NETHOST=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/out" ] && cat "$tmp/out" >&2; exit 1; }

cat >"$tmp/fleet.lua" <<'LUA'
local hosts = {}
for i = 1, tonumber(nethost.vars.n or "40") do hosts[i] = { name = ("h%02d"):format(i) } end
local slow = nethost.vars.slow
nethost.run(hosts, function(h)
  local i = tonumber(h.name:sub(2))
  if slow and i > 10 then async.sleep(60) end
  if i % 7 == 0 and not nethost.vars.fixed then error(nethost.error("connect", "refused")) end
  return { n = i, tags = { "a", "b" } }
end, { concurrency = 5 })
LUA

# A complete run: 40 host lines and a summary line; exit 2 because some hosts failed.
"$NETHOST" run "$tmp/fleet.lua" -o "$tmp/r.jsonl" >"$tmp/out" 2>&1
[ $? = 2 ] || fail "exit status"
[ "$(grep -c '"host"' "$tmp/r.jsonl")" = 40 ] || fail "host lines"
tail -1 "$tmp/r.jsonl" | grep -q '"summary"' || fail "summary line last"
grep '"host":"h07"' "$tmp/r.jsonl" | grep -q '"status":"failed"' || fail "h07 failed"
grep '"host":"h03"' "$tmp/r.jsonl" | grep -q '"n":3' || fail "h03 value"
grep -q "40 hosts: 35 ok, 0 changed, 5 failed" "$tmp/out" || fail "summary on stderr"

# --retry-failed: only the 5 failed hosts run again; fixed now, so exit 0.
"$NETHOST" run "$tmp/fleet.lua" -e fixed=1 --retry-failed "$tmp/r.jsonl" -o "$tmp/retry.jsonl" >"$tmp/out" 2>&1
[ $? = 0 ] || fail "retry exit status"
[ "$(grep -c '"host"' "$tmp/retry.jsonl")" = 5 ] || fail "retry ran other hosts"

# .json and .csv
"$NETHOST" run "$tmp/fleet.lua" -e n=10 -o "$tmp/r.csv" >/dev/null 2>&1
head -1 "$tmp/r.csv" | grep -q '^host,status,elapsed' || fail "csv header"
[ "$(wc -l <"$tmp/r.csv")" = 11 ] || fail "csv rows"
grep -q '^h07,failed,' "$tmp/r.csv" || fail "csv failed row"
"$NETHOST" run "$tmp/fleet.lua" -e n=10 -o "$tmp/r.json" >/dev/null 2>&1
grep -q '"results":\[' "$tmp/r.json" || fail "json results"

# Ctrl-C mid-run: what finished is there, the rest is recorded as aborted, nothing lost.
"$NETHOST" run "$tmp/fleet.lua" -e slow=1 -o "$tmp/int.jsonl" >"$tmp/out" 2>&1 &
pid=$!
for _ in $(seq 100); do
  [ "$(grep -c '"host"' "$tmp/int.jsonl" 2>/dev/null)" -ge 10 ] && break
  sleep 0.05
done
kill -INT $pid
wait $pid
[ $? = 130 ] || fail "interrupted exit status"
[ "$(grep -c '"host"' "$tmp/int.jsonl")" = 40 ] || fail "interrupted run lost hosts: $(grep -c '"host"' "$tmp/int.jsonl")"
[ "$(grep -c '"status":"aborted"' "$tmp/int.jsonl")" = 30 ] || fail "aborted hosts"
tail -1 "$tmp/int.jsonl" | grep -q '"summary"' || fail "interrupted: no summary line"
# Sharded runs joined by nethost merge: every host once, one summary.
"$NETHOST" run "$tmp/fleet.lua" -e fixed=1 -o "$tmp/s1.jsonl" >/dev/null 2>&1
"$NETHOST" run "$tmp/fleet.lua" -o "$tmp/s2.jsonl" >/dev/null 2>&1
"$NETHOST" merge "$tmp/m.jsonl" "$tmp/s1.jsonl" "$tmp/s2.jsonl" >"$tmp/out" 2>&1
[ $? = 2 ] || fail "merge exit status"
[ "$(grep -c '"host"' "$tmp/m.jsonl")" = 40 ] || fail "merged host lines"
tail -1 "$tmp/m.jsonl" | grep -q '"failed":5' || fail "merged summary"
echo "run_output: all checks passed"
