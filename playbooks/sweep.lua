-- sweep.lua — reachability sweep of a subnet or of an inventory.
--
-- Every address of the subnet(s) (or every inventory host's address) is pinged (ICMP echo,
-- through unprivileged datagram sockets where the kernel allows them, else raw sockets as
-- root) and/or probed on TCP ports. A host is "up" when it answers a ping or has an open
-- port, "closed" when it only refused connections (it exists, nothing listens there), and
-- "down" when nothing answered. Down hosts are results, not failures.
--
--   nethost run playbooks/sweep.lua -e subnet=CIDR[,CIDR...]   (or -i INVENTORY [-l LIMIT])
--       [-e ports=22,443]      TCP probes (without ports: ping only)
--       [-e ping=yes|no]       ping too (default: yes without ports, no with ports)
--       [-e timeout=1]         seconds per ping reply / TCP connect
--       [-e count=1]           echo requests per host
--       [-e concurrency=256]   hosts in flight (or -c N)
--       [-e show=all|up|down]  which hosts the table lists (default: all up to 256 hosts,
--                              else up)
--       [-e report=FILE]       also write the table (.csv, .json, .md, .txt)
--       [-e max=65536]         refuse subnets with more addresses than this
--       [-o results.jsonl]     one record per host: {address, status, rtt, ports}
--
-- Without ICMP permission (neither datagram nor raw ICMP sockets) a ping sweep stops at once
-- and says what to do; with ports it warns and probes the ports only. Allow unprivileged
-- pings with: sysctl -w net.ipv4.ping_group_range="0 2147483647".
--
-- Exit status: 0 when the sweep ran (whatever was down), 2 when a host could not be swept
-- (a name that does not resolve), 1 on bad arguments.

local report = require("nethost.report")

local vars = nethost.vars
local function fail(fmt, ...) error(("sweep: " .. fmt):format(...), 0) end

local function number(name, default, min)
  local v = vars[name]
  if v == nil then return default end
  local n = tonumber(v)
  if not n or n < min then fail("-e %s=%s: expected a number >= %s", name, v, tostring(min)) end
  return n
end

local ports = {}
for p in (vars.ports or ""):gmatch("[^,%s]+") do
  local n = math.tointeger(tonumber(p))
  if not n or n < 1 or n > 65535 then fail("-e ports: %q is not a port number", p) end
  ports[#ports + 1] = n
end
local ping = vars.ping
if ping == nil then
  ping = #ports == 0
elseif ping == "yes" or ping == "true" or ping == "1" then
  ping = true
elseif ping == "no" or ping == "false" or ping == "0" then
  ping = false
else
  fail("-e ping=%s: expected yes or no", ping)
end
if not ping and #ports == 0 then fail("nothing to do: -e ping=no and no -e ports") end
local timeout = number("timeout", 1, 0.001)
local count = math.tointeger(number("count", 1, 1)) or fail("-e count: expected an integer")
local max = math.tointeger(number("max", 65536, 1)) or fail("-e max: expected an integer")

-- Ask once whether pings can work here, rather than failing every host with the same error.
if ping then
  local kind, why = net.icmp("inet")
  if not kind and #ports > 0 then
    log.warn("sweep: %s; probing TCP ports only", why)
    ping = false
  elseif not kind then
    fail("%s; or sweep TCP ports: -e ports=22,443", why)
  end
end

-- The targets: plain tables {name=, address=} for a subnet, inventory hosts otherwise.
local targets = {}
if vars.subnet then
  for spec in vars.subnet:gmatch("[^,%s]+") do
    local ok, list = pcall(net.hosts, spec, { max = max })
    if not ok then fail("%s", tostring(list):gsub("^net%.hosts: ", "")) end
    for _, a in ipairs(list) do targets[#targets + 1] = { name = a, address = a } end
  end
elseif nethost.inventory then
  targets = nethost.inventory
else
  fail("give -e subnet=CIDR or an inventory with -i")
end

local res = nethost.run(targets, function(host)
  local addr = host.address or host.name
  local out = { address = addr, status = "down", ports = {} }
  local jobs = {}
  if ping then
    jobs[#jobs + 1] = function()
      local p = net.ping(addr, { timeout = timeout, count = count, interval = 0.2 })
      out.ping = p.alive and "reply" or "no reply"
      if p.alive then out.rtt = p.rtt end
      out.address = p.address or addr
      return p.alive
    end
  end
  for _, port in ipairs(ports) do
    jobs[#jobs + 1] = function()
      local t = net.tcp_probe(addr, port, { timeout = timeout })
      out.ports[tostring(port)] = t.state
      if t.open and not out.rtt then out.rtt = t.rtt end
      return t.state
    end
  end
  local results = async.gather(table.unpack(jobs))
  local refused = false
  for _, r in ipairs(results) do
    if not r.ok then error(r.err, 0) end
    if r.value == true or r.value == "open" then out.status = "up" end
    if r.value == "refused" then refused = true end
  end
  if out.status == "down" and refused then out.status = "closed" end
  return out
end, { name = "sweep", concurrency = vars.concurrency and math.tointeger(number("concurrency", 256, 1)) or
       (not (nethost.options and nethost.options.concurrency) and 256 or nil) })

-- The table and the summary.
local counts = { up = 0, closed = 0, down = 0, failed = 0 }
local rows = {}
local show = vars.show or (#res <= 256 and "all" or "up")
if show ~= "all" and show ~= "up" and show ~= "down" then fail("-e show=%s: all, up or down", show) end
for rec in res:each() do
  local row = { host = rec.host }
  if rec.status == "ok" then
    local v = rec.value
    row.address, row.status, row.ping = v.address, v.status, v.ping
    row.rtt = v.rtt and ("%.2f ms"):format(v.rtt * 1000) or nil
    for _, p in ipairs(ports) do row[tostring(p)] = v.ports[tostring(p)] end
  else
    row.status = "failed"
    row.error = rec.error and (rec.error.kind and rec.error.kind .. ": " or "") ..
                (rec.error.message or "") or rec.status
  end
  counts[row.status] = (counts[row.status] or 0) + 1
  if show == "all" or show == row.status or (show == "down" and row.status ~= "up") then
    rows[#rows + 1] = row
  end
end

local columns = { "host", "address", "status" }
if vars.subnet then columns = { "address", "status" } end
if ping then columns[#columns + 1] = "ping" end
for _, p in ipairs(ports) do columns[#columns + 1] = tostring(p) end
columns[#columns + 1] = "rtt"
if counts.failed > 0 then columns[#columns + 1] = "error" end
if #rows > 0 then print(report.text(rows, columns)) end
print(("\n%d hosts: %d up, %d closed, %d down%s"):format(#res, counts.up, counts.closed,
      counts.down, counts.failed > 0 and (", %d failed"):format(counts.failed) or ""))
if vars.report then assert(report.write(vars.report, rows, columns)) end
return counts.failed > 0 and 2 or 0
