-- async: structured concurrency for playbooks, as in the asyncio material users know.
--
-- Built on the scheduler's primitives in C (nethost.core): spawn, sleep, park/wake and
-- deadline scopes. Everything that blocks here parks the current task; a wake names the
-- park it ends (a token), so a task interrupted while parked is never woken twice.

local core = require("nethost.task")
local errors = require("nethost.error")

local async = {
  sleep = core.sleep,       -- async.sleep(seconds)
  now = core.now,           -- monotonic seconds
  current = core.current,   -- the running task, or nil
  is_task = core.is_task,
  stats = core.stats,
}

local park, token, wake = core.park, core.token, core.wake
local pack, unpack = table.pack, table.unpack
local spawn, current = core.spawn, core.current

-- Task-local tables: a task shares its table with the tasks it spawns, so the work done for
-- one host (the runner binds its context here) knows its host in every sub-task.
local locals = setmetatable({}, { __mode = "k" })

--- async.spawn(fn, ...) -> task (task:wait, :cancel, :done, :result, :traceback)
-- The task starts once the spawning task yields; it inherits the spawner's locals.
function async.spawn(fn, ...)
  local t = spawn(fn, ...)
  local parent = current()
  if parent then locals[t] = locals[parent] end
  return t
end

--- async.locals([task [, tbl]]) -> the task's local table (default: the current task's)
-- With tbl, gives the task (and what it spawns from now on) that table instead.
function async.locals(task, tbl)
  task = task or current()
  if not task then return nil end
  if tbl then
    locals[task] = tbl
    return tbl
  end
  local l = locals[task]
  if not l then
    l = {}
    locals[task] = l
  end
  return l
end

-- A FIFO of parked waiters: {task, token[, value]}.
local Fifo = {}
Fifo.__index = Fifo
local function fifo() return setmetatable({ first = 1, last = 0 }, Fifo) end
function Fifo:push(v) self.last = self.last + 1; self[self.last] = v end
function Fifo:pop()
  if self.first > self.last then return nil end
  local v = self[self.first]
  self[self.first] = nil
  self.first = self.first + 1
  return v
end
function Fifo:empty() return self.first > self.last end

-- Parks the current task in queue until woken; returns the wake's values.
local function wait_in(queue, value)
  local task, tok = token()
  queue:push({ task, tok, value })
  return park()
end

-- Wakes the first waiter of queue still parked where it was queued; returns it or nil.
local function wake_one(queue, ...)
  while true do
    local w = queue:pop()
    if not w then return nil end
    if wake(w[1], w[2], ...) then return w end
  end
end

--- async.gather(f1, f2, ...) or async.gather({f1, f2, ...}) -> results
-- Runs every function (or waits every task) concurrently; results[i] = {ok=, value=, err=}.
-- One failure does not cancel the others. If the gathering task itself is cancelled or
-- times out, the children are cancelled too.
function async.gather(...)
  local items = ...
  if select("#", ...) ~= 1 or type(items) ~= "table" or core.is_task(items) then
    items = pack(...)
  end
  local n = items.n or #items
  local tasks = {}
  for i = 1, n do
    local f = items[i]
    if core.is_task(f) then
      tasks[i] = f
    elseif type(f) == "function" then
      tasks[i] = async.spawn(f)
    else
      error(("async.gather: item %d is a %s, not a function or a task"):format(i, type(f)), 2)
    end
  end
  local results = { n = n }
  local ok, e = pcall(function()
    for i = 1, n do
      local r = pack(pcall(tasks[i].wait, tasks[i]))
      if not r[1] and errors.is(r[2]) and r[2].kind == "cancelled" and not tasks[i]:done() then
        error(r[2], 0) -- we were cancelled while waiting: not the child's result
      end
      if r[1] then
        results[i] = { ok = true, value = r[2], values = r.n > 2 and { unpack(r, 2, r.n) } or nil }
      else
        results[i] = { ok = false, err = r[2] }
      end
    end
  end)
  if not ok then
    for i = 1, n do tasks[i]:cancel("the gathering task stopped") end
    error(e, 0)
  end
  return results
end

