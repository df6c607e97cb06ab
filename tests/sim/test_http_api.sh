#!/bin/sh
# The lab's HTTP API over HTTPS through nethost's http module: eAPI runCmds (JSON and text,
# a config change visible over SSH, a failing command), RESTCONF, basic auth, and TLS
# verification (refused by default; pinning lab.crt is a certificate without the device's
# address, so verify = false is how a lab is used).
BIN=$1
tmp=$(mktemp -d)
. "$(dirname "$0")/../playbooks/lab.sh"
start_lab 4 127.1.31.1 --https --http-port 8443 --mix cisco_ios=50,arista_eos=50
[ -s "$tmp/lab/lab.crt" ] || fail "no lab.crt"
cat >"$tmp/api.lua" <<'LUA'
local eos, ios
for h in nethost.inventory:each() do
  if h.platform == "arista_eos" then eos = eos or h else ios = ios or h end
end
local base = function(h) return "https://" .. h.address .. ":8443" end
local auth = { "admin", "admin" }
local function rpc(cmds, format)
  return http.post(base(eos) .. "/command-api", { verify = false, auth = auth,
    json = { jsonrpc = "2.0", method = "runCmds", id = 7,
             params = { version = 1, cmds = cmds, format = format or "json" } } })
end
local r = rpc({ "show version" })
assert(r.status == 200, r.status)
local v = r:json()
assert(v.id == 7 and v.result[1].version:match("^4%.") and v.result[1].modelName, r.body)
r = rpc({ "show clock" }, "text")
assert(r:json().result[1].output:find("Timezone: UTC"), r.body)
r = rpc({ "enable", "configure", "hostname api-changed" })
assert(r.status == 200 and not r:json().error, r.body)
assert(ssh.run(eos, "show running-config").stdout:find("hostname api-changed", 1, true))
-- The JSON escapes in a command (\" and \\ here) reach the device as the characters.
r = rpc({ "enable", "configure", "interface Ethernet2", 'description a "quoted" \\ word' })
assert(r.status == 200 and not r:json().error, r.body)
assert(ssh.run(eos, "show running-config").stdout:find('description a "quoted" \\ word', 1, true))
-- JSON models agree with what the device says over SSH.
r = rpc({ "show interfaces status", "show vlan", "show lldp neighbors", "show ip interface brief",
          "show interfaces" })
local res = r:json().result
assert(#res == 5, r.body)
local status_text = ssh.run(eos, "show interfaces status").stdout
local n = 0
for name, st in pairs(res[1].interfaceStatuses) do
  n = n + 1
  local short = name:gsub("^Ethernet", "Et")
  local row = status_text:match("\n(" .. short .. " [^\n]*)")
  assert(row and row:find(" " .. st.linkStatus .. " ", 1, true), name .. ": " .. tostring(row))
  if st.vlanInformation.vlanId then
    assert(row:find(" " .. st.vlanInformation.vlanId .. " ", 1, true), name .. " vlan: " .. row)
  end
end
assert(n >= 48, "interfaceStatuses: " .. n)
local vlan_text = ssh.run(eos, "show vlan").stdout
for id, vl in pairs(res[2].vlans) do
  assert(vlan_text:find("\n" .. id .. "%s+" .. vl.name:gsub("%-", "%%-") .. "%s+active"), "vlan " .. id)
end
assert(res[2].vlans["1"].name == "default", "vlan 1")
local lldp_text = ssh.run(eos, "show lldp neighbors").stdout
assert(#res[3].lldpNeighbors == 2, "lldp")
for _, nb in ipairs(res[3].lldpNeighbors) do
  assert(lldp_text:find(nb.neighborDevice, 1, true) and nb.port:match("^Ethernet%d+$"), "lldp")
end
local brief_text = ssh.run(eos, "show ip interface brief").stdout
for name, i in pairs(res[4].interfaces) do
  local ip = i.interfaceAddress.ipAddr
  assert(brief_text:find(name .. "%s+" .. ip.address:gsub("%.", "%%.") .. "/" .. ip.maskLen),
         name .. " address")
end
local e1 = res[5].interfaces.Ethernet1
assert(e1 and e1.interfaceCounters and e1.interfaceStatus == res[1].interfaceStatuses.Ethernet1.linkStatus,
       "show interfaces model")
-- A change shows in the models at once.
assert(rpc({ "enable", "configure", "interface Ethernet3", "shutdown" }).status == 200)
r = rpc({ "show interfaces status" })
assert(r:json().result[1].interfaceStatuses.Ethernet3.linkStatus == "disabled", r.body)
r = rpc({ "show version", "show frobnicate" })
assert(r:json().error and r:json().error.code == 1002, r.body)
r = http.get(base(ios) .. "/restconf/data/Cisco-IOS-XE-native:native", { verify = false, auth = auth })
assert(r.status == 200 and r:json()["Cisco-IOS-XE-native:native"].hostname == ios.name, r.body)
r = http.get(base(ios) .. "/restconf/data/ietf-interfaces:interfaces", { verify = false, auth = auth })
assert(#r:json()["ietf-interfaces:interfaces"].interface >= 48, "interfaces")
r = http.get(base(ios) .. "/restconf/data/nope", { verify = false, auth = auth })
assert(r.status == 404)
r = http.get(base(ios) .. "/restconf/data/Cisco-IOS-XE-native:native", { verify = false, auth = { "admin", "x" } })
assert(r.status == 401)
local ok, e = pcall(http.get, base(ios) .. "/restconf/data/Cisco-IOS-XE-native:native", { auth = auth })
assert(not ok and e.kind == "http", "verification must be on by default")
print("http api: ok")
LUA
nh run -i "$tmp/lab/lab.yaml" "$tmp/api.lua"
[ "$rc" = 0 ] || fail "http api"
echo "http api: ok"
