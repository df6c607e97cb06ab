#!/bin/sh
# playbooks/netconf_push.lua against the lab: a change applied with lock, edit, validate,
# commit confirmed, verify and confirm (visible in the CLI); --check sends nothing; a change
# the devices reject fails those hosts with the rpc-error and leaves them unchanged and
# unlocked; a verify that fails cancels the confirmed commit.
# usage: test_push.sh BIN_DIR SRC_DIR
BIN=$1
tmp=$(mktemp -d)
. "$2/tests/playbooks/lab.sh"
PB="$2/playbooks/netconf_push.lua"

start_lab 8 127.1.96.1
mkdir -p "$tmp/snip"
cat >"$tmp/snip/cisco_ios.xml" <<'XML'
<interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces"><interface><name>GigabitEthernet1/0/5</name><description>pushed by netconf</description></interface></interfaces>
XML
cat >"$tmp/snip/juniper_junos.xml" <<'XML'
<configuration><interfaces><interface><name>ge-0/0/5</name><description>pushed by netconf</description></interface></interfaces></configuration>
XML
cat >"$tmp/cli.lua" <<'LUA'
local res = nethost.run(nethost.inventory, function(h)
  if h.platform == "arista_eos" then return "-" end
  local cmd = h.platform == "juniper_junos" and "show configuration interfaces ge-0/0/5"
              or "show running-config interface GigabitEthernet1/0/5"
  return ssh.run(h, cmd).stdout:find("pushed by netconf", 1, true) and "yes" or "no"
end)
for rec in res:each() do print("state", rec.host, rec.value) end
LUA

nh run --check -i "$tmp/lab/lab.yaml" "$PB" -e snippets="$tmp/snip" -o "$tmp/check.jsonl"
[ "$rc" = 0 ] || fail "check run (rc $rc)"
grep -q "edit-config candidate" "$tmp/check.jsonl" || fail "check mode recorded nothing"
nh run -i "$tmp/lab/lab.yaml" "$tmp/cli.lua"
grep -q "state.*yes" "$tmp/out" && fail "check mode changed a device"

nh run -i "$tmp/lab/lab.yaml" "$PB" -e snippets="$tmp/snip" -e serial=2 -e exclusive=pair \
   -e verify="//interface[name='GigabitEthernet1/0/5' or name='ge-0/0/5']/description[.='pushed by netconf']"
[ "$rc" = 0 ] || fail "push (rc $rc)"
nh run -i "$tmp/lab/lab.yaml" "$tmp/cli.lua"
n=$(grep -c "state.*yes" "$tmp/out")
[ "$n" -ge 5 ] && ! grep -q "state.*	no" "$tmp/out" || fail "push not visible in the CLI ($n devices)"

# Rejected by the devices: failed, unchanged, and the candidate unlocked for the next run.
sed -i 's/GigabitEthernet1\/0\/5/GigabitEthernet9\/9\/9/; s/ge-0\/0\/5/xe-9\/9\/9/' "$tmp/snip/cisco_ios.xml" "$tmp/snip/juniper_junos.xml"
nh run -i "$tmp/lab/lab.yaml" "$PB" -e snippets="$tmp/snip"
[ "$rc" = 2 ] && grep -q "invalid-value" "$tmp/out" || fail "rejected change (rc $rc)"

# A verify that fails: the confirmed commit is cancelled, the device is as before.
sed -i 's/GigabitEthernet9\/9\/9/GigabitEthernet1\/0\/6/; s/xe-9\/9\/9/ge-0\/0\/6/' "$tmp/snip/cisco_ios.xml" "$tmp/snip/juniper_junos.xml"
nh run -i "$tmp/lab/lab.yaml" "$PB" -e snippets="$tmp/snip" -e verify="//no-such-element"
[ "$rc" = 2 ] && grep -q "verify failed" "$tmp/out" || fail "verify failure (rc $rc)"
cat >"$tmp/cli6.lua" <<'LUA'
for rec in nethost.run(nethost.inventory:filter{platform = "cisco_ios"}, function(h)
  return ssh.run(h, "show running-config interface GigabitEthernet1/0/6").stdout:find("pushed by netconf", 1, true) ~= nil
end):each() do print("state6", rec.host, rec.value) end
LUA
nh run -i "$tmp/lab/lab.yaml" "$tmp/cli6.lua"
grep -q "state6.*true" "$tmp/out" && fail "a failed verify left the change in place"
grep -q "state6.*false" "$tmp/out" || fail "cli6"
echo "netconf.push ok"
