-- Tasks take and return any number of values. async.spawn moved its arguments onto the new
-- coroutine without growing its stack (room for about 20), so table.unpack of a long list
-- wrote past the stack and corrupted the heap; results were copied the same way.
local list = {}
for i = 1, 10000 do list[i] = i end

local t = async.spawn(function(...) return select("#", ...), ... end, table.unpack(list))
local r = table.pack(t:wait())
assert(r.n == 10001 and r[1] == 10000 and r[2] == 1 and r[10001] == 10000, "spawn arguments")

-- Many results, collected by wait() and by result(), twice (results are copied, not moved).
local many = async.spawn(function() return table.unpack(list) end)
for _ = 1, 2 do
  local w = table.pack(many:wait())
  assert(w.n == 10000 and w[1] == 1 and w[10000] == 10000, "wait results")
  local res = table.pack(many:result())
  assert(res.n == 10001 and res[1] == true and res[10001] == 10000, "result values")
end

-- A task failing with a deep stack still reports its error, and its <close> variables see it.
local seen
local deep = async.spawn(function()
  local guard <close> = setmetatable({}, { __close = function(_, e) seen = e end })
  local function down(n) if n == 0 then error("bottom") end return down(n - 1) + 1 end
  down(150)
end)
local ok, err = pcall(deep.wait, deep)
assert(not ok and tostring(err):find("bottom"), tostring(err))
assert(seen and tostring(seen):find("bottom"), "__close got " .. tostring(seen))

-- Many waiters, each woken with the results.
local slow = async.spawn(function() async.sleep(0.01) return table.unpack(list, 1, 500) end)
local waiters = {}
for i = 1, 50 do waiters[i] = async.spawn(function() return select("#", slow:wait()) end) end
for i = 1, 50 do assert(waiters[i]:wait() == 500) end
