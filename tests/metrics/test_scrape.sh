#!/bin/sh
# /metrics while a monitor runs on the lab (one device refuses connections): scraped twice,
# each scrape validated strictly (check_metrics.py), the values checked against the lab;
# then the errors a user can make with --metrics.
# usage: test_scrape.sh BIN SOURCE_DIR
BIN=$1 SRC=$2
tmp=$(mktemp -d)
. "$SRC/tests/playbooks/lab.sh"
need_python

start_lab 6 127.1.85.1 --fault refuse:devices=sw-0004
# Polls every 0.2 s until Ctrl-C, as a monitor runs in production.
"$BIN/nethost" run "$SRC/playbooks/monitor.lua" -i "$tmp/lab/lab.yaml" -e interval=0.2 \
  --metrics 127.0.0.1:0 >"$tmp/out" 2>&1 &
mon=$!
port=
for _ in $(seq 600); do
  port=$(sed -n 's|.*metrics at http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$tmp/out" | head -1)
  [ -n "$port" ] && break
  kill -0 $mon 2>/dev/null || fail "monitor exited"
  sleep 0.1
done
[ -n "$port" ] || fail "no metrics address logged"
scrape() { "$PY" -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=60).read().decode())' "http://127.0.0.1:$port/metrics" >"$1"; }
# Wait until two polls are in (the second one counts as the first with changes possible).
for _ in $(seq 600); do
  scrape "$tmp/m1" || fail "scrape failed"
  grep -q '^nethost_monitor_polls_total [2-9]' "$tmp/m1" && break
  sleep 0.1
done
"$PY" "$SRC/tests/metrics/check_metrics.py" "$tmp/m1" 6 sw-0004 || { kill -INT $mon; fail "first scrape"; }
sleep 0.5
scrape "$tmp/m2" || fail "second scrape failed"
"$PY" "$SRC/tests/metrics/check_metrics.py" "$tmp/m2" 6 sw-0004 || { kill -INT $mon; fail "second scrape"; }
p1=$(sed -n 's/^nethost_monitor_polls_total //p' "$tmp/m1")
p2=$(sed -n 's/^nethost_monitor_polls_total //p' "$tmp/m2")
[ "$p2" -gt "$p1" ] || { kill -INT $mon; fail "polls did not grow: $p1 -> $p2"; }
# Anything but GET /metrics.
code=$("$PY" -c 'import sys,urllib.request,urllib.error
try: urllib.request.urlopen(sys.argv[1], timeout=60); print(200)
except urllib.error.HTTPError as e: print(e.code)' "http://127.0.0.1:$port/other")
[ "$code" = 404 ] || { kill -INT $mon; fail "/other: $code"; }
kill -INT $mon
wait $mon
rc=$?
[ "$rc" = 130 ] || fail "monitor after Ctrl-C: exit $rc, expected 130"

# The errors: a port in use, a bad address; one line each, before the playbook runs.
echo 'print("ran")' >"$tmp/p.lua"
"$PY" -c 'import socket,time,sys
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(30)' >"$tmp/busy" &
holder=$!
for _ in $(seq 100); do [ -s "$tmp/busy" ] && break; sleep 0.1; done
busy=$(cat "$tmp/busy")
nh run "$tmp/p.lua" --metrics "127.0.0.1:$busy"
kill $holder 2>/dev/null
[ "$rc" = 1 ] && grep -q "metrics 127.0.0.1:$busy: .*in use" "$tmp/out" && ! grep -q ran "$tmp/out" || fail "busy port: rc $rc"
nh run "$tmp/p.lua" --metrics nonsense
[ "$rc" = 1 ] && grep -q "expected ADDR:PORT" "$tmp/out" || fail "bad --metrics: rc $rc"
[ "$(wc -l <"$tmp/out")" = 1 ] || fail "bad --metrics: more than one line"
echo "metrics.scrape: ok"
