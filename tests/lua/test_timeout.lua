-- timeout cancels what the function waits on and raises a `timeout` error object.
local t0 = async.now()
local reached = false
local ok, e = pcall(async.timeout, 0.05, function()
  async.sleep(10)
  reached = true
end)
local dt = async.now() - t0
assert(not ok and not reached)
assert(nethost.is_error(e) and e.kind == "timeout", tostring(e))
assert(dt < 9, "timeout waited for the 10 s sleep: " .. dt)
assert(tostring(e):find("timed out"), tostring(e))

-- A function that finishes in time returns its values.
assert(async.timeout(1, function() async.sleep(0.01) return 7 end) == 7)

-- Nested: the inner deadline fires first and is handled inside; the outer goes on.
local v = async.timeout(1, function()
  local iok, ie = pcall(async.timeout, 0.02, async.sleep, 5)
  assert(not iok and ie.kind == "timeout")
  return "outer survived"
end)
assert(v == "outer survived")

-- The outer deadline wins over a longer inner one, and the inner cannot swallow it.
local swallowed = 0
local ook, oe = pcall(async.timeout, 0.03, function()
  for _ = 1, 3 do
    local iok = pcall(async.timeout, 5, async.sleep, 5)
    if not iok then swallowed = swallowed + 1 end
  end
  return "should not get here"
end)
assert(not ook and oe.kind == "timeout", tostring(oe))

-- A timeout on a task waiting for another task leaves the other task running.
local worker = async.spawn(function() async.sleep(0.05) return "late" end)
local wok = pcall(async.timeout, 0.01, worker.wait, worker)
assert(not wok)
assert(worker:wait() == "late")
print("ok")
