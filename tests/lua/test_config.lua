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

-- A line re-added lands where the device puts it: top-level order does not count, but the
-- order of ACL entries does, and alignment blanks never do.
local ios = [[
hostname sw-1
ip domain-name lab.example
ip name-server 10.0.0.53
!
interface GigabitEthernet1/0/2
 description access
 switchport access vlan 10
!
ip access-list extended MGMT-IN
 permit tcp 10.0.0.0 0.255.255.255 any eq 22
 permit udp any any eq 161
 deny   ip any any log
!
access-list 10 permit 10.1.0.0 0.0.255.255
access-list 10 deny any
end
]]
local moved = ios:gsub("ip name%-server 10.0.0.53\n", ""):gsub("end\n$", "ip name-server 10.0.0.53\nend\n")
assert(config.equal(ios, moved, "cisco_ios"), "top-level order does not count")
assert(config.equal(ios, ios:gsub("deny   ip", "deny ip"), "cisco_ios"), "alignment blanks do not count")
local swapped = ios:gsub(" permit tcp 10.0.0.0 0.255.255.255 any eq 22\n permit udp any any eq 161\n",
                         " permit udp any any eq 161\n permit tcp 10.0.0.0 0.255.255.255 any eq 22\n")
assert(not config.equal(ios, swapped, "cisco_ios"), "ACL entry order counts")
local d = config.differences(swapped, ios, "cisco_ios")
assert(d[1] and d[1].kind == "order" and d[1].path[1] == "ip access-list extended MGMT-IN",
       config.describe(d))
local numbered = ios:gsub("access%-list 10 permit 10.1.0.0 0.0.255.255\naccess%-list 10 deny any\n",
                          "access-list 10 deny any\naccess-list 10 permit 10.1.0.0 0.0.255.255\n")
assert(not config.equal(ios, numbered, "cisco_ios"), "numbered ACL line order counts")

-- The issue's change, then back: removed, re-added and changed-in-section lines.
local pushed = ios:gsub("ip name%-server 10.0.0.53", "ip name-server 10.0.0.54")
                  :gsub("description access", "description changed by push")
local back, diffs = config.remediation(pushed, ios, "cisco_ios")
assert(table.concat(back, "\n") == table.concat({
  "no ip name-server 10.0.0.54",
  "ip name-server 10.0.0.53",
  "interface GigabitEthernet1/0/2",
  "description access",
  "exit",
}, "\n"), table.concat(back, "\n"))
assert(#diffs == 4, config.describe(diffs, 9))
local msg = config.describe(config.differences(pushed, ios, "cisco_ios"), 2)
assert(msg:find("missing 'ip name-server 10.0.0.53'", 1, true) and msg:find("and 2 more", 1, true), msg)
assert(msg:find("extra 'ip name-server 10.0.0.54'", 1, true), msg)
assert(config.describe({}) == "")

-- An ACL entry deleted from the middle: the entries after it go and come back in order
-- (a device appends new entries); one removed at the end is just added.
local lost = ios:gsub(" permit udp any any eq 161\n", "")
local acl = config.remediation(lost, ios, "cisco_ios")
assert(table.concat(acl, "\n") == table.concat({
  "ip access-list extended MGMT-IN", "no deny ip any any log",
  "permit udp any any eq 161", "deny   ip any any log", "exit" }, "\n"), table.concat(acl, "\n"))
local extra = ios:gsub(" deny   ip any any log\n", " deny   ip any any log\n permit ip any any\n")
acl = config.remediation(extra, ios, "cisco_ios")
assert(table.concat(acl, "\n") == "ip access-list extended MGMT-IN\nno permit ip any any\nexit",
       table.concat(acl, "\n"))
-- The order fix applied to the model gives the wanted order.
local fix = config.remediation(swapped, ios, "cisco_ios")
assert(fix[1] == "ip access-list extended MGMT-IN" and fix[2] == "no permit udp any any eq 161",
       table.concat(fix, "\n"))

-- EOS prefix lists carry sequence numbers: the device orders them, a missing entry is
-- added alone.
local eos = [[
hostname sw-2
ntp server 10.0.0.1
ip prefix-list CUSTOMER-ROUTES
   seq 10 permit 100.64.1.0/24
   seq 20 permit 100.64.2.0/24
   seq 30 permit 100.64.3.0/24
!
interface Ethernet3
   description server port 3
end
]]
local eos2 = eos:gsub("   seq 20 permit 100.64.2.0/24\n", ""):gsub("ntp server 10.0.0.1\n", "")
               :gsub("server port 3", "eos changed")
local ecmds = config.remediation(eos2, eos, "arista_eos")
assert(table.concat(ecmds, "\n") == table.concat({
  "ntp server 10.0.0.1", "ip prefix-list CUSTOMER-ROUTES", "seq 20 permit 100.64.2.0/24", "exit",
  "interface Ethernet3", "description server port 3", "exit" }, "\n"),
  table.concat(ecmds, "\n"))
assert(config.equal(eos, eos, "arista_eos"))

-- Junos: statements compare as a set; filter terms are a sequence.
local jfull = [[
system {
    host-name r-1;
    ntp {
        server 10.0.0.1;
        server 10.0.0.2;
    }
}
interfaces {
    ge-0/0/1 {
        description "uplink";
    }
}
firewall {
    family inet {
        filter PROTECT-RE {
            term SSH {
                from {
                    protocol tcp;
                }
                then accept;
            }
            term DENY {
                then discard;
            }
        }
    }
}
]]
local jreorder = jfull:gsub("server 10.0.0.1;\n        server 10.0.0.2;", "server 10.0.0.2;\n        server 10.0.0.1;")
assert(config.equal(jfull, jreorder, "juniper_junos"), "ntp servers are a set")
local jterm = jfull:gsub("            term SSH {\n.-\n            }\n            term DENY {\n                then discard;\n            }\n",
  "            term DENY {\n                then discard;\n            }\n            term SSH {\n                from {\n                    protocol tcp;\n                }\n                then accept;\n            }\n")
assert(jterm ~= jfull)
assert(not config.equal(jfull, jterm, "juniper_junos"), "filter term order counts")
local jchanged = jterm:gsub('"uplink"', '"junos changed"'):gsub("        server 10.0.0.1;\n", "")
local jc = config.remediation(jchanged, jfull, "juniper_junos")
assert(table.concat(jc, "\n") == table.concat({
  "delete firewall family inet filter PROTECT-RE term DENY",
  "set system ntp server 10.0.0.1",
  'set interfaces ge-0/0/1 description "uplink"',
  "set firewall family inet filter PROTECT-RE term DENY then discard" }, "\n"), table.concat(jc, "\n"))
local jd = config.differences(jchanged, jfull, "juniper_junos")
assert(config.describe(jd, 9):find("out of order 'set firewall family inet filter PROTECT%-RE term DENY'"),
       config.describe(jd, 9))
print("ok")
