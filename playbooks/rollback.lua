-- rollback.lua — restore devices to a saved configuration (a backup.lua folder).
--
-- For each host, finds its backup, computes the minimal commands that turn the running
-- configuration into it (a section-aware diff: "no" lines and missing lines, section by
-- section; Junos delete/set), applies and saves them, then verifies that the running
-- configuration equals the backup, ignoring volatile lines. Hosts already equal are left
-- alone.
--
--   nethost run playbooks/rollback.lua -i INVENTORY [-l LIMIT] [-c N] [--check]
--       [-e from=backups/2026-11-20]   a dated backup folder, or
--       [-e dir=backups]               the newest backup of each host under DIR (default)
--       [-e serial=...] [-e max_fail=...] [-e exclusive=pair]
--       [-o results.jsonl] [--diff]
--
-- --check shows the commands each host would be sent; --diff the unified diff of each
-- host's running configuration (with --check: what the commands would make of it).
--
-- Exit status: 0 every host restored (or already equal), 2 some hosts failed.

local changes = require("nethost.changes")
local device = require("nethost.device")
local fs = require("nethost.fs")
local report = require("nethost.report")

local vars = nethost.vars
if not nethost.inventory then error("rollback: needs an inventory (-i)", 0) end

local folders
if vars.from then
  if not fs.isdir(vars.from) then error("rollback: no folder " .. vars.from, 0) end
  folders = { vars.from }
else
  local root = vars.dir or "backups"
  folders = {}
  for _, name in ipairs(fs.list(root) or {}) do
    if name:match("^%d%d%d%d%-%d%d%-%d%d$") then folders[#folders + 1] = root .. "/" .. name end
  end
  table.sort(folders, function(a, b) return a > b end)
  if not folders[1] then error("rollback: no backups under " .. root, 0) end
end

local function backup_of(name)
  for _, f in ipairs(folders) do
    local path = f .. "/" .. fs.safe_name(name) .. ".cfg"
    if fs.exists(path) then return path end
  end
end

local res = nethost.run(nethost.inventory, function(host)
  local path = backup_of(host.name)
  if not path then nethost.skip("no backup") end
  local r = device.restore(host, assert(fs.read(path)))
  if not r.unchanged then
    host:changed((nethost.check and "would send " or "") .. #r.commands .. " command(s)")
    if changes.wanted() then
      host:diff(changes.diff(r.before, r.after, host.platform,
                             { model = r.model, to = nethost.check and "would restore" or path }))
    end
  end
  return { from = path, method = r.method, commands = r.commands, unchanged = r.unchanged }
end, nethost.rollout_options("rollback"))

local rows = {}
for rec in res:each() do
  local v = rec.value
  rows[#rows + 1] = {
    host = rec.host,
    result = v and (v.unchanged and "already equal" or (nethost.check and "would restore" or "restored"))
             or rec.status,
    commands = v and #v.commands or "",
    detail = v and v.from or (rec.error and rec.error.message) or rec.reason or "",
  }
end
print(report.text(rows, { "host", "result", "commands", "detail" }))
changes.print(res)
local s = res:summary()
return s.failed + s.aborted > 0 and 2 or 0
