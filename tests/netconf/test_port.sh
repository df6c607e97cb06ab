#!/bin/sh
# The lab's NETCONF port (830 as on real devices, as root; else 1830) beside the subsystem on
# the SSH port: inventory and known_hosts, sessions on both ports, nothing but NETCONF on
# the NETCONF port, no NETCONF port on arista_eos; several RPCs in flight on one session
# from concurrent tasks, each getting its own reply; a base:1.0-only server
# (--netconf-base 1.0); --netconf-port same.
# usage: test_port.sh BIN_DIR SRC_DIR
BIN=$1
tmp=$(mktemp -d)
. "$2/tests/playbooks/lab.sh"
port=830
[ "$(id -u)" = 0 ] || port=1830

start_lab 6 127.1.246.1 --netconf-port "$port" --mix cisco_ios=2,arista_eos=1,juniper_junos=1
grep -q "^  netconf: {port: $port}" "$tmp/lab/lab.yaml" || fail "inventory netconf port"
# known_hosts lists the NETCONF port of NETCONF devices only (devices 1, 3, 4, 5: not 2 and 6)
[ "$(grep -c "]:$port " "$tmp/lab/lab.known_hosts")" = 4 ] || fail "known_hosts: $(cat "$tmp/lab/lab.known_hosts")"
cat >"$tmp/port.lua" <<'LUA'
local port = tonumber(nethost.vars.port)
local res = nethost.run(nethost.inventory:filter(function(h) return true end), function(h)
  if h.platform == "arista_eos" then
    -- no NETCONF anywhere: nothing listens on the NETCONF port
    local ok, e = pcall(netconf.open, h)
    assert(not ok and e.kind == "connect", tostring(e))
    return "none"
  end
  assert(netconf.port(h) == port, "netconf.port " .. tostring(netconf.port(h)))
  local s <close> = netconf.open(h)
  local s2 <close> = netconf.open(h, {port = 2222})   -- the subsystem on the SSH port
  assert(s.session_id ~= s2.session_id)
  -- the NETCONF port serves NETCONF only
  local ok, e = pcall(ssh.run, h, "show version", {port = port})
  assert(not ok, "a command ran on the NETCONF port")
  assert(ssh.run(h, "show version").stdout ~= "")

  -- Several RPCs in flight on one session: the candidate and running differ, and tasks
  -- ask for one or the other, or send an RPC the server refuses, all at once.
  local junos = h.platform == "juniper_junos"
  local ifname = junos and "ge-0/0/1" or "GigabitEthernet1/0/1"
  s:edit_config("candidate", junos and
    ("<configuration><interfaces><interface><name>%s</name><description>in the candidate</description></interface></interfaces></configuration>"):format(ifname)
    or ('<interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces"><interface><name>%s</name><description>in the candidate</description></interface></interfaces>'):format(ifname))
  local tasks, got = {}, {}
  for i = 1, 30 do
    tasks[i] = async.spawn(function()
      if i % 3 == 0 then
        local ok2, e2 = pcall(s.rpc, s, "<frobnicate-" .. i .. "/>")
        got[i] = not ok2 and e2.error_tag == "operation-not-supported" and e2.error_message:find("frobnicate%-" .. i .. "'") and "refused"
      else
        local ds = i % 3 == 1 and "candidate" or "running"
        local d = s:get_config(ds):text("//interface[name='" .. ifname .. "']/description")
        got[i] = (d == "in the candidate") == (ds == "candidate") and ds
      end
    end)
  end
  for i = 1, 30 do tasks[i]:wait() end
  for i = 1, 30 do
    assert(got[i] == (i % 3 == 0 and "refused" or i % 3 == 1 and "candidate" or "running"),
           "task " .. i .. " got " .. tostring(got[i]))
  end
  s:discard_changes()
  return "ok"
end, {concurrency = 6})
local n = 0
for rec in res:each() do
  assert((rec.status == "ok" or rec.status == "changed") and (rec.value == "ok" or rec.value == "none"), rec.host .. " " .. rec.status .. " " .. tostring(rec.error))
  n = n + 1
