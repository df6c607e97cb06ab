-- Benchmark: the runner's own overhead per host (issue 9): a no-op task over N hosts.
--   nethost run tests/bench/runner/runner.lua [-e hosts=100000]
-- Target: under 20 µs per host.
local N = tonumber(nethost.vars.hosts or "100000")
local sys = require("nethost.sys")
local list = {}
for i = 1, N do list[i] = { name = ("h%06d"):format(i), data = { pair = "p" .. (i // 2) } } end

local function measure(label, opts)
  collectgarbage("collect")
  local cpu0 = sys.rusage()
  local t0 = async.now()
  local res = nethost.run(list, function(h) return true end, opts)
  local wall = async.now() - t0
  local cpu1 = sys.rusage()
  local cpu = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
  assert(#res:ok() == N)
  print(("runner %-28s %d hosts: wall %.3f s, %.2f µs/host (target < 20), cpu %.3f s, peak RSS %.0f MB")
        :format(label, N, wall, wall / N * 1e6, cpu, cpu1.maxrss / 1024))
end
measure("no-op, concurrency 100", { concurrency = 100, summary = false, progress = false })
measure("no-op, concurrency 1000", { concurrency = 1000, summary = false, progress = false })
measure("no-op, exclusive=pair", { concurrency = 1000, exclusive = "pair", summary = false,
                                   progress = false })
