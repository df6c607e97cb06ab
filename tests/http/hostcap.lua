-- Global and per-host connection caps: transfers beyond a cap wait for a connection.
local dir = arg[0] and arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/testlib.lua")
local H, B = t.env("NH_HTTP"), t.env("NH_BACKEND")

local function run(n, url)
  local tasks = {}
  local t0 = async.now()
  for i = 1, n do tasks[i] = async.spawn(function() return http.get(url).status end) end
  for i = 1, n do t.eq(tasks[i]:wait(), 200, url .. " #" .. i) end
  return async.now() - t0
end

-- Global cap 2: six 0.3 s requests run two at a time.
http.configure{max_total_connections = 2}
local took = run(6, B .. "/slow?d=0.3")
t.ok(took >= 0.85, "6 x 0.3 s through 2 connections took " .. took)
t.ok(http.stats().peak_sockets <= 2, "global cap: peak " .. http.stats().peak_sockets)

-- Per-host cap 4 (global raised): 300 concurrent requests to nginx open at most 4.
http.configure{max_total_connections = 1000, max_host_connections = 4}
local before = http.stats().connects
run(300, H .. "/1k.txt")
local opened = http.stats().connects - before
t.ok(opened <= 4, "per-host cap: " .. opened .. " connections for 300 requests")

-- The cap queues transfers: sixteen 0.3 s requests through 4 connections take >= 1.2 s.
took = run(16, B .. "/slow?d=0.3")
t.ok(took >= 1.15, "16 x 0.3 s through 4 connections took " .. took)
print("hostcap: ok")
