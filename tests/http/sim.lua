-- nethost-sim's HTTP API: Arista eAPI (POST /command-api, JSON-RPC runCmds) and RESTCONF
-- (GET /restconf/data/...), basic auth with the inventory's credentials, auth failure, and
-- every device at once.
local dir = arg[0] and arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/testlib.lua")
local inv = inventory.load(t.env("SIM_INVENTORY"))
local port = t.env("SIM_HTTP_PORT")

-- The lab serves plain HTTP on its own port: point each host there unless the inventory
-- the simulator wrote already says where.
local function base(host)
  local h = host.http
  if h and h.base_url then return nil end
  return "http://" .. host.address .. ":" .. port
end
local function get(host, path, opts)
  opts = opts or {}
  local b = base(host)
  if b then return http.get(b .. path, opts) end
  return http.get(host, path, opts)
end
local function post(host, path, opts)
  local b = base(host)
  if b then return http.post(b .. path, opts) end
  return http.post(host, path, opts)
end
local function creds(host)
  return {host.username, host:secret("password")}
end

local eos, ios = {}, {}
for host in inv:each() do
  if host.platform == "arista_eos" then eos[#eos + 1] = host end
  if host.platform == "cisco_ios" then ios[#ios + 1] = host end
end
t.ok(#eos > 0 and #ios > 0, "the lab has EOS and IOS devices")

-- eAPI
local rpc = {jsonrpc = "2.0", method = "runCmds", id = 1,
             params = {version = 1, cmds = {"show version"}, format = "json"}}
local r = post(eos[1], "/command-api", {json = rpc, auth = creds(eos[1])})
t.eq(r.status, 200, "eAPI status")
local doc = r:json()
t.ok(type(doc.result) == "table" and #doc.result == 1, "eAPI result: " .. r.body:sub(1, 200))
-- wrong password: 401, a response
r = post(eos[1], "/command-api", {json = rpc, auth = {eos[1].username, "wrong"}})
t.eq(r.status, 401, "eAPI auth failure")

-- RESTCONF
r = get(ios[1], "/restconf/data/Cisco-IOS-XE-native:native",
        {auth = creds(ios[1]), headers = {Accept = "application/yang-data+json"}})
t.eq(r.status, 200, "RESTCONF status")
t.ok(type(r:json()) == "table", "RESTCONF JSON")
r = get(ios[1], "/restconf/data/Cisco-IOS-XE-native:native", {auth = {"nobody", "x"}})
t.eq(r.status, 401, "RESTCONF auth failure")

-- Every EOS device at once.
local tasks = {}
for i, host in ipairs(eos) do
  tasks[i] = async.spawn(function()
    return post(host, "/command-api", {json = rpc, auth = creds(host), timeout = 20}).status
  end)
end
for i = 1, #tasks do t.eq(tasks[i]:wait(), 200, "eAPI on " .. eos[i].name) end
print(string.format("sim: ok (%d EOS, %d IOS devices)", #eos, #ios))
