-- net module through nethost: tcp_probe verdicts, resolution, CIDR expansion, misuse, 1,000
-- concurrent probes, cancellation. The harness listens on 127.61.0.1:28020 (open),
-- 127.61.0.2:28021 (accept queue full: connects hang) and [::1]:28022 (open).

local function eq(a, b, what)
  if a ~= b then error(("%s: expected %s, got %s"):format(what, tostring(b), tostring(a)), 2) end
end

local function raises(fn, pattern, what)
  local ok, e = pcall(fn)
  if ok then error(what .. ": did not raise", 2) end
  if not tostring(e):find(pattern) then error(what .. ": raised " .. tostring(e), 2) end
  return e
end

-- TCP probes
local r = net.tcp_probe("127.61.0.1", 28020, { timeout = 2 })
eq(r.open, true, "open port")
eq(r.state, "open", "open state")
assert(type(r.rtt) == "number" and r.rtt >= 0 and r.rtt < 2, "open rtt")
eq(r.address, "127.61.0.1", "address")
r = net.tcp_probe("127.61.0.1", 28029)
eq(r.open, false, "closed port")
eq(r.state, "refused", "refused state")
r = net.tcp_probe("::1", 28022)
eq(r.state, "open", "IPv6 open")
eq(r.address, "::1", "IPv6 address")
eq(net.tcp_probe("[::1]", 28023).state, "refused", "IPv6 refused")
eq(net.tcp_probe("localhost", 28020).state, "refused", "by name (localhost is 127.0.0.1)")

-- The kernel refuses TCP to a multicast address at once (no packet leaves): "unreachable".
r = net.tcp_probe("224.0.0.1", 28020, { timeout = 1 })
eq(r.state, "unreachable", "multicast")
eq(r.error, "network is unreachable", "multicast error")

local t0 = async.now()
r = net.tcp_probe("127.61.0.2", 28021, { timeout = 0.2 })
eq(r.state, "timeout", "filtered port")
eq(r.open, false, "filtered port is not open")
assert(async.now() - t0 >= 0.15 and async.now() - t0 < 30, "timeout took " .. (async.now() - t0))

-- Cancellation: an async.timeout around a long probe tears it down.
t0 = async.now()
local e = raises(function()
  async.timeout(0.1, function() net.tcp_probe("127.61.0.2", 28021, { timeout = 30 }) end)
end, "timed out", "async.timeout around a probe")
eq(e.kind, "timeout", "kind of the cancelled probe")
assert(async.now() - t0 < 2, "cancel was slow")
local task = async.spawn(function() return net.tcp_probe("127.61.0.2", 28021, { timeout = 30 }) end)
async.sleep(0.05)
task:cancel()
local ok = pcall(task.wait, task)
eq(ok, false, "a cancelled probe task fails")

-- 1,000 probes at once
t0 = async.now()
local tasks = {}
for i = 1, 1000 do
  tasks[i] = async.spawn(net.tcp_probe, i % 2 == 0 and "127.61.0.1" or "127.61.1." .. (i % 250 + 1),
                         28020, { timeout = 5 })
end
local open, refused = 0, 0
for i = 1, 1000 do
  local v = tasks[i]:wait()
  if v.state == "open" then open = open + 1 elseif v.state == "refused" then refused = refused + 1 end
end
eq(open, 500, "open among 1,000")
eq(refused, 500, "refused among 1,000")
print(("1,000 concurrent probes in %.0f ms"):format((async.now() - t0) * 1000))

-- Resolution
local addrs = net.resolve("localhost", { family = "inet" })
eq(addrs[1], "127.0.0.1", "localhost")
eq(net.resolve("::1")[1], "::1", "literal")
e = raises(function() net.resolve("no-such-host.invalid") end, "cannot resolve", "bad name")
eq(e.kind, "resolve", "resolve error kind")
eq(e.host, "no-such-host.invalid", "resolve error host")
e = raises(function() net.tcp_probe("no-such-host.invalid", 22) end, "cannot resolve", "probe bad name")
eq(e.kind, "resolve", "probe resolve error kind")
eq(net.family("10.0.0.1"), "inet", "family v4")
eq(net.family("fe80::1"), "inet6", "family v6")
eq(net.family("router1"), nil, "family of a name")

-- CIDR expansion
local h = net.hosts("127.2.0.0/24")
eq(#h, 254, "/24")
eq(h[1], "127.2.0.1", "/24 first")
eq(h[254], "127.2.0.254", "/24 last")
eq(#net.hosts("10.0.0.0/31"), 2, "/31")
eq(net.hosts("10.0.0.7/32")[1], "10.0.0.7", "/32")
eq(net.hosts("10.0.0.7")[1], "10.0.0.7", "plain address")
eq(net.hosts("10.0.0.9/29")[1], "10.0.0.9", "host bits cleared, first host")
eq(#net.hosts("10.0.0.9/29"), 6, "/29")
eq(#net.hosts("10.255.255.0/23"), 510, "/23")
h = net.hosts("2001:db8::/126")
eq(#h, 3, "IPv6 /126")
eq(h[1], "2001:db8::1", "IPv6 first")
eq(h[3], "2001:db8::3", "IPv6 last")
eq(#net.hosts("2001:db8::ff00/120"), 255, "IPv6 /120")
eq(net.hosts("0.0.0.255/24")[254], "0.0.0.254", "carry")
raises(function() net.hosts("10.0.0.0/15") end, "more than max", "cap")
eq(#net.hosts("10.0.0.0/15", { max = 1 << 17 }), (1 << 17) - 2, "raised cap")
raises(function() net.hosts("2001:db8::/64") end, "more than", "IPv6 cap")
raises(function() net.hosts("10.0.0.0/33") end, "bad prefix", "bad prefix")
raises(function() net.hosts("10.0.0/24") end, "not an address", "bad address")
raises(function() net.hosts("") end, "not an address", "empty")

-- Misuse raises at once
raises(function() net.tcp_probe("127.0.0.1") end, "number expected", "missing port")
raises(function() net.tcp_probe("127.0.0.1", 0) end, "port must be", "port 0")
raises(function() net.tcp_probe("127.0.0.1", 22, { timeout = "x" }) end, "timeout", "bad timeout")
raises(function() net.ping("127.0.0.1", { count = 0 }) end, "count", "count 0")
raises(function() net.ping("") end, "not a host", "empty host")
raises(function() net.resolve("x", { family = "ipx" }) end, "family", "bad family")
local co = coroutine.wrap(function() return pcall(net.tcp_probe, "127.0.0.1", 22) end)
local cok, cerr = co()
eq(cok, false, "outside a task")
assert(tostring(cerr):find("net.tcp_probe"), tostring(cerr))
print("net: all checks passed")
