-- health.lua — health check: uptime, CPU, interface errors and down interfaces.
--
-- For each host: a recent reboot (uptime below a threshold), CPU load (IOS/EOS `show
-- processes cpu`, where the device has it), interfaces with input errors or CRCs above a
-- threshold, and interfaces that are administratively up but whose link is down (the
-- parsers' normalized interface model: admin_state, oper_state). Every crossed threshold
-- is an alert; with -e webhook=URL the alerts are POSTed as JSON (one request per host).
--
--   nethost run playbooks/health.lua -i INVENTORY [-l LIMIT] [-c N]
--       [-e min_uptime=3600]   seconds: less means a recent reboot
--       [-e max_errors=100]    input errors + CRCs per interface
--       [-e max_cpu=80]        percent, five-minute average
--       [-e webhook=URL]       POST {host, alerts} for every host with alerts
--       [-e report=FILE]       also write the alert table (.csv, .json, .md, .txt)
--       [-o results.jsonl]
--
-- Exit status: 0 healthy, 2 alerts or unreachable hosts.

local report = require("nethost.report")

if not nethost.inventory then error("health: needs an inventory (-i)", 0) end
local vars = nethost.vars
local min_uptime = tonumber(vars.min_uptime or "3600")
local max_errors = tonumber(vars.max_errors or "100")
local max_cpu = tonumber(vars.max_cpu or "80")

local UNIT = { year = 31536000, week = 604800, day = 86400, hour = 3600, minute = 60, second = 1 }

--- "2 weeks, 3 days, 4 hours, 5 minutes" or "12 days, 3:04:05" -> seconds
local function uptime_seconds(text)
  if not text then return nil end
  local total, found = 0, false
  for n, unit in text:gmatch("(%d+)%s+(%a+)") do
    local u = UNIT[unit:lower():gsub("s$", "")]
    if u then total, found = total + tonumber(n) * u, true end
  end
  local h, m, s = text:match("(%d+):(%d%d):(%d%d)")
  if h then total, found = total + h * 3600 + m * 60 + s, true end
  return found and total or nil
end

local res = nethost.run(nethost.inventory, function(host)
  local s <close> = ssh.open(host)
  local alerts, facts = {}, {}
  local version = parse(host.platform, "show version", s:run("show version").stdout)
  facts.version = version.version
  local up = uptime_seconds(version.uptime)
  facts.uptime = up
  if up and up < min_uptime then
    alerts[#alerts + 1] = ("rebooted %d s ago (uptime %s)"):format(up, version.uptime)
  end
  if host.platform ~= "juniper_junos" then
    local cpu = s:run("show processes cpu").stdout
    local five = re.match(cpu, "five minutes: (\\d+)%")
    facts.cpu = tonumber(five)
    if facts.cpu and facts.cpu > max_cpu then
      alerts[#alerts + 1] = ("CPU %d%% over five minutes (max %d%%)"):format(facts.cpu, max_cpu)
    end
  end
  local interfaces = parse(host.platform, "show interfaces", s:run("show interfaces").stdout)
  local down, noisy = 0, 0
  for _, i in ipairs(interfaces) do
    local errors = (i.input_errors or 0) + (i.crc or 0)
    if errors > max_errors then
      noisy = noisy + 1
      alerts[#alerts + 1] = ("%s: %d input errors/CRCs (max %d)"):format(i.interface, errors, max_errors)
    end
    -- The parsers' normalized model (docs/plugins.md): enabled but its link is down.
    -- Junos units (ge-0/0/0.0) follow their physical interface and are not counted twice.
    local unit = host.platform == "juniper_junos" and i.interface:find(".", 1, true)
    if not unit and i.admin_state == "up" and i.oper_state == "down" then
      down = down + 1
      alerts[#alerts + 1] = i.interface .. ": down" .. (i.description and (" (" .. i.description .. ")") or "")
    end
  end
  facts.interfaces, facts.down, facts.noisy = #interfaces, down, noisy
  if alerts[1] and vars.webhook then
    local r = http.post(vars.webhook, { json = log.mask_value({ host = host.name, alerts = alerts, facts = facts }),
                                        timeout = 10 })
    if r.status >= 300 then log.warn("webhook answered %d", r.status) end
  end
  return { alerts = alerts, facts = facts }
end, { name = "health", timeout = tonumber(vars.timeout or "120") })

local rows, alerting, unreachable = {}, 0, 0
for rec in res:each() do
  if rec.value then
    if rec.value.alerts[1] then alerting = alerting + 1 end
    for _, a in ipairs(rec.value.alerts) do rows[#rows + 1] = { host = rec.host, alert = a } end
  else
    unreachable = unreachable + 1
    rows[#rows + 1] = { host = rec.host, alert = "unreachable: " .. (rec.error and rec.error.message or rec.status) }
  end
end
if rows[1] then print(report.text(rows, { "host", "alert" })) end
print(("\n%d hosts: %d healthy, %d with alerts, %d unreachable"):format(#res,
      #res - alerting - unreachable, alerting, unreachable))
report.section("health: alerts", rows, { "host", "alert" }) -- into -o report.html
if vars.report then assert(report.write(vars.report, rows, { "host", "alert" })) end
return (alerting + unreachable > 0) and 2 or 0