end
assert(n == 6)
print("port ok")
LUA
nh run -i "$tmp/lab/lab.yaml" -e port="$port" "$tmp/port.lua"
[ "$rc" = 0 ] && grep -q "port ok" "$tmp/out" || fail "NETCONF port (rc $rc)"

# A second lab on the same addresses (another SSH port) cannot have 830 (taken by the first
# lab as root; no privilege otherwise): auto falls back to the SSH port and says so.
mkdir -p "$tmp/lab2"
"$BIN/nethost-sim" --devices 2 --base 127.1.246.1 --port 2223 --netconf-port auto \
  --inventory-out "$tmp/lab2/lab.yaml" --ready-file "$tmp/lab2/ready" >"$tmp/lab2/log" 2>&1 &
lab2=$!
for _ in $(seq 300); do [ -f "$tmp/lab2/ready" ] || ! kill -0 $lab2 2>/dev/null && break; sleep 0.1; done
kill -TERM $lab2 2>/dev/null; wait $lab2
[ -f "$tmp/lab2/ready" ] || { cat "$tmp/lab2/log" >&2; fail "auto: the second lab did not start"; }
grep -q "^  netconf: {port: 2223}" "$tmp/lab2/lab.yaml" || fail "auto fallback: inventory"
grep -q "NETCONF on the SSH port only (not 830: " "$tmp/lab2/log" || fail "auto fallback: no note"
stop_lab

# A server that advertises base:1.0 only: end-of-message framing, everything else the same;
# and --netconf-port same: NETCONF only on the SSH port.
start_lab 2 127.1.248.1 --netconf-port same --netconf-base 1.0 --mix cisco_ios=1,juniper_junos=1
grep -q "^  netconf: {port: 2222}" "$tmp/lab/lab.yaml" || fail "netconf-port same: inventory"
! grep -q "]:830 \|]:1830 " "$tmp/lab/lab.known_hosts" || fail "netconf-port same: known_hosts"
cat >"$tmp/base10.lua" <<'LUA'
for rec in nethost.run(nethost.inventory:filter(function() return true end), function(h)
  local s <close> = netconf.open(h)
  assert(not s.chunked and s:has("urn:ietf:params:netconf:base:1.0")
         and not s:has("urn:ietf:params:netconf:base:1.1"), "base:1.0 only")
  local r = s:get_config("running")
  assert(#r:find("//interface/name") > 4)
  local ok, e = pcall(s.rpc, s, "<frobnicate/>")
  assert(not ok and e.kind == "netconf" and e.error_tag == "operation-not-supported", tostring(e))
  local t = {}
  for i = 1, 5 do t[i] = async.spawn(function() return #s:get_config("running").xml end) end
  for i = 1, 5 do assert(t[i]:wait() == #r.xml) end
  s:lock("candidate")
  local s2 <close> = netconf.open(h)
  local ok2, e2 = pcall(s2.lock, s2, "candidate")
  assert(not ok2 and e2.error_tag == "lock-denied" and e2.error_info, tostring(e2))
  s:unlock("candidate")
  return "ok"
end):each() do
  assert(rec.status == "ok" and rec.value == "ok", rec.host .. " " .. tostring(rec.error))
end
print("base10 ok")
LUA
nh run -i "$tmp/lab/lab.yaml" "$tmp/base10.lua"
[ "$rc" = 0 ] && grep -q "base10 ok" "$tmp/out" || fail "base:1.0-only server (rc $rc)"
if /usr/bin/python3 -c "import ncclient" 2>/dev/null; then
  /usr/bin/python3 - 127.1.248.1 >"$tmp/out" 2>&1 <<'PY' || fail "ncclient against a base:1.0-only server"
import sys
from ncclient import manager
with manager.connect(host=sys.argv[1], port=2222, username="admin", password="admin",
                     hostkey_verify=False, allow_agent=False, look_for_keys=False,
                     device_params={"name": "default"}, timeout=60) as m:
    assert "urn:ietf:params:netconf:base:1.1" not in list(m.server_capabilities)
    assert "GigabitEthernet" in m.get_config("running").data_xml
print("ncclient base10 ok")
PY
  grep -q "ncclient base10 ok" "$tmp/out" || fail "ncclient base10"
fi
echo "netconf.port ok"
