-- gather: per-item results; one failure does not cancel the others; values keep their order.
local finished = {}
local r = async.gather(
  function() async.sleep(0.03) finished[#finished + 1] = 1 return "a" end,
  function() async.sleep(0.01) error("member failed") end,
  function() async.sleep(0.02) finished[#finished + 1] = 3 return "c" end)
assert(r.n == 3)
assert(r[1].ok and r[1].value == "a")
assert(not r[2].ok and tostring(r[2].err):find("member failed"))
assert(r[3].ok and r[3].value == "c")
assert(#finished == 2, "the failure cancelled a sibling")

-- A list of functions, and tasks already running.
local t = async.spawn(function() return 42 end)
local r2 = async.gather({ function() return 1 end, t })
assert(r2[1].value == 1 and r2[2].value == 42)

-- An empty gather returns at once.
assert(async.gather({}).n == 0)

-- Error objects keep their fields through gather.
local r3 = async.gather(function() error(nethost.error("command", "bad", { host = "sw-1" })) end)
assert(r3[1].err.kind == "command" and r3[1].err.host == "sw-1")

-- A gather cancelled from outside cancels its children.
local child_finished = false
local g = async.spawn(function()
  async.gather(function() async.sleep(5) child_finished = true end)
end)
async.sleep(0.01)
g:cancel()
local ok, e = pcall(g.wait, g)
assert(not ok and e.kind == "cancelled", tostring(e))
async.sleep(0.02)
assert(not child_finished)
assert(async.stats().live == 1, "children still live: " .. async.stats().live)
print("ok")
