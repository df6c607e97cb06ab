-- compliance.lua — check running configurations against rules; optionally fix them.
--
-- Rules (YAML) say which lines are required or forbidden, as exact lines or regexes, at the
-- top level or inside each matching section (e.g. every access interface), per platform.
-- Reports per host and rule; with -e fix=yes the remediation commands are generated and,
-- unless --check, applied and saved.
--
--   nethost run playbooks/compliance.lua -i INVENTORY [-l LIMIT] [-c N]
--       [-e rules=FILE.yaml]    rules (default: playbooks/data/compliance.yaml)
--       [-e fix=yes]            apply the remediation (with --check: only show it)
--       [-e report=FILE]        also write the per-rule table (.csv, .json, .md, .txt)
--       [-o results.jsonl]
--
-- Exit status: 0 compliant, 2 violations (or unreachable hosts), 1 could not start.

local changes = require("nethost.changes")
local compliance = require("nethost.compliance")
local config = require("nethost.config")
local report = require("nethost.report")

if not nethost.inventory then error("compliance: needs an inventory (-i)", 0) end
local here = arg[0]:match("^(.*)/[^/]*$") or "."
local rules = compliance.validate(yaml.load(nethost.vars.rules or (here .. "/data/compliance.yaml")))
local fix = nethost.vars.fix == "yes"
local RUNNING = { juniper_junos = "show configuration" }

local res = nethost.run(nethost.inventory, function(host)
  local s <close> = ssh.open(host)
  local text = s:run(RUNNING[host.platform] or "show running-config").stdout
  local results, ok = compliance.check(rules, text, host.platform)
  local commands = {}
  for _, r in ipairs(results) do table.move(r.fix, 1, #r.fix, #commands + 1, commands) end
  if fix and commands[1] then
    local cli = s:shell()
    cli:config(commands) -- under --check this only records what it would send
    if nethost.check then
      host:changed("would send " .. #commands .. " command(s)")
      if changes.wanted() then
        host:diff(changes.diff(text, (config.apply(text, commands, host.platform)), host.platform,
                               { model = true }))
      end
    else
      cli:save()
      -- Verify: the fix counts only if the device now complies.
      local after = s:run(RUNNING[host.platform] or "show running-config").stdout
      local _, fixed = compliance.check(rules, after, host.platform)
      if not fixed then error(nethost.error("command", "still not compliant after the fix")) end
      if not config.equal(text, after, host.platform) then
        if changes.wanted() then host:diff(changes.diff(text, after, host.platform)) end
      else
        host:changed(false)
      end
      return { compliant = false, fixed = true, rules = results, fix = commands }
    end
  end
  return { compliant = ok, rules = results, fix = commands }
end, { name = "compliance", timeout = tonumber(nethost.vars.timeout or "120") })

local rows, violations, unreachable = {}, 0, 0
for rec in res:each() do
  if rec.value then
    for _, r in ipairs(rec.value.rules) do
      if not r.ok then
        violations = violations + 1
        rows[#rows + 1] = { host = rec.host, rule = r.id, violations = table.concat(r.violations, "; "),
                            fix = (fix and (nethost.check and "would fix" or "fixed")) or "" }
      end
    end
  else
    unreachable = unreachable + 1
    rows[#rows + 1] = { host = rec.host, rule = "-", violations = rec.error and rec.error.message or rec.status }
  end
end
local columns = { "host", "rule", "violations", "fix" }
-- Long cells (a rule's violations can run to hundreds of characters) are cut on screen; the
-- full text is in -e report=FILE and in the results (-o).
local WIDTH = 70
if rows[1] then print(report.text(rows, columns, { max_width = WIDTH })) end
local cut = false
for _, r in ipairs(rows) do
  if utf8.len(r.violations or "") and utf8.len(r.violations) > WIDTH then cut = true end
end
if cut then
  print(("(cells cut at %d characters; the full text is in %s)"):format(WIDTH,
        nethost.vars.report or "the report file: add -e report=FILE, or -o results"))
end
changes.print(res)
print(("\n%d hosts, %d rules: %d violations, %d unreachable"):format(#res, #rules, violations, unreachable))
report.section("compliance: violations per host and rule", rows, columns) -- into -o report.html
if nethost.vars.report then assert(report.write(nethost.vars.report, rows, columns)) end
-- Fixed (and verified) hosts count as compliant.
local open = 0
for rec in res:each() do
  if rec.value and not rec.value.compliant and not rec.value.fixed then open = open + 1 end
end
return (open + unreachable == 0) and 0 or 2
