-- Benchmark: the task runtime on its own (issue 2).
--   nethost run tests/bench/tasks/tasks.lua [-e tasks=100000] [-e resumes=2000000]
-- 1. N tasks, each sleeping a random 0-50 ms and returning a value the main task gathers:
--    wall time, peak RSS, bytes per task (targets: < 1.5 s, < 2.5 KB per task).
-- 2. Resume throughput: tasks doing async.sleep(0) in a loop (target: > 1 M/s).

local N = tonumber(nethost.vars.tasks or "100000")
local RESUMES = tonumber(nethost.vars.resumes or "2000000")

local function status_kb(field)
  local f = assert(io.open("/proc/self/status"))
  local text = f:read("a")
  f:close()
  return tonumber(text:match(field .. ":%s*(%d+) kB"))
end

local function cpu_seconds()
  local f = assert(io.open("/proc/self/stat"))
  local stat = f:read("a")
  f:close()
  -- utime and stime are fields 14 and 15, after the parenthesised command name.
  local rest = stat:match("%) (.*)")
  local fields = {}
  for x in rest:gmatch("%S+") do fields[#fields + 1] = x end
  return (tonumber(fields[12]) + tonumber(fields[13])) / 100
end

collectgarbage("collect")
local rss0 = status_kb("VmRSS")
local heap0 = async.stats().lua_bytes
math.randomseed(42)

local t0, cpu0 = async.now(), cpu_seconds()
local tasks = {}
for i = 1, N do
  tasks[i] = async.spawn(function(ms) async.sleep(ms / 1000) return i end, math.random(0, 50))
end
local sum = 0
for i = 1, N do sum = sum + tasks[i]:wait() end
local wall, cpu = async.now() - t0, cpu_seconds() - cpu0
assert(sum == N * (N + 1) // 2, "lost results")
local hwm = status_kb("VmHWM")
local heap_peak = async.stats().lua_peak - heap0
print(("tasks: %d tasks sleeping 0-50 ms: wall %.3f s (target < 1.5), cpu %.3f s"):format(N, wall, cpu))
print(("tasks: peak RSS %.1f MB, %.0f bytes/task over the baseline (target < 2560); "
       .. "Lua heap peak %.0f bytes/task"):format(hwm / 1024, (hwm - rss0) * 1024 / N, heap_peak / N))
tasks = nil
collectgarbage("collect")

-- Resume throughput: W workers each doing RESUMES/W sleep(0) yields.
local W = 100
local per = RESUMES // W
local r0 = async.stats().resumes
t0 = async.now()
local workers = {}
for w = 1, W do
  workers[w] = async.spawn(function()
    for _ = 1, per do async.sleep(0) end
  end)
end
for w = 1, W do workers[w]:wait() end
wall = async.now() - t0
local resumes = async.stats().resumes - r0
print(("resume: %d yield/resume pairs in %.3f s: %.2f M/s (target > 1 M/s)"):format(
  resumes, wall, resumes / wall / 1e6))
