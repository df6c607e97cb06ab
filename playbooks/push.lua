-- push.lua — apply configuration lines to many devices, safely.
--
-- For each host: snapshot the running configuration, apply the lines, verify, save. A host
-- whose verification fails is restored from its snapshot and fails. The rollout goes in
-- rolling batches, never touches both members of a redundancy pair at once, and stops when
-- the failure budget is spent — then, with on_abort=rollback, every host already changed is
-- restored too. Junos uses its native `commit confirmed`; other platforms get a timed
-- emulation (restore from the snapshot unless the change is confirmed within the window).
--
--   nethost run playbooks/push.lua -i INVENTORY [-l LIMIT] [-c N] [--check]
--       -e lines='ntp server 10.0.0.1;no ntp server 10.0.0.9'   lines (';'-separated), or
--       -e file=change.cfg                                      lines from a file, or
--       -e snippets=DIR                                         DIR/<platform>.cfg per platform
--       -e template=FILE.j2      a Jinja2 template rendered per host (docs/templates.md)
--       [-e trim_blocks=yes] [-e lstrip_blocks=yes]   the template's whitespace options
--       [-e verify='show running-config']  the command whose output proves the change
--       [-e expect=REGEX]        what that output must match (default: every added line)
--       [-e serial=1,10%,50%]    rolling batches        [-e max_fail=5%]  failure budget
--       [-e exclusive=pair]      never both of a pair   [-e on_abort=rollback|stop]
--       [-e confirm=120]         commit-confirmed window in seconds (0: off; default 120)
--       [-e snapshots=DIR]       where pre-change snapshots go (default: snapshots/)
--       [-o results.jsonl]
--
-- Exit status: 0 all applied (or would be, with --check), 2 some hosts failed or the run
-- was aborted.

local changes = require("nethost.changes")
local config = require("nethost.config")
local device = require("nethost.device")
local fs = require("nethost.fs")
local report = require("nethost.report")
local sys = require("nethost.sys")

local vars = nethost.vars
if not nethost.inventory then error("push: needs an inventory (-i)", 0) end

