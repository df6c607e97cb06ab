-- Large outputs are parsed on the thread pool: the loop keeps serving other tasks, errors
-- and cancellation behave as for any other operation.
local parts = { "hostname big\n" }
for i = 1, 40000 do
  parts[#parts + 1] = string.format("interface GigabitEthernet1/0/%d\n description port %d\n" ..
                                    " switchport access vlan %d\n!\n", i, i, i % 4094 + 1)
end
local config = table.concat(parts)
assert(#config > 2 * 1024 * 1024)

-- another task keeps ticking while the parse runs
local ticks, done = 0, false
local ticker = async.spawn(function()
  while not done do
    async.sleep(0)
    ticks = ticks + 1
  end
end)
local t0 = nethost.now and nethost.now() or os.clock()
local sections = parse("cisco_ios", "show running-config", config)
done = true
ticker:wait()
assert(#sections == 40001, #sections)
assert(sections[40001].line == "interface GigabitEthernet1/0/40000")
assert(sections[40001].children[2].line == "switchport access vlan " .. (40000 % 4094 + 1))
assert(ticks > 0, "the loop was blocked during a large parse")

-- a parse error from the thread pool is a parse error object
local junk = string.rep("not show version output\n", 20000)
local ok, err = pcall(parse, { name = "sw-big", platform = "ios" }, "show version", junk)
assert(not ok and err.kind == "parse" and err.host == "sw-big", tostring(err))
assert(err.message:find("not show version output", 1, true), err.message)

-- cancelled by a deadline: the timeout error, and the run goes on
ok, err = pcall(async.timeout, 0.001, function()
  return parse("cisco_ios", "show running-config", config .. config .. config)
end)
assert(not ok and err.kind == "timeout", tostring(err))

-- still works afterwards, small inputs stay synchronous
assert(#parse("ios", "sh run", "hostname x\n") == 1)
