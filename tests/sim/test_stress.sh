#!/bin/sh
# The lab under abuse: thousands of connections that give up at random stages (silent TCP,
# garbage instead of a banner, resets, half a KEXINIT, cancelled handshakes, dropped
# sessions, wrong passwords, execs and shells dropped half way through huge, slow, dropped
# and hung outputs) while nethost runs well-behaved sessions against the rest of the lab.
# Afterwards the lab must still answer, hang up on silent clients after its login grace
# time (10 s; the client allows 35, room for a loaded machine under ASan), hold no session
# open and exit 0 on SIGTERM (under the ASan build: no use after free and no leak).
BIN=$1
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
if ! [ -x "$PY" ] || ! "$PY" -c 'import asyncssh' 2>/dev/null; then
  echo "SKIP: stress needs /usr/bin/python3 with asyncssh"
  exit 77
fi
tmp=$(mktemp -d)
. "$HERE/../playbooks/lab.sh"
# Devices 1-5 answer show commands with 4 MB, 6-10 trickle, 11-12 drop the connection half
# way, 13 stops half way; the abusive drops go to them, everything well-behaved to 21-500.
start_lab 500 127.1.70.1 --mix cisco_ios=80,arista_eos=20 --login-grace-s 10 \
  --fault huge:devices=sw-0001,sw-0002,sw-0003,sw-0004,sw-0005 \
  --fault slow:devices=sw-0006,sw-0007,sw-0008,sw-0009,sw-0010 \
  --fault drop:devices=sw-0011,sw-0012 --fault hang-output:devices=sw-0013
cat >"$tmp/good.lua" <<'LUA'
local hosts = {}
for i, h in ipairs(nethost.inventory:hosts()) do if i > 20 then hosts[#hosts + 1] = h end end
local ok, bad, next_i = 0, {}, 1
local workers = {}
for w = 1, 40 do
  workers[w] = function()
    while next_i <= #hosts do
      local h = hosts[next_i]
      next_i = next_i + 1
      local good, r = pcall(ssh.run, h, "show version", { timeout = 60 })
      if good and r.stdout:find("ersion") then ok = ok + 1 else bad[#bad + 1] = h.name .. ": " .. tostring(r) end
    end
  end
end
async.gather(workers)
print(("good: %d ok, %d failed"):format(ok, #bad))
assert(#bad == 0, table.concat(bad, "\n"))
LUA
"$PY" "$HERE/stress_client.py" --base 127.1.70.1 --devices 500 --connections 1500 \
  --concurrency 150 --hold 45 --expect-closed-within 35 --timeout 30 --drop-devices 13 \
  --ok-from 20 --seed 7 >"$tmp/stress.out" 2>&1 &
abuse=$!
"$BIN/nethost" run -i "$tmp/lab/lab.yaml" "$tmp/good.lua" >"$tmp/out" 2>&1
rc=$?
wait $abuse
arc=$?
cat "$tmp/stress.out"
tail -1 "$tmp/out"
[ "$rc" = 0 ] || fail "well-behaved nethost sessions failed next to the abuse"
[ "$arc" = 0 ] || { cp "$tmp/stress.out" "$tmp/out"; fail "abusive client: a well-behaved session failed or a silent one was not hung up on"; }
kill -0 "$sim_pid" 2>/dev/null || fail "nethost-sim died"
# Still answering, on a device the abuse hit the hardest.
echo 'print(ssh.run(nethost.inventory:hosts()[21], "show clock").stdout)' >"$tmp/after.lua"
nh run -i "$tmp/lab/lab.yaml" "$tmp/after.lua"
[ "$rc" = 0 ] || fail "the lab no longer answers after the abuse"
# Every abusive connection is gone by now (or within the grace time).
sleep 1
kill -TERM "$sim_pid"
wait "$sim_pid"
st=$?
sim_pid=
[ "$st" = 0 ] || fail "nethost-sim exited $st on SIGTERM"
grep -q '"open_sessions": 0,' "$tmp/lab/stats.json" || {
  grep -E '"(open_sessions|connections_accepted|login_grace_timeouts)"' "$tmp/lab/stats.json" >&2
  fail "sessions left open after the abuse"
}
grep -E '"(connections_accepted|handshakes|login_grace_timeouts|accept_pauses|cpu_seconds)"' \
  "$tmp/lab/stats.json" | tr -d ' \n'
echo
echo "stress: ok"
