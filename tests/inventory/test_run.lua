-- nethost.run over an inventory: hosts reach the task with their fields and methods.
local dir = assert(arg[1])
local inv = inventory.load(dir .. "/lab.yaml"):limit("core")
local seen = {}
local res = nethost.run(inv, function(host)
  seen[host.name] = host.platform
  assert(host:secret("password"))
  return host.data.role
end, { summary = false })
assert(seen["core-1"] == "cisco_ios" and seen["edge-1"] == "arista_eos" and seen["core-2"])
assert(res:summary().ok == 3, "all ok")
