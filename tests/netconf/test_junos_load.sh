#!/bin/sh
# Junos's <load-configuration> (xml, text and set formats; merge, replace, override) and
# <commit-configuration> in the lab: through nethost's s:load_configuration, errors raised
# from inside <load-configuration-results>, check mode, commit confirmed in minutes rolled
# back, and through ncclient's junos device handler; the result shows in the CLI.
# usage: test_junos_load.sh BIN_DIR SRC_DIR
BIN=$1
tmp=$(mktemp -d)
. "$2/tests/playbooks/lab.sh"

start_lab 3 127.1.247.1 --mix juniper_junos=1 --netconf-port same --confirm-unit-ms 1000
cat >"$tmp/load.lua" <<'LUA'
local hosts = {}
for h in nethost.inventory:each() do hosts[h.name] = h end
local h = hosts["r-0001"]
local function cand(s, i) return s:get_config("candidate"):text("//interface[name='" .. i .. "']/description") end
local function run(s, i) return s:get_config("running"):text("//interface[name='" .. i .. "']/description") end
nethost.run({h}, function()
  local s <close> = netconf.open(h)
  -- set format: set and delete lines, into the candidate only
  local r = s:load_configuration{format = "set", config = {
    'set interfaces ge-0/0/1 description "by set"', "set interfaces ge-0/0/2 disable",
    "set system host-name r-loaded"}}
  assert(r.ok, r.raw)
  assert(cand(s, "ge-0/0/1") == "by set" and run(s, "ge-0/0/1") ~= "by set")
  assert(s:get_config("candidate"):text("//interface[name='ge-0/0/2']/disable") == "")
  s:load_configuration{format = "set", config = "delete interfaces ge-0/0/2 disable"}
  assert(s:get_config("candidate"):text("//interface[name='ge-0/0/2']/disable") == nil)
  -- text format; replace: resets the block it marks
  s:load_configuration{format = "text", action = "replace", config = [[
/* comments are skipped */
interfaces {
    ge-0/0/3 {
        description "by text";
    }
    replace:
    ge-0/0/1 {
        disable;
    }
}]]}
  assert(cand(s, "ge-0/0/3") == "by text" and cand(s, "ge-0/0/1") == nil)
  -- xml format (text or a table), merge
  s:load_configuration{config = {interfaces = {interface = {name = "ge-0/0/4", description = "by xml"}}}}
  assert(cand(s, "ge-0/0/4") == "by xml" and cand(s, "ge-0/0/3") == "by text")
  -- errors come inside <load-configuration-results>; they are raised all the same
  local ok, e = pcall(s.load_configuration, s, {format = "set", config = "set interfaces xe-9/9/9 description x"})
  assert(not ok and e.kind == "netconf" and e.error_tag == "invalid-value" and e.op == "load-configuration"
         and tostring(e):find("xe-9/9/9", 1, true) and e.host == "r-0001", tostring(e))
  ok, e = pcall(s.load_configuration, s, {format = "text", config = "interfaces { ge-0/0/1 { description x; }"})
  assert(not ok and e.error_tag == "invalid-value" and tostring(e):find("missing '}'"), tostring(e))
  ok, e = pcall(s.load_configuration, s, {format = "set", config = "frob interfaces"})
  assert(not ok and tostring(e):find("expected set or delete"), tostring(e))
  ok, e = pcall(s.rpc, s, '<load-configuration action="sideways"><configuration/></load-configuration>')
  -- s:rpc only raises rpc-errors directly in the reply: this one is inside the results
  assert(ok and e.raw:find("unknown action"), tostring(e))
  -- commit-configuration (what ncclient's junos handler sends for commit)
  r = s:rpc("<commit-configuration/>")
  assert(r.raw:find("<commit-success/>", 1, true), r.raw)
  assert(run(s, "ge-0/0/4") == "by xml" and run(s, "ge-0/0/1") == nil)
  assert(s:get_config("running"):text("//system/host-name") == "r-loaded")
  -- override: what is not loaded is gone
  s:load_configuration{action = "override", config = "<configuration><interfaces><interface><name>ge-0/0/5</name><description>only me</description></interface></interfaces></configuration>"}
  assert(cand(s, "ge-0/0/5") == "only me" and cand(s, "ge-0/0/4") == nil and cand(s, "ge-0/0/3") == nil)
  -- commit confirmed 1 (a lab minute is 1 s here) and no confirmation: rolled back
  r = s:rpc("<commit-configuration><confirmed/><confirm-timeout>1</confirm-timeout></commit-configuration>")
  assert(run(s, "ge-0/0/5") == "only me")
  local tries = 80
  while run(s, "ge-0/0/5") == "only me" do
    tries = tries - 1
    assert(tries > 0, "commit-configuration confirmed never rolled back")
    async.sleep(0.25)
  end
  assert(run(s, "ge-0/0/4") == "by xml")
  -- a load while another session holds the candidate lock
  local s2 <close> = netconf.open(h)
  s2:lock("candidate")
  ok, e = pcall(s.load_configuration, s, {format = "set", config = "set interfaces ge-0/0/6 description x"})
  assert(not ok and e.error_tag == "lock-denied", tostring(e))
  s2:unlock("candidate")
  return true
end):each()
print("load ok")
LUA
nh run -i "$tmp/lab/lab.yaml" "$tmp/load.lua"
[ "$rc" = 0 ] && grep -q "load ok" "$tmp/out" || fail "load-configuration (rc $rc)"
! grep -q "failed" "$tmp/out" || grep -q " 0 failed" "$tmp/out" || fail "a host failed"

# Check mode: the load is recorded, not sent.
cat >"$tmp/check.lua" <<'LUA'
local res = nethost.run(nethost.inventory:filter(function(h) return h.name == "r-0002" end), function(x)
  local s <close> = netconf.open(x)
  s:load_configuration{format = "set", config = "set interfaces ge-0/0/1 description checked"}
  return s:get_config("candidate"):text("//interface[name='ge-0/0/1']/description")
end)
for rec in res:each() do print(rec.host, rec.status, tostring(rec.value), #(rec.would_send or {}), (rec.would_send or {})[1]) end
LUA
nh run --check -i "$tmp/lab/lab.yaml" "$tmp/check.lua"
grep -q "r-0002	ok	.*	1	netconf load-configuration set" "$tmp/out" && ! grep -q "	checked	" "$tmp/out" ||
  fail "check mode"

# The committed load is in the CLI's configuration.
cat >"$tmp/cli.lua" <<'LUA'
for h in nethost.inventory:each() do
  if h.name == "r-0001" then
    async.spawn(function() print(ssh.run(h, "show configuration interfaces ge-0/0/4").stdout) end):wait()
  end
end
LUA
nh run -i "$tmp/lab/lab.yaml" "$tmp/cli.lua"
grep -q 'description "by xml"' "$tmp/out" || fail "the loaded change is not in the CLI"

if /usr/bin/python3 -c "import ncclient" 2>/dev/null; then
  /usr/bin/python3 "$2/tests/netconf/ncclient_junos_load.py" 127.1.247.3 2222 >"$tmp/out" 2>&1 ||
    fail "ncclient's junos handler"
  grep -q "ncclient junos load ok" "$tmp/out" || fail "ncclient junos load"
else
  echo "note: python3-ncclient not installed; its part is skipped"
fi
echo "netconf.junos_load ok"
