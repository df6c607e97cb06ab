-- config: volatile filters, the section model and remediation commands.
local config = require("nethost.config")

local a = [[
Building configuration...

Current configuration : 1234 bytes
!
! Last configuration change at 10:01:02 UTC Mon Nov 2 2026
hostname sw-0001
ntp clock-period 36028797
!
interface GigabitEthernet0/1
 description uplink
 switchport mode trunk
 shutdown
!
interface GigabitEthernet0/2
 description old
!
ntp server 10.0.0.9
logging host 10.0.0.5
end
]]
local b = a:gsub("10:01:02", "11:22:33"):gsub("36028797", "36028800")
assert(config.equal(a, b, "cisco_ios"), "volatile lines must not count")
assert(not config.equal(a, a:gsub("uplink", "downlink"), "cisco_ios"))

local sections = config.sections(a, "cisco_ios")
assert(sections["interface GigabitEthernet0/1"][1] == "description uplink")
assert(#sections["interface GigabitEthernet0/1"] == 3)

local want = [[
hostname sw-0001
interface GigabitEthernet0/1
 description core uplink
 switchport mode trunk
interface GigabitEthernet0/3
 description new port
ntp server 10.0.0.1
logging host 10.0.0.5
]]
local cmds = config.remediation(a, want, "cisco_ios")
local text = table.concat(cmds, "\n")
-- Negations first, then additions, section by section; unchanged lines are left alone.
local expected = table.concat({
  "no interface GigabitEthernet0/2",
  "no ntp server 10.0.0.9",
  "interface GigabitEthernet0/1",
  "no shutdown",
  "description core uplink",
  "exit",
  "interface GigabitEthernet0/3",
  "description new port",
  "exit",
  "ntp server 10.0.0.1",
}, "\n")
assert(text == expected, "remediation:\n" .. text)
assert(not text:find("no description", 1, true), "description is overwritten, not negated")
assert(not text:find("no hostname", 1, true))
assert(not text:find("logging host", 1, true), "unchanged lines are left alone")
assert(#config.remediation(a, a, "cisco_ios") == 0)
assert(#config.remediation(a, b, "cisco_ios") == 0)

-- Junos braces read as set form; remediation is delete/set.
local junos = [[
## Last commit: 2026-11-01 10:00:00 UTC by admin
system {
    host-name r-0001;
    ntp {
        server 10.0.0.9;
    }
}
interfaces {
    ge-0/0/0 {
        description "uplink";
    }
}
]]
local set = config.to_set(junos)
assert(set:find("set system host-name r-0001", 1, true))
assert(set:find('set interfaces ge-0/0/0 description "uplink"', 1, true))
local jwant = junos:gsub("10.0.0.9", "10.0.0.1")
local jcmds = config.remediation(junos, jwant, "juniper_junos")
assert(#jcmds == 2 and jcmds[1] == "delete system ntp server 10.0.0.9" and
       jcmds[2] == "set system ntp server 10.0.0.1", table.concat(jcmds, "\n"))
print("ok")
