-- ssh against nethost-sim: every personality (exec and shell), every fault mode giving the
-- right error kind within its deadline while the other hosts are unaffected.
local inv = inventory.load(os.getenv("SIM_INVENTORY"))
local faults = {}
for _, kind in ipairs({ "refuse", "auth", "hang", "hang_output", "drop", "slow", "garbage",
                        "huge", "hostkey" }) do
  faults[os.getenv("FAULT_" .. kind)] = kind
end
-- what each fault must give: acceptable kinds (ok = success)
-- (written before nethost-sim existed: the fault semantics are read from its --help text)
local want = {
  refuse = { connect = true, timeout = true }, auth = { auth = true },
  hang = { timeout = true }, hang_output = { timeout = true },
  drop = { connect = true, channel = true, timeout = true },
  slow = { ok = true, timeout = true }, garbage = { ok = true },
  huge = { command = true, ok = true }, hostkey = { hostkey = true },
}
local TIMEOUT, CONNECT_TIMEOUT = 3, 2
local function version_of(text)
  return text:match("Junos: (%S+)") or text:match("[Vv]ersion:?%s+([%w%.%(%)%-]+)")
end

local tasks, t0 = {}, async.now()
for host in inv:each() do
  tasks[#tasks + 1] = { host = host, task = async.spawn(function()
    local start = async.now()
    local ok, r = pcall(ssh.run, host, "show version",
                        { timeout = TIMEOUT, connect_timeout = CONNECT_TIMEOUT,
                          max_output = 1000000 })
    return { ok = ok, r = r, elapsed = async.now() - start }
  end) }
end
local healthy, platforms = 0, {}
for _, t in ipairs(tasks) do
  local res = t.task:wait()
  local name, fault = t.host.name, faults[t.host.name]
  local got = res.ok and "ok" or (type(res.r) == "table" and res.r.kind or tostring(res.r))
  if fault then
    assert(want[fault][got], string.format("%s (fault %s): got %s: %s", name, fault, got,
                                           tostring(res.r)))
    -- within its deadline: connect stages or the command timeout, plus slack
    assert(res.elapsed < TIMEOUT + 2 * CONNECT_TIMEOUT + 1.5,
           string.format("%s (fault %s) took %.2f s", name, fault, res.elapsed))
    print(string.format("fault %-12s -> %-8s in %.2f s", fault, got, res.elapsed))
  else
    assert(res.ok, name .. ": " .. tostring(res.r))
    assert(version_of(res.r.stdout), name .. ": no version in " .. res.r.stdout:sub(1, 200))
    healthy = healthy + 1
    platforms[t.host.platform] = platforms[t.host.platform] or t.host
  end
end
print(string.format("%d healthy hosts ok, %d faults as expected, %.2f s", healthy,
                    #tasks - healthy, async.now() - t0))

-- every personality: session reuse and the platform-driven shell
for platform, host in pairs(platforms) do
  local s <close> = ssh.open(host)
  assert(version_of(s:run("show version").stdout))
  local cli = s:shell({ timeout = 10 })
  local out = cli:send("show version")
  assert(version_of(out), platform .. ": shell show version: " .. out:sub(1, 300))
  assert(not out:find("show version", 1, true) or platform == "juniper_junos",
         platform .. ": echo not stripped")
  local cfg = cli:send(platform == "juniper_junos" and "show configuration" or
                       "show running-config")
  assert(#cfg > 100 and not cfg:find("More", 1, true), platform .. ": paging not handled")
  local line = platform == "juniper_junos" and "set system ntp server 10.0.0.1" or
               "ntp server 10.0.0.1"
  cli:config({ line })
  local ok, e = pcall(cli.config, cli, { "this is not a command" })
  assert(not ok and e.kind == "command" and e.device_message,
         platform .. ": no command error: " .. tostring(e))
  assert(e.transcript and not e.transcript:find("admin\n", 1, true))
  cli:save()
  print(string.format("%-14s exec + shell + config + error marker + save ok (%s)", platform,
                      e.device_message))
  cli:close()
end
async.sleep(0.05)
assert(ssh.stats().open == 0, "connections left open: " .. ssh.stats().open)
