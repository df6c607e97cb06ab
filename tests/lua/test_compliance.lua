local compliance = require("nethost.compliance")
local cfg = [[
hostname sw-0001
ip http server
snmp-server community public RO
ntp server 10.0.0.1
interface GigabitEthernet0/1
 switchport mode access
 spanning-tree portfast
interface GigabitEthernet0/2
 switchport mode access
interface GigabitEthernet0/3
 switchport mode trunk
]]
local rules = compliance.validate({
  { id = "portfast", section = "^interface Gig", when = "^switchport mode access$",
    required = { "spanning-tree portfast" } },
  { id = "no-http", forbidden = { "ip http server" } },
  { id = "ntp", required_regex = { "^ntp server " } },
  { id = "snmp", forbidden_regex = { "^snmp-server community (public|private)" } },
  { id = "junos-only", platforms = { "juniper_junos" }, required = { "x" } },
})
local report, ok = compliance.check(rules, cfg, "cisco_ios")
assert(not ok and #report == 4, "junos rule must not apply")
local by = {}
for _, r in ipairs(report) do by[r.id] = r end
assert(not by.portfast.ok and #by.portfast.violations == 1)
assert(by.portfast.violations[1]:find("GigabitEthernet0/2", 1, true))
assert(table.concat(by.portfast.fix, "|") == "interface GigabitEthernet0/2|spanning-tree portfast|exit")
assert(table.concat(by["no-http"].fix, "|") == "no ip http server")
assert(by.ntp.ok)
assert(table.concat(by.snmp.fix, "|") == "no snmp-server community public RO")
local _, clean = compliance.check(rules, "ntp server 1.1.1.1\n", "cisco_ios")
assert(clean)
assert(not pcall(compliance.validate, { { id = "x", requird = { "typo" } } }))
assert(not pcall(compliance.validate, { { id = "x", section = "(" } }))
print("ok")