--- async.wait_all(tasks) -> results in the form gather returns.
function async.wait_all(tasks)
  return async.gather(tasks)
end

--- async.timeout(seconds, fn, ...) -> fn's results
-- Runs fn in the current task; when the deadline passes, whatever fn waits on is cancelled
-- and a `timeout` error object is raised from async.timeout.
function async.timeout(seconds, fn, ...)
  if type(seconds) ~= "number" then error("async.timeout: seconds must be a number", 2) end
  local scope = core.deadline_push(seconds)
  local r = pack(pcall(fn, ...))
  local fired = core.deadline_pop(scope)
  if r[1] and not fired then return unpack(r, 2, r.n) end
  -- A deadline that fired fails the call even if fn caught the error and returned: work
  -- cut short by a timeout must never look like a success.
  local e = r[1] and errors.new("timeout", ("timed out after %g s"):format(seconds),
                                { op = "async.timeout" }) or r[2]
  if errors.is(e) and e.kind == "timeout" and e.scope == scope then
    e.scope = nil -- it is ours: outer scopes see an ordinary timeout error
  end
  error(e, 0)
end

--- async.semaphore(n) -> semaphore with :acquire(), :release(), :with(fn, ...), .available
local Semaphore = {}
Semaphore.__index = Semaphore

function async.semaphore(n)
  if math.type(n) ~= "integer" or n < 0 then
    error("async.semaphore: need a non-negative integer", 2)
  end
  return setmetatable({ available = n, waiters = fifo() }, Semaphore)
end

function Semaphore:acquire()
  if self.available > 0 and self.waiters:empty() then
    self.available = self.available - 1
    return
  end
  -- A release hands its permit straight to the first waiter, so no late-comer overtakes it.
  wait_in(self.waiters)
end

function Semaphore:release()
  if not wake_one(self.waiters, true) then self.available = self.available + 1 end
end

function Semaphore:with(fn, ...)
  self:acquire()
  local r = pack(pcall(fn, ...))
  self:release()
  if not r[1] then error(r[2], 0) end
  return unpack(r, 2, r.n)
end

--- async.lock() -> a semaphore of one (acquire, release, with).
function async.lock()
  return async.semaphore(1)
end

--- async.queue([maxsize]) -> queue with :put(v) (blocks while full), :get() (blocks while
-- empty), :size(), :try_get(); maxsize nil or 0 means unbounded.
local Queue = {}
Queue.__index = Queue

function async.queue(maxsize)
  if maxsize ~= nil and (math.type(maxsize) ~= "integer" or maxsize < 0) then
    error("async.queue: maxsize must be a non-negative integer", 2)
  end
  return setmetatable({ items = fifo(), n = 0, maxsize = maxsize ~= 0 and maxsize or nil,
                        getters = fifo(), putters = fifo() }, Queue)
end

function Queue:size() return self.n end

function Queue:put(v)
  if wake_one(self.getters, v) then return end -- straight to a waiting consumer
  if self.maxsize and self.n >= self.maxsize then
    wait_in(self.putters, v) -- the get that takes v wakes us
    return
  end
  self.items:push({ v })
  self.n = self.n + 1
end

-- Moves one blocked producer's value into the queue, if there is one.
local function admit_putter(self)
  local w = wake_one(self.putters, true)
  if w then
    self.items:push({ w[3] })
    self.n = self.n + 1
  end
end

function Queue:try_get()
  local box = self.items:pop()
  if not box then return false end
  self.n = self.n - 1
  admit_putter(self)
  return true, box[1]
end

function Queue:get()
  local ok, v = self:try_get()
  if ok then return v end
  return (wait_in(self.getters))
end

--- async.every(seconds, fn, ...) calls fn every `seconds` (from start to start) until fn
-- returns false or the task is cancelled. A slow fn never overlaps itself.
function async.every(seconds, fn, ...)
  local next_at = core.now()
  while true do
    if fn(...) == false then return end
    next_at = next_at + seconds
    local delay = next_at - core.now()
    if delay < 0 then next_at = core.now(); delay = 0 end
    core.sleep(delay)
  end
end

return async
