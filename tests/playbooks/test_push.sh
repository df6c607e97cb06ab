#!/bin/sh
# push.lua against a lab: per-platform snippets in rolling batches with pair exclusion
# (checked in the lab's own session log), check mode, a failed verification restored, and a
# failure budget that trips and rolls every changed device back byte for byte.
BIN=$1 SRC=$2
tmp=$(mktemp -d)
. "$(dirname "$0")/lab.sh"
mkdir -p "$tmp/snip"
echo "ntp server 10.77.77.77" >"$tmp/snip/cisco_ios.cfg"
echo "ntp server 10.77.77.77" >"$tmp/snip/arista_eos.cfg"
echo "set system ntp server 10.77.77.77" >"$tmp/snip/juniper_junos.cfg"
cat >"$tmp/has.lua" <<'LUA'
-- has.lua PATTERN: prints "host yes|no" for each host
local device = require("nethost.device")
local res = nethost.run(nethost.inventory, function(h)
  local s <close> = ssh.open(h)
  return device.running_config(s, h):find(arg[1], 1, true) ~= nil
end, { summary = false, progress = false })
for rec in res:each() do print(rec.host, rec.value and "yes" or "no") end
LUA
lab12() { start_lab 12 127.1.62.1 --mix cisco_ios=50,arista_eos=25,juniper_junos=25 --state-dir "$tmp/state"; }
lab12
inv=$tmp/lab/lab.yaml

# Check mode: nothing changes, the results say what would have been sent.
nh run -i "$inv" "$SRC/playbooks/push.lua" -e snippets="$tmp/snip" --check -o "$tmp/check.jsonl"
[ "$rc" = 0 ] || fail "push --check"
grep -q '"would_send":\["ntp server 10.77.77.77"' "$tmp/check.jsonl" || fail "would_send"
nh run -i "$inv" "$tmp/has.lua" "10.77.77.77"
grep -q "yes" "$tmp/out" && fail "--check changed a device"
# A fresh start (the state survives) so the session log holds the rollout only.
stop_lab
lab12

# The rollout: batches of 1 then 50%, never both members of a pair at once.
nh run -i "$inv" "$SRC/playbooks/push.lua" -e snippets="$tmp/snip" -e serial=1,50% \
  -e exclusive=pair -c 100 -e confirm=60 -e snapshots="$tmp/snap"
[ "$rc" = 0 ] || fail "push"
grep -q "native commit confirmed" "$tmp/out" || fail "junos uses its commit confirmed"
grep -q "emulated commit confirmed" "$tmp/out" || fail "ios/eos use the emulation"
[ "$(ls "$tmp/snap"/*/ | wc -l)" = 12 ] || fail "snapshots"
stop_lab
cat >"$tmp/pairs.lua" <<'LUA'
-- No two members of a pair (devices 2k-1, 2k) had sessions open at the same time.
local stats = json.decode(assert(fs.read(arg[1])))
local by_index = {}
for name, d in pairs(stats.per_device) do by_index[tonumber(name:match("%d+$"))] = d.log end
local checked = 0
for k = 1, 6 do
  for _, a in ipairs(by_index[2 * k - 1] or {}) do
    for _, b in ipairs(by_index[2 * k] or {}) do
      assert(a["end"] <= b.start or b["end"] <= a.start, "pair " .. k .. " overlapped")
      checked = checked + 1
    end
  end
end
assert(checked > 0, "no sessions logged")
print("pairs never overlapped", checked)
LUA
nh run "$tmp/pairs.lua" "$tmp/lab/stats.json"
[ "$rc" = 0 ] || fail "pair exclusion"
lab12
nh run -i "$inv" "$tmp/has.lua" "10.77.77.77"
[ "$(grep -c 'yes$' "$tmp/out")" = 12 ] || fail "not every device has the change"
stop_lab

# A verification that fails: the host is restored from its snapshot and fails.
start_lab 6 127.1.63.1 --mix cisco_ios=100 --fault auth:devices=sw-0004,sw-0005
inv=$tmp/lab/lab.yaml
nh run -i "$inv" -l sw-0001 "$SRC/playbooks/push.lua" -e lines='logging host 10.88.88.88' \
  -e verify='show clock' -e confirm=0 -e snapshots="$tmp/snap2"
[ "$rc" = 2 ] || fail "a failed verification must fail the host"
grep -q "verify failed" "$tmp/out" || fail "verify message"
nh run -i "$inv" -l sw-0001 "$tmp/has.lua" "10.88.88.88"
grep -q "sw-0001	no" "$tmp/out" || fail "not restored after the failed verification"

# The failure budget: one at a time; sw-0004 and sw-0005 cannot log in; the second failure
# trips max_fail=1, sw-0006 never starts, and sw-0001..3 are rolled back exactly.
for h in sw-0001 sw-0002 sw-0003 sw-0006; do
  nh run -i "$inv" -l $h "$tmp/has.lua" "x"; # warm-up: nothing
done
cat >"$tmp/dump.lua" <<'LUA'
local device = require("nethost.device")
nethost.run(nethost.inventory, function(h)
  local s <close> = ssh.open(h)
  local text = device.running_config(s, h):gsub("! Last configuration change[^\n]*\n", "")
  assert(fs.write(arg[1] .. "/" .. h.name .. ".cfg", text))
end, { summary = false, progress = false })
LUA
mkdir -p "$tmp/before" "$tmp/after"
nh run -i "$inv" -l 'sw-0001,sw-0002,sw-0003,sw-0006' "$tmp/dump.lua" "$tmp/before"
nh run -i "$inv" "$SRC/playbooks/push.lua" -e lines='snmp-server location moved;ntp server 10.99.99.99' \
  -c 1 -e max_fail=1 -e on_abort=rollback -e confirm=0 -e snapshots="$tmp/snap3"
[ "$rc" = 2 ] || fail "an aborted push exits 2"
grep -q "run aborted" "$tmp/out" || fail "abort reported"
grep -q "rollback: 3 restored, 0 failed" "$tmp/out" || fail "3 hosts rolled back"
grep -Eq "^sw-0006 +aborted" "$tmp/out" || fail "sw-0006 must not start"
nh run -i "$inv" -l 'sw-0001,sw-0002,sw-0003,sw-0006' "$tmp/dump.lua" "$tmp/after"
for h in sw-0001 sw-0002 sw-0003 sw-0006; do
  cmp -s "$tmp/before/$h.cfg" "$tmp/after/$h.cfg" || fail "$h is not back to its configuration"
done
echo "push: ok"
