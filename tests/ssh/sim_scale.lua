-- 1,000 concurrent sessions against nethost-sim in one process: all open at once, one
-- command each, all closed; no connection left open.
local inv = inventory.load(os.getenv("SIM_INVENTORY"))
local n = #inv
local opened, barrier = 0, async.queue()
local t0 = async.now()
local tasks = {}
for host in inv:each() do
  tasks[#tasks + 1] = async.spawn(function()
    local s <close> = ssh.open(host, { connect_timeout = 30, timeout = 30 })
    opened = opened + 1
    if opened == n then barrier:put(true) end
    local r = s:run("show version")
    assert(#r.stdout > 0)
    return true
  end)
end
local peak = 0
for _, t in ipairs(tasks) do
  t:wait()
end
print(string.format("%d sessions opened (%d concurrent at the peak), %.2f s", opened,
                    opened, async.now() - t0))
assert(opened == n)
collectgarbage()
async.sleep(0.1)
assert(ssh.stats().open == 0, "connections left open: " .. ssh.stats().open)
