-- 1,000 concurrent sessions in one process: all open at the same time (a barrier holds
-- every task until the last one is connected), one command each, all closed; no connection
-- is left open and the peak count is exactly the number of hosts.
local inv = inventory.load(os.getenv("SIM_INVENTORY"))
local n = #inv
-- Pace new connections (1,000 per second): a burst of 1,000 SYNs overflows a busy lab's
-- listen queue, and the kernel's SYN retries then take up to a minute.
ssh.connect_rate(1000)
local opened, peak, gate = 0, 0, async.queue()
local t0 = async.now()
local tasks = {}
for host in inv:each() do
  tasks[#tasks + 1] = async.spawn(function()
    local s <close> = ssh.open(host, { connect_timeout = 60, timeout = 60 })
    opened = opened + 1
    if opened == n then
      peak = ssh.stats().open
      for _ = 1, n - 1 do gate:put(true) end
    else
      gate:get()
    end
    local r = s:run("show version")
    assert(r.stdout:find("[Vv]ersion") or r.stdout:find("Junos:"), r.stdout)
    return true
  end)
end
for _, t in ipairs(tasks) do t:wait() end
print(string.format("%d sessions open at once (peak %d), %.2f s; open-file limit %d", opened,
                    peak, async.now() - t0, ssh.stats().nofile))
assert(opened == n and peak == n, "peak " .. peak)
ssh.connect_rate(0)
async.sleep(0.05)
assert(ssh.stats().open == 0, "connections left open: " .. ssh.stats().open)

-- cancelling hundreds of tasks mid-connect / mid-command releases every connection
local ts = {}
for host in inv:each() do
  ts[#ts + 1] = async.spawn(function()
    local s <close> = ssh.open(host)
    return s:run("show version")
  end)
  if #ts == 300 then break end
end
async.sleep(0.15)
for _, t in ipairs(ts) do t:cancel() end
local cancelled = 0
for _, t in ipairs(ts) do
  local ok, e = pcall(t.wait, t)
  if not ok and type(e) == "table" and e.kind == "cancelled" then cancelled = cancelled + 1 end
end
async.sleep(0.05)
print(string.format("%d of 300 cancelled in flight; open connections after: %d", cancelled,
                    ssh.stats().open))
assert(cancelled > 0)
assert(ssh.stats().open == 0, "connections left open: " .. ssh.stats().open)
