-- host:parse(command, text): the host's platform picks the parser.
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$")
local inv = inventory.load(here .. "/../data/inventory/lab.yaml")
local h
for host in inv:each() do if host.platform == "cisco_ios" then h = host break end end
assert(h, "the fixture has a cisco_ios host")
local text = [[
Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(4)E1, RELEASE SOFTWARE (fc1)
ROM: Bootstrap program is C2960X boot loader
core-1 uptime is 3 weeks, 2 days, 4 hours, 5 minutes
System image file is "flash:c2960x-universalk9-mz.152-4.E1.bin"
cisco WS-C2960X-48FPD-L (APM86XXX) processor (revision B0) with 524288K bytes of memory.
Processor board ID FOC1234X0AB
Configuration register is 0xF
]]
local facts = h:parse("sh ver", text)
assert(facts.version == "15.2(4)E1", tostring(facts.version))
local ok, e = pcall(h.parse, h, "show version", "not a show version")
assert(not ok and e.kind == "parse" and tostring(e):find(h.name, 1, true))
print("ok")
