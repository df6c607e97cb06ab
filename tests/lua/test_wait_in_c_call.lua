-- Waiting inside a C call that cannot be suspended (a table.sort comparator, a string.gsub
-- callback, host:secret called by ssh.run) must fail cleanly, before anything starts. The
-- bindings started their operation first and only then found that lua_yieldk could not
-- yield: the request leaked and its completion later resumed a task that had moved on or
-- finished (ASan: heap-use-after-free in nhl_op_cb).
local function fails_cleanly(f)
  local ok, err = pcall(f)
  assert(not ok, "waiting inside a C call succeeded")
  -- (Before the fix the error was Lua's own "attempt to yield across a C-call boundary";
  -- the damage showed later, below.)
  assert(tostring(err):find("cannot wait here"), tostring(err))
end

local other = async.spawn(function() async.sleep(0.01) return 42 end)
for _ = 1, 5 do
  fails_cleanly(function() table.sort({ 3, 1, 2 }, function(a, b) async.sleep(0.01) return a < b end) end)
  fails_cleanly(function() string.gsub("abc", "%w", function() async.sleep(0) end) end)
  fails_cleanly(function() string.gsub("abc", "%w", function() other:wait() end) end)
  fails_cleanly(function() string.gsub("abc", "%w", function() net.tcp_probe("127.0.0.1", 1) end) end)
  fails_cleanly(function()
    local q = async.queue(1)
    string.gsub("a", "%w", function() q:get() end)
  end)
end

-- A host whose secret method waits, read by ssh.run (nothing listens on port 1).
local host = { host = "127.0.0.1", port = 1, user = "u", host_key_policy = "strict", agent = false }
host.secret = function() async.sleep(0.01) return "pw" end
fails_cleanly(function() ssh.run(host, "x") end)

-- Whatever was (wrongly) started would complete now (within about 10 ms) and resume this
-- task at a wrong place: a 0.1 s sleep would end early. (The loop's clock lags behind
-- async.now() by the time this iteration has run, hence the margin.)
async.sleep(0)
local t0 = async.now()
async.sleep(0.1)
assert(async.now() - t0 >= 0.06, "a stale completion resumed the sleep early")
assert(other:wait() == 42)
-- The task is still sane: ordinary waits work.
local t = async.spawn(function() async.sleep(0.01) return "fine" end)
assert(t:wait() == "fine")
