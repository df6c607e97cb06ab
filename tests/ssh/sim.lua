-- ssh against nethost-sim: every personality (exec and shell), every fault mode giving the
-- right error kind within its deadline while the other hosts are unaffected.
local inv = inventory.load(os.getenv("SIM_INVENTORY"))
local faults = {}
for _, kind in ipairs({ "refuse", "auth", "hang", "hang_output", "drop", "slow", "garbage",
                        "huge", "hostkey" }) do
  faults[os.getenv("FAULT_" .. kind)] = kind
end
-- What each fault must give through nethost: the faults as docs/lab.md names them, the error
-- kinds and codes as docs/ssh.md documents them ("ok" = the command succeeded).
-- Each failing fault also names its stage (err.stage, and in the message), as docs/ssh.md
-- lists them.
local want = {
  refuse = { kind = "connect", code = "ECONNREFUSED", stage = "connect" }, -- no listener
  auth = { kind = "auth", code = "EAUTH", stage = "auth" },
  -- the command's deadline, not a stage's
  hang = { kind = "timeout", code = "ETIMEDOUT", stage = "read" },
  hang_output = { kind = "timeout", code = "ETIMEDOUT", stage = "read" },
  drop = { kind = "connect", code = "ECLOSED", stage = "read" }, -- "connection lost"
  slow = { kind = "ok" }, -- 64 bytes every 50 ms: a show version well within the timeout
  garbage = { kind = "ok" }, -- with the junk left in stdout
  huge = { kind = "command", code = "ETOOBIG", stage = "read" }, -- 4 MB over max_output
  hostkey = { kind = "hostkey", code = "EHOSTKEY", stage = "hostkey" },
}
local TIMEOUT, CONNECT_TIMEOUT = 3, 2
local function version_of(text)
  return text:match("Junos: (%S+)") or text:match("[Vv]ersion:?%s+([%w%.%(%)%-]+)")
end

local MAX_OUTPUT = 1000000

local tasks, t0 = {}, async.now()
for host in inv:each() do
  tasks[#tasks + 1] = { host = host, task = async.spawn(function()
    local start = async.now()
    local ok, r = pcall(ssh.run, host, "show version",
                        { timeout = TIMEOUT, connect_timeout = CONNECT_TIMEOUT,
                          max_output = MAX_OUTPUT })
    return { ok = ok, r = r, elapsed = async.now() - start }
  end) }
