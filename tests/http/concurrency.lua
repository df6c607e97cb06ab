-- 1,200 transfers in flight at once on one thread, against nginx; keep-alive reuse.
local dir = arg[0] and arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/testlib.lua")
local H = t.env("NH_HTTP")

local N = 1200
local tasks, ok = {}, 0
local t0 = async.now()
for i = 1, N do
  tasks[i] = async.spawn(function()
    local r = http.get(H .. "/1k.txt", {timeout = 30})
    return r.status == 200 and #r.body == 1024
  end)
end
-- While they run, more than 1,000 are in flight.
async.sleep(0)
local inflight = http.stats().active
for i = 1, N do if tasks[i]:wait() then ok = ok + 1 end end
local took = async.now() - t0
t.eq(ok, N, "all transfers succeeded")
local st = http.stats()
t.ok(inflight >= 1000, "in flight at once: " .. inflight)
t.ok(st.peak_sockets >= 500, "many sockets at once: " .. st.peak_sockets)

-- A second wave reuses the kept-alive connections instead of opening new ones.
local before = st.connects
local wave = {}
for i = 1, 500 do wave[i] = async.spawn(function() return http.get(H .. "/small.txt").status end) end
for i = 1, 500 do t.eq(wave[i]:wait(), 200, "wave " .. i) end
local opened = http.stats().connects - before
t.ok(opened < 100, "keep-alive reuse: " .. opened .. " new connections for 500 requests")
print(string.format("concurrency: ok (%d transfers in %.2f s, %d in flight, peak %d sockets)",
                    N, took, inflight, st.peak_sockets))
