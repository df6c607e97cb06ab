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
