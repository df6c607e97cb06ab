-- A semaphore really bounds concurrency, and a cancelled holder releases its permit.
local sem = async.semaphore(3)
local running, peak, done = 0, 0, 0
local tasks = {}
for i = 1, 50 do
  tasks[i] = async.spawn(function()
    sem:with(function()
      running = running + 1
      if running > peak then peak = running end
      async.sleep(0.001 * (i % 4))
      running = running - 1
      done = done + 1
    end)
  end)
end
for _, t in ipairs(tasks) do t:wait() end
assert(done == 50 and peak == 3, ("done %d, peak %d"):format(done, peak))
assert(sem.available == 3)

-- Cancelling a task that holds the permit releases it.
local lock = async.lock()
local holder = async.spawn(function() lock:with(function() async.sleep(10) end) end)
async.sleep(0.01)
assert(lock.available == 0)
local got = false
local waiter = async.spawn(function() lock:with(function() got = true end) end)
async.sleep(0.01)
assert(not got)
holder:cancel()
waiter:wait()
assert(got and lock.available == 1)

-- Cancelling a task while it waits for a permit loses no permit.
local s2 = async.semaphore(1)
s2:acquire()
local w = async.spawn(function() s2:acquire() end)
async.sleep(0.005)
w:cancel()
pcall(w.wait, w)
s2:release()
assert(s2.available == 1, "permits: " .. s2.available)
print("ok")
