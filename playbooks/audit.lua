-- audit.lua — software audit: which devices run a known-vulnerable version?
--
-- Collects `show version` facts from every host, compares the version with a list of
-- advisories, and reports each host as vulnerable, ok or unreachable.
--
--   nethost run playbooks/audit.lua -i INVENTORY [-l LIMIT] [-c N]
--       [-e advisories=FILE.yaml]   advisories (default: playbooks/data/advisories.yaml)
--       [-e report=FILE]            also write the table (.csv, .json, .md or .txt)
--       [-e fail_on_vulnerable=yes] exit 2 when any host is vulnerable (for pipelines)
--       [-o results.jsonl]          per-host results as JSON lines
--
-- Exit status: 0 every host audited, 2 unreachable hosts (or vulnerable ones with
-- fail_on_vulnerable=yes), 1 could not start.

local report = require("nethost.report")
local version = require("nethost.version")

local here = arg[0]:match("^(.*)/[^/]*$") or "."
local advisories = yaml.load(nethost.vars.advisories or (here .. "/data/advisories.yaml"))
if not nethost.inventory then error("audit: needs an inventory (-i)", 0) end

local res = nethost.run(nethost.inventory, function(host)
  local s <close> = ssh.open(host)
  local out = s:run("show version").stdout
  local facts = parse(host.platform, "show version", out)
  local hits = {}
  for _, adv in ipairs(advisories[host.platform] or {}) do
    if facts.version and version.matches(facts.version, adv.versions) then
      hits[#hits + 1] = adv.id
    end
  end
  return { version = facts.version, model = facts.model, serial = facts.serial,
           advisories = hits }
end, { name = "audit", timeout = tonumber(nethost.vars.timeout or "60") })

local rows, vulnerable, unreachable = {}, 0, 0
for rec in res:each() do
  local row = { host = rec.host }
  if rec.status == "ok" then
    row.version, row.model = rec.value.version, rec.value.model
    if #rec.value.advisories > 0 then
      row.status, row.advisories = "vulnerable", rec.value.advisories
      vulnerable = vulnerable + 1
    else
      row.status = "ok"
    end
  else
    row.status = "unreachable"
    row.advisories = rec.error and rec.error.message or rec.status
    unreachable = unreachable + 1
  end
  rows[#rows + 1] = row
end

local columns = { "host", "status", "version", "model", "advisories" }
print(report.text(rows, columns))
print(("\n%d hosts: %d vulnerable, %d ok, %d unreachable"):format(#rows, vulnerable,
      #rows - vulnerable - unreachable, unreachable))
report.section("audit: software versions and advisories", rows, columns) -- into -o report.html
if nethost.vars.report then assert(report.write(nethost.vars.report, rows, columns)) end
if unreachable > 0 then return 2 end
if vulnerable > 0 and nethost.vars.fail_on_vulnerable == "yes" then return 2 end
return 0
