-- Durations are converted to milliseconds for the engine. The conversion cast the double
-- straight to an integer: undefined for math.huge and other huge values, and on x86-64 it
-- gave 0, so async.timeout(math.huge, fn) timed out at once and async.sleep(math.huge)
-- returned at once.
for _, limit in ipairs({ math.huge, 1e300, 1e19, 2 ^ 63 }) do
  local ok, v = pcall(async.timeout, limit, function() async.sleep(0.02) return "done" end)
  assert(ok and v == "done", "async.timeout(" .. tostring(limit) .. "): " .. tostring(v))
end

-- A huge sleep really waits: a short timeout around it is what ends it.
for _, d in ipairs({ math.huge, 1e300 }) do
  local t0 = async.now()
  local ok, e = pcall(async.timeout, 0.05, function() async.sleep(d) end)
  assert(not ok and e.kind == "timeout", "async.sleep(" .. tostring(d) .. ") returned: " .. tostring(e))
  assert(async.now() - t0 >= 0.04, "async.sleep(" .. tostring(d) .. ") ended early")
end

-- A tiny positive timeout is a deadline, not "no deadline".
local ok, e = pcall(async.timeout, 1e-9, function() async.sleep(0.05) end)
assert(not ok and e.kind == "timeout", "tiny timeout: " .. tostring(e))

-- NaN is refused by async.sleep.
assert(not pcall(async.sleep, 0 / 0))
