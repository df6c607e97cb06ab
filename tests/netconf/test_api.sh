#!/bin/sh
# The netconf and xml modules against the lab: capabilities, get-config with filters and
# reply objects, lock/edit/validate/commit/unlock on IOS-XE and Junos models, the change
# visible in the CLI and a CLI change visible in NETCONF, lock-denied across two sessions,
# rpc-errors as error objects, unknown RPCs, commit confirmed rolled back by its timeout and
# by cancel-commit, base:1.0-only sessions, check mode, --diff, and a server that never
# sends its hello (a clean timeout).
# usage: test_api.sh BIN_DIR SRC_DIR
BIN=$1
tmp=$(mktemp -d)
. "$2/tests/playbooks/lab.sh"

start_lab 6 127.1.97.1 --fault hang:devices=sw-0005
cat >"$tmp/api.lua" <<'LUA'
local function host(name)
  for h in nethost.inventory:each() do if h.name == name then return h end end
  error("no host " .. name)
end
local IF = "urn:ietf:params:xml:ns:yang:ietf-interfaces"
local function xe_desc(ifname, d)
  return ([[<interfaces xmlns="%s"><interface><name>%s</name><description>%s</description></interface></interfaces>]])
    :format(IF, ifname, xml.escape(d))
end

-- xml module
local t = xml.decode("<a><b>1</b><b>2</b><c x='1'>t &amp; u</c><e/></a>")
assert(t.a.b[1] == "1" and t.a.b[2] == "2" and t.a.c == "t & u" and t.a.e == "", json.encode(t))
assert(xml.decode("<a><b>1</b></a>", {lists = {"b"}}).a.b[1] == "1")
assert(xml.decode("<a><c x='1'>v</c></a>", {attributes = true}).a.c._attr.x == "1")
assert(xml.encode({r = {b = {"1", "2"}, c = {_attr = {x = "<"}, _text = "&"}}}) ==
       '<r><b>1</b><b>2</b><c x="&lt;">&amp;</c></r>')