end
local healthy, platforms, huge_host, hang_output_host, hang_host = 0, {}, nil, nil, nil
for _, t in ipairs(tasks) do
  local res = t.task:wait()
  local name, fault = t.host.name, faults[t.host.name]
  local got = res.ok and "ok" or (type(res.r) == "table" and res.r.kind or tostring(res.r))
  if fault then
    local w, e = want[fault], res.r
    local what = string.format("%s (fault %s)", name, fault)
    assert(got == w.kind, string.format("%s: got %s, want %s: %s", what, got, w.kind,
                                        tostring(res.r)))
    if res.ok then
      assert(res.r.exit_status == 0 and version_of(res.r.stdout),
             what .. ": no version in " .. res.r.stdout:sub(1, 200))
    else
      assert(e.code == w.code, string.format("%s: code %s, want %s", what, e.code, w.code))
      assert(e.host == name and e.op == "ssh.run", what .. ": host or op: " .. tostring(e))
      assert(e.stage == w.stage, string.format("%s: stage %s, want %s: %s", what,
                                               tostring(e.stage), w.stage, e.message))
      assert(e.message:find(w.stage, 1, true), what .. ": message without its stage: " .. e.message)
    end
    if w.kind == "timeout" then
      -- the command's own deadline: after the connection stages, not during them
      assert(e.stage == "read", what .. ": stage " .. tostring(e.stage) .. ", want read")
      assert(e.message:find("(read)", 1, true), what .. ": message without its stage: " .. e.message)
      assert(res.elapsed >= TIMEOUT - 0.05 and res.elapsed < TIMEOUT + 10,
             string.format("%s: timed out after %.2f s, not %d s", what, res.elapsed, TIMEOUT))
    elseif fault == "slow" then
      local least = (math.ceil(#res.r.stdout / 64) - 1) * 0.05
      assert(res.elapsed >= least - 0.01, string.format(
               "%s: %d bytes in %.2f s, faster than the trickle's %.2f s", what,
               #res.r.stdout, res.elapsed, least))
    else
      -- before the command's deadline: bound by the deadline under test, not by speed
      assert(res.elapsed < TIMEOUT, string.format("%s took %.2f s", what, res.elapsed))
    end
    if fault == "hang" then hang_host = t.host end
    if fault == "garbage" then
      assert(res.r.stdout:find("[%z\7\27\128-\255]"), what .. ": no junk in stdout")
    elseif fault == "refuse" then
      assert(e.stage == "connect", what .. ": stage " .. tostring(e.stage))
    elseif fault == "drop" or fault == "hang_output" then
      if fault == "hang_output" then hang_output_host = t.host end
      assert(fault == "hang_output" or e.message:find("connection lost", 1, true),
             what .. ": " .. e.message)
      -- what the device said before it failed is kept: the first half of show version
      assert(e.partial and #e.partial.stdout > 0, what .. ": no partial output on the error")
    elseif fault == "huge" then
      assert(e.message:find(tostring(MAX_OUTPUT), 1, true), what .. ": " .. e.message)
      assert(e.partial and #e.partial.stdout >= MAX_OUTPUT // 2, what .. ": partial output")
      huge_host = t.host
    elseif fault == "hostkey" then
      assert(e.fingerprint and e.fingerprint:find("^SHA256:"), what .. ": no fingerprint")
    end
    print(string.format("fault %-12s -> %-8s %-12s in %.2f s", fault, got,
                        res.ok and "" or e.code, res.elapsed))
  else
    assert(res.ok, name .. ": " .. tostring(res.r))
    assert(version_of(res.r.stdout), name .. ": no version in " .. res.r.stdout:sub(1, 200))
    healthy = healthy + 1
    platforms[t.host.platform] = platforms[t.host.platform] or t.host
  end
end
-- Below max_output the huge answer arrives whole.
if huge_host then
  local r = ssh.run(huge_host, "show version", { timeout = 20, max_output = 8 << 20 })
  assert(r.exit_status == 0 and #r.stdout >= 4 << 20 and r.stdout:sub(-1) == "\n" and
         version_of(r.stdout), "huge below max_output: " .. #r.stdout .. " bytes")
  print(string.format("huge below max_output: %d bytes", #r.stdout))
end
print(string.format("%d healthy hosts ok, %d faults as expected, %.2f s", healthy,
                    #tasks - healthy, async.now() - t0))

-- The host task's own deadline (nethost.run's timeout) fires while a command reads: the
-- host's error keeps the stage and what the device had sent.
if hang_output_host then
  local res = nethost.run({ hang_output_host }, function(h)
    return ssh.run(h, "show version", { timeout = 30 })
  end, { timeout = 1, progress = false, summary = false })
  local rec
  for r in res:each() do rec = r end
  local e = rec.error
  assert(rec.status == "failed" and e and e.kind == "timeout", "host timeout: " .. tostring(e and e.message))
  assert(e.stage == "read" and e.message:find("(read)", 1, true),
         "host timeout: stage " .. tostring(e.stage) .. ": " .. e.message)
  assert(e.partial and #e.partial.stdout > 0, "host timeout: no partial output: " .. e.message)
  print(string.format("host task timeout: %s, stage %s, %d bytes kept", e.message, e.stage,
                      #e.partial.stdout))
  nethost.exit_code = 0
end

-- A device that never prints a prompt: the shell fails in stage prompt.
if hang_host then
  local s <close> = ssh.open(hang_host)
  local ok, e = pcall(s.shell, s, { timeout = 0.5 })
  assert(not ok and e.kind == "timeout" and e.stage == "prompt" and e.message:find("(prompt)", 1, true),
         "shell on a hung device: " .. tostring(e))
  print("shell on a hung device: " .. e.message:sub(1, 60))
end

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
  if platform == "juniper_junos" then
    -- "run" in configuration mode: the operational command's answer, no syntax error
    cli:config({ "run show version" })
    local after = cli:transcript():match(".*run show version(.*)$")
    assert(after and after:find("Junos: ", 1, true), "run show version in configuration mode")
  end
  local ok, e = pcall(cli.config, cli, { "this is not a command" })
  assert(not ok and e.kind == "command" and e.device_message,
         platform .. ": no command error: " .. tostring(e))
  assert(e.transcript and not e.transcript:find("admin\n", 1, true))
  -- the shell layer's stages: config for config mode, read for a command's output
  assert(e.stage == "config" and e.message:find("(config)", 1, true), platform .. ": " .. e.message)
  local ok2, e2 = pcall(cli.send, cli, "show clock", { expect = "no-such-prompt-xyz", timeout = 0.3 })
  assert(not ok2 and e2.kind == "timeout" and e2.stage == "read" and e2.message:find("(read)", 1, true),
         platform .. ": " .. tostring(e2))
  cli:save()
  print(string.format("%-14s exec + shell + config + error marker + save ok (%s)", platform,
                      e.device_message))
  cli:close()
end
async.sleep(0.05)
assert(ssh.stats().open == 0, "connections left open: " .. ssh.stats().open)
