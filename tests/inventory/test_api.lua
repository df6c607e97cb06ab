-- The Lua inventory API on tests/data/inventory/lab.yaml.
local dir = assert(arg[1], "fixture folder")
local inv = inventory.load(dir .. "/lab.yaml")

assert(#inv == 5, "#inv")
assert(inv.format == "nethost")
assert(tostring(inv):find("5 hosts", 1, true))

-- each / hosts / names / inv[i] agree and keep the file's order.
local seen = {}
for h in inv:each() do seen[#seen + 1] = h.name end
assert(table.concat(seen, ",") == "core-1,core-2,edge-1,sw-0001,sw-0002", table.concat(seen, ","))
assert(table.concat(inv:names(), ",") == table.concat(seen, ","))
assert(inv:hosts()[3].name == "edge-1" and inv[3].name == "edge-1" and inv[6] == nil)
local n = 0
for i, h in ipairs(inv) do n = i assert(h.name == seen[i]) end
assert(n == 5, "ipairs over an inventory")

-- Resolved fields.
local h = inv:get("core-1")
assert(h.address == "127.1.0.1" and h.port == 22 and h.platform == "cisco_ios")
assert(h.username == "admin")
assert(h.groups[1] == "core" and #h.groups == 1)
assert(h.data.site == "lon" and h.data.role == "core" and h.data.pair == "p1" and h.data.owner == "netops")
assert(h.data.tier == 1 and math.type(h.data.tier) == "integer")
assert(h.ssh.host_key_policy == "strict" and h.ssh.timeout == 30 and h.ssh.connect_timeout == 10)
assert(h.ssh.known_hosts:sub(1, 1) == "/" and h.ssh.known_hosts:find("/known_hosts$"))
assert(h.ssh.algorithms.kex[2] == "diffie-hellman-group14-sha1")
assert(next(h.http) == nil)
assert(inv:get("sw-0001").http.verify == false)
assert(inv:get("nope") == nil)

-- Identity: the same table in every view, usable as a table key.
assert(inv:get("core-1") == h)
assert(inv:filter{ platform = "cisco_ios" }[1] == h)
assert(inv:limit("core-1")[1] == h)
local counts = { [h] = 1 }
counts[inv:get("core-1")] = counts[inv:get("core-1")] + 1
assert(counts[h] == 2)

-- Secrets never appear as fields, in tostring or in a JSON dump.
assert(h.password == nil and h.enable_secret == nil)
assert(h.secrets.password == "***" and h.secrets.enable_secret == "***")
local e1 = inv:get("edge-1")
assert(not tostring(e1):find("inline-secret"))
local dump = json.encode(e1)
assert(not dump:find("inline-secret", 1, true), dump)
assert(dump:find('"password":"***"', 1, true), dump)
assert(not inv:json():find("inline-secret", 1, true))
assert(not inv:json():find("lua-pw", 1, true))
assert(tostring(e1) == "host edge-1 (127.1.0.3:22, arista_eos)", tostring(e1))

-- host:secret reads at the moment it is asked.
assert(e1:secret("password") == "inline-secret")
assert(h:secret("password") == "lua-pw")                  -- password_env, set by ctest
assert(h:secret("enable_secret") == "en-secret")          -- enable_secret_file, newline cut
assert(inv:get("sw-0001"):secret("enable_secret") == nil) -- none configured
local ok, err = pcall(inv:get("sw-0002").secret, inv:get("sw-0002"), "passphrase")
assert(ok and err == "", "KEY_PASS is set but empty: " .. tostring(err))
ok, err = pcall(h.secret, h, "bogus")
assert(not ok and tostring(err):find("password"))
ok, err = pcall(h.secret, {}, "password")
assert(not ok and tostring(err):find("not an inventory host"))

-- filter with a table: fields, then data; lists are "any of"; several keys all hold.
assert(#inv:filter{ platform = "cisco_ios" } == 4)
assert(#inv:filter{ groups = "site-lon" } == 3)
assert(#inv:filter{ groups = { "edge", "access" } } == 3)
assert(#inv:filter{ platform = "cisco_ios", groups = { "core" } } == 2)
assert(#inv:filter{ site = "lon" } == 2)
assert(#inv:filter{ ["data.site"] = "lon" } == 2)
assert(#inv:filter{ port = 2222 } == 1)
assert(#inv:filter{ tier = 1 } == 3)
assert(#inv:filter{ platform = "junos" } == 0)
-- filter with a function, and chaining.
local lon = inv:filter(function(x) return x.data.site == "lon" end)
assert(#lon == 2 and lon[1].name == "core-1")
assert(#lon:filter{ platform = "arista_eos" } == 1)
assert(lon:get("core-2") == nil, "get only sees the view's hosts")
-- limit with Ansible patterns.
assert(#inv:limit("core:&edge") == 1)
assert(#inv:limit("core:!edge") == 2)
assert(#inv:limit("sw-*,edge-1") == 3)
assert(#inv:limit("platform=cisco_ios:&data.role=access") == 2)
assert(#lon:limit("all") == 2, "limit narrows the view it is called on")
ok, err = pcall(inv.limit, inv, "a::b")
assert(not ok and err.kind == "inventory" and err.message:find("empty term"))

-- groups
local names = {}
for _, g in ipairs(inv:groups()) do names[#names + 1] = g.name .. "=" .. g.count end
assert(table.concat(names, ",") == "site-lon=3,core=3,edge=1,access=2", table.concat(names, ","))
assert(inv:groups()[2].parents[1] == "site-lon")
assert(#inv:limit("access"):groups() == 1)

-- explain
local src = inv:explain("core-2")
assert(src.port == "host" and src.platform == "group core" and src["ssh.timeout"] == "group site-lon")
assert(h:explain().username == "defaults")

-- Errors carry file:line:column.
ok, err = pcall(inventory.load, dir .. "/missing.yaml")
assert(not ok and err.kind == "inventory" and err.message:find("missing.yaml"))

-- Nested data merges key by key through every layer, in Lua tables as in patterns.
local tmp = os.tmpname()
local f = assert(io.open(tmp, "w"))
f:write([[
defaults: {data: {snmp: {community: public, port: 161}, ntp: [a]}}
groups:
  g: {data: {snmp: {version: 2c, port: 1161}}}
hosts:
  x: {groups: [g], data: {snmp: {community: secret-ish}}}
]])
f:close()
local nested = inventory.load(tmp)
os.remove(tmp)
local x = nested:get("x")
assert(x.data.snmp.community == "secret-ish" and x.data.snmp.version == "2c")
assert(x.data.snmp.port == 1161 and x.data.ntp[1] == "a")
assert(#nested:limit("data.snmp.port=1161") == 1 and #nested:filter{ ["snmp.version"] = "2c" } == 1)
assert(x.address == nil and tostring(x) == "host x (x)", tostring(x))

-- inventory.decode: an inventory from a string, with a limit.
local d = inventory.decode("hosts: {a: {platform: x}, b: {platform: y}}", "inline.yaml", { limit = "platform=y" })
assert(#d == 1 and d[1].name == "b")
ok, err = pcall(inventory.decode, "hosts:\n  a: {plaform: x}\n", "inline.yaml")
assert(not ok and err.message == "inline.yaml:2:7: host 'a': unknown key 'plaform' (did you mean 'platform'?)", err.message)
ok, err = pcall(inventory.decode, "[core]\nr1 ansible_port=abc\n", "hosts")
assert(not ok and err.message:find("^hosts:2:17: host 'r1': expected a port"), err.message)

-- limit's second result names terms that matched nothing (typos); subscripts and @file work.
local v, warn = inv:limit("core:acess")
assert(#v == 3 and warn == "no host or group matches acess", tostring(warn))
v, warn = inv:limit("core[0]:access[-1]")
assert(#v == 2 and v[1].name == "core-1" and v[2].name == "sw-0002" and warn == nil)
-- load's limit with a term that matches nothing still returns the view.
local lv = inventory.load(dir .. "/lab.yaml", { limit = "core:typo" })
assert(type(lv) == "userdata" and #lv == 3)

-- http: a base URL from scheme and port (the simulated lab's inventory writes these), API
-- credentials of their own, headers.
local api = inventory.decode([[
defaults:
  username: admin
  password: ssh-pw
  http: {scheme: http, port: 8080, username: api, password: api-pw, verify: false,
         headers: {X-Token: abc}, timeout: 5}
hosts:
  r1: {address: 127.5.0.1}
  r2: {address: "::1"}
  r3: {address: 127.5.0.3, http: {base_url: "https://ctl.example/api"}}
]], "api.yaml")
local r1 = api:get("r1")
assert(r1.http.base_url == "http://127.5.0.1:8080", r1.http.base_url)
assert(api:get("r2").http.base_url == "http://[::1]:8080", api:get("r2").http.base_url)
assert(api:get("r3").http.base_url == "https://ctl.example/api")
assert(r1.http.username == "api" and r1.http.password == nil and r1.http.headers["X-Token"] == "abc")
assert(r1.http.timeout == 5 and r1.http.verify == false)
assert(r1.secrets.http_password == "***" and r1:secret("http_password") == "api-pw")
assert(r1:secret("password") == "ssh-pw")
assert(not api:json():find("api-pw", 1, true) and api:json():find('"password":"***"', 1, true))
ok, err = pcall(inventory.decode, "hosts: {a: {http: {scheme: ftp}}}", "x.yaml")
assert(not ok and err.message:find("expected https or http"), err.message)

-- A host outlives the views it came from: it keeps its inventory alive.
local kept = inventory.load(dir .. "/lab.yaml"):get("edge-1")
collectgarbage()
collectgarbage()
assert(kept:secret("password") == "inline-secret" and kept:explain().platform == "group edge")
-- Dropping everything frees the inventory (ASan's leak check runs this test too).
kept = nil
for _ = 1, 20 do inventory.load(dir .. "/lab.yaml"):filter{ platform = "cisco_ios" }:hosts() end
collectgarbage()

-- shard(k, n): a split by name hash; the shards partition the view.
local seen_hosts, total = {}, 0
for k = 1, 3 do
  for host in inv:shard(k, 3):each() do
    assert(not seen_hosts[host], "a host in two shards")
    seen_hosts[host] = true
    total = total + 1
  end
end
assert(total == #inv)
assert(#inv:shard(1, 1) == #inv)
ok = pcall(inv.shard, inv, 4, 3)
assert(not ok)
