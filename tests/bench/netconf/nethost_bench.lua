-- get-config (running) on every cisco_ios / juniper_junos host of the inventory with
-- nethost's netconf module; prints the count of replies with data and the wall time.

local ok = 0
local hosts = nethost.inventory:filter(function(h)
  return h.platform == "cisco_ios" or h.platform == "juniper_junos"
end)
for rec in nethost.run(hosts, function(h)
  local s <close> = netconf.open(h)
  return #s:get_config("running").xml
end, { concurrency = tonumber(nethost.vars.concurrency or "500") }):each() do
  if rec.status == "ok" and rec.value > 0 then ok = ok + 1 end
end
print(("nethost: %d get-config replies"):format(ok))
