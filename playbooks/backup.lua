-- backup.lua — save every device's running configuration, one file per host.
--
-- Each run writes DIR/YYYY-MM-DD/HOST.cfg (atomically, mode 0600: configurations hold
-- secrets; HOST is fs.safe_name(host name), so no host name writes outside DIR) for the hosts whose configuration
-- changed since their last backup, ignoring volatile lines (timestamps, byte counts, ntp
-- clock-period: per-platform filters), and DIR/YYYY-MM-DD/HOST.diff with the unified diff
-- against that backup. With git installed, DIR is a git repository and each run that
-- changed something is one commit.
--
--   nethost run playbooks/backup.lua -i INVENTORY [-l LIMIT] [-c N]
--       [-e dir=backups]        where backups go (default: ./backups)
--       [-e git=no]             do not commit to git (default: commit when git exists)
--       [-e date=YYYY-MM-DD]    the folder name (default: today, UTC)
--       [-o results.jsonl]
--
-- Exit status: 0 every host backed up, 2 some hosts failed.

local config = require("nethost.config")
local diff = require("nethost.diff")
local fs = require("nethost.fs")
local report = require("nethost.report")

if not nethost.inventory then error("backup: needs an inventory (-i)", 0) end
local root = nethost.vars.dir or "backups"
local date = nethost.vars.date or os.date("!%Y-%m-%d")
if not date:match("^%d%d%d%d%-%d%d%-%d%d$") then error("backup: -e date must be YYYY-MM-DD", 0) end
local folder = root .. "/" .. date
assert(fs.mkdir(folder, true))

-- The earlier dated folders, newest first: where each host's previous backup is looked for.
local earlier = {}
for _, name in ipairs(fs.list(root) or {}) do
  if name:match("^%d%d%d%d%-%d%d%-%d%d$") and name <= date then earlier[#earlier + 1] = name end
end
table.sort(earlier, function(a, b) return a > b end)

local function previous_backup(file)
  for _, d in ipairs(earlier) do
    local path = ("%s/%s/%s.cfg"):format(root, d, file)
    if fs.exists(path) then return path end
  end
  return nil
end

local RUNNING = { juniper_junos = "show configuration" }

local res = nethost.run(nethost.inventory, function(host)
  local s <close> = ssh.open(host)
  local text = s:run(RUNNING[host.platform] or "show running-config").stdout
  if not text:find("%S") then
    error(nethost.error("command", "the device returned an empty configuration"))
  end
  local file = fs.safe_name(host.name)
  local path = ("%s/%s.cfg"):format(folder, file)
  local prev = previous_backup(file)
  local old = prev and fs.read(prev)
  if old and config.equal(old, text, host.platform) then
    return { state = "unchanged", file = prev }
  end
  -- The diff's header names each side with its date (the two can be the same path when a
  -- folder is backed up twice in a day): the old backup's time, and now.
  local st = prev and fs.stat(prev)
  local old_when = st and st.mtime and os.date("!%Y-%m-%d %H:%M:%S UTC", math.floor(st.mtime))
                   or (prev and prev:match("(%d%d%d%d%-%d%d%-%d%d)/[^/]*$"))
  assert(fs.write(path, text))
  local result = { state = old and "changed" or "new", file = path,
                   lines = select(2, text:gsub("\n", "")) }
  if old then
    local d = diff.unified(config.normalize(old, host.platform), config.normalize(text, host.platform),
                           { from = ("%s\t%s"):format(prev, old_when),
                             to = ("%s\t%s"):format(path, os.date("!%Y-%m-%d %H:%M:%S UTC")) })
    assert(fs.write(("%s/%s.diff"):format(folder, file), d))
    result.diff = d
    local added, removed = 0, 0
    for line in d:gmatch("[^\n]+") do
      if line:match("^%+[^+]") or line == "+" then added = added + 1 end
      if line:match("^%-[^-]") or line == "-" then removed = removed + 1 end
    end
    result.added, result.removed = added, removed
  end
  return result
end, { name = "backup", timeout = tonumber(nethost.vars.timeout or "120") })

local rows, counts = {}, { new = 0, changed = 0, unchanged = 0, failed = 0 }
for rec in res:each() do
  local v = rec.value
  local state = v and v.state or "failed"
  counts[state] = (counts[state] or 0) + 1
  if state ~= "unchanged" then
    rows[#rows + 1] = { host = rec.host, state = state,
                        change = v and v.added and ("+%d -%d"):format(v.added, v.removed) or "",
                        detail = v and v.file or (rec.error and rec.error.message) }
  end
end
table.sort(rows, function(a, b) return a.host < b.host end)
if rows[1] then print(report.text(rows, { "host", "state", "change", "detail" })) end
print(("\nbackup %s: %d new, %d changed, %d unchanged, %d failed"):format(folder, counts.new,
      counts.changed, counts.unchanged, counts.failed))

-- Commit the folder when git is there (and wanted).
if nethost.vars.git ~= "no" and counts.new + counts.changed > 0 and
   os.execute("command -v git >/dev/null 2>&1") then
  local q = "'" .. root:gsub("'", "'\\''") .. "'"
  local ok = os.execute(("cd %s && { [ -d .git ] || git init -q; } && git add -A && "
    .. "git -c user.name=nethost -c user.email=nethost@localhost commit -qm %s >/dev/null")
    :format(q, ("'backup %s: %d new, %d changed'"):format(date, counts.new, counts.changed)))
  print(ok and ("committed to git in " .. root) or "git commit failed (the backup files are written)")
end
return counts.failed > 0 and 2 or 0
