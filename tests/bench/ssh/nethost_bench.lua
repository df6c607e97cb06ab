-- nethost side of the SSH benchmark: connect, auth, show version, parse the version,
-- close, for every host of the inventory, `concurrency` at a time (nethost.run).
-- usage: nethost run nethost_bench.lua -- INVENTORY CONCURRENCY [baseline]
-- With "baseline" the host function returns at once: the process's memory without sessions.
local path, conc, baseline = arg[1], tonumber(arg[2] or "1000"), arg[3] == "baseline"
local inv = inventory.load(path)
local function version_of(text)
  return text:match("Junos: (%S+)") or text:match("[Vv]ersion:?%s+([%w%.%(%)%-]+)")
end
local versions, kinds = 0, {}
local t0 = async.now()
nethost.run(inv, function(host)
  if baseline then
    versions = versions + 1
    return "baseline"
  end
  local r = ssh.run(host, "show version", { timeout = 60 })
  local v = version_of(r.stdout)
  if not v then error("no version in the output of " .. host.name) end
  versions = versions + 1
  return v
end, { concurrency = conc, summary = false, progress = false })
local wall = async.now() - t0
local ks = {}
for k, n in pairs(kinds) do ks[#ks + 1] = k .. "=" .. n end
-- The Lua heap's peak: the part of the peak RSS the Lua collector decides
-- (README.md, "Memory, third pass").
io.stderr:write(string.format("nethost: %d versions, %d failed %s, %.2f s, Lua heap peak %.1f MB\n",
                              versions, #inv - versions, table.concat(ks, " "), wall,
                              async.stats().lua_peak / 1e6))
return 0
