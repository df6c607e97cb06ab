-- SSH soak: many sessions (connect, one exec or a shell command, close) against the test
-- servers the driver started (tests/soak/ssh_soak.sh), through nethost.run at a high
-- concurrency, in rounds. It asserts that no session is lost: every session ends with its
-- result or a precise error (a stage, and never a timeout) before its deadline.
--
-- A hang is a session that ended at a deadline (the command's, a connection stage's or the
-- host task's) although the server had answered it at least `room` seconds before (its
-- log, server_log=, says when it finished writing each command's answer, by the session
-- name the command carries after " ! "). A session whose server answered later, or
-- never, is counted as late: the server, not nethost, was too slow for the load (the
-- Python server on a loaded machine). More than 1% late sessions fails the run too, as
-- a soak that proves nothing at that load. Without a server log (OpenSSH's sshd) every
-- timeout is a hang.
--
-- -e vars: port= listeners= behaviours= (comma list, the server's order) sessions=
-- concurrency= round= known_hosts= timeout= (the command deadline, s) shell_every= (every
-- Nth session uses a PTY shell instead of an exec channel; 0: none) key_file= (log in
-- with this key as user= instead of admin/admin: OpenSSH's sshd)
local V = nethost.vars
local port = assert(tonumber(V.port), "-e port=")
local listeners = tonumber(V.listeners or "10")
local kinds = {}
for k in (V.behaviours or ""):gmatch("[^,]+") do kinds[#kinds + 1] = k end
local sessions = tonumber(V.sessions or "10000")
local concurrency = tonumber(V.concurrency or "500")
local round = tonumber(V.round or "5000")
local timeout = tonumber(V.timeout or "30")
local shell_every = tonumber(V.shell_every or "10")
-- Servers that end the connection right after their output may end a session with an
-- error of kind connect/channel; every other behaviour must give the full output.
local may_fail = { drop = true, disconnect = true, halfclose = true }

local counts = { ok = 0, failed_precise = 0, hangs = 0, late = 0, wrong = 0 }

-- When the server finished answering each tagged session (the last command's answer).
local function server_answers()
  local t = {}
  local f = V.server_log and io.open(V.server_log)
  if not f then return t end
  for line in f:lines() do
    local name, secs, at = line:match("^(%S+) %S+ ([%d.]+) ([%d.]+)$")
    if name then t[name] = { secs = tonumber(secs), at = tonumber(at) } end
  end
  f:close()
  return t
end
local by_stage, examples = {}, {}
local max_elapsed = 0
local slow = {}

local room = math.max(15, timeout / 4)
local tagged = V.server_log ~= nil

-- The command for host: tagged with its name for the server's log.
local function cmd(host, text)
  return tagged and ("%s ! %s"):format(text, host.name) or text
end

local function one(host)
  local r
  if host.shell then
    local s <close> = ssh.open(host)
    local out = s:run(cmd(host, "show clock")).stdout
    assert(out:find("UTC"), "show clock: " .. out)
    r = s:run(cmd(host, "show version"))
  else
    r = ssh.run(host, cmd(host, "show version"))
  end
  if not r.stdout:find("Version 15.2", 1, true) or #r.stdout < 1000 then
    error(("short output from %s (%d bytes)"):format(host.behaviour, #r.stdout))
  end
  return #r.stdout
end

local t0, cpu0 = async.now(), os.clock()
local done = 0
while done < sessions do
  local n = math.min(round, sessions - done)
  local hosts = {}
  for i = 1, n do
    local idx = (done + i - 1) % listeners
    hosts[i] = {
      name = ("s%07d"):format(done + i), host = "127.0.0.1", port = port + idx,
      user = V.user or "admin",
      password = not V.key_file and "admin" or nil, key_file = V.key_file,
      known_hosts = V.known_hosts,
      connect_timeout = timeout, timeout = timeout, behaviour = kinds[idx % #kinds + 1],
      shell = shell_every > 0 and (done + i) % shell_every == 0,
    }
  end
  local res = nethost.run(hosts, one, { concurrency = concurrency, progress = false,
                                        summary = false, timeout = timeout * 2 })
  local answered = server_answers()
  for rec in res:each() do
    local h = hosts[tonumber(rec.host:sub(2))- done]
    if rec.elapsed and rec.elapsed > max_elapsed then max_elapsed = rec.elapsed end
    if rec.elapsed and rec.elapsed > timeout / 3 then
      slow[#slow + 1] = ("slow %s (%s%s) %.1f s %s"):format(rec.host, h.behaviour,
        h.shell and ", shell" or "", rec.elapsed, rec.error and tostring(rec.error.message) or "ok")
    end
    if rec.status == "ok" then
      counts.ok = counts.ok + 1
    else
      local e = rec.error or {}
      local key = ("%s %s/%s"):format(h.behaviour, e.kind or "?", e.stage or "-")
      by_stage[key] = (by_stage[key] or 0) + 1
      if e.kind == "timeout" or (rec.elapsed or 0) >= timeout * 0.9 then
        local a = answered[rec.host]
        -- How long before the session's end the server had written its answer.
        local before = a and rec.started and rec.elapsed and rec.started + rec.elapsed - a.at
        local why = a and ("the server answered in %.1f s, %.1f s before the end"):format(
          a.secs, before or 0) or "the server never answered"
        if not tagged or (before and before >= room) then
          counts.hangs = counts.hangs + 1
          examples[#examples + 1] = ("HANG %s (%s): %s (%s)"):format(rec.host, h.behaviour,
            tostring(e.message), why)
        else
          counts.late = counts.late + 1
          examples[#examples + 1] = ("LATE %s (%s): %s (%s)"):format(rec.host, h.behaviour,
            tostring(e.message), why)
        end
      elseif may_fail[h.behaviour] and e.stage then
        counts.failed_precise = counts.failed_precise + 1
      else
        counts.wrong = counts.wrong + 1
        examples[#examples + 1] = ("WRONG %s (%s): %s"):format(rec.host, h.behaviour, tostring(e.message))
      end
    end
  end
  done = done + n
  io.stderr:write(("soak: %d/%d sessions, %d hangs, %d late, %d wrong, %.0f s\n"):format(done,
    sessions, counts.hangs, counts.late, counts.wrong, async.now() - t0))
end
local wall, cpu = async.now() - t0, os.clock() - cpu0
for i = 1, math.min(#examples, 20) do print(examples[i]) end
for i = 1, math.min(#slow, 20) do print(slow[i]) end
if #slow > 0 then print(("%d sessions took over a third of their deadline"):format(#slow)) end
local keys = {}
for k in pairs(by_stage) do keys[#keys + 1] = k end
table.sort(keys)
for _, k in ipairs(keys) do print(("  failed: %-40s %d"):format(k, by_stage[k])) end
print(("soak: sessions %d, ok %d, precise errors %d, hangs %d, late server %d, wrong %d, "
       .. "wall %.1f s, nethost CPU %.1f s, %.0f sessions/s, slowest %.2f s (deadline %g s)"):format(
  sessions, counts.ok, counts.failed_precise, counts.hangs, counts.late, counts.wrong, wall, cpu,
  sessions / wall, max_elapsed, timeout))
assert(counts.hangs == 0, "sessions hung until their deadline: " .. counts.hangs)
assert(counts.late * 100 <= sessions, ("the server answered %d sessions too late to tell a hang: "
  .. "lower the concurrency"):format(counts.late))
assert(counts.wrong == 0, "sessions failed without a precise error: " .. counts.wrong)
assert(counts.ok + counts.failed_precise + counts.late == sessions)
-- The sessions the drop, disconnect and halfclose servers end with a precise error are
-- failed hosts to nethost.run (exit status 2); they were checked above.
nethost.exit_code = 0
