#!/bin/sh
# A failed write of the results (-o) or of the log (--log) fails the run (issue 16 item 5):
# the run says so on stderr and exits 1; before, -o /dev/full and --log /dev/full exited 0.
NH=$1
. "$(dirname "$0")/../lib/cli_test.sh"
[ -w /dev/full ] || { echo "SKIP: no /dev/full"; exit 77; }
{ echo "hosts:"; for i in 1 2 3; do echo "  h$i: {address: 127.0.0.$i}"; done; } >"$T/inv.yaml"
cat >"$T/pb.lua" <<'LUA'
local log = require("nethost.log")
nethost.run(nethost.inventory, function(h) log.info("working on %s", h.name); return h.name end)
LUA
for ext in jsonl json csv; do
  ln -s /dev/full "$T/full.$ext"
  "$NH" run -i "$T/inv.yaml" -o "$T/full.$ext" "$T/pb.lua" >"$T/out" 2>"$T/err"
  rc=$?
  [ "$rc" = 1 ] || fail "-o full.$ext: rc $rc"
  grep -q "full.$ext: cannot write the results: .*No space left on device" "$T/err" || fail "-o full.$ext: message"
done
"$NH" run -i "$T/inv.yaml" --log /dev/full "$T/pb.lua" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] || fail "--log /dev/full: rc $rc"
grep -q "/dev/full: cannot write the log: .*No space left on device" "$T/err" || fail "--log: message"
# A good run still exits 0 and writes everything.
"$NH" run -i "$T/inv.yaml" -o "$T/ok.jsonl" --log "$T/ok.log" "$T/pb.lua" >"$T/out" 2>"$T/err" || fail "good run"
[ "$(grep -c '"host"' "$T/ok.jsonl")" = 3 ] && grep -q "working on h3" "$T/ok.log" || fail "good run output"
echo "write errors: ok"
