-- net.ping over loopback: IPv4, IPv6, counts, names, many at once. Exits 77 (skipped) when
-- this process may open no ICMP socket, after checking that the error says what to do.

local function eq(a, b, what)
  if a ~= b then error(("%s: expected %s, got %s"):format(what, tostring(b), tostring(a)), 2) end
end

local ok, r = pcall(net.ping, "127.61.0.1", { timeout = 1, count = 3, interval = 0.01 })
if not ok then
  assert(r.kind == "permission", tostring(r))
  assert(tostring(r):find("ping_group_range") and tostring(r):find("tcp_probe"), tostring(r))
  print("net.ping: ICMP sockets are not permitted here; skipping: " .. tostring(r))
  return 77
end
eq(r.alive, true, "127.61.0.1 alive")
eq(r.sent, 3, "sent")
eq(r.received, 3, "received")
eq(r.address, "127.61.0.1", "address")
assert(r.rtt > 0 and r.rtt < 1 and r.rtt_min <= r.rtt and r.rtt <= r.rtt_max, "rtt")
r = net.ping("::1", { timeout = 1 })
eq(r.alive, true, "::1 alive")
eq(r.address, "::1", "::1 address")
eq(net.ping("localhost").alive, true, "by name")
local e = select(2, pcall(net.ping, "no-such-host.invalid"))
eq(e.kind, "resolve", "resolve error")

-- No reply: an IPv4-mapped address over ICMPv6 goes nowhere (never leaves the host). The
-- ping waits interval + timeout, then says not alive; that is a result, not an error.
local t0 = async.now()
r = net.ping("::ffff:127.61.0.1", { timeout = 0.2, count = 2, interval = 0.05 })
eq(r.alive, false, "no reply: alive")
eq(r.sent, 2, "no reply: sent")
eq(r.received, 0, "no reply: received")
eq(r.rtt, nil, "no reply: rtt")
assert(async.now() - t0 >= 0.2 and async.now() - t0 < 30, "no reply took " .. (async.now() - t0))
-- A send the kernel refuses (broadcast) is reported, still as a result.
r = net.ping("127.255.255.255", { timeout = 0.1 })
eq(r.alive, false, "broadcast: alive")
assert(type(r.error) == "string", "broadcast: error")

-- Many at once share one socket per family; each gets its own replies.
local tasks = {}
for i = 1, 300 do
  tasks[i] = async.spawn(net.ping, i % 3 == 0 and "::1" or ("127.61.2." .. i % 250 + 1),
                         { timeout = 2, count = 2, interval = 0.01 })
end
for i = 1, 300 do
  local v = tasks[i]:wait()
  eq(v.received, 2, "ping " .. i)
end

-- Cancelled by an async.timeout while waiting between echo requests.
t0 = async.now()
local ok2, err = pcall(async.timeout, 0.1, function()
  return net.ping("127.61.0.1", { count = 10, interval = 1 })
end)
eq(ok2, false, "cancelled ping")
eq(err.kind, "timeout", "cancelled ping kind")
assert(async.now() - t0 < 1, "cancel was slow")
print("net.ping: all checks passed")
