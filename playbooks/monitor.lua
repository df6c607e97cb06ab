-- monitor.lua — poll the fleet every N seconds and keep a live dashboard.
--
-- Each poll reads every host's interfaces (`show interfaces`, through the parsers' normalized
-- interface model: admin_state, oper_state; docs/plugins.md) and shows: hosts reachable,
-- interfaces up/down, the hosts with the most interfaces down, and what changed since the
-- previous poll. An interface is "up", "down" (enabled but its link is down) or
-- "disabled" (shut). Every change (an interface going down, up or shut, a host becoming
-- unreachable or coming back) is an alert: a log line, and with -e webhook=URL a JSON POST.
-- Runs until Ctrl-C (or -e polls=N).
--
--   nethost run playbooks/monitor.lua -i INVENTORY [-l LIMIT] [-c N]
--       [-e interval=30]     seconds between polls (start to start)
--       [-e polls=N]         stop after N polls (default: run until Ctrl-C)
--       [-e webhook=URL]     POST {time, changes} when something changes
--       [--metrics ADDR:PORT] interface states and counters as Prometheus gauges at /metrics

local report = require("nethost.report")
local sys = require("nethost.sys")

if not nethost.inventory then error("monitor: needs an inventory (-i)", 0) end
local vars = nethost.vars
local interval = tonumber(vars.interval or "30")
local max_polls = tonumber(vars.polls or "0")
local tty = sys.isatty(1)

-- One word per interface from the normalized model. Junos units (ge-0/0/0.0) follow their
-- physical interface, so only physical interfaces count.
local function state_of(i)
  if i.admin_state == "down" then return "disabled" end
  if i.oper_state == "up" and i.protocol_state ~= "down" then return "up" end
  return "down"
end

local previous = {}   -- host -> {reachable =, interfaces = {name = "up"|"down"|"disabled"}}
local polls, all_changes = 0, 0

-- With --metrics ADDR:PORT, the fleet's state as Prometheus gauges at /metrics, so a
-- long-running monitor is scraped like any exporter.
local metrics = require("nethost.metrics")
local function export_metrics(now, counts, nchanges)
  metrics.clear("nethost_host_reachable")
  metrics.clear("nethost_interface_up")
  for host, st in pairs(now) do
    metrics.set("nethost_host_reachable", st.reachable and 1 or 0, { host = host },
                "1 if the host answered the last poll.")
    if st.reachable then
      for name, state in pairs(st.interfaces) do
        metrics.set("nethost_interface_up", state == "up" and 1 or 0,
                    { host = host, interface = name },
                    "1 if the interface's link is up at the last poll (0 when down or disabled).")
      end
    end
  end
  metrics.set("nethost_monitor_interfaces", counts.up, { state = "up" },
              "Interfaces by state: up, down (enabled, link down), disabled (shut).")
  metrics.set("nethost_monitor_interfaces", counts.down, { state = "down" })
  metrics.set("nethost_monitor_interfaces", counts.disabled, { state = "disabled" })
  metrics.inc("nethost_monitor_polls_total", 1, nil, "Polls of the fleet so far.")
  metrics.inc("nethost_monitor_changes_total", nchanges, nil, "State changes seen so far.")
end

local function poll_once()
  local res = nethost.run(nethost.inventory, function(host)
    local s <close> = ssh.open(host)
    local state = {}
    for _, i in ipairs(parse(host.platform, "show interfaces", s:run("show interfaces").stdout)) do
      if i.admin_state and not (host.platform == "juniper_junos" and i.interface:find(".", 1, true)) then
        state[i.interface] = state_of(i)
      end
    end
    return state
  end, { concurrency = nethost.options.concurrency or 200, timeout = math.max(5, interval),
         progress = false, summary = false })

  local now, changes, offenders = {}, {}, {}
  local reachable, up, down, disabled = 0, 0, 0, 0
  for rec in res:each() do
    local before = previous[rec.host]
    if rec.value then
      reachable = reachable + 1
      local ndown = 0
      for name, st in pairs(rec.value) do
        if st == "up" then up = up + 1
        elseif st == "down" then down, ndown = down + 1, ndown + 1
        else disabled = disabled + 1 end
        local was = before and before.interfaces and (before.interfaces[name] or "absent")
        if was and was ~= st then changes[#changes + 1] = { host = rec.host, change = name .. " " .. was .. " -> " .. st } end
      end
      for name, was in pairs(before and before.interfaces or {}) do
        if rec.value[name] == nil then changes[#changes + 1] = { host = rec.host, change = name .. " " .. was .. " -> absent" } end
      end
      if ndown > 0 then offenders[#offenders + 1] = { host = rec.host, down = ndown } end
      if before and not before.reachable then changes[#changes + 1] = { host = rec.host, change = "reachable again" } end
      now[rec.host] = { reachable = true, interfaces = rec.value }
    else
      now[rec.host] = { reachable = false, interfaces = before and before.interfaces }
      if not before or before.reachable then
        changes[#changes + 1] = { host = rec.host, change = "unreachable: " .. (rec.error and rec.error.message or rec.status) }
      end
    end
  end
  if polls == 0 then changes = {} end -- the first poll is the baseline
  previous = now
  polls = polls + 1
  all_changes = all_changes + #changes
  if metrics.serving() then export_metrics(now, { up = up, down = down, disabled = disabled }, #changes) end
  table.sort(offenders, function(a, b) return a.down > b.down or (a.down == b.down and a.host < b.host) end)

  if tty then io.stdout:write("\27[H\27[2J") end
  print(("nethost monitor — poll %d at %s — every %g s (Ctrl-C to stop)"):format(polls,
        os.date("%H:%M:%S"), interval))
  print(("hosts %d reachable / %d; interfaces %d up, %d down (enabled, link down); %d change(s) this poll"):format(
        reachable, #res, up, down, #changes))
  if offenders[1] then
    print("\ntop offenders (interfaces down):")
    print(report.text({ table.unpack(offenders, 1, math.min(10, #offenders)) }, { "host", "down" }))
  end
  if changes[1] then
    print("\nchanges since the last poll:")
    print(report.text(changes, { "host", "change" }))
    for _, c in ipairs(changes) do log.warn("%s: %s", c.host, c.change) end
    -- Under --workers N this code runs in every worker too (docs/running.md): the
    -- process you started alone posts.
    if vars.webhook and not nethost.worker then
      local ok, e = pcall(http.post, vars.webhook, { json = log.mask_value({ time = os.time(), changes = changes }), timeout = 10 })
      if not ok then log.error("webhook: %s", tostring(e)) end
    end
  end
  return max_polls == 0 or polls < max_polls
end

local ok, e = pcall(async.every, interval, poll_once)
print(("\nmonitor: %d poll(s), %d change(s)"):format(polls, all_changes))
if not ok then
  if nethost.is_error(e) and e.kind == "cancelled" then return 0 end
  error(e, 0)
end
return 0
