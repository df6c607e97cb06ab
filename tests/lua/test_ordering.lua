-- Tasks wake in deadline order and equal deadlines keep spawn order; spawn does not run the
-- child before the parent yields.
local order = {}
local tasks = {}
for i, delay in ipairs({ 0.03, 0.01, 0.02, 0.01, 0 }) do
  tasks[#tasks + 1] = async.spawn(function()
    async.sleep(delay)
    order[#order + 1] = i
    return i * 10
  end)
end
assert(#order == 0, "a spawned task ran before its parent yielded")
for i, t in ipairs(tasks) do
  assert(t:wait() == i * 10, "wait returns the task's value")
  assert(t:done())
end
assert(table.concat(order, ",") == "5,2,4,3,1", "wake order: " .. table.concat(order, ","))

-- Values and multiple returns pass through wait.
local t = async.spawn(function(a, b) async.sleep(0) return a + b, "x" end, 2, 3)
local s, x = t:wait()
assert(s == 5 and x == "x")

-- Waiting twice returns the same results; waiting on a finished task does not yield forever.
assert(t:wait() == 5)

-- Yielding inside pcall works.
local ok, v = pcall(function() async.sleep(0.001) return "inside pcall" end)
assert(ok and v == "inside pcall")

-- An async call outside a task (in a plain coroutine) raises a clear error.
local co = coroutine.wrap(function() return pcall(async.sleep, 0) end)
local cok, cerr = co()
assert(not cok and tostring(cerr):find("coroutine"), "plain coroutine: " .. tostring(cerr))

-- async.now is monotonic and sleep really waits.
local t0 = async.now()
async.sleep(0.05)
local dt = async.now() - t0
assert(dt >= 0.048, "sleep(0.05) took " .. dt)
print("ok")
