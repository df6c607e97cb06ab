-- Benchmark: pings and TCP probes over 16,382 loopback addresses (127.62.0.0/18) with
-- nethost.run, 1,000 hosts in flight. Prints hosts per second for each. Loopback answers
-- at once, so this measures nethost's own cost per probe, not a network.
--
--   cmake --build build --target bench-net     (or: nethost run tests/bench/net/sweep.lua)

local hosts = {}
for _, a in ipairs(net.hosts(nethost.vars.subnet or "127.62.0.0/18")) do
  hosts[#hosts + 1] = { name = a }
end
local concurrency = tonumber(nethost.vars.concurrency or "1000")

local function bench(label, fn)
  local t0 = async.now()
  local res = nethost.run(hosts, fn, { concurrency = concurrency, summary = false,
                                       progress = false, output = false })
  local dt = async.now() - t0
  local ok = 0
  for rec in res:each() do if rec.status == "ok" and rec.value then ok = ok + 1 end end
  print(("%-10s %6d hosts in %6.2f s  %8.0f hosts/s  (%d answered)"):format(label, #hosts, dt,
        #hosts / dt, ok))
end

local stats0 = async.stats()
bench("tcp_probe", function(h) return net.tcp_probe(h.name, 9, { timeout = 2 }).state == "refused" end)
local ok, e = pcall(net.ping, "127.0.0.1")
if ok then
  bench("ping", function(h) return net.ping(h.name, { timeout = 2 }).alive end)
else
  print("ping       skipped: " .. tostring(e))
end
print(("Lua heap peak: %.1f MB (at start: %.1f MB)"):format(async.stats().lua_peak / 1e6,
      stats0.lua_bytes / 1e6))
