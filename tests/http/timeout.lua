-- Deadlines and cancellation: a slow answer, a trickled body, task:cancel, async.timeout.
-- After each, the transfer is gone from the client (stats().active == 0).
local dir = arg[0] and arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/testlib.lua")
local B = t.env("NH_BACKEND")

-- The server answers after 3 s; the deadline is 0.5 s.
local t0 = async.now()
local e = t.raises(function() http.get(B .. "/slow?d=3", {timeout = 0.5}) end, "slow")
local took = async.now() - t0
t.eq(e.kind, "timeout", "slow kind")
t.eq(e.code, "ETIMEDOUT", "slow code")
t.eq(e.stage, "receive", "slow stage")
t.ok(took >= 0.45 and took < 1.5, "deadline honoured: " .. took)
t.eq(http.stats().active, 0, "slow transfer removed")

-- A body trickling one byte per 0.1 s hits a 1 s deadline mid-body.
t0 = async.now()
e = t.raises(function() http.get(B .. "/trickle", {timeout = 1}) end, "trickle")
took = async.now() - t0
t.eq(e.kind, "timeout", "trickle kind")
t.eq(e.stage, "receive", "trickle stage")
t.ok(took >= 0.95 and took < 2, "trickle deadline: " .. took)

-- A fast request within its deadline is unaffected.
t.eq(http.get(B .. "/slow?d=0.1", {timeout = 5}).status, 200, "within deadline")

-- default_timeout applies when the call sets none.
http.configure{default_timeout = 0.3}
e = t.raises(function() http.get(B .. "/slow?d=2") end, "default timeout")
t.eq(e.kind, "timeout", "default timeout kind")
http.configure{default_timeout = 30}

-- task:cancel() while the transfer is in flight.
local task = async.spawn(function() return http.get(B .. "/slow?d=3") end)
async.sleep(0.2)
t.eq(http.stats().active, 1, "one transfer in flight")
t0 = async.now()
task:cancel("stop it")
local ok, err = pcall(task.wait, task)
t.ok(not ok, "cancelled task fails")
t.eq(err.kind, "cancelled", "cancel kind")
t.ok(async.now() - t0 < 0.5, "cancel is prompt")
t.eq(http.stats().active, 0, "cancelled transfer removed")

-- async.timeout around a request.
e = t.raises(function()
  async.timeout(0.3, function() return http.get(B .. "/slow?d=3") end)
end, "async.timeout")
t.eq(e.kind, "timeout", "async.timeout kind")
t.eq(http.stats().active, 0, "timed-out transfer removed")

-- Many cancelled at once, then the client still works.
local tasks = {}
for i = 1, 50 do tasks[i] = async.spawn(function() return http.get(B .. "/slow?d=5") end) end
async.sleep(0.3)
for i = 1, 50 do tasks[i]:cancel() end
for i = 1, 50 do t.ok(not pcall(tasks[i].wait, tasks[i]), "cancelled " .. i) end
t.eq(http.stats().active, 0, "all cancelled transfers removed")
t.eq(http.get(B .. "/echo").status, 200, "client usable after cancels")
print("timeout: ok")
