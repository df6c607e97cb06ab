-- Nested spawn, errors inside tasks with their traceback, cancel semantics.
local function level(n)
  if n == 0 then return 1 end
  local a = async.spawn(level, n - 1)
  local b = async.spawn(level, n - 1)
  return a:wait() + b:wait()
end
assert(level(8) == 256)

-- An error inside a task is raised by wait and carries a traceback naming the function.
local function deep_failure()
  async.sleep(0)
  error("deep failure")
end
local t = async.spawn(function() deep_failure() end)
local ok, e = pcall(t.wait, t)
assert(not ok and tostring(e):find("deep failure"))
local tb = t:traceback()
assert(type(tb) == "string" and tb:find("deep_failure"), "traceback: " .. tostring(tb))
local rok, rerr = t:result()
assert(rok == false and tostring(rerr):find("deep failure"))

-- Cancel: a cancelled task raises a `cancelled` error object; its <close> variables run.
local closed = false
local c = async.spawn(function()
  local guard <close> = setmetatable({}, { __close = function() closed = true end })
  async.sleep(10)
end)
async.sleep(0.01)
assert(not c:done())
c:cancel("no longer needed")
local cok, cerr = pcall(c.wait, c)
assert(not cok and cerr.kind == "cancelled" and tostring(cerr):find("no longer needed"))
assert(closed, "<close> did not run on cancel")

-- A cancelled task cannot keep doing I/O by catching the error.
local attempts = 0
local stubborn = async.spawn(function()
  for _ = 1, 3 do
    pcall(async.sleep, 10)
    attempts = attempts + 1
  end
  async.sleep(10)
end)
async.sleep(0.01)
stubborn:cancel()
assert(not pcall(stubborn.wait, stubborn))
assert(attempts == 3)

-- Cancelling a finished task is harmless.
local f = async.spawn(function() return 1 end)
f:wait()
f:cancel()
assert(f:wait() == 1)
print("ok")