local function split_lines(text, sep)
  local out = {}
  for l in text:gmatch("[^" .. sep .. "]+") do
    l = l:match("^%s*(.-)%s*$")
    if l ~= "" and not l:match("^[!#]") then out[#out + 1] = l end
  end
  return out
end

local fixed_lines
if vars.template then
  assert(fs.read(vars.template)) -- a missing template stops the run before any host
elseif vars.lines then
  fixed_lines = split_lines(vars.lines, ";")
elseif vars.file then
  fixed_lines = split_lines(assert(fs.read(vars.file)), "\n")
elseif not vars.snippets then
  error("push: give -e lines=..., -e file=FILE, -e snippets=DIR or -e template=FILE.j2", 0)
end

-- A template's variables for one host: its fields (also as `host`), its merged `data`
-- (also at the top level, as Ansible's host vars are), then the -e pairs over them.
local function template_vars(host)
  local v, fields = {}, {}
  for k, x in pairs(host) do fields[k] = x; v[k] = x end
  v.host = fields
  for k, x in pairs(host.data or {}) do if v[k] == nil then v[k] = x end end
  for k, x in pairs(vars) do v[k] = x end
  return v
end

local yes = { yes = true, ["true"] = true, ["1"] = true }
local template_opts = { trim_blocks = yes[vars.trim_blocks or ""] or false,
                        lstrip_blocks = yes[vars.lstrip_blocks or ""] or false }

local function lines_for(platform, host)
  if vars.template then
    return split_lines(template.render_file(vars.template, template_vars(host), template_opts), "\n")
  end
  if fixed_lines then return fixed_lines end
  local text = fs.read(vars.snippets .. "/" .. fs.safe_name(platform) .. ".cfg")
  return text and split_lines(text, "\n")
end

local confirm = tonumber(vars.confirm or "120")
local want_diff = changes.wanted()
-- One snapshot folder per run, even for runs started in the same second: the time, then
-- this process's id (and a counter, should an id come back).
local snapshots
if not nethost.check then
  local root = vars.snapshots or "snapshots"
  assert(fs.mkdir(root, true))
  local stem = ("%s/%s-%d"):format(root, os.date("!%Y%m%dT%H%M%S"), sys.pid())
  snapshots = stem
  local n = 1
  while fs.exists(snapshots) do
    n = n + 1
    snapshots = stem .. "-" .. n
  end
  assert(fs.mkdir(snapshots))
end

-- Does the verify output prove the change? Lines a "no" removes must be gone, the others
-- present (with -e expect, that regex must match instead).
local function verified(output, lines, platform)
  if vars.expect then return re.test(output, vars.expect, "m"), "no match for /" .. vars.expect .. "/" end
  if config.dialect(platform) ~= "indent" then output = config.to_set(output) end
  local have = {}
  for l in output:gmatch("[^\n]+") do have[l:match("^%s*(.-)%s*$")] = true end
  for _, l in ipairs(lines) do
    local negated = l:match("^no (.*)")
    if negated then
      if have[negated] then return false, "still present: " .. negated end
    elseif not l:match("^exit$") and not l:match("^interface ") and not have[l] then
      return false, "missing: " .. l
    end
  end
  return true
end

local res = nethost.run(nethost.inventory, function(host)
  local lines = lines_for(host.platform, host)
  if not lines or not lines[1] then nethost.skip("no lines for platform " .. tostring(host.platform)) end
  local s <close> = ssh.open(host)
  local before = device.running_config(s, host)
  -- The lines that change something (the others are already there): what is sent, and
  -- what --check shows.
  local model, needed = config.apply(before, lines, host.platform)
  if nethost.check then
    if not needed[1] then return { mode = "check", changed = false, lines = 0, send = {} } end
    nethost.would_send(needed) -- the device is not touched
    host:changed(("would send %d line(s)"):format(#needed))
    if want_diff then host:diff(changes.diff(before, model, host.platform, { model = true })) end
    return { mode = "check", changed = true, lines = #needed, send = needed }
  end
  if not needed[1] then return { mode = "already configured", changed = false, lines = 0 } end
  assert(fs.write(snapshots .. "/" .. fs.safe_name(host.name) .. ".cfg", before))
  host:on_rollback(function(h) device.restore(h, before) end)
  local cli = s:shell()

  local native = host.platform == "juniper_junos" and confirm > 0
  local method
  if native then
    cli:config(needed, { confirmed = math.max(1, math.ceil(confirm / 60)) })
    method = "native commit confirmed"
  else
    cli:config(needed)
    method = confirm > 0 and "emulated commit confirmed" or "plain"
  end

  -- The confirm window: until confirmed, a watchdog restores the snapshot by itself.
  local watchdog
  if confirm > 0 and not native then
    watchdog = async.spawn(function()
      async.sleep(confirm)
      device.restore(host, before)
    end)
  end
  local output = s:run(vars.verify or device.running_command(host.platform)).stdout
  local ok, why = verified(output, lines, host.platform)
  if not ok then
    if watchdog then watchdog:cancel() end
    local r = device.restore(host, before, { session = s })
    error(nethost.error("command", ("verify failed (%s); restored from the snapshot (%d commands)")
                        :format(why, #r.commands), { host = host.name, op = "verify" }))
  end
  if native then
    cli:config({}, { commit = true }) -- confirms the pending commit
  elseif watchdog then
    watchdog:cancel()
  end
  cli:save()
  -- Changed means the running configuration differs from the snapshot: the verification
  -- read shows it (or one more read when -e verify names another command).
  local after = vars.verify and device.running_config(s, host) or output
  local changed = not config.equal(before, after, host.platform)
  host:changed(changed and (#needed .. " line(s)"))
  if want_diff and changed then host:diff(changes.diff(before, after, host.platform)) end
  return { mode = method, changed = changed, lines = #needed }
end, nethost.rollout_options("push"))

print(report.rollout(res, function(rec)
  if rec.value and not rec.value.changed then return "no change" end
  if rec.value and nethost.check then return ("would send %d line(s)"):format(rec.value.lines) end
end))
changes.print(res)
if nethost.check then
  print("\ncheck mode: nothing was sent")
else
  print("\nsnapshots in " .. snapshots)
end
local s = res:summary()
return (s.failed + s.aborted > 0) and 2 or 0
