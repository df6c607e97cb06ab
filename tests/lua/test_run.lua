-- nethost.run on plain host tables (no network): concurrency, batches, pair exclusion,
-- failure budget, rollback, timeouts, retries, skips and the results object.
local function hosts(n, extra)
  local list = {}
  for i = 1, n do
    list[i] = { name = ("h%03d"):format(i), data = { pair = "p" .. ((i - 1) // 2) } }
    if extra then extra(list[i], i) end
  end
  return list
end
local quiet = { summary = false, progress = false }
local function opts(t)
  for k, v in pairs(quiet) do if t[k] == nil then t[k] = v end end
  return t
end

-- Concurrency is a real bound, and every host runs once with its own value.
do
  local running, peak, calls = 0, 0, {}
  local res = nethost.run(hosts(40), function(h)
    calls[h.name] = (calls[h.name] or 0) + 1
    running = running + 1
    peak = math.max(peak, running)
    async.sleep(0.002)
    running = running - 1
    return h.name:upper()
  end, opts { concurrency = 7 })
  assert(peak == 7, "peak " .. peak)
  assert(#res == 40 and #res:ok() == 40 and #res:failed() == 0)
  for rec in res:each() do
    assert(calls[rec.host] == 1 and rec.value == rec.host:upper() and rec.status == "ok")
    assert(rec.elapsed >= 0.001 and rec.attempts == 1) -- timers have millisecond granularity
  end
  assert(res:get("h007").value == "H007")
end

-- serial: batches in order; a batch finishes before the next starts.
do
  local log = {}
  local batch_of = {}
  nethost.run(hosts(20), function(h)
    log[#log + 1] = "start " .. h.name
    async.sleep(0.001 * (tonumber(h.name:sub(2)) % 3))
    log[#log + 1] = "end " .. h.name
  end, opts { concurrency = 100, serial = { 1, "10%", 5 } })
  -- sizes: 1, 2, 5, 5, 5, 2
  local sizes, bounds = { 1, 2, 5, 5, 5, 2 }, {}
  local first = 1
  for b, size in ipairs(sizes) do
    for i = first, first + size - 1 do batch_of[("h%03d"):format(i)] = b end
    first = first + size
  end
  local finished_batch = 0
  local ended = {}
  for _, line in ipairs(log) do
    local what, name = line:match("(%a+) (.*)")
    local b = batch_of[name]
    if what == "start" then
      -- every host of earlier batches has ended
      for n, bb in pairs(batch_of) do
        if bb < b then assert(ended[n], name .. " started before " .. n .. " ended") end
      end
    else
      ended[name] = true
    end
  end
end

-- exclusive: two hosts sharing a pair never run at the same time, whatever the concurrency.
do
  local active, overlap, peak, running = {}, 0, 0, 0
  nethost.run(hosts(60), function(h)
    local pair = h.data.pair
    if active[pair] then overlap = overlap + 1 end
    active[pair] = true
    running = running + 1
    peak = math.max(peak, running)
    async.sleep(0.003)
    running = running - 1
    active[pair] = nil
  end, opts { concurrency = 1000, exclusive = "pair" })
  assert(overlap == 0, overlap .. " overlapping pair members")
  assert(peak == 30, "exclusion should still allow one of each pair at once: " .. peak)
end

-- max_fail as a count: trips when failures exceed it; no new host starts; the rest aborted.
do
  local started = 0
  local res = nethost.run(hosts(30), function(h)
    started = started + 1
    async.sleep(0.001)
    if tonumber(h.name:sub(2)) % 2 == 0 then error(nethost.error("command", "rejected")) end
  end, opts { concurrency = 1, max_fail = 3 })
  local s = res:summary()
  assert(res.aborted and s.failed == 4, ("aborted %s failed %d"):format(res.aborted, s.failed))
  assert(started == 8, "started " .. started)
  assert(s.aborted == 22 and s.ok == 4, ("ok %d aborted %d"):format(s.ok, s.aborted))
  assert(res:get("h030").status == "aborted")
  assert(s.failures[1].kind == "command" and s.failures[1].count == 4)
  assert(nethost.exit_code == 2)
  nethost.exit_code = nil
end

-- max_fail as a percentage with a minimum sample: one early failure does not trip 5%.
do
  local res = nethost.run(hosts(200), function(h)
    if h.name == "h001" then error("early failure") end
  end, opts { concurrency = 10, max_fail = "5%" })
  assert(not res.aborted and #res:failed() == 1)
  -- ...but a 30% failure rate trips it once the sample is in, long before the end.
  local started = 0
  res = nethost.run(hosts(200), function(h)
    started = started + 1
    async.sleep(0.001)
    if tonumber(h.name:sub(2)) % 3 == 0 then error("bad") end
  end, opts { concurrency = 5, max_fail = "5%" })
  assert(res.aborted and started < 60, "started " .. started)
  nethost.exit_code = nil
end

-- on_abort = "rollback": every changed host's undo runs, in reverse registration order.
do
  local state, undone = {}, {}
  local res = nethost.run(hosts(10), function(h)
    state[h.name] = "changed"
    h:on_rollback(function(rh)
      undone[#undone + 1] = rh.name
      state[rh.name] = "restored-" .. #undone
    end)
    h:changed("set ntp")
    async.sleep(0.001)
    if h.name == "h004" or h.name == "h005" then error("verify failed") end
  end, opts { concurrency = 1, max_fail = 1, on_abort = "rollback" })
  assert(res.aborted)
  assert(#undone == 5, "undone " .. #undone) -- h001..h005 changed before the trip
  for i = 1, 5 do assert(state[("h%03d"):format(i)]:find("restored"), i) end
  assert(state.h006 == nil)
  assert(res:get("h001").status == "changed" and res:get("h001").rollback.status == "ok")
  assert(res:get("h001").changes[1] == "set ntp")
  assert(res:summary().rolled_back == 5)
  nethost.exit_code = nil
end

-- timeout: a hung host fails with kind timeout while the others finish.
do
  local t0 = async.now()
  local res = nethost.run(hosts(5), function(h)
    if h.name == "h003" then async.sleep(60) end
    async.sleep(0.01)
    return "fine"
  end, opts { timeout = 0.1 })
  assert(async.now() - t0 < 1)
  local hung = res:get("h003")
  assert(hung.status == "failed" and hung.error.kind == "timeout", hung.status)
  assert(hung.error.host == "h003" and hung.error.message:find("timed out"))
  -- a record's error prints as the error it came from, on one line
  local shown = tostring(hung.error)
  assert(shown:find("h003", 1, true) and shown:find("timed out") and shown:find("[timeout]", 1, true)
         and not shown:find("\n"), shown)
  assert(#res:ok() == 4)
  nethost.exit_code = nil
end

-- retries: only connect-stage failures, and never after a change.
do
  local tries = {}
  local res = nethost.run(hosts(3), function(h)
    tries[h.name] = (tries[h.name] or 0) + 1
    if h.name == "h001" and tries[h.name] < 3 then
      error(nethost.error("connect", "connection refused"))
    elseif h.name == "h002" then
      error(nethost.error("auth", "authentication failed"))
    elseif h.name == "h003" then
      h:changed("partial")
      error(nethost.error("connect", "dropped"))
    end
    return tries[h.name]
  end, opts { retries = 3, retry_delay = 0.001 })
  assert(res:get("h001").status == "ok" and res:get("h001").attempts == 3)
  assert(tries.h002 == 1 and res:get("h002").error.kind == "auth")
  assert(tries.h003 == 1, "a partly applied change was retried")
  nethost.exit_code = nil
end

-- skip, check mode context, plain errors keep their traceback, nethost.host() inside tasks.
do
  local seen_host
  local res = nethost.run(hosts(3), function(h)
    local child = async.spawn(function() return nethost.host().name end)
    seen_host = child:wait()
    if h.name == "h001" then nethost.skip("not applicable") end
    if h.name == "h002" then local x = nil; return x.y end
    nethost.would_send({ "ntp server 1.1.1.1" })
  end, opts {})
  assert(seen_host == "h003")
  assert(res:get("h001").status == "skipped" and res:get("h001").reason == "not applicable")
  local bug = res:get("h002")
  assert(bug.status == "failed" and bug.error.message:find("index a nil value"))
  assert(bug.error.traceback and bug.error.traceback:find("test_run.lua"))
  assert(tostring(bug.error):find("index a nil value") and not tostring(bug.error):find("traceback"))
  assert(res:get("h003").would_send[1] == "ntp server 1.1.1.1")
  assert(res:report():find("1 failed"))
  nethost.exit_code = nil
end

-- Bad arguments raise at once.
assert(not pcall(nethost.run, hosts(1), "not a function"))
assert(not pcall(nethost.run, hosts(1), function() end, { serial = "lots" }))
assert(not pcall(nethost.run, hosts(1), function() end, { concurrency = 0 }))
print("ok")

-- A secret read through the host is masked in log lines.
do
  local log = require("nethost.log")
  local host = setmetatable({ name = "s1" }, { __index = { secret = function(self, which)
    assert(self.name == "s1")
    return which == "password" and "hunter2-secret" or nil
  end } })
  local masked
  nethost.run({ host }, function(h)
    local pw = h:secret("password")
    masked = log.mask("login with " .. pw)
  end, opts {})
  assert(masked == "login with ***", masked)
end
print("ok: secrets")
