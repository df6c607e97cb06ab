-- Ansible YAML (with group_vars/host_vars), Ansible INI and a Nornir folder, through Lua.
local dir = assert(arg[1])

local a = inventory.load(dir .. "/ansible/inventory.yml")
assert(a.format == "ansible-yaml" and #a == 6)
local c = a:get("core-1")
assert(c.address == "127.2.0.1" and c.platform == "cisco_ios" and c.username == "netops")
assert(c.data.site == "lon" and c.data.snmp_community == "public")
assert(c:secret("password") == "from-group-vars" and c:secret("enable_secret") == "enable-me")
assert(a:get("core-2").data.role == "core-backup")
assert(a:get("leaf-03").platform == "arista_eos")
assert(#a:limit("network:!junos") == 5 and #a:limit("lon") == 2)
assert(#a:filter{ groups = "network" } == 6)

local ini = inventory.load(dir .. "/ansible/hosts.ini")
assert(ini.format == "ansible-ini" and #ini == 5)
assert(ini:get("core-2").data.site == "par is far" and ini:get("core-2").port == 2222)
assert(ini:get("leaf-1").username == "admin")

local nr = inventory.load(dir .. "/nornir")
assert(nr.format == "nornir" and #nr == 2)
assert(nr:get("r2").username == "lab" and nr:get("r1").username == "nornir")
assert(nr:get("r1"):secret("password") == "nornir-pw")
