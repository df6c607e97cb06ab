-- first.lua — the playbook of docs/tutorial.md: every device's version and uptime.
--
--   nethost run playbooks/tutorial/first.lua -i INVENTORY

local report = require("nethost.report")

-- 1. One task per host: nethost.run runs this function for every host of the inventory,
--    many at once, and collects what it returns.
local results = nethost.run(nethost.inventory, function(host)
  local session <close> = ssh.open(host)           -- connect and log in (closed at the end)
  local out = session:run("show version").stdout   -- a command on the exec channel
  local facts = parse(host.platform, "show version", out)  -- text -> table, by a plugin
  return { version = facts.version, uptime = facts.uptime }
end, { concurrency = 50, timeout = 30 })

-- 2. The results: one record per host, in inventory order.
local rows = {}
for rec in results:each() do
  if rec.status == "ok" then
    rows[#rows + 1] = { host = rec.host, version = rec.value.version, uptime = rec.value.uptime }
  else
    rows[#rows + 1] = { host = rec.host, version = "-", uptime = rec.error.message }
  end
end
print(report.text(rows, { "host", "version", "uptime" }))