assert(xml.escape([[<a href="x">&</a>]], true) == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;")
-- Text keeps its quotes: only attribute values need them escaped.
assert(xml.escape([["it's"]]) == [["it's"]], xml.escape([["it's"]]))
local ok, e = pcall(xml.decode, "<a><b></a>")
assert(not ok and e.kind == "parse" and tostring(e):find("line 1"), tostring(e))
ok, e = pcall(xml.decode, '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')
assert(not ok and tostring(e):find("DTD"), tostring(e))

nethost.run({host("sw-0001"), host("r-0006")}, function(h)
  local junos = h.platform == "juniper_junos"
  local s <close> = netconf.open(h)
  assert(s.session_id > 0 and s.chunked, "session")
  assert(s:has(":candidate") and s:has("urn:ietf:params:netconf:capability:confirmed-commit:1.1"))
  assert(not s:has(":xpath"))
  local ok2, e2 = pcall(s.get_config, s, "running", {xpath = "/interfaces"})
  assert(not ok2 and tostring(e2):find(":xpath"), tostring(e2))
  local r = s:get_config("running")
  local first = junos and "ge-0/0/1" or "GigabitEthernet1/0/1"
  local names = r:find("//interface/name")
  assert(#names > 4 and names[1].text:find("^%S"), "interfaces")
  local hn = junos and r:text("//system/host-name") or r:text("//native/hostname")
  assert(hn == h.name, "hostname " .. tostring(hn))
  if not junos then
    -- the default namespace bound to a prefix of the caller's choice
    assert(r:text("//i:interface/i:name", {i = IF}) == names[1].text)
    assert(r:table().interfaces.interface[1].name == names[1].text)
  end
  -- subtree filter
  local f = junos and "<configuration><system/></configuration>" or
            ('<native xmlns="http://cisco.com/ns/yang/Cisco-IOS-XE-native"/>')
  assert(s:get_config("running", f).xml:find(h.name, 1, true))

  -- lock, edit the candidate, validate, commit, unlock; the CLI sees it
  s:lock("candidate")
  local cfg = junos and ([[<configuration><interfaces><interface><name>%s</name><description>nc &amp; api</description></interface></interfaces></configuration>]]):format(first)
              or xe_desc(first, "nc & api")
  local er = s:edit_config("candidate", cfg)
  assert(er.ok and #er.warnings == 0)
  assert(s:get_config("candidate"):text("//interface[name='" .. first .. "']/description") == "nc & api")
  assert(s:get_config("running"):text("//interface[name='" .. first .. "']/description") ~= "nc & api")
  s:validate("candidate")
  -- a second session cannot take the lock
  local s2 <close> = netconf.open(h, {base = "1.0"})
  assert(not s2.chunked, "base:1.0 only")
  local ok3, e3 = pcall(s2.lock, s2, "candidate")
  assert(not ok3 and e3.kind == "netconf" and e3.error_tag == "lock-denied" and e3.host == h.name, tostring(e3))
  assert(tostring(e3):find("lock") and tostring(e3):find(h.name, 1, true))
  s:commit()
  s:unlock("candidate")
  local cli = ssh.run(h, junos and "show configuration interfaces " .. first or
                      "show running-config interface " .. first).stdout
  assert(cli:find("nc & api", 1, true), cli)
  -- the CLI's change shows in NETCONF
  if not junos then
    local sh = ssh.open(h):shell()
    sh:config({"interface " .. first, "description from the cli"})
    assert(s:get_config("running"):text("//interface[name='" .. first .. "']/description") == "from the cli")
  end

  -- rpc-errors: invalid value, unknown element, unknown RPC
  local ok4, e4 = pcall(s.edit_config, s, "candidate", junos and
    "<configuration><interfaces><interface><name>xe-9/9/9</name><description>x</description></interface></interfaces></configuration>"
    or xe_desc("Nope9", "x"))
  assert(not ok4 and e4.kind == "netconf" and e4.error_tag == "invalid-value" and e4.error_type == "application"
         and e4.error_severity == "error" and e4.error_path:find("interface") and e4.error_message, tostring(e4))
  local ok5, e5 = pcall(s.rpc, s, "<frobnicate/>")
  assert(not ok5 and e5.error_tag == "operation-not-supported" and e5.op == "frobnicate", tostring(e5))
  local raw = s:rpc("<get-config><source><running/></source></get-config>")
  assert(raw.xml:find("^<%?xml") or raw.xml:find("<rpc%-reply"), "rpc .xml is the whole reply")

  -- commit confirmed: rolled back when not confirmed in time
  local before = s:get_config("running"):text("//interface[name='" .. first .. "']/description")
  s:edit_config("candidate", junos and cfg:gsub("nc &amp; api", "confirm me") or xe_desc(first, "confirm me"))
  s:commit({confirmed = true, timeout = 1})
  assert(s:get_config("running"):text("//interface[name='" .. first .. "']/description") == "confirm me")
  local deadline = 40
  while s:get_config("running"):text("//interface[name='" .. first .. "']/description") ~= before do
    deadline = deadline - 1
    assert(deadline > 0, "confirmed commit never rolled back")
    async.sleep(0.25)
  end
  -- ... and by cancel-commit; a confirming commit keeps it
  s:edit_config("candidate", junos and cfg:gsub("nc &amp; api", "cancel me") or xe_desc(first, "cancel me"))
  s:commit({confirmed = true, timeout = 600})
  s:cancel_commit()
  assert(s:get_config("running"):text("//interface[name='" .. first .. "']/description") == before)
  s:edit_config("candidate", junos and cfg:gsub("nc &amp; api", "kept") or xe_desc(first, "kept"))
  s:commit({confirmed = true, timeout = 600})
  s:commit()
  -- discard-changes
  s:edit_config("candidate", junos and cfg:gsub("nc &amp; api", "discard me") or xe_desc(first, "discard me"))
  s:discard_changes()
  assert(s:get_config("candidate"):text("//interface[name='" .. first .. "']/description") == "kept")
  return true
end):each()
print("api ok")
LUA
nh run -i "$tmp/lab/lab.yaml" "$tmp/api.lua"
[ "$rc" = 0 ] && grep -q "api ok" "$tmp/out" && grep -q "2 changed\|0 failed" "$tmp/out" || fail "api (rc $rc)"
grep -q "failed" "$tmp/out" && ! grep -q " 0 failed" "$tmp/out" && fail "a host failed"

# A device that never sends its hello: a clean timeout naming the host and the stage.
cat >"$tmp/hang.lua" <<'LUA'
for h in nethost.inventory:each() do
  if h.name == "sw-0005" then
    async.spawn(function()
      local ok, e = pcall(netconf.open, h, {hello_timeout = 1})
      assert(not ok and e.kind == "timeout" and e.host == "sw-0005" and tostring(e):find("hello"), tostring(e))
      print("hang ok")
    end):wait()
  end
end
LUA
nh run -i "$tmp/lab/lab.yaml" "$tmp/hang.lua"
grep -q "hang ok" "$tmp/out" || fail "hello timeout (rc $rc)"

# Check mode records the edit and sends nothing; --diff records the datastore's diff.
cat >"$tmp/check.lua" <<'LUA'
local res = nethost.run(nethost.inventory:filter{platform = "cisco_ios"}, function(h)
  if h.name == "sw-0005" then return end
  local s <close> = netconf.open(h)
  s:edit_config("running", [[<interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces"><interface><name>GigabitEthernet1/0/3</name><description>checked</description></interface></interfaces>]])
  return s:get_config("running"):text("//interface[name='GigabitEthernet1/0/3']/description")
end)
for rec in res:each() do print(rec.host, rec.status, tostring(rec.value), rec.would_send and #rec.would_send or 0, rec.diff and "diff" or "nodiff") end
LUA
nh run --check -i "$tmp/lab/lab.yaml" "$tmp/check.lua"
grep -q "sw-0001	ok	.*	1	nodiff" "$tmp/out" && ! grep -q "	checked	" "$tmp/out" || fail "check mode"
nh run --diff -i "$tmp/lab/lab.yaml" "$tmp/check.lua"
grep -q "sw-0001	changed	checked	0	diff" "$tmp/out" || fail "--diff"
echo "netconf.api ok"
