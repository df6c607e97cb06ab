-- demo.lua — what one nethost process does with 10,000 slow devices, no lab needed.
--
-- Each simulated "device check" waits a random 50-150 ms (a stand-in for a network round
-- trip) and sometimes fails. Sequentially that would take over 16 minutes; as tasks on one
-- event loop it takes about one latency.
--
--   nethost run playbooks/demo.lua [-e devices=10000] [-e fail_rate=0.02]

local devices = tonumber(nethost.vars.devices or "10000")
local fail_rate = tonumber(nethost.vars.fail_rate or "0.02")
math.randomseed(7)

local function check(i)
  local latency = math.random(50, 150) / 1000
  async.sleep(latency)
  if math.random() < fail_rate then
    error(nethost.error("timeout", "no answer", { host = ("sw-%04d"):format(i), op = "check" }))
  end
  return latency
end

local started = async.now()
local jobs = {}
for i = 1, devices do jobs[i] = function() return check(i) end end
local results = async.gather(jobs)

local ok, failed, total_latency = 0, {}, 0
for i = 1, results.n do
  local r = results[i]
  if r.ok then
    ok = ok + 1
    total_latency = total_latency + r.value
  else
    failed[#failed + 1] = r.err
  end
end
local wall = async.now() - started

print(("%d devices checked in %.2f s (sequentially: %.0f s)"):format(devices, wall,
      total_latency))
print(("  ok %d, failed %d"):format(ok, #failed))
for i = 1, math.min(3, #failed) do print("  " .. tostring(failed[i])) end
if #failed > 3 then print(("  ... and %d more"):format(#failed - 3)) end
return #failed > 0 and 2 or 0
